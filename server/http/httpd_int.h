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

#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/queue.h>

#define HTTPD_TICK_MS 100
#define HTTPD_MAX_TARGET 8192
#define HTTPD_MAX_SPARE 256

enum httpd_conn_state {
    HTTPD_CONN_HEAD,    /* waiting for a request head */
    HTTPD_CONN_BODY,    /* waiting for the body of the head in req */
    HTTPD_CONN_BUSY,    /* req is with its handler; further input waits */
    HTTPD_CONN_CLOSING, /* last answer given; output drains, input is dropped */
    HTTPD_CONN_DEAD,    /* refused; output drains, input is dropped */
};

/* One client connection: its socket with a read and a write event and a
 * buffer each way, the request being read or answered (one at a time, so
 * pipelined answers keep their order), and the limits the gatekeeper
 * enforces on it. */
struct httpd_conn {
    struct httpd_worker *w;
    evutil_socket_t fd;
    struct event *rev, *wev; /* wev is pending only while output waits for the socket */
    struct evbuffer *in, *out;
    struct timeval timeout; /* of reading and of writing */
    LIST_ENTRY(httpd_conn) link;
    enum httpd_conn_state state;
    int64_t head_started;
    struct httpd_req *req; /* read (BODY) or with its handler (BUSY); NULL otherwise */
    struct event *resume;  /* goes on with pipelined input after a late answer */
    char peer[64];
    bool overcap;
    bool eof;        /* the client has shut its side */
    bool hard_close; /* shut both directions once the output is written */
    bool shut;
    bool dispatching; /* inside httpd_conn_process's handler call */
    bool paused;      /* reading stopped while input or output piles up */
    bool writing;     /* wev is pending */
};

/* A growable byte buffer owned by a request and kept when it is recycled. */
struct httpd_buf {
    char *p;
    size_t len, cap;
};

/* One request header inside httpd_req.head: offsets of its name (name_len
 * bytes) and of its value (NUL-terminated). */
struct httpd_hdr {
    uint32_t name, value;
    uint32_t name_len;
};

struct httpd_worker {
    struct httpd *h;
    int index;
    struct event_base *base;
    struct evconnlistener *listener;
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
    /* finished requests kept for the next ones: a request is a few kB, an
     * allocation that large costs more than answering /healthz */
    struct httpd_req *spare;
    int nspare;
    char date[48];   /* "Date: ...\r\n" for the second date_at */
    int64_t date_at; /* seconds since the epoch */
};

struct httpd {
    const struct config *cfg;
    const struct router_route *routes;
    size_t nroutes;
    httpd_gate_fn gate;
    httpd_tick_fn tick_hook;
    httpd_stop_fn stop_hook;
    int64_t stop_deadline_us; /* 0 until a stop signal */
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
};

struct httpd_req {
    struct httpd_conn *conn; /* NULL once the client has gone */
    struct httpd_worker *w;
    struct router_match match;
    struct evkeyvalq query;
    bool query_parsed;
    char id[48];
    const char *method;
    char *path; /* path_buf when it fits, else allocated */
    char path_buf[256];
    const char *target; /* inside head, NUL-terminated */
    bool http10;        /* an HTTP/1.0 request */
    bool keep_alive10;  /* an HTTP/1.0 request that asked to keep the connection */
    bool is_head;       /* HEAD: the answer's head only */
    bool last_on_conn;
    bool has_content_type, has_cache_control, has_retry_after;
    bool timeout_extended;
    uint64_t content_length;
    char peer[64];
    struct principal principal;
    enum problem_lang lang;
    int64_t start;
    char error_code[40];
    bool revealed;  /* the answer of an audited reveal (httpd_req_mark_revealed) */
    bool ethnicity; /* an answer for the ethnicity permission (httpd_req_mark_ethnicity) */
    void (*before_reply)(void);
    struct evbuffer *body; /* NULL without a body */
    /* kept when the request is recycled: */
    struct httpd_buf head; /* the request head, values NUL-terminated in place */
    struct httpd_buf out;  /* response headers set by the handler, "Name: value\r\n" */
    struct httpd_hdr *hdrs;
    size_t nhdrs, hdrs_cap;
    struct httpd_req *next_spare;
};

/* httpd_conn.c */

/* Starts serving the listening socket fd on the worker's loop.  Returns -1
 * when out of memory. */
int httpd_conn_listen(struct httpd_worker *w, evutil_socket_t fd)
    __attribute__((warn_unused_result));

/* Stops accepting connections (shutdown). */
void httpd_conn_unlisten(struct httpd_worker *w);

/* Called by the request's reply, once its answer is in the connection's
 * output: closing says the connection ends after it.  Reading goes on with
 * any pipelined request. */
void httpd_conn_answered(struct httpd_conn *c, bool closing);

/* Lets the connection stay quiet for up to seconds. */
void httpd_conn_set_timeout(struct httpd_conn *c, int seconds);

/* Refuses request heads that take longer than the header deadline. */
void httpd_conn_sweep(struct httpd_worker *w, int64_t now);

/* True while an answer already given waits in some connection's output. */
bool httpd_conn_output_pending(struct httpd_worker *w);

/* Closes every connection of the worker (after its loop has stopped). */
void httpd_conn_close_all(struct httpd_worker *w);

/* httpd_req.c */

/* A request for connection c, fresh or recycled; NULL when out of memory. */
struct httpd_req *httpd_req_new(struct httpd_worker *w);

/* Copies a head that lib/httphead accepted (len bytes at p) into r and
 * indexes its headers.  Returns -1 when out of memory. */
int httpd_req_take_head(struct httpd_req *r, const char *p, size_t len,
                        const struct httphead_info *info) __attribute__((warn_unused_result));

/* Hands a whole request to its route: every request read starts here, and
 * ends in one reply, now or later. */
void httpd_req_start(struct httpd_req *r);

/* Frees a request that was never started (its connection broke first). */
void httpd_req_drop(struct httpd_req *r);

/* Fills w->date for the current second. */
void httpd_req_date(struct httpd_worker *w, int64_t now_us);

#endif
