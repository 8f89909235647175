#define _POSIX_C_SOURCE 200809L
#include "pii.h"

#include "log.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define PII_KEY_VERSION 1

static unsigned char pii_box_key[crypto_secretbox_KEYBYTES];
static unsigned char pii_index_key[crypto_generichash_KEYBYTES];
static unsigned char pii_phone_index_key[crypto_generichash_KEYBYTES];
static unsigned char pii_account_index_key[crypto_generichash_KEYBYTES];
static unsigned char pii_cursor_key[crypto_generichash_KEYBYTES];
static bool pii_loaded;

static int pii_parse_key(const char *text, unsigned char master[32])
{
    size_t len = 0;
    const char *end;
    if (sodium_hex2bin(master, 32, text, strlen(text), " \t\r\n", &len, &end) != 0 || len != 32 ||
        *end) {
        log_error("the PII key must be 64 hex digits (32 bytes)");
        return -1;
    }
    return 0;
}

int pii_init(const char *key_file, const char *key_hex)
{
    unsigned char master[32];
    char text[256] = "";
    if (key_file && *key_file) {
        FILE *f = fopen(key_file, "r");
        if (!f) {
            log_error("cannot read the PII key file %s", key_file);
            return -1;
        }
        size_t n = fread(text, 1, sizeof text - 1, f);
        fclose(f);
        text[n] = '\0';
    } else if (key_hex && *key_hex) {
        snprintf(text, sizeof text, "%s", key_hex);
    } else {
        log_error("no PII key: set LEYE_PII_KEY_FILE or LEYE_PII_KEY (64 hex digits)");
        return -1;
    }
    if (pii_parse_key(text, master) < 0)
        return -1;
    crypto_kdf_derive_from_key(pii_box_key, sizeof pii_box_key, 1, "leye-pii", master);
    crypto_kdf_derive_from_key(pii_index_key, sizeof pii_index_key, 2, "leye-pii", master);
    crypto_kdf_derive_from_key(pii_phone_index_key, sizeof pii_phone_index_key, 3, "leye-pii",
                               master);
    crypto_kdf_derive_from_key(pii_account_index_key, sizeof pii_account_index_key, 4, "leye-pii",
                               master);
    crypto_kdf_derive_from_key(pii_cursor_key, sizeof pii_cursor_key, 5, "leye-pii", master);
    sodium_memzero(master, sizeof master);
    sodium_memzero(text, sizeof text);
    pii_loaded = true;
    return 0;
}

bool pii_ready(void)
{
    return pii_loaded;
}

void pii_cursor_mac(const char *text, size_t len, unsigned char out[PII_CURSOR_MAC])
{
    crypto_generichash(out, PII_CURSOR_MAC, (const unsigned char *)text, len, pii_cursor_key,
                       sizeof pii_cursor_key);
}

static void pii_bytea(const unsigned char *bin, size_t len, char *out, size_t cap)
{
    out[0] = '\\';
    out[1] = 'x';
    sodium_bin2hex(out + 2, cap - 2, bin, len);
}

void pii_hash_idnum(const char *id18, char out[PII_HASH_HEX])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)id18, 18, pii_index_key,
                       sizeof pii_index_key);
    pii_bytea(h, sizeof h, out, PII_HASH_HEX);
}

int pii_encrypt_idnum(const char *id18, char out[PII_ENC_HEX])
{
    unsigned char buf[1 + crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 18];
    buf[0] = PII_KEY_VERSION;
    unsigned char *nonce = buf + 1;
    randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
    if (crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES, (const unsigned char *)id18, 18,
                              nonce, pii_box_key) != 0)
        return -1;
    pii_bytea(buf, sizeof buf, out, PII_ENC_HEX);
    return 0;
}

int pii_decrypt_idnum(const char *hex, char id18[19])
{
    unsigned char buf[1 + crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 18];
    size_t len = 0;
    if (strncmp(hex, "\\x", 2) != 0 ||
        sodium_hex2bin(buf, sizeof buf, hex + 2, strlen(hex + 2), NULL, &len, NULL) != 0 ||
        len != sizeof buf || buf[0] != PII_KEY_VERSION)
        return -1;
    const unsigned char *nonce = buf + 1;
    if (crypto_secretbox_open_easy((unsigned char *)id18, nonce + crypto_secretbox_NONCEBYTES,
                                   crypto_secretbox_MACBYTES + 18, nonce, pii_box_key) != 0)
        return -1;
    id18[18] = '\0';
    return 0;
}

void pii_hash_phone(const char *phone, char out[PII_HASH_HEX])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)phone, strnlen(phone, PII_PHONE_MAX),
                       pii_phone_index_key, sizeof pii_phone_index_key);
    pii_bytea(h, sizeof h, out, PII_HASH_HEX);
}

#define PII_SEAL_WIDTH_MAX PII_WHSEC_MAX /* the widest padded kind */
#define PII_SEAL_MAX                                                                               \
    (1 + crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + PII_SEAL_WIDTH_MAX)

/* Encrypts text padded with NULs to width bytes (so every ciphertext of a
 * kind has one length), as bytea hex text of at most cap bytes.  Returns 0,
 * or -1 when text does not fit. */
static int pii_seal_padded(const char *text, size_t width, char *out, size_t cap)
{
    unsigned char plain[PII_SEAL_WIDTH_MAX] = {0};
    unsigned char buf[PII_SEAL_MAX];
    size_t n = strlen(text),
           len = 1 + crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + width;
    if (width > sizeof plain || n >= width)
        return -1;
    memcpy(plain, text, n);
    buf[0] = PII_KEY_VERSION;
    unsigned char *nonce = buf + 1;
    randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
    int rc = crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES, plain, width, nonce,
                                   pii_box_key);
    sodium_memzero(plain, sizeof plain);
    if (rc != 0)
        return -1;
    pii_bytea(buf, len, out, cap);
    return 0;
}

/* Decrypts what pii_seal_padded made for width into text (width bytes, NUL
 * terminated).  Returns 0 or -1. */
static int pii_open_padded(const char *hex, size_t width, char *text)
{
    unsigned char buf[PII_SEAL_MAX];
    size_t len = 0, want = 1 + crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + width;
    if (width > PII_SEAL_WIDTH_MAX || strncmp(hex, "\\x", 2) != 0 ||
        sodium_hex2bin(buf, sizeof buf, hex + 2, strlen(hex + 2), NULL, &len, NULL) != 0 ||
        len != want || buf[0] != PII_KEY_VERSION)
        return -1;
    const unsigned char *nonce = buf + 1;
    if (crypto_secretbox_open_easy((unsigned char *)text, nonce + crypto_secretbox_NONCEBYTES,
                                   crypto_secretbox_MACBYTES + width, nonce, pii_box_key) != 0)
        return -1;
    text[width - 1] = '\0';
    return 0;
}

int pii_encrypt_phone(const char *phone, char out[PII_PHONE_ENC_HEX])
{
    return pii_seal_padded(phone, PII_PHONE_MAX, out, PII_PHONE_ENC_HEX);
}

int pii_decrypt_phone(const char *hex, char phone[PII_PHONE_MAX])
{
    return pii_open_padded(hex, PII_PHONE_MAX, phone); /* padded with NULs: at most 15 characters */
}

void pii_hash_account(const char *account, char out[PII_HASH_HEX])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)account,
                       strnlen(account, PII_ACCOUNT_MAX), pii_account_index_key,
                       sizeof pii_account_index_key);
    pii_bytea(h, sizeof h, out, PII_HASH_HEX);
}

int pii_encrypt_account(const char *account, char out[PII_ACCOUNT_ENC_HEX])
{
    return pii_seal_padded(account, PII_ACCOUNT_MAX, out, PII_ACCOUNT_ENC_HEX);
}

int pii_decrypt_account(const char *hex, char account[PII_ACCOUNT_MAX])
{
    return pii_open_padded(hex, PII_ACCOUNT_MAX, account);
}

int pii_encrypt_whsec(const char *secret, char out[PII_WHSEC_ENC_HEX])
{
    return pii_seal_padded(secret, PII_WHSEC_MAX, out, PII_WHSEC_ENC_HEX);
}

int pii_decrypt_whsec(const char *hex, char secret[PII_WHSEC_MAX])
{
    return pii_open_padded(hex, PII_WHSEC_MAX, secret);
}
