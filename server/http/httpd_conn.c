/*
 * httpd_conn: client connections, and the gatekeeper that reads them.
 *
 * Every connection is a socket with a read and a write event and a buffer
 * each way.  Its input is read here: a
 * request head is let through only when lib/httphead accepts it whole, its
 * body only when all of it has come; the request then goes to httpd_req_start
 * and the connection reads nothing more until it is answered, so pipelined
 * answers keep their order.  The gatekeeper also counts connections against
 * the cap and refuses heads that take too long.  See httpd_int.h.
 */
#define _GNU_SOURCE
#include "httpd_int.h"

#include "clock.h"
#include "log.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <event2/buffer.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Input kept waiting behind a request that is being answered, and output
 * waiting for a slow reader, before reading stops until they shrink. */
#define HTTPD_CONN_MAX_WAITING (64 * 1024)
#define HTTPD_CONN_MAX_OUTPUT (256 * 1024)
/* bytes asked of the socket at a time */
#define HTTPD_CONN_READ 16384

/* The one place a connection's state changes.  A refused connection stays
 * refused, and one that is closing only closes or is refused: anything else
 * is a bug in the gatekeeper, stopped here. */
static void httpd_conn_set_state(struct httpd_conn *c, enum httpd_conn_state to)
{
    assert(c->state != HTTPD_CONN_DEAD || to == HTTPD_CONN_DEAD);
    assert(c->state != HTTPD_CONN_CLOSING || to == HTTPD_CONN_CLOSING || to == HTTPD_CONN_DEAD);
    c->state = to;
}

/* Every connection ends here, with the reason for the debug log. */
static void httpd_conn_free(struct httpd_conn *c, const char *reason)
{
    struct httpd *h = c->w->h;
    log_debug("connection %d from %s closed: %s", (int)c->fd, c->peer, reason);
    if (c->req) {
        if (c->state == HTTPD_CONN_BUSY)
            c->req->conn = NULL; /* its handler still answers it, to nobody */
        else
            httpd_req_drop(c->req);
        c->req = NULL;
    }
    LIST_REMOVE(c, link);
    atomic_fetch_sub(&h->connections, 1);
    if (c->resume)
        event_free(c->resume);
    event_free(c->rev);
    event_free(c->wev);
    evbuffer_free(c->in);
    evbuffer_free(c->out);
    evutil_closesocket(c->fd);
    free(c);
}

static void httpd_conn_shut(struct httpd_conn *c)
{
    if (c->shut)
        return;
    c->shut = true;
    shutdown(c->fd, c->hard_close ? SHUT_RDWR : SHUT_WR);
}

/* The connection ends once everything written to it has reached the socket
 * (httpd_conn_flush); input meanwhile is read and dropped, so that the
 * client sees the answer rather than a reset. */
static void httpd_conn_close_when_drained(struct httpd_conn *c)
{
    if (c->state != HTTPD_CONN_DEAD)
        httpd_conn_set_state(c, HTTPD_CONN_CLOSING);
    if (evbuffer_get_length(c->out) == 0)
        httpd_conn_shut(c);
}

static void httpd_conn_pause(struct httpd_conn *c)
{
    if (!c->paused && !c->eof)
        event_del(c->rev);
    c->paused = true;
}

static void httpd_conn_unpause(struct httpd_conn *c)
{
    if (c->paused && !c->eof)
        event_add(c->rev, &c->timeout);
    c->paused = false;
}

/* Writes what the socket takes of the output; the write event waits for
 * the rest.  Once all is written a closing connection is shut, and freed
 * when the client has shut its side too.  Returns true when c is gone. */
static bool httpd_conn_flush(struct httpd_conn *c)
{
    if (evbuffer_get_length(c->out) > 0) {
        if (evbuffer_write(c->out, c->fd) < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
            errno != EINTR) {
            httpd_conn_free(c, "the socket refused the answer");
            return true;
        }
        if (evbuffer_get_length(c->out) > 0) {
            if (!c->writing)
                event_add(c->wev, &c->timeout);
            c->writing = true;
            return false;
        }
    }
    if (c->writing)
        event_del(c->wev);
    c->writing = false;
    if (c->state == HTTPD_CONN_CLOSING || c->state == HTTPD_CONN_DEAD) {
        httpd_conn_shut(c);
        if (c->eof || c->hard_close) {
            httpd_conn_free(c, c->eof ? "answered; the client closed" : "refused");
            return true;
        }
    }
    return false;
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
    evbuffer_add_printf(c->out,
                        "HTTP/1.1 %d %s\r\nContent-Type: application/problem+json\r\n"
                        "Content-Length: %zu\r\nConnection: close\r\nCache-Control: no-store\r\n"
                        "%s\r\n%s",
                        status, status == 503 ? "Service Unavailable" : "Error",
                        body ? strlen(body) : 0, status == 503 ? "Retry-After: 1\r\n" : "",
                        body ? body : "");
    free(body);
    if (c->req) {
        httpd_req_drop(c->req);
        c->req = NULL;
    }
    httpd_conn_set_state(c, HTTPD_CONN_DEAD);
    c->head_started = 0;
    c->hard_close = hard;
    httpd_conn_close_when_drained(c);
    struct log_request lr = {"-", "-", "-", NULL, NULL, status, 0, code};
    log_request(&lr);
}

/* Reads one request head from in; false when there is none (yet) or it was
 * refused.  On true c->req holds the request and the state says whether its
 * body is still to come. */
static bool httpd_conn_head(struct httpd_conn *c, struct evbuffer *in)
{
    const struct httphead_limits *lim = &c->w->h->limits;
    size_t avail = evbuffer_get_length(in);
    size_t look = avail < lim->max_head + 1 ? avail : lim->max_head + 1;
    const char *p = (const char *)evbuffer_pullup(in, (ev_ssize_t)look);
    struct httphead_info info;
    enum httphead_result r = httphead_check(p, look, lim, &info);
    if (r == HTTPHEAD_NEED_MORE) {
        if (!c->head_started)
            c->head_started = clock_now_us();
        return false;
    }
    if (r == HTTPHEAD_OK && c->overcap)
        r = HTTPHEAD_BAD_REQUEST;
    if (r != HTTPHEAD_OK) {
        httpd_conn_reject(c, c->overcap ? "too_many_connections" : httphead_problem_code(r),
                          info.accept_language, false);
        return false;
    }
    struct httpd_req *req = httpd_req_new(c->w);
    if (!req || httpd_req_take_head(req, p, info.head_len, &info) < 0) {
        if (req)
            httpd_req_drop(req);
        httpd_conn_reject(c, "overloaded", info.accept_language, false);
        return false;
    }
    evbuffer_drain(in, info.head_len);
    c->head_started = 0;
    req->conn = c;
    memcpy(req->peer, c->peer, sizeof req->peer);
    c->req = req;
    if (info.content_length == 0) {
        httpd_conn_set_state(c, HTTPD_CONN_BUSY);
        return true;
    }
    httpd_conn_set_state(c, HTTPD_CONN_BODY);
    const char *expect = httpd_req_header(req, "Expect");
    if (expect && !req->http10 && strcasecmp(expect, "100-continue") == 0 &&
        evbuffer_get_length(in) < info.content_length)
        evbuffer_add(c->out, "HTTP/1.1 100 Continue\r\n\r\n", 25);
    return true;
}

/* Ends a connection whose client has shut its side, once nothing is left to
 * answer.  Returns true when c is gone. */
static bool httpd_conn_end_at_eof(struct httpd_conn *c)
{
    if (!c->eof || c->state == HTTPD_CONN_BUSY)
        return false;
    if (c->state == HTTPD_CONN_BODY) {
        httpd_conn_free(c, "the client left in the middle of a body");
        return true;
    }
    if (evbuffer_get_length(c->out) == 0) {
        httpd_conn_free(c, "the client closed");
        return true;
    }
    httpd_conn_close_when_drained(c); /* httpd_conn_flush ends it */
    return false;
}

/* Reads and hands on every whole request waiting in the input, one at a
 * time.  Returns true when c is gone. */
static bool httpd_conn_requests(struct httpd_conn *c)
{
    struct evbuffer *in = c->in;
    for (;;) {
        switch (c->state) {
        case HTTPD_CONN_DEAD:
        case HTTPD_CONN_CLOSING:
            evbuffer_drain(in, evbuffer_get_length(in));
            return httpd_conn_end_at_eof(c);
        case HTTPD_CONN_BUSY:
            if (evbuffer_get_length(in) > HTTPD_CONN_MAX_WAITING)
                httpd_conn_pause(c);
            return false;
        case HTTPD_CONN_BODY:
            if (evbuffer_get_length(in) < c->req->content_length)
                return httpd_conn_end_at_eof(c);
            if (!c->req->body && !(c->req->body = evbuffer_new())) {
                httpd_conn_reject(c, "overloaded", NULL, false);
                continue;
            }
            evbuffer_remove_buffer(in, c->req->body, (size_t)c->req->content_length);
            httpd_conn_set_state(c, HTTPD_CONN_BUSY);
            break;
        case HTTPD_CONN_HEAD: {
            if (evbuffer_get_length(in) == 0)
                return httpd_conn_end_at_eof(c);
            /* answers pile up for a client that does not read them */
            if (evbuffer_get_length(c->out) > HTTPD_CONN_MAX_OUTPUT) {
                if (httpd_conn_flush(c))
                    return true;
                if (evbuffer_get_length(c->out) > HTTPD_CONN_MAX_OUTPUT) {
                    httpd_conn_pause(c);
                    return false;
                }
            }
            const char *first = (const char *)evbuffer_pullup(in, 1);
            if (first[0] == '\r' || first[0] == '\n') {
                evbuffer_drain(in, 1);
                continue;
            }
            if (!httpd_conn_head(c, in)) {
                if (c->state == HTTPD_CONN_HEAD)
                    return httpd_conn_end_at_eof(c);
                continue;
            }
            if (c->state != HTTPD_CONN_BUSY)
                continue;
            break;
        }
        }
        /* a whole request: to its handler, which may answer at once */
        c->dispatching = true;
        httpd_req_start(c->req);
        c->dispatching = false;
    }
}

/* Answers every whole request waiting, then writes the answers in one go. */
static void httpd_conn_process(struct httpd_conn *c)
{
    if (!httpd_conn_requests(c))
        httpd_conn_flush(c);
}

static void httpd_conn_resume_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    httpd_conn_process(arg);
}

void httpd_conn_answered(struct httpd_conn *c, bool closing)
{
    c->req = NULL;
    if (closing)
        httpd_conn_close_when_drained(c);
    else
        httpd_conn_set_state(c, HTTPD_CONN_HEAD);
    if (c->dispatching)
        return; /* httpd_conn_process goes on, and writes */
    httpd_conn_unpause(c);
    if (evbuffer_get_length(c->in) == 0 && !c->eof) {
        httpd_conn_flush(c);
        return;
    }
    /* not from here: the answer may come from inside a database callback */
    if (!c->resume)
        c->resume = event_new(c->w->base, -1, 0, httpd_conn_resume_cb, c);
    if (c->resume)
        event_active(c->resume, EV_TIMEOUT, 1);
    else
        httpd_conn_flush(c);
}

void httpd_conn_set_timeout(struct httpd_conn *c, int seconds)
{
    c->timeout.tv_sec = seconds;
    c->timeout.tv_usec = 0;
    if (!c->paused && !c->eof)
        event_add(c->rev, &c->timeout);
    if (c->writing)
        event_add(c->wev, &c->timeout);
}

static void httpd_conn_read_cb(evutil_socket_t fd, short what, void *arg)
{
    struct httpd_conn *c = arg;
    if (what & EV_TIMEOUT) {
        /* a client waiting for its answer is not idle: the handler's own
         * deadlines bound the wait */
        if (c->state != HTTPD_CONN_BUSY)
            httpd_conn_free(c, "idle timeout");
        return;
    }
    struct evbuffer_iovec v;
    if (evbuffer_reserve_space(c->in, HTTPD_CONN_READ, &v, 1) < 1) {
        httpd_conn_free(c, "out of memory");
        return;
    }
    ssize_t n = recv(fd, v.iov_base, v.iov_len, 0);
    if (n < 0) {
        v.iov_len = 0;
        evbuffer_commit_space(c->in, &v, 1);
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            httpd_conn_free(c, "the socket failed");
        return;
    }
    v.iov_len = (size_t)n;
    evbuffer_commit_space(c->in, &v, 1);
    if (n == 0) {
        c->eof = true;
        event_del(c->rev);
    }
    httpd_conn_process(c);
}

static void httpd_conn_write_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    struct httpd_conn *c = arg;
    if (what & EV_TIMEOUT) {
        httpd_conn_free(c, "write timeout");
        return;
    }
    if (httpd_conn_flush(c) || evbuffer_get_length(c->out) > 0)
        return;
    if (c->paused && c->state == HTTPD_CONN_HEAD) {
        httpd_conn_unpause(c);
        httpd_conn_process(c);
    }
}

static void httpd_conn_peer(const struct sockaddr *sa, char *out, size_t size)
{
    out[0] = '\0';
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)size);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)size);
}

static void httpd_conn_accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
                                 int salen, void *arg)
{
    (void)l;
    (void)salen;
    struct httpd_worker *w = arg;
    /* each answer goes out as written: with Nagle's algorithm the second
     * answer to a pipelined batch waits for the client's delayed ACK */
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct httpd_conn *c = calloc(1, sizeof *c);
    if (c) {
        c->rev = event_new(w->base, fd, EV_READ | EV_PERSIST, httpd_conn_read_cb, c);
        c->wev = event_new(w->base, fd, EV_WRITE | EV_PERSIST, httpd_conn_write_cb, c);
        c->in = evbuffer_new();
        c->out = evbuffer_new();
    }
    if (!c || !c->rev || !c->wev || !c->in || !c->out) {
        if (c) {
            if (c->rev)
                event_free(c->rev);
            if (c->wev)
                event_free(c->wev);
            if (c->in)
                evbuffer_free(c->in);
            if (c->out)
                evbuffer_free(c->out);
            free(c);
        }
        evutil_closesocket(fd);
        log_warn("out of memory: a connection was closed unanswered");
        return;
    }
    c->w = w;
    c->fd = fd;
    c->timeout.tv_sec = w->h->cfg->idle_timeout_s;
    httpd_conn_peer(sa, c->peer, sizeof c->peer);
    LIST_INSERT_HEAD(&w->conns, c, link);
    long long n = atomic_fetch_add(&w->h->connections, 1) + 1;
    c->overcap = n > w->h->cfg->max_connections || w->stopping;
    event_add(c->rev, &c->timeout);
}

int httpd_conn_listen(struct httpd_worker *w, evutil_socket_t fd)
{
    w->listener = evconnlistener_new(w->base, httpd_conn_accept_cb, w,
                                     LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
    return w->listener ? 0 : -1;
}

void httpd_conn_unlisten(struct httpd_worker *w)
{
    if (w->listener)
        evconnlistener_free(w->listener);
    w->listener = NULL;
}

void httpd_conn_sweep(struct httpd_worker *w, int64_t now)
{
    int64_t limit = (int64_t)w->h->cfg->header_timeout_s * 1000000;
    struct httpd_conn *c = LIST_FIRST(&w->conns);
    while (c) {
        struct httpd_conn *next = LIST_NEXT(c, link);
        if (c->state == HTTPD_CONN_HEAD && c->head_started && now - c->head_started > limit) {
            httpd_conn_reject(c, "request_timeout", NULL, true);
            httpd_conn_flush(c);
        }
        c = next;
    }
}

bool httpd_conn_output_pending(struct httpd_worker *w)
{
    struct httpd_conn *c;
    LIST_FOREACH(c, &w->conns, link)
    {
        if (!c->shut && evbuffer_get_length(c->out) > 0)
            return true;
    }
    return false;
}

void httpd_conn_close_all(struct httpd_worker *w)
{
    while (!LIST_EMPTY(&w->conns))
        httpd_conn_free(LIST_FIRST(&w->conns), "the server stopped");
}
