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
#include <stdint.h>

struct bgjob_pool;

/* work runs on a background thread; done runs afterwards on base's loop. */
typedef void (*bgjob_work_fn)(void *arg);
typedef void (*bgjob_done_fn)(void *arg);

/* Starts nthreads background threads.  Returns NULL on failure. */
struct bgjob_pool *bgjob_pool_new(int nthreads) __attribute__((warn_unused_result));

/*
 * Stops the threads after the queued jobs, waiting until deadline_us
 * (clock_now_us); done callbacks no longer run.  Returns false when a job
 * was still running at the deadline: its thread is left behind and the
 * pool is not freed.
 */
bool bgjob_pool_free(struct bgjob_pool *p, int64_t deadline_us);

/*
 * Queues a job; at most BGJOB_QUEUE_MAX (bgjob.c) jobs wait.  Returns false (and runs
 * nothing) when the queue is full: the caller answers 503.  base must have
 * been made thread-aware (evthread_use_pthreads).
 */
bool bgjob_submit(struct bgjob_pool *p, struct event_base *base, bgjob_work_fn work,
                  bgjob_done_fn done, void *arg) __attribute__((warn_unused_result));

#endif
