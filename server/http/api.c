#define _POSIX_C_SOURCE 200809L
#include "api.h"

#include "clock.h"
#include "contract.h"
#include "dbreply.h"
#include "log.h"
#include "pgrows.h"
#include "principal.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define API_KEY_MAX 200

int api_today(void)
{
    return clock_today();
}

const char *api_actor(struct httpd_req *r)
{
    const struct principal *p = httpd_req_principal(r);
    return p->name[0] ? p->name : "anonymous";
}

const char *api_scope(struct httpd_req *r)
{
    return httpd_req_principal(r)->scope;
}

void api_reply_field_error(struct httpd_req *r, const char *problem_code, const char *field,
                           const char *code)
{
    httpd_reply_field_problem(r, problem_code, field, code);
}

bool api_param_id(struct httpd_req *r, size_t i, char out[24])
{
    const char *s = httpd_req_param(r, i);
    size_t n = strlen(s);
    bool ok = n > 0 && n <= 18 && s[0] != '0';
    for (size_t k = 0; ok && k < n; k++)
        ok = s[k] >= '0' && s[k] <= '9';
    if (!ok) {
        httpd_reply_problem(r, "not_found", NULL);
        return false;
    }
    memcpy(out, s, n + 1);
    return true;
}

#define API_IF_MATCH_MAX 8
#define API_CALL_MAX_PARAMS 16

/* The strong entity tags of an If-Match field that name a version ("1",
 * "2"), in order, into cand; weak tags (W/"1") never match under strong
 * comparison (RFC 9110, 13.1.1) and other tags name no version, so both
 * are left out.  Returns how many, or -1 when the field is not a list of
 * entity tags; *any for "*". */
static int api_if_match_parse(const char *h, bool *any, char cand[API_IF_MATCH_MAX][16])
{
    int n = 0;
    *any = false;
    while (*h == ' ' || *h == '\t')
        h++;
    if (h[0] == '*' && h[1 + strspn(h + 1, " \t")] == '\0') {
        *any = true;
        return 0;
    }
    bool first = true;
    for (;;) {
        h += strspn(h, " \t");
        if (!*h)
            return first ? -1 : n;
        if (!first) {
            if (*h != ',')
                return -1;
            h += 1 + strspn(h + 1, " \t");
            if (!*h || *h == ',')
                continue;
        }
        first = false;
        bool weak = !strncmp(h, "W/", 2);
        if (weak)
            h += 2;
        if (*h != '"')
            return -1;
        const char *end = strchr(h + 1, '"');
        if (!end)
            return -1;
        size_t len = (size_t)(end - h - 1);
        bool digits = len > 0 && len <= 10;
        for (size_t i = 0; digits && i < len; i++)
            digits = h[1 + i] >= '0' && h[1 + i] <= '9';
        if (!weak && digits && n < API_IF_MATCH_MAX) {
            memcpy(cand[n], h + 1, len);
            cand[n][len] = '\0';
            n++;
        }
        h = end + 1;
    }
}

/* A call whose statement takes a version from an If-Match that lists
 * several: on a stale answer (LY412) it is sent again with the next one. */
struct api_call_retry {
    struct pgpool *pool;
    const struct pgpool_stmt *st;
    int nparams;
    int vi;   /* which parameter is the version */
    int next; /* the candidate to try next */
    int ncand;
    char cand[API_IF_MATCH_MAX][16];
    char *values[API_CALL_MAX_PARAMS];
    /* under an Idempotency-Key: idem_run's first five arguments, the sixth
     * being values as an array literal */
    char *idem[5];
};

struct api_call_ctx {
    struct httpd_req *r;
    const char *location;
    struct api_call_retry *retry;
    /* a list the SQL function pages itself: its next_cursor is sealed with these */
    char *seal_sort, *seal_filters;
};

static const struct pgpool_stmt api_idem_stmt = {
    "api_idem_call", "SELECT * FROM idem_call($1, $2::jsonb, $3, $4, $5, $6::bytea)"};

static const struct pgpool_stmt api_idem_run_stmt = {
    "api_idem_run", "SELECT * FROM idem_run($1, $2, $3::bytea, $4, $5, $6::text[])"};

static void api_call_retry_free(struct api_call_retry *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->nparams; i++)
        free(t->values[i]);
    for (int i = 0; i < 5; i++)
        free(t->idem[i]);
    free(t);
}

static void api_call_ctx_free(struct api_call_ctx *ctx)
{
    api_call_retry_free(ctx->retry);
    free(ctx->seal_sort);
    free(ctx->seal_filters);
    free(ctx);
}

static void api_call_cb(void *arg, const struct pgpool_reply *rep);
static void api_idem_array(struct evbuffer *b, int n, const char *const *values);

/* Sends the call again with the next If-Match candidate; false when none is
 * left.  Under an Idempotency-Key the stale try has rolled back with its
 * claim of the key, so the next goes through idem_run again. */
static bool api_call_again(struct api_call_ctx *ctx, const struct pgpool_reply *rep)
{
    struct api_call_retry *t = ctx->retry;
    if (!t || rep->status != PGPOOL_SQL_ERROR || strcmp(rep->sqlstate, "LY412") ||
        t->next >= t->ncand)
        return false;
    memcpy(t->values[t->vi], t->cand[t->next], strlen(t->cand[t->next]) + 1);
    t->next++;
    if (!t->idem[0]) {
        pgpool_query_scoped(t->pool, api_scope(ctx->r), t->st, t->nparams,
                            (const char *const *)t->values, api_call_cb, ctx);
        return true;
    }
    struct evbuffer *args = evbuffer_new();
    if (!args)
        return false;
    api_idem_array(args, t->nparams, (const char *const *)t->values);
    const char *v[6] = {t->idem[0], t->idem[1], t->idem[2],
                        t->idem[3], t->idem[4], (const char *)evbuffer_pullup(args, -1)};
    pgpool_query_scoped(t->pool, api_scope(ctx->r), &api_idem_run_stmt, 6, v, api_call_cb, ctx);
    evbuffer_free(args);
    return true;
}

/* A list's page as the SQL function answered it, with next_cursor (its
 * position as text or number) sealed for this list. */
static void api_call_reply_page(struct httpd_req *r, const struct api_call_ctx *ctx,
                                const char *text)
{
    json_t *body = json_loads(text, 0, NULL);
    if (!json_is_object(body)) {
        json_decref(body);
        httpd_reply_problem(r, "internal_error", NULL);
        return;
    }
    json_t *next = json_object_get(body, "next_cursor");
    char num[24];
    const char *pos = json_string_value(next);
    if (json_is_integer(next)) {
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(next));
        pos = num;
    }
    json_object_set_new(body, "next_cursor",
                        pos ? api_cursor_seal(r, ctx->seal_sort, ctx->seal_filters, pos)
                            : json_null());
    httpd_reply_json(r, 200, body);
}

static void api_call_cb(void *arg, const struct pgpool_reply *rep)
{
    struct api_call_ctx *ctx = arg;
    struct httpd_req *r = ctx->r;
    const char *location = ctx->location;
    if (api_call_again(ctx, rep))
        return;
    if (!dbreply_has_row(r, rep)) {
        api_call_ctx_free(ctx);
        return;
    }
    int status = atoi(PQgetvalue(rep->res, 0, 0));
    if (!PQgetisnull(rep->res, 0, 1)) {
        char etag[32];
        snprintf(etag, sizeof etag, "\"%s\"", PQgetvalue(rep->res, 0, 1));
        httpd_set_header(r, "ETag", etag);
    }
    if (PQnfields(rep->res) > 3 && !strcmp(PQgetvalue(rep->res, 0, 3), "t"))
        httpd_set_header(r, "Idempotent-Replayed", "true");
    if (status >= 400) {
        /* a refusal the SQL function explains itself (e.g. the conflicts of a
         * confirm): a problem of that status with the function's members */
        json_t *extra = json_loads(PQgetvalue(rep->res, 0, 2), 0, NULL);
        json_t *p = problem_new(status == 409   ? "conflict"
                                : status == 404 ? "not_found"
                                                : "validation_failed",
                                httpd_req_lang(r), NULL);
        if (p && json_is_object(extra))
            json_object_update(p, extra);
        json_decref(extra);
        api_call_ctx_free(ctx);
        if (!p) {
            httpd_reply_problem(r, "overloaded", NULL);
            return;
        }
        httpd_reply_problem_json(r, p);
        return;
    }
    if (status == 200 && ctx->seal_sort) {
        api_call_reply_page(r, ctx, PQgetvalue(rep->res, 0, 2));
        api_call_ctx_free(ctx);
        return;
    }
    api_call_ctx_free(ctx);
    if (location && (status == 201 || status == 202)) {
        json_t *body = json_loads(PQgetvalue(rep->res, 0, 2), 0, NULL);
        json_t *id = json_object_get(body, "id");
        if (json_is_integer(id)) {
            char loc[160];
            snprintf(loc, sizeof loc, "%s/%lld", location, (long long)json_integer_value(id));
            httpd_set_header(r, "Location", loc);
        }
        json_decref(body);
    }
    httpd_reply_raw(r, status, "application/json; charset=utf-8", PQgetvalue(rep->res, 0, 2),
                    (size_t)PQgetlength(rep->res, 0, 2));
}

/* When If-Match lists several versions and values holds the first (as
 * api_if_match gives it), what it takes to try the others; else NULL. */
static struct api_call_retry *api_call_retry_new(struct httpd_req *r, struct pgpool *pool,
                                                 const struct pgpool_stmt *st, int nparams,
                                                 const char *const *values)
{
    const char *h = httpd_req_header(r, "If-Match");
    char cand[API_IF_MATCH_MAX][16];
    bool any;
    int n = h ? api_if_match_parse(h, &any, cand) : 0;
    if (n < 2 || nparams > API_CALL_MAX_PARAMS)
        return NULL;
    int vi = -1;
    for (int i = 0; i < nparams; i++)
        if (values[i] && !strcmp(values[i], cand[0]))
            vi = i; /* the last: a path id before it may have the same digits */
    struct api_call_retry *t = vi < 0 ? NULL : calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->pool = pool;
    t->st = st;
    t->vi = vi;
    t->next = 1;
    t->ncand = n;
    t->nparams = nparams;
    memcpy(t->cand, cand, sizeof cand);
    for (int i = 0; i < nparams; i++) {
        if (!values[i])
            continue;
        size_t len = strlen(values[i]) + 1;
        t->values[i] = malloc(len < 16 ? 16 : len);
        if (!t->values[i]) {
            api_call_retry_free(t);
            return NULL;
        }
        memcpy(t->values[i], values[i], len);
    }
    return t;
}

static struct api_call_ctx *api_call_ctx_new(struct httpd_req *r, const char *location_prefix)
{
    struct api_call_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        httpd_reply_problem(r, "overloaded", NULL);
        return NULL;
    }
    ctx->r = r;
    ctx->location = location_prefix;
    return ctx;
}

static void api_call_on(struct httpd_req *r, struct pgpool *pool, const struct pgpool_stmt *st,
                        int nparams, const char *const *values, const char *location_prefix)
{
    struct api_call_ctx *ctx = api_call_ctx_new(r, location_prefix);
    if (!ctx)
        return;
    ctx->retry = api_call_retry_new(r, pool, st, nparams, values);
    pgpool_query_scoped(pool, api_scope(r), st, nparams, values, api_call_cb, ctx);
}

/* The answer of a read whose members come as columns (api_get_batched):
 * the key, row_status, row_version, then the members. */
static void api_members_cb(void *arg, const struct pgpool_reply *rep)
{
    struct httpd_req *r = arg;
    if (!dbreply_has_row(r, rep))
        return;
    const PGresult *res = rep->res;
    int row = rep->row;
    size_t len = 0;
    char *body = PQnfields(res) > 3 && !strcmp(PQfname(res, 1), "row_status") &&
                         !strcmp(PQfname(res, 2), "row_version")
                     ? pgrows_object(res, row, 3, &len)
                     : NULL;
    if (!body) {
        log_error("a read's members could not be written as JSON");
        httpd_reply_problem(r, "internal_error", NULL);
        return;
    }
    if (!PQgetisnull(res, row, 2)) {
        char etag[32];
        snprintf(etag, sizeof etag, "\"%s\"", PQgetvalue(res, row, 2));
        httpd_set_header(r, "ETag", etag);
    }
    httpd_reply_raw(r, atoi(PQgetvalue(res, row, 1)), "application/json; charset=utf-8", body, len);
    free(body);
}

void api_call_list(struct httpd_req *r, const struct pgpool_stmt *st, int nparams,
                   const char *const *values, const char *sort, const char *filters)
{
    struct api_call_ctx *ctx = api_call_ctx_new(r, NULL);
    if (!ctx)
        return;
    ctx->seal_sort = strdup(sort);
    ctx->seal_filters = strdup(filters);
    if (!ctx->seal_sort || !ctx->seal_filters) {
        api_call_ctx_free(ctx);
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    pgpool_query_scoped(httpd_req_pool(r), api_scope(r), st, nparams, values, api_call_cb, ctx);
}

/* SHA-256 of the method, the path and text, as bytea hex text. */
static void api_request_hash(struct httpd_req *r, const char *text, size_t len,
                             char out[API_HASH_HEX])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state st;
    const char *method = httpd_req_method(r), *path = httpd_req_path(r);
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)method, strlen(method) + 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)path, strlen(path) + 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)text, len);
    crypto_hash_sha256_final(&st, h);
    out[0] = '\\';
    out[1] = 'x';
    sodium_bin2hex(out + 2, API_HASH_HEX - 2, h, sizeof h);
}

/* The statement as a format() string for idem_run: % doubled, $N -> %N$L. */
static void api_idem_format(struct evbuffer *b, const char *sql)
{
    for (const char *p = sql; *p; p++) {
        if (*p == '%') {
            evbuffer_add(b, "%%", 2);
        } else if (*p == '$' && p[1] >= '1' && p[1] <= '9') {
            evbuffer_add(b, "%", 1);
            for (p++; *p >= '0' && *p <= '9'; p++)
                evbuffer_add(b, p, 1);
            evbuffer_add(b, "$L", 2);
            p--;
        } else {
            evbuffer_add(b, p, 1);
        }
    }
    evbuffer_add(b, "", 1);
}

/* values as a text[] literal: {"a","b",NULL}. */
static void api_idem_array(struct evbuffer *b, int n, const char *const *values)
{
    evbuffer_add(b, "{", 1);
    for (int i = 0; i < n; i++) {
        if (i)
            evbuffer_add(b, ",", 1);
        if (!values[i]) {
            evbuffer_add(b, "NULL", 4);
            continue;
        }
        evbuffer_add(b, "\"", 1);
        for (const char *p = values[i]; *p; p++) {
            if (*p == '"' || *p == '\\')
                evbuffer_add(b, "\\", 1);
            evbuffer_add(b, p, 1);
        }
        evbuffer_add(b, "\"", 1);
    }
    evbuffer_add(b, "}", 2);
}

/* The namespace of the caller's keys: as creates keep it (a kiosk's per worker). */
static const char *api_idem_scope(struct httpd_req *r, char buf[32])
{
    const struct principal *who = httpd_req_principal(r);
    if (who->kind != PRINCIPAL_KIOSK)
        return api_actor(r);
    snprintf(buf, 32, "kiosk:%lld", (long long)who->id);
    return buf;
}

/* Sends st with values through idem_run under key (migrations/046_idem_actions.sql)
 * to cb; when retry is not NULL, keeps in it what a retry of idem_run takes.
 * Returns false, having sent nothing, when memory runs out. */
static bool api_idem_send(struct httpd_req *r, const struct pgpool_stmt *st, int nparams,
                          const char *const *values, const char *key, pgpool_query_cb cb, void *arg,
                          struct api_call_retry *retry)
{
    struct evbuffer *fmt = evbuffer_new(), *args = evbuffer_new();
    bool sent = false;
    size_t blen = 0;
    const char *body = httpd_req_body(r, &blen);
    char hash[API_HASH_HEX], scope[32];
    api_request_hash(r, body ? body : "", body ? blen : 0, hash);
    if (!fmt || !args)
        goto done;
    api_idem_format(fmt, st->sql);
    api_idem_array(args, nparams, values);
    const char *v[6] = {api_idem_scope(r, scope),
                        key,
                        hash,
                        httpd_req_path(r),
                        (const char *)evbuffer_pullup(fmt, -1),
                        (const char *)evbuffer_pullup(args, -1)};
    for (int i = 0; retry && i < 5; i++)
        if (!(retry->idem[i] = strdup(v[i])))
            retry->ncand = 0; /* no retries then: the first tag is tried alone */
    pgpool_query_scoped(httpd_req_pool(r), api_scope(r), &api_idem_run_stmt, 6, v, cb, arg);
    sent = true;
done:
    if (fmt)
        evbuffer_free(fmt);
    if (args)
        evbuffer_free(args);
    return sent;
}

/* An action POST that documents Idempotency-Key, sent with one: runs st
 * through idem_run, once per key. */
static void api_call_idem(struct httpd_req *r, const struct pgpool_stmt *st, int nparams,
                          const char *const *values, const char *key, const char *location)
{
    struct api_call_ctx *ctx = api_call_ctx_new(r, location);
    if (!ctx)
        return;
    ctx->retry = api_call_retry_new(r, httpd_req_pool(r), st, nparams, values);
    if (!api_idem_send(r, st, nparams, values, key, api_call_cb, ctx, ctx->retry)) {
        api_call_ctx_free(ctx);
        httpd_reply_problem(r, "overloaded", NULL);
    }
}

bool api_query_keyed(struct httpd_req *r, const struct pgpool_stmt *st, int nparams,
                     const char *const *values, pgpool_query_cb cb, void *arg)
{
    const char *key = NULL;
    if (!strcmp(httpd_req_method(r), "POST") && contract_idempotent(r) && !api_idem_key(r, &key))
        return false;
    if (!key) {
        pgpool_query_scoped(httpd_req_pool(r), api_scope(r), st, nparams, values, cb, arg);
        return true;
    }
    if (api_idem_send(r, st, nparams, values, key, cb, arg, NULL))
        return true;
    httpd_reply_problem(r, "overloaded", NULL);
    return false;
}

void api_call(struct httpd_req *r, const struct pgpool_stmt *st, int nparams,
              const char *const *values, const char *location_prefix)
{
    const char *key = NULL;
    if (st != &api_idem_stmt && !strcmp(httpd_req_method(r), "POST") && contract_idempotent(r)) {
        if (!api_idem_key(r, &key))
            return;
        if (key) {
            api_call_idem(r, st, nparams, values, key, location_prefix);
            return;
        }
    }
    api_call_on(r, httpd_req_pool(r), st, nparams, values, location_prefix);
}

void api_call_read(struct httpd_req *r, const struct pgpool_stmt *st, int nparams,
                   const char *const *values)
{
    api_call_on(r, httpd_req_read_pool(r), st, nparams, values, NULL);
}

/* Validates the body against schema; answers and returns NULL on any fault. */
json_t *api_body(struct httpd_req *r, const struct jv_schema *schema, bool partial)
{
    json_t *body = httpd_req_json_body(r);
    if (!body)
        return NULL;
    json_t *problem = problem_new("validation_failed", httpd_req_lang(r), NULL);
    json_t *obj = jv_check(body, schema, partial, api_today(), "", problem, httpd_req_lang(r));
    json_decref(body);
    if (!obj) {
        httpd_reply_problem_json(r, problem);
        return NULL;
    }
    json_decref(problem);
    if (partial && json_object_size(obj) == 0) {
        json_decref(obj);
        api_reply_field_error(r, "validation_failed", "", "required");
        return NULL;
    }
    return obj;
}

bool api_body_empty(struct httpd_req *r)
{
    static const struct jv_schema empty = {NULL, 0};
    size_t len = 0;
    httpd_req_body(r, &len);
    if (len == 0)
        return true;
    json_t *obj = api_body(r, &empty, false);
    json_decref(obj);
    return obj != NULL;
}

json_t *api_body_rules(struct httpd_req *r, const struct jv_schema *s, api_rules_fn rules)
{
    json_t *body = httpd_req_json_body(r);
    if (!body)
        return NULL;
    enum problem_lang lang = httpd_req_lang(r);
    json_t *problem = problem_new("validation_failed", lang, NULL);
    if (!problem) {
        json_decref(body);
        httpd_reply_problem(r, "overloaded", NULL);
        return NULL;
    }
    json_t *obj = jv_check(body, s, false, api_today(), "", problem, lang);
    json_decref(body);
    if (obj && rules)
        rules(obj, problem, lang);
    if (!obj || jv_error_count(problem) > 0) {
        json_decref(obj);
        httpd_reply_problem_json(r, problem);
        return NULL;
    }
    json_decref(problem);
    return obj;
}

void api_fault(json_t *problem, const char *field, const char *code, enum problem_lang lang)
{
    if (problem_add_error(problem, field, code, lang, NULL) < 0)
        return;
}

bool api_idem_key(struct httpd_req *r, const char **key)
{
    *key = httpd_req_header(r, "Idempotency-Key");
    if (*key && (!**key || strlen(*key) > API_KEY_MAX)) {
        api_reply_field_error(r, "bad_request", "Idempotency-Key", "invalid_format");
        return false;
    }
    return true;
}

void api_idem_create(struct httpd_req *r, const char *fn, const json_t *obj, const json_t *hashed,
                     const char *actor, const char *key, const char *location)
{
    char *payload = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
    char *text = hashed == obj ? payload : json_dumps(hashed, JSON_COMPACT | JSON_SORT_KEYS);
    if (!payload || !text) {
        httpd_reply_problem(r, "overloaded", NULL);
        goto done;
    }
    char hash[API_HASH_HEX];
    api_request_hash(r, text, strlen(text), hash);
    const char *v[6] = {fn, payload, actor, actor, key, hash};
    api_call(r, &api_idem_stmt, 6, v, location);
done:
    if (text != payload)
        free(text);
    free(payload);
}

void api_idem_call(struct httpd_req *r, const char *fn, const json_t *obj, const char *location)
{
    const char *key;
    if (!api_idem_key(r, &key))
        return;
    api_idem_create(r, fn, obj, obj, api_actor(r), key, location);
}

void api_create(struct httpd_req *r, const struct api_resource *res)
{
    const char *key;
    if (!api_idem_key(r, &key))
        return;
    json_t *obj = api_body(r, res->create, false);
    if (!obj)
        return;
    if (res->prepare && res->prepare(r, obj, true) < 0) {
        json_decref(obj);
        return;
    }
    api_idem_create(r, res->create_fn, obj, obj, api_actor(r), key, res->path);
    json_decref(obj);
}

void api_get(struct httpd_req *r, const struct api_resource *res)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    const char *v[1] = {id};
    api_call(r, res->get, 1, v, NULL);
}

void api_get_batched(struct httpd_req *r, const struct pgpool_batch *b)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    pgpool_query_batched(httpd_req_pool(r), api_scope(r), b, id, api_members_cb, r);
}

bool api_if_match(struct httpd_req *r, char out[16], bool *any)
{
    const char *h = httpd_req_header(r, "If-Match");
    char cand[API_IF_MATCH_MAX][16];
    *any = false;
    if (!h) {
        httpd_reply_problem(r, "precondition_required", NULL);
        return false;
    }
    int n = api_if_match_parse(h, any, cand);
    if (*any)
        return true;
    if (n <= 0) {
        httpd_reply_problem(r, "precondition_failed", NULL);
        return false;
    }
    memcpy(out, cand[0], strlen(cand[0]) + 1);
    return true;
}

bool api_if_match_optional(struct httpd_req *r, char out[16])
{
    const char *h = httpd_req_header(r, "If-Match");
    char cand[API_IF_MATCH_MAX][16];
    bool any;
    out[0] = '\0';
    if (!h)
        return true;
    int n = api_if_match_parse(h, &any, cand);
    if (any)
        return true;
    if (n <= 0) {
        httpd_reply_problem(r, "precondition_failed", NULL);
        return false;
    }
    memcpy(out, cand[0], strlen(cand[0]) + 1);
    return true;
}

void api_update(struct httpd_req *r, const struct api_resource *res)
{
    char id[24], version[16];
    bool any;
    if (!api_param_id(r, 0, id) || !api_if_match(r, version, &any))
        return;
    json_t *obj = api_body(r, res->update, true);
    if (!obj)
        return;
    if (res->prepare && res->prepare(r, obj, false) < 0) {
        json_decref(obj);
        return;
    }
    char *payload = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (!payload) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    const char *v[4] = {id, any ? NULL : version, payload, api_actor(r)};
    api_call(r, res->patch, 4, v, NULL);
    free(payload);
}

/* The answer stored under the caller's key, shaped as idem_run answers a
 * replay, with whether it was for the same request. */
static const struct pgpool_stmt api_idem_peek_stmt = {
    "api_idem_peek", "SELECT i.status, (nullif(i.body, '')::jsonb ->> 'version')::integer, "
                     "nullif(i.body, '')::jsonb, true, i.request_sha = $3::bytea AND i.status > 0 "
                     "FROM idempotency_key i WHERE i.scope = $1 AND i.key = $2"};

struct api_idem_first_ctx {
    struct httpd_req *r;
    api_idem_then_fn then;
    void *arg;
};

static void api_idem_first_cb(void *arg, const struct pgpool_reply *rep)
{
    struct api_idem_first_ctx *c = arg;
    struct httpd_req *r = c->r;
    api_idem_then_fn then = c->then;
    void *then_arg = c->arg;
    free(c);
    if (rep->status != PGPOOL_OK) {
        dbreply_error(r, rep);
        then(r, then_arg, false);
        return;
    }
    if (PQntuples(rep->res) == 0) {
        then(r, then_arg, true);
        return;
    }
    if (strcmp(PQgetvalue(rep->res, 0, 4), "t")) {
        httpd_reply_field_problem(r, "validation_failed", "Idempotency-Key",
                                  "idempotency_mismatch");
        then(r, then_arg, false);
        return;
    }
    struct api_call_ctx *ctx = api_call_ctx_new(r, NULL);
    if (ctx)
        api_call_cb(ctx, rep);
    then(r, then_arg, false);
}

void api_idem_first(struct httpd_req *r, api_idem_then_fn then, void *arg)
{
    const char *key = NULL;
    if (!strcmp(httpd_req_method(r), "POST") && contract_idempotent(r) && !api_idem_key(r, &key)) {
        then(r, arg, false);
        return;
    }
    if (!key) {
        then(r, arg, true);
        return;
    }
    struct api_idem_first_ctx *c = malloc(sizeof *c);
    if (!c) {
        httpd_reply_problem(r, "overloaded", NULL);
        then(r, arg, false);
        return;
    }
    size_t blen = 0;
    const char *body = httpd_req_body(r, &blen);
    char hash[API_HASH_HEX], scope[32];
    api_request_hash(r, body ? body : "", body ? blen : 0, hash);
    c->r = r;
    c->then = then;
    c->arg = arg;
    const char *v[3] = {api_idem_scope(r, scope), key, hash};
    pgpool_query_scoped(httpd_req_pool(r), api_scope(r), &api_idem_peek_stmt, 3, v,
                        api_idem_first_cb, c);
}
