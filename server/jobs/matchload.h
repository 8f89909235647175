/*
 * matchload: the workers and households of a full load of the matching
 * index (matchidx.c), read by binary COPY.
 *
 * PostgreSQL scans each table once (migrations/056_load_speed.sql):
 * households with the county and position of their site, workers by id,
 * and their skills, certificates and posts by worker.  The loader keeps the
 * small tables and the skills in memory, then files each worker as its row
 * arrives, with the household's site and its own skills, certificates and
 * posts looked up by a cursor that moves with the ordered worker stream.
 * Given a second connection (in the same snapshot), the workers are split at
 * the middle id: the first connection reads the households, certificates,
 * posts and the skills of the lower half, the second the skills of the upper
 * half, then each reads its half of the workers.
 *
 * Everything runs on the calling thread; the connections block.
 */
#ifndef LEYE_MATCHLOAD_H
#define LEYE_MATCHLOAD_H

#include "bgthread.h"

#include "match/match.h"

#include <libpq-fe.h>
#include <stdint.h>

/*
 * Files every household and worker not archived into idx, reading on c and,
 * when h is not NULL, on h too; both must be in one transaction snapshot.
 * t is the calling thread: a stop it is asked for ends the load.  Returns
 * 0, or -1 (logged) with idx partly filled and the connections possibly in
 * the middle of a COPY (the caller drops them).
 */
int matchload_records(PGconn *c, PGconn *h, struct match_index *idx, struct bgthread *t)
    __attribute__((warn_unused_result));

/* The kinds of work in a comma-separated list ("regular,workshop") as
 * match_worker.kinds_wanted bits; unknown names are left out. */
uint8_t matchload_kinds(const char *list);

#endif
