/*
 * notify: the process's delivery thread for the notification outbox
 * (migrations/043_notify.sql, docs/notifications.md).
 *
 * The thread of every server instance claims due messages with FOR UPDATE
 * SKIP LOCKED under a lease (notify_claim), sends each through its
 * channel's adapter (SMS gateway or broker webhook, HTTP/1.1 over https://
 * or http:// with timeouts, on this thread: notify_http.h), and records the outcome
 * (notify_finish): delivered, retried after a capped exponential backoff, or dead.  An instance
 * that dies between sending and recording leaves the message leased; another claims it when the
 * lease ends and sends it again with the same id.  Between passes it turns new vacancies into
 * digest entries (the matching index) and writes the day's digests and staff's visit reminders
 * (notify_daily).  The event loops never wait for it.
 */
#ifndef LEYE_NOTIFY_H
#define LEYE_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

struct config;

/* Starts the thread with the notify_* settings of cfg (copied).  Returns 0 or -1. */
int notify_start(const struct config *cfg) __attribute__((warn_unused_result));

/* Asks the thread to stop without waiting (at the shutdown signal). */
void notify_stop_begin(void);

/* Stops the thread by deadline_us (clock_now_us); a message it was sending
 * stays leased and is sent again by whichever instance claims it after the
 * lease.  False when the thread was left running past the deadline. */
bool notify_stop(int64_t deadline_us);

/* Database connections the delivery thread has open now; *most gets how
 * many it may open (1 while delivery runs on this instance, else 0). */
int notify_db_connections(int *most);

struct notify_stats {
    uint64_t delivered; /* messages accepted by a gateway or an endpoint */
    uint64_t retried;   /* failed sends put back for a later try */
    uint64_t dead;      /* messages given up (attempts used, 410, no address) */
    uint64_t digests;   /* daily digests written */
};
void notify_stats(struct notify_stats *out);

#endif
