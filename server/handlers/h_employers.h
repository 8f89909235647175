/* employers handlers */
#ifndef LEYE_H_EMPLOYERS_H
#define LEYE_H_EMPLOYERS_H

struct httpd_req;

void h_employers_list(struct httpd_req *r);
void h_employers_create(struct httpd_req *r);
void h_employers_get(struct httpd_req *r);
void h_employers_update(struct httpd_req *r);

#endif
