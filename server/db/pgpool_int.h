/*
 * pgpool_int: the inside of the database pool, shared by its two files and
 * by nothing else.
 *
 *   pgpool.c        connections and their states, the queue of waiting
 *                   work, dispatch, deadlines and cancels, leases
 *   pgpool_batch.c  batched reads: the rule that holds them back while
 *                   enough connections run them, gathering the waiting
 *                   ones into one call, and handing each caller its rows
 */
#ifndef LEYE_PGPOOL_INT_H
#define LEYE_PGPOOL_INT_H

#include "pgpool.h"

#include <sys/queue.h>

#define PGCONN_MAX_PREPARED 256

enum pgconn_state { PGC_DOWN, PGC_CONNECTING, PGC_IDLE, PGC_BUSY, PGC_LEASED };

/* PGWORK_BATCH: one call of a batch's many statement on behalf of its
 * members, query works of that batch taken off the queue together */
enum pgwork_kind { PGWORK_QUERY, PGWORK_LEASE, PGWORK_BATCH };

struct pgwork {
    TAILQ_ENTRY(pgwork) next;
    enum pgwork_kind kind;
    const struct pgpool_stmt *st;
    int nparams;
    char **values;
    pgpool_query_cb qcb;
    pgpool_lease_cb lcb;
    void *arg;
    int64_t deadline;
    const struct pgpool_batch *batch; /* a query that may join a batch, or NULL */
    long long key;                    /* its key, when batch is set */
    struct pgwork *member;            /* BATCH: the first member; a member: the next */
    int nmembers;                     /* BATCH: how many */
    char scope[PGPOOL_SCOPE_MAX];
};

TAILQ_HEAD(pgwork_list, pgwork);

struct pgconn {
    struct pgpool *pool;
    PGconn *conn;
    struct event *ev_read, *ev_write;
    enum pgconn_state state;
    int64_t deadline;
    int64_t retry_at;
    int backoff_ms;
    struct pgwork *work;
    bool leased;
    bool preparing;
    bool rolling_back;
    bool scoping; /* the current command sets leye.scope before the query */
    /* the work's deadline passed: it was answered PGPOOL_TIMEOUT and the
     * query cancelled; the connection waits for the end of the command */
    bool cancelling;
    const struct pgpool_stmt *cancel_prepare; /* being prepared when cancelled */
    struct pgcancel_job *cancel_job;          /* the cancel request on its way, or NULL */
    bool cancel_ended, cancel_ended_ok; /* the command ended; the cancel is still on its way */
    char scope[PGPOOL_SCOPE_MAX];
    PGresult *last;
    int nprepared;
    const struct pgpool_stmt *prepared[PGCONN_MAX_PREPARED];
    int sndbuf; /* the socket's send buffer as last raised, 0 the default */
};

struct pgpool {
    struct event_base *base;
    char *conninfo;
    int size, queue_max, query_timeout_ms, connect_timeout_ms;
    bool closed;
    bool down; /* the last connection attempt failed and none is open */
    struct pgwork_list queue;
    int waiting;
    /* dispatches once the loop has run the callbacks already due: the
     * reads that arrived together wait for it, to be sent as one batch */
    struct event *ev_dispatch;
    uint64_t queries, failures, timeouts;
    struct pgconn conns[];
};

/* Why work ended without a result, as reply->message says it. */
#define PGPOOL_WHY_DOWN "database_down"
#define PGPOOL_WHY_LOST "connection_lost"
#define PGPOOL_WHY_QUEUE "queue_full"
#define PGPOOL_WHY_CLOSED "pool_closed"
#define PGPOOL_WHY_MEMORY "out_of_memory"
#define PGPOOL_WHY_DEADLINE "deadline"

/* A new work item with nparams parameters copied from values and a deadline
 * timeout_ms from now, scope "*"; NULL when memory runs out.  The caller
 * frees it with pgwork_free or ends it with pgwork_end. */
struct pgwork *pgwork_new(enum pgwork_kind kind, const struct pgpool_stmt *st, int nparams,
                          const char *const *values, int timeout_ms);

/* Frees w and the members of a batch not ended yet; w may be NULL. */
void pgwork_free(struct pgwork *w);

/* Delivers the reply for w (each member's, for a batch) and frees it.  why
 * is reply->message when status is not PGPOOL_SQL_ERROR. */
void pgwork_end(struct pgwork *w, enum pgpool_status status, PGresult *res, const char *why);
/* The same with reply->row row (a batch's member: its own row of res). */
void pgwork_end_row(struct pgwork *w, enum pgpool_status status, PGresult *res, const char *why,
                    int row);

/* Queues w, or ends it PGPOOL_UNAVAILABLE at once when the pool is closed,
 * down or its queue is full; takes w either way. */
void pgpool_submit(struct pgpool *p, struct pgwork *w);

/* The oldest waiting work that may go now, left on the queue, or NULL
 * (pgpool_batch.c). */
struct pgwork *pgpool_batch_next(struct pgpool *p);

/* w, just taken off the queue, or one work of kind PGWORK_BATCH for w and
 * the waiting works of its batch and scope, taken off the queue too
 * (pgpool_batch.c). */
struct pgwork *pgpool_batch_gather(struct pgpool *p, struct pgwork *w);

/* Ends each member of batch b, not b itself (pgpool_batch.c). */
void pgpool_batch_end(struct pgwork *b, enum pgpool_status status, PGresult *res, const char *why);

#endif
