/*
 * pgrows: picking rows out of a query result.
 */
#include "pgrows.h"

#include <stdbool.h>
#include <stdlib.h>

PGresult *pgrows_keyed(const PGresult *all, long long key)
{
    int nf = PQnfields(all) - 1;
    PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    PGresAttDesc attrs[64];
    if (!r || nf < 0 || nf > 64)
        goto fail;
    for (int j = 0; j < nf; j++) {
        attrs[j] =
            (PGresAttDesc){PQfname(all, j + 1),   PQftable(all, j + 1), PQftablecol(all, j + 1),
                           PQfformat(all, j + 1), PQftype(all, j + 1),  PQfsize(all, j + 1),
                           PQfmod(all, j + 1)};
    }
    if (!PQsetResultAttrs(r, nf, attrs))
        goto fail;
    for (int i = 0, row = 0; i < PQntuples(all); i++) {
        if (strtoll(PQgetvalue(all, i, 0), NULL, 10) != key)
            continue;
        for (int j = 0; j < nf; j++) {
            bool null = PQgetisnull(all, i, j + 1);
            if (!PQsetvalue(r, row, j, null ? NULL : PQgetvalue(all, i, j + 1),
                            null ? -1 : PQgetlength(all, i, j + 1)))
                goto fail;
        }
        row++;
    }
    return r;
fail:
    PQclear(r);
    return NULL;
}
