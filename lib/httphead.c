#include "httphead.h"

#include <string.h>

static const char *const httphead_methods[] = {"GET",   "HEAD",   "POST",    "PUT",
                                               "PATCH", "DELETE", "OPTIONS", NULL};

static int httphead_tchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return 1;
    return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int httphead_ieq(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen)
        return 0;
    for (size_t i = 0; i < alen; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x + 32);
        if (x != y)
            return 0;
    }
    return 1;
}

/* Finds the end of the head: returns its length including the blank line, or 0. */
static size_t httphead_end(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] != '\n')
            continue;
        if (i + 1 < len && p[i + 1] == '\n')
            return i + 2;
        if (i + 2 < len && p[i + 1] == '\r' && p[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

/* Length of the line at p up to (not including) its LF or CRLF; -1 on a bare CR or NUL. */
static long httphead_line(const char *p, size_t len, size_t *next)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '\0')
            return -1;
        if (p[i] == '\n') {
            *next = i + 1;
            return (long)i;
        }
        if (p[i] == '\r') {
            if (i + 1 < len && p[i + 1] == '\n') {
                *next = i + 2;
                return (long)i;
            }
            return -1;
        }
    }
    return -1;
}

/* Whether the comma-separated list v contains token (case-insensitive). */
static int httphead_has_token(const char *v, size_t vlen, const char *token)
{
    size_t i = 0;
    while (i < vlen) {
        while (i < vlen && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        size_t start = i;
        while (i < vlen && v[i] != ',')
            i++;
        size_t end = i;
        while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t'))
            end--;
        if (httphead_ieq(v + start, end - start, token))
            return 1;
    }
    return 0;
}

static enum httphead_result httphead_request_line(const char *p, size_t n,
                                                  const struct httphead_limits *lim, int *http10,
                                                  uint64_t *max_body)
{
    const char *sp1 = memchr(p, ' ', n);
    if (!sp1)
        return HTTPHEAD_BAD_REQUEST;
    size_t mlen = (size_t)(sp1 - p);
    int known = 0;
    for (int i = 0; httphead_methods[i]; i++)
        if (strlen(httphead_methods[i]) == mlen && memcmp(p, httphead_methods[i], mlen) == 0)
            known = 1;
    for (size_t i = 0; i < mlen; i++)
        if (!httphead_tchar((unsigned char)p[i]))
            return HTTPHEAD_BAD_REQUEST;
    if (mlen == 0)
        return HTTPHEAD_BAD_REQUEST;
    const char *target = sp1 + 1;
    const char *sp2 = memchr(target, ' ', n - mlen - 1);
    if (!sp2)
        return HTTPHEAD_BAD_REQUEST;
    size_t tlen = (size_t)(sp2 - target);
    if (tlen > lim->max_target)
        return HTTPHEAD_URI_TOO_LONG;
    if (tlen == 0 || target[0] != '/')
        return HTTPHEAD_BAD_REQUEST;
    *max_body = lim->max_body;
    if (lim->large_prefix && tlen >= strlen(lim->large_prefix) &&
        memcmp(target, lim->large_prefix, strlen(lim->large_prefix)) == 0)
        *max_body = lim->max_body_large;
    for (size_t i = 0; i < tlen; i++) {
        unsigned char c = (unsigned char)target[i];
        if (c <= 0x20 || c == 0x7f)
            return HTTPHEAD_BAD_REQUEST;
    }
    const char *ver = sp2 + 1;
    size_t vlen = n - (size_t)(ver - p);
    /* HTTP-version = "HTTP/" DIGIT "." DIGIT; anything else is malformed */
    if (vlen != 8 || memcmp(ver, "HTTP/", 5) != 0 || ver[5] < '0' || ver[5] > '9' ||
        ver[6] != '.' || ver[7] < '0' || ver[7] > '9')
        return HTTPHEAD_BAD_REQUEST;
    if (ver[5] != '1' || (ver[7] != '0' && ver[7] != '1'))
        return HTTPHEAD_NOT_IMPLEMENTED;
    *http10 = ver[7] == '0';
    return known ? HTTPHEAD_OK : HTTPHEAD_NOT_IMPLEMENTED;
}

static enum httphead_result httphead_content_length(const char *v, size_t vlen, int *seen,
                                                    uint64_t max_body, struct httphead_info *info)
{
    if (*seen || vlen == 0)
        return HTTPHEAD_BAD_REQUEST;
    for (size_t i = 0; i < vlen; i++)
        if (v[i] < '0' || v[i] > '9')
            return HTTPHEAD_BAD_REQUEST;
    if (vlen > 19)
        return HTTPHEAD_PAYLOAD_TOO_LARGE;
    uint64_t n = 0;
    for (size_t i = 0; i < vlen; i++)
        n = n * 10 + (uint64_t)(v[i] - '0');
    *seen = 1;
    info->content_length = n;
    return n > max_body ? HTTPHEAD_PAYLOAD_TOO_LARGE : HTTPHEAD_OK;
}

static enum httphead_result httphead_field(const char *p, size_t n, int *seen_cl, int *keepalive,
                                           uint64_t max_body, struct httphead_info *info)
{
    const char *colon = memchr(p, ':', n);
    if (!colon || colon == p)
        return HTTPHEAD_BAD_REQUEST;
    size_t nlen = (size_t)(colon - p);
    for (size_t i = 0; i < nlen; i++)
        if (!httphead_tchar((unsigned char)p[i]))
            return HTTPHEAD_BAD_REQUEST;
    const char *v = colon + 1, *end = p + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    for (const char *c = v; c < end; c++)
        if ((unsigned char)*c < 0x20 && *c != '\t')
            return HTTPHEAD_BAD_REQUEST;
    size_t vlen = (size_t)(end - v);
    if (httphead_ieq(p, nlen, "content-length"))
        return httphead_content_length(v, vlen, seen_cl, max_body, info);
    if (httphead_ieq(p, nlen, "transfer-encoding"))
        return HTTPHEAD_LENGTH_REQUIRED;
    if (httphead_ieq(p, nlen, "connection")) {
        if (httphead_has_token(v, vlen, "close"))
            info->close = 1;
        if (httphead_has_token(v, vlen, "keep-alive"))
            *keepalive = 1;
    }
    if (httphead_ieq(p, nlen, "accept-language") && !info->accept_language[0]) {
        size_t c =
            vlen < sizeof info->accept_language - 1 ? vlen : sizeof info->accept_language - 1;
        memcpy(info->accept_language, v, c);
        info->accept_language[c] = '\0';
    }
    return HTTPHEAD_OK;
}

enum httphead_result httphead_check(const char *p, size_t len, const struct httphead_limits *lim,
                                    struct httphead_info *info)
{
    memset(info, 0, sizeof *info);
    size_t scan = len < lim->max_head ? len : lim->max_head;
    size_t end = httphead_end(p, scan);
    if (!end) {
        /* a complete request line can be judged before the rest arrives */
        const char *nl = memchr(p, '\n', scan);
        size_t line = nl ? (size_t)(nl - p) : scan;
        const char *sp1 = memchr(p, ' ', line);
        if (sp1) {
            const char *t = sp1 + 1;
            const char *sp2 = memchr(t, ' ', line - (size_t)(t - p));
            size_t tlen = sp2 ? (size_t)(sp2 - t) : line - (size_t)(t - p);
            if (tlen > lim->max_target)
                return HTTPHEAD_URI_TOO_LONG;
        }
        return len >= lim->max_head ? HTTPHEAD_HEADERS_TOO_LARGE : HTTPHEAD_NEED_MORE;
    }
    size_t next = 0;
    long n = httphead_line(p, end, &next);
    if (n <= 0)
        return HTTPHEAD_BAD_REQUEST;
    int http10 = 0, keepalive = 0, seen_cl = 0;
    uint64_t max_body = lim->max_body;
    enum httphead_result r = httphead_request_line(p, (size_t)n, lim, &http10, &max_body);
    if (r != HTTPHEAD_OK)
        return r;
    size_t off = next;
    while (off < end) {
        n = httphead_line(p + off, end - off, &next);
        if (n < 0)
            return HTTPHEAD_BAD_REQUEST;
        if (n == 0)
            break;
        if (p[off] == ' ' || p[off] == '\t')
            return HTTPHEAD_BAD_REQUEST; /* obs-fold */
        r = httphead_field(p + off, (size_t)n, &seen_cl, &keepalive, max_body, info);
        if (r != HTTPHEAD_OK)
            return r;
        off += next;
    }
    if (http10 && !keepalive)
        info->close = 1;
    info->head_len = end;
    return HTTPHEAD_OK;
}

void httphead_request_split(const char *p, size_t len, struct httphead_request *rq)
{
    const char *sp1 = memchr(p, ' ', len);
    const char *target = sp1 + 1;
    const char *sp2 = memchr(target, ' ', len - (size_t)(target - p));
    const char *nl = memchr(sp2, '\n', len - (size_t)(sp2 - p));
    rq->method_len = (size_t)(sp1 - p);
    rq->target = (size_t)(target - p);
    rq->target_len = (size_t)(sp2 - target);
    rq->http10 = sp2[8] == '0'; /* " HTTP/1.0" */
    rq->fields = (size_t)(nl + 1 - p);
}

int httphead_next_field(const char *p, size_t len, size_t *off, struct httphead_field *f)
{
    const char *line = p + *off;
    const char *nl = memchr(line, '\n', len - *off);
    if (!nl)
        return 0;
    const char *end = nl > line && nl[-1] == '\r' ? nl - 1 : nl;
    if (end == line)
        return 0;
    const char *colon = memchr(line, ':', (size_t)(end - line));
    const char *v = colon + 1;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    f->name = *off;
    f->name_len = (size_t)(colon - line);
    f->value = (size_t)(v - p);
    f->value_len = (size_t)(end - v);
    *off = (size_t)(nl + 1 - p);
    return 1;
}

const char *httphead_problem_code(enum httphead_result r)
{
    switch (r) {
    case HTTPHEAD_URI_TOO_LONG:
        return "uri_too_long";
    case HTTPHEAD_HEADERS_TOO_LARGE:
        return "headers_too_large";
    case HTTPHEAD_PAYLOAD_TOO_LARGE:
        return "payload_too_large";
    case HTTPHEAD_LENGTH_REQUIRED:
        return "length_required";
    case HTTPHEAD_NOT_IMPLEMENTED:
        return "not_implemented";
    case HTTPHEAD_OK:
    case HTTPHEAD_NEED_MORE:
    case HTTPHEAD_BAD_REQUEST:
        break;
    }
    return "bad_request";
}
