/* h_notify.c: notifications (kiosk inbox and choices, staff's list, replay)
 * and brokers' self-service (their applications, keys, webhook endpoints). */
#ifndef LEYE_H_NOTIFY_H
#define LEYE_H_NOTIFY_H

#include "httpd.h"

/* GET /v1/broker/applications: the calling broker's applications, each with
 * its status, the hire (start date, end) and six-month retention. */
void h_broker_applications(struct httpd_req *r);
/* GET /v1/broker/keys: the broker's keys, never the key itself. */
void h_broker_own_keys_list(struct httpd_req *r);
/* POST /v1/broker/keys {scopes}: 201 with the new key, shown once. */
void h_broker_own_keys_create(struct httpd_req *r);
/* POST /v1/broker/keys/{id}/revoke: 409 for the key making the call. */
void h_broker_own_key_revoke(struct httpd_req *r);
/* GET, POST /v1/broker/webhooks; POST .../{id}/secrets (rotate); DELETE .../{id} */
void h_broker_webhooks_list(struct httpd_req *r);
/* Whether new endpoints may be plain http:// (LEYE_NOTIFY_PLAIN_HTTP);
 * otherwise they are refused (422 url https_required).  Call before serving. */
void h_notify_set_plain_http(bool allowed);
void h_broker_webhooks_create(struct httpd_req *r);
void h_broker_webhook_rotate(struct httpd_req *r);
void h_broker_webhook_delete(struct httpd_req *r);
/* GET /v1/notifications and /v1/broker/messages: the messages in the
 * caller's scope (filters status, channel), newest first. */
void h_notifications_list(struct httpd_req *r);
/* POST /v1/notifications/{id}/replay and /v1/broker/messages/{id}/replay:
 * sends a dead or delivered message again with the same id (202). */
void h_notification_replay(struct httpd_req *r);
/* GET /v1/kiosk/inbox: the seeker's messages, marked read. */
void h_kiosk_inbox(struct httpd_req *r);
/* GET, PUT /v1/kiosk/notifications: channels, quiet hours, digest threshold. */
void h_kiosk_notify_get(struct httpd_req *r);
void h_kiosk_notify_put(struct httpd_req *r);

#endif
