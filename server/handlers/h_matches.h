/* Matching routes (h_matches.c). */
#ifndef LEYE_H_MATCHES_H
#define LEYE_H_MATCHES_H

#include "httpd.h"

void h_vacancy_candidates(struct httpd_req *r);
void h_vacancy_candidate(struct httpd_req *r);
void h_worker_matches(struct httpd_req *r);
void h_worker_match(struct httpd_req *r);
void h_kiosk_jobs(struct httpd_req *r);
void h_kiosk_job(struct httpd_req *r);
void h_matches_adhoc(struct httpd_req *r);
void h_match_weights_list(struct httpd_req *r);
void h_match_weights_update(struct httpd_req *r);

#endif
