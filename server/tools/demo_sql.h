/*
 * demo_sql: runs one piece of the demo's SQL on the demo's connection (the
 * transaction server/tools/demo.c opened), and logs it when it fails.
 */
#ifndef LEYE_DEMO_SQL_H
#define LEYE_DEMO_SQL_H

#include <libpq-fe.h>
#include <stdbool.h>

/* Runs sql (commands or queries, results discarded); false after logging
 * "demo data (what): ..." when it fails. */
bool demo_sql_run(PGconn *conn, const char *what, const char *sql)
    __attribute__((warn_unused_result));

#endif
