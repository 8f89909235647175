#define _POSIX_C_SOURCE 200809L
#include "privacy.h"

#include <stdlib.h>
#include <string.h>

#define K PRIVACY_KEEP
#define D PRIVACY_DROP
#define M PRIVACY_REMASK
#define R PRIVACY_REVEALED
#define E PRIVACY_ETHNIC

#define PRIVACY_IDNUM_LEN 18

/* One field and what each caller gets of it, in the order of enum
 * privacy_caller: staff, staff with pii:reveal, kiosk, broker, public.
 * A prefix rule names every member starting with key. */
struct privacy_rule {
    const char *key;
    bool prefix;
    unsigned char action[PRIVACY_CALLER_COUNT];
};

static const struct privacy_rule privacy_rules[] = {
    /* the full number, phone and birth date travel only in an audited reveal */
    {"id_number", false, {D, R, D, D, D}},
    {"phone", false, {D, R, D, D, D}},
    {"birth_date", false, {D, R, D, D, D}},
    {"id_number_masked", false, {M, M, M, D, D}},
    {"phone_masked", false, {K, K, K, D, D}},
    /* bank cards and accounts wages and subsidies are paid into: the number
     * is never answered (only encrypted at rest); its mask and the holder's
     * name are for staff and the worker, not for brokers */
    {"account_number", false, {D, D, D, D, D}},
    {"account_masked", false, {K, K, K, D, D}},
    {"holder_name", false, {K, K, K, D, D}},
    /* households: not for brokers; their poverty status not on a kiosk's
     * screen in a public hall either */
    {"household", true, {K, K, K, D, D}},
    {"members", false, {K, K, K, D, D}},
    {"monitoring", true, {K, K, D, D, D}},
    {"zero_employment", true, {K, K, D, D, D}},
    /* the priority part of a score and its weights (priority, prio_*) */
    {"prio", true, {K, K, K, D, D}},
    {"reasons", false, {K, K, PRIVACY_REASONS, PRIVACY_REASONS, PRIVACY_REASONS}},
    {"failed", false, {K, K, K, PRIVACY_FAILED, PRIVACY_FAILED}},
    /* ethnicity: recorded only for the fairness report, read only by staff
     * granted the ethnicity permission (the report's ethnicity section, a
     * worker's ethnicity); never in any other answer or to anyone else */
    {"ethnicity", false, {E, E, D, D, D}},
};

#undef K
#undef D
#undef M
#undef R
#undef E

/* Filter codes that speak of the household (a member holds a post). */
static bool privacy_household_filter(const char *code)
{
    return code && strcmp(code, "household_post") == 0;
}

void privacy_mask_idnum(const char *s, char out[19])
{
    bool number = strnlen(s, PRIVACY_IDNUM_LEN + 1) == PRIVACY_IDNUM_LEN;
    for (size_t i = 0; number && i < 6; i++)
        number = s[i] >= '0' && s[i] <= '9';
    memset(out, '*', PRIVACY_IDNUM_LEN);
    out[PRIVACY_IDNUM_LEN] = '\0';
    if (!number)
        return;
    memcpy(out, s, 6);
    char last = s[PRIVACY_IDNUM_LEN - 1];
    if ((last >= '0' && last <= '9') || last == 'X' || last == 'x')
        out[PRIVACY_IDNUM_LEN - 1] = last == 'x' ? 'X' : last;
}

/* Whether s is a mask in the shape privacy_mask_idnum makes. */
static bool privacy_mask_ok(const char *s, size_t n)
{
    if (n != PRIVACY_IDNUM_LEN)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = i < 6                       ? (c >= '0' && c <= '9') || c == '*'
                  : i < PRIVACY_IDNUM_LEN - 1 ? c == '*'
                                              : (c >= '0' && c <= '9') || c == 'X' || c == '*';
        if (!ok)
            return false;
    }
    return true;
}

static const struct privacy_rule *privacy_rule_of(const char *key, size_t n)
{
    for (size_t i = 0; i < sizeof privacy_rules / sizeof privacy_rules[0]; i++) {
        const struct privacy_rule *r = &privacy_rules[i];
        size_t kl = strlen(r->key);
        if (r->prefix ? n >= kl && memcmp(key, r->key, kl) == 0
                      : n == kl && memcmp(key, r->key, kl) == 0)
            return r;
    }
    return NULL;
}

/* What rule r does to a member for caller with marks. */
static enum privacy_action privacy_rule_action(const struct privacy_rule *r,
                                               enum privacy_caller caller, unsigned marks)
{
    if ((unsigned)caller >= PRIVACY_CALLER_COUNT)
        caller = PRIVACY_PUBLIC;
    enum privacy_action a = (enum privacy_action)r->action[caller];
    if (a == PRIVACY_REVEALED)
        return (marks & PRIVACY_MARK_REVEALED) && caller == PRIVACY_STAFF_REVEAL ? PRIVACY_KEEP
                                                                                 : PRIVACY_DROP;
    if (a == PRIVACY_ETHNIC)
        return (marks & PRIVACY_MARK_ETHNICITY) &&
                       (caller == PRIVACY_STAFF || caller == PRIVACY_STAFF_REVEAL)
                   ? PRIVACY_KEEP
                   : PRIVACY_DROP;
    return a;
}

static enum privacy_action privacy_action_n(const char *key, size_t n, enum privacy_caller caller,
                                            unsigned marks)
{
    const struct privacy_rule *r = privacy_rule_of(key, n);
    return r ? privacy_rule_action(r, caller, marks) : PRIVACY_KEEP;
}

enum privacy_action privacy_action_of(const char *key, enum privacy_caller caller, unsigned marks)
{
    return privacy_action_n(key, strlen(key), caller, marks);
}

/* ---------- JSON ---------- */

static void privacy_filter_reasons(json_t *a)
{
    for (size_t i = json_array_size(a); i-- > 0;) {
        json_t *it = json_array_get(a, i);
        const char *code = json_string_value(json_object_get(it, "code"));
        const char *filter = json_string_value(json_object_get(it, "filter"));
        if ((code && strncmp(code, "prio", 4) == 0) || privacy_household_filter(filter))
            json_array_remove(a, i);
    }
}

static void privacy_filter_failed(json_t *a)
{
    for (size_t i = json_array_size(a); i-- > 0;)
        if (privacy_household_filter(json_string_value(json_array_get(a, i))))
            json_array_remove(a, i);
}

static void privacy_shape_object(json_t *o, enum privacy_caller caller, unsigned marks)
{
    const char *key;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(o, tmp, key, v)
    {
        switch (privacy_action_of(key, caller, marks)) {
        case PRIVACY_DROP:
        case PRIVACY_REVEALED:
        case PRIVACY_ETHNIC:
            json_object_del(o, key);
            continue;
        case PRIVACY_REMASK:
            if (json_is_string(v)) {
                char m[19];
                privacy_mask_idnum(json_string_value(v), m);
                json_object_set_new(o, key, json_string(m));
            }
            continue;
        case PRIVACY_REASONS:
            if (json_is_array(v))
                privacy_filter_reasons(v);
            break;
        case PRIVACY_FAILED:
            if (json_is_array(v))
                privacy_filter_failed(v);
            break;
        case PRIVACY_KEEP:
            break;
        }
        privacy_shape_json(v, caller, marks);
    }
}

void privacy_shape_json(json_t *v, enum privacy_caller caller, unsigned marks)
{
    if (json_is_object(v)) {
        privacy_shape_object(v, caller, marks);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *it;
        json_array_foreach(v, i, it) privacy_shape_json(it, caller, marks);
    }
}

/* Whether the "id_number_masked" member whose key ends before q holds a
 * string not in the shape of privacy_mask_idnum (null and masks in that
 * shape need nothing). */
static bool privacy_text_bad_mask_at(const char *q, const char *end)
{
    while (q < end && (*q == ' ' || *q == ':' || *q == '\t' || *q == '\n' || *q == '\r'))
        q++;
    if (q < end && *q == 'n')
        return false;
    return q + 1 + PRIVACY_IDNUM_LEN >= end || *q != '"' || q[1 + PRIVACY_IDNUM_LEN] != '"' ||
           !privacy_mask_ok(q + 1, PRIVACY_IDNUM_LEN);
}

/* One pass over the text: at each '"', the keys of the rules that act for
 * this caller ("<key>" exact, "<key" for a prefix rule); a remask rule's key
 * counts only when its value is not a well-shaped mask. */
bool privacy_json_needs_shaping(const char *text, size_t len, enum privacy_caller caller,
                                unsigned marks)
{
    enum { RULES = sizeof privacy_rules / sizeof privacy_rules[0] };
    const struct privacy_rule *act[RULES];
    size_t klen[RULES];
    bool remask[RULES];
    bool first[256] = {false}; /* the first characters of those keys */
    size_t n = 0;
    for (size_t i = 0; i < RULES; i++) {
        const struct privacy_rule *r = &privacy_rules[i];
        enum privacy_action a = privacy_rule_action(r, caller, marks);
        if (a == PRIVACY_KEEP)
            continue;
        act[n] = r;
        klen[n] = strlen(r->key);
        first[(unsigned char)r->key[0]] = true;
        remask[n++] = a == PRIVACY_REMASK;
    }
    const char *end = text + len;
    for (const char *p = n ? memchr(text, '"', len) : NULL; p;
         p = memchr(p + 1, '"', (size_t)(end - p - 1))) {
        const char *k = p + 1;
        size_t rest = (size_t)(end - k);
        if (!rest || !first[(unsigned char)k[0]])
            continue;
        for (size_t i = 0; i < n; i++) {
            size_t kl = klen[i];
            bool exact = !act[i]->prefix;
            if (rest < kl + exact || k[0] != act[i]->key[0] || memcmp(k, act[i]->key, kl) != 0 ||
                (exact && k[kl] != '"'))
                continue;
            if (!remask[i] || privacy_text_bad_mask_at(k + kl + 1, end))
                return true;
        }
    }
    return false;
}

/* ---------- CSV ---------- */

/* One field of a CSV row starting at p: its raw bytes end at *end (at the
 * separator, line end or the end of input); quoted tells whether it is
 * quoted.  Returns what follows it: ',' , '\n' (CRLF or LF) or 0 at the end. */
static int privacy_csv_field(const char *p, const char *lim, const char **end, bool *quoted)
{
    *quoted = p < lim && *p == '"';
    if (*quoted) {
        for (p++; p < lim; p++) {
            if (*p != '"')
                continue;
            if (p + 1 < lim && p[1] == '"') {
                p++;
                continue;
            }
            p++;
            break;
        }
    }
    while (p < lim && *p != ',' && *p != '\n' && *p != '\r')
        p++;
    *end = p;
    if (p >= lim)
        return 0;
    return *p == ',' ? ',' : '\n';
}

/* The bytes after a field's separator. */
static const char *privacy_csv_after(const char *end, const char *lim, int sep)
{
    if (sep == ',')
        return end + 1;
    if (sep == '\n') {
        if (*end == '\r' && end + 1 < lim && end[1] == '\n')
            return end + 2;
        return end + 1;
    }
    return end;
}

/* The unquoted text of a raw field into buf (cut to cap - 1 bytes). */
static void privacy_csv_text(const char *p, const char *end, bool quoted, char *buf, size_t cap)
{
    size_t n = 0;
    if (quoted) {
        p++;
        if (end > p && end[-1] == '"')
            end--;
    }
    for (; p < end && n + 1 < cap; p++) {
        if (quoted && *p == '"' && p + 1 < end && p[1] == '"')
            p++;
        buf[n++] = *p;
    }
    buf[n] = '\0';
}

#define PRIVACY_CSV_MAX_COLUMNS 256

struct privacy_csv_out {
    char *buf;
    size_t len, cap;
    bool failed;
};

static void privacy_csv_put(struct privacy_csv_out *o, const char *s, size_t n)
{
    if (o->failed || n == 0)
        return;
    if (o->len + n > o->cap) {
        size_t cap = o->cap ? o->cap : 4096;
        while (cap < o->len + n)
            cap *= 2;
        char *b = realloc(o->buf, cap);
        if (!b) {
            o->failed = true;
            return;
        }
        o->buf = b;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

/* The action of each header column; returns how many columns, or -1 when
 * there are too many to shape (then every column is dropped). */
static int privacy_csv_header(const char *p, const char *lim, enum privacy_caller caller,
                              unsigned marks, unsigned char act[PRIVACY_CSV_MAX_COLUMNS],
                              bool *changes)
{
    int n = 0, sep;
    *changes = false;
    do {
        const char *end;
        bool quoted;
        char name[64];
        sep = privacy_csv_field(p, lim, &end, &quoted);
        if (n == PRIVACY_CSV_MAX_COLUMNS)
            return -1;
        privacy_csv_text(p, end, quoted, name, sizeof name);
        enum privacy_action a = privacy_action_of(name, caller, marks);
        act[n] = a == PRIVACY_KEEP || a == PRIVACY_REASONS || a == PRIVACY_FAILED ? PRIVACY_KEEP
                 : a == PRIVACY_REMASK                                            ? PRIVACY_REMASK
                                                                                  : PRIVACY_DROP;
        *changes = *changes || act[n] != PRIVACY_KEEP;
        n++;
        p = privacy_csv_after(end, lim, sep);
    } while (sep == ',');
    return n;
}

int privacy_shape_csv(const char *in, size_t len, enum privacy_caller caller, unsigned marks,
                      char **out, size_t *out_len)
{
    static const char bom[] = "\xEF\xBB\xBF";
    unsigned char act[PRIVACY_CSV_MAX_COLUMNS];
    const char *p = in, *lim = in + len;
    bool changes;
    *out = NULL;
    *out_len = 0;
    if (len >= 3 && memcmp(in, bom, 3) == 0)
        p += 3;
    int ncols = privacy_csv_header(p, lim, caller, marks, act, &changes);
    if (ncols > 0 && !changes)
        return 0;
    struct privacy_csv_out o = {0};
    privacy_csv_put(&o, in, (size_t)(p - in));
    for (bool header = true; ncols > 0 && p < lim; header = false) {
        int col = 0, sep, written = 0;
        do {
            const char *end;
            bool quoted;
            sep = privacy_csv_field(p, lim, &end, &quoted);
            enum privacy_action a = col < ncols ? (enum privacy_action)act[col] : PRIVACY_DROP;
            if (a != PRIVACY_DROP) {
                if (written++)
                    privacy_csv_put(&o, ",", 1);
                if (a == PRIVACY_REMASK && !header) {
                    char text[64], m[19];
                    privacy_csv_text(p, end, quoted, text, sizeof text);
                    privacy_mask_idnum(text, m);
                    privacy_csv_put(&o, m, strlen(m));
                } else {
                    privacy_csv_put(&o, p, (size_t)(end - p));
                }
            }
            col++;
            p = privacy_csv_after(end, lim, sep);
        } while (sep == ',');
        privacy_csv_put(&o, "\r\n", 2);
    }
    if (o.failed) {
        free(o.buf);
        return -1;
    }
    if (!o.buf)
        o.buf = calloc(1, 1);
    if (!o.buf)
        return -1;
    *out = o.buf;
    *out_len = o.len;
    return 0;
}
