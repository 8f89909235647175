/*
 * demo_export: demo labour export trips (see demo_export.c), loaded by
 * demo_run in its transaction.  Blocking libpq: command line only.
 */
#ifndef LEYE_DEMO_EXPORT_H
#define LEYE_DEMO_EXPORT_H

#include <libpq-fe.h>

/* Adds the trips to the demo data on conn.  Returns 0 or -1 (logged). */
int demo_export_load(PGconn *conn) __attribute__((warn_unused_result));

#endif
