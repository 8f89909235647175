#include "jv.h"

#include "validate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct jv_ctx {
    const char *prefix;
    json_t *problem;
    enum problem_lang lang;
    int today;
    bool failed;
};

static void jv_fault(struct jv_ctx *c, const char *name, const char *code)
{
    char path[256 + 128]; /* a prefix of < 256 bytes and a name of < 128 always fit */
    snprintf(path, sizeof path, "%s%s%s", c->prefix, *c->prefix && *name ? "/" : "", name);
    c->failed = true;
    if (problem_add_error(c->problem, path, code, c->lang, NULL) < 0)
        return;
}

static bool jv_in_values(const char *const *values, const char *v)
{
    for (size_t i = 0; values && values[i]; i++)
        if (strcmp(values[i], v) == 0)
            return true;
    return false;
}

/* Characters in a valid UTF-8 string. */
static size_t jv_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static json_t *jv_string(struct jv_ctx *c, const struct jv_field *f, const json_t *v)
{
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    enum validate_reason why;
    if (!validate_text_why(s, len, (size_t)(f->max > 0 ? f->max : 1000), &why)) {
        jv_fault(c, f->name, validate_reason_code(why));
        return NULL;
    }
    if ((int64_t)jv_chars(s) < f->min) {
        jv_fault(c, f->name, f->min == 1 ? "required" : "too_short");
        return NULL;
    }
    return json_string(s);
}

static json_t *jv_special(struct jv_ctx *c, const struct jv_field *f, const json_t *v)
{
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    enum validate_reason why = VALIDATE_OK;
    char buf[20];
    if (f->type == JV_DATE) {
        int ymd;
        if (!validate_date(s, len, &ymd) || (f->min && ymd < f->min) || (f->max && ymd > f->max)) {
            jv_fault(c, f->name, "invalid_date");
            return NULL;
        }
        return json_string(s);
    }
    if (f->type == JV_IDNUM) {
        struct validate_idnum id;
        if (!validate_idnum(s, len, c->today, &id, &why)) {
            jv_fault(c, f->name, validate_reason_code(why));
            return NULL;
        }
        return json_string(id.normalized);
    }
    if (f->type == JV_PHONE) {
        char phone[16];
        if (!validate_phone_cn(s, len, phone)) {
            jv_fault(c, f->name, "invalid_format");
            return NULL;
        }
        return json_string(phone);
    }
    if (!validate_credit_code(s, len, buf, &why)) {
        jv_fault(c, f->name, validate_reason_code(why));
        return NULL;
    }
    return json_string(buf);
}

static json_t *jv_enum_array(struct jv_ctx *c, const struct jv_field *f, const json_t *v)
{
    if (!json_is_array(v)) {
        jv_fault(c, f->name, "invalid_type");
        return NULL;
    }
    if (f->max && (int64_t)json_array_size(v) > f->max) {
        jv_fault(c, f->name, "too_long");
        return NULL;
    }
    json_t *out = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        const char *s = json_string_value(e);
        if (!s || !jv_in_values(f->values, s)) {
            jv_fault(c, f->name, s ? "unknown_value" : "invalid_type");
            json_decref(out);
            return NULL;
        }
        bool dup = false;
        size_t k;
        json_t *o;
        json_array_foreach(out, k, o) dup = dup || strcmp(json_string_value(o), s) == 0;
        if (!dup)
            json_array_append_new(out, json_string(s));
    }
    return out;
}

static json_t *jv_id_array(struct jv_ctx *c, const struct jv_field *f, const json_t *v)
{
    if (!json_is_array(v)) {
        jv_fault(c, f->name, "invalid_type");
        return NULL;
    }
    size_t n = json_array_size(v);
    if ((int64_t)n < f->min || (f->max && (int64_t)n > f->max)) {
        jv_fault(c, f->name, (int64_t)n < f->min ? "too_short" : "too_long");
        return NULL;
    }
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        if (!json_is_integer(e) || json_integer_value(e) < 1) {
            jv_fault(c, f->name, json_is_integer(e) ? "invalid_format" : "invalid_type");
            return NULL;
        }
    }
    /* duplicates are left to the database, which sorts and folds the set */
    return json_deep_copy(v);
}

static json_t *jv_number(struct jv_ctx *c, const struct jv_field *f, const json_t *v)
{
    if (f->type == JV_NUMBER && json_is_number(v)) {
        double d = json_number_value(v);
        if (!isfinite(d) || d < (double)f->min || d > (double)f->max) {
            jv_fault(c, f->name, "out_of_range");
            return NULL;
        }
        return json_real(d);
    }
    if (!json_is_integer(v)) {
        jv_fault(c, f->name, "invalid_type");
        return NULL;
    }
    json_int_t n = json_integer_value(v);
    int64_t lo = f->min, hi = f->max;
    if (f->type == JV_ID) {
        lo = 1;
        hi = INT64_MAX;
    } else if (f->type == JV_REGION) {
        lo = 110000;
        hi = 829999;
    }
    if (n < lo || n > hi) {
        jv_fault(c, f->name,
                 f->type == JV_ID || f->type == JV_REGION ? "invalid_format" : "out_of_range");
        return NULL;
    }
    return json_integer(n);
}

static json_t *jv_objects(struct jv_ctx *c, const struct jv_field *f, const json_t *v,
                          bool partial);

static json_t *jv_value(struct jv_ctx *c, const struct jv_field *f, const json_t *v, bool partial)
{
    switch (f->type) {
    case JV_STRING:
    case JV_DATE:
    case JV_IDNUM:
    case JV_PHONE:
    case JV_CREDIT_CODE:
    case JV_ENUM:
        if (!json_is_string(v))
            break;
        if (f->type == JV_STRING)
            return jv_string(c, f, v);
        if (f->type != JV_ENUM)
            return jv_special(c, f, v);
        if (!jv_in_values(f->values, json_string_value(v))) {
            jv_fault(c, f->name, "unknown_value");
            return NULL;
        }
        return json_string(json_string_value(v));
    case JV_BOOL:
        if (!json_is_boolean(v))
            break;
        return json_boolean(json_is_true(v));
    case JV_INT:
    case JV_NUMBER:
    case JV_ID:
    case JV_REGION:
        return jv_number(c, f, v);
    case JV_ENUM_ARRAY:
        return jv_enum_array(c, f, v);
    case JV_ID_ARRAY:
        return jv_id_array(c, f, v);
    case JV_OBJECTS:
        return jv_objects(c, f, v, partial);
    }
    jv_fault(c, f->name, "invalid_type");
    return NULL;
}

static json_t *jv_objects(struct jv_ctx *c, const struct jv_field *f, const json_t *v, bool partial)
{
    (void)partial;
    if (!json_is_array(v)) {
        jv_fault(c, f->name, "invalid_type");
        return NULL;
    }
    size_t n = json_array_size(v);
    if ((int64_t)n < f->min || (f->max && (int64_t)n > f->max)) {
        jv_fault(c, f->name, (int64_t)n < f->min ? "too_short" : "too_long");
        return NULL;
    }
    json_t *out = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        char prefix[256];
        snprintf(prefix, sizeof prefix, "%s%s%s/%zu", c->prefix, *c->prefix ? "/" : "", f->name, i);
        json_t *item = jv_check(e, f->items, false, c->today, prefix, c->problem, c->lang);
        if (!item)
            c->failed = true;
        else
            json_array_append_new(out, item);
    }
    if (c->failed) {
        json_decref(out);
        return NULL;
    }
    return out;
}

json_t *jv_check(const json_t *obj, const struct jv_schema *s, bool partial, int today,
                 const char *prefix, json_t *problem, enum problem_lang lang)
{
    struct jv_ctx c = {prefix, problem, lang, today, false};
    if (!json_is_object(obj)) {
        jv_fault(&c, "", "invalid_type");
        return NULL;
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)(uintptr_t)obj, key, v)
    {
        bool known = false;
        for (size_t i = 0; i < s->n && !known; i++)
            known = strcmp(s->fields[i].name, key) == 0;
        if (!known) {
            char name[128];
            validate_copy_text(name, sizeof name, key);
            jv_fault(&c, name, "unknown_field");
        }
    }
    json_t *out = json_object();
    for (size_t i = 0; i < s->n; i++) {
        const struct jv_field *f = &s->fields[i];
        v = json_object_get(obj, f->name);
        if (!v) {
            if ((f->flags & JV_REQUIRED) && !partial)
                jv_fault(&c, f->name, "required");
            continue;
        }
        if (json_is_null(v)) {
            if (f->flags & JV_NULLABLE)
                json_object_set_new(out, f->name, json_null());
            else
                jv_fault(&c, f->name, (f->flags & JV_REQUIRED) ? "required" : "invalid_type");
            continue;
        }
        json_t *nv = jv_value(&c, f, v, partial);
        if (nv)
            json_object_set_new(out, f->name, nv);
    }
    if (c.failed) {
        json_decref(out);
        return NULL;
    }
    return out;
}

size_t jv_error_count(const json_t *problem)
{
    return json_array_size(json_object_get(problem, "errors"));
}
