/*
 * alloc_int: the flow network shared by alloc*.c.  Not part of the API: only
 * lib/alloc/ and the unit tests include it.
 *
 * Nodes: 0 is the sink S, then the vacancies (by id), the workers with arcs
 * (by household id, then id), the one-per-household groups, the households
 * (by id).  Flow runs vacancy -> worker -> [group ->] household -> S; a post
 * left empty runs vacancy -> S directly.  docs/matching.md has the model.
 *
 * Arcs and their costs (the flow minimizes; scores and bonuses are gains):
 *   vacancy -> worker     capacity 1, -score (the eligible pairs)
 *   vacancy -> S          unbounded, 0 (posts left empty)
 *   worker -> its "up"    capacity 1, w_cost (0, or the price alloc_bb.c puts
 *                         on a split member; closed while w_off is set)
 *   group -> household    capacity 1, 0
 *   household -> S        the first unit -bonus, any further unit 0
 * A worker's capacity is its arc up: it holds at most one post.
 *
 * The flow may be a pseudo-flow while alloc_flow.c works on it: node.ex is
 * supply + inflow - outflow, positive at a source, negative at a node that
 * still owes a unit.  Between calls every node is balanced except that the
 * vacancies of alloc_net_reset hold their posts as excess and S owes them.
 */
#ifndef LEYE_ALLOC_INT_H
#define LEYE_ALLOC_INT_H

#include "alloc.h"

#define ALLOC_ARC_FREE 0 /* eligible, unused */
#define ALLOC_ARC_FLOW 1 /* the worker holds this post */

#define ALLOC_WK_OPH 0x1 /* the worker has arcs to one-per-household vacancies */
#define ALLOC_WK_REG 0x2 /* ... and to others */

#define ALLOC_WEIGHT_LIMIT ((int64_t)1 << 60) /* bonus_zero + bonus_monitored + max score */

struct alloc_heap_item {
    int64_t d;
    int32_t node; /* a node, or -1 - k for the next arcs of a vacancy from its slot k */
};

struct alloc_ctl {
    const struct alloc_options *opt;
    int base, span; /* progress of this solve maps to base .. base + span percent */
    int reported;   /* last percentage given to the callback */
    uint64_t searches, pops;
};

/* A node's search state, packed so that a relaxation touches one cache line. */
struct alloc_node {
    int64_t pi;    /* potential: every residual arc x -> y has c + pi(x) - pi(y) >= 0 */
    int64_t dist;  /* label in the current search */
    uint32_t seen; /* == stamp: labelled in the current search */
    uint32_t done; /* == stamp: settled */
    int32_t pred;  /* the neighbour it was labelled from; -2 - a over the free arc a */
    int32_t ex;    /* excess (see above) */
};

/* A vacancy's arc in the order its search relaxes them: key = score + pi(worker)
 * when last looked at, which only overestimates the arc's worth (alloc_flow.c). */
struct alloc_slot {
    int64_t key;
    int32_t arc, w;
};

struct alloc_net {
    int32_t nv, nw, ng, nh, n; /* node counts; n = 1 + nv + nw + ng + nh */
    int32_t w0, g0, h0;        /* first node of the workers, groups, households */
    int32_t max_score;
    /* vacancies */
    int32_t *v_start; /* nv + 1: the vacancy's arcs and slots */
    int32_t *v_cap;   /* min(capacity, arcs) */
    int32_t *v_empty; /* posts left empty (flow on vacancy -> S) */
    uint8_t *v_oph;
    struct alloc_slot *slot; /* by vacancy, highest key first (ties: lower arc) */
    /* arcs, by vacancy then worker */
    int32_t na;
    int32_t *a_w, *a_v, *a_score;
    int32_t *a_slot; /* where the arc sits in slot */
    uint8_t *a_state;
    /* workers */
    int32_t *w_start, *w_arcs; /* nw + 1 and na: each worker's arcs */
    int32_t *w_arc;            /* the arc it holds, or -1 */
    int32_t *w_up;             /* its group's or household's node */
    int32_t *w_h;
    int32_t *w_cost; /* cost of its arc up (alloc_bb.c's prices) */
    uint8_t *w_fwd;  /* flow on its arc up; a worker holding a post always has it */
    uint8_t *w_off;  /* its arc up is closed (a branch of alloc_bb.c) */
    uint8_t *w_kind; /* ALLOC_WK_* */
    int32_t *w_twin; /* the other half of a split worker, or -1 */
    /* one-per-household groups: the members with only such arcs, when two or more */
    int32_t *g_h;
    uint8_t *g_flow;
    /* households */
    int32_t *h_start; /* nh + 1: members */
    int32_t *h_group; /* or -1 */
    int32_t *h_flow;  /* units on household -> S: > 0 when covered */
    int64_t *h_bonus;
    uint8_t *h_flags;    /* ALLOC_H_* */
    uint8_t *h_conflict; /* has split workers: may need branch and bound (docs) */
    /* the searches */
    struct alloc_node *node;
    uint32_t stamp;
    struct alloc_heap_item *heap;
    size_t heap_n, heap_cap;
    int32_t *popped; /* settled nodes of the current search */
    size_t n_popped;
    uint32_t *v_dirty; /* == stamp: the vacancy's slots need sorting again */
    int32_t *dirty;
    size_t n_dirty;
    int32_t *todo; /* nodes that may be out of balance (alloc_flow_resolve) */
    uint8_t *in_todo;
    size_t n_todo;
};

/* lexicographic objective of a solution */
struct alloc_value {
    int64_t zero, monitored, score;
};

/* alloc_flow.c */
int alloc_net_search_init(struct alloc_net *net) ALLOC_WUR; /* 0 or ALLOC_E_NOMEM */
void alloc_net_free(struct alloc_net *net);
/* No flow, the least potentials; every vacancy holds its posts as excess. */
void alloc_net_reset(struct alloc_net *net);
/* Min-cost flow from alloc_net_reset's state: a post at a time, best vacancy first
 * (and the slots sorted first). */
int alloc_flow_solve(struct alloc_net *net, struct alloc_ctl *ctl) ALLOC_WUR;
/* Min-cost flow again after w_cost or w_off changed for the workers listed,
 * starting from the optimum before the change (warm start). */
int alloc_flow_resolve(struct alloc_net *net, struct alloc_ctl *ctl, const int32_t *changed,
                       size_t n_changed) ALLOC_WUR;
/* Replaces the flow by the assignment w_arc (by worker, balanced). */
void alloc_net_assign(struct alloc_net *net, const int32_t *w_arc);
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

/* alloc.c, for the unit tests: the network of in, ready for alloc_net_reset
 * (free it with alloc_net_free).  0, ALLOC_E_INPUT, ALLOC_E_NOMEM or ALLOC_E_RANGE. */
int alloc_net_build(const struct alloc_input *in, struct alloc_net *net) ALLOC_WUR;

static inline int alloc_worker_oph_assigned(const struct alloc_net *net, int32_t w)
{
    return net->w_arc[w] >= 0 && net->v_oph[net->a_v[net->w_arc[w]]];
}

#endif
