/*
 * log: leveled logging to standard error, one line per call.
 *
 * All output goes through log_write(), which formats into a local buffer and
 * emits it with a single write(2) so that lines from different threads never
 * interleave.  Request lines are JSON objects (log_request); everything else
 * is "LEVEL message" text.  Never pass secrets, tokens, PINs or full ID numbers.
 */
#ifndef LEYE_LOG_H
#define LEYE_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum log_level {
    LOG_LEVEL_ERROR = 0,
    LOG_LEVEL_WARN = 1,
    LOG_LEVEL_INFO = 2,
    LOG_LEVEL_DEBUG = 3,
};

/* Sets the most verbose level that is printed.  Not thread-safe: call at start. */
void log_set_level(enum log_level level);

/* Parses "error", "warn", "info" or "debug".  Returns false for anything else. */
bool log_parse_level(const char *name, enum log_level *out) __attribute__((warn_unused_result));

/* True if messages at level are printed. */
bool log_enabled(enum log_level level);

/* Formats and writes one line.  Use the macros below instead. */
void log_write(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_write(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) log_write(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_write(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)                                                                             \
    do {                                                                                           \
        if (log_enabled(LOG_LEVEL_DEBUG))                                                          \
            log_write(LOG_LEVEL_DEBUG, __VA_ARGS__);                                               \
    } while (0)

/* Plain data describing one finished request. */
struct log_request {
    const char *request_id;
    const char *method;
    const char *path;  /* without the query string */
    const char *route; /* route pattern, or NULL */
    const char *peer;
    int status;
    int64_t micros;
    const char *error_code; /* problem code for error answers, or NULL */
};

/* Adds one JSON line for a finished request (level info) to the calling
 * thread's batch; batches are written by log_flush() or when full. */
void log_request(const struct log_request *r);

/* Writes the calling thread's batch of request lines.  Event loops call it
 * on every maintenance tick and before they end. */
void log_flush(void);

#endif
