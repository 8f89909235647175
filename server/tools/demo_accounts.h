/*
 * demo_accounts: the accounts a newcomer signs in with after `make run`
 * (server/run-local.sh).  Blocking libpq: command line only.
 */
#ifndef LEYE_DEMO_ACCOUNTS_H
#define LEYE_DEMO_ACCOUNTS_H

/*
 * When path does not exist, the database has demo data and no staff account
 * yet: makes an administrator, a county staff member, a broker with an API
 * key and a job seeker's kiosk PIN with random secrets, writes them with the
 * addresses under base_url to path (mode 0600, never replaced) and prints
 * them once.  When path exists: prints where it is.  Otherwise says why it
 * made none.  Needs the PII key loaded (pii_init) to read the seeker's ID
 * number.  Returns 0, or -1 after logging the failure (nothing is kept).
 */
int demo_accounts_run(const char *conninfo, const char *path, const char *base_url)
    __attribute__((warn_unused_result));

#endif
