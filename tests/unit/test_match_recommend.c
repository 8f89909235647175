/*
 * test_match_recommend: which vacancies a course opens for a worker
 * (match_recommend_courses): only those whose last failing requirement the
 * course closes, and on random indexes exactly the count a brute-force
 * recount over every vacancy gives (each pair explained as the worker is and
 * as they would be with the course).
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "match/match.h"

#include <string.h>

#define WELD 14
#define GAS 15
#define CERT_WELD 7
#define CERT_HEALTH 11

static int32_t today(void)
{
    return match_day(2025, 3, 1);
}

static struct match_index *small_index(void)
{
    struct match_index *idx = match_index_new();
    assert_non_null(idx);
    assert_int_equal(match_index_set_skill_parent(idx, WELD, 13), 0);
    assert_int_equal(match_index_set_skill_parent(idx, GAS, 13), 0);
    struct match_worker w = {0};
    w.id = 1;
    w.household_id = 1;
    w.flags = MATCH_W_SEEKING | MATCH_W_RELOCATED;
    w.birth_day = match_day(1990, 5, 1);
    w.available_from = MATCH_NO_DAY;
    w.county_code = 530102;
    w.lat = 25.05;
    w.lon = 102.71;
    w.max_commute_km = 30;
    w.n_skills = 1;
    w.skills[0] = (struct match_worker_skill){WELD, 1};
    assert_int_equal(match_index_upsert_worker(idx, &w), 0);
    return idx;
}

static void add_vacancy(struct match_index *idx, int64_t id, double km_north, bool open,
                        uint8_t weld_level, uint8_t must_cert)
{
    struct match_vacancy v = {0};
    v.id = id;
    v.kind = MATCH_KIND_REGULAR;
    v.open = open;
    v.headcount = 3;
    v.county_code = 530102;
    v.lat = 25.05 + km_north / 111.2;
    v.lon = 102.71;
    v.wage_period = MATCH_WAGE_MONTH;
    v.wage_min = 4000;
    v.wage_max = 5000;
    v.age_min = 18;
    v.age_max = 55;
    v.start_day = MATCH_NO_DAY;
    if (weld_level) {
        v.n_skills = 1;
        v.skills[0] = (struct match_vacancy_skill){WELD, weld_level, true, 5};
    }
    if (must_cert) {
        v.n_certs = 1;
        v.certs[0] = (struct match_vacancy_cert){must_cert, true};
    }
    assert_int_equal(match_index_upsert_vacancy(idx, &v), 0);
}

/* A course is credited only with the vacancies it opens by itself. */
static void test_last_failing_requirement(void **state)
{
    (void)state;
    struct match_index *idx = small_index();
    add_vacancy(idx, 10, 1, true, 0, 0);         /* open already */
    add_vacancy(idx, 11, 2, true, 3, 0);         /* needs welding 3: opened */
    add_vacancy(idx, 12, 3, true, 3, CERT_WELD); /* and a certificate: not opened */
    add_vacancy(idx, 13, 4, false, 3, 0);        /* closed: not opened */
    add_vacancy(idx, 14, 60, true, 3, 0);        /* beyond max_km: not opened */
    add_vacancy(idx, 15, 5, true, 2, 0);         /* welding 2: opened too */
    add_vacancy(idx, 16, 6, true, 0, CERT_WELD); /* the certificate only */
    struct match_course courses[] = {
        {100, WELD, 3, 0},         /* welding level 3 */
        {101, 0, 0, CERT_WELD},    /* the certificate */
        {102, WELD, 3, CERT_WELD}, /* both */
        {103, GAS, 3, 0},          /* a related skill: touches, opens nothing */
        {104, WELD, 1, 0},         /* the level held: nothing */
    };
    struct match_course_gain gain[5];
    struct match_query q;
    match_query_init(&q, today(), 10);
    q.max_km = 40;
    uint32_t open_now = 99;
    assert_int_equal(match_recommend_courses(idx, 1, &q, courses, 5, gain, &open_now), 0);
    assert_int_equal(open_now, 1);
    assert_int_equal(gain[0].id, 100);
    assert_int_equal(gain[0].opened, 2); /* 11 and 15 */
    assert_int_equal(gain[1].opened, 1); /* 16 */
    assert_int_equal(gain[2].opened, 4); /* 11, 12, 15, 16 */
    assert_int_equal(gain[3].opened, 0);
    assert_int_equal(gain[4].opened, 0);

    /* a minimum score the far vacancy cannot reach keeps it closed without max_km */
    q.max_km = 0;
    assert_int_equal(match_recommend_courses(idx, 1, &q, courses, 1, gain, NULL), 0);
    assert_int_equal(gain[0].opened, 3); /* 11, 14, 15 */
    q.min_score = 9000;
    assert_int_equal(match_recommend_courses(idx, 1, &q, courses, 1, gain, &open_now), 0);
    struct match_hit h;
    assert_int_equal(match_explain(idx, 1, 14, &q, MATCH_TARGET_VACANCIES, &h), 0);
    assert_true(gain[0].opened < 3);

    /* bad input */
    assert_int_equal(match_recommend_courses(idx, 2, &q, courses, 1, gain, NULL), -1);
    struct match_course bad = {1, WELD, 0, 0};
    assert_int_equal(match_recommend_courses(idx, 1, &q, &bad, 1, gain, NULL), 0);
    assert_int_equal(gain[0].opened, 0);
    q.k = 0;
    assert_int_equal(match_recommend_courses(idx, 1, &q, courses, 1, gain, NULL), -1);
    match_index_free(idx);
}

/* ---- random indexes against a brute-force recount ---- */

static uint64_t rng;

static unsigned pick(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static const uint8_t skills[] = {2, 3, 4, 13, 14, 15, 22, 23};

static void random_vacancy(int64_t id, struct match_vacancy *v)
{
    memset(v, 0, sizeof *v);
    v->id = id;
    v->kind = (enum match_kind)pick(MATCH_KIND_COUNT);
    v->open = pick(100) < 90;
    v->headcount = 1 + pick(3);
    v->filled = pick(100) < 5 ? v->headcount : 0;
    v->county_code = pick(2) ? 530102 : 530103;
    v->lat = 25.0 + (double)pick(1000) / 2000.0;
    v->lon = 102.5 + (double)pick(1000) / 2000.0;
    v->wage_period = MATCH_WAGE_MONTH;
    v->wage_min = 2000 + 500 * pick(8);
    v->wage_max = v->wage_min + 1000;
    v->age_min = 16;
    v->age_max = (uint8_t)(40 + pick(26));
    v->start_day = MATCH_NO_DAY;
    for (unsigned n = pick(4); v->n_skills < n;) {
        uint8_t s = skills[pick(sizeof skills)];
        bool dup = false;
        for (unsigned i = 0; i < v->n_skills; i++)
            dup |= v->skills[i].skill == s;
        if (dup)
            continue;
        v->skills[v->n_skills++] =
            (struct match_vacancy_skill){s, (uint8_t)(1 + pick(5)), pick(100) < 50, 1.0f + pick(4)};
    }
    for (unsigned n = pick(3); v->n_certs < n;)
        v->certs[v->n_certs++] =
            (struct match_vacancy_cert){(uint8_t)(1 + pick(8)), pick(100) < 60};
}

static void random_worker(int64_t id, struct match_worker *w)
{
    memset(w, 0, sizeof *w);
    w->id = id;
    w->household_id = id;
    w->flags = MATCH_W_SEEKING | (pick(2) ? MATCH_W_RELOCATED : 0);
    w->birth_day = match_day(1965 + (int)pick(40), 1 + (int)pick(12), 1 + (int)pick(28));
    w->available_from = MATCH_NO_DAY;
    w->county_code = pick(2) ? 530102 : 530103;
    w->lat = 25.0 + (double)pick(1000) / 2000.0;
    w->lon = 102.5 + (double)pick(1000) / 2000.0;
    w->max_commute_km = (uint16_t)(5 + pick(60));
    w->wage_floor = 1000 * pick(5);
    for (unsigned n = pick(4); w->n_skills < n; w->n_skills++)
        w->skills[w->n_skills] =
            (struct match_worker_skill){skills[pick(sizeof skills)], (uint8_t)(1 + pick(5))};
    for (unsigned n = pick(3); w->n_certs < n; w->n_certs++)
        w->certs[w->n_certs] = (struct match_worker_cert){(uint8_t)(1 + pick(8)), MATCH_NO_DAY};
}

/* The worker with the course, written out again without the library's helper. */
static void with_course(const struct match_worker *w, const struct match_course *c,
                        struct match_worker *out)
{
    *out = *w;
    out->id = 999999;
    bool found = false;
    for (unsigned i = 0; i < out->n_skills; i++)
        if (c->skill && out->skills[i].skill == c->skill) {
            found = true;
            if (out->skills[i].level < c->level)
                out->skills[i].level = c->level;
        }
    if (c->skill && !found)
        out->skills[out->n_skills++] = (struct match_worker_skill){c->skill, c->level};
    if (c->cert)
        out->certs[out->n_certs++] = (struct match_worker_cert){c->cert, MATCH_NO_DAY};
}

static uint32_t brute_force(struct match_index *idx, const struct match_worker *w,
                            const struct match_course *c, const struct match_query *q,
                            int64_t vacancies)
{
    struct match_worker plus;
    with_course(w, c, &plus);
    assert_true(match_index_upsert_worker(idx, &plus) >= 0);
    uint32_t n = 0;
    struct match_hit base, after;
    for (int64_t v = 1; v <= vacancies; v++) {
        assert_int_equal(match_explain(idx, w->id, v, q, MATCH_TARGET_VACANCIES, &base), 0);
        assert_int_equal(match_explain(idx, plus.id, v, q, MATCH_TARGET_VACANCIES, &after), 0);
        if (base.failed && !after.failed)
            n++;
    }
    assert_int_equal(match_index_remove_worker(idx, plus.id), 0);
    return n;
}

static void test_brute_force_recount(void **state)
{
    (void)state;
    rng = 0x9e3779b97f4a7c15ull;
    struct match_index *idx = match_index_new();
    assert_non_null(idx);
    assert_int_equal(match_index_set_skill_parent(idx, 14, 13), 0);
    assert_int_equal(match_index_set_skill_parent(idx, 15, 13), 0);
    assert_int_equal(match_index_set_skill_parent(idx, 3, 2), 0);
    const int64_t nv = 600;
    struct match_vacancy v;
    for (int64_t i = 1; i <= nv; i++) {
        random_vacancy(i, &v);
        assert_int_equal(match_index_upsert_vacancy(idx, &v), 0);
    }
    struct match_worker w;
    for (int64_t i = 1; i <= 30; i++) {
        random_worker(i, &w);
        assert_true(match_index_upsert_worker(idx, &w) >= 0);
    }
    struct match_course courses[12];
    for (unsigned i = 0; i < 12; i++) {
        courses[i].id = 500 + i;
        courses[i].skill = pick(4) ? skills[pick(sizeof skills)] : 0;
        courses[i].level = courses[i].skill ? (uint8_t)(1 + pick(5)) : 0;
        courses[i].cert = !courses[i].skill || pick(3) == 0 ? (uint8_t)(1 + pick(8)) : 0;
    }
    uint64_t total = 0;
    for (int64_t i = 1; i <= 30; i++) {
        assert_true(match_index_get_worker(idx, i, &w));
        struct match_query q;
        match_query_init(&q, today(), 10);
        q.min_score = (int32_t)(pick(3) * 2500);
        q.max_km = pick(2) ? 0 : 30.0f;
        struct match_course_gain gain[12];
        assert_int_equal(match_recommend_courses(idx, i, &q, courses, 12, gain, NULL), 0);
        for (unsigned c = 0; c < 12; c++) {
            assert_int_equal(gain[c].id, courses[c].id);
            assert_int_equal(gain[c].opened, brute_force(idx, &w, &courses[c], &q, nv));
            total += gain[c].opened;
        }
    }
    assert_true(total > 20); /* the comparison saw courses that open jobs */
    match_index_free(idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_last_failing_requirement),
        cmocka_unit_test(test_brute_force_recount),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
