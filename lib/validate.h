/*
 * validate: checks and normalises what people type into forms: resident ID
 * numbers (GB 11643-1999), unified social credit codes (GB 32100-2015),
 * mainland phone numbers, ISO dates and UTF-8 text; and masks ID numbers and
 * phones for logs and lists.
 *
 * Pure C11 with libc only.  Every input is (pointer, length): the bytes need
 * no terminating NUL, and an embedded NUL is just an invalid character.  The
 * pointer may be NULL only when the length is 0.  Nothing here allocates or
 * keeps a pointer to its arguments.
 */
#ifndef LEYE_VALIDATE_H
#define LEYE_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

/* Why a check failed, so callers can name the exact problem. */
enum validate_reason {
    VALIDATE_OK = 0,
    VALIDATE_ERR_LENGTH,      /* wrong number of characters */
    VALIDATE_ERR_CHARSET,     /* a character outside the allowed set */
    VALIDATE_ERR_REGION,      /* division code is not a valid GB/T 2260 code */
    VALIDATE_ERR_BIRTH_DATE,  /* ID: not a real date, before 1900 or after today */
    VALIDATE_ERR_CHECK_DIGIT, /* last character does not match the checksum */
    VALIDATE_ERR_AUTHORITY,   /* credit code: unknown registration authority */
    VALIDATE_ERR_UTF8,        /* text: not strict UTF-8 */
    VALIDATE_ERR_CONTROL,     /* text: NUL or another control character */
    VALIDATE_ERR_TOO_LONG,    /* text: more code points than allowed */
};

/*
 * The field-error code of problem.c's catalogue that fits reason:
 * "invalid_format", "invalid_characters", "invalid_date", "check_digit",
 * "invalid_utf8" or "too_long".  A static string; never NULL.
 */
const char *validate_reason_code(enum validate_reason reason);

/* A valid resident ID number, taken apart. */
struct validate_idnum {
    char normalized[19]; /* 17 digits + check digit or upper-case 'X', NUL */
    int region;          /* positions 1-6, e.g. 530102 */
    int birth_year;
    int birth_month;
    int birth_day;
    char sex; /* 'M' if the 17th digit is odd, else 'F' */
};

/*
 * Checks an 18-character resident ID number: 17 digits and a check character
 * (digit, 'X' or 'x'), a province code from GB/T 2260 in positions 1-2, a
 * real birth date YYYYMMDD in positions 7-14 between 1900-01-01 and
 * today_yyyymmdd (the caller's local date, e.g. 20250630), and the ISO 7064
 * MOD 11-2 check character.  No surrounding spaces are allowed.
 *
 * Returns true and fills *out, or false with *out zeroed.  why (may be NULL)
 * receives VALIDATE_OK or the first rule broken, checked in this order:
 * LENGTH, CHARSET, REGION, BIRTH_DATE, CHECK_DIGIT.
 */
bool validate_idnum(const char *s, size_t len, int today_yyyymmdd, struct validate_idnum *out,
                    enum validate_reason *why) __attribute__((warn_unused_result));

/*
 * Checks an 18-character unified social credit code: characters from
 * "0123456789ABCDEFGHJKLMNPQRTUWXY" (lower case is accepted), a registration
 * authority 1-9, A-G, N or Y first, digits in positions 3-8 (the division of
 * the registering office) and the GB 32100 check character last.
 *
 * Returns true and writes the upper-case code to normalized, or false with
 * normalized set to "".  why (may be NULL) receives VALIDATE_OK or the first
 * rule broken, in this order: LENGTH, CHARSET, AUTHORITY, REGION, CHECK_DIGIT.
 */
bool validate_credit_code(const char *s, size_t len, char normalized[19], enum validate_reason *why)
    __attribute__((warn_unused_result));

enum validate_phone_kind {
    VALIDATE_PHONE_NONE = 0,
    VALIDATE_PHONE_MOBILE, /* "13812345678" */
    VALIDATE_PHONE_FIXED,  /* "0871-65123456" */
};

/*
 * Checks a mainland phone number and writes its normal form to normalized:
 *  - mobile: 11 digits 1[3-9]xxxxxxxxx, optionally after "+86" or "86";
 *    normal form is the 11 digits;
 *  - fixed line: area code (010, 02x, or 0 and three digits 3-9xx) and a
 *    7-8 digit number that does not start with 0 or 1; normal form is
 *    "<area>-<number>".
 * Single spaces or hyphens may separate digit groups, but not split the area
 * code or the "86".  Returns true, or false with normalized set to "".
 */
bool validate_phone_cn(const char *s, size_t len, char normalized[16])
    __attribute__((warn_unused_result));

/* The kind of a number in validate_phone_cn's normal form; NONE for anything else. */
enum validate_phone_kind validate_phone_kind(const char *normalized);

/*
 * True if s is strict UTF-8: shortest forms only, no surrogates
 * (U+D800-U+DFFF), nothing above U+10FFFF, no truncated sequence.
 */
bool validate_utf8(const char *s, size_t len) __attribute__((warn_unused_result));

/*
 * True if s is strict UTF-8 of at most max_chars code points with no control
 * characters: C0 (including NUL), DEL and C1 are refused; tab, LF and CR are
 * allowed.
 */
bool validate_text(const char *s, size_t len, size_t max_chars) __attribute__((warn_unused_result));

/*
 * As validate_text, and why (may be NULL) receives VALIDATE_OK, or the first
 * problem found scanning from the start: VALIDATE_ERR_UTF8,
 * VALIDATE_ERR_CONTROL or VALIDATE_ERR_TOO_LONG.
 */
bool validate_text_why(const char *s, size_t len, size_t max_chars, enum validate_reason *why)
    __attribute__((warn_unused_result));

/*
 * The byte length of the longest prefix of s[0..len) that is strict UTF-8 and
 * at most max bytes long: a cut never falls inside a character, and bytes
 * that are not UTF-8 end the prefix.
 */
size_t validate_utf8_prefix(const char *s, size_t len, size_t max);

/*
 * Copies into dst (cap bytes, NUL-terminated) the longest prefix of the
 * NUL-terminated src that validate_utf8_prefix accepts within cap - 1 bytes,
 * so text copied into a fixed buffer stays valid UTF-8 (jansson refuses
 * anything else).  Returns the bytes copied; less than strlen(src) means src
 * was cut or held bytes that are not UTF-8.  cap 0 copies nothing.
 */
size_t validate_copy_text(char *dst, size_t cap, const char *src);

/* True if (year, month, day) is a real Gregorian date with year 1-9999. */
bool validate_calendar_date(int year, int month, int day) __attribute__((warn_unused_result));

/*
 * Checks an ISO date "YYYY-MM-DD" (exactly 10 characters, a real calendar
 * date, year 0001-9999) and stores it as YYYYMMDD in *yyyymmdd; on failure
 * *yyyymmdd is 0.  Range checks (not in the future, ...) are the caller's.
 */
bool validate_date(const char *s, size_t len, int *yyyymmdd) __attribute__((warn_unused_result));

/*
 * Writes the first 6 and the last character of a NUL-terminated 18-character
 * ID number with 11 '*' between, e.g. "530102***********4" (the one mask of
 * lib/privacy.h).  Anything that is not 18 characters long becomes 18 '*'.
 * out is always NUL-terminated.
 */
void validate_mask_idnum(const char *id18, char out[19]);

/*
 * Masks a phone number in validate_phone_cn's normal form: mobile
 * "13812345678" -> "138****5678"; fixed line keeps the area code and the last
 * 4 digits: "0871-65123456" -> "0871-****3456".  Anything else becomes "****".
 * Writes "" when the result does not fit in outlen bytes (NUL included);
 * nothing when outlen is 0.  Needs at most 16 bytes.
 */
void validate_mask_phone(const char *phone, char *out, size_t outlen);

#endif
