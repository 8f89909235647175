/* applications handlers */
#ifndef LEYE_H_APPLICATIONS_H
#define LEYE_H_APPLICATIONS_H

struct httpd_req;

void h_applications_list(struct httpd_req *r);
void h_applications_create(struct httpd_req *r);
void h_applications_get(struct httpd_req *r);
void h_applications_transition(struct httpd_req *r);

#endif
