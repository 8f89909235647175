/* Fuzz target: the request-head check every client byte passes. */
#include "httphead.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct httphead_limits lim = {2048, 512, 1 << 20, "/v1/imports/", 1 << 24};
    struct httphead_info info;
    enum httphead_result r = httphead_check((const char *)data, size, &lim, &info);
    if (r == HTTPHEAD_OK) {
        /* the head it reports must lie inside the input and end with a blank line */
        if (info.head_len < 2 || info.head_len > size || data[info.head_len - 1] != '\n')
            __builtin_trap();
        if (info.content_length > lim.max_body_large)
            __builtin_trap();
        /* and splits into a request line and fields that lie inside it */
        const char *p = (const char *)data;
        struct httphead_request rq;
        httphead_request_split(p, info.head_len, &rq);
        if (rq.method_len == 0 || rq.target + rq.target_len >= info.head_len ||
            p[rq.target] != '/' || rq.fields > info.head_len)
            __builtin_trap();
        struct httphead_field f;
        size_t off = rq.fields, prev = off;
        while (httphead_next_field(p, info.head_len, &off, &f)) {
            if (off <= prev || off > info.head_len || f.name_len == 0 ||
                p[f.name + f.name_len] != ':' || f.value < f.name + f.name_len ||
                f.value + f.value_len > off)
                __builtin_trap();
            prev = off;
        }
    }
    if (strlen(info.accept_language) >= sizeof info.accept_language)
        __builtin_trap();
    (void)httphead_problem_code(r);
    return 0;
}
