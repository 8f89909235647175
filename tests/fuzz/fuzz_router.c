/* Fuzz target: the router, path decoding and query-string values. */
#include "router.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_handler(struct httpd_req *r)
{
    (void)r;
}

static const struct router_route fuzz_routes[] = {
    {"GET", "/healthz", fuzz_handler, "public"},
    {"GET", "/v1/workers", fuzz_handler, "x"},
    {"POST", "/v1/workers", fuzz_handler, "x"},
    {"GET", "/v1/workers/{id}", fuzz_handler, "x"},
    {"PATCH", "/v1/workers/{id}", fuzz_handler, "x"},
    {"POST", "/v1/placements/{id}/followups/{month}", fuzz_handler, "x"},
    {"GET", "/v1/regions/{code}", fuzz_handler, "x"},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const methods[] = {"GET", "POST", "PATCH", "HEAD", "DELETE", "OPTIONS"};
    if (size < 1 || size > 4096)
        return 0;
    char *path = malloc(size);
    if (!path)
        return 0;
    memcpy(path, data + 1, size - 1);
    path[size - 1] = '\0';
    struct router_match m;
    enum router_result r = router_match(fuzz_routes, sizeof fuzz_routes / sizeof fuzz_routes[0],
                                        methods[data[0] % 6], path, &m);
    if (r == ROUTER_FOUND) {
        if (!m.route || m.nparams > ROUTER_MAX_PARAMS)
            __builtin_trap();
        for (size_t i = 0; i < m.nparams; i++)
            if (strlen(m.params[i]) >= ROUTER_MAX_PARAM_LEN || strchr(m.params[i], '/'))
                __builtin_trap();
    }
    char out[64];
    long n = router_decode(path, strlen(path), out, sizeof out);
    if (n >= (long)sizeof out || (n >= 0 && strlen(out) != (size_t)n))
        __builtin_trap();
    free(path);
    return 0;
}
