#define _POSIX_C_SOURCE 200809L
#include "embedded.h"
#include "handlers.h"
#include "allocator.h"
#include "authcache.h"
#include "notify.h"
#include "log.h"
#include "matchidx.h"
#include "metrics.h"
#include "migrate.h"
#include "pgpool.h"

#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void h_healthz(struct httpd_req *r)
{
    static const char ok[] = "{\"status\":\"ok\"}";
    httpd_reply_raw(r, 200, "application/json; charset=utf-8", ok, sizeof ok - 1);
}

/* The schema version, and whether the server's role is one the policies
 * hold for: migration 057 lets the schema's owner read workers' child rows
 * without a scope (for the worker read it runs as), so an instance connected
 * as the owner where leye_app exists would not apply the caller's scope to
 * those rows.  Such an instance never becomes ready. */
static const struct pgpool_stmt readyz_stmt = {
    "readyz", "SELECT coalesce(max(version), 0), "
              "       NOT EXISTS (SELECT 1 FROM pg_policies WHERE policyname = 'owner_read' "
              "                   AND current_user = ANY (roles)) "
              "FROM schema_migrations"};

static void readyz_wrong_role(struct httpd_req *r, bool en)
{
    static atomic_bool logged;
    if (!atomic_exchange(&logged, true))
        log_error(
            "the server connects as the schema's owner: connect as leye_app "
            "(LEYE_DATABASE_URL) and keep the owner for migrations (LEYE_DATABASE_OWNER_URL)");
    json_t *p =
        problem_new("not_ready", httpd_req_lang(r),
                    en ? "The server connects to the database as the schema's owner, for whom "
                         "workers' skills, trainings, certificates, consent and placements are "
                         "not limited to a scope: connect as leye_app (docs/deploy.md)."
                       : "本服务以数据库结构所有者的身份连接，该身份读取劳动力的技能、培训、证书、"
                         "授权和就业记录不受范围限制：请改用 leye_app 连接（见 docs/deploy.md）。");
    json_object_set_new(p, "database", json_string("wrong_role"));
    httpd_reply_problem_json(r, p);
}

static void readyz_cb(void *arg, const struct pgpool_reply *rep)
{
    struct httpd_req *r = arg;
    bool en = httpd_req_lang(r) == PROBLEM_LANG_EN;
    if (rep->status != PGPOOL_OK) {
        json_t *p = problem_new("not_ready", httpd_req_lang(r),
                                en ? "The database cannot be reached." : "无法连接数据库。");
        json_object_set_new(p, "database", json_string("unavailable"));
        httpd_reply_problem_json(r, p);
        return;
    }
    if (strcmp(PQgetvalue(rep->res, 0, 1), "t") != 0) {
        readyz_wrong_role(r, en);
        return;
    }
    int have = atoi(PQgetvalue(rep->res, 0, 0));
    int need = migrate_latest_version();
    if (have < need) {
        char detail[128];
        snprintf(detail, sizeof detail,
                 en ? "The database schema is at version %d; this server needs %d."
                    : "数据库结构版本为 %d，本服务需要 %d。",
                 have, need);
        json_t *p = problem_new("not_ready", httpd_req_lang(r), detail);
        json_object_set_new(p, "database", json_string("ok"));
        json_object_set_new(p, "schema_version", json_integer(have));
        json_object_set_new(p, "schema_required", json_integer(need));
        httpd_reply_problem_json(r, p);
        return;
    }
    struct matchidx_stats ms;
    matchidx_stats(&ms);
    if (!ms.ready) {
        json_t *p = problem_new("not_ready", httpd_req_lang(r),
                                en ? "The matching index is still loading." : "匹配索引正在加载。");
        json_object_set_new(p, "database", json_string("ok"));
        json_object_set_new(p, "index", json_string("loading"));
        httpd_reply_problem_json(r, p);
        return;
    }
    json_t *body = json_pack("{s:s, s:s, s:i, s:i, s:{s:s, s:I, s:I, s:f}}", "status", "ready",
                             "database", "ok", "schema_version", have, "schema_required", need,
                             "index", "status", "ready", "workers", (json_int_t)ms.workers,
                             "vacancies", (json_int_t)ms.vacancies, "age_s", ms.age_s);
    double lag = httpd_replica_lag(httpd_req_server(r));
    if (lag >= 0)
        json_object_set_new(body, "replica_lag_s", json_real(lag));
    httpd_reply_json(r, 200, body);
}

void h_readyz(struct httpd_req *r)
{
    pgpool_query(httpd_req_pool(r), &readyz_stmt, 0, NULL, readyz_cb, r);
}

static void metrics_index(struct httpd *h)
{
    struct matchidx_stats s;
    matchidx_stats(&s);
    struct metrics *m = httpd_metrics(h);
    metrics_gauge(m, "leye_index_ready", "1 once the matching index has loaded", s.ready);
    metrics_gauge(m, "leye_index_workers", "workers in the matching index", (double)s.workers);
    metrics_gauge(m, "leye_index_vacancies", "vacancies in the matching index",
                  (double)s.vacancies);
    metrics_gauge(m, "leye_index_bytes", "memory of the matching index", (double)s.bytes);
    metrics_gauge(m, "leye_index_age_seconds", "seconds since the index was last loaded in full",
                  s.age_s);
    metrics_gauge(m, "leye_index_load_seconds", "how long the last full load took", s.load_s);
    metrics_gauge(m, "leye_index_loads", "full loads of the index (start and resynchronisations)",
                  (double)s.loads);
    metrics_gauge(m, "leye_index_batches", "notification batches applied to the index",
                  (double)s.batches);
    metrics_gauge(m, "leye_match_queries_total", "top-k match queries answered", (double)s.queries);
    metrics_gauge(m, "leye_match_query_seconds_total", "time spent in top-k match queries",
                  s.query_s);
    metrics_gauge(m, "leye_match_query_max_seconds", "the slowest top-k match query",
                  s.query_max_s);
}

static void metrics_allocator(struct httpd *h)
{
    struct allocator_stats s;
    allocator_stats(&s);
    struct metrics *m = httpd_metrics(h);
    metrics_gauge(m, "leye_allocations_drafted_total",
                  "allocations this instance solved and stored", (double)s.drafts);
    metrics_gauge(m, "leye_allocations_failed_total", "allocations that failed on this instance",
                  (double)s.failed);
    metrics_gauge(m, "leye_allocations_cancelled_total",
                  "allocations this instance stopped because they were cancelled",
                  (double)s.cancelled);
    metrics_gauge(m, "leye_allocation_seconds_total", "time this instance spent on allocations",
                  s.seconds);
    metrics_gauge(m, "leye_allocation_running", "1 while this instance is solving an allocation",
                  s.running);
}

static void metrics_notify(struct httpd *h)
{
    struct notify_stats s;
    notify_stats(&s);
    struct metrics *m = httpd_metrics(h);
    metrics_gauge(m, "leye_notify_delivered_total",
                  "messages this instance delivered to a gateway or endpoint", (double)s.delivered);
    metrics_gauge(m, "leye_notify_retried_total",
                  "failed sends this instance put back for a later try", (double)s.retried);
    metrics_gauge(m, "leye_notify_dead_total", "messages this instance gave up on", (double)s.dead);
    metrics_gauge(m, "leye_notify_digests_total", "daily vacancy digests this instance wrote",
                  (double)s.digests);
}

/* Every database connection of this instance, by kind, configured (the most
 * it may open) and open now (docs/deploy.md, "Database connections"). */
static void metrics_db(struct httpd *h)
{
    static const char *const names[][2] = {
        {"leye_db_connections{kind=\"request\",state=\"configured\"}",
         "leye_db_connections{kind=\"request\",state=\"open\"}"},
        {"leye_db_connections{kind=\"replica\",state=\"configured\"}",
         "leye_db_connections{kind=\"replica\",state=\"open\"}"},
        {"leye_db_connections{kind=\"index\",state=\"configured\"}",
         "leye_db_connections{kind=\"index\",state=\"open\"}"},
        {"leye_db_connections{kind=\"allocator\",state=\"configured\"}",
         "leye_db_connections{kind=\"allocator\",state=\"open\"}"},
        {"leye_db_connections{kind=\"notify\",state=\"configured\"}",
         "leye_db_connections{kind=\"notify\",state=\"open\"}"},
        {"leye_db_connections{kind=\"session_cache\",state=\"configured\"}",
         "leye_db_connections{kind=\"session_cache\",state=\"open\"}"},
    };
    static const char help[] =
        "database connections of this instance by kind: the most it opens (configured) and "
        "those open now";
    struct httpd_stats hs;
    httpd_stats(h, &hs);
    int most[6] = {hs.db_request, hs.db_replica, 0, 0, 0, 0};
    int64_t open[6] = {hs.db_request_open, hs.db_replica_open, 0, 0, 0, 0};
    open[2] = matchidx_db_connections(&most[2]);
    open[3] = allocator_db_connections(&most[3]);
    open[4] = notify_db_connections(&most[4]);
    open[5] = authcache_db_connections(&most[5]);
    struct metrics *m = httpd_metrics(h);
    for (int i = 0; i < 6; i++) {
        metrics_gauge(m, names[i][0], help, most[i]);
        metrics_gauge(m, names[i][1], help, (double)open[i]);
    }
}

#define H_METRICS_HASH 32
static bool h_metrics_on;
static unsigned char h_metrics_hash[H_METRICS_HASH];

int h_metrics_init(const char *token)
{
    h_metrics_on = token && *token;
    if (!h_metrics_on)
        return 0;
    size_t n = strlen(token);
    bool ok = n >= 16 && n <= 100;
    for (size_t i = 0; ok && i < n; i++)
        ok = token[i] > ' ' && token[i] < 0x7f;
    if (!ok) {
        log_error("LEYE_METRICS_TOKEN must be 16-100 visible ASCII characters");
        return -1;
    }
    crypto_generichash(h_metrics_hash, sizeof h_metrics_hash, (const unsigned char *)token, n, NULL,
                       0);
    return 0;
}

/* True if the request carries the metrics token (compared as hashes, in
 * constant time). */
static bool h_metrics_authorized(struct httpd_req *r)
{
    const char *h = httpd_req_header(r, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return false;
    h += 7;
    while (*h == ' ')
        h++;
    unsigned char got[H_METRICS_HASH];
    crypto_generichash(got, sizeof got, (const unsigned char *)h, strlen(h), NULL, 0);
    return sodium_memcmp(got, h_metrics_hash, sizeof got) == 0;
}

void h_metrics(struct httpd_req *r)
{
    if (!h_metrics_on) {
        httpd_reply_problem(r, "not_found", NULL);
        return;
    }
    if (!h_metrics_authorized(r)) {
        httpd_set_header(r, "WWW-Authenticate", "Bearer realm=\"leye-metrics\"");
        httpd_reply_problem_bare(r, "unauthorized");
        return;
    }
    metrics_index(httpd_req_server(r));
    metrics_allocator(httpd_req_server(r));
    metrics_notify(httpd_req_server(r));
    metrics_db(httpd_req_server(r));
    char *text = httpd_metrics_text(httpd_req_server(r));
    if (!text) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    httpd_reply_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text));
    free(text);
}

void h_openapi(struct httpd_req *r)
{
    httpd_set_header(r, "Cache-Control", "public, max-age=300");
    httpd_reply_raw(r, 200, "application/json; charset=utf-8", embedded_openapi,
                    embedded_openapi_len);
}
