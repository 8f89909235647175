/*
 * authcache: staff sessions kept in memory for a short while, so that a
 * signed-in caller's requests do not each look their token up in the
 * database.  The gate (auth.c) is the only user.
 *
 * Each event-loop thread has its own table (no locks on the request path).
 * An entry is served for at most the time to live (LEYE_SESSION_CACHE_MS,
 * at most 1000 ms) counted from when its database lookup was sent, and only
 * while nothing has changed since: a thread of its own LISTENs on leye_auth,
 * which every change that ends or narrows access notifies on commit
 * (migrations/052), and each notification drops every entry of every
 * thread.  While that listener is not connected nothing is served from
 * memory at all.  See docs/deploy.md, "Session cache".
 */
#ifndef LEYE_AUTHCACHE_H
#define LEYE_AUTHCACHE_H

#include "principal.h"

#include <stdbool.h>
#include <stdint.h>

/* Starts the listener on conninfo (the primary); ttl_ms 0 turns the cache
 * off.  Returns 0 or -1. */
int authcache_start(const char *conninfo, int ttl_ms) __attribute__((warn_unused_result));

/* Asks the listener to stop without waiting. */
void authcache_stop_begin(void);

/* Stops the listener by deadline_us (clock_now_us); every later lookup
 * misses.  False when the listener was left running (see bgthread_stop). */
bool authcache_stop(int64_t deadline_us);

/* The listener's database connections open now; *configured is the most
 * it opens (0 with the cache off). */
int authcache_db_connections(int *configured);

/* What a lookup sent now may store: pass it to authcache_put with the
 * answer.  Never fails. */
struct authcache_ticket {
    uint64_t epoch;
    int64_t sent_us;
    bool usable;
};
struct authcache_ticket authcache_ticket(void);

/* Copies the cached caller for the token hash (hex) into out and returns
 * true, or returns false. */
bool authcache_get(const char *hash, struct principal *out);

/* Keeps who for the token hash, unless something changed since the ticket
 * was taken. */
void authcache_put(const char *hash, const struct principal *who, struct authcache_ticket t);

/* Drops every entry of every thread at once (after a change committed by
 * this instance, which need not wait for its own notification). */
void authcache_drop_all(void);

/* Hits and misses since start, summed over threads (for /metrics). */
void authcache_counts(uint64_t *hits, uint64_t *misses, uint64_t *drops);

#endif
