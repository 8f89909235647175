/*
 * httpd_int: the inside of the HTTP front end, shared by its three files and
 * by nothing else.
 *
 *   httpd_conn.c  the gatekeeper: one struct httpd_conn per client connection,
 *                 its state moved by httpd_conn_set_state alone
 *   httpd_req.c   a request's life: accessors, body, routing, replies (each
 *                 shaped for its caller on the way out)
 *   httpd.c       the server: worker threads and loops, listening sockets,
 *                 the maintenance tick, the read replica's lag, shutdown
 */
#ifndef LEYE_HTTPD_INT_H
#define LEYE_HTTPD_INT_H

#include "httpd.h"

#include "httphead.h"
#include "principal.h"

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/queue.h>

#define HTTPD_TICK_MS 100
#define HTTPD_MAX_TARGET 8192

enum httpd_conn_state {
    HTTPD_CONN_HEAD,    /* waiting for a request head */
    HTTPD_CONN_BODY,    /* passing body_left more bytes */
    HTTPD_CONN_CLOSING, /* last request passed; further input is dropped */
    HTTPD_CONN_DEAD,    /* refused; further input is dropped */
};

/* Gatekeeper state of one client connection (the filter's context). */
struct httpd_conn {
    struct httpd_worker *w;
    struct bufferevent *under;
    LIST_ENTRY(httpd_conn) link;
    enum httpd_conn_state state;
    uint64_t body_left;
    int64_t head_started;
    evutil_socket_t fd;
    uint64_t gen;
    struct evbuffer_cb_entry *drain;
    bool overcap;
    bool want_close; /* the client asked to close after request number close_at */
    uint32_t heads, close_at, served;
    bool hard_close; /* shut both directions once the output is written */
    bool shut;
};

struct httpd_worker {
    struct httpd *h;
    int index;
    struct event_base *base;
    struct evhttp *http;
    struct evhttp_bound_socket *bound;
    evutil_socket_t fd;
    struct pgpool *pool;
    struct pgpool *replica; /* NULL without LEYE_DATABASE_REPLICA_URL */
    struct event *tick;
    pthread_t thread;
    uint64_t conn_gen;
    LIST_HEAD(, httpd_conn) conns;
    int inflight;
    bool stopping;
    int64_t stop_deadline;
    uint64_t seq;
};

struct httpd {
    const struct config *cfg;
    const struct router_route *routes;
    size_t nroutes;
    httpd_gate_fn gate;
    httpd_tick_fn tick_hook;
    int nworkers;
    struct httpd_worker *workers;
    atomic_llong connections;
    int port;
    struct httphead_limits limits;
    uint32_t id_prefix;
    struct metrics *metrics;
    struct bgjob_pool *bgjobs;
    _Atomic double replica_lag; /* seconds, -1 unknown */
    int64_t replica_polled_us;
    bool replica_polling;
    size_t nfds;
    struct httpd_conn *_Atomic *conn_by_fd; /* each fd belongs to one worker at a time */
};

struct httpd_req {
    struct evhttp_request *ev;
    struct httpd_worker *w;
    struct router_match match;
    struct evkeyvalq query;
    bool query_parsed;
    char id[48];
    const char *method;
    char *path;
    evutil_socket_t conn_fd;
    uint64_t conn_gen;
    bool last_on_conn;
    char peer[64];
    struct principal principal;
    enum problem_lang lang;
    int64_t start;
    char error_code[40];
    bool revealed;  /* the answer of an audited reveal (httpd_req_mark_revealed) */
    bool ethnicity; /* an answer for the ethnicity permission (httpd_req_mark_ethnicity) */
};

/* httpd_conn.c */

/* evhttp's bufferevent callback: a new connection behind the gatekeeper
 * (arg: the worker).  NULL when out of memory. */
struct bufferevent *httpd_conn_new(struct event_base *base, void *arg);

/* The live connection for fd with generation gen, or NULL. */
struct httpd_conn *httpd_conn_find(struct httpd *h, evutil_socket_t fd, uint64_t gen);

/* Ends the connection once everything written to it has reached the socket. */
void httpd_conn_close_when_drained(struct httpd_conn *c);

/* Refuses request heads that take longer than the header deadline. */
void httpd_conn_sweep(struct httpd_worker *w, int64_t now);

/* httpd_req.c */

/* evhttp's request callback (arg: the worker): every request starts here. */
void httpd_request_cb(struct evhttp_request *ev, void *arg);

#endif
