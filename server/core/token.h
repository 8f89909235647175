/*
 * token: the bearer secrets Leye hands out (staff sessions "lys_", kiosk
 * sessions "lyk_", broker keys "lyb_") and the one way they are stored.
 *
 * A token is a prefix and 32 random bytes in unpadded base64url (43
 * characters).  The database keeps only its BLAKE2b-256 hash, written as
 * bytea hex text ("\\x" and 64 hex digits), which is also how a presented
 * token is looked up.  Needs sodium_init.
 */
#ifndef LEYE_TOKEN_H
#define LEYE_TOKEN_H

#include <stddef.h>

/* Length of a hash as bytea hex text, with its NUL. */
#define TOKEN_HASH_HEX (2 + 64 + 1)

/* Room for a token with a prefix of up to 8 bytes, with its NUL. */
#define TOKEN_MAX 80

/* Writes a new token "<prefix><43 base64url characters>" into out (cap
 * bytes: at least strlen(prefix) + 44). */
void token_new(const char *prefix, char *out, size_t cap);

/* Writes the stored form of token (BLAKE2b-256 as bytea hex text) into out. */
void token_hash(const char *token, char out[TOKEN_HASH_HEX]);

#endif
