/* token: bearer secrets and their stored hashes; see token.h. */
#include "token.h"

#include <sodium.h>
#include <string.h>

#define TOKEN_BYTES 32

void token_new(const char *prefix, char *out, size_t cap)
{
    unsigned char b[TOKEN_BYTES];
    randombytes_buf(b, sizeof b);
    size_t pl = strlen(prefix);
    memcpy(out, prefix, pl + 1);
    sodium_bin2base64(out + pl, cap - pl, b, sizeof b, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(b, sizeof b);
}

void token_hash(const char *token, char out[TOKEN_HASH_HEX])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    out[0] = '\\';
    out[1] = 'x';
    sodium_bin2hex(out + 2, TOKEN_HASH_HEX - 2, h, sizeof h);
}
