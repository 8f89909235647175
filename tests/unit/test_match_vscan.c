/*
 * test_match_vscan: the vacancy scan's lists (match_vbucket.c) and the
 * shortcuts of match_vscan.c against brute force.  Classes charged whole
 * (closed or full, a must-have skill the worker lacks), plain parts charged
 * by the bucket's bounds (a worker too old, too young or free too late for
 * all of them), buckets read whole while the page has room, and classes
 * skipped once the page is full: the page must be the one match_explain
 * gives over every vacancy, and the counts exact whenever the scan says so.
 * Vacancies move between buckets, classes and parts as they are updated.
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
#include <time.h>

static const int32_t county_codes[] = {530102, 530103, 530111, 530112, 530113, 530114};
static const double county_lat[] = {25.05, 25.12, 24.95, 25.04, 25.50, 24.88};
static const double county_lon[] = {102.71, 102.75, 102.75, 102.66, 103.20, 102.80};
/* skills below and beyond 64, some related through a parent */
static const uint8_t skill_pool[] = {2, 3, 4, 13, 14, 15, 22, 23, 41, 63, 64, 70, 71, 130};

/* The tests' today: the day they run. */
static int32_t today(void)
{
    return (int32_t)(time(NULL) / 86400);
}

static int32_t years_ago(int years, int32_t days)
{
    return today() - (int32_t)(365.25 * years) - days;
}

static void random_vacancy(int64_t id, struct match_vacancy *v)
{
    memset(v, 0, sizeof *v);
    v->id = id;
    v->kind = (enum match_kind)pick(MATCH_KIND_COUNT);
    v->open = chance(85);
    v->headcount = 1 + pick(3);
    v->filled = chance(10) ? v->headcount : 0;
    unsigned c = pick(6);
    v->county_code = county_codes[c];
    v->lat = county_lat[c] + ((double)pick(600) - 300) / 1000.0;
    v->lon = county_lon[c] + ((double)pick(600) - 300) / 1000.0;
    if (v->kind == MATCH_KIND_LABOR_EXPORT)
        v->dest_province = chance(50) ? 440000 : 530000;
    v->wage_period = chance(10) ? MATCH_WAGE_PIECE : MATCH_WAGE_MONTH;
    v->wage_min = 1000 * (1 + pick(7));
    v->wage_max = v->wage_min + 500 * pick(5);
    static const uint8_t ages[][2] = {{18, 55}, {18, 60}, {16, 65}, {30, 45}, {20, 35}, {66, 70}};
    const uint8_t *a = ages[pick(6)];
    v->age_min = a[0], v->age_max = a[1];
    v->accommodation = chance(25);
    v->transport = chance(20);
    v->start_day = chance(40) ? MATCH_NO_DAY : today() - 20 + (int32_t)pick(80);
    for (unsigned n = pick(5); v->n_skills < n;) {
        uint8_t s = skill_pool[pick(sizeof skill_pool)];
        bool dup = false;
        for (unsigned i = 0; i < v->n_skills; i++)
            dup |= v->skills[i].skill == s;
        if (dup)
            continue;
        struct match_vacancy_skill *vs = &v->skills[v->n_skills++];
        vs->skill = s;
        vs->min_level = (uint8_t)(1 + pick(4));
        vs->must = chance(40);
        vs->weight = 0.5f + (float)pick(8) / 2;
    }
    for (unsigned n = chance(70) ? 0 : 1 + pick(2); v->n_certs < n;) {
        v->certs[v->n_certs].cert = (uint8_t)(1 + pick(6));
        v->certs[v->n_certs++].must = chance(70);
    }
}

/* Workers of every fate: too old or too young for most posts, free only
 * after every start day, or free now, with few skills or many. */
static void random_worker(int64_t id, struct match_worker *w)
{
    static const uint16_t commute[] = {0, 5, 20, 50, 100};
    memset(w, 0, sizeof *w);
    w->id = id;
    w->household_id = 1 + pick(40);
    w->flags = (uint16_t)((rnd() & MATCH_W_ALL_FLAGS) | MATCH_W_SEEKING);
    static const int age[] = {16, 17, 25, 38, 47, 56, 59, 61, 64, 70};
    w->birth_day = years_ago(age[pick(10)], (int32_t)pick(365));
    unsigned a = pick(4);
    w->available_from = a == 0   ? MATCH_NO_DAY
                        : a == 1 ? today() - 10
                        : a == 2 ? today() + (int32_t)pick(60)
                                 : today() + 100;
    unsigned c = pick(6);
    w->county_code = county_codes[c];
    w->lat = county_lat[c], w->lon = county_lon[c];
    w->max_commute_km = commute[pick(5)];
    w->wage_floor = chance(40) ? 0 : 1000 * (1 + pick(7));
    w->kinds_wanted = chance(60) ? 0 : (uint8_t)(rnd() & 63);
    for (unsigned n = pick(6); w->n_skills < n;) {
        uint8_t s = skill_pool[pick(sizeof skill_pool)];
        bool dup = false;
        for (unsigned i = 0; i < w->n_skills; i++)
            dup |= w->skills[i].skill == s;
        if (!dup)
            w->skills[w->n_skills++] = (struct match_worker_skill){s, (uint8_t)(1 + pick(5))};
    }
    for (unsigned n = pick(4); w->n_certs < n;)
        w->certs[w->n_certs++] = (struct match_worker_cert){
            (uint8_t)(1 + pick(6)), chance(50) ? MATCH_NO_DAY : today() - 30 + (int32_t)pick(90)};
}

static void random_query(struct match_query *q, struct match_weights *w)
{
    static const uint32_t ks[] = {1, 3, 10, 20, 60, 200};
    match_query_init(q, today(), ks[pick(6)]);
    q->broker = chance(20);
    q->no_priority = chance(20);
    q->min_score = chance(75) ? 0 : 3000 + (int32_t)pick(5000);
    q->max_km = chance(80) ? 0 : 5.0f + (float)pick(60);
    q->kinds = chance(80) ? 0 : (uint8_t)(1 + pick(63));
    if (chance(15))
        for (unsigned n = 1 + pick(3); q->n_counties < n;)
            q->counties[q->n_counties++] = county_codes[pick(6)];
    if (chance(15))
        q->wage_min = 1000 * pick(5);
    if (chance(10)) {
        q->after = true;
        q->after_score = 4000 + (int32_t)pick(6000);
        q->after_id = 5 * (int64_t)pick(3000);
    }
    if (chance(30)) {
        match_weights_default(w);
        for (int k = 0; k < MATCH_KIND_COUNT; k++) {
            w->kind[k].one_per_household = chance(30);
            w->kind[k].no_double_post = chance(30);
            w->kind[k].residents_only = chance(30);
            w->kind[k].must_level_slack = (uint8_t)pick(2);
            w->kind[k].weight[pick(MATCH_PART_COUNT)] = (float)pick(50);
        }
        q->weights = w;
    }
}

/* Every vacancy through match_explain: the page and the counts. */
struct brute {
    uint32_t n;
    struct match_hit hit[MATCH_MAX_K];
    uint64_t scanned, candidates, removed[MATCH_F_COUNT];
};

static bool brute_better(const struct match_hit *a, const struct match_hit *b)
{
    return a->score > b->score || (a->score == b->score && a->id < b->id);
}

static void brute(const struct match_index *idx, int64_t worker, const struct match_query *q,
                  int64_t max_id, struct brute *b)
{
    memset(b, 0, sizeof *b);
    struct match_hit h;
    for (int64_t id = 1; id <= max_id; id++) {
        if (match_explain(idx, worker, id, q, MATCH_TARGET_VACANCIES, &h))
            continue;
        b->scanned++;
        if (h.failed) {
            b->removed[__builtin_ctz(h.failed)]++;
            continue;
        }
        b->candidates++;
        if (q->after &&
            !(h.score < q->after_score || (h.score == q->after_score && h.id > q->after_id)))
            continue;
        uint32_t i = b->n < q->k ? b->n++ : q->k; /* insertion into the sorted page */
        if (i == q->k && !brute_better(&h, &b->hit[q->k - 1]))
            continue;
        if (i == q->k)
            i = q->k - 1;
        for (; i > 0 && brute_better(&h, &b->hit[i - 1]); i--)
            b->hit[i] = b->hit[i - 1];
        b->hit[i] = h;
    }
}

static void check(const struct match_result *r, const struct brute *b, const struct match_query *q)
{
    assert_int_equal(r->n, b->n);
    for (uint32_t i = 0; i < r->n; i++) {
        assert_int_equal(r->hit[i].id, b->hit[i].id);
        assert_int_equal(r->hit[i].score, b->hit[i].score);
    }
    assert_int_equal(r->scanned, b->scanned);
    if (r->n < q->k)
        assert_true(r->counts_exact);
    if (r->counts_exact)
        assert_int_equal(r->candidates, b->candidates);
    else
        assert_true(r->candidates <= b->candidates);
    for (int f = 0; f < MATCH_F_COUNT; f++) {
        if (r->counts_exact)
            assert_int_equal(r->removed[f], b->removed[f]);
        else
            assert_true(r->removed[f] <= b->removed[f]);
    }
}

#define VACANCIES 3000
#define WORKERS 120

static struct match_index *world(uint64_t seed)
{
    rng_state = seed;
    struct match_index *idx = match_index_new();
    assert_non_null(idx);
    static const unsigned parents[][2] = {{3, 2}, {4, 2}, {14, 13}, {15, 13}, {71, 70}, {130, 70}};
    for (size_t i = 0; i < sizeof parents / sizeof parents[0]; i++)
        assert_int_equal(match_index_set_skill_parent(idx, parents[i][0], parents[i][1]), 0);
    struct match_worker w;
    for (int64_t id = 1; id <= WORKERS; id++) {
        random_worker(id, &w);
        assert_true(match_index_upsert_worker(idx, &w) >= 0);
    }
    struct match_vacancy v;
    for (int64_t id = 1; id <= VACANCIES; id++) {
        random_vacancy(id, &v);
        assert_int_equal(match_index_upsert_vacancy(idx, &v), 0);
    }
    return idx;
}

/* Updates that move vacancies between buckets, classes and parts: closed,
 * filled, reopened, a certificate or a must-have added, removed and back. */
static unsigned churn(struct match_index *idx, int n)
{
    struct match_vacancy v;
    unsigned removed = 0;
    for (int i = 0; i < n; i++) {
        int64_t id = 1 + pick(VACANCIES);
        if (chance(15)) {
            removed += match_index_remove_vacancy(idx, id) == 0;
            continue;
        }
        if (!match_index_get_vacancy(idx, id, &v))
            random_vacancy(id, &v);
        if (v.age_min > v.age_max) /* read back clamped to the legal ages: 66..65 */
            v.age_max = 70;
        switch (pick(6)) {
        case 0:
            v.open = !v.open;
            break;
        case 1:
            v.filled = v.filled >= v.headcount ? 0 : v.headcount;
            break;
        case 2:
            if (v.n_certs < MATCH_MAX_VACANCY_CERTS)
                v.certs[v.n_certs++] = (struct match_vacancy_cert){(uint8_t)(1 + pick(6)), true};
            break;
        case 3:
            if (v.n_skills)
                v.skills[pick(v.n_skills)].must ^= true;
            break;
        case 4:
            v.start_day = today() + (int32_t)pick(200);
            break;
        default:
            random_vacancy(id, &v);
        }
        assert_int_equal(match_index_upsert_vacancy(idx, &v), 0);
    }
    return removed;
}

static void compare_round(struct match_index *idx)
{
    struct match_result *r = match_result_new(), *full = match_result_new();
    struct match_query q;
    struct match_weights wt;
    struct brute b;
    for (int64_t id = 1; id <= WORKERS; id += 2) {
        random_query(&q, &wt);
        assert_int_equal(match_query_vacancies_by_id(idx, id, &q, r), 0);
        brute(idx, id, &q, VACANCIES, &b);
        check(r, &b, &q);
        q.facets = true; /* the linear scan: the same page */
        assert_int_equal(match_query_vacancies_by_id(idx, id, &q, full), 0);
        assert_int_equal(r->n, full->n);
        for (uint32_t i = 0; i < r->n; i++)
            assert_int_equal(r->hit[i].id, full->hit[i].id);
    }
    match_result_free(r);
    match_result_free(full);
}

/* MATCH_TEST_ROUNDS=n repeats with n seeds (default 1). */
static int rounds(void)
{
    const char *e = getenv("MATCH_TEST_ROUNDS");
    return e && atoi(e) > 0 ? atoi(e) : 1;
}

static void test_vacancy_lists_match_brute_force(void **state)
{
    (void)state;
    for (int round = 0; round < rounds(); round++) {
        struct match_index *idx = world(300 + 1000 * (uint64_t)round);
        compare_round(idx);
        assert_true(churn(idx, 2500) > 0);
        compare_round(idx);
        match_index_free(idx);
    }
}

/*
 * Workers whose page never fills: too old or too young for every post, or
 * free only after every start day.  The scan reads every bucket whole and
 * charges the plain parts by the bucket's bounds: the counts must be exact.
 */
static void test_unfilled_pages_count_exactly(void **state)
{
    (void)state;
    struct match_index *idx = world(77);
    assert_true(churn(idx, 500) > 0);
    struct match_result *r = match_result_new();
    struct match_query q;
    struct brute b;
    struct match_worker w;
    static const int ages[] = {15, 66, 70, 68};
    for (int i = 0; i < 8; i++) {
        random_worker(10000 + i, &w);
        w.birth_day = years_ago(ages[i % 4], 30);
        w.available_from = i >= 4 ? today() + 400 : MATCH_NO_DAY;
        assert_true(match_index_upsert_worker(idx, &w) >= 0);
        match_query_init(&q, today(), 20);
        assert_int_equal(match_query_vacancies_by_id(idx, w.id, &q, r), 0);
        brute(idx, w.id, &q, VACANCIES, &b);
        check(r, &b, &q);
        assert_true(r->counts_exact);
        assert_true(r->removed[MATCH_F_AGE] + r->removed[MATCH_F_NOT_AVAILABLE] > 0);
    }
    match_result_free(r);
    match_index_free(idx);
}

/* The day n years before today (Feb 29 falls back to Feb 28), plus extra days. */
static int32_t birthday(int n, int32_t extra)
{
    int y, m, d;
    match_civil(today(), &y, &m, &d);
    return match_day(y - n, m, m == 2 && d == 29 ? 28 : d) + extra;
}

/*
 * The plain bounds at the edges of an age range: 18 today passes 18..55,
 * 18 tomorrow does not; 56 today does not, 56 tomorrow (55 today) does.
 * Some posts ask for a certificate and nothing else: a worker who fails the
 * age of every post is charged must-cert for those whose certificate it
 * lacks, age for the others.
 */
static void test_plain_bounds_at_age_edges(void **state)
{
    (void)state;
    struct match_index *idx = match_index_new();
    struct match_vacancy v;
    for (int64_t id = 1; id <= 40; id++) {
        memset(&v, 0, sizeof v);
        v.id = id;
        v.kind = (enum match_kind)(id % 2 ? MATCH_KIND_REGULAR : MATCH_KIND_WORKSHOP);
        v.open = id != 7;
        v.headcount = 2;
        v.filled = id == 9 ? 2 : 0;
        v.county_code = county_codes[id % 3];
        v.lat = county_lat[id % 3], v.lon = county_lon[id % 3];
        v.wage_min = v.wage_max = 3000;
        v.age_min = 18, v.age_max = 55;
        v.start_day = MATCH_NO_DAY;
        if (id % 5 == 0) /* a must-have skill: its own class */
            v.skills[v.n_skills++] = (struct match_vacancy_skill){13, 1, true, 1};
        if (id % 4 == 1) /* certificates only: counted by the set asked for */
            v.certs[v.n_certs++] = (struct match_vacancy_cert){3, true};
        if (id % 8 == 3)
            v.certs[v.n_certs++] = (struct match_vacancy_cert){5, true};
        assert_int_equal(match_index_upsert_vacancy(idx, &v), 0);
    }
    static const struct {
        int years;
        int32_t extra;
    } edge[] = {{18, 0}, {18, 1}, {56, 0}, {56, 1}};
    struct match_result *r = match_result_new();
    struct match_query q;
    struct brute b;
    struct match_worker w;
    for (int i = 0; i < 4; i++) {
        memset(&w, 0, sizeof w);
        w.id = 100 + i, w.household_id = 1, w.flags = MATCH_W_SEEKING;
        w.birth_day = birthday(edge[i].years, edge[i].extra);
        w.available_from = MATCH_NO_DAY;
        w.county_code = county_codes[0], w.lat = county_lat[0], w.lon = county_lon[0];
        w.max_commute_km = 20;
        if (i % 2) /* holds one of the two certificates asked for */
            w.certs[w.n_certs++] = (struct match_worker_cert){3, MATCH_NO_DAY};
        assert_true(match_index_upsert_worker(idx, &w) >= 0);
        match_query_init(&q, today(), 200);
        assert_int_equal(match_query_vacancies_by_id(idx, w.id, &q, r), 0);
        brute(idx, w.id, &q, 40, &b);
        check(r, &b, &q);
        if (i == 0 || i == 3)
            assert_true(r->n >= 10);
        else
            assert_true(r->n == 0 && r->removed[MATCH_F_MUST_CERT] > 0 &&
                        r->removed[MATCH_F_AGE] > 0);
    }
    match_result_free(r);
    match_index_free(idx);
}

static int cmp_desc(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* The work list gives back every key it took, largest first, with pushes
 * and pops mixed, keys repeated and heaps of every size up to its capacity. */
static void test_work_list_order(void **state)
{
    (void)state;
    static struct match_vheap q;
    static uint64_t in[MATCH_VHEAP], out[MATCH_VHEAP];
    rng_state = 17;
    for (int round = 0; round < 300; round++) {
        uint32_t n = round < 20 ? (uint32_t)round : 1 + (uint32_t)pick(MATCH_VHEAP);
        uint64_t span = chance(30) ? 8 : ~0ull; /* few distinct keys now and then */
        q.n = 0;
        uint32_t pushed = 0, popped = 0;
        while (popped < n) {
            if (pushed < n && (q.n == 0 || chance(70))) {
                in[pushed] = rnd() % span;
                match_vheap_push(&q, in[pushed++]);
                continue;
            }
            uint64_t top = q.h[0];
            for (uint32_t i = 1; i < q.n; i++) /* the largest is on top */
                assert_true(q.h[i] <= top);
            assert_int_equal(match_vheap_pop(&q), top);
            out[popped++] = top;
        }
        assert_int_equal(q.n, 0);
        qsort(in, n, sizeof in[0], cmp_desc);
        qsort(out, n, sizeof out[0], cmp_desc);
        assert_memory_equal(in, out, n * sizeof in[0]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vacancy_lists_match_brute_force),
        cmocka_unit_test(test_unfilled_pages_count_exactly),
        cmocka_unit_test(test_plain_bounds_at_age_edges),
        cmocka_unit_test(test_work_list_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
