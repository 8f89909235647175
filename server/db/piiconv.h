/*
 * piiconv: converts the plain phone numbers that releases before migration
 * 032 left in worker.phone into the form pii.h describes (blind index,
 * ciphertext, mask), and clears the plain column.
 *
 * The database holds no key, so no migration can do this: the server does it
 * at start, after migrating and before serving, and `leye-server admin
 * encrypt-phones` does it on demand.  Rows are taken in batches with FOR
 * UPDATE SKIP LOCKED, so instances starting together share the work.  Uses
 * blocking libpq: only before the event loop runs or on the command line.
 */
#ifndef LEYE_PIICONV_H
#define LEYE_PIICONV_H

#include <libpq-fe.h>

/* Converts every plain phone on c (a connection that sees all workers: the
 * owner's or leye_app's without a scope).  Needs pii_init.  Returns the
 * number converted, 0 when the schema is older than migration 032, or -1
 * after logging. */
long piiconv_phones(PGconn *c) __attribute__((warn_unused_result));

/* Seals every readable webhook signing secret (rows from before migration
 * 048) with the PII key, in one transaction.  Needs pii_init.  Returns the
 * number sealed, 0 when the schema is older than 048, or -1 after logging. */
long piiconv_webhook_secrets(PGconn *c) __attribute__((warn_unused_result));

/* Connects to conninfo (waiting at most 10 s) and runs piiconv_phones and
 * piiconv_webhook_secrets, logging what they did.  Returns 0 or -1. */
int piiconv_run(const char *conninfo) __attribute__((warn_unused_result));

#endif
