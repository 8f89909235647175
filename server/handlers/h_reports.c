/* The monitoring dashboard and the quarterly report: /v1/reports/... */
#include "api.h"
#include "dbreply.h"
#include "handlers.h"
#include "problem.h"
#include "textout.h"

#include <event2/buffer.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct pgpool_stmt report_dashboard_stmt = {
    "report_dashboard", "SELECT * FROM api_report_dashboard($1::jsonb)"};
static const struct pgpool_stmt report_quarterly_stmt = {
    "report_quarterly",
    "SELECT * FROM api_report_quarterly($1::integer, $2::integer, $3::integer)"};

/* The figures of a quarterly report row, in the order the province reads them;
 * the headings are the names docs/reports.md defines. */
static const struct report_figure {
    const char *key, *zh, *en;
} report_figures[] = {
    {"labor_force", "劳动力", "Labour force"},
    {"employed", "已就业", "Employed"},
    {"employed_local", "县内就业", "Employed in the county"},
    {"employed_outside_county", "县外省内就业", "Employed outside the county, in the province"},
    {"employed_outside_province", "省外就业", "Employed outside the province"},
    {"newly_employed", "本季度新增就业", "Newly employed this quarter"},
    {"work_relief_posts", "以工代赈岗位", "Work-relief posts"},
    {"public_welfare_posts", "公益性岗位", "Public-welfare posts"},
    {"forest_ranger_posts", "生态护林员", "Forest rangers"},
    {"programme_posts_monitored_households", "其中监测户成员", "Of these, monitored households"},
    {"trainings_completed", "完成培训", "Trainings completed"},
    {"zero_employment_households_start", "季初零就业家庭", "Zero-employment households, start"},
    {"zero_employment_households_end", "季末零就业家庭", "Zero-employment households, end"},
    {"monitored_households", "防返贫监测户", "Monitored households"},
    {"followups_done", "完成回访", "Follow-ups done"},
    {"trained_persons", "培训合格人数", "People trained"},
    {"course_completions", "培训合格人次", "Course passes"},
    {"training_subsidy_cny", "培训补贴（元）", "Training subsidy (CNY)"},
};
#define REPORT_NFIGURES (sizeof report_figures / sizeof report_figures[0])

/* A decimal query parameter in [lo, hi]; an absent one is 0, or an error when required. */
static bool report_int(struct httpd_req *r, const char *name, long lo, long hi, bool required,
                       long *out)
{
    const char *v = httpd_req_query(r, name);
    *out = 0;
    if (!v) {
        if (!required)
            return true;
        api_reply_field_error(r, "invalid_query", name, "required");
        return false;
    }
    char *end;
    long x = strtol(v, &end, 10);
    if (!*v || *end || v[0] == '+' || v[0] == '-' || x < lo || x > hi) {
        api_reply_field_error(r, "invalid_query", name,
                              *end || !*v ? "invalid_type" : "out_of_range");
        return false;
    }
    *out = x;
    return true;
}

void h_reports_dashboard(struct httpd_req *r)
{
    long county, site;
    if (!report_int(r, "county_code", 100000, 999999, false, &county) ||
        !report_int(r, "site_id", 1, 999999999999L, false, &site))
        return;
    json_t *f = json_object();
    if (county)
        json_object_set_new(f, "county_code", json_integer(county));
    if (site)
        json_object_set_new(f, "site_id", json_integer(site));
    char *filters = json_dumps(f, JSON_COMPACT);
    json_decref(f);
    if (!filters) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    const char *v[1] = {filters};
    api_call_read(r, &report_dashboard_stmt, 1, v);
    free(filters);
}

enum report_format { REPORT_JSON, REPORT_CSV, REPORT_HTML };

static void report_csv_row(struct evbuffer *b, const char *level, json_t *county, json_t *site,
                           json_t *figures)
{
    evbuffer_add_printf(b, "%s,", level);
    if (county)
        evbuffer_add_printf(b, "%lld,",
                            (long long)json_integer_value(json_object_get(county, "county_code")));
    else
        evbuffer_add(b, ",", 1);
    textout_csv(b, county ? json_string_value(json_object_get(county, "county_name")) : "");
    evbuffer_add(b, ",", 1);
    if (site)
        evbuffer_add_printf(b, "%lld,",
                            (long long)json_integer_value(json_object_get(site, "site_id")));
    else
        evbuffer_add(b, ",", 1);
    textout_csv(b, site ? json_string_value(json_object_get(site, "site_name")) : "");
    for (size_t i = 0; i < REPORT_NFIGURES; i++)
        evbuffer_add_printf(
            b, ",%lld",
            (long long)json_integer_value(json_object_get(figures, report_figures[i].key)));
    evbuffer_add(b, "\r\n", 2);
}

static void report_csv(struct httpd_req *r, json_t *body, enum problem_lang lang)
{
    struct evbuffer *b = evbuffer_new();
    evbuffer_add(b, "\xEF\xBB\xBF", 3);
    evbuffer_add_printf(b, "%s",
                        lang == PROBLEM_LANG_EN ? "level,county_code,county,site_id,site"
                                                : "层级,县代码,县,安置点ID,安置点");
    for (size_t i = 0; i < REPORT_NFIGURES; i++)
        evbuffer_add_printf(b, ",%s",
                            lang == PROBLEM_LANG_EN ? report_figures[i].en : report_figures[i].zh);
    evbuffer_add(b, "\r\n", 2);
    report_csv_row(b, "total", NULL, NULL, json_object_get(body, "total"));
    size_t i, k;
    json_t *c, *s;
    json_array_foreach(json_object_get(body, "counties"), i, c)
    {
        report_csv_row(b, "county", c, NULL, json_object_get(c, "figures"));
        json_array_foreach(json_object_get(c, "sites"), k, s)
            report_csv_row(b, "site", c, s, json_object_get(s, "figures"));
    }
    char name[96];
    snprintf(name, sizeof name, "attachment; filename=\"report-%lld-q%lld.csv\"",
             (long long)json_integer_value(json_object_get(body, "year")),
             (long long)json_integer_value(json_object_get(body, "quarter")));
    httpd_set_header(r, "Content-Disposition", name);
    size_t len = evbuffer_get_length(b);
    httpd_reply_raw(r, 200, "text/csv; charset=utf-8", (const char *)evbuffer_pullup(b, -1), len);
    evbuffer_free(b);
}

static void report_html_row(struct evbuffer *b, const char *cls, const char *name, json_t *figures)
{
    evbuffer_add_printf(b, "<tr class=\"%s\"><th scope=\"row\">", cls);
    textout_html(b, name);
    evbuffer_add(b, "</th>", 5);
    for (size_t i = 0; i < REPORT_NFIGURES; i++)
        evbuffer_add_printf(
            b, "<td>%lld</td>",
            (long long)json_integer_value(json_object_get(figures, report_figures[i].key)));
    evbuffer_add(b, "</tr>\n", 6);
}

static const char report_style[] =
    "@page{size:A4 landscape;margin:12mm}"
    "body{font-family:'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei',sans-serif;"
    "font-size:10pt;color:#000;margin:0}"
    "h1{font-size:16pt;margin:0 0 4pt}p{margin:0 0 8pt}"
    "table{border-collapse:collapse;width:100%}th,td{border:1px solid #444;padding:2pt 4pt}"
    "td{text-align:right}thead th{background:#eee;font-weight:bold;font-size:9pt}"
    "tr.total th,tr.total td,tr.county th,tr.county td{font-weight:bold}"
    "tr.site th{padding-left:14pt;font-weight:normal}"
    "tr.county{page-break-inside:avoid}footer{margin-top:10pt;font-size:9pt}";

static void report_html(struct httpd_req *r, json_t *body, enum problem_lang lang)
{
    bool en = lang == PROBLEM_LANG_EN;
    struct evbuffer *b = evbuffer_new();
    long long year = json_integer_value(json_object_get(body, "year"));
    long long q = json_integer_value(json_object_get(body, "quarter"));
    evbuffer_add_printf(b,
                        "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                        "<title>%s</title><style>%s</style></head><body>\n",
                        en ? "en" : "zh-CN",
                        en ? "Quarterly employment report" : "易地搬迁劳动力就业季度报告",
                        report_style);
    if (en)
        evbuffer_add_printf(b, "<h1>Employment of relocated workers, %lld Q%lld</h1>", year, q);
    else
        evbuffer_add_printf(b, "<h1>易地扶贫搬迁劳动力就业情况季度报告（%lld年第%lld季度）</h1>",
                            year, q);
    evbuffer_add_printf(
        b, "<p>%s %s – %s; %s %s; %s %s%s</p>\n", en ? "Period" : "统计期",
        json_string_value(json_object_get(body, "from")),
        json_string_value(json_object_get(body, "to")), en ? "figures as of" : "数据截至",
        json_string_value(json_object_get(body, "as_of")), en ? "due" : "报送截止",
        json_string_value(json_object_get(body, "due_on")),
        json_is_true(json_object_get(body, "complete"))
            ? ""
            : (en ? " (quarter not over: provisional)" : "（本季度尚未结束，数据为临时数）"));
    evbuffer_add_printf(b, "<table><thead><tr><th scope=\"col\">%s</th>",
                        en ? "County / site" : "县（区）/安置点");
    for (size_t i = 0; i < REPORT_NFIGURES; i++)
        evbuffer_add_printf(b, "<th scope=\"col\">%s</th>",
                            en ? report_figures[i].en : report_figures[i].zh);
    evbuffer_add(b, "</tr></thead><tbody>\n", 21);
    report_html_row(b, "total", en ? "Total" : "合计", json_object_get(body, "total"));
    size_t i, k;
    json_t *c, *s;
    json_array_foreach(json_object_get(body, "counties"), i, c)
    {
        report_html_row(b, "county", json_string_value(json_object_get(c, "county_name")),
                        json_object_get(c, "figures"));
        json_array_foreach(json_object_get(c, "sites"), k, s)
            report_html_row(b, "site", json_string_value(json_object_get(s, "site_name")),
                            json_object_get(s, "figures"));
    }
    evbuffer_add_printf(
        b, "</tbody></table>\n<footer>%s</footer></body></html>\n",
        en ? "Figures as they stood on the day given above, by the definitions "
             "of docs/reports.md. Leye (乐业)."
           : "数据为所列日期当日的情况，口径见《报表口径说明》。乐业就业服务平台生成。");
    size_t len = evbuffer_get_length(b);
    httpd_set_header(r, "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
    httpd_reply_raw(r, 200, "text/html; charset=utf-8", (const char *)evbuffer_pullup(b, -1), len);
    evbuffer_free(b);
}

struct report_ctx {
    struct httpd_req *r;
    enum report_format format;
};

static void report_quarterly_cb(void *arg, const struct pgpool_reply *rep)
{
    struct report_ctx *c = arg;
    struct httpd_req *r = c->r;
    enum report_format format = c->format;
    free(c);
    if (rep->status != PGPOOL_OK) {
        dbreply_error(r, rep);
        return;
    }
    json_t *body = json_loads(PQgetvalue(rep->res, 0, 2), 0, NULL);
    if (!body) {
        httpd_reply_problem(r, "internal_error", NULL);
        return;
    }
    if (format == REPORT_CSV)
        report_csv(r, body, httpd_req_lang(r));
    else if (format == REPORT_HTML)
        report_html(r, body, httpd_req_lang(r));
    else {
        httpd_reply_json(r, 200, body);
        return;
    }
    json_decref(body);
}

void h_reports_quarterly(struct httpd_req *r)
{
    long year, quarter, county;
    const char *fmt = httpd_req_query(r, "format");
    enum report_format format = REPORT_JSON;
    if (fmt && !strcmp(fmt, "csv"))
        format = REPORT_CSV;
    else if (fmt && !strcmp(fmt, "html"))
        format = REPORT_HTML;
    else if (fmt && strcmp(fmt, "json")) {
        api_reply_field_error(r, "invalid_query", "format", "unknown_value");
        return;
    }
    const char *county_name;
    if (!api_query_alias(r, "county_code", "county", &county_name) ||
        !report_int(r, "year", 2016, 2100, true, &year) ||
        !report_int(r, "quarter", 1, 4, true, &quarter) ||
        !report_int(r, county_name, 100000, 999999, false, &county))
        return;
    struct report_ctx *c = malloc(sizeof *c);
    if (!c) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    c->r = r;
    c->format = format;
    char y[8], q[4], cc[12];
    snprintf(y, sizeof y, "%ld", year);
    snprintf(q, sizeof q, "%ld", quarter);
    snprintf(cc, sizeof cc, "%ld", county);
    const char *v[3] = {y, q, county ? cc : NULL};
    pgpool_query_scoped(httpd_req_read_pool(r), api_scope(r), &report_quarterly_stmt, 3, v,
                        report_quarterly_cb, c);
}
