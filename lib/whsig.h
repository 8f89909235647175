/*
 * whsig: Standard Webhooks 1.0 signatures (docs/notifications.md).
 *
 * A secret is "whsec_" followed by the base64 of its key bytes.  The
 * signature of a message is "v1," followed by the base64 of
 * HMAC-SHA256(key, "<msg id>.<unix seconds>.<body>").  During a rotation
 * a message carries one signature per live secret, separated by spaces.
 */
#ifndef LEYE_WHSIG_H
#define LEYE_WHSIG_H

#include <stdbool.h>
#include <stddef.h>

#define WHSIG_KEY_MAX 64     /* key bytes of one secret */
#define WHSIG_SECRET_MAX 100 /* characters of one "whsec_..." secret */
#define WHSIG_ONE_MAX 48     /* "v1," + 44 base64 characters + NUL */

/*
 * Writes a new secret of nbytes (24..WHSIG_KEY_MAX) random key bytes into
 * out (at least WHSIG_SECRET_MAX + 1 bytes).  Returns 0, or -1 for a bad size.
 */
int whsig_secret_new(size_t nbytes, char *out, size_t cap) __attribute__((warn_unused_result));

/*
 * Signs msg_id.timestamp.body with secret, writing "v1,<base64>" into out
 * (WHSIG_ONE_MAX bytes).  Returns 0, or -1 when the secret is not
 * "whsec_<base64>" with 1..WHSIG_KEY_MAX key bytes.
 */
int whsig_sign(const char *secret, const char *msg_id, long long timestamp, const char *body,
               size_t body_len, char out[WHSIG_ONE_MAX]) __attribute__((warn_unused_result));

/*
 * True when the header value sig (space-separated "v1,<base64>") holds the
 * signature of msg_id.timestamp.body under secret (compared in constant
 * time).  What a receiver does; kept here for the tests and the docs.
 */
bool whsig_verify(const char *secret, const char *msg_id, long long timestamp, const char *body,
                  size_t body_len, const char *sig);

#endif
