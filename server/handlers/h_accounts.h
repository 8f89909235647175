/* Accounts, PINs, brokers' keys and places from the console (see h_accounts.c). */
#ifndef LEYE_H_ACCOUNTS_H
#define LEYE_H_ACCOUNTS_H

struct httpd_req;

/* A password the server makes: three groups of four letters and digits that
 * cannot be confused with each other, "abcd-efgh-jkmn" (about 62 bits). */
#define H_ACCOUNTS_PASSWORD_LEN 14
void h_accounts_make_password(char out[H_ACCOUNTS_PASSWORD_LEN + 1]);
/* A kiosk PIN the server makes: six digits, not all the same and not a run
 * up or down (123456, 654321). */
void h_accounts_make_pin(char out[7]);

/* GET /v1/accounts, GET /v1/accounts/{id}: the accounts the caller manages
 * (province staff: all; county staff: site staff of their counties' sites). */
void h_accounts_list(struct httpd_req *r);
void h_accounts_get(struct httpd_req *r);
/* POST /v1/accounts: 201 with the account and its first password, shown once. */
void h_accounts_create(struct httpd_req *r);
/* POST /v1/accounts/{id}/password: a new password, shown once; sessions end. */
void h_account_password_reset(struct httpd_req *r);
/* POST /v1/accounts/{id}/lock and /unlock. */
void h_account_lock(struct httpd_req *r);
void h_account_unlock(struct httpd_req *r);
/* GET /v1/accounts/{id}/sign-ins: sign-ins and failed attempts, newest first. */
void h_account_sign_ins(struct httpd_req *r);
/* POST /v1/workers/{id}/pin-reset: a new six-digit kiosk PIN, shown once. */
void h_worker_pin_reset(struct httpd_req *r);
/* POST /v1/brokers; POST and GET /v1/brokers/{id}/keys (the key shown once,
 * never listed); POST /v1/brokers/{id}/keys/{key}/revoke. */
void h_brokers_create(struct httpd_req *r);
void h_broker_keys_create(struct httpd_req *r);
void h_broker_keys_list(struct httpd_req *r);
void h_broker_key_revoke(struct httpd_req *r);
/* GET /v1/places/nearest?lat=&lon=[&limit=]: sites and county seats nearest a point. */
void h_places_nearest(struct httpd_req *r);

/* h_kiosk_prefs.c: PATCH /v1/kiosk/me/preferences (If-Match: the profile's version) */
void h_kiosk_preferences_update(struct httpd_req *r);

#endif
