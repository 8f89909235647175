#define _POSIX_C_SOURCE 200809L
#include "admin.h"

#include "auth.h"
#include "log.h"
#include "pii.h"
#include "pii_accounts.h"
#include "piiconv.h"
#include "token.h"
#include "validate.h"

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

/* create-broker --name= [--contact=] */
static int admin_create_broker(PGconn *c, const struct admin_args *a)
{
    const char *name = admin_arg(a, "name");
    if (!name) {
        fprintf(stderr, "needs --name=\n");
        return 2;
    }
    const char *contact = admin_arg(a, "contact");
    const char *v[2] = {name, contact ? contact : ""};
    return admin_exec(c,
                      "INSERT INTO broker (name, contact_name) VALUES ($1, $2) "
                      "RETURNING 'broker ' || id",
                      2, v);
}

#define ADMIN_RATE_DEFAULT "120"
#define ADMIN_RATE_MAX 100000 /* broker_key.rate_per_minute (migrations/012) */

/* create-key --broker= --scopes=vacancies:read,matches:read [--rate=120]: prints the key
 * once, with its rate in requests per minute; only its hash is kept.  Rotate by
 * creating a new key, then revoking the old. */
static int admin_create_key(PGconn *c, const struct admin_args *a)
{
    const char *broker = admin_arg(a, "broker"), *scopes = admin_arg(a, "scopes");
    const char *rate = admin_arg(a, "rate");
    if (!broker || !scopes) {
        fprintf(stderr, "needs --broker= and --scopes=\n");
        return 2;
    }
    char *end = NULL;
    long r = rate ? strtol(rate, &end, 10) : 0;
    if (rate && (!*rate || *end || r < 1 || r > ADMIN_RATE_MAX)) {
        fprintf(stderr, "--rate is requests per minute, a whole number from 1 to %d, not \"%s\"\n",
                ADMIN_RATE_MAX, rate);
        return 2;
    }
    char key[TOKEN_MAX], hash[TOKEN_HASH_HEX], sc[256];
    token_new("lyb_", key, sizeof key);
    token_hash(key, hash);
    snprintf(sc, sizeof sc, "{%s}", scopes);
    const char *v[5] = {broker, hash, sc, rate ? rate : ADMIN_RATE_DEFAULT, key};
    return admin_exec(c,
                      "INSERT INTO broker_key (broker_id, key_hash, prefix, scopes, "
                      "rate_per_minute) VALUES ($1::bigint, $2::bytea, left($5, 10), "
                      "$3::text[], $4::integer) RETURNING 'key ' || id || ' ' || $5 || "
                      "' (rate limit: ' || rate_per_minute || ' requests per minute)'",
                      5, v);
}

/* revoke-key --key=<id>: exits 1 when there is no such key or it was
 * already revoked. */
static int admin_revoke_key(PGconn *c, const struct admin_args *a)
{
    const char *key = admin_arg(a, "key");
    if (!key || !*key || strspn(key, "0123456789") != strlen(key) || strlen(key) > 18) {
        fprintf(stderr, "needs --key=<key id>, the number create-key printed after \"key\"\n");
        return 2;
    }
    const char *v[1] = {key};
    PGresult *r =
        PQexecParams(c,
                     "WITH k AS (SELECT id, revoked_at FROM broker_key WHERE id = $1::bigint), "
                     "u AS (UPDATE broker_key b SET revoked_at = now() FROM k "
                     "      WHERE b.id = k.id AND k.revoked_at IS NULL RETURNING b.id) "
                     "SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM k) THEN 'unknown' "
                     "            WHEN EXISTS (SELECT 1 FROM u) THEN 'revoked' ELSE 'already' END, "
                     "       (SELECT to_char(revoked_at AT TIME ZONE 'Asia/Shanghai', "
                     "                       'YYYY-MM-DD HH24:MI') FROM k)",
                     1, NULL, v, NULL, NULL, 0);
    int rc = 1;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "%s", PQerrorMessage(c));
    } else if (!strcmp(PQgetvalue(r, 0, 0), "revoked")) {
        printf("revoked key %s\n", key);
        rc = 0;
    } else if (!strcmp(PQgetvalue(r, 0, 0), "unknown")) {
        fprintf(stderr, "no broker key %s\n", key);
    } else {
        fprintf(stderr, "broker key %s was already revoked (%s, China time)\n", key,
                PQgetvalue(r, 0, 1));
    }
    PQclear(r);
    return rc;
}

/* reset-pin --worker= --pin-env=VAR: sets a kiosk PIN and unlocks it */
static int admin_reset_pin(PGconn *c, const struct admin_args *a)
{
    const char *worker = admin_arg(a, "worker"), *env = admin_arg(a, "pin-env");
    const char *pin = env ? getenv(env) : NULL;
    if (!worker || !pin || strlen(pin) != 6 || strspn(pin, "0123456789") != 6) {
        fprintf(stderr, "needs --worker= and --pin-env= naming a variable with 6 digits\n");
        return 2;
    }
    char hash[crypto_pwhash_STRBYTES];
    if (auth_hash_password(pin, hash) != 0)
        return 1;
    const char *v[2] = {worker, hash};
    return admin_exec(
        c,
        "INSERT INTO worker_pin (worker_id, pin_hash, set_by) VALUES ($1::bigint, $2, "
        "'command line') ON CONFLICT (worker_id) DO UPDATE SET pin_hash = "
        "EXCLUDED.pin_hash, failures = 0, locked = false, set_at = now(), set_by = "
        "EXCLUDED.set_by RETURNING 'pin set for worker ' || worker_id",
        2, v);
}

/* id-hash --id-number=: the blind index of an ID number, to find a worker with SQL */
static int admin_id_hash(const struct admin_args *a)
{
    const char *id = admin_arg(a, "id-number");
    struct validate_idnum n;
    enum validate_reason why;
    if (!id || !validate_idnum(id, strlen(id), 99991231, &n, &why)) {
        fprintf(stderr, "needs a valid --id-number=\n");
        return 2;
    }
    char hash[PII_HASH_HEX];
    pii_hash_idnum(n.normalized, hash);
    printf("%s\n", hash);
    return 0;
}

/* The plain ID numbers and phones of a rotation, decrypted with the current key. */
struct admin_plain {
    char id18[19];
    char phone[PII_PHONE_MAX]; /* "" without a phone */
};

/* Decrypts the rows of r (id, id_number_enc, phone_enc) into a new array, or
 * NULL after saying which row failed. */
static struct admin_plain *admin_decrypt_all(PGresult *r)
{
    int n = PQntuples(r);
    struct admin_plain *p = calloc((size_t)n + 1, sizeof *p);
    for (int i = 0; p && i < n; i++)
        if (pii_decrypt_idnum(PQgetvalue(r, i, 1), p[i].id18) < 0 ||
            (!PQgetisnull(r, i, 2) && pii_decrypt_phone(PQgetvalue(r, i, 2), p[i].phone) < 0)) {
            fprintf(stderr, "worker %s cannot be decrypted with the current key\n",
                    PQgetvalue(r, i, 0));
            sodium_memzero(p, (size_t)n * sizeof *p);
            free(p);
            p = NULL;
        }
    return p;
}

/* Writes one worker's ID number and phone under the key now loaded. */
static int admin_reencrypt(PGconn *c, const char *id, const struct admin_plain *p)
{
    char hash[PII_HASH_HEX], enc[PII_ENC_HEX], phash[PII_HASH_HEX], penc[PII_PHONE_ENC_HEX];
    pii_hash_idnum(p->id18, hash);
    if (pii_encrypt_idnum(p->id18, enc) < 0)
        return -1;
    if (p->phone[0]) {
        pii_hash_phone(p->phone, phash);
        if (pii_encrypt_phone(p->phone, penc) < 0)
            return -1;
    }
    const char *v[5] = {id, hash, enc, p->phone[0] ? phash : NULL, p->phone[0] ? penc : NULL};
    PGresult *u = PQexecParams(c,
                               "UPDATE worker SET id_number_hash = $2::bytea, "
                               "id_number_enc = $3::bytea, phone_hash = $4::bytea, "
                               "phone_enc = $5::bytea WHERE id = $1::bigint",
                               5, NULL, v, NULL, NULL, 0);
    int rc = PQresultStatus(u) == PGRES_COMMAND_OK ? 0 : -1;
    if (rc < 0)
        fprintf(stderr, "%s", PQerrorMessage(c));
    PQclear(u);
    return rc;
}

/* A webhook signing secret opened with the current key (migration 048). */
struct admin_secret {
    char id[24];
    char plain[PII_WHSEC_MAX];
};

/* Every sealed webhook secret, opened; *n their number.  NULL after saying
 * which failed (an empty table gives a non-NULL array). */
static struct admin_secret *admin_secrets_read(PGconn *c, int *n)
{
    PGresult *r = PQexec(c, "SELECT id, secret_enc::text FROM notify_endpoint_secret "
                            "WHERE secret_enc IS NOT NULL ORDER BY id FOR UPDATE");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "%s", PQerrorMessage(c));
        PQclear(r);
        return NULL;
    }
    *n = PQntuples(r);
    struct admin_secret *s = calloc((size_t)*n + 1, sizeof *s);
    for (int i = 0; s && i < *n; i++) {
        snprintf(s[i].id, sizeof s[i].id, "%s", PQgetvalue(r, i, 0));
        if (pii_decrypt_whsec(PQgetvalue(r, i, 1), s[i].plain) < 0) {
            fprintf(stderr, "webhook secret %s does not open with the current key\n", s[i].id);
            sodium_memzero(s, ((size_t)*n + 1) * sizeof *s);
            free(s);
            s = NULL;
        }
    }
    PQclear(r);
    return s;
}

/* Seals s[0..n) with the key now loaded.  Frees s.  Returns 0 or -1. */
static int admin_secrets_write(PGconn *c, struct admin_secret *s, int n)
{
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        char enc[PII_WHSEC_ENC_HEX];
        const char *v[2] = {s[i].id, enc};
        if (pii_encrypt_whsec(s[i].plain, enc) < 0) {
            rc = -1;
            break;
        }
        PGresult *u = PQexecParams(c,
                                   "UPDATE notify_endpoint_secret SET secret_enc = $2::bytea "
                                   "WHERE id = $1::bigint",
                                   2, NULL, v, NULL, NULL, 0);
        if (PQresultStatus(u) != PGRES_COMMAND_OK) {
            fprintf(stderr, "%s", PQerrorMessage(c));
            rc = -1;
        }
        PQclear(u);
    }
    sodium_memzero(s, ((size_t)n + 1) * sizeof *s);
    free(s);
    return rc;
}

/* rotate-pii-key --new-key-file=F: re-encrypts every stored ID number,
 * phone and bank account and recomputes their blind indexes under the new key, and
 * seals every webhook signing secret again, in one transaction (plain phones and
 * readable secrets left by older releases are encrypted first).
 * Stop the servers first and start them again with the new key. */
static int admin_rotate_pii_key(PGconn *c, const struct admin_args *a)
{
    const char *file = admin_arg(a, "new-key-file");
    if (!file || !pii_ready()) {
        fprintf(stderr, "needs the current key (LEYE_PII_KEY_FILE) and --new-key-file=\n");
        return 2;
    }
    if (piiconv_phones(c) < 0 || piiconv_webhook_secrets(c) < 0)
        return 1;
    PGresult *r = PQexec(c, "BEGIN; LOCK TABLE worker IN EXCLUSIVE MODE; "
                            "SELECT id, id_number_enc::text, phone_enc::text FROM worker "
                            "ORDER BY id");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "%s", PQerrorMessage(c));
        PQclear(r);
        return 1;
    }
    int n = PQntuples(r);
    struct admin_plain *plain = admin_decrypt_all(r);
    struct pii_accounts *accounts = plain ? pii_accounts_read(c) : NULL;
    int nsecrets = 0;
    struct admin_secret *secrets = accounts ? admin_secrets_read(c, &nsecrets) : NULL;
    if (!plain || !accounts || !secrets || pii_init(file, NULL) < 0) {
        PQclear(r);
        free(plain);
        pii_accounts_free(accounts);
        if (secrets) {
            sodium_memzero(secrets, ((size_t)nsecrets + 1) * sizeof *secrets);
            free(secrets);
        }
        PQclear(PQexec(c, "ROLLBACK"));
        return 1;
    }
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++)
        if (admin_reencrypt(c, PQgetvalue(r, i, 0), &plain[i]) < 0)
            rc = 1;
    int cards = rc == 0 ? pii_accounts_write(c, accounts) : (pii_accounts_free(accounts), -1);
    if (cards < 0)
        rc = 1;
    if (admin_secrets_write(c, secrets, rc == 0 ? nsecrets : 0) < 0)
        rc = 1;
    sodium_memzero(plain, (size_t)n * sizeof *plain);
    free(plain);
    PQclear(r);
    PQclear(PQexec(c, rc == 0 ? "COMMIT" : "ROLLBACK"));
    if (rc == 0)
        printf("re-encrypted %d workers' ID numbers and phones and %d bank accounts, and sealed "
               "%d webhook secrets again; start the servers with the new key\n",
               n, cards, nsecrets);
    return rc;
}

/* encrypt-phones: stores the plain phones older releases left as blind
 * index, ciphertext and mask (the server also does this at start). */
static int admin_encrypt_phones(PGconn *c)
{
    if (!pii_ready()) {
        fprintf(stderr, "needs the PII key (LEYE_PII_KEY_FILE or LEYE_PII_KEY)\n");
        return 2;
    }
    long n = piiconv_phones(c);
    if (n < 0)
        return 1;
    printf("encrypted %ld phone numbers\n", n);
    return 0;
}

/* Every command admin_main knows, in the order help lists them. */
static const char *const admin_commands[][2] = {
    {"create-user", "--username= --role=admin|county_staff|site_staff|viewer\n"
                    "[--counties=530621,...] [--sites=1,...] [--password-env=VAR]"},
    {"set-password", "--username= [--password-env=VAR]"},
    {"create-broker", "--name= [--contact=]"},
    {"create-key", "--broker= --scopes=vacancies:read,matches:read,applications:write\n"
                   "[--rate=N]  the key's rate limit in requests per minute (1-100000; "
                   "default 120)"},
    {"revoke-key", "--key=<key id>  (exits 1 if there is no such key or it is already revoked)"},
    {"reset-pin", "--worker= --pin-env=VAR"},
    {"id-hash", "--id-number="},
    {"rotate-pii-key", "--new-key-file=F"},
    {"encrypt-phones", ""},
};

void admin_usage(FILE *out, int indent)
{
    for (size_t i = 0; i < sizeof admin_commands / sizeof admin_commands[0]; i++) {
        /* continuation lines of the arguments are indented two more */
        fprintf(out, "%*s%s", indent, "", admin_commands[i][0]);
        const char *p = admin_commands[i][1];
        for (bool first = true; *p; first = false) {
            size_t n = strcspn(p, "\n");
            if (first)
                fprintf(out, " %.*s", (int)n, p);
            else
                fprintf(out, "\n%*s%.*s", indent + 2, "", (int)n, p);
            p += n + (p[n] == '\n');
        }
        fputc('\n', out);
    }
}

int admin_main(const char *conninfo, int argc, char **argv)
{
    struct admin_args a;
    if (argc < 1 || admin_parse(argc, argv, &a) < 0) {
        fprintf(stderr, "usage: leye-server admin <command> [--name=value ...]\n");
        admin_usage(stderr, 2);
        return 2;
    }
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "cannot connect to the database: %s", PQerrorMessage(c));
        PQfinish(c);
        return 1;
    }
    int rc = 2;
    if (!strcmp(argv[0], "id-hash")) {
        PQfinish(c);
        return admin_id_hash(&a);
    }
    if (!strcmp(argv[0], "create-user"))
        rc = admin_create_user(c, &a, false);
    else if (!strcmp(argv[0], "set-password"))
        rc = admin_create_user(c, &a, true);
    else if (!strcmp(argv[0], "create-broker"))
        rc = admin_create_broker(c, &a);
    else if (!strcmp(argv[0], "create-key"))
        rc = admin_create_key(c, &a);
    else if (!strcmp(argv[0], "revoke-key"))
        rc = admin_revoke_key(c, &a);
    else if (!strcmp(argv[0], "reset-pin"))
        rc = admin_reset_pin(c, &a);
    else if (!strcmp(argv[0], "rotate-pii-key"))
        rc = admin_rotate_pii_key(c, &a);
    else if (!strcmp(argv[0], "encrypt-phones"))
        rc = admin_encrypt_phones(c);
    else {
        fprintf(stderr, "unknown admin command \"%s\"; the commands are:\n", argv[0]);
        admin_usage(stderr, 2);
    }
    PQfinish(c);
    return rc;
}
