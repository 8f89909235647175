/*
 * auth: the gate every routed request passes: who is calling, and whether
 * the route's policy lets them.  The HTTP layer calls auth_dispatch through
 * the gate callback it is given (httpd_new); the /v1/auth/ routes themselves
 * are handlers (h_auth.c).
 *
 * Staff log in with username and password (Argon2id, hashed on a background
 * thread) and get an opaque session token; kiosks and brokers follow in the
 * same shape.  Tokens are 256-bit random values sent as
 * "Authorization: Bearer <token>" and stored only as BLAKE2b hashes.  Unknown,
 * expired and revoked tokens all get the same 401 body.
 */
#ifndef LEYE_AUTH_H
#define LEYE_AUTH_H

#include "httpd.h"
#include "principal.h"
#include "router.h"

/* Prepares the module (a dummy hash for timing-safe failed logins).
 * Call once at start, after sodium_init.  Returns 0 or -1. */
int auth_init(int session_ttl_s) __attribute__((warn_unused_result));

/* Checks every route's policy exists.  Returns the index of the first route
 * whose policy is unknown, or -1. */
long auth_check_routes(const struct router_route *routes, size_t n);

/* Resolves the caller, applies the route's policy, then runs its handler or
 * answers 401/403 (never both). */
void auth_dispatch(struct httpd_req *r, const struct router_route *route);

/* Gives a read the audit actor a write carries (who, from where, which
 * request), so that the queries it runs next can record themselves in the
 * audit log.  Returns false (having answered 500) when it cannot be built. */
bool auth_attach_actor(struct httpd_req *r) __attribute__((warn_unused_result));

/* Hashes a password with Argon2id into out (crypto_pwhash_STRBYTES).  Blocking:
 * command line and background threads only.  Returns 0 or -1. */
int auth_hash_password(const char *password, char *out) __attribute__((warn_unused_result));

/* True if password matches the Argon2id hash stored.  With stored NULL (no
 * such account) it checks against a dummy hash, so that a failed login for
 * an unknown name takes as long as one for a known name, and returns false.
 * Blocking: background threads only. */
bool auth_password_verify(const char *stored, const char *password)
    __attribute__((warn_unused_result));

/* The lifetime of a staff session in seconds (as given to auth_init). */
int auth_session_ttl_s(void);

/* The bearer token of the request (borrowed), or NULL when there is none or
 * it is not 20-100 characters long. */
const char *auth_bearer(struct httpd_req *r);

/* Answers 401 with the WWW-Authenticate challenge; every unknown, expired
 * or revoked token gets this same answer. */
void auth_reply_unauthorized(struct httpd_req *r);

#endif
