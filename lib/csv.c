#define _POSIX_C_SOURCE 200809L
#include "csv.h"

#include "validate.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int csv_from_gb18030(const char *data, size_t len, char **out, size_t *out_len)
{
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1)
        return -1;
    size_t cap = len * 2 + 16;
    char *buf = malloc(cap);
    if (!buf) {
        iconv_close(cd);
        return -1;
    }
    char *in = (char *)(uintptr_t)data, *o = buf;
    size_t inleft = len, outleft = cap - 1;
    size_t r = iconv(cd, &in, &inleft, &o, &outleft);
    iconv_close(cd);
    if (r == (size_t)-1 || inleft != 0) {
        free(buf);
        return -1;
    }
    *o = '\0';
    *out = buf;
    *out_len = (size_t)(o - buf);
    return 0;
}

int csv_to_utf8(const char *data, size_t len, char **out, size_t *out_len, enum csv_encoding *enc)
{
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        len -= 3;
    }
    if (memchr(data, '\0', len))
        return -1;
    if (validate_utf8(data, len)) {
        char *buf = malloc(len + 1);
        if (!buf)
            return -1;
        memcpy(buf, data, len);
        buf[len] = '\0';
        *out = buf;
        *out_len = len;
        *enc = CSV_UTF8;
        return 0;
    }
    *enc = CSV_GB18030;
    return csv_from_gb18030(data, len, out, out_len);
}

void csv_init(struct csv_parser *ps, const char *text, size_t len)
{
    ps->p = text;
    ps->end = text + len;
    ps->line = ps->next_line = 1;
    ps->error = NULL;
}

/* Skips the rest of a broken record up to the next line. */
static enum csv_status csv_fail(struct csv_parser *ps, struct csv_record *rec, const char *why)
{
    while (ps->p < ps->end && *ps->p != '\n')
        ps->p++;
    if (ps->p < ps->end) {
        ps->p++;
        ps->next_line++;
    }
    ps->error = why;
    rec->line = ps->line;
    return CSV_ERROR;
}

static void csv_trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

/* Reads one field at ps->p into the buffer at *used; returns 1 at end of record,
 * 0 if a comma follows, -1 on error (ps->error set). */
static int csv_field(struct csv_parser *ps, struct csv_record *rec, size_t *used)
{
    char *dst = ps->buf + *used;
    size_t room = sizeof ps->buf - *used - 1, n = 0;
    bool quoted = ps->p < ps->end && *ps->p == '"';
    if (quoted) {
        ps->p++;
        for (;;) {
            if (ps->p >= ps->end)
                return ps->error = "unterminated_quote", -1;
            char c = *ps->p++;
            if (c == '"') {
                if (ps->p < ps->end && *ps->p == '"')
                    ps->p++;
                else
                    break;
            } else if (c == '\n') {
                ps->next_line++;
            }
            if (n >= room || n >= CSV_MAX_FIELD)
                return ps->error = "field_too_long", -1;
            dst[n++] = c;
        }
        if (ps->p < ps->end && *ps->p != ',' && *ps->p != '\r' && *ps->p != '\n')
            return ps->error = "bad_quote", -1;
    } else {
        while (ps->p < ps->end && *ps->p != ',' && *ps->p != '\n' &&
               !(*ps->p == '\r' && (ps->p + 1 == ps->end || ps->p[1] == '\n'))) {
            if (*ps->p == '"')
                return ps->error = "bad_quote", -1;
            if (n >= room || n >= CSV_MAX_FIELD)
                return ps->error = "field_too_long", -1;
            dst[n++] = *ps->p++;
        }
    }
    const char *f = dst;
    if (!quoted)
        csv_trim(&f, &n);
    if (rec->n >= CSV_MAX_FIELDS)
        return ps->error = "too_many_fields", -1;
    dst[f - dst + (ptrdiff_t)n] = '\0';
    rec->field[rec->n] = f;
    rec->len[rec->n++] = n;
    *used += (size_t)(f - dst) + n + 1;
    if (ps->p < ps->end && *ps->p == ',') {
        ps->p++;
        return 0;
    }
    if (ps->p < ps->end && *ps->p == '\r')
        ps->p++;
    if (ps->p < ps->end && *ps->p == '\n') {
        ps->p++;
        ps->next_line++;
    }
    return 1;
}

enum csv_status csv_next(struct csv_parser *ps, struct csv_record *rec)
{
    for (;;) {
        ps->line = ps->next_line;
        rec->n = 0;
        rec->line = ps->line;
        if (ps->p >= ps->end)
            return CSV_END;
        if (*ps->p == '\n' || (*ps->p == '\r' && ps->p + 1 < ps->end && ps->p[1] == '\n')) {
            ps->p += *ps->p == '\r' ? 2 : 1;
            ps->next_line++;
            continue;
        }
        size_t used = 0;
        int r;
        while ((r = csv_field(ps, rec, &used)) == 0)
            ;
        if (r < 0)
            return csv_fail(ps, rec, ps->error);
        bool blank = true;
        for (size_t i = 0; i < rec->n && blank; i++)
            blank = rec->len[i] == 0;
        if (!blank)
            return CSV_RECORD;
    }
}
