/*
 * Notifications and brokers' self-service (docs/notifications.md):
 *
 *   /v1/broker/...            a broker's own applications, API keys, webhook
 *                             endpoints and messages (scope "b:<broker>")
 *   /v1/kiosk/inbox,          a job seeker's inbox and channel choices
 *   /v1/kiosk/notifications   (scope "k:<worker>")
 *   /v1/notifications         staff: the messages in their scope, replay
 *
 * The work is done by the SQL functions of migrations/043_notify.sql; this
 * file validates input, makes keys and secrets (shown once, stored as a
 * hash for keys) and names the calling key.
 */
#define _POSIX_C_SOURCE 200809L
#include "h_notify.h"

#include "api.h"
#include "pii.h"
#include "principal.h"
#include "whsig.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTIFY_SECRET_BYTES 32
#define NOTIFY_ROTATION_OVERLAP_S 86400 /* an old secret keeps signing for a day */
#define NOTIFY_KEY_CHARS 80

static bool notify_plain_http;

void h_notify_set_plain_http(bool allowed)
{
    notify_plain_http = allowed;
}

static const char *const notify_scopes[] = {"vacancies:read", "matches:read", "applications:write",
                                            NULL};
static const char *const notify_events[] = {"application.shortlisted", "application.offered",
                                            "application.hired", "application.rejected", NULL};
static const char *const notify_statuses[] = {"pending", "sending", "delivered", "dead", NULL};
static const char *const notify_channels[] = {"sms", "kiosk", "webhook", "staff", NULL};
static const char *const broker_app_statuses[] = {"applied",  "shortlisted", "offered", "hired",
                                                  "rejected", "withdrawn",   NULL};
static const char *const notify_sorts[] = {"-id", NULL};

static const struct jv_field key_fields[] = {
    {"scopes", JV_ENUM_ARRAY, JV_REQUIRED, 1, 3, notify_scopes, NULL},
};
static const struct jv_schema key_schema = JV_SCHEMA(key_fields);

static const struct jv_field webhook_fields[] = {
    {"url", JV_STRING, JV_REQUIRED, 8, 500, NULL, NULL},
    {"events", JV_ENUM_ARRAY, 0, 0, 4, notify_events, NULL},
};
static const struct jv_schema webhook_schema = JV_SCHEMA(webhook_fields);

static const struct jv_field pref_fields[] = {
    {"sms", JV_BOOL, 0, 0, 0, NULL, NULL},          {"kiosk", JV_BOOL, 0, 0, 0, NULL, NULL},
    {"quiet_from", JV_STRING, 0, 5, 5, NULL, NULL}, {"quiet_to", JV_STRING, 0, 5, 5, NULL, NULL},
    {"match_min", JV_INT, 0, 0, 100, NULL, NULL},
};
static const struct jv_schema pref_schema = JV_SCHEMA(pref_fields);

static const struct pgpool_stmt broker_apps_stmt = {
    "broker_self_apps",
    "SELECT * FROM api_broker_self_applications($1::jsonb, $2::jsonb, $3::integer, $4)"};
static const struct pgpool_stmt broker_keys_stmt = {
    "broker_self_keys", "SELECT * FROM api_broker_self_keys($1::bigint)"};
static const struct pgpool_stmt broker_key_create_stmt = {
    "broker_self_key_create",
    "SELECT * FROM api_broker_self_key_create($1::jsonb, $2::bigint, $3::bytea, $4)"};
static const struct pgpool_stmt broker_key_revoke_stmt = {
    "broker_self_key_revoke", "SELECT * FROM api_broker_self_key_revoke($1::bigint, $2::bigint)"};
static const struct pgpool_stmt broker_webhooks_stmt = {"broker_self_webhooks",
                                                        "SELECT * FROM api_broker_self_webhooks()"};
static const struct pgpool_stmt broker_webhook_create_stmt = {
    "broker_self_webhook_create",
    "SELECT * FROM api_broker_self_webhook_create($1::jsonb, $2, $3::bytea)"};
static const struct pgpool_stmt broker_webhook_rotate_stmt = {
    "broker_self_webhook_rotate",
    "SELECT * FROM api_broker_self_webhook_rotate($1::bigint, $2, $3::bytea, $4::integer)"};
static const struct pgpool_stmt broker_webhook_delete_stmt = {
    "broker_self_webhook_delete", "SELECT * FROM api_broker_self_webhook_delete($1::bigint)"};
static const struct pgpool_stmt notify_list_stmt = {
    "notify_list", "SELECT * FROM api_notify_list($1::jsonb, $2::jsonb, $3::integer, $4)"};
static const struct pgpool_stmt notify_replay_stmt = {"notify_replay",
                                                      "SELECT * FROM api_notify_replay($1)"};
static const struct pgpool_stmt kiosk_inbox_stmt = {"kiosk_inbox",
                                                    "SELECT * FROM api_kiosk_inbox(50)"};
static const struct pgpool_stmt kiosk_notify_get_stmt = {"kiosk_notify_get",
                                                         "SELECT * FROM api_kiosk_notify_get()"};
static const struct pgpool_stmt kiosk_notify_put_stmt = {
    "kiosk_notify_put", "SELECT * FROM api_kiosk_notify_put($1::jsonb, $2)"};

static const struct api_filter broker_app_filters[] = {
    {"status", API_FILTER_ENUM, broker_app_statuses},
};
static const struct api_filter notify_filters[] = {
    {"status", API_FILTER_ENUM, notify_statuses},
    {"channel", API_FILTER_ENUM, notify_channels},
};

static const struct api_resource broker_apps_resource = {
    "/v1/broker/applications", NULL, NULL,         NULL, NULL, NULL, &broker_apps_stmt,
    broker_app_filters,        1,    notify_sorts, NULL};
static const struct api_resource notify_resource = {
    "/v1/notifications", NULL,           NULL, NULL,         NULL, NULL,
    &notify_list_stmt,   notify_filters, 2,    notify_sorts, NULL};

void h_broker_applications(struct httpd_req *r)
{
    api_list(r, &broker_apps_resource);
}

/* The calling key's id, as text. */
static void h_notify_key_id(struct httpd_req *r, char out[24])
{
    snprintf(out, 24, "%lld", (long long)httpd_req_principal(r)->id);
}

void h_broker_own_keys_list(struct httpd_req *r)
{
    char cur[24];
    h_notify_key_id(r, cur);
    const char *v[1] = {cur};
    api_call(r, &broker_keys_stmt, 1, v, NULL);
}

/* POST /v1/broker/keys {scopes}: a new key for the calling broker; the
 * answer's "key" is shown this once, only its hash is kept. */
void h_broker_own_keys_create(struct httpd_req *r)
{
    json_t *obj = api_body(r, &key_schema, false);
    if (!obj)
        return;
    unsigned char b[32], h[32];
    char key[NOTIFY_KEY_CHARS], hash[67], prefix[11], cur[24];
    randombytes_buf(b, sizeof b);
    memcpy(key, "lyb_", 5);
    sodium_bin2base64(key + 4, sizeof key - 4, b, sizeof b,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    crypto_generichash(h, sizeof h, (const unsigned char *)key, strlen(key), NULL, 0);
    memcpy(hash, "\\x", 2);
    sodium_bin2hex(hash + 2, sizeof hash - 2, h, sizeof h);
    memcpy(prefix, key, sizeof prefix - 1);
    prefix[sizeof prefix - 1] = '\0';
    h_notify_key_id(r, cur);
    json_object_set_new(obj, "key", json_string(key));
    char *payload = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    sodium_memzero(b, sizeof b);
    if (!payload) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    const char *v[4] = {payload, cur, hash, prefix};
    api_call(r, &broker_key_create_stmt, 4, v, NULL);
    sodium_memzero(payload, strlen(payload));
    free(payload);
}

void h_broker_own_key_revoke(struct httpd_req *r)
{
    char id[24], cur[24];
    if (!api_param_id(r, 0, id))
        return;
    h_notify_key_id(r, cur);
    const char *v[2] = {id, cur};
    api_call(r, &broker_key_revoke_stmt, 2, v, NULL);
}

void h_broker_webhooks_list(struct httpd_req *r)
{
    api_call(r, &broker_webhooks_stmt, 0, NULL, NULL);
}

/* An endpoint's address: http:// or https://, a host, no spaces, no user
 * name or password in it. */
static bool h_notify_url_ok(const char *url)
{
    size_t skip = !strncmp(url, "http://", 7) ? 7 : !strncmp(url, "https://", 8) ? 8 : 0;
    if (!skip || url[skip] == '\0' || url[skip] == '/')
        return false;
    size_t host = strcspn(url + skip, "/?#");
    if (memchr(url + skip, '@', host))
        return false;
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return false;
    return true;
}

/* A new signing secret, and its ciphertext under the PII key (the only form
 * stored).  Returns 0 or -1. */
static int h_notify_secret_new(char secret[WHSIG_SECRET_MAX + 1], char sealed[PII_WHSEC_ENC_HEX])
{
    if (whsig_secret_new(NOTIFY_SECRET_BYTES, secret, WHSIG_SECRET_MAX + 1) < 0)
        return -1;
    if (!pii_ready() || pii_encrypt_whsec(secret, sealed) < 0) {
        sodium_memzero(secret, WHSIG_SECRET_MAX + 1);
        return -1;
    }
    return 0;
}

/* POST /v1/broker/webhooks {url, events}: the answer's "secret" is shown this once. */
void h_broker_webhooks_create(struct httpd_req *r)
{
    json_t *obj = api_body(r, &webhook_schema, false);
    if (!obj)
        return;
    const char *url = json_string_value(json_object_get(obj, "url"));
    if (!h_notify_url_ok(url)) {
        json_decref(obj);
        api_reply_field_error(r, "validation_failed", "url", "invalid_format");
        return;
    }
    if (!notify_plain_http && !strncmp(url, "http://", 7)) {
        json_decref(obj);
        api_reply_field_error(r, "validation_failed", "url", "https_required");
        return;
    }
    char secret[WHSIG_SECRET_MAX + 1], sealed[PII_WHSEC_ENC_HEX];
    char *payload = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (!payload || h_notify_secret_new(secret, sealed) < 0) {
        free(payload);
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    const char *v[3] = {payload, secret, sealed};
    api_call(r, &broker_webhook_create_stmt, 3, v, NULL);
    sodium_memzero(secret, sizeof secret);
    free(payload);
}

/* POST /v1/broker/webhooks/{id}/secrets: a new secret; the old ones sign
 * alongside it for a day. */
void h_broker_webhook_rotate(struct httpd_req *r)
{
    char id[24], overlap[16], secret[WHSIG_SECRET_MAX + 1], sealed[PII_WHSEC_ENC_HEX];
    if (!api_param_id(r, 0, id))
        return;
    if (h_notify_secret_new(secret, sealed) < 0) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    snprintf(overlap, sizeof overlap, "%d", NOTIFY_ROTATION_OVERLAP_S);
    const char *v[4] = {id, secret, sealed, overlap};
    api_call(r, &broker_webhook_rotate_stmt, 4, v, NULL);
    sodium_memzero(secret, sizeof secret);
}

void h_broker_webhook_delete(struct httpd_req *r)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    const char *v[1] = {id};
    api_call(r, &broker_webhook_delete_stmt, 1, v, NULL);
}

void h_notifications_list(struct httpd_req *r)
{
    api_list(r, &notify_resource);
}

/* A message id is "msg_" and 32 hex digits; anything else is not found. */
static bool h_notify_msg_id(struct httpd_req *r, char out[40])
{
    const char *p = httpd_req_param(r, 0);
    size_t n = p ? strlen(p) : 0;
    bool ok = n == 36 && !strncmp(p, "msg_", 4) && strspn(p + 4, "0123456789abcdef") == 32;
    if (!ok) {
        httpd_reply_problem(r, "not_found", NULL);
        return false;
    }
    memcpy(out, p, n + 1);
    return true;
}

void h_notification_replay(struct httpd_req *r)
{
    char id[40];
    if (!h_notify_msg_id(r, id))
        return;
    const char *v[1] = {id};
    api_call(r, &notify_replay_stmt, 1, v, NULL);
}

void h_kiosk_inbox(struct httpd_req *r)
{
    api_call(r, &kiosk_inbox_stmt, 0, NULL, NULL);
}

void h_kiosk_notify_get(struct httpd_req *r)
{
    api_call(r, &kiosk_notify_get_stmt, 0, NULL, NULL);
}

/* "HH:MM", 00:00 to 23:59. */
static bool h_notify_hhmm(const json_t *v)
{
    const char *s = json_string_value(v);
    return s && strlen(s) == 5 && s[2] == ':' && strspn(s, "0123456789:") == 5 &&
           (s[0] - '0') * 10 + (s[1] - '0') < 24 && (s[3] - '0') * 10 + (s[4] - '0') < 60 &&
           s[0] != ':' && s[1] != ':' && s[3] != ':' && s[4] != ':';
}

/* PUT /v1/kiosk/notifications {sms, kiosk, quiet_from, quiet_to, match_min} */
void h_kiosk_notify_put(struct httpd_req *r)
{
    json_t *obj = api_body(r, &pref_schema, true);
    if (!obj)
        return;
    static const char *const times[] = {"quiet_from", "quiet_to"};
    for (size_t i = 0; i < 2; i++) {
        const json_t *t = json_object_get(obj, times[i]);
        if (t && !h_notify_hhmm(t)) {
            json_decref(obj);
            api_reply_field_error(r, "validation_failed", times[i], "invalid_format");
            return;
        }
    }
    char actor[32];
    snprintf(actor, sizeof actor, "kiosk:%lld", (long long)httpd_req_principal(r)->id);
    char *payload = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (!payload) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    const char *v[2] = {payload, actor};
    api_call(r, &kiosk_notify_put_stmt, 2, v, NULL);
    free(payload);
}
