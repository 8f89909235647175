/*
 * problem: RFC 9457 problem details (application/problem+json) with a stable
 * machine code and titles in Chinese or English.
 *
 * Every error Leye answers is built here, so the shape is the same for all:
 *   {"type": "urn:leye:problem:<code>", "title": ..., "status": ...,
 *    "detail": ..., "code": "<code>", "errors": [{"field", "code", "message"}]}
 */
#ifndef LEYE_PROBLEM_H
#define LEYE_PROBLEM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum problem_lang { PROBLEM_LANG_ZH = 0, PROBLEM_LANG_EN = 1 };

/* Picks the answer language from an Accept-Language value (NULL allowed).
 * Chinese unless English is preferred by quality value. */
enum problem_lang problem_lang_from_header(const char *accept_language);

/* Status of a known problem code, or 500 for an unknown one. */
int problem_status(const char *code);

/* True if code is in the catalogue. */
bool problem_known(const char *code);

/*
 * Returns a new reference to a problem object for code in lang.  detail may be
 * NULL (the catalogue's default detail is used).  Never returns NULL unless
 * memory runs out.
 */
json_t *problem_new(const char *code, enum problem_lang lang, const char *detail);
/* A 503 problem (database_unavailable, overloaded, too_many_connections,
 * shutting_down, not_ready) also carries "reason", a stable word saying
 * why: the first of the code's reasons in problem.c unless another is
 * named. */

/*
 * A new reference to the problem for code with the named reason (e.g.
 * database_unavailable, queue_full) and that reason's detail in lang; an
 * unknown reason gives problem_new's.  NULL only when memory runs out.
 */
json_t *problem_new_reason(const char *code, const char *reason, enum problem_lang lang);

/*
 * Appends {field, code, message} to the problem's "errors" array, creating it
 * on first use.  field is a JSON-pointer-like path ("skills/0/level"), code a
 * field-error code from the catalogue (see problem.c); message overrides the
 * catalogue's text when not NULL.  Returns 0, or -1 when memory runs out.
 */
int problem_add_error(json_t *problem, const char *field, const char *code, enum problem_lang lang,
                      const char *message) __attribute__((warn_unused_result));

/*
 * The text of programme rule `rule` (public_welfare_one_per_household,
 * forest_ranger_exclusive, no_double_post) in lang, naming member (who
 * holds the post) and post (its title), written into out (cap bytes,
 * truncated on a character boundary).  Returns 0, or -1 for an unknown rule.
 */
int problem_rule_text(const char *rule, enum problem_lang lang, const char *member,
                      const char *post, char *out, size_t cap) __attribute__((warn_unused_result));

/*
 * Returns a new reference to a "programme_rule" problem (409) for rule:
 * detail is the rule's text (problem_rule_text), "rule" the rule's code, and
 * one error {field "vacancy_id", code rule}.  NULL for an unknown rule or
 * when memory runs out.
 */
json_t *problem_rule_new(const char *rule, enum problem_lang lang, const char *member,
                         const char *post);

/* The amounts of a refusal by the remuneration budget, as decimal text. */
struct problem_budget {
    const char *budget, *paid, *owed, *amount, *over;
};

/*
 * The text of a refusal by the project's remuneration budget in lang: field
 * "amount" for a payment, "status" for a pay sheet's release; written into
 * out (cap bytes, truncated on a character boundary).  Returns 0, or -1 for
 * another field.
 */
int problem_budget_text(const char *field, enum problem_lang lang, const struct problem_budget *b,
                        char *out, size_t cap) __attribute__((warn_unused_result));

/*
 * Returns a new reference to a "conflict" problem (409) whose detail is
 * problem_budget_text, with the amounts as "budget" and one error {field,
 * code "over_budget"}.  NULL for another field or when memory runs out.
 */
json_t *problem_budget_new(const char *field, enum problem_lang lang,
                           const struct problem_budget *b);

/* Localised text of a field-error code (the code itself if unknown). */
const char *problem_field_message(const char *code, enum problem_lang lang);

#endif
