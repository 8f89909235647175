/* matchload: a full load's workers and households; see matchload.h. */
#define _POSIX_C_SOURCE 200809L
#include "matchload.h"

#include "log.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MATCHLOAD_CONNS 2
#define MATCHLOAD_QUEUE 4  /* COPYs one connection runs in a phase */
#define MATCHLOAD_AHEAD 16 /* worker rows read before the first of them is filed */

/* ---------- binary COPY fields ---------- */

/* One field of a binary COPY row: len bytes at p, or NULL when len < 0. */
struct matchload_field {
    const unsigned char *p;
    int32_t len;
};

static uint32_t matchload_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t matchload_be64(const unsigned char *p)
{
    return (uint64_t)matchload_be32(p) << 32 | matchload_be32(p + 4);
}

/* Each getter checks the field's size against the column's type, so that a
 * changed function fails the load instead of filling the index wrongly. */
static bool matchload_int8(const struct matchload_field *f, int64_t *out)
{
    if (f->len != 8)
        return false;
    *out = (int64_t)matchload_be64(f->p);
    return true;
}

static bool matchload_int4(const struct matchload_field *f, int32_t null_value, int32_t *out)
{
    if (f->len < 0)
        *out = null_value;
    else if (f->len == 4)
        *out = (int32_t)matchload_be32(f->p);
    else
        return false;
    return true;
}

static bool matchload_float8(const struct matchload_field *f, double *out)
{
    if (f->len < 0) {
        *out = 0;
        return true;
    }
    if (f->len != 8)
        return false;
    uint64_t u = matchload_be64(f->p);
    memcpy(out, &u, sizeof u);
    return true;
}

/* A boolean; false when NULL. */
static bool matchload_bool(const struct matchload_field *f, bool *out)
{
    if (f->len > 1)
        return false;
    *out = f->len == 1 && f->p[0] != 0;
    return true;
}

/* Text into buf (cut at the last ',' that fits when too long); "" when NULL. */
static const char *matchload_text(const struct matchload_field *f, char *buf, size_t size)
{
    size_t n = f->len < 0 ? 0 : (size_t)f->len;
    if (n >= size) {
        n = size - 1;
        while (n > 0 && f->p[n] != ',')
            n--;
    }
    memcpy(buf, f->p, n);
    buf[n] = '\0';
    return buf;
}

uint8_t matchload_kinds(const char *s)
{
    uint8_t bits = 0;
    char buf[32];
    while (s && *s) {
        size_t n = strcspn(s, ",");
        if (n < sizeof buf) {
            memcpy(buf, s, n);
            buf[n] = '\0';
            int k = match_kind_parse(buf);
            if (k >= 0)
                bits |= (uint8_t)(1u << k);
        }
        s += n + (s[n] == ',');
    }
    return bits;
}

/* ---------- what workers are put together from ---------- */

/* A household's site as its workers see it. */
struct matchload_place {
    int64_t id; /* 0: a free slot */
    int32_t county_code;
    bool local; /* the household comes from the site's county */
    double lat, lon;
};

/* Places by household id: open addressing, at most half full. */
struct matchload_places {
    struct matchload_place *v;
    size_t n, bits;
};

/* A row of a per-worker table (skills, certificates, posts): two numbers. */
struct matchload_item {
    int64_t worker;
    int32_t a, b;
};

struct matchload_list {
    struct matchload_item *v;
    size_t n, cap;
    bool unsorted; /* a row arrived before the one it follows */
};

/* The skills of the workers up to the middle id and past it (read on the
 * connection that reads those workers), certificates and posts. */
enum { MATCHLOAD_SKILLS, MATCHLOAD_SKILLS_HIGH, MATCHLOAD_CERTS, MATCHLOAD_POSTS, MATCHLOAD_LISTS };

struct matchload {
    struct match_index *idx;
    struct bgthread *t;
    struct matchload_places places;
    struct matchload_list list[MATCHLOAD_LISTS];
    bool oom;
};

/* One COPY's rows go to row(ctx, fields); ctx is a struct matchload or a
 * worker stream. */
typedef int (*matchload_row_fn)(void *ctx, const struct matchload_field *f);

/* One reader of workers: the skills list of its ids, its own cursor into
 * each list, and the rows read whose households' places are being fetched
 * into the cache (a worker's household is anywhere in the table). */
struct matchload_stream {
    struct matchload *L;
    int skills;
    size_t at[MATCHLOAD_LISTS];
    struct match_worker ahead[MATCHLOAD_AHEAD];
    int n_ahead;
};

static size_t matchload_home(const struct matchload_places *p, int64_t id)
{
    return (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15u) >> (64 - p->bits));
}

static size_t matchload_slot(const struct matchload_places *p, int64_t id)
{
    size_t i = matchload_home(p, id), mask = ((size_t)1 << p->bits) - 1;
    while (p->v[i].id != 0 && p->v[i].id != id)
        i = (i + 1) & mask;
    return i;
}

static int matchload_places_grow(struct matchload_places *p)
{
    size_t bits = p->bits ? p->bits + 1 : 16;
    struct matchload_places q = {calloc((size_t)1 << bits, sizeof *q.v), 0, bits};
    if (!q.v)
        return -1;
    for (size_t i = 0; p->v && i < ((size_t)1 << p->bits); i++)
        if (p->v[i].id != 0)
            q.v[matchload_slot(&q, p->v[i].id)] = p->v[i];
    q.n = p->n;
    free(p->v);
    *p = q;
    return 0;
}

static int matchload_places_add(struct matchload_places *p, const struct matchload_place *pl)
{
    if ((p->n + 1) * 2 > ((size_t)1 << p->bits) && matchload_places_grow(p) < 0)
        return -1;
    size_t i = matchload_slot(p, pl->id);
    p->n += p->v[i].id == 0;
    p->v[i] = *pl;
    return 0;
}

static const struct matchload_place *matchload_place_of(const struct matchload_places *p,
                                                        int64_t id)
{
    if (!p->v || id == 0)
        return NULL;
    const struct matchload_place *pl = &p->v[matchload_slot(p, id)];
    return pl->id == id ? pl : NULL;
}

static int matchload_list_add(struct matchload_list *l, const struct matchload_item *it)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4096;
        struct matchload_item *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    if (l->n > 0 && (l->v[l->n - 1].worker > it->worker ||
                     (l->v[l->n - 1].worker == it->worker && l->v[l->n - 1].a > it->a)))
        l->unsorted = true;
    l->v[l->n++] = *it;
    return 0;
}

static int matchload_item_cmp(const void *x, const void *y)
{
    const struct matchload_item *a = x, *b = y;
    if (a->worker != b->worker)
        return a->worker < b->worker ? -1 : 1;
    return (a->a > b->a) - (a->a < b->a);
}

/* The first item of worker id or later. */
static size_t matchload_lower(const struct matchload_list *l, size_t lo, int64_t id)
{
    size_t hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->v[mid].worker < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/*
 * The items of worker id in l: returns the first and sets *n.  *at is the
 * caller's cursor, just past the items of the worker it asked for last: a
 * stream of workers by id moves it forward a few items at a time, anything
 * else finds its place by bisection.
 */
static size_t matchload_items(const struct matchload_list *l, size_t *at, int64_t id, size_t *n)
{
    size_t i = *at;
    if (i > l->n || (i > 0 && l->v[i - 1].worker >= id))
        i = matchload_lower(l, 0, id);
    for (int k = 0; i < l->n && l->v[i].worker < id; k++, i++)
        if (k == 8) {
            i = matchload_lower(l, i, id);
            break;
        }
    size_t j = i;
    while (j < l->n && l->v[j].worker == id)
        j++;
    *at = j;
    *n = j - i;
    return i;
}

/* ---------- rows ---------- */

#define MATCHLOAD_HOUSEHOLD_COLS 8
#define MATCHLOAD_WORKER_COLS 8
#define MATCHLOAD_ITEM_COLS 3
#define MATCHLOAD_POST_COLS 2

static int matchload_household(void *ctx, const struct matchload_field *f)
{
    struct matchload *L = ctx;
    static const char *const mon[] = {"none", "unstable", "marginal", "sudden_hardship"};
    char status[32];
    struct match_household h = {0};
    struct matchload_place pl = {0};
    bool zero;
    int32_t posts, county = 0;
    if (!matchload_int8(&f[0], &h.id) || !matchload_bool(&f[1], &zero) ||
        !matchload_int4(&f[3], 0, &posts) || !matchload_int4(&f[4], 0, &county) ||
        !matchload_float8(&f[5], &pl.lat) || !matchload_float8(&f[6], &pl.lon) ||
        !matchload_bool(&f[7], &pl.local))
        return -1;
    h.zero_employment = zero;
    matchload_text(&f[2], status, sizeof status);
    for (int k = 0; k < 4; k++)
        if (!strcmp(status, mon[k]))
            h.monitoring = (enum match_monitoring)k;
    h.public_welfare_posts = (uint16_t)posts;
    if (match_index_upsert_household(L->idx, &h) < 0)
        log_warn("matching index: household %lld refused", (long long)h.id);
    if (f[4].len < 0 || h.id == 0) /* no site: its workers are not loaded */
        return 0;
    pl.id = h.id;
    pl.county_code = county;
    if (matchload_places_add(&L->places, &pl) < 0)
        L->oom = true;
    return L->oom ? -1 : 0;
}

/* A skill (a: skill, b: level) or certificate (a: type, b: expiry day). */
static int matchload_item_row(struct matchload *L, int list, const struct matchload_field *f)
{
    struct matchload_item it;
    if (!matchload_int8(&f[0], &it.worker) || !matchload_int4(&f[1], 0, &it.a) ||
        !matchload_int4(&f[2], MATCH_NO_DAY, &it.b))
        return -1;
    if (matchload_list_add(&L->list[list], &it) < 0) {
        L->oom = true;
        return -1;
    }
    return 0;
}

static int matchload_skill(void *ctx, const struct matchload_field *f)
{
    return matchload_item_row(ctx, MATCHLOAD_SKILLS, f);
}

static int matchload_skill_high(void *ctx, const struct matchload_field *f)
{
    return matchload_item_row(ctx, MATCHLOAD_SKILLS_HIGH, f);
}

static int matchload_cert(void *ctx, const struct matchload_field *f)
{
    return matchload_item_row(ctx, MATCHLOAD_CERTS, f);
}

static int matchload_post(void *ctx, const struct matchload_field *f)
{
    struct matchload *L = ctx;
    struct matchload_item it = {0};
    if (!matchload_int8(&f[0], &it.worker) || !matchload_int4(&f[1], 0, &it.a))
        return -1;
    if (matchload_list_add(&L->list[MATCHLOAD_POSTS], &it) < 0) {
        L->oom = true;
        return -1;
    }
    return 0;
}

/* w's skills, certificates and posts from the lists, as match_worker_rows()
 * gives them (the first MATCH_MAX_WORKER_* that are in range). */
static void matchload_worker_items(struct matchload_stream *s, struct match_worker *w)
{
    const struct matchload *L = s->L;
    const struct matchload_list *skills = &L->list[s->skills];
    size_t n, i = matchload_items(skills, &s->at[s->skills], w->id, &n);
    for (const struct matchload_item *it = skills->v + i; n > 0; n--, it++)
        if (w->n_skills < MATCH_MAX_WORKER_SKILLS && it->a >= 1 && it->a <= MATCH_MAX_SKILL &&
            it->b >= 1 && it->b <= 5)
            w->skills[w->n_skills++] = (struct match_worker_skill){(uint8_t)it->a, (uint8_t)it->b};
    i = matchload_items(&L->list[MATCHLOAD_CERTS], &s->at[MATCHLOAD_CERTS], w->id, &n);
    for (const struct matchload_item *it = L->list[MATCHLOAD_CERTS].v + i; n > 0; n--, it++)
        if (w->n_certs < MATCH_MAX_WORKER_CERTS && it->a >= 1 && it->a <= MATCH_MAX_CERT)
            w->certs[w->n_certs++] = (struct match_worker_cert){(uint8_t)it->a, it->b};
    i = matchload_items(&L->list[MATCHLOAD_POSTS], &s->at[MATCHLOAD_POSTS], w->id, &n);
    for (const struct matchload_item *it = L->list[MATCHLOAD_POSTS].v + i; n > 0; n--, it++)
        w->flags |=
            (uint16_t)(it->a & (MATCH_W_HOLDS_PUBLIC_WELFARE | MATCH_W_HOLDS_FOREST_RANGER));
}

/* Files the rows read ahead on s. */
static void matchload_worker_flush(void *ctx)
{
    struct matchload_stream *s = ctx;
    for (int k = 0; k < s->n_ahead; k++) {
        struct match_worker *w = &s->ahead[k];
        const struct matchload_place *pl = matchload_place_of(&s->L->places, w->household_id);
        if (!pl) /* an archived household, or one without a site */
            continue;
        if (pl->local)
            w->flags |= MATCH_W_LOCAL_RESIDENT;
        w->county_code = pl->county_code;
        w->lat = pl->lat;
        w->lon = pl->lon;
        matchload_worker_items(s, w);
        if (match_index_upsert_worker(s->L->idx, w) < 0)
            log_warn("matching index: worker %lld refused", (long long)w->id);
    }
    s->n_ahead = 0;
}

static int matchload_worker(void *ctx, const struct matchload_field *f)
{
    struct matchload_stream *s = ctx;
    char kinds[256];
    struct match_worker *w = &s->ahead[s->n_ahead];
    int32_t flags, commute, wage;
    memset(w, 0, sizeof *w);
    if (!matchload_int8(&f[0], &w->id) || !matchload_int8(&f[1], &w->household_id) ||
        !matchload_int4(&f[2], 0, &flags) || !matchload_int4(&f[3], MATCH_NO_DAY, &w->birth_day) ||
        !matchload_int4(&f[4], MATCH_NO_DAY, &w->available_from) ||
        !matchload_int4(&f[5], 0, &commute) || !matchload_int4(&f[6], 0, &wage))
        return -1;
    w->flags = (uint16_t)(flags & MATCH_W_ALL_FLAGS);
    w->max_commute_km = (uint16_t)commute;
    w->wage_floor = (uint32_t)wage;
    w->kinds_wanted = matchload_kinds(matchload_text(&f[7], kinds, sizeof kinds));
    __builtin_prefetch(&s->L->places.v[matchload_home(&s->L->places, w->household_id)]);
    if (++s->n_ahead == MATCHLOAD_AHEAD)
        matchload_worker_flush(s);
    return 0;
}

/* ---------- COPY ---------- */

/* One COPY … TO STDOUT (FORMAT binary) to run or being read. */
struct matchload_copy {
    const char *query;
    int ncols;
    matchload_row_fn row;
    void (*end)(void *ctx); /* at the end of the COPY, or NULL */
    void *ctx;
    uint64_t messages;
    bool trailer; /* seen: only the end may follow */
};

/* The COPYs one connection runs one after another. */
struct matchload_conn {
    PGconn *c;
    struct matchload_copy q[MATCHLOAD_QUEUE];
    int n, at; /* queued, running (n: all done) */
};

/*
 * Parses one CopyData message of a binary COPY (the server sends one row a
 * message, the file header before the first) and hands the row on.
 * Returns 1 at the trailer, 0 for a row, -1 on anything unexpected.
 */
static int matchload_message(const unsigned char *m, size_t n, const struct matchload_copy *s)
{
    static const unsigned char sig[11] = "PGCOPY\n\377\r\n";
    size_t off = 0;
    if (s->messages == 0) {
        if (n < 19 || memcmp(m, sig, sizeof sig))
            return -1;
        off = 19 + matchload_be32(m + 15);
    }
    if (off + 2 > n)
        return -1;
    int16_t cols = (int16_t)(m[off] << 8 | m[off + 1]);
    off += 2;
    if (cols == -1)
        return 1;
    if (cols != s->ncols || s->ncols > 16)
        return -1;
    struct matchload_field f[16];
    for (int i = 0; i < s->ncols; i++) {
        if (off + 4 > n)
            return -1;
        f[i].len = (int32_t)matchload_be32(m + off);
        f[i].p = m + off + 4;
        off += 4 + (f[i].len > 0 ? (size_t)f[i].len : 0);
        if (off > n)
            return -1;
    }
    return s->row(s->ctx, f) < 0 ? -1 : 0;
}

/* Starts the next COPY queued on k, if any; returns 0, or -1 (logged). */
static int matchload_start(struct matchload_conn *k)
{
    if (k->at >= k->n)
        return 0;
    char sql[256];
    snprintf(sql, sizeof sql, "COPY (%s) TO STDOUT (FORMAT binary)", k->q[k->at].query);
    PGresult *res = PQexec(k->c, sql);
    bool started = PQresultStatus(res) == PGRES_COPY_OUT;
    PQclear(res);
    if (!started)
        log_warn("matching index: %s: %s", sql, PQerrorMessage(k->c));
    return started ? 0 : -1;
}

/* The result of the COPY that ended, with any further results discarded;
 * true when it succeeded. */
static bool matchload_finish(PGconn *c)
{
    PGresult *res = PQgetResult(c), *extra;
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        log_warn("matching index: COPY failed: %s", PQerrorMessage(c));
    PQclear(res);
    while ((extra = PQgetResult(c)))
        PQclear(extra);
    return ok;
}

/*
 * Files every row that has arrived on k without waiting for more, starting
 * its next COPY when one ends.  Returns 1 when all of k's COPYs have ended,
 * 0 when more is to come, -1 on an error (a COPY may be left running: the
 * caller drops the connection).
 */
static int matchload_pump(struct matchload_conn *k, struct bgthread *t)
{
    while (k->at < k->n) {
        struct matchload_copy *s = &k->q[k->at];
        char *m;
        int n;
        while ((n = PQgetCopyData(k->c, &m, 1)) > 0) {
            int got = s->trailer ? -1 : matchload_message((const unsigned char *)m, (size_t)n, s);
            PQfreemem(m);
            if (got < 0) {
                log_warn("matching index: COPY message %llu of %s is not as expected",
                         (unsigned long long)s->messages, s->query);
                return -1;
            }
            s->trailer = got == 1;
            if (++s->messages % 65536 == 0 && bgthread_stopping(t))
                return -1;
        }
        if (n == 0)
            return 0;
        if (n != -1 || !s->trailer || !matchload_finish(k->c))
            return -1;
        if (s->end)
            s->end(s->ctx);
        k->at++;
        if (matchload_start(k) < 0)
            return -1;
    }
    return 1;
}

/* Runs the COPYs queued on the n connections of k to their ends, filing
 * rows from whichever connection has them.  Returns 0 or -1. */
static int matchload_run(struct matchload_conn *k, int n, struct bgthread *t)
{
    bool done[MATCHLOAD_CONNS] = {false};
    for (int i = 0; i < n; i++)
        if (matchload_start(&k[i]) < 0)
            return -1;
    for (int left = n; left > 0;) {
        struct pollfd p[MATCHLOAD_CONNS + 1];
        int at[MATCHLOAD_CONNS], np = 0;
        for (int i = 0; i < n; i++) {
            if (done[i])
                continue;
            int rc = matchload_pump(&k[i], t);
            if (rc < 0)
                return -1;
            if (rc == 1) {
                done[i] = true;
                left--;
            } else {
                at[np] = i;
                p[np++] = (struct pollfd){PQsocket(k[i].c), POLLIN, 0};
            }
        }
        if (np == 0)
            continue;
        p[np] = (struct pollfd){bgthread_wake_fd(t), POLLIN, 0};
        if ((poll(p, (nfds_t)np + 1, 1000) < 0 && errno != EINTR) || bgthread_stopping(t))
            return -1;
        for (int j = 0; j < np; j++)
            if (p[j].revents && !PQconsumeInput(k[at[j]].c)) {
                log_warn("matching index: COPY failed: %s", PQerrorMessage(k[at[j]].c));
                return -1;
            }
    }
    return 0;
}

static void matchload_queue(struct matchload_conn *k, const char *query, int ncols,
                            matchload_row_fn row, void *ctx)
{
    k->q[k->n++] = (struct matchload_copy){.query = query, .ncols = ncols, .row = row, .ctx = ctx};
}

/* ---------- the load ---------- */

/* The id that splits the workers between c and h (the skills and the
 * workers up to it are read on c, the others on h), or -1 without h or
 * without workers: then everything is read on c. */
static long long matchload_middle(PGconn *c, PGconn *h)
{
    long long mid = -1;
    PGresult *res = h ? PQexec(c, "SELECT (min(id) + max(id)) / 2 FROM worker") : NULL;
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
        mid = atoll(PQgetvalue(res, 0, 0));
    PQclear(res);
    return mid;
}

/* Households, certificates, posts and skills: on c and h side by side. */
static int matchload_first(struct matchload *L, PGconn *c, PGconn *h, long long mid)
{
    char q[MATCHLOAD_CONNS][128];
    struct matchload_conn k[MATCHLOAD_CONNS] = {{.c = c}, {.c = h}};
    matchload_queue(&k[0], "SELECT * FROM match_household_load_rows()", MATCHLOAD_HOUSEHOLD_COLS,
                    matchload_household, L);
    matchload_queue(&k[0], "SELECT * FROM match_worker_cert_load_rows()", MATCHLOAD_ITEM_COLS,
                    matchload_cert, L);
    matchload_queue(&k[0], "SELECT * FROM match_worker_post_load_rows()", MATCHLOAD_POST_COLS,
                    matchload_post, L);
    snprintf(q[0], sizeof q[0], "SELECT * FROM match_worker_skill_load_rows()");
    if (mid >= 0) {
        snprintf(q[0], sizeof q[0],
                 "SELECT * FROM match_worker_skill_load_rows() WHERE worker_id <= %lld", mid);
        snprintf(q[1], sizeof q[1],
                 "SELECT * FROM match_worker_skill_load_rows() WHERE worker_id > %lld", mid);
        matchload_queue(&k[1], q[1], MATCHLOAD_ITEM_COLS, matchload_skill_high, L);
    }
    matchload_queue(&k[0], q[0], MATCHLOAD_ITEM_COLS, matchload_skill, L);
    if (matchload_run(k, mid >= 0 ? 2 : 1, L->t) < 0)
        return -1;
    for (int i = 0; i < MATCHLOAD_LISTS; i++)
        if (L->list[i].unsorted)
            qsort(L->list[i].v, L->list[i].n, sizeof *L->list[i].v, matchload_item_cmp);
    return 0;
}

/* Every worker: on c alone, or up to mid on c and the others on h. */
static int matchload_workers(struct matchload *L, PGconn *c, PGconn *h, long long mid)
{
    char q[MATCHLOAD_CONNS][128];
    struct matchload_conn k[MATCHLOAD_CONNS] = {{.c = c}, {.c = h}};
    struct matchload_stream s[MATCHLOAD_CONNS] = {{.L = L, .skills = MATCHLOAD_SKILLS},
                                                  {.L = L, .skills = MATCHLOAD_SKILLS_HIGH}};
    snprintf(q[0], sizeof q[0], "SELECT * FROM match_worker_load_rows()");
    if (mid >= 0) {
        snprintf(q[0], sizeof q[0], "SELECT * FROM match_worker_load_rows() WHERE id <= %lld", mid);
        snprintf(q[1], sizeof q[1], "SELECT * FROM match_worker_load_rows() WHERE id > %lld", mid);
        matchload_queue(&k[1], q[1], MATCHLOAD_WORKER_COLS, matchload_worker, &s[1]);
    }
    matchload_queue(&k[0], q[0], MATCHLOAD_WORKER_COLS, matchload_worker, &s[0]);
    for (int i = 0; i < MATCHLOAD_CONNS; i++)
        k[i].q[0].end = matchload_worker_flush;
    return matchload_run(k, mid >= 0 ? 2 : 1, L->t);
}

int matchload_records(PGconn *c, PGconn *h, struct match_index *idx, struct bgthread *t)
{
    struct matchload L = {.idx = idx, .t = t};
    long long mid = matchload_middle(c, h);
    int rc = matchload_places_grow(&L.places) < 0 || matchload_first(&L, c, h, mid) < 0 ||
                     matchload_workers(&L, c, h, mid) < 0
                 ? -1
                 : 0;
    if (L.oom)
        log_warn("matching index: out of memory while loading");
    free(L.places.v);
    for (int i = 0; i < MATCHLOAD_LISTS; i++)
        free(L.list[i].v);
    return rc;
}
