/*
 * test_alloc: the allocation engine on hand-made instances with known answers,
 * and on random small instances against an exhaustive search; the flow
 * network's warm start (lib/alloc/alloc_int.h) against solving from scratch.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "alloc/alloc.h"
#define TEST_RNG_NEXT_ONLY
#include "test_rng.h"
#include "alloc/alloc_int.h"

#include <stdlib.h>
#include <string.h>

#define MAXW 64
#define MAXV 16
#define MAXA 512

/* An instance built by hand or at random. */
struct inst {
    struct alloc_worker w[MAXW];
    struct alloc_vacancy v[MAXV];
    struct alloc_arc a[MAXA];
    uint32_t nw, nv;
    size_t na;
};

static uint32_t add_worker(struct inst *in, int64_t id, int64_t hh, uint32_t flags)
{
    in->w[in->nw] = (struct alloc_worker){id, hh, flags};
    return in->nw++;
}

static uint32_t add_vacancy(struct inst *in, int64_t id, uint32_t cap, uint32_t flags)
{
    in->v[in->nv] = (struct alloc_vacancy){id, cap, flags};
    return in->nv++;
}

static void add_arc(struct inst *in, uint32_t w, uint32_t v, int32_t score)
{
    in->a[in->na++] = (struct alloc_arc){w, v, score};
}

static struct alloc_input input_of(const struct inst *in)
{
    return (struct alloc_input){in->w, in->nw, in->v, in->nv, in->a, in->na};
}

static int solve(const struct inst *in, struct alloc_result *r)
{
    struct alloc_input x = input_of(in);
    return alloc_solve(&x, NULL, r);
}

/* The vacancy id worker id holds in r, or 0. */
static int64_t post_of(const struct alloc_result *r, int64_t worker_id)
{
    for (uint32_t i = 0; i < r->n_assignments; i++)
        if (r->assignments[i].worker_id == worker_id)
            return r->assignments[i].vacancy_id;
    return 0;
}

static const struct alloc_unassigned *unassigned_of(const struct alloc_result *r, int64_t id)
{
    for (uint32_t i = 0; i < r->n_unassigned; i++)
        if (r->unassigned[i].worker_id == id)
            return &r->unassigned[i];
    return NULL;
}

/* lexicographic value of an assignment (worker index -> arc index or -1) */
struct value {
    int64_t zero, mon, score;
};

static int value_cmp(const struct value *a, const struct value *b)
{
    if (a->zero != b->zero)
        return a->zero < b->zero ? -1 : 1;
    if (a->mon != b->mon)
        return a->mon < b->mon ? -1 : 1;
    return a->score < b->score ? -1 : a->score > b->score;
}

static bool in_list(const int64_t *list, int n, int64_t x)
{
    for (int i = 0; i < n; i++)
        if (list[i] == x)
            return true;
    return false;
}

static struct value value_of(const struct inst *in, const int *choice)
{
    struct value val = {0, 0, 0};
    int64_t zero[MAXW], mon[MAXW];
    int nz = 0, nm = 0;
    for (uint32_t w = 0; w < in->nw; w++) {
        if (choice[w] < 0)
            continue;
        val.score += in->a[choice[w]].score;
        int64_t h = in->w[w].household_id;
        if ((in->w[w].flags & ALLOC_H_ZERO_EMPLOYMENT) && !in_list(zero, nz, h))
            zero[nz++] = h;
        if ((in->w[w].flags & ALLOC_H_MONITORED) && !in_list(mon, nm, h))
            mon[nm++] = h;
    }
    val.zero = nz, val.mon = nm;
    return val;
}

static bool alloc_assignment_order_ok(const struct alloc_assignment *a,
                                      const struct alloc_assignment *b)
{
    return a->vacancy_id < b->vacancy_id ||
           (a->vacancy_id == b->vacancy_id && a->worker_id < b->worker_id);
}

/* Checks r is feasible for in and returns its value (fails the test otherwise). */
static struct value check_result(const struct inst *in, const struct alloc_result *r)
{
    int choice[MAXW];
    uint32_t used[MAXV] = {0};
    for (uint32_t w = 0; w < in->nw; w++)
        choice[w] = -1;
    for (uint32_t i = 0; i < r->n_assignments; i++) {
        const struct alloc_assignment *x = &r->assignments[i];
        assert_true(x->worker < in->nw && x->vacancy < in->nv);
        assert_int_equal(in->w[x->worker].id, x->worker_id);
        assert_int_equal(in->v[x->vacancy].id, x->vacancy_id);
        assert_int_equal(choice[x->worker], -1); /* one post a worker */
        int arc = -1;
        for (size_t a = 0; a < in->na; a++)
            if (in->a[a].worker == x->worker && in->a[a].vacancy == x->vacancy)
                arc = (int)a;
        assert_true(arc >= 0); /* only eligible pairs */
        assert_int_equal(in->a[arc].score, x->score);
        choice[x->worker] = arc;
        used[x->vacancy]++;
        assert_true(used[x->vacancy] <= in->v[x->vacancy].capacity);
        if (i)
            assert_true(alloc_assignment_order_ok(&r->assignments[i - 1], x));
    }
    for (uint32_t w = 0; w < in->nw; w++) { /* one-per-household posts */
        if (choice[w] < 0 || !(in->v[in->a[choice[w]].vacancy].flags & ALLOC_V_ONE_PER_HOUSEHOLD))
            continue;
        for (uint32_t u = w + 1; u < in->nw; u++)
            if (choice[u] >= 0 && in->w[u].household_id == in->w[w].household_id)
                assert_false(in->v[in->a[choice[u]].vacancy].flags & ALLOC_V_ONE_PER_HOUSEHOLD);
    }
    assert_int_equal(r->n_assignments + r->n_unassigned, in->nw);
    struct value val = value_of(in, choice);
    assert_int_equal(val.zero, r->summary.zero_covered);
    assert_int_equal(val.mon, r->summary.monitored_covered);
    assert_int_equal(val.score, r->summary.total_score);
    assert_int_equal(r->summary.posts_filled, r->n_assignments);
    return val;
}

/* ---- exhaustive search over tiny instances ---- */

struct brute {
    const struct inst *in;
    int choice[MAXW];
    uint32_t used[MAXV];
    struct value best;
    bool have;
};

static bool oph_taken(const struct brute *b, uint32_t w)
{
    for (uint32_t u = 0; u < w; u++)
        if (b->choice[u] >= 0 && b->in->w[u].household_id == b->in->w[w].household_id &&
            (b->in->v[b->in->a[b->choice[u]].vacancy].flags & ALLOC_V_ONE_PER_HOUSEHOLD))
            return true;
    return false;
}

static void brute_rec(struct brute *b, uint32_t w)
{
    const struct inst *in = b->in;
    if (w == in->nw) {
        struct value v = value_of(in, b->choice);
        if (!b->have || value_cmp(&v, &b->best) > 0)
            b->best = v, b->have = true;
        return;
    }
    b->choice[w] = -1;
    brute_rec(b, w + 1);
    for (size_t a = 0; a < in->na; a++) {
        uint32_t v = in->a[a].vacancy;
        if (in->a[a].worker != w || b->used[v] >= in->v[v].capacity)
            continue;
        if ((in->v[v].flags & ALLOC_V_ONE_PER_HOUSEHOLD) && oph_taken(b, w))
            continue;
        b->choice[w] = (int)a;
        b->used[v]++;
        brute_rec(b, w + 1);
        b->used[v]--;
    }
    b->choice[w] = -1;
}

static struct value brute_force(const struct inst *in)
{
    struct brute b;
    memset(&b, 0, sizeof b);
    b.in = in;
    brute_rec(&b, 0);
    return b.best;
}

/* ---- random instances ---- */

static uint32_t rnd(uint64_t *s, uint32_t n)
{
    return (uint32_t)(test_rng_next(s) % n);
}

/* Households of 1-3, flags per household, arcs with probability p_arc. */
static void random_inst(struct inst *in, uint64_t *s, uint32_t nw, uint32_t nv, int p_arc,
                        int32_t max_score, int p_oph)
{
    memset(in, 0, sizeof *in);
    uint32_t flags = 0;
    int64_t hh = 0;
    for (uint32_t i = 0; i < nw; i++) {
        if (i == 0 || rnd(s, 100) < 55) {
            hh += 1 + rnd(s, 3);
            uint32_t r = rnd(s, 100);
            flags = (r < 30 ? ALLOC_H_ZERO_EMPLOYMENT : 0) |
                    (r >= 20 && r < 50 ? ALLOC_H_MONITORED : 0);
        }
        add_worker(in, 100 + 7 * (int64_t)i, hh, flags);
    }
    for (uint32_t j = 0; j < nv; j++)
        add_vacancy(in, 1000 + 3 * (int64_t)j, rnd(s, 4),
                    (int)rnd(s, 100) < p_oph ? ALLOC_V_ONE_PER_HOUSEHOLD : 0);
    for (uint32_t i = 0; i < nw; i++)
        for (uint32_t j = 0; j < nv; j++)
            if ((int)rnd(s, 100) < p_arc && in->na < MAXA)
                add_arc(in, i, j, (int32_t)rnd(s, (uint32_t)max_score + 1));
}

/* ---- household first, monitored second ---- */

static void test_household_first(void **state)
{
    (void)state;
    struct inst in;
    memset(&in, 0, sizeof in);
    uint32_t a1 = add_worker(&in, 1, 10, 0), a2 = add_worker(&in, 2, 10, 0);
    uint32_t z1 = add_worker(&in, 3, 20, ALLOC_H_ZERO_EMPLOYMENT);
    uint32_t v = add_vacancy(&in, 500, 2, 0);
    add_arc(&in, a1, v, 9000);
    add_arc(&in, a2, v, 8900);
    add_arc(&in, z1, v, 100);
    struct alloc_result r;
    assert_int_equal(solve(&in, &r), ALLOC_OK);
    check_result(&in, &r);
    assert_int_equal(post_of(&r, 1), 500);
    assert_int_equal(post_of(&r, 3), 500); /* the zero-employment household beats 8900 */
    assert_int_equal(post_of(&r, 2), 0);
    assert_int_equal(r.summary.zero_covered, 1);
    assert_int_equal(r.summary.total_score, 9100);
    assert_int_equal(unassigned_of(&r, 2)->why, ALLOC_WHY_OUTSCORED);
    assert_true(r.summary.proven_optimal);
    alloc_result_free(&r);
}

/* A zero-employment household is covered through a chain of moves: z can only
 * take post A, whose best candidate a moves to post B, displacing b there. */
static void test_household_first_chain(void **state)
{
    (void)state;
    struct inst in;
    memset(&in, 0, sizeof in);
    uint32_t a = add_worker(&in, 1, 10, 0), b = add_worker(&in, 2, 11, 0);
    uint32_t z = add_worker(&in, 3, 12, ALLOC_H_ZERO_EMPLOYMENT);
    uint32_t va = add_vacancy(&in, 500, 1, 0), vb = add_vacancy(&in, 501, 1, 0);
    add_arc(&in, a, va, 9000);
    add_arc(&in, a, vb, 8000);
    add_arc(&in, b, vb, 9500);
    add_arc(&in, z, va, 10);
    struct alloc_result r;
    assert_int_equal(solve(&in, &r), ALLOC_OK);
    check_result(&in, &r);
    assert_int_equal(post_of(&r, 3), 500);
    assert_int_equal(post_of(&r, 2), 501); /* 9500 > 8000 for post B */
    assert_int_equal(post_of(&r, 1), 0);
    assert_int_equal(r.summary.total_score, 9510);
    alloc_result_free(&r);
}

static void test_monitored_second(void **state)
{
    (void)state;
    struct inst in;
    memset(&in, 0, sizeof in);
    uint32_t a1 = add_worker(&in, 1, 10, 0), a2 = add_worker(&in, 2, 10, 0);
    uint32_t m = add_worker(&in, 3, 20, ALLOC_H_MONITORED);
    uint32_t z = add_worker(&in, 4, 30, ALLOC_H_ZERO_EMPLOYMENT);
    uint32_t zm = add_worker(&in, 5, 40, ALLOC_H_ZERO_EMPLOYMENT | ALLOC_H_MONITORED);
    uint32_t v = add_vacancy(&in, 500, 2, 0), u = add_vacancy(&in, 501, 1, 0);
    add_arc(&in, a1, v, 10000);
    add_arc(&in, a2, v, 9999);
    add_arc(&in, m, v, 1);
    add_arc(&in, z, u, 5);
    add_arc(&in, zm, u, 1);
    struct alloc_result r;
    assert_int_equal(solve(&in, &r), ALLOC_OK);
    check_result(&in, &r);
    /* u: both candidates are zero-employment; the monitored one adds a household */
    assert_int_equal(post_of(&r, 5), 501);
    /* v: the monitored household comes before a second high score */
    assert_int_equal(post_of(&r, 3), 500);
    assert_int_equal(post_of(&r, 1), 500);
    assert_int_equal(r.summary.zero_covered, 1);
    assert_int_equal(r.summary.monitored_covered, 2);
    assert_int_equal(r.summary.total_score, 10002);
    /* the covering assignment of each flagged household is marked */
    for (uint32_t i = 0; i < r.n_assignments; i++) {
        const struct alloc_assignment *x = &r.assignments[i];
        uint32_t want = x->worker_id == 5   ? ALLOC_H_ZERO_EMPLOYMENT | ALLOC_H_MONITORED
                        : x->worker_id == 3 ? ALLOC_H_MONITORED
                                            : 0;
        assert_int_equal(x->covers, want);
    }
    alloc_result_free(&r);
}

/* A household's second member only after every household got one. */
static void test_one_job_each_first(void **state)
{
    (void)state;
    struct inst in;
    memset(&in, 0, sizeof in);
    uint32_t v = add_vacancy(&in, 900, 3, 0);
    for (int h = 0; h < 3; h++)
        for (int k = 0; k < 2; k++) {
            uint32_t w = add_worker(&in, 10 * h + k + 1, 100 + h, ALLOC_H_ZERO_EMPLOYMENT);
            add_arc(&in, w, v, h == 0 ? 9000 - k : 100 + k);
        }
    struct alloc_result r;
    assert_int_equal(solve(&in, &r), ALLOC_OK);
    check_result(&in, &r);
    assert_int_equal(r.summary.zero_covered, 3);
    assert_int_equal(post_of(&r, 1), 900);
    assert_int_equal(post_of(&r, 12), 900);
    assert_int_equal(post_of(&r, 22), 900);
    alloc_result_free(&r);
}

/* ---- capacity, eligibility, optimality: random instances vs exhaustive search ---- */

static void test_random_vs_brute_force(void **state)
{
    (void)state;
    uint64_t seed = 42;
    struct inst in;
    for (int t = 0; t < 600; t++) {
        random_inst(&in, &seed, 1 + rnd(&seed, 8), 1 + rnd(&seed, 4), 25 + (int)rnd(&seed, 50),
                    t % 3 == 0 ? 3 : 10000, t % 2 ? 40 : 0);
        struct alloc_result r;
        assert_int_equal(solve(&in, &r), ALLOC_OK);
        struct value got = check_result(&in, &r), want = brute_force(&in);
        if (value_cmp(&got, &want) != 0)
            fail_msg("instance %d: got (%lld, %lld, %lld), optimum (%lld, %lld, %lld)", t,
                     (long long)got.zero, (long long)got.mon, (long long)got.score,
                     (long long)want.zero, (long long)want.mon, (long long)want.score);
        assert_true(r.summary.proven_optimal);
        alloc_result_free(&r);
    }
}

/* ---- the one-per-household rule ---- */

static void test_one_per_household_group(void **state)
{
    (void)state;
    struct inst in;
    memset(&in, 0, sizeof in);
    uint32_t a = add_worker(&in, 1, 10, 0), b = add_worker(&in, 2, 10, 0);
    uint32_t c = add_worker(&in, 3, 11, 0);
    uint32_t p = add_vacancy(&in, 500, 2, ALLOC_V_ONE_PER_HOUSEHOLD);
    uint32_t q = add_vacancy(&in, 501, 1, ALLOC_V_ONE_PER_HOUSEHOLD);
    add_arc(&in, a, p, 9000);
    add_arc(&in, b, q, 8000);
    add_arc(&in, c, p, 10);
    struct alloc_result r;
    assert_int_equal(solve(&in, &r), ALLOC_OK);
    check_result(&in, &r);
    assert_int_equal(post_of(&r, 1), 500);
    assert_int_equal(post_of(&r, 2), 0);
    assert_int_equal(post_of(&r, 3), 500);
    assert_int_equal(unassigned_of(&r, 2)->why, ALLOC_WHY_HOUSEHOLD_RULE);
    assert_int_equal(r.summary.conflict_households, 0);
    assert_int_equal(r.summary.bb_nodes, 1);
    alloc_result_free(&r);
    in.v[q].flags = 0; /* a regular post: both members may work */
    assert_int_equal(solve(&in, &r), ALLOC_OK);
    assert_int_equal(post_of(&r, 2), 501);
    alloc_result_free(&r);
}

/* A member eligible for both kinds of post: branch and bound.  The relaxation
 * gives a both posts; the optimum sends a to the regular post so that b, of
 * the same household, can take the one-per-household post. */
static void test_one_per_household_conflict(void **state)
{
    (void)state;
    struct inst in;
    memset(&in, 0, sizeof in);
    uint32_t a = add_worker(&in, 1, 10, 0), b = add_worker(&in, 2, 10, 0);
    uint32_t c = add_worker(&in, 3, 11, 0), d = add_worker(&in, 4, 10, 0);
    uint32_t p = add_vacancy(&in, 500, 2, ALLOC_V_ONE_PER_HOUSEHOLD);
    uint32_t reg = add_vacancy(&in, 501, 1, 0);
    add_arc(&in, a, p, 9000);
    add_arc(&in, a, reg, 2000);
    add_arc(&in, b, p, 8000);
    add_arc(&in, c, p, 500);
    add_arc(&in, d, p, 7000);
    struct alloc_result r;
    assert_int_equal(solve(&in, &r), ALLOC_OK);
    struct value got = check_result(&in, &r), want = brute_force(&in);
    assert_int_equal(value_cmp(&got, &want), 0);
    assert_int_equal(r.summary.total_score, 10500);
    assert_int_equal(post_of(&r, 1), 501);
    assert_int_equal(post_of(&r, 2), 500);
    assert_int_equal(post_of(&r, 3), 500);
    assert_int_equal(unassigned_of(&r, 4)->why, ALLOC_WHY_HOUSEHOLD_RULE);
    assert_int_equal(unassigned_of(&r, 4)->best_vacancy_id, 500);
    assert_int_equal(r.summary.conflict_households, 1);
    assert_true(r.summary.bb_nodes > 1);
    assert_true(r.summary.proven_optimal);
    assert_int_equal(r.summary.bound_score, 11500); /* a on both posts, c on p */
    alloc_result_free(&r);
}

/* Random instances where most vacancies are one-per-household and households
 * are large: branch and bound, checked against the exhaustive search. */
static void test_one_per_household_random(void **state)
{
    (void)state;
    uint64_t seed = 7;
    struct inst in;
    int branched = 0;
    for (int t = 0; t < 400; t++) {
        random_inst(&in, &seed, 2 + rnd(&seed, 7), 2 + rnd(&seed, 3), 60, 10000, 60);
        for (uint32_t i = 0; i < in.nw; i++) /* two big households */
            in.w[i].household_id = 1 + (i & 1), in.w[i].flags = i & 1 ? ALLOC_H_MONITORED : 0;
        struct alloc_result r;
        assert_int_equal(solve(&in, &r), ALLOC_OK);
        struct value got = check_result(&in, &r), want = brute_force(&in);
        assert_int_equal(value_cmp(&got, &want), 0);
        branched += r.summary.bb_nodes > 1;
        alloc_result_free(&r);
    }
    assert_true(branched > 20);
}

/* With no budget left the best feasible solution found comes back, flagged. */
static void test_bb_budget(void **state)
{
    (void)state;
    struct inst in;
    memset(&in, 0, sizeof in);
    uint32_t a = add_worker(&in, 1, 10, 0), b = add_worker(&in, 2, 10, 0);
    uint32_t p = add_vacancy(&in, 500, 2, ALLOC_V_ONE_PER_HOUSEHOLD);
    uint32_t reg = add_vacancy(&in, 501, 1, 0);
    add_arc(&in, a, p, 9000);
    add_arc(&in, a, reg, 2000);
    add_arc(&in, b, p, 8000);
    struct alloc_input x = input_of(&in);
    struct alloc_options opt = {.max_bb_nodes = 1};
    struct alloc_result r;
    assert_int_equal(alloc_solve(&x, &opt, &r), ALLOC_NOT_PROVEN);
    check_result(&in, &r);
    assert_false(r.summary.proven_optimal);
    assert_int_equal(r.summary.bb_nodes, 1);
    alloc_result_free(&r);
    opt.max_bb_nodes = 0;
    assert_int_equal(alloc_solve(&x, &opt, &r), ALLOC_OK);
    assert_int_equal(r.summary.total_score, 10000); /* b on p, a on the regular post */
    assert_true(r.summary.proven_optimal);
    alloc_result_free(&r);
}

/* A budget that runs out in any step (prices, dive, prices again, branching)
 * still gives a feasible assignment, and its objective plus the gap reaches
 * the optimum; with room left the optimum is proven. */
static void test_bb_budget_any_step(void **state)
{
    (void)state;
    uint64_t seed = 5;
    struct inst in;
    int cut = 0;
    for (int t = 0; t < 200; t++) {
        random_inst(&in, &seed, 4 + rnd(&seed, 5), 2 + rnd(&seed, 3), 60, t % 2 ? 10000 : 4, 60);
        for (uint32_t i = 0; i < in.nw; i++) /* two big households */
            in.w[i].household_id = 1 + (i & 1), in.w[i].flags = i & 1 ? ALLOC_H_ZERO_EMPLOYMENT : 0;
        struct value want = brute_force(&in);
        struct alloc_input x = input_of(&in);
        for (uint32_t budget = 1; budget <= 40; budget++) {
            struct alloc_options opt = {.max_bb_nodes = budget};
            struct alloc_result r;
            int rc = alloc_solve(&x, &opt, &r);
            assert_true(rc == ALLOC_OK || rc == ALLOC_NOT_PROVEN);
            struct value got = check_result(&in, &r);
            const struct alloc_summary *s = &r.summary;
            __int128 fold_got = (__int128)got.zero * s->bonus_zero +
                                (__int128)got.mon * s->bonus_monitored + got.score;
            __int128 fold_want = (__int128)want.zero * s->bonus_zero +
                                 (__int128)want.mon * s->bonus_monitored + want.score;
            if (rc == ALLOC_OK) {
                assert_int_equal(value_cmp(&got, &want), 0);
                assert_true(s->proven_optimal);
                alloc_result_free(&r);
                break;
            }
            cut++;
            assert_false(s->proven_optimal);
            assert_true(s->gap > 0);
            assert_true(fold_got <= fold_want && fold_want <= fold_got + s->gap);
            alloc_result_free(&r);
        }
    }
    assert_true(cut > 50);
}

/* ---- determinism ---- */

static void same_result(const struct alloc_result *a, const struct alloc_result *b)
{
    assert_int_equal(a->n_assignments, b->n_assignments);
    assert_int_equal(a->n_unassigned, b->n_unassigned);
    for (uint32_t i = 0; i < a->n_assignments; i++) {
        assert_int_equal(a->assignments[i].worker_id, b->assignments[i].worker_id);
        assert_int_equal(a->assignments[i].vacancy_id, b->assignments[i].vacancy_id);
        assert_int_equal(a->assignments[i].covers, b->assignments[i].covers);
    }
    for (uint32_t i = 0; i < a->n_unassigned; i++) {
        assert_int_equal(a->unassigned[i].worker_id, b->unassigned[i].worker_id);
        assert_int_equal(a->unassigned[i].why, b->unassigned[i].why);
        assert_int_equal(a->unassigned[i].best_vacancy_id, b->unassigned[i].best_vacancy_id);
    }
    assert_int_equal(a->summary.total_score, b->summary.total_score);
}

static void shuffle_inst(struct inst *in, uint64_t *s)
{
    uint32_t wp[MAXW], vp[MAXV];
    struct inst out = *in;
    for (uint32_t i = 0; i < in->nw; i++)
        wp[i] = i;
    for (uint32_t i = in->nw; i > 1; i--) {
        uint32_t j = rnd(s, i), t = wp[i - 1];
        wp[i - 1] = wp[j], wp[j] = t;
    }
    for (uint32_t i = 0; i < in->nv; i++)
        vp[i] = i;
    for (uint32_t i = in->nv; i > 1; i--) {
        uint32_t j = rnd(s, i), t = vp[i - 1];
        vp[i - 1] = vp[j], vp[j] = t;
    }
    for (uint32_t i = 0; i < in->nw; i++)
        out.w[wp[i]] = in->w[i];
    for (uint32_t i = 0; i < in->nv; i++)
        out.v[vp[i]] = in->v[i];
    for (size_t i = 0; i < in->na; i++) {
        out.a[i] = in->a[i];
        out.a[i].worker = wp[in->a[i].worker];
        out.a[i].vacancy = vp[in->a[i].vacancy];
    }
    for (size_t i = in->na; i > 1; i--) {
        size_t j = rnd(s, (uint32_t)i);
        struct alloc_arc t = out.a[i - 1];
        out.a[i - 1] = out.a[j], out.a[j] = t;
    }
    *in = out;
}

static void test_deterministic(void **state)
{
    (void)state;
    uint64_t seed = 99;
    struct inst in, sh;
    for (int t = 0; t < 300; t++) {
        /* few distinct scores: many ties to break */
        random_inst(&in, &seed, 10 + rnd(&seed, 50), 2 + rnd(&seed, 12), 30, 2, t % 2 ? 30 : 0);
        struct alloc_result r1, r2, r3;
        assert_int_equal(solve(&in, &r1), ALLOC_OK);
        assert_int_equal(solve(&in, &r2), ALLOC_OK);
        same_result(&r1, &r2);
        sh = in;
        shuffle_inst(&sh, &seed);
        assert_int_equal(solve(&sh, &r3), ALLOC_OK);
        same_result(&r1, &r3);
        check_result(&sh, &r3);
        alloc_result_free(&r1), alloc_result_free(&r2), alloc_result_free(&r3);
    }
}

/* ---- cancel and progress ---- */

struct watch {
    atomic_int cancel;
    int calls, last, cancel_at;
    bool monotone;
};

static void on_progress(void *arg, int pct)
{
    struct watch *w = arg;
    w->monotone &= pct > w->last && pct <= 100;
    w->last = pct;
    if (++w->calls == w->cancel_at)
        atomic_store(&w->cancel, 1);
}

/* n workers in households of two, n/2 vacancies of one post, 8 arcs a worker. */
static int big_solve(uint32_t n, struct watch *w, uint32_t max_bb, struct alloc_result *r)
{
    struct alloc_worker *W = calloc(n, sizeof *W);
    struct alloc_vacancy *V = calloc(n / 2, sizeof *V);
    struct alloc_arc *A = calloc((size_t)n * 8, sizeof *A);
    assert_non_null(W), assert_non_null(V), assert_non_null(A);
    uint64_t seed = 5;
    for (uint32_t i = 0; i < n; i++)
        W[i] = (struct alloc_worker){i + 1, i / 2 + 1, i / 2 % 3 ? 0 : ALLOC_H_ZERO_EMPLOYMENT};
    for (uint32_t j = 0; j < n / 2; j++)
        V[j] = (struct alloc_vacancy){j + 1, 1, j % 3 == 0 ? ALLOC_V_ONE_PER_HOUSEHOLD : 0};
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t k = 0; k < 8; k++)
            A[8 * i + k] =
                (struct alloc_arc){i, (i / 2 + k * 37) % (n / 2), (int32_t)rnd(&seed, 10001)};
    struct alloc_input in = {W, n, V, n / 2, A, (size_t)n * 8};
    struct alloc_options opt = {&w->cancel, on_progress, w, max_bb};
    int rc = alloc_solve(&in, &opt, r);
    free(W), free(V), free(A);
    return rc;
}

static void test_cancel(void **state)
{
    (void)state;
    struct watch w = {.monotone = true, .last = -1, .cancel_at = 2};
    struct alloc_result r;
    assert_int_equal(big_solve(2000, &w, 0, &r), ALLOC_CANCELLED);
    assert_int_equal(w.calls, 2);
    assert_int_equal(r.n_assignments, 0);
    assert_null(r.assignments);
    alloc_result_free(&r);
    struct watch early = {.monotone = true, .last = -1};
    atomic_store(&early.cancel, 1);
    assert_int_equal(big_solve(2000, &early, 0, &r), ALLOC_CANCELLED);
    alloc_result_free(&r);
}

static void test_progress(void **state)
{
    (void)state;
    struct watch w = {.monotone = true, .last = -1};
    struct alloc_result r;
    int rc = big_solve(2000, &w, 50, &r);
    assert_true(rc == ALLOC_OK || rc == ALLOC_NOT_PROVEN);
    assert_true(w.monotone);
    assert_int_equal(w.last, 100);
    assert_true(w.calls >= 10);
    assert_true(r.summary.posts_filled > 900);
    alloc_result_free(&r);
}

/* ---- degenerate and bad input ---- */

static void test_degenerate(void **state)
{
    (void)state;
    struct inst in;
    memset(&in, 0, sizeof in);
    struct alloc_result r;
    assert_int_equal(solve(&in, &r), ALLOC_OK); /* nothing at all */
    assert_int_equal(r.n_assignments + r.n_unassigned, 0);
    alloc_result_free(&r);
    uint32_t a = add_worker(&in, 1, 1, ALLOC_H_ZERO_EMPLOYMENT), b = add_worker(&in, 2, 2, 0);
    uint32_t v = add_vacancy(&in, 7, 0, 0), u = add_vacancy(&in, 8, 3, 0);
    assert_int_equal(solve(&in, &r), ALLOC_OK); /* no arcs */
    assert_int_equal(r.n_unassigned, 2);
    assert_int_equal(r.unassigned[0].why, ALLOC_WHY_NO_ELIGIBLE_POST);
    assert_int_equal(r.unassigned[0].best_score, -1);
    assert_int_equal(r.summary.why[ALLOC_WHY_NO_ELIGIBLE_POST], 2);
    assert_int_equal(r.summary.posts, 3);
    alloc_result_free(&r);
    add_arc(&in, a, v, 5000); /* zero capacity: not eligible */
    add_arc(&in, b, u, 0);    /* a score of 0 adds nothing */
    assert_int_equal(solve(&in, &r), ALLOC_OK);
    check_result(&in, &r);
    assert_int_equal(unassigned_of(&r, 1)->why, ALLOC_WHY_NO_ELIGIBLE_POST);
    assert_int_equal(r.summary.workers_with_arcs, 1);
    assert_int_equal(r.summary.arcs, 1);
    alloc_result_free(&r);
}

static void test_huge_scores(void **state)
{
    (void)state;
    uint64_t seed = 3;
    struct inst in;
    for (int t = 0; t < 100; t++) {
        random_inst(&in, &seed, 1 + rnd(&seed, 8), 1 + rnd(&seed, 4), 60, ALLOC_MAX_SCORE, 30);
        for (size_t i = 0; i < in.na; i++)
            in.a[i].score = ALLOC_MAX_SCORE - (int32_t)rnd(&seed, 3);
        struct alloc_result r;
        assert_int_equal(solve(&in, &r), ALLOC_OK);
        struct value got = check_result(&in, &r), want = brute_force(&in);
        assert_int_equal(value_cmp(&got, &want), 0);
        alloc_result_free(&r);
    }
}

static void expect_error(const struct inst *in, const char *what, size_t index)
{
    struct alloc_result r;
    assert_int_equal(solve(in, &r), ALLOC_E_INPUT);
    assert_string_equal(r.error, what);
    assert_int_equal(r.error_index, index);
    assert_null(r.assignments);
    alloc_result_free(&r);
}

static void test_bad_input(void **state)
{
    (void)state;
    struct inst in, bad;
    memset(&in, 0, sizeof in);
    add_worker(&in, 1, 1, 0);
    add_worker(&in, 2, 1, 0);
    add_vacancy(&in, 7, 1, 0);
    add_arc(&in, 0, 0, 10);
    add_arc(&in, 1, 0, 20);
    bad = in, bad.a[1].score = ALLOC_MAX_SCORE + 1;
    expect_error(&bad, "arc_score", 1);
    bad = in, bad.a[1].score = -1;
    expect_error(&bad, "arc_score", 1);
    bad = in, bad.a[1].worker = 0;
    expect_error(&bad, "duplicate_arc", 1);
    bad = in, bad.a[0].worker = 2;
    expect_error(&bad, "arc_worker", 0);
    bad = in, bad.a[0].vacancy = 1;
    expect_error(&bad, "arc_vacancy", 0);
    bad = in, bad.w[1].id = 1;
    expect_error(&bad, "duplicate_worker", 1);
    bad = in, bad.w[1].flags = ALLOC_H_MONITORED;
    expect_error(&bad, "household_flags", 1);
    bad = in, bad.w[0].flags = 0x10;
    expect_error(&bad, "flags", 0);
    bad = in, bad.w[0].household_id = 0;
    expect_error(&bad, "worker_id", 0);
    bad = in, add_vacancy(&bad, 7, 1, 0);
    expect_error(&bad, "duplicate_vacancy", 1);
    bad = in, bad.v[0].capacity = ALLOC_MAX_CAPACITY + 1;
    expect_error(&bad, "capacity", 0);
    bad = in, bad.v[0].id = -4;
    expect_error(&bad, "vacancy_id", 0);
    struct alloc_input x = {NULL, 3, NULL, 0, NULL, 0};
    struct alloc_result r;
    assert_int_equal(alloc_solve(&x, NULL, &r), ALLOC_E_INPUT);
    assert_string_equal(r.error, "size");
    alloc_result_free(&r);
    assert_string_equal(alloc_status_code(ALLOC_E_INPUT), "invalid_input");
    assert_string_equal(alloc_why_code(ALLOC_WHY_HOUSEHOLD_RULE), "household_rule");
}

/* Weights that cannot fit in 64 bits are refused, not wrapped. */
static void test_range(void **state)
{
    (void)state;
    uint32_t n = 1200000;
    struct alloc_worker *W = calloc(n, sizeof *W);
    struct alloc_vacancy V = {1, ALLOC_MAX_CAPACITY, 0}, V2 = {2, ALLOC_MAX_CAPACITY, 0};
    struct alloc_vacancy vs[2] = {V, V2};
    struct alloc_arc *A = calloc(n, sizeof *A);
    assert_non_null(W), assert_non_null(A);
    for (uint32_t i = 0; i < n; i++) {
        W[i] = (struct alloc_worker){i + 1, i + 1, ALLOC_H_MONITORED};
        A[i] = (struct alloc_arc){i, i & 1, ALLOC_MAX_SCORE};
    }
    struct alloc_input in = {W, n, vs, 2, A, n};
    struct alloc_result r;
    assert_int_equal(alloc_solve(&in, NULL, &r), ALLOC_E_RANGE);
    alloc_result_free(&r);
    free(W), free(A);
}

/* ---- the flow network: warm start against a solve from scratch ---- */

/* Every node balanced, every residual arc with reduced cost >= 0 (so the flow
 * is optimal), every slot's key an upper bound and the slots in order. */
static void check_net_optimal(const struct alloc_net *net)
{
    const struct alloc_node *nd = net->node;
    int32_t held[MAXV] = {0}, in_h[2 * MAXW] = {0}, in_g[2 * MAXW] = {0};
    for (int32_t x = 0; x < net->n; x++)
        assert_int_equal(nd[x].ex, 0);
    for (int32_t a = 0; a < net->na; a++) {
        int32_t v = net->a_v[a], w = net->a_w[a];
        int64_t red = -(int64_t)net->a_score[a] + nd[1 + v].pi - nd[net->w0 + w].pi;
        assert_int_equal(net->slot[net->a_slot[a]].arc, a);
        if (net->a_state[a] == ALLOC_ARC_FLOW) {
            held[v]++;
            assert_int_equal(net->w_arc[w], a);
            assert_true(red <= 0);
        } else if (!net->w_off[w]) {
            assert_true(red >= 0);
            assert_true(net->slot[net->a_slot[a]].key >= net->a_score[a] + nd[net->w0 + w].pi);
        }
    }
    for (int32_t v = 0; v < net->nv; v++) {
        assert_int_equal(held[v] + net->v_empty[v], net->v_cap[v]);
        assert_true(nd[1 + v].pi >= 0 && (!net->v_empty[v] || nd[1 + v].pi == 0));
        for (int32_t k = net->v_start[v]; k + 1 < net->v_start[v + 1]; k++)
            assert_true(net->slot[k].key >= net->slot[k + 1].key);
    }
    for (int32_t w = 0; w < net->nw; w++) {
        int32_t up = net->w_up[w];
        int64_t red = net->w_cost[w] + nd[net->w0 + w].pi - nd[up].pi;
        assert_int_equal(net->w_arc[w] >= 0, net->w_fwd[w]);
        assert_true(!(net->w_off[w] && net->w_fwd[w]));
        if (net->w_fwd[w] && up < net->h0)
            in_g[up - net->g0]++;
        else if (net->w_fwd[w])
            in_h[up - net->h0]++;
        assert_true(net->w_fwd[w] ? red <= 0 : net->w_off[w] || red >= 0);
    }
    for (int32_t g = 0; g < net->ng; g++) {
        assert_int_equal(in_g[g], net->g_flow[g]);
        in_h[net->g_h[g]] += net->g_flow[g];
    }
    for (int32_t h = 0; h < net->nh; h++) {
        int64_t pi = nd[net->h0 + h].pi;
        assert_int_equal(in_h[h], net->h_flow[h]);
        assert_true((net->h_flow[h] ? 0 : -net->h_bonus[h]) + pi >= 0);
        if (net->h_flow[h])
            assert_true((net->h_flow[h] > 1 ? 0 : net->h_bonus[h]) - pi >= 0);
    }
}

/* The flow's objective with the prices paid: what a min-cost flow maximizes. */
static __int128 net_objective(const struct alloc_net *net)
{
    __int128 v = 0;
    for (int32_t w = 0; w < net->nw; w++)
        if (net->w_arc[w] >= 0)
            v += net->a_score[net->w_arc[w]] - net->w_cost[w];
    for (int32_t h = 0; h < net->nh; h++)
        if (net->h_flow[h])
            v += net->h_bonus[h];
    return v;
}

/* Random prices and closed arcs up, changed round after round as the branch and
 * bound does: the warm start must reach the optimum a solve from scratch finds. */
static void test_warm_start_equals_cold(void **state)
{
    (void)state;
    uint64_t seed = 11;
    struct inst in;
    struct alloc_ctl ctl = {0};
    int moved = 0;
    for (int t = 0; t < 300; t++) {
        random_inst(&in, &seed, 4 + rnd(&seed, 40), 2 + rnd(&seed, 12), 30, t % 3 ? 10000 : 3, 40);
        struct alloc_input x = input_of(&in);
        struct alloc_net warm, cold;
        assert_int_equal(alloc_net_build(&x, &warm), 0);
        assert_int_equal(alloc_net_build(&x, &cold), 0);
        alloc_net_reset(&warm);
        assert_int_equal(alloc_flow_solve(&warm, &ctl), 0);
        check_net_optimal(&warm);
        for (int round = 0; round < 8; round++) {
            int32_t changed[2 * MAXW];
            size_t n = 0;
            for (int32_t w = 0; w < warm.nw; w++) {
                if (rnd(&seed, 100) >= 25)
                    continue;
                if (rnd(&seed, 4) == 0)
                    warm.w_off[w] = !warm.w_off[w];
                else
                    warm.w_cost[w] = (int32_t)rnd(&seed, t % 3 ? 12000 : 5);
                cold.w_off[w] = warm.w_off[w], cold.w_cost[w] = warm.w_cost[w];
                changed[n++] = w;
            }
            uint64_t before = ctl.searches;
            assert_int_equal(alloc_flow_resolve(&warm, &ctl, changed, n), 0);
            moved += ctl.searches > before;
            check_net_optimal(&warm);
            alloc_net_reset(&cold);
            assert_int_equal(alloc_flow_solve(&cold, &ctl), 0);
            check_net_optimal(&cold);
            if (net_objective(&warm) != net_objective(&cold))
                fail_msg("instance %d round %d: warm %lld, cold %lld", t, round,
                         (long long)net_objective(&warm), (long long)net_objective(&cold));
        }
        alloc_net_free(&warm);
        alloc_net_free(&cold);
    }
    assert_true(moved > 500); /* the changes did move flow */
}

/* Larger instances with ties everywhere and many split members (most of the
 * work in the warm starts): the same result twice and in another order. */
static void test_deterministic_branching(void **state)
{
    (void)state;
    uint64_t seed = 123;
    struct inst in, sh;
    int branched = 0;
    for (int t = 0; t < 60; t++) {
        random_inst(&in, &seed, 40 + rnd(&seed, 24), 8 + rnd(&seed, 8), 35, 3, 50);
        struct alloc_result r1, r2;
        assert_int_equal(solve(&in, &r1), ALLOC_OK);
        check_result(&in, &r1);
        sh = in;
        shuffle_inst(&sh, &seed);
        assert_int_equal(solve(&sh, &r2), ALLOC_OK);
        same_result(&r1, &r2);
        branched += r1.summary.bb_nodes > 1;
        alloc_result_free(&r1), alloc_result_free(&r2);
    }
    assert_true(branched > 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_household_first),
        cmocka_unit_test(test_household_first_chain),
        cmocka_unit_test(test_monitored_second),
        cmocka_unit_test(test_one_job_each_first),
        cmocka_unit_test(test_random_vs_brute_force),
        cmocka_unit_test(test_one_per_household_group),
        cmocka_unit_test(test_one_per_household_conflict),
        cmocka_unit_test(test_one_per_household_random),
        cmocka_unit_test(test_bb_budget),
        cmocka_unit_test(test_bb_budget_any_step),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_progress),
        cmocka_unit_test(test_degenerate),
        cmocka_unit_test(test_huge_scores),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_warm_start_equals_cold),
        cmocka_unit_test(test_deterministic_branching),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
