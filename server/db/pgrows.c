/*
 * pgrows: the keys of a query result's rows, and a row written as one JSON object.
 */
#include "pgrows.h"

#include "jsonrow.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

long long *pgrows_keys(const PGresult *all)
{
    int n = PQntuples(all);
    long long *keys = malloc((size_t)(n > 0 ? n : 1) * sizeof *keys);
    for (int i = 0; keys && i < n; i++)
        keys[i] = strtoll(PQgetvalue(all, i, 0), NULL, 10);
    return keys;
}

/* How a column of type oid is written in JSON, or -1 when its text is not
 * its JSON (pg_type.dat's oids). */
static int pgrows_kind(Oid type)
{
    switch (type) {
    case 16: /* bool */
        return JSONROW_BOOL;
    case 20:   /* int8 */
    case 21:   /* int2 */
    case 23:   /* int4 */
    case 114:  /* json */
    case 3802: /* jsonb */
        return JSONROW_RAW;
    case 25:   /* text */
    case 1042: /* bpchar */
    case 1043: /* varchar */
        return JSONROW_STRING;
    default:
        return -1;
    }
}

char *pgrows_object(const PGresult *res, int row, int from, size_t *len)
{
    struct jsonrow_col cols[64];
    int n = PQnfields(res) - from;
    if (from < 0 || n < 0 || n > 64 || row < 0 || row >= PQntuples(res))
        return NULL;
    for (int j = 0; j < n; j++) {
        int kind = pgrows_kind(PQftype(res, from + j));
        if (kind < 0)
            return NULL;
        bool null = PQgetisnull(res, row, from + j);
        const char *name = PQfname(res, from + j);
        cols[j] = (struct jsonrow_col){name, strlen(name), (enum jsonrow_kind)kind,
                                       null ? NULL : PQgetvalue(res, row, from + j),
                                       null ? 0 : (size_t)PQgetlength(res, row, from + j)};
    }
    return jsonrow_object(cols, n, len);
}
