/*
 * httpd_conn: the gatekeeper in front of evhttp.  Every client connection's
 * bytes pass httpd_filter_in, which lets through only whole request heads that
 * lib/httphead accepts, and their bodies; it counts connections against the
 * cap and refuses heads that take too long.  See httpd_int.h.
 */
#define _GNU_SOURCE
#include "httpd_int.h"

#include "clock.h"
#include "log.h"

#include <assert.h>
#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

/* The one place a connection's state changes.  A refused connection stays
 * refused, and one that is closing only closes or is refused: anything else
 * is a bug in the gatekeeper, stopped here. */
static void httpd_conn_set_state(struct httpd_conn *c, enum httpd_conn_state to)
{
    assert(c->state != HTTPD_CONN_DEAD || to == HTTPD_CONN_DEAD);
    assert(c->state != HTTPD_CONN_CLOSING || to == HTTPD_CONN_CLOSING || to == HTTPD_CONN_DEAD);
    c->state = to;
}

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

struct httpd_conn *httpd_conn_find(struct httpd *h, evutil_socket_t fd, uint64_t gen)
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

/* evhttp never closes a connection itself, so a response is never cut short. */
void httpd_conn_close_when_drained(struct httpd_conn *c)
{
    struct evbuffer *out = bufferevent_get_output(c->under);
    if (c->state != HTTPD_CONN_DEAD)
        httpd_conn_set_state(c, HTTPD_CONN_CLOSING);
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
    httpd_conn_set_state(c, HTTPD_CONN_DEAD);
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
        /* each answer goes out as written: with Nagle's algorithm the second
         * answer to a pipelined batch waits for the client's delayed ACK */
        int one = 1;
        if (c->fd >= 0)
            (void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
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
                httpd_conn_set_state(c, c->want_close ? HTTPD_CONN_CLOSING : HTTPD_CONN_HEAD);
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
            httpd_conn_set_state(c, HTTPD_CONN_BODY);
        else
            httpd_conn_set_state(c, c->want_close ? HTTPD_CONN_CLOSING : HTTPD_CONN_HEAD);
    }
    return BEV_OK;
}

struct bufferevent *httpd_conn_new(struct event_base *base, void *arg)
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

void httpd_conn_sweep(struct httpd_worker *w, int64_t now)
{
    int64_t limit = (int64_t)w->h->cfg->header_timeout_s * 1000000;
    struct httpd_conn *c;
    LIST_FOREACH(c, &w->conns, link)
    {
        if (c->state == HTTPD_CONN_HEAD && c->head_started && now - c->head_started > limit)
            httpd_conn_reject(c, "request_timeout", NULL, true);
    }
}
