/* workers handlers: /v1/workers (see h_workers.c) */
#ifndef LEYE_H_WORKERS_H
#define LEYE_H_WORKERS_H

struct httpd_req;

void h_workers_list(struct httpd_req *r);
void h_workers_create(struct httpd_req *r);
void h_workers_get(struct httpd_req *r);
void h_workers_update(struct httpd_req *r);

#endif
