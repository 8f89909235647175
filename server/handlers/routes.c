/*
 * The route table.  Every route names its policy; router_check_table()
 * refuses to start a server with a route that has none, and a test keeps
 * this table and docs/openapi.json in step.
 */
#include "handlers.h"

/* one header per further resource file */
#include "h_accounts.h"
#include "h_applications.h"
#include "h_auth.h"
#include "h_employers.h"
#include "h_export.h"
#include "h_fairness.h"
#include "h_deptlists.h"
#include "h_help.h"
#include "h_households.h"
#include "h_kiosk_self.h"
#include "h_matches.h"
#include "h_notify.h"
#include "h_payroll.h"
#include "h_placements.h"
#include "h_projects.h"
#include "h_static.h"
#include "h_taxonomy.h"
#include "h_training.h"
#include "h_vacancies.h"
#include "h_workers.h"

/* each resource lists its routes in server/handlers/routes/<resource>.inc */
const struct router_route routes_table[] = {
    {"GET", "/healthz", h_healthz, "public"},
    {"GET", "/readyz", h_readyz, "public"},
    {"GET", "/openapi.json", h_openapi, "public"},
    {"GET", "/metrics", h_metrics, "metrics"},
    {"POST", "/v1/auth/login", h_auth_login, "public"},
    {"POST", "/v1/auth/logout", h_auth_logout, "session"},
    {"GET", "/v1/auth/me", h_auth_me, "session"},
    {"POST", "/v1/auth/password", h_auth_password, "password"},
    {"PUT", "/v1/workers/{id}/pin", h_worker_pin_set, "workers:write"},
    {"POST", "/v1/workers/{id}/reveal", h_worker_reveal, "pii:reveal"},
    {"POST", "/v1/imports/households", h_import_households, "imports:write"},
    {"POST", "/v1/imports/workers", h_import_workers, "imports:write"},
    {"GET", "/v1/audit", h_audit_list, "audit:read"},
    {"GET", "/v1/reports/dashboard", h_reports_dashboard, "reports:read"},
    {"GET", "/v1/reports/quarterly", h_reports_quarterly, "reports:read"},
    {"GET", "/v1/brokers", h_brokers_list, "applications:read"},
    {"GET", "/v1/brokers/{id}", h_brokers_get, "applications:read"},
    {"GET", "/v1/regions", h_regions_list, "public"},
    {"GET", "/v1/regions/{code}", h_regions_get, "public"},
    {"GET", "/v1/sites", h_sites_list, "sites:read"},
    {"POST", "/v1/sites", h_sites_create, "sites:write"},
    {"GET", "/v1/sites/{id}", h_sites_get, "sites:read"},
    {"PATCH", "/v1/sites/{id}", h_sites_update, "sites:write"},
#include "routes/households.inc"
#include "routes/workers.inc"
#include "routes/taxonomy.inc"
#include "routes/employers.inc"
#include "routes/vacancies.inc"
#include "routes/projects.inc"
#include "routes/applications.inc"
#include "routes/placements.inc"
#include "routes/matches.inc"
#include "routes/allocations.inc"
#include "routes/kiosk.inc"
#include "routes/export.inc"
#include "routes/notify.inc"
#include "routes/help.inc"
#include "routes/fairness.inc"
#include "routes/accounts.inc"
#include "routes/payroll.inc"
#include "routes/training.inc"
    {"GET", "/console", h_static_console_redirect, "public"},
    {"GET", "/console/", h_static_console_index, "public"},
    {"GET", "/console/{file}", h_static_console_file, "public"},
};

const size_t routes_count = sizeof routes_table / sizeof routes_table[0];
