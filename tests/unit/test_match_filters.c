/*
 * test_match_filters: every hard filter and query filter alone, in both
 * directions (workers for a vacancy, vacancies for a worker), the programme
 * rules and their switches, age and date boundaries, and the counts that
 * explain an empty result.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "match/match.h"

#include <string.h>

static int32_t today(void)
{
    return match_day(2025, 3, 1);
}

static struct match_worker worker(void)
{
    struct match_worker w;
    memset(&w, 0, sizeof w);
    w.id = 10;
    w.household_id = 20;
    w.flags = MATCH_W_SEEKING | MATCH_W_CONSENT_BROKERS | MATCH_W_RELOCATED;
    w.birth_day = match_day(1990, 6, 15);
    w.available_from = MATCH_NO_DAY;
    w.county_code = 530102;
    w.lat = 25.0, w.lon = 102.7;
    w.max_commute_km = 20;
    w.wage_floor = 3000;
    w.n_skills = 1;
    w.skills[0] = (struct match_worker_skill){13, 3};
    w.n_certs = 1;
    w.certs[0] = (struct match_worker_cert){7, match_day(2026, 1, 1)};
    return w;
}

static struct match_vacancy vacancy(void)
{
    struct match_vacancy v;
    memset(&v, 0, sizeof v);
    v.id = 30;
    v.kind = MATCH_KIND_REGULAR;
    v.open = true;
    v.headcount = 2;
    v.county_code = 530102;
    v.lat = 25.05, v.lon = 102.72;
    v.wage_min = 4000, v.wage_max = 5000;
    v.age_min = 18, v.age_max = 55;
    v.start_day = MATCH_NO_DAY;
    v.n_skills = 1;
    v.skills[0] = (struct match_vacancy_skill){13, 2, true, 1.0f};
    v.n_certs = 1;
    v.certs[0] = (struct match_vacancy_cert){7, true};
    return v;
}

struct setup {
    struct match_worker w;
    struct match_vacancy v;
    struct match_household h;
    struct match_query q;
    struct match_weights wt;
};

static void setup_init(struct setup *s)
{
    s->w = worker();
    s->v = vacancy();
    s->h = (struct match_household){20, false, MATCH_MON_NONE, 0};
    match_query_init(&s->q, today(), 10);
    match_weights_default(&s->wt);
    s->q.weights = &s->wt;
}

/* Runs both directions and the explanation; expects exactly filter f (or none). */
static void expect(const struct setup *s, enum match_filter f)
{
    struct match_index *idx = match_index_new();
    assert_true(match_index_upsert_worker(idx, &s->w) >= 0);
    assert_int_equal(match_index_upsert_household(idx, &s->h), 0);
    assert_int_equal(match_index_upsert_vacancy(idx, &s->v), 0);
    struct match_result *r = match_result_new();
    assert_int_equal(match_query_workers_by_id(idx, s->v.id, &s->q, r), 0);
    assert_int_equal(r->scanned, 1);
    assert_true(r->counts_exact);
    assert_int_equal(r->n, f ? 0 : 1);
    for (int i = 0; i < MATCH_F_COUNT; i++)
        assert_int_equal(r->removed[i], i == (int)f && f ? 1 : 0);
    assert_int_equal(r->candidates, f ? 0 : 1); /* min_score too removes a candidate */
    assert_int_equal(match_query_vacancies_by_id(idx, s->w.id, &s->q, r), 0);
    assert_int_equal(r->n, f ? 0 : 1);
    for (int i = 0; i < MATCH_F_COUNT; i++)
        assert_int_equal(r->removed[i], i == (int)f && f ? 1 : 0);
    struct match_hit h;
    assert_int_equal(match_explain(idx, s->w.id, s->v.id, &s->q, MATCH_TARGET_WORKERS, &h), 0);
    assert_int_equal(h.failed, f ? 1u << f : 0);
    match_result_free(r);
    match_index_free(idx);
}

static void test_passes(void **state)
{
    (void)state;
    struct setup s;
    setup_init(&s);
    expect(&s, MATCH_F_NONE);
}

static void test_vacancy_closed_or_full(void **state)
{
    (void)state;
    struct setup s;
    setup_init(&s);
    s.v.open = false;
    expect(&s, MATCH_F_VACANCY_CLOSED);
    setup_init(&s);
    s.v.filled = 2;
    expect(&s, MATCH_F_VACANCY_FULL);
}

static void test_must_skill(void **state)
{
    (void)state;
    struct setup s;
    setup_init(&s);
    s.w.skills[0].skill = 14; /* a related skill does not satisfy a must-have */
    expect(&s, MATCH_F_MUST_SKILL);
    setup_init(&s);
    s.w.n_skills = 0;
    expect(&s, MATCH_F_MUST_SKILL);
    setup_init(&s); /* must-haves beyond skill id 63 */
    s.v.skills[0].skill = 130;
    expect(&s, MATCH_F_MUST_SKILL);
    s.w.skills[0].skill = 130;
    expect(&s, MATCH_F_NONE);
    /* a listed skill that is not a must-have never filters */
    setup_init(&s);
    s.v.skills[0].must = false;
    s.w.n_skills = 0;
    expect(&s, MATCH_F_NONE);
}

static void test_skill_level(void **state)
{
    (void)state;
    struct setup s;
    setup_init(&s);
    s.v.skills[0].min_level = 4; /* held at 3 */
    expect(&s, MATCH_F_SKILL_LEVEL);
    s.wt.kind[MATCH_KIND_REGULAR].must_level_slack = 1; /* one level of slack */
    expect(&s, MATCH_F_NONE);
}

static void test_certificates(void **state)
{
    (void)state;
    struct setup s;
    setup_init(&s);
    s.w.n_certs = 0;
    expect(&s, MATCH_F_MUST_CERT);
    setup_init(&s);
    s.w.certs[0].expires = match_day(2025, 2, 28); /* expired before today */
    expect(&s, MATCH_F_CERT_EXPIRED);
    s.w.certs[0].expires = today(); /* valid on its last day */
    expect(&s, MATCH_F_NONE);
    s.v.start_day = today() + 1; /* but not on the start date */
    expect(&s, MATCH_F_CERT_EXPIRED);
    setup_init(&s); /* a wanted certificate that is not a must never filters */
    s.v.certs[0].must = false;
    s.w.n_certs = 0;
    expect(&s, MATCH_F_NONE);
}

static void test_not_seeking_and_consent(void **state)
{
    (void)state;
    struct setup s;
    setup_init(&s);
    s.w.flags &= (uint16_t)~MATCH_W_SEEKING;
    expect(&s, MATCH_F_NOT_SEEKING);
    setup_init(&s);
    s.w.flags &= (uint16_t)~MATCH_W_CONSENT_BROKERS;
    expect(&s, MATCH_F_NONE); /* staff may see everyone */
    s.q.broker = true;
    expect(&s, MATCH_F_NO_CONSENT);
}

static void test_availability(void **state)
{
    (void)state;
    struct setup s;
    setup_init(&s);
    s.w.available_from = today() + 1; /* no start date: the vacancy starts today */
    expect(&s, MATCH_F_NOT_AVAILABLE);
    s.v.start_day = today() + 1;
    expect(&s, MATCH_F_NONE);
    s.v.start_day = today() - 10; /* started already: counts from today */
    expect(&s, MATCH_F_NOT_AVAILABLE);
}

/* Age on the start day, in whole years; the vacancy's range within 16..65. */
static void test_age(void **state)
{
    (void)state;
    struct setup s;
    setup_init(&s);
    s.v.age_min = 16, s.v.age_max = 65;
    s.w.birth_day = match_day(2009, 3, 1); /* 16 today */
    expect(&s, MATCH_F_NONE);
    s.w.birth_day = match_day(2009, 3, 2); /* 16 tomorrow */
    expect(&s, MATCH_F_AGE);
    s.v.start_day = today() + 1;
    expect(&s, MATCH_F_NONE);
    setup_init(&s);
    s.v.age_min = 16, s.v.age_max = 65;
    s.w.birth_day = match_day(1959, 3, 2); /* 65 until tomorrow */
    expect(&s, MATCH_F_NONE);
    s.w.birth_day = match_day(1959, 3, 1); /* 66 today */
    expect(&s, MATCH_F_AGE);
    /* a vacancy asking up to 70 still stops at 65 */
    s.v.age_max = 70;
    expect(&s, MATCH_F_AGE);
    setup_init(&s);                        /* the vacancy's own range */
    s.w.birth_day = match_day(1969, 3, 1); /* 56 */
    expect(&s, MATCH_F_AGE);
    s.w.birth_day = match_day(1969, 3, 2); /* 55 */
    expect(&s, MATCH_F_NONE);
}

/* Born on Feb 29: a year older on Mar 1 in common years; a Feb 29 start. */
static void test_leap_day(void **state)
{
    (void)state;
    struct setup s;
    setup_init(&s);
    s.v.age_min = 18, s.v.age_max = 60;
    s.q.today = match_day(2026, 2, 28);
    s.w.birth_day = match_day(2008, 2, 29);
    s.w.certs[0].expires = MATCH_NO_DAY;
    expect(&s, MATCH_F_AGE); /* still 17 on Feb 28, 2026 */
    s.q.today = match_day(2026, 3, 1);
    expect(&s, MATCH_F_NONE); /* 18 on Mar 1 */
    /* a start on Feb 29, 2028: born Feb 29 or Feb 28, 2010 is 18; Mar 1 is not */
    s.q.today = match_day(2025, 6, 1);
    s.v.start_day = match_day(2028, 2, 29);
    s.w.birth_day = match_day(2010, 2, 28);
    expect(&s, MATCH_F_NONE);
    s.w.birth_day = match_day(2010, 3, 1);
    expect(&s, MATCH_F_AGE);
    s.w.birth_day = match_day(1967, 3, 1); /* 60 on Feb 29, 2028 */
    expect(&s, MATCH_F_NONE);
    s.w.birth_day = match_day(1967, 2, 28); /* 61 */
    expect(&s, MATCH_F_AGE);
}

static void test_public_welfare_rules(void **state)
{
    (void)state;
    struct setup s;
    setup_init(&s);
    s.v.kind = MATCH_KIND_PUBLIC_WELFARE;
    expect(&s, MATCH_F_NONE);
    s.h.public_welfare_posts = 1; /* one post a household */
    expect(&s, MATCH_F_HOUSEHOLD_POST);
    s.wt.kind[MATCH_KIND_PUBLIC_WELFARE].one_per_household = false;
    expect(&s, MATCH_F_NONE);
    setup_init(&s);
    s.v.kind = MATCH_KIND_PUBLIC_WELFARE;
    s.w.flags |= MATCH_W_HOLDS_FOREST_RANGER; /* no second post */
    expect(&s, MATCH_F_DOUBLE_POST);
    s.wt.kind[MATCH_KIND_PUBLIC_WELFARE].no_double_post = false;
    expect(&s, MATCH_F_NONE);
    setup_init(&s);
    s.v.kind = MATCH_KIND_FOREST_RANGER;
    s.w.flags |= MATCH_W_HOLDS_PUBLIC_WELFARE;
    expect(&s, MATCH_F_DOUBLE_POST);
    setup_init(&s); /* rules are per kind: regular posts have none */
    s.h.public_welfare_posts = 1;
    s.w.flags |= MATCH_W_HOLDS_PUBLIC_WELFARE;
    expect(&s, MATCH_F_NONE);
}

static void test_residents_only(void **state)
{
    (void)state;
    struct setup s;
    for (int kind = MATCH_KIND_WORK_RELIEF; kind <= MATCH_KIND_PUBLIC_WELFARE; kind++) {
        setup_init(&s);
        s.v.kind = (enum match_kind)kind;
        expect(&s, MATCH_F_NONE); /* relocated, same county */
        s.w.flags &= (uint16_t)~MATCH_W_RELOCATED;
        expect(&s, MATCH_F_NOT_RESIDENT);
        s.w.flags |= MATCH_W_LOCAL_RESIDENT;
        expect(&s, MATCH_F_NONE);
        s.v.county_code = 530103; /* another county */
        expect(&s, MATCH_F_NOT_RESIDENT);
        s.wt.kind[kind].residents_only = false;
        expect(&s, MATCH_F_NONE);
    }
}

static void test_query_filters(void **state)
{
    (void)state;
    struct setup s;
    setup_init(&s);
    s.q.n_counties = 1;
    s.q.counties[0] = 530103;
    expect(&s, MATCH_F_COUNTY); /* the worker's county, or the vacancy's: both 530102 */
    s.q.counties[0] = 530102;
    expect(&s, MATCH_F_NONE);
    setup_init(&s);
    s.q.kinds = 1u << MATCH_KIND_WORKSHOP;
    s.w.kinds_wanted = 1u << MATCH_KIND_REGULAR;
    expect(&s, MATCH_F_KIND);
    setup_init(&s);
    s.q.max_km = 1;
    expect(&s, MATCH_F_DISTANCE);
    s.q.max_km = 10;
    expect(&s, MATCH_F_NONE);
    setup_init(&s);
    s.q.min_score = 10000;
    expect(&s, MATCH_F_MIN_SCORE);
}

/* The wage filter reads the worker's floor in worker lists, the vacancy's
 * wage in vacancy lists. */
static void test_wage_filter(void **state)
{
    (void)state;
    struct setup s;
    setup_init(&s);
    s.q.wage_min = 3500; /* floor 3000 < 3500 ; wage 4000 >= 3500 */
    struct match_index *idx = match_index_new();
    assert_int_equal(match_index_upsert_worker(idx, &s.w), 0);
    assert_int_equal(match_index_upsert_vacancy(idx, &s.v), 0);
    struct match_result *r = match_result_new();
    assert_int_equal(match_query_workers_by_id(idx, s.v.id, &s.q, r), 0);
    assert_int_equal(r->removed[MATCH_F_WAGE], 1);
    assert_int_equal(match_query_vacancies_by_id(idx, s.w.id, &s.q, r), 0);
    assert_int_equal(r->n, 1);
    s.q.wage_max = 3900; /* the vacancy pays more */
    assert_int_equal(match_query_vacancies_by_id(idx, s.w.id, &s.q, r), 0);
    assert_int_equal(r->removed[MATCH_F_WAGE], 1);
    match_result_free(r);
    match_index_free(idx);
}

/* The first failing filter is charged, in enum order. */
static void test_charge_order(void **state)
{
    (void)state;
    struct setup s;
    setup_init(&s);
    s.w.flags &= (uint16_t)~MATCH_W_SEEKING;
    s.w.n_certs = 0;
    s.w.birth_day = match_day(1950, 1, 1);
    s.q.max_km = 1;
    struct match_index *idx = match_index_new();
    assert_int_equal(match_index_upsert_worker(idx, &s.w), 0);
    assert_int_equal(match_index_upsert_vacancy(idx, &s.v), 0);
    struct match_result *r = match_result_new();
    assert_int_equal(match_query_workers_by_id(idx, s.v.id, &s.q, r), 0);
    assert_int_equal(r->removed[MATCH_F_MUST_CERT], 1);
    assert_int_equal(r->removed[MATCH_F_NOT_SEEKING], 0);
    struct match_hit h;
    assert_int_equal(match_explain(idx, s.w.id, s.v.id, &s.q, MATCH_TARGET_WORKERS, &h), 0);
    assert_int_equal(h.failed, (1u << MATCH_F_MUST_CERT) | (1u << MATCH_F_NOT_SEEKING) |
                                   (1u << MATCH_F_AGE) | (1u << MATCH_F_DISTANCE));
    match_result_free(r);
    match_index_free(idx);
}

/* A query with no candidates says which filters removed how many. */
static void test_empty_result_counts(void **state)
{
    (void)state;
    struct match_index *idx = match_index_new();
    struct match_vacancy v = vacancy();
    assert_int_equal(match_index_upsert_vacancy(idx, &v), 0);
    for (int64_t id = 1; id <= 100; id++) {
        struct match_worker w = worker();
        w.id = id;
        w.household_id = id;
        if (id <= 50)
            w.skills[0].skill = 2; /* 50 lack welding */
        else if (id <= 80)
            w.n_certs = 0; /* 30 lack the certificate */
        else if (id <= 95)
            w.flags &= (uint16_t)~MATCH_W_SEEKING; /* 15 not seeking */
        else
            w.available_from = today() + 30; /* 5 not available */
        assert_int_equal(match_index_upsert_worker(idx, &w), 0);
    }
    struct match_query q;
    match_query_init(&q, today(), 20);
    struct match_result *r = match_result_new();
    assert_int_equal(match_query_workers_by_id(idx, v.id, &q, r), 0);
    assert_int_equal(r->n, 0);
    assert_false(r->more);
    assert_true(r->counts_exact);
    assert_int_equal(r->scanned, 100);
    assert_int_equal(r->candidates, 0);
    assert_int_equal(r->removed[MATCH_F_MUST_SKILL], 50);
    assert_int_equal(r->removed[MATCH_F_MUST_CERT], 30);
    assert_int_equal(r->removed[MATCH_F_NOT_SEEKING], 15);
    assert_int_equal(r->removed[MATCH_F_NOT_AVAILABLE], 5);
    match_result_free(r);
    match_index_free(idx);
}

/* Facets: each dimension counted with its own filter off, the others on. */
static void test_facets(void **state)
{
    (void)state;
    struct match_index *idx = match_index_new();
    static const int32_t county[] = {530102, 530103, 530111};
    for (int64_t id = 1; id <= 60; id++) {
        struct match_worker w = worker();
        w.id = id;
        w.household_id = id;
        w.county_code = county[id % 3];
        w.wage_floor = id % 2 ? 1500 : 4500; /* bands 0 and 3 */
        w.kinds_wanted = id % 4 ? 0 : 1u << MATCH_KIND_WORKSHOP;
        w.lat = 25.05 + (id % 5 == 0 ? 0.5 : 0.0); /* some 50 km away */
        w.max_commute_km = 200;
        assert_int_equal(match_index_upsert_worker(idx, &w), 0);
    }
    struct match_vacancy v = vacancy();
    assert_int_equal(match_index_upsert_vacancy(idx, &v), 0);
    struct match_query q;
    match_query_init(&q, today(), 5);
    q.facets = true;
    q.n_counties = 1;
    q.counties[0] = 530102;
    q.wage_max = 2000;
    struct match_result *r = match_result_new();
    assert_int_equal(match_query_workers_by_id(idx, v.id, &q, r), 0);
    assert_true(r->has_facets);
    /* county facet: wage filter on, county off: the 30 odd ids by county */
    uint32_t total = 0;
    for (uint32_t i = 0; i < r->facets.n_counties; i++)
        total += r->facets.county[i].count;
    assert_int_equal(total, 30);
    assert_int_equal(r->facets.n_counties, 3);
    /* wage facet: county filter on, wage off: the 20 in 530102, split by floor */
    assert_int_equal(r->facets.wage_band[0] + r->facets.wage_band[3], 20);
    assert_int_equal(r->facets.wage_band[0], 10);
    /* kind and distance facets: both filters on: odd ids in 530102 */
    uint32_t in_both = 0;
    for (int64_t id = 1; id <= 60; id++)
        in_both += id % 2 && id % 3 == 0;
    assert_int_equal(r->facets.kind[MATCH_KIND_REGULAR],
                     in_both); /* none of them wants only workshops */
    uint32_t dist = 0;
    for (int i = 0; i < MATCH_DIST_BANDS; i++)
        dist += r->facets.dist_band[i];
    assert_int_equal(dist, in_both);
    assert_int_equal(r->n, 5);
    match_result_free(r);
    match_index_free(idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_passes),
        cmocka_unit_test(test_vacancy_closed_or_full),
        cmocka_unit_test(test_must_skill),
        cmocka_unit_test(test_skill_level),
        cmocka_unit_test(test_certificates),
        cmocka_unit_test(test_not_seeking_and_consent),
        cmocka_unit_test(test_availability),
        cmocka_unit_test(test_age),
        cmocka_unit_test(test_leap_day),
        cmocka_unit_test(test_public_welfare_rules),
        cmocka_unit_test(test_residents_only),
        cmocka_unit_test(test_query_filters),
        cmocka_unit_test(test_wage_filter),
        cmocka_unit_test(test_charge_order),
        cmocka_unit_test(test_empty_result_counts),
        cmocka_unit_test(test_facets),
    };
    return cmocka_run_group_tests_name("match_filters", tests, NULL, NULL);
}
