/*
 * h_deptlists: lists from other departments compared with Leye's records
 * (see h_deptlists.c).
 */
#ifndef LEYE_H_DEPTLISTS_H
#define LEYE_H_DEPTLISTS_H

#include <stdint.h>

struct httpd_req;
struct pgpool;

/* POST /v1/imports/department-list?department=&name=&county_code= with a CSV
 * body (UTF-8 or GBK): all rows or none. */
void h_import_department_list(struct httpd_req *r);
void h_department_lists_list(struct httpd_req *r);
void h_department_list_get(struct httpd_req *r);
void h_department_list_tasks(struct httpd_req *r);

/* Days an imported list is kept (LEYE_DEPARTMENT_LIST_DAYS); call before serving. */
void h_deptlists_set_retention(int days);

/* From the maintenance tick of one event loop: every 10 s deletes the lists
 * whose retention has ended (asynchronously, on pool). */
void deptlist_purge_tick(struct pgpool *pool, int64_t now_us);

#endif
