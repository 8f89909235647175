/* projects handlers: work-relief (以工代赈) projects */
#ifndef LEYE_H_PROJECTS_H
#define LEYE_H_PROJECTS_H

struct httpd_req;

void h_projects_list(struct httpd_req *r);
void h_projects_create(struct httpd_req *r);
void h_projects_get(struct httpd_req *r);
void h_projects_update(struct httpd_req *r);
void h_projects_payment_create(struct httpd_req *r);

#endif
