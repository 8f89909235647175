#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "router.h"

static void h_healthz(struct httpd_req *r)
{
    (void)r;
}

static void h_list(struct httpd_req *r)
{
    (void)r;
}

static void h_create(struct httpd_req *r)
{
    (void)r;
}

static void h_get(struct httpd_req *r)
{
    (void)r;
}

static void h_put(struct httpd_req *r)
{
    (void)r;
}

static void h_delete(struct httpd_req *r)
{
    (void)r;
}

static void h_skill(struct httpd_req *r)
{
    (void)r;
}

static void h_upload(struct httpd_req *r)
{
    (void)r;
}

static void h_profiles(struct httpd_req *r)
{
    (void)r;
}

static const struct router_route routes[] = {
    {"GET", "/healthz", h_healthz, "public"},
    {"GET", "/v1/workers", h_list, "public"},
    {"POST", "/v1/workers", h_create, "staff"},
    {"GET", "/v1/workers/{id}", h_get, "public"},
    {"PUT", "/v1/workers/{id}", h_put, "staff"},
    {"DELETE", "/v1/workers/{id}", h_delete, "admin"},
    {"GET", "/v1/workers/{id}/skills/{skill}", h_skill, "public"},
    {"POST", "/v1/uploads", h_upload, "staff"},
    {"GET", "/v1/profiles", h_profiles, "public"},
};
#define NROUTES (sizeof routes / sizeof routes[0])

/* Routes path with method against the local table. */
static enum router_result match(const char *method, const char *path, struct router_match *m)
{
    return router_match(routes, NROUTES, method, path, m);
}

/* Asserts that GET /v1/workers/<seg> is refused as a bad path. */
static void assert_worker_bad(const char *seg)
{
    char path[512];
    struct router_match m;
    snprintf(path, sizeof path, "/v1/workers/%s", seg);
    enum router_result r = match("GET", path, &m);
    if (r != ROUTER_BAD_PATH)
        fail_msg("%s: got %d, want ROUTER_BAD_PATH", path, (int)r);
}

/* Asserts that GET /v1/workers/<seg> is found with the decoded id want. */
static void assert_worker_id(const char *seg, const char *want)
{
    char path[512];
    struct router_match m;
    snprintf(path, sizeof path, "/v1/workers/%s", seg);
    enum router_result r = match("GET", path, &m);
    if (r != ROUTER_FOUND)
        fail_msg("%s: got %d, want ROUTER_FOUND", path, (int)r);
    assert_ptr_equal(m.route, &routes[3]);
    assert_int_equal(m.nparams, 1);
    assert_string_equal(m.params[0], want);
}

/* ---- matching ---- */

static void test_static_route_found(void **state)
{
    (void)state;
    struct router_match m;

    assert_int_equal(match("GET", "/healthz", &m), ROUTER_FOUND);
    assert_ptr_equal(m.route, &routes[0]);
    assert_ptr_equal(m.route->handler, h_healthz);
    assert_int_equal(m.nparams, 0);
}

static void test_one_path_param(void **state)
{
    (void)state;
    struct router_match m;

    assert_int_equal(match("GET", "/v1/workers/42", &m), ROUTER_FOUND);
    assert_ptr_equal(m.route, &routes[3]);
    assert_int_equal(m.nparams, 1);
    assert_string_equal(m.params[0], "42");
}

static void test_two_path_params(void **state)
{
    (void)state;
    struct router_match m;

    assert_int_equal(match("GET", "/v1/workers/42/skills/welding", &m), ROUTER_FOUND);
    assert_ptr_equal(m.route, &routes[6]);
    assert_int_equal(m.nparams, 2);
    assert_string_equal(m.params[0], "42");
    assert_string_equal(m.params[1], "welding");
}

static void test_route_chosen_by_method(void **state)
{
    (void)state;
    struct router_match m;

    assert_int_equal(match("PUT", "/v1/workers/7", &m), ROUTER_FOUND);
    assert_ptr_equal(m.route, &routes[4]);
    assert_string_equal(m.params[0], "7");
    assert_int_equal(match("DELETE", "/v1/workers/7", &m), ROUTER_FOUND);
    assert_ptr_equal(m.route, &routes[5]);
    assert_int_equal(match("POST", "/v1/workers", &m), ROUTER_FOUND);
    assert_ptr_equal(m.route, &routes[2]);
    assert_int_equal(match("GET", "/v1/workers", &m), ROUTER_FOUND);
    assert_ptr_equal(m.route, &routes[1]);
}

static void test_head_answers_get_route(void **state)
{
    (void)state;
    struct router_match m;

    assert_int_equal(match("HEAD", "/v1/workers/42", &m), ROUTER_FOUND);
    assert_ptr_equal(m.route, &routes[3]);
    assert_string_equal(m.params[0], "42");
    assert_int_equal(match("HEAD", "/healthz", &m), ROUTER_FOUND);
    assert_ptr_equal(m.route, &routes[0]);
}

static void test_head_on_post_only_route_is_405(void **state)
{
    (void)state;
    struct router_match m;

    assert_int_equal(match("HEAD", "/v1/uploads", &m), ROUTER_METHOD_NOT_ALLOWED);
    assert_null(m.route);
    assert_string_equal(m.allow, "POST, OPTIONS");
}

static void test_method_is_case_sensitive(void **state)
{
    (void)state;
    struct router_match m;

    assert_int_equal(match("get", "/healthz", &m), ROUTER_METHOD_NOT_ALLOWED);
}

/* ---- 405 and 404 ---- */

static void test_405_allow_lists_methods_and_options(void **state)
{
    (void)state;
    struct router_match m;

    assert_int_equal(match("PATCH", "/v1/workers/42", &m), ROUTER_METHOD_NOT_ALLOWED);
    assert_null(m.route);
    assert_string_equal(m.allow, "GET, HEAD, PUT, DELETE, OPTIONS");

    assert_int_equal(match("DELETE", "/v1/workers", &m), ROUTER_METHOD_NOT_ALLOWED);
    assert_string_equal(m.allow, "GET, HEAD, POST, OPTIONS");

    assert_int_equal(match("POST", "/healthz", &m), ROUTER_METHOD_NOT_ALLOWED);
    assert_string_equal(m.allow, "GET, HEAD, OPTIONS");
}

static void test_options_request_is_405_with_allow(void **state)
{
    (void)state;
    struct router_match m;

    assert_int_equal(match("OPTIONS", "/v1/uploads", &m), ROUTER_METHOD_NOT_ALLOWED);
    assert_string_equal(m.allow, "POST, OPTIONS");
}

static void test_unknown_path_is_404(void **state)
{
    (void)state;
    struct router_match m;

    assert_int_equal(match("GET", "/", &m), ROUTER_NOT_FOUND);
    assert_int_equal(match("GET", "/nothing", &m), ROUTER_NOT_FOUND);
    assert_int_equal(match("GET", "/v2/workers", &m), ROUTER_NOT_FOUND);
    assert_int_equal(match("GET", "/v1/workers/42/extra", &m), ROUTER_NOT_FOUND);
    assert_int_equal(match("GET", "/v1/workers/42/skills", &m), ROUTER_NOT_FOUND);
    assert_int_equal(match("GET", "/HEALTHZ", &m), ROUTER_NOT_FOUND);
    assert_null(m.route);
    assert_string_equal(m.allow, "");
}

static void test_empty_table_is_404(void **state)
{
    (void)state;
    struct router_match m;

    assert_int_equal(router_match(routes, 0, "GET", "/healthz", &m), ROUTER_NOT_FOUND);
}

static void test_trailing_slash_does_not_match(void **state)
{
    (void)state;
    struct router_match m;

    assert_int_equal(match("GET", "/healthz/", &m), ROUTER_NOT_FOUND);
    assert_int_equal(match("GET", "/v1/workers/", &m), ROUTER_NOT_FOUND);
    assert_int_equal(match("GET", "/v1/workers/42/", &m), ROUTER_NOT_FOUND);
}

static void test_empty_segment_does_not_fill_param(void **state)
{
    (void)state;
    struct router_match m;

    assert_int_equal(match("GET", "/v1//", &m), ROUTER_NOT_FOUND);
    assert_int_equal(match("GET", "/v1/workers//skills/x", &m), ROUTER_NOT_FOUND);
    assert_int_equal(match("GET", "//healthz", &m), ROUTER_NOT_FOUND);
}

static void test_path_without_leading_slash_is_bad(void **state)
{
    (void)state;
    struct router_match m;

    assert_int_equal(match("GET", "healthz", &m), ROUTER_BAD_PATH);
    assert_int_equal(match("GET", "", &m), ROUTER_BAD_PATH);
    assert_int_equal(match("GET", "*", &m), ROUTER_BAD_PATH);
}

/* ---- percent-decoding of parameters ---- */

static void test_param_percent_decoded(void **state)
{
    (void)state;

    assert_worker_id("%E4%B8%AD", "\xe4\xb8\xad");
    assert_worker_id("%e4%b8%ad%e6%96%87", "\xe4\xb8\xad\xe6\x96\x87");
    assert_worker_id("a%20b", "a b");
    assert_worker_id("%41", "A");
    assert_worker_id("a+b", "a+b");
    assert_worker_id("%25", "%");
    assert_worker_id("%2525", "%25");
}

static void test_param_raw_utf8_kept(void **state)
{
    (void)state;

    assert_worker_id("\xe4\xb8\xad", "\xe4\xb8\xad");
}

static void test_param_bad_escape_is_bad_path(void **state)
{
    (void)state;

    assert_worker_bad("%zz");
    assert_worker_bad("%4");
    assert_worker_bad("%");
    assert_worker_bad("a%");
    assert_worker_bad("%g0");
    assert_worker_bad("%0g");
    /* Long enough that only the parameter decode sees it. */
    assert_worker_bad("abcdefghijkl%zz");
    assert_worker_bad("abcdefghijkl%4");
    assert_worker_bad("abcdefghijkl%");
}

static void test_param_encoded_nul_is_bad_path(void **state)
{
    (void)state;

    assert_worker_bad("%00");
    assert_worker_bad("abcdefghijkl%00");
    assert_worker_bad("abcdefghijkl%00xyz");
}

static void test_param_encoded_slash_is_bad_path(void **state)
{
    (void)state;

    assert_worker_bad("a%2Fb");
    assert_worker_bad("a%2fb");
    assert_worker_bad("%2F");
    assert_worker_bad("abcdefghijkl%2Fmnop");
}

static void test_bad_param_with_method_mismatch_is_bad_path(void **state)
{
    (void)state;
    struct router_match m;

    assert_int_equal(match("PATCH", "/v1/workers/abcdefghijkl%zz", &m), ROUTER_BAD_PATH);
}

/* ---- dot segments ---- */

static void test_dot_segments_are_bad_path(void **state)
{
    (void)state;
    struct router_match m;

    assert_int_equal(match("GET", "/v1/../healthz", &m), ROUTER_BAD_PATH);
    assert_int_equal(match("GET", "/../healthz", &m), ROUTER_BAD_PATH);
    assert_int_equal(match("GET", "/./healthz", &m), ROUTER_BAD_PATH);
    assert_int_equal(match("GET", "/v1/./workers", &m), ROUTER_BAD_PATH);
    assert_int_equal(match("GET", "/v1/workers/..", &m), ROUTER_BAD_PATH);
    assert_int_equal(match("GET", "/v1/workers/.", &m), ROUTER_BAD_PATH);
    assert_int_equal(match("GET", "/nothing/..", &m), ROUTER_BAD_PATH);
}

static void test_encoded_dot_segments_are_bad_path(void **state)
{
    (void)state;

    assert_worker_bad("%2e%2e");
    assert_worker_bad("%2E%2E");
    assert_worker_bad("%2e.");
    assert_worker_bad(".%2E");
    assert_worker_bad("%2e");
    assert_worker_bad("%2e%2e/skills/x");
}

static void test_dots_inside_segment_are_fine(void **state)
{
    (void)state;

    assert_worker_id("a.b", "a.b");
    assert_worker_id("...", "...");
    assert_worker_id(".hidden", ".hidden");
    assert_worker_id("..x", "..x");
}

/* ---- limits ---- */

static void test_segment_count_limit(void **state)
{
    (void)state;
    struct router_match m;
    char path[128] = "";

    for (int i = 0; i < ROUTER_MAX_SEGMENTS; i++)
        strcat(path, "/a");
    assert_int_equal(match("GET", path, &m), ROUTER_NOT_FOUND);
    strcat(path, "/a");
    assert_int_equal(match("GET", path, &m), ROUTER_BAD_PATH);
}

static void test_overlong_path_is_bad(void **state)
{
    (void)state;
    struct router_match m;
    char path[2100];

    path[0] = '/';
    memset(path + 1, 'a', 2048);
    path[2049] = '\0';
    assert_int_equal(match("GET", path, &m), ROUTER_BAD_PATH);
    path[2048] = '\0';
    assert_int_equal(match("GET", path, &m), ROUTER_NOT_FOUND);
}

static void test_param_length_limit(void **state)
{
    (void)state;
    char seg[ROUTER_MAX_PARAM_LEN + 1];

    memset(seg, 'x', ROUTER_MAX_PARAM_LEN - 1);
    seg[ROUTER_MAX_PARAM_LEN - 1] = '\0';
    assert_worker_id(seg, seg);
    seg[ROUTER_MAX_PARAM_LEN - 1] = 'x';
    seg[ROUTER_MAX_PARAM_LEN] = '\0';
    assert_worker_bad(seg);
}

static void test_param_length_limit_counts_decoded_bytes(void **state)
{
    (void)state;
    char seg[3 * ROUTER_MAX_PARAM_LEN + 1] = "";
    char want[ROUTER_MAX_PARAM_LEN] = "";

    for (int i = 0; i < ROUTER_MAX_PARAM_LEN - 1; i++) {
        strcat(seg, "%41");
        strcat(want, "A");
    }
    assert_worker_id(seg, want);
    strcat(seg, "%41");
    assert_worker_bad(seg);
}

/* ---- segments of 8 or 9 bytes (see report) ---- */

static void test_regression_param_of_8_bytes_matches(void **state)
{
    (void)state;

    assert_worker_id("abcdefgh", "abcdefgh");
}

static void test_regression_param_of_9_bytes_matches(void **state)
{
    (void)state;

    assert_worker_id("123456789", "123456789");
}

static void test_regression_literal_segment_of_8_bytes_matches(void **state)
{
    (void)state;
    struct router_match m;

    assert_int_equal(match("GET", "/v1/profiles", &m), ROUTER_FOUND);
    assert_ptr_equal(m.route, &routes[8]);
}

static void test_regression_bad_escape_in_long_literal_segment_is_bad_path(void **state)
{
    (void)state;
    struct router_match m;

    /* Short segments are refused; a longer one must be too. */
    assert_int_equal(match("GET", "/%zz", &m), ROUTER_BAD_PATH);
    assert_int_equal(match("GET", "/healthz%zz", &m), ROUTER_BAD_PATH);
}

/* ---- router_check_table ---- */

static void test_check_table_accepts_good_table(void **state)
{
    (void)state;

    assert_int_equal(router_check_table(routes, NROUTES), -1);
    assert_int_equal(router_check_table(routes, 0), -1);
}

static void test_check_table_refuses_route_without_policy(void **state)
{
    (void)state;
    const struct router_route t[] = {
        {"GET", "/a", h_get, "public"},
        {"GET", "/b", h_get, NULL},
    };

    assert_int_equal(router_check_table(t, 2), 1);
}

static void test_check_table_refuses_route_without_handler_or_method(void **state)
{
    (void)state;
    const struct router_route no_handler[] = {{"GET", "/a", NULL, "public"}};
    const struct router_route no_method[] = {{NULL, "/a", h_get, "public"}};

    assert_int_equal(router_check_table(no_handler, 1), 0);
    assert_int_equal(router_check_table(no_method, 1), 0);
}

static void test_check_table_refuses_duplicate(void **state)
{
    (void)state;
    const struct router_route t[] = {
        {"GET", "/a/{id}", h_get, "public"},
        {"PUT", "/a/{id}", h_put, "staff"},
        {"GET", "/b", h_list, "public"},
        {"GET", "/a/{id}", h_list, "staff"},
    };

    assert_int_equal(router_check_table(t, 3), -1);
    assert_int_equal(router_check_table(t, 4), 3);
}

static void test_check_table_refuses_bad_pattern(void **state)
{
    (void)state;
    const struct router_route relative[] = {{"GET", "a/b", h_get, "public"}};
    const struct router_route empty[] = {{"GET", "", h_get, "public"}};
    char deep[128] = "";
    for (int i = 0; i <= ROUTER_MAX_SEGMENTS; i++)
        strcat(deep, "/a");
    const struct router_route too_deep[] = {{"GET", deep, h_get, "public"}};

    assert_int_equal(router_check_table(relative, 1), 0);
    assert_int_equal(router_check_table(empty, 1), 0);
    assert_int_equal(router_check_table(too_deep, 1), 0);
}

static void test_regression_check_table_refuses_more_params_than_max(void **state)
{
    (void)state;
    /* Five parameters: router_match can never match this route. */
    const struct router_route t[] = {{"GET", "/{a}/{b}/{c}/{d}/{e}", h_get, "public"}};
    struct router_match m;

    assert_int_equal(router_match(t, 1, "GET", "/1/2/3/4/5", &m), ROUTER_NOT_FOUND);
    assert_int_equal(router_check_table(t, 1), 0);
}

static void test_regression_check_table_refuses_unclosed_brace(void **state)
{
    (void)state;
    const struct router_route t[] = {{"GET", "/v1/{id", h_get, "public"}};

    assert_int_equal(router_check_table(t, 1), 0);
}

static void test_regression_check_table_refuses_duplicate_with_other_param_name(void **state)
{
    (void)state;
    /* The second route is unreachable: the first always wins. */
    const struct router_route t[] = {
        {"GET", "/v1/workers/{id}", h_get, "public"},
        {"GET", "/v1/workers/{wid}", h_list, "staff"},
    };

    assert_int_equal(router_check_table(t, 2), 1);
}

/* ---- router_decode ---- */

static void test_decode_plain_and_escapes(void **state)
{
    (void)state;
    char out[32];

    assert_int_equal(router_decode("abc", 3, out, sizeof out), 3);
    assert_string_equal(out, "abc");
    assert_int_equal(router_decode("%41%62%2F", 9, out, sizeof out), 3);
    assert_string_equal(out, "Ab/");
    assert_int_equal(router_decode("%E4%B8%AD", 9, out, sizeof out), 3);
    assert_string_equal(out, "\xe4\xb8\xad");
    assert_int_equal(router_decode("%ff%FF", 6, out, sizeof out), 2);
    assert_memory_equal(out, "\xff\xff", 3);
    assert_int_equal(router_decode("a+b", 3, out, sizeof out), 3);
    assert_string_equal(out, "a+b");
}

static void test_decode_empty(void **state)
{
    (void)state;
    char out[4] = "zzz";

    assert_int_equal(router_decode("", 0, out, sizeof out), 0);
    assert_string_equal(out, "");
    out[0] = 'z';
    assert_int_equal(router_decode("", 0, out, 1), 0);
    assert_string_equal(out, "");
}

static void test_decode_bad_escapes(void **state)
{
    (void)state;
    char out[32];

    assert_int_equal(router_decode("%", 1, out, sizeof out), -1);
    assert_int_equal(router_decode("%4", 2, out, sizeof out), -1);
    assert_int_equal(router_decode("ab%", 3, out, sizeof out), -1);
    assert_int_equal(router_decode("ab%4", 4, out, sizeof out), -1);
    assert_int_equal(router_decode("%zz", 3, out, sizeof out), -1);
    assert_int_equal(router_decode("%4g", 3, out, sizeof out), -1);
    assert_int_equal(router_decode("%g4", 3, out, sizeof out), -1);
    assert_int_equal(router_decode("% 4", 3, out, sizeof out), -1);
    assert_int_equal(router_decode("%-1", 3, out, sizeof out), -1);
}

static void test_decode_refuses_nul(void **state)
{
    (void)state;
    char out[32];

    assert_int_equal(router_decode("%00", 3, out, sizeof out), -1);
    assert_int_equal(router_decode("a%00b", 5, out, sizeof out), -1);
    assert_int_equal(router_decode("a\0b", 3, out, sizeof out), -1);
}

static void test_decode_stops_at_len(void **state)
{
    (void)state;
    char out[32];

    assert_int_equal(router_decode("abcdef", 3, out, sizeof out), 3);
    assert_string_equal(out, "abc");
    /* The escape's digits lie beyond len. */
    assert_int_equal(router_decode("%41", 2, out, sizeof out), -1);
    assert_int_equal(router_decode("x%41", 3, out, sizeof out), -1);
}

static void test_decode_capacity(void **state)
{
    (void)state;
    char out[8];

    assert_int_equal(router_decode("abc", 3, out, 4), 3);
    assert_string_equal(out, "abc");
    assert_int_equal(router_decode("abcd", 4, out, 4), -1);
    assert_int_equal(router_decode("%41%42%43", 9, out, 4), 3);
    assert_string_equal(out, "ABC");
    assert_int_equal(router_decode("%41%42%43%44", 12, out, 4), -1);
    assert_int_equal(router_decode("a", 1, out, 1), -1);
}

static void test_regression_decode_cap_zero_writes_nothing(void **state)
{
    (void)state;
    char out[2] = {'z', 'z'};

    /* An empty result still needs one byte for its NUL: it does not fit. */
    assert_int_equal(router_decode("", 0, out, 0), -1);
    assert_int_equal(out[0], 'z');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_static_route_found),
        cmocka_unit_test(test_one_path_param),
        cmocka_unit_test(test_two_path_params),
        cmocka_unit_test(test_route_chosen_by_method),
        cmocka_unit_test(test_head_answers_get_route),
        cmocka_unit_test(test_head_on_post_only_route_is_405),
        cmocka_unit_test(test_method_is_case_sensitive),
        cmocka_unit_test(test_405_allow_lists_methods_and_options),
        cmocka_unit_test(test_options_request_is_405_with_allow),
        cmocka_unit_test(test_unknown_path_is_404),
        cmocka_unit_test(test_empty_table_is_404),
        cmocka_unit_test(test_trailing_slash_does_not_match),
        cmocka_unit_test(test_empty_segment_does_not_fill_param),
        cmocka_unit_test(test_path_without_leading_slash_is_bad),
        cmocka_unit_test(test_param_percent_decoded),
        cmocka_unit_test(test_param_raw_utf8_kept),
        cmocka_unit_test(test_param_bad_escape_is_bad_path),
        cmocka_unit_test(test_param_encoded_nul_is_bad_path),
        cmocka_unit_test(test_param_encoded_slash_is_bad_path),
        cmocka_unit_test(test_bad_param_with_method_mismatch_is_bad_path),
        cmocka_unit_test(test_dot_segments_are_bad_path),
        cmocka_unit_test(test_encoded_dot_segments_are_bad_path),
        cmocka_unit_test(test_dots_inside_segment_are_fine),
        cmocka_unit_test(test_segment_count_limit),
        cmocka_unit_test(test_overlong_path_is_bad),
        cmocka_unit_test(test_param_length_limit),
        cmocka_unit_test(test_param_length_limit_counts_decoded_bytes),
        cmocka_unit_test(test_regression_param_of_8_bytes_matches),
        cmocka_unit_test(test_regression_param_of_9_bytes_matches),
        cmocka_unit_test(test_regression_literal_segment_of_8_bytes_matches),
        cmocka_unit_test(test_regression_bad_escape_in_long_literal_segment_is_bad_path),
        cmocka_unit_test(test_check_table_accepts_good_table),
        cmocka_unit_test(test_check_table_refuses_route_without_policy),
        cmocka_unit_test(test_check_table_refuses_route_without_handler_or_method),
        cmocka_unit_test(test_check_table_refuses_duplicate),
        cmocka_unit_test(test_check_table_refuses_bad_pattern),
        cmocka_unit_test(test_regression_check_table_refuses_more_params_than_max),
        cmocka_unit_test(test_regression_check_table_refuses_unclosed_brace),
        cmocka_unit_test(test_regression_check_table_refuses_duplicate_with_other_param_name),
        cmocka_unit_test(test_decode_plain_and_escapes),
        cmocka_unit_test(test_decode_empty),
        cmocka_unit_test(test_decode_bad_escapes),
        cmocka_unit_test(test_decode_refuses_nul),
        cmocka_unit_test(test_decode_stops_at_len),
        cmocka_unit_test(test_decode_capacity),
        cmocka_unit_test(test_regression_decode_cap_zero_writes_nothing),
    };
    return cmocka_run_group_tests_name("router", tests, NULL, NULL);
}
