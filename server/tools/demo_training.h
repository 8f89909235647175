/*
 * demo_training: demo courses, enrolments and results (see demo_training.c).
 * Blocking libpq, for the demo command only.
 */
#ifndef LEYE_DEMO_TRAINING_H
#define LEYE_DEMO_TRAINING_H

#include <libpq-fe.h>

/* Adds the courses to the demo data conn is loading, in its transaction.
 * Returns 0, or -1 after logging why. */
int demo_training_load(PGconn *conn) __attribute__((warn_unused_result));

#endif
