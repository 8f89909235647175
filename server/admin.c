#define _POSIX_C_SOURCE 200809L
#include "admin.h"

#include "auth.h"
#include "log.h"

#include <libpq-fe.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ADMIN_MAX_ARGS 16

struct admin_args {
    int n;
    const char *name[ADMIN_MAX_ARGS];
    const char *value[ADMIN_MAX_ARGS];
};

static int admin_parse(int argc, char **argv, struct admin_args *a)
{
    a->n = 0;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        const char *eq = strchr(s, '=');
        if (strncmp(s, "--", 2) != 0 || !eq || a->n == ADMIN_MAX_ARGS) {
            fprintf(stderr, "arguments are --name=value, not \"%s\"\n", s);
            return -1;
        }
        argv[i][eq - s] = '\0';
        a->name[a->n] = s + 2;
        a->value[a->n++] = eq + 1;
    }
    return 0;
}

static const char *admin_arg(const struct admin_args *a, const char *name)
{
    for (int i = 0; i < a->n; i++)
        if (!strcmp(a->name[i], name))
            return a->value[i];
    return NULL;
}

/* The password: from the variable named by --password-env, else from stdin. */
static char *admin_password(const struct admin_args *a)
{
    const char *env = admin_arg(a, "password-env");
    if (env) {
        const char *v = getenv(env);
        if (!v || strlen(v) < 10) {
            fprintf(stderr, "%s must hold a password of at least 10 characters\n", env);
            return NULL;
        }
        return strdup(v);
    }
    char buf[256];
    fprintf(stderr, "password (at least 10 characters): ");
    if (!fgets(buf, sizeof buf, stdin))
        return NULL;
    buf[strcspn(buf, "\r\n")] = '\0';
    if (strlen(buf) < 10) {
        fprintf(stderr, "too short\n");
        return NULL;
    }
    char *p = strdup(buf);
    sodium_memzero(buf, sizeof buf);
    return p;
}

static int admin_exec(PGconn *c, const char *sql, int n, const char *const *v)
{
    PGresult *r = PQexecParams(c, sql, n, NULL, v, NULL, NULL, 0);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "%s", PQerrorMessage(c));
    else if (PQntuples(r) > 0)
        printf("%s\n", PQgetvalue(r, 0, 0));
    PQclear(r);
    return ok ? 0 : 1;
}

/* create-user --username= --role= [--counties=530621,530602] [--sites=1,2]
 * [--display-name=] [--password-env=VAR]; an existing user gets the new
 * password and role (all their sessions end). */
static int admin_create_user(PGconn *c, const struct admin_args *a, bool only_password)
{
    const char *user = admin_arg(a, "username");
    const char *role = admin_arg(a, "role");
    if (!user || (!only_password && !role)) {
        fprintf(stderr, "needs --username=%s\n", only_password ? "" : " and --role=");
        return 2;
    }
    char *pw = admin_password(a);
    if (!pw)
        return 2;
    char hash[crypto_pwhash_STRBYTES];
    int rc = auth_hash_password(pw, hash);
    sodium_memzero(pw, strlen(pw));
    free(pw);
    if (rc != 0)
        return 1;
    char counties[512], sites[512];
    snprintf(counties, sizeof counties, "{%s}",
             admin_arg(a, "counties") ? admin_arg(a, "counties") : "");
    snprintf(sites, sizeof sites, "{%s}", admin_arg(a, "sites") ? admin_arg(a, "sites") : "");
    const char *dn = admin_arg(a, "display-name");
    if (only_password) {
        const char *v[2] = {user, hash};
        return admin_exec(c,
                          "WITH u AS (UPDATE staff_account SET password_hash = $2, "
                          "password_changed_at = now(), failed_logins = 0, locked_until = NULL "
                          "WHERE username = $1 RETURNING id), "
                          "s AS (UPDATE staff_session SET revoked_at = now() WHERE account_id IN "
                          "(SELECT id FROM u) AND revoked_at IS NULL) "
                          "SELECT CASE WHEN EXISTS (SELECT 1 FROM u) THEN 'password set' "
                          "ELSE 'no such user' END",
                          2, v);
    }
    const char *v[6] = {user, role, counties, sites, hash, dn ? dn : ""};
    return admin_exec(c,
                      "INSERT INTO staff_account (username, role, county_codes, site_ids, "
                      "password_hash, display_name) VALUES ($1, $2, $3::integer[], $4::bigint[], "
                      "$5, $6) ON CONFLICT (username) DO UPDATE SET role = EXCLUDED.role, "
                      "county_codes = EXCLUDED.county_codes, site_ids = EXCLUDED.site_ids, "
                      "password_hash = EXCLUDED.password_hash, password_changed_at = now(), "
                      "failed_logins = 0, locked_until = NULL RETURNING 'user ' || id",
                      6, v);
}

int admin_main(const char *conninfo, int argc, char **argv)
{
    struct admin_args a;
    if (argc < 1 || admin_parse(argc, argv, &a) < 0) {
        fprintf(stderr, "usage: leye-server admin create-user|set-password [--name=value ...]\n");
        return 2;
    }
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "cannot connect to the database: %s", PQerrorMessage(c));
        PQfinish(c);
        return 1;
    }
    int rc = 2;
    if (!strcmp(argv[0], "create-user"))
        rc = admin_create_user(c, &a, false);
    else if (!strcmp(argv[0], "set-password"))
        rc = admin_create_user(c, &a, true);
    else
        fprintf(stderr, "unknown admin command \"%s\"\n", argv[0]);
    PQfinish(c);
    return rc;
}
