/*
 * pgpool: a pool of nonblocking libpq connections driven by one libevent
 * loop, with a bounded FIFO of waiting work and a deadline for each query.
 *
 * A pool belongs to one event-loop thread; none of its functions may be
 * called from another thread.  Nothing here blocks: connections are opened
 * with PQconnectStart/PQconnectPoll, queries are sent with PQsendQueryPrepared
 * on connections in nonblocking mode and read with PQconsumeInput/PQisBusy.
 *
 * When the database is away, new work fails at once with PGPOOL_UNAVAILABLE
 * (the caller answers 503) and the pool reconnects with capped backoff.
 */
#ifndef LEYE_PGPOOL_H
#define LEYE_PGPOOL_H

#include <event2/event.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

struct pgpool;
struct pgconn;

/* A statement, defined once (usually static) and prepared lazily on each
 * connection under its name.  Parameters are always bound, never pasted. */
struct pgpool_stmt {
    const char *name;
    const char *sql;
};

enum pgpool_status {
    PGPOOL_OK,          /* reply->res holds the result (tuples or command ok) */
    PGPOOL_SQL_ERROR,   /* the statement failed: reply->sqlstate, reply->message */
    PGPOOL_UNAVAILABLE, /* no connection, queue full, or the connection was lost */
    PGPOOL_TIMEOUT,     /* the deadline passed */
};

struct pgpool_reply {
    enum pgpool_status status;
    PGresult *res;        /* borrowed: valid during the callback only; NULL unless OK/SQL_ERROR */
    const char *sqlstate; /* "" unless SQL_ERROR */
    /* SQL_ERROR: the primary error message; UNAVAILABLE: why, one of
     * database_down, connection_lost, queue_full, pool_closed, out_of_memory;
     * TIMEOUT: deadline */
    const char *message;
    const char *constraint; /* violated constraint name, or "" */
    const char *detail;     /* error detail, or "" */
    const char *table;      /* table of the violated constraint, or "" */
    const char *column;     /* column of a NOT NULL violation, or "" */
    /* the row of res that answers the call: 0, except for a read answered
     * within a batch (pgpool_query_batched), whose own row it is */
    int row;
};

typedef void (*pgpool_query_cb)(void *arg, const struct pgpool_reply *reply);

/* Called with a leased connection (c != NULL) or a failure (c == NULL, status). */
typedef void (*pgpool_lease_cb)(void *arg, struct pgconn *c, enum pgpool_status status);

struct pgpool_config {
    const char *conninfo;
    int size;      /* connections */
    int queue_max; /* waiting requests before PGPOOL_UNAVAILABLE */
    int query_timeout_ms;
    int connect_timeout_ms;
};

/* Creates a pool on base and starts connecting.  conninfo is copied.
 * Returns NULL when memory runs out. */
struct pgpool *pgpool_new(struct event_base *base, const struct pgpool_config *cfg)
    __attribute__((warn_unused_result));

/* Fails all waiting work with PGPOOL_UNAVAILABLE (callbacks run) and closes
 * every connection.  The pool can still be freed afterwards. */
void pgpool_shutdown(struct pgpool *p);

/* Shuts down (if not already) and frees the pool. */
void pgpool_free(struct pgpool *p);

/* Whether new work would be tried now (not shut down, not waiting out a
 * failed connection attempt). */
bool pgpool_usable(const struct pgpool *p);

/* Runs deadlines and reconnects; call from the owner's maintenance timer. */
void pgpool_tick(struct pgpool *p);

#define PGPOOL_SCOPE_MAX 1024

/*
 * Runs one statement with nparams text parameters (values copied; NULL is
 * SQL NULL) on any connection, as its own transaction.  cb runs exactly once,
 * possibly before this returns when the pool is unavailable.
 */
void pgpool_query(struct pgpool *p, const struct pgpool_stmt *st, int nparams,
                  const char *const *values, pgpool_query_cb cb, void *arg);

/*
 * The same, with the database's row-level security scope set to scope first
 * (only when the connection's current scope differs): "*" sees everything;
 * "c:530621,530602" counties; "s:3,7" sites; "k:<worker id>" a kiosk
 * session; "b:<broker id>" a labour broker; "none" nothing.  After a unit
 * separator (0x1f) may follow the JSON the audit trigger records as the actor
 * of the writes (leye.actor).  pgpool_query runs with "*" and no actor and is
 * for the server's own queries only.
 */
void pgpool_query_scoped(struct pgpool *p, const char *scope, const struct pgpool_stmt *st,
                         int nparams, const char *const *values, pgpool_query_cb cb, void *arg);

/*
 * A read by one bigint key that may be answered for many waiting callers at
 * once.  one takes the key as $1 and answers no row or one; many takes an
 * array of keys as $1 (text, "{3,7,7}") and answers one row for each key
 * that has one, as one answers it.  Both answer the key as their first
 * column.
 */
struct pgpool_batch {
    const struct pgpool_stmt *one;
    const struct pgpool_stmt *many;
};

#define PGPOOL_BATCH_MAX 64
/* while one batch runs, the next waits for this many reads (pgpool_batch.c) */
#define PGPOOL_BATCH_GATHER (PGPOOL_BATCH_MAX / 2)

/*
 * pgpool_query_scoped(p, scope, b->one, 1, {key}, cb, arg), except that when
 * the call waits for a connection behind other calls of b under the same
 * scope, up to PGPOOL_BATCH_MAX of them are sent as one call of b->many.
 * Each caller's reply then holds that result with reply->row its own row,
 * or a result of no row, as b->one would have answered it; a failure of the
 * batch is each caller's.
 * key is the decimal text of a bigint.
 */
void pgpool_query_batched(struct pgpool *p, const char *scope, const struct pgpool_batch *b,
                          const char *key, pgpool_query_cb cb, void *arg);

/*
 * Leases one connection for several statements (a transaction).  cb runs
 * exactly once.  The holder runs statements with pgconn_query, one at a time,
 * and must give the connection back with pgpool_release.
 */
void pgpool_acquire(struct pgpool *p, pgpool_lease_cb cb, void *arg);

/* The same, with its own deadline instead of the pool's (bulk imports). */
void pgpool_query_deadline(struct pgpool *p, const char *scope, int timeout_ms,
                           const struct pgpool_stmt *st, int nparams, const char *const *values,
                           pgpool_query_cb cb, void *arg);

/* Runs one statement on a leased connection; cb runs exactly once. */
void pgconn_query(struct pgconn *c, const struct pgpool_stmt *st, int nparams,
                  const char *const *values, pgpool_query_cb cb, void *arg);

/* Gives a leased connection back; an open transaction is rolled back. */
void pgpool_release(struct pgconn *c);

struct pgpool_stats {
    int size, up, busy, waiting;
    uint64_t queries, failures, timeouts;
};

/* Current figures. */
void pgpool_stats(const struct pgpool *p, struct pgpool_stats *out);

/* True when at least one connection is open. */
bool pgpool_is_up(const struct pgpool *p);

#endif
