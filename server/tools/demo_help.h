/*
 * demo_help: demo self-applications, a department list with two
 * disagreements, and recorded ethnicity (see demo_help.c).  Blocking libpq:
 * command line only, inside the demo loader's transaction.
 */
#ifndef LEYE_DEMO_HELP_H
#define LEYE_DEMO_HELP_H

#include <libpq-fe.h>

/* Loads them after the people exist.  Returns 0, or -1 (logged). */
int demo_help_load(PGconn *conn) __attribute__((warn_unused_result));

#endif
