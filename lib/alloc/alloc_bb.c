/*
 * alloc_bb: the one-per-household rule where the flow network cannot hold it.
 *
 * A household's members with only one-per-household arcs share a group node
 * of capacity 1: exact.  A member with arcs to both kinds of vacancy cannot
 * go through such a node without the network losing which worker took which
 * post, and the general problem is NP-hard (docs/matching.md).  alloc.c
 * splits such a member in two workers, one per kind of arc: its
 * one-per-household half joins the group, so the rule holds exactly, and
 * the flow solves a relaxation in which the member may hold two posts.
 *
 * When it does, five steps, each a few flow problems:
 *   1. Lagrangian prices: a split member pays mu on the arc up of both
 *      halves (every post it holds) and the objective gets sum(mu) back, so
 *      no solution of the original problem loses value and the optimum
 *      bounds it from above.  mu rises for members holding two posts and
 *      falls for priced members holding none, each with its own step
 *      (doubled while the sign holds, halved when it turns).  Every
 *      relaxation, with the lower post of each doubly placed member dropped,
 *      is a feasible solution.
 *   2. Stop whenever the best bound meets the best solution: proven.
 *   3. A dive from the best prices: the lower half of every member holding
 *      two posts is closed and the flow solved again, so that the posts
 *      given up go to the next best workers, until no member holds two; a
 *      much better solution than dropping posts, which step 4 needs.
 *   4. The prices again, with Polyak's step towards that solution: the
 *      per-member steps of step 1 cycle long before the bound is tight.
 *      Steps 3 and 4 repeat while they narrow the gap (better prices make
 *      a better dive, and a better solution a better target).
 *   5. Otherwise branch and bound with the best prices: on a member holding
 *      two posts (or a priced member holding none) first the half with the
 *      lower post has its arc up closed, then the other half.  Depth first;
 *      a node whose bound does not beat the best solution is pruned.
 * Only the first flow problem is solved from scratch: a price or a branch
 * changes the arcs up of a few halves, and alloc_flow_resolve starts from the
 * last optimum.  Measured on 1,000,000 workers and 100,000 posts (5,837
 * households with a split member): the first takes about 2.5 s and 99,000
 * searches, the 96 later ones 16,000 searches together (from scratch each
 * took as long as the first); after step 1 the bound is 440,000 hundredths
 * above the best solution, after the first dive 21,000, after step 4 57,
 * and the second dive finds a solution that meets the bound: proven.
 * Values are compared folded into one integer (128 bits: they may pass 2^63).
 */
#include "alloc/alloc_int.h"

#include <stdlib.h>
#include <string.h>

#define ALLOC_LAGRANGE_ITERS 40 /* most flow problems spent on prices */
#define ALLOC_LAGRANGE_STALL 4  /* rounds without a better bound before the dive */
#define ALLOC_POLYAK_ITERS 200  /* most flow problems spent on prices after the dive */
#define ALLOC_POLYAK_STALL 5    /* rounds without a better bound before the step halves */
#define ALLOC_POLYAK_HALVINGS 14
#define ALLOC_DIVE_ROUNDS 8 /* most rounds of steps 3 and 4 */

typedef __int128 alloc_wide;

struct alloc_bb {
    struct alloc_net *net;
    struct alloc_ctl *ctl;
    uint32_t budget, nodes;
    bool exhausted;
    bool have_best;
    alloc_wide best, lbest;   /* best feasible value, best bound */
    struct alloc_value bound; /* the first relaxation's value */
    int32_t *best_arc;        /* by worker: the incumbent's arcs */
    int32_t *changed;         /* workers whose arc up changed since the last flow problem */
    uint8_t *is_changed;
    size_t n_changed;
    int32_t n_split;
    int32_t *split; /* first halves of the split members */
    int32_t *dive;  /* halves a dive closed */
    int64_t *mu, *step, *mu_best, mu_sum;
    int8_t *last;   /* sign of the last move of mu */
    uint8_t *fixed; /* a branch above switched one half off */
};

/* The folded value of the flow in net, without the prices. */
static alloc_wide alloc_bb_folded(const struct alloc_net *net)
{
    alloc_wide v = 0;
    for (int32_t w = 0; w < net->nw; w++)
        if (net->w_arc[w] >= 0)
            v += net->a_score[net->w_arc[w]];
    for (int32_t h = 0; h < net->nh; h++)
        if (net->h_flow[h])
            v += net->h_bonus[h];
    return v;
}

static int alloc_bb_posts(const struct alloc_net *net, int32_t f)
{
    return (net->w_arc[f] >= 0) + (net->w_arc[f + 1] >= 0);
}

/* Of split member f holding two posts, the half with the lower one (the later on ties). */
static int32_t alloc_bb_lower(const struct alloc_net *net, int32_t f)
{
    return net->a_score[net->w_arc[f]] < net->a_score[net->w_arc[f + 1]] ? f : f + 1;
}

/* The flow (of folded value v) with every member's lower post dropped:
 * feasible; kept if best so far.  Households stay covered: their member
 * keeps a post. */
static void alloc_bb_incumbent(struct alloc_bb *bb, alloc_wide v)
{
    const struct alloc_net *net = bb->net;
    for (int32_t i = 0; i < bb->n_split; i++)
        if (alloc_bb_posts(net, bb->split[i]) == 2)
            v -= net->a_score[net->w_arc[alloc_bb_lower(net, bb->split[i])]];
    if (bb->have_best && v <= bb->best)
        return;
    bb->have_best = true;
    bb->best = v;
    memcpy(bb->best_arc, net->w_arc, (size_t)net->nw * sizeof *bb->best_arc);
    for (int32_t i = 0; i < bb->n_split; i++)
        if (alloc_bb_posts(net, bb->split[i]) == 2)
            bb->best_arc[alloc_bb_lower(net, bb->split[i])] = -1;
}

/* Worker w's arc up changed: the next flow problem starts by looking at it. */
static void alloc_bb_changed(struct alloc_bb *bb, int32_t w)
{
    if (!bb->is_changed[w]) {
        bb->is_changed[w] = 1;
        bb->changed[bb->n_changed++] = w;
    }
}

static void alloc_bb_set_mu(struct alloc_bb *bb, int32_t i, int64_t mu)
{
    int32_t f = bb->split[i];
    bb->mu_sum += mu - bb->mu[i];
    bb->mu[i] = mu;
    for (int32_t w = f; w <= f + 1; w++) {
        if (bb->net->w_cost[w] != mu)
            alloc_bb_changed(bb, w);
        bb->net->w_cost[w] = (int32_t)mu;
    }
}

/* Closes worker w's arc up (on = false: it holds no post), or opens it again.
 * A half is closed by one open branch at most: its member is then fixed. */
static void alloc_bb_switch(struct alloc_bb *bb, int32_t w, bool on)
{
    bb->net->w_off[w] = !on;
    alloc_bb_changed(bb, w);
}

/* One flow problem: the first from scratch, the others from the last optimum.
 * Progress: the first counts for half, the others share the rest. */
static int alloc_bb_solve_one(struct alloc_bb *bb, alloc_wide *lagrange)
{
    if (bb->nodes >= bb->budget) {
        bb->exhausted = true;
        return 0;
    }
    bb->nodes++;
    bb->ctl->base = bb->nodes == 1 ? 0 : 50 + (int)(49ull * bb->nodes / bb->budget);
    bb->ctl->span = bb->nodes == 1 ? 50 : 0;
    int rc;
    if (bb->nodes == 1) {
        alloc_net_reset(bb->net);
        rc = alloc_flow_solve(bb->net, bb->ctl);
    } else {
        rc = alloc_flow_resolve(bb->net, bb->ctl, bb->changed, bb->n_changed);
    }
    for (size_t i = 0; i < bb->n_changed; i++)
        bb->is_changed[bb->changed[i]] = 0;
    bb->n_changed = 0;
    if (!rc) { /* only split halves carry a price */
        const struct alloc_net *net = bb->net;
        alloc_wide v = alloc_bb_folded(net), paid = 0;
        for (int32_t i = 0; i < bb->n_split; i++)
            for (int32_t w = bb->split[i]; w <= bb->split[i] + 1; w++)
                paid += net->w_arc[w] >= 0 ? net->w_cost[w] : 0;
        *lagrange = v - paid + bb->mu_sum;
        alloc_bb_incumbent(bb, v);
    }
    return rc;
}

/* Moves the prices along the subgradient; false when none moved. */
static bool alloc_bb_price(struct alloc_bb *bb)
{
    bool moved = false;
    int64_t cap = bb->net->max_score;
    for (int32_t i = 0; i < bb->n_split; i++) {
        int g = alloc_bb_posts(bb->net, bb->split[i]) - 1;
        if (g == 0 || (g < 0 && bb->mu[i] == 0))
            continue;
        if (bb->last[i] == g)
            bb->step[i] = bb->step[i] * 2 < cap ? bb->step[i] * 2 : cap;
        else if (bb->last[i])
            bb->step[i] = bb->step[i] / 2 > 1 ? bb->step[i] / 2 : 1;
        bb->last[i] = (int8_t)g;
        int64_t mu = bb->mu[i] + g * bb->step[i];
        mu = mu < 0 ? 0 : mu > cap ? cap : mu;
        moved |= mu != bb->mu[i];
        alloc_bb_set_mu(bb, i, mu);
    }
    return moved;
}

/* Steps 1 and 2: *proven when the bound meets a solution.  Stops early when
 * the bound has not improved for a few rounds (the steps then cycle). */
static int alloc_bb_lagrange(struct alloc_bb *bb, bool *proven)
{
    int rc = 0, stall = 0;
    for (int it = 0; it < ALLOC_LAGRANGE_ITERS && !rc && !*proven; it++) {
        if (stall >= ALLOC_LAGRANGE_STALL || !alloc_bb_price(bb))
            break;
        alloc_wide l = 0;
        rc = alloc_bb_solve_one(bb, &l);
        if (rc || bb->exhausted)
            break;
        stall++;
        if (l < bb->lbest) {
            stall = 0;
            bb->lbest = l;
            memcpy(bb->mu_best, bb->mu, (size_t)bb->n_split * sizeof *bb->mu);
        }
        *proven = bb->lbest <= bb->best;
    }
    for (int32_t i = 0; i < bb->n_split; i++)
        alloc_bb_set_mu(bb, i, bb->mu_best[i]);
    return rc;
}

/*
 * Step 3, the dive, from the best prices: each round closes the lower half of
 * every member holding two posts (that member is then settled, without a
 * price) and solves again, so that the posts given up go to the next best
 * workers; when no member holds two, the members holding none lose their
 * price (it only kept them out) and the rounds go on.  Every round's flow
 * gives a solution (alloc_bb_incumbent); the last has no member on two
 * posts.  The prices and halves are put back afterwards: the next flow
 * problem starts from the dive's flow.
 */
static int alloc_bb_dive(struct alloc_bb *bb)
{
    alloc_wide l = 0;
    int rc = bb->n_changed ? alloc_bb_solve_one(bb, &l) : 0; /* the flow of the best prices */
    int32_t n_closed = 0;
    while (!rc && !bb->exhausted) {
        int32_t closed = 0;
        for (int32_t i = 0; i < bb->n_split; i++) {
            int32_t f = bb->split[i];
            if (bb->fixed[i] || alloc_bb_posts(bb->net, f) != 2)
                continue;
            int32_t lo = alloc_bb_lower(bb->net, f);
            bb->fixed[i] = 1;
            alloc_bb_set_mu(bb, i, 0);
            alloc_bb_switch(bb, lo, false);
            bb->dive[n_closed++] = lo;
            closed++;
        }
        if (!closed) {
            for (int32_t i = 0; i < bb->n_split; i++)
                if (bb->mu[i] && alloc_bb_posts(bb->net, bb->split[i]) == 0)
                    alloc_bb_set_mu(bb, i, 0), closed++;
        }
        if (!closed)
            break;
        rc = alloc_bb_solve_one(bb, &l);
    }
    for (int32_t k = 0; k < n_closed; k++)
        alloc_bb_switch(bb, bb->dive[k], true);
    for (int32_t i = 0; i < bb->n_split; i++) {
        bb->fixed[i] = 0;
        alloc_bb_set_mu(bb, i, bb->mu_best[i]);
    }
    return rc;
}

/* The members the subgradient moves: holding two posts, or priced and holding none. */
static int64_t alloc_bb_movers(const struct alloc_bb *bb)
{
    int64_t n = 0;
    for (int32_t i = 0; i < bb->n_split; i++) {
        int g = alloc_bb_posts(bb->net, bb->split[i]) - 1;
        n += g > 0 || (g < 0 && bb->mu[i] > 0);
    }
    return n;
}

/*
 * Step 4: the prices again, now that a good solution is known, with Polyak's
 * step towards it: every mover's price goes by (l - best) / (movers x 2^k)
 * (at least 1), k growing by one after ALLOC_POLYAK_STALL rounds without a
 * better bound.  Integers only: the same input gives the same prices.
 */
static int alloc_bb_polyak(struct alloc_bb *bb)
{
    alloc_wide l = 0;
    int rc = alloc_bb_solve_one(bb, &l); /* back to the best prices after the dive */
    int64_t cap = bb->net->max_score;
    for (int it = 0, k = 0, stall = 0; it < ALLOC_POLYAK_ITERS && k <= ALLOC_POLYAK_HALVINGS &&
                                       !rc && !bb->exhausted && bb->lbest > bb->best;
         it++) {
        int64_t n = alloc_bb_movers(bb);
        if (!n)
            break; /* every member on one post at most, every priced one on one: l is a value */
        alloc_wide t = (l - bb->best) / ((alloc_wide)n << k);
        int64_t step = t < 1 ? 1 : t > cap ? cap : (int64_t)t;
        for (int32_t i = 0; i < bb->n_split; i++) {
            int g = alloc_bb_posts(bb->net, bb->split[i]) - 1;
            if (g == 0 || (g < 0 && bb->mu[i] == 0))
                continue;
            int64_t mu = bb->mu[i] + g * step;
            alloc_bb_set_mu(bb, i, mu < 0 ? 0 : mu > cap ? cap : mu);
        }
        rc = alloc_bb_solve_one(bb, &l);
        if (rc || bb->exhausted)
            break;
        if (l < bb->lbest) {
            bb->lbest = l;
            memcpy(bb->mu_best, bb->mu, (size_t)bb->n_split * sizeof *bb->mu);
            stall = 0;
        } else if (++stall >= ALLOC_POLYAK_STALL) {
            if (t < 1)
                break; /* the steps are 1 already */
            k++;
            stall = 0;
        }
    }
    for (int32_t i = 0; i < bb->n_split; i++)
        alloc_bb_set_mu(bb, i, bb->mu_best[i]);
    return rc;
}

/* A member to branch on: holding two posts, else priced and holding none; or -1. */
static int32_t alloc_bb_pick(const struct alloc_bb *bb)
{
    for (int32_t i = 0; i < bb->n_split; i++)
        if (!bb->fixed[i] && alloc_bb_posts(bb->net, bb->split[i]) == 2)
            return i;
    for (int32_t i = 0; i < bb->n_split; i++)
        if (!bb->fixed[i] && bb->mu[i] > 0 && alloc_bb_posts(bb->net, bb->split[i]) == 0)
            return i;
    return -1;
}

/* Step 5.  Below a branch the member has one half left: it needs no price. */
static int alloc_bb_node(struct alloc_bb *bb)
{
    alloc_wide l = 0;
    int rc = alloc_bb_solve_one(bb, &l);
    if (rc || bb->exhausted || l <= bb->best)
        return rc;
    int32_t i = alloc_bb_pick(bb);
    if (i < 0)
        return 0; /* feasible with every price paid: l is its value */
    int32_t f = bb->split[i];
    int32_t first = alloc_bb_posts(bb->net, f) == 2 ? alloc_bb_lower(bb->net, f) : f;
    int32_t second = first == f ? f + 1 : f;
    int64_t mu = bb->mu[i];
    alloc_bb_set_mu(bb, i, 0);
    bb->fixed[i] = 1;
    alloc_bb_switch(bb, first, false);
    rc = alloc_bb_node(bb);
    alloc_bb_switch(bb, first, true);
    if (!rc && !bb->exhausted) {
        alloc_bb_switch(bb, second, false);
        rc = alloc_bb_node(bb);
        alloc_bb_switch(bb, second, true);
    }
    bb->fixed[i] = 0;
    alloc_bb_set_mu(bb, i, mu);
    return rc;
}

static int alloc_bb_index(struct alloc_bb *bb)
{
    struct alloc_net *net = bb->net;
    size_t nw = (size_t)net->nw + 1;
    bb->best_arc = malloc(nw * sizeof *bb->best_arc);
    bb->changed = malloc(nw * sizeof *bb->changed);
    bb->is_changed = calloc(nw, 1);
    bb->split = malloc(nw * sizeof *bb->split);
    bb->dive = malloc(nw * sizeof *bb->dive);
    bb->mu = calloc(nw, sizeof *bb->mu);
    bb->mu_best = calloc(nw, sizeof *bb->mu_best);
    bb->step = malloc(nw * sizeof *bb->step);
    bb->last = calloc(nw, 1);
    bb->fixed = calloc(nw, 1);
    if (!bb->best_arc || !bb->changed || !bb->is_changed || !bb->split || !bb->dive || !bb->mu ||
        !bb->mu_best || !bb->step || !bb->last || !bb->fixed)
        return ALLOC_E_NOMEM;
    for (int32_t w = 0; w < net->nw; w++) {
        if (net->w_twin[w] > w) {
            bb->step[bb->n_split] = 1 + net->max_score / 64;
            bb->split[bb->n_split++] = w;
        }
    }
    return 0;
}

static void alloc_bb_free(struct alloc_bb *bb)
{
    free(bb->best_arc), free(bb->changed), free(bb->is_changed);
    free(bb->split), free(bb->dive), free(bb->mu), free(bb->mu_best), free(bb->step);
    free(bb->last), free(bb->fixed);
}

/* The root: the relaxation without prices, then steps 1-3 while it is not proven. */
static int alloc_bb_run(struct alloc_bb *bb)
{
    alloc_wide l = 0;
    int rc = alloc_bb_solve_one(bb, &l);
    if (rc)
        return rc;
    alloc_net_value(bb->net, &bb->bound);
    bb->lbest = l;
    bool proven = l <= bb->best;
    rc = alloc_bb_lagrange(bb, &proven);
    /* Steps 3 and 4 again while they narrow the gap: better prices make a
     * better dive, whose solution makes Polyak's target closer. */
    alloc_wide gap = bb->lbest - bb->best + 1;
    for (int round = 0; round < ALLOC_DIVE_ROUNDS && !rc && !proven && !bb->exhausted &&
                        bb->lbest - bb->best < gap;
         round++) {
        gap = bb->lbest - bb->best;
        rc = alloc_bb_dive(bb);
        if (!rc && !bb->exhausted && bb->lbest > bb->best)
            rc = alloc_bb_polyak(bb);
        proven = bb->lbest <= bb->best;
    }
    if (!rc && !proven && !bb->exhausted)
        rc = alloc_bb_node(bb);
    return rc;
}

int alloc_bb_solve(struct alloc_net *net, struct alloc_ctl *ctl, uint32_t *nodes,
                   struct alloc_value *bound, int64_t *gap)
{
    bool split = false;
    for (int32_t w = 0; w < net->nw && !split; w++)
        split = net->w_twin[w] >= 0;
    *nodes = 1;
    *gap = 0;
    if (!split) {
        ctl->base = 0, ctl->span = 100;
        alloc_net_reset(net);
        int rc = alloc_flow_solve(net, ctl);
        alloc_net_value(net, bound);
        return rc;
    }
    struct alloc_bb bb = {.net = net, .ctl = ctl};
    bb.budget =
        ctl->opt && ctl->opt->max_bb_nodes ? ctl->opt->max_bb_nodes : ALLOC_DEFAULT_BB_NODES;
    int rc = alloc_bb_index(&bb);
    if (!rc)
        rc = alloc_bb_run(&bb);
    if (!rc && bb.have_best)
        alloc_net_assign(net, bb.best_arc);
    *nodes = bb.nodes;
    *bound = bb.bound;
    if (!rc && bb.exhausted && bb.lbest > bb.best) {
        alloc_wide g = bb.lbest - bb.best;
        *gap = g > INT64_MAX ? INT64_MAX : (int64_t)g;
        rc = ALLOC_NOT_PROVEN;
    }
    alloc_bb_free(&bb);
    return rc;
}
