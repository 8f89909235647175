#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "httphead.h"

static const struct httphead_limits lim = {.max_head = 1024, .max_target = 64, .max_body = 1000};

/* Checks a C string against lim. */
static enum httphead_result check(const char *s, struct httphead_info *info)
{
    return httphead_check(s, strlen(s), &lim, info);
}

/* Checks a string literal that may hold NUL bytes. */
#define CHECK_LIT(lit, info) httphead_check((lit), sizeof(lit) - 1, &lim, (info))

/* Asserts the result of "GET / HTTP/1.1\r\n" + header + "\r\n\r\n". */
static void assert_header(const char *header, enum httphead_result want)
{
    char buf[512];
    struct httphead_info info;
    snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nHost: a\r\n%s\r\n\r\n", header);
    enum httphead_result r = check(buf, &info);
    if (r != want)
        fail_msg("header \"%s\": got %d, want %d", header, (int)r, (int)want);
}

/* Asserts the result of request line + "\r\nHost: a\r\n\r\n". */
static void assert_line(const char *line, enum httphead_result want)
{
    char buf[512];
    struct httphead_info info;
    snprintf(buf, sizeof buf, "%s\r\nHost: a\r\n\r\n", line);
    enum httphead_result r = check(buf, &info);
    if (r != want)
        fail_msg("request line \"%s\": got %d, want %d", line, (int)r, (int)want);
}

/* Builds a request line whose target is "/" followed by n-1 'a's. */
static void make_target(char *buf, size_t cap, size_t n, const char *rest)
{
    size_t off = (size_t)snprintf(buf, cap, "GET /");
    assert_true(off + n + strlen(rest) < cap);
    memset(buf + off, 'a', n - 1);
    strcpy(buf + off + n - 1, rest);
}

/* ---- well-formed heads ---- */

static void test_simple_get(void **state)
{
    (void)state;
    struct httphead_info info;
    const char *s = "GET /v1/workers?page=2 HTTP/1.1\r\nHost: example\r\nAccept: */*\r\n\r\n";

    assert_int_equal(check(s, &info), HTTPHEAD_OK);
    assert_int_equal(info.head_len, strlen(s));
    assert_int_equal(info.content_length, 0);
    assert_int_equal(info.close, 0);
    assert_string_equal(info.accept_language, "");
}

static void test_every_known_method(void **state)
{
    (void)state;
    const char *methods[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
    char line[64];

    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        snprintf(line, sizeof line, "%s /x HTTP/1.1", methods[i]);
        assert_line(line, HTTPHEAD_OK);
    }
}

static void test_request_line_only(void **state)
{
    (void)state;
    struct httphead_info info;

    assert_int_equal(check("GET / HTTP/1.1\r\n\r\n", &info), HTTPHEAD_OK);
    assert_int_equal(info.head_len, 18);
}

static void test_lf_only_line_endings(void **state)
{
    (void)state;
    struct httphead_info info;
    const char *s = "GET / HTTP/1.1\nHost: a\nContent-Length: 3\n\nabc";

    assert_int_equal(check(s, &info), HTTPHEAD_OK);
    assert_int_equal(info.head_len, strlen(s) - 3);
    assert_int_equal(info.content_length, 3);
    assert_int_equal(check("GET / HTTP/1.1\n\n", &info), HTTPHEAD_OK);
    assert_int_equal(info.head_len, 16);
}

static void test_mixed_line_endings(void **state)
{
    (void)state;
    struct httphead_info info;
    const char *s = "GET / HTTP/1.1\r\nHost: a\n\r\n";

    assert_int_equal(check(s, &info), HTTPHEAD_OK);
    assert_int_equal(info.head_len, strlen(s));
}

static void test_head_len_stops_before_body(void **state)
{
    (void)state;
    struct httphead_info info;
    const char *head = "POST /v1/workers HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n\r\n";
    char buf[256];

    snprintf(buf, sizeof buf, "%s%s", head, "a\r\n\r\nb: c\r\n\r\n");
    assert_int_equal(check(buf, &info), HTTPHEAD_OK);
    assert_int_equal(info.head_len, strlen(head));
    assert_int_equal(info.content_length, 12);
}

static void test_body_bytes_are_not_checked(void **state)
{
    (void)state;
    struct httphead_info info;
    static const char s[] = "POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\n\0\r\x01 ";

    assert_int_equal(CHECK_LIT(s, &info), HTTPHEAD_OK);
    assert_int_equal(info.head_len, sizeof s - 1 - 4);
}

static void test_pipelined_requests_give_first_head(void **state)
{
    (void)state;
    struct httphead_info info;
    const char *first = "GET /a HTTP/1.1\r\nHost: a\r\n\r\n";
    char buf[256];

    snprintf(buf, sizeof buf, "%sGET /b HTTP/1.1\r\nHost: a\r\n\r\n", first);
    assert_int_equal(check(buf, &info), HTTPHEAD_OK);
    assert_int_equal(info.head_len, strlen(first));
}

static void test_info_reset_on_each_call(void **state)
{
    (void)state;
    struct httphead_info info;

    assert_int_equal(check("POST / HTTP/1.1\r\nContent-Length: 9\r\nConnection: close\r\n"
                           "Accept-Language: en\r\n\r\n",
                           &info),
                     HTTPHEAD_OK);
    assert_int_equal(info.content_length, 9);
    assert_int_equal(check("GET / HTTP/1.1\r\n\r\n", &info), HTTPHEAD_OK);
    assert_int_equal(info.content_length, 0);
    assert_int_equal(info.close, 0);
    assert_string_equal(info.accept_language, "");
}

static void test_value_with_tab_and_obs_text_accepted(void **state)
{
    (void)state;

    assert_header("X-Note: a\tb", HTTPHEAD_OK);
    assert_header("X-Name: \xe5\xbc\xa0\xe4\xb8\x89", HTTPHEAD_OK);
    assert_header("X-Empty:", HTTPHEAD_OK);
    assert_header("X-Tchar!#$%&'*+-.^_`|~: v", HTTPHEAD_OK);
}

/* ---- incomplete heads ---- */

static void test_need_more_for_incomplete_head(void **state)
{
    (void)state;
    struct httphead_info info;

    assert_int_equal(check("", &info), HTTPHEAD_NEED_MORE);
    assert_int_equal(check("GE", &info), HTTPHEAD_NEED_MORE);
    assert_int_equal(check("GET / HTTP/1.1", &info), HTTPHEAD_NEED_MORE);
    assert_int_equal(check("GET / HTTP/1.1\r\n", &info), HTTPHEAD_NEED_MORE);
    assert_int_equal(check("GET / HTTP/1.1\r\nHost: a\r\n", &info), HTTPHEAD_NEED_MORE);
    assert_int_equal(check("GET / HTTP/1.1\r\nHost: a\r\n\r", &info), HTTPHEAD_NEED_MORE);
    assert_int_equal(check("GET / HTTP/1.1\nHost: a", &info), HTTPHEAD_NEED_MORE);
}

static void test_leading_empty_line_is_refused(void **state)
{
    (void)state;
    struct httphead_info info;

    /* The caller skips them; the checker does not. */
    assert_int_equal(check("\r\nGET / HTTP/1.1\r\n\r\n", &info), HTTPHEAD_BAD_REQUEST);
}

/* ---- Content-Length ---- */

static void test_content_length_parsed(void **state)
{
    (void)state;
    struct httphead_info info;

    assert_int_equal(check("POST / HTTP/1.1\r\nContent-Length: 42\r\n\r\n", &info), HTTPHEAD_OK);
    assert_int_equal(info.content_length, 42);
    assert_int_equal(check("POST / HTTP/1.1\r\ncontent-LENGTH:7   \r\n\r\n", &info), HTTPHEAD_OK);
    assert_int_equal(info.content_length, 7);
    assert_int_equal(check("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", &info), HTTPHEAD_OK);
    assert_int_equal(info.content_length, 0);
    assert_int_equal(check("POST / HTTP/1.1\r\nContent-Length: 007\r\n\r\n", &info), HTTPHEAD_OK);
    assert_int_equal(info.content_length, 7);
}

static void test_content_length_at_limit(void **state)
{
    (void)state;
    struct httphead_info info;

    assert_int_equal(check("POST / HTTP/1.1\r\nContent-Length: 1000\r\n\r\n", &info), HTTPHEAD_OK);
    assert_int_equal(info.content_length, 1000);
}

static void test_content_length_over_limit(void **state)
{
    (void)state;

    assert_header("Content-Length: 1001", HTTPHEAD_PAYLOAD_TOO_LARGE);
    assert_header("Content-Length: 9999999999999999999", HTTPHEAD_PAYLOAD_TOO_LARGE);
    assert_header("Content-Length: 18446744073709551616", HTTPHEAD_PAYLOAD_TOO_LARGE);
    assert_header("Content-Length: 99999999999999999999999999", HTTPHEAD_PAYLOAD_TOO_LARGE);
}

static void test_second_content_length_refused(void **state)
{
    (void)state;

    assert_header("Content-Length: 5\r\nContent-Length: 5", HTTPHEAD_BAD_REQUEST);
    assert_header("Content-Length: 5\r\nContent-Length: 6", HTTPHEAD_BAD_REQUEST);
    assert_header("Content-Length: 5\r\ncontent-length: 5", HTTPHEAD_BAD_REQUEST);
    assert_header("Content-Length: 0\r\nX: y\r\nContent-Length: 0", HTTPHEAD_BAD_REQUEST);
}

static void test_bad_content_length_value(void **state)
{
    (void)state;

    assert_header("Content-Length: abc", HTTPHEAD_BAD_REQUEST);
    assert_header("Content-Length: +5", HTTPHEAD_BAD_REQUEST);
    assert_header("Content-Length: -1", HTTPHEAD_BAD_REQUEST);
    assert_header("Content-Length: 5a", HTTPHEAD_BAD_REQUEST);
    assert_header("Content-Length: 1 2", HTTPHEAD_BAD_REQUEST);
    assert_header("Content-Length: 5, 5", HTTPHEAD_BAD_REQUEST);
    assert_header("Content-Length: 0x10", HTTPHEAD_BAD_REQUEST);
    assert_header("Content-Length: 1.0", HTTPHEAD_BAD_REQUEST);
    assert_header("Content-Length:", HTTPHEAD_BAD_REQUEST);
    assert_header("Content-Length:   ", HTTPHEAD_BAD_REQUEST);
}

static void test_regression_long_non_digit_content_length_is_400(void **state)
{
    (void)state;

    /* Not a number at all, so 400; the length check must not win. */
    assert_header("Content-Length: abcdefghijklmnopqrstuvwxyz", HTTPHEAD_BAD_REQUEST);
}

/* ---- Transfer-Encoding ---- */

static void test_transfer_encoding_needs_length(void **state)
{
    (void)state;

    assert_header("Transfer-Encoding: chunked", HTTPHEAD_LENGTH_REQUIRED);
    assert_header("Transfer-Encoding: gzip, chunked", HTTPHEAD_LENGTH_REQUIRED);
    assert_header("TRANSFER-ENCODING: CHUNKED", HTTPHEAD_LENGTH_REQUIRED);
    assert_header("transfer-encoding: Chunked", HTTPHEAD_LENGTH_REQUIRED);
    assert_header("Transfer-Encoding: identity", HTTPHEAD_LENGTH_REQUIRED);
    assert_header("Content-Length: 5\r\nTransfer-Encoding: chunked", HTTPHEAD_LENGTH_REQUIRED);
    assert_header("Transfer-Encoding: chunked\r\nContent-Length: 5", HTTPHEAD_LENGTH_REQUIRED);
}

/* ---- malformed header lines ---- */

static void test_nul_in_head_refused(void **state)
{
    (void)state;
    struct httphead_info info;
    static const char in_value[] = "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n";
    static const char in_name[] = "GET / HTTP/1.1\r\nX\0Y: a\r\n\r\n";
    static const char in_line[] = "GET /a\0b HTTP/1.1\r\n\r\n";
    static const char at_start[] = "GET / HTTP/1.1\r\n\0X: a\r\n\r\n";

    assert_int_equal(CHECK_LIT(in_value, &info), HTTPHEAD_BAD_REQUEST);
    assert_int_equal(CHECK_LIT(in_name, &info), HTTPHEAD_BAD_REQUEST);
    assert_int_equal(CHECK_LIT(in_line, &info), HTTPHEAD_BAD_REQUEST);
    assert_int_equal(CHECK_LIT(at_start, &info), HTTPHEAD_BAD_REQUEST);
}

static void test_bare_cr_refused(void **state)
{
    (void)state;
    struct httphead_info info;

    assert_header("X: a\rb", HTTPHEAD_BAD_REQUEST);
    assert_header("X: a\r", HTTPHEAD_BAD_REQUEST);
    assert_header("X\r: a", HTTPHEAD_BAD_REQUEST);
    assert_int_equal(check("GET /\r HTTP/1.1\r\n\r\n", &info), HTTPHEAD_BAD_REQUEST);
    assert_int_equal(check("GET / HTTP/1.1\r\r\n\r\n", &info), HTTPHEAD_BAD_REQUEST);
    assert_int_equal(check("GET / HTTP/1.1\nX: a\rY: b\n\n", &info), HTTPHEAD_BAD_REQUEST);
}

static void test_control_char_in_value_refused(void **state)
{
    (void)state;

    assert_header("X: a\001b", HTTPHEAD_BAD_REQUEST);
    assert_header("X: \x1b[0m", HTTPHEAD_BAD_REQUEST);
}

static void test_empty_header_name_refused(void **state)
{
    (void)state;

    assert_header(": x", HTTPHEAD_BAD_REQUEST);
    assert_header(":", HTTPHEAD_BAD_REQUEST);
}

static void test_space_before_colon_refused(void **state)
{
    (void)state;

    assert_header("Host : x", HTTPHEAD_BAD_REQUEST);
    assert_header("Content-Length : 5", HTTPHEAD_BAD_REQUEST);
    assert_header("Transfer-Encoding\t: chunked", HTTPHEAD_BAD_REQUEST);
    assert_header("X Y: z", HTTPHEAD_BAD_REQUEST);
}

static void test_header_without_colon_refused(void **state)
{
    (void)state;

    assert_header("Host x", HTTPHEAD_BAD_REQUEST);
    assert_header("X(y): z", HTTPHEAD_BAD_REQUEST);
}

static void test_obs_fold_refused(void **state)
{
    (void)state;
    struct httphead_info info;

    assert_header("X: a\r\n b", HTTPHEAD_BAD_REQUEST);
    assert_header("X: a\r\n\tb", HTTPHEAD_BAD_REQUEST);
    assert_int_equal(check("GET / HTTP/1.1\r\n Host: a\r\n\r\n", &info), HTTPHEAD_BAD_REQUEST);
    assert_int_equal(check("GET / HTTP/1.1\nX: a\n  b\n\n", &info), HTTPHEAD_BAD_REQUEST);
}

/* ---- request line ---- */

static void test_unknown_method_not_implemented(void **state)
{
    (void)state;

    assert_line("FOO / HTTP/1.1", HTTPHEAD_NOT_IMPLEMENTED);
    assert_line("get / HTTP/1.1", HTTPHEAD_NOT_IMPLEMENTED);
    assert_line("CONNECT / HTTP/1.1", HTTPHEAD_NOT_IMPLEMENTED);
    assert_line("GETS / HTTP/1.1", HTTPHEAD_NOT_IMPLEMENTED);
}

static void test_malformed_method_bad_request(void **state)
{
    (void)state;

    assert_line(" / HTTP/1.1", HTTPHEAD_BAD_REQUEST);
    assert_line("G(T / HTTP/1.1", HTTPHEAD_BAD_REQUEST);
    assert_line("GET", HTTPHEAD_BAD_REQUEST);
    assert_line("GET\t/ HTTP/1.1", HTTPHEAD_BAD_REQUEST);
}

static void test_http2_not_implemented(void **state)
{
    (void)state;

    assert_line("GET / HTTP/2.0", HTTPHEAD_NOT_IMPLEMENTED);
    assert_line("GET / HTTP/3.0", HTTPHEAD_NOT_IMPLEMENTED);
    assert_line("PRI * HTTP/2.0", HTTPHEAD_BAD_REQUEST);
}

static void test_garbage_version_bad_request(void **state)
{
    (void)state;

    assert_line("GET /", HTTPHEAD_BAD_REQUEST);
    assert_line("GET / ", HTTPHEAD_BAD_REQUEST);
    assert_line("GET / XTTP/1.1", HTTPHEAD_BAD_REQUEST);
    assert_line("GET / http/1.1", HTTPHEAD_BAD_REQUEST);
    assert_line("GET / HTTP", HTTPHEAD_BAD_REQUEST);
    assert_line("GET / 1.1", HTTPHEAD_BAD_REQUEST);
}

static void test_regression_http_prefixed_garbage_version_is_400_not_501(void **state)
{
    (void)state;

    /* Malformed HTTP-version (RFC 9112 2.3): 400, not 501. */
    assert_line("GET / HTTP/1.1x", HTTPHEAD_BAD_REQUEST);
    assert_line("GET / HTTP/1.x", HTTPHEAD_BAD_REQUEST);
    assert_line("GET / HTTP/", HTTPHEAD_BAD_REQUEST);
    assert_line("GET / HTTP/1.1 extra", HTTPHEAD_BAD_REQUEST);
}

static void test_target_must_be_origin_form(void **state)
{
    (void)state;

    assert_line("GET http://x/ HTTP/1.1", HTTPHEAD_BAD_REQUEST);
    assert_line("GET x/y HTTP/1.1", HTTPHEAD_BAD_REQUEST);
    assert_line("OPTIONS * HTTP/1.1", HTTPHEAD_BAD_REQUEST);
    assert_line("GET  / HTTP/1.1", HTTPHEAD_BAD_REQUEST);
    assert_line("GET /a\177b HTTP/1.1", HTTPHEAD_BAD_REQUEST);
    assert_line("GET /a\tb HTTP/1.1", HTTPHEAD_BAD_REQUEST);
}

static void test_target_at_limit_accepted(void **state)
{
    (void)state;
    struct httphead_info info;
    char buf[512];

    make_target(buf, sizeof buf, lim.max_target, " HTTP/1.1\r\n\r\n");
    assert_int_equal(check(buf, &info), HTTPHEAD_OK);
}

static void test_target_too_long_with_complete_head(void **state)
{
    (void)state;
    struct httphead_info info;
    char buf[512];

    make_target(buf, sizeof buf, lim.max_target + 1, " HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_int_equal(check(buf, &info), HTTPHEAD_URI_TOO_LONG);
    /* Checked before the version and the method. */
    make_target(buf, sizeof buf, lim.max_target + 1, " HTTP/9.9\r\n\r\n");
    assert_int_equal(check(buf, &info), HTTPHEAD_URI_TOO_LONG);
}

static void test_target_too_long_without_end_of_line(void **state)
{
    (void)state;
    struct httphead_info info;
    char buf[512];

    make_target(buf, sizeof buf, 200, "");
    assert_int_equal(check(buf, &info), HTTPHEAD_URI_TOO_LONG);
}

static void test_regression_target_too_long_before_headers_end(void **state)
{
    (void)state;
    struct httphead_info info;
    char buf[512];

    /* The request line is complete and over the limit: not NEED_MORE. */
    make_target(buf, sizeof buf, lim.max_target + 1, " HTTP/1.1\r\nHost: a\r\n");
    assert_int_equal(check(buf, &info), HTTPHEAD_URI_TOO_LONG);
}

/* ---- head size ---- */

static void test_head_too_large_without_end(void **state)
{
    (void)state;
    struct httphead_info info;
    char buf[2048];

    strcpy(buf, "GET / HTTP/1.1\r\n");
    while (strlen(buf) < lim.max_head)
        strcat(buf, "X-Pad: aaaaaaaaaaaaaaaaaaaaaaaa\r\n");
    assert_int_equal(check(buf, &info), HTTPHEAD_HEADERS_TOO_LARGE);
    assert_int_equal(httphead_check(buf, lim.max_head, &lim, &info), HTTPHEAD_HEADERS_TOO_LARGE);
    assert_int_equal(httphead_check(buf, lim.max_head - 1, &lim, &info), HTTPHEAD_NEED_MORE);
}

static void test_head_too_large_when_end_beyond_limit(void **state)
{
    (void)state;
    struct httphead_info info;
    char buf[2048];

    strcpy(buf, "GET / HTTP/1.1\r\n");
    while (strlen(buf) < lim.max_head)
        strcat(buf, "X-Pad: aaaaaaaaaaaaaaaaaaaaaaaa\r\n");
    strcat(buf, "\r\n");
    assert_int_equal(check(buf, &info), HTTPHEAD_HEADERS_TOO_LARGE);
}

static void test_head_of_exactly_max_head_accepted(void **state)
{
    (void)state;
    struct httphead_info info;
    char buf[2048];
    const char *start = "GET / HTTP/1.1\r\nX-Pad: ";

    strcpy(buf, start);
    size_t pad = lim.max_head - strlen(start) - 4;
    memset(buf + strlen(start), 'a', pad);
    strcpy(buf + strlen(start) + pad, "\r\n\r\n");
    assert_int_equal(strlen(buf), lim.max_head);
    assert_int_equal(check(buf, &info), HTTPHEAD_OK);
    assert_int_equal(info.head_len, lim.max_head);
}

/* ---- Connection and close ---- */

static void test_close_flag(void **state)
{
    (void)state;
    struct httphead_info info;

    assert_int_equal(check("GET / HTTP/1.1\r\n\r\n", &info), HTTPHEAD_OK);
    assert_int_equal(info.close, 0);
    assert_int_equal(check("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", &info), HTTPHEAD_OK);
    assert_int_equal(info.close, 1);
    assert_int_equal(check("GET / HTTP/1.1\r\nconnection: CLOSE\r\n\r\n", &info), HTTPHEAD_OK);
    assert_int_equal(info.close, 1);
    assert_int_equal(check("GET / HTTP/1.1\r\nConnection: upgrade,close\r\n\r\n", &info),
                     HTTPHEAD_OK);
    assert_int_equal(info.close, 1);
    assert_int_equal(check("GET / HTTP/1.1\r\nConnection: keep-alive , close \r\n\r\n", &info),
                     HTTPHEAD_OK);
    assert_int_equal(info.close, 1);
}

static void test_close_needs_exact_token(void **state)
{
    (void)state;
    struct httphead_info info;

    assert_int_equal(check("GET / HTTP/1.1\r\nConnection: closed\r\n\r\n", &info), HTTPHEAD_OK);
    assert_int_equal(info.close, 0);
    assert_int_equal(check("GET / HTTP/1.1\r\nConnection: x-close\r\n\r\n", &info), HTTPHEAD_OK);
    assert_int_equal(info.close, 0);
    assert_int_equal(check("GET / HTTP/1.1\r\nX-Connection: close\r\n\r\n", &info), HTTPHEAD_OK);
    assert_int_equal(info.close, 0);
}

static void test_http10_closes_without_keep_alive(void **state)
{
    (void)state;
    struct httphead_info info;

    assert_int_equal(check("GET / HTTP/1.0\r\n\r\n", &info), HTTPHEAD_OK);
    assert_int_equal(info.close, 1);
    assert_int_equal(check("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &info), HTTPHEAD_OK);
    assert_int_equal(info.close, 0);
    assert_int_equal(check("GET / HTTP/1.0\r\nConnection: Keep-Alive, Upgrade\r\n\r\n", &info),
                     HTTPHEAD_OK);
    assert_int_equal(info.close, 0);
    assert_int_equal(check("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", &info),
                     HTTPHEAD_OK);
    assert_int_equal(info.close, 1);
    assert_int_equal(check("GET / HTTP/1.0\r\nConnection: Upgrade\r\n\r\n", &info), HTTPHEAD_OK);
    assert_int_equal(info.close, 1);
}

static void test_http11_keep_alive_tokens(void **state)
{
    (void)state;
    struct httphead_info info;

    assert_int_equal(check("GET / HTTP/1.1\r\nConnection: Keep-Alive, Upgrade\r\n\r\n", &info),
                     HTTPHEAD_OK);
    assert_int_equal(info.close, 0);
}

/* ---- Accept-Language ---- */

static void test_accept_language_captured(void **state)
{
    (void)state;
    struct httphead_info info;

    assert_int_equal(check("GET / HTTP/1.1\r\nAccept-Language:  en-US,en;q=0.9 \r\n\r\n", &info),
                     HTTPHEAD_OK);
    assert_string_equal(info.accept_language, "en-US,en;q=0.9");
    assert_int_equal(
        check("GET / HTTP/1.1\r\naccept-language: zh\r\nAccept-Language: en\r\n\r\n", &info),
        HTTPHEAD_OK);
    assert_string_equal(info.accept_language, "zh");
}

static void test_accept_language_truncated_to_63_bytes(void **state)
{
    (void)state;
    struct httphead_info info;
    char value[101], buf[256], want[64];

    for (int i = 0; i < 100; i++)
        value[i] = (char)('a' + i % 26);
    value[100] = '\0';
    memcpy(want, value, 63);
    want[63] = '\0';
    snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nAccept-Language: %s\r\n\r\n", value);
    assert_int_equal(check(buf, &info), HTTPHEAD_OK);
    assert_int_equal(strlen(info.accept_language), 63);
    assert_string_equal(info.accept_language, want);

    value[63] = '\0';
    snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nAccept-Language: %s\r\n\r\n", value);
    assert_int_equal(check(buf, &info), HTTPHEAD_OK);
    assert_string_equal(info.accept_language, want);
}

static void test_accept_language_kept_on_later_error(void **state)
{
    (void)state;
    struct httphead_info info;

    /* The server localises the error reply with it. */
    assert_int_equal(check("POST / HTTP/1.1\r\nAccept-Language: en\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n",
                           &info),
                     HTTPHEAD_LENGTH_REQUIRED);
    assert_string_equal(info.accept_language, "en");
}

/* ---- httphead_problem_code ---- */

static void test_problem_code_mapping(void **state)
{
    (void)state;

    assert_string_equal(httphead_problem_code(HTTPHEAD_BAD_REQUEST), "bad_request");
    assert_string_equal(httphead_problem_code(HTTPHEAD_URI_TOO_LONG), "uri_too_long");
    assert_string_equal(httphead_problem_code(HTTPHEAD_HEADERS_TOO_LARGE), "headers_too_large");
    assert_string_equal(httphead_problem_code(HTTPHEAD_PAYLOAD_TOO_LARGE), "payload_too_large");
    assert_string_equal(httphead_problem_code(HTTPHEAD_LENGTH_REQUIRED), "length_required");
    assert_string_equal(httphead_problem_code(HTTPHEAD_NOT_IMPLEMENTED), "not_implemented");
    assert_string_equal(httphead_problem_code(HTTPHEAD_OK), "bad_request");
    assert_string_equal(httphead_problem_code(HTTPHEAD_NEED_MORE), "bad_request");
}

static void test_large_prefix_allows_bigger_bodies(void **state)
{
    (void)state;
    const struct httphead_limits big = {.max_head = 1024,
                                        .max_target = 64,
                                        .max_body = 1000,
                                        .large_prefix = "/v1/imports/",
                                        .max_body_large = 50000};
    struct httphead_info info;
    const char *imp = "POST /v1/imports/workers HTTP/1.1\r\nContent-Length: 40000\r\n\r\n";
    assert_int_equal(httphead_check(imp, strlen(imp), &big, &info), HTTPHEAD_OK);
    assert_int_equal(info.content_length, 40000);
    const char *other = "POST /v1/workers HTTP/1.1\r\nContent-Length: 40000\r\n\r\n";
    assert_int_equal(httphead_check(other, strlen(other), &big, &info), HTTPHEAD_PAYLOAD_TOO_LARGE);
    const char *over = "POST /v1/imports/x HTTP/1.1\r\nContent-Length: 50001\r\n\r\n";
    assert_int_equal(httphead_check(over, strlen(over), &big, &info), HTTPHEAD_PAYLOAD_TOO_LARGE);
}

/* The request line and fields of s, as "method|target|10or11" and "name=value;" each. */
static void split(const char *s, char *line, size_t line_cap, char *fields, size_t fields_cap)
{
    struct httphead_info info;
    assert_int_equal(check(s, &info), HTTPHEAD_OK);
    struct httphead_request rq;
    httphead_request_split(s, info.head_len, &rq);
    snprintf(line, line_cap, "%.*s|%.*s|%s", (int)rq.method_len, s, (int)rq.target_len,
             s + rq.target, rq.http10 ? "10" : "11");
    fields[0] = '\0';
    struct httphead_field f;
    size_t off = rq.fields, n = 0;
    while (httphead_next_field(s, info.head_len, &off, &f)) {
        n += (size_t)snprintf(fields + n, fields_cap - n, "%.*s=%.*s;", (int)f.name_len, s + f.name,
                              (int)f.value_len, s + f.value);
        assert_true(off <= info.head_len);
    }
}

static void test_split_request_line_and_fields(void **state)
{
    (void)state;
    char line[128], fields[256];
    split("PATCH /v1/x?a=1 HTTP/1.1\r\nHost: h\r\nX-Empty:\r\nX-Pad: \t v w \t\r\n\r\nbody", line,
          sizeof line, fields, sizeof fields);
    assert_string_equal(line, "PATCH|/v1/x?a=1|11");
    assert_string_equal(fields, "Host=h;X-Empty=;X-Pad=v w;");
}

static void test_split_lf_only_and_http10(void **state)
{
    (void)state;
    char line[128], fields[256];
    split("GET / HTTP/1.0\nA:1\r\nB: 2\n\n", line, sizeof line, fields, sizeof fields);
    assert_string_equal(line, "GET|/|10");
    assert_string_equal(fields, "A=1;B=2;");
    split("OPTIONS /a HTTP/1.1\r\n\r\n", line, sizeof line, fields, sizeof fields);
    assert_string_equal(line, "OPTIONS|/a|11");
    assert_string_equal(fields, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_large_prefix_allows_bigger_bodies),
        cmocka_unit_test(test_simple_get),
        cmocka_unit_test(test_every_known_method),
        cmocka_unit_test(test_request_line_only),
        cmocka_unit_test(test_lf_only_line_endings),
        cmocka_unit_test(test_mixed_line_endings),
        cmocka_unit_test(test_head_len_stops_before_body),
        cmocka_unit_test(test_body_bytes_are_not_checked),
        cmocka_unit_test(test_pipelined_requests_give_first_head),
        cmocka_unit_test(test_info_reset_on_each_call),
        cmocka_unit_test(test_value_with_tab_and_obs_text_accepted),
        cmocka_unit_test(test_need_more_for_incomplete_head),
        cmocka_unit_test(test_leading_empty_line_is_refused),
        cmocka_unit_test(test_content_length_parsed),
        cmocka_unit_test(test_content_length_at_limit),
        cmocka_unit_test(test_content_length_over_limit),
        cmocka_unit_test(test_second_content_length_refused),
        cmocka_unit_test(test_bad_content_length_value),
        cmocka_unit_test(test_regression_long_non_digit_content_length_is_400),
        cmocka_unit_test(test_transfer_encoding_needs_length),
        cmocka_unit_test(test_nul_in_head_refused),
        cmocka_unit_test(test_bare_cr_refused),
        cmocka_unit_test(test_control_char_in_value_refused),
        cmocka_unit_test(test_empty_header_name_refused),
        cmocka_unit_test(test_space_before_colon_refused),
        cmocka_unit_test(test_header_without_colon_refused),
        cmocka_unit_test(test_obs_fold_refused),
        cmocka_unit_test(test_unknown_method_not_implemented),
        cmocka_unit_test(test_malformed_method_bad_request),
        cmocka_unit_test(test_http2_not_implemented),
        cmocka_unit_test(test_garbage_version_bad_request),
        cmocka_unit_test(test_regression_http_prefixed_garbage_version_is_400_not_501),
        cmocka_unit_test(test_target_must_be_origin_form),
        cmocka_unit_test(test_target_at_limit_accepted),
        cmocka_unit_test(test_target_too_long_with_complete_head),
        cmocka_unit_test(test_target_too_long_without_end_of_line),
        cmocka_unit_test(test_regression_target_too_long_before_headers_end),
        cmocka_unit_test(test_head_too_large_without_end),
        cmocka_unit_test(test_head_too_large_when_end_beyond_limit),
        cmocka_unit_test(test_head_of_exactly_max_head_accepted),
        cmocka_unit_test(test_close_flag),
        cmocka_unit_test(test_close_needs_exact_token),
        cmocka_unit_test(test_http10_closes_without_keep_alive),
        cmocka_unit_test(test_http11_keep_alive_tokens),
        cmocka_unit_test(test_accept_language_captured),
        cmocka_unit_test(test_accept_language_truncated_to_63_bytes),
        cmocka_unit_test(test_accept_language_kept_on_later_error),
        cmocka_unit_test(test_problem_code_mapping),
        cmocka_unit_test(test_split_request_line_and_fields),
        cmocka_unit_test(test_split_lf_only_and_http10),
    };
    return cmocka_run_group_tests_name("httphead", tests, NULL, NULL);
}
