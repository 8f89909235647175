/*
 * The web apps (kiosk and staff console), served from the files embedded at
 * build time.  Every
 * answer forbids loading anything from another origin (the halls may have no
 * internet, and the page must not leak to one) and framing; files are
 * revalidated with their ETag on each use so a new build is picked up at once.
 */
#define _POSIX_C_SOURCE 200809L
#include "h_static.h"

#include "httpd.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define STATIC_LOCATION_MAX 1024

static const struct {
    const char *ext;
    const char *type;
} static_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".json", "application/json; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".txt", "text/plain; charset=utf-8"},
    {".webmanifest", "application/manifest+json"},
};

static const char *static_type_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof static_types / sizeof static_types[0]; i++)
        if (!strcmp(dot, static_types[i].ext))
            return static_types[i].type;
    return "application/octet-stream";
}

static const struct static_file *static_find(const struct static_file *files, size_t count,
                                             const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (!strcmp(files[i].name, name))
            return &files[i];
    return NULL;
}

/* Whether an If-None-Match list ("a", W/"b", *) names the ETag etag ("\"hex\""). */
static bool static_etag_matches(const char *list, const char *etag)
{
    size_t el = strlen(etag);
    const char *p = list;
    while (p && *p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*')
            return true;
        if (!strncmp(p, "W/", 2))
            p += 2;
        size_t n = strcspn(p, ",");
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n == el && !memcmp(p, etag, el))
            return true;
        p = strchr(p, ',');
    }
    return false;
}

static void static_security_headers(struct httpd_req *r)
{
    httpd_set_header(r, "Content-Security-Policy",
                     "default-src 'self'; base-uri 'none'; object-src 'none'; "
                     "frame-ancestors 'none'; form-action 'none'");
    httpd_set_header(r, "X-Frame-Options", "DENY");
    httpd_set_header(r, "Referrer-Policy", "no-referrer");
    httpd_set_header(r, "Permissions-Policy",
                     "camera=(), microphone=(), geolocation=(), payment=(), usb=()");
    httpd_set_header(r, "Cross-Origin-Opener-Policy", "same-origin");
    httpd_set_header(r, "Cross-Origin-Resource-Policy", "same-origin");
}

static void static_serve(struct httpd_req *r, const struct static_file *f)
{
    if (!f) {
        httpd_reply_problem(r, "not_found", NULL);
        return;
    }
    char etag[24];
    snprintf(etag, sizeof etag, "\"%s\"", f->hash);
    static_security_headers(r);
    httpd_set_header(r, "ETag", etag);
    httpd_set_header(r, "Cache-Control", "no-cache");
    const char *inm = httpd_req_header(r, "If-None-Match");
    if (inm && static_etag_matches(inm, etag)) {
        httpd_reply_raw(r, 304, NULL, NULL, 0);
        return;
    }
    httpd_reply_raw(r, 200, static_type_of(f->name), f->data, f->len);
}

void h_static_kiosk_index(struct httpd_req *r)
{
    static_serve(r, static_find(kiosk_files, kiosk_files_count, "index.html"));
}

void h_static_kiosk_file(struct httpd_req *r)
{
    static_serve(r, static_find(kiosk_files, kiosk_files_count, httpd_req_param(r, 0)));
}

void h_static_console_index(struct httpd_req *r)
{
    static_serve(r, static_find(console_files, console_files_count, "index.html"));
}

void h_static_console_file(struct httpd_req *r)
{
    static_serve(r, static_find(console_files, console_files_count, httpd_req_param(r, 0)));
}

/* Appends s percent-encoded (all but unreserved characters); false when it does not fit. */
static bool static_append_encoded(char *out, size_t cap, size_t *n, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '.' || c == '_' || c == '~';
        if (*n + (plain ? 1 : 3) >= cap)
            return false;
        if (plain) {
            out[(*n)++] = (char)c;
        } else {
            out[(*n)++] = '%';
            out[(*n)++] = hex[c >> 4];
            out[(*n)++] = hex[c & 15];
        }
    }
    out[*n] = '\0';
    return true;
}

/* A permanent redirect to the app's folder (dir: "/kiosk/"), the query kept. */
static void static_redirect(struct httpd_req *r, const char *dir)
{
    char loc[STATIC_LOCATION_MAX];
    snprintf(loc, sizeof loc, "%s", dir);
    size_t n = strlen(loc);
    const char *names[16];
    size_t count = httpd_req_query_names(r, names, 16);
    bool ok = count <= 16;
    for (size_t i = 0; ok && i < count; i++) {
        const char *v = httpd_req_query(r, names[i]);
        ok = n + 1 < sizeof loc;
        if (ok)
            loc[n++] = i ? '&' : '?';
        ok = ok && static_append_encoded(loc, sizeof loc, &n, names[i]);
        if (ok && v && *v) {
            ok = n + 1 < sizeof loc;
            if (ok)
                loc[n++] = '=';
            ok = ok && static_append_encoded(loc, sizeof loc, &n, v);
        }
    }
    if (!ok)
        loc[strlen(dir)] = '\0'; /* too long to keep: the app's defaults */
    httpd_set_header(r, "Location", loc);
    httpd_set_header(r, "Cache-Control", "no-cache");
    httpd_reply_raw(r, 301, NULL, NULL, 0);
}

void h_static_kiosk_redirect(struct httpd_req *r)
{
    static_redirect(r, "/kiosk/");
}

void h_static_console_redirect(struct httpd_req *r)
{
    static_redirect(r, "/console/");
}
