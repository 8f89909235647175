#define _POSIX_C_SOURCE 200809L
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum config_type { CONFIG_STRING, CONFIG_INT, CONFIG_BOOL };

struct config_option {
    const char *name;
    enum config_type type;
    const char *def;
    const char *env;
    size_t offset;
    long min, max;
    const char *help;
};

#define OPT(n, t, d, e, f, lo, hi, h)                                                              \
    {                                                                                              \
        n, t, d, e, offsetof(struct config, f), lo, hi, h                                          \
    }

static const struct config_option config_options[] = {
    OPT("database_url", CONFIG_STRING, "", "LEYE_DATABASE_URL", database_url, 0, 0,
        "PostgreSQL connection string or URI (make run/test provide a local one)"),
    OPT("database_owner_url", CONFIG_STRING, "", "LEYE_DATABASE_OWNER_URL", database_owner_url, 0,
        0, "the schema owner's connection, for migrations (default: LEYE_DATABASE_URL)"),
    OPT("database_replica_url", CONFIG_STRING, "", "LEYE_DATABASE_REPLICA_URL",
        database_replica_url, 0, 0,
        "a streaming replica for lists and reports (writes and reads by id stay on the primary)"),
    OPT("listen", CONFIG_STRING, "127.0.0.1", "LEYE_LISTEN", listen, 0, 0, "address to listen on"),
    OPT("port", CONFIG_INT, "8080", "LEYE_PORT", port, 0, 65535, "TCP port (0 = any free port)"),
    OPT("threads", CONFIG_INT, "0", "LEYE_THREADS", threads, 0, 64,
        "event-loop threads (0 = one per core)"),
    OPT("db_pool_size", CONFIG_INT, "8", "LEYE_DB_POOL_SIZE", db_pool_size, 1, 1000,
        "request connections in all, at least one per thread (background threads add their own)"),
    OPT("db_queue_max", CONFIG_INT, "512", "LEYE_DB_QUEUE_MAX", db_queue_max, 1, 100000,
        "queries waiting for a connection, per thread, before 503"),
    OPT("db_query_timeout_ms", CONFIG_INT, "5000", "LEYE_DB_QUERY_TIMEOUT_MS", db_query_timeout_ms,
        10, 600000, "deadline of one database query (then 504, and the query is cancelled)"),
    OPT("db_connect_timeout_ms", CONFIG_INT, "2000", "LEYE_DB_CONNECT_TIMEOUT_MS",
        db_connect_timeout_ms, 10, 600000, "deadline of one connection attempt"),
    OPT("log_level", CONFIG_STRING, "info", "LEYE_LOG_LEVEL", log_level, 0, 0,
        "error, warn, info or debug"),
    OPT("max_body_bytes", CONFIG_INT, "1048576", "LEYE_MAX_BODY_BYTES", max_body_bytes, 1024,
        1 << 30, "largest request body"),
    OPT("max_import_bytes", CONFIG_INT, "67108864", "LEYE_MAX_IMPORT_BYTES", max_import_bytes, 1024,
        1 << 30, "largest body of a CSV import (/v1/imports/...)"),
    OPT("max_header_bytes", CONFIG_INT, "16384", "LEYE_MAX_HEADER_BYTES", max_header_bytes, 1024,
        1 << 20, "largest request line and headers"),
    OPT("max_connections", CONFIG_INT, "8192", "LEYE_MAX_CONNECTIONS", max_connections, 1, 1000000,
        "open client connections; more are answered 503"),
    OPT("idle_timeout_s", CONFIG_INT, "30", "LEYE_IDLE_TIMEOUT_S", idle_timeout_s, 1, 3600,
        "read/write timeout and keep-alive idle time"),
    OPT("header_timeout_s", CONFIG_INT, "10", "LEYE_HEADER_TIMEOUT_S", header_timeout_s, 1, 3600,
        "time allowed for a whole request head"),
    OPT("shutdown_timeout_s", CONFIG_INT, "10", "LEYE_SHUTDOWN_TIMEOUT_S", shutdown_timeout_s, 0,
        3600, "how long in-flight requests may finish on SIGTERM; bounds the whole exit"),
    OPT("migrate_on_start", CONFIG_BOOL, "true", "LEYE_MIGRATE_ON_START", migrate_on_start, 0, 0,
        "apply pending migrations when serving starts"),
    OPT("session_ttl_s", CONFIG_INT, "28800", "LEYE_SESSION_TTL_S", session_ttl_s, 60, 604800,
        "lifetime of a staff session"),
    OPT("session_cache_ms", CONFIG_INT, "1000", "LEYE_SESSION_CACHE_MS", session_cache_ms, 0, 1000,
        "how long a staff session may be served from memory (0: looked up every time)"),
    OPT("pii_key_file", CONFIG_STRING, "", "LEYE_PII_KEY_FILE", pii_key_file, 0, 0,
        "file holding the 32-byte key for ID numbers, as 64 hex digits"),
    OPT("pii_key", CONFIG_STRING, "", "LEYE_PII_KEY", pii_key, 0, 0,
        "the same key given directly (prefer the file)"),
    OPT("metrics_token", CONFIG_STRING, "", "LEYE_METRICS_TOKEN", metrics_token, 0, 0,
        "bearer token a scraper sends to GET /metrics (16-100 characters; unset: /metrics is off)"),
    OPT("notify_delivery", CONFIG_BOOL, "true", "LEYE_NOTIFY_DELIVERY", notify_delivery, 0, 0,
        "this instance runs a notification delivery thread (any number of instances may)"),
    OPT("notify_sms_url", CONFIG_STRING, "", "LEYE_NOTIFY_SMS_URL", notify_sms_url, 0, 0,
        "the SMS gateway's https:// (or http://) address (unset: texts wait, nothing is sent)"),
    OPT("notify_sms_account", CONFIG_STRING, "", "LEYE_NOTIFY_SMS_ACCOUNT", notify_sms_account, 0,
        0, "the account at the SMS gateway"),
    OPT("notify_sms_secret", CONFIG_STRING, "", "LEYE_NOTIFY_SMS_SECRET", notify_sms_secret, 0, 0,
        "the key that signs requests to the SMS gateway"),
    OPT("notify_sms_sign", CONFIG_STRING, "乐业", "LEYE_NOTIFY_SMS_SIGN", notify_sms_sign, 0, 0,
        "the signature name the gateway approved"),
    OPT("notify_sms_daily_cap", CONFIG_INT, "5", "LEYE_NOTIFY_SMS_DAILY_CAP", notify_sms_daily_cap,
        1, 1000, "texts to one number per day; more wait for the next morning"),
    OPT("notify_retry_base_ms", CONFIG_INT, "60000", "LEYE_NOTIFY_RETRY_BASE_MS",
        notify_retry_base_ms, 10, 86400000, "wait after the first failed send, doubled each time"),
    OPT("notify_retry_cap_ms", CONFIG_INT, "28800000", "LEYE_NOTIFY_RETRY_CAP_MS",
        notify_retry_cap_ms, 10, 86400000, "longest wait between two tries"),
    OPT("notify_max_attempts", CONFIG_INT, "17", "LEYE_NOTIFY_MAX_ATTEMPTS", notify_max_attempts, 1,
        100, "tries before a message is dead (17 with the defaults: about 2.7 days)"),
    OPT("notify_lease_ms", CONFIG_INT, "60000", "LEYE_NOTIFY_LEASE_MS", notify_lease_ms, 100,
        3600000, "a claimed message is sent again by any instance after this"),
    OPT("notify_poll_ms", CONFIG_INT, "1000", "LEYE_NOTIFY_POLL_MS", notify_poll_ms, 10, 600000,
        "a quiet outbox is looked at again after this"),
    OPT("notify_timeout_ms", CONFIG_INT, "10000", "LEYE_NOTIFY_TIMEOUT_MS", notify_timeout_ms, 100,
        120000, "one send, from connecting to the answer's status line"),
    OPT("notify_digest_every_s", CONFIG_INT, "60", "LEYE_NOTIFY_DIGEST_EVERY_S",
        notify_digest_every_s, 1, 3600,
        "new vacancies go into digests, and the day's digests are written, this often"),
    OPT("notify_plain_http", CONFIG_BOOL, "false", "LEYE_NOTIFY_PLAIN_HTTP", notify_plain_http, 0,
        0, "brokers' webhook endpoints may be plain http:// (unset: https:// only)"),
    OPT("tls_ca_file", CONFIG_STRING, "", "LEYE_TLS_CA_FILE", tls_ca_file, 0, 0,
        "PEM file of CAs trusted beside the system's for https:// webhooks and the SMS gateway"),
    OPT("department_list_days", CONFIG_INT, "90", "LEYE_DEPARTMENT_LIST_DAYS", department_list_days,
        0, 3650,
        "days an imported department list is kept before it is deleted (0: deleted at once)"),
};

#define CONFIG_N (sizeof config_options / sizeof config_options[0])

static int config_set(struct config *cfg, const struct config_option *o, const char *val,
                      const char *source, FILE *err)
{
    char *field = (char *)cfg + o->offset;
    switch (o->type) {
    case CONFIG_STRING: {
        char *copy = strdup(val);
        if (!copy)
            return -1;
        free(*(char **)field);
        *(char **)field = copy;
        return 0;
    }
    case CONFIG_INT: {
        char *end;
        errno = 0;
        long v = strtol(val, &end, 10);
        if (errno || end == val || *end || v < o->min || v > o->max) {
            fprintf(err, "%s: %s must be a whole number from %ld to %ld, not \"%s\"\n", source,
                    o->name, o->min, o->max, val);
            return -1;
        }
        *(int *)field = (int)v;
        return 0;
    }
    case CONFIG_BOOL:
        if (!strcmp(val, "1") || !strcmp(val, "true") || !strcmp(val, "yes") ||
            !strcmp(val, "on")) {
            *(bool *)field = true;
        } else if (!strcmp(val, "0") || !strcmp(val, "false") || !strcmp(val, "no") ||
                   !strcmp(val, "off")) {
            *(bool *)field = false;
        } else {
            fprintf(err, "%s: %s must be true or false, not \"%s\"\n", source, o->name, val);
            return -1;
        }
        return 0;
    }
    return -1;
}

static const struct config_option *config_find(const char *name, size_t len)
{
    for (size_t i = 0; i < CONFIG_N; i++) {
        const char *n = config_options[i].name;
        if (strlen(n) != len)
            continue;
        size_t j = 0;
        while (j < len && (name[j] == n[j] || (name[j] == '-' && n[j] == '_')))
            j++;
        if (j == len)
            return &config_options[i];
    }
    return NULL;
}

static int config_flags(struct config *cfg, int argc, char **argv, FILE *err)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0) {
            fprintf(err, "unexpected argument \"%s\"\n", a);
            return -1;
        }
        a += 2;
        const char *eq = strchr(a, '=');
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        const struct config_option *o = config_find(a, len);
        if (!o) {
            fprintf(err, "unknown option --%.*s (see --help)\n", (int)len, a);
            return -1;
        }
        const char *val = eq ? eq + 1 : NULL;
        if (!val && o->type == CONFIG_BOOL)
            val = "true";
        if (!val) {
            if (i + 1 >= argc) {
                fprintf(err, "--%s needs a value\n", o->name);
                return -1;
            }
            val = argv[++i];
        }
        if (config_set(cfg, o, val, "flag", err) < 0)
            return -1;
    }
    return 0;
}

int config_load(struct config *cfg, int argc, char **argv, FILE *err)
{
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < CONFIG_N; i++) {
        const struct config_option *o = &config_options[i];
        if (config_set(cfg, o, o->def, "default", err) < 0)
            goto fail;
        const char *env = getenv(o->env);
        if (env && *env && config_set(cfg, o, env, o->env, err) < 0)
            goto fail;
    }
    if (config_flags(cfg, argc, argv, err) < 0)
        goto fail;
    return 0;
fail:
    config_free(cfg);
    return -1;
}

void config_free(struct config *cfg)
{
    for (size_t i = 0; i < CONFIG_N; i++) {
        if (config_options[i].type == CONFIG_STRING) {
            char **p = (char **)((char *)cfg + config_options[i].offset);
            free(*p);
            *p = NULL;
        }
    }
}

void config_print_help(FILE *out)
{
    fprintf(out, "%-24s %-28s %-10s %s\n", "flag", "environment", "default", "meaning");
    for (size_t i = 0; i < CONFIG_N; i++) {
        const struct config_option *o = &config_options[i];
        char flag[40];
        snprintf(flag, sizeof flag, "--%s", o->name);
        for (char *p = flag + 2; *p; p++)
            if (*p == '_')
                *p = '-';
        fprintf(out, "%-24s %-28s %-10s %s\n", flag, o->env, *o->def ? o->def : "-", o->help);
    }
}
