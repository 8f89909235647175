#define _POSIX_C_SOURCE 200809L
#include "piiconv.h"

#include "log.h"
#include "pii.h"
#include "validate.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PIICONV_BATCH 500

/* Per row in the arrays: a separator and the id, the blind index or the
 * ciphertext (in hex without its "\x": decoded in SQL). */
#define PIICONV_ID_MAX (1 + 24)
#define PIICONV_HASH_MAX (1 + PII_HASH_HEX)
#define PIICONV_ENC_MAX (1 + PII_PHONE_ENC_HEX)

/* PostgreSQL array literals of one batch. */
struct piiconv_batch {
    char ids[PIICONV_BATCH * PIICONV_ID_MAX + 2];
    char hashes[PIICONV_BATCH * PIICONV_HASH_MAX + 2];
    char encs[PIICONV_BATCH * PIICONV_ENC_MAX + 2];
    size_t nids, nhashes, nencs;
};

static bool piiconv_ok(PGconn *c, PGresult *r, const char *what)
{
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return true;
    log_error("converting phones: %s: %s", what, PQerrorMessage(c));
    return false;
}

static bool piiconv_exec(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    bool ok = piiconv_ok(c, r, sql);
    PQclear(r);
    return ok;
}

/* Appends an element (at most max - 1 characters) to an array literal. */
static void piiconv_add(char *buf, size_t *n, const char *text, size_t max)
{
    size_t len = strnlen(text, max - 1);
    buf[*n] = *n ? ',' : '{';
    memcpy(buf + *n + 1, text, len);
    *n += 1 + len;
    buf[*n] = '\0';
}

static void piiconv_close(char *buf, size_t *n)
{
    buf[(*n)++] = '}';
    buf[*n] = '\0';
}

/* Adds one row: its blind index and ciphertext from the stored plain text
 * (validate_phone_cn's normal form, which the column's CHECK enforces; a
 * number it does not recognise is kept as written).  Returns 0 or -1. */
static int piiconv_row(struct piiconv_batch *b, const char *id, const char *plain)
{
    char phone[PII_PHONE_MAX], hash[PII_HASH_HEX], enc[PII_PHONE_ENC_HEX];
    size_t len = strlen(plain);
    if (!validate_phone_cn(plain, len, phone)) {
        if (len >= sizeof phone)
            return -1;
        memcpy(phone, plain, len + 1);
    }
    pii_hash_phone(phone, hash);
    int rc = pii_encrypt_phone(phone, enc);
    sodium_memzero(phone, sizeof phone);
    if (rc < 0)
        return -1;
    piiconv_add(b->ids, &b->nids, id, PIICONV_ID_MAX);
    piiconv_add(b->hashes, &b->nhashes, hash + 2, PIICONV_HASH_MAX);
    piiconv_add(b->encs, &b->nencs, enc + 2, PIICONV_ENC_MAX);
    return 0;
}

static const char piiconv_select[] = "SELECT id, phone FROM worker WHERE phone IS NOT NULL "
                                     "ORDER BY id LIMIT $1::integer FOR UPDATE SKIP LOCKED";
/* The mask is employer_phone_mask's, the same as validate_mask_phone's. */
static const char piiconv_update[] =
    "UPDATE worker w SET phone = NULL, phone_hash = decode(u.h, 'hex'), "
    "phone_enc = decode(u.e, 'hex'), phone_masked = employer_phone_mask(w.phone) "
    "FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u(id, h, e) WHERE w.id = u.id";

/* One batch in its own transaction: the number converted, 0 when none is
 * left, or -1. */
static long piiconv_batch(PGconn *c, struct piiconv_batch *b)
{
    long done = -1;
    char limit[16];
    snprintf(limit, sizeof limit, "%d", PIICONV_BATCH);
    const char *lv[1] = {limit};
    if (!piiconv_exec(c, "BEGIN"))
        return -1;
    PGresult *r = PQexecParams(c, piiconv_select, 1, NULL, lv, NULL, NULL, 0);
    if (!piiconv_ok(c, r, "reading plain phones"))
        goto out;
    int n = PQntuples(r);
    b->nids = b->nhashes = b->nencs = 0;
    for (int i = 0; i < n; i++)
        if (piiconv_row(b, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1)) < 0) {
            log_error("converting phones: worker %s has a phone that cannot be stored",
                      PQgetvalue(r, i, 0));
            goto out;
        }
    if (n > 0) {
        piiconv_close(b->ids, &b->nids);
        piiconv_close(b->hashes, &b->nhashes);
        piiconv_close(b->encs, &b->nencs);
        const char *v[3] = {b->ids, b->hashes, b->encs};
        PGresult *u = PQexecParams(c, piiconv_update, 3, NULL, v, NULL, NULL, 0);
        bool ok = piiconv_ok(c, u, "writing encrypted phones");
        PQclear(u);
        if (!ok)
            goto out;
    }
    done = n;
out:
    PQclear(r);
    if (!piiconv_exec(c, done >= 0 ? "COMMIT" : "ROLLBACK"))
        done = -1;
    return done;
}

/* 1 when worker has both the plain column and the stored form (migration
 * 032 applied, the plain column not yet dropped), 0 when not, -1 on error. */
static int piiconv_schema(PGconn *c)
{
    PGresult *r = PQexec(c, "SELECT count(*) FROM pg_attribute "
                            "WHERE attrelid = to_regclass('worker') AND NOT attisdropped "
                            "AND attname IN ('phone', 'phone_hash')");
    int rc = piiconv_ok(c, r, "reading the schema") ? atoi(PQgetvalue(r, 0, 0)) == 2 : -1;
    PQclear(r);
    return rc;
}

long piiconv_phones(PGconn *c)
{
    int schema = piiconv_schema(c);
    if (schema <= 0)
        return schema;
    struct piiconv_batch *b = malloc(sizeof *b);
    if (!b) {
        log_error("converting phones: out of memory");
        return -1;
    }
    long total = 0, n;
    while ((n = piiconv_batch(c, b)) > 0)
        total += n;
    free(b);
    return n < 0 ? -1 : total;
}

long piiconv_webhook_secrets(PGconn *c)
{
    PGresult *r = PQexec(c, "SELECT count(*) FROM pg_attribute WHERE attrelid = "
                            "to_regclass('notify_endpoint_secret') AND NOT attisdropped "
                            "AND attname = 'secret_enc'");
    bool ok = piiconv_ok(c, r, "reading the schema");
    bool sealed = ok && atoi(PQgetvalue(r, 0, 0)) == 1;
    PQclear(r);
    if (!sealed)
        return ok ? 0 : -1;
    if (!piiconv_exec(c, "BEGIN"))
        return -1;
    long done = -1;
    r = PQexec(c, "SELECT id, secret FROM notify_endpoint_secret WHERE secret IS NOT NULL "
                  "ORDER BY id FOR UPDATE");
    if (!piiconv_ok(c, r, "reading webhook secrets"))
        goto out;
    int n = PQntuples(r);
    for (int i = 0; i < n; i++) {
        char enc[PII_WHSEC_ENC_HEX];
        if (pii_encrypt_whsec(PQgetvalue(r, i, 1), enc) < 0) {
            log_error("sealing webhook secrets: secret %s is too long", PQgetvalue(r, i, 0));
            goto out;
        }
        const char *v[2] = {PQgetvalue(r, i, 0), enc};
        PGresult *u = PQexecParams(c,
                                   "UPDATE notify_endpoint_secret SET secret = NULL, "
                                   "secret_enc = $2::bytea WHERE id = $1::bigint",
                                   2, NULL, v, NULL, NULL, 0);
        sodium_memzero(enc, sizeof enc);
        bool written = piiconv_ok(c, u, "sealing a webhook secret");
        PQclear(u);
        if (!written)
            goto out;
    }
    done = n;
out:
    PQclear(r);
    if (!piiconv_exec(c, done >= 0 ? "COMMIT" : "ROLLBACK"))
        done = -1;
    return done;
}

int piiconv_run(const char *conninfo)
{
    const char *const keys[] = {"dbname", "connect_timeout", NULL};
    const char *const values[] = {conninfo, "10", NULL};
    PGconn *c = PQconnectdbParams(keys, values, 1);
    if (PQstatus(c) != CONNECTION_OK) {
        log_error("converting phones: cannot connect: %s", PQerrorMessage(c));
        PQfinish(c);
        return -1;
    }
    long n = piiconv_phones(c);
    long s = piiconv_webhook_secrets(c);
    PQfinish(c);
    if (n > 0)
        log_info("stored %ld plain phone numbers as blind index, ciphertext and mask", n);
    if (s > 0)
        log_info("sealed %ld readable webhook signing secrets with the PII key", s);
    return n < 0 || s < 0 ? -1 : 0;
}
