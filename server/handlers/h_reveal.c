/*
 * Revealing personal data: a caller with the pii:reveal permission (province
 * staff, or staff granted it) may read a worker's full ID number, phone and
 * birth date.  Every reveal is audited in the same statement that reads the
 * data, and this is the only answer the privacy shaping lets them through
 * (httpd_req_mark_revealed).
 */
#include "api.h"
#include "dbreply.h"
#include "handlers.h"
#include "pii.h"
#include "principal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct pgpool_stmt reveal_stmt = {
    "worker_reveal",
    "WITH w AS (SELECT id, id_number_enc, phone_enc FROM worker WHERE id = $1::bigint), "
    "a AS (INSERT INTO audit_log (actor_kind, actor_id, actor_name, action, resource, "
    "resource_id, peer, request_id, detail) SELECT 'staff', $2::bigint, $3, 'reveal', 'worker', "
    "id::text, $4, $5, jsonb_build_object('fields', jsonb_build_array('id_number', 'phone', "
    "'birth_date')) "
    "FROM w RETURNING 1) "
    "SELECT id_number_enc::text, phone_enc::text, (SELECT count(*) FROM a) FROM w"};

static void reveal_cb(void *arg, const struct pgpool_reply *rep)
{
    struct httpd_req *r = arg;
    if (rep->status != PGPOOL_OK) {
        dbreply_error(r, rep);
        return;
    }
    if (PQntuples(rep->res) != 1) {
        httpd_reply_problem(r, "not_found", NULL);
        return;
    }
    char id18[19], phone[PII_PHONE_MAX] = "";
    bool has_phone = !PQgetisnull(rep->res, 0, 1);
    if (pii_decrypt_idnum(PQgetvalue(rep->res, 0, 0), id18) < 0 ||
        (has_phone && pii_decrypt_phone(PQgetvalue(rep->res, 0, 1), phone) < 0)) {
        sodium_memzero(id18, sizeof id18);
        httpd_reply_problem(r, "internal_error",
                            "The ID number or phone cannot be decrypted with this key.");
        return;
    }
    char birth[11];
    snprintf(birth, sizeof birth, "%.4s-%.2s-%.2s", id18 + 6, id18 + 10, id18 + 12);
    json_t *body = json_pack("{s:s, s:o, s:s}", "id_number", id18, "phone",
                             has_phone ? json_string(phone) : json_null(), "birth_date", birth);
    sodium_memzero(id18, sizeof id18);
    sodium_memzero(phone, sizeof phone);
    sodium_memzero(birth, sizeof birth);
    httpd_req_mark_revealed(r);
    httpd_reply_json(r, 200, body);
}

void h_worker_reveal(struct httpd_req *r)
{
    char id[24], actor[24];
    if (!api_param_id(r, 0, id))
        return;
    const struct principal *p = httpd_req_principal(r);
    snprintf(actor, sizeof actor, "%lld", (long long)p->id);
    const char *v[5] = {id, actor, p->name, httpd_req_peer(r), httpd_req_id(r)};
    pgpool_query_scoped(httpd_req_pool(r), api_scope(r), &reveal_stmt, 5, v, reveal_cb, r);
}
