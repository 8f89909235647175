/*
 * The roster of a labour export trip on the solver thread: claim, score,
 * solve, store.  See rosterfill.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "rosterfill.h"

#include "alloc/alloc.h"
#include "clock.h"
#include "log.h"
#include "matchidx.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sign-ups one roster fill weighs at most (a trip takes at most 2,000). */
#define ROSTERFILL_MAX_SIGNUPS 20000
/* Vacancies one trip goes to at most. */
#define ROSTERFILL_MAX_VACANCIES 50

struct fill_input {
    struct alloc_worker *w;
    int64_t *signup; /* per worker: the sign-up's id */
    int64_t *best_v; /* per worker: the trip vacancy of its best arc */
    struct alloc_arc *arcs;
    uint32_t nw, na;
};

static void fill_input_free(struct fill_input *in)
{
    free(in->w);
    free(in->signup);
    free(in->best_v);
    free(in->arcs);
}

/* Scores every sign-up against every trip vacancy under the index's read
 * lock: one arc to the trip per worker who passes the hard filters of at
 * least one of them, with the best score.  Returns 0, 1 when the index is
 * not loaded yet, -1 when memory runs out. */
static int fill_arcs(struct fill_input *in, json_t *vacancies)
{
    const struct match_index *idx;
    const struct match_names *names;
    struct match_hit *hit = malloc(sizeof *hit);
    if (!hit)
        return -1;
    if (!matchidx_read_begin(&idx, &names)) {
        free(hit);
        return 1;
    }
    struct match_query q;
    int t = clock_today();
    match_query_init(&q, match_day(t / 10000, t / 100 % 100, t % 100), 1);
    for (uint32_t i = 0; i < in->nw; i++) {
        int32_t best = -1;
        size_t k;
        json_t *v;
        json_array_foreach(vacancies, k, v)
        {
            int64_t vid = json_integer_value(v);
            if (match_explain(idx, in->w[i].id, vid, &q, MATCH_TARGET_WORKERS, hit) == 0 &&
                hit->failed == 0 && hit->score > best) {
                best = hit->score;
                in->best_v[i] = vid;
            }
        }
        if (best >= 0)
            in->arcs[in->na++] = (struct alloc_arc){i, 0, best};
    }
    matchidx_read_end();
    free(hit);
    return 0;
}

static json_t *fill_covers(uint32_t covers)
{
    json_t *a = json_array();
    if (covers & ALLOC_H_ZERO_EMPLOYMENT)
        json_array_append_new(a, json_string("zero_employment"));
    if (covers & ALLOC_H_MONITORED)
        json_array_append_new(a, json_string("monitored"));
    return a;
}

/* The engine's result as api_export_fill takes it.  New reference. */
static json_t *fill_result_json(const struct fill_input *in, const struct alloc_result *res)
{
    json_t *as = json_array(), *un = json_array();
    for (uint32_t i = 0; i < res->n_assignments; i++) {
        const struct alloc_assignment *x = &res->assignments[i];
        json_array_append_new(as, json_pack("{s:I, s:I, s:i, s:o}", "s",
                                            (json_int_t)in->signup[x->worker], "v",
                                            (json_int_t)in->best_v[x->worker], "score",
                                            (int)x->score, "covers", fill_covers(x->covers)));
    }
    for (uint32_t i = 0; i < res->n_unassigned; i++) {
        const struct alloc_unassigned *u = &res->unassigned[i];
        json_array_append_new(un, json_pack("{s:I, s:s}", "s", (json_int_t)in->signup[u->worker],
                                            "why", alloc_why_code(u->why)));
    }
    return json_pack("{s:o, s:o}", "assignments", as, "unassigned", un);
}

/* Builds the engine's input from export_fill_input's (borrowed), solves it
 * and returns what to store (new reference), or NULL with *why said. */
static json_t *fill_solve(json_t *input, const char **why)
{
    json_t *signups = json_object_get(input, "signups");
    json_t *vacancies = json_object_get(input, "vacancies");
    size_t n = json_array_size(signups);
    if (n > ROSTERFILL_MAX_SIGNUPS || json_array_size(vacancies) > ROSTERFILL_MAX_VACANCIES) {
        *why = "too many sign-ups or vacancies for one roster";
        return NULL;
    }
    struct fill_input in = {0};
    struct alloc_result res = {0};
    json_int_t cap = json_integer_value(json_object_get(input, "capacity"));
    struct alloc_vacancy trip = {json_integer_value(json_object_get(input, "trip_id")),
                                 (uint32_t)(cap < 0 ? 0 : cap), 0};
    in.w = calloc(n + 1, sizeof *in.w);
    in.signup = calloc(n + 1, sizeof *in.signup);
    in.best_v = calloc(n + 1, sizeof *in.best_v);
    in.arcs = calloc(n + 1, sizeof *in.arcs);
    json_t *out = NULL;
    int rc = in.w && in.signup && in.best_v && in.arcs ? 0 : -1;
    size_t i;
    json_t *s;
    json_array_foreach(signups, i, s)
    {
        if (rc != 0)
            break;
        uint32_t flags = (json_is_true(json_object_get(s, "zero")) ? ALLOC_H_ZERO_EMPLOYMENT : 0) |
                         (json_is_true(json_object_get(s, "monitored")) ? ALLOC_H_MONITORED : 0);
        in.w[in.nw] = (struct alloc_worker){json_integer_value(json_object_get(s, "w")),
                                            json_integer_value(json_object_get(s, "h")), flags};
        in.signup[in.nw++] = json_integer_value(json_object_get(s, "s"));
    }
    if (rc == 0)
        rc = fill_arcs(&in, vacancies);
    *why = rc == 1 ? "the matching index is not loaded yet" : "out of memory";
    struct alloc_input ai = {in.w, in.nw, &trip, 1, in.arcs, in.na};
    if (rc == 0 && alloc_solve(&ai, NULL, &res) >= 0)
        out = fill_result_json(&in, &res);
    else if (rc == 0)
        *why = "the solver refused the input";
    alloc_result_free(&res);
    fill_input_free(&in);
    return out;
}

static void rosterfill_fail(PGconn *c, const char *id, const char *runner, const char *why)
{
    const char *v[3] = {id, runner, why};
    PQclear(
        PQexecParams(c, "SELECT export_fill_fail($1::bigint, $2, $3)", 3, NULL, v, NULL, NULL, 0));
    log_warn("roster fill %s failed: %s", id, why);
}

bool rosterfill_take(PGconn *c, const char *runner, bool *failed)
{
    const char *v[3] = {runner, NULL, NULL};
    PGresult *res =
        PQexecParams(c, "SELECT id, input FROM export_fill_claim($1)", 1, NULL, v, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        *failed = true;
        PQclear(res);
        return false;
    }
    if (PQntuples(res) == 0) {
        PQclear(res);
        return false;
    }
    char id[24];
    snprintf(id, sizeof id, "%s", PQgetvalue(res, 0, 0));
    json_t *input = PQgetisnull(res, 0, 1) ? NULL : json_loads(PQgetvalue(res, 0, 1), 0, NULL);
    PQclear(res);
    int64_t t0 = clock_now_us();
    const char *why = "the trip is gone";
    json_t *result = input ? fill_solve(input, &why) : NULL;
    char *text = result ? json_dumps(result, JSON_COMPACT) : NULL;
    if (result && !text)
        why = "out of memory";
    json_decref(result);
    json_decref(input);
    if (!text) {
        rosterfill_fail(c, id, runner, why);
        return true;
    }
    v[0] = id;
    v[1] = runner;
    v[2] = text;
    res = PQexecParams(c, "SELECT export_fill_store($1::bigint, $2, $3::jsonb)", 3, NULL, v, NULL,
                       NULL, 0);
    free(text);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        log_warn("roster fill %s: cannot store the roster: %s", id, PQerrorMessage(c));
    else
        log_info("roster fill %s: %s in %.3f s", id, PQgetvalue(res, 0, 0),
                 (double)(clock_now_us() - t0) / 1e6);
    PQclear(res);
    return true;
}
