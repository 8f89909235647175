#define _POSIX_C_SOURCE 200809L
#include "pii_accounts.h"

#include "pii.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pii_account_row {
    char id[24];
    char number[PII_ACCOUNT_MAX];
};

struct pii_accounts {
    int n;
    struct pii_account_row *rows;
};

void pii_accounts_free(struct pii_accounts *set)
{
    if (!set)
        return;
    if (set->rows) {
        sodium_memzero(set->rows, (size_t)set->n * sizeof *set->rows);
        free(set->rows);
    }
    free(set);
}

struct pii_accounts *pii_accounts_read(PGconn *c)
{
    PGresult *r = PQexec(c, "LOCK TABLE pay_account IN EXCLUSIVE MODE; "
                            "SELECT id, account_enc::text FROM pay_account ORDER BY id");
    struct pii_accounts *set = calloc(1, sizeof *set);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "%s", PQerrorMessage(c));
        goto fail;
    }
    if (!set)
        goto fail;
    set->n = PQntuples(r);
    set->rows = calloc((size_t)set->n + 1, sizeof *set->rows);
    if (!set->rows)
        goto fail;
    for (int i = 0; i < set->n; i++) {
        snprintf(set->rows[i].id, sizeof set->rows[i].id, "%s", PQgetvalue(r, i, 0));
        if (pii_decrypt_account(PQgetvalue(r, i, 1), set->rows[i].number) < 0) {
            fprintf(stderr, "bank account %s cannot be decrypted with the current key\n",
                    PQgetvalue(r, i, 0));
            goto fail;
        }
    }
    PQclear(r);
    return set;
fail:
    PQclear(r);
    pii_accounts_free(set);
    return NULL;
}

int pii_accounts_write(PGconn *c, struct pii_accounts *set)
{
    int n = 0;
    for (int i = 0; i < set->n && n >= 0; i++) {
        char hash[PII_HASH_HEX], enc[PII_ACCOUNT_ENC_HEX];
        pii_hash_account(set->rows[i].number, hash);
        if (pii_encrypt_account(set->rows[i].number, enc) < 0) {
            fprintf(stderr, "cannot encrypt bank account %s\n", set->rows[i].id);
            n = -1;
            break;
        }
        const char *v[3] = {set->rows[i].id, hash, enc};
        PGresult *u = PQexecParams(c,
                                   "UPDATE pay_account SET account_hash = $2::bytea, "
                                   "account_enc = $3::bytea WHERE id = $1::bigint",
                                   3, NULL, v, NULL, NULL, 0);
        if (PQresultStatus(u) == PGRES_COMMAND_OK) {
            n++;
        } else {
            fprintf(stderr, "%s", PQerrorMessage(c));
            n = -1;
        }
        PQclear(u);
        sodium_memzero(enc, sizeof enc);
    }
    pii_accounts_free(set);
    return n;
}
