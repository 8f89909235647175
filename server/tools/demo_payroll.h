/* demo_payroll: demo data of the work-relief payroll and the managed posts
 * (see demo_payroll.c).  Blocking libpq: command line only. */
#ifndef LEYE_DEMO_PAYROLL_H
#define LEYE_DEMO_PAYROLL_H

#include <libpq-fe.h>

/* Writes attendance, pay sheets, cards, payments, post terms, assessments
 * and subsidies from the demo data already in the open transaction on conn.
 * Returns 0, or -1 after logging. */
int demo_payroll_run(PGconn *conn) __attribute__((warn_unused_result));

#endif
