/*
 * alloc: checks the input, puts it in canonical order (vacancies by id,
 * workers by household then id, arcs by vacancy then worker) so that the
 * result does not depend on the order given, builds the network, picks the
 * weights, solves (alloc_bb.c, alloc_flow.c) and reports.
 */
#include "alloc/alloc_int.h"

#include <stdlib.h>
#include <string.h>

struct alloc_key {
    int64_t k1, k2;
    uint32_t idx;
};

/* Scratch of one call. */
struct alloc_build {
    uint32_t *v_input; /* canonical vacancy -> input index */
    int32_t *v_rank;   /* input -> canonical */
    uint32_t *w_by_id; /* input worker indices by id */
    uint32_t *w_by_hh; /* ... by household, then id */
    int32_t *w_net;    /* input worker -> network worker, or -1 */
    uint32_t *w_input; /* network worker -> input index */
    int32_t *best_arc; /* network worker -> its best arc, or -1 */
    uint32_t n_mon;    /* monitored households in the network */
};

static int alloc_key_cmp(const void *pa, const void *pb)
{
    const struct alloc_key *a = pa, *b = pb;
    if (a->k1 != b->k1)
        return a->k1 < b->k1 ? -1 : 1;
    if (a->k2 != b->k2)
        return a->k2 < b->k2 ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static int alloc_fail(struct alloc_result *out, const char *what, size_t index)
{
    out->error = what;
    out->error_index = index;
    return ALLOC_E_INPUT;
}

static int alloc_check(const struct alloc_input *in, struct alloc_result *out)
{
    if (in->n_workers > ALLOC_MAX_WORKERS || in->n_vacancies > ALLOC_MAX_VACANCIES ||
        in->n_arcs > ALLOC_MAX_ARCS || (in->n_workers && !in->workers) ||
        (in->n_vacancies && !in->vacancies) || (in->n_arcs && !in->arcs))
        return alloc_fail(out, "size", 0);
    for (uint32_t i = 0; i < in->n_workers; i++) {
        const struct alloc_worker *w = &in->workers[i];
        if (w->id <= 0 || w->household_id <= 0)
            return alloc_fail(out, "worker_id", i);
        if (w->flags & ~(uint32_t)ALLOC_H_ALL)
            return alloc_fail(out, "flags", i);
    }
    for (uint32_t i = 0; i < in->n_vacancies; i++) {
        const struct alloc_vacancy *v = &in->vacancies[i];
        if (v->id <= 0)
            return alloc_fail(out, "vacancy_id", i);
        if (v->capacity > ALLOC_MAX_CAPACITY)
            return alloc_fail(out, "capacity", i);
        if (v->flags & ~(uint32_t)ALLOC_V_ALL)
            return alloc_fail(out, "flags", i);
    }
    for (size_t i = 0; i < in->n_arcs; i++) {
        const struct alloc_arc *a = &in->arcs[i];
        if (a->worker >= in->n_workers)
            return alloc_fail(out, "arc_worker", i);
        if (a->vacancy >= in->n_vacancies)
            return alloc_fail(out, "arc_vacancy", i);
        if (a->score < 0 || a->score > ALLOC_MAX_SCORE)
            return alloc_fail(out, "arc_score", i);
    }
    return 0;
}

/* Sorted input indices by (k1, k2); NULL when out of memory. */
static uint32_t *alloc_sorted(uint32_t n, const int64_t *k1, size_t s1, const int64_t *k2,
                              size_t s2)
{
    struct alloc_key *keys = malloc((size_t)n * sizeof *keys + 1);
    uint32_t *idx = malloc((size_t)n * sizeof *idx + 1);
    if (!keys || !idx) {
        free(keys), free(idx);
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++) {
        keys[i].k1 = *(const int64_t *)((const char *)k1 + (size_t)i * s1);
        keys[i].k2 = k2 ? *(const int64_t *)((const char *)k2 + (size_t)i * s2) : 0;
        keys[i].idx = i;
    }
    qsort(keys, n, sizeof *keys, alloc_key_cmp);
    for (uint32_t i = 0; i < n; i++)
        idx[i] = keys[i].idx;
    free(keys);
    return idx;
}

static int alloc_order(struct alloc_build *b, const struct alloc_input *in,
                       struct alloc_result *out)
{
    uint32_t nv = in->n_vacancies, nw = in->n_workers;
    const struct alloc_vacancy *V = in->vacancies;
    const struct alloc_worker *W = in->workers;
    b->v_input = alloc_sorted(nv, nv ? &V->id : NULL, sizeof *V, NULL, 0);
    b->v_rank = malloc((size_t)nv * sizeof *b->v_rank + 1);
    b->w_by_id = alloc_sorted(nw, nw ? &W->id : NULL, sizeof *W, NULL, 0);
    b->w_by_hh =
        alloc_sorted(nw, nw ? &W->household_id : NULL, sizeof *W, nw ? &W->id : NULL, sizeof *W);
    if (!b->v_input || !b->v_rank || !b->w_by_id || !b->w_by_hh)
        return ALLOC_E_NOMEM;
    for (uint32_t i = 0; i < nv; i++) {
        b->v_rank[b->v_input[i]] = (int32_t)i;
        if (i && V[b->v_input[i]].id == V[b->v_input[i - 1]].id)
            return alloc_fail(out, "duplicate_vacancy", b->v_input[i]);
    }
    for (uint32_t i = 1; i < nw; i++)
        if (W[b->w_by_id[i]].id == W[b->w_by_id[i - 1]].id)
            return alloc_fail(out, "duplicate_worker", b->w_by_id[i]);
    for (uint32_t i = 1; i < nw; i++) {
        const struct alloc_worker *w = &W[b->w_by_hh[i]], *p = &W[b->w_by_hh[i - 1]];
        if (w->household_id == p->household_id && w->flags != p->flags)
            return alloc_fail(out, "household_flags", b->w_by_hh[i]);
    }
    return 0;
}

/* What kinds of vacancy each input worker has arcs to (ALLOC_WK_*), 0: none with capacity. */
static uint8_t *alloc_worker_kinds(const struct alloc_input *in)
{
    uint8_t *kind = calloc((size_t)in->n_workers + 1, 1);
    for (size_t i = 0; kind && i < in->n_arcs; i++) {
        const struct alloc_vacancy *v = &in->vacancies[in->arcs[i].vacancy];
        if (v->capacity)
            kind[in->arcs[i].worker] |=
                v->flags & ALLOC_V_ONE_PER_HOUSEHOLD ? ALLOC_WK_OPH : ALLOC_WK_REG;
    }
    return kind;
}

static int alloc_alloc_workers(struct alloc_build *b, uint32_t nw, struct alloc_net *net)
{
    size_t n = 2 * (size_t)nw + 1; /* a worker may be split in two */
    b->w_net = malloc(n * sizeof *b->w_net);
    b->w_input = malloc(n * sizeof *b->w_input);
    net->h_start = malloc(n * sizeof *net->h_start);
    net->h_flags = malloc(n);
    net->h_conflict = calloc(n, 1);
    net->w_h = malloc(n * sizeof *net->w_h);
    net->w_kind = malloc(n);
    net->w_twin = malloc(n * sizeof *net->w_twin);
    if (!b->w_net || !b->w_input || !net->h_start || !net->h_flags || !net->h_conflict ||
        !net->w_h || !net->w_kind || !net->w_twin)
        return ALLOC_E_NOMEM;
    return 0;
}

/* The members of one household (w_by_hh[i0..i1), with arcs) as network workers;
 * split says whether members with both kinds of arc become two halves. */
static void alloc_add_household(struct alloc_build *b, const struct alloc_input *in,
                                const uint8_t *kind, uint32_t i0, uint32_t i1,
                                struct alloc_net *net)
{
    int32_t h = net->nh++, n = net->nw, oph = 0;
    for (uint32_t i = i0; i < i1; i++)
        oph += (kind[b->w_by_hh[i]] & ALLOC_WK_OPH) != 0;
    net->h_start[h] = n;
    net->h_flags[h] = (uint8_t)in->workers[b->w_by_hh[i0]].flags;
    b->n_mon += (net->h_flags[h] & ALLOC_H_MONITORED) != 0;
    for (uint32_t i = i0; i < i1; i++) {
        uint32_t k = b->w_by_hh[i];
        if (!kind[k])
            continue;
        bool split = oph >= 2 && kind[k] == (ALLOC_WK_OPH | ALLOC_WK_REG);
        b->w_net[k] = n;
        for (int half = 0; half <= split; half++, n++) {
            b->w_input[n] = k;
            net->w_h[n] = h;
            net->w_kind[n] = split ? (half ? ALLOC_WK_OPH : ALLOC_WK_REG) : kind[k];
            net->w_twin[n] = split ? (half ? n - 1 : n + 1) : -1;
        }
        net->h_conflict[h] |= split;
    }
    net->nw = n;
}

/*
 * Network workers: those with an arc to a vacancy with capacity, by household
 * then id.  Where a household has two or more members with one-per-household
 * arcs, a member with both kinds of arc is split in two (its regular half,
 * then its one-per-household half), which the branch and bound reunites.
 */
static int alloc_build_workers(struct alloc_build *b, const struct alloc_input *in,
                               struct alloc_net *net)
{
    uint32_t nw = in->n_workers;
    uint8_t *kind = alloc_worker_kinds(in);
    int rc = kind ? alloc_alloc_workers(b, nw, net) : ALLOC_E_NOMEM;
    for (uint32_t i = 0; i < nw && !rc; i++)
        b->w_net[i] = -1;
    for (uint32_t i0 = 0, i1; i0 < nw && !rc; i0 = i1) {
        int64_t hh = in->workers[b->w_by_hh[i0]].household_id;
        bool any = false;
        for (i1 = i0; i1 < nw && in->workers[b->w_by_hh[i1]].household_id == hh; i1++)
            any |= kind[b->w_by_hh[i1]] != 0;
        if (any)
            alloc_add_household(b, in, kind, i0, i1, net);
    }
    if (!rc)
        net->h_start[net->nh] = net->nw;
    free(kind);
    return rc;
}

/* The network worker of input arc a: the worker, or its half for that kind of vacancy. */
static int32_t alloc_arc_worker(const struct alloc_build *b, const struct alloc_input *in,
                                const struct alloc_net *net, const struct alloc_arc *a)
{
    int32_t w = b->w_net[a->worker];
    bool oph = in->vacancies[a->vacancy].flags & ALLOC_V_ONE_PER_HOUSEHOLD;
    return w >= 0 && net->w_twin[w] >= 0 && oph ? w + 1 : w;
}

static int alloc_arc_cmp(const void *pa, const void *pb)
{
    const int32_t *a = pa, *b = pb; /* {worker, score, input index} */
    return a[0] != b[0] ? (a[0] < b[0] ? -1 : 1) : 0;
}

/* Arcs by vacancy, then worker; duplicates refused. */
static int alloc_build_arcs(struct alloc_build *b, const struct alloc_input *in,
                            struct alloc_net *net, struct alloc_result *out)
{
    int32_t nv = net->nv = (int32_t)in->n_vacancies, na = 0;
    net->v_start = calloc((size_t)nv + 1, sizeof *net->v_start);
    if (!net->v_start)
        return ALLOC_E_NOMEM;
    for (size_t i = 0; i < in->n_arcs; i++)
        if (b->w_net[in->arcs[i].worker] >= 0 && in->vacancies[in->arcs[i].vacancy].capacity) {
            net->v_start[b->v_rank[in->arcs[i].vacancy] + 1]++;
            na++;
        }
    for (int32_t v = 0; v < nv; v++)
        net->v_start[v + 1] += net->v_start[v];
    net->na = na;
    int32_t *tmp = malloc((size_t)na * 3 * sizeof *tmp + 1);
    int32_t *fill = malloc((size_t)nv * sizeof *fill + 1);
    net->a_w = malloc((size_t)na * sizeof *net->a_w + 1);
    net->a_v = malloc((size_t)na * sizeof *net->a_v + 1);
    net->a_score = malloc((size_t)na * sizeof *net->a_score + 1);
    net->a_state = calloc((size_t)na + 1, 1);
    int rc = !tmp || !fill || !net->a_w || !net->a_v || !net->a_score || !net->a_state;
    if (!rc) {
        memcpy(fill, net->v_start, (size_t)nv * sizeof *fill);
        for (size_t i = 0; i < in->n_arcs; i++) {
            const struct alloc_arc *a = &in->arcs[i];
            if (b->w_net[a->worker] < 0 || !in->vacancies[a->vacancy].capacity)
                continue;
            int32_t *t = &tmp[3 * fill[b->v_rank[a->vacancy]]++];
            t[0] = alloc_arc_worker(b, in, net, a), t[1] = a->score, t[2] = (int32_t)i;
        }
    }
    for (int32_t v = 0; v < nv && !rc; v++) {
        int32_t lo = net->v_start[v], hi = net->v_start[v + 1];
        qsort(tmp + 3 * lo, (size_t)(hi - lo), 3 * sizeof *tmp, alloc_arc_cmp);
        for (int32_t a = lo; a < hi && !rc; a++) {
            if (a > lo && tmp[3 * a] == tmp[3 * (a - 1)])
                rc = alloc_fail(out, "duplicate_arc", (size_t)tmp[3 * a + 2]);
            net->a_w[a] = tmp[3 * a], net->a_v[a] = v;
            net->a_score[a] = tmp[3 * a + 1];
            net->max_score = tmp[3 * a + 1] > net->max_score ? tmp[3 * a + 1] : net->max_score;
        }
    }
    free(tmp), free(fill);
    return rc == 1 ? ALLOC_E_NOMEM : rc;
}

/* Vacancy capacities and kinds. */
static int alloc_build_vacancies(struct alloc_build *b, const struct alloc_input *in,
                                 struct alloc_net *net)
{
    int32_t nv = net->nv;
    net->v_cap = malloc((size_t)nv * sizeof *net->v_cap + 1);
    net->v_oph = malloc((size_t)nv + 1);
    if (!net->v_cap || !net->v_oph)
        return ALLOC_E_NOMEM;
    for (int32_t v = 0; v < nv; v++) {
        const struct alloc_vacancy *V = &in->vacancies[b->v_input[v]];
        int64_t deg = net->v_start[v + 1] - net->v_start[v];
        net->v_cap[v] = (int32_t)(V->capacity < deg ? V->capacity : deg);
        net->v_oph[v] = (V->flags & ALLOC_V_ONE_PER_HOUSEHOLD) != 0;
    }
    return 0;
}

/* A household's members (or halves) with only one-per-household arcs share a
 * group node of capacity 1 when there are two or more. */
static int alloc_build_groups(struct alloc_net *net)
{
    int32_t nh = net->nh, ng = 0;
    net->h_group = malloc((size_t)nh * sizeof *net->h_group + 1);
    net->g_h = malloc((size_t)nh * sizeof *net->g_h + 1);
    net->w_up = malloc((size_t)net->nw * sizeof *net->w_up + 1);
    net->h_bonus = calloc((size_t)nh + 1, sizeof *net->h_bonus);
    if (!net->h_group || !net->g_h || !net->w_up || !net->h_bonus)
        return ALLOC_E_NOMEM;
    for (int32_t h = 0; h < nh; h++) {
        int only = 0;
        for (int32_t w = net->h_start[h]; w < net->h_start[h + 1]; w++)
            only += net->w_kind[w] == ALLOC_WK_OPH;
        net->h_group[h] = only >= 2 ? ng : -1;
        if (only >= 2)
            net->g_h[ng++] = h;
    }
    net->ng = ng;
    net->w0 = 1 + net->nv;
    net->g0 = net->w0 + net->nw;
    net->h0 = net->g0 + ng;
    net->n = net->h0 + nh;
    for (int32_t w = 0; w < net->nw; w++) {
        int32_t h = net->w_h[w], g = net->h_group[h];
        net->w_up[w] = g >= 0 && net->w_kind[w] == ALLOC_WK_OPH ? net->g0 + g : net->h0 + h;
    }
    return 0;
}

/*
 * The weights (docs/matching.md proves the order): with M the most posts
 * that can be filled and S = M x the highest score, bonus_monitored = S + 1
 * and bonus_zero = min(monitored households, M) x bonus_monitored + S + 1.
 */
static int alloc_weights(struct alloc_build *b, struct alloc_net *net, struct alloc_summary *s)
{
    __int128 m = 0;
    for (int32_t v = 0; v < net->nv; v++)
        m += net->v_cap[v];
    m = m < net->nw ? m : net->nw;
    __int128 smax = m * net->max_score, bmon = smax + 1;
    __int128 bzero = (b->n_mon < m ? b->n_mon : m) * bmon + smax + 1;
    if (bzero + bmon + net->max_score > ALLOC_WEIGHT_LIMIT)
        return ALLOC_E_RANGE;
    s->bonus_zero = (int64_t)bzero;
    s->bonus_monitored = (int64_t)bmon;
    for (int32_t h = 0; h < net->nh; h++) {
        net->h_bonus[h] = (net->h_flags[h] & ALLOC_H_ZERO_EMPLOYMENT ? s->bonus_zero : 0) +
                          (net->h_flags[h] & ALLOC_H_MONITORED ? s->bonus_monitored : 0);
        s->zero_households += (net->h_flags[h] & ALLOC_H_ZERO_EMPLOYMENT) != 0;
        s->monitored_households += (net->h_flags[h] & ALLOC_H_MONITORED) != 0;
    }
    return 0;
}

static int alloc_assignment_cmp(const void *pa, const void *pb)
{
    const struct alloc_assignment *a = pa, *b = pb;
    if (a->vacancy_id != b->vacancy_id)
        return a->vacancy_id < b->vacancy_id ? -1 : 1;
    return a->worker_id < b->worker_id ? -1 : a->worker_id > b->worker_id;
}

/* The member of h whose assignment counts for the household: best score, then lowest id. */
static int32_t alloc_cover(const struct alloc_build *b, const struct alloc_input *in,
                           const struct alloc_net *net, int32_t h)
{
    int32_t cover = -1;
    for (int32_t w = net->h_start[h]; w < net->h_start[h + 1]; w++) {
        int32_t a = net->w_arc[w];
        if (a < 0)
            continue;
        if (cover < 0 || net->a_score[a] > net->a_score[net->w_arc[cover]] ||
            (net->a_score[a] == net->a_score[net->w_arc[cover]] &&
             in->workers[b->w_input[w]].id < in->workers[b->w_input[cover]].id))
            cover = w;
    }
    return cover;
}

static int alloc_report_assigned(struct alloc_build *b, const struct alloc_input *in,
                                 const struct alloc_net *net, struct alloc_result *out)
{
    struct alloc_summary *s = &out->summary;
    uint32_t n = 0;
    for (int32_t w = 0; w < net->nw; w++)
        n += net->w_arc[w] >= 0;
    out->assignments = calloc((size_t)n + 1, sizeof *out->assignments);
    if (!out->assignments)
        return ALLOC_E_NOMEM;
    for (int32_t h = 0; h < net->nh; h++) {
        int32_t cover = alloc_cover(b, in, net, h);
        for (int32_t w = net->h_start[h]; w < net->h_start[h + 1]; w++) {
            int32_t a = net->w_arc[w];
            if (a < 0)
                continue;
            struct alloc_assignment *x = &out->assignments[out->n_assignments++];
            x->worker = b->w_input[w];
            x->vacancy = b->v_input[net->a_v[a]];
            x->worker_id = in->workers[x->worker].id;
            x->vacancy_id = in->vacancies[x->vacancy].id;
            x->score = net->a_score[a];
            x->covers = w == cover ? net->h_flags[h] : 0;
            s->total_score += x->score;
        }
        if (cover >= 0) {
            s->zero_covered += (net->h_flags[h] & ALLOC_H_ZERO_EMPLOYMENT) != 0;
            s->monitored_covered += (net->h_flags[h] & ALLOC_H_MONITORED) != 0;
        }
    }
    s->posts_filled = out->n_assignments;
    qsort(out->assignments, out->n_assignments, sizeof *out->assignments, alloc_assignment_cmp);
    return 0;
}

static enum alloc_why alloc_why_not(const struct alloc_net *net, int32_t w)
{
    if (w < 0)
        return ALLOC_WHY_NO_ELIGIBLE_POST;
    if (net->w_kind[w] != ALLOC_WK_OPH)
        return ALLOC_WHY_OUTSCORED;
    int32_t h = net->w_h[w];
    for (int32_t u = net->h_start[h]; u < net->h_start[h + 1]; u++)
        if (alloc_worker_oph_assigned(net, u))
            return ALLOC_WHY_HOUSEHOLD_RULE;
    return ALLOC_WHY_OUTSCORED;
}

/* Every input worker without a post, by id, with the reason. */
static int alloc_report_unassigned(struct alloc_build *b, const struct alloc_input *in,
                                   const struct alloc_net *net, struct alloc_result *out)
{
    uint32_t n = in->n_workers - out->n_assignments;
    out->unassigned = calloc((size_t)n + 1, sizeof *out->unassigned);
    b->best_arc = malloc((size_t)net->nw * sizeof *b->best_arc + 1);
    if (!out->unassigned || !b->best_arc)
        return ALLOC_E_NOMEM;
    for (int32_t w = 0; w < net->nw; w++)
        b->best_arc[w] = -1;
    for (int32_t a = 0; a < net->na; a++) { /* by vacancy id: the first best wins */
        int32_t w = net->a_w[a], k = b->best_arc[w];
        if (k < 0 || net->a_score[a] > net->a_score[k])
            b->best_arc[w] = a;
    }
    for (uint32_t i = 0; i < in->n_workers; i++) {
        uint32_t k = b->w_by_id[i];
        int32_t w = b->w_net[k], t = w >= 0 ? net->w_twin[w] : -1;
        if (w >= 0 && (net->w_arc[w] >= 0 || (t >= 0 && net->w_arc[t] >= 0)))
            continue;
        struct alloc_unassigned *u = &out->unassigned[out->n_unassigned++];
        u->worker = k;
        u->worker_id = in->workers[k].id;
        u->why = alloc_why_not(net, w);
        u->best_score = -1;
        if (w >= 0) {
            int32_t a = b->best_arc[w], c = t >= 0 ? b->best_arc[t] : -1;
            if (c >= 0 && (net->a_score[c] > net->a_score[a] ||
                           (net->a_score[c] == net->a_score[a] && net->a_v[c] < net->a_v[a])))
                a = c;
            u->best_vacancy_id = in->vacancies[b->v_input[net->a_v[a]]].id;
            u->best_score = net->a_score[a];
        }
        out->summary.why[u->why]++;
    }
    return 0;
}

static void alloc_build_free(struct alloc_build *b)
{
    free(b->v_input), free(b->v_rank), free(b->w_by_id), free(b->w_by_hh);
    free(b->w_net), free(b->w_input), free(b->best_arc);
}

static int alloc_prepare(struct alloc_build *b, const struct alloc_input *in, struct alloc_net *net,
                         struct alloc_result *out)
{
    int rc = alloc_check(in, out);
    if (!rc)
        rc = alloc_order(b, in, out);
    if (!rc)
        rc = alloc_build_workers(b, in, net);
    if (!rc)
        rc = alloc_build_arcs(b, in, net, out);
    if (!rc)
        rc = alloc_build_vacancies(b, in, net);
    if (!rc)
        rc = alloc_build_groups(net);
    if (!rc)
        rc = alloc_weights(b, net, &out->summary);
    if (!rc)
        rc = alloc_net_search_init(net);
    return rc;
}

int alloc_net_build(const struct alloc_input *in, struct alloc_net *net)
{
    struct alloc_build b = {0};
    struct alloc_result out;
    memset(&out, 0, sizeof out);
    memset(net, 0, sizeof *net);
    int rc = alloc_prepare(&b, in, net, &out);
    alloc_build_free(&b);
    return rc;
}

int alloc_solve(const struct alloc_input *in, const struct alloc_options *opt,
                struct alloc_result *out)
{
    memset(out, 0, sizeof *out);
    struct alloc_build b = {0};
    struct alloc_net net = {0};
    struct alloc_ctl ctl = {.opt = opt};
    int rc = alloc_prepare(&b, in, &net, out);
    if (!rc) {
        struct alloc_summary *s = &out->summary;
        s->vacancies = in->n_vacancies;
        s->workers = in->n_workers;
        s->workers_with_arcs = (uint32_t)net.nw;
        s->arcs = (uint64_t)net.na;
        s->households = (uint32_t)net.nh;
        for (uint32_t v = 0; v < in->n_vacancies; v++)
            s->posts += in->vacancies[v].capacity;
        for (int32_t h = 0; h < net.nh; h++)
            s->conflict_households += net.h_conflict[h];
        struct alloc_value bound = {0, 0, 0};
        rc = alloc_bb_solve(&net, &ctl, &s->bb_nodes, &bound, &s->gap);
        s->bound_zero = (uint32_t)bound.zero;
        s->bound_monitored = (uint32_t)bound.monitored;
        s->bound_score = bound.score;
        s->searches = ctl.searches;
        s->pops = ctl.pops;
        s->proven_optimal = rc == ALLOC_OK;
    }
    int rr = 0;
    if (rc == ALLOC_OK || rc == ALLOC_NOT_PROVEN) {
        rr = alloc_report_assigned(&b, in, &net, out);
        if (!rr)
            rr = alloc_report_unassigned(&b, in, &net, out);
        if (!rr && opt && opt->progress && ctl.reported < 100)
            opt->progress(opt->progress_arg, 100);
    }
    alloc_build_free(&b);
    alloc_net_free(&net);
    if (rr)
        rc = rr;
    if (rc < 0) {
        const char *e = out->error;
        size_t ei = out->error_index;
        alloc_result_free(out);
        out->error = e;
        out->error_index = ei;
    }
    return rc;
}

void alloc_result_free(struct alloc_result *r)
{
    if (!r)
        return;
    free(r->assignments);
    free(r->unassigned);
    memset(r, 0, sizeof *r);
}

const char *alloc_status_code(int status)
{
    switch (status) {
    case ALLOC_OK:
        return "ok";
    case ALLOC_NOT_PROVEN:
        return "not_proven";
    case ALLOC_CANCELLED:
        return "cancelled";
    case ALLOC_E_INPUT:
        return "invalid_input";
    case ALLOC_E_NOMEM:
        return "out_of_memory";
    case ALLOC_E_RANGE:
        return "too_large";
    }
    return "unknown";
}

const char *alloc_why_code(enum alloc_why why)
{
    static const char *const codes[ALLOC_WHY_COUNT] = {"outscored", "no_eligible_post",
                                                       "household_rule"};
    return (unsigned)why < ALLOC_WHY_COUNT ? codes[why] : "unknown";
}
