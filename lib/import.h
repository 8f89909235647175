/*
 * import: the cells of a CSV import of households or workers (POST
 * /v1/imports/households and /v1/imports/workers).  Pure C: no event loop,
 * no database, no threads, no globals.
 *
 * import_run reads a whole file (UTF-8 or GB18030, lib/csv.c) with a header
 * line in Chinese or English, checks every cell against its column (bounds
 * from lib/fields.h) and appends each good row to one PostgreSQL array
 * literal per column, in the order of the parameters of import_households
 * and import_workers (migrations/030_import_columns.sql); column 0 is the
 * file's line number.  A row with a bad cell adds nothing; each fault is an
 * object {line, column, field, code, message} in errors, at most
 * IMPORT_MAX_ERRORS of them.
 *
 * Secrets.  An ID number and a phone are checked here and handed, in their
 * normal form, to the caller's hooks, which give back the blind index and the
 * ciphertext to store; the module keeps no copy (its buffers are wiped).
 *
 * Ownership.  import_init sets a caller-owned struct import up and
 * import_free releases what it holds: the column arrays (out[k].p, which the
 * caller may take and set to NULL) and errors (a new reference owned by the
 * struct).  The input of import_run is read during the call only.
 *
 * Threads.  One struct import is used by one thread at a time; the hooks run
 * on that thread.  Different imports may run at once.
 */
#ifndef LEYE_IMPORT_H
#define LEYE_IMPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "problem.h"

#define IMPORT_WUR __attribute__((warn_unused_result))

#define IMPORT_MAX_ERRORS 1000
#define IMPORT_SEAL_MAX 160 /* a blind index or ciphertext in bytea hex, NUL included */

/* The column arrays of a household import. */
enum import_household_out {
    IMPORT_H_LINE,
    IMPORT_H_REF,
    IMPORT_H_SITE,
    IMPORT_H_COUNTY,
    IMPORT_H_VILLAGE,
    IMPORT_H_MEMBERS,
    IMPORT_H_MONITORING,
    IMPORT_H_FOUND_BY,
    IMPORT_H_FOUND_ON,
    IMPORT_H_NOUT
};

/* The column arrays of a worker import; the last three hold one element per
 * skill (its row's line, name and level), the others one per row. */
enum import_worker_out {
    IMPORT_W_LINE,
    IMPORT_W_SITE,
    IMPORT_W_REF,
    IMPORT_W_NAME,
    IMPORT_W_ID_HASH,
    IMPORT_W_ID_ENC,
    IMPORT_W_ID_MASKED,
    IMPORT_W_BIRTH,
    IMPORT_W_SEX,
    IMPORT_W_PHONE_HASH,
    IMPORT_W_PHONE_ENC,
    IMPORT_W_PHONE_MASKED,
    IMPORT_W_EDUCATION,
    IMPORT_W_MANDARIN,
    IMPORT_W_STATUS,
    IMPORT_W_COMMUTE,
    IMPORT_W_OUT_COUNTY,
    IMPORT_W_OUT_PROVINCE,
    IMPORT_W_ACCOMMODATION,
    IMPORT_W_WAGE_FLOOR,
    IMPORT_W_CONSENT,
    IMPORT_W_SKILL_LINE,
    IMPORT_W_SKILL,
    IMPORT_W_SKILL_LEVEL,
    IMPORT_W_NOUT
};

#define IMPORT_NOUT_MAX IMPORT_W_NOUT

/* What the hooks give back for one secret: both NUL-terminated. */
struct import_sealed {
    char hash[IMPORT_SEAL_MAX];
    char enc[IMPORT_SEAL_MAX];
};

/* Each returns 0, or -1 when the value cannot be sealed (the cell is then
 * refused as invalid_format).  The value is borrowed for the call. */
struct import_hooks {
    int (*seal_idnum)(void *ctx, const char *id18, struct import_sealed *out);
    int (*seal_phone)(void *ctx, const char *phone, struct import_sealed *out);
    void *ctx;
};

/* A PostgreSQL array literal under construction: {"a","b",NULL}. */
struct import_arr {
    char *p;
    size_t n, cap;
    size_t count; /* elements */
};

struct import {
    /* set by import_init */
    bool workers;
    enum problem_lang lang;
    int today; /* YYYYMMDD, for ages */
    struct import_hooks hooks;
    /* results of import_run */
    const char *fatal;    /* a problem code for the whole file, or NULL */
    const char *encoding; /* "UTF-8" or "GB18030", NULL before the file decodes */
    json_t *errors;       /* array of faults */
    size_t nrows, valid;  /* data rows read, rows kept */
    size_t nout;          /* IMPORT_H_NOUT or IMPORT_W_NOUT */
    struct import_arr out[IMPORT_NOUT_MAX];
    bool oom;
    /* the row being read */
    uint32_t written;       /* bit k: out[k] has the row's value */
    const char *monitoring; /* the household's monitoring status, or NULL */
};

/* Sets im up for a household (workers false) or worker import; today is
 * YYYYMMDD.  Returns 0, or -1 when out of memory (import_free still
 * applies). */
int import_init(struct import *im, bool workers, enum problem_lang lang, int today,
                const struct import_hooks *hooks) IMPORT_WUR;

/* Reads a whole file: fills fatal (the file cannot be read at all), or
 * errors, nrows, valid and the column arrays, each closed with '}'.  On
 * running out of memory sets oom and stops. */
void import_run(struct import *im, const char *data, size_t len);

/* True when name (n bytes) is one of aliases ("a|b|c"), compared without
 * regard to ASCII case.  Every CSV import reads its header with it. */
bool import_alias_is(const char *aliases, const char *name, size_t n);

/* Appends one fault {line, column, field, code, message in lang} to errors
 * (column left out when NULL), unless errors already holds max.  False when
 * out of memory.  Every CSV import reports its bad rows with it. */
bool import_fault_add(json_t *errors, size_t max, size_t line, const char *column,
                      const char *field, const char *code, enum problem_lang lang);

/* Adds one fault to errors (none past IMPORT_MAX_ERRORS). */
void import_error(struct import *im, size_t line, const char *column, const char *field,
                  const char *code);

/* Releases the column arrays and errors; im may be set up again. */
void import_free(struct import *im);

#endif
