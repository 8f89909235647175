#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "problem.h"

/* Asserts problem_lang_from_header(h) == want, naming h on failure. */
static void assert_lang(const char *h, enum problem_lang want)
{
    enum problem_lang got = problem_lang_from_header(h);
    if (got != want)
        fail_msg("Accept-Language \"%s\": got %s, want %s", h ? h : "(null)",
                 got == PROBLEM_LANG_EN ? "en" : "zh", want == PROBLEM_LANG_EN ? "en" : "zh");
}

/* String member key of o; fails the test when it is missing or not a string. */
static const char *str(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        fail_msg("member \"%s\" is not a string", key);
    return json_string_value(v);
}

/* Asserts the five members every problem object has, and no others. */
static void assert_problem(const json_t *p, const char *code, int status, const char *title,
                           const char *detail)
{
    char type[96];
    snprintf(type, sizeof type, "urn:leye:problem:%s", code);

    assert_non_null(p);
    assert_true(json_is_object(p));
    assert_int_equal(json_object_size(p), 5);
    assert_string_equal(str(p, "type"), type);
    assert_string_equal(str(p, "title"), title);
    assert_true(json_is_integer(json_object_get(p, "status")));
    assert_int_equal(json_integer_value(json_object_get(p, "status")), status);
    assert_string_equal(str(p, "detail"), detail);
    assert_string_equal(str(p, "code"), code);
}

/* Asserts errors[i] is {field, code, message}. */
static void assert_error_entry(const json_t *p, size_t i, const char *field, const char *code,
                               const char *message)
{
    const json_t *errors = json_object_get(p, "errors");
    assert_true(json_is_array(errors));
    const json_t *e = json_array_get(errors, i);
    assert_true(json_is_object(e));
    assert_int_equal(json_object_size(e), 3);
    assert_string_equal(str(e, "field"), field);
    assert_string_equal(str(e, "code"), code);
    assert_string_equal(str(e, "message"), message);
}

/* ---- problem_lang_from_header ---- */

static void test_lang_defaults_to_chinese(void **state)
{
    (void)state;

    assert_lang(NULL, PROBLEM_LANG_ZH);
    assert_lang("", PROBLEM_LANG_ZH);
    assert_lang("*", PROBLEM_LANG_ZH);
    assert_lang("fr", PROBLEM_LANG_ZH);
    assert_lang("fr-FR,de;q=0.5", PROBLEM_LANG_ZH);
}

static void test_lang_english_alone(void **state)
{
    (void)state;

    assert_lang("en", PROBLEM_LANG_EN);
    assert_lang("EN", PROBLEM_LANG_EN);
    assert_lang("En-us", PROBLEM_LANG_EN);
    assert_lang("en-US,en;q=0.9", PROBLEM_LANG_EN);
    assert_lang("  en-GB  ", PROBLEM_LANG_EN);
}

static void test_lang_chinese_preferred(void **state)
{
    (void)state;

    assert_lang("zh-CN,zh;q=0.9,en;q=0.8", PROBLEM_LANG_ZH);
    assert_lang("zh", PROBLEM_LANG_ZH);
    assert_lang("zh-Hant", PROBLEM_LANG_ZH);
    assert_lang("zh-TW,en;q=0.5", PROBLEM_LANG_ZH);
    assert_lang("en-GB;q=0.8, zh-CN;q=0.9", PROBLEM_LANG_ZH);
}

static void test_lang_by_quality_value(void **state)
{
    (void)state;

    assert_lang("en;q=0.9, zh;q=0.8", PROBLEM_LANG_EN);
    assert_lang("zh;Q=0.1, en;q=0.2", PROBLEM_LANG_EN);
    assert_lang("zh;q=0.1,en", PROBLEM_LANG_EN);
    assert_lang("en ; q=0.9, zh;q=0.8", PROBLEM_LANG_EN);
    assert_lang("en;level=1;q=0.4, zh;q=0.5", PROBLEM_LANG_ZH);
    assert_lang("fr, en;q=0.5", PROBLEM_LANG_EN);
}

static void test_lang_tie_goes_to_chinese(void **state)
{
    (void)state;

    assert_lang("en, zh", PROBLEM_LANG_ZH);
    assert_lang("en;q=0.5, zh;q=0.5", PROBLEM_LANG_ZH);
}

static void test_lang_english_refused_with_q0(void **state)
{
    (void)state;

    assert_lang("en;q=0", PROBLEM_LANG_ZH);
    assert_lang("en;q=0.0, fr", PROBLEM_LANG_ZH);
}

static void test_lang_needs_whole_primary_tag(void **state)
{
    (void)state;

    assert_lang("english", PROBLEM_LANG_ZH);
    assert_lang("eng", PROBLEM_LANG_ZH);
    assert_lang("zhx, en", PROBLEM_LANG_EN);
    assert_lang("e", PROBLEM_LANG_ZH);
}

static void test_regression_lang_tab_before_semicolon(void **state)
{
    (void)state;

    /* weight = OWS ";" OWS "q=" qvalue, and OWS includes HTAB. */
    assert_lang("en ;q=0.9, zh;q=0.8", PROBLEM_LANG_EN);
    assert_lang("en\t;q=0.9, zh;q=0.8", PROBLEM_LANG_EN);
}

static void test_lang_garbage(void **state)
{
    (void)state;

    assert_lang(",,,;;;", PROBLEM_LANG_ZH);
    assert_lang(";q=1", PROBLEM_LANG_ZH);
    assert_lang("\x01\x02\x03", PROBLEM_LANG_ZH);
    assert_lang("\xe4\xb8\xad\xe6\x96\x87", PROBLEM_LANG_ZH);
    assert_lang("en;q=", PROBLEM_LANG_ZH);
    assert_lang("en;q=abc", PROBLEM_LANG_ZH);
    assert_lang(",", PROBLEM_LANG_ZH);
}

/* ---- problem_new ---- */

static void test_problem_new_shape_chinese(void **state)
{
    (void)state;
    json_t *p = problem_new("not_found", PROBLEM_LANG_ZH, NULL);

    assert_problem(p, "not_found", 404, "未找到", "请求的资源不存在。");
    json_decref(p);
}

static void test_problem_new_shape_english(void **state)
{
    (void)state;
    json_t *p = problem_new("not_found", PROBLEM_LANG_EN, NULL);

    assert_problem(p, "not_found", 404, "Not found", "The requested resource does not exist.");
    json_decref(p);
}

static void test_problem_new_detail_override(void **state)
{
    (void)state;
    json_t *p = problem_new("validation_failed", PROBLEM_LANG_EN, "Fix the phone number.");

    assert_problem(p, "validation_failed", 422, "Validation failed", "Fix the phone number.");
    json_decref(p);
    p = problem_new("conflict", PROBLEM_LANG_ZH, "该岗位已关闭。");
    assert_problem(p, "conflict", 409, "状态冲突", "该岗位已关闭。");
    json_decref(p);
}

static void test_problem_new_unknown_code_is_internal_error(void **state)
{
    (void)state;
    json_t *p = problem_new("no_such_problem", PROBLEM_LANG_EN, NULL);

    assert_problem(p, "internal_error", 500, "Internal server error",
                   "An unexpected error happened and was logged.");
    json_decref(p);
    p = problem_new("", PROBLEM_LANG_ZH, NULL);
    assert_problem(p, "internal_error", 500, "服务器内部错误", "服务器出现意外错误，已记录。");
    json_decref(p);
}

static void test_problem_new_unknown_code_keeps_detail(void **state)
{
    (void)state;
    json_t *p = problem_new("NOT_FOUND", PROBLEM_LANG_EN, "given");

    assert_problem(p, "internal_error", 500, "Internal server error", "given");
    json_decref(p);
}

static void test_problem_serialises(void **state)
{
    (void)state;
    json_t *p = problem_new("length_required", PROBLEM_LANG_ZH, NULL);
    assert_non_null(p);
    char *s = json_dumps(p, JSON_SORT_KEYS | JSON_COMPACT);

    assert_non_null(s);
    assert_string_equal(s, "{\"code\":\"length_required\",\"detail\":\"请求体必须带有 "
                           "Content-Length，不支持分块传输。\",\"status\":411,\"title\":\"需要 "
                           "Content-Length\",\"type\":\"urn:leye:problem:length_required\"}");
    free(s);
    json_decref(p);
}

/* ---- problem_add_error ---- */

static void test_add_error_builds_array(void **state)
{
    (void)state;
    json_t *p = problem_new("validation_failed", PROBLEM_LANG_ZH, NULL);
    assert_non_null(p);

    assert_null(json_object_get(p, "errors"));
    assert_int_equal(problem_add_error(p, "phone", "required", PROBLEM_LANG_ZH, NULL), 0);
    assert_int_equal(json_array_size(json_object_get(p, "errors")), 1);
    assert_error_entry(p, 0, "phone", "required", "必填");

    assert_int_equal(problem_add_error(p, "skills/0/level", "out_of_range", PROBLEM_LANG_ZH, NULL),
                     0);
    assert_int_equal(json_array_size(json_object_get(p, "errors")), 2);
    assert_error_entry(p, 0, "phone", "required", "必填");
    assert_error_entry(p, 1, "skills/0/level", "out_of_range", "超出允许范围");
    assert_int_equal(json_object_size(p), 6);
    json_decref(p);
}

static void test_add_error_english_message(void **state)
{
    (void)state;
    json_t *p = problem_new("validation_failed", PROBLEM_LANG_EN, NULL);
    assert_non_null(p);

    assert_int_equal(problem_add_error(p, "id_number", "check_digit", PROBLEM_LANG_EN, NULL), 0);
    assert_error_entry(p, 0, "id_number", "check_digit", "has a wrong check character");
    json_decref(p);
}

static void test_add_error_override_message(void **state)
{
    (void)state;
    json_t *p = problem_new("validation_failed", PROBLEM_LANG_EN, NULL);
    assert_non_null(p);

    assert_int_equal(
        problem_add_error(p, "wage", "out_of_range", PROBLEM_LANG_EN, "must be at least 2690"), 0);
    assert_error_entry(p, 0, "wage", "out_of_range", "must be at least 2690");
    assert_int_equal(problem_add_error(p, "name", "too_long", PROBLEM_LANG_ZH, "最多 40 个字"), 0);
    assert_error_entry(p, 1, "name", "too_long", "最多 40 个字");
    json_decref(p);
}

static void test_add_error_unknown_code_uses_code_as_message(void **state)
{
    (void)state;
    json_t *p = problem_new("invalid_query", PROBLEM_LANG_EN, NULL);
    assert_non_null(p);

    assert_int_equal(problem_add_error(p, "page", "mystery", PROBLEM_LANG_EN, NULL), 0);
    assert_error_entry(p, 0, "page", "mystery", "mystery");
    json_decref(p);
}

static void test_add_error_empty_field(void **state)
{
    (void)state;
    json_t *p = problem_new("validation_failed", PROBLEM_LANG_ZH, NULL);
    assert_non_null(p);

    /* The whole body: the empty JSON pointer. */
    assert_int_equal(problem_add_error(p, "", "invalid_type", PROBLEM_LANG_ZH, NULL), 0);
    assert_error_entry(p, 0, "", "invalid_type", "类型不正确");
    json_decref(p);
}

static void test_add_error_refuses_non_array_errors(void **state)
{
    (void)state;
    json_t *p = problem_new("validation_failed", PROBLEM_LANG_ZH, NULL);
    assert_non_null(p);

    assert_int_equal(json_object_set_new(p, "errors", json_string("x")), 0);
    assert_int_equal(problem_add_error(p, "a", "required", PROBLEM_LANG_ZH, NULL), -1);
    json_decref(p);
}

/* ---- problem_field_message ---- */

static void test_field_message(void **state)
{
    (void)state;
    const char *code = "unheard_of";

    assert_string_equal(problem_field_message("required", PROBLEM_LANG_ZH), "必填");
    assert_string_equal(problem_field_message("required", PROBLEM_LANG_EN), "is required");
    assert_string_equal(problem_field_message("discriminatory", PROBLEM_LANG_EN),
                        "is unlawful discrimination and may not be set");
    assert_string_equal(problem_field_message("invalid_date", PROBLEM_LANG_ZH), "不是有效日期");
    assert_ptr_equal(problem_field_message(code, PROBLEM_LANG_ZH), code);
    assert_ptr_equal(problem_field_message(code, PROBLEM_LANG_EN), code);
}

/* ---- problem_status and problem_known ---- */

static const struct {
    const char *code;
    int status;
} catalogue[] = {
    {"bad_request", 400},
    {"malformed_json", 400},
    {"invalid_query", 400},
    {"validation_failed", 422},
    {"unauthorized", 401},
    {"forbidden", 403},
    {"not_found", 404},
    {"method_not_allowed", 405},
    {"not_acceptable", 406},
    {"request_timeout", 408},
    {"conflict", 409},
    {"length_required", 411},
    {"precondition_failed", 412},
    {"precondition_required", 428},
    {"payload_too_large", 413},
    {"uri_too_long", 414},
    {"unsupported_media_type", 415},
    {"headers_too_large", 431},
    {"too_many_requests", 429},
    {"internal_error", 500},
    {"not_implemented", 501},
    {"database_unavailable", 503},
    {"overloaded", 503},
    {"too_many_connections", 503},
    {"shutting_down", 503},
    {"not_ready", 503},
    {"gateway_timeout", 504},
};

static void test_status_of_every_code(void **state)
{
    (void)state;

    for (size_t i = 0; i < sizeof catalogue / sizeof catalogue[0]; i++) {
        if (!problem_known(catalogue[i].code))
            fail_msg("%s is not in the catalogue", catalogue[i].code);
        if (problem_status(catalogue[i].code) != catalogue[i].status)
            fail_msg("%s: status %d, want %d", catalogue[i].code, problem_status(catalogue[i].code),
                     catalogue[i].status);
    }
}

static void test_every_code_has_both_titles(void **state)
{
    (void)state;

    for (size_t i = 0; i < sizeof catalogue / sizeof catalogue[0]; i++) {
        json_t *zh = problem_new(catalogue[i].code, PROBLEM_LANG_ZH, NULL);
        json_t *en = problem_new(catalogue[i].code, PROBLEM_LANG_EN, NULL);
        assert_non_null(zh);
        assert_non_null(en);
        assert_string_equal(str(zh, "code"), catalogue[i].code);
        assert_int_equal(json_integer_value(json_object_get(en, "status")), catalogue[i].status);
        assert_true(strlen(str(zh, "title")) > 0 && strlen(str(en, "title")) > 0);
        assert_true(strlen(str(zh, "detail")) > 0 && strlen(str(en, "detail")) > 0);
        assert_string_not_equal(str(zh, "title"), str(en, "title"));
        json_decref(zh);
        json_decref(en);
    }
}

/* Each programme rule has a text in both languages naming who holds which
 * post; the problem carries the rule and one error on vacancy_id. */
static void test_rule_text(void **state)
{
    (void)state;
    static const char *const rules[] = {"public_welfare_one_per_household",
                                        "forest_ranger_exclusive", "no_double_post"};
    char out[512];
    for (size_t i = 0; i < 3; i++) {
        for (int lang = 0; lang < 2; lang++) {
            assert_int_equal(problem_rule_text(rules[i], (enum problem_lang)lang, "杨甲", "保洁员",
                                               out, sizeof out),
                             0);
            assert_non_null(strstr(out, "杨甲"));
            assert_non_null(strstr(out, "保洁员"));
            assert_null(strchr(out, '{'));
        }
    }
    assert_int_equal(problem_rule_text("public_welfare_one_per_household", PROBLEM_LANG_ZH, "杨甲",
                                       "保洁员", out, sizeof out),
                     0);
    assert_string_equal(out, "公益性岗位每户限一人：同户成员杨甲已在公益性岗位「保洁员」。");
    assert_int_equal(
        problem_rule_text("no_double_post", PROBLEM_LANG_EN, "Li", "Road keeper", out, sizeof out),
        0);
    assert_string_equal(out, "No double post: Li already holds \"Road keeper\".");
    assert_int_equal(problem_rule_text("no_such_rule", PROBLEM_LANG_EN, "a", "b", out, sizeof out),
                     -1);
}

/* A long name is cut on a character boundary, never mid-character. */
static void test_rule_text_truncates_whole_characters(void **state)
{
    (void)state;
    char out[40];
    assert_int_equal(problem_rule_text("no_double_post", PROBLEM_LANG_ZH, "杨杨杨杨杨杨杨杨杨杨",
                                       "岗位", out, sizeof out),
                     0);
    size_t n = strlen(out);
    assert_true(n < sizeof out);
    assert_true(n == 0 || ((unsigned char)out[n - 1] & 0xC0) != 0xC0);
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)out[i];
        size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        assert_true(i + len <= n);
        i += len;
    }
}

static void test_rule_problem(void **state)
{
    (void)state;
    json_t *p = problem_rule_new("forest_ranger_exclusive", PROBLEM_LANG_EN, "Chen", "Ranger");
    assert_non_null(p);
    assert_int_equal(json_integer_value(json_object_get(p, "status")), 409);
    assert_string_equal(str(p, "code"), "programme_rule");
    assert_string_equal(str(p, "rule"), "forest_ranger_exclusive");
    assert_non_null(strstr(str(p, "detail"), "Chen already holds \"Ranger\""));
    const json_t *e = json_array_get(json_object_get(p, "errors"), 0);
    assert_string_equal(str(e, "field"), "vacancy_id");
    assert_string_equal(str(e, "code"), "forest_ranger_exclusive");
    json_decref(p);
    assert_null(problem_rule_new("no_such_rule", PROBLEM_LANG_ZH, "a", "b"));
}

/* A refusal by the remuneration budget names every amount, in both
 * languages, for a payment and for a release. */
static void test_budget_problem(void **state)
{
    (void)state;
    struct problem_budget b = {"5000.00", "3000.00", "0.00", "2100.00", "100.00"};
    char out[512];
    assert_int_equal(problem_budget_text("amount", PROBLEM_LANG_ZH, &b, out, sizeof out), 0);
    assert_non_null(
        strstr(out, "预算 5000.00 元，已发放 3000.00 元，本次发放 2100.00 元，超出 100.00 元"));
    assert_int_equal(problem_budget_text("amount", PROBLEM_LANG_EN, &b, out, sizeof out), 0);
    assert_non_null(
        strstr(out, "budget 5000.00 yuan, paid 3000.00 yuan, this payment 2100.00 yuan"));
    b.owed = "700.00";
    assert_int_equal(problem_budget_text("status", PROBLEM_LANG_EN, &b, out, sizeof out), 0);
    assert_non_null(
        strstr(out, "released and not yet paid 700.00 yuan, this pay sheet 2100.00 yuan"));
    assert_int_equal(problem_budget_text("days", PROBLEM_LANG_EN, &b, out, sizeof out), -1);
    json_t *p = problem_budget_new("status", PROBLEM_LANG_ZH, &b);
    assert_non_null(p);
    assert_int_equal(json_integer_value(json_object_get(p, "status")), 409);
    assert_string_equal(str(p, "code"), "conflict");
    assert_string_equal(str(json_object_get(p, "budget"), "owed"), "700.00");
    const json_t *e = json_array_get(json_object_get(p, "errors"), 0);
    assert_string_equal(str(e, "field"), "status");
    assert_string_equal(str(e, "code"), "over_budget");
    assert_non_null(strstr(str(e, "message"), "本月工资表 2100.00 元"));
    json_decref(p);
    assert_null(problem_budget_new("month", PROBLEM_LANG_ZH, &b));
}

/* Every 503 says why: the code's own reason by default, a named one with its detail. */
static void test_unavailable_reason(void **state)
{
    (void)state;
    static const char *const codes[] = {"database_unavailable", "overloaded",
                                        "too_many_connections", "shutting_down", "not_ready"};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        json_t *p = problem_new(codes[i], PROBLEM_LANG_ZH, NULL);
        assert_int_equal(json_integer_value(json_object_get(p, "status")), 503);
        assert_true(strlen(str(p, "reason")) > 0);
        assert_true(strlen(str(p, "detail")) > 0);
        json_decref(p);
    }
    json_t *p = problem_new_reason("database_unavailable", "queue_full", PROBLEM_LANG_EN);
    assert_string_equal(str(p, "reason"), "queue_full");
    assert_non_null(strstr(str(p, "detail"), "waiting for the database"));
    json_decref(p);
    p = problem_new_reason("database_unavailable", "", PROBLEM_LANG_EN);
    assert_string_equal(str(p, "reason"), "database_down");
    json_decref(p);
    p = problem_new("not_found", PROBLEM_LANG_EN, NULL);
    assert_null(json_object_get(p, "reason"));
    json_decref(p);
}

static void test_unknown_code(void **state)
{
    (void)state;

    assert_false(problem_known("no_such_problem"));
    assert_false(problem_known(""));
    assert_false(problem_known("Not_Found"));
    assert_false(problem_known("required"));
    assert_int_equal(problem_status("no_such_problem"), 500);
    assert_int_equal(problem_status(""), 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lang_defaults_to_chinese),
        cmocka_unit_test(test_lang_english_alone),
        cmocka_unit_test(test_lang_chinese_preferred),
        cmocka_unit_test(test_lang_by_quality_value),
        cmocka_unit_test(test_lang_tie_goes_to_chinese),
        cmocka_unit_test(test_lang_english_refused_with_q0),
        cmocka_unit_test(test_lang_needs_whole_primary_tag),
        cmocka_unit_test(test_regression_lang_tab_before_semicolon),
        cmocka_unit_test(test_lang_garbage),
        cmocka_unit_test(test_problem_new_shape_chinese),
        cmocka_unit_test(test_problem_new_shape_english),
        cmocka_unit_test(test_problem_new_detail_override),
        cmocka_unit_test(test_problem_new_unknown_code_is_internal_error),
        cmocka_unit_test(test_problem_new_unknown_code_keeps_detail),
        cmocka_unit_test(test_problem_serialises),
        cmocka_unit_test(test_add_error_builds_array),
        cmocka_unit_test(test_add_error_english_message),
        cmocka_unit_test(test_add_error_override_message),
        cmocka_unit_test(test_add_error_unknown_code_uses_code_as_message),
        cmocka_unit_test(test_add_error_empty_field),
        cmocka_unit_test(test_add_error_refuses_non_array_errors),
        cmocka_unit_test(test_field_message),
        cmocka_unit_test(test_status_of_every_code),
        cmocka_unit_test(test_every_code_has_both_titles),
        cmocka_unit_test(test_unavailable_reason),
        cmocka_unit_test(test_unknown_code),
        cmocka_unit_test(test_rule_text),
        cmocka_unit_test(test_rule_text_truncates_whole_characters),
        cmocka_unit_test(test_rule_problem),
        cmocka_unit_test(test_budget_problem),
    };
    return cmocka_run_group_tests_name("problem", tests, NULL, NULL);
}
