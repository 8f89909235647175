/*
 * jv: declarative validation of JSON request bodies.
 *
 * A schema lists the accepted fields with their types and limits.  jv_check
 * refuses unknown fields, wrong types, out-of-range numbers, over-long or
 * control-character strings, bad dates, ID numbers, phone numbers and credit
 * codes, adding one {field, code, message} per fault to a problem object, and
 * returns a normalised copy of the input (ID numbers upper-cased, phones in
 * canonical form, enum arrays de-duplicated).
 */
#ifndef LEYE_JV_H
#define LEYE_JV_H

#include "problem.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

enum jv_type {
    JV_STRING, /* text, min..max characters */
    JV_INT,    /* integer, min..max */
    JV_NUMBER, /* integer or real, min..max */
    JV_BOOL,
    JV_DATE,        /* "YYYY-MM-DD" */
    JV_ENUM,        /* one of values */
    JV_ENUM_ARRAY,  /* array of distinct values, at most max */
    JV_ID,          /* positive integer id (min..max bounds ignored) */
    JV_REGION,      /* six-digit GB/T 2260 code as an integer */
    JV_IDNUM,       /* national ID number (GB 11643) */
    JV_PHONE,       /* mainland mobile or fixed-line number */
    JV_CREDIT_CODE, /* unified social credit code (GB 32100) */
    JV_OBJECTS,     /* array of objects (items), min..max entries */
    JV_ID_ARRAY,    /* array of positive integer ids, min..max entries (kept as given) */
};

#define JV_REQUIRED 1u /* must be present (not in partial mode) */
#define JV_NULLABLE 2u /* null is accepted */

struct jv_schema;

struct jv_field {
    const char *name;
    enum jv_type type;
    unsigned flags;
    int64_t min, max;
    const char *const *values;     /* JV_ENUM, JV_ENUM_ARRAY: NULL-terminated */
    const struct jv_schema *items; /* JV_OBJECTS */
};

struct jv_schema {
    const struct jv_field *fields;
    size_t n;
};

#define JV_SCHEMA(arr)                                                                             \
    {                                                                                              \
        arr, sizeof arr / sizeof arr[0]                                                            \
    }

/*
 * Checks obj against s.  In partial mode (PATCH) no field is required.
 * today is YYYYMMDD (ID numbers may not be born after it).  Faults are added
 * to problem with field names prefixed by prefix ("" at the top).  Returns a
 * new reference to the normalised object, or NULL when there was any fault
 * (or obj is not an object: one fault with field "").
 */
json_t *jv_check(const json_t *obj, const struct jv_schema *s, bool partial, int today,
                 const char *prefix, json_t *problem, enum problem_lang lang)
    __attribute__((warn_unused_result));

/* Number of field errors collected in problem so far. */
size_t jv_error_count(const json_t *problem);

#endif
