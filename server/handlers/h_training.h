/* training handlers: courses, enrolments, results, recommendations and skill
 * gaps (see h_training.c and migrations/038_training.sql) */
#ifndef LEYE_H_TRAINING_H
#define LEYE_H_TRAINING_H

struct httpd_req;

void h_courses_list(struct httpd_req *r);
void h_courses_create(struct httpd_req *r);
void h_courses_get(struct httpd_req *r);
void h_courses_update(struct httpd_req *r);
/* POST /v1/courses/{id}/results: a pass writes the proven skill and certificate */
void h_courses_result(struct httpd_req *r);
void h_enrolments_list(struct httpd_req *r);
void h_enrolments_create(struct httpd_req *r);
void h_enrolments_get(struct httpd_req *r);
void h_enrolments_withdraw(struct httpd_req *r);
void h_enrolments_attendance(struct httpd_req *r);
/* the courses a worker could take, ranked by the jobs each would open */
void h_worker_course_recommendations(struct httpd_req *r);
void h_training_gaps(struct httpd_req *r);
void h_kiosk_courses(struct httpd_req *r);
void h_kiosk_enrolments_list(struct httpd_req *r);
void h_kiosk_enrolments_create(struct httpd_req *r);

#endif
