/*
 * alloc_flow: min-cost flow by successive shortest paths, one post at a time.
 *
 * Each vacancy is a source with one unit per post; S is the only sink.  A
 * search is Dijkstra over reduced costs c(x,y) + pi(x) - pi(y) >= 0 from the
 * vacancy until S is settled; the flow moves along that path (one unit; all
 * the vacancy's units when the path is the empty-post arc), and the settled
 * nodes' potentials drop by D - d(x), which keeps every reduced cost >= 0 and
 * pi(S) = 0.  Ties go to the lower node index (S is node 0), so the result
 * depends only on the canonical order set up by alloc.c.
 */
#include "alloc/alloc_int.h"

#include <stdlib.h>
#include <string.h>

#define ALLOC_CANCEL_POPS 4096 /* heap pops between looks at the cancel flag */

static int alloc_cancelled(const struct alloc_ctl *ctl)
{
    return ctl->opt && ctl->opt->cancel &&
           atomic_load_explicit(ctl->opt->cancel, memory_order_relaxed) != 0;
}

int alloc_ctl_progress(struct alloc_ctl *ctl, uint64_t done, uint64_t total)
{
    if (alloc_cancelled(ctl))
        return ALLOC_CANCELLED;
    int pct = ctl->base + (int)(total ? (uint64_t)ctl->span * done / total : (uint64_t)ctl->span);
    if (pct > ctl->reported && ctl->opt && ctl->opt->progress) {
        ctl->reported = pct;
        ctl->opt->progress(ctl->opt->progress_arg, pct);
        if (alloc_cancelled(ctl))
            return ALLOC_CANCELLED;
    }
    return 0;
}

/* ---- the heap: (d, node), smallest first; stale entries are skipped ---- */

static int alloc_heap_less(const struct alloc_heap_item *a, const struct alloc_heap_item *b)
{
    return a->d < b->d || (a->d == b->d && a->node < b->node);
}

static int alloc_heap_push(struct alloc_net *net, int64_t d, int32_t node)
{
    if (net->heap_n == net->heap_cap) {
        size_t cap = net->heap_cap ? 2 * net->heap_cap : 1024;
        struct alloc_heap_item *h = realloc(net->heap, cap * sizeof *h);
        if (!h)
            return ALLOC_E_NOMEM;
        net->heap = h;
        net->heap_cap = cap;
    }
    struct alloc_heap_item it = {d, node}, *h = net->heap;
    size_t i = net->heap_n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!alloc_heap_less(&it, &h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = it;
    return 0;
}

static struct alloc_heap_item alloc_heap_pop(struct alloc_net *net)
{
    struct alloc_heap_item *h = net->heap, top = h[0], last = h[--net->heap_n];
    size_t n = net->heap_n, i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && alloc_heap_less(&h[c + 1], &h[c]))
            c++;
        if (!alloc_heap_less(&h[c], &last))
            break;
        h[i] = h[c];
        i = c;
    }
    if (n)
        h[i] = last;
    return top;
}

/* ---- set-up ---- */

int alloc_net_search_init(struct alloc_net *net)
{
    size_t n = (size_t)net->n;
    net->pi = calloc(n, sizeof *net->pi);
    net->dist = calloc(n, sizeof *net->dist);
    net->pred = calloc(n, sizeof *net->pred);
    net->pred_arc = calloc((size_t)net->nw + 1, sizeof *net->pred_arc);
    net->seen = calloc(n, sizeof *net->seen);
    net->done = calloc(n, sizeof *net->done);
    net->popped = calloc(n, sizeof *net->popped);
    net->v_excess = calloc((size_t)net->nv + 1, sizeof *net->v_excess);
    net->w_arc = calloc((size_t)net->nw + 1, sizeof *net->w_arc);
    net->g_flow = calloc((size_t)net->ng + 1, 1);
    net->h_flow = calloc((size_t)net->nh + 1, sizeof *net->h_flow);
    if (!net->pi || !net->dist || !net->pred || !net->pred_arc || !net->seen || !net->done ||
        !net->popped || !net->v_excess || !net->w_arc || !net->g_flow || !net->h_flow)
        return ALLOC_E_NOMEM;
    net->stamp = 0;
    return 0;
}

void alloc_net_free(struct alloc_net *net)
{
    void *p[] = {net->v_start, net->v_cap,   net->v_excess, net->v_oph,    net->a_w,
                 net->a_v,     net->a_score, net->a_state,  net->w_arc,    net->w_up,
                 net->a_eff,
                 net->w_h,     net->w_kind,  net->g_h,      net->g_flow,   net->h_start,
                 net->h_group, net->h_flow,  net->h_bonus,  net->h_flags,  net->h_conflict,
                 net->pi,      net->dist,    net->pred,     net->pred_arc, net->seen,
                 net->done,    net->heap,    net->popped,   net->w_twin};
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
        free(p[i]);
    memset(net, 0, sizeof *net);
}

/*
 * No flow; potentials pi(x) = -(cost of x's cheapest path to S) on the
 * empty network, a DAG: pi(S) = 0, a household and everything under it its
 * bonus, a vacancy its best arc (score + bonus) or 0.  These are the least
 * potentials with pi(S) = 0 that make every reduced cost >= 0.
 */
void alloc_net_reset(struct alloc_net *net)
{
    int64_t *pi = net->pi;
    for (int32_t a = 0; a < net->na; a++)
        if (net->a_state[a] == ALLOC_ARC_FLOW)
            net->a_state[a] = ALLOC_ARC_FREE;
    pi[0] = 0;
    for (int32_t h = 0; h < net->nh; h++) {
        net->h_flow[h] = 0;
        pi[net->h0 + h] = net->h_bonus[h];
    }
    for (int32_t g = 0; g < net->ng; g++) {
        net->g_flow[g] = 0;
        pi[net->g0 + g] = net->h_bonus[net->g_h[g]];
    }
    for (int32_t w = 0; w < net->nw; w++) {
        net->w_arc[w] = -1;
        pi[net->w0 + w] = net->h_bonus[net->w_h[w]];
    }
    for (int32_t v = 0; v < net->nv; v++) {
        int64_t best = 0;
        for (int32_t a = net->v_start[v]; a < net->v_start[v + 1]; a++) {
            if (net->a_state[a] != ALLOC_ARC_FREE)
                continue;
            int64_t p = net->a_eff[a] + pi[net->w0 + net->a_w[a]];
            best = p > best ? p : best;
        }
        pi[1 + v] = best;
        net->v_excess[v] = net->v_cap[v];
    }
}

/* ---- one search ---- */

struct alloc_search {
    struct alloc_net *net;
    int64_t d;   /* distance of the node being scanned */
    int32_t x;   /* the node being scanned */
    int64_t top; /* label of S (INT64_MAX until labelled): nothing at or above it matters */
};

/* Returns 1 when y got a better label, 0 when not, ALLOC_E_NOMEM. */
static int alloc_relax(struct alloc_search *s, int32_t y, int64_t cost)
{
    struct alloc_net *net = s->net;
    int64_t nd = s->d + cost + net->pi[s->x] - net->pi[y];
    if (nd >= s->top || net->done[y] == net->stamp)
        return 0;
    if (net->seen[y] == net->stamp && nd >= net->dist[y])
        return 0;
    net->seen[y] = net->stamp;
    net->dist[y] = nd;
    net->pred[y] = s->x;
    if (y == 0)
        s->top = nd;
    return alloc_heap_push(net, nd, y) ? ALLOC_E_NOMEM : 1;
}

static int alloc_scan_vacancy(struct alloc_search *s, int32_t v)
{
    struct alloc_net *net = s->net;
    int rc = alloc_relax(s, 0, 0); /* the post stays empty */
    for (int32_t a = net->v_start[v]; a < net->v_start[v + 1] && rc >= 0; a++) {
        if (net->a_state[a] != ALLOC_ARC_FREE)
            continue;
        int32_t w = net->a_w[a];
        rc = alloc_relax(s, net->w0 + w, -(int64_t)net->a_eff[a]);
        if (rc > 0)
            net->pred_arc[w] = a;
    }
    return rc < 0 ? rc : 0;
}

static int alloc_scan_worker(struct alloc_search *s, int32_t w)
{
    struct alloc_net *net = s->net;
    int32_t a = net->w_arc[w];
    int rc = a < 0 ? alloc_relax(s, net->w_up[w], 0)
                   : alloc_relax(s, 1 + net->a_v[a], net->a_eff[a]); /* give the post up */
    return rc < 0 ? rc : 0;
}

/* Backward arcs from a group or household node to its members holding a post. */
static int alloc_scan_members(struct alloc_search *s, int32_t h, int32_t node)
{
    struct alloc_net *net = s->net;
    int rc = 0;
    for (int32_t w = net->h_start[h]; w < net->h_start[h + 1] && rc >= 0; w++)
        if (net->w_up[w] == node && net->w_arc[w] >= 0)
            rc = alloc_relax(s, net->w0 + w, 0);
    return rc < 0 ? rc : 0;
}

static int alloc_scan(struct alloc_search *s)
{
    struct alloc_net *net = s->net;
    int32_t x = s->x;
    if (x < net->w0)
        return alloc_scan_vacancy(s, x - 1);
    if (x < net->g0)
        return alloc_scan_worker(s, x - net->w0);
    int rc;
    if (x < net->h0) {
        int32_t g = x - net->g0;
        if (net->g_flow[g])
            return alloc_scan_members(s, net->g_h[g], x);
        rc = alloc_relax(s, net->h0 + net->g_h[g], 0);
        return rc < 0 ? rc : 0;
    }
    int32_t h = x - net->h0;
    rc = alloc_relax(s, 0, net->h_flow[h] ? 0 : -net->h_bonus[h]);
    if (rc >= 0 && net->h_flow[h]) {
        rc = alloc_scan_members(s, h, x);
        int32_t g = net->h_group[h];
        if (rc >= 0 && g >= 0 && net->g_flow[g])
            rc = alloc_relax(s, net->g0 + g, 0);
    }
    return rc < 0 ? rc : 0;
}

/* Moves the flow along the path to S; returns the units moved. */
static int32_t alloc_augment(struct alloc_net *net, int32_t src)
{
    int32_t units = net->pred[0] == src ? net->v_excess[src - 1] : 1;
    for (int32_t y = 0; y != src;) {
        int32_t x = net->pred[y];
        if (y == 0) {
            if (x >= net->h0)
                net->h_flow[x - net->h0]++;
        } else if (y < net->w0) { /* worker x gives up its post at vacancy y */
            int32_t w = x - net->w0;
            net->a_state[net->w_arc[w]] = ALLOC_ARC_FREE;
            net->w_arc[w] = -1;
        } else if (y < net->g0) {
            if (x < net->w0) { /* worker y takes the post of vacancy x */
                int32_t w = y - net->w0, a = net->pred_arc[w];
                net->a_state[a] = ALLOC_ARC_FLOW;
                net->w_arc[w] = a;
            }
        } else if (y < net->h0) {
            if (x >= net->h0)
                net->g_flow[y - net->g0] = 0;
        } else if (x >= net->g0 && x < net->h0) {
            net->g_flow[x - net->g0] = 1;
        }
        y = x;
    }
    return units;
}

static int alloc_search(struct alloc_net *net, struct alloc_ctl *ctl, int32_t src)
{
    if (++net->stamp == 0) {
        memset(net->seen, 0, (size_t)net->n * sizeof *net->seen);
        memset(net->done, 0, (size_t)net->n * sizeof *net->done);
        net->stamp = 1;
    }
    struct alloc_search s = {net, 0, src, INT64_MAX};
    net->heap_n = 0;
    net->n_popped = 0;
    net->seen[src] = net->stamp;
    net->dist[src] = 0;
    int rc = alloc_heap_push(net, 0, src) ? ALLOC_E_NOMEM : 0;
    while (!rc && net->heap_n) {
        struct alloc_heap_item it = alloc_heap_pop(net);
        if (net->done[it.node] == net->stamp || it.d != net->dist[it.node])
            continue;
        net->done[it.node] = net->stamp;
        if (++ctl->pops % ALLOC_CANCEL_POPS == 0 && alloc_cancelled(ctl))
            return ALLOC_CANCELLED;
        if (it.node == 0)
            break;
        net->popped[net->n_popped++] = it.node;
        s.d = it.d;
        s.x = it.node;
        rc = alloc_scan(&s);
    }
    if (rc)
        return rc;
    ctl->searches++;
    int64_t top = net->dist[0]; /* S is always reachable: the empty-post arc */
    for (size_t i = 0; i < net->n_popped; i++) {
        int32_t x = net->popped[i];
        net->pi[x] -= top - net->dist[x];
    }
    net->v_excess[src - 1] -= alloc_augment(net, src);
    return 0;
}

int alloc_flow_solve(struct alloc_net *net, struct alloc_ctl *ctl)
{
    uint64_t total = 0, done = 0;
    for (int32_t v = 0; v < net->nv; v++)
        total += (uint64_t)net->v_cap[v];
    for (int32_t v = 0; v < net->nv; v++) {
        while (net->v_excess[v] > 0) {
            int32_t before = net->v_excess[v];
            int rc = alloc_search(net, ctl, 1 + v);
            if (rc)
                return rc;
            done += (uint64_t)(before - net->v_excess[v]);
        }
        int rc = alloc_ctl_progress(ctl, done, total);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- the objective of the flow in net ---- */

void alloc_net_value(const struct alloc_net *net, struct alloc_value *v)
{
    memset(v, 0, sizeof *v);
    for (int32_t w = 0; w < net->nw; w++)
        if (net->w_arc[w] >= 0)
            v->score += net->a_score[net->w_arc[w]];
    for (int32_t h = 0; h < net->nh; h++) {
        if (!net->h_flow[h])
            continue;
        v->zero += (net->h_flags[h] & ALLOC_H_ZERO_EMPLOYMENT) != 0;
        v->monitored += (net->h_flags[h] & ALLOC_H_MONITORED) != 0;
    }
}

int alloc_value_cmp(const struct alloc_value *a, const struct alloc_value *b)
{
    if (a->zero != b->zero)
        return a->zero < b->zero ? -1 : 1;
    if (a->monitored != b->monitored)
        return a->monitored < b->monitored ? -1 : 1;
    if (a->score != b->score)
        return a->score < b->score ? -1 : 1;
    return 0;
}
