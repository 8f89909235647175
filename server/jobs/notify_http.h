/*
 * notify_http: the delivery thread's HTTP/1.1 client (jobs/notify.c), one
 * POST per connection over http:// or https:// (libevent's OpenSSL
 * bufferevents).  An https:// peer must present a certificate that chains
 * to the system's CA store or to the extra CA file, and names the host of
 * the address (DNS name, or IP address for a literal).
 *
 * A client belongs to one thread; it blocks that thread for at most the
 * timeout per request.
 */
#ifndef LEYE_NOTIFY_HTTP_H
#define LEYE_NOTIFY_HTTP_H

#include <stdbool.h>
#include <stddef.h>

struct notify_http;

/* A client whose requests give up after timeout_ms; ca_file (may be "" or
 * NULL) adds trusted CAs to the system's.  NULL with the reason in err. */
struct notify_http *notify_http_new(const char *ca_file, int timeout_ms, char *err, size_t cap)
    __attribute__((warn_unused_result));

void notify_http_free(struct notify_http *h);

/* true for an address this client can send to: http:// or https://, a
 * host, an optional port, a path. */
bool notify_http_url_ok(const char *url);

/* true when url is plain http://. */
bool notify_http_is_plain(const char *url);

/*
 * POSTs body (len bytes, JSON) to url with the extra header lines in head
 * ("Name: value\r\n" each).  Returns the HTTP status, or -1 with the reason
 * in err when no answer came (refused, timeout, a certificate that is not
 * trusted or names another host).  err also holds "answered N" on success.
 */
int notify_http_post(struct notify_http *h, const char *url, const char *head, const char *body,
                     size_t len, char *err, size_t cap);

#endif
