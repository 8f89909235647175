/* applications handlers */
#ifndef LEYE_H_APPLICATIONS_H
#define LEYE_H_APPLICATIONS_H

#include <jansson.h>
#include <stdbool.h>

#include "jv.h"

struct httpd_req;

void h_applications_list(struct httpd_req *r);
void h_applications_create(struct httpd_req *r);
void h_applications_get(struct httpd_req *r);
void h_applications_transition(struct httpd_req *r);

/* Extra rules on a body that passed its schema: add faults to problem. */
typedef void (*applications_rules_fn)(const json_t *obj, json_t *problem, enum problem_lang lang);

/* Validates the request body against s, then with rules (may be NULL).
 * Answers and returns NULL on any fault; otherwise returns a new reference
 * to the normalised body. */
json_t *applications_body(struct httpd_req *r, const struct jv_schema *s,
                          applications_rules_fn rules) __attribute__((warn_unused_result));

/* Adds a field fault to problem.  Should memory run out the fault is lost,
 * and the database's own checks refuse the request instead. */
void applications_fault(json_t *problem, const char *field, const char *code,
                        enum problem_lang lang);

/* Reads an optional If-Match into out: "N" gives N; absent or "*" gives "".
 * Answers 412 and returns false when it is malformed. */
bool applications_if_match(struct httpd_req *r, char out[16]) __attribute__((warn_unused_result));

/* Days since 1970-01-01 of a date given as YYYYMMDD. */
long applications_days(int ymd);

/* A validated "YYYY-MM-DD" as YYYYMMDD. */
int applications_ymd(const char *s);

#endif
