/*
 * test_match_explain: the reasons a result carries and their rendering in
 * Chinese and English, the filter counts, the stable codes.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "match/match.h"

#include <string.h>

static const char *const skill_zh[MATCH_MAX_SKILL + 1] = {
    [13] = "焊工", [14] = "电焊", [15] = "气焊", [31] = "家政服务", [34] = "保洁"};
static const char *const skill_en[MATCH_MAX_SKILL + 1] = {[13] = "Welding",
                                                          [14] = "Arc welding",
                                                          [15] = "Gas welding",
                                                          [31] = "Housekeeping",
                                                          [34] = "Cleaning"};
static const char *const cert_zh[MATCH_MAX_CERT + 1] = {
    [7] = "特种作业操作证（焊接与热切割）", [11] = "健康证"};
static const char *const cert_en[MATCH_MAX_CERT + 1] = {
    [7] = "Special operation: welding and cutting", [11] = "Health certificate"};
static const struct match_names names = {skill_zh, skill_en, cert_zh, cert_en};

static int32_t today(void)
{
    return match_day(2025, 3, 1);
}

static const char *zh(const struct match_reason *r)
{
    static char buf[512];
    int n = match_reason_format(r, MATCH_LANG_ZH, &names, buf, sizeof buf);
    assert_true(n > 0 && (size_t)n < sizeof buf);
    assert_int_equal(strlen(buf), (size_t)n);
    return buf;
}

static const char *en(const struct match_reason *r)
{
    static char buf[512];
    int n = match_reason_format(r, MATCH_LANG_EN, &names, buf, sizeof buf);
    assert_true(n > 0 && (size_t)n < sizeof buf);
    return buf;
}

#define R(code, a, b, c) (&(struct match_reason){(uint16_t)(code), (a), (b), (c)})

static void test_skill_reasons(void **state)
{
    (void)state;
    assert_string_equal(zh(R(MATCH_R_MUST_SKILL_MISSING, 13, 0, 3)),
                        "缺少必需技能：焊工（3级·高级工）");
    assert_string_equal(en(R(MATCH_R_MUST_SKILL_MISSING, 13, 0, 3)),
                        "Missing required skill: Welding (level 3)");
    assert_string_equal(zh(R(MATCH_R_MUST_SKILL_LOW, 13, 2, 3)),
                        "必需技能等级不足：焊工 2级，要求 3级");
    assert_string_equal(en(R(MATCH_R_MUST_SKILL_LOW, 13, 2, 3)),
                        "Required skill below its level: Welding level 2, level 3 asked");
    assert_string_equal(zh(R(MATCH_R_SKILL_OK, 13, 4, 3)), "具备技能：焊工（4级·技师）");
    assert_string_equal(en(R(MATCH_R_SKILL_OK, 13, 4, 3)), "Has skill: Welding (level 4)");
    assert_string_equal(zh(R(MATCH_R_SKILL_LOW, 13, 1, 3)), "技能等级偏低：焊工 1级，要求 3级");
    assert_string_equal(en(R(MATCH_R_SKILL_LOW, 13, 1, 3)),
                        "Skill below the level asked: Welding level 1, level 3 asked");
    assert_string_equal(zh(R(MATCH_R_SKILL_RELATED, 15, 14, 2)),
                        "相关技能：电焊（2级·中级工），岗位要求 气焊");
    assert_string_equal(en(R(MATCH_R_SKILL_RELATED, 15, 14, 2)),
                        "Related skill: Arc welding (level 2) for Gas welding");
    assert_string_equal(zh(R(MATCH_R_SKILL_MISSING, 34, 0, 1)), "缺少技能：保洁（1级·初级工）");
    assert_string_equal(en(R(MATCH_R_SKILL_MISSING, 34, 0, 1)), "Lacks skill: Cleaning (level 1)");
    /* no name known: the id */
    char buf[64];
    match_reason_format(R(MATCH_R_SKILL_OK, 99, 5, 1), MATCH_LANG_EN, NULL, buf, sizeof buf);
    assert_string_equal(buf, "Has skill: #99 (level 5)");
}

static void test_cert_reasons(void **state)
{
    (void)state;
    assert_string_equal(zh(R(MATCH_R_CERT_OK, 11, 0, 0)), "持有有效证书：健康证");
    assert_string_equal(en(R(MATCH_R_CERT_OK, 11, 0, 0)),
                        "Holds a valid certificate: Health certificate");
    assert_string_equal(zh(R(MATCH_R_MUST_CERT_MISSING, 7, 0, 0)),
                        "缺少必需证书：特种作业操作证（焊接与热切割）");
    assert_string_equal(en(R(MATCH_R_CERT_MISSING, 11, 0, 0)),
                        "Lacks certificate: Health certificate");
    int32_t d = match_day(2025, 1, 3);
    assert_string_equal(zh(R(MATCH_R_CERT_EXPIRED, 11, d, 1)),
                        "证书过期：健康证于 2025-01-03 到期，早于开工日期");
    assert_string_equal(en(R(MATCH_R_CERT_EXPIRED, 11, d, 1)),
                        "Certificate expired: Health certificate on 2025-01-03, before the start "
                        "date");
}

static void test_distance_reasons(void **state)
{
    (void)state;
    assert_string_equal(zh(R(MATCH_R_DIST_NEAR, 12, 20, 0)), "距离 12 公里，在通勤范围内");
    assert_string_equal(en(R(MATCH_R_DIST_NEAR, 12, 20, 0)), "12 km away, within commuting range");
    assert_string_equal(zh(R(MATCH_R_DIST_NEAR, 0, 20, 0)), "距离不到 1 公里，在通勤范围内");
    assert_string_equal(en(R(MATCH_R_DIST_NEAR, 0, 20, 0)),
                        "under 1 km away, within commuting range");
    assert_string_equal(zh(R(MATCH_R_DIST_FAR, 45, 20, 0)),
                        "距离 45 公里，超出通勤范围（20 公里）");
    assert_string_equal(en(R(MATCH_R_DIST_FAR, 45, 20, 0)),
                        "45 km away, beyond the 20 km commuting range");
    assert_string_equal(zh(R(MATCH_R_DIST_TRANSPORT, 35, 40, 0)),
                        "距离 35 公里，单位组织通勤（可达 40 公里）");
    assert_string_equal(zh(R(MATCH_R_DIST_ACCOMMODATION, 120, 150, 0)),
                        "距离 120 公里，单位提供住宿");
    assert_string_equal(en(R(MATCH_R_DIST_ACCOMMODATION, 120, 150, 0)),
                        "120 km away, accommodation provided");
    assert_string_equal(zh(R(MATCH_R_NEEDS_ACCOMMODATION, 30, 0, 0)), "需要住宿，岗位不提供住宿");
    assert_string_equal(zh(R(MATCH_R_EXPORT_WILLING, 1, 0, 0)), "愿意到省外务工");
    assert_string_equal(en(R(MATCH_R_EXPORT_UNWILLING, 0, 0, 0)),
                        "Not willing to work outside the county");
}

static void test_other_reasons(void **state)
{
    (void)state;
    assert_string_equal(zh(R(MATCH_R_WAGE_OK, 4500, 3000, 0)),
                        "工资 4500 元/月，不低于期望 3000 元");
    assert_string_equal(en(R(MATCH_R_WAGE_OK, 4500, 0, 0)), "Wage 4500 CNY/month");
    assert_string_equal(zh(R(MATCH_R_WAGE_MAYBE, 2800, 3000, 3500)),
                        "工资 2800–3500 元/月，可能达到期望 3000 元");
    assert_string_equal(en(R(MATCH_R_WAGE_LOW, 2500, 3000, 0)),
                        "Wage at most 2500 CNY/month, below the 3000 CNY floor");
    assert_string_equal(zh(R(MATCH_R_WAGE_PIECE, 0, 0, 0)), "计件工资，无法与期望工资比较");
    assert_string_equal(zh(R(MATCH_R_KIND_WANTED, MATCH_KIND_PUBLIC_WELFARE, 0, 0)),
                        "意向岗位类型：公益性岗位");
    assert_string_equal(en(R(MATCH_R_KIND_UNWANTED, MATCH_KIND_LABOR_EXPORT, 0, 0)),
                        "Not a kind of job wanted: labour export");
    assert_string_equal(zh(R(MATCH_R_AVAIL_NOW, 0, 0, 0)), "可立即上岗");
    assert_string_equal(zh(R(MATCH_R_AVAIL_FROM, match_day(2025, 3, 10), 0, 0)),
                        "2025-03-10 起可上岗");
    assert_string_equal(en(R(MATCH_R_AVAIL_FROM, match_day(2025, 3, 10), 0, 0)),
                        "Available from 2025-03-10");
    assert_string_equal(zh(R(MATCH_R_PRIO_RELOCATED, 0, 0, 0)), "易地扶贫搬迁劳动力优先");
    assert_string_equal(zh(R(MATCH_R_PRIO_ZERO_EMPLOYMENT, 0, 0, 0)), "零就业家庭优先");
    assert_string_equal(en(R(MATCH_R_PRIO_ZERO_EMPLOYMENT, 0, 0, 0)),
                        "Priority: household with nobody employed");
    assert_string_equal(zh(R(MATCH_R_PRIO_MONITORING, MATCH_MON_UNSTABLE, 0, 0)),
                        "防返贫监测户优先（脱贫不稳定户）");
    assert_string_equal(en(R(MATCH_R_PRIO_MONITORING, MATCH_MON_SUDDEN_HARDSHIP, 0, 0)),
                        "Priority: household under monitoring (sudden severe hardship)");
}

static void test_filter_reasons(void **state)
{
    (void)state;
    assert_string_equal(zh(R(MATCH_R_FILTER, MATCH_F_AGE, 67, 16 * 1000 + 60)),
                        "年龄不符：67 岁，要求 16–60 岁");
    assert_string_equal(en(R(MATCH_R_FILTER, MATCH_F_AGE, 67, 16 * 1000 + 60)),
                        "Age outside the allowed range: 67, range 16–60");
    assert_string_equal(
        zh(R(MATCH_R_FILTER, MATCH_F_NOT_AVAILABLE, match_day(2025, 3, 10), match_day(2025, 3, 1))),
        "开工日前无法到岗：2025-03-10 起可上岗，开工日 2025-03-01");
    assert_string_equal(en(R(MATCH_R_FILTER, MATCH_F_DISTANCE, 85, 50)),
                        "Beyond the distance limit: 85 km, limit 50 km");
    assert_string_equal(zh(R(MATCH_R_FILTER, MATCH_F_MIN_SCORE, 4120, 6000)),
                        "匹配分低于下限：41.20，下限 60.00");
    assert_string_equal(zh(R(MATCH_R_FILTER, MATCH_F_HOUSEHOLD_POST, 0, 0)),
                        "家庭已有成员在公益性岗位");
    assert_string_equal(en(R(MATCH_R_FILTER, MATCH_F_NOT_SEEKING, 0, 0)), "Not seeking work");
}

static void test_filter_counts(void **state)
{
    (void)state;
    char buf[128];
    match_filter_format(MATCH_F_MUST_SKILL, 1204, MATCH_TARGET_WORKERS, MATCH_LANG_ZH, buf,
                        sizeof buf);
    assert_string_equal(buf, "缺少必需技能：排除 1204 人");
    match_filter_format(MATCH_F_MUST_SKILL, 1204, MATCH_TARGET_WORKERS, MATCH_LANG_EN, buf,
                        sizeof buf);
    assert_string_equal(buf, "Missing a required skill: 1204 workers removed");
    match_filter_format(MATCH_F_VACANCY_CLOSED, 1, MATCH_TARGET_VACANCIES, MATCH_LANG_EN, buf,
                        sizeof buf);
    assert_string_equal(buf, "Vacancy not open: 1 vacancy removed");
    match_filter_format(MATCH_F_AGE, 3, MATCH_TARGET_VACANCIES, MATCH_LANG_ZH, buf, sizeof buf);
    assert_string_equal(buf, "年龄不符：排除 3 个岗位");
    /* snprintf semantics: truncated, NUL-terminated, full length returned */
    char small[8];
    int n = match_filter_format(MATCH_F_AGE, 3, MATCH_TARGET_WORKERS, MATCH_LANG_EN, small,
                                sizeof small);
    assert_int_equal(n, (int)strlen("Age outside the allowed range: 3 workers removed"));
    assert_int_equal(strlen(small), 7);
    assert_int_equal(
        match_reason_format(R(MATCH_R_AVAIL_NOW, 0, 0, 0), MATCH_LANG_EN, NULL, NULL, 0),
        (int)strlen("Available now"));
}

static void test_codes(void **state)
{
    (void)state;
    assert_string_equal(match_filter_code(MATCH_F_MUST_SKILL), "must_skill");
    assert_string_equal(match_filter_code(MATCH_F_MIN_SCORE), "min_score");
    assert_string_equal(match_filter_code(MATCH_F_COUNT), "unknown");
    assert_string_equal(match_part_code(MATCH_PART_AVAIL), "availability");
    assert_string_equal(match_kind_code(MATCH_KIND_FOREST_RANGER), "forest_ranger");
    assert_int_equal(match_kind_parse("labor_export"), MATCH_KIND_LABOR_EXPORT);
    assert_int_equal(match_kind_parse("nope"), -1);
    assert_string_equal(match_reason_code(MATCH_R_DIST_NEAR), "dist_near");
    assert_string_equal(match_reason_code(MATCH_R_FILTER), "filter");
    for (int c = 0; c < MATCH_R_COUNT; c++) { /* every code renders in both languages */
        char a[256], b[256];
        struct match_reason r = {(uint16_t)c, 1, 2, 3};
        assert_true(match_reason_format(&r, MATCH_LANG_ZH, &names, a, sizeof a) > 0);
        assert_true(match_reason_format(&r, MATCH_LANG_EN, &names, b, sizeof b) > 0);
        assert_null(strchr(a, '?'));
    }
}

static bool has(const struct match_hit *h, enum match_reason_code code, int32_t a)
{
    for (unsigned i = 0; i < h->n_reasons; i++)
        if (h->reasons[i].code == code && h->reasons[i].a == a)
            return true;
    return false;
}

/* What a staff member sees for one worker and one vacancy. */
static void test_explain_pair(void **state)
{
    (void)state;
    struct match_index *idx = match_index_new();
    assert_int_equal(match_index_set_skill_parent(idx, 14, 13), 0);
    assert_int_equal(match_index_set_skill_parent(idx, 15, 13), 0);
    struct match_worker w;
    memset(&w, 0, sizeof w);
    w.id = 1, w.household_id = 1;
    w.flags = MATCH_W_SEEKING | MATCH_W_RELOCATED;
    w.birth_day = match_day(1990, 1, 1);
    w.available_from = MATCH_NO_DAY;
    w.county_code = 530102, w.lat = 25.0, w.lon = 102.7, w.max_commute_km = 20;
    w.wage_floor = 3000;
    w.n_skills = 1;
    w.skills[0] = (struct match_worker_skill){14, 2};
    w.n_certs = 1;
    w.certs[0] = (struct match_worker_cert){11, match_day(2025, 1, 3)};
    assert_int_equal(match_index_upsert_worker(idx, &w), 0);
    struct match_household h = {1, true, MATCH_MON_NONE, 0};
    assert_int_equal(match_index_upsert_household(idx, &h), 0);
    struct match_vacancy v;
    memset(&v, 0, sizeof v);
    v.id = 2, v.kind = MATCH_KIND_WORK_RELIEF, v.open = true, v.headcount = 5;
    v.county_code = 530102, v.lat = 25.1, v.lon = 102.7; /* about 11 km */
    v.wage_period = MATCH_WAGE_DAY, v.wage_min = 120, v.wage_max = 150;
    v.age_min = 18, v.age_max = 60, v.start_day = MATCH_NO_DAY;
    v.n_skills = 2;
    v.skills[0] = (struct match_vacancy_skill){13, 3, true, 1.0f};  /* welding, must */
    v.skills[1] = (struct match_vacancy_skill){15, 1, false, 1.0f}; /* gas welding */
    v.n_certs = 1;
    v.certs[0] = (struct match_vacancy_cert){11, true};
    assert_int_equal(match_index_upsert_vacancy(idx, &v), 0);
    struct match_query q;
    match_query_init(&q, today(), 10);
    struct match_hit e;
    assert_int_equal(match_explain(idx, 1, 2, &q, MATCH_TARGET_WORKERS, &e), 0);
    assert_int_equal(e.id, 1);
    assert_int_equal(e.failed, (1u << MATCH_F_MUST_SKILL) | (1u << MATCH_F_CERT_EXPIRED));
    /* filters first */
    assert_int_equal(e.reasons[0].code, MATCH_R_MUST_SKILL_MISSING);
    assert_int_equal(e.reasons[0].a, 13);
    assert_int_equal(e.reasons[0].c, 3);
    assert_int_equal(e.reasons[1].code, MATCH_R_CERT_EXPIRED);
    assert_int_equal(e.reasons[1].b, match_day(2025, 1, 3));
    assert_true(has(&e, MATCH_R_SKILL_RELATED, 15));
    assert_true(has(&e, MATCH_R_DIST_NEAR, 11));
    assert_true(has(&e, MATCH_R_WAGE_MAYBE, 2610)); /* 120 a day = 2610 a month */
    assert_true(has(&e, MATCH_R_AVAIL_NOW, 0));
    assert_true(has(&e, MATCH_R_PRIO_RELOCATED, 0));
    assert_true(has(&e, MATCH_R_PRIO_ZERO_EMPLOYMENT, 0));
    assert_false(has(&e, MATCH_R_PRIO_MONITORING, 1));
    /* a list result explains why it ranks where it does */
    w.skills[0] = (struct match_worker_skill){13, 3};
    w.certs[0].expires = MATCH_NO_DAY;
    assert_int_equal(match_index_upsert_worker(idx, &w), 0);
    struct match_result *r = match_result_new();
    assert_int_equal(match_query_workers_by_id(idx, 2, &q, r), 0);
    assert_int_equal(r->n, 1);
    assert_int_equal(r->hit[0].failed, 0);
    assert_true(has(&r->hit[0], MATCH_R_SKILL_OK, 13));
    assert_true(has(&r->hit[0], MATCH_R_SKILL_RELATED, 15));
    assert_true(has(&r->hit[0], MATCH_R_CERT_OK, 11));
    assert_int_equal(match_query_vacancies_by_id(idx, 1, &q, r), 0);
    assert_int_equal(r->hit[0].id, 2);
    assert_int_equal(match_explain(idx, 1, 99, &q, MATCH_TARGET_WORKERS, &e), -1);
    match_result_free(r);
    match_index_free(idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_skill_reasons),
        cmocka_unit_test(test_cert_reasons),
        cmocka_unit_test(test_distance_reasons),
        cmocka_unit_test(test_other_reasons),
        cmocka_unit_test(test_filter_reasons),
        cmocka_unit_test(test_filter_counts),
        cmocka_unit_test(test_codes),
        cmocka_unit_test(test_explain_pair),
    };
    return cmocka_run_group_tests_name("match_explain", tests, NULL, NULL);
}
