/*
 * authcache: staff sessions in memory, dropped on NOTIFY leye_auth and
 * after a time to live of at most one second.  See authcache.h.
 */
#define _GNU_SOURCE
#include "authcache.h"

#include "bgthread.h"
#include "clock.h"
#include "log.h"
#include "token.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define AUTHCACHE_SLOTS 512 /* per thread, direct-mapped by the token hash */
#define AUTHCACHE_BACKOFF_MAX_MS 1000

struct authcache_entry {
    char hash[TOKEN_HASH_HEX];
    uint64_t epoch;
    int64_t until_us;
    struct principal who;
};

struct authcache_table {
    struct authcache_entry slot[AUTHCACHE_SLOTS];
};

static struct {
    char *conninfo;
    int64_t ttl_us;
    struct bgthread bg;
    bool started;
    /* bumped by every notification and every change of the listener's
     * connection; an entry of an older epoch is dead */
    atomic_uint_fast64_t epoch;
    atomic_bool listening;
    atomic_uint_fast64_t hits, misses, drops;
    pthread_key_t key;
    bool key_made;
} ac;

static struct authcache_table *authcache_table(void)
{
    if (!ac.key_made)
        return NULL;
    struct authcache_table *t = pthread_getspecific(ac.key);
    if (!t) {
        t = calloc(1, sizeof *t);
        if (t && pthread_setspecific(ac.key, t) != 0) {
            free(t);
            t = NULL;
        }
    }
    return t;
}

static size_t authcache_slot(const char *hash)
{
    /* the hash is "\x" and hex digits of a BLAKE2b digest: any eight are uniform */
    size_t h = 0;
    for (int i = 2; i < 10 && hash[i]; i++)
        h = h * 16 + (size_t)(hash[i] <= '9' ? hash[i] - '0' : (hash[i] | 0x20) - 'a' + 10);
    return h % AUTHCACHE_SLOTS;
}

struct authcache_ticket authcache_ticket(void)
{
    struct authcache_ticket t = {0, 0, false};
    if (ac.ttl_us <= 0 || !atomic_load(&ac.listening))
        return t;
    t.epoch = atomic_load(&ac.epoch);
    t.sent_us = clock_now_us();
    t.usable = true;
    return t;
}

bool authcache_get(const char *hash, struct principal *out)
{
    if (ac.ttl_us <= 0)
        return false;
    struct authcache_table *t = authcache_table();
    if (!t || !atomic_load(&ac.listening)) {
        atomic_fetch_add_explicit(&ac.misses, 1, memory_order_relaxed);
        return false;
    }
    struct authcache_entry *e = &t->slot[authcache_slot(hash)];
    if (e->hash[0] && e->epoch == atomic_load(&ac.epoch) && clock_now_us() < e->until_us &&
        strcmp(e->hash, hash) == 0) {
        memcpy(out, &e->who, sizeof *out);
        atomic_fetch_add_explicit(&ac.hits, 1, memory_order_relaxed);
        return true;
    }
    atomic_fetch_add_explicit(&ac.misses, 1, memory_order_relaxed);
    return false;
}

void authcache_put(const char *hash, const struct principal *who, struct authcache_ticket tk)
{
    if (!tk.usable || strlen(hash) >= TOKEN_HASH_HEX)
        return;
    struct authcache_table *t = authcache_table();
    if (!t || !atomic_load(&ac.listening) || atomic_load(&ac.epoch) != tk.epoch)
        return;
    struct authcache_entry *e = &t->slot[authcache_slot(hash)];
    memcpy(e->hash, hash, strlen(hash) + 1);
    e->epoch = tk.epoch;
    e->until_us = tk.sent_us + ac.ttl_us;
    memcpy(&e->who, who, sizeof e->who);
}

void authcache_counts(uint64_t *hits, uint64_t *misses, uint64_t *drops)
{
    *hits = atomic_load(&ac.hits);
    *misses = atomic_load(&ac.misses);
    *drops = atomic_load(&ac.drops);
}

void authcache_drop_all(void)
{
    atomic_fetch_add(&ac.epoch, 1);
    atomic_fetch_add_explicit(&ac.drops, 1, memory_order_relaxed);
}

/* Waits for notifications on a LISTENing connection until it fails or the
 * cache stops. */
static void authcache_serve(struct bgthread *t, PGconn *c)
{
    while (!bgthread_stopping(t)) {
        struct pollfd p[2] = {{PQsocket(c), POLLIN, 0}, {bgthread_wake_fd(t), POLLIN, 0}};
        int n = poll(p, 2, 1000);
        if ((n < 0 && errno != EINTR) || p[1].revents)
            return;
        if (n > 0) {
            if (!PQconsumeInput(c))
                return;
            PGnotify *nt;
            bool any = false;
            while ((nt = PQnotifies(c))) {
                any = true;
                PQfreemem(nt);
            }
            if (any)
                authcache_drop_all();
        }
        if (PQstatus(c) != CONNECTION_OK)
            return;
    }
}

static void authcache_main(struct bgthread *t, void *arg)
{
    (void)arg;
    char appname[64];
    snprintf(appname, sizeof appname, "leye-authcache-%ld", (long)getpid());
    int backoff = 50;
    while (!bgthread_stopping(t)) {
        const char *err;
        PGconn *c = bgthread_connect(t, ac.conninfo, appname, &err);
        bool ok = c != NULL;
        if (ok) {
            PGresult *res = PQexec(c, "LISTEN leye_auth");
            ok = PQresultStatus(res) == PGRES_COMMAND_OK;
            PQclear(res);
        }
        if (ok) {
            backoff = 50;
            /* anything may have changed while nobody listened */
            authcache_drop_all();
            atomic_store(&ac.listening, true);
            authcache_serve(t, c);
            atomic_store(&ac.listening, false);
            authcache_drop_all();
            if (!bgthread_stopping(t))
                log_warn("session cache: lost its listener; sessions are looked up in the "
                         "database until it is back");
        } else if (!bgthread_stopping(t)) {
            log_warn("session cache: cannot listen (%s); retrying in %d ms",
                     c ? PQerrorMessage(c) : err, backoff);
        }
        bgthread_disconnect(t, c);
        if (!bgthread_sleep(t, backoff))
            break;
        backoff = backoff * 2 > AUTHCACHE_BACKOFF_MAX_MS ? AUTHCACHE_BACKOFF_MAX_MS : backoff * 2;
    }
}

int authcache_start(const char *conninfo, int ttl_ms)
{
    ac.ttl_us = (int64_t)(ttl_ms < 0 ? 0 : ttl_ms > 1000 ? 1000 : ttl_ms) * 1000;
    atomic_store(&ac.listening, false);
    if (ac.ttl_us == 0)
        return 0;
    if (pthread_key_create(&ac.key, free) != 0)
        return -1;
    ac.key_made = true;
    ac.conninfo = strdup(conninfo ? conninfo : "");
    if (!ac.conninfo)
        return -1;
    if (bgthread_start(&ac.bg, "session cache", authcache_main, NULL) < 0)
        return -1;
    ac.started = true;
    return 0;
}

void authcache_stop_begin(void)
{
    if (ac.started)
        bgthread_request_stop(&ac.bg);
}

bool authcache_stop(int64_t deadline_us)
{
    if (!ac.started)
        return true;
    atomic_store(&ac.listening, false);
    authcache_drop_all();
    bool joined = bgthread_stop(&ac.bg, deadline_us);
    ac.started = false;
    if (joined) {
        free(ac.conninfo);
        ac.conninfo = NULL;
    }
    return joined;
}

int authcache_db_connections(int *configured)
{
    *configured = ac.started ? 1 : 0;
    return ac.started ? bgthread_conns(&ac.bg) : 0;
}
