/*
 * match_explain: turns the evaluation of one pair into reasons (codes and
 * numbers) and renders reasons and filter counts in Chinese or English.
 */
#include "match_int.h"

#include <stdarg.h>
#include <stdio.h>

/* ---- building reasons ---- */

static void add(struct match_hit *h, enum match_reason_code code, int32_t a, int32_t b, int32_t c)
{
    if (h->n_reasons < MATCH_MAX_REASONS)
        h->reasons[h->n_reasons++] = (struct match_reason){(uint16_t)code, a, b, c};
}

static int32_t km_int(float km)
{
    return km > 2e9f ? 2000000000 : (int32_t)(km + 0.5f);
}

static int32_t expiry_of(const struct match_wv *w, unsigned cert)
{
    for (unsigned j = 0; j < MATCH_MAX_CERT_EXPIRIES; j++)
        if (w->cexp_id[j] == cert && w->cexp[j] != INT32_MAX)
            return w->cexp[j];
    return MATCH_NO_DAY;
}

/* Filters that carry numbers of their own; the rest say only which filter. */
static void explain_filter(const struct match_ctx *c, const struct match_wv *w,
                           const struct match_vrec *v, const struct match_pair_eval *e,
                           enum match_filter f, struct match_hit *h)
{
    int32_t ymd = e->day == c->q->today ? c->today_ymd : v->start_ymd;
    switch (f) {
    case MATCH_F_NOT_AVAILABLE:
        add(h, MATCH_R_FILTER, f, w->avail, e->day);
        break;
    case MATCH_F_AGE:
        add(h, MATCH_R_FILTER, f, (ymd - w->birth_ymd) / 10000, v->age_lo * 1000 + v->age_hi);
        break;
    case MATCH_F_DISTANCE:
        add(h, MATCH_R_FILTER, f, km_int(e->km), km_int(c->q->max_km));
        break;
    case MATCH_F_MIN_SCORE:
        add(h, MATCH_R_FILTER, f, e->score, c->q->min_score);
        break;
    case MATCH_F_WAGE:
        add(h, MATCH_R_FILTER, f,
            (int32_t)(c->target == MATCH_TARGET_WORKERS ? w->wage : v->wage_lo), 0);
        break;
    default:
        add(h, MATCH_R_FILTER, f, 0, 0);
    }
}

static void explain_filters(const struct match_ctx *c, const struct match_wv *w,
                            const struct match_vrec *v, const struct match_pair_eval *e,
                            struct match_hit *h)
{
    for (int f = 1; f < MATCH_F_COUNT; f++) {
        if (!((e->failed >> f) & 1))
            continue;
        if (f == MATCH_F_MUST_SKILL || f == MATCH_F_SKILL_LEVEL) {
            for (unsigned j = 0; j < v->n_skills; j++) {
                unsigned have = e->skill[j].have;
                if (!((v->must_bits >> j) & 1))
                    continue;
                if (f == MATCH_F_MUST_SKILL && !have)
                    add(h, MATCH_R_MUST_SKILL_MISSING, v->skill[j], 0, v->min_level[j]);
                if (f == MATCH_F_SKILL_LEVEL && have &&
                    have + c->weights->kind[v->kind].must_level_slack < v->min_level[j])
                    add(h, MATCH_R_MUST_SKILL_LOW, v->skill[j], (int32_t)have, v->min_level[j]);
            }
        } else if (f == MATCH_F_MUST_CERT || f == MATCH_F_CERT_EXPIRED) {
            uint64_t m = f == MATCH_F_MUST_CERT ? v->cert_must & ~w->certs
                                                : v->cert_must & w->certs & ~e->cert_valid;
            for (; m; m &= m - 1) {
                unsigned cert = (unsigned)__builtin_ctzll(m);
                if (f == MATCH_F_MUST_CERT)
                    add(h, MATCH_R_MUST_CERT_MISSING, (int32_t)cert, 0, 0);
                else
                    add(h, MATCH_R_CERT_EXPIRED, (int32_t)cert, expiry_of(w, cert), 1);
            }
        } else {
            explain_filter(c, w, v, e, (enum match_filter)f, h);
        }
    }
}

static void explain_skills(const struct match_vrec *v, const struct match_pair_eval *e,
                           struct match_hit *h)
{
    for (unsigned j = 0; j < v->n_skills; j++) {
        const struct match_skill_eval *s = &e->skill[j];
        bool must = (v->must_bits >> j) & 1;
        if (s->have >= v->min_level[j])
            add(h, MATCH_R_SKILL_OK, v->skill[j], s->have, v->min_level[j]);
        else if (s->related)
            add(h, MATCH_R_SKILL_RELATED, v->skill[j], s->related, s->related_level);
        else if (s->have && !(must && (e->failed >> MATCH_F_SKILL_LEVEL) & 1))
            add(h, MATCH_R_SKILL_LOW, v->skill[j], s->have, v->min_level[j]);
        else if (!s->have && !must)
            add(h, MATCH_R_SKILL_MISSING, v->skill[j], 0, v->min_level[j]);
    }
}

static void explain_certs(const struct match_wv *w, const struct match_vrec *v,
                          const struct match_pair_eval *e, struct match_hit *h)
{
    for (uint64_t m = v->cert_all; m; m &= m - 1) {
        unsigned cert = (unsigned)__builtin_ctzll(m);
        bool must = (v->cert_must >> cert) & 1;
        if ((e->cert_valid >> cert) & 1)
            add(h, MATCH_R_CERT_OK, (int32_t)cert, 0, 0);
        else if (!must && ((w->certs >> cert) & 1))
            add(h, MATCH_R_CERT_EXPIRED, (int32_t)cert, expiry_of(w, cert), 0);
        else if (!must)
            add(h, MATCH_R_CERT_MISSING, (int32_t)cert, 0, 0);
    }
}

static void explain_distance(const struct match_wv *w, const struct match_vrec *v,
                             const struct match_pair_eval *e, struct match_hit *h)
{
    int32_t km = km_int(e->km);
    if (v->kind == MATCH_KIND_LABOR_EXPORT) {
        int32_t province = v->dest_province && v->dest_province != MATCH_YUNNAN;
        add(h, e->part[MATCH_PART_DISTANCE] > 0 ? MATCH_R_EXPORT_WILLING : MATCH_R_EXPORT_UNWILLING,
            province, 0, 0);
        return;
    }
    float r = w->commute < 1 ? 1.0f : (float)w->commute;
    if (e->km <= r)
        add(h, MATCH_R_DIST_NEAR, km, w->commute, 0);
    else if (v->accommodation && e->km <= e->radius)
        add(h, MATCH_R_DIST_ACCOMMODATION, km, km_int(e->radius), 0);
    else if (v->transport && e->km <= e->radius)
        add(h, MATCH_R_DIST_TRANSPORT, km, km_int(e->radius), 0);
    else
        add(h, MATCH_R_DIST_FAR, km, w->commute, 0);
    if ((w->flags & MATCH_W_NEEDS_ACCOMMODATION) && !v->accommodation && e->km > e->radius)
        add(h, MATCH_R_NEEDS_ACCOMMODATION, km, 0, 0);
}

static void explain_rest(const struct match_ctx *c, const struct match_wv *w,
                         const struct match_vrec *v, struct match_hit *h)
{
    if (v->period == MATCH_WAGE_PIECE)
        add(h, MATCH_R_WAGE_PIECE, 0, 0, 0);
    else if (!w->wage || v->wage_lo >= w->wage)
        add(h, MATCH_R_WAGE_OK, (int32_t)v->wage_lo, (int32_t)w->wage, 0);
    else if (v->wage_hi >= w->wage)
        add(h, MATCH_R_WAGE_MAYBE, (int32_t)v->wage_lo, (int32_t)w->wage, (int32_t)v->wage_hi);
    else
        add(h, MATCH_R_WAGE_LOW, (int32_t)v->wage_hi, (int32_t)w->wage, 0);
    if (w->kinds)
        add(h, (w->kinds >> v->kind) & 1 ? MATCH_R_KIND_WANTED : MATCH_R_KIND_UNWANTED, v->kind, 0,
            0);
    if (w->avail == MATCH_NO_DAY || w->avail <= c->q->today)
        add(h, MATCH_R_AVAIL_NOW, 0, 0, 0);
    else
        add(h, MATCH_R_AVAIL_FROM, w->avail, 0, 0);
    if (c->pts[v->kind][MATCH_PART_PRIORITY] > 0) {
        const struct match_kind_weights *kw = &c->weights->kind[v->kind];
        unsigned mon = (w->hflags >> MATCH_H_MON_SHIFT) & 3;
        if ((w->flags & MATCH_W_RELOCATED) && kw->prio_relocated > 0)
            add(h, MATCH_R_PRIO_RELOCATED, 0, 0, 0);
        if (mon && kw->prio_monitoring > 0)
            add(h, MATCH_R_PRIO_MONITORING, (int32_t)mon, 0, 0);
        if ((w->hflags & MATCH_H_ZERO) && kw->prio_zero_employment > 0)
            add(h, MATCH_R_PRIO_ZERO_EMPLOYMENT, 0, 0, 0);
    }
}

void match_explain_fill(const struct match_ctx *c, const struct match_wv *w,
                        const struct match_vrec *v, const struct match_pair_eval *e,
                        struct match_hit *h)
{
    h->id = c->target == MATCH_TARGET_WORKERS ? w->id : v->id;
    h->score = e->score;
    for (int i = 0; i < MATCH_PART_COUNT; i++)
        h->parts[i] = (int16_t)(c->pts[v->kind][i] * e->part[i] * 100.0f + 0.5f);
    h->km = e->km;
    h->failed = e->failed;
    h->n_reasons = 0;
    explain_filters(c, w, v, e, h);
    explain_skills(v, e, h);
    explain_certs(w, v, e, h);
    explain_distance(w, v, e, h);
    explain_rest(c, w, v, h);
}

/* ---- codes ---- */

const char *match_filter_code(enum match_filter f)
{
    static const char *const code[MATCH_F_COUNT] = {
        "none",        "vacancy_closed", "vacancy_full",  "must_skill",   "must_cert",
        "not_seeking", "no_consent",     "not_available", "age",          "household_post",
        "double_post", "not_resident",   "skill_level",   "cert_expired", "county",
        "kind",        "wage",           "distance",      "min_score"};
    return (unsigned)f < MATCH_F_COUNT ? code[f] : "unknown";
}

const char *match_part_code(enum match_part p)
{
    static const char *const code[MATCH_PART_COUNT] = {"skill", "certificate",  "distance", "wage",
                                                       "kind",  "availability", "priority"};
    return (unsigned)p < MATCH_PART_COUNT ? code[p] : "unknown";
}

static const char *const kind_codes[MATCH_KIND_COUNT] = {
    "regular", "work_relief", "public_welfare", "forest_ranger", "workshop", "labor_export"};

const char *match_kind_code(enum match_kind k)
{
    return (unsigned)k < MATCH_KIND_COUNT ? kind_codes[k] : "unknown";
}

int match_kind_parse(const char *s)
{
    for (int k = 0; k < MATCH_KIND_COUNT; k++)
        if (!strcmp(s, kind_codes[k]))
            return k;
    return -1;
}

const char *match_reason_code(enum match_reason_code c)
{
    static const char *const code[MATCH_R_COUNT] = {"skill_ok",
                                                    "skill_low",
                                                    "skill_related",
                                                    "skill_missing",
                                                    "must_skill_missing",
                                                    "must_skill_low",
                                                    "cert_ok",
                                                    "cert_missing",
                                                    "must_cert_missing",
                                                    "cert_expired",
                                                    "dist_near",
                                                    "dist_far",
                                                    "dist_transport",
                                                    "dist_accommodation",
                                                    "needs_accommodation",
                                                    "export_willing",
                                                    "export_unwilling",
                                                    "wage_ok",
                                                    "wage_maybe",
                                                    "wage_low",
                                                    "wage_piece",
                                                    "kind_wanted",
                                                    "kind_unwanted",
                                                    "avail_now",
                                                    "avail_from",
                                                    "prio_relocated",
                                                    "prio_monitoring",
                                                    "prio_zero_employment",
                                                    "filter"};
    return (unsigned)c < MATCH_R_COUNT ? code[c] : "unknown";
}

/* ---- rendering ---- */

struct out {
    char *buf;
    size_t cap;
    int len;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t used = (size_t)o->len < o->cap ? (size_t)o->len : o->cap;
    int n = vsnprintf(o->cap ? o->buf + used : NULL, o->cap - used, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += n;
}

static void put_name(struct out *o, const char *const *names, int32_t id)
{
    if (names && id >= 0 && names[id])
        put(o, "%s", names[id]);
    else
        put(o, "#%d", (int)id);
}

static void put_skill(struct out *o, const struct match_names *n, enum match_lang l, int32_t s)
{
    put_name(o, n ? (l == MATCH_LANG_ZH ? n->skill_zh : n->skill_en) : NULL, s);
}

static void put_cert(struct out *o, const struct match_names *n, enum match_lang l, int32_t c)
{
    put_name(o, n ? (l == MATCH_LANG_ZH ? n->cert_zh : n->cert_en) : NULL, c);
}

/* "焊工（3级·高级工）" / "Welding (level 3)" */
static void put_skill_level(struct out *o, const struct match_names *n, enum match_lang l,
                            int32_t s, int32_t level)
{
    static const char *const title[] = {"", "初级工", "中级工", "高级工", "技师", "高级技师"};
    put_skill(o, n, l, s);
    if (l == MATCH_LANG_ZH)
        put(o, "（%d级·%s）", (int)level, level >= 1 && level <= 5 ? title[level] : "");
    else
        put(o, " (level %d)", (int)level);
}

static void put_day(struct out *o, int32_t day)
{
    int y, m, d;
    date_civil(day, &y, &m, &d);
    put(o, "%04d-%02d-%02d", y, m, d);
}

static void put_km(struct out *o, enum match_lang l, int32_t km)
{
    if (l == MATCH_LANG_ZH)
        put(o, km < 1 ? "不到 1 公里" : "%d 公里", (int)km);
    else
        put(o, km < 1 ? "under 1 km" : "%d km", (int)km);
}

static const char *kind_name(enum match_lang l, int32_t k)
{
    static const char *const zh[] = {"普通岗位",   "以工代赈", "公益性岗位",
                                     "生态护林员", "帮扶车间", "劳务输出"};
    static const char *const en[] = {"regular job",   "work relief",         "public-welfare post",
                                     "forest ranger", "assistance workshop", "labour export"};
    if (k < 0 || k >= MATCH_KIND_COUNT)
        return "?";
    return l == MATCH_LANG_ZH ? zh[k] : en[k];
}

static const char *monitoring_name(enum match_lang l, int32_t m)
{
    static const char *const zh[] = {"", "脱贫不稳定户", "边缘易致贫户", "突发严重困难户"};
    static const char *const en[] = {"", "unstable after leaving poverty",
                                     "marginal, at risk of poverty", "sudden severe hardship"};
    if (m < 1 || m > 3)
        return "?";
    return l == MATCH_LANG_ZH ? zh[m] : en[m];
}

static const char *filter_text(enum match_filter f, enum match_lang l)
{
    static const char *const zh[MATCH_F_COUNT] = {"无",
                                                  "岗位未开放",
                                                  "岗位已招满",
                                                  "缺少必需技能",
                                                  "缺少必需证书",
                                                  "未在求职",
                                                  "未同意向中介机构提供信息",
                                                  "开工日前无法到岗",
                                                  "年龄不符",
                                                  "家庭已有成员在公益性岗位",
                                                  "已在公益性岗位或护林员岗位",
                                                  "非本县搬迁群众或户籍居民",
                                                  "必需技能等级不足",
                                                  "必需证书在开工日前过期",
                                                  "不在所选县区",
                                                  "岗位类型不符",
                                                  "工资不在所选范围",
                                                  "超出距离上限",
                                                  "匹配分低于下限"};
    static const char *const en[MATCH_F_COUNT] = {
        "None",
        "Vacancy not open",
        "Vacancy already filled",
        "Missing a required skill",
        "Missing a required certificate",
        "Not seeking work",
        "No consent to share with brokers",
        "Not available by the start date",
        "Age outside the allowed range",
        "Household already holds a public-welfare post",
        "Already holds a public-welfare or forest-ranger post",
        "Not a relocated or registered resident of the county",
        "Required skill below the required level",
        "Required certificate expired by the start date",
        "Outside the selected counties",
        "Job kind not selected",
        "Wage outside the selected range",
        "Beyond the distance limit",
        "Score below the minimum"};
    if ((unsigned)f >= MATCH_F_COUNT)
        return "?";
    return l == MATCH_LANG_ZH ? zh[f] : en[f];
}

static void render_filter(struct out *o, const struct match_reason *r, enum match_lang l)
{
    bool zh = l == MATCH_LANG_ZH;
    put(o, "%s", filter_text((enum match_filter)r->a, l));
    switch (r->a) {
    case MATCH_F_NOT_AVAILABLE:
        put(o, zh ? "：" : ": available from ");
        put_day(o, r->b);
        put(o, zh ? " 起可上岗，开工日 " : ", start date ");
        put_day(o, r->c);
        break;
    case MATCH_F_AGE:
        if (zh)
            put(o, "：%d 岁，要求 %d–%d 岁", (int)r->b, (int)(r->c / 1000), (int)(r->c % 1000));
        else
            put(o, ": %d, range %d–%d", (int)r->b, (int)(r->c / 1000), (int)(r->c % 1000));
        break;
    case MATCH_F_DISTANCE:
        put(o, zh ? "：距离 " : ": ");
        put_km(o, l, r->b);
        put(o, zh ? "，上限 %d 公里" : ", limit %d km", (int)r->c);
        break;
    case MATCH_F_MIN_SCORE:
        put(o, zh ? "：%d.%02d，下限 %d.%02d" : ": %d.%02d, minimum %d.%02d", (int)(r->b / 100),
            (int)(r->b % 100), (int)(r->c / 100), (int)(r->c % 100));
        break;
    case MATCH_F_WAGE:
        put(o, zh ? "：%d 元/月" : ": %d CNY/month", (int)r->b);
        break;
    default:
        break;
    }
}

static bool render_skill(struct out *o, const struct match_reason *r, enum match_lang l,
                         const struct match_names *n)
{
    bool zh = l == MATCH_LANG_ZH;
    switch (r->code) {
    case MATCH_R_SKILL_OK:
        put(o, zh ? "具备技能：" : "Has skill: ");
        put_skill_level(o, n, l, r->a, r->b);
        break;
    case MATCH_R_SKILL_LOW:
    case MATCH_R_MUST_SKILL_LOW:
        if (r->code == MATCH_R_SKILL_LOW)
            put(o, zh ? "技能等级偏低：" : "Skill below the level asked: ");
        else
            put(o, zh ? "必需技能等级不足：" : "Required skill below its level: ");
        put_skill(o, n, l, r->a);
        put(o, zh ? " %d级，要求 %d级" : " level %d, level %d asked", (int)r->b, (int)r->c);
        break;
    case MATCH_R_SKILL_RELATED:
        put(o, zh ? "相关技能：" : "Related skill: ");
        put_skill_level(o, n, l, r->b, r->c);
        put(o, zh ? "，岗位要求 " : " for ");
        put_skill(o, n, l, r->a);
        break;
    case MATCH_R_SKILL_MISSING:
    case MATCH_R_MUST_SKILL_MISSING:
        if (r->code == MATCH_R_SKILL_MISSING)
            put(o, zh ? "缺少技能：" : "Lacks skill: ");
        else
            put(o, zh ? "缺少必需技能：" : "Missing required skill: ");
        put_skill_level(o, n, l, r->a, r->c);
        break;
    default:
        return false;
    }
    return true;
}

static bool render_cert(struct out *o, const struct match_reason *r, enum match_lang l,
                        const struct match_names *n)
{
    bool zh = l == MATCH_LANG_ZH;
    switch (r->code) {
    case MATCH_R_CERT_OK:
        put(o, zh ? "持有有效证书：" : "Holds a valid certificate: ");
        break;
    case MATCH_R_CERT_MISSING:
        put(o, zh ? "缺少证书：" : "Lacks certificate: ");
        break;
    case MATCH_R_MUST_CERT_MISSING:
        put(o, zh ? "缺少必需证书：" : "Missing required certificate: ");
        break;
    case MATCH_R_CERT_EXPIRED:
        put(o, zh ? "证书过期：" : "Certificate expired: ");
        put_cert(o, n, l, r->a);
        put(o, zh ? "于 " : " on ");
        put_day(o, r->b);
        put(o, zh ? " 到期，早于开工日期" : ", before the start date");
        return true;
    default:
        return false;
    }
    put_cert(o, n, l, r->a);
    return true;
}

static bool render_distance(struct out *o, const struct match_reason *r, enum match_lang l)
{
    bool zh = l == MATCH_LANG_ZH;
    switch (r->code) {
    case MATCH_R_DIST_NEAR:
    case MATCH_R_DIST_FAR:
    case MATCH_R_DIST_TRANSPORT:
    case MATCH_R_DIST_ACCOMMODATION:
        if (zh && r->a >= 1)
            put(o, "距离 ");
        else if (zh)
            put(o, "距离");
        put_km(o, l, r->a);
        if (r->code == MATCH_R_DIST_NEAR)
            put(o, zh ? "，在通勤范围内" : " away, within commuting range");
        else if (r->code == MATCH_R_DIST_FAR)
            put(o, zh ? "，超出通勤范围（%d 公里）" : " away, beyond the %d km commuting range",
                (int)r->b);
        else if (r->code == MATCH_R_DIST_TRANSPORT)
            put(o,
                zh ? "，单位组织通勤（可达 %d 公里）"
                   : " away, reachable by the employer's transport (%d km)",
                (int)r->b);
        else
            put(o, zh ? "，单位提供住宿" : " away, accommodation provided");
        break;
    case MATCH_R_NEEDS_ACCOMMODATION:
        put(o, zh ? "需要住宿，岗位不提供住宿" : "Needs accommodation, none provided");
        break;
    case MATCH_R_EXPORT_WILLING:
        put(o, zh ? "愿意到%s务工" : "Willing to work outside the %s",
            r->a ? (zh ? "省外" : "province") : (zh ? "县外" : "county"));
        break;
    case MATCH_R_EXPORT_UNWILLING:
        put(o, zh ? "不愿到%s务工" : "Not willing to work outside the %s",
            r->a ? (zh ? "省外" : "province") : (zh ? "县外" : "county"));
        break;
    default:
        return false;
    }
    return true;
}

static bool render_wage(struct out *o, const struct match_reason *r, enum match_lang l)
{
    bool zh = l == MATCH_LANG_ZH;
    switch (r->code) {
    case MATCH_R_WAGE_OK:
        put(o, zh ? "工资 %d 元/月" : "Wage %d CNY/month", (int)r->a);
        if (r->b)
            put(o, zh ? "，不低于期望 %d 元" : ", at or above the %d CNY floor", (int)r->b);
        break;
    case MATCH_R_WAGE_MAYBE:
        put(o,
            zh ? "工资 %d–%d 元/月，可能达到期望 %d 元"
               : "Wage %d–%d CNY/month, may reach the %d CNY floor",
            (int)r->a, (int)r->c, (int)r->b);
        break;
    case MATCH_R_WAGE_LOW:
        put(o,
            zh ? "工资最高 %d 元/月，低于期望 %d 元"
               : "Wage at most %d CNY/month, below the %d CNY floor",
            (int)r->a, (int)r->b);
        break;
    case MATCH_R_WAGE_PIECE:
        put(o,
            zh ? "计件工资，无法与期望工资比较" : "Piece rate, not comparable with the wage floor");
        break;
    default:
        return false;
    }
    return true;
}

static bool render_person(struct out *o, const struct match_reason *r, enum match_lang l)
{
    bool zh = l == MATCH_LANG_ZH;
    switch (r->code) {
    case MATCH_R_KIND_WANTED:
        put(o, zh ? "意向岗位类型：%s" : "Wants this kind of job: %s", kind_name(l, r->a));
        break;
    case MATCH_R_KIND_UNWANTED:
        put(o, zh ? "非意向岗位类型：%s" : "Not a kind of job wanted: %s", kind_name(l, r->a));
        break;
    case MATCH_R_AVAIL_NOW:
        put(o, zh ? "可立即上岗" : "Available now");
        break;
    case MATCH_R_AVAIL_FROM:
        put(o, zh ? "" : "Available from ");
        put_day(o, r->a);
        put(o, zh ? " 起可上岗" : "");
        break;
    case MATCH_R_PRIO_RELOCATED:
        put(o, zh ? "易地扶贫搬迁劳动力优先" : "Priority: relocated worker");
        break;
    case MATCH_R_PRIO_MONITORING:
        put(o, zh ? "防返贫监测户优先（%s）" : "Priority: household under monitoring (%s)",
            monitoring_name(l, r->a));
        break;
    case MATCH_R_PRIO_ZERO_EMPLOYMENT:
        put(o, zh ? "零就业家庭优先" : "Priority: household with nobody employed");
        break;
    default:
        return false;
    }
    return true;
}

int match_reason_format(const struct match_reason *r, enum match_lang lang,
                        const struct match_names *names, char *buf, size_t cap)
{
    struct out o = {buf, cap, 0};
    if (cap)
        buf[0] = 0;
    if (r->code == MATCH_R_FILTER)
        render_filter(&o, r, lang);
    else if (!render_skill(&o, r, lang, names) && !render_cert(&o, r, lang, names) &&
             !render_distance(&o, r, lang) && !render_wage(&o, r, lang) &&
             !render_person(&o, r, lang))
        put(&o, "?");
    return o.len;
}

int match_filter_format(enum match_filter f, uint64_t count, enum match_target target,
                        enum match_lang lang, char *buf, size_t cap)
{
    struct out o = {buf, cap, 0};
    if (cap)
        buf[0] = 0;
    bool workers = target == MATCH_TARGET_WORKERS;
    unsigned long long n = count;
    put(&o, "%s", filter_text(f, lang));
    if (lang == MATCH_LANG_ZH)
        put(&o, workers ? "：排除 %llu 人" : "：排除 %llu 个岗位", n);
    else
        put(&o, workers ? ": %llu worker%s removed" : ": %llu vacanc%s removed", n,
            workers ? (n == 1 ? "" : "s") : (n == 1 ? "y" : "ies"));
    return o.len;
}

/* One pair scored and explained as a query would see it; see match.h. */
int match_explain(const struct match_index *idx, int64_t worker_id, int64_t vacancy_id,
                  const struct match_query *q, enum match_target target, struct match_hit *out)
{
    uint32_t ws = match_worker_slot(idx, worker_id);
    uint32_t vs = match_vacancy_slot(idx, vacancy_id);
    if (ws == MATCH_SLOT_NONE || vs == MATCH_SLOT_NONE || match_query_check(q))
        return -1;
    struct match_ctx c;
    match_ctx_init(&c, idx, q);
    c.target = target;
    struct match_wv w;
    struct match_pair_eval e;
    match_wv_load(idx, ws, &w);
    match_pair_eval(&c, &w, &idx->v_rec[vs], false, &e);
    memset(out, 0, sizeof *out);
    out->ref = target == MATCH_TARGET_WORKERS ? ws : vs;
    match_explain_fill(&c, &w, &idx->v_rec[vs], &e, out);
    return 0;
}
