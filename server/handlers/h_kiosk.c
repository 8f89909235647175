/*
 * Kiosk sign-in: a job seeker logs in with their ID number and a 6-digit PIN
 * that service-desk staff set.  Five wrong PINs lock it until staff reset it;
 * a session ends after 120 s without a request, or on logout.
 */
#define _POSIX_C_SOURCE 200809L
#include "api.h"
#include "auth.h"
#include "bgjob.h"
#include "dbreply.h"
#include "handlers.h"
#include "kiosklogin.h"
#include "pii.h"
#include "principal.h"
#include "token.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kiosk_login {
    struct httpd_req *r;
    char pin[8];
    char worker[24];
    char stored[crypto_pwhash_STRBYTES];
    bool ok;
    char token[TOKEN_MAX];
};

static bool kiosk_pin_ok(const char *pin)
{
    if (!pin || strlen(pin) != 6)
        return false;
    for (int i = 0; i < 6; i++)
        if (pin[i] < '0' || pin[i] > '9')
            return false;
    return true;
}

static void kiosk_free(struct kiosk_login *k)
{
    sodium_memzero(k, sizeof *k);
    free(k);
}

static const struct pgpool_stmt kiosk_begin_stmt = {"kiosk_login_begin",
                                                    "SELECT * FROM kiosk_login_begin($1::bytea)"};
static const struct pgpool_stmt kiosk_finish_stmt = {
    "kiosk_login_finish", "SELECT kiosk_login_finish($1::bigint, $2::boolean, $3::bytea, $4, $5)"};

static void kiosk_finished(void *arg, const struct pgpool_reply *rep)
{
    struct kiosk_login *k = arg;
    struct httpd_req *r = k->r;
    if (rep->status != PGPOOL_OK) {
        kiosk_free(k);
        dbreply_error(r, rep);
        return;
    }
    if (!k->ok) {
        int failures = atoi(PQgetvalue(rep->res, 0, 0));
        kiosk_free(k);
        json_t *p =
            problem_new(failures >= 5 ? "pin_locked" : "invalid_pin", httpd_req_lang(r), NULL);
        json_object_set_new(p, "attempts_left", json_integer(failures >= 5 ? 0 : 5 - failures));
        httpd_reply_problem_json(r, p);
        return;
    }
    json_t *body = json_pack("{s:s, s:s, s:i}", "token", k->token, "token_type", "Bearer",
                             "idle_timeout", 120);
    kiosk_free(k);
    httpd_reply_json(r, 200, body);
}

static void kiosk_verify_work(void *arg)
{
    struct kiosk_login *k = arg;
    k->ok = crypto_pwhash_str_verify(k->stored, k->pin, strlen(k->pin)) == 0;
}

static void kiosk_verify_done(void *arg)
{
    struct kiosk_login *k = arg;
    char hash[TOKEN_HASH_HEX] = "";
    if (k->ok) {
        token_new("lyk_", k->token, sizeof k->token);
        token_hash(k->token, hash);
    }
    const char *v[5] = {k->worker, k->ok ? "true" : "false", k->ok ? hash : NULL,
                        httpd_req_peer(k->r), httpd_req_id(k->r)};
    pgpool_query(httpd_req_pool(k->r), &kiosk_finish_stmt, 5, v, kiosk_finished, k);
}

static void kiosk_begun(void *arg, const struct pgpool_reply *rep)
{
    struct kiosk_login *k = arg;
    struct httpd_req *r = k->r;
    if (rep->status != PGPOOL_OK) {
        kiosk_free(k);
        dbreply_error(r, rep);
        return;
    }
    if (PQntuples(rep->res) != 1 || PQgetisnull(rep->res, 0, 1)) {
        kiosk_free(k);
        httpd_reply_problem(r, "invalid_pin", NULL);
        return;
    }
    if (!strcmp(PQgetvalue(rep->res, 0, 2), "t")) {
        kiosk_free(k);
        httpd_reply_problem(r, "pin_locked", NULL);
        return;
    }
    snprintf(k->worker, sizeof k->worker, "%s", PQgetvalue(rep->res, 0, 0));
    snprintf(k->stored, sizeof k->stored, "%s", PQgetvalue(rep->res, 0, 1));
    if (!bgjob_submit(httpd_req_bgjobs(r), httpd_req_base(r), kiosk_verify_work, kiosk_verify_done,
                      k)) {
        kiosk_free(k);
        httpd_reply_problem(r, "overloaded", NULL);
    }
}

void h_kiosk_login(struct httpd_req *r)
{
    json_t *body = httpd_req_json_body(r);
    if (!body)
        return;
    json_t *problem = problem_new("validation_failed", httpd_req_lang(r), NULL);
    char id18[19], pin[7];
    int rc = kiosklogin_parse(body, api_today(), problem, httpd_req_lang(r), id18, pin);
    json_decref(body);
    if (rc < 0) {
        httpd_reply_problem_json(r, problem);
        return;
    }
    json_decref(problem);
    struct kiosk_login *k = calloc(1, sizeof *k);
    char hash[PII_HASH_HEX];
    pii_hash_idnum(id18, hash);
    sodium_memzero(id18, sizeof id18);
    if (k) {
        k->r = r;
        memcpy(k->pin, pin, 7);
    }
    sodium_memzero(pin, sizeof pin);
    if (!k) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    const char *v[1] = {hash};
    pgpool_query(httpd_req_pool(r), &kiosk_begin_stmt, 1, v, kiosk_begun, k);
}

static const struct pgpool_stmt kiosk_logout_stmt = {
    "kiosk_logout", "UPDATE kiosk_session SET ended_at = now() WHERE worker_id = $1::bigint "
                    "AND ended_at IS NULL"};

static void kiosk_logout_cb(void *arg, const struct pgpool_reply *rep)
{
    struct httpd_req *r = arg;
    if (rep->status != PGPOOL_OK) {
        dbreply_error(r, rep);
        return;
    }
    httpd_reply_raw(r, 204, NULL, NULL, 0);
}

void h_kiosk_logout(struct httpd_req *r)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)httpd_req_principal(r)->id);
    const char *v[1] = {id};
    pgpool_query(httpd_req_pool(r), &kiosk_logout_stmt, 1, v, kiosk_logout_cb, r);
}

/* ---------- staff set or reset a PIN ---------- */

struct kiosk_pin_set {
    struct httpd_req *r;
    char worker[24];
    char pin[8];
    char hash[crypto_pwhash_STRBYTES];
    int rc;
};

static const struct pgpool_stmt kiosk_pin_stmt = {
    "kiosk_pin_set",
    "WITH w AS (SELECT id FROM worker WHERE id = $1::bigint AND NOT archived) "
    "INSERT INTO worker_pin (worker_id, pin_hash, set_by) SELECT id, $2, $3 FROM w "
    "ON CONFLICT (worker_id) DO UPDATE SET pin_hash = EXCLUDED.pin_hash, failures = 0, "
    "locked = false, set_at = now(), set_by = EXCLUDED.set_by RETURNING 200, NULL::integer, "
    "jsonb_build_object('worker_id', worker_id, 'set_at', set_at)"};

static void kiosk_pin_work(void *arg)
{
    struct kiosk_pin_set *k = arg;
    k->rc = auth_hash_password(k->pin, k->hash);
}

static void kiosk_pin_done(void *arg)
{
    struct kiosk_pin_set *k = arg;
    struct httpd_req *r = k->r;
    if (k->rc != 0) {
        sodium_memzero(k, sizeof *k);
        free(k);
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    const char *v[3] = {k->worker, k->hash, api_actor(r)};
    api_call(r, &kiosk_pin_stmt, 3, v, NULL);
    sodium_memzero(k, sizeof *k);
    free(k);
}

static const struct jv_field kiosk_pin_fields[] = {
    {"pin", JV_STRING, JV_REQUIRED, 6, 6, NULL, NULL},
};
static const struct jv_schema kiosk_pin_schema = JV_SCHEMA(kiosk_pin_fields);

void h_worker_pin_set(struct httpd_req *r)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    json_t *body = httpd_req_json_body(r);
    if (!body)
        return;
    json_t *problem = problem_new("validation_failed", httpd_req_lang(r), NULL);
    json_t *obj =
        jv_check(body, &kiosk_pin_schema, false, api_today(), "", problem, httpd_req_lang(r));
    json_decref(body);
    const char *pin = obj ? json_string_value(json_object_get(obj, "pin")) : NULL;
    if (obj && !kiosk_pin_ok(pin)) {
        json_decref(obj);
        obj = NULL;
        if (problem_add_error(problem, "pin", "invalid_format", httpd_req_lang(r), NULL) < 0)
            json_object_del(problem, "errors");
    }
    if (!obj) {
        httpd_reply_problem_json(r, problem);
        return;
    }
    json_decref(problem);
    struct kiosk_pin_set *k = calloc(1, sizeof *k);
    if (k) {
        k->r = r;
        memcpy(k->worker, id, sizeof k->worker);
        memcpy(k->pin, pin, 7);
    }
    json_decref(obj);
    if (!k ||
        !bgjob_submit(httpd_req_bgjobs(r), httpd_req_base(r), kiosk_pin_work, kiosk_pin_done, k)) {
        free(k);
        httpd_reply_problem(r, "overloaded", NULL);
    }
}
