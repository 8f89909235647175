/*
 * csv: RFC 4180 reading of spreadsheet exports, in UTF-8 or GBK.
 *
 * csv_to_utf8 turns the bytes staff upload into UTF-8: a UTF-8 byte-order
 * mark is dropped; text that is not valid UTF-8 is read as GB18030 (a
 * superset of GBK and GB2312, what Chinese Excel saves as "CSV").
 * csv_next then yields one record at a time with its line number: quoted
 * fields may hold commas, doubled quotes and line breaks; CRLF and LF both end
 * a record; fields are trimmed of surrounding spaces when unquoted.
 */
#ifndef LEYE_CSV_H
#define LEYE_CSV_H

#include <stdbool.h>
#include <stddef.h>

#define CSV_MAX_FIELDS 64
#define CSV_MAX_FIELD 4096

enum csv_encoding { CSV_UTF8, CSV_GB18030 };

/*
 * Converts data to a new NUL-terminated UTF-8 buffer in *out (caller frees).
 * Returns 0, or -1 when the bytes are neither valid UTF-8 nor GB18030, or
 * hold a NUL.  *enc says which encoding was found.
 */
int csv_to_utf8(const char *data, size_t len, char **out, size_t *out_len, enum csv_encoding *enc)
    __attribute__((warn_unused_result));

enum csv_status { CSV_RECORD, CSV_END, CSV_ERROR };

struct csv_parser {
    const char *p, *end;
    size_t line; /* line number where the current record starts (1-based) */
    size_t next_line;
    char buf[CSV_MAX_FIELDS * 64 + CSV_MAX_FIELD];
    const char *error; /* "unterminated_quote", "too_many_fields", "field_too_long", "bad_quote" */
};

struct csv_record {
    size_t n;
    const char *field[CSV_MAX_FIELDS]; /* borrowed from the parser: valid until the next call */
    size_t len[CSV_MAX_FIELDS];
    size_t line;
};

/* Starts reading text[0..len). */
void csv_init(struct csv_parser *ps, const char *text, size_t len);

/* Reads the next record; blank lines are skipped.  On CSV_ERROR ps->error and
 * rec->line say what and where; reading can go on at the next line. */
enum csv_status csv_next(struct csv_parser *ps, struct csv_record *rec);

#endif
