/* labour export handlers: /v1/export-trips, the panel of workers out of
 * province and the kiosk's trips (see h_export.c) */
#ifndef LEYE_H_EXPORT_H
#define LEYE_H_EXPORT_H

#include "httpd.h"

void h_export_trips_list(struct httpd_req *r);
void h_export_trips_create(struct httpd_req *r);
void h_export_trips_get(struct httpd_req *r);
void h_export_trips_update(struct httpd_req *r);
void h_export_trips_cancel(struct httpd_req *r);
void h_export_signup(struct httpd_req *r);
void h_export_fill(struct httpd_req *r);
void h_export_checkin(struct httpd_req *r);
void h_export_arrival(struct httpd_req *r);
void h_export_followup(struct httpd_req *r);
void h_export_subsidies(struct httpd_req *r);
void h_export_roster(struct httpd_req *r);
/* GET /v1/reports/out-of-province: the dashboard panel */
void h_export_panel(struct httpd_req *r);
void h_kiosk_export_trips(struct httpd_req *r);
void h_kiosk_export_signup(struct httpd_req *r);
void h_kiosk_export_withdraw(struct httpd_req *r);

#endif
