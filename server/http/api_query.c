/*
 * api_query: the query-string parameters shared by the lists: whole
 * numbers, limit, and the list cursor, signed so that it is taken back only
 * by the list, sort and filters that handed it out.
 */
#define _POSIX_C_SOURCE 200809L
#include "api.h"

#include "pii.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define API_CURSOR_MAX 1024

bool api_query_int(struct httpd_req *r, const char *name, long long min, long long max,
                   long long *out)
{
    const char *v = httpd_req_query(r, name);
    if (!v)
        return true;
    const char *d = v[0] == '-' ? v + 1 : v;
    size_t n = strlen(d);
    bool digits = n > 0 && n <= 18;
    for (size_t i = 0; digits && i < n; i++)
        digits = d[i] >= '0' && d[i] <= '9';
    long long x = digits ? strtoll(v, NULL, 10) : 0;
    if (!digits || x < min || x > max) {
        api_reply_field_error(r, "invalid_query", name, digits ? "out_of_range" : "invalid");
        return false;
    }
    *out = x;
    return true;
}

bool api_query_limit(struct httpd_req *r, int dflt, int max, int *out)
{
    long long v = dflt;
    if (!api_query_int(r, "limit", 1, max, &v))
        return false;
    *out = (int)v;
    return true;
}

/* The MAC of a cursor: over the list's route, its sort, its filters and the position. */
static void api_cursor_mac(struct httpd_req *r, const char *sort, const char *filters,
                           const char *pos, size_t pos_len, unsigned char mac[PII_CURSOR_MAC])
{
    const char *parts[3] = {httpd_req_pattern(r), sort ? sort : "", filters ? filters : ""};
    size_t total = pos_len + 3;
    for (size_t i = 0; i < 3; i++)
        total += strlen(parts[i]);
    char *text = malloc(total + 1);
    if (!text) {
        memset(mac, 0, PII_CURSOR_MAC);
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < 3; i++) {
        size_t k = strlen(parts[i]);
        memcpy(text + n, parts[i], k);
        n += k;
        text[n++] = '\n';
    }
    memcpy(text + n, pos, pos_len);
    n += pos_len;
    pii_cursor_mac(text, n, mac);
    free(text);
}

json_t *api_cursor_seal(struct httpd_req *r, const char *sort, const char *filters, const char *pos)
{
    size_t n = strlen(pos);
    unsigned char mac[PII_CURSOR_MAC];
    api_cursor_mac(r, sort, filters, pos, n, mac);
    const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
    size_t cap =
        sodium_base64_encoded_len(n, variant) + 1 + sodium_base64_encoded_len(sizeof mac, variant);
    char *out = malloc(cap);
    if (!out)
        return json_null();
    sodium_bin2base64(out, cap, (const unsigned char *)pos, n, variant);
    size_t k = strlen(out);
    out[k++] = '.';
    sodium_bin2base64(out + k, cap - k, mac, sizeof mac, variant);
    json_t *s = json_string(out);
    free(out);
    return s ? s : json_null();
}

char *api_cursor_open(struct httpd_req *r, const char *sort, const char *filters,
                      const char *cursor)
{
    const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
    size_t n = strlen(cursor), len = 0, maclen = 0;
    const char *dot = strrchr(cursor, '.');
    unsigned char mac[PII_CURSOR_MAC], want[PII_CURSOR_MAC];
    unsigned char *pos = n > 0 && n <= API_CURSOR_MAX && dot ? malloc(n + 1) : NULL;
    if (!pos ||
        sodium_base642bin(pos, n, cursor, (size_t)(dot - cursor), NULL, &len, NULL, variant) != 0 ||
        sodium_base642bin(mac, sizeof mac, dot + 1, strlen(dot + 1), NULL, &maclen, NULL,
                          variant) != 0 ||
        maclen != sizeof mac) {
        free(pos);
        api_reply_field_error(r, "invalid_query", "cursor", "invalid_format");
        return NULL;
    }
    pos[len] = '\0';
    api_cursor_mac(r, sort, filters, (const char *)pos, len, want);
    if (sodium_memcmp(mac, want, sizeof mac) != 0 || strlen((const char *)pos) != len) {
        free(pos);
        api_reply_field_error(r, "invalid_query", "cursor", "not_this_list");
        return NULL;
    }
    return (char *)pos;
}

bool api_cursor_is_id(const char *pos)
{
    size_t n = strlen(pos);
    bool ok = n > 0 && n <= 18 && pos[0] != '0';
    for (size_t i = 0; ok && i < n; i++)
        ok = pos[i] >= '0' && pos[i] <= '9';
    return ok;
}

bool api_query_id(struct httpd_req *r, const char *name, long long max, char out[24])
{
    long long v = 0;
    out[0] = '\0';
    if (!api_query_int(r, name, 1, max, &v))
        return false;
    if (httpd_req_query(r, name))
        snprintf(out, 24, "%lld", v);
    return true;
}

bool api_query_alias(struct httpd_req *r, const char *name, const char *alias, const char **which)
{
    bool has_name = httpd_req_query(r, name) != NULL;
    *which = has_name ? name : alias;
    if (has_name && httpd_req_query(r, alias)) {
        api_reply_field_error(r, "invalid_query", alias, "not_allowed");
        return false;
    }
    return true;
}
