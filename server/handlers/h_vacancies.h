/* vacancies handlers */
#ifndef LEYE_H_VACANCIES_H
#define LEYE_H_VACANCIES_H

#include <jansson.h>

struct httpd_req;

void h_vacancies_list(struct httpd_req *r);
void h_vacancies_create(struct httpd_req *r);
void h_vacancies_get(struct httpd_req *r);
void h_vacancies_update(struct httpd_req *r);

/* Runs the create function fn (api_<r>_create) on the validated body obj
 * (borrowed) under the request's Idempotency-Key, and answers with its
 * result; a 201 gets Location location/<id> when location is not NULL.
 * For creates whose body the shared api_create cannot take as it is. */
void vacancies_idem_call(struct httpd_req *r, const char *fn, const json_t *obj,
                         const char *location);

#endif
