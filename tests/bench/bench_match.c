/*
 * bench_match: figures for the matching core (make bench-match).  A program
 * that prints numbers, never a test.
 *
 *   bench_match COUNTIES_CSV [SIZES] [QUERIES]
 *
 * COUNTIES_CSV is migrations/data/yunnan_counties_extended.csv (code,
 * lat_wgs84, lon_wgs84 of the 129 counties); SIZES a comma list of worker
 * counts (default 1000000,10000000).  Synthetic but shaped like the data:
 * 25 resettlement sites around each county seat, 2.5 workers a household,
 * 1-4 skills a worker drawn Zipf-like (P(rank r) ~ 1/r) over the 57 skills,
 * levels skewed low, some expiring certificates, ages 16-70.
 * BENCH_MATCH_WORKERS_ONLY=1 stops after the worker queries (for perf record).
 */
#define _POSIX_C_SOURCE 200809L
#include "csv.h"
#include "match/match.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "synth.h"

#define N_VACANCIES 100000

static double build_workers(struct world *w, struct match_index *idx, size_t n)
{
    struct match_worker m;
    int64_t household = 1;
    double t0 = now_ms();
    for (size_t i = 0; i < n; i++) {
        if (unif(w) < 0.4)
            household++;
        gen_worker(w, (int64_t)i + 1, household, &m);
        if (match_index_upsert_worker(idx, &m) < 0) {
            fprintf(stderr, "upsert worker %zu failed\n", i);
            exit(1);
        }
    }
    for (int64_t h = 1; h <= household; h++) {
        double u = unif(w);
        if (u < 0.17) {
            struct match_household hh = {
                h, u < 0.10, u < 0.10 ? MATCH_MON_NONE : (enum match_monitoring)(1 + pick(w, 3)),
                (uint16_t)(u < 0.12 && u >= 0.10)};
            if (match_index_upsert_household(idx, &hh))
                exit(1);
        }
    }
    return now_ms() - t0;
}

/* ---- measuring ---- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i];
}

struct half {
    const struct match_index *idx;
    const struct match_vacancy *v;
    const struct match_query *q;
    size_t begin, end;
    struct match_result *r;
};

static void *half_run(void *arg)
{
    struct half *h = arg;
    if (match_query_workers_range(h->idx, h->v, h->q, h->begin, h->end, h->r))
        abort();
    return NULL;
}

/* The same query over two threads: this one takes the first half. */
static void query_two_threads(const struct match_index *idx, const struct match_vacancy *v,
                              const struct match_query *q, struct match_result *a,
                              struct match_result *b)
{
    size_t n = match_index_worker_slots(idx), mid = n / 2;
    struct half h1 = {idx, v, q, 0, mid, a}, h2 = {idx, v, q, mid, n, b};
    pthread_t t;
    if (pthread_create(&t, NULL, half_run, &h2))
        abort();
    half_run(&h1);
    pthread_join(t, NULL);
    if (match_result_merge(a, b, q) || match_query_workers_finish(idx, v, q, a))
        abort();
}

enum { CAT_MUST, CAT_NO_MUST, CAT_NO_SKILLS, CAT_COUNT };

static int category(const struct match_vacancy *v)
{
    if (!v->n_skills)
        return CAT_NO_SKILLS;
    for (unsigned i = 0; i < v->n_skills; i++)
        if (v->skills[i].must)
            return CAT_MUST;
    return CAT_NO_MUST;
}

static bool same_hits(const struct match_result *a, const struct match_result *b)
{
    if (a->n != b->n)
        return false;
    for (uint32_t i = 0; i < a->n; i++)
        if (a->hit[i].id != b->hit[i].id || a->hit[i].score != b->hit[i].score)
            return false;
    return true;
}

/* FNV-1a over bytes: the digest of the pages the benchmark's queries return. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

/* Folds what a query returned into h: each hit's id, score, parts, km and
 * reasons, the counts, the flags and (with facets) the facet counts.  The
 * same digest before and after a change of the scan means the same answers. */
static uint64_t result_digest(uint64_t h, const struct match_result *r)
{
    h = fnv(h, &r->n, sizeof r->n);
    for (uint32_t i = 0; i < r->n; i++) {
        const struct match_hit *x = &r->hit[i];
        h = fnv(h, &x->id, sizeof x->id);
        h = fnv(h, &x->score, sizeof x->score);
        h = fnv(h, x->parts, sizeof x->parts);
        h = fnv(h, &x->km, sizeof x->km);
        h = fnv(h, &x->n_reasons, sizeof x->n_reasons);
        for (unsigned j = 0; j < x->n_reasons; j++) {
            const struct match_reason *y = &x->reasons[j];
            int32_t f[4] = {y->code, y->a, y->b, y->c};
            h = fnv(h, f, sizeof f);
        }
    }
    uint8_t flags[3] = {r->more, r->counts_exact, r->has_facets};
    h = fnv(h, flags, sizeof flags);
    h = fnv(h, &r->scanned, sizeof r->scanned);
    h = fnv(h, &r->candidates, sizeof r->candidates);
    h = fnv(h, r->removed, sizeof r->removed);
    if (r->has_facets) {
        const struct match_facets *f = &r->facets;
        h = fnv(h, f->kind, sizeof f->kind);
        h = fnv(h, f->wage_band, sizeof f->wage_band);
        h = fnv(h, f->dist_band, sizeof f->dist_band);
        h = fnv(h, &f->n_counties, sizeof f->n_counties);
        h = fnv(h, f->county, f->n_counties * sizeof f->county[0]);
    }
    return h;
}

/*
 * The memory-bandwidth floor: a plain sum over as many bytes as a worker
 * query's first pass would read at most (22 a worker).  One pass runs after
 * each query, so the floor and the queries share the machine's state of the
 * moment (other tenants' load, the clock, what the cache holds): the ratio of
 * their medians holds from run to run where each figure alone moves.
 */
struct floor {
    uint64_t *a;
    size_t n, bytes, runs;
    double *ms, *cpu;
    volatile uint64_t sink;
};

static void floor_init(struct floor *f, size_t bytes, size_t runs)
{
    f->n = bytes / 8, f->bytes = bytes, f->runs = 0, f->sink = 0;
    f->a = malloc(f->n * 8);
    f->ms = calloc(runs, sizeof(double));
    f->cpu = calloc(runs, sizeof(double));
    if (!f->a || !f->ms || !f->cpu)
        exit(1);
    for (size_t i = 0; i < f->n; i++)
        f->a[i] = i;
}

static void floor_pass(struct floor *f)
{
    double t0 = now_ms(), c0 = cpu_ms();
    uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (size_t i = 0; i + 4 <= f->n; i += 4) {
        s0 += f->a[i];
        s1 += f->a[i + 1];
        s2 += f->a[i + 2];
        s3 += f->a[i + 3];
    }
    f->sink += s0 + s1 + s2 + s3;
    f->ms[f->runs] = now_ms() - t0;
    f->cpu[f->runs++] = cpu_ms() - c0;
}

static void floor_free(struct floor *f)
{
    free(f->a), free(f->ms), free(f->cpu);
}

struct timing {
    double *ms;
    size_t n;
};

static void print_pct(const char *what, double *ms, size_t n)
{
    if (!n)
        return;
    double p50 = pct(ms, n, 0.5), p99 = pct(ms, n, 0.99);
    printf("  %-44s p50 %8.3f ms   p99 %8.3f ms   (n=%zu)\n", what, p50, p99, n);
}

/* One machine-readable figure for make bench (tests/bench/bench_table.pl). */
static void bench_line(const char *name, size_t workers, double value, const char *unit)
{
    printf("BENCH %s_%zu %.4f %s\n", name, workers, value, unit);
}

static double worker_queries(struct world *w, const struct match_index *idx, size_t nq, size_t n,
                             double *cpu_p50, struct floor *fl)
{
    struct match_vacancy *vs = calloc(nq, sizeof *vs);
    double *one = calloc(nq, sizeof(double)), *two = calloc(nq, sizeof(double));
    double *cpu = calloc(nq, sizeof(double));
    double *cat[CAT_COUNT];
    size_t ncat[CAT_COUNT] = {0};
    struct match_result *a = match_result_new(), *b = match_result_new(), *c = match_result_new();
    for (int k = 0; k < CAT_COUNT; k++)
        cat[k] = calloc(nq, sizeof(double));
    if (!vs || !one || !two || !cpu || !a || !b || !c || !cat[0] || !cat[1] || !cat[2])
        exit(1);
    struct match_query q;
    match_query_init(&q, w->today, 50);
    /* set: the one-thread queries alone (for callgrind: the other runs would dilute them) */
    bool one_only = getenv("BENCH_MATCH_ONE_THREAD_ONLY") != NULL;
    size_t identical = 0, matched = 0;
    uint64_t digest = 0xcbf29ce484222325ull, facet_digest = digest;
    for (size_t i = 0; i < nq; i++) {
        gen_vacancy(w, 900000000 + (int64_t)i, &vs[i]);
        vs[i].open = true;
        vs[i].filled = 0;
    }
    for (size_t i = 0; i < 3; i++) /* warm-up */
        if (match_query_workers(idx, &vs[i], &q, a))
            exit(1);
    for (size_t i = 0; i < nq; i++) {
        double c0 = cpu_ms(), t0 = now_ms();
        if (match_query_workers(idx, &vs[i], &q, a))
            exit(1);
        one[i] = now_ms() - t0;
        cpu[i] = cpu_ms() - c0;
        int k = category(&vs[i]);
        cat[k][ncat[k]++] = one[i];
        matched += a->candidates;
        digest = result_digest(digest, a);
        if (!one_only) {
            t0 = now_ms();
            query_two_threads(idx, &vs[i], &q, b, c);
            two[i] = now_ms() - t0;
            identical += same_hits(a, b);
        }
        floor_pass(fl);
    }
    printf("top-50 workers for one vacancy (%zu vacancies drawn like the real mix, ad hoc):\n", nq);
    print_pct("all, 1 thread", one, nq);
    print_pct("all, 1 thread, CPU time of the thread", cpu, nq);
    *cpu_p50 = pct(cpu, nq, 0.5);
    double p50 = pct(one, nq, 0.5);
    print_pct("with a must-have skill, 1 thread", cat[CAT_MUST], ncat[CAT_MUST]);
    print_pct("skills listed, none must-have, 1 thread", cat[CAT_NO_MUST], ncat[CAT_NO_MUST]);
    print_pct("no skills listed (public welfare), 1 thread", cat[CAT_NO_SKILLS],
              ncat[CAT_NO_SKILLS]);
    bench_line("match_workers_p50", n, p50, "ms");
    bench_line("match_workers_p99", n, pct(one, nq, 0.99), "ms");
    print_pct("all, 2 threads (range + merge)", two, nq);
    printf("  2-thread results identical to 1-thread: %zu of %zu; mean candidates %.0f\n",
           identical, nq, (double)matched / (double)nq);
    printf("  digest of the pages, scores, reasons, counts and flags: %016llx\n",
           (unsigned long long)digest);
    size_t nf = one_only ? 0 : nq < 30 ? nq : 30;
    q.facets = true;
    for (size_t i = 0; i < nf; i++) {
        double t0 = now_ms();
        if (match_query_workers(idx, &vs[i], &q, a))
            exit(1);
        one[i] = now_ms() - t0;
        facet_digest = result_digest(facet_digest, a);
    }
    print_pct("with facets (every record counted), 1 thread", one, nf);
    printf("  digest of the facet queries: %016llx\n", (unsigned long long)facet_digest);
    bench_line("match_facets_p50", n, pct(one, nf, 0.5), "ms");
    bench_line("match_facets_p99", n, pct(one, nf, 0.99), "ms");
    for (int k = 0; k < CAT_COUNT; k++)
        free(cat[k]);
    free(vs), free(one), free(two), free(cpu);
    match_result_free(a), match_result_free(b), match_result_free(c);
    return p50;
}

static void vacancy_queries(struct world *w, struct match_index *idx, size_t workers)
{
    struct match_vacancy v;
    double t0 = now_ms();
    for (int64_t i = 1; i <= N_VACANCIES; i++) {
        gen_vacancy(w, i, &v);
        if (match_index_upsert_vacancy(idx, &v))
            exit(1);
    }
    double build = now_ms() - t0;
    size_t nq = 1000;
    double *ms = calloc(nq, sizeof(double)), *cpu = calloc(nq, sizeof(double));
    struct match_result *r = match_result_new();
    if (!ms || !cpu || !r)
        exit(1);
    struct match_query q;
    match_query_init(&q, w->today, 20);
    struct match_worker who;
    for (size_t i = 0; i < nq; i++) {
        int64_t id;
        do /* someone seeking work: the others are answered at once */
            id = 1 + (int64_t)(unif(w) * (double)workers);
        while (!match_index_get_worker(idx, id, &who) || !(who.flags & MATCH_W_SEEKING));
        double c0 = cpu_ms();
        t0 = now_ms();
        if (match_query_vacancies_by_id(idx, id, &q, r))
            exit(1);
        ms[i] = now_ms() - t0;
        cpu[i] = cpu_ms() - c0;
    }
    printf("top-20 vacancies for one worker, %d vacancies (inserted in %.1f ms):\n", N_VACANCIES,
           build);
    print_pct("seeking worker from the index, 1 thread", ms, nq);
    print_pct("the same, CPU time of the thread", cpu, nq);
    bench_line("match_vacancies_p50", workers, pct(ms, nq, 0.5), "ms");
    bench_line("match_vacancies_p99", workers, pct(ms, nq, 0.99), "ms");
    struct match_worker m;
    for (size_t i = 0; i < 200; i++) {
        gen_worker(w, 0x7fffffff, 1, &m);
        t0 = now_ms();
        if (match_query_vacancies(idx, &m, NULL, &q, r))
            exit(1);
        ms[i] = now_ms() - t0;
    }
    print_pct("ad-hoc broker profile, 1 thread", ms, 200);
    free(ms), free(cpu);
    match_result_free(r);
}

/* Course recommendations (match_recommend_courses) for one seeking worker:
 * 60 courses, every skill of the taxonomy at level 3 and a few certificates,
 * counted over every vacancy as a kiosk asks (minimum score 50). */
static void course_recommendations(struct world *w, const struct match_index *idx, size_t workers)
{
    enum { N_COURSES = 60 };
    struct match_course courses[N_COURSES];
    struct match_course_gain gain[N_COURSES];
    for (unsigned i = 0; i < N_COURSES; i++) {
        courses[i].id = i + 1;
        courses[i].skill = i < N_SKILLS ? (uint8_t)(i + 1) : 0;
        courses[i].level = courses[i].skill ? 3 : 0;
        courses[i].cert = i < N_SKILLS ? 0 : (uint8_t)(1 + i - N_SKILLS);
    }
    size_t nq = 200;
    double *ms = calloc(nq, sizeof(double)), *cpu = calloc(nq, sizeof(double));
    if (!ms || !cpu)
        exit(1);
    struct match_query q;
    match_query_init(&q, w->today, 1);
    q.min_score = 5000;
    struct match_worker who;
    double opened = 0;
    for (size_t i = 0; i < nq; i++) {
        int64_t id;
        do
            id = 1 + (int64_t)(unif(w) * (double)workers);
        while (!match_index_get_worker(idx, id, &who) || !(who.flags & MATCH_W_SEEKING));
        double c0 = cpu_ms(), t0 = now_ms();
        if (match_recommend_courses(idx, id, &q, courses, N_COURSES, gain, NULL))
            exit(1);
        ms[i] = now_ms() - t0;
        cpu[i] = cpu_ms() - c0;
        for (unsigned c = 0; c < N_COURSES; c++)
            opened += gain[c].opened;
    }
    printf("course recommendations for one worker, %d courses over %d vacancies "
           "(mean %.1f jobs opened a course):\n",
           N_COURSES, N_VACANCIES, opened / (double)(nq * N_COURSES));
    print_pct("seeking worker from the index, 1 thread", ms, nq);
    print_pct("the same, CPU time of the thread", cpu, nq);
    free(ms), free(cpu);
}

static long rss_peak_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6))
            kib = atol(line + 6);
    if (f)
        fclose(f);
    return kib;
}

/* Update in place, remove and insert again: microseconds per call. */
static void churn(struct world *w, struct match_index *idx, size_t n)
{
    size_t m = 100000 < n ? 100000 : n;
    struct match_worker wk;
    double t0 = now_ms();
    for (size_t i = 0; i < m; i++) {
        gen_worker(w, 1 + (int64_t)pick(w, (unsigned)n), 1 + pick(w, (unsigned)(n / 3)), &wk);
        if (match_index_upsert_worker(idx, &wk) < 0)
            exit(1);
    }
    double upd = (now_ms() - t0) * 1e3 / (double)m;
    t0 = now_ms();
    for (size_t i = 0; i < m; i++) {
        int64_t id = 1 + (int64_t)i * (int64_t)(n / m);
        if (!match_index_get_worker(idx, id, &wk) || match_index_remove_worker(idx, id) ||
            match_index_upsert_worker(idx, &wk) < 0)
            exit(1);
    }
    double rem = (now_ms() - t0) * 1e3 / (double)m;
    printf("  update one worker %.2f us; get + remove + insert again %.2f us\n", upd, rem);
}

static void run_size(struct world *w, size_t n, size_t nq)
{
    printf("\n== %zu workers ==\n", n);
    struct match_index *idx = match_index_new();
    if (!idx)
        exit(1);
    for (unsigned s = 1; s <= N_SKILLS; s++)
        if (skill_parent[s] && match_index_set_skill_parent(idx, s, skill_parent[s]))
            exit(1);
    double t0 = now_ms();
    if (match_index_reserve(idx, n, N_VACANCIES))
        exit(1);
    double reserve = now_ms() - t0;
    double build = build_workers(w, idx, n);
    struct match_stats st;
    match_index_stats(idx, &st);
    printf(
        "build: %.0f ms for %zu workers and %zu households (%.2f us a worker; reserve %.0f ms)\n",
        build, st.workers, st.households, build * 1e3 / (double)n, reserve);
    printf("memory: %.1f bytes a worker (worker arrays and id map %.1f, households %.1f); "
           "peak RSS %.0f MiB\n",
           (double)(st.worker_bytes + st.household_bytes) / (double)st.workers,
           (double)st.worker_bytes / (double)st.workers,
           (double)st.household_bytes / (double)st.workers, rss_peak_kib() / 1024.0);
    struct floor fl;
    floor_init(&fl, st.scan_bytes_per_worker * st.worker_slots, nq);
    double cpu_p50 = 0, p50 = worker_queries(w, idx, nq, n, &cpu_p50, &fl);
    double floor_ms = pct(fl.ms, fl.runs, 0.5), floor_cpu = pct(fl.cpu, fl.runs, 0.5);
    double gbps = (double)fl.bytes / (floor_ms * 1e6);
    floor_free(&fl);
    printf("memory-bandwidth floor: a plain sum over %zu bytes (%zu a worker) takes %.3f ms "
           "(%.1f GB/s); top-50 p50 / floor = %.2f\n",
           st.scan_bytes_per_worker * st.worker_slots, st.scan_bytes_per_worker, floor_ms, gbps,
           p50 / floor_ms);
    printf("  the same in CPU time: floor %.3f ms, top-50 p50 %.3f ms, ratio %.2f\n", floor_cpu,
           cpu_p50, cpu_p50 / floor_cpu);
    printf("  first pass reads %zu bytes a worker (+1 county with the residence rule, +8 with a "
           "must-have certificate)\n",
           st.first_pass_bytes_per_worker);
    bench_line("match_floor", n, floor_ms, "ms");
    bench_line("match_floor_cpu", n, floor_cpu, "ms");
    bench_line("match_workers_cpu_p50", n, cpu_p50, "ms");
    bench_line("match_first_pass_bytes", n, (double)st.first_pass_bytes_per_worker, "B");
    if (!getenv("BENCH_MATCH_WORKERS_ONLY")) { /* set: the worker side alone, for perf */
        vacancy_queries(w, idx, n);
        course_recommendations(w, idx, n);
        churn(w, idx, n);
    }
    match_index_stats(idx, &st);
    printf("peak RSS so far %.0f MiB\n", rss_peak_kib() / 1024.0);
    match_index_free(idx);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_match COUNTIES_CSV [SIZES] [QUERIES]\n");
        return 2;
    }
    static struct world w;
    world_init(&w);
    if (load_counties(&w, argv[1])) {
        fprintf(stderr, "cannot read counties from %s\n", argv[1]);
        return 1;
    }
    const char *sizes = argc > 2 ? argv[2] : "1000000,10000000";
    size_t nq = argc > 3 ? (size_t)atol(argv[3]) : 200;
    printf("bench_match: %zu counties, %zu sites, today 2025-03-01, %zu queries a size\n",
           w.n_counties, w.n_sites, nq);
    for (const char *p = sizes; *p;) {
        size_t n = (size_t)strtoull(p, NULL, 10);
        if (n)
            run_size(&w, n, nq);
        p = strchr(p, ',');
        if (!p)
            break;
        p++;
    }
    return 0;
}
