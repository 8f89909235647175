/* h_payroll: work-relief payroll and the management of public-welfare and
 * ranger posts (h_payroll.c, h_posts.c; routes in routes/payroll.inc).
 * Each handler answers its request exactly once. */
#ifndef LEYE_H_PAYROLL_H
#define LEYE_H_PAYROLL_H

#include "httpd.h"

/* GET /v1/work-relief-projects/{id}/roster?month=YYYY-MM */
void h_payroll_roster(struct httpd_req *r);
/* POST /v1/work-relief-projects/{id}/attendance: one day or a month's total */
void h_payroll_attendance(struct httpd_req *r);
/* POST /v1/work-relief-projects/{id}/attendance/import: CSV (UTF-8 or GBK), all or nothing */
void h_payroll_attendance_import(struct httpd_req *r);
/* GET and POST /v1/work-relief-projects/{id}/pay-sheets */
void h_payroll_sheets_list(struct httpd_req *r);
void h_payroll_sheets_create(struct httpd_req *r);
/* GET /v1/work-relief-projects/{id}/payments: lump sums of before and payments to workers */
void h_payroll_payments_list(struct httpd_req *r);
/* GET /v1/work-relief-projects/{id}/checks?late_days=N */
void h_payroll_checks(struct httpd_req *r);
/* /v1/pay-sheets/{id}: the sheet, a line's adjustment, approval (posts the
 * notice), the notice with names masked, objections and their resolution,
 * release */
void h_payroll_sheet_get(struct httpd_req *r);
void h_payroll_line_adjust(struct httpd_req *r);
void h_payroll_sheet_approve(struct httpd_req *r);
void h_payroll_sheet_notice(struct httpd_req *r);
void h_payroll_objection_create(struct httpd_req *r);
void h_payroll_objection_resolve(struct httpd_req *r);
void h_payroll_sheet_release(struct httpd_req *r);
/* POST /v1/payments (one, JSON) and /v1/payments/bank-returns (the bank's
 * CSV, all or nothing): the account number is encrypted before it is stored */
void h_payroll_payment_create(struct httpd_req *r);
void h_payroll_bank_returns(struct httpd_req *r);
/* /v1/payroll-spot-checks: a reproducible sample per county and month, results */
void h_payroll_spot_create(struct httpd_req *r);
void h_payroll_spot_get(struct httpd_req *r);
void h_payroll_spot_result(struct httpd_req *r);

/* h_posts.c: GET /v1/posts, GET and PUT /v1/placements/{id}/post, POST
 * /v1/placements/{id}/assessments, POST /v1/placements/{id}/post/end, GET
 * /v1/post-subsidy-roll?month=&county_code= */
void h_posts_list(struct httpd_req *r);
void h_posts_get(struct httpd_req *r);
void h_posts_terms_put(struct httpd_req *r);
void h_posts_assess(struct httpd_req *r);
void h_posts_end(struct httpd_req *r);
void h_posts_subsidy_roll(struct httpd_req *r);

#endif
