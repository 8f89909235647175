/* handlers: the route handlers, grouped by resource file (h_<resource>.c). */
#ifndef LEYE_HANDLERS_H
#define LEYE_HANDLERS_H

#include "httpd.h"

/* h_health.c */
void h_healthz(struct httpd_req *r);
void h_readyz(struct httpd_req *r);
void h_openapi(struct httpd_req *r);
/* Sets the bearer token GET /metrics requires ("" or NULL: /metrics answers
 * 404).  Call once before serving; keeps only a hash.  Returns 0, or -1 when
 * the token is not 16-100 visible ASCII characters. */
int h_metrics_init(const char *token) __attribute__((warn_unused_result));
void h_metrics(struct httpd_req *r);

/* h_regions.c */
void h_regions_list(struct httpd_req *r);
void h_regions_get(struct httpd_req *r);

/* h_allocations.c */
void h_allocations_create(struct httpd_req *r);
void h_allocations_list(struct httpd_req *r);
void h_allocation_get(struct httpd_req *r);
void h_allocation_unassigned(struct httpd_req *r);
void h_allocation_drop(struct httpd_req *r);
void h_allocation_restore(struct httpd_req *r);
void h_allocation_swap(struct httpd_req *r);
void h_allocation_confirm(struct httpd_req *r);
void h_allocation_cancel(struct httpd_req *r);
void h_allocation_notice(struct httpd_req *r);
void h_allocation_objection(struct httpd_req *r);
void h_allocation_resolve(struct httpd_req *r);

/* h_reports.c */
void h_reports_dashboard(struct httpd_req *r);
void h_reports_quarterly(struct httpd_req *r);

/* h_audit.c */
void h_audit_list(struct httpd_req *r);
void h_brokers_list(struct httpd_req *r);
void h_brokers_get(struct httpd_req *r);
/* GET /v1/{workers,households,vacancies}/{id}/history: the audit rows of the
 * record and of what belongs to it, newest first; 404 outside the caller's scope */
void h_workers_history(struct httpd_req *r);
void h_households_history(struct httpd_req *r);
void h_vacancies_history(struct httpd_req *r);

/* h_sites.c */
void h_sites_list(struct httpd_req *r);
void h_sites_create(struct httpd_req *r);
void h_sites_get(struct httpd_req *r);
void h_sites_update(struct httpd_req *r);

/* h_kiosk.c */
void h_kiosk_login(struct httpd_req *r);
void h_kiosk_logout(struct httpd_req *r);
void h_worker_pin_set(struct httpd_req *r);

/* h_import.c */
void h_import_households(struct httpd_req *r);
void h_import_workers(struct httpd_req *r);

/* h_reveal.c */
void h_worker_reveal(struct httpd_req *r);

/* routes.c: the route table (each route with its policy). */
extern const struct router_route routes_table[];
extern const size_t routes_count;

#endif
