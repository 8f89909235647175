#define _POSIX_C_SOURCE 200809L
#include "auth.h"

#include "api.h"
#include "bgjob.h"
#include "dbreply.h"
#include "log.h"
#include "pgpool.h"
#include "policy.h"
#include "ratelimit.h"
#include "validate.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define AUTH_TOKEN_BYTES 32
#define AUTH_HASH_HEX (2 + 64 + 1)
/* usernames are 3-40 ASCII characters (migrations/012); the login schema
 * takes up to 40 characters of any kind, each at most four bytes of UTF-8 */
#define AUTH_USERNAME_CHARS 40

static char auth_dummy_hash[crypto_pwhash_STRBYTES];
static int auth_session_ttl_s = 8 * 3600;

int auth_hash_password(const char *password, char *out)
{
    return crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                             crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

int auth_init(int session_ttl_s)
{
    char random[33];
    unsigned char b[16];
    randombytes_buf(b, sizeof b);
    sodium_bin2hex(random, sizeof random, b, sizeof b);
    auth_session_ttl_s = session_ttl_s;
    return auth_hash_password(random, auth_dummy_hash);
}

long auth_check_routes(const struct router_route *routes, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!policy_find(routes[i].policy))
            return (long)i;
    return -1;
}

/* BLAKE2b-256 of a token, as bytea hex text. */
static void auth_token_hash(const char *token, char out[AUTH_HASH_HEX])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    out[0] = '\\';
    out[1] = 'x';
    sodium_bin2hex(out + 2, AUTH_HASH_HEX - 2, h, sizeof h);
}

/* A new token "<prefix><43 base64url characters>". */
static void auth_token_new(const char *prefix, char *out, size_t cap)
{
    unsigned char b[AUTH_TOKEN_BYTES];
    randombytes_buf(b, sizeof b);
    size_t pl = strlen(prefix);
    memcpy(out, prefix, pl + 1);
    sodium_bin2base64(out + pl, cap - pl, b, sizeof b, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static bool auth_allowed(const struct policy *p, const struct principal *who)
{
    if (!strcmp(p->name, "pii:reveal") && who->kind == PRINCIPAL_STAFF && who->pii_reveal &&
        who->role != ROLE_VIEWER)
        return true;
    if (!(p->roles & who->role))
        return false;
    return who->role != ROLE_BROKER || !p->broker_scope || (who->scopes & p->broker_scope);
}

static void auth_unauthorized(struct httpd_req *r)
{
    httpd_set_header(r, "WWW-Authenticate", "Bearer realm=\"leye\"");
    httpd_reply_problem_bare(r, "unauthorized");
}

struct auth_lookup {
    struct httpd_req *r;
    const struct router_route *route;
};

/* A broker's key also takes one request from its window (columns 9 and 10:
 * the requests used in the current window and the seconds until it ends). */
static const struct pgpool_stmt auth_lookup_stmt = {
    "auth_lookup", "SELECT l.*, t.used, t.reset_s FROM auth_lookup($1, $2::bytea) l "
                   "LEFT JOIN LATERAL broker_rate_take(l.id, l.rate) t ON l.role = 'broker'"};

/* Parses a PostgreSQL integer array "{1,2,3}" into out; returns the count. */
static int auth_parse_array(const char *s, int64_t *out, int max)
{
    int n = 0;
    while (s && *s && n < max) {
        while (*s == '{' || *s == ',' || *s == '}')
            s++;
        if (!*s)
            break;
        char *end;
        out[n++] = strtoll(s, &end, 10);
        if (end == s)
            break;
        s = end;
    }
    return n;
}

/* Writes the row-level security scope of p into p->scope. */
static void auth_scope_text(struct principal *p)
{
    size_t n = 0, cap = sizeof p->scope;
    switch (p->role) {
    case ROLE_ADMIN:
        snprintf(p->scope, cap, "*");
        return;
    case ROLE_COUNTY:
        n = (size_t)snprintf(p->scope, cap, "c:");
        for (int i = 0; i < p->ncounties && n < cap; i++)
            n += (size_t)snprintf(p->scope + n, cap - n, "%s%d", i ? "," : "", p->counties[i]);
        return;
    case ROLE_SITE:
        n = (size_t)snprintf(p->scope, cap, "s:");
        for (int i = 0; i < p->nsites && n < cap; i++)
            n += (size_t)snprintf(p->scope + n, cap - n, "%s%lld", i ? "," : "",
                                  (long long)p->sites[i]);
        return;
    case ROLE_KIOSK:
        snprintf(p->scope, cap, "k:%lld", (long long)p->id);
        return;
    case ROLE_BROKER:
        snprintf(p->scope, cap, "b:%lld", (long long)p->broker_id);
        return;
    default:
        snprintf(p->scope, cap, "none");
    }
}

/* Appends the actor the audit trigger records to the scope (see pgpool.h).
 * Returns false when it cannot be built (out of memory): a write without its
 * actor must not run. */
static bool auth_actor_context(struct httpd_req *r, struct principal *p)
{
    static const char *const kinds[] = {"system", "staff", "kiosk", "broker"};
    json_t *a =
        json_pack("{s:s, s:I, s:s, s:s, s:s}", "kind", kinds[p->kind], "id", (json_int_t)p->id,
                  "name", p->name, "peer", httpd_req_peer(r), "request_id", httpd_req_id(r));
    char *text = a ? json_dumps(a, JSON_COMPACT) : NULL;
    json_decref(a);
    size_t n = strlen(p->scope);
    bool ok = text && n + 1 + strlen(text) < sizeof p->scope;
    if (ok) {
        p->scope[n] = '\x1f';
        memcpy(p->scope + n + 1, text, strlen(text) + 1);
    }
    free(text);
    return ok;
}

static void auth_fill_staff(struct principal *p, PGresult *res)
{
    static const struct {
        const char *name;
        unsigned role;
    } roles[] = {{"admin", ROLE_ADMIN},
                 {"county_staff", ROLE_COUNTY},
                 {"site_staff", ROLE_SITE},
                 {"viewer", ROLE_VIEWER}};
    memset(p, 0, sizeof *p);
    p->kind = PRINCIPAL_STAFF;
    p->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    validate_copy_text(p->name, sizeof p->name, PQgetvalue(res, 0, 1));
    for (size_t i = 0; i < 4; i++)
        if (!strcmp(PQgetvalue(res, 0, 2), roles[i].name))
            p->role = roles[i].role;
    int64_t tmp[PRINCIPAL_MAX_SCOPE];
    p->ncounties = auth_parse_array(PQgetvalue(res, 0, 3), tmp, PRINCIPAL_MAX_SCOPE);
    for (int i = 0; i < p->ncounties; i++)
        p->counties[i] = (int)tmp[i];
    p->nsites = auth_parse_array(PQgetvalue(res, 0, 4), p->sites, PRINCIPAL_MAX_SCOPE);
    p->pii_reveal = strstr(PQgetvalue(res, 0, 5), "pii:reveal") != NULL || p->role == ROLE_ADMIN;
    p->rules_override =
        p->role != ROLE_VIEWER && ((policy_or_deny("rules:override")->roles & p->role) ||
                                   strstr(PQgetvalue(res, 0, 5), "rules:override") != NULL);
    auth_scope_text(p);
}

static void auth_fill_other(struct principal *p, PGresult *res)
{
    memset(p, 0, sizeof *p);
    p->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    validate_copy_text(p->name, sizeof p->name, PQgetvalue(res, 0, 1));
    if (!strcmp(PQgetvalue(res, 0, 2), "kiosk")) {
        p->kind = PRINCIPAL_KIOSK;
        p->role = ROLE_KIOSK;
        snprintf(p->name, sizeof p->name, "kiosk:%lld", (long long)p->id);
    } else {
        p->kind = PRINCIPAL_BROKER;
        p->role = ROLE_BROKER;
        p->broker_id = strtoll(PQgetvalue(res, 0, 6), NULL, 10);
        const char *sc = PQgetvalue(res, 0, 7);
        p->scopes = (strstr(sc, "vacancies:read") ? SCOPE_VACANCIES_READ : 0) |
                    (strstr(sc, "matches:read") ? SCOPE_MATCHES_READ : 0) |
                    (strstr(sc, "applications:write") ? SCOPE_APPLICATIONS_WRITE : 0);
        validate_copy_text(p->name, sizeof p->name, PQgetvalue(res, 0, 1));
    }
    auth_scope_text(p);
}

static void auth_lookup_cb(void *arg, const struct pgpool_reply *rep)
{
    struct auth_lookup *l = arg;
    struct httpd_req *r = l->r;
    const struct router_route *route = l->route;
    free(l);
    if (rep->status != PGPOOL_OK) {
        dbreply_error(r, rep);
        return;
    }
    if (PQntuples(rep->res) != 1) {
        auth_unauthorized(r);
        return;
    }
    struct principal *who = httpd_req_principal(r);
    if (!strcmp(PQgetvalue(rep->res, 0, 2), "kiosk") ||
        !strcmp(PQgetvalue(rep->res, 0, 2), "broker"))
        auth_fill_other(who, rep->res);
    else
        auth_fill_staff(who, rep->res);
    const struct policy *p = policy_or_deny(route->policy);
    if (who->role == ROLE_BROKER) {
        if (!ratelimit_apply(r, atoi(PQgetvalue(rep->res, 0, 8)), atoi(PQgetvalue(rep->res, 0, 9)),
                             atoi(PQgetvalue(rep->res, 0, 10))))
            return;
    }
    if (!auth_allowed(p, who)) {
        httpd_reply_problem(r, "forbidden", NULL);
        return;
    }
    if (p->write && !auth_actor_context(r, who)) {
        log_error("no audit actor for %s %s", httpd_req_method(r), route->pattern);
        httpd_reply_problem(r, "internal_error", NULL);
        return;
    }
    route->handler(r);
}

/* The bearer token of the request, or NULL. */
static const char *auth_bearer(struct httpd_req *r)
{
    const char *h = httpd_req_header(r, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    size_t n = strlen(h);
    return n >= 20 && n <= 100 ? h : NULL;
}

void auth_dispatch(struct httpd_req *r, const struct router_route *route)
{
    const struct policy *p = policy_or_deny(route->policy);
    struct principal *who = httpd_req_principal(r);
    memset(who, 0, sizeof *who);
    who->role = ROLE_ANON;
    snprintf(who->scope, sizeof who->scope, "none");
    /* routes open to everyone need no database round trip, even with a token */
    if (p->roles & ROLE_ANON) {
        route->handler(r);
        return;
    }
    const char *token = auth_bearer(r);
    if (!token) {
        auth_unauthorized(r);
        return;
    }
    const char *kind = !strncmp(token, "lys_", 4)   ? "s"
                       : !strncmp(token, "lyk_", 4) ? "k"
                       : !strncmp(token, "lyb_", 4) ? "b"
                                                    : NULL;
    if (!kind) {
        auth_unauthorized(r);
        return;
    }
    struct auth_lookup *l = malloc(sizeof *l);
    if (!l) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    l->r = r;
    l->route = route;
    char hash[AUTH_HASH_HEX];
    auth_token_hash(token, hash);
    const char *v[2] = {kind, hash};
    pgpool_query(httpd_req_pool(r), &auth_lookup_stmt, 2, v, auth_lookup_cb, l);
}

/* ---------- login ---------- */

struct auth_login {
    struct httpd_req *r;
    char username[AUTH_USERNAME_CHARS * 4 + 1];
    char *password;
    char account_id[24];
    char stored[crypto_pwhash_STRBYTES];
    bool ok;
    char token[80];
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
                             "expires_in", auth_session_ttl_s);
    auth_login_free(l);
    httpd_reply_json(r, 200, body);
}

static void auth_verify_work(void *arg)
{
    struct auth_login *l = arg;
    const char *stored = l->account_id[0] ? l->stored : auth_dummy_hash;
    l->ok =
        crypto_pwhash_str_verify(stored, l->password, strlen(l->password)) == 0 && l->account_id[0];
}

static void auth_verify_done(void *arg)
{
    struct auth_login *l = arg;
    char hash[AUTH_HASH_HEX] = "";
    if (l->ok) {
        auth_token_new("lys_", l->token, sizeof l->token);
        auth_token_hash(l->token, hash);
    }
    char ttl[16];
    snprintf(ttl, sizeof ttl, "%d", auth_session_ttl_s);
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
    json_t *body = httpd_req_json_body(r);
    if (!body)
        return;
    json_t *problem = problem_new("validation_failed", httpd_req_lang(r), NULL);
    json_t *obj =
        jv_check(body, &auth_login_schema, false, api_today(), "", problem, httpd_req_lang(r));
    json_decref(body);
    if (!obj) {
        httpd_reply_problem_json(r, problem);
        return;
    }
    json_decref(problem);
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
    char hash[AUTH_HASH_HEX];
    auth_token_hash(auth_bearer(r), hash);
    const char *v[1] = {hash};
    pgpool_query(httpd_req_pool(r), &auth_logout_stmt, 1, v, auth_logout_cb, r);
}

void h_auth_me(struct httpd_req *r)
{
    const struct principal *p = httpd_req_principal(r);
    static const char *const names[] = {"admin",  "county_staff", "site_staff",
                                        "viewer", "kiosk",        "broker"};
    const char *role = "anonymous";
    for (unsigned i = 0; i < 6; i++)
        if (p->role == (1u << i))
            role = names[i];
    json_t *counties = json_array(), *sites = json_array();
    for (int i = 0; i < p->ncounties; i++)
        json_array_append_new(counties, json_integer(p->counties[i]));
    for (int i = 0; i < p->nsites; i++)
        json_array_append_new(sites, json_integer(p->sites[i]));
    httpd_reply_json(r, 200,
                     json_pack("{s:I, s:s, s:s, s:o, s:o, s:b, s:b}", "id", (json_int_t)p->id,
                               "username", p->name, "role", role, "county_codes", counties,
                               "site_ids", sites, "pii_reveal", p->pii_reveal, "rules_override",
                               p->rules_override));
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
    c->ok = crypto_pwhash_str_verify(c->stored, c->current, strlen(c->current)) == 0 &&
            auth_hash_password(c->next, c->fresh) == 0;
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
            auth_unauthorized(r);
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
    json_t *body = httpd_req_json_body(r);
    if (!body)
        return;
    json_t *problem = problem_new("validation_failed", httpd_req_lang(r), NULL);
    json_t *obj =
        jv_check(body, &auth_pw_schema, false, api_today(), "", problem, httpd_req_lang(r));
    json_decref(body);
    if (!obj) {
        httpd_reply_problem_json(r, problem);
        return;
    }
    json_decref(problem);
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
