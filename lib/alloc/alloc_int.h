/*
 * alloc_int: the flow network shared by alloc*.c.  Not part of the API: only
 * lib/alloc/ and the unit tests include it.
 *
 * Nodes: 0 is the sink S, then the vacancies (by id), the workers with arcs
 * (by household id, then id), the one-per-household groups, the households
 * (by id).  Flow runs vacancy -> worker -> [group ->] household -> S; a post
 * left empty runs vacancy -> S directly.  docs/matching.md has the model.
 */
#ifndef LEYE_ALLOC_INT_H
#define LEYE_ALLOC_INT_H

#include "alloc.h"

#define ALLOC_ARC_FREE 0 /* eligible, unused */
#define ALLOC_ARC_FLOW 1 /* the worker holds this post */
#define ALLOC_ARC_OFF 2  /* switched off by a branch-and-bound node */

#define ALLOC_WK_OPH 0x1 /* the worker has arcs to one-per-household vacancies */
#define ALLOC_WK_REG 0x2 /* ... and to others */

#define ALLOC_WEIGHT_LIMIT ((int64_t)1 << 60) /* bonus_zero + bonus_monitored + max score */

struct alloc_heap_item {
    int64_t d;
    int32_t node;
};

struct alloc_ctl {
    const struct alloc_options *opt;
    int base, span;   /* progress of this solve maps to base .. base + span percent */
    int reported;     /* last percentage given to the callback */
    uint64_t searches, pops;
};

struct alloc_net {
    int32_t nv, nw, ng, nh, n; /* node counts; n = 1 + nv + nw + ng + nh */
    int32_t w0, g0, h0;        /* first node of the workers, groups, households */
    int32_t max_score;
    /* vacancies */
    int32_t *v_start; /* nv + 1: the vacancy's arcs */
    int32_t *v_cap;   /* min(capacity, arcs) */
    int32_t *v_excess;
    uint8_t *v_oph;
    /* arcs, by vacancy then worker */
    int32_t na;
    int32_t *a_w, *a_v, *a_score;
    int32_t *a_eff; /* the score the flow sees: a_score less the worker's penalty (alloc_bb.c) */
    uint8_t *a_state;
    /* workers */
    int32_t *w_arc; /* the arc it holds, or -1 */
    int32_t *w_up;  /* its group's or household's node */
    int32_t *w_h;
    uint8_t *w_kind; /* ALLOC_WK_* */
    int32_t *w_twin; /* the other half of a split worker, or -1 */
    /* one-per-household groups: the members with only such arcs, when two or more */
    int32_t *g_h;
    uint8_t *g_flow;
    /* households */
    int32_t *h_start; /* nh + 1: members */
    int32_t *h_group; /* or -1 */
    int32_t *h_flow;  /* members holding a post */
    int64_t *h_bonus;
    uint8_t *h_flags;   /* ALLOC_H_* */
    uint8_t *h_conflict; /* has split workers: may need branch and bound (docs) */
    /* the search */
    int64_t *pi, *dist;
    int32_t *pred, *pred_arc; /* pred_arc: by worker, the arc it was reached by */
    uint32_t *seen, *done, stamp;
    struct alloc_heap_item *heap;
    size_t heap_n, heap_cap;
    int32_t *popped;
    size_t n_popped;
};

/* lexicographic objective of a solution */
struct alloc_value {
    int64_t zero, monitored, score;
};

/* alloc_flow.c */
int alloc_net_search_init(struct alloc_net *net) ALLOC_WUR; /* 0 or ALLOC_E_NOMEM */
void alloc_net_free(struct alloc_net *net);
void alloc_net_reset(struct alloc_net *net);
int alloc_flow_solve(struct alloc_net *net, struct alloc_ctl *ctl) ALLOC_WUR;
void alloc_net_value(const struct alloc_net *net, struct alloc_value *v);
int alloc_value_cmp(const struct alloc_value *a, const struct alloc_value *b);
int alloc_ctl_progress(struct alloc_ctl *ctl, uint64_t done, uint64_t total) ALLOC_WUR;

/* alloc_bb.c: the whole solve, with prices and branch and bound where members
 * are split.  Leaves the chosen assignment in net (w_arc, a_state, h_flow);
 * *bound gets the first relaxation's value, which no solution exceeds, and
 * *gap how far (folded) the result may be from the optimum with
 * ALLOC_NOT_PROVEN. */
int alloc_bb_solve(struct alloc_net *net, struct alloc_ctl *ctl, uint32_t *nodes,
                   struct alloc_value *bound, int64_t *gap) ALLOC_WUR;

static inline int alloc_worker_oph_assigned(const struct alloc_net *net, int32_t w)
{
    return net->w_arc[w] >= 0 && net->v_oph[net->a_v[net->w_arc[w]]];
}

#endif
