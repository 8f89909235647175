/*
 * matchidx: the process's matching index (lib/match), loaded from PostgreSQL
 * and kept in step with it.
 *
 * A thread of its own connects, issues LISTEN leye_match, loads every worker,
 * household and vacancy in one snapshot into a new index (workers and
 * households by binary COPY on two connections, matchload.h) and swaps it in;
 * then it applies each batch of notifications (migrations 011, 018, 024, 026,
 * 034: "w:<id>,…", "v:…", "h:…", "weights", "skills") by reading those
 * records again, a household's workers with it.  After a lost connection it
 * reconnects with backoff and loads everything again, serving the old index
 * meanwhile.  Queries from the event-loop threads hold the read lock; the
 * thread holds the write lock only to swap an index or apply a batch.
 */
#ifndef LEYE_MATCHIDX_H
#define LEYE_MATCHIDX_H

#include "match/match.h"

#include <jansson.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Starts the loader thread: it listens on the primary and loads from the
 * read replica when one is given (replica may be NULL or "").  Returns 0 or -1. */
int matchidx_start(const char *conninfo, const char *replica) __attribute__((warn_unused_result));

/* Asks the loader thread to stop without waiting (at the shutdown signal);
 * the index it loaded stays readable. */
void matchidx_stop_begin(void);

/* Stops the thread by deadline_us (clock_now_us) and frees the index (after
 * the event loops have stopped).  False when the thread was left running
 * past the deadline: the index is then not freed. */
bool matchidx_stop(int64_t deadline_us);

/* Database connections the loader has open now (1; 2 while it loads from
 * the primary, 3 from a read replica; 0 while reconnecting); *most gets how
 * many it may open. */
int matchidx_db_connections(int *most);

/* True once the first load has finished. */
bool matchidx_ready(void);

/*
 * Takes the read lock and gives the index and the names for rendering
 * reasons; false (no lock held) before the first load.  Every true return
 * must be followed by matchidx_read_end.
 */
bool matchidx_read_begin(const struct match_index **idx, const struct match_names **names);
void matchidx_read_end(void);

/* A hit's reasons as JSON, [{"code", "text"[, "filter"]}], in lang. */
json_t *matchidx_reasons_json(const struct match_hit *h, enum match_lang lang,
                              const struct match_names *names);

struct matchidx_stats {
    bool ready;
    size_t workers, households, vacancies, bytes;
    double age_s;       /* since the last full load */
    double load_s;      /* how long the last full load took */
    uint64_t loads;     /* full loads so far */
    uint64_t batches;   /* notification batches applied */
    uint64_t queries;   /* top-k queries answered */
    double query_s;     /* their time in all */
    double query_max_s; /* the slowest */
};
void matchidx_stats(struct matchidx_stats *out);

/* Counts one top-k query that took micros (for /metrics). */
void matchidx_note_query(int64_t micros);

#endif
