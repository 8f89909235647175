/*
 * test_alloc_glpk: the allocation engine against GLPK.  Hundreds of random
 * instances (5-40 workers, 2-10 vacancies) are written as a MathProg integer
 * program with the same lexicographic objective folded into one integer
 * objective (the engine's own weights), solved with glpsol, and compared:
 * the optimum values must be equal, GLPK's solution must be feasible, and its
 * parts (households covered, score) must equal the engine's.  glpsol (Debian
 * glpk-utils) is required: without it the test fails.
 *
 * The integer program does not use the flow network: it states the rules
 * directly (x binary per arc, y binary per household),
 *   max  sum score x + sum bonus_h y_h
 *   s.t. sum_v x[w,v] <= 1, sum_w x[w,v] <= cap[v],
 *        y_h <= sum of x over h's members,
 *        sum of x over h's members and one-per-household posts <= 1.
 * GLPK prunes nodes that cannot improve by more than 1e-7 of the objective,
 * so instances with one-per-household posts (a true integer program) keep
 * the objective under 1e7 (small scores or few workers) to make that exact.
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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXW 40
#define MAXV 10
#define MAXA (MAXW * MAXV)

struct inst {
    struct alloc_worker w[MAXW];
    struct alloc_vacancy v[MAXV];
    struct alloc_arc a[MAXA];
    uint32_t nw, nv;
    size_t na;
};

static char dir[64];

static uint32_t rnd(uint64_t *s, uint32_t n)
{
    return (uint32_t)(test_rng_next(s) % n);
}

static void random_inst(struct inst *in, uint64_t *s, uint32_t nw, uint32_t nv, int32_t max_score,
                        int p_oph)
{
    memset(in, 0, sizeof *in);
    in->nw = nw, in->nv = nv;
    int64_t hh = 0;
    uint32_t flags = 0;
    for (uint32_t i = 0; i < nw; i++) {
        if (i == 0 || rnd(s, 100) < 45) {
            hh++;
            uint32_t r = rnd(s, 100);
            flags = (r < 25 ? ALLOC_H_ZERO_EMPLOYMENT : 0) |
                    (r >= 15 && r < 45 ? ALLOC_H_MONITORED : 0);
        }
        in->w[i] = (struct alloc_worker){1 + (int64_t)i, hh, flags};
    }
    for (uint32_t j = 0; j < nv; j++)
        in->v[j] = (struct alloc_vacancy){1 + (int64_t)j, rnd(s, 7),
                                          (int)rnd(s, 100) < p_oph ? ALLOC_V_ONE_PER_HOUSEHOLD : 0};
    int p_arc = 15 + (int)rnd(s, 40);
    for (uint32_t i = 0; i < nw; i++)
        for (uint32_t j = 0; j < nv; j++)
            if ((int)rnd(s, 100) < p_arc)
                in->a[in->na++] =
                    (struct alloc_arc){i, j, (int32_t)rnd(s, (uint32_t)max_score + 1)};
}

/* The household index (0-based, in order of first appearance) of each worker. */
static uint32_t households(const struct inst *in, uint32_t *hh, uint32_t *flags)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < in->nw; i++) {
        uint32_t k = 0;
        while (k < i && in->w[k].household_id != in->w[i].household_id)
            k++;
        if (k == i) {
            flags[n] = in->w[i].flags;
            hh[i] = n++;
        } else {
            hh[i] = hh[k];
        }
    }
    return n;
}

static const char model[] =
    "set W; set V; set H;\n"
    "set ARCS within {W, V};\n"
    "param score{ARCS}; param cap{V}; param hh{W}; param oph{V}; param bonus{H};\n"
    "var x{ARCS} binary;\n"
    "var y{H} binary;\n"
    "maximize obj: sum{(w, v) in ARCS} score[w, v] * x[w, v] + sum{h in H} bonus[h] * y[h];\n"
    "s.t. worker{w in W}: sum{(w, v) in ARCS} x[w, v] <= 1;\n"
    "s.t. post{v in V}: sum{(w, v) in ARCS} x[w, v] <= cap[v];\n"
    "s.t. cover{h in H}: y[h] <= sum{(w, v) in ARCS: hh[w] == h} x[w, v];\n"
    "s.t. one{h in H}: sum{(w, v) in ARCS: hh[w] == h and oph[v] == 1} x[w, v] <= 1;\n"
    "solve;\n";

static void write_model(const struct inst *in, const struct alloc_summary *s, const char *path)
{
    uint32_t hh[MAXW], flags[MAXW], nh = households(in, hh, flags);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(model, f);
    fprintf(f, "printf \"OBJ %%.17g\\n\", obj > \"%s/out.txt\";\n", dir);
    fprintf(f, "printf {(w, v) in ARCS: x[w, v] > 0.5} \"X %%d %%d\\n\", w, v >> \"%s/out.txt\";\n",
            dir);
    fputs("data;\n", f);
    fprintf(f, "set W :=");
    for (uint32_t i = 0; i < in->nw; i++)
        fprintf(f, " %u", i);
    fprintf(f, ";\nset V :=");
    for (uint32_t j = 0; j < in->nv; j++)
        fprintf(f, " %u", j);
    fprintf(f, ";\nset H :=");
    for (uint32_t h = 0; h < nh; h++)
        fprintf(f, " %u", h);
    fprintf(f, ";\nset ARCS :=");
    for (size_t a = 0; a < in->na; a++)
        fprintf(f, " (%u,%u)", in->a[a].worker, in->a[a].vacancy);
    fprintf(f, ";\nparam score :=");
    for (size_t a = 0; a < in->na; a++)
        fprintf(f, " [%u,%u] %d", in->a[a].worker, in->a[a].vacancy, in->a[a].score);
    fprintf(f, ";\nparam cap :=");
    for (uint32_t j = 0; j < in->nv; j++)
        fprintf(f, " [%u] %u", j, in->v[j].capacity);
    fprintf(f, ";\nparam oph :=");
    for (uint32_t j = 0; j < in->nv; j++)
        fprintf(f, " [%u] %d", j, (in->v[j].flags & ALLOC_V_ONE_PER_HOUSEHOLD) ? 1 : 0);
    fprintf(f, ";\nparam hh :=");
    for (uint32_t i = 0; i < in->nw; i++)
        fprintf(f, " [%u] %u", i, hh[i]);
    fprintf(f, ";\nparam bonus :=");
    for (uint32_t h = 0; h < nh; h++)
        fprintf(f, " [%u] %lld", h,
                (long long)((flags[h] & ALLOC_H_ZERO_EMPLOYMENT ? s->bonus_zero : 0) +
                            (flags[h] & ALLOC_H_MONITORED ? s->bonus_monitored : 0)));
    fprintf(f, ";\nend;\n");
    assert_int_equal(fclose(f), 0);
}

struct glpk_solution {
    double obj;
    int64_t zero, mon, score;
};

/* Reads glpsol's answer, checks it is feasible, and sums its parts exactly. */
static void read_solution(const struct inst *in, struct glpk_solution *g)
{
    char path[128], line[128];
    snprintf(path, sizeof path, "%s/out.txt", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    uint32_t hh[MAXW], flags[MAXW], nh = households(in, hh, flags);
    uint32_t used_v[MAXV] = {0}, used_w[MAXW] = {0}, oph_h[MAXW] = {0}, any_h[MAXW] = {0};
    bool have_obj = false;
    memset(g, 0, sizeof *g);
    while (fgets(line, sizeof line, f)) {
        unsigned w, v;
        if (sscanf(line, "OBJ %lf", &g->obj) == 1) {
            have_obj = true;
        } else if (sscanf(line, "X %u %u", &w, &v) == 2) {
            size_t a = 0;
            while (a < in->na && !(in->a[a].worker == w && in->a[a].vacancy == v))
                a++;
            assert_true(a < in->na);
            g->score += in->a[a].score;
            used_w[w]++, used_v[v]++, any_h[hh[w]] = 1;
            oph_h[hh[w]] += (in->v[v].flags & ALLOC_V_ONE_PER_HOUSEHOLD) != 0;
        }
    }
    fclose(f);
    remove(path);
    assert_true(have_obj);
    for (uint32_t i = 0; i < in->nw; i++)
        assert_true(used_w[i] <= 1);
    for (uint32_t j = 0; j < in->nv; j++)
        assert_true(used_v[j] <= in->v[j].capacity);
    for (uint32_t h = 0; h < nh; h++) {
        assert_true(oph_h[h] <= 1);
        g->zero += any_h[h] && (flags[h] & ALLOC_H_ZERO_EMPLOYMENT);
        g->mon += any_h[h] && (flags[h] & ALLOC_H_MONITORED);
    }
}

static int compare_one(const struct inst *in, int t)
{
    struct alloc_input x = {in->w, in->nw, in->v, in->nv, in->a, in->na};
    struct alloc_result r;
    assert_int_equal(alloc_solve(&x, NULL, &r), ALLOC_OK);
    const struct alloc_summary *s = &r.summary;
    int64_t ours = s->zero_covered * s->bonus_zero + s->monitored_covered * s->bonus_monitored +
                   s->total_score;
    char mod[128], cmd[300];
    snprintf(mod, sizeof mod, "%s/model.mod", dir);
    write_model(in, s, mod);
    snprintf(cmd, sizeof cmd, "glpsol --math %s > %s/log.txt 2>&1", mod, dir);
    assert_int_equal(system(cmd), 0);
    struct glpk_solution g;
    read_solution(in, &g);
    int64_t theirs = g.zero * s->bonus_zero + g.mon * s->bonus_monitored + g.score;
    if (theirs != ours || (double)ours - g.obj > 0.5 || g.obj - (double)ours > 0.5)
        fail_msg("instance %d: engine %lld (%u, %u, %lld), glpsol %.17g = %lld (%lld, %lld, "
                 "%lld); model kept in %s",
                 t, (long long)ours, s->zero_covered, s->monitored_covered,
                 (long long)s->total_score, g.obj, (long long)theirs, (long long)g.zero,
                 (long long)g.mon, (long long)g.score, mod);
    int branched = s->bb_nodes > 1;
    alloc_result_free(&r);
    return branched;
}

static void test_glpsol_present(void **state)
{
    (void)state;
    if (system("glpsol --version > /dev/null 2>&1") != 0)
        fail_msg("glpsol not found: install glpk-utils (make deps)");
}

/* No one-per-household posts: a network, scores 0..10000. */
static void test_against_glpk_network(void **state)
{
    (void)state;
    uint64_t seed = 2025;
    struct inst in;
    for (int t = 0; t < 200; t++) {
        random_inst(&in, &seed, 5 + rnd(&seed, 36), 2 + rnd(&seed, 9), 10000, 0);
        compare_one(&in, t);
    }
}

/* One-per-household posts among others: an integer program, branch and bound. */
static void test_against_glpk_households(void **state)
{
    (void)state;
    uint64_t seed = 77;
    struct inst in;
    int branched = 0;
    for (int t = 0; t < 150; t++) {
        if (t % 3 == 2)
            random_inst(&in, &seed, 5 + rnd(&seed, 8), 2 + rnd(&seed, 5), 1000, 50);
        else
            random_inst(&in, &seed, 5 + rnd(&seed, 36), 2 + rnd(&seed, 9), 100, 50);
        branched += compare_one(&in, t);
    }
    assert_true(branched >= 10);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/alloc-glpk-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/model.mod", dir);
    remove(path);
    snprintf(path, sizeof path, "%s/log.txt", dir);
    remove(path);
    return rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_glpsol_present),
        cmocka_unit_test(test_against_glpk_network),
        cmocka_unit_test(test_against_glpk_households),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
