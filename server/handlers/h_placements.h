/* placements handlers: placements, their follow-ups, early-warning tasks */
#ifndef LEYE_H_PLACEMENTS_H
#define LEYE_H_PLACEMENTS_H

struct httpd_req;

void h_placements_list(struct httpd_req *r);
void h_placements_get(struct httpd_req *r);
void h_placements_end(struct httpd_req *r);
void h_followups_record(struct httpd_req *r);
void h_followups_list(struct httpd_req *r);
void h_warning_tasks_list(struct httpd_req *r);
void h_warning_tasks_get(struct httpd_req *r);
void h_warning_tasks_update(struct httpd_req *r);

#endif
