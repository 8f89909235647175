/* auth handlers: /v1/auth/login, logout, me, password (see h_auth.c) */
#ifndef LEYE_H_AUTH_H
#define LEYE_H_AUTH_H

struct httpd_req;

void h_auth_login(struct httpd_req *r);
void h_auth_logout(struct httpd_req *r);
void h_auth_me(struct httpd_req *r);
void h_auth_password(struct httpd_req *r);

#endif
