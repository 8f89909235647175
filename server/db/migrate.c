#define _POSIX_C_SOURCE 200809L
#include "migrate.h"

#include "embedded.h"
#include "log.h"

#include <libpq-fe.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define MIGRATE_LOCK_KEY "7243900115"

static bool migrate_ok(PGconn *c, PGresult *r, const char *what)
{
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return true;
    log_error("%s: %s", what, PQerrorMessage(c));
    return false;
}

static bool migrate_exec(PGconn *c, const char *sql, const char *what)
{
    PGresult *r = PQexec(c, sql);
    bool ok = migrate_ok(c, r, what);
    PQclear(r);
    return ok;
}

static void migrate_checksum(const struct embedded_migration *m, char hex[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)m->sql, m->len);
    sodium_bin2hex(hex, 65, h, sizeof h);
}

/* 1 when applied with the same checksum, 0 when not applied, -1 on a change or error. */
static int migrate_applied(PGconn *c, const struct embedded_migration *m, const char *sum)
{
    char ver[16];
    snprintf(ver, sizeof ver, "%d", m->version);
    const char *params[1] = {ver};
    PGresult *r = PQexecParams(c, "SELECT checksum, name FROM schema_migrations WHERE version = $1",
                               1, NULL, params, NULL, NULL, 0);
    int result = -1;
    if (!migrate_ok(c, r, "reading schema_migrations"))
        goto done;
    if (PQntuples(r) == 0) {
        result = 0;
        goto done;
    }
    if (strcmp(PQgetvalue(r, 0, 0), sum) != 0) {
        log_error("migration %s was changed after it was applied (applied checksum %.12s…, "
                  "file now %.12s…); restore the file and add a new migration instead",
                  m->name, PQgetvalue(r, 0, 0), sum);
        goto done;
    }
    result = 1;
done:
    PQclear(r);
    return result;
}

static bool migrate_apply(PGconn *c, const struct embedded_migration *m, const char *sum)
{
    char what[128];
    snprintf(what, sizeof what, "migration %s", m->name);
    if (!migrate_exec(c, "BEGIN", what))
        return false;
    if (!migrate_exec(c, m->sql, what)) {
        migrate_exec(c, "ROLLBACK", what);
        return false;
    }
    char ver[16];
    snprintf(ver, sizeof ver, "%d", m->version);
    const char *params[3] = {ver, m->name, sum};
    PGresult *r = PQexecParams(
        c, "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", 3, NULL,
        params, NULL, NULL, 0);
    bool ok = migrate_ok(c, r, what);
    PQclear(r);
    if (!ok || !migrate_exec(c, "COMMIT", what)) {
        migrate_exec(c, "ROLLBACK", what);
        return false;
    }
    log_info("applied migration %s", m->name);
    return true;
}

static PGconn *migrate_connect(const char *conninfo)
{
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        log_error("cannot connect to the database: %s", PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    PQclear(PQexec(c, "SET client_min_messages = warning"));
    return c;
}

int migrate_run(const char *conninfo)
{
    if (sodium_init() < 0)
        return -1;
    PGconn *c = migrate_connect(conninfo);
    if (!c)
        return -1;
    int rc = -1;
    if (!migrate_exec(c, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", "taking the lock"))
        goto done;
    if (!migrate_exec(c,
                      "CREATE TABLE IF NOT EXISTS schema_migrations ("
                      " version integer PRIMARY KEY, name text NOT NULL,"
                      " checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
                      "creating schema_migrations"))
        goto unlock;
    for (size_t i = 0; i < embedded_migrations_count; i++) {
        const struct embedded_migration *m = &embedded_migrations[i];
        char sum[65];
        migrate_checksum(m, sum);
        int applied = migrate_applied(c, m, sum);
        if (applied < 0 || (applied == 0 && !migrate_apply(c, m, sum)))
            goto unlock;
    }
    rc = 0;
unlock:
    migrate_exec(c, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")", "releasing the lock");
done:
    PQfinish(c);
    return rc;
}

int migrate_latest_version(void)
{
    return embedded_migrations_count ? embedded_migrations[embedded_migrations_count - 1].version
                                     : 0;
}

int migrate_exec_script(const char *conninfo, const char *name, const char *sql)
{
    PGconn *c = migrate_connect(conninfo);
    if (!c)
        return -1;
    int rc = -1;
    if (migrate_exec(c, "BEGIN", name) && migrate_exec(c, sql, name) &&
        migrate_exec(c, "COMMIT", name))
        rc = 0;
    PQfinish(c);
    return rc;
}
