/*
 * allocator: the process's solver thread for bulk allocations (lib/alloc).
 *
 * Allocations are queued in PostgreSQL (migrations/028_allocations.sql).  The
 * thread of every server instance listens on leye_alloc and claims queued
 * allocations one at a time (FOR UPDATE SKIP LOCKED), so several instances
 * share the work and an allocation whose instance died is taken over.  For
 * each it takes every vacancy's top-K candidates from the matching index
 * (the read lock held for one vacancy at a time), reads the households from
 * the database, solves, explains each assignment and stores the draft.
 * Progress goes to the database about four times a second; a cancelled
 * allocation stops at the next report.  The event loops never wait for it.
 */
#ifndef LEYE_ALLOCATOR_H
#define LEYE_ALLOCATOR_H

#include <stdbool.h>
#include <stdint.h>

/* Starts the thread.  Returns 0 or -1. */
int allocator_start(const char *conninfo) __attribute__((warn_unused_result));

/* Asks the thread to stop without waiting (at the shutdown signal). */
void allocator_stop_begin(void);

/* Stops the thread by deadline_us (clock_now_us); an allocation it was
 * running goes back to the queue.  False when the thread was left running
 * past the deadline (see bgthread_stop). */
bool allocator_stop(int64_t deadline_us);

/* Database connections the thread has open now; *most gets how many it
 * may open (1 while it runs, else 0). */
int allocator_db_connections(int *most);

struct allocator_stats {
    uint64_t drafts;    /* allocations solved and stored */
    uint64_t failed;    /* allocations that failed */
    uint64_t cancelled; /* allocations stopped by a cancel */
    double seconds;     /* time spent on all of them */
    bool running;       /* one is being solved now */
};
void allocator_stats(struct allocator_stats *out);

#endif
