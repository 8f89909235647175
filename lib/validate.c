#include "validate.h"

#include "date.h"
#include "privacy.h"

#include <stdint.h>
#include <string.h>

#define VALIDATE_IDNUM_LEN 18
#define VALIDATE_CREDIT_LEN 18
#define VALIDATE_PHONE_MAX_DIGITS 15

static const char validate_credit_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static void validate_set_why(enum validate_reason *why, enum validate_reason reason)
{
    if (why)
        *why = reason;
}

const char *validate_reason_code(enum validate_reason reason)
{
    switch (reason) {
    case VALIDATE_ERR_CHARSET:
    case VALIDATE_ERR_CONTROL:
        return "invalid_characters";
    case VALIDATE_ERR_BIRTH_DATE:
        return "invalid_date";
    case VALIDATE_ERR_CHECK_DIGIT:
        return "check_digit";
    case VALIDATE_ERR_UTF8:
        return "invalid_utf8";
    case VALIDATE_ERR_TOO_LONG:
        return "too_long";
    case VALIDATE_OK:
    case VALIDATE_ERR_LENGTH:
    case VALIDATE_ERR_REGION:
    case VALIDATE_ERR_AUTHORITY:
        break;
    }
    return "invalid_format";
}

static bool validate_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Value of n ASCII digits; the caller has checked they are digits. */
static int validate_digits_value(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

bool validate_calendar_date(int year, int month, int day)
{
    if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1)
        return false;
    return day <= date_month_days(year, month);
}

bool validate_date(const char *s, size_t len, int *yyyymmdd)
{
    *yyyymmdd = 0;
    if (len != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (size_t i = 0; i < 10; i++) {
        if (i != 4 && i != 7 && !validate_is_digit(s[i]))
            return false;
    }
    int y = validate_digits_value(s, 4);
    int m = validate_digits_value(s + 5, 2);
    int d = validate_digits_value(s + 8, 2);
    if (!validate_calendar_date(y, m, d))
        return false;
    *yyyymmdd = y * 10000 + m * 100 + d;
    return true;
}

/* GB/T 2260 province-level codes (first two digits of a division code). */
static bool validate_is_province(int code)
{
    return (code >= 11 && code <= 15) || (code >= 21 && code <= 23) || (code >= 31 && code <= 37) ||
           (code >= 41 && code <= 46) || (code >= 50 && code <= 54) || (code >= 61 && code <= 65) ||
           code == 71 || code == 81 || code == 82;
}

/* ISO 7064 MOD 11-2 check character over 17 digits. */
static char validate_idnum_check_char(const char *digits)
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char map[] = "10X98765432";
    int sum = 0;

    for (size_t i = 0; i < 17; i++)
        sum += (digits[i] - '0') * weights[i];
    return map[sum % 11];
}

static enum validate_reason validate_idnum_check(const char *s, size_t len, int today_yyyymmdd,
                                                 struct validate_idnum *out)
{
    if (len != VALIDATE_IDNUM_LEN)
        return VALIDATE_ERR_LENGTH;
    for (size_t i = 0; i < 17; i++) {
        if (!validate_is_digit(s[i]))
            return VALIDATE_ERR_CHARSET;
    }
    char check = s[17] == 'x' ? 'X' : s[17];
    if (!validate_is_digit(check) && check != 'X')
        return VALIDATE_ERR_CHARSET;
    if (!validate_is_province(validate_digits_value(s, 2)))
        return VALIDATE_ERR_REGION;

    int y = validate_digits_value(s + 6, 4);
    int m = validate_digits_value(s + 10, 2);
    int d = validate_digits_value(s + 12, 2);
    if (y < 1900 || !validate_calendar_date(y, m, d) || y * 10000 + m * 100 + d > today_yyyymmdd)
        return VALIDATE_ERR_BIRTH_DATE;
    if (validate_idnum_check_char(s) != check)
        return VALIDATE_ERR_CHECK_DIGIT;

    memcpy(out->normalized, s, 17);
    out->normalized[17] = check;
    out->normalized[18] = '\0';
    out->region = validate_digits_value(s, 6);
    out->birth_year = y;
    out->birth_month = m;
    out->birth_day = d;
    out->sex = (s[16] - '0') % 2 ? 'M' : 'F';
    return VALIDATE_OK;
}

bool validate_idnum(const char *s, size_t len, int today_yyyymmdd, struct validate_idnum *out,
                    enum validate_reason *why)
{
    memset(out, 0, sizeof *out);
    enum validate_reason r = validate_idnum_check(s, len, today_yyyymmdd, out);
    validate_set_why(why, r);
    return r == VALIDATE_OK;
}

/* Index of c (upper-cased) in the credit-code alphabet, or -1. */
static int validate_credit_value(char c)
{
    if (c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    if (c == '\0')
        return -1;
    const char *p = strchr(validate_credit_alphabet, c);
    return p ? (int)(p - validate_credit_alphabet) : -1;
}

/* Registration authorities of GB 32100-2015 and its amendments, plus reserved B-G. */
static bool validate_credit_authority(char c)
{
    return (c >= '1' && c <= '9') || (c >= 'A' && c <= 'G') || c == 'N' || c == 'Y';
}

static enum validate_reason validate_credit_check(const char *s, size_t len, char normalized[19])
{
    static const int weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    int values[VALIDATE_CREDIT_LEN];

    if (len != VALIDATE_CREDIT_LEN)
        return VALIDATE_ERR_LENGTH;
    for (size_t i = 0; i < VALIDATE_CREDIT_LEN; i++) {
        values[i] = validate_credit_value(s[i]);
        if (values[i] < 0)
            return VALIDATE_ERR_CHARSET;
        normalized[i] = validate_credit_alphabet[values[i]];
    }
    normalized[VALIDATE_CREDIT_LEN] = '\0';
    if (!validate_credit_authority(normalized[0]))
        return VALIDATE_ERR_AUTHORITY;
    for (size_t i = 2; i < 8; i++) {
        if (values[i] > 9)
            return VALIDATE_ERR_REGION;
    }
    int sum = 0;
    for (size_t i = 0; i < 17; i++)
        sum += values[i] * weights[i];
    int check = 31 - sum % 31;
    if (check == 31)
        check = 0;
    if (values[17] != check)
        return VALIDATE_ERR_CHECK_DIGIT;
    return VALIDATE_OK;
}

bool validate_credit_code(const char *s, size_t len, char normalized[19], enum validate_reason *why)
{
    enum validate_reason r = validate_credit_check(s, len, normalized);
    if (r != VALIDATE_OK)
        normalized[0] = '\0';
    validate_set_why(why, r);
    return r == VALIDATE_OK;
}

/* The digits of a phone number, with where separators stood. */
struct validate_phone_scan {
    char digits[VALIDATE_PHONE_MAX_DIGITS + 1];
    size_t n;
    uint32_t seps; /* bit k: a separator followed the first k digits */
    bool plus;
};

/* Collects digits; '+' only first, single ' ' or '-' only between digits. */
static bool validate_phone_collect(const char *s, size_t len, struct validate_phone_scan *sc)
{
    size_t i = 0;

    memset(sc, 0, sizeof *sc);
    if (len > 0 && s[0] == '+') {
        sc->plus = true;
        i = 1;
    }
    for (; i < len; i++) {
        char c = s[i];
        if (validate_is_digit(c)) {
            if (sc->n == VALIDATE_PHONE_MAX_DIGITS)
                return false;
            sc->digits[sc->n++] = c;
        } else if (c == ' ' || c == '-') {
            if (sc->n == 0 || !validate_is_digit(s[i - 1]) || i + 1 == len ||
                !validate_is_digit(s[i + 1]))
                return false;
            sc->seps |= UINT32_C(1) << sc->n;
        } else {
            return false;
        }
    }
    return sc->n > 0;
}

static bool validate_phone_mobile(const char *d, size_t n, char normalized[16])
{
    if (n != 11 || d[0] != '1' || d[1] < '3' || d[1] > '9')
        return false;
    memcpy(normalized, d, 11);
    normalized[11] = '\0';
    return true;
}

static bool validate_phone_fixed(const struct validate_phone_scan *sc, char normalized[16])
{
    const char *d = sc->digits;

    if (sc->n < 2 || d[0] != '0' || d[1] == '0')
        return false;
    size_t area = (d[1] == '1' || d[1] == '2') ? 3 : 4;
    if (sc->n < area + 7 || sc->n > area + 8)
        return false;
    if ((d[1] == '1' && d[2] != '0') || d[area] == '0' || d[area] == '1')
        return false; /* only 010 starts with 01; numbers never start with 0 or 1 */
    size_t sub = sc->n - area;
    if (sc->seps & ((UINT32_C(1) << area) - 1))
        return false;
    memcpy(normalized, d, area);
    normalized[area] = '-';
    memcpy(normalized + area + 1, d + area, sub);
    normalized[area + 1 + sub] = '\0';
    return true;
}

static bool validate_phone_parse(const char *s, size_t len, char normalized[16])
{
    struct validate_phone_scan sc;

    if (!validate_phone_collect(s, len, &sc))
        return false;
    bool has86 =
        sc.n == 13 && sc.digits[0] == '8' && sc.digits[1] == '6' && !(sc.seps & (UINT32_C(1) << 1));
    if (sc.plus)
        return has86 && validate_phone_mobile(sc.digits + 2, 11, normalized);
    if (has86)
        return validate_phone_mobile(sc.digits + 2, 11, normalized);
    if (sc.digits[0] == '0')
        return validate_phone_fixed(&sc, normalized);
    return validate_phone_mobile(sc.digits, sc.n, normalized);
}

bool validate_phone_cn(const char *s, size_t len, char normalized[16])
{
    if (validate_phone_parse(s, len, normalized))
        return true;
    normalized[0] = '\0';
    return false;
}

enum validate_phone_kind validate_phone_kind(const char *normalized)
{
    char again[16];
    size_t n = strlen(normalized);

    if (n > 15 || !validate_phone_cn(normalized, n, again) || strcmp(again, normalized) != 0)
        return VALIDATE_PHONE_NONE;
    return normalized[0] == '1' ? VALIDATE_PHONE_MOBILE : VALIDATE_PHONE_FIXED;
}

/* Length of the strict UTF-8 sequence at p (at most n bytes) and its code point; 0 if invalid. */
static size_t validate_utf8_next(const unsigned char *p, size_t n, uint32_t *cp)
{
    unsigned char b = p[0];
    unsigned char lo = 0x80, hi = 0xBF;
    size_t need;

    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    if (b >= 0xC2 && b <= 0xDF) {
        need = 2;
        *cp = b & 0x1Fu;
    } else if (b >= 0xE0 && b <= 0xEF) {
        need = 3;
        *cp = b & 0x0Fu;
        if (b == 0xE0)
            lo = 0xA0; /* overlong */
        else if (b == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (b >= 0xF0 && b <= 0xF4) {
        need = 4;
        *cp = b & 0x07u;
        if (b == 0xF0)
            lo = 0x90; /* overlong */
        else if (b == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return 0;
    }
    if (n < need || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((p[i] & 0xC0u) != 0x80u)
            return 0;
        *cp = (*cp << 6) | (p[i] & 0x3Fu);
    }
    return need;
}

bool validate_utf8(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < len) {
        uint32_t cp;
        size_t k = validate_utf8_next(p + i, len - i, &cp);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

static bool validate_is_control(uint32_t cp)
{
    if (cp == '\t' || cp == '\n' || cp == '\r')
        return false;
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

bool validate_text_why(const char *s, size_t len, size_t max_chars, enum validate_reason *why)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, chars = 0;
    enum validate_reason r = VALIDATE_OK;

    while (i < len) {
        uint32_t cp;
        size_t k = validate_utf8_next(p + i, len - i, &cp);
        if (k == 0) {
            r = VALIDATE_ERR_UTF8;
            break;
        }
        if (validate_is_control(cp)) {
            r = VALIDATE_ERR_CONTROL;
            break;
        }
        if (++chars > max_chars) {
            r = VALIDATE_ERR_TOO_LONG;
            break;
        }
        i += k;
    }
    validate_set_why(why, r);
    return r == VALIDATE_OK;
}

bool validate_text(const char *s, size_t len, size_t max_chars)
{
    return validate_text_why(s, len, max_chars, NULL);
}

size_t validate_utf8_prefix(const char *s, size_t len, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < len) {
        uint32_t cp;
        size_t k = validate_utf8_next(p + i, len - i, &cp);
        if (k == 0 || i + k > max)
            break;
        i += k;
    }
    return i;
}

size_t validate_copy_text(char *dst, size_t cap, const char *src)
{
    if (cap == 0)
        return 0;
    size_t len = 0;
    while (len < cap && src[len] != '\0')
        len++;
    size_t n = validate_utf8_prefix(src, len, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
    return n;
}

void validate_mask_idnum(const char *id18, char out[19])
{
    privacy_mask_idnum(id18, out);
}

void validate_mask_phone(const char *phone, char *out, size_t outlen)
{
    char buf[16];
    size_t n = strlen(phone);

    if (outlen == 0)
        return;
    switch (validate_phone_kind(phone)) {
    case VALIDATE_PHONE_MOBILE:
        memcpy(buf, phone, 3);
        memcpy(buf + 3, "****", 4);
        memcpy(buf + 7, phone + 7, 5);
        break;
    case VALIDATE_PHONE_FIXED:
        memcpy(buf, phone, n + 1);
        for (size_t i = (size_t)(strchr(phone, '-') - phone) + 1; i + 4 < n; i++)
            buf[i] = '*';
        break;
    case VALIDATE_PHONE_NONE:
    default:
        memcpy(buf, "****", 5);
        break;
    }
    if (strlen(buf) >= outlen)
        buf[0] = '\0';
    memcpy(out, buf, strlen(buf) + 1);
}
