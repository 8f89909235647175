/*
 * contract: each route's query parameters, body and Idempotency-Key as the
 * OpenAPI document states them (see contract.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "contract.h"

#include "httpd.h"
#include "log.h"
#include "validate.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* More query parameters than this in one request are refused (too_long). */
#define CONTRACT_MAX_QUERY 32

struct contract_param {
    char *name;
    bool list;     /* a documented array: may be repeated */
    bool any_name; /* a free-form object (style form, explode): any name */
    bool integer;  /* type integer: digits, within min..max */
    long long min, max;
};

struct contract_op {
    struct contract_param *params;
    size_t nparams;
    bool body; /* documents a requestBody */
    bool idem; /* documents an Idempotency-Key header */
};

struct contract {
    const struct router_route *routes;
    size_t n;
    struct contract_op *ops;
};

/* A parameter object, following a "#/components/parameters/..." reference. */
static const json_t *contract_param_obj(const json_t *doc, const json_t *p)
{
    const char *ref = json_string_value(json_object_get(p, "$ref"));
    static const char prefix[] = "#/components/parameters/";
    if (!ref)
        return p;
    if (strncmp(ref, prefix, sizeof prefix - 1))
        return NULL;
    return json_object_get(json_object_get(json_object_get(doc, "components"), "parameters"),
                           ref + sizeof prefix - 1);
}

static int contract_add_params(struct contract_op *op, const json_t *doc, const json_t *list)
{
    size_t i;
    const json_t *p;
    json_array_foreach(list, i, p)
    {
        const json_t *o = contract_param_obj(doc, p);
        const char *in = json_string_value(json_object_get(o, "in"));
        const char *name = json_string_value(json_object_get(o, "name"));
        if (!in || !name)
            return -1;
        if (!strcmp(in, "header") && !strcasecmp(name, "Idempotency-Key"))
            op->idem = true;
        if (strcmp(in, "query"))
            continue;
        struct contract_param *np = realloc(op->params, (op->nparams + 1) * sizeof *op->params);
        if (!np)
            return -1;
        op->params = np;
        struct contract_param *q = &op->params[op->nparams];
        memset(q, 0, sizeof *q);
        q->name = strdup(name);
        if (!q->name)
            return -1;
        op->nparams++;
        const json_t *s = json_object_get(o, "schema");
        const char *type = json_string_value(json_object_get(s, "type"));
        q->list = type && !strcmp(type, "array");
        q->any_name =
            type && !strcmp(type, "object") && !json_is_false(json_object_get(o, "explode"));
        q->integer = type && !strcmp(type, "integer");
        const json_t *mn = json_object_get(s, "minimum"), *mx = json_object_get(s, "maximum");
        q->min = json_is_integer(mn) ? (long long)json_integer_value(mn) : -999999999999999999LL;
        q->max = json_is_integer(mx) ? (long long)json_integer_value(mx) : 999999999999999999LL;
    }
    return 0;
}

static void contract_lower(char *dst, size_t cap, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < cap; i++)
        dst[i] = (char)tolower((unsigned char)src[i]);
    dst[i] = '\0';
}

/* Loaded once before the worker threads start, then only read. */
static struct contract *contract_table;

static void contract_free(struct contract *c);

int contract_load(const char *doc_text, size_t len, const struct router_route *routes, size_t n)
{
    json_error_t err;
    json_t *doc = json_loadb(doc_text, len, 0, &err);
    struct contract *c = calloc(1, sizeof *c);
    if (c)
        c->ops = calloc(n ? n : 1, sizeof *c->ops);
    if (!doc || !c || !c->ops) {
        log_error("contract: the OpenAPI document cannot be read: %s",
                  doc ? "no memory" : err.text);
        goto fail;
    }
    c->routes = routes;
    c->n = n;
    const json_t *paths = json_object_get(doc, "paths");
    for (size_t i = 0; i < n; i++) {
        char method[16];
        contract_lower(method, sizeof method, routes[i].method);
        const json_t *item = json_object_get(paths, routes[i].pattern);
        const json_t *op = json_object_get(item, method);
        if (!json_is_object(op)) {
            log_error("contract: %s %s is not in the OpenAPI document", routes[i].method,
                      routes[i].pattern);
            goto fail;
        }
        c->ops[i].body = json_object_get(op, "requestBody") != NULL;
        if (contract_add_params(&c->ops[i], doc, json_object_get(item, "parameters")) < 0 ||
            contract_add_params(&c->ops[i], doc, json_object_get(op, "parameters")) < 0) {
            log_error("contract: bad parameters of %s %s", routes[i].method, routes[i].pattern);
            goto fail;
        }
    }
    json_decref(doc);
    contract_free(contract_table);
    contract_table = c;
    return 0;
fail:
    json_decref(doc);
    contract_free(c);
    return -1;
}

void contract_unload(void)
{
    contract_free(contract_table);
    contract_table = NULL;
}

static void contract_free(struct contract *c)
{
    if (!c)
        return;
    for (size_t i = 0; c->ops && i < c->n; i++) {
        for (size_t k = 0; k < c->ops[i].nparams; k++)
            free(c->ops[i].params[k].name);
        free(c->ops[i].params);
    }
    free(c->ops);
    free(c);
}

static const struct contract_op *contract_op_of(const struct httpd_req *r)
{
    const struct contract *c = contract_table;
    const struct router_route *route = httpd_req_route(r);
    if (!c || !route || route < c->routes || route >= c->routes + c->n)
        return NULL;
    return &c->ops[route - c->routes];
}

static const struct contract_param *contract_param_find(const struct contract_op *op,
                                                        const char *name)
{
    const struct contract_param *any = NULL;
    for (size_t i = 0; i < op->nparams; i++) {
        if (!strcmp(op->params[i].name, name))
            return &op->params[i];
        if (op->params[i].any_name)
            any = &op->params[i];
    }
    return any;
}

/* The fault of an integer parameter's value, or NULL when it is one within bounds. */
static const char *contract_integer_fault(const struct contract_param *p, const char *v)
{
    if (!v)
        return "invalid";
    const char *d = v[0] == '-' ? v + 1 : v;
    size_t n = strlen(d);
    bool digits = n > 0 && n <= 18;
    for (size_t i = 0; digits && i < n; i++)
        digits = d[i] >= '0' && d[i] <= '9';
    if (!digits)
        return "invalid";
    long long x = strtoll(v, NULL, 10);
    return x < p->min || x > p->max ? "out_of_range" : NULL;
}

static bool contract_refuse(struct httpd_req *r, const char *problem, const char *name,
                            const char *code)
{
    char field[64];
    validate_copy_text(field, sizeof field, name);
    httpd_reply_field_problem(r, problem, field, code);
    return false;
}

bool contract_check(struct httpd_req *r)
{
    const struct contract_op *op = contract_op_of(r);
    if (!op)
        return true;
    size_t len = 0;
    if (!op->body && httpd_req_body(r, &len) && len > 0)
        return contract_refuse(r, "bad_request", "body", "not_allowed");
    const char *names[CONTRACT_MAX_QUERY];
    size_t count = httpd_req_query_names(r, names, CONTRACT_MAX_QUERY);
    if (count > CONTRACT_MAX_QUERY)
        return contract_refuse(r, "invalid_query", "", "too_long");
    for (size_t i = 0; i < count; i++) {
        const struct contract_param *p = contract_param_find(op, names[i]);
        if (!p)
            return contract_refuse(r, "invalid_query", names[i], "unknown_field");
        for (size_t k = 0; k < i; k++)
            if (!p->list && !p->any_name && !strcmp(names[k], names[i]))
                return contract_refuse(r, "invalid_query", names[i], "repeated");
        const char *fault =
            p->integer ? contract_integer_fault(p, httpd_req_query(r, names[i])) : NULL;
        if (fault)
            return contract_refuse(r, "invalid_query", names[i], fault);
    }
    return true;
}

bool contract_idempotent(const struct httpd_req *r)
{
    const struct contract_op *op = contract_op_of(r);
    return op && op->idem;
}
