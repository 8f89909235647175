/*
 * migrate: applies the embedded migrations (migrations/NNN_name.sql) in
 * order, each in its own transaction, recorded with a SHA-256 checksum in
 * schema_migrations, under an advisory lock so that instances starting
 * together do not race.  An applied migration whose text changed is refused.
 *
 * Uses blocking libpq: only for the command line and before serving starts,
 * never on an event loop.
 */
#ifndef LEYE_MIGRATE_H
#define LEYE_MIGRATE_H

/* Applies pending migrations.  Returns 0, or -1 after logging the reason. */
int migrate_run(const char *conninfo) __attribute__((warn_unused_result));

/* Highest embedded migration version: the schema version this build needs. */
int migrate_latest_version(void);

/* Runs a SQL script (no parameters) in one transaction.  For demo data. */
int migrate_exec_script(const char *conninfo, const char *name, const char *sql)
    __attribute__((warn_unused_result));

#endif
