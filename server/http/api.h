/*
 * api: the request flow shared by every resource under /v1/.
 *
 *   create  POST   body -> jv_check -> prepare -> idem_call(api_<r>_create) -> 201 + Location +
 * ETag get     GET    id -> api_<r>_get(id) -> 200 + ETag update  PATCH  If-Match + body ->
 * jv_check (partial) -> prepare -> api_<r>_update -> 200 + ETag list    GET    filters, sort,
 * limit, cursor -> api_<r>_list -> {items, next_cursor}
 *
 * The SQL functions do each request's work in one statement and return
 * (status, version, body); see migrations/004_api_core.sql.
 */
#ifndef LEYE_API_H
#define LEYE_API_H

#include "httpd.h"
#include "jv.h"
#include "pgpool.h"

enum api_filter_type {
    API_FILTER_ID,     /* positive integer */
    API_FILTER_REGION, /* six-digit code */
    API_FILTER_ENUM,   /* one of values */
    API_FILTER_BOOL,   /* true/false */
    API_FILTER_TEXT,   /* up to 100 characters */
    API_FILTER_DATE,   /* YYYY-MM-DD */
};

struct api_filter {
    const char *name;
    enum api_filter_type type;
    const char *const *values;
};

struct api_resource {
    const char *path;      /* "/v1/sites": Location is path + "/" + id */
    const char *create_fn; /* "api_site_create" */
    const struct jv_schema *create;
    const struct jv_schema *update;
    const struct pgpool_stmt *get;   /* $1 id -> (status, version, body) */
    const struct pgpool_stmt *patch; /* $1 id, $2 version|NULL, $3 patch, $4 actor */
    const struct pgpool_stmt *list;  /* $1 filters, $2 cursor|NULL, $3 limit, $4 sort */
    const struct api_filter *filters;
    size_t nfilters;
    const char *const *sorts; /* accepted sort keys, first is the default */
    /* Optional: turns the validated body into what the SQL function takes
     * (e.g. encrypts ID numbers).  Returns 0, or -1 after answering. */
    int (*prepare)(struct httpd_req *r, json_t *obj, bool create);
};

void api_create(struct httpd_req *r, const struct api_resource *res);
void api_get(struct httpd_req *r, const struct api_resource *res);
void api_update(struct httpd_req *r, const struct api_resource *res);

/* A read of one record by the path's id, the reads of this resource that
 * wait for a database connection under the same scope sent together as one
 * call of b->many (pgpool_query_batched).  Both answer the key, row_status,
 * row_version (the ETag) and then the answer's members, one column each:
 * the answer is those columns written as one object (pgrows_object). */
void api_get_batched(struct httpd_req *r, const struct pgpool_batch *b);
void api_list(struct httpd_req *r, const struct api_resource *res);

/* A list under one record (GET /v1/workers/{id}/history): as api_list, with
 * the path's first parameter, a positive id, among the filters under the
 * name id_filter.  Any other value of the parameter is answered 404. */
void api_list_under(struct httpd_req *r, const struct api_resource *res, const char *id_filter);

/* Runs a statement returning (status, version, body) and answers with it.
 * For handlers outside the four standard shapes. */
void api_call(struct httpd_req *r, const struct pgpool_stmt *st, int nparams,
              const char *const *values, const char *location_prefix);

/* api_call for a list whose SQL function pages itself and answers its
 * next position as next_cursor (text or a number): on a 200 that position
 * is handed out sealed with sort and filters (api_cursor_seal).  The
 * handler opens the request's cursor with api_cursor_open under the same
 * sort and filters. */
void api_call_list(struct httpd_req *r, const struct pgpool_stmt *st, int nparams,
                   const char *const *values, const char *sort, const char *filters);

/* The same for a read-only statement that may lag a little (reports): on
 * the read replica when one is configured and reachable. */
void api_call_read(struct httpd_req *r, const struct pgpool_stmt *st, int nparams,
                   const char *const *values);

/* Today's date as YYYYMMDD (UTC+8, China Standard Time): clock_today for handlers. */
int api_today(void);

/* The path parameter as a positive id; answers 404 and returns false otherwise. */
bool api_param_id(struct httpd_req *r, size_t i, char out[24]);

/* Answers 422 with one field error. */
void api_reply_field_error(struct httpd_req *r, const char *problem_code, const char *field,
                           const char *code);

/* Validates the JSON body against schema (partial: an update); answers and
 * returns NULL on any fault.  Returns a new reference. */
json_t *api_body(struct httpd_req *r, const struct jv_schema *schema, bool partial);

/* For actions whose body is optional: true when there is none or it is {};
 * otherwise answers (422 naming the unknown field, or 400) and returns false. */
bool api_body_empty(struct httpd_req *r) __attribute__((warn_unused_result));

/* Extra rules on a body that passed its schema: add faults to problem. */
typedef void (*api_rules_fn)(const json_t *obj, json_t *problem, enum problem_lang lang);

/* Validates the request body against s (whole, not partial), then with rules
 * (may be NULL).  Answers and returns NULL on any fault; otherwise returns a
 * new reference to the normalised body. */
json_t *api_body_rules(struct httpd_req *r, const struct jv_schema *s, api_rules_fn rules)
    __attribute__((warn_unused_result));

/* Adds a field fault to problem.  Should memory run out the fault is lost,
 * and the database's own checks refuse the request instead. */
void api_fault(json_t *problem, const char *field, const char *code, enum problem_lang lang);

/* The version an If-Match header names (any: "*"); answers 428/412 and
 * returns false when it is missing or malformed. */
bool api_if_match(struct httpd_req *r, char out[16], bool *any) __attribute__((warn_unused_result));

/* An optional If-Match: "N" gives N; absent or "*" gives "".  Answers 412
 * and returns false when it is malformed. */
bool api_if_match_optional(struct httpd_req *r, char out[16]) __attribute__((warn_unused_result));

/* Length of a request hash as bytea hex text ("\\x" + 64 digits + NUL). */
#define API_HASH_HEX 67

/* Reads the optional Idempotency-Key header into *key (borrowed from the
 * request; NULL when absent).  Answers 400 and returns false when it is
 * empty or longer than 200 bytes. */
bool api_idem_key(struct httpd_req *r, const char **key) __attribute__((warn_unused_result));

/* Runs the create function fn (api_<r>_create) through idem_call on obj
 * (borrowed) under key (from api_idem_key; NULL for none) in the name of
 * actor, and answers with its result; a 201 gets Location location/<id>
 * when location is not NULL.  The request hash that tells a retry from a
 * different request under the same key is SHA-256 of the method and of
 * hashed (borrowed; usually obj itself) as compact JSON with sorted keys. */
void api_idem_create(struct httpd_req *r, const char *fn, const json_t *obj, const json_t *hashed,
                     const char *actor, const char *key, const char *location);

/* Sends st with values for the caller as api_call does, to a callback of
 * the handler's own: through idem_run when the operation documents an
 * Idempotency-Key and the request carries one, when cb gets (status,
 * version, body, replayed), else as it is.  Returns false, having answered
 * (400 for a malformed key) and without calling cb, when nothing was sent. */
bool api_query_keyed(struct httpd_req *r, const struct pgpool_stmt *st, int nparams,
                     const char *const *values, pgpool_query_cb cb, void *arg)
    __attribute__((warn_unused_result));

/* Called by api_idem_first: go is true when the request is to be carried
 * out, false when it has been answered (arg is then only to be freed). */
typedef void (*api_idem_then_fn)(struct httpd_req *r, void *arg, bool go);

/* For an action POST that looks things up before its api_call: when the
 * request carries an Idempotency-Key under which an answer is stored, gives
 * that answer again (Idempotent-Replayed), or 422 idempotency_mismatch when
 * it was stored for another request, before anything is looked up; then
 * calls then once, in every case. */
void api_idem_first(struct httpd_req *r, api_idem_then_fn then, void *arg);

/* api_idem_key then api_idem_create of obj by api_actor: for creates whose
 * body the shared api_create cannot take as it is. */
void api_idem_call(struct httpd_req *r, const char *fn, const json_t *obj, const char *location);

/* --- query strings (api_query.c) --- */

/* The whole number parameter name into *out (left as it is when absent).
 * Answers 400 and returns false when it is not a number (invalid) or is
 * outside min..max (out_of_range). */
bool api_query_int(struct httpd_req *r, const char *name, long long min, long long max,
                   long long *out) __attribute__((warn_unused_result));

/* A positive whole number of at most max as text into out ("" when
 * absent); as api_query_int. */
bool api_query_id(struct httpd_req *r, const char *name, long long max, char out[24])
    __attribute__((warn_unused_result));

/* Which of a parameter and its deprecated alias (e.g. county_code and
 * county) the request uses, into *which (name when neither).  Answers 400
 * naming the alias (not_allowed) and returns false when both are given. */
bool api_query_alias(struct httpd_req *r, const char *name, const char *alias, const char **which)
    __attribute__((warn_unused_result));

/* limit: 1..max, dflt when absent; as api_query_int. */
bool api_query_limit(struct httpd_req *r, int dflt, int max, int *out)
    __attribute__((warn_unused_result));

/* A cursor for the position pos (text) in this route's list under sort and
 * filters (canonical text: compact JSON with sorted keys): the position
 * and a keyed hash of route, sort, filters and position, in base64url.
 * Returns a new reference (JSON null should memory run out). */
json_t *api_cursor_seal(struct httpd_req *r, const char *sort, const char *filters,
                        const char *pos);

/* The position of a cursor api_cursor_seal made for the same route, sort
 * and filters, as a new string (free).  Answers 400 and returns NULL when
 * it is malformed (invalid_format) or was made for another list, sort or
 * filters, or altered (not_this_list). */
char *api_cursor_open(struct httpd_req *r, const char *sort, const char *filters,
                      const char *cursor) __attribute__((warn_unused_result));

/* Whether an opened cursor's position is a positive whole number (a row id). */
bool api_cursor_is_id(const char *pos);

/* Who is acting, for the records: the authenticated principal's name. */
const char *api_actor(struct httpd_req *r);

/* The caller's row-level security scope, for pgpool_query_scoped: every
 * query made for a caller must run with it. */
const char *api_scope(struct httpd_req *r);

#endif
