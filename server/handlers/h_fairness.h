/*
 * h_fairness: the fairness report (GET /v1/reports/fairness, JSON or CSV)
 * and a worker's optional ethnicity, which only that report reads
 * (GET/PUT /v1/workers/{id}/ethnicity, for the ethnicity permission).
 */
#ifndef LEYE_H_FAIRNESS_H
#define LEYE_H_FAIRNESS_H

struct httpd_req;

void h_reports_fairness(struct httpd_req *r);
void h_worker_ethnicity_get(struct httpd_req *r);
void h_worker_ethnicity_put(struct httpd_req *r);

#endif
