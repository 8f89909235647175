#define _POSIX_C_SOURCE 200809L
#include "metrics.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int metrics_statuses[] = {200, 201, 204, 400, 401, 403, 404, 405, 408, 409, 411,
                                       412, 413, 415, 422, 428, 429, 431, 500, 501, 503, 504};
#define METRICS_NSTATUS (sizeof metrics_statuses / sizeof metrics_statuses[0] + 1)

/* latency bucket bounds in microseconds */
static const int64_t metrics_bounds[] = {250,   500,    1000,   2500,   5000,    10000,  25000,
                                         50000, 100000, 250000, 500000, 1000000, 2500000};
#define METRICS_NBUCKET (sizeof metrics_bounds / sizeof metrics_bounds[0] + 1)
#define METRICS_NGAUGE 48

struct metrics_row {
    _Atomic uint64_t by_status[METRICS_NSTATUS];
    _Atomic uint64_t buckets[METRICS_NBUCKET];
    _Atomic uint64_t sum_us;
};

struct metrics_shard {
    struct metrics_row *rows;
    _Atomic int64_t pool[7]; /* size, up, busy, waiting, queries, failures, timeouts */
    _Atomic int64_t replica_size, replica_up;
};

struct metrics {
    size_t nrows;
    int nthreads;
    struct metrics_shard *shards;
    pthread_mutex_t gauge_lock;
    size_t ngauges;
    const char *gauge_name[METRICS_NGAUGE];
    const char *gauge_help[METRICS_NGAUGE];
    _Atomic double gauge_value[METRICS_NGAUGE];
};

struct metrics *metrics_new(size_t nroutes, int nthreads)
{
    struct metrics *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->nrows = nroutes + 1;
    m->nthreads = nthreads;
    m->shards = calloc((size_t)nthreads, sizeof *m->shards);
    pthread_mutex_init(&m->gauge_lock, NULL);
    for (int t = 0; m->shards && t < nthreads; t++) {
        m->shards[t].rows = calloc(m->nrows, sizeof *m->shards[t].rows);
        if (!m->shards[t].rows) {
            metrics_free(m);
            return NULL;
        }
    }
    if (!m->shards) {
        metrics_free(m);
        return NULL;
    }
    return m;
}

void metrics_free(struct metrics *m)
{
    if (!m)
        return;
    for (int t = 0; m->shards && t < m->nthreads; t++)
        free(m->shards[t].rows);
    free(m->shards);
    pthread_mutex_destroy(&m->gauge_lock);
    free(m);
}

/* The only writer of a shard is its thread: load and store, no locked add. */
static void metrics_bump(_Atomic uint64_t *c, uint64_t by)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + by,
                          memory_order_relaxed);
}

void metrics_request(struct metrics *m, int thread, size_t route_slot, int status, int64_t micros)
{
    if (route_slot >= m->nrows)
        route_slot = m->nrows - 1;
    struct metrics_row *row = &m->shards[thread].rows[route_slot];
    size_t s = METRICS_NSTATUS - 1;
    for (size_t i = 0; i + 1 < METRICS_NSTATUS; i++)
        if (metrics_statuses[i] == status)
            s = i;
    size_t b = 0;
    while (b + 1 < METRICS_NBUCKET && micros > metrics_bounds[b])
        b++;
    metrics_bump(&row->by_status[s], 1);
    metrics_bump(&row->buckets[b], 1);
    metrics_bump(&row->sum_us, (uint64_t)(micros > 0 ? micros : 0));
}

void metrics_pool(struct metrics *m, int thread, const struct pgpool_stats *s)
{
    const int64_t v[7] = {s->size,
                          s->up,
                          s->busy,
                          s->waiting,
                          (int64_t)s->queries,
                          (int64_t)s->failures,
                          (int64_t)s->timeouts};
    for (int i = 0; i < 7; i++)
        atomic_store_explicit(&m->shards[thread].pool[i], v[i], memory_order_relaxed);
}

void metrics_replica_pool(struct metrics *m, int thread, const struct pgpool_stats *s)
{
    atomic_store_explicit(&m->shards[thread].replica_size, s->size, memory_order_relaxed);
    atomic_store_explicit(&m->shards[thread].replica_up, s->up, memory_order_relaxed);
}

void metrics_db_open(struct metrics *m, int64_t *request, int64_t *replica)
{
    *request = *replica = 0;
    for (int t = 0; t < m->nthreads; t++) {
        *request += atomic_load_explicit(&m->shards[t].pool[1], memory_order_relaxed);
        *replica += atomic_load_explicit(&m->shards[t].replica_up, memory_order_relaxed);
    }
}

void metrics_gauge(struct metrics *m, const char *name, const char *help, double value)
{
    pthread_mutex_lock(&m->gauge_lock);
    size_t i = 0;
    while (i < m->ngauges && strcmp(m->gauge_name[i], name) != 0)
        i++;
    if (i == m->ngauges && i < METRICS_NGAUGE) {
        m->gauge_name[i] = name;
        m->gauge_help[i] = help;
        m->ngauges++;
    }
    if (i < METRICS_NGAUGE)
        atomic_store(&m->gauge_value[i], value);
    pthread_mutex_unlock(&m->gauge_lock);
}

struct metrics_buf {
    char *p;
    size_t len, cap;
};

static void metrics_printf(struct metrics_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void metrics_printf(struct metrics_buf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = b->p ? vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap) : -1;
        va_end(ap);
        if (n >= 0 && (size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap * 2 : 65536;
        char *p = realloc(b->p, cap);
        if (!p)
            return;
        b->p = p;
        b->cap = cap;
    }
}

static void metrics_route_label(const struct router_route *routes, size_t nroutes, size_t r,
                                char *out, size_t cap)
{
    if (r < nroutes)
        snprintf(out, cap, "method=\"%s\",route=\"%s\"", routes[r].method, routes[r].pattern);
    else
        snprintf(out, cap, "method=\"\",route=\"unmatched\"");
}

static void metrics_render_requests(struct metrics *m, struct metrics_buf *b,
                                    const struct router_route *routes, size_t nroutes)
{
    metrics_printf(b, "# HELP leye_http_requests_total Requests answered, by route and status.\n"
                      "# TYPE leye_http_requests_total counter\n");
    for (size_t r = 0; r < m->nrows; r++) {
        char label[256];
        metrics_route_label(routes, nroutes, r, label, sizeof label);
        for (size_t s = 0; s < METRICS_NSTATUS; s++) {
            uint64_t n = 0;
            for (int t = 0; t < m->nthreads; t++)
                n += atomic_load_explicit(&m->shards[t].rows[r].by_status[s], memory_order_relaxed);
            char status[8] = "other";
            if (s + 1 < METRICS_NSTATUS)
                snprintf(status, sizeof status, "%d", metrics_statuses[s]);
            if (n)
                metrics_printf(b, "leye_http_requests_total{%s,status=\"%s\"} %llu\n", label,
                               status, (unsigned long long)n);
        }
    }
}

static void metrics_render_latency(struct metrics *m, struct metrics_buf *b,
                                   const struct router_route *routes, size_t nroutes)
{
    metrics_printf(b, "# HELP leye_http_request_duration_seconds Time to answer, by route.\n"
                      "# TYPE leye_http_request_duration_seconds histogram\n");
    for (size_t r = 0; r < m->nrows; r++) {
        uint64_t cum = 0, sum = 0, counts[METRICS_NBUCKET] = {0};
        for (int t = 0; t < m->nthreads; t++) {
            for (size_t k = 0; k < METRICS_NBUCKET; k++)
                counts[k] +=
                    atomic_load_explicit(&m->shards[t].rows[r].buckets[k], memory_order_relaxed);
            sum += atomic_load_explicit(&m->shards[t].rows[r].sum_us, memory_order_relaxed);
        }
        uint64_t total = 0;
        for (size_t k = 0; k < METRICS_NBUCKET; k++)
            total += counts[k];
        if (!total)
            continue;
        char label[256];
        metrics_route_label(routes, nroutes, r, label, sizeof label);
        for (size_t k = 0; k < METRICS_NBUCKET; k++) {
            cum += counts[k];
            if (k + 1 < METRICS_NBUCKET)
                metrics_printf(b, "leye_http_request_duration_seconds_bucket{%s,le=\"%g\"} %llu\n",
                               label, (double)metrics_bounds[k] / 1e6, (unsigned long long)cum);
            else
                metrics_printf(b,
                               "leye_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %llu\n",
                               label, (unsigned long long)cum);
        }
        metrics_printf(b, "leye_http_request_duration_seconds_sum{%s} %.6f\n", label,
                       (double)sum / 1e6);
        metrics_printf(b, "leye_http_request_duration_seconds_count{%s} %llu\n", label,
                       (unsigned long long)total);
    }
}

static void metrics_render_pool(struct metrics *m, struct metrics_buf *b)
{
    static const char *const names[7][3] = {
        {"leye_db_pool_size", "gauge", "Database connections configured."},
        {"leye_db_pool_up", "gauge", "Database connections open."},
        {"leye_db_pool_busy", "gauge", "Database connections running a query or leased."},
        {"leye_db_pool_waiting", "gauge", "Queries waiting for a connection."},
        {"leye_db_queries_total", "counter", "Queries sent."},
        {"leye_db_failures_total", "counter",
         "Queries failed (database errors or lost connections)."},
        {"leye_db_timeouts_total", "counter", "Queries past their deadline."},
    };
    for (int i = 0; i < 7; i++) {
        int64_t v = 0;
        for (int t = 0; t < m->nthreads; t++)
            v += atomic_load_explicit(&m->shards[t].pool[i], memory_order_relaxed);
        metrics_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s %lld\n", names[i][0], names[i][2],
                       names[i][0], names[i][1], names[i][0], (long long)v);
    }
}

char *metrics_render(struct metrics *m, const struct router_route *routes, size_t nroutes,
                     int64_t connections)
{
    struct metrics_buf b = {NULL, 0, 0};
    metrics_printf(&b,
                   "# HELP leye_http_connections Open client connections.\n"
                   "# TYPE leye_http_connections gauge\nleye_http_connections %lld\n",
                   (long long)connections);
    metrics_printf(&b,
                   "# HELP leye_threads Event-loop threads.\n# TYPE leye_threads gauge\n"
                   "leye_threads %d\n",
                   m->nthreads);
    metrics_render_requests(m, &b, routes, nroutes);
    metrics_render_latency(m, &b, routes, nroutes);
    metrics_render_pool(m, &b);
    pthread_mutex_lock(&m->gauge_lock);
    for (size_t i = 0; i < m->ngauges; i++) {
        /* name{labels}: one HELP and TYPE per family, before its first series */
        const char *name = m->gauge_name[i];
        int family = (int)strcspn(name, "{");
        if (i == 0 || strncmp(m->gauge_name[i - 1], name, (size_t)family) != 0 ||
            (m->gauge_name[i - 1][family] != '{' && m->gauge_name[i - 1][family] != '\0'))
            metrics_printf(&b, "# HELP %.*s %s\n# TYPE %.*s gauge\n", family, name,
                           m->gauge_help[i], family, name);
        metrics_printf(&b, "%s %.6g\n", name, atomic_load(&m->gauge_value[i]));
    }
    pthread_mutex_unlock(&m->gauge_lock);
    return b.p;
}
