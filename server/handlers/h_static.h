/*
 * h_static: the kiosk web app (web/kiosk/) at /kiosk/ and the staff console
 * (web/console/) at /console/, served from files compiled into the binary.  Only names in the
 * embedded table are served: a path is looked up, never opened, so nothing outside it can be
 * reached.
 */
#ifndef LEYE_H_STATIC_H
#define LEYE_H_STATIC_H

#include <stddef.h>

struct httpd_req;

/* One embedded file.  The tables are generated at build time by
 * scripts/embed_web.sh from web/kiosk/ and web/console/; all static data. */
struct static_file {
    const char *name; /* "index.html": a file directly in the app's folder */
    const char *hash; /* the first 16 hex digits of the content's SHA-256 */
    size_t len;
    const char *data;
};

extern const struct static_file kiosk_files[];
extern const size_t kiosk_files_count;
extern const struct static_file console_files[];
extern const size_t console_files_count;

/* GET /kiosk: a permanent redirect to /kiosk/ (the query string kept). */
void h_static_kiosk_redirect(struct httpd_req *r);

/* GET /kiosk/: index.html. */
void h_static_kiosk_index(struct httpd_req *r);

/* GET /kiosk/{file}: the embedded file, or 404 problem+json. */
void h_static_kiosk_file(struct httpd_req *r);

/* The same three for the console at /console/. */
void h_static_console_redirect(struct httpd_req *r);
void h_static_console_index(struct httpd_req *r);
void h_static_console_file(struct httpd_req *r);

#endif
