/*
 * test_match_query: top-k scans against brute force.  Every worker (or
 * vacancy) is evaluated through match_explain, the reference path; the scans
 * with their gate, tiers, cut and bounds must return exactly the same page,
 * the same counts when they say they are exact, and the same facets.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "match/match_int.h"
#include "test_rng.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- fixture: a random world ---- */

static const int32_t county_codes[] = {530102, 530103, 530111, 530112,
                                       530113, 530114, 530124, 530125};
static const double county_lat[] = {25.05, 25.12, 24.95, 25.04, 25.50, 24.88, 25.38, 24.67};
static const double county_lon[] = {102.71, 102.75, 102.75, 102.66, 103.20, 102.80, 102.50, 103.25};
static const uint8_t skill_pool[] = {2,  3,  4,  13, 14, 15, 22, 23, 27,  29,
                                     31, 34, 39, 41, 52, 53, 70, 71, 130, 200};

static int32_t today(void)
{
    return match_day(2025, 3, 1);
}

static void set_taxonomy(struct match_index *idx)
{
    static const unsigned pairs[][2] = {
        {2, 1},   {3, 1},   {4, 1},   {14, 13}, {15, 13}, {22, 21}, {23, 21}, {27, 26},  {29, 26},
        {31, 30}, {34, 30}, {41, 39}, {52, 51}, {53, 51}, {70, 13}, {71, 70}, {130, 70}, {200, 1}};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        assert_int_equal(match_index_set_skill_parent(idx, pairs[i][0], pairs[i][1]), 0);
}

static void random_worker(int64_t id, int64_t households, struct match_worker *w)
{
    static const uint16_t commute[] = {0, 5, 20, 20, 50, 100, 3000};
    memset(w, 0, sizeof *w);
    w->id = id;
    w->household_id = 1 + (int64_t)pick((unsigned)households);
    w->flags = (uint16_t)(rnd() & MATCH_W_ALL_FLAGS);
    if (chance(60))
        w->flags |= MATCH_W_SEEKING;
    w->birth_day = chance(3)
                       ? match_day(1960 + 4 * (int)pick(12), 2, 29) /* leap-day births */
                       : match_day(1955 + (int)pick(58), 1 + (int)pick(12), 1 + (int)pick(28));
    w->available_from = chance(60) ? MATCH_NO_DAY : today() - 60 + (int32_t)pick(120);
    unsigned c = pick(8);
    w->county_code = county_codes[c];
    w->lat = county_lat[c] + ((double)pick(1000) - 500) / 1000.0;
    w->lon = county_lon[c] + ((double)pick(1000) - 500) / 1000.0;
    w->max_commute_km = commute[pick(7)];
    w->wage_floor = chance(30) ? 0 : 1000 * pick(9);
    w->kinds_wanted = chance(50) ? 0 : (uint8_t)(rnd() & 63);
    for (unsigned n = pick(6); w->n_skills < n;) {
        w->skills[w->n_skills].skill = skill_pool[pick(sizeof skill_pool)];
        w->skills[w->n_skills++].level = (uint8_t)(1 + pick(5));
    }
    for (unsigned n = chance(5) ? 7 : pick(4); w->n_certs < n;) {
        w->certs[w->n_certs].cert = (uint8_t)(1 + pick(12));
        w->certs[w->n_certs++].expires =
            chance(40) ? MATCH_NO_DAY : today() - 400 + (int32_t)pick(800);
    }
}

static void random_vacancy(int64_t id, struct match_vacancy *v)
{
    memset(v, 0, sizeof *v);
    v->id = id;
    v->kind = (enum match_kind)pick(MATCH_KIND_COUNT);
    v->open = chance(93);
    v->headcount = 1 + pick(5);
    v->filled = chance(5) ? v->headcount : 0;
    unsigned c = pick(8);
    v->county_code = county_codes[c];
    v->lat = county_lat[c] + ((double)pick(1000) - 500) / 1000.0;
    v->lon = county_lon[c] + ((double)pick(1000) - 500) / 1000.0;
    if (v->kind == MATCH_KIND_LABOR_EXPORT)
        v->dest_province = chance(50) ? 440000 : 530000;
    v->wage_period = (enum match_wage_period)pick(4);
    v->wage_min = v->wage_period == MATCH_WAGE_MONTH ? 1000 * pick(8) : 50 + pick(200);
    v->wage_max = v->wage_min + pick(3000);
    v->age_min = (uint8_t)(14 + pick(20));
    v->age_max = (uint8_t)(v->age_min + pick(50));
    v->accommodation = chance(30);
    v->transport = chance(30);
    v->start_day = chance(50) ? MATCH_NO_DAY : today() - 30 + (int32_t)pick(90);
    for (unsigned n = pick(5); v->n_skills < n;) {
        uint8_t s = skill_pool[pick(sizeof skill_pool)];
        bool dup = false;
        for (unsigned i = 0; i < v->n_skills; i++)
            dup |= v->skills[i].skill == s;
        if (dup)
            continue;
        struct match_vacancy_skill *vs = &v->skills[v->n_skills++];
        vs->skill = s;
        vs->min_level = (uint8_t)(1 + pick(5));
        vs->must = chance(30);
        vs->weight = 0.5f + (float)pick(10) / 2;
    }
    for (unsigned n = pick(3); v->n_certs < n;) {
        v->certs[v->n_certs].cert = (uint8_t)(1 + pick(12));
        v->certs[v->n_certs++].must = chance(60);
    }
}

static struct match_index *random_index(size_t workers, size_t vacancies, uint64_t seed)
{
    rng_state = seed;
    struct match_index *idx = match_index_new();
    assert_non_null(idx);
    set_taxonomy(idx);
    int64_t households = (int64_t)(workers / 2 + 1);
    struct match_worker w;
    for (size_t i = 1; i <= workers; i++) {
        random_worker((int64_t)i * 3, households, &w);
        assert_true(match_index_upsert_worker(idx, &w) >= 0);
    }
    for (int64_t h = 1; h <= households; h++) {
        if (!chance(50))
            continue;
        struct match_household hh = {h, chance(20),
                                     (enum match_monitoring)(chance(80) ? 0 : 1 + pick(3)),
                                     (uint16_t)(chance(10) ? 1 : 0)};
        assert_int_equal(match_index_upsert_household(idx, &hh), 0);
    }
    struct match_vacancy v;
    for (size_t i = 1; i <= vacancies; i++) {
        do
            random_vacancy((int64_t)i * 7, &v);
        while (v.age_min > v.age_max);
        assert_int_equal(match_index_upsert_vacancy(idx, &v), 0);
    }
    /* churn: remove some and reuse their slots */
    for (size_t i = 1; i <= workers / 10; i++)
        if (match_index_remove_worker(idx, (int64_t)(pick((unsigned)workers) + 1) * 3))
            continue; /* already removed */
    for (size_t i = 1; i <= workers / 20; i++) {
        random_worker((int64_t)(workers + i) * 3, households, &w);
        assert_true(match_index_upsert_worker(idx, &w) >= 0);
    }
    return idx;
}

static void random_query(struct match_query *q, struct match_weights *w)
{
    match_query_init(q, today(), 1 + pick(60));
    q->broker = chance(20);
    q->no_priority = chance(25);
    q->facets = chance(30);
    q->min_score = chance(70) ? 0 : 2000 + (int32_t)pick(4000);
    q->max_km = chance(70) ? 0 : 10.0f + (float)pick(150);
    q->kinds = chance(80) ? 0 : (uint8_t)(1 + pick(63));
    if (chance(20))
        for (unsigned n = 1 + pick(4); q->n_counties < n;)
            q->counties[q->n_counties++] = county_codes[pick(8)];
    if (chance(20)) {
        q->wage_min = 1000 * pick(4);
        q->wage_max = chance(50) ? 0 : q->wage_min + 1000 * pick(5);
    }
    if (chance(25)) {
        match_weights_default(w);
        for (int k = 0; k < MATCH_KIND_COUNT; k++) {
            w->kind[k].one_per_household = chance(50);
            w->kind[k].no_double_post = chance(50);
            w->kind[k].residents_only = chance(50);
            w->kind[k].must_level_slack = (uint8_t)pick(3);
            w->kind[k].weight[pick(MATCH_PART_COUNT)] = (float)pick(60);
        }
        q->weights = w;
    }
}

/* ---- brute force ---- */

struct brute {
    size_t n;
    struct match_hit *all; /* every record that passes, sorted */
    uint64_t scanned, candidates, removed[MATCH_F_COUNT];
    struct match_facets facets;
};

static int by_order(const void *a, const void *b)
{
    const struct match_hit *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

#define FACET_BITS                                                                                 \
    ((1u << MATCH_F_COUNTY) | (1u << MATCH_F_KIND) | (1u << MATCH_F_WAGE) |                        \
     (1u << MATCH_F_DISTANCE))

static void brute_facets(struct brute *b, const struct match_hit *h, int32_t county, unsigned kinds,
                         unsigned wage_band)
{
    uint32_t f = h->failed;
    uint32_t fm = f & FACET_BITS;
    if ((f & ~FACET_BITS) || (fm & (fm - 1)))
        return;
    struct match_facets *fc = &b->facets;
    if (!fm || fm == 1u << MATCH_F_COUNTY) {
        uint32_t i = 0;
        while (i < fc->n_counties && fc->county[i].code != county)
            i++;
        if (i == fc->n_counties)
            fc->county[fc->n_counties++] = (struct match_county_count){county, 0};
        fc->county[i].count++;
    }
    if (!fm || fm == 1u << MATCH_F_KIND)
        for (int k = 0; k < MATCH_KIND_COUNT; k++)
            fc->kind[k] += (kinds >> k) & 1;
    if (!fm || fm == 1u << MATCH_F_WAGE)
        fc->wage_band[wage_band]++;
    if (!fm || fm == 1u << MATCH_F_DISTANCE)
        fc->dist_band[match_dist_band(h->km)]++;
}

static void brute_add(struct brute *b, const struct match_query *q, struct match_hit *h)
{
    b->scanned++;
    if (h->failed)
        b->removed[__builtin_ctz(h->failed)]++;
    if (!h->failed)
        b->candidates++;
    bool after = !q->after || h->score < q->after_score ||
                 (h->score == q->after_score && h->id > q->after_id);
    if (!h->failed && after)
        b->all[b->n++] = *h;
}

static void brute_workers(const struct match_index *idx, int64_t vacancy,
                          const struct match_query *q, int64_t max_id, struct brute *b)
{
    memset(b, 0, sizeof *b);
    b->all = calloc((size_t)max_id + 1, sizeof *b->all);
    assert_non_null(b->all);
    struct match_hit h;
    struct match_worker w;
    for (int64_t id = 1; id <= max_id; id++) {
        if (!match_index_get_worker(idx, id, &w))
            continue;
        assert_int_equal(match_explain(idx, id, vacancy, q, MATCH_TARGET_WORKERS, &h), 0);
        brute_add(b, q, &h);
        if (q->facets)
            brute_facets(b, &h, w.county_code, w.kinds_wanted ? w.kinds_wanted : 63,
                         match_wage_band(NULL, w.wage_floor));
    }
    qsort(b->all, b->n, sizeof *b->all, by_order);
}

static void brute_vacancies(const struct match_index *idx, int64_t worker,
                            const struct match_query *q, int64_t max_id, struct brute *b)
{
    memset(b, 0, sizeof *b);
    b->all = calloc((size_t)max_id + 1, sizeof *b->all);
    assert_non_null(b->all);
    struct match_hit h;
    struct match_vacancy v;
    for (int64_t id = 1; id <= max_id; id++) {
        if (!match_index_get_vacancy(idx, id, &v))
            continue;
        assert_int_equal(match_explain(idx, worker, id, q, MATCH_TARGET_VACANCIES, &h), 0);
        brute_add(b, q, &h);
        if (q->facets) /* get_vacancy gives monthly wages, or a piece rate */
            brute_facets(b, &h, v.county_code, 1u << v.kind,
                         v.wage_period == MATCH_WAGE_PIECE ? MATCH_WAGE_BANDS - 1
                                                           : match_wage_band(NULL, v.wage_min));
    }
    qsort(b->all, b->n, sizeof *b->all, by_order);
}

static void check_facets(const struct match_facets *a, const struct match_facets *b)
{
    for (int k = 0; k < MATCH_KIND_COUNT; k++)
        assert_int_equal(a->kind[k], b->kind[k]);
    for (int i = 0; i < MATCH_WAGE_BANDS; i++)
        assert_int_equal(a->wage_band[i], b->wage_band[i]);
    for (int i = 0; i < MATCH_DIST_BANDS; i++)
        assert_int_equal(a->dist_band[i], b->dist_band[i]);
    assert_int_equal(a->n_counties, b->n_counties);
    for (uint32_t i = 0; i < a->n_counties; i++) {
        uint32_t j = 0;
        while (j < b->n_counties && b->county[j].code != a->county[i].code)
            j++;
        assert_true(j < b->n_counties);
        assert_int_equal(a->county[i].count, b->county[j].count);
        if (i)
            assert_true(a->county[i - 1].code < a->county[i].code);
    }
}

/* The page and the counts of a scan against brute force. */
static void check_result(const struct match_result *r, const struct brute *b,
                         const struct match_query *q)
{
    uint32_t want = b->n < q->k ? (uint32_t)b->n : q->k;
    if (getenv("MATCH_TEST_DEBUG") && (r->n != want || (r->n && r->hit[0].id != b->all[0].id))) {
        fprintf(stderr, "scan %u brute %u (k %u)\n", r->n, want, q->k);
        for (uint32_t i = 0; i < r->n || i < want; i++)
            fprintf(stderr, "  %lld:%d failed %x | %lld:%d\n",
                    i < r->n ? (long long)r->hit[i].id : -1, i < r->n ? r->hit[i].score : -1,
                    i < r->n ? r->hit[i].failed : 0, i < want ? (long long)b->all[i].id : -1,
                    i < want ? b->all[i].score : -1);
    }
    assert_int_equal(r->n, want);
    for (uint32_t i = 0; i < r->n; i++) {
        assert_int_equal(r->hit[i].id, b->all[i].id);
        assert_int_equal(r->hit[i].score, b->all[i].score);
        int32_t sum = 0;
        for (int p = 0; p < MATCH_PART_COUNT; p++)
            sum += r->hit[i].parts[p];
        assert_true(abs(sum - r->hit[i].score) <= MATCH_PART_COUNT);
    }
    if (b->n > q->k)
        assert_true(r->more);
    assert_int_equal(r->scanned, b->scanned);
    if (q->facets || r->n < q->k)
        assert_true(r->counts_exact);
    if (r->counts_exact) {
        assert_int_equal(r->candidates, b->candidates);
        for (int f = 0; f < MATCH_F_COUNT; f++)
            assert_int_equal(r->removed[f], b->removed[f]);
    } else {
        assert_true(r->candidates <= b->candidates);
        for (int f = 0; f < MATCH_F_COUNT; f++)
            assert_true(r->removed[f] <= b->removed[f]);
    }
    assert_int_equal(r->has_facets, q->facets);
    if (q->facets)
        check_facets(&r->facets, &b->facets);
}

/* Takes every n-th live worker's site out of the place table, as when the
 * table is full: the gate then reads that worker's site from w_q. */
static void places_drop(struct match_index *idx, unsigned n)
{
    for (uint32_t s = 0; s < idx->w_top; s += n)
        if ((idx->w_flags[s] & MATCH_W_LIVE) && idx->w_place[s] != MATCH_PLACE_NONE) {
            match_place_release(idx, idx->w_place[s]);
            idx->w_place[s] = MATCH_PLACE_NONE;
            idx->p_none++;
        }
}

/* ---- tests ---- */

#define WORKERS 2500
#define VACANCIES 60

/* MATCH_TEST_ROUNDS=n repeats the random comparisons with n seeds (default 1). */
static int rounds(void)
{
    const char *e = getenv("MATCH_TEST_ROUNDS");
    return e && atoi(e) > 0 ? atoi(e) : 1;
}

static void workers_round(uint64_t seed);
static void vacancies_round(uint64_t seed);

static void test_workers_match_brute_force(void **state)
{
    (void)state;
    for (int i = 0; i < rounds(); i++)
        workers_round(1 + 1000 * (uint64_t)i);
}

static void test_vacancies_match_brute_force(void **state)
{
    (void)state;
    for (int i = 0; i < rounds(); i++)
        vacancies_round(2 + 1000 * (uint64_t)i);
}

static void workers_round(uint64_t seed)
{
    struct match_index *idx = random_index(WORKERS, VACANCIES, seed);
    struct match_result *r = match_result_new();
    struct match_query q;
    struct match_weights w;
    struct brute b;
    for (int64_t v = 1; v <= VACANCIES; v++) {
        random_query(&q, &w);
        idx->gate_avx2 = idx->gate_avx2 && v % 3;          /* every third scan on the SSE2 gate */
        idx->gate_avx512 = idx->gate_avx512 && v % 3 == 1; /* and every third on AVX2 */
        assert_int_equal(match_query_workers_by_id(idx, v * 7, &q, r), 0);
        idx->gate_avx2 = match_gate_has_avx2();
        idx->gate_avx512 = match_gate_has_avx512();
        brute_workers(idx, v * 7, &q, (WORKERS + WORKERS / 20) * 3, &b);
        check_result(r, &b, &q);
        free(b.all);
    }
    match_result_free(r);
    match_index_free(idx);
}

static void vacancies_round(uint64_t seed)
{
    struct match_index *idx = random_index(400, 3000, seed);
    struct match_result *r = match_result_new();
    struct match_query q;
    struct match_weights w;
    struct brute b;
    struct match_worker wk;
    for (int64_t id = 3; id <= 400 * 3; id += 3 * 5) {
        if (!match_index_get_worker(idx, id, &wk))
            continue;
        random_query(&q, &w);
        assert_int_equal(match_query_vacancies_by_id(idx, id, &q, r), 0);
        assert_int_equal(r->target, MATCH_TARGET_VACANCIES);
        brute_vacancies(idx, id, &q, 3000 * 7, &b);
        check_result(r, &b, &q);
        free(b.all);
    }
    match_result_free(r);
    match_index_free(idx);
}

/*
 * The vacancy scan's buckets (county and kind, then key skill) against a
 * full scan: vacancies updated into other buckets and classes, removed and
 * added again, then pages of every size compared with brute force and with
 * the linear scan a facet query makes (the same hits).
 */
static void test_vacancy_prune_matches_full_scan(void **state)
{
    (void)state;
    for (int round = 0; round < rounds(); round++) {
        struct match_index *idx = random_index(300, 6000, 77 + 1000 * (uint64_t)round);
        struct match_vacancy v;
        unsigned removed = 0, pruned_pages = 0;
        for (int i = 0; i < 3000; i++) {
            int64_t id = 7 * (int64_t)(1 + pick(6000));
            if (chance(30)) {
                removed += match_index_remove_vacancy(idx, id) == 0;
                continue;
            }
            do
                random_vacancy(id, &v);
            while (v.age_min > v.age_max);
            assert_int_equal(match_index_upsert_vacancy(idx, &v), 0);
        }
        struct match_result *r = match_result_new(), *full = match_result_new();
        struct match_query q;
        struct match_weights w;
        struct brute b;
        struct match_worker wk;
        static const uint32_t ks[] = {1, 5, 20, 60, 200};
        for (int64_t id = 3; id <= 300 * 3; id += 3 * 3) {
            if (!match_index_get_worker(idx, id, &wk))
                continue;
            random_query(&q, &w);
            q.facets = false;
            q.k = ks[pick(5)];
            if (chance(20)) {
                q.after = true;
                q.after_score = 5000 + (int32_t)pick(5000);
                q.after_id = 7 * (int64_t)pick(6000);
            }
            assert_int_equal(match_query_vacancies_by_id(idx, id, &q, r), 0);
            brute_vacancies(idx, id, &q, 6000 * 7, &b);
            check_result(r, &b, &q);
            free(b.all);
            pruned_pages += !r->counts_exact;
            q.facets = true;
            assert_int_equal(match_query_vacancies_by_id(idx, id, &q, full), 0);
            assert_int_equal(r->n, full->n);
            for (uint32_t i = 0; i < r->n; i++) {
                assert_int_equal(r->hit[i].id, full->hit[i].id);
                assert_int_equal(r->hit[i].score, full->hit[i].score);
            }
        }
        assert_true(removed > 0);
        assert_true(pruned_pages > 0); /* the buckets did skip vacancies */
        match_result_free(r);
        match_result_free(full);
        match_index_free(idx);
    }
}

/*
 * The worker scan's shortcuts (the cut and its county bounds, the tiers, the
 * hot bound, and a facet query that scores only what decides min_score or the
 * page) against brute force and against the facet query's full pass: workers
 * moved to sites far from their county seat (the county boxes only widen),
 * removed and added again, then pages of 1 to 200 on both gate builds.
 */
static void test_worker_prune_matches_full_scan(void **state)
{
    (void)state;
    for (int round = 0; round < rounds(); round++) {
        struct match_index *idx = random_index(4000, 40, 91 + 1000 * (uint64_t)round);
        struct match_worker wk;
        unsigned removed = 0, pruned_pages = 0;
        for (int i = 0; i < 2000; i++) {
            int64_t id = 3 * (int64_t)(1 + pick(4400));
            if (chance(25)) {
                removed += match_index_remove_worker(idx, id) == 0;
                continue;
            }
            random_worker(id, 2001, &wk);
            if (chance(50)) { /* up to two degrees from the county seat */
                wk.lat += (double)pick(400) / 100.0 - 2.0;
                wk.lon += (double)pick(400) / 100.0 - 2.0;
            }
            assert_true(match_index_upsert_worker(idx, &wk) >= 0);
        }
        struct match_result *r = match_result_new(), *full = match_result_new();
        struct match_query q;
        struct match_weights w;
        struct brute b;
        for (int64_t v = 1; v <= 40; v++) {
            random_query(&q, &w);
            q.facets = false;
            q.k = 1 + pick(200);
            if (chance(20)) {
                q.after = true;
                q.after_score = 3000 + (int32_t)pick(6000);
                q.after_id = 3 * (int64_t)pick(4400);
            }
            idx->gate_avx2 = idx->gate_avx2 && v % 3; /* every third scan on the SSE2 gate */
            idx->gate_avx512 = idx->gate_avx512 && v % 3 == 1; /* and every third on AVX2 */
            assert_int_equal(match_query_workers_by_id(idx, v * 7, &q, r), 0);
            brute_workers(idx, v * 7, &q, 4400 * 3, &b);
            check_result(r, &b, &q);
            free(b.all);
            pruned_pages += !r->counts_exact;
            q.facets = true;
            assert_int_equal(match_query_workers_by_id(idx, v * 7, &q, full), 0);
            idx->gate_avx2 = match_gate_has_avx2();
            idx->gate_avx512 = match_gate_has_avx512();
            brute_workers(idx, v * 7, &q, 4400 * 3, &b);
            check_result(full, &b, &q);
            free(b.all);
            assert_int_equal(r->n, full->n);
            for (uint32_t i = 0; i < r->n; i++) {
                assert_int_equal(r->hit[i].id, full->hit[i].id);
                assert_int_equal(r->hit[i].score, full->hit[i].score);
            }
        }
        assert_true(removed > 0);
        assert_true(pruned_pages > 0); /* the cut and the bounds did skip workers */
        match_result_free(r);
        match_result_free(full);
        match_index_free(idx);
    }
}

/* Many chunks (16384 slots each) and a page that fills early: the cut and the
 * tiers do most of the work here. */
static void test_large_scan_matches_brute_force(void **state)
{
    (void)state;
    struct match_index *idx = random_index(40000, 12, 3);
    struct match_result *r = match_result_new();
    struct match_query q;
    struct brute b;
    for (int64_t v = 1; v <= 12; v++) {
        if (v == 7) /* the second half with sites outside the place table */
            places_drop(idx, 5);
        match_query_init(&q, today(), v % 2 ? 10 : 50);
        assert_int_equal(match_query_workers_by_id(idx, v * 7, &q, r), 0);
        brute_workers(idx, v * 7, &q, (40000 + 2000) * 3, &b);
        check_result(r, &b, &q);
        free(b.all);
    }
    match_result_free(r);
    match_index_free(idx);
}

/* Paging with the cursor walks the same order as one long page. */
static void test_cursor_paging(void **state)
{
    (void)state;
    struct match_index *idx = random_index(WORKERS, 10, 4);
    struct match_result *r = match_result_new(), *all = match_result_new();
    struct match_query q;
    for (int64_t v = 1; v <= 10; v++) {
        match_query_init(&q, today(), 200);
        assert_int_equal(match_query_workers_by_id(idx, v * 7, &q, all), 0);
        q.k = 7;
        uint32_t seen = 0;
        for (;;) {
            assert_int_equal(match_query_workers_by_id(idx, v * 7, &q, r), 0);
            for (uint32_t i = 0; i < r->n && seen < all->n; i++, seen++) {
                assert_int_equal(r->hit[i].id, all->hit[seen].id);
                assert_int_equal(r->hit[i].score, all->hit[seen].score);
            }
            if (r->n < q.k || seen >= all->n)
                break;
            q.after = true;
            q.after_score = r->hit[r->n - 1].score;
            q.after_id = r->hit[r->n - 1].id;
        }
        assert_int_equal(seen, all->n);
    }
    match_result_free(r);
    match_result_free(all);
    match_index_free(idx);
}

/* Same inputs, same output, whatever the slot order (insert order reversed). */
static void test_deterministic(void **state)
{
    (void)state;
    struct match_index *a = match_index_new(), *b = match_index_new();
    set_taxonomy(a);
    set_taxonomy(b);
    struct match_worker w[600];
    rng_state = 5;
    for (int i = 0; i < 600; i++) {
        random_worker(i + 1, 50, &w[i]);
        w[i].flags |= MATCH_W_SEEKING;
    }
    for (int i = 0; i < 600; i++) {
        assert_true(match_index_upsert_worker(a, &w[i]) >= 0);
        assert_true(match_index_upsert_worker(b, &w[599 - i]) >= 0);
    }
    struct match_result *ra = match_result_new(), *rb = match_result_new();
    struct match_vacancy v;
    struct match_query q;
    match_query_init(&q, today(), 40);
    for (int n = 0; n < 20; n++) {
        random_vacancy(1, &v);
        v.age_min = 16, v.age_max = 65, v.open = true, v.filled = 0;
        assert_int_equal(match_query_workers(a, &v, &q, ra), 0);
        assert_int_equal(match_query_workers(b, &v, &q, rb), 0);
        assert_int_equal(ra->n, rb->n);
        for (uint32_t i = 0; i < ra->n; i++) {
            assert_int_equal(ra->hit[i].id, rb->hit[i].id);
            assert_int_equal(ra->hit[i].score, rb->hit[i].score);
            if (i)
                assert_true(ra->hit[i - 1].score > ra->hit[i].score ||
                            (ra->hit[i - 1].score == ra->hit[i].score &&
                             ra->hit[i - 1].id < ra->hit[i].id));
        }
    }
    match_result_free(ra);
    match_result_free(rb);
    match_index_free(a);
    match_index_free(b);
}

/* Ties on score are broken by id, ascending. */
static void test_ties_by_id(void **state)
{
    (void)state;
    struct match_index *idx = match_index_new();
    struct match_worker w;
    for (int64_t id = 50; id >= 1; id--) {
        memset(&w, 0, sizeof w);
        w.id = id * 11 % 53;
        w.household_id = id;
        w.flags = MATCH_W_SEEKING;
        w.birth_day = match_day(1990, 1, 1);
        w.available_from = MATCH_NO_DAY;
        w.county_code = 530102;
        w.lat = 25.0, w.lon = 102.7, w.max_commute_km = 20;
        assert_int_equal(match_index_upsert_worker(idx, &w), 0);
    }
    struct match_vacancy v = {.id = 1,
                              .kind = MATCH_KIND_REGULAR,
                              .open = true,
                              .headcount = 1,
                              .county_code = 530102,
                              .lat = 25.0,
                              .lon = 102.7,
                              .wage_min = 3000,
                              .wage_max = 3000,
                              .age_min = 16,
                              .age_max = 60,
                              .start_day = MATCH_NO_DAY};
    struct match_query q;
    match_query_init(&q, today(), 10);
    struct match_result *r = match_result_new();
    assert_int_equal(match_query_workers(idx, &v, &q, r), 0);
    assert_int_equal(r->n, 10);
    for (uint32_t i = 0; i < r->n; i++) {
        assert_int_equal(r->hit[i].score, r->hit[0].score);
        assert_int_equal(r->hit[i].id, (int64_t)i + 1);
    }
    assert_true(r->more);
    match_result_free(r);
    match_index_free(idx);
}

/* Two halves merged give what one scan gives. */
static void test_range_and_merge(void **state)
{
    (void)state;
    struct match_index *idx = random_index(WORKERS, 20, 6);
    struct match_result *one = match_result_new(), *a = match_result_new(), *b = match_result_new();
    struct match_query q;
    struct match_weights w;
    struct match_vacancy v;
    for (int64_t id = 1; id <= 20; id++) {
        random_query(&q, &w);
        assert_true(match_index_get_vacancy(idx, id * 7, &v));
        assert_int_equal(match_query_workers(idx, &v, &q, one), 0);
        size_t n = match_index_worker_slots(idx), mid = n / 2 + 13;
        assert_int_equal(match_query_workers_range(idx, &v, &q, 0, mid, a), 0);
        assert_int_equal(match_query_workers_range(idx, &v, &q, mid, n, b), 0);
        assert_int_equal(match_result_merge(a, b, &q), 0);
        assert_int_equal(match_query_workers_finish(idx, &v, &q, a), 0);
        assert_int_equal(a->n, one->n);
        assert_int_equal(a->scanned, one->scanned);
        for (uint32_t i = 0; i < a->n; i++) {
            assert_int_equal(a->hit[i].id, one->hit[i].id);
            assert_int_equal(a->hit[i].score, one->hit[i].score);
        }
        if (q.facets)
            check_facets(&a->facets, &one->facets);
    }
    match_result_free(one);
    match_result_free(a);
    match_result_free(b);
    match_index_free(idx);
}

/* An ad-hoc profile: a worker-shaped query not in the index. */
static void test_adhoc_profile(void **state)
{
    (void)state;
    struct match_index *idx = random_index(50, 800, 7);
    struct match_result *r = match_result_new(), *s = match_result_new();
    struct match_query q;
    match_query_init(&q, today(), 30);
    q.broker = true;
    struct match_worker w;
    rng_state = 77;
    random_worker(999999, 3, &w);
    w.household_id = 999999;
    w.flags = MATCH_W_WILLING_PROVINCE; /* not seeking, no consent: a profile is neither */
    struct match_household h = {999999, true, MATCH_MON_NONE, 0};
    assert_int_equal(match_query_vacancies(idx, &w, &h, &q, r), 0);
    assert_int_equal(r->removed[MATCH_F_NOT_SEEKING], 0);
    assert_int_equal(r->removed[MATCH_F_NO_CONSENT], 0);
    /* the same worker in the index, seeking and consenting, gets the same page */
    w.flags |= MATCH_W_SEEKING | MATCH_W_CONSENT_BROKERS;
    assert_int_equal(match_index_upsert_worker(idx, &w), 0);
    assert_int_equal(match_index_upsert_household(idx, &h), 0);
    assert_int_equal(match_query_vacancies_by_id(idx, 999999, &q, s), 0);
    assert_int_equal(r->n, s->n);
    for (uint32_t i = 0; i < r->n; i++) {
        assert_int_equal(r->hit[i].id, s->hit[i].id);
        assert_int_equal(r->hit[i].score, s->hit[i].score);
    }
    match_result_free(r);
    match_result_free(s);
    match_index_free(idx);
}

/* A broker's query (no_priority): each score is the staff score less its
 * priority part, with no priority part and no priority reason; the scans
 * rank by that score (the brute-force rounds above hold them to it). */
static void test_no_priority(void **state)
{
    (void)state;
    struct match_index *idx = random_index(300, 40, 11);
    struct match_query q, b;
    match_query_init(&q, today(), 1);
    match_query_init(&b, today(), 1);
    b.no_priority = true;
    struct match_hit h, g;
    unsigned with_priority = 0;
    for (int64_t v = 7; v <= 40 * 7; v += 7) {
        for (int64_t w = 3; w <= 330 * 3; w += 3) {
            if (match_explain(idx, w, v, &q, MATCH_TARGET_WORKERS, &h) < 0)
                continue;
            assert_int_equal(match_explain(idx, w, v, &b, MATCH_TARGET_WORKERS, &g), 0);
            assert_int_equal(g.parts[MATCH_PART_PRIORITY], 0);
            with_priority += h.parts[MATCH_PART_PRIORITY] > 0;
            int32_t want = h.score - h.parts[MATCH_PART_PRIORITY];
            if (g.score < want - 2 || g.score > want + 2)
                fail_msg("worker %lld vacancy %lld: %d, want %d", (long long)w, (long long)v,
                         (int)g.score, (int)want);
            for (int i = 0; i < g.n_reasons; i++)
                assert_true(g.reasons[i].code < MATCH_R_PRIO_RELOCATED ||
                            g.reasons[i].code > MATCH_R_PRIO_ZERO_EMPLOYMENT);
        }
    }
    assert_true(with_priority > 100); /* the fixture does exercise the priority part */
    match_index_free(idx);
}

static void test_bad_queries(void **state)
{
    (void)state;
    struct match_index *idx = random_index(10, 2, 8);
    struct match_result *r = match_result_new();
    struct match_query q;
    match_query_init(&q, today(), 0);
    assert_int_equal(match_query_workers_by_id(idx, 7, &q, r), -1);
    q.k = MATCH_MAX_K + 1;
    assert_int_equal(match_query_workers_by_id(idx, 7, &q, r), -1);
    q.k = 10;
    q.min_score = 10001;
    assert_int_equal(match_query_workers_by_id(idx, 7, &q, r), -1);
    q.min_score = 0;
    q.max_km = -1;
    assert_int_equal(match_query_workers_by_id(idx, 7, &q, r), -1);
    q.max_km = 0;
    q.n_counties = MATCH_MAX_QUERY_COUNTIES + 1;
    assert_int_equal(match_query_workers_by_id(idx, 7, &q, r), -1);
    q.n_counties = 0;
    q.wage_min = 5000, q.wage_max = 4000;
    assert_int_equal(match_query_workers_by_id(idx, 7, &q, r), -1);
    q.wage_max = 0;
    assert_int_equal(match_query_workers_by_id(idx, 12345, &q, r), -1); /* unknown */
    assert_int_equal(match_query_vacancies_by_id(idx, 12345, &q, r), -1);
    struct match_weights w;
    match_weights_default(&w);
    w.kind[0].weight[0] = -1;
    q.weights = &w;
    assert_int_equal(match_query_workers_by_id(idx, 7, &q, r), -1);
    match_result_free(r);
    match_index_free(idx);
}

/* A random hot bound for the gate (struct match_gate_hot), on in most cuts:
 * floors across the range of its bounds, weights and credits of every size. */
static void random_hot(const struct match_index *idx, struct match_gate *g)
{
    struct match_gate_hot *h = &g->hot;
    memset(h, 0, sizeof *h);
    h->on = g->cut && chance(80);
    h->floor = (int32_t)pick(10001);
    h->accommodation = chance(30);
    h->export = chance(15);
    h->n = (uint8_t)pick(4);
    h->wsum = 0;
    for (unsigned j = 0; j < h->n; j++) {
        unsigned id = skill_pool[pick(16)];
        h->held[j] = 1ull << id;
        h->rel[j] = idx->related[id][0];
        h->w[j] = (float)(1 + pick(3));
        h->wrc[j] = h->w[j] * 0.4f;
        h->wsum += h->w[j];
    }
    h->pts_skill = (float)pick(50);
    h->pts_dist = (float)pick(40);
    h->pts_prio = (float)pick(40);
    h->rest = (float)(100 - pick(60)) * 0.5f;
    h->prio[0] = 0.4f, h->prio[1] = 0.3f, h->prio[2] = chance(50) ? 0.3f : 0.7f;
}

/* Two chunks' charges and survivors are the same, and what the tier walk
 * reads of each survivor. */
static void chunks_equal(const struct match_gate *g, const struct match_gate_chunk *a,
                         const struct match_gate_chunk *b, const uint64_t ra[MATCH_F_COUNT],
                         const uint64_t rb[MATCH_F_COUNT])
{
    assert_memory_equal(ra, rb, MATCH_F_COUNT * sizeof ra[0]);
    assert_int_equal(a->n_surv, b->n_surv);
    assert_int_equal(a->dropped, b->dropped);
    assert_memory_equal(a->with_surv, b->with_surv, a->n_surv * sizeof a->with_surv[0]);
    for (size_t k = 0; k < a->n; k++) {
        uint64_t m = a->surv[k];
        assert_int_equal(m, b->surv[k]);
        if (!m)
            continue;
        assert_int_equal(a->rel[k] & m, b->rel[k] & m);
        assert_int_equal(a->cut[k] & m, b->cut[k] & m);
        for (int t = 0; t < 3 && g->prio; t++) /* read only when the part has points */
            assert_int_equal(a->prio[k][t] & m, b->prio[k][t] & m);
        for (int t = 0; t < MATCH_TIERS - 1; t++)
            assert_int_equal(a->near[k][t] & m, b->near[k][t] & m);
    }
}

/* match_gate_chunk in every build (the AVX-512 one a single loop) against
 * the scalar gate block by block, over the index cut in two chunks at a
 * random block, with skills beyond plane 0 now and then. */
static void gate_chunks_agree(struct match_index *idx, struct match_gate *g)
{
    g->keep_far = chance(30);
    g->fetch_cexp = chance(50);
    g->hi = chance(20);
    static const unsigned hi_ids[MATCH_PLANES - 1] = {70, 130, 200}; /* in skill_pool */
    for (int p = 0; p < MATCH_PLANES - 1; p++) {
        g->must_hi[p] = g->hi && chance(30) ? 1ull << (hi_ids[p] - 64 * (p + 1)) : 0;
        g->relu_hi[p] = g->hi && chance(50) ? rnd() & rnd() : 0;
    }
    size_t blocks = match_index_worker_slots(idx) / MATCH_BLOCK, cut = pick((unsigned)blocks + 1);
    bool avx2 = idx->gate_avx2, avx512 = idx->gate_avx512;
    for (int build = 0; build < 3; build++) {
        idx->gate_avx2 = avx2 && build > 0;
        idx->gate_avx512 = avx512 && build > 1;
        for (int part = 0; part < 2; part++) {
            static struct match_gate_chunk want, got;
            uint64_t rw[MATCH_F_COUNT] = {0}, rg[MATCH_F_COUNT] = {0}, sw = 0, sg = 0;
            want.base = got.base = part ? cut * MATCH_BLOCK : 0;
            want.n = got.n = part ? blocks - cut : cut;
            match_gate_chunk_blocks(idx, g, &want, rw, &sw, match_gate_block_scalar);
            match_gate_chunk(idx, g, &got, rg, &sg);
            assert_int_equal(sw, sg);
            chunks_equal(g, &want, &got, rw, rg);
        }
    }
    idx->gate_avx2 = avx2, idx->gate_avx512 = avx512;
    g->hi = false;
}

/* The gate's builds agree bit for bit (AVX-512 where the CPU has it). */
static void test_gate_builds_agree(void **state)
{
    (void)state;
    struct match_index *idx = random_index(3000, 1, 9);
    rng_state = 99;
    for (int n = 0; n < 200; n++) {
        if (n == 100) /* the second half with sites outside the place table */
            places_drop(idx, 7);
        struct match_gate g;
        memset(&g, 0, sizeof g);
        g.avail_by = (uint16_t)(today() - MATCH_AVAIL_EPOCH - 30 + (int32_t)pick(60));
        g.born_lo = (uint16_t)(18000 + pick(15000));
        g.born_span = (uint16_t)pick(20000);
        g.nobody_of_age = chance(5);
        g.must0 = chance(50) ? 0 : 1ull << skill_pool[pick(16)];
        g.relu0 = rnd() & rnd();
        g.req0 = chance(50) ? 0 : g.must0 | (1ull << skill_pool[pick(16)]);
        g.cert_must = chance(50) ? 0 : 1ull << (1 + pick(12));
        g.post_flags = chance(50) ? 0 : MATCH_W_HOLDS_PUBLIC_WELFARE | MATCH_W_HOLDS_FOREST_RANGER;
        g.hpost_flags = chance(50) ? 0 : MATCH_W_H_POST;
        g.resident = chance(50);
        g.broker = chance(50);
        g.prio = chance(50);
        g.county = (uint8_t)(1 + pick(8));
        g.tiers = chance(80);
        int16_t vq[3];
        match_unit_vector(25.0 + (double)pick(100) / 100, 102.7, vq);
        for (int i = 0; i < 3; i++)
            g.vq[i] = vq[i];
        g.tf = chance(50) ? 1.0f : 2.0f;
        g.acc_km = chance(50) ? 0.0f : 150.0f;
        g.cut = chance(70);
        g.willing_flags = chance(50) ? 0 : MATCH_W_WILLING_PROVINCE;
        bool narrow = chance(50); /* every k in a short range: the build's shortcuts decide */
        for (int c = 0; c < 64; c++)
            g.cut_k[c] = narrow       ? (float)(4 + pick(8)) * 0.25f
                         : chance(20) ? -1.0f
                         : chance(10) ? INFINITY
                                      : (float)pick(100) * 0.05f;
        match_gate_cut_range(&g);
        random_hot(idx, &g);
        match_gate_place_c2(idx, &g);
        if (chance(30)) /* some places beyond the query's table: computed */
            g.n_place_c2 = (uint32_t)pick(g.n_place_c2 + 1);
        gate_chunks_agree(idx, &g);
        for (size_t base = 0; base < match_index_worker_slots(idx); base += MATCH_BLOCK) {
            struct match_gate_out s, e, x, z;
            match_gate_block_scalar(idx, &g, base, &s);
            match_gate_block_sse2(idx, &g, base, &e);
            match_gate_block_avx2(idx, &g, base, &x);
            if (match_gate_has_avx512())
                match_gate_block_avx512(idx, &g, base, &z);
            const struct match_gate_out *o[3] = {&e, &x, &z};
            for (int k = 0; k < (match_gate_has_avx512() ? 3 : 2); k++) {
                uint64_t live = s.live;
                assert_int_equal(o[k]->live, s.live);
                assert_int_equal(o[k]->must & live, s.must & live);
                assert_int_equal(o[k]->cert & live, s.cert & live);
                assert_int_equal(o[k]->seek & live, s.seek & live);
                assert_int_equal(o[k]->consent & live, s.consent & live);
                assert_int_equal(o[k]->avail & live, s.avail & live);
                assert_int_equal(o[k]->age & live, s.age & live);
                assert_int_equal(o[k]->hpost & live, s.hpost & live);
                assert_int_equal(o[k]->post & live, s.post & live);
                assert_int_equal(o[k]->resident & live, s.resident & live);
                assert_int_equal(o[k]->rel & live, s.rel & live);
                for (int p = 0; p < 3 && g.prio; p++)
                    assert_int_equal(o[k]->prio[p] & live, s.prio[p] & live);
                uint64_t alive = match_gate_alive(&g, &s);
                assert_int_equal(o[k]->cut & alive, s.cut & alive);
                if (g.tiers)
                    for (int t = 0; t < MATCH_TIERS - 1; t++)
                        assert_int_equal(o[k]->near[t] & alive, s.near[t] & alive);
            }
        }
    }
    match_index_free(idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_workers_match_brute_force),
        cmocka_unit_test(test_vacancies_match_brute_force),
        cmocka_unit_test(test_large_scan_matches_brute_force),
        cmocka_unit_test(test_vacancy_prune_matches_full_scan),
        cmocka_unit_test(test_worker_prune_matches_full_scan),
        cmocka_unit_test(test_cursor_paging),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_ties_by_id),
        cmocka_unit_test(test_range_and_merge),
        cmocka_unit_test(test_adhoc_profile),
        cmocka_unit_test(test_no_priority),
        cmocka_unit_test(test_bad_queries),
        cmocka_unit_test(test_gate_builds_agree),
    };
    return cmocka_run_group_tests_name("match_query", tests, NULL, NULL);
}
