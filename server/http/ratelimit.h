/*
 * ratelimit: the rate of a broker API key, held across every server
 * instance.
 *
 * The count lives in PostgreSQL, the one store the instances share: the
 * statement that looks up a broker's key also takes one request from the
 * key's fixed one-minute window (broker_rate_take, migrations/032), in the
 * same round trip, so the limit costs no extra query and no instance keeps a
 * count of its own.  A key with rate N gets at most N requests per window
 * in total however many instances serve it (docs/deploy.md).
 */
#ifndef LEYE_RATELIMIT_H
#define LEYE_RATELIMIT_H

#include "httpd.h"

#include <stdbool.h>

/* Adds RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset (and
 * RateLimit-Policy) to r's answer for a key of limit requests per window
 * that has used requests of the current one, which ends in reset_s
 * seconds.  Returns true when the request may go on; otherwise answers 429
 * with Retry-After and returns false. */
bool ratelimit_apply(struct httpd_req *r, int limit, int used, int reset_s)
    __attribute__((warn_unused_result));

#endif
