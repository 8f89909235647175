/*
 * demo: realistic demo data for a newcomer's first look (make run).
 * Uses blocking libpq: command line only, never on an event loop.
 */
#ifndef LEYE_DEMO_H
#define LEYE_DEMO_H

/* Loads demo data unless the database already has sites.  Returns 0 or -1. */
int demo_run(const char *conninfo) __attribute__((warn_unused_result));

#endif
