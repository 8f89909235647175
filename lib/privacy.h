/*
 * privacy: what each kind of caller receives of a person, field by field.
 *
 * One table names every field that says something about a person beyond
 * what any caller may see (ID numbers, birth dates, phones, household and
 * poverty status, the priority part of a score) and what each kind of
 * caller gets of it: the field as it is, re-masked, or nothing.  The server
 * passes every JSON answer and CSV export under /v1/ through these functions
 * on its way out (server/http/httpd_req.c), so a route cannot skip them; the rules
 * and the reason for each are in docs/privacy.md.
 *
 * Pure C over jansson: no libevent, no libpq.
 */
#ifndef LEYE_PRIVACY_H
#define LEYE_PRIVACY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum privacy_caller {
    PRIVACY_STAFF,        /* staff without pii:reveal, and report viewers */
    PRIVACY_STAFF_REVEAL, /* staff holding pii:reveal */
    PRIVACY_KIOSK,        /* a job seeker at a kiosk (own records only, by row-level security) */
    PRIVACY_BROKER,       /* a labour broker's API key */
    PRIVACY_PUBLIC,       /* nobody signed in: treated as strictly as a broker */
    PRIVACY_CALLER_COUNT
};

/* What a caller receives of one field. */
enum privacy_action {
    PRIVACY_KEEP,     /* as it is */
    PRIVACY_DROP,     /* absent */
    PRIVACY_REMASK,   /* an ID number masked to its region and last character */
    PRIVACY_REVEALED, /* kept only in the answer of an audited reveal, else absent */
    PRIVACY_REASONS,  /* a list of match reasons without the priority and household ones */
    PRIVACY_FAILED,   /* a list of failed filter codes without the household one */
    PRIVACY_ETHNIC,   /* kept only for staff in an answer marked PRIVACY_MARK_ETHNICITY, else absent
                       */
};

/* What the server has marked an answer as (the marks argument below):
 * PRIVACY_MARK_REVEALED  the answer of an audited reveal;
 * PRIVACY_MARK_ETHNICITY an answer for staff granted the ethnicity
 *                        permission (fairness report, a worker's ethnicity).
 * true and false stand for PRIVACY_MARK_REVEALED and none. */
#define PRIVACY_MARK_REVEALED 1u
#define PRIVACY_MARK_ETHNICITY 2u

/* The mask of an 18-character ID number: the region (6 digits), 11 stars,
 * the check character ("530622***********4").  Anything else becomes 18
 * stars.  out is always NUL-terminated.  Why this much and no more:
 * docs/privacy.md. */
void privacy_mask_idnum(const char *s, char out[19]);

/* The action for a field named key (an object member or a CSV column) when
 * caller receives it in an answer with marks (PRIVACY_MARK_*).  Fields the
 * table does not name are kept. */
enum privacy_action privacy_action_of(const char *key, enum privacy_caller caller, unsigned marks);

/* Shapes v in place for caller: every object at any depth loses, re-masks
 * or filters the members the table names.  v is borrowed. */
void privacy_shape_json(json_t *v, enum privacy_caller caller, unsigned marks);

/* Whether a JSON text may hold something to shape for caller (a quick scan
 * of the bytes: false means privacy_shape_json would change nothing, true
 * means parse and shape).  A mask already in the shape above does not count. */
bool privacy_json_needs_shaping(const char *text, size_t len, enum privacy_caller caller,
                                unsigned marks);

/*
 * Shapes a CSV document (RFC 4180, an optional UTF-8 byte-order mark, the
 * first row naming the columns with the JSON member names): columns the
 * table drops for caller are left out, ID-number columns re-masked.
 * Returns 0 and *out = NULL when nothing changes; 0 and a new buffer
 * (*out, *out_len; the caller frees it) otherwise; -1 when out of memory.
 */
int privacy_shape_csv(const char *in, size_t len, enum privacy_caller caller, unsigned marks,
                      char **out, size_t *out_len) __attribute__((warn_unused_result));

#endif
