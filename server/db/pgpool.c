#define _POSIX_C_SOURCE 200809L
#include "pgpool_int.h"

#include "clock.h"
#include "log.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>

#define PGPOOL_BACKOFF_MIN_MS 50
#define PGPOOL_BACKOFF_MAX_MS 1000
#define PGPOOL_CANCEL_GRACE_MS 1000 /* a cancelled query must end within this */

static void pgconn_event_cb(evutil_socket_t fd, short what, void *arg);
static void pgpool_dispatch(struct pgpool *p);
static void pgconn_send(struct pgconn *c);

void pgwork_free(struct pgwork *w)
{
    if (!w)
        return;
    pgwork_free(w->member); /* members of a batch not ended yet */
    for (int i = 0; i < w->nparams; i++)
        free(w->values[i]);
    free(w->values);
    free(w);
}

struct pgwork *pgwork_new(enum pgwork_kind kind, const struct pgpool_stmt *st, int nparams,
                          const char *const *values, int timeout_ms)
{
    struct pgwork *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->kind = kind;
    w->st = st;
    memcpy(w->scope, "*", 2);
    w->deadline = clock_now_us() + (int64_t)timeout_ms * 1000;
    if (nparams > 0) {
        w->values = calloc((size_t)nparams, sizeof *w->values);
        if (!w->values) {
            free(w);
            return NULL;
        }
        w->nparams = nparams;
        for (int i = 0; i < nparams; i++) {
            if (values[i] && !(w->values[i] = strdup(values[i]))) {
                pgwork_free(w);
                return NULL;
            }
        }
    }
    return w;
}

void pgwork_end(struct pgwork *w, enum pgpool_status status, PGresult *res, const char *why)
{
    pgwork_end_row(w, status, res, why, 0);
}

void pgwork_end_row(struct pgwork *w, enum pgpool_status status, PGresult *res, const char *why,
                    int row)
{
    if (w->kind == PGWORK_BATCH) {
        pgpool_batch_end(w, status, res, why);
        pgwork_free(w);
        return;
    }
    struct pgpool_reply r = {status, res, "", why, "", "", "", "", row};
    if (res && status == PGPOOL_SQL_ERROR) {
        static const int codes[] = {PG_DIAG_SQLSTATE,        PG_DIAG_MESSAGE_PRIMARY,
                                    PG_DIAG_CONSTRAINT_NAME, PG_DIAG_MESSAGE_DETAIL,
                                    PG_DIAG_TABLE_NAME,      PG_DIAG_COLUMN_NAME};
        const char **dst[] = {&r.sqlstate, &r.message, &r.constraint,
                              &r.detail,   &r.table,   &r.column};
        for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
            const char *v = PQresultErrorField(res, codes[i]);
            *dst[i] = v ? v : "";
        }
    }
    if (w->kind == PGWORK_QUERY)
        w->qcb(w->arg, &r);
    else
        w->lcb(w->arg, NULL, status);
    pgwork_free(w);
}

static void pgwork_finish(struct pgwork *w, enum pgpool_status status, PGresult *res)
{
    pgwork_end(w, status, res, status == PGPOOL_TIMEOUT ? PGPOOL_WHY_DEADLINE : "");
}

/* A cancel request, shared by the connection and the thread sending it;
 * the last of the two to let go frees it. */
struct pgcancel_job {
    PGcancel *pc;
    atomic_bool sent;
    atomic_int refs;
};

static void pgcancel_job_put(struct pgcancel_job *j)
{
    if (j && atomic_fetch_sub(&j->refs, 1) == 1) {
        PQfreeCancel(j->pc);
        free(j);
    }
}

static void pgconn_close(struct pgconn *c)
{
    if (c->ev_read)
        event_free(c->ev_read);
    if (c->ev_write)
        event_free(c->ev_write);
    c->ev_read = c->ev_write = NULL;
    if (c->last)
        PQclear(c->last);
    c->last = NULL;
    if (c->conn)
        PQfinish(c->conn);
    c->conn = NULL;
    c->nprepared = 0;
    c->preparing = c->rolling_back = c->scoping = c->cancelling = false;
    c->cancel_prepare = NULL;
    pgcancel_job_put(c->cancel_job);
    c->cancel_job = NULL;
    c->cancel_ended = false;
    c->scope[0] = '\0';
    c->sndbuf = 0;
}

/*
 * The one place a connection's state changes.  Any state may fall to DOWN; a
 * connection comes back only through CONNECTING to IDLE; IDLE, BUSY and
 * LEASED pass among themselves as work and leases come and go.  Anything
 * else is a bug in the pool, stopped here.
 */
static void pgconn_set_state(struct pgconn *c, enum pgconn_state to)
{
    static const unsigned allowed[] = {
        [PGC_DOWN] = 1u << PGC_DOWN | 1u << PGC_CONNECTING,
        [PGC_CONNECTING] = 1u << PGC_DOWN | 1u << PGC_IDLE,
        [PGC_IDLE] = 1u << PGC_DOWN | 1u << PGC_BUSY | 1u << PGC_LEASED | 1u << PGC_IDLE,
        [PGC_BUSY] = 1u << PGC_DOWN | 1u << PGC_IDLE | 1u << PGC_LEASED | 1u << PGC_BUSY,
        [PGC_LEASED] = 1u << PGC_DOWN | 1u << PGC_BUSY | 1u << PGC_IDLE | 1u << PGC_LEASED,
    };
    assert(allowed[c->state] & (1u << to));
    c->state = to;
}

/* Marks c lost: fails its running work, closes it, schedules a reconnect. */
static void pgconn_lost(struct pgconn *c, enum pgpool_status why)
{
    struct pgwork *w = c->work;
    bool was_up = c->state != PGC_CONNECTING && c->state != PGC_DOWN;
    if (c->conn && was_up)
        log_warn("database connection lost: %s", PQerrorMessage(c->conn));
    pgconn_close(c);
    c->work = NULL;
    pgconn_set_state(c, PGC_DOWN);
    c->retry_at = clock_now_us() + (was_up ? 0 : (int64_t)c->backoff_ms * 1000);
    if (!was_up) {
        c->backoff_ms *= 2;
        if (c->backoff_ms > PGPOOL_BACKOFF_MAX_MS)
            c->backoff_ms = PGPOOL_BACKOFF_MAX_MS;
    }
    if (!pgpool_is_up(c->pool))
        c->pool->down = true;
    if (w) {
        c->pool->failures++;
        pgwork_end(w, why, NULL, why == PGPOOL_TIMEOUT ? PGPOOL_WHY_DEADLINE : PGPOOL_WHY_LOST);
    }
}

static bool pgconn_make_events(struct pgconn *c)
{
    int fd = PQsocket(c->conn);
    if (fd < 0)
        return false;
    if (c->ev_read)
        event_free(c->ev_read);
    if (c->ev_write)
        event_free(c->ev_write);
    c->ev_read = event_new(c->pool->base, fd, EV_READ | EV_PERSIST, pgconn_event_cb, c);
    c->ev_write = event_new(c->pool->base, fd, EV_WRITE, pgconn_event_cb, c);
    return c->ev_read && c->ev_write;
}

static void pgconn_connect(struct pgconn *c)
{
    /* application_name "leye" unless the connection string names one */
    static const char *const keys[] = {"dbname", "fallback_application_name", NULL};
    const char *vals[] = {c->pool->conninfo, "leye", NULL};
    c->conn = PQconnectStartParams(keys, vals, 1);
    if (!c->conn || PQstatus(c->conn) == CONNECTION_BAD || PQsetnonblocking(c->conn, 1) != 0 ||
        !pgconn_make_events(c)) {
        pgconn_lost(c, PGPOOL_UNAVAILABLE);
        return;
    }
    pgconn_set_state(c, PGC_CONNECTING);
    c->deadline = clock_now_us() + (int64_t)c->pool->connect_timeout_ms * 1000;
    event_add(c->ev_write, NULL);
}

static void pgconn_poll_connect(struct pgconn *c)
{
    int before = PQsocket(c->conn);
    PostgresPollingStatusType st = PQconnectPoll(c->conn);
    if (st == PGRES_POLLING_FAILED) {
        log_debug("database connect failed: %s", PQerrorMessage(c->conn));
        pgconn_lost(c, PGPOOL_UNAVAILABLE);
        return;
    }
    if (PQsocket(c->conn) != before && !pgconn_make_events(c)) {
        pgconn_lost(c, PGPOOL_UNAVAILABLE);
        return;
    }
    if (st == PGRES_POLLING_READING) {
        event_del(c->ev_write);
        event_add(c->ev_read, NULL);
    } else if (st == PGRES_POLLING_WRITING) {
        event_del(c->ev_read);
        event_add(c->ev_write, NULL);
    } else if (st == PGRES_POLLING_OK) {
        event_del(c->ev_write);
        event_add(c->ev_read, NULL);
        pgconn_set_state(c, PGC_IDLE);
        c->backoff_ms = PGPOOL_BACKOFF_MIN_MS;
        if (c->pool->down)
            log_info("database reachable again");
        c->pool->down = false;
        log_debug("database connection up");
        pgpool_dispatch(c->pool);
    }
}

static bool pgconn_is_prepared(const struct pgconn *c, const struct pgpool_stmt *st)
{
    for (int i = 0; i < c->nprepared; i++)
        if (c->prepared[i] == st)
            return true;
    return false;
}

static void pgconn_flush(struct pgconn *c)
{
    int r = PQflush(c->conn);
    if (r < 0)
        pgconn_lost(c, PGPOOL_UNAVAILABLE);
    else if (r == 1)
        event_add(c->ev_write, NULL);
}

#define PGCONN_SNDBUF_MIN (1 << 20) /* parameters above this raise the buffer */
#define PGCONN_SNDBUF_MAX (4 << 20)

/*
 * Lets the kernel take a large message (a bulk import's parameters) in
 * pieces of megabytes: libpq moves the unsent rest of its buffer to the
 * front after each partial write, so with the default buffer of about
 * 200 kB a 45 MB message costs gigabytes of copying on the event loop.
 * Ordinary queries leave the socket as it is.  The kernel caps the size at
 * net.core.wmem_max; failing is harmless.
 */
static void pgconn_fit_sndbuf(struct pgconn *c, const struct pgwork *w)
{
    size_t len = 0;
    for (int i = 0; i < w->nparams; i++)
        len += w->values[i] ? strlen(w->values[i]) : 0;
    if (len <= PGCONN_SNDBUF_MIN || len <= (size_t)c->sndbuf)
        return;
    int want = len < PGCONN_SNDBUF_MAX ? (int)len : PGCONN_SNDBUF_MAX;
    if (setsockopt(PQsocket(c->conn), SOL_SOCKET, SO_SNDBUF, &want, sizeof want) == 0)
        c->sndbuf = want;
}

/* Sends the next command for c->work: a Prepare the first time, then the query. */
static void pgconn_send(struct pgconn *c)
{
    struct pgwork *w = c->work;
    int ok;
    pgconn_set_state(c, PGC_BUSY);
    c->deadline = w->deadline;
    if (c->last)
        PQclear(c->last);
    c->last = NULL;
    if (strcmp(c->scope, w->scope) != 0) {
        /* row-level security reads leye.scope (migrations/013), the audit
         * trigger leye.actor (014): "scope" or "scope<US>actor JSON" */
        char scope[PGPOOL_SCOPE_MAX];
        memcpy(scope, w->scope, sizeof scope);
        char *us = strchr(scope, '\x1f');
        const char *v[2] = {scope, us ? us + 1 : ""};
        if (us)
            *us = '\0';
        c->scoping = true;
        ok = PQsendQueryParams(c->conn,
                               "SELECT set_config('leye.scope', $1, false), "
                               "set_config('leye.actor', $2, false)",
                               2, NULL, v, NULL, NULL, 0);
    } else if (!pgconn_is_prepared(c, w->st) && c->nprepared < PGCONN_MAX_PREPARED) {
        c->preparing = true;
        ok = PQsendPrepare(c->conn, w->st->name, w->st->sql, 0, NULL);
    } else if (pgconn_is_prepared(c, w->st)) {
        c->preparing = false;
        pgconn_fit_sndbuf(c, w);
        ok = PQsendQueryPrepared(c->conn, w->st->name, w->nparams, (const char *const *)w->values,
                                 NULL, NULL, 0);
    } else {
        c->preparing = false;
        pgconn_fit_sndbuf(c, w);
        ok = PQsendQueryParams(c->conn, w->st->sql, w->nparams, NULL,
                               (const char *const *)w->values, NULL, NULL, 0);
    }
    if (!ok) {
        pgconn_lost(c, PGPOOL_UNAVAILABLE);
        return;
    }
    c->pool->queries += c->preparing || c->scoping ? 0 : w->kind == PGWORK_BATCH ? w->nmembers : 1;
    pgconn_flush(c);
}

static void *pgconn_cancel_main(void *arg)
{
    struct pgcancel_job *j = arg;
    char err[256];
    if (!PQcancel(j->pc, err, sizeof err))
        log_warn("database: cancel request failed: %s", err);
    atomic_store(&j->sent, true);
    pgcancel_job_put(j);
    return NULL;
}

/*
 * The work on c passed its deadline: answers it PGPOOL_TIMEOUT and asks the
 * server to cancel the query, keeping the connection.  PQcancel waits for
 * the server, so it runs on a short-lived thread of its own, never on the
 * event loop.  If the command has not ended by the grace, the connection is
 * taken for broken (pgpool_tick).
 */
static void pgconn_cancel(struct pgconn *c)
{
    struct pgwork *w = c->work;
    c->work = NULL;
    c->cancelling = true;
    c->cancel_prepare = c->preparing && w ? w->st : NULL;
    c->deadline = clock_now_us() + (int64_t)PGPOOL_CANCEL_GRACE_MS * 1000;
    struct pgcancel_job *j = calloc(1, sizeof *j);
    if (j && !(j->pc = PQgetCancel(c->conn))) {
        free(j);
        j = NULL;
    }
    if (j) {
        atomic_init(&j->sent, false);
        atomic_init(&j->refs, 2);
        pthread_t th;
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&th, &a, pgconn_cancel_main, j) != 0) {
            PQfreeCancel(j->pc);
            free(j);
            j = NULL;
        }
        pthread_attr_destroy(&a);
    }
    c->cancel_job = j;
    if (!j)
        c->deadline = 0; /* no cancel on its way: the next tick drops the connection */
    c->pool->timeouts++;
    c->pool->failures++;
    if (w)
        pgwork_finish(w, PGPOOL_TIMEOUT, NULL);
}

/* The cancelled command ended: the connection serves again once the
 * cancel request has reached the server (a late one would cancel the next
 * query); until then pgpool_tick calls this again, and drops the
 * connection if that has not happened by the grace. */
static void pgconn_cancel_done(struct pgconn *c, bool ok)
{
    if (c->last)
        PQclear(c->last);
    c->last = NULL;
    if (c->cancel_job && !atomic_load(&c->cancel_job->sent)) {
        c->cancel_ended_ok = ok;
        c->cancel_ended = true;
        return;
    }
    pgcancel_job_put(c->cancel_job);
    c->cancel_job = NULL;
    c->cancel_ended = false;
    c->cancelling = false;
    if (c->cancel_prepare && ok && c->nprepared < PGCONN_MAX_PREPARED)
        c->prepared[c->nprepared++] = c->cancel_prepare;
    c->cancel_prepare = NULL;
    if (c->scoping) {
        c->scoping = false;
        c->scope[0] = '\0'; /* unknown: the next work sets it again */
    }
    c->preparing = false;
    if (c->leased) {
        pgconn_set_state(c, PGC_LEASED);
        return;
    }
    if (PQtransactionStatus(c->conn) != PQTRANS_IDLE) {
        c->rolling_back = true;
        c->deadline = clock_now_us() + (int64_t)c->pool->query_timeout_ms * 1000;
        if (!PQsendQuery(c->conn, "ROLLBACK")) {
            pgconn_lost(c, PGPOOL_UNAVAILABLE);
            return;
        }
        pgconn_flush(c);
        return;
    }
    pgconn_set_state(c, PGC_IDLE);
    pgpool_dispatch(c->pool);
}

/* One command finished with c->last as its result. */
static void pgconn_command_done(struct pgconn *c)
{
    PGresult *res = c->last;
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (c->rolling_back) {
        c->rolling_back = false;
        pgconn_set_state(c, PGC_IDLE);
        pgpool_dispatch(c->pool);
        return;
    }
    if (c->cancelling) {
        pgconn_cancel_done(c, ok);
        return;
    }
    struct pgwork *w = c->work;
    if (c->scoping) {
        c->scoping = false;
        if (ok) {
            memcpy(c->scope, w->scope, sizeof c->scope);
            pgconn_send(c);
            return;
        }
    }
    if (c->preparing && ok) {
        c->prepared[c->nprepared++] = w->st;
        c->preparing = false;
        pgconn_send(c);
        return;
    }
    c->work = NULL;
    c->last = NULL;
    pgconn_set_state(c, c->leased ? PGC_LEASED : PGC_IDLE);
    if (!ok)
        c->pool->failures++;
    pgwork_finish(w, ok ? PGPOOL_OK : PGPOOL_SQL_ERROR, res);
    if (res)
        PQclear(res);
    if (!c->leased && c->state == PGC_IDLE)
        pgpool_dispatch(c->pool);
}

static void pgconn_read(struct pgconn *c)
{
    if (!PQconsumeInput(c->conn)) {
        pgconn_lost(c, PGPOOL_UNAVAILABLE);
        return;
    }
    PGnotify *n;
    while ((n = PQnotifies(c->conn)) != NULL)
        PQfreemem(n);
    if (c->state != PGC_BUSY) {
        if (PQstatus(c->conn) == CONNECTION_BAD)
            pgconn_lost(c, PGPOOL_UNAVAILABLE);
        return;
    }
    while (!PQisBusy(c->conn)) {
        PGresult *r = PQgetResult(c->conn);
        if (!r) {
            pgconn_command_done(c);
            return;
        }
        if (c->last)
            PQclear(c->last);
        c->last = r;
    }
}

static void pgconn_event_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    struct pgconn *c = arg;
    if (c->state == PGC_CONNECTING) {
        pgconn_poll_connect(c);
        return;
    }
    if (!c->conn)
        return;
    if (what & EV_WRITE) {
        pgconn_flush(c);
        if (!c->conn)
            return;
    }
    if (what & EV_READ)
        pgconn_read(c);
}

static struct pgconn *pgpool_idle(struct pgpool *p)
{
    for (int i = 0; i < p->size; i++)
        if (p->conns[i].state == PGC_IDLE)
            return &p->conns[i];
    return NULL;
}

/* Hands waiting work to idle connections, oldest first. */
static void pgpool_dispatch(struct pgpool *p)
{
    struct pgconn *c;
    struct pgwork *w;
    while ((c = pgpool_idle(p)) != NULL && (w = pgpool_batch_next(p)) != NULL) {
        TAILQ_REMOVE(&p->queue, w, next);
        p->waiting--;
        if (w->kind == PGWORK_LEASE) {
            c->leased = true;
            pgconn_set_state(c, PGC_LEASED);
            pgpool_lease_cb cb = w->lcb;
            void *arg = w->arg;
            pgwork_free(w);
            cb(arg, c, PGPOOL_OK);
        } else {
            c->work = pgpool_batch_gather(p, w);
            pgconn_send(c);
        }
    }
}

bool pgpool_is_up(const struct pgpool *p)
{
    for (int i = 0; i < p->size; i++) {
        enum pgconn_state s = p->conns[i].state;
        if (s == PGC_IDLE || s == PGC_BUSY || (s == PGC_LEASED && p->conns[i].conn))
            return true;
    }
    return false;
}

void pgpool_submit(struct pgpool *p, struct pgwork *w)
{
    if (p->closed || p->down || p->waiting >= p->queue_max) {
        p->failures++;
        pgwork_end(w, PGPOOL_UNAVAILABLE, NULL,
                   p->closed ? PGPOOL_WHY_CLOSED
                   : p->down ? PGPOOL_WHY_DOWN
                             : PGPOOL_WHY_QUEUE);
        return;
    }
    TAILQ_INSERT_TAIL(&p->queue, w, next);
    p->waiting++;
    if (w->batch && p->ev_dispatch)
        event_active(p->ev_dispatch, EV_TIMEOUT, 0);
    else
        pgpool_dispatch(p);
}

static void pgpool_dispatch_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    pgpool_dispatch(arg);
}

void pgpool_query(struct pgpool *p, const struct pgpool_stmt *st, int nparams,
                  const char *const *values, pgpool_query_cb cb, void *arg)
{
    pgpool_query_scoped(p, "*", st, nparams, values, cb, arg);
}

void pgpool_query_scoped(struct pgpool *p, const char *scope, const struct pgpool_stmt *st,
                         int nparams, const char *const *values, pgpool_query_cb cb, void *arg)
{
    pgpool_query_deadline(p, scope, p->query_timeout_ms, st, nparams, values, cb, arg);
}

void pgpool_query_deadline(struct pgpool *p, const char *scope, int timeout_ms,
                           const struct pgpool_stmt *st, int nparams, const char *const *values,
                           pgpool_query_cb cb, void *arg)
{
    struct pgwork *w = pgwork_new(PGWORK_QUERY, st, nparams, values, timeout_ms);
    if (w && strlen(scope) >= sizeof w->scope) {
        pgwork_free(w);
        w = NULL;
    }
    if (w)
        memcpy(w->scope, scope, strlen(scope) + 1);
    if (!w) {
        struct pgpool_reply r = {
            PGPOOL_UNAVAILABLE, NULL, "", PGPOOL_WHY_MEMORY, "", "", "", "", 0};
        cb(arg, &r);
        return;
    }
    w->qcb = cb;
    w->arg = arg;
    pgpool_submit(p, w);
}

void pgpool_acquire(struct pgpool *p, pgpool_lease_cb cb, void *arg)
{
    struct pgwork *w = pgwork_new(PGWORK_LEASE, NULL, 0, NULL, p->query_timeout_ms);
    if (!w) {
        cb(arg, NULL, PGPOOL_UNAVAILABLE);
        return;
    }
    w->lcb = cb;
    w->arg = arg;
    pgpool_submit(p, w);
}

void pgconn_query(struct pgconn *c, const struct pgpool_stmt *st, int nparams,
                  const char *const *values, pgpool_query_cb cb, void *arg)
{
    assert(c->leased && !c->work);
    struct pgwork *w = pgwork_new(PGWORK_QUERY, st, nparams, values, c->pool->query_timeout_ms);
    if (!w || !c->conn || c->state != PGC_LEASED) {
        struct pgpool_reply r = {PGPOOL_UNAVAILABLE,
                                 NULL,
                                 "",
                                 w ? PGPOOL_WHY_LOST : PGPOOL_WHY_MEMORY,
                                 "",
                                 "",
                                 "",
                                 "",
                                 0};
        pgwork_free(w);
        cb(arg, &r);
        return;
    }
    w->qcb = cb;
    w->arg = arg;
    c->work = w;
    pgconn_send(c);
}

void pgpool_release(struct pgconn *c)
{
    assert(c->leased && !c->work);
    c->leased = false;
    if (!c->conn || c->state != PGC_LEASED) {
        if (c->state == PGC_LEASED)
            pgconn_set_state(c, PGC_DOWN);
        return;
    }
    if (PQtransactionStatus(c->conn) != PQTRANS_IDLE) {
        c->rolling_back = true;
        pgconn_set_state(c, PGC_BUSY);
        c->deadline = clock_now_us() + (int64_t)c->pool->query_timeout_ms * 1000;
        if (!PQsendQuery(c->conn, "ROLLBACK")) {
            pgconn_lost(c, PGPOOL_UNAVAILABLE);
            return;
        }
        pgconn_flush(c);
        return;
    }
    pgconn_set_state(c, PGC_IDLE);
    pgpool_dispatch(c->pool);
}

void pgpool_tick(struct pgpool *p)
{
    int64_t now = clock_now_us();
    struct pgwork *w, *tmp;
    for (w = TAILQ_FIRST(&p->queue); w; w = tmp) {
        tmp = TAILQ_NEXT(w, next);
        if (now > w->deadline) {
            TAILQ_REMOVE(&p->queue, w, next);
            p->waiting--;
            p->timeouts++;
            pgwork_finish(w, PGPOOL_TIMEOUT, NULL);
        }
    }
    for (int i = 0; i < p->size && !p->closed; i++) {
        struct pgconn *c = &p->conns[i];
        if (c->state == PGC_DOWN && !c->leased && now >= c->retry_at)
            pgconn_connect(c);
        else if (c->state == PGC_CONNECTING && now > c->deadline)
            pgconn_lost(c, PGPOOL_UNAVAILABLE);
        else if (c->state == PGC_BUSY && c->cancel_ended && atomic_load(&c->cancel_job->sent))
            pgconn_cancel_done(c, c->cancel_ended_ok);
        else if (c->state == PGC_BUSY && now > c->deadline) {
            if (c->work)
                pgconn_cancel(c);
            else
                pgconn_lost(c, PGPOOL_TIMEOUT); /* a cancel or rollback that never ended */
        }
    }
    if (p->down) {
        while ((w = TAILQ_FIRST(&p->queue)) != NULL) {
            TAILQ_REMOVE(&p->queue, w, next);
            p->waiting--;
            pgwork_end(w, PGPOOL_UNAVAILABLE, NULL, PGPOOL_WHY_DOWN);
        }
    }
    /* reads held for a batch whose connection was lost go now */
    if (!p->closed)
        pgpool_dispatch(p);
}

struct pgpool *pgpool_new(struct event_base *base, const struct pgpool_config *cfg)
{
    struct pgpool *p = calloc(1, sizeof *p + (size_t)cfg->size * sizeof(struct pgconn));
    if (!p)
        return NULL;
    p->conninfo = strdup(cfg->conninfo);
    if (!p->conninfo) {
        free(p);
        return NULL;
    }
    p->base = base;
    p->size = cfg->size;
    p->queue_max = cfg->queue_max;
    p->query_timeout_ms = cfg->query_timeout_ms;
    p->connect_timeout_ms = cfg->connect_timeout_ms;
    TAILQ_INIT(&p->queue);
    /* without it, batched reads are dispatched at once like any other */
    p->ev_dispatch = event_new(base, -1, 0, pgpool_dispatch_cb, p);
    for (int i = 0; i < p->size; i++) {
        p->conns[i].pool = p;
        p->conns[i].backoff_ms = PGPOOL_BACKOFF_MIN_MS;
        pgconn_connect(&p->conns[i]);
    }
    return p;
}

bool pgpool_usable(const struct pgpool *p)
{
    return !p->closed && !p->down;
}

void pgpool_shutdown(struct pgpool *p)
{
    if (p->closed)
        return;
    p->closed = true;
    struct pgwork *w;
    while ((w = TAILQ_FIRST(&p->queue)) != NULL) {
        TAILQ_REMOVE(&p->queue, w, next);
        p->waiting--;
        pgwork_end(w, PGPOOL_UNAVAILABLE, NULL, PGPOOL_WHY_CLOSED);
    }
    for (int i = 0; i < p->size; i++) {
        struct pgconn *c = &p->conns[i];
        w = c->work;
        c->work = NULL;
        pgconn_close(c);
        pgconn_set_state(c, PGC_DOWN);
        if (w)
            pgwork_end(w, PGPOOL_UNAVAILABLE, NULL, PGPOOL_WHY_CLOSED);
    }
}

void pgpool_free(struct pgpool *p)
{
    if (!p)
        return;
    pgpool_shutdown(p);
    if (p->ev_dispatch)
        event_free(p->ev_dispatch);
    free(p->conninfo);
    free(p);
}

void pgpool_stats(const struct pgpool *p, struct pgpool_stats *out)
{
    memset(out, 0, sizeof *out);
    out->size = p->size;
    for (int i = 0; i < p->size; i++) {
        enum pgconn_state s = p->conns[i].state;
        out->up += s == PGC_IDLE || s == PGC_BUSY || s == PGC_LEASED;
        out->busy += s == PGC_BUSY || s == PGC_LEASED;
    }
    out->waiting = p->waiting;
    out->queries = p->queries;
    out->failures = p->failures;
    out->timeouts = p->timeouts;
}
