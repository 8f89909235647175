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
#include <strings.h>
#include <time.h>

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
    size_t n = strlen(name);
    for (size_t i = 0; i < r->nhdrs; i++) {
        const struct httpd_hdr *h = &r->hdrs[i];
        if (h->name_len == n && strncasecmp(r->head.p + h->name, name, n) == 0)
            return r->head.p + h->value;
    }
    return NULL;
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

/* Appends n bytes to b; -1 when out of memory. */
static int httpd_buf_add(struct httpd_buf *b, const char *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q)
            return -1;
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
    return 0;
}

void httpd_set_header(struct httpd_req *r, const char *name, const char *value)
{
    /* a CR or LF would end the header early and begin another */
    if (strpbrk(name, "\r\n:") || strpbrk(value, "\r\n")) {
        log_error("request %s: header %s not set: it holds a line break", r->id, name);
        return;
    }
    size_t n = strlen(name), v = strlen(value);
    if (httpd_buf_add(&r->out, name, n) < 0 || httpd_buf_add(&r->out, ": ", 2) < 0 ||
        httpd_buf_add(&r->out, value, v) < 0 || httpd_buf_add(&r->out, "\r\n", 2) < 0) {
        log_error("request %s: header %s not set: out of memory", r->id, name);
        return;
    }
    if (strcasecmp(name, "Content-Type") == 0)
        r->has_content_type = true;
    else if (strcasecmp(name, "Cache-Control") == 0)
        r->has_cache_control = true;
    else if (strcasecmp(name, "Retry-After") == 0)
        r->has_retry_after = true;
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
    if (r->body)
        evbuffer_free(r->body);
    struct httpd_worker *w = r->w;
    w->inflight--;
    if (r->path != r->path_buf)
        free(r->path);
    if (w->nspare < HTTPD_MAX_SPARE) {
        r->next_spare = w->spare;
        w->spare = r;
        w->nspare++;
    } else {
        free(r->head.p);
        free(r->out.p);
        free(r->hdrs);
        free(r);
    }
}

void httpd_req_drop(struct httpd_req *r)
{
    httpd_req_free(r);
}

struct httpd_req *httpd_req_new(struct httpd_worker *w)
{
    struct httpd_req *r = w->spare;
    if (!r) {
        r = calloc(1, sizeof *r);
    } else {
        w->spare = r->next_spare;
        w->nspare--;
        struct httpd_buf head = r->head, out = r->out;
        struct httpd_hdr *hdrs = r->hdrs;
        size_t cap = r->hdrs_cap;
        memset(r, 0, sizeof *r);
        r->head = head;
        r->head.len = 0;
        r->out = out;
        r->out.len = 0;
        r->hdrs = hdrs;
        r->hdrs_cap = cap;
    }
    if (r) {
        r->w = w;
        w->inflight++;
    }
    return r;
}

void httpd_req_date(struct httpd_worker *w, int64_t now_s)
{
    if (now_s == w->date_at && w->date[0])
        return;
    time_t t = (time_t)now_s;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(w->date, sizeof w->date, "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
    w->date_at = now_s;
}

static const struct {
    int status;
    const char *reason;
} httpd_reasons[] = {
    {100, "Continue"},
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {204, "No Content"},
    {206, "Partial Content"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {303, "See Other"},
    {304, "Not Modified"},
    {307, "Temporary Redirect"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {406, "Not Acceptable"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {410, "Gone"},
    {411, "Length Required"},
    {412, "Precondition Failed"},
    {413, "Request Entity Too Large"},
    {414, "Request-URI Too Long"},
    {415, "Unsupported Media Type"},
    {416, "Requested range not satisfiable"},
    {422, "Unprocessable Entity"},
    {428, "Precondition Required"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Timeout"},
};

static const char *httpd_reason(int status)
{
    for (size_t i = 0; i < sizeof httpd_reasons / sizeof *httpd_reasons; i++)
        if (httpd_reasons[i].status == status)
            return httpd_reasons[i].reason;
    return status < 300 ? "OK" : status < 400 ? "Redirect" : "Error";
}

/* Writes the answer's head and body (len bytes at data, or body when not
 * NULL) to the request's connection. */
static void httpd_write(struct httpd_req *r, int status, const char *data, size_t len,
                        struct evbuffer *body, bool closing)
{
    struct evbuffer *out = r->conn->out;
    size_t blen = body ? evbuffer_get_length(body) : data ? len : 0;
    char head[160];
    int n = snprintf(head, sizeof head, "HTTP/1.%c %d %s\r\n", r->http10 ? '0' : '1', status,
                     httpd_reason(status));
    evbuffer_add(out, head, (size_t)n);
    if (blen && !r->has_content_type)
        httpd_set_header(r, "Content-Type", "application/json; charset=utf-8");
    evbuffer_add(out, r->out.p, r->out.len);
    httpd_req_date(r->w, (int64_t)time(NULL));
    evbuffer_add(out, r->w->date, strlen(r->w->date));
    n = 0;
    if (status >= 200 && status != 204 && status != 304)
        n = snprintf(head, sizeof head, "Content-Length: %zu\r\n", blen);
    n += snprintf(head + n, sizeof head - (size_t)n, "%s\r\n",
                  closing           ? "Connection: close\r\n"
                  : r->keep_alive10 ? "Connection: keep-alive\r\n"
                                    : "");
    evbuffer_add(out, head, (size_t)n);
    if (r->is_head || !blen)
        return;
    if (body)
        evbuffer_add_buffer(out, body);
    else
        evbuffer_add(out, data, len);
}

static void httpd_finish(struct httpd_req *r, int status, const char *data, size_t len,
                         struct evbuffer *body)
{
    if (r->before_reply)
        r->before_reply();
    httpd_set_header(r, "X-Request-Id", r->id);
    httpd_set_header(r, "X-Content-Type-Options", "nosniff");
    if (!r->has_cache_control)
        httpd_set_header(r, "Cache-Control", "no-store");
    if (status == 503 && !r->has_retry_after)
        httpd_set_header(r, "Retry-After", "1");
    /* The last answer on a connection, and every answer once shutdown has
     * begun, says Connection: close; the connection closes once it has
     * drained. */
    if (r->conn) {
        bool closing = r->last_on_conn || r->w->stopping;
        httpd_write(r, status, data, len, body, closing);
        httpd_conn_answered(r->conn, closing);
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
        httpd_set_header(r, "Content-Type", content_type);
        httpd_finish(r, status, NULL, 0, shaped);
        evbuffer_free(shaped);
        return;
    }
    if (content_type)
        httpd_set_header(r, "Content-Type", content_type);
    httpd_finish(r, status, data, len, NULL);
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
        httpd_set_header(r, "Content-Type", type);
        if (json_dump_callback(body, httpd_dump_cb, b, JSON_COMPACT | JSON_REAL_PRECISION(15)) < 0)
            log_error("request %s: could not write the JSON answer", r->id);
    }
    json_decref(body);
    httpd_finish(r, status, NULL, 0, b);
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
    if (r->conn)
        httpd_conn_set_timeout(r->conn, seconds);
}

const char *httpd_req_body(struct httpd_req *r, size_t *len)
{
    *len = r->body ? evbuffer_get_length(r->body) : 0;
    return *len ? (const char *)evbuffer_pullup(r->body, -1) : "";
}

json_t *httpd_req_json_body(struct httpd_req *r)
{
    size_t len;
    const char *data = httpd_req_body(r, &len);
    if (!httpd_content_type_json(httpd_req_header(r, "Content-Type"))) {
        httpd_reply_problem(r, "unsupported_media_type", NULL);
        return NULL;
    }
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

static const char *const httpd_methods[] = {"GET",   "HEAD",   "POST",   "PUT",
                                            "PATCH", "DELETE", "OPTIONS"};

static int httpd_req_add_hdr(struct httpd_req *r, const struct httphead_field *f)
{
    if (r->nhdrs == r->hdrs_cap) {
        size_t cap = r->hdrs_cap ? 2 * r->hdrs_cap : 16;
        struct httpd_hdr *n = realloc(r->hdrs, cap * sizeof *n);
        if (!n)
            return -1;
        r->hdrs = n;
        r->hdrs_cap = cap;
    }
    r->hdrs[r->nhdrs++] =
        (struct httpd_hdr){(uint32_t)f->name, (uint32_t)f->value, (uint32_t)f->name_len};
    r->head.p[f->value + f->value_len] = '\0';
    return 0;
}

int httpd_req_take_head(struct httpd_req *r, const char *p, size_t len,
                        const struct httphead_info *info)
{
    r->head.len = 0;
    r->nhdrs = 0;
    if (httpd_buf_add(&r->head, p, len) < 0 || httpd_buf_add(&r->head, "", 1) < 0)
        return -1;
    char *h = r->head.p;
    struct httphead_request rq;
    httphead_request_split(h, len, &rq);
    r->method = "OTHER";
    for (size_t i = 0; i < sizeof httpd_methods / sizeof *httpd_methods; i++)
        if (strlen(httpd_methods[i]) == rq.method_len &&
            memcmp(h, httpd_methods[i], rq.method_len) == 0)
            r->method = httpd_methods[i];
    r->is_head = r->method == httpd_methods[1];
    r->http10 = rq.http10;
    struct httphead_field f;
    size_t off = rq.fields;
    while (httphead_next_field(h, len, &off, &f))
        if (httpd_req_add_hdr(r, &f) < 0)
            return -1;
    h[rq.target + rq.target_len] = '\0';
    r->target = h + rq.target;
    r->content_length = info->content_length;
    r->last_on_conn = info->close;
    r->keep_alive10 = r->http10 && !info->close;
    r->lang = problem_lang_from_header(info->accept_language[0] ? info->accept_language : NULL);
    return 0;
}

void httpd_req_start(struct httpd_req *r)
{
    struct httpd_worker *w = r->w;
    r->start = clock_now_us();
    const char *uri = r->target;
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
    if (!r->path) {
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
