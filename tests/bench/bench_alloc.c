/*
 * bench_alloc: figures for the allocation engine (lib/alloc), end to end:
 * candidate generation with the real matching index (each vacancy's top-K
 * workers, lib/match), then the exact allocation.  A program that prints
 * numbers, never a test.
 *
 *   bench_alloc COUNTIES_CSV [CASES] [THREADS]
 *
 * CASES is a comma list of WORKERS:VACANCIES:POSTS:K (default
 * 100000:2000:10000:50,1000000:10000:100000:100); THREADS the threads that
 * generate candidates (default 2; the allocation itself runs on one).
 * Synthetic data as bench_match: 129 counties, 25 resettlement sites each,
 * 2.5 workers a household (10 % zero-employment, 7 % under monitoring),
 * vacancies drawn like the real mix of kinds; public-welfare posts are
 * one-per-household, as the default weights table says.  The pool is every
 * seeking worker, so the unassigned list is as long as in production.
 */
#define _POSIX_C_SOURCE 200809L
#include "alloc/alloc.h"
#include "csv.h"
#include "match/match.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "synth.h"

/* ---- the population: workers in the index, their households' flags ---- */

struct population {
    struct match_index *idx;
    size_t n;
    int64_t *household; /* by worker index (id - 1) */
    uint8_t *seeking;
    uint32_t *hh_flags; /* by household id: ALLOC_H_* */
    int64_t households;
};

static void populate(struct world *w, struct population *p, size_t n)
{
    struct match_worker m;
    int64_t household = 1;
    p->n = n;
    p->idx = match_index_new();
    p->household = malloc(n * sizeof *p->household);
    p->seeking = malloc(n);
    if (!p->idx || !p->household || !p->seeking || match_index_reserve(p->idx, n, 1))
        exit(1);
    for (unsigned s = 1; s <= N_SKILLS; s++)
        if (skill_parent[s] && match_index_set_skill_parent(p->idx, s, skill_parent[s]))
            exit(1);
    for (size_t i = 0; i < n; i++) {
        if (unif(w) < 0.4)
            household++;
        gen_worker(w, (int64_t)i + 1, household, &m);
        p->household[i] = household;
        p->seeking[i] = (m.flags & MATCH_W_SEEKING) != 0;
        if (match_index_upsert_worker(p->idx, &m) < 0)
            exit(1);
    }
    p->households = household;
    p->hh_flags = calloc((size_t)household + 1, sizeof *p->hh_flags);
    if (!p->hh_flags)
        exit(1);
    for (int64_t h = 1; h <= household; h++) {
        double u = unif(w);
        if (u < 0.17) {
            struct match_household hh = {
                h, u < 0.10, u < 0.10 ? MATCH_MON_NONE : (enum match_monitoring)(1 + pick(w, 3)),
                0};
            if (match_index_upsert_household(p->idx, &hh))
                exit(1);
            p->hh_flags[h] = u < 0.10 ? ALLOC_H_ZERO_EMPLOYMENT : ALLOC_H_MONITORED;
        }
    }
}

static void population_free(struct population *p)
{
    match_index_free(p->idx);
    free(p->household), free(p->seeking), free(p->hh_flags);
}

/* Vacancies with headcounts 1..2*avg-1 summing to exactly posts. */
static struct match_vacancy *gen_batch(struct world *w, size_t nv, size_t posts)
{
    struct match_vacancy *vs = calloc(nv, sizeof *vs);
    if (!vs)
        exit(1);
    size_t avg = posts / nv, sum = 0;
    for (size_t i = 0; i < nv; i++) {
        gen_vacancy(w, 1 + (int64_t)i, &vs[i]);
        vs[i].open = true;
        vs[i].filled = 0;
        vs[i].headcount = 1 + pick(w, (unsigned)(2 * avg - 1));
        sum += vs[i].headcount;
    }
    while (sum != posts) {
        struct match_vacancy *v = &vs[pick(w, (unsigned)nv)];
        if (sum < posts && v->headcount < 2 * avg - 1)
            v->headcount++, sum++;
        else if (sum > posts && v->headcount > 1)
            v->headcount--, sum--;
    }
    return vs;
}

/* ---- candidate generation: each vacancy's top K, on several threads ---- */

struct cand_job {
    const struct match_index *idx;
    const struct match_vacancy *vs;
    size_t nv, k, first, step;
    int32_t today;
    int64_t *id;     /* nv * k worker ids */
    int32_t *score;  /* nv * k */
    uint32_t *count; /* nv */
};

static void *cand_run(void *arg)
{
    struct cand_job *j = arg;
    struct match_result *r = match_result_new();
    struct match_query q;
    if (!r)
        abort();
    match_query_init(&q, j->today, (uint32_t)j->k);
    for (size_t v = j->first; v < j->nv; v += j->step) {
        if (match_query_workers(j->idx, &j->vs[v], &q, r))
            abort();
        j->count[v] = r->n;
        for (uint32_t i = 0; i < r->n; i++) {
            j->id[v * j->k + i] = r->hit[i].id;
            j->score[v * j->k + i] = r->hit[i].score;
        }
    }
    match_result_free(r);
    return NULL;
}

static void candidates(struct cand_job *base, size_t threads)
{
    pthread_t t[16];
    struct cand_job jobs[16];
    threads = threads < 1 ? 1 : threads > 16 ? 16 : threads;
    for (size_t i = 0; i < threads; i++) {
        jobs[i] = *base;
        jobs[i].first = i;
        jobs[i].step = threads;
        if (i && pthread_create(&t[i], NULL, cand_run, &jobs[i]))
            abort();
    }
    cand_run(&jobs[0]);
    for (size_t i = 1; i < threads; i++)
        pthread_join(t[i], NULL);
}

/* ---- the allocation input: the pool is every seeking worker ---- */

struct batch {
    struct alloc_worker *workers;
    struct alloc_vacancy *vacancies;
    struct alloc_arc *arcs;
    struct alloc_input in;
};

static void assemble(const struct population *p, const struct match_vacancy *vs, size_t nv,
                     const struct cand_job *c, const struct match_weights *wt, struct batch *b)
{
    uint32_t *pool_of = malloc(p->n * sizeof *pool_of);
    b->workers = malloc(p->n * sizeof *b->workers);
    b->vacancies = malloc(nv * sizeof *b->vacancies);
    size_t na = 0;
    for (size_t v = 0; v < nv; v++)
        na += c->count[v];
    b->arcs = malloc(na * sizeof *b->arcs + 1);
    if (!pool_of || !b->workers || !b->vacancies || !b->arcs)
        exit(1);
    uint32_t nw = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (!p->seeking[i])
            continue;
        pool_of[i] = nw;
        b->workers[nw++] =
            (struct alloc_worker){(int64_t)i + 1, p->household[i], p->hh_flags[p->household[i]]};
    }
    na = 0;
    for (size_t v = 0; v < nv; v++) {
        bool oph = wt->kind[vs[v].kind].one_per_household;
        b->vacancies[v] =
            (struct alloc_vacancy){vs[v].id, vs[v].headcount, oph ? ALLOC_V_ONE_PER_HOUSEHOLD : 0};
        for (uint32_t i = 0; i < c->count[v]; i++)
            b->arcs[na++] = (struct alloc_arc){pool_of[c->id[v * c->k + i] - 1], (uint32_t)v,
                                               c->score[v * c->k + i]};
    }
    free(pool_of);
    b->in = (struct alloc_input){b->workers, nw, b->vacancies, (uint32_t)nv, b->arcs, na};
}

/* Capacity, one post a worker, the household rule: checked again from scratch. */
static bool feasible(const struct batch *b, const struct alloc_result *r)
{
    uint32_t *used = calloc(b->in.n_vacancies, sizeof *used);
    uint8_t *held = calloc(b->in.n_workers, 1);
    bool ok = used && held;
    for (uint32_t i = 0; ok && i < r->n_assignments; i++) {
        const struct alloc_assignment *x = &r->assignments[i];
        ok = !held[x->worker]++ && ++used[x->vacancy] <= b->vacancies[x->vacancy].capacity;
    }
    free(used), free(held);
    return ok;
}

static long rss_kib(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    size_t n = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, field, n))
            kib = atol(line + n);
    if (f)
        fclose(f);
    return kib;
}

static void reset_peak(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w"); /* "5" resets VmHWM (Linux >= 4.0) */
    if (f) {
        fputs("5", f);
        fclose(f);
    }
}

/* CPU time of the whole process (every thread), from getrusage. */
static double process_cpu_ms(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static void progress_none(void *arg, int pct)
{
    *(int *)arg = pct;
}

static void report(const struct batch *b, const struct alloc_result *r)
{
    const struct alloc_summary *s = &r->summary;
    printf("  posts %llu, filled %u (%.1f %%); pool %u seeking workers, %u with arcs, "
           "%llu arcs\n",
           (unsigned long long)s->posts, s->posts_filled,
           s->posts ? 100.0 * s->posts_filled / (double)s->posts : 0.0, s->workers,
           s->workers_with_arcs, (unsigned long long)s->arcs);
    printf("  objective: zero-employment households %u of %u covered; monitored %u of %u; "
           "total score %lld (mean %.2f)\n",
           s->zero_covered, s->zero_households, s->monitored_covered, s->monitored_households,
           (long long)s->total_score,
           s->posts_filled ? (double)s->total_score / 100.0 / s->posts_filled : 0.0);
    printf("  bound (relaxation): %u / %u / %lld; proven optimal: %s; households split: %u; "
           "flow problems solved: %u\n",
           s->bound_zero, s->bound_monitored, (long long)s->bound_score,
           s->proven_optimal ? "yes" : "no", s->conflict_households, s->bb_nodes);
    printf("  unassigned: outscored %u, no eligible post %u, household rule %u; "
           "searches %llu, heap pops %llu; feasible (rechecked): %s\n",
           s->why[ALLOC_WHY_OUTSCORED], s->why[ALLOC_WHY_NO_ELIGIBLE_POST],
           s->why[ALLOC_WHY_HOUSEHOLD_RULE], (unsigned long long)s->searches,
           (unsigned long long)s->pops, feasible(b, r) ? "yes" : "NO");
    printf("  weights: bonus_zero %lld, bonus_monitored %lld\n", (long long)s->bonus_zero,
           (long long)s->bonus_monitored);
}

struct bench_case {
    size_t workers, vacancies, posts, k;
};

static void run_case(struct world *w, const struct bench_case *bc, size_t threads)
{
    printf("\n== %zu workers -> %zu vacancies, %zu posts, K = %zu ==\n", bc->workers, bc->vacancies,
           bc->posts, bc->k);
    struct population p;
    double t0 = now_ms();
    populate(w, &p, bc->workers);
    printf("index: %zu workers, %lld households built in %.0f ms (kept live by the server: "
           "not counted below)\n",
           bc->workers, (long long)p.households, now_ms() - t0);
    struct match_vacancy *vs = gen_batch(w, bc->vacancies, bc->posts);
    struct cand_job c = {p.idx, vs, bc->vacancies, bc->k, 0, 1, w->today, NULL, NULL, NULL};
    c.id = malloc(bc->vacancies * bc->k * sizeof *c.id);
    c.score = malloc(bc->vacancies * bc->k * sizeof *c.score);
    c.count = calloc(bc->vacancies, sizeof *c.count);
    if (!c.id || !c.score || !c.count)
        exit(1);
    t0 = now_ms();
    double p0 = process_cpu_ms();
    candidates(&c, threads);
    double t_cand = now_ms() - t0, c_cand = process_cpu_ms() - p0;
    struct batch b;
    t0 = now_ms();
    p0 = process_cpu_ms();
    assemble(&p, vs, bc->vacancies, &c, match_index_weights(p.idx), &b);
    double t_asm = now_ms() - t0, c_asm = process_cpu_ms() - p0;
    struct alloc_result r;
    int pct = 0;
    atomic_int cancel = 0;
    struct alloc_options opt = {&cancel, progress_none, &pct, 0};
    long rss0 = rss_kib("VmRSS:");
    reset_peak();
    double c0 = cpu_ms();
    t0 = now_ms();
    int rc = alloc_solve(&b.in, &opt, &r);
    double t_solve = now_ms() - t0, c_solve = cpu_ms() - c0;
    long hwm = rss_kib("VmHWM:");
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("candidates: top-%zu of %zu vacancies on %zu threads %.0f ms (CPU %.0f ms, all threads; "
           "%.2f ms of CPU a query); input assembly %.0f ms (CPU %.0f ms)\n",
           bc->k, bc->vacancies, threads, t_cand, c_cand, c_cand / (double)bc->vacancies, t_asm,
           c_asm);
    printf("solve: %s in %.0f ms (CPU %.0f ms, one thread); progress reached %d %%\n",
           alloc_status_code(rc), t_solve, c_solve, pct);
    printf("END TO END (candidates + assembly + solve): %.2f s (CPU %.2f s; candidates on %zu "
           "threads)\n",
           (t_cand + t_asm + t_solve) / 1000.0, (c_cand + c_asm + c_solve) / 1000.0, threads);
    printf("BENCH alloc_%zu_end_to_end %.2f s\n", bc->workers, (t_cand + t_asm + t_solve) / 1000.0);
    printf("BENCH alloc_%zu_end_to_end_cpu %.2f s\n", bc->workers,
           (c_cand + c_asm + c_solve) / 1000.0);
    printf("BENCH alloc_%zu_solve %.2f s\n", bc->workers, t_solve / 1000.0);
    printf("BENCH alloc_%zu_solve_cpu %.2f s\n", bc->workers, c_solve / 1000.0);
    printf("memory: solve peak +%.0f MiB over %.0f MiB resident before it; process peak "
           "(getrusage maxrss) %.0f MiB\n",
           (double)(hwm - rss0) / 1024.0, (double)rss0 / 1024.0, (double)ru.ru_maxrss / 1024.0);
    if (rc >= 0) {
        const struct alloc_summary *s = &r.summary;
        double gap_pct = s->bound_score > 0 ? 100.0 * (double)s->gap / (double)s->bound_score : 0.0;
        report(&b, &r);
        printf("RESULT: %s; gap to the best bound found %lld (%.5f %% of the bound's score)%s\n",
               s->proven_optimal ? "proven optimal" : "NOT proven optimal", (long long)s->gap,
               gap_pct,
               s->zero_covered == s->bound_zero && s->monitored_covered == s->bound_monitored
                   ? ", households as the bound: the gap is in hundredths of score"
                   : ", in the objective's units (household counts below the bound)");
        printf("BENCH alloc_%zu_gap_pct %.4f %%\n", bc->workers, gap_pct);
        printf("BENCH alloc_%zu_proven %d bool\n", bc->workers, s->proven_optimal ? 1 : 0);
    }
    alloc_result_free(&r);
    free(b.workers), free(b.vacancies), free(b.arcs);
    free(c.id), free(c.score), free(c.count), free(vs);
    population_free(&p);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_alloc COUNTIES_CSV [W:V:POSTS:K,...] [THREADS]\n");
        return 2;
    }
    static struct world w;
    world_init(&w);
    if (load_counties(&w, argv[1])) {
        fprintf(stderr, "cannot read counties from %s\n", argv[1]);
        return 1;
    }
    const char *cases = argc > 2 ? argv[2] : "100000:2000:10000:50,1000000:10000:100000:100";
    size_t threads = argc > 3 ? (size_t)atol(argv[3]) : 2;
    printf("bench_alloc: %zu counties, %zu sites, today 2025-03-01\n", w.n_counties, w.n_sites);
    for (const char *s = cases; s && *s;) {
        struct bench_case bc;
        unsigned long long a, b, c, d;
        if (sscanf(s, "%llu:%llu:%llu:%llu", &a, &b, &c, &d) != 4 || !a || !b || c < b || !d ||
            d > MATCH_MAX_K) {
            fprintf(stderr, "bad case %s (W:V:POSTS:K, POSTS >= V, K <= %d)\n", s, MATCH_MAX_K);
            return 2;
        }
        bc = (struct bench_case){a, b, c, d};
        run_case(&w, &bc, threads);
        s = strchr(s, ',');
        s = s ? s + 1 : NULL;
    }
    return 0;
}
