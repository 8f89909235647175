/*
 * rosterfill: the roster of an organised labour export trip, solved on the
 * solver thread (allocator.c) so that no event loop waits for it.
 *
 * POST /v1/export-trips/{id}/fill queues a run in PostgreSQL
 * (export_fill_run, migrations/047_trip_changes.sql) and notifies
 * leye_alloc.  The solver thread of any instance claims it with FOR UPDATE
 * SKIP LOCKED, scores every sign-up still to place against the trip's
 * vacancies on the matching index (hard filters first, the best score), lets
 * lib/alloc choose who goes (households with nobody employed first, then
 * households under monitoring, then the score) and stores the roster as the
 * staff member who asked.
 */
#ifndef LEYE_ROSTERFILL_H
#define LEYE_ROSTERFILL_H

#include <libpq-fe.h>
#include <stdbool.h>

/* Claims and runs one waiting roster fill on connection c (blocking libpq:
 * the solver thread's own) for runner.  Returns false when none was waiting
 * or the claim failed; *failed is set when the connection failed. */
bool rosterfill_take(PGconn *c, const char *runner, bool *failed);

#endif
