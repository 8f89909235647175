/* vacancies handlers */
#ifndef LEYE_H_VACANCIES_H
#define LEYE_H_VACANCIES_H

struct httpd_req;

void h_vacancies_list(struct httpd_req *r);
void h_vacancies_create(struct httpd_req *r);
void h_vacancies_get(struct httpd_req *r);
void h_vacancies_update(struct httpd_req *r);

#endif
