/*
 * pii: protection of national ID numbers, phone and bank account numbers at rest.
 *
 * The database holds an ID number or a worker's phone only as ciphertext
 * (libsodium secretbox, XSalsa20-Poly1305), as a keyed BLAKE2b hash (a blind
 * index for exact lookup and, for ID numbers, uniqueness) and as its mask.
 * The keys are derived from one 32-byte master key that lives outside the
 * database (LEYE_PII_KEY_FILE or LEYE_PII_KEY, 64 hex digits); ID numbers and
 * phones have blind-index keys of their own, so that equal hashes never link
 * the two.  Ciphertexts start with a key-version byte so that keys can be
 * rotated; a phone is padded to 16 bytes so that its ciphertext does not tell
 * a mobile from a fixed-line number.
 */
#ifndef LEYE_PII_H
#define LEYE_PII_H

#include <stdbool.h>
#include <stddef.h>

#define PII_HASH_HEX (2 + 64 + 1) /* "\\x" + 32 bytes in hex + NUL */
#define PII_ENC_HEX (2 + 2 * (1 + 24 + 16 + 18) + 1)
#define PII_PHONE_MAX 16 /* validate_phone_cn's normal form, NUL included */
#define PII_PHONE_ENC_HEX (2 + 2 * (1 + 24 + 16 + PII_PHONE_MAX) + 1)
#define PII_ACCOUNT_MAX 32 /* a bank card or account number (digits), NUL included */
#define PII_ACCOUNT_ENC_HEX (2 + 2 * (1 + 24 + 16 + PII_ACCOUNT_MAX) + 1)
#define PII_WHSEC_MAX 112 /* a webhook signing secret ("whsec_" and base64), NUL included */
#define PII_WHSEC_ENC_HEX (2 + 2 * (1 + 24 + 16 + PII_WHSEC_MAX) + 1)

/* Loads the master key (hex text in the file, or the hex string itself).
 * Process-wide; call once before serving.  Returns 0 or -1 after logging. */
int pii_init(const char *key_file, const char *key_hex) __attribute__((warn_unused_result));

/* True once a key is loaded. */
bool pii_ready(void);

/* A keyed hash of text with a key of its own derived from the master key,
 * so that every instance sharing the key recognises what another signed:
 * list cursors (server/http/api_cursor.c). */
#define PII_CURSOR_MAC 16
void pii_cursor_mac(const char *text, size_t len, unsigned char out[PII_CURSOR_MAC]);

/* Blind index of a normalised 18-character ID number, as bytea hex text. */
void pii_hash_idnum(const char *id18, char out[PII_HASH_HEX]);

/* Encrypts a normalised ID number into bytea hex text.  Returns 0 or -1. */
int pii_encrypt_idnum(const char *id18, char out[PII_ENC_HEX]) __attribute__((warn_unused_result));

/* Decrypts bytea hex text (as PostgreSQL prints it) into id18.  Returns 0 or -1. */
int pii_decrypt_idnum(const char *hex, char id18[19]) __attribute__((warn_unused_result));

/* Blind index of a phone in validate_phone_cn's normal form, as bytea hex text. */
void pii_hash_phone(const char *phone, char out[PII_HASH_HEX]);

/* Encrypts a phone in validate_phone_cn's normal form (at most 15
 * characters) into bytea hex text.  Returns 0 or -1. */
int pii_encrypt_phone(const char *phone, char out[PII_PHONE_ENC_HEX])
    __attribute__((warn_unused_result));

/* Decrypts bytea hex text (as PostgreSQL prints it) into phone.  Returns 0 or -1. */
int pii_decrypt_phone(const char *hex, char phone[PII_PHONE_MAX])
    __attribute__((warn_unused_result));

/* Blind index of a bank card or account number (digits only), as bytea hex
 * text; its key is its own, so equal hashes never link it to an ID number
 * or a phone. */
void pii_hash_account(const char *account, char out[PII_HASH_HEX]);

/* Encrypts a bank card or account number (at most 31 digits, padded so that
 * the ciphertext does not tell its length) into bytea hex text.  Returns 0
 * or -1. */
int pii_encrypt_account(const char *account, char out[PII_ACCOUNT_ENC_HEX])
    __attribute__((warn_unused_result));

/* Decrypts bytea hex text (as PostgreSQL prints it) into account.  Returns 0 or -1. */
int pii_decrypt_account(const char *hex, char account[PII_ACCOUNT_MAX])
    __attribute__((warn_unused_result));

/* Encrypts a webhook signing secret (at most 111 characters, padded so that
 * every secret's ciphertext has one length) into bytea hex text.  The
 * server signs with it, so it is kept sealed, not hashed.  Returns 0 or -1. */
int pii_encrypt_whsec(const char *secret, char out[PII_WHSEC_ENC_HEX])
    __attribute__((warn_unused_result));

/* Decrypts bytea hex text (as PostgreSQL prints it) into secret.  Returns 0 or -1. */
int pii_decrypt_whsec(const char *hex, char secret[PII_WHSEC_MAX])
    __attribute__((warn_unused_result));

#endif
