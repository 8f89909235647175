#define _POSIX_C_SOURCE 200809L
#include "bgthread.h"

#include "clock.h"
#include "log.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BGTHREAD_CONNECT_MS 10000    /* one connection attempt */
#define BGTHREAD_CANCEL_LEAD_MS 1000 /* cancel this long before a stop's deadline */
#define BGTHREAD_CUT_AFTER_MS 300    /* then cut the socket if the cancel did not help */
#define BGTHREAD_MIN_STOP_MS 200     /* even a deadline already past gets this long */

/* The session limits of every background connection: a lock or a statement
 * cannot hold a thread longer than this, shutdown or not. */
static const char bgthread_session_sql[] =
    "SET jit = off; SET lock_timeout = '10s'; SET statement_timeout = '120s'";

static void *bgthread_run(void *arg)
{
    struct bgthread *t = arg;
    t->main(t, t->arg);
    pthread_mutex_lock(&t->lock);
    t->done = true;
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

int bgthread_start(struct bgthread *t, const char *name, bgthread_main_fn fn, void *arg)
{
    t->name = name;
    t->main = fn;
    t->arg = arg;
    t->done = false;
    memset(t->held, 0, sizeof t->held);
    atomic_init(&t->stopping, false);
    atomic_init(&t->conns, 0);
    if (pipe(t->wake_fd) < 0)
        return -1;
    pthread_mutex_init(&t->lock, NULL);
    /* the thread takes no signals: they belong to the thread running the server */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = pthread_create(&t->thread, NULL, bgthread_run, t);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        close(t->wake_fd[0]);
        close(t->wake_fd[1]);
        t->wake_fd[0] = t->wake_fd[1] = -1;
        return -1;
    }
    t->started = true;
    return 0;
}

bool bgthread_stopping(struct bgthread *t)
{
    return atomic_load(&t->stopping);
}

int bgthread_wake_fd(const struct bgthread *t)
{
    return t->wake_fd[0];
}

void bgthread_wake(struct bgthread *t)
{
    if (write(t->wake_fd[1], "x", 1) < 0 && errno != EAGAIN)
        log_warn("%s: cannot wake the thread", t->name);
}

bool bgthread_sleep(struct bgthread *t, int ms)
{
    struct pollfd p = {t->wake_fd[0], POLLIN, 0};
    if (!bgthread_stopping(t))
        (void)poll(&p, 1, ms);
    return !bgthread_stopping(t);
}

void bgthread_request_stop(struct bgthread *t)
{
    if (!t->started || atomic_exchange(&t->stopping, true))
        return;
    bgthread_wake(t);
}

/* Waits for the thread to end until until_us; true when it has.  It looks
 * every few milliseconds rather than waiting on the condition variable with
 * an absolute time: tools that shift the clock for tests (libfaketime, used
 * by make test-aging) rewrite such times even on a monotonic clock. */
static bool bgthread_wait(struct bgthread *t, int64_t until_us)
{
    for (;;) {
        pthread_mutex_lock(&t->lock);
        bool done = t->done;
        pthread_mutex_unlock(&t->lock);
        int64_t left_ms = (until_us - clock_now_us()) / 1000;
        if (done || left_ms <= 0)
            return done;
        (void)poll(NULL, 0, left_ms < 5 ? (int)left_ms : 5);
    }
}

static void *bgthread_cancel_main(void *arg)
{
    PGcancel *pc = arg;
    char err[256];
    if (!PQcancel(pc, err, sizeof err))
        log_debug("cancel request failed: %s", err);
    PQfreeCancel(pc);
    return NULL;
}

/* Asks the server to cancel what the held connections run.  PQcancel waits
 * for the server, which may be frozen: it runs on a thread of its own. */
static void bgthread_cancel_held(struct bgthread *t)
{
    pthread_mutex_lock(&t->lock);
    for (int i = 0; i < BGTHREAD_HELD; i++) {
        PGcancel *pc = t->held[i] ? PQgetCancel(t->held[i]) : NULL;
        pthread_t th;
        pthread_attr_t a;
        if (!pc)
            continue;
        pthread_attr_init(&a);
        pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&th, &a, bgthread_cancel_main, pc) != 0)
            PQfreeCancel(pc);
        pthread_attr_destroy(&a);
    }
    pthread_mutex_unlock(&t->lock);
}

/* Shuts the held connections' sockets: a libpq call blocked on them returns. */
static void bgthread_cut_held(struct bgthread *t)
{
    pthread_mutex_lock(&t->lock);
    for (int i = 0; i < BGTHREAD_HELD; i++)
        if (t->held[i] && PQsocket(t->held[i]) >= 0)
            shutdown(PQsocket(t->held[i]), SHUT_RDWR);
    pthread_mutex_unlock(&t->lock);
}

bool bgthread_stop(struct bgthread *t, int64_t deadline_us)
{
    if (!t->started)
        return true;
    bgthread_request_stop(t);
    int64_t now = clock_now_us();
    if (deadline_us < now + BGTHREAD_MIN_STOP_MS * 1000)
        deadline_us = now + BGTHREAD_MIN_STOP_MS * 1000;
    int64_t lead = (deadline_us - now) / 2;
    if (lead > BGTHREAD_CANCEL_LEAD_MS * 1000)
        lead = BGTHREAD_CANCEL_LEAD_MS * 1000;
    int64_t cancel_at = deadline_us - lead;
    int64_t cut_at = cancel_at + BGTHREAD_CUT_AFTER_MS * 1000;
    bool done = bgthread_wait(t, cancel_at);
    if (!done) {
        log_warn("%s: still busy near the shutdown deadline; cancelling its query", t->name);
        bgthread_cancel_held(t);
        done = bgthread_wait(t, cut_at < deadline_us ? cut_at : deadline_us);
    }
    if (!done) {
        bgthread_cut_held(t);
        done = bgthread_wait(t, deadline_us);
    }
    t->started = false;
    if (!done) {
        log_error("%s: did not stop by the shutdown deadline; exiting without it", t->name);
        pthread_detach(t->thread);
        return false;
    }
    pthread_join(t->thread, NULL);
    close(t->wake_fd[0]);
    close(t->wake_fd[1]);
    t->wake_fd[0] = t->wake_fd[1] = -1;
    pthread_mutex_destroy(&t->lock);
    return true;
}

static void bgthread_hold(struct bgthread *t, PGconn *c, bool hold)
{
    pthread_mutex_lock(&t->lock);
    for (int i = 0; i < BGTHREAD_HELD; i++) {
        if (hold && !t->held[i]) {
            t->held[i] = c;
            break;
        }
        if (!hold && t->held[i] == c) {
            t->held[i] = NULL;
            break;
        }
    }
    pthread_mutex_unlock(&t->lock);
}

/* Drives PQconnectPoll until the connection is up, fails, times out or the
 * thread is asked to stop. */
static bool bgthread_poll_connect(struct bgthread *t, PGconn *c)
{
    int64_t deadline = clock_now_us() + (int64_t)BGTHREAD_CONNECT_MS * 1000;
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    while (st != PGRES_POLLING_OK) {
        if (st == PGRES_POLLING_FAILED || bgthread_stopping(t))
            return false;
        int64_t left_ms = (deadline - clock_now_us()) / 1000;
        if (left_ms <= 0)
            return false;
        struct pollfd p[2] = {
            {PQsocket(c), (short)(st == PGRES_POLLING_READING ? POLLIN : POLLOUT), 0},
            {t->wake_fd[0], POLLIN, 0}};
        int n = poll(p, 2, (int)left_ms);
        if (n < 0 && errno != EINTR)
            return false;
        if (n > 0 && p[0].revents)
            st = PQconnectPoll(c);
    }
    return true;
}

PGconn *bgthread_connect(struct bgthread *t, const char *conninfo, const char *appname,
                         const char **err)
{
    static const char *const keys[] = {"dbname",
                                       "application_name",
                                       "keepalives",
                                       "keepalives_idle",
                                       "keepalives_interval",
                                       "keepalives_count",
                                       "tcp_user_timeout",
                                       NULL};
    const char *vals[] = {conninfo, appname, "1", "10", "5", "3", "30000", NULL};
    *err = "";
    PGconn *c = PQconnectStartParams(keys, vals, 1);
    if (!c || PQstatus(c) == CONNECTION_BAD || !bgthread_poll_connect(t, c)) {
        *err = bgthread_stopping(t) ? "stopping" : "cannot connect";
        if (c && !bgthread_stopping(t))
            log_warn("%s: %s", t->name,
                     PQstatus(c) == CONNECTION_BAD ? PQerrorMessage(c) : "connection timed out");
        PQfinish(c);
        return NULL;
    }
    atomic_fetch_add(&t->conns, 1);
    bgthread_hold(t, c, true);
    PGresult *res = PQexec(c, bgthread_session_sql);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok) {
        *err = "cannot set the session limits";
        bgthread_disconnect(t, c);
        return NULL;
    }
    return c;
}

void bgthread_disconnect(struct bgthread *t, PGconn *c)
{
    if (!c)
        return;
    bgthread_hold(t, c, false);
    atomic_fetch_sub(&t->conns, 1);
    PQfinish(c);
}

int bgthread_conns(struct bgthread *t)
{
    return atomic_load(&t->conns);
}
