/*
 * metrics: counters and histograms for GET /metrics (Prometheus text format).
 *
 * Each event-loop thread writes only its own shard (relaxed atomic stores, no
 * locks on the request path); a scrape adds the shards up.  Gauges set by
 * other modules (index size, replica lag, ...) live in a small named table.
 */
#ifndef LEYE_METRICS_H
#define LEYE_METRICS_H

#include "pgpool.h"
#include "router.h"

#include <stddef.h>
#include <stdint.h>

struct metrics;

/* One shard per thread, one row per route plus one for unrouted requests. */
struct metrics *metrics_new(size_t nroutes, int nthreads) __attribute__((warn_unused_result));
void metrics_free(struct metrics *m);

/* Counts a finished request; route_slot is the route's index, or nroutes. */
void metrics_request(struct metrics *m, int thread, size_t route_slot, int status, int64_t micros);

/* Publishes a thread's database pool figures. */
void metrics_pool(struct metrics *m, int thread, const struct pgpool_stats *s);

/* The same for a thread's pool on the read replica. */
void metrics_replica_pool(struct metrics *m, int thread, const struct pgpool_stats *s);

/* Connections open now in all request pools: primary and replica. */
void metrics_db_open(struct metrics *m, int64_t *request, int64_t *replica);

/* Sets a named gauge (created on first use; at most 32).  name must be a
 * static string in Prometheus form, help a static one-line description. */
void metrics_gauge(struct metrics *m, const char *name, const char *help, double value);

/* Renders everything as Prometheus text; returns a new string (free it). */
char *metrics_render(struct metrics *m, const struct router_route *routes, size_t nroutes,
                     int64_t connections) __attribute__((warn_unused_result));

#endif
