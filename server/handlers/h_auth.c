/*
 * The /v1/auth/ routes: staff login (the password checked on a background
 * thread, a session token handed out), logout, who am I, password change.
 * Who is calling is resolved before these run, by the gate (auth.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "h_auth.h"

#include "api.h"
#include "auth.h"
#include "bgjob.h"
#include "dbreply.h"
#include "pgpool.h"
#include "principal.h"
#include "token.h"
#include "validate.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* usernames are 3-40 ASCII characters (migrations/012); the login schema
 * takes up to 40 characters of any kind, each at most four bytes of UTF-8 */
#define AUTH_USERNAME_CHARS 40

struct auth_login {
    struct httpd_req *r;
    char username[AUTH_USERNAME_CHARS * 4 + 1];
    char *password;
    char account_id[24];
    char stored[crypto_pwhash_STRBYTES];
    bool ok;
    char token[TOKEN_MAX];
};

static const struct pgpool_stmt auth_begin_stmt = {"auth_login_begin",
                                                   "SELECT * FROM auth_login_begin($1, $2)"};
static const struct pgpool_stmt auth_finish_stmt = {
    "auth_login_finish",
    "SELECT auth_login_finish($1, $2, $3::bigint, $4::boolean, $5::bytea, $6::integer, $7)"};

static void auth_login_free(struct auth_login *l)
{
    if (l->password) {
        sodium_memzero(l->password, strlen(l->password));
        free(l->password);
    }
    sodium_memzero(l->token, sizeof l->token);
    free(l);
}

static void auth_login_finished(void *arg, const struct pgpool_reply *rep)
{
    struct auth_login *l = arg;
    struct httpd_req *r = l->r;
    if (rep->status != PGPOOL_OK) {
        auth_login_free(l);
        dbreply_error(r, rep);
        return;
    }
    if (!l->ok) {
        auth_login_free(l);
        httpd_reply_problem_bare(r, "invalid_credentials");
        return;
    }
    json_t *body = json_pack("{s:s, s:s, s:i}", "token", l->token, "token_type", "Bearer",
                             "expires_in", auth_session_ttl_s());
    auth_login_free(l);
    httpd_reply_json(r, 200, body);
}

static void auth_verify_work(void *arg)
{
    struct auth_login *l = arg;
    l->ok = auth_password_verify(l->account_id[0] ? l->stored : NULL, l->password);
}

static void auth_verify_done(void *arg)
{
    struct auth_login *l = arg;
    char hash[TOKEN_HASH_HEX] = "";
    if (l->ok) {
        token_new("lys_", l->token, sizeof l->token);
        token_hash(l->token, hash);
    }
    char ttl[16];
    snprintf(ttl, sizeof ttl, "%d", auth_session_ttl_s());
    const char *v[7] = {l->username,
                        httpd_req_peer(l->r),
                        l->account_id[0] ? l->account_id : NULL,
                        l->ok ? "true" : "false",
                        l->ok ? hash : NULL,
                        ttl,
                        httpd_req_id(l->r)};
    pgpool_query(httpd_req_pool(l->r), &auth_finish_stmt, 7, v, auth_login_finished, l);
}

static void auth_login_begun(void *arg, const struct pgpool_reply *rep)
{
    struct auth_login *l = arg;
    struct httpd_req *r = l->r;
    if (rep->status != PGPOOL_OK) {
        auth_login_free(l);
        dbreply_error(r, rep);
        return;
    }
    int wait = atoi(PQgetvalue(rep->res, 0, 2));
    if (wait > 0) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", wait);
        httpd_set_header(r, "Retry-After", ra);
        auth_login_free(l);
        httpd_reply_problem(r, "too_many_requests", NULL);
        return;
    }
    if (!PQgetisnull(rep->res, 0, 0)) {
        snprintf(l->account_id, sizeof l->account_id, "%s", PQgetvalue(rep->res, 0, 0));
        snprintf(l->stored, sizeof l->stored, "%s", PQgetvalue(rep->res, 0, 1));
    }
    if (!bgjob_submit(httpd_req_bgjobs(r), httpd_req_base(r), auth_verify_work, auth_verify_done,
                      l)) {
        auth_login_free(l);
        httpd_reply_problem(r, "overloaded", NULL);
    }
}

static const struct jv_field auth_login_fields[] = {
    {"username", JV_STRING, JV_REQUIRED, 1, AUTH_USERNAME_CHARS, NULL, NULL},
    {"password", JV_STRING, JV_REQUIRED, 1, 200, NULL, NULL},
};
static const struct jv_schema auth_login_schema = JV_SCHEMA(auth_login_fields);

void h_auth_login(struct httpd_req *r)
{
    json_t *obj = api_body(r, &auth_login_schema, false);
    if (!obj)
        return;
    struct auth_login *l = calloc(1, sizeof *l);
    if (l) {
        l->r = r;
        validate_copy_text(l->username, sizeof l->username,
                           json_string_value(json_object_get(obj, "username")));
        l->password = strdup(json_string_value(json_object_get(obj, "password")));
    }
    json_decref(obj);
    if (!l || !l->password) {
        if (l)
            auth_login_free(l);
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    const char *v[2] = {l->username, httpd_req_peer(r)};
    pgpool_query(httpd_req_pool(r), &auth_begin_stmt, 2, v, auth_login_begun, l);
}

static const struct pgpool_stmt auth_logout_stmt = {
    "auth_logout",
    "WITH s AS (UPDATE staff_session SET revoked_at = now() WHERE token_hash = $1::bytea "
    "AND revoked_at IS NULL RETURNING 1) "
    "UPDATE kiosk_session SET ended_at = now() WHERE token_hash = $1::bytea AND ended_at IS NULL"};

static void auth_logout_cb(void *arg, const struct pgpool_reply *rep)
{
    struct httpd_req *r = arg;
    if (rep->status != PGPOOL_OK) {
        dbreply_error(r, rep);
        return;
    }
    httpd_reply_raw(r, 204, NULL, NULL, 0);
}

void h_auth_logout(struct httpd_req *r)
{
    char hash[TOKEN_HASH_HEX];
    token_hash(auth_bearer(r), hash);
    const char *v[1] = {hash};
    pgpool_query(httpd_req_pool(r), &auth_logout_stmt, 1, v, auth_logout_cb, r);
}

void h_auth_me(struct httpd_req *r)
{
    const struct principal *p = httpd_req_principal(r);
    const char *role = principal_role_name(p->role);
    if (!role)
        role = "anonymous";
    json_t *counties = json_array(), *sites = json_array();
    for (int i = 0; i < p->ncounties; i++)
        json_array_append_new(counties, json_integer(p->counties[i]));
    for (int i = 0; i < p->nsites; i++)
        json_array_append_new(sites, json_integer(p->sites[i]));
    httpd_reply_json(r, 200,
                     json_pack("{s:I, s:s, s:s, s:o, s:o, s:b, s:b, s:b}", "id", (json_int_t)p->id,
                               "username", p->name, "role", role, "county_codes", counties,
                               "site_ids", sites, "pii_reveal", p->pii_reveal, "rules_override",
                               p->rules_override, "fairness_ethnicity", p->ethnicity));
}

/* ---------- password change ---------- */

struct auth_pw {
    struct httpd_req *r;
    char *current, *next;
    char stored[crypto_pwhash_STRBYTES];
    char fresh[crypto_pwhash_STRBYTES];
    char account[24];
    bool ok;
};

static void auth_pw_free(struct auth_pw *c)
{
    if (c->current) {
        sodium_memzero(c->current, strlen(c->current));
        free(c->current);
    }
    if (c->next) {
        sodium_memzero(c->next, strlen(c->next));
        free(c->next);
    }
    free(c);
}

static const struct pgpool_stmt auth_pw_get_stmt = {
    "auth_pw_get", "SELECT password_hash FROM staff_account WHERE id = $1::bigint"};
static const struct pgpool_stmt auth_pw_set_stmt = {
    "auth_pw_set",
    "WITH u AS (UPDATE staff_account SET password_hash = $2, password_changed_at = now() "
    "WHERE id = $1::bigint RETURNING id) "
    "UPDATE staff_session SET revoked_at = now() WHERE account_id IN (SELECT id FROM u) "
    "AND revoked_at IS NULL"};

static void auth_pw_set_cb(void *arg, const struct pgpool_reply *rep)
{
    struct httpd_req *r = arg;
    if (rep->status != PGPOOL_OK) {
        dbreply_error(r, rep);
        return;
    }
    httpd_reply_raw(r, 204, NULL, NULL, 0);
}

static void auth_pw_work(void *arg)
{
    struct auth_pw *c = arg;
    c->ok =
        auth_password_verify(c->stored, c->current) && auth_hash_password(c->next, c->fresh) == 0;
}

static void auth_pw_done(void *arg)
{
    struct auth_pw *c = arg;
    struct httpd_req *r = c->r;
    if (!c->ok) {
        auth_pw_free(c);
        api_reply_field_error(r, "validation_failed", "current_password", "not_allowed");
        return;
    }
    const char *v[2] = {c->account, c->fresh};
    pgpool_query_scoped(httpd_req_pool(r), api_scope(r), &auth_pw_set_stmt, 2, v, auth_pw_set_cb,
                        r);
    auth_pw_free(c);
}

static void auth_pw_got(void *arg, const struct pgpool_reply *rep)
{
    struct auth_pw *c = arg;
    struct httpd_req *r = c->r;
    if (rep->status != PGPOOL_OK || PQntuples(rep->res) != 1) {
        auth_pw_free(c);
        if (rep->status != PGPOOL_OK)
            dbreply_error(r, rep);
        else
            auth_reply_unauthorized(r);
        return;
    }
    snprintf(c->stored, sizeof c->stored, "%s", PQgetvalue(rep->res, 0, 0));
    if (!bgjob_submit(httpd_req_bgjobs(r), httpd_req_base(r), auth_pw_work, auth_pw_done, c)) {
        auth_pw_free(c);
        httpd_reply_problem(r, "overloaded", NULL);
    }
}

static const struct jv_field auth_pw_fields[] = {
    {"current_password", JV_STRING, JV_REQUIRED, 1, 200, NULL, NULL},
    {"new_password", JV_STRING, JV_REQUIRED, 10, 200, NULL, NULL},
};
static const struct jv_schema auth_pw_schema = JV_SCHEMA(auth_pw_fields);

void h_auth_password(struct httpd_req *r)
{
    json_t *obj = api_body(r, &auth_pw_schema, false);
    if (!obj)
        return;
    struct auth_pw *c = calloc(1, sizeof *c);
    if (c) {
        c->r = r;
        c->current = strdup(json_string_value(json_object_get(obj, "current_password")));
        c->next = strdup(json_string_value(json_object_get(obj, "new_password")));
        snprintf(c->account, sizeof c->account, "%lld", (long long)httpd_req_principal(r)->id);
    }
    json_decref(obj);
    if (!c || !c->current || !c->next || httpd_req_principal(r)->kind != PRINCIPAL_STAFF) {
        if (c)
            auth_pw_free(c);
        httpd_reply_problem(r, c ? "forbidden" : "overloaded", NULL);
        return;
    }
    const char *v[1] = {c->account};
    pgpool_query(httpd_req_pool(r), &auth_pw_get_stmt, 1, v, auth_pw_got, c);
}
