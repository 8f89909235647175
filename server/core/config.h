/*
 * config: the server's settings, from one table of
 * {name, type, default, environment variable}.
 *
 * Precedence: built-in default < environment variable < command-line flag
 * (--name=value or --name value, with '_' or '-' in the name).
 */
#ifndef LEYE_CONFIG_H
#define LEYE_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

struct config {
    char *database_url;         /* LEYE_DATABASE_URL (libpq connection string or URI) */
    char *database_owner_url;   /* LEYE_DATABASE_OWNER_URL: migrations ("" = database_url) */
    char *database_replica_url; /* LEYE_DATABASE_REPLICA_URL, or "" */
    char *listen;               /* LEYE_LISTEN */
    int port;                   /* LEYE_PORT */
    int threads;                /* LEYE_THREADS, 0 = one per core */
    int db_pool_size;           /* LEYE_DB_POOL_SIZE, connections in all */
    int db_queue_max;           /* LEYE_DB_QUEUE_MAX, waiting queries per thread */
    int db_query_timeout_ms;    /* LEYE_DB_QUERY_TIMEOUT_MS */
    int db_connect_timeout_ms;  /* LEYE_DB_CONNECT_TIMEOUT_MS */
    char *log_level;            /* LEYE_LOG_LEVEL */
    int max_body_bytes;         /* LEYE_MAX_BODY_BYTES */
    int max_import_bytes;       /* LEYE_MAX_IMPORT_BYTES */
    int max_header_bytes;       /* LEYE_MAX_HEADER_BYTES */
    int max_connections;        /* LEYE_MAX_CONNECTIONS */
    int idle_timeout_s;         /* LEYE_IDLE_TIMEOUT_S: keep-alive and read/write timeout */
    int header_timeout_s;       /* LEYE_HEADER_TIMEOUT_S: whole request head must arrive in this */
    int shutdown_timeout_s;     /* LEYE_SHUTDOWN_TIMEOUT_S */
    bool migrate_on_start;      /* LEYE_MIGRATE_ON_START */
    bool notify_delivery;       /* LEYE_NOTIFY_DELIVERY: this instance sends notifications */
    int session_ttl_s;          /* LEYE_SESSION_TTL_S */
    int session_cache_ms;       /* LEYE_SESSION_CACHE_MS: staff sessions kept in memory, <= 1000 */
    char *pii_key_file;         /* LEYE_PII_KEY_FILE */
    char *pii_key;              /* LEYE_PII_KEY (hex), when there is no file */
    char *metrics_token;        /* LEYE_METRICS_TOKEN: bearer token for /metrics, "" = off */
    char *notify_sms_url;       /* LEYE_NOTIFY_SMS_URL: the SMS gateway, "" = no SMS sent */
    char *notify_sms_account;   /* LEYE_NOTIFY_SMS_ACCOUNT */
    char *notify_sms_secret;    /* LEYE_NOTIFY_SMS_SECRET: signs each gateway request */
    char *notify_sms_sign;      /* LEYE_NOTIFY_SMS_SIGN: the approved signature name */
    int notify_sms_daily_cap;   /* LEYE_NOTIFY_SMS_DAILY_CAP: texts per number per day */
    int notify_retry_base_ms;   /* LEYE_NOTIFY_RETRY_BASE_MS: first wait after a failed send */
    int notify_retry_cap_ms;    /* LEYE_NOTIFY_RETRY_CAP_MS: longest wait between tries */
    int notify_max_attempts;    /* LEYE_NOTIFY_MAX_ATTEMPTS: tries before a message is dead */
    int notify_lease_ms;        /* LEYE_NOTIFY_LEASE_MS: a claimed message's lease */
    int notify_poll_ms;         /* LEYE_NOTIFY_POLL_MS: a quiet outbox is looked at again */
    int notify_timeout_ms;      /* LEYE_NOTIFY_TIMEOUT_MS: one send, connect to answer */
    int department_list_days;   /* LEYE_DEPARTMENT_LIST_DAYS: retention of department lists */
    int notify_digest_every_s;  /* LEYE_NOTIFY_DIGEST_EVERY_S: digest pass interval */
    bool notify_plain_http;     /* LEYE_NOTIFY_PLAIN_HTTP: webhooks may be http:// */
    char *tls_ca_file;          /* LEYE_TLS_CA_FILE: CAs trusted beside the system's */
};

/*
 * Fills cfg from defaults, the environment and argv (flags only: the caller
 * removes the command word first).  On a bad value prints the reason to err
 * and returns -1.  Strings in cfg are owned by cfg: free with config_free().
 */
int config_load(struct config *cfg, int argc, char **argv, FILE *err)
    __attribute__((warn_unused_result));

/* Frees the strings owned by cfg. */
void config_free(struct config *cfg);

/* Prints the table of settings with their environment variables and defaults. */
void config_print_help(FILE *out);

#endif
