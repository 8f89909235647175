/*
 * api_list: filtered, sorted, keyset-paged lists, as JSON pages or as a CSV
 * export of every matching row.
 *
 * The cursor is opaque to clients: the JSON position the SQL function
 * returned as next_cursor, signed with the list's route, sort and filters
 * (api_cursor_seal), so that it is refused on any other list.  Lists never
 * use OFFSET.
 */
#define _POSIX_C_SOURCE 200809L
#include "api.h"
#include "dbreply.h"
#include "validate.h"

#include <event2/buffer.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define API_LIST_MAX_PARAMS 24
#define API_EXPORT_MAX_ROWS 200000

struct api_list_ctx {
    struct httpd_req *r;
    const struct api_resource *res;
    char *filters;
    char *sort;
    bool csv;
    struct evbuffer *out;
    json_t *columns;
    size_t rows;
    char *cursor; /* of the page asked for, to ask the primary when the replica fails */
    int limit;
    bool on_replica; /* the page was asked of the read replica */
};

static bool api_list_filter(struct httpd_req *r, const struct api_filter *f, const char *v,
                            json_t *filters)
{
    size_t n = strlen(v);
    json_t *val = NULL;
    int ymd;
    switch (f->type) {
    case API_FILTER_ID:
    case API_FILTER_REGION: {
        bool ok = n > 0 && n <= 18 && v[0] != '0';
        for (size_t i = 0; ok && i < n; i++)
            ok = v[i] >= '0' && v[i] <= '9';
        if (ok && (f->type != API_FILTER_REGION || n == 6))
            val = json_integer(strtoll(v, NULL, 10));
        break;
    }
    case API_FILTER_ENUM:
        for (size_t i = 0; f->values && f->values[i]; i++)
            if (!strcmp(f->values[i], v))
                val = json_string(v);
        break;
    case API_FILTER_BOOL:
        if (!strcmp(v, "true") || !strcmp(v, "false"))
            val = json_boolean(!strcmp(v, "true"));
        break;
    case API_FILTER_TEXT:
        if (validate_text(v, n, 100) && n > 0)
            val = json_string(v);
        break;
    case API_FILTER_DATE:
        if (validate_date(v, n, &ymd))
            val = json_string(v);
        break;
    }
    if (!val) {
        api_reply_field_error(r, "invalid_query", f->name,
                              f->type == API_FILTER_ENUM ? "unknown_value" : "invalid_format");
        return false;
    }
    json_object_set_new(filters, f->name, val);
    return true;
}

/* Checks every query parameter; fills filters.  Answers and returns false on a fault. */
static bool api_list_params(struct httpd_req *r, const struct api_resource *res, json_t *filters)
{
    const char *names[API_LIST_MAX_PARAMS];
    size_t n = httpd_req_query_names(r, names, API_LIST_MAX_PARAMS);
    if (n > API_LIST_MAX_PARAMS) {
        api_reply_field_error(r, "invalid_query", "", "too_long");
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = names[i];
        if (!strcmp(name, "limit") || !strcmp(name, "cursor") || !strcmp(name, "sort") ||
            !strcmp(name, "format"))
            continue;
        const struct api_filter *f = NULL;
        for (size_t k = 0; k < res->nfilters && !f; k++)
            if (!strcmp(res->filters[k].name, name))
                f = &res->filters[k];
        if (!f) {
            char field[64];
            validate_copy_text(field, sizeof field, name);
            api_reply_field_error(r, "invalid_query", field, "unknown_field");
            return false;
        }
        if (!api_list_filter(r, f, httpd_req_query(r, name), filters))
            return false;
    }
    return true;
}

static void api_list_free(struct api_list_ctx *c)
{
    free(c->filters);
    free(c->sort);
    free(c->cursor);
    if (c->out)
        evbuffer_free(c->out);
    json_decref(c->columns);
    free(c);
}

static void api_csv_field(struct evbuffer *out, const json_t *v)
{
    char buf[64];
    const char *s = "";
    if (json_is_string(v)) {
        s = json_string_value(v);
    } else if (json_is_integer(v)) {
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
        s = buf;
    } else if (json_is_real(v)) {
        snprintf(buf, sizeof buf, "%.6f", json_real_value(v));
        s = buf;
    } else if (json_is_boolean(v)) {
        s = json_is_true(v) ? "true" : "false";
    } else if (json_is_array(v) || json_is_object(v)) {
        char *d = json_dumps(v, JSON_COMPACT);
        json_t *t = d ? json_string(d) : json_null();
        api_csv_field(out, t);
        json_decref(t);
        free(d);
        return;
    }
    /* quote everything that could break a row or start a formula in a spreadsheet */
    bool quote = strpbrk(s, ",\"\r\n") || strchr("=+-@", s[0] ? s[0] : 'x');
    if (!quote) {
        evbuffer_add(out, s, strlen(s));
        return;
    }
    evbuffer_add(out, "\"", 1);
    if (strchr("=+-@", s[0] ? s[0] : 'x') && !json_is_number(v))
        evbuffer_add(out, "'", 1);
    for (; *s; s++) {
        if (*s == '"')
            evbuffer_add(out, "\"\"", 2);
        else
            evbuffer_add(out, s, 1);
    }
    evbuffer_add(out, "\"", 1);
}

static void api_csv_rows(struct api_list_ctx *c, const json_t *items)
{
    size_t i, k;
    json_t *item, *col;
    if (!c->columns) {
        c->columns = json_array();
        const char *key;
        json_t *v;
        item = json_array_get(items, 0);
        json_object_foreach(item, key, v) json_array_append_new(c->columns, json_string(key));
        evbuffer_add(c->out, "\xEF\xBB\xBF", 3); /* BOM: spreadsheets then read UTF-8 */
        json_array_foreach(c->columns, k, col)
        {
            if (k)
                evbuffer_add(c->out, ",", 1);
            api_csv_field(c->out, col);
        }
        evbuffer_add(c->out, "\r\n", 2);
    }
    json_array_foreach(items, i, item)
    {
        json_array_foreach(c->columns, k, col)
        {
            if (k)
                evbuffer_add(c->out, ",", 1);
            api_csv_field(c->out, json_object_get(item, json_string_value(col)));
        }
        evbuffer_add(c->out, "\r\n", 2);
        c->rows++;
    }
}

static void api_list_next(struct api_list_ctx *c, const char *cursor, int limit);

static void api_list_cb(void *arg, const struct pgpool_reply *rep)
{
    struct api_list_ctx *c = arg;
    struct httpd_req *r = c->r;
    if (c->on_replica && (rep->status == PGPOOL_UNAVAILABLE || rep->status == PGPOOL_TIMEOUT)) {
        c->on_replica = false;
        const char *v[4] = {c->filters, c->cursor, NULL, c->sort};
        char lim[16];
        snprintf(lim, sizeof lim, "%d", c->limit);
        v[2] = lim;
        pgpool_query_scoped(httpd_req_pool(r), api_scope(r), c->res->list, 4, v, api_list_cb, c);
        return;
    }
    if (rep->status != PGPOOL_OK) {
        api_list_free(c);
        dbreply_error(r, rep);
        return;
    }
    json_t *body = json_loads(PQgetvalue(rep->res, 0, 2), 0, NULL);
    json_t *next = json_object_get(body, "next_cursor");
    if (c->csv) {
        api_csv_rows(c, json_object_get(body, "items"));
        char *pos = json_is_object(next) ? json_dumps(next, JSON_COMPACT) : NULL;
        json_decref(body);
        if (pos && c->rows < API_EXPORT_MAX_ROWS) {
            api_list_next(c, pos, 200);
            free(pos);
            return;
        }
        free(pos);
        size_t len = evbuffer_get_length(c->out);
        httpd_set_header(r, "Content-Disposition", "attachment; filename=\"export.csv\"");
        httpd_reply_raw(r, 200, "text/csv; charset=utf-8",
                        len ? (const char *)evbuffer_pullup(c->out, -1) : "", len);
        api_list_free(c);
        return;
    }
    char *pos = json_is_object(next) ? json_dumps(next, JSON_COMPACT) : NULL;
    json_object_set_new(body, "next_cursor",
                        pos ? api_cursor_seal(r, c->sort, c->filters, pos) : json_null());
    free(pos);
    api_list_free(c);
    httpd_reply_json(r, 200, body);
}

static void api_list_next(struct api_list_ctx *c, const char *cursor, int limit)
{
    char lim[16];
    snprintf(lim, sizeof lim, "%d", limit);
    const char *v[4] = {c->filters, cursor, lim, c->sort};
    free(c->cursor);
    c->cursor = cursor ? strdup(cursor) : NULL;
    c->limit = limit;
    struct pgpool *pool = httpd_req_read_pool(c->r);
    c->on_replica = pool != httpd_req_pool(c->r) && (!cursor || c->cursor);
    pgpool_query_scoped(pool, api_scope(c->r), c->res->list, 4, v, api_list_cb, c);
}

static bool api_list_sort(struct httpd_req *r, const struct api_resource *res, const char **sort)
{
    const char *s = httpd_req_query(r, "sort");
    *sort = res->sorts ? res->sorts[0] : "id";
    if (!s)
        return true;
    for (size_t i = 0; res->sorts && res->sorts[i]; i++)
        if (!strcmp(res->sorts[i], s)) {
            *sort = res->sorts[i];
            return true;
        }
    api_reply_field_error(r, "invalid_query", "sort", "unknown_value");
    return false;
}

/* Answers the list with filters (a new reference, stolen) and the query's. */
static void api_list_start(struct httpd_req *r, const struct api_resource *res, json_t *filters)
{
    const char *sort;
    if (!filters) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    if (!api_list_params(r, res, filters) || !api_list_sort(r, res, &sort)) {
        json_decref(filters);
        return;
    }
    const char *cs = httpd_req_query(r, "cursor");
    const char *fmt = httpd_req_query(r, "format");
    int limit = 50;
    if (!api_query_limit(r, 50, 200, &limit)) {
        json_decref(filters);
        return;
    }
    if (fmt && strcmp(fmt, "csv") && strcmp(fmt, "json")) {
        json_decref(filters);
        api_reply_field_error(r, "invalid_query", "format", "unknown_value");
        return;
    }
    struct api_list_ctx *c = calloc(1, sizeof *c);
    if (c) {
        c->r = r;
        c->res = res;
        c->filters = json_dumps(filters, JSON_COMPACT | JSON_SORT_KEYS);
        c->sort = strdup(sort);
        c->csv = fmt && !strcmp(fmt, "csv");
        c->out = c->csv ? evbuffer_new() : NULL;
    }
    json_decref(filters);
    if (!c || !c->filters || !c->sort || (c->csv && !c->out)) {
        if (c)
            api_list_free(c);
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    char *cursor = cs ? api_cursor_open(r, c->sort, c->filters, cs) : NULL;
    if (cs && !cursor) {
        api_list_free(c);
        return;
    }
    api_list_next(c, cursor, c->csv ? 200 : limit);
    free(cursor);
}

void api_list(struct httpd_req *r, const struct api_resource *res)
{
    api_list_start(r, res, json_object());
}

void api_list_under(struct httpd_req *r, const struct api_resource *res, const char *id_filter)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    api_list_start(r, res, json_pack("{s:I}", id_filter, (json_int_t)strtoll(id, NULL, 10)));
}
