/*
 * h_help: households that ask for help at the kiosk (see h_help.c).
 */
#ifndef LEYE_H_HELP_H
#define LEYE_H_HELP_H

struct httpd_req;

/* POST /v1/kiosk/help {reason}: opens (or returns the open) self_application
 * visit for the signed-in person's household. */
void h_kiosk_help(struct httpd_req *r);

#endif
