/* vacancies handlers */
#ifndef LEYE_H_VACANCIES_H
#define LEYE_H_VACANCIES_H

struct httpd_req;

#endif
