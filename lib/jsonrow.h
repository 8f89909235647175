/*
 * jsonrow: one row of named columns written as one JSON object, the members
 * in the columns' order.  The database sends a record's members as columns
 * (migrations/064_worker_read_members.sql); writing the object here spares
 * it row_to_json, which looks every column's type up again for every row.
 *
 * A column's value is the text the database sends for it.  It is written
 * as a string (escaped exactly as PostgreSQL's json output escapes it), as
 * true or false (from "t" or "f"), or as it is, for values whose text is
 * already their JSON (integers, json).  A NULL value is written as null.
 */
#ifndef LEYE_JSONROW_H
#define LEYE_JSONROW_H

#include <stddef.h>

enum jsonrow_kind {
    JSONROW_RAW,    /* the text is the JSON value: integers, json */
    JSONROW_STRING, /* the text is written as a JSON string */
    JSONROW_BOOL,   /* "t" is true, anything else false */
};

struct jsonrow_col {
    const char *name; /* the member's name, written as a JSON string */
    size_t name_len;  /* bytes of name */
    enum jsonrow_kind kind;
    const char *value; /* NULL for SQL NULL */
    size_t len;        /* bytes of value */
};

/*
 * The object of the n columns as a new NUL-terminated string of *len bytes
 * (the caller frees it), or NULL when memory runs out or a RAW value is
 * empty (no JSON value is the empty text).
 */
char *jsonrow_object(const struct jsonrow_col *cols, int n, size_t *len)
    __attribute__((warn_unused_result));

#endif
