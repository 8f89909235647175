/*
 * httpd_req: one request's life in the HTTP front end: its accessors, its
 * body, the route and the gate, and the reply that ends it (shaped for the
 * caller under /v1/).  See httpd.h for the contract and httpd_int.h.
 */
#define _GNU_SOURCE
#include "httpd_int.h"

#include "clock.h"
#include "log.h"
#include "metrics.h"
#include "pgpool.h"
#include "privacy.h"
#include "validate.h"

#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

const char *httpd_req_path(const struct httpd_req *r)
{
    return r->path ? r->path : "";
}

const struct router_route *httpd_req_route(const struct httpd_req *r)
{
    return r->match.route;
}

const char *httpd_req_pattern(const struct httpd_req *r)
{
    return r->match.route ? r->match.route->pattern : r->path;
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

void httpd_req_before_reply(struct httpd_req *r, void (*fn)(void))
{
    r->before_reply = fn;
}

void httpd_req_mark_revealed(struct httpd_req *r)
{
    r->revealed = true;
}

void httpd_req_mark_ethnicity(struct httpd_req *r)
{
    r->ethnicity = r->principal.kind == PRINCIPAL_STAFF && r->principal.ethnicity;
}

static unsigned httpd_privacy_marks(const struct httpd_req *r)
{
    return (r->revealed ? PRIVACY_MARK_REVEALED : 0u) |
           (r->ethnicity ? PRIVACY_MARK_ETHNICITY : 0u);
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
        if (privacy_shape_csv(data, len, caller, httpd_privacy_marks(r), &out, &n) < 0)
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
    if (!privacy_json_needs_shaping(data, len, caller, httpd_privacy_marks(r)))
        return 0;
    json_t *v = json_loadb(data, len, 0, NULL);
    if (!v)
        goto done;
    privacy_shape_json(v, caller, httpd_privacy_marks(r));
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
    struct httpd_worker *w = r->w;
    w->inflight--;
    if (r->path != r->path_buf)
        free(r->path);
    if (w->nspare < HTTPD_MAX_SPARE) {
        r->next_spare = w->spare;
        w->spare = r;
        w->nspare++;
    } else {
        free(r);
    }
}

static struct httpd_req *httpd_req_new(struct httpd_worker *w)
{
    struct httpd_req *r = w->spare;
    if (!r)
        return calloc(1, sizeof *r);
    w->spare = r->next_spare;
    w->nspare--;
    memset(r, 0, sizeof *r);
    return r;
}

static void httpd_finish(struct httpd_req *r, int status, struct evbuffer *body)
{
    if (r->before_reply)
        r->before_reply();
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
    /* The last answer on a connection, and every answer once shutdown has
     * begun, says Connection: close.  evhttp writes that header when the
     * request asked for it; the request is set back to keep-alive once the
     * head is written, so that evhttp does not close the connection itself
     * and the gatekeeper closes it when the answer has drained. */
    bool closing = bev && (r->last_on_conn || r->w->stopping);
    struct evkeyvalq *in = evhttp_request_get_input_headers(r->ev);
    if (closing) {
        evhttp_remove_header(in, "Connection");
        evhttp_add_header(in, "Connection", "close");
    }
    evhttp_send_reply(r->ev, status, NULL, body);
    if (closing) {
        evhttp_remove_header(in, "Connection");
        evhttp_add_header(in, "Connection", "keep-alive");
        evhttp_remove_header(h, "Connection");
    }
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
        privacy_shape_json(body, httpd_privacy_caller(r), httpd_privacy_marks(r));
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
    /* "%08x-%02x-%010llx" of the prefix, the thread and the request's number */
    static const char hex[] = "0123456789abcdef";
    char *o = r->id;
    uint32_t prefix = r->w->h->id_prefix;
    for (int i = 7; i >= 0; i--)
        *o++ = hex[(prefix >> (4 * i)) & 15];
    *o++ = '-';
    *o++ = hex[(r->w->index >> 4) & 15];
    *o++ = hex[r->w->index & 15];
    *o++ = '-';
    unsigned long long seq = ++r->w->seq & 0xffffffffffull;
    for (int i = 9; i >= 0; i--)
        *o++ = hex[(seq >> (4 * i)) & 15];
    *o = '\0';
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

void httpd_request_cb(struct evhttp_request *ev, void *arg)
{
    struct httpd_worker *w = arg;
    struct httpd_req *r = httpd_req_new(w);
    if (!r) {
        static const char body[] =
            "{\"type\":\"urn:leye:problem:overloaded\",\"title\":\"Service overloaded\","
            "\"status\":503,\"detail\":\"The server is busy; retry shortly.\","
            "\"code\":\"overloaded\",\"reason\":\"out_of_memory\"}";
        struct evkeyvalq *h = evhttp_request_get_output_headers(ev);
        struct evbuffer *b = evbuffer_new();
        evhttp_add_header(h, "Content-Type", "application/problem+json");
        evhttp_add_header(h, "Retry-After", "1");
        if (b)
            evbuffer_add(b, body, sizeof body - 1);
        evhttp_send_reply(ev, 503, NULL, b);
        if (b)
            evbuffer_free(b);
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
    size_t plen = q ? (size_t)(q - uri) : strlen(uri);
    if (plen < sizeof r->path_buf) {
        memcpy(r->path_buf, uri, plen);
        r->path_buf[plen] = '\0';
        r->path = r->path_buf;
    } else {
        r->path = strndup(uri, plen);
    }
    httpd_req_id_make(r);
    httpd_req_conn(r);
    struct evhttp_connection *pc = evhttp_request_get_connection(ev);
    if (pc) {
        char *host = NULL;
        ev_uint16_t port = 0;
        evhttp_connection_get_peer(pc, &host, &port);
        size_t n = host ? strnlen(host, sizeof r->peer - 1) : 0;
        memcpy(r->peer, host ? host : "", n);
        r->peer[n] = '\0';
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
