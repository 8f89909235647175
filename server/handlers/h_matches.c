/*
 * Matching routes: candidates for a vacancy, jobs for a worker (staff and
 * kiosk), one explained pair, a broker's ad-hoc profile, and the weights.
 *
 * A query runs on the index (matchidx) under its read lock on the request's
 * thread; the names and figures shown with each result then come from one
 * scoped database query, so row-level security decides what the caller sees.
 * A broker's query leaves the priority part out of the score itself
 * (match_query.no_priority), so that neither the scores, the order nor the
 * reasons tell a household's status; the reply's shaping (lib/privacy.h)
 * then removes what is left of it from the answer.
 */
#define _POSIX_C_SOURCE 200809L
#include "h_matches.h"
#include "api.h"
#include "clock.h"
#include "date.h"
#include "dbreply.h"
#include "fields.h"
#include "handlers.h"
#include "matchidx.h"
#include "principal.h"
#include "problem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MATCHES_DEFAULT_K 20

struct matches_query {
    struct httpd_req *r;
    enum match_target target; /* what the items are */
    char subject[24];         /* the vacancy (candidates) or the worker (jobs) */
    bool broker;
    json_t *out;   /* the answer so far: items without cards, counts, removed, facets */
    char *ids;     /* "{…}" of the items' ids */
    int64_t other; /* an explained pair: the other record (worker or vacancy), else 0 */
    bool missing_in_index;
    bool subject_visible; /* the caller sees the subject's card */
    bool adhoc;           /* no subject record: a broker's "someone like this" */
};

static const struct pgpool_stmt matches_cards_workers = {
    "match_cards_w", "SELECT match_vacancy_cards(ARRAY[$1]::bigint[]), "
                     "match_worker_cards($2::bigint[], $3::boolean)"};
static const struct pgpool_stmt matches_cards_vacancies = {
    "match_cards_v", "SELECT match_worker_cards(ARRAY[$1]::bigint[], $3::boolean), "
                     "match_vacancy_cards($2::bigint[]), "
                     "training_proven_skills((ARRAY[$1]::bigint[])[1])"};

static enum match_lang matches_lang(struct httpd_req *r)
{
    const char *l = httpd_req_query(r, "lang");
    if (l)
        return !strcmp(l, "en") ? MATCH_LANG_EN : MATCH_LANG_ZH;
    return httpd_req_lang(r) == PROBLEM_LANG_EN ? MATCH_LANG_EN : MATCH_LANG_ZH;
}

static int32_t matches_today(void)
{
    int t = api_today();
    return date_from_ymd(t);
}

/* ---------- parameters ---------- */

#define MATCHES_BINDING_MAX 1024

static bool matches_number(struct httpd_req *r, const char *name, double lo, double hi, double *out)
{
    const char *v = httpd_req_query(r, name);
    if (!v)
        return true;
    char *end;
    double x = strtod(v, &end);
    if (!*v || *end || !isfinite(x)) {
        api_reply_field_error(r, "invalid_query", name, "invalid_type");
        return false;
    }
    if (x < lo || x > hi) {
        api_reply_field_error(r, "invalid_query", name, "out_of_range");
        return false;
    }
    *out = x;
    return true;
}

static bool matches_counties(struct httpd_req *r, struct match_query *q)
{
    const char *name;
    if (!api_query_alias(r, "county_code", "county", &name))
        return false;
    const char *v = httpd_req_query(r, name);
    for (const char *p = v; p && *p;) {
        char *end;
        long c = strtol(p, &end, 10);
        if (end == p || c < 100000 || c > 999999 || (*end && *end != ',') ||
            q->n_counties >= MATCH_MAX_QUERY_COUNTIES) {
            api_reply_field_error(r, "invalid_query", name, "invalid_format");
            return false;
        }
        q->counties[q->n_counties++] = (int32_t)c;
        p = *end ? end + 1 : end;
    }
    return true;
}

static bool matches_kinds(struct httpd_req *r, struct match_query *q)
{
    const char *v = httpd_req_query(r, "kind");
    char buf[32];
    for (const char *p = v; p && *p;) {
        size_t n = strcspn(p, ",");
        int k = -1;
        if (n < sizeof buf) {
            memcpy(buf, p, n);
            buf[n] = '\0';
            k = match_kind_parse(buf);
        }
        if (k < 0) {
            api_reply_field_error(r, "invalid_query", "kind", "unknown_value");
            return false;
        }
        q->kinds |= (uint8_t)(1u << k);
        p += n + (p[n] == ',');
    }
    return true;
}

/* What a cursor of these matches is bound to: the path and the filters. */
static void matches_binding(struct httpd_req *r, char *out, size_t cap)
{
    static const char *const names[] = {"county_code", "county", "kind", "min_score", "max_km"};
    int n = snprintf(out, cap, "%s", httpd_req_path(r));
    for (size_t i = 0; i < sizeof names / sizeof names[0] && n >= 0 && (size_t)n < cap; i++) {
        const char *v = httpd_req_query(r, names[i]);
        if (v)
            n += snprintf(out + n, cap - (size_t)n, "\n%s=%s", names[i], v);
    }
}

/* The cursor seals "<score>.<id>" of the last result shown (api_cursor_seal). */
static bool matches_cursor(struct httpd_req *r, struct match_query *q)
{
    const char *c = httpd_req_query(r, "cursor");
    if (!c)
        return true;
    char binding[MATCHES_BINDING_MAX];
    matches_binding(r, binding, sizeof binding);
    char *v = api_cursor_open(r, "score", binding, c);
    if (!v)
        return false;
    char *end;
    long s = strtol(v, &end, 10);
    long long id = *end == '.' ? strtoll(end + 1, &end, 10) : -1;
    bool ok = !*end && s >= 0 && s <= 10000 && id >= 1;
    free(v);
    if (!ok) {
        api_reply_field_error(r, "invalid_query", "cursor", "invalid_format");
        return false;
    }
    q->after = true;
    q->after_score = (int32_t)s;
    q->after_id = id;
    return true;
}

static bool matches_params(struct httpd_req *r, struct match_query *q, bool kinds)
{
    double k = MATCHES_DEFAULT_K, min = 0, km = 0;
    const char *limit;
    if (!api_query_alias(r, "limit", "k", &limit) ||
        !matches_number(r, limit, 1, MATCH_MAX_K, &k) ||
        !matches_number(r, "min_score", 0, 100, &min) || !matches_number(r, "max_km", 0, 5000, &km))
        return false;
    if (k != floor(k)) {
        api_reply_field_error(r, "invalid_query", limit, "invalid");
        return false;
    }
    match_query_init(q, matches_today(), (uint32_t)k);
    q->min_score = (int32_t)lround(min * 100);
    q->max_km = (float)km;
    const char *f = httpd_req_query(r, "facets");
    if (f && strcmp(f, "true") && strcmp(f, "false")) {
        api_reply_field_error(r, "invalid_query", "facets", "invalid_type");
        return false;
    }
    q->facets = f && !strcmp(f, "true");
    const char *l = httpd_req_query(r, "lang");
    if (l && strcmp(l, "zh") && strcmp(l, "en")) {
        api_reply_field_error(r, "invalid_query", "lang", "unknown_value");
        return false;
    }
    if (!matches_counties(r, q) || !matches_cursor(r, q))
        return false;
    if (kinds)
        return matches_kinds(r, q);
    if (httpd_req_query(r, "kind")) {
        api_reply_field_error(r, "invalid_query", "kind", "not_allowed");
        return false;
    }
    return true;
}

/* County staff search their own counties only (when they asked for none). */
static void matches_scope_counties(struct httpd_req *r, struct match_query *q)
{
    const struct principal *p = httpd_req_principal(r);
    if (p->role != ROLE_COUNTY || q->n_counties > 0)
        return;
    for (int i = 0; i < p->ncounties && q->n_counties < MATCH_MAX_QUERY_COUNTIES; i++)
        q->counties[q->n_counties++] = p->counties[i];
}

/* ---------- results as JSON ---------- */

static json_t *matches_hit(const struct match_hit *h, enum match_lang lang,
                           const struct match_names *names)
{
    json_t *parts = json_object();
    for (int p = 0; p < MATCH_PART_COUNT; p++)
        json_object_set_new(parts, match_part_code((enum match_part)p),
                            json_real(h->parts[p] / 100.0));
    return json_pack("{s:I, s:f, s:o, s:f, s:o}", "id", (json_int_t)h->id, "score",
                     h->score / 100.0, "parts", parts, "distance_km", round(h->km * 10) / 10,
                     "reasons", matchidx_reasons_json(h, lang, names));
}

static json_t *matches_facets(const struct match_facets *f)
{
    static const char *const wage[MATCH_WAGE_BANDS] = {
        "<2000", "2000-2999", "3000-3999", "4000-4999", "5000-6999", "7000+", "piece"};
    static const char *const dist[MATCH_DIST_BANDS] = {"<5",    "5-9",   "10-19",
                                                       "20-49", "50-99", "100+"};
    json_t *kind = json_object(), *w = json_object(), *d = json_object(), *c = json_object();
    for (int k = 0; k < MATCH_KIND_COUNT; k++)
        json_object_set_new(kind, match_kind_code((enum match_kind)k), json_integer(f->kind[k]));
    for (int k = 0; k < MATCH_WAGE_BANDS; k++)
        json_object_set_new(w, wage[k], json_integer(f->wage_band[k]));
    for (int k = 0; k < MATCH_DIST_BANDS; k++)
        json_object_set_new(d, dist[k], json_integer(f->dist_band[k]));
    for (uint32_t k = 0; k < f->n_counties; k++) {
        char code[16];
        snprintf(code, sizeof code, "%d", f->county[k].code);
        json_object_set_new(c, code, json_integer(f->county[k].count));
    }
    return json_pack("{s:o, s:o, s:o, s:o}", "kind", kind, "wage_band", w, "dist_band", d, "county",
                     c);
}

static json_t *matches_removed(const struct match_result *res, enum match_lang lang)
{
    json_t *a = json_array();
    for (int f = 1; f < MATCH_F_COUNT; f++) {
        if (!res->removed[f])
            continue;
        char text[256];
        match_filter_format((enum match_filter)f, res->removed[f], res->target, lang, text,
                            sizeof text);
        json_array_append_new(a, json_pack("{s:s, s:I, s:s}", "filter",
                                           match_filter_code((enum match_filter)f), "count",
                                           (json_int_t)res->removed[f], "text", text));
    }
    return a;
}

/* Builds mq->out and mq->ids from a result (under the read lock: names are borrowed). */
static void matches_render(struct matches_query *m, const struct match_result *res,
                           enum match_lang lang, const struct match_names *names)
{
    json_t *items = json_array();
    size_t cap = 3 + (size_t)res->n * 21, len = 0;
    m->ids = malloc(cap);
    if (m->ids)
        m->ids[len++] = '{';
    for (uint32_t i = 0; i < res->n; i++) {
        json_array_append_new(items, matches_hit(&res->hit[i], lang, names));
        if (m->ids)
            len += (size_t)snprintf(m->ids + len, cap - len, "%s%lld", i ? "," : "",
                                    (long long)res->hit[i].id);
    }
    if (m->ids)
        snprintf(m->ids + len, cap - len, "}");
    m->out = json_pack("{s:o, s:{s:I, s:I, s:b}, s:o}", "items", items, "counts", "scanned",
                       (json_int_t)res->scanned, "candidates", (json_int_t)res->candidates, "exact",
                       res->counts_exact, "removed", matches_removed(res, lang));
    if (res->more && res->n > 0) {
        char cur[48], binding[MATCHES_BINDING_MAX];
        snprintf(cur, sizeof cur, "%d.%lld", res->hit[res->n - 1].score,
                 (long long)res->hit[res->n - 1].id);
        matches_binding(m->r, binding, sizeof binding);
        json_object_set_new(m->out, "next_cursor", api_cursor_seal(m->r, "score", binding, cur));
    } else {
        json_object_set_new(m->out, "next_cursor", json_null());
    }
    if (res->has_facets)
        json_object_set_new(m->out, "facets", matches_facets(&res->facets));
}

/* ---------- the cards, then the answer ---------- */

static void matches_free(struct matches_query *m)
{
    json_decref(m->out);
    free(m->ids);
    free(m);
}

static const struct pgpool_stmt matches_archived_stmt = {
    "match_archived", "SELECT match_archived($1::bigint, $2::bigint)"};

/* The path parameter that names a record of kind 'v' or 'w' on m's route. */
static const char *matches_field(const struct matches_query *m, char kind)
{
    bool vacancy = kind == 'v';
    if (httpd_req_principal(m->r)->kind == PRINCIPAL_KIOSK)
        return vacancy ? "id" : "worker";
    if ((m->target == MATCH_TARGET_WORKERS) == vacancy)
        return "id";
    return vacancy ? "vacancy_id" : "worker_id";
}

/* Answers a query whose record is not in the index or not visible: 404
 * naming the archived record, else 503 when the caller sees the subject
 * (the index has not caught up yet), else 404. */
static void matches_archived_cb(void *arg, const struct pgpool_reply *rep)
{
    struct matches_query *m = arg;
    struct httpd_req *r = m->r;
    if (rep->status != PGPOOL_OK) {
        matches_free(m);
        dbreply_error(r, rep);
        return;
    }
    char gone = PQgetisnull(rep->res, 0, 0) ? 0 : PQgetvalue(rep->res, 0, 0)[0];
    bool later = m->missing_in_index && m->subject_visible;
    const char *field = gone ? matches_field(m, gone) : NULL;
    matches_free(m);
    if (field)
        api_reply_field_error(r, "not_found", field, "archived");
    else
        httpd_reply_problem(r, later ? "not_ready" : "not_found", NULL);
}

static void matches_check_archived(struct matches_query *m)
{
    char subject[24], other[24];
    snprintf(subject, sizeof subject, "%s", m->subject);
    snprintf(other, sizeof other, "%lld", (long long)m->other);
    const char *sv = m->target == MATCH_TARGET_WORKERS ? subject : other;
    const char *sw = m->target == MATCH_TARGET_WORKERS ? other : subject;
    const char *v[2] = {strcmp(sv, "0") ? sv : NULL, strcmp(sw, "0") ? sw : NULL};
    pgpool_query_scoped(httpd_req_pool(m->r), api_scope(m->r), &matches_archived_stmt, 2, v,
                        matches_archived_cb, m);
}

/* Marks the reasons about skills the worker holds at a level a passed course
 * proved (migrations/038_training.sql): "proven": true and the words
 * "（培训合格）" / " (proven by a course)" after the text.  proven is the
 * JSON array of those skill ids (borrowed). */
static void matches_mark_proven(json_t *items, const json_t *proven, enum match_lang lang)
{
    bool is[MATCH_MAX_SKILL + 1] = {false};
    size_t i, j;
    json_t *x, *it, *rs;
    json_array_foreach(proven, i, x)
    {
        json_int_t s = json_integer_value(x);
        if (s > 0 && s <= MATCH_MAX_SKILL)
            is[s] = true;
    }
    json_array_foreach(items, i, it)
    {
        json_array_foreach(json_object_get(it, "reasons"), j, rs)
        {
            const char *code = json_string_value(json_object_get(rs, "code"));
            json_int_t s = json_integer_value(json_object_get(rs, "skill_id"));
            if (!code || s <= 0 || s > MATCH_MAX_SKILL || !is[s] || strstr(code, "missing"))
                continue;
            char text[320];
            snprintf(text, sizeof text, "%s%s", json_string_value(json_object_get(rs, "text")),
                     lang == MATCH_LANG_EN ? " (proven by a course)" : "（培训合格）");
            json_object_set_new(rs, "text", json_string(text));
            json_object_set_new(rs, "proven", json_true());
        }
    }
}

static void matches_cards_cb(void *arg, const struct pgpool_reply *rep)
{
    struct matches_query *m = arg;
    struct httpd_req *r = m->r;
    if (rep->status != PGPOOL_OK) {
        matches_free(m);
        dbreply_error(r, rep);
        return;
    }
    json_t *subject = json_loads(PQgetvalue(rep->res, 0, 0), 0, NULL);
    json_t *cards = json_loads(PQgetvalue(rep->res, 0, 1), 0, NULL);
    json_t *card = m->adhoc ? NULL : json_object_get(subject, m->subject);
    if (!m->adhoc && (!card || m->missing_in_index)) {
        /* archived: 404 saying so; invisible: 404; visible but not yet in the index: 503 */
        m->subject_visible = card != NULL;
        json_decref(subject);
        json_decref(cards);
        matches_check_archived(m);
        return;
    }
    /* the job seeker at a kiosk knows who they are: no household figures for them */
    if (card && httpd_req_principal(r)->kind != PRINCIPAL_KIOSK)
        json_object_set(m->out, m->target == MATCH_TARGET_WORKERS ? "vacancy" : "worker", card);
    json_t *items = json_object_get(m->out, "items"), *kept = json_array();
    size_t i;
    json_t *it;
    const char *key = m->target == MATCH_TARGET_WORKERS ? "worker" : "vacancy";
    json_array_foreach(items, i, it)
    {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(it, "id")));
        json_t *c = json_object_get(cards, id);
        if (!c)
            continue; /* outside the caller's scope */
        json_object_set(it, key, c);
        json_array_append(kept, it);
    }
    if (m->target == MATCH_TARGET_VACANCIES && PQnfields(rep->res) > 2 &&
        !PQgetisnull(rep->res, 0, 2)) {
        json_t *proven = json_loads(PQgetvalue(rep->res, 0, 2), 0, NULL);
        matches_mark_proven(kept, proven, matches_lang(r));
        json_decref(proven);
    }
    json_object_set_new(m->out, "items", kept);
    json_decref(subject);
    json_decref(cards);
    json_t *out = json_incref(m->out);
    matches_free(m);
    httpd_set_header(r, "Cache-Control", "no-store");
    httpd_reply_json(r, 200, out);
}

static void matches_fetch_cards(struct matches_query *m)
{
    const char *v[3] = {m->subject, m->ids ? m->ids : "{}", m->broker ? "true" : "false"};
    pgpool_query_scoped(httpd_req_pool(m->r), api_scope(m->r),
                        m->target == MATCH_TARGET_WORKERS ? &matches_cards_workers
                                                          : &matches_cards_vacancies,
                        3, v, matches_cards_cb, m);
}

static struct matches_query *matches_new(struct httpd_req *r, enum match_target target,
                                         const char *subject)
{
    struct matches_query *m = calloc(1, sizeof *m);
    if (!m) {
        httpd_reply_problem(r, "overloaded", NULL);
        return NULL;
    }
    m->r = r;
    m->target = target;
    snprintf(m->subject, sizeof m->subject, "%s", subject);
    m->broker = httpd_req_principal(r)->kind == PRINCIPAL_BROKER;
    return m;
}

/* Runs a top-k query of target for subject and answers. */
static void matches_run(struct httpd_req *r, enum match_target target, const char *subject,
                        struct match_query *q)
{
    struct matches_query *m = matches_new(r, target, subject);
    struct match_result *res = m ? match_result_new() : NULL;
    if (!res) {
        if (m) {
            free(m);
            httpd_reply_problem(r, "overloaded", NULL);
        }
        return;
    }
    q->broker = m->broker;
    q->no_priority = m->broker;
    const struct match_index *idx;
    const struct match_names *names;
    if (!matchidx_read_begin(&idx, &names)) {
        match_result_free(res);
        free(m);
        httpd_reply_problem(r, "not_ready", NULL);
        return;
    }
    int64_t id = atoll(subject);
    int64_t t0 = clock_now_us();
    int rc = target == MATCH_TARGET_WORKERS ? match_query_workers_by_id(idx, id, q, res)
                                            : match_query_vacancies_by_id(idx, id, q, res);
    int64_t t1 = clock_now_us();
    matchidx_note_query(t1 - t0);
    if (rc == 0) {
        matches_render(m, res, matches_lang(r), names);
        json_object_set_new(json_object_get(m->out, "counts"), "query_ms",
                            json_real((double)(t1 - t0) / 1000.0));
    }
    matchidx_read_end();
    match_result_free(res);
    if (rc < 0) {
        m->missing_in_index = true;
        m->out = json_object();
    }
    matches_fetch_cards(m);
}

/* One worker against one vacancy, with every reason and failing filter. */
static void matches_explain(struct httpd_req *r, enum match_target target, const char *subject,
                            int64_t worker, int64_t vacancy)
{
    struct match_query q;
    match_query_init(&q, matches_today(), 1);
    struct matches_query *m = matches_new(r, target, subject);
    if (!m)
        return;
    m->other = target == MATCH_TARGET_WORKERS ? worker : vacancy;
    q.broker = m->broker;
    q.no_priority = m->broker;
    const struct match_index *idx;
    const struct match_names *names;
    if (!matchidx_read_begin(&idx, &names)) {
        free(m);
        httpd_reply_problem(r, "not_ready", NULL);
        return;
    }
    struct match_hit *h = malloc(sizeof *h);
    int rc = h ? match_explain(idx, worker, vacancy, &q, target, h) : -1;
    if (rc == 0) {
        json_t *hit = matches_hit(h, matches_lang(r), names);
        json_t *failed = json_array();
        for (int f = 1; f < MATCH_F_COUNT; f++)
            if (h->failed & (1u << f))
                json_array_append_new(failed, json_string(match_filter_code((enum match_filter)f)));
        json_object_set_new(hit, "eligible", json_boolean(h->failed == 0));
        json_object_set_new(hit, "failed", failed);
        m->out = json_pack("{s:[o], s:n}", "items", hit, "next_cursor");
        m->ids = malloc(24);
        if (m->ids)
            snprintf(m->ids, 24, "{%lld}", (long long)h->id);
    }
    matchidx_read_end();
    free(h);
    if (rc < 0) {
        m->missing_in_index = true;
        m->out = json_object();
    }
    matches_fetch_cards(m);
}

/* ---------- routes ---------- */

void h_vacancy_candidates(struct httpd_req *r)
{
    char id[24];
    struct match_query q;
    if (!api_param_id(r, 0, id) || !matches_params(r, &q, false))
        return;
    matches_scope_counties(r, &q);
    matches_run(r, MATCH_TARGET_WORKERS, id, &q);
}

void h_worker_matches(struct httpd_req *r)
{
    char id[24];
    struct match_query q;
    if (!api_param_id(r, 0, id) || !matches_params(r, &q, true))
        return;
    matches_run(r, MATCH_TARGET_VACANCIES, id, &q);
}

void h_vacancy_candidate(struct httpd_req *r)
{
    char vid[24], wid[24];
    if (!api_param_id(r, 0, vid) || !api_param_id(r, 1, wid))
        return;
    matches_explain(r, MATCH_TARGET_WORKERS, vid, atoll(wid), atoll(vid));
}

void h_worker_match(struct httpd_req *r)
{
    char wid[24], vid[24];
    if (!api_param_id(r, 0, wid) || !api_param_id(r, 1, vid))
        return;
    matches_explain(r, MATCH_TARGET_VACANCIES, wid, atoll(wid), atoll(vid));
}

void h_kiosk_jobs(struct httpd_req *r)
{
    char id[24];
    struct match_query q;
    snprintf(id, sizeof id, "%lld", (long long)httpd_req_principal(r)->id);
    if (!matches_params(r, &q, true))
        return;
    matches_run(r, MATCH_TARGET_VACANCIES, id, &q);
}

void h_kiosk_job(struct httpd_req *r)
{
    char wid[24], vid[24];
    snprintf(wid, sizeof wid, "%lld", (long long)httpd_req_principal(r)->id);
    if (!api_param_id(r, 0, vid))
        return;
    matches_explain(r, MATCH_TARGET_VACANCIES, wid, atoll(wid), atoll(vid));
}

/* ---------- a broker's ad-hoc profile ---------- */

static const char *const matches_kind_names[] = {
    "regular", "work_relief", "public_welfare", "forest_ranger", "workshop", "labor_export", NULL};

static const struct jv_field matches_skill_fields[] = {
    {"skill_id", JV_INT, JV_REQUIRED, 1, MATCH_MAX_SKILL, NULL, NULL},
    {"level", JV_INT, JV_REQUIRED, FIELDS_MIN(SKILL_LEVEL), FIELDS_MAX(SKILL_LEVEL), NULL, NULL},
};
static const struct jv_schema matches_skill_schema = JV_SCHEMA(matches_skill_fields);

static const struct jv_field matches_profile_fields[] = {
    {"county_code", JV_REGION, JV_REQUIRED, 0, 0, NULL, NULL},
    {"skills", JV_OBJECTS, 0, 0, MATCH_MAX_WORKER_SKILLS, NULL, &matches_skill_schema},
    {"age", JV_INT, 0, FIELDS_MIN(WORKER_AGE), FIELDS_MAX(WORKER_AGE), NULL, NULL},
    {"max_commute_km", JV_INT, 0, FIELDS_MIN(MAX_COMMUTE_KM), FIELDS_MAX(MAX_COMMUTE_KM), NULL,
     NULL},
    {"willing_outside_county", JV_BOOL, 0, 0, 0, NULL, NULL},
    {"willing_outside_province", JV_BOOL, 0, 0, 0, NULL, NULL},
    {"needs_accommodation", JV_BOOL, 0, 0, 0, NULL, NULL},
    {"wage_floor", JV_INT, 0, FIELDS_MIN(WAGE_FLOOR), FIELDS_MAX(WAGE_FLOOR), NULL, NULL},
    {"job_kinds_wanted", JV_ENUM_ARRAY, 0, 0, MATCH_KIND_COUNT, matches_kind_names, NULL},
};
static const struct jv_schema matches_profile_schema = JV_SCHEMA(matches_profile_fields);

static const struct pgpool_stmt matches_county_stmt = {
    "match_county", "SELECT lat, lon FROM region WHERE code = $1::integer AND level = 'county'"};

struct matches_adhoc {
    struct httpd_req *r;
    struct match_worker w;
    struct match_query q;
};

static void matches_adhoc_county_cb(void *arg, const struct pgpool_reply *rep)
{
    struct matches_adhoc *a = arg;
    struct httpd_req *r = a->r;
    if (rep->status != PGPOOL_OK || PQntuples(rep->res) != 1) {
        free(a);
        if (rep->status != PGPOOL_OK)
            dbreply_error(r, rep);
        else
            api_reply_field_error(r, "validation_failed", "county_code", "not_found");
        return;
    }
    a->w.lat = strtod(PQgetvalue(rep->res, 0, 0), NULL);
    a->w.lon = strtod(PQgetvalue(rep->res, 0, 1), NULL);
    struct matches_query *m = matches_new(r, MATCH_TARGET_VACANCIES, "0");
    if (m)
        m->adhoc = true;
    struct match_result *res = m ? match_result_new() : NULL;
    const struct match_index *idx;
    const struct match_names *names;
    if (!res || !matchidx_read_begin(&idx, &names)) {
        match_result_free(res);
        free(m);
        free(a);
        if (res || !m)
            httpd_reply_problem(r, res ? "not_ready" : "overloaded", NULL);
        return;
    }
    struct match_household h = {.id = 0};
    if (match_query_vacancies(idx, &a->w, &h, &a->q, res) == 0)
        matches_render(m, res, matches_lang(r), names);
    matchidx_read_end();
    match_result_free(res);
    free(a);
    if (!m->out)
        m->out = json_pack("{s:[], s:n}", "items", "next_cursor");
    matches_fetch_cards(m);
}

void h_matches_adhoc(struct httpd_req *r)
{
    struct matches_adhoc *a = calloc(1, sizeof *a);
    if (!a) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    a->r = r;
    if (!matches_params(r, &a->q, true)) {
        free(a);
        return;
    }
    a->q.no_priority = httpd_req_principal(r)->kind == PRINCIPAL_BROKER;
    json_t *b = api_body(r, &matches_profile_schema, false);
    if (!b) {
        free(a);
        return;
    }
    struct match_worker *w = &a->w;
    w->id = 1;
    w->household_id = 1;
    w->flags = MATCH_W_SEEKING | MATCH_W_RELOCATED | MATCH_W_CONSENT_BROKERS;
    if (json_is_true(json_object_get(b, "willing_outside_county")))
        w->flags |= MATCH_W_WILLING_COUNTY;
    if (json_is_true(json_object_get(b, "willing_outside_province")))
        w->flags |= MATCH_W_WILLING_PROVINCE;
    if (json_is_true(json_object_get(b, "needs_accommodation")))
        w->flags |= MATCH_W_NEEDS_ACCOMMODATION;
    json_t *age = json_object_get(b, "age");
    w->birth_day = a->q.today - (int32_t)((age ? json_integer_value(age) : 30) * 365.25 + 180);
    w->available_from = MATCH_NO_DAY;
    w->county_code = (int32_t)json_integer_value(json_object_get(b, "county_code"));
    json_t *km = json_object_get(b, "max_commute_km");
    w->max_commute_km = (uint16_t)(km ? json_integer_value(km) : 30);
    w->wage_floor = (uint32_t)json_integer_value(json_object_get(b, "wage_floor"));
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(b, "job_kinds_wanted"), i, it) w->kinds_wanted |=
        (uint8_t)(1u << match_kind_parse(json_string_value(it)));
    json_array_foreach(json_object_get(b, "skills"), i, it) w->skills[w->n_skills++] =
        (struct match_worker_skill){(uint8_t)json_integer_value(json_object_get(it, "skill_id")),
                                    (uint8_t)json_integer_value(json_object_get(it, "level"))};
    json_decref(b);
    char county[16];
    snprintf(county, sizeof county, "%d", w->county_code);
    const char *v[1] = {county};
    pgpool_query(httpd_req_pool(r), &matches_county_stmt, 1, v, matches_adhoc_county_cb, a);
}

/* ---------- weights ---------- */

static const struct pgpool_stmt matches_weights_list = {"match_weights_list",
                                                        "SELECT * FROM api_match_weights_list()"};
static const struct pgpool_stmt matches_weights_update = {
    "match_weights_update",
    "SELECT * FROM api_match_weights_update($1, $2::integer, $3::jsonb, $4)"};

static const struct jv_field matches_weight_fields[] = {
    {"skill", JV_NUMBER, 0, 0, 1000, NULL, NULL},
    {"cert", JV_NUMBER, 0, 0, 1000, NULL, NULL},
    {"distance", JV_NUMBER, 0, 0, 1000, NULL, NULL},
    {"wage", JV_NUMBER, 0, 0, 1000, NULL, NULL},
    {"kind", JV_NUMBER, 0, 0, 1000, NULL, NULL},
    {"availability", JV_NUMBER, 0, 0, 1000, NULL, NULL},
    {"priority", JV_NUMBER, 0, 0, 1000, NULL, NULL},
    {"level_step", JV_NUMBER, 0, 0, 1, NULL, NULL},
    {"related_credit", JV_NUMBER, 0, 0, 1, NULL, NULL},
    {"must_level_slack", JV_INT, 0, 0, 4, NULL, NULL},
    {"transport_factor", JV_NUMBER, 0, 1, 10, NULL, NULL},
    {"accommodation_km", JV_NUMBER, 0, 0, 5000, NULL, NULL},
    {"prio_relocated", JV_NUMBER, 0, 0, 1, NULL, NULL},
    {"prio_monitoring", JV_NUMBER, 0, 0, 1, NULL, NULL},
    {"prio_zero_employment", JV_NUMBER, 0, 0, 1, NULL, NULL},
    {"one_per_household", JV_BOOL, 0, 0, 0, NULL, NULL},
    {"no_double_post", JV_BOOL, 0, 0, 0, NULL, NULL},
    {"residents_only", JV_BOOL, 0, 0, 0, NULL, NULL},
};
static const struct jv_schema matches_weight_schema = JV_SCHEMA(matches_weight_fields);

void h_match_weights_list(struct httpd_req *r)
{
    api_call(r, &matches_weights_list, 0, NULL, NULL);
}

void h_match_weights_update(struct httpd_req *r)
{
    const char *kind = httpd_req_param(r, 0);
    if (match_kind_parse(kind) < 0) {
        httpd_reply_problem(r, "not_found", NULL);
        return;
    }
    char version[16];
    bool any;
    if (!api_if_match(r, version, &any))
        return;
    json_t *b = api_body(r, &matches_weight_schema, true);
    if (!b)
        return;
    char *patch = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    if (!patch) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    const char *v[4] = {kind, any ? NULL : version, patch, api_actor(r)};
    api_call(r, &matches_weights_update, 4, v, NULL);
    free(patch);
}
