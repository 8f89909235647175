/*
 * The allocation solver thread: claim, gather candidates, solve, store.
 * See allocator.h; the model is in docs/matching.md ("Allocation").
 */
#define _POSIX_C_SOURCE 200809L
#include "allocator.h"

#include "alloc/alloc.h"
#include "bgthread.h"
#include "clock.h"
#include "date.h"
#include "log.h"
#include "matchidx.h"
#include "rosterfill.h"

#include <errno.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ALLOCATOR_WAIT_MS 5000     /* a quiet queue is looked at again after this */
#define ALLOCATOR_REPORT_US 250000 /* progress reports and cancel checks */
#define ALLOCATOR_BACKOFF_MAX_MS 5000
#define ALLOCATOR_CANDIDATES_PCT 40 /* progress: candidates 0..40, solve 40..95, store 95..100 */
#define ALLOCATOR_SOLVE_PCT 95

static struct {
    struct bgthread t;
    char *conninfo;
    char runner[96];
    atomic_uint_fast64_t drafts, failed, cancelled, micros;
    atomic_bool running;
} as;

static int64_t allocator_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void allocator_sleep(int ms)
{
    (void)bgthread_sleep(&as.t, ms);
}

/* ---------- worker ids -> input indices ---------- */

struct idmap {
    int64_t *keys; /* 0 = empty */
    uint32_t *vals;
    size_t cap; /* a power of two */
    size_t n;
};

static size_t idmap_slot(const struct idmap *m, int64_t key)
{
    uint64_t h = (uint64_t)key * 0x9E3779B97F4A7C15ull;
    size_t i = (size_t)(h >> 17) & (m->cap - 1);
    while (m->keys[i] != 0 && m->keys[i] != key)
        i = (i + 1) & (m->cap - 1);
    return i;
}

static int idmap_grow(struct idmap *m)
{
    struct idmap n = {calloc(m->cap ? m->cap * 2 : 1024, sizeof *n.keys),
                      calloc(m->cap ? m->cap * 2 : 1024, sizeof *n.vals),
                      m->cap ? m->cap * 2 : 1024, m->n};
    if (!n.keys || !n.vals) {
        free(n.keys);
        free(n.vals);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i]) {
            size_t s = idmap_slot(&n, m->keys[i]);
            n.keys[s] = m->keys[i];
            n.vals[s] = m->vals[i];
        }
    free(m->keys);
    free(m->vals);
    *m = n;
    return 0;
}

/* The index of key, adding it as next when new; -1 when out of memory. */
static int64_t idmap_get_or_add(struct idmap *m, int64_t key, uint32_t next, bool *added)
{
    if ((m->n + 1) * 2 > m->cap && idmap_grow(m) < 0)
        return -1;
    size_t s = idmap_slot(m, key);
    *added = m->keys[s] == 0;
    if (*added) {
        m->keys[s] = key;
        m->vals[s] = next;
        m->n++;
    }
    return m->vals[s];
}

static void idmap_free(struct idmap *m)
{
    free(m->keys);
    free(m->vals);
}

/* ---------- one allocation ---------- */

struct job {
    PGconn *c;
    int64_t id;
    char id_text[24];
    int64_t *vacancies;
    size_t n_vacancies;
    int64_t *pool;
    size_t n_pool;
    uint32_t k;
    int32_t today;
    /* input being built */
    struct alloc_vacancy *v;
    uint32_t nv;
    struct alloc_worker *w;
    uint32_t nw, cw;
    struct alloc_arc *arcs;
    size_t na, ca;
    struct idmap map;
    /* progress */
    int64_t last_report;
    int reported;
    atomic_int cancel;
    bool lost; /* cancelled, or taken over by another instance */
};

/* Parses "{1,2,3}" into a new array. */
static int64_t *allocator_ids(const char *s, size_t *n)
{
    *n = 0;
    if (!s || *s != '{')
        return NULL;
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ',';
    int64_t *out = malloc(cap * sizeof *out);
    if (!out)
        return NULL;
    const char *p = s + 1;
    while (*p && *p != '}') {
        char *end;
        long long v = strtoll(p, &end, 10);
        if (end == p)
            break;
        out[(*n)++] = v;
        p = *end == ',' ? end + 1 : end;
    }
    return out;
}

/* Reports progress (at most every ALLOCATOR_REPORT_US, and always at 100)
 * and learns whether the allocation is still ours. */
static void job_report(struct job *j, int percent, bool force)
{
    int64_t now = allocator_now_us();
    if (!force && (now - j->last_report < ALLOCATOR_REPORT_US || j->lost))
        return;
    j->last_report = now;
    char pct[8];
    snprintf(pct, sizeof pct, "%d", percent < 0 ? 0 : percent > 100 ? 100 : percent);
    const char *v[3] = {j->id_text, as.runner, pct};
    PGresult *res = PQexecParams(j->c, "SELECT allocation_progress($1::bigint, $2, $3::integer)", 3,
                                 NULL, v, NULL, NULL, 0);
    bool ours = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
                !strcmp(PQgetvalue(res, 0, 0), "running");
    bool failed = PQresultStatus(res) != PGRES_TUPLES_OK;
    PQclear(res);
    if ((!ours && !failed) || bgthread_stopping(&as.t)) {
        j->lost = true;
        atomic_store(&j->cancel, 1);
    }
}

static void job_solve_progress(void *arg, int percent)
{
    struct job *j = arg;
    job_report(j,
               ALLOCATOR_CANDIDATES_PCT +
                   percent * (ALLOCATOR_SOLVE_PCT - ALLOCATOR_CANDIDATES_PCT) / 100,
               false);
}

static int job_add_worker(struct job *j, int64_t id, uint32_t *index)
{
    bool added;
    int64_t i = idmap_get_or_add(&j->map, id, j->nw, &added);
    if (i < 0)
        return -1;
    if (added) {
        if (j->nw == j->cw) {
            uint32_t cap = j->cw ? j->cw * 2 : 1024;
            struct alloc_worker *n = realloc(j->w, cap * sizeof *n);
            if (!n)
                return -1;
            j->w = n;
            j->cw = cap;
        }
        j->w[j->nw] = (struct alloc_worker){id, 0, 0};
        j->nw++;
    }
    *index = (uint32_t)i;
    return 0;
}

static int job_add_arc(struct job *j, uint32_t worker, uint32_t vacancy, int32_t score)
{
    if (j->na == j->ca) {
        size_t cap = j->ca ? j->ca * 2 : 4096;
        struct alloc_arc *n = realloc(j->arcs, cap * sizeof *n);
        if (!n)
            return -1;
        j->arcs = n;
        j->ca = cap;
    }
    j->arcs[j->na++] = (struct alloc_arc){worker, vacancy, score};
    return 0;
}

/* The eligible pairs: each vacancy's top-K candidates, or every pool worker
 * who passes the hard filters.  The index's read lock is held for one
 * vacancy at a time, so writers and the event loops never wait long. */
static int job_candidates(struct job *j)
{
    j->v = calloc(j->n_vacancies, sizeof *j->v);
    struct match_result *res = match_result_new();
    struct match_hit *hit = malloc(sizeof *hit);
    int rc = j->v && res && hit ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < j->n_pool; i++) {
        uint32_t ignored;
        rc = job_add_worker(j, j->pool[i], &ignored);
    }
    struct match_query q;
    match_query_init(&q, j->today, j->k);
    for (size_t i = 0; rc == 0 && i < j->n_vacancies && !j->lost; i++) {
        const struct match_index *idx;
        const struct match_names *names;
        while (!matchidx_read_begin(&idx, &names)) {
            if (bgthread_stopping(&as.t))
                return -1;
            allocator_sleep(200);
        }
        struct match_vacancy mv;
        uint32_t vi = j->nv++;
        j->v[vi] = (struct alloc_vacancy){j->vacancies[i], 0, 0};
        if (match_index_get_vacancy(idx, j->vacancies[i], &mv) && mv.open &&
            mv.filled < mv.headcount) {
            j->v[vi].capacity = mv.headcount - mv.filled;
            if (match_index_weights(idx)->kind[mv.kind].one_per_household)
                j->v[vi].flags = ALLOC_V_ONE_PER_HOUSEHOLD;
            if (j->n_pool) {
                for (size_t p = 0; rc == 0 && p < j->n_pool; p++)
                    if (match_explain(idx, j->pool[p], mv.id, &q, MATCH_TARGET_WORKERS, hit) == 0 &&
                        hit->failed == 0) {
                        uint32_t wi;
                        rc = job_add_worker(j, j->pool[p], &wi);
                        if (rc == 0)
                            rc = job_add_arc(j, wi, vi, hit->score);
                    }
            } else if (match_query_workers_by_id(idx, mv.id, &q, res) == 0) {
                for (uint32_t h = 0; rc == 0 && h < res->n; h++) {
                    uint32_t wi;
                    rc = job_add_worker(j, res->hit[h].id, &wi);
                    if (rc == 0)
                        rc = job_add_arc(j, wi, vi, res->hit[h].score);
                }
            }
        }
        matchidx_read_end();
        job_report(j, (int)((i + 1) * ALLOCATOR_CANDIDATES_PCT / j->n_vacancies), false);
    }
    match_result_free(res);
    free(hit);
    return rc;
}

/* Households and their flags, from the database (the source of truth). */
static int job_households(struct job *j)
{
    if (j->nw == 0)
        return 0;
    size_t cap = (size_t)j->nw * 21 + 3, n = 0;
    char *list = malloc(cap);
    if (!list)
        return -1;
    list[n++] = '{';
    for (uint32_t i = 0; i < j->nw; i++)
        n += (size_t)snprintf(list + n, cap - n, "%s%lld", i ? "," : "", (long long)j->w[i].id);
    list[n++] = '}';
    list[n] = '\0';
    const char *v[1] = {list};
    PGresult *res = PQexecParams(j->c, "SELECT * FROM allocation_households($1::bigint[])", 1, NULL,
                                 v, NULL, NULL, 0);
    free(list);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        PQclear(res);
        return -1;
    }
    for (int r = 0; r < PQntuples(res); r++) {
        bool added;
        int64_t i = idmap_get_or_add(&j->map, atoll(PQgetvalue(res, r, 0)), j->nw, &added);
        if (i < 0 || added) {
            PQclear(res);
            return -1;
        }
        j->w[i].household_id = atoll(PQgetvalue(res, r, 1));
        j->w[i].flags = (PQgetvalue(res, r, 2)[0] == 't' ? ALLOC_H_ZERO_EMPLOYMENT : 0) |
                        (PQgetvalue(res, r, 3)[0] == 't' ? ALLOC_H_MONITORED : 0);
    }
    PQclear(res);
    /* a worker archived since the index read it: give it a household of its
     * own (it has arcs, so it must stay in the input) */
    for (uint32_t i = 0; i < j->nw; i++)
        if (j->w[i].household_id == 0)
            j->w[i].household_id = -j->w[i].id;
    return 0;
}

/* A worker archived meanwhile carries a negative household id; the engine
 * wants positive ones, so those move above the largest real id. */
static void job_fix_households(struct job *j)
{
    int64_t top = 0;
    for (uint32_t i = 0; i < j->nw; i++)
        if (j->w[i].household_id > top)
            top = j->w[i].household_id;
    for (uint32_t i = 0; i < j->nw; i++)
        if (j->w[i].household_id < 0)
            j->w[i].household_id = top - j->w[i].household_id;
}

static json_t *job_covers(uint32_t covers)
{
    json_t *a = json_array();
    if (covers & ALLOC_H_ZERO_EMPLOYMENT)
        json_array_append_new(a, json_string("zero_employment"));
    if (covers & ALLOC_H_MONITORED)
        json_array_append_new(a, json_string("monitored"));
    return a;
}

static json_t *job_summary(const struct job *j, const struct alloc_result *r, double candidates_s,
                           double solve_s)
{
    const struct alloc_summary *s = &r->summary;
    return json_pack(
        "{s:i, s:I, s:i, s:i, s:I, s:i, s:i, s:i, s:i, s:i, s:i, s:f, s:i, s:i, s:{s:i, s:i, s:i},"
        " s:b, s:I, s:i, s:i, s:f, s:f}",
        "vacancies", (int)s->vacancies, "posts", (json_int_t)s->posts, "workers", (int)s->workers,
        "eligible_workers", (int)s->workers_with_arcs, "arcs", (json_int_t)s->arcs, "assigned",
        (int)s->posts_filled, "households", (int)s->households, "zero_employment_households",
        (int)s->zero_households, "zero_employment_covered", (int)s->zero_covered,
        "monitored_households", (int)s->monitored_households, "monitored_covered",
        (int)s->monitored_covered, "total_score", (double)s->total_score / 100.0,
        "unassigned_eligible",
        (int)(s->why[ALLOC_WHY_OUTSCORED] + s->why[ALLOC_WHY_HOUSEHOLD_RULE]), "k", (int)j->k,
        "unassigned", "outscored", (int)s->why[ALLOC_WHY_OUTSCORED], "no_eligible_post",
        (int)s->why[ALLOC_WHY_NO_ELIGIBLE_POST], "household_rule",
        (int)s->why[ALLOC_WHY_HOUSEHOLD_RULE], "proven_optimal", s->proven_optimal, "gap",
        (json_int_t)s->gap, "conflict_households", (int)s->conflict_households, "bb_nodes",
        (int)s->bb_nodes, "candidates_s", candidates_s, "solve_s", solve_s);
}

/* The draft as allocation_store takes it; reasons from the index. */
static json_t *job_draft(struct job *j, const struct alloc_result *r, json_t *summary)
{
    json_t *as_ = json_array(), *un = json_array();
    struct match_query q;
    match_query_init(&q, j->today, 1);
    struct match_hit *hit = malloc(sizeof *hit);
    if (!hit || !as_ || !un) {
        free(hit);
        json_decref(as_);
        json_decref(un);
        json_decref(summary);
        return NULL;
    }
    const struct match_index *idx = NULL;
    const struct match_names *names = NULL;
    bool locked = false;
    for (uint32_t i = 0; i < r->n_assignments; i++) {
        const struct alloc_assignment *x = &r->assignments[i];
        if (i % 256 == 0) {
            if (locked)
                matchidx_read_end();
            locked = matchidx_read_begin(&idx, &names);
        }
        json_t *reasons = json_object();
        if (locked &&
            match_explain(idx, x->worker_id, x->vacancy_id, &q, MATCH_TARGET_WORKERS, hit) == 0) {
            json_object_set_new(reasons, "zh", matchidx_reasons_json(hit, MATCH_LANG_ZH, names));
            json_object_set_new(reasons, "en", matchidx_reasons_json(hit, MATCH_LANG_EN, names));
        }
        json_array_append_new(as_,
                              json_pack("{s:I, s:I, s:i, s:o, s:o}", "v", (json_int_t)x->vacancy_id,
                                        "w", (json_int_t)x->worker_id, "s", (int)x->score, "c",
                                        job_covers(x->covers), "r", reasons));
    }
    if (locked)
        matchidx_read_end();
    free(hit);
    for (uint32_t i = 0; i < r->n_unassigned; i++) {
        const struct alloc_unassigned *u = &r->unassigned[i];
        json_t *o =
            json_pack("{s:I, s:s}", "w", (json_int_t)u->worker_id, "why", alloc_why_code(u->why));
        if (u->best_vacancy_id > 0) {
            json_object_set_new(o, "bv", json_integer(u->best_vacancy_id));
            json_object_set_new(o, "bs", json_integer(u->best_score));
        }
        json_array_append_new(un, o);
    }
    return json_pack("{s:o, s:o, s:o}", "summary", summary, "assignments", as_, "unassigned", un);
}

static void job_fail(struct job *j, const char *why)
{
    const char *v[3] = {j->id_text, as.runner, why};
    PQclear(PQexecParams(j->c, "SELECT allocation_fail($1::bigint, $2, $3)", 3, NULL, v, NULL, NULL,
                         0));
    atomic_fetch_add(&as.failed, 1);
    log_warn("allocation %s failed: %s", j->id_text, why);
}

/* Gives an allocation back to the queue (the server is stopping). */
static void job_release(struct job *j)
{
    const char *v[2] = {j->id_text, as.runner};
    PQclear(PQexecParams(j->c,
                         "UPDATE allocation SET state = 'queued', runner = NULL, progress = 0, "
                         "attempts = greatest(attempts - 1, 0) "
                         "WHERE id = $1::bigint AND runner = $2 AND state = 'running'",
                         2, NULL, v, NULL, NULL, 0));
}

static void job_run(struct job *j)
{
    int64_t t0 = allocator_now_us();
    int t = clock_today();
    j->today = date_from_ymd(t);
    j->last_report = t0;
    if (job_candidates(j) < 0 && !j->lost) {
        job_fail(j, "out of memory while gathering candidates");
        return;
    }
    if (j->lost) {
        if (bgthread_stopping(&as.t))
            job_release(j);
        else
            atomic_fetch_add(&as.cancelled, 1);
        return;
    }
    if (job_households(j) < 0) {
        job_fail(j, "cannot read the households");
        return;
    }
    job_fix_households(j);
    int64_t t1 = allocator_now_us();
    struct alloc_input in = {j->w, j->nw, j->v, j->nv, j->arcs, j->na};
    struct alloc_options opt = {&j->cancel, job_solve_progress, j, 0};
    struct alloc_result r;
    int rc = alloc_solve(&in, &opt, &r);
    int64_t t2 = allocator_now_us();
    if (rc == ALLOC_CANCELLED || j->lost) {
        alloc_result_free(&r);
        if (bgthread_stopping(&as.t))
            job_release(j);
        else
            atomic_fetch_add(&as.cancelled, 1);
        return;
    }
    if (rc < 0) {
        char why[160];
        snprintf(why, sizeof why, "the solver refused the input: %s %s", alloc_status_code(rc),
                 r.error ? r.error : "");
        alloc_result_free(&r);
        job_fail(j, why);
        return;
    }
    job_report(j, ALLOCATOR_SOLVE_PCT, true);
    json_t *draft =
        job_draft(j, &r, job_summary(j, &r, (double)(t1 - t0) / 1e6, (double)(t2 - t1) / 1e6));
    alloc_result_free(&r);
    char *text = draft ? json_dumps(draft, JSON_COMPACT) : NULL;
    json_decref(draft);
    if (!text) {
        job_fail(j, "out of memory while writing the draft");
        return;
    }
    const char *v[3] = {j->id_text, as.runner, text};
    PGresult *res = PQexecParams(j->c, "SELECT allocation_store($1::bigint, $2, $3::jsonb)", 3,
                                 NULL, v, NULL, NULL, 0);
    free(text);
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK && !strcmp(PQgetvalue(res, 0, 0), "draft");
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        log_warn("allocation %s: cannot store the draft: %s", j->id_text, PQerrorMessage(j->c));
    PQclear(res);
    atomic_fetch_add(ok ? &as.drafts : &as.cancelled, 1);
    atomic_fetch_add(&as.micros, (uint64_t)(allocator_now_us() - t0));
    log_info("allocation %s: %s in %.3f s (%u vacancies, %u workers, %zu arcs)", j->id_text,
             ok ? "draft stored" : "dropped (cancelled meanwhile)",
             (double)(allocator_now_us() - t0) / 1e6, j->nv, j->nw, j->na);
}

static void job_free(struct job *j)
{
    free(j->vacancies);
    free(j->pool);
    free(j->v);
    free(j->w);
    free(j->arcs);
    idmap_free(&j->map);
}

/* Claims and runs one allocation; false when the queue was empty. */
static bool allocator_take(PGconn *c, bool *failed)
{
    const char *v[1] = {as.runner};
    PGresult *res = PQexecParams(c, "SELECT id, vacancy_ids, pool, k FROM allocation_claim($1)", 1,
                                 NULL, v, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        *failed = true;
        PQclear(res);
        return false;
    }
    if (PQntuples(res) == 0) {
        PQclear(res);
        return false;
    }
    struct job j = {
        .c = c, .id = atoll(PQgetvalue(res, 0, 0)), .k = (uint32_t)atoi(PQgetvalue(res, 0, 3))};
    snprintf(j.id_text, sizeof j.id_text, "%lld", (long long)j.id);
    j.vacancies = allocator_ids(PQgetvalue(res, 0, 1), &j.n_vacancies);
    if (!PQgetisnull(res, 0, 2))
        j.pool = allocator_ids(PQgetvalue(res, 0, 2), &j.n_pool);
    PQclear(res);
    atomic_store(&as.running, true);
    if (!j.vacancies || (j.k < 1 || j.k > MATCH_MAX_K))
        job_fail(&j, "bad allocation row");
    else
        job_run(&j);
    atomic_store(&as.running, false);
    job_free(&j);
    return true;
}

static void allocator_serve(PGconn *c)
{
    while (!bgthread_stopping(&as.t)) {
        bool failed = false;
        if (allocator_take(c, &failed) || (!failed && rosterfill_take(c, as.runner, &failed)))
            continue;
        if (failed || PQstatus(c) != CONNECTION_OK)
            return;
        struct pollfd p[2] = {{PQsocket(c), POLLIN, 0}, {bgthread_wake_fd(&as.t), POLLIN, 0}};
        int n = poll(p, 2, ALLOCATOR_WAIT_MS);
        if ((n < 0 && errno != EINTR) || p[1].revents)
            return;
        if (n > 0) {
            if (!PQconsumeInput(c))
                return;
            PGnotify *nt;
            while ((nt = PQnotifies(c)))
                PQfreemem(nt);
        }
    }
}

static void allocator_main(struct bgthread *t, void *arg)
{
    (void)arg;
    int backoff = 100;
    while (!bgthread_stopping(t)) {
        const char *err;
        PGconn *c = bgthread_connect(t, as.conninfo, "leye-alloc", &err);
        bool ok = c != NULL;
        if (ok) {
            PGresult *res = PQexec(c, "LISTEN leye_alloc");
            ok = PQresultStatus(res) == PGRES_COMMAND_OK;
            if (!ok)
                err = "LISTEN failed";
            PQclear(res);
        }
        if (ok) {
            backoff = 100;
            allocator_serve(c);
        } else if (!bgthread_stopping(t)) {
            log_warn("allocator: cannot reach the database (%s); retrying in %d ms", err, backoff);
        }
        bgthread_disconnect(t, c);
        if (bgthread_stopping(t))
            break;
        allocator_sleep(backoff);
        backoff = backoff * 2 > ALLOCATOR_BACKOFF_MAX_MS ? ALLOCATOR_BACKOFF_MAX_MS : backoff * 2;
    }
}

int allocator_start(const char *conninfo)
{
    as.conninfo = strdup(conninfo ? conninfo : "");
    if (!as.conninfo)
        return -1;
    char host[64] = "";
    gethostname(host, sizeof host - 1);
    snprintf(as.runner, sizeof as.runner, "%s:%ld:%lld", host, (long)getpid(),
             (long long)allocator_now_us());
    return bgthread_start(&as.t, "allocator", allocator_main, NULL);
}

void allocator_stop_begin(void)
{
    bgthread_request_stop(&as.t);
}

bool allocator_stop(int64_t deadline_us)
{
    if (!as.t.started)
        return true;
    if (!bgthread_stop(&as.t, deadline_us))
        return false;
    free(as.conninfo);
    as.conninfo = NULL;
    return true;
}

int allocator_db_connections(int *most)
{
    *most = as.conninfo ? 1 : 0;
    return as.conninfo ? bgthread_conns(&as.t) : 0;
}

void allocator_stats(struct allocator_stats *out)
{
    out->drafts = atomic_load(&as.drafts);
    out->failed = atomic_load(&as.failed);
    out->cancelled = atomic_load(&as.cancelled);
    out->seconds = (double)atomic_load(&as.micros) / 1e6;
    out->running = atomic_load(&as.running);
}
