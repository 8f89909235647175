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

#define SITES_PER_COUNTY 25
#define MAX_COUNTIES 160
#define N_SKILLS 57
#define N_VACANCIES 100000

/* skill -> parent, from migrations/003_domain.sql */
static const unsigned char skill_parent[N_SKILLS + 1] = {
    0,  0,  1,  1,  1,  1,  1,  1,  1,  1,  0, 10, 10, 0,  13, 13, 0,  16, 16, 16,
    16, 0,  21, 21, 21, 21, 0,  26, 26, 26, 0, 30, 30, 30, 30, 0,  35, 35, 0,  0,
    39, 39, 39, 39, 0,  44, 44, 0,  47, 47, 0, 0,  51, 51, 51, 0,  1,  0};

/* popularity order of skills among relocated workers (most common first) */
static const unsigned char skill_rank[N_SKILLS] = {
    2,  34, 41, 29, 36, 56, 22, 3,  57, 45, 31, 5,  4,  6,  25, 40, 1,  52, 14,
    11, 19, 33, 8,  9,  38, 27, 50, 55, 42, 46, 7,  54, 23, 12, 43, 21, 28, 32,
    39, 44, 47, 48, 49, 53, 10, 13, 15, 16, 17, 18, 20, 24, 26, 30, 35, 37, 51};

struct site {
    double lat, lon;
    int32_t county;
};

struct world {
    struct site site[MAX_COUNTIES * SITES_PER_COUNTY];
    size_t n_sites, n_counties;
    double zipf_cdf[N_SKILLS];
    int32_t today;
    uint64_t rng;
};

static uint64_t rnd(struct world *w)
{
    uint64_t z = (w->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double unif(struct world *w)
{
    return (double)(rnd(w) >> 11) * (1.0 / 9007199254740992.0);
}

static unsigned pick(struct world *w, unsigned n)
{
    return (unsigned)(unif(w) * n);
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* CPU time of this thread: what a query cost, whatever else ran on the host. */
static double cpu_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* ---- the world: counties from the CSV, sites around them ---- */

static int column(const struct csv_record *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->field[i], name))
            return (int)i;
    return -1;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static int load_counties(struct world *w, const char *path)
{
    size_t len;
    char *text = slurp(path, &len);
    if (!text)
        return -1;
    static struct csv_parser ps;
    struct csv_record r;
    int code = -1, lat = -1, lon = -1;
    csv_init(&ps, text, len);
    while (csv_next(&ps, &r) == CSV_RECORD) {
        if (code < 0) {
            code = column(&r, "code"), lat = column(&r, "lat_wgs84"), lon = column(&r, "lon_wgs84");
            if (code < 0 || lat < 0 || lon < 0)
                break;
            continue;
        }
        if (w->n_counties == MAX_COUNTIES)
            break;
        double la = atof(r.field[lat]), lo = atof(r.field[lon]);
        int32_t c = atoi(r.field[code]);
        for (int s = 0; s < SITES_PER_COUNTY; s++) { /* within ~25 km of the county seat */
            double rad = 25.0 * sqrt(unif(w)), ang = 2 * 3.14159265358979 * unif(w);
            struct site *st = &w->site[w->n_sites++];
            st->lat = la + rad * sin(ang) / 111.0;
            st->lon = lo + rad * cos(ang) / (111.0 * cos(la * 3.14159265358979 / 180));
            st->county = c;
        }
        w->n_counties++;
    }
    free(text);
    return w->n_counties ? 0 : -1;
}

static void world_init(struct world *w)
{
    double s = 0;
    for (int r = 0; r < N_SKILLS; r++) {
        s += 1.0 / (r + 1);
        w->zipf_cdf[r] = s;
    }
    for (int r = 0; r < N_SKILLS; r++)
        w->zipf_cdf[r] /= s;
    w->today = match_day(2025, 3, 1);
    w->rng = 20250301;
}

static unsigned zipf_skill(struct world *w)
{
    double u = unif(w);
    unsigned lo = 0, hi = N_SKILLS - 1;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (w->zipf_cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return skill_rank[lo];
}

/* ---- synthetic workers, households, vacancies ---- */

static void gen_skills(struct world *w, struct match_worker *m)
{
    static const double level_cdf[5] = {0.40, 0.70, 0.90, 0.97, 1.0};
    unsigned n = 1 + pick(w, 4);
    m->n_skills = 0;
    while (m->n_skills < n) {
        unsigned s = zipf_skill(w), dup = 0;
        for (unsigned i = 0; i < m->n_skills; i++)
            dup |= m->skills[i].skill == s;
        if (dup)
            continue;
        double u = unif(w);
        unsigned l = 0;
        while (u > level_cdf[l])
            l++;
        m->skills[m->n_skills++] = (struct match_worker_skill){(uint8_t)s, (uint8_t)(l + 1)};
    }
}

static void gen_certs(struct world *w, struct match_worker *m)
{
    m->n_certs = 0;
    if (unif(w) < 0.35) /* health certificate, yearly */
        m->certs[m->n_certs++] =
            (struct match_worker_cert){11, w->today - 180 + (int32_t)pick(w, 365)};
    if (unif(w) < 0.20) /* a driving licence, six-yearly */
        m->certs[m->n_certs++] = (struct match_worker_cert){(uint8_t)(2 + pick(w, 3)),
                                                            w->today + (int32_t)pick(w, 2190)};
    if (unif(w) < 0.15) /* a special-operation or skill certificate */
        m->certs[m->n_certs++] =
            (struct match_worker_cert){(uint8_t)(6 + pick(w, 12)), MATCH_NO_DAY};
}

static void gen_worker(struct world *w, int64_t id, int64_t household, struct match_worker *m)
{
    static const uint16_t commute[] = {5, 10, 20, 20, 20, 30, 50, 100};
    memset(m, 0, sizeof *m);
    m->id = id;
    m->household_id = household;
    const struct site *st = &w->site[pick(w, (unsigned)w->n_sites)];
    m->county_code = st->county;
    m->lat = st->lat;
    m->lon = st->lon;
    double u = unif(w);
    m->flags = (uint16_t)((u < 0.65 ? MATCH_W_SEEKING : 0) |
                          (unif(w) < 0.6 ? MATCH_W_CONSENT_BROKERS : 0) |
                          (unif(w) < 0.4 ? MATCH_W_WILLING_COUNTY : 0) |
                          (unif(w) < 0.2 ? MATCH_W_WILLING_PROVINCE : 0) |
                          (unif(w) < 0.15 ? MATCH_W_NEEDS_ACCOMMODATION : 0) |
                          (unif(w) < 0.85 ? MATCH_W_RELOCATED : 0) |
                          (unif(w) < 0.5 ? MATCH_W_LOCAL_RESIDENT : 0) |
                          (unif(w) < 0.03 ? MATCH_W_HOLDS_PUBLIC_WELFARE : 0));
    m->birth_day = w->today - (int32_t)(365.25 * (16 + 54 * unif(w)));
    m->available_from = unif(w) < 0.8 ? MATCH_NO_DAY : w->today + (int32_t)pick(w, 60);
    m->max_commute_km = commute[pick(w, 8)];
    m->wage_floor = unif(w) < 0.3 ? 0 : 1500 + 100 * pick(w, 46);
    m->kinds_wanted = unif(w) < 0.5 ? 0 : (uint8_t)(1 + pick(w, 63));
    gen_skills(w, m);
    gen_certs(w, m);
}

static void gen_vacancy_skills(struct world *w, struct match_vacancy *v)
{
    unsigned n = v->kind == MATCH_KIND_PUBLIC_WELFARE && unif(w) < 0.5 ? 0 : 1 + pick(w, 3);
    v->n_skills = 0;
    while (v->n_skills < n) {
        unsigned s = zipf_skill(w), dup = 0;
        for (unsigned i = 0; i < v->n_skills; i++)
            dup |= v->skills[i].skill == s;
        if (dup)
            continue;
        struct match_vacancy_skill *vs = &v->skills[v->n_skills];
        vs->skill = (uint8_t)s;
        vs->min_level = (uint8_t)(1 + pick(w, 3));
        vs->weight = (float)(1 + pick(w, 3));
        vs->must = v->n_skills == 0 && unif(w) < 0.5;
        v->n_skills++;
    }
    v->n_certs = 0;
    if (unif(w) < 0.15)
        v->certs[v->n_certs++] = (struct match_vacancy_cert){11, true};
    if (unif(w) < 0.05)
        v->certs[v->n_certs++] = (struct match_vacancy_cert){(uint8_t)(6 + pick(w, 4)), true};
}

static void gen_vacancy(struct world *w, int64_t id, struct match_vacancy *v)
{
    static const double kind_cdf[MATCH_KIND_COUNT] = {0.55, 0.65, 0.75, 0.80, 0.95, 1.0};
    memset(v, 0, sizeof *v);
    v->id = id;
    double u = unif(w);
    unsigned k = 0;
    while (u > kind_cdf[k])
        k++;
    v->kind = (enum match_kind)k;
    const struct site *st = &w->site[pick(w, (unsigned)w->n_sites)];
    v->county_code = st->county;
    v->lat = st->lat + (unif(w) - 0.5) * 0.1;
    v->lon = st->lon + (unif(w) - 0.5) * 0.1;
    if (v->kind == MATCH_KIND_LABOR_EXPORT) { /* Guangdong or Zhejiang */
        bool gd = unif(w) < 0.6;
        v->dest_province = gd ? 440000 : 330000;
        v->lat = gd ? 22.8 : 30.0;
        v->lon = gd ? 113.5 : 120.5;
    }
    v->open = unif(w) < 0.95;
    v->headcount = 1 + pick(w, 50);
    v->filled = unif(w) < 0.02 ? v->headcount : 0;
    v->wage_period = v->kind == MATCH_KIND_WORK_RELIEF ? MATCH_WAGE_DAY : MATCH_WAGE_MONTH;
    v->wage_min =
        v->wage_period == MATCH_WAGE_DAY ? 100 + 10 * pick(w, 10) : 2000 + 100 * pick(w, 40);
    v->wage_max = v->wage_min + (v->wage_period == MATCH_WAGE_DAY ? 50 : 100 * pick(w, 20));
    v->age_min = 18;
    v->age_max = (uint8_t)(unif(w) < 0.5 ? 55 : 60);
    v->accommodation = unif(w) < 0.25;
    v->transport = unif(w) < 0.2;
    v->start_day = unif(w) < 0.5 ? MATCH_NO_DAY : w->today + (int32_t)pick(w, 30);
    gen_vacancy_skills(w, v);
}

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

/* Time of a plain sum over as many bytes as a worker query reads. */
static double bandwidth_floor(size_t bytes, double *gbps)
{
    size_t n = bytes / 8;
    uint64_t *a = malloc(n * 8);
    if (!a)
        return 0;
    for (size_t i = 0; i < n; i++)
        a[i] = i;
    double t[9];
    volatile uint64_t sink = 0;
    for (int r = 0; r < 9; r++) {
        double t0 = now_ms();
        uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (size_t i = 0; i + 4 <= n; i += 4) {
            s0 += a[i];
            s1 += a[i + 1];
            s2 += a[i + 2];
            s3 += a[i + 3];
        }
        sink += s0 + s1 + s2 + s3;
        t[r] = now_ms() - t0;
    }
    free(a);
    double med = pct(t, 9, 0.5);
    *gbps = (double)bytes / (med * 1e6);
    return med;
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

static double worker_queries(struct world *w, const struct match_index *idx, size_t nq)
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
    size_t identical = 0, matched = 0;
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
        t0 = now_ms();
        query_two_threads(idx, &vs[i], &q, b, c);
        two[i] = now_ms() - t0;
        identical += same_hits(a, b);
    }
    printf("top-50 workers for one vacancy (%zu vacancies drawn like the real mix, ad hoc):\n", nq);
    print_pct("all, 1 thread", one, nq);
    print_pct("all, 1 thread, CPU time of the thread", cpu, nq);
    double p50 = pct(one, nq, 0.5);
    print_pct("with a must-have skill, 1 thread", cat[CAT_MUST], ncat[CAT_MUST]);
    print_pct("skills listed, none must-have, 1 thread", cat[CAT_NO_MUST], ncat[CAT_NO_MUST]);
    print_pct("no skills listed (public welfare), 1 thread", cat[CAT_NO_SKILLS],
              ncat[CAT_NO_SKILLS]);
    print_pct("all, 2 threads (range + merge)", two, nq);
    printf("  2-thread results identical to 1-thread: %zu of %zu; mean candidates %.0f\n",
           identical, nq, (double)matched / (double)nq);
    size_t nf = nq < 30 ? nq : 30;
    q.facets = true;
    for (size_t i = 0; i < nf; i++) {
        double t0 = now_ms();
        if (match_query_workers(idx, &vs[i], &q, a))
            exit(1);
        one[i] = now_ms() - t0;
    }
    print_pct("with facets (every record scored), 1 thread", one, nf);
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
    double p50 = worker_queries(w, idx, nq);
    double gbps = 0, floor_ms = bandwidth_floor(st.scan_bytes_per_worker * st.worker_slots, &gbps);
    printf("memory-bandwidth floor: a plain sum over %zu bytes (%zu a worker) takes %.3f ms "
           "(%.1f GB/s); top-50 p50 / floor = %.2f\n",
           st.scan_bytes_per_worker * st.worker_slots, st.scan_bytes_per_worker, floor_ms, gbps,
           p50 / floor_ms);
    vacancy_queries(w, idx, n);
    churn(w, idx, n);
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
