#define _GNU_SOURCE
#include "httpd.h"

#include "clock.h"
#include "bgjob.h"
#include "httphead.h"
#include "log.h"
#include "metrics.h"
#include "pgpool.h"
#include "principal.h"
#include "privacy.h"
#include "validate.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

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
    bool revealed; /* the answer of an audited reveal (httpd_req_mark_revealed) */
};

/* ---------- gatekeeper ---------- */

static void httpd_conn_free(void *arg)
{
    struct httpd_conn *c = arg;
    struct httpd *h = c->w->h;
    LIST_REMOVE(c, link);
    atomic_fetch_sub(&h->connections, 1);
    if (c->fd >= 0 && (size_t)c->fd < h->nfds)
        atomic_store(&h->conn_by_fd[c->fd], NULL);
    if (c->drain)
        evbuffer_remove_cb_entry(bufferevent_get_output(c->under), c->drain);
    free(c);
}

/* The live connection for fd with generation gen, or NULL. */
static struct httpd_conn *httpd_conn_find(struct httpd *h, evutil_socket_t fd, uint64_t gen)
{
    if (fd < 0 || (size_t)fd >= h->nfds)
        return NULL;
    struct httpd_conn *c = atomic_load(&h->conn_by_fd[fd]);
    return c && c->gen == gen ? c : NULL;
}

static void httpd_conn_shut(struct httpd_conn *c)
{
    if (c->shut || c->fd < 0)
        return;
    c->shut = true;
    shutdown(c->fd, c->hard_close ? SHUT_RDWR : SHUT_WR);
}

static void httpd_conn_drain_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
                                void *arg)
{
    (void)info;
    if (evbuffer_get_length(buf) == 0)
        httpd_conn_shut(arg);
}

/* Ends the connection once everything written to it has reached the socket:
 * evhttp never closes it itself, so a response is never cut short. */
static void httpd_conn_close_when_drained(struct httpd_conn *c)
{
    struct evbuffer *out = bufferevent_get_output(c->under);
    if (c->state != HTTPD_CONN_DEAD)
        c->state = HTTPD_CONN_CLOSING;
    if (evbuffer_get_length(out) == 0)
        httpd_conn_shut(c);
    else if (!c->drain)
        c->drain = evbuffer_add_cb(out, httpd_conn_drain_cb, c);
}

/* Answers a refused request and ends the connection. */
static void httpd_conn_reject(struct httpd_conn *c, const char *code, const char *lang_header,
                              bool hard)
{
    enum problem_lang lang = problem_lang_from_header(lang_header);
    json_t *p = problem_new(code, lang, NULL);
    char *body = p ? json_dumps(p, JSON_COMPACT) : NULL;
    json_decref(p);
    int status = problem_status(code);
    struct evbuffer *out = bufferevent_get_output(c->under);
    evbuffer_add_printf(out,
                        "HTTP/1.1 %d %s\r\nContent-Type: application/problem+json\r\n"
                        "Content-Length: %zu\r\nConnection: close\r\nCache-Control: no-store\r\n"
                        "%s\r\n%s",
                        status, status == 503 ? "Service Unavailable" : "Error",
                        body ? strlen(body) : 0, status == 503 ? "Retry-After: 1\r\n" : "",
                        body ? body : "");
    free(body);
    c->state = HTTPD_CONN_DEAD;
    c->head_started = 0;
    c->hard_close = hard;
    httpd_conn_close_when_drained(c);
    struct log_request lr = {"-", "-", "-", NULL, NULL, status, 0, code};
    log_request(&lr);
}

/* Moves whole, checked request heads and their bodies on to evhttp. */
static enum bufferevent_filter_result httpd_filter_in(struct evbuffer *src, struct evbuffer *dst,
                                                      ev_ssize_t limit,
                                                      enum bufferevent_flush_mode mode, void *arg)
{
    (void)limit;
    (void)mode;
    struct httpd_conn *c = arg;
    struct httpd *h = c->w->h;
    const struct httphead_limits *lim = &h->limits;
    if (c->fd < 0) {
        c->fd = bufferevent_getfd(c->under);
        if (c->fd >= 0 && (size_t)c->fd < h->nfds)
            atomic_store(&h->conn_by_fd[c->fd], c);
    }
    while (evbuffer_get_length(src) > 0) {
        size_t avail = evbuffer_get_length(src);
        if (c->state == HTTPD_CONN_DEAD || c->state == HTTPD_CONN_CLOSING) {
            evbuffer_drain(src, avail);
            return BEV_OK;
        }
        if (c->state == HTTPD_CONN_BODY) {
            size_t n = avail < c->body_left ? avail : (size_t)c->body_left;
            evbuffer_remove_buffer(src, dst, n);
            c->body_left -= n;
            if (c->body_left == 0)
                c->state = c->want_close ? HTTPD_CONN_CLOSING : HTTPD_CONN_HEAD;
            continue;
        }
        size_t look = avail < lim->max_head + 1 ? avail : lim->max_head + 1;
        const char *p = (const char *)evbuffer_pullup(src, (ev_ssize_t)look);
        if (p[0] == '\r' || p[0] == '\n') {
            evbuffer_drain(src, 1);
            continue;
        }
        if (!c->head_started)
            c->head_started = clock_now_us();
        struct httphead_info info;
        enum httphead_result r = httphead_check(p, look, lim, &info);
        if (r == HTTPHEAD_NEED_MORE)
            return BEV_NEED_MORE;
        if (r == HTTPHEAD_OK && c->overcap)
            r = HTTPHEAD_BAD_REQUEST;
        if (r != HTTPHEAD_OK) {
            httpd_conn_reject(c, c->overcap ? "too_many_connections" : httphead_problem_code(r),
                              info.accept_language, false);
            evbuffer_drain(src, evbuffer_get_length(src));
            return BEV_OK;
        }
        evbuffer_remove_buffer(src, dst, info.head_len);
        c->head_started = 0;
        c->body_left = info.content_length;
        c->heads++;
        if (info.close) {
            c->want_close = true;
            c->close_at = c->heads;
        }
        if (info.content_length)
            c->state = HTTPD_CONN_BODY;
        else
            c->state = c->want_close ? HTTPD_CONN_CLOSING : HTTPD_CONN_HEAD;
    }
    return BEV_OK;
}

static struct bufferevent *httpd_bevcb(struct event_base *base, void *arg)
{
    struct httpd_worker *w = arg;
    struct httpd_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->w = w;
    c->fd = -1;
    c->gen = ++w->conn_gen;
    c->under = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    struct bufferevent *f = c->under
                                ? bufferevent_filter_new(c->under, httpd_filter_in, NULL,
                                                         BEV_OPT_CLOSE_ON_FREE, httpd_conn_free, c)
                                : NULL;
    if (!f) {
        if (c->under)
            bufferevent_free(c->under);
        free(c);
        return NULL;
    }
    LIST_INSERT_HEAD(&w->conns, c, link);
    long long n = atomic_fetch_add(&w->h->connections, 1) + 1;
    c->overcap = n > w->h->cfg->max_connections || w->stopping;
    return f;
}

/* Refuses request heads that take longer than the header deadline. */
static void httpd_conn_sweep(struct httpd_worker *w, int64_t now)
{
    int64_t limit = (int64_t)w->h->cfg->header_timeout_s * 1000000;
    struct httpd_conn *c;
    LIST_FOREACH(c, &w->conns, link)
    {
        if (c->state == HTTPD_CONN_HEAD && c->head_started && now - c->head_started > limit)
            httpd_conn_reject(c, "request_timeout", NULL, true);
    }
}

/* ---------- requests ---------- */

const char *httpd_req_param(const struct httpd_req *r, size_t i)
{
    return i < r->match.nparams ? r->match.params[i] : "";
}

const char *httpd_req_query(const struct httpd_req *r, const char *name)
{
    return r->query_parsed ? evhttp_find_header(&r->query, name) : NULL;
}

size_t httpd_req_query_names(const struct httpd_req *r, const char **names, size_t max)
{
    size_t n = 0;
    if (!r->query_parsed)
        return 0;
    for (struct evkeyval *kv = TAILQ_FIRST(&r->query); kv; kv = TAILQ_NEXT(kv, next)) {
        if (n < max)
            names[n] = kv->key;
        n++;
    }
    return n;
}

const char *httpd_req_header(const struct httpd_req *r, const char *name)
{
    return evhttp_find_header(evhttp_request_get_input_headers(r->ev), name);
}

enum problem_lang httpd_req_lang(const struct httpd_req *r)
{
    return r->lang;
}

const char *httpd_req_id(const struct httpd_req *r)
{
    return r->id;
}

const char *httpd_req_method(const struct httpd_req *r)
{
    return r->method;
}

struct principal *httpd_req_principal(struct httpd_req *r)
{
    return &r->principal;
}

const char *httpd_req_peer(const struct httpd_req *r)
{
    return r->peer;
}

struct event_base *httpd_req_base(const struct httpd_req *r)
{
    return r->w->base;
}

struct bgjob_pool *httpd_req_bgjobs(const struct httpd_req *r)
{
    return r->w->h->bgjobs;
}

static void httpd_reply_json_typed(struct httpd_req *r, int status, json_t *body, const char *type);

void httpd_reply_problem_bare(struct httpd_req *r, const char *code)
{
    json_t *p = problem_new(code, r->lang, NULL);
    snprintf(r->error_code, sizeof r->error_code, "%s", code);
    if (!p) {
        httpd_reply_raw(r, 500, NULL, NULL, 0);
        return;
    }
    httpd_reply_json_typed(r, problem_status(code), p, "application/problem+json");
}

struct pgpool *httpd_req_pool(const struct httpd_req *r)
{
    return r->w->pool;
}

struct pgpool *httpd_req_read_pool(const struct httpd_req *r)
{
    struct pgpool *replica = r->w->replica;
    return replica && pgpool_usable(replica) ? replica : r->w->pool;
}

struct httpd *httpd_req_server(const struct httpd_req *r)
{
    return r->w->h;
}

void httpd_set_header(struct httpd_req *r, const char *name, const char *value)
{
    evhttp_add_header(evhttp_request_get_output_headers(r->ev), name, value);
}

void httpd_req_mark_revealed(struct httpd_req *r)
{
    r->revealed = true;
}

/* ---------- privacy: every answer under /v1/ is shaped for its caller ---------- */

static int httpd_dump_cb(const char *buf, size_t size, void *data);

static bool httpd_privacy_applies(const struct httpd_req *r)
{
    return r->path && strncmp(r->path, "/v1/", 4) == 0;
}

static enum privacy_caller httpd_privacy_caller(const struct httpd_req *r)
{
    const struct principal *p = &r->principal;
    switch (p->kind) {
    case PRINCIPAL_STAFF:
        return p->pii_reveal ? PRIVACY_STAFF_REVEAL : PRIVACY_STAFF;
    case PRINCIPAL_KIOSK:
        return PRIVACY_KIOSK;
    case PRINCIPAL_BROKER:
        return PRIVACY_BROKER;
    case PRINCIPAL_NONE:
    default:
        return PRIVACY_PUBLIC;
    }
}

static bool httpd_type_is(const char *type, const char *prefix)
{
    return type && strncasecmp(type, prefix, strlen(prefix)) == 0;
}

/*
 * The body of a raw answer as its caller may receive it: JSON is parsed,
 * shaped and written again when the quick scan finds something to shape,
 * CSV loses or re-masks columns.  Returns 0 with *shaped NULL when the body
 * goes as it is, 0 with a new evbuffer holding the shaped body, or -1 when
 * it could not be shaped (then nothing of it may be sent).
 */
static int httpd_privacy_raw(struct httpd_req *r, const char *type, const char *data, size_t len,
                             struct evbuffer **shaped)
{
    *shaped = NULL;
    if (!data || !len || !httpd_privacy_applies(r))
        return 0;
    enum privacy_caller caller = httpd_privacy_caller(r);
    int rc = -1;
    if (httpd_type_is(type, "text/csv")) {
        char *out = NULL;
        size_t n = 0;
        if (privacy_shape_csv(data, len, caller, r->revealed, &out, &n) < 0)
            goto done;
        if (out) {
            *shaped = evbuffer_new();
            if (!*shaped || evbuffer_add(*shaped, out, n) < 0) {
                free(out);
                goto done;
            }
            free(out);
        }
        rc = 0;
        goto done;
    }
    if (!httpd_type_is(type, "application/json") &&
        !httpd_type_is(type, "application/problem+json"))
        return 0;
    if (!privacy_json_needs_shaping(data, len, caller, r->revealed))
        return 0;
    json_t *v = json_loadb(data, len, 0, NULL);
    if (!v)
        goto done;
    privacy_shape_json(v, caller, r->revealed);
    *shaped = evbuffer_new();
    if (*shaped &&
        json_dump_callback(v, httpd_dump_cb, *shaped, JSON_COMPACT | JSON_REAL_PRECISION(15)) == 0)
        rc = 0;
    json_decref(v);
done:
    if (rc < 0) {
        if (*shaped)
            evbuffer_free(*shaped);
        *shaped = NULL;
        log_error("request %s: the answer could not be shaped for its caller", r->id);
    }
    return rc;
}

static void httpd_req_free(struct httpd_req *r)
{
    if (r->query_parsed)
        evhttp_clear_headers(&r->query);
    r->w->inflight--;
    free(r->path);
    free(r);
}

static void httpd_finish(struct httpd_req *r, int status, struct evbuffer *body)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(r->ev);
    evhttp_add_header(h, "X-Request-Id", r->id);
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    if (!evhttp_find_header(h, "Cache-Control"))
        evhttp_add_header(h, "Cache-Control", "no-store");
    if (status == 503 && !evhttp_find_header(h, "Retry-After"))
        evhttp_add_header(h, "Retry-After", "1");
    struct evhttp_connection *evcon = evhttp_request_get_connection(r->ev);
    struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
    if (bev)
        bufferevent_incref(bev);
    evhttp_send_reply(r->ev, status, NULL, body);
    if (bev) {
        /* evhttp adds the reply before enabling writes; push it through the gatekeeper */
        bufferevent_flush(bev, EV_WRITE, BEV_NORMAL);
        struct httpd_conn *c = httpd_conn_find(r->w->h, r->conn_fd, r->conn_gen);
        if (c && (r->last_on_conn || r->w->stopping))
            httpd_conn_close_when_drained(c);
        bufferevent_decref(bev);
    }
    const struct router_route *rt = r->match.route;
    struct log_request lr = {r->id,
                             r->method,
                             r->path,
                             rt ? rt->pattern : NULL,
                             r->peer[0] ? r->peer : NULL,
                             status,
                             clock_now_us() - r->start,
                             r->error_code[0] ? r->error_code : NULL};
    log_request(&lr);
    metrics_request(r->w->h->metrics, r->w->index,
                    rt ? (size_t)(rt - r->w->h->routes) : r->w->h->nroutes, status, lr.micros);
    httpd_req_free(r);
}

void httpd_reply_raw(struct httpd_req *r, int status, const char *content_type, const char *data,
                     size_t len)
{
    struct evbuffer *shaped;
    if (httpd_privacy_raw(r, content_type, data, len, &shaped) < 0) {
        httpd_reply_problem(r, "internal_error", NULL);
        return;
    }
    if (shaped) {
        evhttp_add_header(evhttp_request_get_output_headers(r->ev), "Content-Type", content_type);
        httpd_finish(r, status, shaped);
        evbuffer_free(shaped);
        return;
    }
    struct evbuffer *b = evbuffer_new();
    if (content_type)
        evhttp_add_header(evhttp_request_get_output_headers(r->ev), "Content-Type", content_type);
    if (b && data && len)
        evbuffer_add(b, data, len);
    httpd_finish(r, status, b);
    if (b)
        evbuffer_free(b);
}

static int httpd_dump_cb(const char *buf, size_t size, void *data)
{
    return evbuffer_add(data, buf, size);
}

static void httpd_reply_json_typed(struct httpd_req *r, int status, json_t *body, const char *type)
{
    struct evbuffer *b = evbuffer_new();
    if (body && httpd_privacy_applies(r))
        privacy_shape_json(body, httpd_privacy_caller(r), r->revealed);
    if (body && b) {
        evhttp_add_header(evhttp_request_get_output_headers(r->ev), "Content-Type", type);
        if (json_dump_callback(body, httpd_dump_cb, b, JSON_COMPACT | JSON_REAL_PRECISION(15)) < 0)
            log_error("request %s: could not write the JSON answer", r->id);
    }
    json_decref(body);
    httpd_finish(r, status, b);
    if (b)
        evbuffer_free(b);
}

void httpd_reply_json(struct httpd_req *r, int status, json_t *body)
{
    httpd_reply_json_typed(r, status, body, "application/json; charset=utf-8");
}

void httpd_reply_field_problem(struct httpd_req *r, const char *problem_code, const char *field,
                               const char *code)
{
    json_t *p = problem_new(problem_code, httpd_req_lang(r), NULL);
    if (!p || problem_add_error(p, field, code, httpd_req_lang(r), NULL) < 0) {
        json_decref(p);
        httpd_reply_problem(r, "internal_error", NULL);
        return;
    }
    httpd_reply_problem_json(r, p);
}

void httpd_reply_problem_json(struct httpd_req *r, json_t *problem)
{
    int status = (int)json_integer_value(json_object_get(problem, "status"));
    const char *code = json_string_value(json_object_get(problem, "code"));
    snprintf(r->error_code, sizeof r->error_code, "%s", code ? code : "");
    json_object_set_new(problem, "instance", json_string(r->path));
    json_object_set_new(problem, "request_id", json_string(r->id));
    httpd_reply_json_typed(r, status ? status : 500, problem, "application/problem+json");
}

void httpd_reply_problem(struct httpd_req *r, const char *code, const char *detail)
{
    json_t *p = problem_new(code, r->lang, detail);
    if (!p) {
        httpd_reply_raw(r, 500, NULL, NULL, 0);
        return;
    }
    snprintf(r->error_code, sizeof r->error_code, "%s", code);
    json_object_set_new(p, "instance", json_string(r->path));
    json_object_set_new(p, "request_id", json_string(r->id));
    httpd_reply_json_typed(r, problem_status(code), p, "application/problem+json");
}

static bool httpd_content_type_json(const char *ct)
{
    if (!ct || strncasecmp(ct, "application/json", 16) != 0)
        return false;
    const char *rest = ct + 16;
    while (*rest == ' ')
        rest++;
    if (!*rest)
        return true;
    if (*rest != ';')
        return false;
    const char *cs = strcasestr(rest, "charset=");
    if (!cs)
        return true;
    cs += 8;
    if (*cs == '"')
        cs++;
    return strncasecmp(cs, "utf-8", 5) == 0 || strncasecmp(cs, "utf8", 4) == 0;
}

void httpd_req_extend_timeout(struct httpd_req *r, int seconds)
{
    struct evhttp_connection *evcon = evhttp_request_get_connection(r->ev);
    if (evcon)
        evhttp_connection_set_timeout(evcon, seconds);
}

const char *httpd_req_body(struct httpd_req *r, size_t *len)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(r->ev);
    *len = evbuffer_get_length(in);
    return *len ? (const char *)evbuffer_pullup(in, -1) : "";
}

json_t *httpd_req_json_body(struct httpd_req *r)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(r->ev);
    size_t len = evbuffer_get_length(in);
    if (!httpd_content_type_json(httpd_req_header(r, "Content-Type"))) {
        httpd_reply_problem(r, "unsupported_media_type", NULL);
        return NULL;
    }
    const char *data = len ? (const char *)evbuffer_pullup(in, -1) : "";
    json_error_t err;
    json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
    if (!j) {
        /* jansson cuts its message at a byte count, and it may quote the body */
        char text[sizeof err.text], detail[sizeof err.text + 64];
        validate_copy_text(text, sizeof text, err.text);
        snprintf(detail, sizeof detail, "%s (line %d, column %d)", text, err.line, err.column);
        httpd_reply_problem(r, "malformed_json", detail);
        return NULL;
    }
    return j;
}

static void httpd_req_id_make(struct httpd_req *r)
{
    const char *given = httpd_req_header(r, "X-Request-Id");
    if (given) {
        size_t n = strlen(given);
        bool ok = n > 0 && n < sizeof r->id;
        for (size_t i = 0; ok && i < n; i++) {
            char ch = given[i];
            ok = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                 ch == '-' || ch == '_' || ch == '.';
        }
        if (ok) {
            memcpy(r->id, given, n + 1);
            return;
        }
    }
    snprintf(r->id, sizeof r->id, "%08x-%02x-%010llx", r->w->h->id_prefix, r->w->index,
             (unsigned long long)++r->w->seq);
}

static const char *httpd_method_name(enum evhttp_cmd_type t)
{
    switch (t) {
    case EVHTTP_REQ_GET:
        return "GET";
    case EVHTTP_REQ_POST:
        return "POST";
    case EVHTTP_REQ_HEAD:
        return "HEAD";
    case EVHTTP_REQ_PUT:
        return "PUT";
    case EVHTTP_REQ_DELETE:
        return "DELETE";
    case EVHTTP_REQ_OPTIONS:
        return "OPTIONS";
    case EVHTTP_REQ_PATCH:
        return "PATCH";
    default:
        return "OTHER";
    }
}

static void httpd_route(struct httpd_req *r)
{
    struct httpd *h = r->w->h;
    switch (router_match(h->routes, h->nroutes, r->method, r->path, &r->match)) {
    case ROUTER_FOUND:
        h->gate(r, r->match.route);
        return;
    case ROUTER_NOT_FOUND:
        httpd_reply_problem(r, "not_found", NULL);
        return;
    case ROUTER_BAD_PATH:
        httpd_reply_problem(r, "bad_request",
                            r->lang == PROBLEM_LANG_EN ? "The path is not valid."
                                                       : "请求路径无效。");
        return;
    case ROUTER_METHOD_NOT_ALLOWED:
        httpd_set_header(r, "Allow", r->match.allow);
        if (strcmp(r->method, "OPTIONS") == 0)
            httpd_reply_raw(r, 204, NULL, NULL, 0);
        else
            httpd_reply_problem(r, "method_not_allowed", NULL);
        return;
    }
}

/* Finds the request's connection; a client's wish to close is carried out by
 * the gatekeeper after the reply is written, so evhttp is told to keep it. */
static void httpd_req_conn(struct httpd_req *r)
{
    r->conn_fd = -1;
    struct evhttp_connection *evcon = evhttp_request_get_connection(r->ev);
    struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
    evutil_socket_t fd = bev ? bufferevent_getfd(bev) : -1;
    struct httpd *h = r->w->h;
    if (fd < 0 || (size_t)fd >= h->nfds)
        return;
    struct httpd_conn *c = atomic_load(&h->conn_by_fd[fd]);
    if (!c)
        return;
    r->conn_fd = fd;
    r->conn_gen = c->gen;
    r->last_on_conn = c->want_close && ++c->served >= c->close_at;
    if (!c->want_close)
        c->served++;
    if (r->last_on_conn) {
        struct evkeyvalq *in = evhttp_request_get_input_headers(r->ev);
        evhttp_remove_header(in, "Connection");
        evhttp_add_header(in, "Connection", "keep-alive");
    }
}

static void httpd_request_cb(struct evhttp_request *ev, void *arg)
{
    struct httpd_worker *w = arg;
    struct httpd_req *r = calloc(1, sizeof *r);
    if (!r) {
        evhttp_send_error(ev, 503, NULL);
        return;
    }
    w->inflight++;
    r->ev = ev;
    r->w = w;
    r->start = clock_now_us();
    r->method = httpd_method_name(evhttp_request_get_command(ev));
    r->lang = problem_lang_from_header(httpd_req_header(r, "Accept-Language"));
    const char *uri = evhttp_request_get_uri(ev);
    const char *q = strchr(uri, '?');
    r->path = q ? strndup(uri, (size_t)(q - uri)) : strdup(uri);
    httpd_req_id_make(r);
    httpd_req_conn(r);
    struct evhttp_connection *pc = evhttp_request_get_connection(ev);
    if (pc) {
        char *host = NULL;
        ev_uint16_t port = 0;
        evhttp_connection_get_peer(pc, &host, &port);
        snprintf(r->peer, sizeof r->peer, "%s", host ? host : "");
    }
    if (!r->path) {
        r->path = NULL;
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    if (w->stopping) {
        httpd_reply_problem(r, "shutting_down", NULL);
        return;
    }
    if (q && q[1]) {
        if (evhttp_parse_query_str(q + 1, &r->query) != 0) {
            evhttp_clear_headers(&r->query);
            httpd_reply_problem(r, "invalid_query", NULL);
            return;
        }
        r->query_parsed = true;
    }
    httpd_route(r);
}

/* ---------- read replica ---------- */

/* Replay delay; 0 when everything received has been replayed (an idle
 * primary sends nothing, which is not lag). */
static const struct pgpool_stmt httpd_lag_stmt = {
    "replica_lag",
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0 "
    "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END"};

static void httpd_replica_lag_cb(void *arg, const struct pgpool_reply *reply)
{
    struct httpd *h = arg;
    h->replica_polling = false;
    double lag = -1;
    if (reply->status == PGPOOL_OK && PQntuples(reply->res) == 1)
        lag = strtod(PQgetvalue(reply->res, 0, 0), NULL);
    atomic_store(&h->replica_lag, lag);
    metrics_gauge(h->metrics, "leye_replica_lag_seconds",
                  "seconds the read replica's replay is behind the primary (-1: unreachable)", lag);
}

static void httpd_replica_lag_poll(struct httpd_worker *w, int64_t now)
{
    struct httpd *h = w->h;
    if (h->replica_polling || now - h->replica_polled_us < 1000000)
        return;
    h->replica_polled_us = now;
    h->replica_polling = true;
    pgpool_query(w->replica, &httpd_lag_stmt, 0, NULL, httpd_replica_lag_cb, h);
}

double httpd_replica_lag(const struct httpd *h)
{
    return atomic_load(&h->replica_lag);
}

/* ---------- workers ---------- */

static void httpd_worker_finish(struct httpd_worker *w)
{
    pgpool_shutdown(w->pool);
    if (w->replica)
        pgpool_shutdown(w->replica);
    if (w->inflight > 0)
        log_warn("thread %d: %d requests still open at shutdown", w->index, w->inflight);
    event_base_loopbreak(w->base);
}

/* True while an answer already given still waits in a connection's output
 * buffer for a slow reader: shutdown waits for it, up to the deadline. */
static bool httpd_worker_output_pending(struct httpd_worker *w)
{
    struct httpd_conn *c;
    LIST_FOREACH(c, &w->conns, link)
    {
        if (!c->shut && evbuffer_get_length(bufferevent_get_output(c->under)) > 0)
            return true;
    }
    return false;
}

static void httpd_tick_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct httpd_worker *w = arg;
    int64_t now = clock_now_us();
    pgpool_tick(w->pool);
    struct pgpool_stats ps;
    pgpool_stats(w->pool, &ps);
    metrics_pool(w->h->metrics, w->index, &ps);
    if (w->replica) {
        pgpool_tick(w->replica);
        if (w->index == 0)
            httpd_replica_lag_poll(w, now);
    }
    httpd_conn_sweep(w, now);
    log_flush();
    if (w->stopping &&
        ((w->inflight == 0 && !httpd_worker_output_pending(w)) || now > w->stop_deadline))
        httpd_worker_finish(w);
}

static void httpd_stop_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct httpd_worker *w = arg;
    if (w->stopping)
        return;
    w->stopping = true;
    w->stop_deadline = clock_now_us() + (int64_t)w->h->cfg->shutdown_timeout_s * 1000000;
    if (w->bound)
        evhttp_del_accept_socket(w->http, w->bound);
    w->bound = NULL;
}

static void *httpd_worker_main(void *arg)
{
    struct httpd_worker *w = arg;
    event_base_dispatch(w->base);
    log_flush();
    return NULL;
}

static evutil_socket_t httpd_listen_socket(const char *addr, int port)
{
    struct sockaddr_in6 sa6;
    struct sockaddr_in sa4;
    struct sockaddr *sa;
    socklen_t len;
    memset(&sa6, 0, sizeof sa6);
    memset(&sa4, 0, sizeof sa4);
    if (inet_pton(AF_INET, addr, &sa4.sin_addr) == 1) {
        sa4.sin_family = AF_INET;
        sa4.sin_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&sa4;
        len = sizeof sa4;
    } else if (inet_pton(AF_INET6, addr, &sa6.sin6_addr) == 1) {
        sa6.sin6_family = AF_INET6;
        sa6.sin6_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&sa6;
        len = sizeof sa6;
    } else {
        log_error("LEYE_LISTEN: \"%s\" is not an IPv4 or IPv6 address", addr);
        return -1;
    }
    evutil_socket_t fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0 || bind(fd, sa, len) < 0 ||
        listen(fd, 1024) < 0) {
        log_error("cannot listen on %s port %d: %s", addr, port, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static int httpd_bound_port(evutil_socket_t fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return -1;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static int httpd_worker_init(struct httpd *h, struct httpd_worker *w, int index, int pool_size)
{
    const struct config *cfg = h->cfg;
    w->h = h;
    w->index = index;
    LIST_INIT(&w->conns);
    /* the changelist folds evhttp's per-request read/write toggles into one epoll_ctl */
    struct event_config *ec = event_config_new();
    if (!ec)
        return -1;
    event_config_set_flag(ec, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    w->base = event_base_new_with_config(ec);
    event_config_free(ec);
    w->http = w->base ? evhttp_new(w->base) : NULL;
    if (!w->http)
        return -1;
    struct timeval tv = {cfg->idle_timeout_s, 0};
    evhttp_set_timeout_tv(w->http, &tv);
    evhttp_set_max_body_size(w->http, (ev_ssize_t)(cfg->max_import_bytes > cfg->max_body_bytes
                                                       ? cfg->max_import_bytes
                                                       : cfg->max_body_bytes));
    evhttp_set_max_headers_size(w->http, (ev_ssize_t)cfg->max_header_bytes + 1024);
    evhttp_set_default_content_type(w->http, "application/json; charset=utf-8");
    evhttp_set_allowed_methods(w->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                            EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
    evhttp_set_gencb(w->http, httpd_request_cb, w);
    evhttp_set_bevcb(w->http, httpd_bevcb, w);
    w->fd = httpd_listen_socket(cfg->listen, h->port);
    if (w->fd < 0)
        return -1;
    if (h->port == 0)
        h->port = httpd_bound_port(w->fd);
    w->bound = evhttp_accept_socket_with_handle(w->http, w->fd);
    if (!w->bound)
        return -1;
    struct pgpool_config pc = {cfg->database_url, pool_size, cfg->db_queue_max,
                               cfg->db_query_timeout_ms, cfg->db_connect_timeout_ms};
    w->pool = pgpool_new(w->base, &pc);
    if (cfg->database_replica_url && *cfg->database_replica_url) {
        pc.conninfo = cfg->database_replica_url;
        w->replica = pgpool_new(w->base, &pc);
        if (!w->replica)
            return -1;
    }
    w->tick = event_new(w->base, -1, EV_PERSIST, httpd_tick_cb, w);
    struct timeval tick = {0, HTTPD_TICK_MS * 1000};
    if (!w->pool || !w->tick || event_add(w->tick, &tick) < 0)
        return -1;
    return 0;
}

struct httpd *httpd_new(const struct config *cfg, const struct router_route *routes, size_t nroutes,
                        httpd_gate_fn gate)
{
    if (evthread_use_pthreads() < 0)
        return NULL;
    /* signals go to the thread in httpd_run only: block them before any thread starts */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    struct httpd *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->cfg = cfg;
    h->routes = routes;
    h->nroutes = nroutes;
    h->gate = gate;
    h->port = cfg->port;
    h->limits.max_head = (size_t)cfg->max_header_bytes;
    h->limits.max_target =
        HTTPD_MAX_TARGET < cfg->max_header_bytes ? HTTPD_MAX_TARGET : (size_t)cfg->max_header_bytes;
    h->limits.max_body = (uint64_t)cfg->max_body_bytes;
    h->limits.large_prefix = "/v1/imports/";
    h->limits.max_body_large = (uint64_t)cfg->max_import_bytes;
    h->id_prefix = (uint32_t)((uint64_t)clock_now_us() * 2654435761u) ^ (uint32_t)getpid();
    struct rlimit rl;
    h->nfds = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
                  ? (size_t)rl.rlim_cur
                  : 65536;
    if (h->nfds > (1u << 22))
        h->nfds = 1u << 22;
    h->conn_by_fd = calloc(h->nfds, sizeof *h->conn_by_fd);
    if (!h->conn_by_fd)
        goto fail;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    h->nworkers = cfg->threads > 0 ? cfg->threads : (int)(cores > 0 ? cores : 1);
    h->workers = calloc((size_t)h->nworkers, sizeof *h->workers);
    h->metrics = metrics_new(nroutes, h->nworkers);
    h->bgjobs = bgjob_pool_new(2);
    atomic_init(&h->replica_lag, -1.0);
    if (!h->workers || !h->metrics || !h->bgjobs)
        goto fail;
    for (int i = 0; i < h->nworkers; i++) {
        int share = cfg->db_pool_size / h->nworkers + (i < cfg->db_pool_size % h->nworkers);
        if (httpd_worker_init(h, &h->workers[i], i, share > 0 ? share : 1) < 0)
            goto fail;
    }
    return h;
fail:
    httpd_free(h);
    return NULL;
}

int httpd_port(const struct httpd *h)
{
    return h->port;
}

int httpd_run(struct httpd *h)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    for (int i = 0; i < h->nworkers; i++) {
        if (pthread_create(&h->workers[i].thread, NULL, httpd_worker_main, &h->workers[i]) != 0) {
            log_error("cannot start thread %d", i);
            return -1;
        }
    }
    log_info("listening on http://%s:%d/ with %d threads", h->cfg->listen, h->port, h->nworkers);
    int sig = 0;
    sigwait(&set, &sig);
    log_info("signal %d: stopping (in-flight requests get %d s)", sig, h->cfg->shutdown_timeout_s);
    struct timeval now = {0, 0};
    for (int i = 0; i < h->nworkers; i++)
        event_base_once(h->workers[i].base, -1, EV_TIMEOUT, httpd_stop_cb, &h->workers[i], &now);
    for (int i = 0; i < h->nworkers; i++)
        pthread_join(h->workers[i].thread, NULL);
    log_info("stopped");
    return 0;
}

void httpd_free(struct httpd *h)
{
    if (!h)
        return;
    for (int i = 0; h->workers && i < h->nworkers; i++) {
        struct httpd_worker *w = &h->workers[i];
        if (w->tick)
            event_free(w->tick);
        if (w->http)
            evhttp_free(w->http);
        pgpool_free(w->pool);
        if (w->replica)
            pgpool_free(w->replica);
        if (w->base)
            event_base_free(w->base);
    }
    bgjob_pool_free(h->bgjobs);
    free(h->workers);
    metrics_free(h->metrics);
    free((void *)(uintptr_t)h->conn_by_fd);
    free(h);
}

char *httpd_metrics_text(struct httpd *h)
{
    return metrics_render(h->metrics, h->routes, h->nroutes, atomic_load(&h->connections));
}

struct metrics *httpd_metrics(struct httpd *h)
{
    return h->metrics;
}

void httpd_stats(struct httpd *h, struct httpd_stats *out)
{
    out->connections = atomic_load(&h->connections);
    out->threads = h->nworkers;
}
