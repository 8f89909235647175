/*
 * jsonrow: a row's columns as one JSON object (jsonrow.h).
 */
#include "jsonrow.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The most bytes s may take written as a JSON string: \u00XX for each byte
 * at worst, and the quotes. */
static size_t jsonrow_string_max(size_t len)
{
    return len * 6 + 2;
}

/* The escape of each byte in a JSON string as PostgreSQL's escape_json
 * writes it: 0 for none (the byte as it is), the letter after the backslash
 * for the quote, the backslash and \b \f \n \r \t, 'u' for \u00xx (lower-case
 * hex) for the other control characters. */
static const char jsonrow_escape[256] = {
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'b',         't',           'n', 'u',
    'f', 'r', 'u', 'u', 'u', 'u', 'u', 'u', 'u',         'u',           'u', 'u',
    'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', ['"'] = '"', ['\\'] = '\\',
};

/* s of len bytes as a JSON string at out.  Returns the bytes written. */
static size_t jsonrow_string(char *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    char *o = out;
    *o++ = '"';
    size_t plain = 0; /* bytes of s before i not yet copied */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char e = jsonrow_escape[c];
        if (!e)
            continue;
        memcpy(o, s + plain, i - plain);
        o += i - plain;
        plain = i + 1;
        *o++ = '\\';
        *o++ = e;
        if (e == 'u') {
            memcpy(o, "00", 2);
            o[2] = hex[c >> 4];
            o[3] = hex[c & 15];
            o += 4;
        }
    }
    memcpy(o, s + plain, len - plain);
    o += len - plain;
    *o++ = '"';
    return (size_t)(o - out);
}

char *jsonrow_object(const struct jsonrow_col *cols, int n, size_t *len)
{
    size_t cap = 3;
    for (int i = 0; i < n; i++) {
        const struct jsonrow_col *c = &cols[i];
        if (c->kind == JSONROW_RAW && c->value && c->len == 0)
            return NULL;
        cap += jsonrow_string_max(c->name_len) + 2;
        cap += !c->value                   ? 4
               : c->kind == JSONROW_STRING ? jsonrow_string_max(c->len)
               : c->kind == JSONROW_BOOL   ? 5
                                           : c->len;
    }
    char *out = malloc(cap);
    if (!out)
        return NULL;
    char *o = out;
    *o++ = '{';
    for (int i = 0; i < n; i++) {
        const struct jsonrow_col *c = &cols[i];
        if (i)
            *o++ = ',';
        o += jsonrow_string(o, c->name, c->name_len);
        *o++ = ':';
        if (!c->value) {
            memcpy(o, "null", 4);
            o += 4;
        } else if (c->kind == JSONROW_STRING) {
            o += jsonrow_string(o, c->value, c->len);
        } else if (c->kind == JSONROW_BOOL) {
            bool t = c->len == 1 && c->value[0] == 't';
            memcpy(o, t ? "true" : "false", t ? 4 : 5);
            o += t ? 4 : 5;
        } else {
            memcpy(o, c->value, c->len);
            o += c->len;
        }
    }
    *o++ = '}';
    *o = '\0';
    *len = (size_t)(o - out);
    return out;
}
