#define _POSIX_C_SOURCE 200809L
#include "auth.h"

#include "authcache.h"
#include "contract.h"
#include "dbreply.h"
#include "log.h"
#include "pgpool.h"
#include "policy.h"
#include "ratelimit.h"
#include "token.h"
#include "validate.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char auth_dummy_hash[crypto_pwhash_STRBYTES];
static int auth_session_ttl = 8 * 3600;

int auth_hash_password(const char *password, char *out)
{
    return crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                             crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

int auth_session_ttl_s(void)
{
    return auth_session_ttl;
}

bool auth_password_verify(const char *stored, const char *password)
{
    bool ok = crypto_pwhash_str_verify(stored ? stored : auth_dummy_hash, password,
                                       strlen(password)) == 0;
    return ok && stored;
}

int auth_init(int session_ttl_s)
{
    char random[33];
    unsigned char b[16];
    randombytes_buf(b, sizeof b);
    sodium_bin2hex(random, sizeof random, b, sizeof b);
    auth_session_ttl = session_ttl_s;
    return auth_hash_password(random, auth_dummy_hash);
}

long auth_check_routes(const struct router_route *routes, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!policy_find(routes[i].policy))
            return (long)i;
    return -1;
}

static bool auth_allowed(const struct policy *p, const struct principal *who)
{
    if (!strcmp(p->name, "pii:reveal") && who->kind == PRINCIPAL_STAFF && who->pii_reveal &&
        who->role != ROLE_VIEWER)
        return true;
    if (!strncmp(p->name, "ethnicity:", 10) && who->kind == PRINCIPAL_STAFF && who->ethnicity)
        return true;
    if (!(p->roles & who->role))
        return false;
    return who->role != ROLE_BROKER || !p->broker_scope || (who->scopes & p->broker_scope);
}

void auth_reply_unauthorized(struct httpd_req *r)
{
    httpd_set_header(r, "WWW-Authenticate", "Bearer realm=\"leye\"");
    httpd_reply_problem_bare(r, "unauthorized");
}

struct auth_lookup {
    struct httpd_req *r;
    const struct router_route *route;
    struct authcache_ticket ticket;
    char hash[TOKEN_HASH_HEX];
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

bool auth_attach_actor(struct httpd_req *r)
{
    struct principal *p = httpd_req_principal(r);
    if (strchr(p->scope, '\x1f') || auth_actor_context(r, p))
        return true;
    log_error("no audit actor for %s", httpd_req_method(r));
    httpd_reply_problem(r, "internal_error", NULL);
    return false;
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
    p->ethnicity =
        p->role != ROLE_VIEWER &&
        (p->role == ROLE_ADMIN || strstr(PQgetvalue(res, 0, 5), "fairness:ethnicity") != NULL);
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
        p->scopes = 0;
        for (unsigned bit = SCOPE_VACANCIES_READ; bit <= SCOPE_APPLICATIONS_WRITE; bit <<= 1)
            if (strstr(sc, principal_scope_name(bit)))
                p->scopes |= bit;
        validate_copy_text(p->name, sizeof p->name, PQgetvalue(res, 0, 1));
    }
    auth_scope_text(p);
}

/* Policies of the routes that can end or narrow a session or key: their
 * answer, sent after the change committed, first drops this instance's
 * cached sessions (other instances hear of it through NOTIFY leye_auth). */
static bool auth_policy_revokes(const struct policy *p)
{
    static const char *const names[] = {"session", "password", "accounts:write", "brokers:write",
                                        "broker:write"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(p->name, names[i]))
            return true;
    return false;
}

/* The caller is known: the route's policy decides. */
static void auth_admit(struct httpd_req *r, const struct router_route *route)
{
    struct principal *who = httpd_req_principal(r);
    const struct policy *p = policy_or_deny(route->policy);
    if (auth_policy_revokes(p) && strcmp(httpd_req_method(r), "GET") != 0)
        httpd_req_before_reply(r, authcache_drop_all);
    if (!auth_allowed(p, who)) {
        httpd_reply_problem(r, "forbidden", NULL);
        return;
    }
    if (p->write && !auth_actor_context(r, who)) {
        log_error("no audit actor for %s %s", httpd_req_method(r), route->pattern);
        httpd_reply_problem(r, "internal_error", NULL);
        return;
    }
    if (contract_check(r))
        route->handler(r);
}

static void auth_lookup_cb(void *arg, const struct pgpool_reply *rep)
{
    struct auth_lookup *l = arg;
    struct httpd_req *r = l->r;
    const struct router_route *route = l->route;
    if (rep->status != PGPOOL_OK) {
        free(l);
        dbreply_error(r, rep);
        return;
    }
    if (PQntuples(rep->res) != 1) {
        free(l);
        auth_reply_unauthorized(r);
        return;
    }
    struct principal *who = httpd_req_principal(r);
    if (!strcmp(PQgetvalue(rep->res, 0, 2), "kiosk") ||
        !strcmp(PQgetvalue(rep->res, 0, 2), "broker")) {
        auth_fill_other(who, rep->res);
    } else {
        auth_fill_staff(who, rep->res);
        authcache_put(l->hash, who, l->ticket);
    }
    free(l);
    if (who->role == ROLE_BROKER) {
        if (!ratelimit_apply(r, atoi(PQgetvalue(rep->res, 0, 8)), atoi(PQgetvalue(rep->res, 0, 9)),
                             atoi(PQgetvalue(rep->res, 0, 10))))
            return;
    }
    auth_admit(r, route);
}

const char *auth_bearer(struct httpd_req *r)
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
        if (contract_check(r))
            route->handler(r);
        return;
    }
    const char *token = auth_bearer(r);
    if (!token) {
        auth_reply_unauthorized(r);
        return;
    }
    const char *kind = !strncmp(token, "lys_", 4)   ? "s"
                       : !strncmp(token, "lyk_", 4) ? "k"
                       : !strncmp(token, "lyb_", 4) ? "b"
                                                    : NULL;
    if (!kind) {
        auth_reply_unauthorized(r);
        return;
    }
    char hash[TOKEN_HASH_HEX];
    token_hash(token, hash);
    /* staff sessions only: a kiosk's session slides with each request and a
     * broker's key takes from its rate window, both in the database */
    if (*kind == 's' && authcache_get(hash, who)) {
        auth_admit(r, route);
        return;
    }
    struct auth_lookup *l = malloc(sizeof *l);
    if (!l) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    l->r = r;
    l->route = route;
    l->ticket = authcache_ticket();
    memcpy(l->hash, hash, sizeof hash);
    const char *v[2] = {kind, l->hash};
    pgpool_query(httpd_req_pool(r), &auth_lookup_stmt, 2, v, auth_lookup_cb, l);
}
