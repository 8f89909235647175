/*
 * h_static: the kiosk web app (web/kiosk/) served at /kiosk/ from files
 * compiled into the binary.  Only names in the embedded table are served:
 * a path is looked up, never opened, so nothing outside it can be reached.
 */
#ifndef LEYE_H_STATIC_H
#define LEYE_H_STATIC_H

#include <stddef.h>

struct httpd_req;

/* One embedded file.  The table is generated at build time by the Makefile
 * from web/kiosk/ ($(BUILD)/gen/kiosk_files.c); all of it is static data. */
struct static_file {
    const char *name; /* "index.html": a file directly in web/kiosk/ */
    const char *hash; /* the first 16 hex digits of the content's SHA-256 */
    size_t len;
    const char *data;
};

extern const struct static_file static_files[];
extern const size_t static_files_count;

/* GET /kiosk: a permanent redirect to /kiosk/ (the query string kept). */
void h_static_kiosk_redirect(struct httpd_req *r);

/* GET /kiosk/: index.html. */
void h_static_kiosk_index(struct httpd_req *r);

/* GET /kiosk/{file}: the embedded file, or 404 problem+json. */
void h_static_kiosk_file(struct httpd_req *r);

#endif
