/*
 * synth: the synthetic Yunnan the benchmarks share (bench_match,
 * bench_alloc): counties from the CSV, 25 resettlement sites around each
 * county seat, households, workers with Zipf-like skills, vacancies drawn
 * like the real mix of kinds.  Header-only, static: each benchmark is one
 * program.
 */
#ifndef LEYE_BENCH_SYNTH_H
#define LEYE_BENCH_SYNTH_H

#include "csv.h"
#include "match/match.h"
#define TEST_RNG_NEXT_ONLY
#include "../unit/test_rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SITES_PER_COUNTY 25
#define MAX_COUNTIES 160
#define N_SKILLS 57

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

static double unif(struct world *w)
{
    return (double)(test_rng_next(&w->rng) >> 11) * (1.0 / 9007199254740992.0);
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

#endif
