/* taxonomy handlers: occupations, skills, certificate types, skill levels, provinces */
#ifndef LEYE_H_TAXONOMY_H
#define LEYE_H_TAXONOMY_H

struct httpd_req;

void h_occupations_list(struct httpd_req *r);
void h_occupations_get(struct httpd_req *r);

void h_skills_list(struct httpd_req *r);
void h_skills_create(struct httpd_req *r);
void h_skills_get(struct httpd_req *r);
void h_skills_update(struct httpd_req *r);

void h_certificate_types_list(struct httpd_req *r);
void h_certificate_types_create(struct httpd_req *r);
void h_certificate_types_get(struct httpd_req *r);
void h_certificate_types_update(struct httpd_req *r);

void h_skill_levels_list(struct httpd_req *r);
void h_provinces_list(struct httpd_req *r);

#endif
