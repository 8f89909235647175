#define _POSIX_C_SOURCE 200809L
#include "bgjob.h"

#include "bgthread.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/queue.h>

#define BGJOB_QUEUE_MAX 256

struct bgjob {
    TAILQ_ENTRY(bgjob) next;
    struct event_base *base;
    bgjob_work_fn work;
    bgjob_done_fn done;
    void *arg;
};

struct bgjob_pool {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    TAILQ_HEAD(, bgjob) queue;
    int queued;
    bool stopping;
    int nthreads;
    struct bgthread threads[];
};

static void bgjob_done_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct bgjob *j = arg;
    j->done(j->arg);
    free(j);
}

static void bgjob_main(struct bgthread *t, void *arg)
{
    (void)t;
    struct bgjob_pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        while (!p->stopping && TAILQ_EMPTY(&p->queue))
            pthread_cond_wait(&p->wake, &p->lock);
        struct bgjob *j = TAILQ_FIRST(&p->queue);
        if (!j) {
            pthread_mutex_unlock(&p->lock);
            return;
        }
        TAILQ_REMOVE(&p->queue, j, next);
        p->queued--;
        pthread_mutex_unlock(&p->lock);
        j->work(j->arg);
        /* once stopping, the event loops may be gone: done no longer runs */
        struct timeval now = {0, 0};
        pthread_mutex_lock(&p->lock);
        bool sent =
            !p->stopping && event_base_once(j->base, -1, EV_TIMEOUT, bgjob_done_cb, j, &now) == 0;
        pthread_mutex_unlock(&p->lock);
        if (!sent)
            free(j);
    }
}

struct bgjob_pool *bgjob_pool_new(int nthreads)
{
    struct bgjob_pool *p = calloc(1, sizeof *p + (size_t)nthreads * sizeof(struct bgthread));
    if (!p)
        return NULL;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    TAILQ_INIT(&p->queue);
    for (int i = 0; i < nthreads; i++) {
        if (bgthread_start(&p->threads[i], "background job", bgjob_main, p) < 0)
            break;
        p->nthreads++;
    }
    if (p->nthreads == 0) {
        bool stopped = bgjob_pool_free(p, 0);
        (void)stopped;
        return NULL;
    }
    return p;
}

bool bgjob_pool_free(struct bgjob_pool *p, int64_t deadline_us)
{
    if (!p)
        return true;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    bool all = true;
    for (int i = 0; i < p->nthreads; i++)
        all &= bgthread_stop(&p->threads[i], deadline_us);
    if (!all)
        return false; /* a thread still runs a job: the pool stays */
    struct bgjob *j;
    while ((j = TAILQ_FIRST(&p->queue)) != NULL) {
        TAILQ_REMOVE(&p->queue, j, next);
        free(j);
    }
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    free(p);
    return true;
}

bool bgjob_submit(struct bgjob_pool *p, struct event_base *base, bgjob_work_fn work,
                  bgjob_done_fn done, void *arg)
{
    struct bgjob *j = malloc(sizeof *j);
    if (!j)
        return false;
    j->base = base;
    j->work = work;
    j->done = done;
    j->arg = arg;
    pthread_mutex_lock(&p->lock);
    bool ok = !p->stopping && p->queued < BGJOB_QUEUE_MAX;
    if (ok) {
        TAILQ_INSERT_TAIL(&p->queue, j, next);
        p->queued++;
        pthread_cond_signal(&p->wake);
    }
    pthread_mutex_unlock(&p->lock);
    if (!ok)
        free(j);
    return ok;
}
