/*
 * httphead: a strict check of an HTTP/1.x request head before the HTTP
 * library parses it.
 *
 * The server runs every byte a client sends through this check, so that
 * ambiguous or oversized requests are refused with a clear status before any
 * handler can see them: one Content-Length at most, no Transfer-Encoding (a
 * body must have a length), no NUL, bare CR or obs-fold in the head, a known
 * method, an origin-form target, and bounded sizes.
 */
#ifndef LEYE_HTTPHEAD_H
#define LEYE_HTTPHEAD_H

#include <stddef.h>
#include <stdint.h>

enum httphead_result {
    HTTPHEAD_OK = 0,
    HTTPHEAD_NEED_MORE,         /* no complete head yet, within limits */
    HTTPHEAD_BAD_REQUEST,       /* 400 */
    HTTPHEAD_URI_TOO_LONG,      /* 414 */
    HTTPHEAD_HEADERS_TOO_LARGE, /* 431 */
    HTTPHEAD_PAYLOAD_TOO_LARGE, /* 413 */
    HTTPHEAD_LENGTH_REQUIRED,   /* 411: Transfer-Encoding present */
    HTTPHEAD_NOT_IMPLEMENTED,   /* 501: unknown method or HTTP version */
};

struct httphead_limits {
    size_t max_head;   /* request line and headers, in bytes */
    size_t max_target; /* request target, in bytes */
    uint64_t max_body; /* Content-Length */
    /* targets starting with large_prefix (when not NULL) may send up to max_body_large */
    const char *large_prefix;
    uint64_t max_body_large;
};

struct httphead_info {
    size_t head_len;          /* bytes of the head, blank line included */
    uint64_t content_length;  /* 0 without the header */
    char accept_language[64]; /* first 63 bytes of Accept-Language, or "" */
    int close;                /* the client wants the connection closed after this request */
};

/*
 * Checks the bytes at p (len of them) as the start of one request head.
 * Leading empty lines must have been skipped by the caller.  On HTTPHEAD_OK
 * info describes the head; for other results only accept_language may be set.
 */
enum httphead_result httphead_check(const char *p, size_t len, const struct httphead_limits *lim,
                                    struct httphead_info *info);

/* The request line of a head that httphead_check accepted; offsets are
 * from the head's first byte. */
struct httphead_request {
    size_t method_len;         /* the method is at offset 0 */
    size_t target, target_len; /* the request target */
    int http10;                /* HTTP/1.0, else HTTP/1.1 */
    size_t fields;             /* where the first header line starts */
};

/* One header line of such a head: its name, and its value without the
 * blanks around it (value_len may be 0). */
struct httphead_field {
    size_t name, name_len;
    size_t value, value_len;
};

/* Splits the request line of a head that httphead_check accepted (len
 * bytes at p: info.head_len).  Only for such heads. */
void httphead_request_split(const char *p, size_t len, struct httphead_request *rq);

/* The header line at *off (start with rq.fields) of the same head: returns
 * 1 with f filled and *off moved to the next line, or 0 at the blank line
 * that ends the head. */
int httphead_next_field(const char *p, size_t len, size_t *off, struct httphead_field *f);

/* The problem code (see problem.h) for a result other than OK/NEED_MORE. */
const char *httphead_problem_code(enum httphead_result r);

#endif
