#define _POSIX_C_SOURCE 200809L
#include "problem.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct problem_def {
    const char *code;
    int status;
    const char *title[2];
    const char *detail[2];
};

static const struct problem_def problem_defs[] = {
    {"bad_request",
     400,
     {"请求无效", "Bad request"},
     {"请求的格式不正确。", "The request is malformed."}},
    {"malformed_json",
     400,
     {"JSON 格式错误", "Malformed JSON"},
     {"请求体不是有效的 JSON。", "The request body is not valid JSON."}},
    {"invalid_query",
     400,
     {"查询参数无效", "Invalid query parameter"},
     {"查询参数不正确。", "A query parameter is not valid."}},
    {"validation_failed",
     422,
     {"数据校验未通过", "Validation failed"},
     {"提交的数据有错误，请按字段修改。", "Some fields are not valid; see errors."}},
    {"unauthorized",
     401,
     {"需要登录", "Authentication required"},
     {"请先登录或提供有效的凭据。", "Log in or present valid credentials."}},
    {"invalid_credentials",
     401,
     {"用户名或密码错误", "Wrong username or password"},
     {"用户名或密码不正确。", "The username or password is not correct."}},
    {"invalid_pin",
     401,
     {"身份证号或密码不对", "Wrong ID number or PIN"},
     {"身份证号或 6 位密码不对，请再试一次。",
      "The ID number or the 6-digit PIN is wrong; try again."}},
    {"pin_locked",
     423,
     {"密码已锁定", "PIN locked"},
     {"密码输错次数太多，已锁定。请到服务台重置密码。",
      "The PIN was entered wrongly too many times. Please ask the service desk to reset it."}},
    {"forbidden",
     403,
     {"没有权限", "Forbidden"},
     {"您的账号无权执行此操作。", "Your account may not do this."}},
    {"not_found",
     404,
     {"未找到", "Not found"},
     {"请求的资源不存在。", "The requested resource does not exist."}},
    {"method_not_allowed",
     405,
     {"方法不允许", "Method not allowed"},
     {"此地址不支持该请求方法。", "This resource does not support that method."}},
    {"not_acceptable",
     406,
     {"无法提供所需格式", "Not acceptable"},
     {"无法以所要求的格式回答。", "The resource cannot be given in the requested format."}},
    {"request_timeout",
     408,
     {"请求超时", "Request timeout"},
     {"请求未能在规定时间内发送完毕。", "The request was not received in time."}},
    {"conflict",
     409,
     {"状态冲突", "Conflict"},
     {"该操作与当前状态冲突。", "The action conflicts with the current state."}},
    {"length_required",
     411,
     {"需要 Content-Length", "Length required"},
     {"请求体必须带有 Content-Length，不支持分块传输。",
      "A request body needs Content-Length; chunked bodies are not accepted."}},
    {"programme_rule",
     409,
     {"违反项目规则", "Programme rule"},
     {"此操作违反公益性岗位或生态护林员的项目规则。",
      "This would break a rule of the public-welfare or forest-ranger programme."}},
    {"precondition_failed",
     412,
     {"数据已被修改", "Precondition failed"},
     {"记录已被他人修改，请刷新后重试。", "The record changed since you read it; reload it."}},
    {"precondition_required",
     428,
     {"需要 If-Match", "Precondition required"},
     {"修改需要带上 If-Match 请求头。", "Updates need an If-Match header."}},
    {"payload_too_large",
     413,
     {"请求体过大", "Payload too large"},
     {"请求体超过了允许的大小。", "The request body is larger than allowed."}},
    {"uri_too_long",
     414,
     {"地址过长", "URI too long"},
     {"请求地址超过了允许的长度。", "The request URI is longer than allowed."}},
    {"unsupported_media_type",
     415,
     {"不支持的内容类型", "Unsupported media type"},
     {"请求体必须是 application/json（UTF-8）。", "The body must be application/json (UTF-8)."}},
    {"headers_too_large",
     431,
     {"请求头过大", "Request headers too large"},
     {"请求头超过了允许的大小。", "The request headers are larger than allowed."}},
    {"too_many_requests",
     429,
     {"请求过于频繁", "Too many requests"},
     {"请求过于频繁，请稍后再试。", "Too many requests; try again later."}},
    {"internal_error",
     500,
     {"服务器内部错误", "Internal server error"},
     {"服务器出现意外错误，已记录。", "An unexpected error happened and was logged."}},
    {"not_implemented",
     501,
     {"不支持", "Not implemented"},
     {"服务器不支持该请求。", "The server does not support this request."}},
    {"database_unavailable",
     503,
     {"数据库暂不可用", "Database unavailable"},
     {"数据库暂时无法访问，请稍后重试。", "The database cannot be reached; retry shortly."}},
    {"overloaded",
     503,
     {"服务繁忙", "Service overloaded"},
     {"服务器繁忙，请稍后重试。", "The server is busy; retry shortly."}},
    {"too_many_connections",
     503,
     {"连接过多", "Too many connections"},
     {"服务器连接数已满，请稍后重试。", "The server has too many connections; retry shortly."}},
    {"shutting_down",
     503,
     {"服务正在停止", "Shutting down"},
     {"服务器正在停止，请稍后重试。", "The server is shutting down; retry shortly."}},
    {"not_ready",
     503,
     {"服务尚未就绪", "Not ready"},
     {"服务尚未就绪。", "The service is not ready."}},
    {"gateway_timeout",
     504,
     {"数据库响应超时", "Database timeout"},
     {"数据库未能在规定时间内回答。", "The database did not answer in time."}},
};

struct problem_field_def {
    const char *code;
    const char *message[2];
};

static const struct problem_field_def problem_field_defs[] = {
    {"required", {"必填", "is required"}},
    {"invalid_type", {"类型不正确", "has the wrong type"}},
    {"invalid_format", {"格式不正确", "is not in the expected format"}},
    {"invalid_utf8", {"不是有效的 UTF-8 文本", "is not valid UTF-8 text"}},
    {"invalid_characters", {"含有不允许的字符", "contains characters that are not allowed"}},
    {"too_long", {"过长", "is too long"}},
    {"too_short", {"过短", "is too short"}},
    {"out_of_range", {"超出允许范围", "is out of range"}},
    {"unknown_field", {"不是可接受的字段", "is not an accepted field"}},
    {"invalid", {"不是有效的数字", "is not a number"}},
    {"repeated", {"只能出现一次", "may be given only once"}},
    {"not_this_list",
     {"不属于这个列表、排序或筛选条件，或已被改动",
      "was made for another list, sort or filter, or was altered"}},
    {"unknown_value", {"不是允许的取值", "is not one of the allowed values"}},
    {"not_found", {"引用的记录不存在", "refers to a record that does not exist"}},
    {"duplicate", {"已存在", "already exists"}},
    {"check_digit", {"校验位不正确", "has a wrong check character"}},
    {"invalid_date", {"不是有效日期", "is not a valid date"}},
    {"discriminatory", {"属于就业歧视，不得设置", "is unlawful discrimination and may not be set"}},
    {"idempotency_mismatch",
     {"已用于另一个不同的请求", "was already used for a different request"}},
    {"illegal_transition", {"不允许此状态变更", "does not allow this change of status"}},
    {"not_open", {"岗位未开放", "is not open"}},
    {"full", {"岗位已招满", "has no places left"}},
    {"archived", {"已归档", "is archived"}},
    {"stale", {"已被修改", "has changed"}},
    {"invalid_range", {"下限不能大于上限", "has a minimum above its maximum"}},
    {"not_allowed", {"不允许", "is not allowed"}},
    {"not_seeking", {"该劳动力目前不在求职", "is not seeking work"}},
    {"outside_scope", {"超出您的管辖范围", "is outside your scope"}},
    {"duplicate_item", {"含有重复项", "contains a duplicate"}},
    /* labour export trips */
    {"trip_closed", {"该批次已停止报名或已出发", "is closed for sign-up or has left"}},
    {"exceeds_seats", {"超过车辆座位数", "is more than the seats"}},
    {"exceeds_posts", {"超过目的地岗位的空缺数", "is more than the open posts"}},
    {"no_seats", {"车上座位已满", "are all taken"}},
    {"not_yet", {"还没到出发日期", "has not come yet"}},
    {"not_departed", {"此人尚未登车出发", "is not departed: the person has not checked in"}},
    {"not_arrived", {"此人尚未确认到岗", "is not arrived: the person's arrival is not confirmed"}},
    {"on_another_trip", {"已在另一批次的出行名单上", "is on the roster of another trip"}},
    {"trip_departed", {"该批次已出发，不能再修改", "has passed: the trip has left"}},
    {"trip_cancelled", {"该批次已取消", "is cancelled: the trip will not go"}},
    {"below_roster",
     {"少于已在出行名单上的人数", "is fewer than the people already on the roster"}},
    {"not_willing",
     {"本人没有选择愿意去外省打工", "is not chosen: the person has not said they would work in "
                                    "another province"}},
    {"in_use", {"正在使用中，请用另一把密钥操作", "is in use by this request; use another key"}},
    /* work-relief payroll and managed posts (migrations/040_payroll_posts.sql) */
    {"not_on_roster",
     {"不在该项目当月的用工花名册上", "is not on the project's roster for that month"}},
    {"day_or_month",
     {"同一月份的考勤须全部按日或按月合计登记",
      "mixes daily entries and a monthly total in one month"}},
    {"sheet_approved", {"当月工资表已审核，不能再修改", "has a pay sheet already approved"}},
    {"no_attendance", {"当月没有考勤记录", "has no attendance recorded"}},
    {"not_approved", {"工资表尚未审核公示", "has not been approved and posted"}},
    {"not_on_notice", {"工资表不在公示期", "is not on public notice"}},
    {"notice_running", {"公示期未满", "is still within its public notice"}},
    {"https_required", {"必须是 https:// 地址", "must be an https:// address"}},
    {"over_budget", {"超出项目劳务报酬预算", "is over the project's remuneration budget"}},
    {"open_objections", {"尚有未处理的异议", "has objections not yet resolved"}},
    {"not_on_sheet", {"不在当月工资表上", "is not on that month's pay sheet"}},
    {"not_released", {"当月工资表尚未公示期满发放", "has a pay sheet not yet released"}},
    {"already_paid", {"当月已发放成功，不能重复发放", "was already paid for that month"}},
    {"no_post_terms",
     {"不是已登记岗位信息的公益性岗位或护林员", "is not a post with its terms recorded"}},
    {"not_a_post",
     {"不是公益性岗位或生态护林员岗位", "is not a public-welfare or forest-ranger post"}},
    {"not_assessed",
     {"当月尚未考核合格，护林员补助不能发放", "has no satisfactory assessment for that month"}},
    {"unsatisfactory",
     {"当月考核不合格，补助不能发放", "was assessed unsatisfactory for that month"}},
    {"not_proposed",
     {"尚未达到连续考核不合格的月数", "has not had enough unsatisfactory months in a row"}},
    {"nothing_released", {"当月没有已发放的工资表", "has no released pay sheet"}},
    {"not_in_sample", {"不在本次抽查样本中", "is not in this spot check's sample"}},
    {"course_full", {"课程名额和候补名额都已满", "has no seats and no waiting-list places left"}},
    {"course_started", {"课程已开课，不能再报名", "has already started: enrolment is closed"}},
    {"already_enrolled", {"已报名该课程", "is already enrolled in this course"}},
    {"not_enrolled",
     {"未在该课程就读（未报名、候补或已退出）",
      "is not enrolled in this course (never enrolled, waiting or withdrawn)"}},
    {"already_completed", {"该课程的结业结果已登记", "already has a result for this course"}},
};

/* The programme rules (migrations/035_records_rules.sql): "{member}" stands
 * for the worker who holds the post, "{post}" for the post's title. */
struct problem_rule_def {
    const char *rule;
    const char *text[2];
};

static const struct problem_rule_def problem_rule_defs[] = {
    {"public_welfare_one_per_household",
     {"公益性岗位每户限一人：同户成员{member}已在公益性岗位「{post}」。",
      "One public-welfare post per household: household member {member} already holds the "
      "public-welfare post \"{post}\"."}},
    {"forest_ranger_exclusive",
     {"生态护林员与公益性岗位不得兼任：{member}已在岗「{post}」。",
      "A forest ranger holds no public-welfare post, nor a public-welfare worker a ranger post: "
      "{member} already holds \"{post}\"."}},
    {"no_double_post",
     {"不得重复安排同类岗位：{member}已在岗「{post}」。",
      "No double post: {member} already holds \"{post}\"."}},
};

static const struct problem_def *problem_find(const char *code)
{
    for (size_t i = 0; i < sizeof problem_defs / sizeof problem_defs[0]; i++)
        if (strcmp(problem_defs[i].code, code) == 0)
            return &problem_defs[i];
    return NULL;
}

bool problem_known(const char *code)
{
    return problem_find(code) != NULL;
}

int problem_status(const char *code)
{
    const struct problem_def *d = problem_find(code);
    return d ? d->status : 500;
}

/* Quality value of the range starting at p (after ';q='), default 1. */
static double problem_qvalue(const char *p, const char *end)
{
    const char *q = p;
    while (q < end && *q != ';')
        q++;
    while (q < end) {
        q++;
        while (q < end && (*q == ' ' || *q == '\t'))
            q++;
        if (end - q >= 2 && (q[0] == 'q' || q[0] == 'Q') && q[1] == '=')
            return strtod(q + 2, NULL);
        while (q < end && *q != ';')
            q++;
    }
    return 1.0;
}

enum problem_lang problem_lang_from_header(const char *h)
{
    double best_zh = -1, best_en = -1;
    if (!h)
        return PROBLEM_LANG_ZH;
    while (*h) {
        while (*h == ' ' || *h == '\t' || *h == ',')
            h++;
        const char *start = h;
        while (*h && *h != ',')
            h++;
        const char *end = h;
        if (end - start >= 2) {
            double q = problem_qvalue(start, end);
            bool sep = end - start == 2 || start[2] == '-' || start[2] == ';' || start[2] == ' ' ||
                       start[2] == '\t';
            if (sep && tolower((unsigned char)start[0]) == 'z' &&
                tolower((unsigned char)start[1]) == 'h' && q > best_zh)
                best_zh = q;
            if (sep && tolower((unsigned char)start[0]) == 'e' &&
                tolower((unsigned char)start[1]) == 'n' && q > best_en)
                best_en = q;
        }
    }
    return best_en > best_zh && best_en > 0 ? PROBLEM_LANG_EN : PROBLEM_LANG_ZH;
}

/* Why a 503 was given: the reason member of the answer, and its detail.
 * The first entry for a code is that code's reason when none is named. */
static const struct problem_reason_def {
    const char *reason;
    const char *code;
    const char *detail[2];
} problem_reasons[] = {
    {"database_down",
     "database_unavailable",
     {"数据库暂时无法访问，请稍后重试。", "The database cannot be reached; retry shortly."}},
    {"connection_lost",
     "database_unavailable",
     {"与数据库的连接中断，请求未完成，请稍后重试。",
      "The connection to the database was lost before the request finished; retry shortly."}},
    {"queue_full",
     "database_unavailable",
     {"等待数据库的请求过多，请稍后重试。",
      "Too many requests are waiting for the database; retry shortly."}},
    {"pool_closed",
     "database_unavailable",
     {"服务器正在停止，已不再访问数据库，请稍后重试。",
      "The server is shutting down and no longer uses the database; retry shortly."}},
    {"out_of_memory",
     "database_unavailable",
     {"服务器内存不足，请求未发往数据库，请稍后重试。",
      "The server ran short of memory and did not send the request; retry shortly."}},
    {"server_busy",
     "overloaded",
     {"服务器繁忙，请稍后重试。", "The server is busy; retry shortly."}},
    {"connection_limit",
     "too_many_connections",
     {"服务器连接数已满，请稍后重试。", "The server has too many connections; retry shortly."}},
    {"shutting_down",
     "shutting_down",
     {"服务器正在停止，请稍后重试。", "The server is shutting down; retry shortly."}},
    {"not_ready", "not_ready", {"服务尚未就绪。", "The service is not ready."}},
};

static const struct problem_reason_def *problem_reason_find(const char *code, const char *reason)
{
    for (size_t i = 0; i < sizeof problem_reasons / sizeof problem_reasons[0]; i++)
        if (!strcmp(problem_reasons[i].code, code) &&
            (!reason || !strcmp(problem_reasons[i].reason, reason)))
            return &problem_reasons[i];
    return NULL;
}

json_t *problem_new(const char *code, enum problem_lang lang, const char *detail)
{
    const struct problem_def *d = problem_find(code);
    if (!d)
        d = problem_find("internal_error");
    char type[96];
    snprintf(type, sizeof type, "urn:leye:problem:%s", d->code);
    json_t *p =
        json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", type, "title", d->title[lang], "status",
                  d->status, "detail", detail ? detail : d->detail[lang], "code", d->code);
    const struct problem_reason_def *why = problem_reason_find(d->code, NULL);
    if (p && why && json_object_set_new(p, "reason", json_string(why->reason)) < 0) {
        json_decref(p);
        return NULL;
    }
    return p;
}

json_t *problem_new_reason(const char *code, const char *reason, enum problem_lang lang)
{
    const struct problem_reason_def *why = reason ? problem_reason_find(code, reason) : NULL;
    json_t *p = problem_new(code, lang, why ? why->detail[lang] : NULL);
    if (p && why && json_object_set_new(p, "reason", json_string(why->reason)) < 0) {
        json_decref(p);
        return NULL;
    }
    return p;
}

const char *problem_field_message(const char *code, enum problem_lang lang)
{
    for (size_t i = 0; i < sizeof problem_field_defs / sizeof problem_field_defs[0]; i++)
        if (strcmp(problem_field_defs[i].code, code) == 0)
            return problem_field_defs[i].message[lang];
    return code;
}

int problem_add_error(json_t *problem, const char *field, const char *code, enum problem_lang lang,
                      const char *message)
{
    json_t *errors = json_object_get(problem, "errors");
    if (!errors) {
        errors = json_array();
        if (!errors || json_object_set_new(problem, "errors", errors) < 0)
            return -1;
    }
    json_t *e = json_pack("{s:s, s:s, s:s}", "field", field, "code", code, "message",
                          message ? message : problem_field_message(code, lang));
    if (!e)
        return -1;
    return json_array_append_new(errors, e);
}

/* Appends s to out (capacity cap, length *n), truncating at cap - 1 bytes
 * but never inside a UTF-8 sequence. */
static void problem_append(char *out, size_t cap, size_t *n, const char *s, size_t len)
{
    if (*n + len >= cap) {
        len = cap - 1 - *n;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(out + *n, s, len);
    *n += len;
    out[*n] = '\0';
}

int problem_rule_text(const char *rule, enum problem_lang lang, const char *member,
                      const char *post, char *out, size_t cap)
{
    const char *t = NULL;
    for (size_t i = 0; i < sizeof problem_rule_defs / sizeof problem_rule_defs[0]; i++)
        if (strcmp(problem_rule_defs[i].rule, rule) == 0)
            t = problem_rule_defs[i].text[lang];
    if (!t || cap == 0)
        return -1;
    size_t n = 0;
    out[0] = '\0';
    while (*t) {
        const char *brace = strchr(t, '{');
        if (!brace) {
            problem_append(out, cap, &n, t, strlen(t));
            break;
        }
        problem_append(out, cap, &n, t, (size_t)(brace - t));
        if (strncmp(brace, "{member}", 8) == 0) {
            problem_append(out, cap, &n, member, strlen(member));
            t = brace + 8;
        } else if (strncmp(brace, "{post}", 6) == 0) {
            problem_append(out, cap, &n, post, strlen(post));
            t = brace + 6;
        } else {
            problem_append(out, cap, &n, brace, 1);
            t = brace + 1;
        }
    }
    return 0;
}

/* The remuneration budget (migrations/048_reach.sql): a payment (field
 * "amount") or a pay sheet's release (field "status") that would not fit. */
static const char *const problem_budget_texts[2][2] = {
    {"超出项目劳务报酬预算：预算 {budget} 元，已发放 {paid} 元，本次发放 {amount} 元，超出 {over} "
     "元。",
     "Over the project's remuneration budget: budget {budget} yuan, paid {paid} yuan, this "
     "payment {amount} yuan, {over} yuan too much."},
    {"超出项目劳务报酬预算：预算 {budget} 元，已发放 {paid} 元，已发布未发放 {owed} 元，本月工资表 "
     "{amount} 元，超出 {over} 元。",
     "Over the project's remuneration budget: budget {budget} yuan, paid {paid} yuan, released "
     "and not yet paid {owed} yuan, this pay sheet {amount} yuan, {over} yuan too much."},
};

int problem_budget_text(const char *field, enum problem_lang lang, const struct problem_budget *b,
                        char *out, size_t cap)
{
    if (cap == 0 || (strcmp(field, "amount") != 0 && strcmp(field, "status") != 0))
        return -1;
    const char *t = problem_budget_texts[field[0] == 's'][lang];
    const struct {
        const char *name;
        const char *value;
    } vars[] = {{"{budget}", b->budget},
                {"{paid}", b->paid},
                {"{owed}", b->owed},
                {"{amount}", b->amount},
                {"{over}", b->over}};
    size_t n = 0;
    out[0] = '\0';
    while (*t) {
        const char *brace = strchr(t, '{');
        if (!brace) {
            problem_append(out, cap, &n, t, strlen(t));
            break;
        }
        problem_append(out, cap, &n, t, (size_t)(brace - t));
        size_t i = 0;
        while (i < sizeof vars / sizeof vars[0] &&
               strncmp(brace, vars[i].name, strlen(vars[i].name)) != 0)
            i++;
        if (i < sizeof vars / sizeof vars[0]) {
            problem_append(out, cap, &n, vars[i].value, strlen(vars[i].value));
            t = brace + strlen(vars[i].name);
        } else {
            problem_append(out, cap, &n, brace, 1);
            t = brace + 1;
        }
    }
    return 0;
}

json_t *problem_budget_new(const char *field, enum problem_lang lang,
                           const struct problem_budget *b)
{
    char text[1024];
    if (problem_budget_text(field, lang, b, text, sizeof text) < 0)
        return NULL;
    json_t *p = problem_new("conflict", lang, text);
    if (!p ||
        json_object_set_new(p, "budget",
                            json_pack("{s:s, s:s, s:s, s:s, s:s}", "budget", b->budget, "paid",
                                      b->paid, "owed", b->owed, "amount", b->amount, "over",
                                      b->over)) < 0 ||
        problem_add_error(p, field, "over_budget", lang, text) < 0) {
        json_decref(p);
        return NULL;
    }
    return p;
}

json_t *problem_rule_new(const char *rule, enum problem_lang lang, const char *member,
                         const char *post)
{
    char text[1024];
    if (problem_rule_text(rule, lang, member, post, text, sizeof text) < 0)
        return NULL;
    json_t *p = problem_new("programme_rule", lang, text);
    if (!p || json_object_set_new(p, "rule", json_string(rule)) < 0 ||
        problem_add_error(p, "vacancy_id", rule, lang, text) < 0) {
        json_decref(p);
        return NULL;
    }
    return p;
}
