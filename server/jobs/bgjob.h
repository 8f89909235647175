/*
 * bgjob: runs CPU-heavy work (password and PIN hashing, the CSV imports of
 * households, workers, department lists and payroll files) on a
 * small pool of background threads, so that no event loop ever blocks on it,
 * and hands the result back to the loop that asked.
 */
#ifndef LEYE_BGJOB_H
#define LEYE_BGJOB_H

#include <event2/event.h>
#include <stdbool.h>

struct bgjob_pool;

/* work runs on a background thread; done runs afterwards on base's loop. */
typedef void (*bgjob_work_fn)(void *arg);
typedef void (*bgjob_done_fn)(void *arg);

/* Starts nthreads background threads.  Returns NULL on failure. */
struct bgjob_pool *bgjob_pool_new(int nthreads) __attribute__((warn_unused_result));

/* Stops the threads after the queued jobs; done callbacks no longer run. */
void bgjob_pool_free(struct bgjob_pool *p);

/*
 * Queues a job; at most BGJOB_QUEUE_MAX (bgjob.c) jobs wait.  Returns false (and runs
 * nothing) when the queue is full: the caller answers 503.  base must have
 * been made thread-aware (evthread_use_pthreads).
 */
bool bgjob_submit(struct bgjob_pool *p, struct event_base *base, bgjob_work_fn work,
                  bgjob_done_fn done, void *arg) __attribute__((warn_unused_result));

#endif
