/* matchidx: the live matching index; see matchidx.h. */
#define _GNU_SOURCE /* pthread_rwlockattr_setkind_np: writers are not starved */
#include "matchidx.h"

#include "bgthread.h"
#include "matchload.h"
#include "matchrows.h"

#include "clock.h"
#include "log.h"

#include <errno.h>
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

#define MATCHIDX_BATCH 20000
#define MATCHIDX_BACKOFF_MAX_MS 5000

struct matchidx_names {
    char *skill_zh[MATCH_MAX_SKILL + 1], *skill_en[MATCH_MAX_SKILL + 1];
    char *cert_zh[MATCH_MAX_CERT + 1], *cert_en[MATCH_MAX_CERT + 1];
};

static struct {
    pthread_rwlock_t lock;
    struct match_index *idx; /* under lock */
    struct matchidx_names *names;
    struct match_names view;
    struct bgthread t;
    char *conninfo, *replica;
    atomic_bool ready;
    atomic_llong loaded_us, load_us;
    atomic_ullong loads, batches;
    atomic_ullong queries, query_us, query_max_us;
} ms;

static int64_t matchidx_wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int matchidx_exec(PGconn *c, const char *sql)
{
    PGresult *res = PQexec(c, sql);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -1;
    if (rc < 0)
        log_warn("matching index: %s: %s", sql, PQerrorMessage(c));
    PQclear(res);
    return rc;
}

/* The result of the query sent last (the connection blocks), with any
 * further results of it discarded. */
static PGresult *matchidx_take(PGconn *c)
{
    PGresult *res = PQgetResult(c), *extra;
    while ((extra = PQgetResult(c)))
        PQclear(extra);
    return res;
}

/* ---------- full loads ---------- */

/*
 * Streams every vacancy into idx through a cursor, a batch at a time.  The
 * next FETCH is sent before a batch is put into the index, so the database
 * produces batch n + 1 while this thread files batch n.
 */
static int matchidx_load_vacancies(PGconn *c, struct match_index *idx)
{
    char fetch[48];
    snprintf(fetch, sizeof fetch, "FETCH %d FROM ml", MATCHIDX_BATCH);
    if (matchidx_exec(c, "DECLARE ml NO SCROLL CURSOR FOR "
                         "SELECT * FROM match_vacancy_rows(NULL, NULL, NULL)") < 0 ||
        !PQsendQuery(c, fetch))
        return -1;
    for (;;) {
        PGresult *res = matchidx_take(c);
        if (PQresultStatus(res) != PGRES_TUPLES_OK) {
            log_warn("matching index: reading rows failed: %s", PQerrorMessage(c));
            PQclear(res);
            return -1;
        }
        bool more = PQntuples(res) == MATCHIDX_BATCH;
        if (bgthread_stopping(&ms.t) || (more && !PQsendQuery(c, fetch))) {
            PQclear(res);
            return -1;
        }
        matchrows_apply(idx, MATCHROWS_VACANCY, res);
        PQclear(res);
        if (!more)
            return matchidx_exec(c, "CLOSE ml");
    }
}

/* Room for as many records as the planner's statistics count, so that the
 * arrays and id maps are not regrown and rehashed on the way. */
static void matchidx_reserve(PGconn *c, struct match_index *idx)
{
    PGresult *res = PQexec(c, "SELECT greatest(reltuples, 0)::bigint FROM pg_class "
                              "WHERE oid IN ('worker'::regclass, 'vacancy'::regclass) ORDER BY oid "
                              "= 'vacancy'::regclass");
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 2) {
        size_t workers = (size_t)atoll(PQgetvalue(res, 0, 0)),
               vacancies = (size_t)atoll(PQgetvalue(res, 1, 0));
        if (workers > MATCH_MAX_WORKERS)
            workers = MATCH_MAX_WORKERS;
        if (vacancies > MATCH_MAX_VACANCIES)
            vacancies = MATCH_MAX_VACANCIES;
        if (match_index_reserve(idx, workers, vacancies) < 0)
            log_warn("matching index: no memory reserved for %zu workers", workers);
    }
    PQclear(res);
}

static int matchidx_load_weights(PGconn *c, struct match_index *idx)
{
    PGresult *res =
        PQexec(c, "SELECT kind, w_skill, w_cert, w_distance, w_wage, w_kind, "
                  "w_availability, w_priority, level_step, related_credit, "
                  "must_level_slack, transport_factor, accommodation_km, prio_relocated, "
                  "prio_monitoring, prio_zero_employment, one_per_household, "
                  "no_double_post, residents_only FROM match_kind_weights");
    int rc = -1;
    if (PQresultStatus(res) == PGRES_TUPLES_OK) {
        struct match_weights w;
        match_weights_default(&w);
        for (int i = 0; i < PQntuples(res); i++) {
            int k = match_kind_parse(PQgetvalue(res, i, 0));
            if (k < 0)
                continue;
            struct match_kind_weights *kw = &w.kind[k];
            for (int p = 0; p < MATCH_PART_COUNT; p++)
                kw->weight[p] = (float)matchrows_num(res, i, 1 + p);
            kw->level_step = (float)matchrows_num(res, i, 8);
            kw->related_credit = (float)matchrows_num(res, i, 9);
            kw->must_level_slack = (uint8_t)atoi(PQgetvalue(res, i, 10));
            kw->transport_factor = (float)matchrows_num(res, i, 11);
            kw->accommodation_km = (float)matchrows_num(res, i, 12);
            kw->prio_relocated = (float)matchrows_num(res, i, 13);
            kw->prio_monitoring = (float)matchrows_num(res, i, 14);
            kw->prio_zero_employment = (float)matchrows_num(res, i, 15);
            kw->one_per_household = PQgetvalue(res, i, 16)[0] == 't';
            kw->no_double_post = PQgetvalue(res, i, 17)[0] == 't';
            kw->residents_only = PQgetvalue(res, i, 18)[0] == 't';
        }
        rc = match_index_set_weights(idx, &w);
        if (rc < 0)
            log_warn(
                "matching index: the weights table fails its checks; keeping the last good one");
    }
    PQclear(res);
    return rc;
}

static int matchidx_load_skills(PGconn *c, struct match_index *idx, struct matchidx_names *nm)
{
    PGresult *res =
        PQexec(c, "SELECT 's', id, parent_id, name_zh, name_en FROM skill "
                  "UNION ALL SELECT 'c', id, NULL, name_zh, name_en FROM certificate_type");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        PQclear(res);
        return -1;
    }
    for (int i = 0; i < PQntuples(res); i++) {
        long id = atol(PQgetvalue(res, i, 1));
        bool skill = PQgetvalue(res, i, 0)[0] == 's';
        if (id < 1 || id > (skill ? MATCH_MAX_SKILL : MATCH_MAX_CERT))
            continue;
        /* a skill without a parent is set to none: it may have lost one */
        unsigned parent = PQgetisnull(res, i, 2) ? 0 : (unsigned)atol(PQgetvalue(res, i, 2));
        if (skill && match_index_set_skill_parent(idx, (unsigned)id, parent) < 0)
            log_warn("matching index: skill %ld has a parent out of range", id);
        if (nm) {
            char **zh = skill ? nm->skill_zh : nm->cert_zh,
                 **en = skill ? nm->skill_en : nm->cert_en;
            free(zh[id]);
            free(en[id]);
            zh[id] = strdup(PQgetvalue(res, i, 3));
            en[id] = strdup(PQgetvalue(res, i, 4));
        }
    }
    PQclear(res);
    return 0;
}

static void matchidx_names_free(struct matchidx_names *nm)
{
    if (!nm)
        return;
    for (int i = 0; i <= MATCH_MAX_SKILL; i++)
        free(nm->skill_zh[i]), free(nm->skill_en[i]);
    for (int i = 0; i <= MATCH_MAX_CERT; i++)
        free(nm->cert_zh[i]), free(nm->cert_en[i]);
    free(nm);
}

/* ---------- full load and swap ---------- */

static void matchidx_swap(struct match_index *idx, struct matchidx_names *nm)
{
    pthread_rwlock_wrlock(&ms.lock);
    struct match_index *old = ms.idx;
    struct matchidx_names *old_names = ms.names;
    ms.idx = idx;
    ms.names = nm;
    ms.view =
        (struct match_names){(const char *const *)nm->skill_zh, (const char *const *)nm->skill_en,
                             (const char *const *)nm->cert_zh, (const char *const *)nm->cert_en};
    pthread_rwlock_unlock(&ms.lock);
    match_index_free(old);
    matchidx_names_free(old_names);
}

/*
 * A full load's transaction: one snapshot for everything (changes after it
 * arrive as notifications).  Row-level security makes the planner expect a
 * tenth of the rows it reads, and it then joins a million workers by nested
 * loops; a load reads every row, so hash joins, with room to keep them in
 * memory.
 */
static int matchidx_begin(PGconn *c, const char *snapshot)
{
    char set[128];
    snprintf(set, sizeof set, "SET TRANSACTION SNAPSHOT '%s'", snapshot ? snapshot : "");
    return matchidx_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") < 0 ||
                   (snapshot && matchidx_exec(c, set) < 0) ||
                   matchidx_exec(c, "SET LOCAL enable_nestloop = off") < 0 ||
                   matchidx_exec(c, "SET LOCAL work_mem = '64MB'") < 0
               ? -1
               : 0;
}

/* A second connection to conninfo in the snapshot of c's transaction, or
 * NULL: the load then reads every worker on c. */
static PGconn *matchidx_second(PGconn *c, const char *conninfo)
{
    PGresult *res = PQexec(c, "SELECT pg_export_snapshot()");
    char snap[64] = "";
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
        strspn(PQgetvalue(res, 0, 0), "0123456789ABCDEF-") == strlen(PQgetvalue(res, 0, 0)))
        snprintf(snap, sizeof snap, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    const char *err;
    PGconn *h = *snap ? bgthread_connect(&ms.t, conninfo, "leye-match-load", &err) : NULL;
    if (h && matchidx_begin(h, snap) < 0) {
        bgthread_disconnect(&ms.t, h);
        h = NULL;
    }
    if (!h)
        log_warn("matching index: no second connection; loading workers on one");
    return h;
}

static int matchidx_full_load(PGconn *c, const char *conninfo, const char *source)
{
    int64_t t0 = clock_now_us();
    struct match_index *idx = match_index_new();
    struct matchidx_names *nm = calloc(1, sizeof *nm);
    PGconn *h = NULL;
    int rc = !idx || !nm || matchidx_begin(c, NULL) < 0 ? -1 : 0;
    if (rc == 0) {
        matchidx_reserve(c, idx);
        h = matchidx_second(c, conninfo);
        rc = matchidx_load_skills(c, idx, nm) < 0 || matchidx_load_weights(c, idx) < 0 ||
                     matchload_records(c, h, idx, &ms.t) < 0 ||
                     matchidx_load_vacancies(c, idx) < 0 || matchidx_exec(c, "COMMIT") < 0
                 ? -1
                 : 0;
    }
    bgthread_disconnect(&ms.t, h);
    if (rc < 0) {
        PQclear(PQexec(c, "ROLLBACK"));
        match_index_free(idx);
        matchidx_names_free(nm);
        return -1;
    }
    matchidx_swap(idx, nm);
    int64_t t1 = clock_now_us();
    atomic_store(&ms.load_us, t1 - t0);
    atomic_store(&ms.loaded_us, matchidx_wall_us());
    atomic_fetch_add(&ms.loads, 1);
    struct match_stats st;
    match_index_stats(idx, &st);
    log_info("matching index loaded from the %s in %.2f s: %zu workers, %zu households, %zu "
             "vacancies, %.1f MB",
             source, (double)(t1 - t0) / 1e6, st.workers, st.households, st.vacancies,
             (double)(st.worker_bytes + st.household_bytes + st.vacancy_bytes) / 1e6);
    atomic_store(&ms.ready, true);
    return 0;
}

/* ---------- notifications ---------- */

struct matchidx_ids {
    char *text[3]; /* "{1,2,3}" per kind, growing */
    size_t len[3], cap[3];
    bool weights, skills;
};

static void matchidx_ids_add(struct matchidx_ids *b, enum matchrows_kind k, const char *list)
{
    size_t n = strlen(list);
    if (b->len[k] + n + 2 > b->cap[k]) {
        size_t cap = (b->cap[k] + n + 2) * 2;
        char *t = realloc(b->text[k], cap);
        if (!t)
            return;
        b->text[k] = t;
        b->cap[k] = cap;
    }
    if (b->len[k] > 0)
        b->text[k][b->len[k]++] = ',';
    memcpy(b->text[k] + b->len[k], list, n + 1);
    b->len[k] += n;
}

/* The ids of kind k as a PostgreSQL array literal (free it), or NULL. */
static char *matchidx_ids_array(const struct matchidx_ids *b, enum matchrows_kind k)
{
    if (!b->len[k])
        return NULL;
    char *a = malloc(b->len[k] + 3);
    if (a)
        snprintf(a, b->len[k] + 3, "{%s}", b->text[k]);
    return a;
}

/* Takes every pending notification; returns how many. */
static int matchidx_collect(PGconn *c, struct matchidx_ids *b)
{
    int n = 0;
    PGnotify *nt;
    while ((nt = PQnotifies(c))) {
        const char *p = nt->extra;
        bool digits = p[0] && p[1] == ':' && strspn(p + 2, "0123456789,") == strlen(p + 2);
        if (!strcmp(p, "weights"))
            b->weights = true;
        else if (!strcmp(p, "skills"))
            b->skills = true;
        else if (digits && p[0] == 'w')
            matchidx_ids_add(b, MATCHROWS_WORKER, p + 2);
        else if (digits && p[0] == 'v')
            matchidx_ids_add(b, MATCHROWS_VACANCY, p + 2);
        else if (digits && p[0] == 'h')
            matchidx_ids_add(b, MATCHROWS_HOUSEHOLD, p + 2);
        PQfreemem(nt);
        n++;
    }
    return n;
}

static void matchidx_ids_free(struct matchidx_ids *b)
{
    for (int k = 0; k < 3; k++)
        free(b->text[k]);
}

/*
 * A household's change (site, archived) changes what its workers look like
 * to the index: adds every worker of the households in b to b's workers,
 * archived ones too, so that they are read again or removed.
 */
static int matchidx_household_workers(PGconn *c, struct matchidx_ids *b)
{
    char *hids = matchidx_ids_array(b, MATCHROWS_HOUSEHOLD);
    if (!hids)
        return 0;
    const char *v[1] = {hids};
    PGresult *res = PQexecParams(c,
                                 "SELECT coalesce(string_agg(id::text, ','), '') FROM worker "
                                 "WHERE household_id = ANY ($1::bigint[])",
                                 1, NULL, v, NULL, NULL, 0);
    int rc = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 ? 0 : -1;
    if (rc < 0)
        log_warn("matching index: reading the workers of households failed: %s", PQerrorMessage(c));
    else if (*PQgetvalue(res, 0, 0))
        matchidx_ids_add(b, MATCHROWS_WORKER, PQgetvalue(res, 0, 0));
    PQclear(res);
    free(hids);
    return rc;
}

/* Ids asked for but not returned are gone (archived or deleted); a household
 * gone stays while workers still refer to it. */
static void matchidx_remove_missing(struct match_index *idx, enum matchrows_kind kind,
                                    const char *ids, const PGresult *res)
{
    int n = PQntuples(res);
    for (const char *p = ids + 1; *p;) {
        char *end;
        long long id = strtoll(p, &end, 10);
        bool found = false;
        for (int i = 0; i < n && !found; i++)
            found = atoll(PQgetvalue(res, i, 0)) == id;
        if (!found && kind == MATCHROWS_WORKER)
            (void)!match_index_remove_worker(idx, id);
        else if (!found && kind == MATCHROWS_VACANCY)
            (void)!match_index_remove_vacancy(idx, id);
        else if (!found && kind == MATCHROWS_HOUSEHOLD)
            (void)!match_index_remove_household(idx, id);
        p = *end ? end + 1 : end;
    }
}

/* Reads the changed records again and applies them under one write lock. */
static int matchidx_apply(PGconn *c, struct matchidx_ids *b)
{
    PGresult *res[3] = {NULL, NULL, NULL};
    char *ids[3] = {NULL, NULL, NULL};
    int rc = 0;
    /* the workers of changed households, then workers, so that their
     * households are read with the others */
    if (matchidx_household_workers(c, b) < 0)
        return -1;
    ids[MATCHROWS_WORKER] = matchidx_ids_array(b, MATCHROWS_WORKER);
    if (ids[MATCHROWS_WORKER] &&
        !(res[MATCHROWS_WORKER] = matchrows_read(c, MATCHROWS_WORKER, ids[MATCHROWS_WORKER])))
        rc = -1;
    for (int i = 0; rc == 0 && res[MATCHROWS_WORKER] && i < PQntuples(res[MATCHROWS_WORKER]); i++)
        matchidx_ids_add(b, MATCHROWS_HOUSEHOLD, PQgetvalue(res[MATCHROWS_WORKER], i, 1));
    ids[MATCHROWS_HOUSEHOLD] = matchidx_ids_array(b, MATCHROWS_HOUSEHOLD);
    ids[MATCHROWS_VACANCY] = matchidx_ids_array(b, MATCHROWS_VACANCY);
    for (int k = MATCHROWS_HOUSEHOLD; rc == 0 && k <= MATCHROWS_VACANCY; k += 2)
        if (ids[k] && !(res[k] = matchrows_read(c, (enum matchrows_kind)k, ids[k])))
            rc = -1;
    if (rc == 0) {
        pthread_rwlock_wrlock(&ms.lock);
        if (b->skills)
            (void)matchidx_load_skills(c, ms.idx, NULL);
        if (b->weights)
            (void)matchidx_load_weights(c, ms.idx);
        for (int k = MATCHROWS_HOUSEHOLD; k <= MATCHROWS_VACANCY; k++)
            if (res[k]) {
                matchrows_apply(ms.idx, (enum matchrows_kind)k, res[k]);
                if (k != MATCHROWS_HOUSEHOLD)
                    matchidx_remove_missing(ms.idx, (enum matchrows_kind)k, ids[k], res[k]);
            }
        /* after their workers have left */
        if (res[MATCHROWS_HOUSEHOLD])
            matchidx_remove_missing(ms.idx, MATCHROWS_HOUSEHOLD, ids[MATCHROWS_HOUSEHOLD],
                                    res[MATCHROWS_HOUSEHOLD]);
        pthread_rwlock_unlock(&ms.lock);
        atomic_fetch_add(&ms.batches, 1);
    }
    for (int k = 0; k < 3; k++) {
        PQclear(res[k]);
        free(ids[k]);
    }
    return rc;
}

/* Waits for notifications until the connection fails or the server stops. */
static void matchidx_listen(PGconn *c)
{
    while (!bgthread_stopping(&ms.t)) {
        struct matchidx_ids b = {0};
        int got = matchidx_collect(c, &b);
        if (got > 0) {
            int rc = matchidx_apply(c, &b);
            matchidx_ids_free(&b);
            if (rc < 0)
                return;
            continue; /* more may have arrived while reading */
        }
        matchidx_ids_free(&b);
        struct pollfd p[2] = {{PQsocket(c), POLLIN, 0}, {bgthread_wake_fd(&ms.t), POLLIN, 0}};
        int n = poll(p, 2, 10000);
        if (n < 0 && errno != EINTR)
            return;
        if (p[1].revents)
            return;
        if (n == 0) {
            /* a quiet connection may be a dead one: ask */
            PGresult *res = PQexec(c, "SELECT 1");
            bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
            PQclear(res);
            if (!ok)
                return;
            continue;
        }
        if (!PQconsumeInput(c)) {
            log_warn("matching index: lost the database connection: %s", PQerrorMessage(c));
            return;
        }
    }
}

static void matchidx_sleep(int ms_)
{
    (void)bgthread_sleep(&ms.t, ms_);
}

/*
 * A connection to the read replica once it has replayed everything the
 * primary had written when LISTEN began (so that the load misses nothing
 * the notifications will not bring), or NULL: then the primary is used.
 */
static PGconn *matchidx_replica(PGconn *primary)
{
    if (!*ms.replica)
        return NULL;
    PGresult *res = PQexec(primary, "SELECT pg_current_wal_lsn()::text");
    char lsn[64] = "";
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
        snprintf(lsn, sizeof lsn, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    const char *err;
    PGconn *r = *lsn ? bgthread_connect(&ms.t, ms.replica, "leye-match-replica", &err) : NULL;
    for (int i = 0; r && PQstatus(r) == CONNECTION_OK && i < 100 && !bgthread_stopping(&ms.t);
         i++) {
        const char *v[1] = {lsn};
        res =
            PQexecParams(r, "SELECT pg_is_in_recovery() AND pg_last_wal_replay_lsn() >= $1::pg_lsn",
                         1, NULL, v, NULL, NULL, 0);
        bool ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQgetvalue(res, 0, 0)[0] == 't';
        PQclear(res);
        if (ok)
            return r;
        matchidx_sleep(100);
    }
    log_warn("matching index: the read replica is unreachable or behind; loading from the primary");
    bgthread_disconnect(&ms.t, r);
    return NULL;
}

static void matchidx_main(struct bgthread *t, void *arg)
{
    (void)arg;
    int backoff = 100;
    while (!bgthread_stopping(t)) {
        const char *err;
        PGconn *c = bgthread_connect(t, ms.conninfo, "leye-match", &err);
        bool ok = c != NULL;
        if (ok) {
            ok = matchidx_exec(c, "LISTEN leye_match") == 0;
            err = "LISTEN failed";
        }
        PGconn *from = ok ? matchidx_replica(c) : NULL;
        if (ok) {
            ok = matchidx_full_load(from ? from : c, from ? ms.replica : ms.conninfo,
                                    from ? "read replica" : "primary") == 0;
            err = "loading failed";
            bgthread_disconnect(t, from);
        }
        if (ok) {
            backoff = 100;
            matchidx_listen(c);
        } else if (!bgthread_stopping(t)) {
            log_warn("matching index: cannot load from the database (%s); retrying in %d ms", err,
                     backoff);
        }
        bgthread_disconnect(t, c);
        if (bgthread_stopping(t))
            break;
        matchidx_sleep(backoff);
        backoff = backoff * 2 > MATCHIDX_BACKOFF_MAX_MS ? MATCHIDX_BACKOFF_MAX_MS : backoff * 2;
    }
}

/* ---------- public ---------- */

int matchidx_start(const char *conninfo, const char *replica)
{
    pthread_rwlockattr_t a;
    pthread_rwlockattr_init(&a);
    pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    int rc = pthread_rwlock_init(&ms.lock, &a);
    pthread_rwlockattr_destroy(&a);
    if (rc != 0)
        return -1;
    ms.conninfo = strdup(conninfo ? conninfo : "");
    ms.replica = strdup(replica ? replica : "");
    if (!ms.conninfo || !ms.replica)
        return -1;
    return bgthread_start(&ms.t, "matching index", matchidx_main, NULL);
}

void matchidx_stop_begin(void)
{
    bgthread_request_stop(&ms.t);
}

bool matchidx_stop(int64_t deadline_us)
{
    if (!ms.t.started)
        return true;
    /* a loader left running still writes the index: it is not freed then */
    if (!bgthread_stop(&ms.t, deadline_us))
        return false;
    match_index_free(ms.idx);
    matchidx_names_free(ms.names);
    ms.idx = NULL;
    ms.names = NULL;
    free(ms.conninfo);
    free(ms.replica);
    ms.conninfo = ms.replica = NULL;
    pthread_rwlock_destroy(&ms.lock);
    return true;
}

int matchidx_db_connections(int *most)
{
    *most = !ms.conninfo ? 0 : *ms.replica ? 3 : 2;
    return ms.conninfo ? bgthread_conns(&ms.t) : 0;
}

void matchidx_note_query(int64_t micros)
{
    uint64_t us = micros > 0 ? (uint64_t)micros : 0;
    atomic_fetch_add(&ms.queries, 1);
    atomic_fetch_add(&ms.query_us, us);
    uint64_t max = atomic_load(&ms.query_max_us);
    while (us > max && !atomic_compare_exchange_weak(&ms.query_max_us, &max, us))
        ;
}

bool matchidx_ready(void)
{
    return atomic_load(&ms.ready);
}

bool matchidx_read_begin(const struct match_index **idx, const struct match_names **names)
{
    if (!atomic_load(&ms.ready))
        return false;
    pthread_rwlock_rdlock(&ms.lock);
    *idx = ms.idx;
    *names = &ms.view;
    return true;
}

void matchidx_read_end(void)
{
    pthread_rwlock_unlock(&ms.lock);
}

void matchidx_stats(struct matchidx_stats *out)
{
    memset(out, 0, sizeof *out);
    out->ready = atomic_load(&ms.ready);
    out->loads = atomic_load(&ms.loads);
    out->batches = atomic_load(&ms.batches);
    out->load_s = (double)atomic_load(&ms.load_us) / 1e6;
    out->queries = atomic_load(&ms.queries);
    out->query_s = (double)atomic_load(&ms.query_us) / 1e6;
    out->query_max_s = (double)atomic_load(&ms.query_max_us) / 1e6;
    if (!out->ready)
        return;
    out->age_s = (double)(matchidx_wall_us() - atomic_load(&ms.loaded_us)) / 1e6;
    pthread_rwlock_rdlock(&ms.lock);
    struct match_stats st;
    match_index_stats(ms.idx, &st);
    pthread_rwlock_unlock(&ms.lock);
    out->workers = st.workers;
    out->households = st.households;
    out->vacancies = st.vacancies;
    out->bytes = st.worker_bytes + st.household_bytes + st.vacancy_bytes;
}

json_t *matchidx_reasons_json(const struct match_hit *h, enum match_lang lang,
                              const struct match_names *names)
{
    json_t *a = json_array();
    for (int i = 0; i < h->n_reasons; i++) {
        char text[256];
        const struct match_reason *rs = &h->reasons[i];
        match_reason_format(rs, lang, names, text, sizeof text);
        json_t *o = json_pack("{s:s, s:s}", "code",
                              match_reason_code((enum match_reason_code)rs->code), "text", text);
        if (rs->code == MATCH_R_FILTER)
            json_object_set_new(o, "filter",
                                json_string(match_filter_code((enum match_filter)rs->a)));
        if (rs->code <= MATCH_R_MUST_SKILL_LOW && rs->code != MATCH_R_SKILL_RELATED)
            json_object_set_new(o, "skill_id", json_integer(rs->a));
        json_array_append_new(a, o);
    }
    return a;
}
