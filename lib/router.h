/*
 * router: matches a method and path against a table of routes with path
 * parameters ("/v1/workers/{id}").  Pure: the table's handlers are opaque here.
 */
#ifndef LEYE_ROUTER_H
#define LEYE_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#define ROUTER_MAX_PARAMS 4
#define ROUTER_MAX_PARAM_LEN 128
#define ROUTER_MAX_SEGMENTS 16

struct httpd_req;
typedef void (*router_handler)(struct httpd_req *r);

struct router_route {
    const char *method;  /* "GET", "POST", ...; GET also answers HEAD */
    const char *pattern; /* "/v1/workers/{id}" */
    router_handler handler;
    const char *policy; /* who may call it: "public", or a policy name */
};

enum router_result {
    ROUTER_FOUND,
    ROUTER_NOT_FOUND,
    ROUTER_METHOD_NOT_ALLOWED,
    ROUTER_BAD_PATH, /* bad percent-encoding, NUL, dot segment or too long */
};

struct router_match {
    const struct router_route *route;
    size_t nparams;
    char params[ROUTER_MAX_PARAMS][ROUTER_MAX_PARAM_LEN]; /* percent-decoded */
    char allow[96];                                       /* for 405: "GET, HEAD, POST" */
};

/*
 * Finds the route for method and path (the path without query string, as
 * sent: still percent-encoded).  Fills m; m->route borrows from routes.
 */
enum router_result router_match(const struct router_route *routes, size_t n, const char *method,
                                const char *path, struct router_match *m);

/* Checks a table: patterns well formed, no duplicates, every route has a
 * policy.  Returns the index of the first bad route, or -1 if all are good. */
long router_check_table(const struct router_route *routes, size_t n);

/* Percent-decodes src[0..len) into dst (cap bytes with NUL).  Rejects bad
 * escapes, NUL and results that do not fit.  Returns the length or -1. */
long router_decode(const char *src, size_t len, char *dst, size_t cap);

#endif
