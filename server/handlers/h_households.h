/* households handlers: /v1/households (see h_households.c) */
#ifndef LEYE_H_HOUSEHOLDS_H
#define LEYE_H_HOUSEHOLDS_H

struct httpd_req;

void h_households_list(struct httpd_req *r);
void h_households_create(struct httpd_req *r);
void h_households_get(struct httpd_req *r);
void h_households_update(struct httpd_req *r);

#endif
