/*
 * test_match_score: every part of the score, the weights table, the distance
 * and the worked examples of docs/matching.md.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "match/match_int.h"

#include <stdlib.h>

#define KM_LAT (6371.0088 * 3.14159265358979323846 / 180.0) /* km per degree of latitude */

static int32_t today(void)
{
    return match_day(2025, 3, 1);
}

static struct match_worker worker(void)
{
    struct match_worker w;
    memset(&w, 0, sizeof w);
    w.id = 1;
    w.household_id = 1;
    w.flags = MATCH_W_SEEKING;
    w.birth_day = match_day(1990, 6, 15);
    w.available_from = MATCH_NO_DAY;
    w.county_code = 530102;
    w.lat = 25.0, w.lon = 102.7;
    w.max_commute_km = 20;
    return w;
}

static struct match_vacancy vacancy(enum match_kind kind)
{
    struct match_vacancy v;
    memset(&v, 0, sizeof v);
    v.id = 1;
    v.kind = kind;
    v.open = true;
    v.headcount = 1;
    v.county_code = 530102;
    v.lat = 25.0, v.lon = 102.7;
    v.wage_min = 4000, v.wage_max = 4000;
    v.age_min = 16, v.age_max = 65;
    v.start_day = MATCH_NO_DAY;
    return v;
}

/* The explanation (score, parts, reasons) of w against v, with weights wt. */
static struct match_hit eval(const struct match_worker *w, const struct match_household *h,
                             const struct match_vacancy *v, const struct match_weights *wt)
{
    struct match_index *idx = match_index_new();
    assert_non_null(idx);
    assert_int_equal(match_index_set_skill_parent(idx, 14, 13), 0);
    assert_int_equal(match_index_set_skill_parent(idx, 15, 13), 0);
    assert_int_equal(match_index_set_skill_parent(idx, 34, 30), 0);
    assert_int_equal(match_index_set_skill_parent(idx, 31, 30), 0);
    assert_true(match_index_upsert_worker(idx, w) >= 0);
    if (h)
        assert_int_equal(match_index_upsert_household(idx, h), 0);
    assert_int_equal(match_index_upsert_vacancy(idx, v), 0);
    struct match_query q;
    match_query_init(&q, today(), 10);
    q.weights = wt;
    struct match_hit hit;
    assert_int_equal(match_explain(idx, w->id, v->id, &q, MATCH_TARGET_WORKERS, &hit), 0);
    match_index_free(idx);
    return hit;
}

/* A part's fraction of its full points. */
static double frac(const struct match_hit *h, enum match_part p, enum match_kind k)
{
    struct match_weights w;
    match_weights_default(&w);
    float sum = 0;
    for (int i = 0; i < MATCH_PART_COUNT; i++)
        sum += w.kind[k].weight[i];
    return h->parts[p] / (100.0 * 100.0 * w.kind[k].weight[p] / sum);
}

#define assert_near(a, b, tol) assert_true(fabs((double)(a) - (double)(b)) <= (tol))

static void test_skill_part(void **state)
{
    (void)state;
    struct match_worker w = worker();
    struct match_vacancy v = vacancy(MATCH_KIND_REGULAR);
    v.n_skills = 2;
    v.skills[0] = (struct match_vacancy_skill){13, 3, false, 2.0f}; /* welding, level 3 */
    v.skills[1] = (struct match_vacancy_skill){2, 2, false, 1.0f};  /* masonry, level 2 */
    w.n_skills = 2;
    w.skills[0] = (struct match_worker_skill){13, 3};
    w.skills[1] = (struct match_worker_skill){2, 1}; /* one level short: 0.75 */
    struct match_hit h = eval(&w, NULL, &v, NULL);
    assert_int_equal(h.failed, 0);
    assert_near(frac(&h, MATCH_PART_SKILL, MATCH_KIND_REGULAR), (2 * 1 + 1 * 0.75) / 3, 0.001);
    /* held above the level asked: full credit, no more */
    w.skills[0].level = 5;
    w.skills[1].level = 4;
    h = eval(&w, NULL, &v, NULL);
    assert_int_equal(h.parts[MATCH_PART_SKILL], 4000);
    /* three levels short (0.25) loses to nothing; missing masonry: 0 */
    w.skills[0].level = 1; /* 1 - 2 * 0.25 = 0.5 */
    w.n_skills = 1;
    h = eval(&w, NULL, &v, NULL);
    assert_near(frac(&h, MATCH_PART_SKILL, MATCH_KIND_REGULAR), 2 * 0.5 / 3, 0.001);
    /* no skill listed: full marks */
    v.n_skills = 0;
    h = eval(&w, NULL, &v, NULL);
    assert_int_equal(h.parts[MATCH_PART_SKILL], 4000);
}

static void test_related_skill(void **state)
{
    (void)state;
    struct match_worker w = worker();
    struct match_vacancy v = vacancy(MATCH_KIND_REGULAR);
    v.n_skills = 1;
    v.skills[0] = (struct match_vacancy_skill){15, 1, false, 1.0f}; /* gas welding */
    w.n_skills = 1;
    w.skills[0] = (struct match_worker_skill){14, 2}; /* arc welding: a sibling */
    struct match_hit h = eval(&w, NULL, &v, NULL);
    assert_near(frac(&h, MATCH_PART_SKILL, MATCH_KIND_REGULAR), 0.4, 0.001);
    w.skills[0].skill = 13; /* the parent, welding */
    h = eval(&w, NULL, &v, NULL);
    assert_near(frac(&h, MATCH_PART_SKILL, MATCH_KIND_REGULAR), 0.4, 0.001);
    /* held far below the level, with a sibling: the better of 0.0 and 0.4 */
    v.skills[0].min_level = 5;
    w.n_skills = 2;
    w.skills[0] = (struct match_worker_skill){15, 1};
    w.skills[1] = (struct match_worker_skill){14, 4};
    h = eval(&w, NULL, &v, NULL);
    assert_near(frac(&h, MATCH_PART_SKILL, MATCH_KIND_REGULAR), 0.4, 0.001);
    /* an unrelated skill earns nothing */
    w.n_skills = 1;
    w.skills[0] = (struct match_worker_skill){34, 5};
    h = eval(&w, NULL, &v, NULL);
    assert_int_equal(h.parts[MATCH_PART_SKILL], 0);
}

static void test_cert_part(void **state)
{
    (void)state;
    struct match_worker w = worker();
    struct match_vacancy v = vacancy(MATCH_KIND_REGULAR);
    v.n_certs = 2;
    v.certs[0] = (struct match_vacancy_cert){11, true};
    v.certs[1] = (struct match_vacancy_cert){15, false};
    w.n_certs = 1;
    w.certs[0] = (struct match_worker_cert){11, match_day(2026, 1, 1)};
    struct match_hit h = eval(&w, NULL, &v, NULL);
    assert_int_equal(h.failed, 0);
    assert_near(frac(&h, MATCH_PART_CERT, MATCH_KIND_REGULAR), 0.5, 0.001);
    w.n_certs = 2;
    w.certs[1] = (struct match_worker_cert){15, match_day(2025, 1, 1)}; /* expired: no credit */
    h = eval(&w, NULL, &v, NULL);
    assert_near(frac(&h, MATCH_PART_CERT, MATCH_KIND_REGULAR), 0.5, 0.001);
    w.certs[1].expires = MATCH_NO_DAY;
    h = eval(&w, NULL, &v, NULL);
    assert_int_equal(h.parts[MATCH_PART_CERT], 1000);
    v.n_certs = 0; /* none asked: full marks */
    h = eval(&w, NULL, &v, NULL);
    assert_int_equal(h.parts[MATCH_PART_CERT], 1000);
}

/* Distance d km north of the worker. */
static struct match_hit at_km(struct match_worker *w, struct match_vacancy *v, double km)
{
    v->lat = w->lat + km / KM_LAT;
    v->lon = w->lon;
    return eval(w, NULL, v, NULL);
}

static void test_distance_part(void **state)
{
    (void)state;
    struct match_worker w = worker(); /* radius 20 km */
    struct match_vacancy v = vacancy(MATCH_KIND_REGULAR);
    struct match_hit h = at_km(&w, &v, 10);
    assert_near(h.km, 10, 0.3);
    assert_near(frac(&h, MATCH_PART_DISTANCE, MATCH_KIND_REGULAR), 1 - 0.2 * h.km / 20, 0.002);
    h = at_km(&w, &v, 30); /* beyond: 0.8 (2 - 1.5) = 0.4 */
    assert_near(frac(&h, MATCH_PART_DISTANCE, MATCH_KIND_REGULAR), 0.8 * (2 - h.km / 20), 0.002);
    h = at_km(&w, &v, 45); /* beyond two radii: 0 */
    assert_int_equal(h.parts[MATCH_PART_DISTANCE], 0);
    v.transport = true; /* radius doubles: 30 km of 40 */
    h = at_km(&w, &v, 30);
    assert_near(frac(&h, MATCH_PART_DISTANCE, MATCH_KIND_REGULAR), 1 - 0.2 * h.km / 40, 0.002);
    v.transport = false;
    v.accommodation = true; /* radius 150 km */
    h = at_km(&w, &v, 120);
    assert_near(frac(&h, MATCH_PART_DISTANCE, MATCH_KIND_REGULAR), 1 - 0.2 * h.km / 150, 0.002);
    v.accommodation = false;
    w.flags |= MATCH_W_NEEDS_ACCOMMODATION; /* beyond the radius without it: halved */
    h = at_km(&w, &v, 30);
    assert_near(frac(&h, MATCH_PART_DISTANCE, MATCH_KIND_REGULAR), 0.4 * (2 - h.km / 20), 0.002);
    /* reached by the employer's transport (radius 40 km): home every day, not halved */
    v.transport = true;
    h = at_km(&w, &v, 30);
    assert_near(frac(&h, MATCH_PART_DISTANCE, MATCH_KIND_REGULAR), 1 - 0.2 * h.km / 40, 0.002);
    /* beyond the radius with transport: halved */
    h = at_km(&w, &v, 50);
    assert_near(frac(&h, MATCH_PART_DISTANCE, MATCH_KIND_REGULAR), 0.4 * (2 - h.km / 40), 0.002);
    v.transport = false;
    w.max_commute_km = 0; /* 0 counts as 1 km */
    w.flags = MATCH_W_SEEKING;
    h = at_km(&w, &v, 0.5);
    assert_near(frac(&h, MATCH_PART_DISTANCE, MATCH_KIND_REGULAR), 1 - 0.2 * h.km, 0.01);
}

static void test_labour_export(void **state)
{
    (void)state;
    struct match_worker w = worker();
    struct match_vacancy v = vacancy(MATCH_KIND_LABOR_EXPORT);
    v.dest_province = 440000; /* Guangdong */
    v.lat = 22.8, v.lon = 113.5;
    struct match_hit h = eval(&w, NULL, &v, NULL);
    assert_int_equal(h.parts[MATCH_PART_DISTANCE], 0);
    w.flags |= MATCH_W_WILLING_COUNTY; /* not enough to leave the province */
    h = eval(&w, NULL, &v, NULL);
    assert_int_equal(h.parts[MATCH_PART_DISTANCE], 0);
    w.flags |= MATCH_W_WILLING_PROVINCE;
    h = eval(&w, NULL, &v, NULL);
    assert_near(frac(&h, MATCH_PART_DISTANCE, MATCH_KIND_LABOR_EXPORT), 1.0, 0.001);
    v.dest_province = 530000; /* elsewhere in Yunnan: leaving the county is enough */
    w.flags = MATCH_W_SEEKING | MATCH_W_WILLING_COUNTY;
    h = eval(&w, NULL, &v, NULL);
    assert_near(frac(&h, MATCH_PART_DISTANCE, MATCH_KIND_LABOR_EXPORT), 1.0, 0.001);
    assert_true(h.km > 1000); /* the distance is still reported */
}

static void test_wage_part(void **state)
{
    (void)state;
    struct match_worker w = worker();
    w.wage_floor = 3000;
    struct match_vacancy v = vacancy(MATCH_KIND_REGULAR);
    v.wage_min = 3500, v.wage_max = 4500;
    struct match_hit h = eval(&w, NULL, &v, NULL);
    assert_int_equal(h.parts[MATCH_PART_WAGE], 1500);
    v.wage_min = 2800, v.wage_max = 3200; /* may reach the floor */
    h = eval(&w, NULL, &v, NULL);
    assert_near(frac(&h, MATCH_PART_WAGE, MATCH_KIND_REGULAR), 0.7, 0.001);
    v.wage_min = 2000, v.wage_max = 2500; /* 1/6 below: 0.5 (1 - 2/6) */
    h = eval(&w, NULL, &v, NULL);
    assert_near(frac(&h, MATCH_PART_WAGE, MATCH_KIND_REGULAR), 0.5 * (1 - 2.0 * 500 / 3000), 0.001);
    v.wage_min = 1000, v.wage_max = 1400; /* half below: 0 */
    h = eval(&w, NULL, &v, NULL);
    assert_int_equal(h.parts[MATCH_PART_WAGE], 0);
    v.wage_period = MATCH_WAGE_DAY; /* 150 a day: 3263 a month */
    v.wage_min = 150, v.wage_max = 160;
    h = eval(&w, NULL, &v, NULL);
    assert_int_equal(h.parts[MATCH_PART_WAGE], 1500);
    v.wage_period = MATCH_WAGE_PIECE;
    h = eval(&w, NULL, &v, NULL);
    assert_near(frac(&h, MATCH_PART_WAGE, MATCH_KIND_REGULAR), 0.5, 0.001);
    w.wage_floor = 0;
    v.wage_period = MATCH_WAGE_MONTH;
    v.wage_min = 100, v.wage_max = 100;
    h = eval(&w, NULL, &v, NULL);
    assert_int_equal(h.parts[MATCH_PART_WAGE], 1500);
}

static void test_kind_and_availability(void **state)
{
    (void)state;
    struct match_worker w = worker();
    struct match_vacancy v = vacancy(MATCH_KIND_REGULAR);
    struct match_hit h = eval(&w, NULL, &v, NULL); /* no preference */
    assert_int_equal(h.parts[MATCH_PART_KIND], 1000);
    w.kinds_wanted = 1u << MATCH_KIND_WORKSHOP;
    h = eval(&w, NULL, &v, NULL);
    assert_int_equal(h.parts[MATCH_PART_KIND], 0);
    w.kinds_wanted |= 1u << MATCH_KIND_REGULAR;
    h = eval(&w, NULL, &v, NULL);
    assert_int_equal(h.parts[MATCH_PART_KIND], 1000);
    /* free now: full; free only 10 days into a 20-day wait: 0.75 */
    h = eval(&w, NULL, &v, NULL);
    assert_int_equal(h.parts[MATCH_PART_AVAIL], 500);
    v.start_day = today() + 20;
    w.available_from = today() + 10;
    h = eval(&w, NULL, &v, NULL);
    assert_near(frac(&h, MATCH_PART_AVAIL, MATCH_KIND_REGULAR), 0.75, 0.001);
    w.available_from = today() - 5; /* already free */
    h = eval(&w, NULL, &v, NULL);
    assert_int_equal(h.parts[MATCH_PART_AVAIL], 500);
    /* free just on the start day: half */
    w.available_from = today() + 20;
    h = eval(&w, NULL, &v, NULL);
    assert_int_equal(h.failed, 0);
    assert_int_equal(h.parts[MATCH_PART_AVAIL], 250);
    /* free only after the start day: the filter fails and no points */
    w.available_from = today() + 21;
    h = eval(&w, NULL, &v, NULL);
    assert_int_equal(h.failed, 1u << MATCH_F_NOT_AVAILABLE);
    assert_int_equal(h.parts[MATCH_PART_AVAIL], 0);
    /* a start today (or none, or one past) and a worker free only tomorrow: the same */
    w.available_from = today() + 1;
    for (int k = 0; k < 3; k++) {
        v.start_day = k == 0 ? today() : k == 1 ? MATCH_NO_DAY : today() - 3;
        h = eval(&w, NULL, &v, NULL);
        assert_int_equal(h.failed, 1u << MATCH_F_NOT_AVAILABLE);
        assert_int_equal(h.parts[MATCH_PART_AVAIL], 0);
    }
}

static void test_priority_part(void **state)
{
    (void)state;
    struct match_worker w = worker();
    struct match_vacancy v = vacancy(MATCH_KIND_WORK_RELIEF);
    w.flags |= MATCH_W_LOCAL_RESIDENT;
    struct match_hit h = eval(&w, NULL, &v, NULL);
    assert_int_equal(h.failed, 0);
    assert_int_equal(h.parts[MATCH_PART_PRIORITY], 0);
    w.flags |= MATCH_W_RELOCATED;
    h = eval(&w, NULL, &v, NULL);
    assert_near(frac(&h, MATCH_PART_PRIORITY, MATCH_KIND_WORK_RELIEF), 0.4, 0.001);
    struct match_household hh = {1, false, MATCH_MON_UNSTABLE, 0};
    h = eval(&w, &hh, &v, NULL);
    assert_near(frac(&h, MATCH_PART_PRIORITY, MATCH_KIND_WORK_RELIEF), 0.7, 0.001);
    hh.zero_employment = true;
    h = eval(&w, &hh, &v, NULL);
    assert_near(frac(&h, MATCH_PART_PRIORITY, MATCH_KIND_WORK_RELIEF), 1.0, 0.001);
    /* capped at 1 */
    struct match_weights wt;
    match_weights_default(&wt);
    wt.kind[MATCH_KIND_WORK_RELIEF].prio_relocated = 0.9f;
    wt.kind[MATCH_KIND_WORK_RELIEF].prio_zero_employment = 0.9f;
    h = eval(&w, &hh, &v, &wt);
    assert_near(frac(&h, MATCH_PART_PRIORITY, MATCH_KIND_WORK_RELIEF), 1.0, 0.001);
    /* regular vacancies give priority no weight */
    v = vacancy(MATCH_KIND_REGULAR);
    h = eval(&w, &hh, &v, NULL);
    assert_int_equal(h.parts[MATCH_PART_PRIORITY], 0);
}

/* The score is the weighted sum of the parts, normalised to 100. */
static void test_weights_normalised(void **state)
{
    (void)state;
    struct match_worker w = worker();
    w.n_skills = 1;
    w.skills[0] = (struct match_worker_skill){13, 2};
    struct match_vacancy v = vacancy(MATCH_KIND_REGULAR);
    v.n_skills = 1;
    v.skills[0] = (struct match_vacancy_skill){13, 3, false, 1.0f};
    struct match_weights wt;
    match_weights_default(&wt);
    for (int i = 0; i < MATCH_PART_COUNT; i++)
        wt.kind[MATCH_KIND_REGULAR].weight[i] = i == MATCH_PART_SKILL ? 7.0f : 0.0f;
    struct match_hit h = eval(&w, NULL, &v, &wt);
    assert_int_equal(h.score, 7500); /* skill only: 0.75 of 100 */
    assert_int_equal(h.parts[MATCH_PART_SKILL], 7500);
    /* doubling every weight changes nothing */
    match_weights_default(&wt);
    struct match_hit a = eval(&w, NULL, &v, &wt);
    for (int i = 0; i < MATCH_PART_COUNT; i++)
        wt.kind[MATCH_KIND_REGULAR].weight[i] *= 2;
    struct match_hit b = eval(&w, NULL, &v, &wt);
    assert_int_equal(a.score, b.score);
    int sum = 0;
    for (int i = 0; i < MATCH_PART_COUNT; i++)
        sum += a.parts[i];
    assert_true(abs(sum - a.score) <= MATCH_PART_COUNT);
}

static void test_weights_checked(void **state)
{
    (void)state;
    struct match_weights w;
    match_weights_default(&w);
    assert_int_equal(match_weights_check(&w), 0);
    struct match_weights bad[10];
    for (int i = 0; i < 10; i++)
        bad[i] = w;
    bad[0].kind[0].weight[0] = -1;
    bad[1].kind[1].weight[2] = NAN;
    bad[2].kind[2].weight[3] = 1001;
    for (int i = 0; i < MATCH_PART_COUNT; i++)
        bad[3].kind[3].weight[i] = 0;
    bad[4].kind[4].level_step = 1.5f;
    bad[5].kind[5].related_credit = -0.1f;
    bad[6].kind[0].must_level_slack = 5;
    bad[7].kind[1].transport_factor = 0.5f;
    bad[8].kind[2].accommodation_km = 6000;
    bad[9].kind[3].prio_monitoring = 2;
    struct match_index *idx = match_index_new();
    for (int i = 0; i < 10; i++) {
        assert_int_equal(match_weights_check(&bad[i]), -1);
        assert_int_equal(match_index_set_weights(idx, &bad[i]), -1);
    }
    assert_memory_equal(match_index_weights(idx), &w, sizeof w); /* unchanged */
    match_index_free(idx);
}

/* Staff change the table at run time: the next query scores with it. */
static void test_weights_at_run_time(void **state)
{
    (void)state;
    struct match_index *idx = match_index_new();
    struct match_worker w = worker();
    w.wage_floor = 9000;
    assert_int_equal(match_index_upsert_worker(idx, &w), 0);
    struct match_vacancy v = vacancy(MATCH_KIND_REGULAR);
    assert_int_equal(match_index_upsert_vacancy(idx, &v), 0);
    struct match_query q;
    match_query_init(&q, today(), 5);
    struct match_result *r = match_result_new();
    assert_int_equal(match_query_workers_by_id(idx, 1, &q, r), 0);
    int32_t before = r->hit[0].score;
    struct match_weights wt = *match_index_weights(idx);
    wt.kind[MATCH_KIND_REGULAR].weight[MATCH_PART_WAGE] = 0; /* the low wage stops counting */
    assert_int_equal(match_index_set_weights(idx, &wt), 0);
    assert_int_equal(match_query_workers_by_id(idx, 1, &q, r), 0);
    assert_true(r->hit[0].score > before);
    assert_int_equal(r->hit[0].score, 10000);
    match_result_free(r);
    match_index_free(idx);
}

static double haversine(double lat1, double lon1, double lat2, double lon2)
{
    const double rad = 3.14159265358979323846 / 180;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * 6371.0088 * asin(sqrt(a));
}

static void test_great_circle(void **state)
{
    (void)state;
    uint64_t x = 7;
    for (int i = 0; i < 20000; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        double lat1 = 21 + (double)(x >> 40) / (1 << 24) * 8;
        double lon1 = 97.5 + (double)((x >> 16) & 0xffffff) / (1 << 24) * 9;
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        double span = i % 10 == 0 ? 60.0 : 3.0; /* mostly within Yunnan, some far */
        double lat2 = lat1 + ((double)(x >> 40) / (1 << 24) - 0.5) * span;
        double lon2 = lon1 + ((double)((x >> 16) & 0xffffff) / (1 << 24) - 0.5) * span;
        int16_t a[3], b[3];
        match_unit_vector(lat1, lon1, a);
        match_unit_vector(lat2, lon2, b);
        double want = haversine(lat1, lon1, lat2, lon2);
        double got = match_km_from_chord2(match_chord2(a, b));
        assert_true(fabs(got - want) <= 0.5 + want * 2e-4);
    }
    int16_t a[3], b[3];
    match_unit_vector(0, 0, a);
    match_unit_vector(0, 180, b);
    assert_near(match_km_from_chord2(match_chord2(a, b)), 3.14159265 * 6371.0088, 2.0);
}

/* The three worked examples of docs/matching.md, to the hundredth. */
static void test_worked_examples(void **state)
{
    (void)state;
    /* A: a welder for a construction firm, 12 km away */
    struct match_worker w = worker();
    w.wage_floor = 3500;
    w.kinds_wanted = 1u << MATCH_KIND_REGULAR;
    w.n_skills = 2;
    w.skills[0] = (struct match_worker_skill){14, 3}; /* arc welding, level 3 */
    w.skills[1] = (struct match_worker_skill){22, 1}; /* car driving: not related to rebar */
    w.n_certs = 1;
    w.certs[0] = (struct match_worker_cert){7, match_day(2027, 5, 1)};
    struct match_vacancy v = vacancy(MATCH_KIND_REGULAR);
    v.lat = w.lat + 12 / KM_LAT;
    v.wage_min = 4000, v.wage_max = 5000;
    v.n_skills = 2;
    v.skills[0] = (struct match_vacancy_skill){14, 3, true, 2.0f}; /* arc welding, must */
    v.skills[1] = (struct match_vacancy_skill){4, 2, false, 1.0f}; /* rebar */
    v.n_certs = 1;
    v.certs[0] = (struct match_vacancy_cert){7, true};
    struct match_hit h = eval(&w, NULL, &v, NULL);
    assert_int_equal(h.failed, 0);
    assert_int_equal(h.parts[MATCH_PART_SKILL], 2667);
    assert_int_equal(h.parts[MATCH_PART_CERT], 1000);
    assert_int_equal(h.parts[MATCH_PART_DISTANCE], 1760);
    assert_int_equal(h.parts[MATCH_PART_WAGE], 1500);
    assert_int_equal(h.parts[MATCH_PART_KIND], 1000);
    assert_int_equal(h.parts[MATCH_PART_AVAIL], 500);
    assert_int_equal(h.score, 8427);

    /* B: a public-welfare cleaning post for a relocated worker of a
     * zero-employment household under monitoring */
    w = worker();
    w.flags |= MATCH_W_RELOCATED;
    w.wage_floor = 2000;
    w.n_skills = 1;
    w.skills[0] = (struct match_worker_skill){31, 2}; /* housekeeping */
    v = vacancy(MATCH_KIND_PUBLIC_WELFARE);
    v.lat = w.lat + 3 / KM_LAT;
    v.wage_min = 1800, v.wage_max = 1800;
    v.n_skills = 1;
    v.skills[0] = (struct match_vacancy_skill){34, 1, false, 1.0f}; /* cleaning */
    struct match_household hh = {1, true, MATCH_MON_UNSTABLE, 0};
    h = eval(&w, &hh, &v, NULL);
    assert_int_equal(h.failed, 0);
    assert_int_equal(h.parts[MATCH_PART_SKILL], 600);
    assert_int_equal(h.parts[MATCH_PART_CERT], 500);
    assert_int_equal(h.parts[MATCH_PART_DISTANCE], 1940);
    assert_int_equal(h.parts[MATCH_PART_WAGE], 200);
    assert_int_equal(h.parts[MATCH_PART_KIND], 1000);
    assert_int_equal(h.parts[MATCH_PART_AVAIL], 500);
    assert_int_equal(h.parts[MATCH_PART_PRIORITY], 4000);
    assert_int_equal(h.score, 8740);

    /* C: labour export to Guangdong for a worker willing to leave the province */
    w = worker();
    w.flags |= MATCH_W_WILLING_PROVINCE;
    w.wage_floor = 4000;
    w.n_skills = 1;
    w.skills[0] = (struct match_worker_skill){38, 2}; /* electronics assembly */
    v = vacancy(MATCH_KIND_LABOR_EXPORT);
    v.dest_province = 440000;
    v.lat = 22.8, v.lon = 113.5;
    v.wage_min = 4500, v.wage_max = 6000;
    v.accommodation = true;
    v.start_day = today() + 14;
    v.n_skills = 1;
    v.skills[0] = (struct match_vacancy_skill){38, 1, false, 1.0f};
    w.available_from = today() + 7;
    h = eval(&w, NULL, &v, NULL);
    assert_int_equal(h.failed, 0);
    assert_int_equal(h.parts[MATCH_PART_SKILL], 3500);
    assert_int_equal(h.parts[MATCH_PART_DISTANCE], 2000);
    assert_int_equal(h.parts[MATCH_PART_WAGE], 2000);
    assert_int_equal(h.parts[MATCH_PART_AVAIL], 375);
    assert_int_equal(h.score, 9875);

    /* D: a factory job reached by the employer's bus, for a worker who needs
     * accommodation: radius 15 km, 18 km away, transport doubles the radius
     * to 30 km, no accommodation offered */
    w = worker();
    w.flags |= MATCH_W_NEEDS_ACCOMMODATION;
    w.max_commute_km = 15;
    w.wage_floor = 2500;
    w.n_skills = 1;
    w.skills[0] = (struct match_worker_skill){38, 2}; /* electronics assembly */
    v = vacancy(MATCH_KIND_REGULAR);
    v.lat = w.lat + 18 / KM_LAT;
    v.transport = true;
    v.wage_min = 3000, v.wage_max = 3600;
    v.n_skills = 1;
    v.skills[0] = (struct match_vacancy_skill){38, 2, true, 1.0f};
    h = eval(&w, NULL, &v, NULL);
    assert_int_equal(h.failed, 0);
    assert_int_equal(h.parts[MATCH_PART_SKILL], 4000);
    assert_int_equal(h.parts[MATCH_PART_DISTANCE], 1760); /* 20 x (1 - 0.2 x 18/30), not halved */
    assert_int_equal(h.parts[MATCH_PART_WAGE], 1500);
    assert_int_equal(h.score, 9760);
    bool needs = false;
    for (int i = 0; i < h.n_reasons; i++)
        needs |= h.reasons[i].code == MATCH_R_NEEDS_ACCOMMODATION;
    assert_false(needs);
    /* 50 km away, beyond the 30 km: 20 x 0.5 x 0.8 x (2 - 50/30) = 2.67 */
    v.lat = w.lat + 50 / KM_LAT;
    h = eval(&w, NULL, &v, NULL);
    assert_int_equal(h.parts[MATCH_PART_DISTANCE], 267);
    assert_int_equal(h.score, 8267);
    for (int i = 0; i < h.n_reasons; i++)
        needs |= h.reasons[i].code == MATCH_R_NEEDS_ACCOMMODATION;
    assert_true(needs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_skill_part),
        cmocka_unit_test(test_related_skill),
        cmocka_unit_test(test_cert_part),
        cmocka_unit_test(test_distance_part),
        cmocka_unit_test(test_labour_export),
        cmocka_unit_test(test_wage_part),
        cmocka_unit_test(test_kind_and_availability),
        cmocka_unit_test(test_priority_part),
        cmocka_unit_test(test_weights_normalised),
        cmocka_unit_test(test_weights_checked),
        cmocka_unit_test(test_weights_at_run_time),
        cmocka_unit_test(test_great_circle),
        cmocka_unit_test(test_worked_examples),
    };
    return cmocka_run_group_tests_name("match_score", tests, NULL, NULL);
}
