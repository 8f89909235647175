/*
 * test_match_index: dates, insert, update and remove of one record, the id
 * maps under churn, households, counties, certificates, memory per worker.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "match/match_int.h"

#include <stdlib.h>

static struct match_worker worker(int64_t id, int64_t household)
{
    struct match_worker w;
    memset(&w, 0, sizeof w);
    w.id = id;
    w.household_id = household;
    w.flags = MATCH_W_SEEKING | MATCH_W_RELOCATED;
    w.birth_day = match_day(1990, 6, 15);
    w.available_from = MATCH_NO_DAY;
    w.county_code = 530102;
    w.lat = 25.0466, w.lon = 102.7058;
    w.max_commute_km = 20;
    w.wage_floor = 3000;
    w.n_skills = 2;
    w.skills[0] = (struct match_worker_skill){13, 3};
    w.skills[1] = (struct match_worker_skill){2, 1};
    return w;
}

static struct match_vacancy vacancy(int64_t id)
{
    struct match_vacancy v;
    memset(&v, 0, sizeof v);
    v.id = id;
    v.kind = MATCH_KIND_REGULAR;
    v.open = true;
    v.headcount = 3;
    v.county_code = 530102;
    v.lat = 25.05, v.lon = 102.71;
    v.wage_min = 3500, v.wage_max = 4500;
    v.age_min = 18, v.age_max = 55;
    v.start_day = MATCH_NO_DAY;
    v.n_skills = 1;
    v.skills[0] = (struct match_vacancy_skill){13, 2, true, 2.0f};
    return v;
}

static void test_dates(void **state)
{
    (void)state;
    assert_int_equal(match_day(1970, 1, 1), 0);
    assert_int_equal(match_day(2000, 1, 1), 10957);
    assert_int_equal(match_day(1900, 1, 1), -25567);
    assert_int_equal(match_day(2024, 2, 29) + 1, match_day(2024, 3, 1));
    assert_int_equal(match_day(2023, 3, 1) - match_day(2023, 2, 28), 1);
    for (int32_t d = -30000; d < 80000; d += 37) {
        int y, m, dd;
        match_civil(d, &y, &m, &dd);
        assert_int_equal(match_day(y, m, dd), d);
        assert_int_equal(date_ymd(d), y * 10000 + m * 100 + dd);
    }
}

static void test_upsert_get_roundtrip(void **state)
{
    (void)state;
    struct match_index *idx = match_index_new();
    struct match_worker w = worker(42, 7), out;
    w.available_from = match_day(2025, 4, 1);
    w.kinds_wanted = 1u << MATCH_KIND_PUBLIC_WELFARE;
    w.n_certs = 2;
    w.certs[0] = (struct match_worker_cert){11, match_day(2025, 12, 31)};
    w.certs[1] = (struct match_worker_cert){2, MATCH_NO_DAY};
    assert_int_equal(match_index_upsert_worker(idx, &w), 0);
    assert_true(match_index_get_worker(idx, 42, &out));
    assert_int_equal(out.id, 42);
    assert_int_equal(out.household_id, 7);
    assert_int_equal(out.flags, w.flags);
    assert_int_equal(out.birth_day, w.birth_day);
    assert_int_equal(out.available_from, w.available_from);
    assert_int_equal(out.county_code, 530102);
    assert_true(fabs(out.lat - w.lat) < 0.01 && fabs(out.lon - w.lon) < 0.01); /* ~100 m */
    assert_int_equal(out.wage_floor, 3000);
    assert_int_equal(out.kinds_wanted, w.kinds_wanted);
    assert_int_equal(out.n_skills, 2); /* in id order */
    assert_int_equal(out.skills[0].skill, 2);
    assert_int_equal(out.skills[0].level, 1);
    assert_int_equal(out.skills[1].skill, 13);
    assert_int_equal(out.skills[1].level, 3);
    assert_int_equal(out.n_certs, 2);
    assert_int_equal(out.certs[0].cert, 2);
    assert_int_equal(out.certs[0].expires, MATCH_NO_DAY);
    assert_int_equal(out.certs[1].cert, 11);
    assert_int_equal(out.certs[1].expires, match_day(2025, 12, 31));
    assert_false(match_index_get_worker(idx, 43, &out));
    match_index_free(idx);
}

static void test_update_in_place(void **state)
{
    (void)state;
    struct match_index *idx = match_index_new();
    struct match_worker w = worker(1, 1), out;
    assert_int_equal(match_index_upsert_worker(idx, &w), 0);
    w.flags = 0;
    w.wage_floor = 5000;
    w.household_id = 2; /* moves household */
    w.skills[0].level = 5;
    assert_int_equal(match_index_upsert_worker(idx, &w), 0);
    struct match_stats st;
    match_index_stats(idx, &st);
    assert_int_equal(st.workers, 1);
    assert_int_equal(st.worker_slots, 1);
    assert_true(match_index_get_worker(idx, 1, &out));
    assert_int_equal(out.flags, 0);
    assert_int_equal(out.wage_floor, 5000);
    assert_int_equal(out.household_id, 2);
    assert_int_equal(out.skills[1].level, 5);
    /* household 1 is empty now and may go; 2 is in use */
    assert_int_equal(match_index_remove_household(idx, 1), 0);
    assert_int_equal(match_index_remove_household(idx, 2), -1);
    assert_int_equal(match_index_remove_household(idx, 99), -1);
    match_index_free(idx);
}

static void test_remove_reuses_slot(void **state)
{
    (void)state;
    struct match_index *idx = match_index_new();
    for (int64_t id = 1; id <= 10; id++) {
        struct match_worker w = worker(id, id);
        assert_int_equal(match_index_upsert_worker(idx, &w), 0);
    }
    assert_int_equal(match_index_remove_worker(idx, 4), 0);
    assert_int_equal(match_index_remove_worker(idx, 4), -1);
    struct match_worker out;
    assert_false(match_index_get_worker(idx, 4, &out));
    struct match_worker w = worker(11, 11);
    assert_int_equal(match_index_upsert_worker(idx, &w), 0);
    struct match_stats st;
    match_index_stats(idx, &st);
    assert_int_equal(st.workers, 10);
    assert_int_equal(st.worker_slots, 10); /* slot 3 was reused */
    assert_int_equal(match_worker_slot(idx, 11), 3);
    match_index_free(idx);
}

/* Thousands of random inserts, updates and removals against a shadow table. */
static void test_churn_against_shadow(void **state)
{
    (void)state;
    enum { IDS = 3000 };
    struct match_index *idx = match_index_new();
    static uint32_t shadow[IDS + 1]; /* wage floor + 1, 0 = absent */
    memset(shadow, 0, sizeof shadow);
    uint64_t x = 12345;
    for (int step = 0; step < 60000; step++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        int64_t id = 1 + (int64_t)((x >> 33) % IDS);
        if ((x >> 20) % 3 == 0) {
            int rc = match_index_remove_worker(idx, id);
            assert_int_equal(rc, shadow[id] ? 0 : -1);
            shadow[id] = 0;
        } else {
            struct match_worker w = worker(id, 1 + id % 97);
            w.wage_floor = (uint32_t)((x >> 40) % 9000);
            assert_int_equal(match_index_upsert_worker(idx, &w), 0);
            shadow[id] = w.wage_floor + 1;
        }
    }
    size_t live = 0;
    struct match_worker out;
    for (int64_t id = 1; id <= IDS; id++) {
        bool there = match_index_get_worker(idx, id, &out);
        assert_int_equal(there, shadow[id] != 0);
        if (there) {
            assert_int_equal(out.wage_floor + 1, shadow[id]);
            live++;
        }
    }
    struct match_stats st;
    match_index_stats(idx, &st);
    assert_int_equal(st.workers, live);
    assert_true(st.worker_slots <= IDS);
    match_index_free(idx);
}

/* A load in id order takes the shortcuts (a new id above every stored one,
 * the household of the worker before); out of order, repeated and removed
 * ids still find their records, never a second slot. */
static void test_load_order_shortcuts(void **state)
{
    (void)state;
    struct match_index *idx = match_index_new();
    for (int64_t id = 10; id <= 40; id += 2) { /* households 5..20, two members each */
        struct match_worker w = worker(id, id / 4 + 3);
        assert_int_equal(match_index_upsert_worker(idx, &w), 0);
    }
    struct match_worker w = worker(21, 7); /* a gap below the largest id */
    assert_int_equal(match_index_upsert_worker(idx, &w), 0);
    w = worker(40, 5); /* the last one again, into an earlier household */
    w.wage_floor = 4100;
    assert_int_equal(match_index_upsert_worker(idx, &w), 0);
    struct match_stats st;
    match_index_stats(idx, &st);
    assert_int_equal(st.workers, 17);
    assert_int_equal(st.worker_slots, 17);
    struct match_worker out;
    assert_true(match_index_get_worker(idx, 40, &out));
    assert_int_equal(out.wage_floor, 4100);
    assert_int_equal(out.household_id, 5);
    assert_true(match_index_get_worker(idx, 21, &out));
    assert_int_equal(out.household_id, 7);
    /* the household made last, emptied and removed, comes back in a new slot */
    w = worker(42, 30);
    assert_int_equal(match_index_upsert_worker(idx, &w), 0);
    w = worker(42, 6);
    assert_int_equal(match_index_upsert_worker(idx, &w), 0);
    assert_int_equal(match_index_remove_household(idx, 30), 0);
    w = worker(43, 30);
    assert_int_equal(match_index_upsert_worker(idx, &w), 0);
    assert_true(match_index_get_worker(idx, 43, &out));
    assert_int_equal(out.household_id, 30);
    assert_int_equal(match_index_remove_worker(idx, 43), 0);
    assert_int_equal(match_index_remove_household(idx, 30), 0);
    assert_int_equal(match_index_remove_household(idx, 30), -1);
    match_index_stats(idx, &st);
    size_t households = st.households;
    w = worker(44, 30); /* the household last made, removed: made again */
    assert_int_equal(match_index_upsert_worker(idx, &w), 0);
    assert_true(match_index_get_worker(idx, 44, &out));
    assert_int_equal(out.household_id, 30);
    match_index_stats(idx, &st);
    assert_int_equal(st.households, households + 1);
    assert_int_equal(st.workers, 19);
    for (int64_t id = 10; id <= 44; id++) {
        bool there = id == 21 || id == 42 || id == 44 || (id <= 40 && id % 2 == 0);
        assert_int_equal(match_index_get_worker(idx, id, &out), there);
        assert_int_equal(match_worker_slot(idx, id) != MATCH_SLOT_NONE, there);
    }
    match_index_free(idx);
}

/* Moving sites, removals and reuse keep the place table in step: every live
 * worker's place holds its site, each place counts its workers, the map
 * finds every live place, and a place nobody uses is reused. */
static void test_places_follow_sites(void **state)
{
    (void)state;
    enum { IDS = 2000 };
    struct match_index *idx = match_index_new();
    uint64_t x = 777;
    unsigned removed = 0;
    for (int step = 0; step < 30000; step++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        int64_t id = 1 + (int64_t)((x >> 33) % IDS);
        if ((x >> 20) % 4 == 0) {
            removed += match_index_remove_worker(idx, id) == 0;
            continue;
        }
        struct match_worker w = worker(id, 1 + id % 97);
        w.lat = 22.0 + (double)((x >> 40) % 50) * 0.1; /* 50 x 20 sites */
        w.lon = 100.0 + (double)((x >> 48) % 20) * 0.1;
        assert_int_equal(match_index_upsert_worker(idx, &w), 0);
    }
    static uint32_t refs[MATCH_PLACES];
    memset(refs, 0, sizeof refs);
    for (uint32_t s = 0; s < idx->w_top; s++) {
        if (!(idx->w_flags[s] & MATCH_W_LIVE))
            continue;
        unsigned p = idx->w_place[s];
        assert_int_not_equal(p, MATCH_PLACE_NONE);
        for (int i = 0; i < 3; i++)
            assert_int_equal(idx->p_q[p][i], idx->w_q[i][s]);
        refs[p]++;
    }
    uint32_t live = 0;
    for (uint32_t p = 0; p < idx->p_top; p++) {
        assert_int_equal(idx->p_refs[p], refs[p]);
        if (!refs[p])
            continue;
        live++;
        assert_int_equal(match_map_find(idx->p_map, idx->p_map_mask, idx->p_key, 1, idx->p_key[p]),
                         p);
    }
    assert_true(live <= 1000 && idx->p_top <= 1000);
    assert_int_equal(idx->p_none, 0);
    assert_true(removed > 1000);
    match_index_free(idx);
}

static void test_households_follow(void **state)
{
    (void)state;
    struct match_index *idx = match_index_new();
    for (int64_t id = 1; id <= 4; id++) {
        struct match_worker w = worker(id, id <= 3 ? 100 : 200);
        assert_int_equal(match_index_upsert_worker(idx, &w), 0);
    }
    struct match_household h = {100, true, MATCH_MON_MARGINAL, 1};
    assert_int_equal(match_index_upsert_household(idx, &h), 0);
    for (int64_t id = 1; id <= 4; id++) {
        struct match_wv wv;
        match_wv_load(idx, match_worker_slot(idx, id), &wv);
        uint16_t f = idx->w_flags[match_worker_slot(idx, id)];
        if (id <= 3) {
            assert_true(wv.hflags & MATCH_H_ZERO);
            assert_int_equal((wv.hflags >> MATCH_H_MON_SHIFT) & 3, MATCH_MON_MARGINAL);
            assert_int_equal(wv.hposts, 1);
            assert_int_equal(f & (MATCH_W_H_ZERO | MATCH_W_H_MON | MATCH_W_H_POST),
                             MATCH_W_H_ZERO | MATCH_W_H_MON | MATCH_W_H_POST);
        } else {
            assert_int_equal(wv.hflags & ~MATCH_H_LIVE, 0);
            assert_int_equal(f & (MATCH_W_H_ZERO | MATCH_W_H_MON | MATCH_W_H_POST), 0);
        }
    }
    /* the household changes: every member follows; a member moves out */
    h.zero_employment = false;
    h.public_welfare_posts = 0;
    assert_int_equal(match_index_upsert_household(idx, &h), 0);
    struct match_worker w = worker(2, 200);
    assert_int_equal(match_index_upsert_worker(idx, &w), 0);
    struct match_wv wv;
    match_wv_load(idx, match_worker_slot(idx, 1), &wv);
    assert_false(wv.hflags & MATCH_H_ZERO);
    assert_int_equal(wv.hposts, 0);
    match_wv_load(idx, match_worker_slot(idx, 2), &wv);
    assert_int_equal((wv.hflags >> MATCH_H_MON_SHIFT) & 3, MATCH_MON_NONE);
    /* bad households */
    struct match_household bad = {0, false, MATCH_MON_NONE, 0};
    assert_int_equal(match_index_upsert_household(idx, &bad), -1);
    bad.id = 5;
    bad.monitoring = (enum match_monitoring)7;
    assert_int_equal(match_index_upsert_household(idx, &bad), -1);
    match_index_free(idx);
}

static void test_rejects_bad_workers(void **state)
{
    (void)state;
    struct match_index *idx = match_index_new();
    struct match_worker w = worker(1, 1);
    w.id = 0;
    assert_int_equal(match_index_upsert_worker(idx, &w), -1);
    w = worker(1, 0);
    assert_int_equal(match_index_upsert_worker(idx, &w), -1);
    w = worker(1, 1);
    w.skills[0].level = 6;
    assert_int_equal(match_index_upsert_worker(idx, &w), -1);
    w = worker(1, 1);
    w.skills[0].skill = 0;
    assert_int_equal(match_index_upsert_worker(idx, &w), -1);
    w = worker(1, 1);
    w.n_certs = 1;
    w.certs[0].cert = 64;
    assert_int_equal(match_index_upsert_worker(idx, &w), -1);
    w = worker(1, 1);
    w.lat = 91;
    assert_int_equal(match_index_upsert_worker(idx, &w), -1);
    w = worker(1, 1);
    w.lon = NAN;
    assert_int_equal(match_index_upsert_worker(idx, &w), -1);
    w = worker(1, 1);
    w.max_commute_km = 3001;
    assert_int_equal(match_index_upsert_worker(idx, &w), -1);
    w = worker(1, 1);
    w.flags = 0x8000;
    assert_int_equal(match_index_upsert_worker(idx, &w), -1);
    w = worker(1, 1);
    w.kinds_wanted = 1u << MATCH_KIND_COUNT;
    assert_int_equal(match_index_upsert_worker(idx, &w), -1);
    struct match_stats st;
    match_index_stats(idx, &st);
    assert_int_equal(st.workers, 0);
    assert_int_equal(match_index_remove_worker(idx, 1), -1);
    match_index_free(idx);
}

/* Duplicate skills keep the highest level; the 21-skill layout holds. */
static void test_skills_packed(void **state)
{
    (void)state;
    struct match_index *idx = match_index_new();
    struct match_worker w = worker(1, 1), out;
    w.n_skills = MATCH_MAX_WORKER_SKILLS;
    for (unsigned i = 0; i < MATCH_MAX_WORKER_SKILLS; i++)
        w.skills[i] = (struct match_worker_skill){(uint8_t)(200 - 9 * i), (uint8_t)(1 + i % 5)};
    w.skills[20] = (struct match_worker_skill){200, 5}; /* duplicate of skills[0] */
    assert_int_equal(match_index_upsert_worker(idx, &w), 0);
    assert_true(match_index_get_worker(idx, 1, &out));
    assert_int_equal(out.n_skills, 20);
    for (unsigned i = 0; i < out.n_skills; i++) {
        unsigned s = out.skills[i].skill, want = s == 200 ? 5 : 1 + (200 - s) / 9 % 5;
        assert_int_equal(out.skills[i].level, want);
        if (i)
            assert_true(out.skills[i - 1].skill < s);
    }
    /* every plane was needed */
    for (int p = 0; p < MATCH_PLANES; p++)
        assert_non_null(idx->w_skill[p]);
    match_index_free(idx);
}

/* More than four expiring certificates: the earliest-expiring are dropped. */
static void test_cert_expiries(void **state)
{
    (void)state;
    struct match_index *idx = match_index_new();
    struct match_worker w = worker(1, 1), out;
    w.n_certs = 7;
    for (unsigned i = 0; i < 6; i++)
        w.certs[i] = (struct match_worker_cert){(uint8_t)(1 + i), match_day(2025, 1 + (int)i, 1)};
    w.certs[6] = (struct match_worker_cert){3, match_day(2030, 1, 1)}; /* later expiry wins */
    assert_int_equal(match_index_upsert_worker(idx, &w), 1);
    assert_true(match_index_get_worker(idx, 1, &out));
    assert_int_equal(out.n_certs, 4);
    assert_int_equal(out.certs[0].cert, 3); /* 1 and 2 expired earliest: dropped */
    assert_int_equal(out.certs[0].expires, match_day(2030, 1, 1));
    assert_int_equal(out.certs[3].cert, 6);
    /* validity on a day */
    struct match_wv wv;
    match_wv_load(idx, 0, &wv);
    uint64_t held = wv.certs;
    assert_int_equal(match_certs_valid(held, wv.cexp, wv.cexp_id, match_day(2025, 1, 1)), held);
    assert_int_equal(match_certs_valid(held, wv.cexp, wv.cexp_id, match_day(2025, 4, 1)),
                     held); /* valid on its expiry day */
    assert_int_equal(match_certs_valid(held, wv.cexp, wv.cexp_id, match_day(2025, 4, 2)),
                     held & ~(1ull << 4));
    assert_int_equal(match_certs_valid(held, wv.cexp, wv.cexp_id, match_day(2026, 1, 1)),
                     1ull << 3);
    match_index_free(idx);
}

static void test_counties_limit(void **state)
{
    (void)state;
    struct match_index *idx = match_index_new();
    for (int i = 0; i < MATCH_MAX_COUNTIES; i++) {
        struct match_worker w = worker(i + 1, 1);
        w.county_code = 100000 + i;
        assert_int_equal(match_index_upsert_worker(idx, &w), 0);
    }
    struct match_worker w = worker(1000, 1);
    w.county_code = 999999;
    assert_int_equal(match_index_upsert_worker(idx, &w), -1);
    struct match_vacancy v = vacancy(1);
    v.county_code = 999999;
    assert_int_equal(match_index_upsert_vacancy(idx, &v), -1);
    w.county_code = 100003; /* a known county still works */
    assert_int_equal(match_index_upsert_worker(idx, &w), 0);
    match_index_free(idx);
}

static void test_vacancies(void **state)
{
    (void)state;
    struct match_index *idx = match_index_new();
    struct match_vacancy v = vacancy(5), out;
    v.wage_period = MATCH_WAGE_DAY;
    v.wage_min = 150, v.wage_max = 200;
    v.n_certs = 1;
    v.certs[0] = (struct match_vacancy_cert){11, true};
    assert_int_equal(match_index_upsert_vacancy(idx, &v), 0);
    assert_true(match_index_get_vacancy(idx, 5, &out));
    assert_int_equal(out.wage_min, 3263); /* 150 * 21.75, monthly */
    assert_int_equal(out.wage_max, 4350);
    assert_int_equal(out.n_skills, 1);
    assert_true(out.skills[0].must);
    assert_true(out.skills[0].weight == 2.0f);
    assert_int_equal(out.n_certs, 1);
    v.open = false;
    assert_int_equal(match_index_upsert_vacancy(idx, &v), 0);
    assert_true(match_index_get_vacancy(idx, 5, &out));
    assert_false(out.open);
    assert_int_equal(match_index_remove_vacancy(idx, 5), 0);
    assert_int_equal(match_index_remove_vacancy(idx, 5), -1);
    assert_false(match_index_get_vacancy(idx, 5, &out));
    /* bad ones */
    v = vacancy(6);
    v.age_min = 40, v.age_max = 30;
    assert_int_equal(match_index_upsert_vacancy(idx, &v), -1);
    v = vacancy(6);
    v.wage_max = v.wage_min - 1;
    assert_int_equal(match_index_upsert_vacancy(idx, &v), -1);
    v = vacancy(6);
    v.n_skills = 2;
    v.skills[1] = v.skills[0]; /* duplicate skill */
    assert_int_equal(match_index_upsert_vacancy(idx, &v), -1);
    v = vacancy(6);
    v.skills[0].weight = 0;
    assert_int_equal(match_index_upsert_vacancy(idx, &v), -1);
    v = vacancy(6);
    v.kind = MATCH_KIND_COUNT;
    assert_int_equal(match_index_upsert_vacancy(idx, &v), -1);
    v = vacancy(0);
    assert_int_equal(match_index_upsert_vacancy(idx, &v), -1);
    match_index_free(idx);
}

static void test_taxonomy(void **state)
{
    (void)state;
    struct match_index *idx = match_index_new();
    assert_int_equal(match_index_set_skill_parent(idx, 14, 13), 0);
    assert_int_equal(match_index_set_skill_parent(idx, 15, 13), 0);
    assert_int_equal(match_index_set_skill_parent(idx, 70, 13), 0);
    assert_int_equal(match_index_set_skill_parent(idx, 13, 13), -1);
    assert_int_equal(match_index_set_skill_parent(idx, 0, 1), -1);
    assert_int_equal(match_index_set_skill_parent(idx, 256, 1), -1);
    /* siblings, parent and child are related; a skill is not related to itself */
    assert_true(idx->related[14][0] & (1ull << 15));
    assert_true(idx->related[14][0] & (1ull << 13));
    assert_true(idx->related[13][0] & (1ull << 14));
    assert_true(idx->related[14][1] & (1ull << (70 - 64)));
    assert_false(idx->related[14][0] & (1ull << 14));
    assert_false(idx->related[2][0]);
    match_index_free(idx);
}

/* The layout's promise: at most 128 bytes a worker, map and households included. */
static void test_memory_per_worker(void **state)
{
    (void)state;
    struct match_index *idx = match_index_new();
    enum { N = 100000 };
    assert_int_equal(match_index_reserve(idx, N, 0), 0);
    for (int64_t id = 1; id <= N; id++) {
        struct match_worker w = worker(id, 1 + id * 2 / 5);
        assert_int_equal(match_index_upsert_worker(idx, &w), 0);
    }
    struct match_stats st;
    match_index_stats(idx, &st);
    assert_int_equal(st.workers, N);
    double per = (double)(st.worker_bytes + st.household_bytes) / N;
    assert_true(per <= 128.0);
    assert_int_equal(sizeof(struct match_wcold), 32);
    match_index_free(idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_upsert_get_roundtrip),
        cmocka_unit_test(test_update_in_place),
        cmocka_unit_test(test_remove_reuses_slot),
        cmocka_unit_test(test_churn_against_shadow),
        cmocka_unit_test(test_places_follow_sites),
        cmocka_unit_test(test_households_follow),
        cmocka_unit_test(test_load_order_shortcuts),
        cmocka_unit_test(test_rejects_bad_workers),
        cmocka_unit_test(test_skills_packed),
        cmocka_unit_test(test_cert_expiries),
        cmocka_unit_test(test_counties_limit),
        cmocka_unit_test(test_vacancies),
        cmocka_unit_test(test_taxonomy),
        cmocka_unit_test(test_memory_per_worker),
    };
    return cmocka_run_group_tests_name("match_index", tests, NULL, NULL);
}
