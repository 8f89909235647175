/* The delivery thread's HTTP(S) client.  See notify_http.h. */
#define _POSIX_C_SOURCE 200809L
#include "notify_http.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#define NOTIFY_HTTP_HEAD_MAX 8192
#define NOTIFY_HTTP_BODY_MAX 65536 /* of an answer; its body is not read */

struct notify_http {
    struct event_base *base;
    SSL_CTX *tls;
    int timeout_ms;
};

struct notify_http_url {
    bool tls;
    char host[256];
    int port;
    const char *path; /* into the url given */
};

static int notify_http_url_parse(const char *url, struct notify_http_url *u)
{
    const char *h;
    if (!strncmp(url, "http://", 7)) {
        u->tls = false;
        h = url + 7;
    } else if (!strncmp(url, "https://", 8)) {
        u->tls = true;
        h = url + 8;
    } else {
        return -1;
    }
    size_t n = strcspn(h, ":/?#");
    if (n == 0 || n >= sizeof u->host)
        return -1;
    memcpy(u->host, h, n);
    u->host[n] = '\0';
    const char *p = h + n;
    u->port = u->tls ? 443 : 80;
    if (*p == ':') {
        size_t d = strspn(p + 1, "0123456789");
        if (d == 0 || d > 5)
            return -1;
        u->port = atoi(p + 1);
        if (u->port < 1 || u->port > 65535)
            return -1;
        p += 1 + d;
    }
    if (*p != '/' && *p != '\0')
        return -1;
    u->path = *p ? p : "/";
    return 0;
}

bool notify_http_url_ok(const char *url)
{
    struct notify_http_url u;
    return url && notify_http_url_parse(url, &u) == 0;
}

bool notify_http_is_plain(const char *url)
{
    return url && !strncmp(url, "http://", 7);
}

struct notify_http *notify_http_new(const char *ca_file, int timeout_ms, char *err, size_t cap)
{
    struct notify_http *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(err, cap, "out of memory");
        return NULL;
    }
    h->timeout_ms = timeout_ms;
    h->base = event_base_new();
    h->tls = SSL_CTX_new(TLS_client_method());
    if (!h->base || !h->tls) {
        snprintf(err, cap, "cannot make the event base or the TLS context");
        goto fail;
    }
    SSL_CTX_set_min_proto_version(h->tls, TLS1_2_VERSION);
    SSL_CTX_set_verify(h->tls, SSL_VERIFY_PEER, NULL);
    if (SSL_CTX_set_default_verify_paths(h->tls) != 1) {
        snprintf(err, cap, "cannot read the system's CA store");
        goto fail;
    }
    if (ca_file && ca_file[0] && SSL_CTX_load_verify_locations(h->tls, ca_file, NULL) != 1) {
        snprintf(err, cap, "cannot read the CA file %s", ca_file);
        goto fail;
    }
    return h;
fail:
    ERR_clear_error();
    notify_http_free(h);
    return NULL;
}

void notify_http_free(struct notify_http *h)
{
    if (!h)
        return;
    if (h->tls)
        SSL_CTX_free(h->tls);
    if (h->base)
        event_base_free(h->base);
    free(h);
}

struct notify_http_call {
    struct event_base *base;
    int status;
    bool done;
    enum evhttp_request_error error;
    bool errored;
};

static void notify_http_done(struct evhttp_request *req, void *arg)
{
    struct notify_http_call *c = arg;
    c->done = true;
    if (req)
        c->status = evhttp_request_get_response_code(req);
    event_base_loopbreak(c->base);
}

static void notify_http_error(enum evhttp_request_error e, void *arg)
{
    struct notify_http_call *c = arg;
    c->error = e;
    c->errored = true;
}

static void notify_http_deadline(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    event_base_loopbreak(arg);
}

/* A TLS session for host: SNI, and the name (or address) the certificate must carry. */
static SSL *notify_http_ssl(struct notify_http *h, const char *host)
{
    SSL *ssl = SSL_new(h->tls);
    if (!ssl)
        return NULL;
    unsigned char addr[16];
    bool literal = inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
    X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
    int ok = literal ? X509_VERIFY_PARAM_set1_ip_asc(param, host)
                     : SSL_set_tlsext_host_name(ssl, host) && SSL_set1_host(ssl, host);
    if (!ok) {
        SSL_free(ssl);
        return NULL;
    }
    return ssl;
}

/* Adds "Name: value\r\n" lines of head to the request's headers. */
static int notify_http_headers(struct evkeyvalq *out, const char *head)
{
    char line[NOTIFY_HTTP_HEAD_MAX];
    while (*head) {
        size_t n = strcspn(head, "\r\n");
        if (n >= sizeof line)
            return -1;
        memcpy(line, head, n);
        line[n] = '\0';
        head += n;
        head += strspn(head, "\r\n");
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        const char *value = colon + 1 + strspn(colon + 1, " ");
        if (evhttp_add_header(out, line, value) < 0)
            return -1;
    }
    return 0;
}

/* Why a connection failed: the certificate check, TLS, or the transport. */
static void notify_http_why(struct bufferevent *bev, SSL *ssl, const struct notify_http_call *c,
                            char *err, size_t cap)
{
    long verify = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
    unsigned long e = bev && ssl ? bufferevent_get_openssl_error(bev) : 0;
    if (ssl && verify != X509_V_OK) {
        snprintf(err, cap, "the certificate is refused: %s", X509_verify_cert_error_string(verify));
    } else if (e) {
        char text[200];
        ERR_error_string_n(e, text, sizeof text);
        snprintf(err, cap, "TLS failed: %s", text);
    } else if (!c->done) {
        snprintf(err, cap, "no answer in time");
    } else if (c->errored && c->error == EVREQ_HTTP_TIMEOUT) {
        snprintf(err, cap, "no answer in time");
    } else if (c->errored && c->error == EVREQ_HTTP_EOF) {
        snprintf(err, cap, "the connection closed without an answer");
    } else {
        snprintf(err, cap, "cannot connect or no HTTP answer");
    }
    ERR_clear_error();
}

int notify_http_post(struct notify_http *h, const char *url, const char *head, const char *body,
                     size_t len, char *err, size_t cap)
{
    struct notify_http_url u;
    if (notify_http_url_parse(url, &u) < 0) {
        snprintf(err, cap, "not an http:// or https:// address");
        return -1;
    }
    SSL *ssl = NULL;
    struct bufferevent *bev;
    if (u.tls) {
        ssl = notify_http_ssl(h, u.host);
        if (!ssl) {
            snprintf(err, cap, "cannot start TLS");
            return -1;
        }
        bev = bufferevent_openssl_socket_new(h->base, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
                                             BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
        if (!bev)
            SSL_free(ssl);
        else
            bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
    } else {
        bev = bufferevent_socket_new(h->base, -1, BEV_OPT_CLOSE_ON_FREE);
    }
    if (!bev) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    struct evhttp_connection *conn =
        evhttp_connection_base_bufferevent_new(h->base, NULL, bev, u.host, (unsigned short)u.port);
    struct notify_http_call c = {.base = h->base, .status = -1};
    struct evhttp_request *req = conn ? evhttp_request_new(notify_http_done, &c) : NULL;
    struct event *deadline = evtimer_new(h->base, notify_http_deadline, h->base);
    int status = -1;
    if (!conn || !req || !deadline) {
        if (!conn)
            bufferevent_free(bev);
        if (req)
            evhttp_request_free(req);
        snprintf(err, cap, "out of memory");
        goto done;
    }
    struct timeval tv = {h->timeout_ms / 1000, (h->timeout_ms % 1000) * 1000};
    evhttp_connection_set_timeout_tv(conn, &tv);
    evhttp_connection_set_max_headers_size(conn, NOTIFY_HTTP_HEAD_MAX);
    evhttp_connection_set_max_body_size(conn, NOTIFY_HTTP_BODY_MAX);
    evhttp_request_set_error_cb(req, notify_http_error);
    struct evkeyvalq *out = evhttp_request_get_output_headers(req);
    char hostport[300], clen[24];
    bool default_port = u.port == (u.tls ? 443 : 80);
    snprintf(hostport, sizeof hostport, default_port ? "%s" : "%s:%d", u.host, u.port);
    snprintf(clen, sizeof clen, "%zu", len);
    if (evhttp_add_header(out, "Host", hostport) < 0 ||
        evhttp_add_header(out, "User-Agent", "leye-notify/1") < 0 ||
        evhttp_add_header(out, "Content-Type", "application/json; charset=utf-8") < 0 ||
        evhttp_add_header(out, "Content-Length", clen) < 0 ||
        evhttp_add_header(out, "Connection", "close") < 0 || notify_http_headers(out, head) < 0 ||
        evbuffer_add(evhttp_request_get_output_buffer(req), body, len) < 0) {
        evhttp_request_free(req);
        snprintf(err, cap, "the request head is too long");
        goto done;
    }
    /* evhttp owns req from here, and frees it after the callback */
    if (evhttp_make_request(conn, req, EVHTTP_REQ_POST, u.path) < 0) {
        snprintf(err, cap, "cannot send the request");
        goto done;
    }
    struct timeval guard = {tv.tv_sec + 1, tv.tv_usec};
    evtimer_add(deadline, &guard);
    event_base_dispatch(h->base);
    if (c.done && c.status > 0) {
        status = c.status;
        snprintf(err, cap, "answered %d", status);
    } else {
        notify_http_why(bev, ssl, &c, err, cap);
    }
done:
    if (deadline)
        event_free(deadline);
    if (conn)
        evhttp_connection_free(conn);
    return status;
}
