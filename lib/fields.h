/*
 * fields: the bounds of the fields people type, in one table.  Pure C: no
 * event loop, no database, no threads; the table is constant.
 *
 * Each entry names a field, its kind (an integer's value or a text's length
 * in characters), its least and greatest allowed value, and the table and
 * column whose CHECK constraint in migrations/ holds the same bounds (NULL
 * where the schema has none).  The JSON checks of the handlers
 * (FIELDS_MIN/FIELDS_MAX in a jv_field initializer), the CSV import
 * (lib/import.c) and the kiosk take their bounds from here;
 * tests/integration/05_schema.t checks the constraints against the table.
 *
 * FIELDS_MIN(ID) and FIELDS_MAX(ID) are integer constant expressions, fit
 * for static initializers.
 */
#ifndef LEYE_FIELDS_H
#define LEYE_FIELDS_H

#include <stddef.h>

enum fields_kind {
    FIELDS_INT, /* the value */
    FIELDS_TEXT /* the length in characters */
};

/* X(ID, field, table, column, kind, min, max) */
/* clang-format off */
#define FIELDS_TABLE(X) \
    X(HOUSEHOLD_REF,         "household_ref",         "household",     "ref",                FIELDS_TEXT, 1, 40) \
    X(ORIGIN_COUNTY_CODE,    "origin_county_code",    "region",        "code",               FIELDS_INT,  110000, 829999) \
    X(ORIGIN_VILLAGE,        "origin_village",        "household",     "origin_village",     FIELDS_TEXT, 0, 100) \
    X(HOUSEHOLD_MEMBERS,     "members",               "household",     "members",            FIELDS_INT,  1, 30) \
    X(WORKER_NAME,           "name",                  "worker",        "name",               FIELDS_TEXT, 1, 50) \
    X(WORKER_AGE,            "age",                   NULL,            NULL,                 FIELDS_INT,  16, 65) \
    X(MAX_COMMUTE_KM,        "max_commute_km",        "worker",        "max_commute_km",     FIELDS_INT,  0, 3000) \
    X(WAGE_FLOOR,            "wage_floor",            "worker",        "wage_floor",         FIELDS_INT,  0, 100000) \
    X(SKILL_LEVEL,           "level",                 "worker_skill",  "level",              FIELDS_INT,  1, 5) \
    X(SKILL_NAME,            "skill",                 NULL,            NULL,                 FIELDS_TEXT, 1, 50) \
    X(TRAINING_NAME,         "name",                  "worker_training", "name",             FIELDS_TEXT, 1, 100) \
    X(TRAINING_PROVIDER,     "provider",              "worker_training", "provider",         FIELDS_TEXT, 0, 100) \
    X(CERTIFICATE_NUMBER,    "number",                "worker_certificate", "number",        FIELDS_TEXT, 0, 64)
/* clang-format on */

#define FIELDS_ENUM_(id, field, table, column, kind, min, max)                                     \
    FIELDS_##id##_MIN_ = (min), FIELDS_##id##_MAX_ = (max),
enum { FIELDS_TABLE(FIELDS_ENUM_) FIELDS_BOUNDS_END_ };
#undef FIELDS_ENUM_

#define FIELDS_MIN(id) FIELDS_##id##_MIN_
#define FIELDS_MAX(id) FIELDS_##id##_MAX_

struct fields_bound {
    const char *field;
    const char *table; /* where the schema checks it, or NULL */
    const char *column;
    enum fields_kind kind;
    long min, max;
};

/* The table, and its number of entries. */
extern const struct fields_bound fields_table[];
extern const size_t fields_count;

#endif
