/* pii_accounts: the bank cards and accounts of pay_account through a
 * rotation of the PII key (leye-server admin rotate-pii-key).  Blocking
 * libpq: command line only, inside the rotation's transaction. */
#ifndef LEYE_PII_ACCOUNTS_H
#define LEYE_PII_ACCOUNTS_H

#include <libpq-fe.h>

struct pii_accounts;

/* Locks pay_account and decrypts every stored number with the key loaded
 * now.  Returns a new set (freed by pii_accounts_write), or NULL after
 * saying which row failed. */
struct pii_accounts *pii_accounts_read(PGconn *c);

/* Writes every number of set back encrypted, and its blind index, under
 * the key loaded now; wipes and frees set.  Returns the number of rows, or
 * -1 after saying why. */
int pii_accounts_write(PGconn *c, struct pii_accounts *set) __attribute__((warn_unused_result));

/* Wipes and frees a set not written (NULL is fine). */
void pii_accounts_free(struct pii_accounts *set);

#endif
