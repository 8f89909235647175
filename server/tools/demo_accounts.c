/*
 * demo_accounts: the accounts a newcomer signs in with after `make run`.
 *
 * On the first start with demo data (no staff account yet, no accounts file),
 * makes an administrator, a county staff member of the county with the most
 * resettled households, a labour broker with an API key, and a job seeker's
 * kiosk PIN, all with random secrets; prints them once with the addresses of
 * the console and the kiosk, and writes the same text to a file only its
 * owner may read.  Blocking libpq: command line only (server/run-local.sh).
 */
#define _POSIX_C_SOURCE 200809L
#include "demo_accounts.h"

#include "auth.h"
#include "h_accounts.h"
#include "log.h"
#include "pii.h"

#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEMO_ACCOUNTS_TEXT_MAX 4096

struct demo_accounts {
    PGconn *conn;
    char admin_pw[H_ACCOUNTS_PASSWORD_LEN + 1];
    char county_pw[H_ACCOUNTS_PASSWORD_LEN + 1];
    char pin[7];
    char key[80];
    char id18[19];
    char county_code[16];
    char county_name[64];
    char worker_name[160];
};

/* Runs sql with n parameters; returns the result when it succeeded, else
 * NULL after logging what failed. */
static PGresult *demo_accounts_exec(struct demo_accounts *d, const char *what, const char *sql,
                                    int n, const char *const *v)
{
    PGresult *r = PQexecParams(d->conn, sql, n, NULL, v, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return r;
    log_error("demo accounts: %s: %s", what, PQerrorMessage(d->conn));
    PQclear(r);
    return NULL;
}

/* The first value of a one-row query into out (""
 * without a row); -1 when the query failed. */
static int demo_accounts_value(struct demo_accounts *d, const char *what, const char *sql, int n,
                               const char *const *v, char *out, size_t cap)
{
    PGresult *r = demo_accounts_exec(d, what, sql, n, v);
    if (!r)
        return -1;
    snprintf(out, cap, "%s", PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
    return 0;
}

static int demo_accounts_user(struct demo_accounts *d, const char *user, const char *role,
                              const char *counties, const char *display, const char *pw)
{
    char hash[crypto_pwhash_STRBYTES];
    if (auth_hash_password(pw, hash) != 0)
        return -1;
    const char *v[5] = {user, role, counties, hash, display};
    PGresult *r = demo_accounts_exec(
        d, "creating a staff account",
        "INSERT INTO staff_account (username, role, county_codes, password_hash, display_name) "
        "VALUES ($1, $2, $3::integer[], $4, $5)",
        5, v);
    PQclear(r);
    return r ? 0 : -1;
}

/* The broker "演示劳务公司" and a key with every scope. */
static int demo_accounts_broker(struct demo_accounts *d)
{
    unsigned char b[32], h[32];
    randombytes_buf(b, sizeof b);
    memcpy(d->key, "lyb_", 5);
    sodium_bin2base64(d->key + 4, sizeof d->key - 4, b, sizeof b,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    crypto_generichash(h, sizeof h, (const unsigned char *)d->key, strlen(d->key), NULL, 0);
    char hash[67];
    hash[0] = '\\';
    hash[1] = 'x';
    sodium_bin2hex(hash + 2, 65, h, sizeof h);
    const char *v[2] = {hash, d->key};
    PGresult *r = demo_accounts_exec(
        d, "creating the broker",
        "WITH b AS (INSERT INTO broker (name, contact_name) VALUES ('演示劳务公司', '演示联系人') "
        "RETURNING id) INSERT INTO broker_key (broker_id, key_hash, prefix, scopes, "
        "rate_per_minute) SELECT id, $1::bytea, left($2, 10), "
        "ARRAY['vacancies:read', 'matches:read', 'applications:write'], 600 FROM b",
        2, v);
    PQclear(r);
    return r ? 0 : -1;
}

/* A job seeker of the county: their ID number in clear (the demo's own, made
 * up), and a new kiosk PIN. */
static int demo_accounts_seeker(struct demo_accounts *d)
{
    const char *v[1] = {d->county_code};
    PGresult *r = demo_accounts_exec(
        d, "choosing a job seeker",
        "SELECT w.id, w.id_number_enc::text, w.name FROM worker w "
        "JOIN household h ON h.id = w.household_id JOIN site s ON s.id = h.site_id "
        "WHERE s.county_code = $1::integer AND w.employment_status = 'seeking' "
        "AND NOT w.archived ORDER BY w.id LIMIT 1",
        1, v);
    if (!r)
        return -1;
    int rc = -1;
    char wid[24], hash[crypto_pwhash_STRBYTES];
    if (PQntuples(r) == 1 && pii_decrypt_idnum(PQgetvalue(r, 0, 1), d->id18) == 0) {
        snprintf(wid, sizeof wid, "%s", PQgetvalue(r, 0, 0));
        snprintf(d->worker_name, sizeof d->worker_name, "%s", PQgetvalue(r, 0, 2));
        h_accounts_make_pin(d->pin);
        rc = auth_hash_password(d->pin, hash) == 0 ? 0 : -1;
    } else {
        log_error("demo accounts: no job seeker in county %s", d->county_code);
    }
    PQclear(r);
    if (rc < 0)
        return -1;
    const char *pv[2] = {wid, hash};
    r = demo_accounts_exec(d, "setting the kiosk PIN",
                           "INSERT INTO worker_pin (worker_id, pin_hash, set_by) VALUES "
                           "($1::bigint, $2, 'make run') ON CONFLICT (worker_id) DO UPDATE SET "
                           "pin_hash = EXCLUDED.pin_hash, failures = 0, locked = false",
                           2, pv);
    PQclear(r);
    return r ? 0 : -1;
}

/* Everything in one transaction, left open: the caller commits once the
 * secrets are safely written down, so that all the accounts exist or none. */
static int demo_accounts_make(struct demo_accounts *d)
{
    const char *none[1] = {NULL};
    if (demo_accounts_value(d, "choosing a county",
                            "SELECT s.county_code, r.name FROM site s JOIN household h ON "
                            "h.site_id = s.id JOIN region r ON r.code = s.county_code "
                            "GROUP BY 1, 2 ORDER BY count(*) DESC, 1 LIMIT 1",
                            0, none, d->county_code, sizeof d->county_code) < 0 ||
        !d->county_code[0])
        return -1;
    const char *cv[1] = {d->county_code};
    if (demo_accounts_value(d, "naming the county", "SELECT name FROM region WHERE code = $1", 1,
                            cv, d->county_name, sizeof d->county_name) < 0)
        return -1;
    char counties[24];
    snprintf(counties, sizeof counties, "{%s}", d->county_code);
    h_accounts_make_password(d->admin_pw);
    h_accounts_make_password(d->county_pw);
    PGresult *r = demo_accounts_exec(d, "starting", "BEGIN", 0, none);
    PQclear(r);
    if (!r)
        return -1;
    if (demo_accounts_user(d, "demo-admin", "admin", "{}", "演示管理员", d->admin_pw) < 0 ||
        demo_accounts_user(d, "demo-county", "county_staff", counties, "演示县级工作人员",
                           d->county_pw) < 0 ||
        demo_accounts_broker(d) < 0 || demo_accounts_seeker(d) < 0) {
        PQclear(PQexec(d->conn, "ROLLBACK"));
        return -1;
    }
    return 0;
}

/* The text printed once and kept in the file. */
static int demo_accounts_text(const struct demo_accounts *d, const char *base, char *out,
                              size_t cap)
{
    int n = snprintf(out, cap,
                     "Demo accounts (made once, on the first start with demo data)\n"
                     "\n"
                     "Staff console: %s/console/\n"
                     "  administrator (whole province)   user: demo-admin    password: %s\n"
                     "  county staff (%s %s)        user: demo-county   password: %s\n"
                     "\n"
                     "Job seeker kiosk: %s/kiosk/\n"
                     "  %s  ID number: %s  PIN: %s\n"
                     "\n"
                     "Labour broker API (演示劳务公司): curl -H 'Authorization: Bearer %s' "
                     "%s/v1/vacancies\n",
                     base, d->admin_pw, d->county_name, d->county_code, d->county_pw, base,
                     d->worker_name, d->id18, d->pin, d->key, base);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* Writes text to path, readable by its owner only; never replaces a file. */
static int demo_accounts_write(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        log_error("demo accounts: cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    int rc = off == len && fchmod(fd, 0600) == 0 ? 0 : -1;
    if (close(fd) != 0)
        rc = -1;
    return rc;
}

int demo_accounts_run(const char *conninfo, const char *path, const char *base_url)
{
    struct demo_accounts d = {0};
    char text[DEMO_ACCOUNTS_TEXT_MAX], have[16];
    const char *none[1] = {NULL};
    int rc = -1;
    if (access(path, F_OK) == 0) {
        printf("Demo accounts: %s (made at the first start)\nConsole: %s/console/  Kiosk: "
               "%s/kiosk/\n",
               path, base_url, base_url);
        return 0;
    }
    d.conn = PQconnectdb(conninfo);
    if (PQstatus(d.conn) != CONNECTION_OK) {
        log_error("demo accounts: cannot connect to the database: %s", PQerrorMessage(d.conn));
        goto done;
    }
    if (demo_accounts_value(&d, "looking for accounts",
                            "SELECT (SELECT count(*) FROM staff_account) || ' ' || "
                            "(SELECT count(*) FROM site)",
                            0, none, have, sizeof have) < 0)
        goto done;
    if (strncmp(have, "0 ", 2) != 0 || !strcmp(have, "0 0")) {
        /* staff accounts exist (a real deployment, or made by hand), or no demo data */
        printf("Demo accounts: none made (%s)\n",
               have[0] != '0' ? "staff accounts exist already" : "no demo data");
        rc = 0;
        goto done;
    }
    if (demo_accounts_make(&d) < 0)
        goto done;
    if (demo_accounts_text(&d, base_url, text, sizeof text) < 0 ||
        demo_accounts_write(path, text) < 0) {
        PQclear(PQexec(d.conn, "ROLLBACK"));
        goto done;
    }
    PGresult *r = demo_accounts_exec(&d, "committing", "COMMIT", 0, none);
    PQclear(r);
    if (!r) {
        unlink(path);
        goto done;
    }
    printf("%s\nThese are shown once; they are kept in %s (readable by you only).\n", text, path);
    fflush(stdout);
    rc = 0;
done:
    sodium_memzero(&d.admin_pw, sizeof d.admin_pw);
    sodium_memzero(&d.county_pw, sizeof d.county_pw);
    sodium_memzero(text, sizeof text);
    PQfinish(d.conn);
    sodium_memzero(&d, sizeof d);
    return rc;
}
