/*
 * Accounts from the console: staff accounts (/v1/accounts), a job seeker's
 * kiosk PIN made by the server (/v1/workers/{id}/pin-reset), brokers and
 * their API keys (/v1/brokers, /v1/brokers/{id}/keys), and the places near a
 * point (/v1/places/nearest) that a vacancy's location is checked against.
 *
 * Passwords, PINs and keys are made here from libsodium's random source,
 * hashed off the event loop where the hash is slow (Argon2id), and returned
 * once in the answer that made them; the database keeps only hashes.  Who may
 * manage which account is decided in SQL (migrations/045_accounts_places.sql).
 */
#define _POSIX_C_SOURCE 200809L
#include "h_accounts.h"

#include "api.h"
#include "auth.h"
#include "bgjob.h"
#include "dbreply.h"

#include <libpq-fe.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* a made password: three groups of four letters and digits that cannot be
 * confused with each other (no 0/o, 1/l/i) */
#define ACCOUNTS_PW_ALPHABET "abcdefghjkmnpqrstuvwxyz23456789"
#define ACCOUNTS_PW_LEN H_ACCOUNTS_PASSWORD_LEN
#define ACCOUNTS_SECRET_MAX 80

static const char *const account_roles[] = {"admin", "county_staff", "site_staff", "viewer", NULL};
static const char *const key_scopes[] = {"vacancies:read", "matches:read", "applications:write",
                                         NULL};

static const struct jv_field account_fields[] = {
    {"username", JV_STRING, JV_REQUIRED, 3, 40, NULL, NULL},
    {"display_name", JV_STRING, 0, 0, 50, NULL, NULL},
    {"role", JV_ENUM, JV_REQUIRED, 0, 0, account_roles, NULL},
    {"county_codes", JV_ID_ARRAY, 0, 0, 64, NULL, NULL},
    {"site_ids", JV_ID_ARRAY, 0, 0, 64, NULL, NULL},
};
static const struct jv_schema account_schema = JV_SCHEMA(account_fields);

static const struct jv_field broker_fields[] = {
    {"name", JV_STRING, JV_REQUIRED, 1, 100, NULL, NULL},
    {"contact_name", JV_STRING, 0, 0, 50, NULL, NULL},
};
static const struct jv_schema broker_schema = JV_SCHEMA(broker_fields);

static const struct jv_field key_fields[] = {
    {"scopes", JV_ENUM_ARRAY, JV_REQUIRED, 0, 3, key_scopes, NULL},
    {"rate_per_minute", JV_INT, 0, 1, 100000, NULL, NULL},
};
static const struct jv_schema key_schema = JV_SCHEMA(key_fields);

static const struct api_filter account_filters[] = {
    {"role", API_FILTER_ENUM, account_roles},
    {"archived", API_FILTER_BOOL, NULL},
    {"q", API_FILTER_TEXT, NULL},
};
static const char *const account_sorts[] = {"id", "username", NULL};

static const struct pgpool_stmt account_get = {"account_get",
                                               "SELECT * FROM api_account_get($1::bigint)"};
static const struct pgpool_stmt account_list = {
    "account_list", "SELECT * FROM api_account_list($1::jsonb, $2::jsonb, $3::integer, $4)"};
static const struct pgpool_stmt account_create = {
    "account_create", "SELECT * FROM api_account_create($1::jsonb, $2, $3)"};
static const struct pgpool_stmt account_password = {
    "account_password", "SELECT * FROM api_account_password($1::bigint, $2, $3)"};
static const struct pgpool_stmt account_lock = {
    "account_lock", "SELECT * FROM api_account_lock($1::bigint, $2::boolean, $3)"};
static const struct pgpool_stmt account_sign_ins = {
    "account_sign_ins", "SELECT * FROM api_account_sign_ins($1::bigint, $2::integer, $3::bigint)"};
static const struct pgpool_stmt pin_reset = {
    "account_pin_reset",
    "WITH w AS (SELECT id FROM worker WHERE id = $1::bigint AND NOT archived) "
    "INSERT INTO worker_pin (worker_id, pin_hash, set_by) SELECT id, $2, $3 FROM w "
    "ON CONFLICT (worker_id) DO UPDATE SET pin_hash = EXCLUDED.pin_hash, failures = 0, "
    "locked = false, set_at = now(), set_by = EXCLUDED.set_by RETURNING 200, NULL::integer, "
    "jsonb_build_object('worker_id', worker_id, 'set_at', set_at)"};
static const struct pgpool_stmt broker_create = {"broker_create",
                                                 "SELECT * FROM api_broker_create($1::jsonb, $2)"};
static const struct pgpool_stmt key_create = {
    "broker_key_create",
    "SELECT * FROM api_broker_key_create($1::bigint, $2::jsonb, $3::bytea, $4, $5)"};
static const struct pgpool_stmt key_list = {"broker_key_list",
                                            "SELECT * FROM api_broker_key_list($1::bigint)"};
static const struct pgpool_stmt key_revoke = {
    "broker_key_revoke", "SELECT * FROM api_broker_key_revoke($1::bigint, $2::bigint, $3)"};
static const struct pgpool_stmt places_nearest = {
    "places_nearest",
    "SELECT * FROM api_places_nearest($1::double precision, $2::double precision, $3::integer)"};

static const struct api_resource account_resource = {
    "/v1/accounts",
    NULL,
    NULL,
    NULL,
    &account_get,
    NULL,
    &account_list,
    account_filters,
    sizeof account_filters / sizeof account_filters[0],
    account_sorts,
    NULL,
};

/* ---------- an answer that carries a secret made here, once ---------- */

struct accounts_secret {
    struct httpd_req *r;
    const char *member;   /* "password", "pin" or "key" */
    const char *location; /* Location prefix of a 201, or NULL */
    char secret[ACCOUNTS_SECRET_MAX];
    char hash[crypto_pwhash_STRBYTES];
    char id[24];
    char *payload;                   /* the validated body as JSON text, or NULL */
    const struct pgpool_stmt *reset; /* a reset's statement: (id, hash, actor) */
    int rc;
};

static void accounts_secret_free(struct accounts_secret *s)
{
    if (!s)
        return;
    free(s->payload);
    sodium_memzero(s, sizeof *s);
    free(s);
}

static struct accounts_secret *accounts_secret_new(struct httpd_req *r, const char *member)
{
    struct accounts_secret *s = calloc(1, sizeof *s);
    if (s) {
        s->r = r;
        s->member = member;
    }
    return s;
}

/* The SQL function's (status, version, body) with the secret added to the
 * body; never cached.  Ends the request and frees s. */
static void accounts_secret_cb(void *arg, const struct pgpool_reply *rep)
{
    struct accounts_secret *s = arg;
    struct httpd_req *r = s->r;
    if (rep->status != PGPOOL_OK) {
        accounts_secret_free(s);
        dbreply_error(r, rep);
        return;
    }
    json_t *body = NULL;
    if (PQntuples(rep->res) > 0 && !PQgetisnull(rep->res, 0, 2))
        body = json_loads(PQgetvalue(rep->res, 0, 2), 0, NULL);
    if (!json_is_object(body)) {
        json_decref(body);
        accounts_secret_free(s);
        httpd_reply_problem(r, "not_found", NULL);
        return;
    }
    int status = atoi(PQgetvalue(rep->res, 0, 0));
    json_t *id = json_object_get(body, "id");
    if (s->location && status == 201 && json_is_integer(id)) {
        char loc[160];
        snprintf(loc, sizeof loc, "%s/%lld", s->location, (long long)json_integer_value(id));
        httpd_set_header(r, "Location", loc);
    }
    json_object_set_new(body, s->member, json_string(s->secret));
    accounts_secret_free(s);
    httpd_set_header(r, "Cache-Control", "no-store");
    httpd_reply_json(r, status, body);
}

static void accounts_hash_work(void *arg)
{
    struct accounts_secret *s = arg;
    s->rc = auth_hash_password(s->secret, s->hash);
}

/* Queues the Argon2id hash of s->secret; done runs on the event loop.
 * Answers 503 and frees s when the queue is full. */
static void accounts_hash_then(struct accounts_secret *s, bgjob_done_fn done)
{
    struct httpd_req *r = s->r;
    if (!bgjob_submit(httpd_req_bgjobs(r), httpd_req_base(r), accounts_hash_work, done, s)) {
        accounts_secret_free(s);
        httpd_reply_problem(r, "overloaded", NULL);
    }
}

void h_accounts_make_password(char out[H_ACCOUNTS_PASSWORD_LEN + 1])
{
    static const char alphabet[] = ACCOUNTS_PW_ALPHABET;
    for (int i = 0; i < ACCOUNTS_PW_LEN; i++)
        out[i] = (i % 5 == 4) ? '-' : alphabet[randombytes_uniform(sizeof alphabet - 1)];
    out[ACCOUNTS_PW_LEN] = '\0';
}

void h_accounts_make_pin(char out[7])
{
    for (;;) {
        for (int i = 0; i < 6; i++)
            out[i] = (char)('0' + randombytes_uniform(10));
        out[6] = '\0';
        bool same = true, up = true, down = true;
        for (int i = 1; i < 6; i++) {
            same = same && out[i] == out[0];
            up = up && out[i] == out[i - 1] + 1;
            down = down && out[i] == out[i - 1] - 1;
        }
        if (!same && !up && !down)
            return;
    }
}

static bool accounts_hash_failed(struct accounts_secret *s)
{
    if (s->rc == 0)
        return false;
    struct httpd_req *r = s->r;
    accounts_secret_free(s);
    httpd_reply_problem(r, "overloaded", NULL);
    return true;
}

/* ---------- staff accounts ---------- */

void h_accounts_list(struct httpd_req *r)
{
    api_list(r, &account_resource);
}

void h_accounts_get(struct httpd_req *r)
{
    api_get(r, &account_resource);
}

static void accounts_create_hashed(void *arg)
{
    struct accounts_secret *s = arg;
    if (accounts_hash_failed(s))
        return;
    struct httpd_req *r = s->r;
    const char *v[3] = {s->payload, s->hash, api_actor(r)};
    pgpool_query_scoped(httpd_req_pool(r), api_scope(r), &account_create, 3, v, accounts_secret_cb,
                        s);
}

void h_accounts_create(struct httpd_req *r)
{
    json_t *obj = api_body(r, &account_schema, false);
    if (!obj)
        return;
    struct accounts_secret *s = accounts_secret_new(r, "password");
    if (s)
        s->payload = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (!s || !s->payload) {
        accounts_secret_free(s);
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    s->location = "/v1/accounts";
    h_accounts_make_password(s->secret);
    accounts_hash_then(s, accounts_create_hashed);
}

static void accounts_reset_hashed(void *arg)
{
    struct accounts_secret *s = arg;
    if (accounts_hash_failed(s))
        return;
    struct httpd_req *r = s->r;
    const char *v[3] = {s->id, s->hash, api_actor(r)};
    pgpool_query_scoped(httpd_req_pool(r), api_scope(r), s->reset, 3, v, accounts_secret_cb, s);
}

/* A new password or PIN for record {id}, made by make and stored hashed by
 * stmt; the answer carries it once as member. */
static void accounts_reset(struct httpd_req *r, const char *member, const struct pgpool_stmt *stmt,
                           void (*make)(char *out))
{
    char id[24];
    if (!api_param_id(r, 0, id) || !api_body_empty(r))
        return;
    struct accounts_secret *s = accounts_secret_new(r, member);
    if (!s) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    memcpy(s->id, id, sizeof s->id);
    s->reset = stmt;
    make(s->secret);
    accounts_hash_then(s, accounts_reset_hashed);
}

void h_account_password_reset(struct httpd_req *r)
{
    accounts_reset(r, "password", &account_password, h_accounts_make_password);
}

static void accounts_lock(struct httpd_req *r, bool lock)
{
    char id[24];
    if (!api_param_id(r, 0, id) || !api_body_empty(r))
        return;
    const char *v[3] = {id, lock ? "true" : "false", api_actor(r)};
    api_call(r, &account_lock, 3, v, NULL);
}

void h_account_lock(struct httpd_req *r)
{
    accounts_lock(r, true);
}

void h_account_unlock(struct httpd_req *r)
{
    accounts_lock(r, false);
}

void h_account_sign_ins(struct httpd_req *r)
{
    char id[24], limit[24], filters[48];
    if (!api_param_id(r, 0, id) || !api_query_id(r, "limit", 200, limit))
        return;
    snprintf(filters, sizeof filters, "{\"id\":%s}", id);
    const char *cs = httpd_req_query(r, "cursor");
    char *cursor = cs ? api_cursor_open(r, "id", filters, cs) : NULL;
    if (cs && !cursor)
        return;
    if (cursor && !api_cursor_is_id(cursor)) {
        free(cursor);
        api_reply_field_error(r, "invalid_query", "cursor", "invalid_format");
        return;
    }
    const char *v[3] = {id, limit[0] ? limit : NULL, cursor};
    api_call_list(r, &account_sign_ins, 3, v, "id", filters);
    free(cursor);
}

/* ---------- a job seeker's kiosk PIN, made here ---------- */

void h_worker_pin_reset(struct httpd_req *r)
{
    accounts_reset(r, "pin", &pin_reset, h_accounts_make_pin);
}

/* ---------- brokers and their keys ---------- */

void h_brokers_create(struct httpd_req *r)
{
    json_t *obj = api_body(r, &broker_schema, false);
    if (!obj)
        return;
    char *payload = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (!payload) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    const char *v[2] = {payload, api_actor(r)};
    api_call(r, &broker_create, 2, v, "/v1/brokers");
    free(payload);
}

void h_broker_keys_create(struct httpd_req *r)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    json_t *obj = api_body(r, &key_schema, false);
    if (!obj)
        return;
    if (json_array_size(json_object_get(obj, "scopes")) == 0) {
        json_decref(obj);
        api_reply_field_error(r, "validation_failed", "scopes", "too_short");
        return;
    }
    struct accounts_secret *s = accounts_secret_new(r, "key");
    if (s)
        s->payload = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (!s || !s->payload) {
        accounts_secret_free(s);
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    /* as the command line makes them (server/admin.c): "lyb_" and 43
     * base64url characters; the BLAKE2b hash identifies it at sign-in */
    unsigned char b[32], h[32];
    randombytes_buf(b, sizeof b);
    memcpy(s->secret, "lyb_", 5);
    sodium_bin2base64(s->secret + 4, sizeof s->secret - 4, b, sizeof b,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    crypto_generichash(h, sizeof h, (const unsigned char *)s->secret, strlen(s->secret), NULL, 0);
    char hash[67], prefix[11];
    hash[0] = '\\';
    hash[1] = 'x';
    sodium_bin2hex(hash + 2, 65, h, sizeof h);
    snprintf(prefix, sizeof prefix, "%.10s", s->secret);
    sodium_memzero(b, sizeof b);
    s->location = NULL;
    const char *v[5] = {id, s->payload, hash, prefix, api_actor(r)};
    pgpool_query_scoped(httpd_req_pool(r), api_scope(r), &key_create, 5, v, accounts_secret_cb, s);
}

void h_broker_keys_list(struct httpd_req *r)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    const char *v[1] = {id};
    api_call(r, &key_list, 1, v, NULL);
}

void h_broker_key_revoke(struct httpd_req *r)
{
    char id[24], key[24];
    if (!api_param_id(r, 0, id) || !api_param_id(r, 1, key) || !api_body_empty(r))
        return;
    const char *v[3] = {id, key, api_actor(r)};
    api_call(r, &key_revoke, 3, v, NULL);
}

/* ---------- places near a point ---------- */

/* The query parameter name as a number within lo..hi into out ("%.6f");
 * answers 400 naming it and returns false otherwise. */
static bool accounts_query_coord(struct httpd_req *r, const char *name, double lo, double hi,
                                 char out[32])
{
    const char *v = httpd_req_query(r, name);
    if (!v) {
        api_reply_field_error(r, "invalid_query", name, "required");
        return false;
    }
    char *end = NULL;
    double d = strlen(v) <= 20 ? strtod(v, &end) : NAN;
    if (!end || end == v || *end || !isfinite(d)) {
        api_reply_field_error(r, "invalid_query", name, "invalid_format");
        return false;
    }
    if (d < lo || d > hi) {
        api_reply_field_error(r, "invalid_query", name, "out_of_range");
        return false;
    }
    snprintf(out, 32, "%.6f", d);
    return true;
}

void h_places_nearest(struct httpd_req *r)
{
    char lat[32], lon[32], limit[24];
    /* the bounds of the vacancy form: mainland China */
    if (!accounts_query_coord(r, "lat", 3, 54, lat) ||
        !accounts_query_coord(r, "lon", 73, 136, lon) || !api_query_id(r, "limit", 20, limit))
        return;
    const char *v[3] = {lat, lon, limit[0] ? limit : NULL};
    api_call(r, &places_nearest, 3, v, NULL);
}
