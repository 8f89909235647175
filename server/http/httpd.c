/*
 * httpd: the server around the requests: one event-loop thread per core with
 * its connections, listening socket and pools, the maintenance tick, the read
 * replica's lag, and a graceful stop.  See httpd.h and httpd_int.h.
 */
#define _GNU_SOURCE
#include "httpd_int.h"

#include "authcache.h"
#include "clock.h"
#include "bgjob.h"
#include "httphead.h"
#include "log.h"
#include "metrics.h"
#include "pgpool.h"
#include "principal.h"
#include "privacy.h"
#include "validate.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---------- read replica ---------- */

/* Replay delay; 0 when everything received has been replayed (an idle
 * primary sends nothing, which is not lag). */
static const struct pgpool_stmt httpd_lag_stmt = {
    "replica_lag",
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0 "
    "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END"};

static void httpd_replica_lag_cb(void *arg, const struct pgpool_reply *reply)
{
    struct httpd *h = arg;
    h->replica_polling = false;
    double lag = -1;
    if (reply->status == PGPOOL_OK && PQntuples(reply->res) == 1)
        lag = strtod(PQgetvalue(reply->res, 0, 0), NULL);
    atomic_store(&h->replica_lag, lag);
    metrics_gauge(h->metrics, "leye_replica_lag_seconds",
                  "seconds the read replica's replay is behind the primary (-1: unreachable)", lag);
}

static void httpd_replica_lag_poll(struct httpd_worker *w, int64_t now)
{
    struct httpd *h = w->h;
    if (h->replica_polling || now - h->replica_polled_us < 1000000)
        return;
    h->replica_polled_us = now;
    h->replica_polling = true;
    pgpool_query(w->replica, &httpd_lag_stmt, 0, NULL, httpd_replica_lag_cb, h);
}

double httpd_replica_lag(const struct httpd *h)
{
    return atomic_load(&h->replica_lag);
}

/* ---------- workers ---------- */

static void httpd_worker_finish(struct httpd_worker *w)
{
    pgpool_shutdown(w->pool);
    if (w->replica)
        pgpool_shutdown(w->replica);
    if (w->inflight > 0)
        log_warn("thread %d: %d requests still open at shutdown", w->index, w->inflight);
    event_base_loopbreak(w->base);
}

static void httpd_tick_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct httpd_worker *w = arg;
    int64_t now = clock_now_us();
    pgpool_tick(w->pool);
    struct pgpool_stats ps;
    pgpool_stats(w->pool, &ps);
    metrics_pool(w->h->metrics, w->index, &ps);
    if (w->replica) {
        pgpool_tick(w->replica);
        pgpool_stats(w->replica, &ps);
        metrics_replica_pool(w->h->metrics, w->index, &ps);
        if (w->index == 0)
            httpd_replica_lag_poll(w, now);
    }
    if (w->index == 0 && w->h->tick_hook)
        w->h->tick_hook(w->pool, now);
    if (w->index == 0) {
        uint64_t hits, misses, drops;
        authcache_counts(&hits, &misses, &drops);
        metrics_gauge(w->h->metrics, "leye_session_cache_hits_total",
                      "staff requests whose session came from memory", (double)hits);
        metrics_gauge(w->h->metrics, "leye_session_cache_misses_total",
                      "staff requests whose session was looked up in the database", (double)misses);
    }
    httpd_conn_sweep(w, now);
    log_flush();
    if (w->stopping &&
        ((w->inflight == 0 && !httpd_conn_output_pending(w)) || now > w->stop_deadline))
        httpd_worker_finish(w);
}

void httpd_set_tick_hook(struct httpd *h, httpd_tick_fn fn)
{
    h->tick_hook = fn;
}

void httpd_set_stop_hook(struct httpd *h, httpd_stop_fn fn)
{
    h->stop_hook = fn;
}

int64_t httpd_stop_deadline(const struct httpd *h)
{
    return h->stop_deadline_us;
}

static void httpd_stop_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct httpd_worker *w = arg;
    if (w->stopping)
        return;
    w->stopping = true;
    w->stop_deadline = clock_now_us() + (int64_t)w->h->cfg->shutdown_timeout_s * 1000000;
    httpd_conn_unlisten(w);
}

static void *httpd_worker_main(void *arg)
{
    struct httpd_worker *w = arg;
    event_base_dispatch(w->base);
    log_flush();
    return NULL;
}

static evutil_socket_t httpd_listen_socket(const char *addr, int port)
{
    struct sockaddr_in6 sa6;
    struct sockaddr_in sa4;
    struct sockaddr *sa;
    socklen_t len;
    memset(&sa6, 0, sizeof sa6);
    memset(&sa4, 0, sizeof sa4);
    if (inet_pton(AF_INET, addr, &sa4.sin_addr) == 1) {
        sa4.sin_family = AF_INET;
        sa4.sin_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&sa4;
        len = sizeof sa4;
    } else if (inet_pton(AF_INET6, addr, &sa6.sin6_addr) == 1) {
        sa6.sin6_family = AF_INET6;
        sa6.sin6_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&sa6;
        len = sizeof sa6;
    } else {
        log_error("LEYE_LISTEN: \"%s\" is not an IPv4 or IPv6 address", addr);
        return -1;
    }
    evutil_socket_t fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0 || bind(fd, sa, len) < 0 ||
        listen(fd, 1024) < 0) {
        log_error("cannot listen on %s port %d: %s", addr, port, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static int httpd_bound_port(evutil_socket_t fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return -1;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static int httpd_worker_init(struct httpd *h, struct httpd_worker *w, int index, int pool_size)
{
    const struct config *cfg = h->cfg;
    w->h = h;
    w->index = index;
    LIST_INIT(&w->conns);
    /* the changelist folds a connection's read/write toggles into one epoll_ctl */
    struct event_config *ec = event_config_new();
    if (!ec)
        return -1;
    event_config_set_flag(ec, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    w->base = event_base_new_with_config(ec);
    event_config_free(ec);
    if (!w->base)
        return -1;
    w->fd = httpd_listen_socket(cfg->listen, h->port);
    if (w->fd < 0)
        return -1;
    if (h->port == 0)
        h->port = httpd_bound_port(w->fd);
    if (httpd_conn_listen(w, w->fd) < 0) {
        close(w->fd);
        return -1;
    }
    struct pgpool_config pc = {cfg->database_url, pool_size, cfg->db_queue_max,
                               cfg->db_query_timeout_ms, cfg->db_connect_timeout_ms};
    w->pool = pgpool_new(w->base, &pc);
    if (cfg->database_replica_url && *cfg->database_replica_url) {
        pc.conninfo = cfg->database_replica_url;
        w->replica = pgpool_new(w->base, &pc);
        if (!w->replica)
            return -1;
    }
    w->tick = event_new(w->base, -1, EV_PERSIST, httpd_tick_cb, w);
    struct timeval tick = {0, HTTPD_TICK_MS * 1000};
    if (!w->pool || !w->tick || event_add(w->tick, &tick) < 0)
        return -1;
    return 0;
}

struct httpd *httpd_new(const struct config *cfg, const struct router_route *routes, size_t nroutes,
                        httpd_gate_fn gate)
{
    if (evthread_use_pthreads() < 0)
        return NULL;
    /* signals go to the thread in httpd_run only: block them before any thread starts */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    struct httpd *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->cfg = cfg;
    h->routes = routes;
    h->nroutes = nroutes;
    h->gate = gate;
    h->port = cfg->port;
    h->limits.max_head = (size_t)cfg->max_header_bytes;
    h->limits.max_target =
        HTTPD_MAX_TARGET < cfg->max_header_bytes ? HTTPD_MAX_TARGET : (size_t)cfg->max_header_bytes;
    h->limits.max_body = (uint64_t)cfg->max_body_bytes;
    h->limits.large_prefix = "/v1/imports/";
    h->limits.max_body_large = (uint64_t)cfg->max_import_bytes;
    h->id_prefix = (uint32_t)((uint64_t)clock_now_us() * 2654435761u) ^ (uint32_t)getpid();
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    h->nworkers = cfg->threads > 0 ? cfg->threads : (int)(cores > 0 ? cores : 1);
    /* every event loop needs a connection of its own: the pool is not
     * rounded up to the threads (docs/deploy.md, "Database connections") */
    if (h->nworkers > cfg->db_pool_size) {
        if (cfg->threads > 0) {
            log_error("LEYE_DB_POOL_SIZE (%d) is smaller than LEYE_THREADS (%d): every event-loop "
                      "thread needs at least one database connection",
                      cfg->db_pool_size, cfg->threads);
            goto fail;
        }
        h->nworkers = cfg->db_pool_size;
    }
    h->workers = calloc((size_t)h->nworkers, sizeof *h->workers);
    h->metrics = metrics_new(nroutes, h->nworkers);
    h->bgjobs = bgjob_pool_new(2);
    atomic_init(&h->replica_lag, -1.0);
    if (!h->workers || !h->metrics || !h->bgjobs)
        goto fail;
    for (int i = 0; i < h->nworkers; i++) {
        int share = cfg->db_pool_size / h->nworkers + (i < cfg->db_pool_size % h->nworkers);
        if (httpd_worker_init(h, &h->workers[i], i, share) < 0)
            goto fail;
    }
    return h;
fail:
    httpd_free(h);
    return NULL;
}

int httpd_port(const struct httpd *h)
{
    return h->port;
}

int httpd_run(struct httpd *h)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    for (int i = 0; i < h->nworkers; i++) {
        if (pthread_create(&h->workers[i].thread, NULL, httpd_worker_main, &h->workers[i]) != 0) {
            log_error("cannot start thread %d", i);
            return -1;
        }
    }
    log_info("listening on http://%s:%d/ with %d threads", h->cfg->listen, h->port, h->nworkers);
    int sig = 0;
    sigwait(&set, &sig);
    log_info("signal %d: stopping (in-flight requests get %d s)", sig, h->cfg->shutdown_timeout_s);
    h->stop_deadline_us = clock_now_us() + (int64_t)h->cfg->shutdown_timeout_s * 1000000;
    if (h->stop_hook)
        h->stop_hook(h->stop_deadline_us);
    struct timeval now = {0, 0};
    for (int i = 0; i < h->nworkers; i++)
        event_base_once(h->workers[i].base, -1, EV_TIMEOUT, httpd_stop_cb, &h->workers[i], &now);
    for (int i = 0; i < h->nworkers; i++)
        pthread_join(h->workers[i].thread, NULL);
    log_info("stopped");
    return 0;
}

void httpd_free(struct httpd *h)
{
    if (!h)
        return;
    /* the background jobs hand results to the workers' loops: stop them first */
    int64_t deadline = h->stop_deadline_us ? h->stop_deadline_us : clock_now_us();
    if (!bgjob_pool_free(h->bgjobs, deadline))
        log_error("background jobs still running at the shutdown deadline");
    for (int i = 0; h->workers && i < h->nworkers; i++) {
        struct httpd_worker *w = &h->workers[i];
        if (w->tick)
            event_free(w->tick);
        httpd_conn_close_all(w);
        httpd_conn_unlisten(w);
        pgpool_free(w->pool);
        if (w->replica)
            pgpool_free(w->replica);
        if (w->base)
            event_base_free(w->base);
        while (w->spare) {
            struct httpd_req *r = w->spare;
            w->spare = r->next_spare;
            free(r->head.p);
            free(r->out.p);
            free(r->hdrs);
            free(r);
        }
    }
    free(h->workers);
    metrics_free(h->metrics);
    free(h);
}

char *httpd_metrics_text(struct httpd *h)
{
    return metrics_render(h->metrics, h->routes, h->nroutes, atomic_load(&h->connections));
}

struct metrics *httpd_metrics(struct httpd *h)
{
    return h->metrics;
}

void httpd_stats(struct httpd *h, struct httpd_stats *out)
{
    out->connections = atomic_load(&h->connections);
    out->threads = h->nworkers;
    out->db_request = h->cfg->db_pool_size;
    out->db_replica =
        h->cfg->database_replica_url && *h->cfg->database_replica_url ? h->cfg->db_pool_size : 0;
    metrics_db_open(h->metrics, &out->db_request_open, &out->db_replica_open);
}
