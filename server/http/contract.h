/*
 * contract: what each route accepts besides its path, read once from the
 * OpenAPI document compiled into the binary (docs/openapi.json): its query
 * parameters (which of them take a list, the bounds of the integer ones),
 * whether it takes a request body and whether it takes an Idempotency-Key.
 * The gate checks every request against its route's entry before the
 * route's handler runs, so that no handler sees a parameter the document
 * does not name.
 */
#ifndef LEYE_CONTRACT_H
#define LEYE_CONTRACT_H

#include <stdbool.h>
#include <stddef.h>

struct httpd_req;
struct router_route;

/* Reads doc[0..len) for the n routes, process-wide: call once before
 * serving.  Every route must be an operation of the document.  Returns 0,
 * or -1 after logging the first route that is not documented or a document
 * that is not JSON.  A request whose route is not in the table passes. */
int contract_load(const char *doc, size_t len, const struct router_route *routes, size_t n)
    __attribute__((warn_unused_result));

/* Frees the table. */
void contract_unload(void);

/* Checks the routed request's query string and body against its route:
 * an undocumented parameter (unknown_field), one given twice that is not a
 * documented list (repeated), an integer that is not one (invalid) or is
 * out of its documented bounds (out_of_range), a body on an operation that
 * documents none (not_allowed).  Answers 400 naming the parameter and
 * returns false on the first fault. */
bool contract_check(struct httpd_req *r) __attribute__((warn_unused_result));

/* Whether the routed request's operation documents an Idempotency-Key. */
bool contract_idempotent(const struct httpd_req *r);

#endif
