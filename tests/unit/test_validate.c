#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "validate.h"

#define TODAY 20250630

/* Runs validate_idnum on a C string and returns the reason. */
static enum validate_reason idnum_why(const char *s, struct validate_idnum *out)
{
    enum validate_reason why = VALIDATE_OK;
    bool ok = validate_idnum(s, strlen(s), TODAY, out, &why);
    assert_int_equal(ok, why == VALIDATE_OK);
    return why;
}

static void test_idnum_valid(void **state)
{
    (void)state;
    struct validate_idnum id;

    assert_int_equal(idnum_why("11010519491231002X", &id), VALIDATE_OK);
    assert_string_equal(id.normalized, "11010519491231002X");
    assert_int_equal(id.region, 110105);
    assert_int_equal(id.birth_year, 1949);
    assert_int_equal(id.birth_month, 12);
    assert_int_equal(id.birth_day, 31);
    assert_int_equal(id.sex, 'F');

    assert_int_equal(idnum_why("530102199001011231", &id), VALIDATE_OK);
    assert_int_equal(id.region, 530102);
    assert_int_equal(id.sex, 'M');

    assert_int_equal(idnum_why("532901197811110055", &id), VALIDATE_OK);
    assert_int_equal(id.sex, 'M');
    assert_int_equal(idnum_why("532301199206150071", &id), VALIDATE_OK);
}

static void test_idnum_lowercase_x(void **state)
{
    (void)state;
    struct validate_idnum id;

    assert_int_equal(idnum_why("11010519491231002x", &id), VALIDATE_OK);
    assert_string_equal(id.normalized, "11010519491231002X");
}

static void test_idnum_leap_day(void **state)
{
    (void)state;
    struct validate_idnum id;

    /* 1996 and 2000 are leap years, 1985 is not. */
    assert_int_equal(idnum_why("53262319960229002X", &id), VALIDATE_OK);
    assert_int_equal(id.birth_month, 2);
    assert_int_equal(id.birth_day, 29);
    assert_int_equal(idnum_why("53010220000229331X", &id), VALIDATE_OK);
    assert_int_equal(idnum_why("530621198502290015", &id), VALIDATE_ERR_BIRTH_DATE);
}

static void test_idnum_check_digit(void **state)
{
    (void)state;
    struct validate_idnum id;

    assert_int_equal(idnum_why("530102199001011234", &id), VALIDATE_ERR_CHECK_DIGIT);
    assert_string_equal(id.normalized, "");
    assert_int_equal(id.region, 0);
    assert_int_equal(idnum_why("110105194912310020", &id), VALIDATE_ERR_CHECK_DIGIT);
    assert_int_equal(idnum_why("53010219900101123X", &id), VALIDATE_ERR_CHECK_DIGIT);
}

static void test_idnum_length_and_charset(void **state)
{
    (void)state;
    struct validate_idnum id;
    enum validate_reason why = VALIDATE_OK;

    assert_int_equal(idnum_why("", &id), VALIDATE_ERR_LENGTH);
    assert_int_equal(idnum_why("11010519491231002", &id), VALIDATE_ERR_LENGTH);
    assert_int_equal(idnum_why("11010519491231002X0", &id), VALIDATE_ERR_LENGTH);
    assert_int_equal(idnum_why(" 11010519491231002X", &id), VALIDATE_ERR_LENGTH);
    assert_int_equal(idnum_why("1101051949123100XX", &id), VALIDATE_ERR_CHARSET);
    assert_int_equal(idnum_why("11010519491231002Y", &id), VALIDATE_ERR_CHARSET);
    assert_int_equal(idnum_why("1101O519491231002X", &id), VALIDATE_ERR_CHARSET);
    assert_int_equal(idnum_why("11010519491231 02X", &id), VALIDATE_ERR_CHARSET);
    /* An embedded NUL is counted by len and refused. */
    char nul[18];
    memcpy(nul, "11010519491231002X", 18);
    nul[14] = '\0';
    assert_false(validate_idnum(nul, 18, TODAY, &id, &why));
    assert_int_equal(why, VALIDATE_ERR_CHARSET);
    assert_false(validate_idnum(NULL, 0, TODAY, &id, NULL));
}

static void test_idnum_region(void **state)
{
    (void)state;
    struct validate_idnum id;

    /* Same body with an invalid province prefix: region is checked before the check digit. */
    assert_int_equal(idnum_why("10010519491231002X", &id), VALIDATE_ERR_REGION);
    assert_int_equal(idnum_why("16010519491231002X", &id), VALIDATE_ERR_REGION);
    assert_int_equal(idnum_why("24010519491231002X", &id), VALIDATE_ERR_REGION);
    assert_int_equal(idnum_why("55010519491231002X", &id), VALIDATE_ERR_REGION);
    assert_int_equal(idnum_why("83010519491231002X", &id), VALIDATE_ERR_REGION);
    assert_int_equal(idnum_why("00010519491231002X", &id), VALIDATE_ERR_REGION);
}

static void test_idnum_birth_date(void **state)
{
    (void)state;
    struct validate_idnum id;
    enum validate_reason why = VALIDATE_OK;

    assert_int_equal(idnum_why("530102189912311231", &id), VALIDATE_ERR_BIRTH_DATE);
    assert_int_equal(idnum_why("530102199013011231", &id), VALIDATE_ERR_BIRTH_DATE);
    assert_int_equal(idnum_why("530102199000011231", &id), VALIDATE_ERR_BIRTH_DATE);
    assert_int_equal(idnum_why("530102199004311231", &id), VALIDATE_ERR_BIRTH_DATE);
    assert_int_equal(idnum_why("530102199001001231", &id), VALIDATE_ERR_BIRTH_DATE);
    /* Born after "today". */
    assert_false(validate_idnum("530102199001011231", 18, 19891231, &id, &why));
    assert_int_equal(why, VALIDATE_ERR_BIRTH_DATE);
    assert_true(validate_idnum("530102199001011231", 18, 19900101, &id, &why));
    assert_int_equal(why, VALIDATE_OK);
}

static enum validate_reason credit_why(const char *s, char normalized[19])
{
    enum validate_reason why = VALIDATE_OK;
    bool ok = validate_credit_code(s, strlen(s), normalized, &why);
    assert_int_equal(ok, why == VALIDATE_OK);
    return why;
}

static void test_credit_valid(void **state)
{
    (void)state;
    char n[19];

    assert_int_equal(credit_why("91350100M000100Y43", n), VALIDATE_OK);
    assert_string_equal(n, "91350100M000100Y43");
    assert_int_equal(credit_why("91530100MA6K2X7P1K", n), VALIDATE_OK);
    assert_int_equal(credit_why("52530102MJ0123456E", n), VALIDATE_OK);
    assert_int_equal(credit_why("12100000400000338R", n), VALIDATE_OK);
    assert_int_equal(credit_why("N2530621MF0000123U", n), VALIDATE_OK);
    assert_int_equal(credit_why("A1100000MB12345676", n), VALIDATE_OK);
    /* Weighted sum divisible by 31: check character is '0'. */
    assert_int_equal(credit_why("Y1530100MA6N8YTK00", n), VALIDATE_OK);
    assert_true(validate_credit_code("91350100M000100Y43", 18, n, NULL));
}

static void test_credit_lowercase(void **state)
{
    (void)state;
    char n[19];

    assert_int_equal(credit_why("91530100ma6k2x7p1k", n), VALIDATE_OK);
    assert_string_equal(n, "91530100MA6K2X7P1K");
}

static void test_credit_invalid(void **state)
{
    (void)state;
    char n[19];

    assert_int_equal(credit_why("91350100M000100Y44", n), VALIDATE_ERR_CHECK_DIGIT);
    assert_string_equal(n, "");
    assert_int_equal(credit_why("91350100M000100Y4", n), VALIDATE_ERR_LENGTH);
    assert_int_equal(credit_why("91350100M000100Y433", n), VALIDATE_ERR_LENGTH);
    assert_int_equal(credit_why("", n), VALIDATE_ERR_LENGTH);
    /* I, O, Z, S, V are not in the alphabet, in either case. */
    assert_int_equal(credit_why("91350100M000100I43", n), VALIDATE_ERR_CHARSET);
    assert_int_equal(credit_why("91350100M000100O43", n), VALIDATE_ERR_CHARSET);
    assert_int_equal(credit_why("91350100M000100Z43", n), VALIDATE_ERR_CHARSET);
    assert_int_equal(credit_why("91350100M000100S43", n), VALIDATE_ERR_CHARSET);
    assert_int_equal(credit_why("91350100M000100V43", n), VALIDATE_ERR_CHARSET);
    assert_int_equal(credit_why("91350100m000100v43", n), VALIDATE_ERR_CHARSET);
    assert_int_equal(credit_why("91350100M000100-43", n), VALIDATE_ERR_CHARSET);
    assert_int_equal(credit_why("0135010MM000100Y43", n), VALIDATE_ERR_AUTHORITY);
    assert_int_equal(credit_why("H1350100M000100Y43", n), VALIDATE_ERR_AUTHORITY);
    assert_int_equal(credit_why("X1350100M000100Y43", n), VALIDATE_ERR_AUTHORITY);
    assert_int_equal(credit_why("91350A00M000100Y43", n), VALIDATE_ERR_REGION);
}

static void assert_phone(const char *in, const char *want, enum validate_phone_kind kind)
{
    char n[16];
    bool ok = validate_phone_cn(in, strlen(in), n);
    if (want) {
        assert_true(ok);
        assert_string_equal(n, want);
    } else {
        assert_false(ok);
        assert_string_equal(n, "");
    }
    assert_int_equal(validate_phone_kind(n), kind);
}

static void test_phone_mobile(void **state)
{
    (void)state;
    const char *m = "13812345678";

    assert_phone("13812345678", m, VALIDATE_PHONE_MOBILE);
    assert_phone("+8613812345678", m, VALIDATE_PHONE_MOBILE);
    assert_phone("+86 138 1234 5678", m, VALIDATE_PHONE_MOBILE);
    assert_phone("8613812345678", m, VALIDATE_PHONE_MOBILE);
    assert_phone("86-138-1234-5678", m, VALIDATE_PHONE_MOBILE);
    assert_phone("138-1234-5678", m, VALIDATE_PHONE_MOBILE);
    assert_phone("138 1234 5678", m, VALIDATE_PHONE_MOBILE);
    assert_phone("19987654321", "19987654321", VALIDATE_PHONE_MOBILE);
}

static void test_phone_mobile_invalid(void **state)
{
    (void)state;

    assert_phone("", NULL, VALIDATE_PHONE_NONE);
    assert_phone("12812345678", NULL, VALIDATE_PHONE_NONE);
    assert_phone("10812345678", NULL, VALIDATE_PHONE_NONE);
    assert_phone("1381234567", NULL, VALIDATE_PHONE_NONE);
    assert_phone("138123456789", NULL, VALIDATE_PHONE_NONE);
    assert_phone("23812345678", NULL, VALIDATE_PHONE_NONE);
    assert_phone("+8513812345678", NULL, VALIDATE_PHONE_NONE);
    assert_phone("+13812345678", NULL, VALIDATE_PHONE_NONE);
    assert_phone("+ 8613812345678", NULL, VALIDATE_PHONE_NONE);
    assert_phone("8 613812345678", NULL, VALIDATE_PHONE_NONE);
    assert_phone("138--1234-5678", NULL, VALIDATE_PHONE_NONE);
    assert_phone(" 13812345678", NULL, VALIDATE_PHONE_NONE);
    assert_phone("13812345678 ", NULL, VALIDATE_PHONE_NONE);
    assert_phone("138.1234.5678", NULL, VALIDATE_PHONE_NONE);
    assert_phone("1381234567a", NULL, VALIDATE_PHONE_NONE);
    assert_phone("+", NULL, VALIDATE_PHONE_NONE);
    assert_phone("1381234567812345678", NULL, VALIDATE_PHONE_NONE);

    char nul[11], n[16];
    memcpy(nul, "13812345678", 11);
    nul[5] = '\0';
    assert_false(validate_phone_cn(nul, 11, n));
}

static void test_phone_fixed(void **state)
{
    (void)state;

    assert_phone("0871-65123456", "0871-65123456", VALIDATE_PHONE_FIXED);
    assert_phone("087165123456", "0871-65123456", VALIDATE_PHONE_FIXED);
    assert_phone("0871 6512 3456", "0871-65123456", VALIDATE_PHONE_FIXED);
    assert_phone("0870-2123456", "0870-2123456", VALIDATE_PHONE_FIXED);
    assert_phone("010-62345678", "010-62345678", VALIDATE_PHONE_FIXED);
    assert_phone("02162345678", "021-62345678", VALIDATE_PHONE_FIXED);
}

static void test_phone_fixed_invalid(void **state)
{
    (void)state;

    assert_phone("0871-1234567", NULL, VALIDATE_PHONE_NONE);   /* number starts with 1 */
    assert_phone("0871-0234567", NULL, VALIDATE_PHONE_NONE);   /* number starts with 0 */
    assert_phone("0871-623456", NULL, VALIDATE_PHONE_NONE);    /* 6 digits */
    assert_phone("0871-623456789", NULL, VALIDATE_PHONE_NONE); /* 9 digits */
    assert_phone("087-165123456", NULL, VALIDATE_PHONE_NONE);  /* hyphen inside area code */
    assert_phone("08-7165123456", NULL, VALIDATE_PHONE_NONE);
    assert_phone("011-62345678", NULL, VALIDATE_PHONE_NONE); /* no such area code */
    assert_phone("0071-62345678", NULL, VALIDATE_PHONE_NONE);
    assert_phone("0871-", NULL, VALIDATE_PHONE_NONE);
    assert_phone("0871", NULL, VALIDATE_PHONE_NONE);
    assert_phone("0", NULL, VALIDATE_PHONE_NONE);
    assert_phone("+86 0871 65123456", NULL, VALIDATE_PHONE_NONE);
}

static void test_phone_kind(void **state)
{
    (void)state;

    assert_int_equal(validate_phone_kind("13812345678"), VALIDATE_PHONE_MOBILE);
    assert_int_equal(validate_phone_kind("0871-65123456"), VALIDATE_PHONE_FIXED);
    /* Valid input but not the normal form. */
    assert_int_equal(validate_phone_kind("087165123456"), VALIDATE_PHONE_NONE);
    assert_int_equal(validate_phone_kind("+8613812345678"), VALIDATE_PHONE_NONE);
    assert_int_equal(validate_phone_kind(""), VALIDATE_PHONE_NONE);
}

#define U8(lit) (lit), (sizeof(lit) - 1)

static void test_utf8_valid(void **state)
{
    (void)state;

    assert_true(validate_utf8(U8("")));
    assert_true(validate_utf8(NULL, 0));
    assert_true(validate_utf8(U8("hello")));
    assert_true(validate_utf8(U8("\xC2\x80")));         /* U+0080 */
    assert_true(validate_utf8(U8("\xDF\xBF")));         /* U+07FF */
    assert_true(validate_utf8(U8("\xE0\xA0\x80")));     /* U+0800 */
    assert_true(validate_utf8(U8("\xED\x9F\xBF")));     /* U+D7FF */
    assert_true(validate_utf8(U8("\xEE\x80\x80")));     /* U+E000 */
    assert_true(validate_utf8(U8("\xEF\xBF\xBF")));     /* U+FFFF */
    assert_true(validate_utf8(U8("\xF0\x90\x80\x80"))); /* U+10000 */
    assert_true(validate_utf8(U8("\xF4\x8F\xBF\xBF"))); /* U+10FFFF */
    assert_true(validate_utf8(U8("昆明市五华区")));
    /* validate_utf8 itself allows NUL: it is a valid code point. */
    assert_true(validate_utf8(U8("a\0b")));
}

static void test_utf8_invalid(void **state)
{
    (void)state;

    assert_false(validate_utf8(U8("\xC0\xAF")));         /* overlong '/' */
    assert_false(validate_utf8(U8("\xC1\xBF")));         /* overlong */
    assert_false(validate_utf8(U8("\xE0\x80\xAF")));     /* overlong 3-byte */
    assert_false(validate_utf8(U8("\xE0\x9F\xBF")));     /* overlong 3-byte */
    assert_false(validate_utf8(U8("\xF0\x80\x80\xAF"))); /* overlong 4-byte */
    assert_false(validate_utf8(U8("\xF0\x8F\xBF\xBF"))); /* overlong 4-byte */
    assert_false(validate_utf8(U8("\xED\xA0\x80")));     /* U+D800 */
    assert_false(validate_utf8(U8("\xED\xBF\xBF")));     /* U+DFFF */
    assert_false(validate_utf8(U8("\xF4\x90\x80\x80"))); /* U+110000 */
    assert_false(validate_utf8(U8("\xF5\x80\x80\x80")));
    assert_false(validate_utf8(U8("\xF8\x88\x80\x80\x80")));
    assert_false(validate_utf8(U8("\xFF")));
    assert_false(validate_utf8(U8("\x80"))); /* lone continuation */
    assert_false(validate_utf8(U8("a\xBF")));
    assert_false(validate_utf8(U8("\xC3")));         /* truncated */
    assert_false(validate_utf8(U8("\xE6\x98")));     /* truncated 3-byte */
    assert_false(validate_utf8(U8("\xF0\x9F\x98"))); /* truncated 4-byte */
    assert_false(validate_utf8(U8("\xE6\x98"
                                  "a"))); /* bad continuation */
    assert_false(validate_utf8(U8("\xF0\x9F\x98"
                                  "a")));
    /* The length bounds the scan: a sequence cut by len is truncated. */
    assert_false(validate_utf8("\xE6\x98\x86", 2));
    assert_true(validate_utf8("\xE6\x98\x86", 3));
}

static void test_text(void **state)
{
    (void)state;
    enum validate_reason why = VALIDATE_OK;

    assert_true(validate_text(U8("line one\n\tline two\r\n"), 100));
    assert_true(validate_text(U8(""), 0));
    assert_true(validate_text(U8("昆明"), 2));
    assert_false(validate_text(U8("昆明市"), 2));
    assert_true(validate_text(U8("\xF0\x9F\x98\x80"), 1)); /* one code point, four bytes */

    assert_false(validate_text_why(U8("a\0b"), 10, &why));
    assert_int_equal(why, VALIDATE_ERR_CONTROL);
    assert_false(validate_text_why(U8("a\x01"
                                      "b"),
                                   10, &why));
    assert_int_equal(why, VALIDATE_ERR_CONTROL);
    assert_false(validate_text_why(U8("\x1B[31m"), 10, &why));
    assert_int_equal(why, VALIDATE_ERR_CONTROL);
    assert_false(validate_text_why(U8("a\x7F"), 10, &why));
    assert_int_equal(why, VALIDATE_ERR_CONTROL);
    assert_false(validate_text_why(U8("\xC2\x85"), 10, &why)); /* U+0085, C1 */
    assert_int_equal(why, VALIDATE_ERR_CONTROL);
    assert_false(validate_text_why(U8("ok\xC0\xAF"), 10, &why));
    assert_int_equal(why, VALIDATE_ERR_UTF8);
    assert_false(validate_text_why(U8("abcd"), 3, &why));
    assert_int_equal(why, VALIDATE_ERR_TOO_LONG);
    assert_true(validate_text_why(U8("abc"), 3, &why));
    assert_int_equal(why, VALIDATE_OK);
    assert_true(validate_text_why(U8("\xC2\xA0"), 1, NULL)); /* U+00A0 is not C1 */
}

static void test_reason_code(void **state)
{
    (void)state;

    assert_string_equal(validate_reason_code(VALIDATE_ERR_LENGTH), "invalid_format");
    assert_string_equal(validate_reason_code(VALIDATE_ERR_CHARSET), "invalid_characters");
    assert_string_equal(validate_reason_code(VALIDATE_ERR_REGION), "invalid_format");
    assert_string_equal(validate_reason_code(VALIDATE_ERR_BIRTH_DATE), "invalid_date");
    assert_string_equal(validate_reason_code(VALIDATE_ERR_CHECK_DIGIT), "check_digit");
    assert_string_equal(validate_reason_code(VALIDATE_ERR_AUTHORITY), "invalid_format");
    assert_string_equal(validate_reason_code(VALIDATE_ERR_UTF8), "invalid_utf8");
    assert_string_equal(validate_reason_code(VALIDATE_ERR_CONTROL), "invalid_characters");
    assert_string_equal(validate_reason_code(VALIDATE_ERR_TOO_LONG), "too_long");
}

static void test_date(void **state)
{
    (void)state;
    int d = -1;

    assert_true(validate_date(U8("2024-02-29"), &d));
    assert_int_equal(d, 20240229);
    assert_true(validate_date(U8("2000-02-29"), &d));
    assert_true(validate_date(U8("1999-12-31"), &d));
    assert_int_equal(d, 19991231);
    assert_true(validate_date(U8("0001-01-01"), &d));
    assert_true(validate_date(U8("9999-12-31"), &d));

    assert_false(validate_date(U8("2023-02-29"), &d));
    assert_int_equal(d, 0);
    assert_false(validate_date(U8("1900-02-29"), &d));
    assert_false(validate_date(U8("2024-04-31"), &d));
    assert_false(validate_date(U8("2024-13-01"), &d));
    assert_false(validate_date(U8("2024-00-10"), &d));
    assert_false(validate_date(U8("2024-01-00"), &d));
    assert_false(validate_date(U8("0000-01-01"), &d));
    assert_false(validate_date(U8("2024-1-01"), &d));
    assert_false(validate_date(U8("2024/01/01"), &d));
    assert_false(validate_date(U8("20240101"), &d));
    assert_false(validate_date(U8("2024-01-01T"), &d));
    assert_false(validate_date(U8("2024-01-0a"), &d));
    assert_false(validate_date(U8("+024-01-01"), &d));
    assert_false(validate_date(NULL, 0, &d));

    assert_true(validate_calendar_date(2024, 2, 29));
    assert_false(validate_calendar_date(2100, 2, 29));
    assert_false(validate_calendar_date(2024, 11, 31));
}

static void test_mask_idnum(void **state)
{
    (void)state;
    char out[19];

    validate_mask_idnum("530102199001011231", out);
    assert_string_equal(out, "530102***********1");
    validate_mask_idnum("11010519491231002X", out);
    assert_string_equal(out, "110105***********X");
    validate_mask_idnum("53010219900101123", out);
    assert_string_equal(out, "******************");
    validate_mask_idnum("5301021990010112311", out);
    assert_string_equal(out, "******************");
    validate_mask_idnum("", out);
    assert_string_equal(out, "******************");
}

static void test_mask_phone(void **state)
{
    (void)state;
    char out[16];

    validate_mask_phone("13812345678", out, sizeof out);
    assert_string_equal(out, "138****5678");
    validate_mask_phone("0871-65123456", out, sizeof out);
    assert_string_equal(out, "0871-****3456");
    validate_mask_phone("0870-2123456", out, sizeof out);
    assert_string_equal(out, "0870-***3456");
    validate_mask_phone("010-62345678", out, sizeof out);
    assert_string_equal(out, "010-****5678");
    validate_mask_phone("+8613812345678", out, sizeof out);
    assert_string_equal(out, "****");
    validate_mask_phone("", out, sizeof out);
    assert_string_equal(out, "****");

    /* Too small: empty rather than cut. */
    validate_mask_phone("13812345678", out, 11);
    assert_string_equal(out, "");
    validate_mask_phone("13812345678", out, 12);
    assert_string_equal(out, "138****5678");
    out[0] = 'z';
    validate_mask_phone("13812345678", out, 0);
    assert_int_equal(out[0], 'z');
}

/* 3-byte (云 E4 BA 91) and 4-byte (𠀀 F0 A0 80 80) characters at the cut. */
static void test_copy_text_boundary(void **state)
{
    (void)state;
    char out[8];

    /* "ab云" is 5 bytes: fits in 6, and in 5 only "ab" does */
    assert_int_equal(validate_copy_text(out, 6, "ab\xE4\xBA\x91"), 5);
    assert_string_equal(out, "ab\xE4\xBA\x91");
    for (size_t cap = 3; cap <= 5; cap++) {
        assert_int_equal(validate_copy_text(out, cap, "ab\xE4\xBA\x91"), 2);
        assert_string_equal(out, "ab");
    }
    /* "a𠀀" is 5 bytes: any cap below 6 keeps only "a" */
    assert_int_equal(validate_copy_text(out, 6, "a\xF0\xA0\x80\x80"), 5);
    assert_string_equal(out, "a\xF0\xA0\x80\x80");
    for (size_t cap = 2; cap <= 5; cap++) {
        assert_int_equal(validate_copy_text(out, cap, "a\xF0\xA0\x80\x80"), 1);
        assert_string_equal(out, "a");
    }
    /* a 4-byte character after a 3-byte one: 7 bytes fit in 8 */
    assert_int_equal(validate_copy_text(out, sizeof out, "\xE4\xBA\x91\xF0\xA0\x80\x80zz"), 7);
    assert_string_equal(out, "\xE4\xBA\x91\xF0\xA0\x80\x80");
    assert_true(validate_utf8(out, strlen(out)));
    /* bytes that are not UTF-8 end the copy; so does a truncated character */
    assert_int_equal(validate_copy_text(out, sizeof out, "ok\xFFzz"), 2);
    assert_string_equal(out, "ok");
    assert_int_equal(validate_copy_text(out, sizeof out, "ok\xE4\xBA"), 2);
    assert_string_equal(out, "ok");
    assert_int_equal(validate_copy_text(out, 1, "abc"), 0);
    assert_string_equal(out, "");
    out[0] = 'z';
    assert_int_equal(validate_copy_text(out, 0, "abc"), 0);
    assert_int_equal(out[0], 'z');

    /* the broker name of the defect, 57 bytes: every cut is valid UTF-8 */
    const char *name = "云南省昭通市鲁甸县宏达劳务派遣有限公司";
    char big[64];
    for (size_t cap = 1; cap <= sizeof big; cap++) {
        size_t n = validate_copy_text(big, cap, name);
        assert_true(n < cap);
        assert_true(n % 3 == 0);
        assert_true(validate_utf8(big, n));
        assert_int_equal(n, cap > strlen(name) ? strlen(name) : (cap - 1) / 3 * 3);
    }
    assert_int_equal(validate_utf8_prefix(name, strlen(name), 47), 45);
    assert_int_equal(validate_utf8_prefix(name, strlen(name), 1000), 57);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idnum_valid),
        cmocka_unit_test(test_idnum_lowercase_x),
        cmocka_unit_test(test_idnum_leap_day),
        cmocka_unit_test(test_idnum_check_digit),
        cmocka_unit_test(test_idnum_length_and_charset),
        cmocka_unit_test(test_idnum_region),
        cmocka_unit_test(test_idnum_birth_date),
        cmocka_unit_test(test_credit_valid),
        cmocka_unit_test(test_credit_lowercase),
        cmocka_unit_test(test_credit_invalid),
        cmocka_unit_test(test_phone_mobile),
        cmocka_unit_test(test_phone_mobile_invalid),
        cmocka_unit_test(test_phone_fixed),
        cmocka_unit_test(test_phone_fixed_invalid),
        cmocka_unit_test(test_phone_kind),
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_utf8_invalid),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_reason_code),
        cmocka_unit_test(test_date),
        cmocka_unit_test(test_mask_idnum),
        cmocka_unit_test(test_mask_phone),
        cmocka_unit_test(test_copy_text_boundary),
    };
    return cmocka_run_group_tests_name("validate", tests, NULL, NULL);
}
