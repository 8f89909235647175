/*
 * kiosklogin: the body of a kiosk sign-in, {"id_number": "...", "pin": "123456"}.
 */
#ifndef LEYE_KIOSKLOGIN_H
#define LEYE_KIOSKLOGIN_H

#include "problem.h"

#include <jansson.h>

/*
 * Checks body (any JSON value) on day today (YYYYMMDD): a valid 18-character
 * ID number (normalised into id18) and a PIN of exactly six digits (into
 * pin).  Returns 0, or -1 after adding one field error per fault to problem.
 */
int kiosklogin_parse(const json_t *body, int today, json_t *problem, enum problem_lang lang,
                     char id18[19], char pin[7]) __attribute__((warn_unused_result));

#endif
