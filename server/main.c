/*
 * leye-server: the Leye employment-matching service.
 *
 *   leye-server [serve] [--flag=value ...]   serve HTTP (migrating first unless disabled)
 *   leye-server migrate [--flag=value ...]   apply pending migrations and exit
 *   leye-server demo [--flag=value ...]      load demo data into an empty database
 *   leye-server demo-accounts --file=F --url=U  a newcomer's accounts on the demo data
 *   leye-server admin create-user|set-password --username=… [--role=… --counties=… --sites=…]
 *   leye-server admin encrypt-phones         store plain phones encrypted (also done at start)
 *   leye-server routes                       print the route table
 *   leye-server policies                     print who may call what
 *   leye-server help | version
 */
#define _POSIX_C_SOURCE 200809L
#include "clock.h"
#include "config.h"
#include "h_deptlists.h"
#include "h_help.h"
#include "h_notify.h"
#include "handlers.h"
#include "httpd.h"
#include "log.h"
#include "allocator.h"
#include "matchidx.h"
#include "notify.h"
#include "migrate.h"
#include "pii.h"
#include "piiconv.h"
#include "policy.h"
#include "principal.h"
#include "admin.h"
#include "auth.h"
#include "authcache.h"
#include "contract.h"
#include "embedded.h"
#include "demo.h"
#include "demo_accounts.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#define LEYE_VERSION "0.1.0"

static void main_usage(FILE *out)
{
    fprintf(out,
            "usage: leye-server [command] [--flag=value ...]\n\n"
            "Commands:\n"
            "  serve          serve HTTP (the default; migrates first unless told not to)\n"
            "  migrate        apply pending migrations and exit\n"
            "  demo           load demo data (several Yunnan counties) into an empty database\n"
            "  demo-accounts  --file=F --url=U: on the first start with demo data, make an\n"
            "                 administrator, a county staff member, a broker key and a kiosk\n"
            "                 PIN, print them once and keep them in F (mode 0600)\n"
            "  admin          accounts and keys from the command line (LEYE_DATABASE_URL;\n"
            "                 the console does the same at /console/ under 账号):\n");
    admin_usage(out, 19);
    fprintf(out, "  routes         print the route table with each route's policy\n"
                 "  policies       print who may call what: each policy, the roles it admits and\n"
                 "                 the broker scope it needs (no sub-commands)\n"
                 "  help           this text (leye-server admin help: the admin commands alone)\n"
                 "  version        the version\n\n"
                 "Settings (flags override environment variables):\n");
    config_print_help(out);
}

/* Lets the server hold as many sockets as the hard limit allows. */
static void main_raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            log_warn("cannot raise the open-file limit");
    }
}

/* Migrations run as the schema's owner; serving may use a role with less. */
static const char *main_owner_url(const struct config *cfg)
{
    return cfg->database_owner_url[0] ? cfg->database_owner_url : cfg->database_url;
}

/* At the stop signal: the background threads stop beside the HTTP drain. */
static void main_stop_begin(int64_t deadline_us)
{
    (void)deadline_us;
    authcache_stop_begin();
    notify_stop_begin();
    allocator_stop_begin();
    matchidx_stop_begin();
}

/* Stops the background threads by deadline_us; false when one was left
 * running (it is abandoned: the process exits without it). */
static bool main_stop_jobs(int64_t deadline_us)
{
    main_stop_begin(deadline_us);
    bool ok = authcache_stop(deadline_us);
    ok &= notify_stop(deadline_us);
    ok &= allocator_stop(deadline_us);
    ok &= matchidx_stop(deadline_us);
    return ok;
}

static int main_serve(const struct config *cfg)
{
    long bad = router_check_table(routes_table, routes_count);
    if (bad >= 0) {
        log_error("route %s %s has no policy or is declared twice", routes_table[bad].method,
                  routes_table[bad].pattern);
        return 1;
    }
    bad = auth_check_routes(routes_table, routes_count);
    if (bad >= 0) {
        log_error("route %s %s names an unknown policy \"%s\"", routes_table[bad].method,
                  routes_table[bad].pattern, routes_table[bad].policy);
        return 1;
    }
    if (pii_init(cfg->pii_key_file, cfg->pii_key) < 0 || auth_init(cfg->session_ttl_s) < 0 ||
        h_metrics_init(cfg->metrics_token) < 0)
        return 1;
    h_deptlists_set_retention(cfg->department_list_days);
    h_notify_set_plain_http(cfg->notify_plain_http);
    if (cfg->migrate_on_start && migrate_run(main_owner_url(cfg)) < 0)
        return 1;
    /* plain phones (migrations/032) and readable webhook secrets (048) left
     * by older releases; on failure they wait for the next start (phones
     * also for `admin encrypt-phones`), and are used as they are meanwhile */
    if (piiconv_run(main_owner_url(cfg)) < 0)
        log_error("plain phone numbers remain: run leye-server admin encrypt-phones");
    main_raise_nofile();
    if (matchidx_start(cfg->database_url, cfg->database_replica_url) < 0) {
        log_error("cannot start the matching index");
        return 1;
    }
    if (allocator_start(cfg->database_url) < 0) {
        log_error("cannot start the allocation solver");
        main_stop_jobs(clock_now_us() + (int64_t)cfg->shutdown_timeout_s * 1000000);
        return 1;
    }
    if (notify_start(cfg) < 0) {
        log_error("cannot start the notification delivery");
        main_stop_jobs(clock_now_us() + (int64_t)cfg->shutdown_timeout_s * 1000000);
        return 1;
    }
    struct httpd *h =
        contract_load(embedded_openapi, embedded_openapi_len, routes_table, routes_count) == 0
            ? httpd_new(cfg, routes_table, routes_count, auth_dispatch)
            : NULL;
    if (!h) {
        log_error("cannot start the server");
        main_stop_jobs(clock_now_us() + (int64_t)cfg->shutdown_timeout_s * 1000000);
        contract_unload();
        return 1;
    }
    httpd_set_tick_hook(h, deptlist_purge_tick);
    httpd_set_stop_hook(h, main_stop_begin);
    if (authcache_start(cfg->database_url, cfg->session_cache_ms) < 0)
        log_warn("sessions are looked up in the database on every request: no cache listener");
    int rc = httpd_run(h);
    int64_t deadline = httpd_stop_deadline(h);
    httpd_free(h);
    if (!main_stop_jobs(deadline ? deadline : clock_now_us()))
        rc = -1;
    contract_unload();
    return rc == 0 ? 0 : 1;
}

static int main_routes(void)
{
    for (size_t i = 0; i < routes_count; i++)
        printf("%s %s %s\n", routes_table[i].method, routes_table[i].pattern,
               routes_table[i].policy);
    return 0;
}

/* Prints the policy table: name, the roles allowed, the broker scope needed. */
static int main_policies(void)
{
    unsigned n;
    const struct policy *p = policy_all(&n);
    for (unsigned i = 0; i < n; i++) {
        printf("%s ", p[i].name);
        const char *sep = "";
        for (unsigned bit = ROLE_ADMIN; bit <= ROLE_ANON; bit <<= 1)
            if (p[i].roles & bit) {
                printf("%s%s", sep, principal_role_name(bit));
                sep = ",";
            }
        const char *scope = principal_scope_name(p[i].broker_scope);
        printf(" %s\n", scope ? scope : "-");
    }
    return 0;
}

/* demo-accounts --file=F --url=U, with the database and PII key of the
 * environment (server/run-local.sh). */
static int main_demo_accounts(int argc, char **argv)
{
    const char *file = NULL, *url = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strncmp(argv[i], "--file=", 7))
            file = argv[i] + 7;
        else if (!strncmp(argv[i], "--url=", 6))
            url = argv[i] + 6;
    }
    if (!file || !*file || !url || !*url || sodium_init() < 0) {
        fprintf(stderr, "usage: leye-server demo-accounts --file=FILE --url=http://HOST:PORT\n");
        return 2;
    }
    struct config cfg;
    if (config_load(&cfg, 0, NULL, stderr) < 0)
        return 2;
    int rc = 1;
    if (!cfg.database_url[0])
        fprintf(stderr, "set LEYE_DATABASE_URL\n");
    else if (pii_init(cfg.pii_key_file, cfg.pii_key) == 0 &&
             demo_accounts_run(cfg.database_url, file, url) == 0)
        rc = 0;
    config_free(&cfg);
    return rc;
}

int main(int argc, char **argv)
{
    const char *cmd = "serve";
    if (argc > 1 && argv[1][0] != '-') {
        cmd = argv[1];
        argc--;
        argv++;
    }
    if (!strcmp(cmd, "help") || (argc > 1 && !strcmp(argv[1], "--help"))) {
        main_usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "version")) {
        printf("leye-server %s\n", LEYE_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "routes"))
        return main_routes();
    if (!strcmp(cmd, "policies"))
        return main_policies();
    if (!strcmp(cmd, "admin") &&
        (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help"))) {
        printf("usage: leye-server admin <command> [--name=value ...]\n");
        admin_usage(stdout, 2);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(cmd, "admin")) {
        if (sodium_init() < 0)
            return 1;
        struct config acfg;
        if (config_load(&acfg, 0, NULL, stderr) < 0)
            return 2;
        int rc = 2;
        if (acfg.database_url[0] && (acfg.pii_key_file[0] || acfg.pii_key[0]) &&
            pii_init(acfg.pii_key_file, acfg.pii_key) < 0)
            rc = 1;
        else if (acfg.database_url[0])
            rc = admin_main(acfg.database_url, argc - 1, argv + 1);
        if (!acfg.database_url[0])
            fprintf(stderr, "set LEYE_DATABASE_URL\n");
        config_free(&acfg);
        return rc;
    }
    if (!strcmp(cmd, "demo-accounts"))
        return main_demo_accounts(argc - 1, argv + 1);
    if (sodium_init() < 0) {
        fprintf(stderr, "libsodium failed to start\n");
        return 1;
    }
    struct config cfg;
    if (config_load(&cfg, argc - 1, argv + 1, stderr) < 0)
        return 2;
    enum log_level level;
    if (!log_parse_level(cfg.log_level, &level)) {
        fprintf(stderr, "LEYE_LOG_LEVEL must be error, warn, info or debug\n");
        config_free(&cfg);
        return 2;
    }
    log_set_level(level);
    int rc;
    if (!cfg.database_url[0]) {
        log_error("no database: set LEYE_DATABASE_URL or --database-url");
        rc = 2;
    } else if (!strcmp(cmd, "serve")) {
        rc = main_serve(&cfg);
    } else if (!strcmp(cmd, "migrate")) {
        rc = migrate_run(main_owner_url(&cfg)) < 0 ? 1 : 0;
    } else if (!strcmp(cmd, "demo")) {
        rc = pii_init(cfg.pii_key_file, cfg.pii_key) < 0 || demo_run(cfg.database_url) < 0 ? 1 : 0;
    } else {
        fprintf(stderr, "unknown command \"%s\"\n", cmd);
        main_usage(stderr);
        rc = 2;
    }
    config_free(&cfg);
    return rc;
}
