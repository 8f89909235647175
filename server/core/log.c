#define _POSIX_C_SOURCE 200809L
#include "log.h"
#include "validate.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static _Atomic int log_level_current = LOG_LEVEL_INFO;

static const char *const log_level_names[] = {"error", "warn", "info", "debug"};

void log_set_level(enum log_level level)
{
    log_level_current = (int)level;
}

bool log_parse_level(const char *name, enum log_level *out)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(name, log_level_names[i]) == 0) {
            *out = (enum log_level)i;
            return true;
        }
    }
    return false;
}

bool log_enabled(enum log_level level)
{
    return (int)level <= log_level_current;
}

/* The same as log_timestamp into buf (at least 25 bytes), with the
 * date and time formatted once a second per thread: request lines are
 * written for every request. */
static size_t log_timestamp_fast(char *buf)
{
    static _Thread_local time_t sec = -1;
    static _Thread_local char head[24];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != sec) {
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        if (strftime(head, sizeof head, "%Y-%m-%dT%H:%M:%S", &tm) != 19)
            memcpy(head, "0000-00-00T00:00:00", 20);
        sec = ts.tv_sec;
    }
    long ms = ts.tv_nsec / 1000000;
    memcpy(buf, head, 19);
    buf[19] = '.';
    buf[20] = (char)('0' + ms / 100);
    buf[21] = (char)('0' + ms / 10 % 10);
    buf[22] = (char)('0' + ms % 10);
    buf[23] = 'Z';
    buf[24] = '\0';
    return 24;
}

static size_t log_timestamp(char *buf, size_t len)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    int m = snprintf(buf + n, len - n, ".%03ldZ", ts.tv_nsec / 1000000);
    return n + (m > 0 ? (size_t)m : 0);
}

static void log_emit(char *buf, size_t len, size_t cap)
{
    if (len >= cap)
        len = cap - 1;
    buf[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, buf, len);
    (void)w;
}

void log_write(enum log_level level, const char *fmt, ...)
{
    if (!log_enabled(level))
        return;
    log_flush();
    char buf[2048];
    size_t n = log_timestamp(buf, sizeof buf);
    int m = snprintf(buf + n, sizeof buf - n, " %s ", log_level_names[level]);
    if (m > 0)
        n += (size_t)m;
    va_list ap;
    va_start(ap, fmt);
    m = vsnprintf(buf + n, sizeof buf - n, fmt, ap);
    va_end(ap);
    if (m > 0)
        n += (size_t)m;
    for (size_t i = 0; i < n && i < sizeof buf; i++) {
        if (buf[i] == '\n' || buf[i] == '\r')
            buf[i] = ' ';
    }
    log_emit(buf, n, sizeof buf - 1);
}

/* Appends s as the body of a JSON string, escaping what JSON requires. */
static size_t log_json_str(char *buf, size_t n, size_t cap, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    for (; s && *s && n + 7 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            buf[n++] = '\\';
            buf[n++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            buf[n++] = '\\';
            buf[n++] = 'u';
            buf[n++] = '0';
            buf[n++] = '0';
            buf[n++] = hex[c >> 4];
            buf[n++] = hex[c & 15];
        } else {
            buf[n++] = (char)c;
        }
    }
    return n;
}

/* Copies s, masking runs of 15 or more digits (or X) that could be ID numbers
 * and the whole value of a phone= query parameter (written with spaces or
 * hyphens, a phone has no long run of digits). */
static void log_scrub(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; s[i] && o + 1 < cap;) {
        if (i > 0 && (s[i - 1] == '?' || s[i - 1] == '&') && !strncmp(s + i, "phone=", 6)) {
            for (const char *k = "phone=***"; *k && o + 1 < cap; k++)
                out[o++] = *k;
            for (i += 6; s[i] && s[i] != '&'; i++)
                ;
            continue;
        }
        size_t run = 0;
        while ((s[i + run] >= '0' && s[i + run] <= '9') || s[i + run] == 'X' || s[i + run] == 'x')
            run++;
        if (run >= 15) {
            for (size_t k = 0; k < run && o + 1 < cap; k++)
                out[o++] = k < 6 || k + 4 >= run ? s[i + k] : '*';
            i += run;
        } else if (run > 0) {
            for (size_t k = 0; k < run && o + 1 < cap; k++)
                out[o++] = s[i + k];
            i += run;
        } else {
            out[o++] = s[i++];
        }
    }
    out[o] = '\0';
}

static size_t log_json_field(char *buf, size_t n, size_t cap, const char *key, const char *val)
{
    size_t k = strlen(key);
    if (n + k + 4 >= cap)
        return n;
    buf[n++] = ',';
    buf[n++] = '"';
    memcpy(buf + n, key, k);
    n += k;
    buf[n++] = '"';
    buf[n++] = ':';
    if (!val) {
        if (n + 4 < cap) {
            memcpy(buf + n, "null", 4);
            n += 4;
        }
        return n;
    }
    buf[n++] = '"';
    n = log_json_str(buf, n, cap - 1, val);
    buf[n++] = '"';
    return n;
}

/* Request lines are gathered per thread and written in batches: one write(2)
 * per request would cost more than serving a small cached answer. */
#define LOG_BATCH_BYTES (64 * 1024)
static _Thread_local char log_batch[LOG_BATCH_BYTES];
static _Thread_local size_t log_batch_len;

void log_flush(void)
{
    size_t off = 0;
    while (off < log_batch_len) {
        ssize_t w = write(STDERR_FILENO, log_batch + off, log_batch_len - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    log_batch_len = 0;
}

static void log_batch_add(const char *line, size_t len)
{
    if (log_batch_len + len > sizeof log_batch)
        log_flush();
    if (len > sizeof log_batch) {
        ssize_t w = write(STDERR_FILENO, line, len);
        (void)w;
        return;
    }
    memcpy(log_batch + log_batch_len, line, len);
    log_batch_len += len;
}

/* Writes v in decimal at buf (room for 20 digits); returns the length. */
static size_t log_uint(char *buf, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

void log_request(const struct log_request *r)
{
    if (!log_enabled(LOG_LEVEL_INFO))
        return;
    char buf[4096];
    static const char head[] = "{\"ts\":\"";
    static const char tail[] = "\",\"level\":\"info\",\"msg\":\"request\"";
    size_t n = sizeof head - 1;
    memcpy(buf, head, n);
    n += log_timestamp_fast(buf + n);
    memcpy(buf + n, tail, sizeof tail - 1);
    n += sizeof tail - 1;
    n = log_json_field(buf, n, sizeof buf - 64, "request_id", r->request_id);
    n = log_json_field(buf, n, sizeof buf - 64, "method", r->method);
    char path[1024];
    log_scrub(r->path ? r->path : "", path, sizeof path);
    path[validate_utf8_prefix(path, strlen(path), sizeof path - 1)] = '\0';
    n = log_json_field(buf, n, sizeof buf - 64, "path", path);
    n = log_json_field(buf, n, sizeof buf - 64, "route", r->route);
    n = log_json_field(buf, n, sizeof buf - 64, "peer", r->peer);
    if (r->error_code)
        n = log_json_field(buf, n, sizeof buf - 64, "error", r->error_code);
    /* at most sizeof buf - 64 so far: room for both numbers */
    memcpy(buf + n, ",\"status\":", 10);
    n += 10;
    n += log_uint(buf + n, (uint64_t)(r->status > 0 ? r->status : 0));
    memcpy(buf + n, ",\"us\":", 6);
    n += 6;
    n += log_uint(buf + n, (uint64_t)(r->micros > 0 ? r->micros : 0));
    buf[n++] = '}';
    if (n >= sizeof buf - 1)
        n = sizeof buf - 2;
    buf[n++] = '\n';
    log_batch_add(buf, n);
}
