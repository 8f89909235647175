/*
 * httpd: the HTTP front end.  One event-loop thread per core, each with its
 * own listening socket (SO_REUSEPORT), HTTP/1.1 connections and database pool.
 *
 * Every connection's bytes pass a gatekeeper (lib/httphead) before anything
 * else reads them, so that oversized, ambiguous or malformed requests get a
 * problem+json answer and never reach a handler; the gatekeeper also counts
 * connections and enforces the connection cap and the request-head deadline.
 *
 * A handler receives a struct httpd_req and must end it with exactly one
 * httpd_reply_* call, now or later from a database callback.  The request
 * is freed by that call.
 */
#ifndef LEYE_HTTPD_H
#define LEYE_HTTPD_H

#include "config.h"
#include "problem.h"
#include "router.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct httpd;
struct httpd_req;
struct pgpool;
struct principal;
struct event_base;
struct bgjob_pool;

/* The gate a routed request passes on its way to the route's handler: it
 * decides who is calling and whether the route lets them, then runs
 * route->handler or answers itself (auth_dispatch).  It must end the request
 * in one of those two ways. */
typedef void (*httpd_gate_fn)(struct httpd_req *r, const struct router_route *route);

/* Creates the server: binds the listening sockets, creates the worker loops
 * and their pools.  routes must stay valid for the server's life; every
 * request that matches a route is handed to gate.  Returns NULL (after
 * logging why) on failure. */
struct httpd *httpd_new(const struct config *cfg, const struct router_route *routes, size_t nroutes,
                        httpd_gate_fn gate) __attribute__((warn_unused_result));

/* Periodic work of a higher layer (e.g. deleting expired department lists),
 * run on the first worker's loop at every maintenance tick (100 ms) with
 * that worker's pool.  It must not block.  Set before httpd_run. */
typedef void (*httpd_tick_fn)(struct pgpool *pool, int64_t now_us);
void httpd_set_tick_hook(struct httpd *h, httpd_tick_fn fn);

/* Called on the thread running httpd_run when SIGINT or SIGTERM arrives,
 * before the workers drain, with the shutdown's deadline (clock_now_us):
 * background threads are told to stop here so that they stop beside the
 * drain, not after it.  It must not block.  Set before httpd_run. */
typedef void (*httpd_stop_fn)(int64_t deadline_us);
void httpd_set_stop_hook(struct httpd *h, httpd_stop_fn fn);

/* When the shutdown that httpd_run began must be over (clock_now_us;
 * LEYE_SHUTDOWN_TIMEOUT_S after the signal), or 0 before a signal. */
int64_t httpd_stop_deadline(const struct httpd *h);

/* Runs the worker threads until SIGINT or SIGTERM, then shuts down
 * gracefully.  Returns 0 after a clean stop. */
int httpd_run(struct httpd *h) __attribute__((warn_unused_result));

void httpd_free(struct httpd *h);

/* The port actually bound (useful with port 0). */
int httpd_port(const struct httpd *h);

/* --- for handlers --- */

/* The i-th path parameter, percent-decoded ("" if absent). */
const char *httpd_req_param(const struct httpd_req *r, size_t i);

/* A query-string parameter (decoded), or NULL. */
const char *httpd_req_query(const struct httpd_req *r, const char *name);

/* Names of all query-string parameters, up to max; returns how many there are. */
size_t httpd_req_query_names(const struct httpd_req *r, const char **names, size_t max);

/* The request's path, without its query string, as sent. */
const char *httpd_req_path(const struct httpd_req *r);

/* The route the request matched, or NULL. */
const struct router_route *httpd_req_route(const struct httpd_req *r);

/* The pattern of the route the request matched ("/v1/workers/{id}"), or
 * its path when it matched none. */
const char *httpd_req_pattern(const struct httpd_req *r);

/* A request header, or NULL. */
const char *httpd_req_header(const struct httpd_req *r, const char *name);

enum problem_lang httpd_req_lang(const struct httpd_req *r);
const char *httpd_req_id(const struct httpd_req *r);
const char *httpd_req_method(const struct httpd_req *r);

/* The caller, as resolved by auth (kind PRINCIPAL_NONE when anonymous). */
struct principal *httpd_req_principal(struct httpd_req *r);

/* The client's address ("" if unknown). */
const char *httpd_req_peer(const struct httpd_req *r);

/* The event loop and background-job pool of the request's thread. */
struct event_base *httpd_req_base(const struct httpd_req *r);
struct bgjob_pool *httpd_req_bgjobs(const struct httpd_req *r);

/* Answers a problem with no per-request fields, so that equal faults give
 * byte-identical bodies (used for 401). */
void httpd_reply_problem_bare(struct httpd_req *r, const char *code);

/* The thread's database pool. */
struct pgpool *httpd_req_pool(const struct httpd_req *r);

/* The pool for reads that may lag a little (lists, reports): the read
 * replica's when one is configured and reachable, else the primary's. */
struct pgpool *httpd_req_read_pool(const struct httpd_req *r);

/* Seconds the read replica's replay is behind (0 when caught up); -1 when
 * there is no replica or it has not answered yet. */
double httpd_replica_lag(const struct httpd *h);

/* The server (for readiness figures). */
struct httpd *httpd_req_server(const struct httpd_req *r);

/* Lets this request's connection stay quiet for up to seconds (long work). */
void httpd_req_extend_timeout(struct httpd_req *r, int seconds);

/* The raw request body (borrowed; valid until the reply). */
const char *httpd_req_body(struct httpd_req *r, size_t *len);

/* Parses the body as a JSON object or array (strict: UTF-8, no duplicate keys,
 * bounded depth).  On failure answers 415/400 itself and returns NULL: the
 * handler must then return without replying.  Returns a new reference. */
json_t *httpd_req_json_body(struct httpd_req *r) __attribute__((warn_unused_result));

/* Runs fn once the request's answer is decided, before any byte of it is
 * sent (the gate uses it to forget cached sessions after a change to
 * accounts or keys has committed). */
void httpd_req_before_reply(struct httpd_req *r, void (*fn)(void));

/* Adds a response header (copied). */
void httpd_set_header(struct httpd_req *r, const char *name, const char *value);

/* Marks the request's answer as that of an audited reveal: only then may a
 * caller holding pii:reveal receive the full ID number, phone and birth
 * date.  Every answer under /v1/ is shaped for its caller (lib/privacy.h)
 * by the reply calls below; this is the one exception they make. */
void httpd_req_mark_revealed(struct httpd_req *r);

/* Marks the request's answer as one for staff granted the ethnicity
 * permission: only then does it keep ethnicity fields (the fairness report,
 * a worker's ethnicity).  Does nothing for any other caller. */
void httpd_req_mark_ethnicity(struct httpd_req *r);

/* Answers status with a JSON body (stolen; NULL for no body).  Under /v1/
 * the body is shaped for the caller first (lib/privacy.h). */
void httpd_reply_json(struct httpd_req *r, int status, json_t *body);

/* Answers with raw bytes (copied) of the given content type.  Under /v1/ a
 * JSON or CSV body is shaped for the caller first; one that cannot be shaped
 * is not sent (500). */
void httpd_reply_raw(struct httpd_req *r, int status, const char *content_type, const char *data,
                     size_t len);

/* Answers the catalogued problem code; detail may be NULL. */
void httpd_reply_problem(struct httpd_req *r, const char *code, const char *detail);

/* Answers the catalogued problem problem_code with one field error (field,
 * code); 500 should memory run out. */
void httpd_reply_field_problem(struct httpd_req *r, const char *problem_code, const char *field,
                               const char *code);

/* Answers a problem object built with problem_new (stolen). */
void httpd_reply_problem_json(struct httpd_req *r, json_t *problem);

/* Figures for /metrics-like status and readiness. */
struct httpd_stats {
    int64_t connections;
    int threads;
    int db_request, db_replica;               /* request connections configured */
    int64_t db_request_open, db_replica_open; /* and open now */
};
void httpd_stats(struct httpd *h, struct httpd_stats *out);

/* Prometheus text of all metrics; a new string (free it). */
char *httpd_metrics_text(struct httpd *h) __attribute__((warn_unused_result));

/* The server's metrics, for modules that publish gauges. */
struct metrics *httpd_metrics(struct httpd *h);

#endif
