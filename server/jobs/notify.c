/*
 * The notification delivery thread: claim, send, record.  See notify.h;
 * the promise and the formats are in docs/notifications.md.
 */
#define _POSIX_C_SOURCE 200809L
#include "notify.h"

#include "bgthread.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "match/match.h"
#include "matchidx.h"
#include "notify_http.h"
#include "pii.h"
#include "whsig.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NOTIFY_BATCH 16            /* messages claimed at once */
#define NOTIFY_BACKOFF_MAX_MS 5000 /* reconnecting to the database */
#define NOTIFY_VACANCIES_PER_PASS 50
#define NOTIFY_DIGEST_K 200 /* seekers looked at per new vacancy */
#define NOTIFY_SIGS_MAX 4   /* live secrets signing one message */

static struct {
    struct bgthread t;
    char *conninfo;
    char runner[96];
    /* settings */
    char *sms_url, *sms_account, *sms_secret, *sms_sign;
    int sms_daily_cap;
    int daily_every_s; /* digests and visit reminders */
    bool plain_http;
    struct notify_http *http;
    int retry_base_ms, retry_cap_ms, max_attempts, lease_ms, poll_ms, timeout_ms;
    atomic_uint_fast64_t delivered, retried, dead, digests;
} ns;

static int64_t notify_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void notify_sleep(int ms)
{
    (void)bgthread_sleep(&ns.t, ms);
}

/* ---------- adapters ---------- */

enum notify_outcome { NOTIFY_DELIVERED, NOTIFY_RETRY, NOTIFY_GONE, NOTIFY_DEAD };

static const char *notify_outcome_name(enum notify_outcome o)
{
    switch (o) {
    case NOTIFY_DELIVERED:
        return "delivered";
    case NOTIFY_RETRY:
        return "retry";
    case NOTIFY_GONE:
        return "gone";
    case NOTIFY_DEAD:
        return "dead";
    }
    return "retry";
}

/* {"a","b"} as PostgreSQL prints text[] of secrets (no quoting needed:
 * whsec_ and base64 characters only) into at most max pointers into s. */
static size_t notify_split_array(char *s, char **out, size_t max)
{
    size_t n = 0;
    if (!s || *s != '{')
        return 0;
    char *p = s + 1;
    while (*p && *p != '}' && n < max) {
        size_t len = strcspn(p, ",}");
        out[n++] = p;
        p += len;
        if (*p == ',')
            *p++ = '\0';
        else if (*p == '}')
            *p = '\0';
    }
    return n;
}

/* A secret as notify_claim gives it: "enc:<hex>" sealed with the PII key
 * (migration 048), or readable for a row not yet sealed.  Returns 0 or -1. */
static int notify_secret_open(const char *s, char out[PII_WHSEC_MAX])
{
    if (strncmp(s, "enc:", 4) != 0) {
        size_t n = strlen(s);
        if (n >= PII_WHSEC_MAX)
            return -1;
        memcpy(out, s, n + 1);
        return 0;
    }
    char hex[PII_WHSEC_ENC_HEX];
    if (!pii_ready() || snprintf(hex, sizeof hex, "\\x%s", s + 4) >= (int)sizeof hex)
        return -1;
    return pii_decrypt_whsec(hex, out);
}

/* Standard Webhooks: webhook-id, webhook-timestamp, one signature per live secret. */
static enum notify_outcome notify_send_webhook(PGresult *res, int row, char *err, size_t cap)
{
    if (PQgetisnull(res, row, 8)) {
        snprintf(err, cap, "the endpoint is disabled or deleted");
        return NOTIFY_DEAD;
    }
    const char *msg_id = PQgetvalue(res, row, 1);
    const char *body = PQgetvalue(res, row, 7);
    size_t len = (size_t)PQgetlength(res, row, 7);
    char *secrets[NOTIFY_SIGS_MAX];
    size_t ns_ = notify_split_array(PQgetvalue(res, row, 9), secrets, NOTIFY_SIGS_MAX);
    long long ts = (long long)time(NULL);
    char sigs[NOTIFY_SIGS_MAX * (WHSIG_ONE_MAX + 1)] = "";
    for (size_t i = 0; i < ns_; i++) {
        char one[WHSIG_ONE_MAX], plain[PII_WHSEC_MAX];
        if (notify_secret_open(secrets[i], plain) < 0) {
            log_warn("notify: a secret of message %s cannot be opened with this PII key", msg_id);
            continue;
        }
        int rc = whsig_sign(plain, msg_id, ts, body, len, one);
        sodium_memzero(plain, sizeof plain);
        if (rc == 0) {
            if (sigs[0])
                strcat(sigs, " ");
            strcat(sigs, one);
        }
    }
    if (!sigs[0]) {
        snprintf(err, cap, "the endpoint has no live secret");
        return NOTIFY_DEAD;
    }
    const char *url = PQgetvalue(res, row, 8);
    if (notify_http_is_plain(url) && !ns.plain_http) {
        snprintf(err, cap, "plain http:// endpoints are not allowed (LEYE_NOTIFY_PLAIN_HTTP)");
        return NOTIFY_DEAD;
    }
    char head[1024];
    snprintf(head, sizeof head,
             "webhook-id: %s\r\nwebhook-timestamp: %lld\r\nwebhook-signature: %s\r\n", msg_id, ts,
             sigs);
    int status = notify_http_post(ns.http, url, head, body, len, err, cap);
    if (status >= 200 && status < 300)
        return NOTIFY_DELIVERED;
    if (status == 410)
        return NOTIFY_GONE;
    return NOTIFY_RETRY;
}

/*
 * The SMS gateway: a JSON POST of {account, sign_name, template_id, phone,
 * params, request_id, timestamp}, signed with X-Sms-Signature: the base64 of
 * HMAC-SHA256(secret, "<timestamp>.<body>").  The request id is the
 * message's id, so a gateway that sees it twice sends one text.
 */
static enum notify_outcome notify_send_sms(PGresult *res, int row, char *err, size_t cap)
{
    char phone[PII_PHONE_MAX];
    if (PQgetisnull(res, row, 10) || !pii_ready() ||
        pii_decrypt_phone(PQgetvalue(res, row, 10), phone) < 0) {
        snprintf(err, cap, "the person has no phone number");
        return NOTIFY_DEAD;
    }
    json_error_t jerr;
    json_t *params = json_loads(PQgetvalue(res, row, 5), 0, &jerr);
    long long ts = (long long)time(NULL);
    json_t *msg = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:I}", "account", ns.sms_account,
                            "sign_name", ns.sms_sign, "template_id", PQgetvalue(res, row, 4),
                            "phone", phone, "params", params ? params : json_object(), "request_id",
                            PQgetvalue(res, row, 1), "timestamp", (json_int_t)ts);
    sodium_memzero(phone, sizeof phone);
    char *body = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
    json_decref(msg);
    if (!body) {
        snprintf(err, cap, "out of memory");
        return NOTIFY_RETRY;
    }
    char tstext[24], sig[WHSIG_ONE_MAX];
    snprintf(tstext, sizeof tstext, "%lld", ts);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)ns.sms_secret, strlen(ns.sms_secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)tstext, strlen(tstext));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2base64(sig, sizeof sig, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
    char head[512];
    snprintf(head, sizeof head,
             "X-Sms-Account: %s\r\nX-Sms-Timestamp: %s\r\nX-Sms-Signature: %s\r\n", ns.sms_account,
             tstext, sig);
    int status = notify_http_post(ns.http, ns.sms_url, head, body, strlen(body), err, cap);
    sodium_memzero(body, strlen(body));
    free(body);
    if (status >= 200 && status < 300)
        return NOTIFY_DELIVERED;
    /* the gateway refused this text for good (template, number) */
    if (status >= 400 && status < 500 && status != 408 && status != 429)
        return NOTIFY_DEAD;
    return NOTIFY_RETRY;
}

/* ---------- one pass ---------- */

/* The wait before try number attempts + 1: base * 2^(attempts - 1), capped. */
static int notify_backoff_ms(int attempts)
{
    int64_t d = ns.retry_base_ms;
    for (int i = 1; i < attempts && d < ns.retry_cap_ms; i++)
        d *= 2;
    return (int)(d > ns.retry_cap_ms ? ns.retry_cap_ms : d);
}

static void notify_record(PGconn *c, const char *id, int attempts, enum notify_outcome o,
                          const char *err)
{
    char delay[16], maxa[16];
    snprintf(delay, sizeof delay, "%d", notify_backoff_ms(attempts));
    snprintf(maxa, sizeof maxa, "%d", ns.max_attempts);
    const char *v[6] = {id, ns.runner, notify_outcome_name(o), err, delay, maxa};
    PGresult *res = PQexecParams(c,
                                 "SELECT notify_finish($1::bigint, $2, $3, $4, $5::integer, "
                                 "$6::integer)",
                                 6, NULL, v, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        log_warn("notify: cannot record message %s: %s", id, PQerrorMessage(c));
    } else {
        const char *now = PQgetvalue(res, 0, 0);
        if (!strcmp(now, "delivered"))
            atomic_fetch_add(&ns.delivered, 1);
        else if (!strcmp(now, "dead"))
            atomic_fetch_add(&ns.dead, 1);
        else if (!strcmp(now, "pending"))
            atomic_fetch_add(&ns.retried, 1);
    }
    PQclear(res);
}

/* Claims and sends one batch; the number claimed, or -1 on a database error. */
static int notify_pass(PGconn *c)
{
    char lease[16], n[8], cap[16];
    snprintf(lease, sizeof lease, "%d", ns.lease_ms);
    snprintf(n, sizeof n, "%d", NOTIFY_BATCH);
    snprintf(cap, sizeof cap, "%d", ns.sms_daily_cap);
    const char *v[5] = {ns.runner, lease, n, cap, ns.sms_url[0] ? "true" : "false"};
    PGresult *res = PQexecParams(c,
                                 "SELECT * FROM notify_claim($1, $2::integer, $3::integer, "
                                 "$4::integer, $5::boolean)",
                                 5, NULL, v, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        log_warn("notify: cannot claim messages: %s", PQerrorMessage(c));
        PQclear(res);
        return -1;
    }
    int rows = PQntuples(res);
    for (int i = 0; i < rows && !bgthread_stopping(&ns.t); i++) {
        char err[300] = "";
        const char *channel = PQgetvalue(res, i, 2);
        enum notify_outcome o = !strcmp(channel, "webhook")
                                    ? notify_send_webhook(res, i, err, sizeof err)
                                    : notify_send_sms(res, i, err, sizeof err);
        int attempts = atoi(PQgetvalue(res, i, 3));
        if (o != NOTIFY_DELIVERED)
            log_info("notify: message %s (%s) attempt %d: %s", PQgetvalue(res, i, 1), channel,
                     attempts, err);
        notify_record(c, PQgetvalue(res, i, 0), attempts, o, o == NOTIFY_DELIVERED ? "" : err);
    }
    PQclear(res);
    return rows;
}

/* New vacancies into the digests of the seekers they match well. */
static void notify_vacancies(PGconn *c)
{
    if (!matchidx_ready())
        return;
    struct match_result *mr = match_result_new();
    if (!mr)
        return;
    for (int i = 0; i < NOTIFY_VACANCIES_PER_PASS && !bgthread_stopping(&ns.t); i++) {
        PGresult *res = PQexec(c, "BEGIN; SELECT notify_vacancy_take()");
        bool got = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
                   !PQgetisnull(res, 0, 0);
        int64_t vid = got ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
        PQclear(res);
        char *workers = NULL, *scores = NULL;
        size_t wl = 0, sl = 0;
        FILE *wf = got ? open_memstream(&workers, &wl) : NULL;
        FILE *sf = got ? open_memstream(&scores, &sl) : NULL;
        bool ok = wf && sf, indexed = false;
        if (ok) {
            const struct match_index *idx;
            const struct match_names *names;
            struct match_query q;
            int t = clock_today(); /* YYYYMMDD; the query counts days */
            match_query_init(&q, match_day(t / 10000, t / 100 % 100, t % 100), NOTIFY_DIGEST_K);
            fputc('{', wf);
            fputc('{', sf);
            if (matchidx_read_begin(&idx, &names)) {
                indexed = match_query_workers_by_id(idx, vid, &q, mr) == 0;
                if (indexed)
                    for (uint32_t h = 0; h < mr->n; h++) {
                        fprintf(wf, "%s%lld", h ? "," : "", (long long)mr->hit[h].id);
                        fprintf(sf, "%s%d", h ? "," : "", (int)(mr->hit[h].score / 100));
                    }
                matchidx_read_end();
            }
            fputc('}', wf);
            fputc('}', sf);
        }
        if (wf)
            fclose(wf);
        if (sf)
            fclose(sf);
        if (ok) {
            char vtext[24];
            snprintf(vtext, sizeof vtext, "%lld", (long long)vid);
            const char *v[3] = {vtext, workers, scores};
            res = indexed ? PQexecParams(c,
                                         "SELECT notify_digest_add($1::bigint, $2::bigint[], "
                                         "$3::integer[])",
                                         3, NULL, v, NULL, NULL, 0)
                          : PQexecParams(c, "SELECT notify_vacancy_later($1::bigint)", 1, NULL, v,
                                         NULL, NULL, 0);
            ok = PQresultStatus(res) == PGRES_TUPLES_OK;
            PQclear(res);
        }
        free(workers);
        free(scores);
        res = PQexec(c, ok ? "COMMIT" : "ROLLBACK");
        PQclear(res);
        if (!got || !indexed)
            break;
    }
    match_result_free(mr);
}

static void notify_daily(PGconn *c)
{
    PGresult *res = PQexec(c, "SELECT notify_daily()");
    if (PQresultStatus(res) == PGRES_TUPLES_OK)
        atomic_fetch_add(&ns.digests, (uint64_t)atoll(PQgetvalue(res, 0, 0)));
    else
        log_warn("notify: daily digests: %s", PQerrorMessage(c));
    PQclear(res);
}

static void notify_serve(PGconn *c)
{
    int64_t next_daily = 0;
    while (!bgthread_stopping(&ns.t)) {
        int n = notify_pass(c);
        if (n < 0 || PQstatus(c) != CONNECTION_OK)
            return;
        if (n > 0)
            continue;
        if (notify_now_ms() >= next_daily) {
            notify_vacancies(c);
            notify_daily(c);
            next_daily = notify_now_ms() + (int64_t)ns.daily_every_s * 1000;
        }
        notify_sleep(ns.poll_ms);
    }
}

static void notify_main(struct bgthread *t, void *arg)
{
    (void)arg;
    int backoff = 100;
    while (!bgthread_stopping(t)) {
        const char *err;
        PGconn *c = bgthread_connect(t, ns.conninfo, "leye-notify", &err);
        if (c) {
            backoff = 100;
            notify_serve(c);
        } else if (!bgthread_stopping(t)) {
            log_warn("notify: cannot reach the database (%s); retrying in %d ms", err, backoff);
        }
        bgthread_disconnect(t, c);
        if (bgthread_stopping(t))
            break;
        notify_sleep(backoff);
        backoff = backoff * 2 > NOTIFY_BACKOFF_MAX_MS ? NOTIFY_BACKOFF_MAX_MS : backoff * 2;
    }
}

static char *notify_dup(const char *s)
{
    return strdup(s ? s : "");
}

int notify_start(const struct config *cfg)
{
    if (!cfg->notify_delivery) {
        log_info("notify: delivery is off on this instance (LEYE_NOTIFY_DELIVERY=false)");
        return 0;
    }
    ns.conninfo = notify_dup(cfg->database_url);
    ns.sms_url = notify_dup(cfg->notify_sms_url);
    ns.sms_account = notify_dup(cfg->notify_sms_account);
    ns.sms_secret = notify_dup(cfg->notify_sms_secret);
    ns.sms_sign = notify_dup(cfg->notify_sms_sign);
    if (!ns.conninfo || !ns.sms_url || !ns.sms_account || !ns.sms_secret || !ns.sms_sign)
        return -1;
    if (ns.sms_url[0] && !notify_http_url_ok(ns.sms_url)) {
        log_error("LEYE_NOTIFY_SMS_URL must be an https:// or http:// address");
        return -1;
    }
    char why[300];
    ns.http = notify_http_new(cfg->tls_ca_file, cfg->notify_timeout_ms, why, sizeof why);
    if (!ns.http) {
        log_error("notify: %s", why);
        return -1;
    }
    ns.plain_http = cfg->notify_plain_http;
    ns.sms_daily_cap = cfg->notify_sms_daily_cap;
    ns.daily_every_s = cfg->notify_digest_every_s;
    ns.retry_base_ms = cfg->notify_retry_base_ms;
    ns.retry_cap_ms = cfg->notify_retry_cap_ms;
    ns.max_attempts = cfg->notify_max_attempts;
    ns.lease_ms = cfg->notify_lease_ms;
    ns.poll_ms = cfg->notify_poll_ms;
    ns.timeout_ms = cfg->notify_timeout_ms;
    char host[64] = "";
    gethostname(host, sizeof host - 1);
    snprintf(ns.runner, sizeof ns.runner, "%s:%ld:%lld", host, (long)getpid(),
             (long long)notify_now_ms());
    return bgthread_start(&ns.t, "notify", notify_main, NULL);
}

void notify_stop_begin(void)
{
    bgthread_request_stop(&ns.t);
}

bool notify_stop(int64_t deadline_us)
{
    if (!ns.t.started)
        return true;
    if (!bgthread_stop(&ns.t, deadline_us))
        return false;
    notify_http_free(ns.http);
    ns.http = NULL;
    free(ns.conninfo);
    ns.conninfo = NULL;
    free(ns.sms_url);
    free(ns.sms_account);
    sodium_memzero(ns.sms_secret, strlen(ns.sms_secret));
    free(ns.sms_secret);
    free(ns.sms_sign);
    return true;
}

int notify_db_connections(int *most)
{
    *most = ns.conninfo ? 1 : 0;
    return ns.conninfo ? bgthread_conns(&ns.t) : 0;
}

void notify_stats(struct notify_stats *out)
{
    out->delivered = atomic_load(&ns.delivered);
    out->retried = atomic_load(&ns.retried);
    out->dead = atomic_load(&ns.dead);
    out->digests = atomic_load(&ns.digests);
}
