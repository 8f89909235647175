/* Standard Webhooks signatures with libsodium's HMAC-SHA256; see whsig.h. */
#include "whsig.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define WHSIG_PREFIX "whsec_"

/* The key bytes of "whsec_<base64>" into key; their number, or -1. */
static int whsig_key(const char *secret, unsigned char key[WHSIG_KEY_MAX])
{
    size_t pl = strlen(WHSIG_PREFIX);
    if (!secret || strncmp(secret, WHSIG_PREFIX, pl) != 0 || strlen(secret) > WHSIG_SECRET_MAX)
        return -1;
    size_t n = 0;
    const char *b64 = secret + pl;
    if (sodium_base642bin(key, WHSIG_KEY_MAX, b64, strlen(b64), NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        n == 0)
        return -1;
    return (int)n;
}

int whsig_secret_new(size_t nbytes, char *out, size_t cap)
{
    unsigned char key[WHSIG_KEY_MAX];
    size_t pl = strlen(WHSIG_PREFIX);
    if (nbytes < 24 || nbytes > WHSIG_KEY_MAX ||
        cap < pl + sodium_base64_ENCODED_LEN(nbytes, sodium_base64_VARIANT_ORIGINAL))
        return -1;
    randombytes_buf(key, nbytes);
    memcpy(out, WHSIG_PREFIX, pl);
    sodium_bin2base64(out + pl, cap - pl, key, nbytes, sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(key, sizeof key);
    return 0;
}

int whsig_sign(const char *secret, const char *msg_id, long long timestamp, const char *body,
               size_t body_len, char out[WHSIG_ONE_MAX])
{
    unsigned char key[WHSIG_KEY_MAX], mac[crypto_auth_hmacsha256_BYTES];
    int n = whsig_key(secret, key);
    if (n < 0 || !msg_id)
        return -1;
    char ts[24];
    snprintf(ts, sizeof ts, "%lld", timestamp);
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, (size_t)n);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg_id, strlen(msg_id));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, body_len);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "v1,", 3);
    sodium_bin2base64(out + 3, WHSIG_ONE_MAX - 3, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(key, sizeof key);
    sodium_memzero(&st, sizeof st);
    return 0;
}

bool whsig_verify(const char *secret, const char *msg_id, long long timestamp, const char *body,
                  size_t body_len, const char *sig)
{
    char want[WHSIG_ONE_MAX];
    if (!sig || whsig_sign(secret, msg_id, timestamp, body, body_len, want) != 0)
        return false;
    size_t wl = strlen(want);
    bool ok = false;
    const char *p = sig;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n == wl && sodium_memcmp(p, want, wl) == 0)
            ok = true;
        p += n;
    }
    return ok;
}
