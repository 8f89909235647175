/*
 * pgpool_batch: the pool's batched reads (pgpool_query_batched).  A read by
 * one bigint key waits on the queue while such reads gather (pgpool_batch_next);
 * when it goes, the reads of the same batch and scope waiting behind it go
 * with it as one call of the batch's many statement, and each caller is
 * answered with its own row of that result (pgpool_reply.row).
 */
#define _POSIX_C_SOURCE 200809L
#include "pgpool_int.h"

#include "pgrows.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether o may go in the same call as w: the same batch, the same scope. */
static bool pgpool_batch_same(const struct pgwork *o, const struct pgwork *w)
{
    return o->batch == w->batch && strcmp(o->scope, w->scope) == 0;
}

/* The row of res whose key is key, or -1. */
static int pgpool_batch_row(const PGresult *res, const long long *keys, long long key)
{
    for (int i = 0; i < PQntuples(res); i++)
        if (keys[i] == key)
            return i;
    return -1;
}

/* Ends each member of batch b as the batch ended: the result with its own
 * row, a result of no row when it has none, or the batch's failure. */
void pgpool_batch_end(struct pgwork *b, enum pgpool_status status, PGresult *res, const char *why)
{
    struct pgwork *m;
    long long *keys = status == PGPOOL_OK && res ? pgrows_keys(res) : NULL;
    while ((m = b->member) != NULL) {
        b->member = m->member;
        m->member = NULL;
        if (status != PGPOOL_OK || !res) {
            pgwork_end(m, status, res, why);
            continue;
        }
        int row = keys ? pgpool_batch_row(res, keys, m->key) : -1;
        if (row >= 0) {
            pgwork_end_row(m, PGPOOL_OK, res, why, row);
            continue;
        }
        PGresult *none = keys ? PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK) : NULL;
        if (none)
            pgwork_end(m, PGPOOL_OK, none, why);
        else
            pgwork_end(m, PGPOOL_UNAVAILABLE, NULL, PGPOOL_WHY_MEMORY);
        PQclear(none);
    }
    free(keys);
}

/*
 * When the query work w, just taken off the queue, may join a batch and
 * others of its batch and scope wait, takes them off too and answers one
 * work for them all (w first among its members); otherwise w.
 */
struct pgwork *pgpool_batch_gather(struct pgpool *p, struct pgwork *w)
{
    if (w->kind != PGWORK_QUERY || !w->batch)
        return w;
    struct pgwork *o, *next, *last = w;
    int n = 1;
    w->member = NULL;
    for (o = TAILQ_FIRST(&p->queue); o && n < PGPOOL_BATCH_MAX; o = next) {
        next = TAILQ_NEXT(o, next);
        if (!pgpool_batch_same(o, w))
            continue;
        TAILQ_REMOVE(&p->queue, o, next);
        p->waiting--;
        o->member = NULL;
        last->member = o;
        last = o;
        n++;
    }
    if (n == 1)
        return w;
    /* the keys as an array literal: at most 20 characters each */
    char keys[PGPOOL_BATCH_MAX * 21 + 3];
    size_t len = 0;
    keys[len++] = '{';
    for (o = w; o; o = o->member)
        len += (size_t)snprintf(keys + len, sizeof keys - len, "%s%lld", o == w ? "" : ",", o->key);
    memcpy(keys + len, "}", 2);
    const char *v[1] = {keys};
    struct pgwork *b = pgwork_new(PGWORK_BATCH, w->batch->many, 1, v, 0);
    if (!b) {
        /* no memory for the batch: the members go back, w alone goes on */
        for (o = w->member; o; o = next) {
            next = o->member;
            o->member = NULL;
            TAILQ_INSERT_HEAD(&p->queue, o, next);
            p->waiting++;
        }
        w->member = NULL;
        return w;
    }
    memcpy(b->scope, w->scope, sizeof b->scope);
    b->deadline = w->deadline;
    for (o = w; o; o = o->member)
        b->deadline = o->deadline < b->deadline ? o->deadline : b->deadline;
    b->member = w;
    b->nmembers = n;
    return b;
}

/* How many reads of w's batch and scope wait, w among them, counted up to
 * enough. */
static int pgpool_batch_waiting(const struct pgwork *w, int enough)
{
    int n = 0;
    for (const struct pgwork *o = w; o && n < enough; o = TAILQ_NEXT(o, next))
        n += pgpool_batch_same(o, w);
    return n;
}

/*
 * The oldest waiting work that may go now.  Batched reads gather: they wait
 * while a quarter of the connections (at least one) run them, and while
 * one runs, the oldest batched read goes only once PGPOOL_BATCH_GATHER reads
 * of its batch and scope wait.  Reads that arrive faster than the database
 * answers so go in a few large calls instead of many small ones (each call
 * costs the database about as much as ten more workers in it); a read that
 * finds no batch running goes at once.  The oldest batched read decides for
 * all of them, so that reads under a scope with few callers are not passed
 * over by a busier scope's.
 */
struct pgwork *pgpool_batch_next(struct pgpool *p)
{
    int reading = 0;
    for (int i = 0; i < p->size; i++) {
        const struct pgwork *cw = p->conns[i].work;
        reading += cw && (cw->kind == PGWORK_BATCH || cw->batch);
    }
    bool hold = reading >= (p->size + 3) / 4;
    struct pgwork *w;
    TAILQ_FOREACH(w, &p->queue, next)
    {
        if (!w->batch)
            return w;
        if (hold)
            continue;
        if (reading == 0 || pgpool_batch_waiting(w, PGPOOL_BATCH_GATHER) >= PGPOOL_BATCH_GATHER)
            return w;
        hold = true;
    }
    return NULL;
}

/* Declared in pgpool.h: a read by one key, which may go in a batch. */
void pgpool_query_batched(struct pgpool *p, const char *scope, const struct pgpool_batch *b,
                          const char *key, pgpool_query_cb cb, void *arg)
{
    const char *v[1] = {key};
    struct pgwork *w = pgwork_new(PGWORK_QUERY, b->one, 1, v, p->query_timeout_ms);
    size_t n = strlen(scope);
    if (!w || n >= sizeof w->scope) {
        pgwork_free(w);
        struct pgpool_reply r = {
            PGPOOL_UNAVAILABLE, NULL, "", PGPOOL_WHY_MEMORY, "", "", "", "", 0};
        cb(arg, &r);
        return;
    }
    memcpy(w->scope, scope, n + 1);
    char *end;
    errno = 0;
    w->key = strtoll(key, &end, 10);
    /* a key that is not a plain decimal bigint is sent alone */
    w->batch = *key && !*end && errno == 0 ? b : NULL;
    w->qcb = cb;
    w->arg = arg;
    pgpool_submit(p, w);
}
