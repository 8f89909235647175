/*
 * bgthread: the one way a background thread (allocator, matching-index
 * loader, notification delivery, background jobs) is started, woken and
 * stopped, and how it holds a database connection that a stop can cut.
 *
 * A stop is bounded: bgthread_stop asks the thread to end, waits, and when
 * the deadline nears cancels the query its connection is running (PQcancel)
 * and shuts the connection's socket so that a blocked libpq call returns
 * even from a frozen server.  A thread still running at the deadline is
 * left behind (detached) and the caller goes on; the process then exits
 * without it.
 *
 * The struct is plain data owned by the caller (usually static); its fields
 * are private to bgthread.c.
 */
#ifndef LEYE_BGTHREAD_H
#define LEYE_BGTHREAD_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct bgthread;
typedef void (*bgthread_main_fn)(struct bgthread *t, void *arg);

/* Connections of one thread that a stop cancels and cuts: the index loader
 * has three open while it loads from a read replica (the listener on the
 * primary, two loading connections). */
#define BGTHREAD_HELD 3

struct bgthread {
    const char *name;
    bgthread_main_fn main;
    void *arg;
    pthread_t thread;
    bool started;
    int wake_fd[2];
    atomic_bool stopping;
    atomic_int conns; /* database connections open now */
    pthread_mutex_t lock;
    bool done;
    PGconn *held[BGTHREAD_HELD]; /* connections a stop may cancel and cut, under lock */
};

/* Starts fn(t, arg) on a new thread that takes no signals.  name is
 * borrowed (a literal).  Returns 0 or -1. */
int bgthread_start(struct bgthread *t, const char *name, bgthread_main_fn fn, void *arg)
    __attribute__((warn_unused_result));

/* True once a stop was asked for. */
bool bgthread_stopping(struct bgthread *t);

/* A descriptor that becomes readable when the thread is woken or asked to
 * stop (for poll beside a database socket). */
int bgthread_wake_fd(const struct bgthread *t);

/* Wakes the thread from bgthread_sleep or a poll on bgthread_wake_fd. */
void bgthread_wake(struct bgthread *t);

/* Sleeps up to ms; returns early when woken.  False once stopping. */
bool bgthread_sleep(struct bgthread *t, int ms);

/* Asks the thread to stop without waiting (any thread may call it). */
void bgthread_request_stop(struct bgthread *t);

/*
 * Asks the thread to stop and waits until deadline_us (clock_now_us).  Shortly
 * before the deadline the connections it holds are cancelled and cut.
 * Returns true when the thread ended (joined); false when it was left
 * running (detached): the caller must then leave alone whatever the thread
 * still uses.
 */
bool bgthread_stop(struct bgthread *t, int64_t deadline_us) __attribute__((warn_unused_result));

/*
 * Opens a database connection on the thread, without blocking past a stop:
 * application_name is appname, TCP keepalives and tcp_user_timeout detect a
 * frozen server, and the session gets lock_timeout and statement_timeout.
 * The connection is held (a stop may cut it).  NULL when it cannot be
 * opened or the thread is stopping; *err then says why (static or "").
 */
PGconn *bgthread_connect(struct bgthread *t, const char *conninfo, const char *appname,
                         const char **err) __attribute__((warn_unused_result));

/* Closes a connection from bgthread_connect (NULL is ignored). */
void bgthread_disconnect(struct bgthread *t, PGconn *c);

/* Database connections the thread has open now. */
int bgthread_conns(struct bgthread *t);

#endif
