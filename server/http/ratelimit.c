#define _POSIX_C_SOURCE 200809L
#include "ratelimit.h"

#include <stdio.h>

#define RATELIMIT_WINDOW_S 60

bool ratelimit_apply(struct httpd_req *r, int limit, int used, int reset_s)
{
    if (limit < 1)
        limit = 1;
    if (reset_s < 1 || reset_s > RATELIMIT_WINDOW_S)
        reset_s = RATELIMIT_WINDOW_S;
    int remaining = used >= limit ? 0 : limit - used;
    char text[48];
    snprintf(text, sizeof text, "%d", limit);
    httpd_set_header(r, "RateLimit-Limit", text);
    snprintf(text, sizeof text, "%d", remaining);
    httpd_set_header(r, "RateLimit-Remaining", text);
    snprintf(text, sizeof text, "%d", reset_s);
    httpd_set_header(r, "RateLimit-Reset", text);
    snprintf(text, sizeof text, "%d;w=%d", limit, RATELIMIT_WINDOW_S);
    httpd_set_header(r, "RateLimit-Policy", text);
    if (used <= limit)
        return true;
    snprintf(text, sizeof text, "%d", reset_s);
    httpd_set_header(r, "Retry-After", text);
    httpd_reply_problem(r, "too_many_requests", NULL);
    return false;
}
