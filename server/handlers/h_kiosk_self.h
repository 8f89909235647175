/* kiosk self-service handlers: /v1/kiosk/me and /v1/kiosk/applications (see h_kiosk_self.c) */
#ifndef LEYE_H_KIOSK_SELF_H
#define LEYE_H_KIOSK_SELF_H

struct httpd_req;

void h_kiosk_me(struct httpd_req *r);
void h_kiosk_applications_list(struct httpd_req *r);
void h_kiosk_applications_create(struct httpd_req *r);
void h_kiosk_application_get(struct httpd_req *r);
void h_kiosk_application_withdraw(struct httpd_req *r);
void h_kiosk_application_slip(struct httpd_req *r);

#endif
