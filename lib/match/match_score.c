/*
 * match_score: the weights table, the parts of the score and the evaluation
 * of one worker against one vacancy.  match_pair_eval is the reference: the
 * scans in match_query.c take short cuts and the unit tests hold them to it.
 */
#include "match_int.h"

/* ---- the weights table ---- */

void match_weights_default(struct match_weights *w)
{
    /* skill, cert, distance, wage, kind, availability, priority */
    static const float table[MATCH_KIND_COUNT][MATCH_PART_COUNT] = {
        [MATCH_KIND_REGULAR] = {40, 10, 20, 15, 10, 5, 0},
        [MATCH_KIND_WORK_RELIEF] = {25, 5, 20, 5, 10, 5, 30},
        [MATCH_KIND_PUBLIC_WELFARE] = {15, 5, 20, 5, 10, 5, 40},
        [MATCH_KIND_FOREST_RANGER] = {25, 5, 15, 5, 10, 5, 35},
        [MATCH_KIND_WORKSHOP] = {30, 5, 30, 10, 10, 5, 10},
        [MATCH_KIND_LABOR_EXPORT] = {35, 10, 20, 20, 10, 5, 0},
    };
    memset(w, 0, sizeof *w);
    for (int k = 0; k < MATCH_KIND_COUNT; k++) {
        struct match_kind_weights *kw = &w->kind[k];
        memcpy(kw->weight, table[k], sizeof kw->weight);
        kw->level_step = 0.25f;
        kw->related_credit = 0.4f;
        kw->must_level_slack = 0;
        kw->transport_factor = 2.0f;
        kw->accommodation_km = 150.0f;
        kw->prio_relocated = 0.4f;
        kw->prio_monitoring = 0.3f;
        kw->prio_zero_employment = 0.3f;
    }
    w->kind[MATCH_KIND_PUBLIC_WELFARE].one_per_household = true;
    w->kind[MATCH_KIND_PUBLIC_WELFARE].no_double_post = true;
    w->kind[MATCH_KIND_FOREST_RANGER].no_double_post = true;
    w->kind[MATCH_KIND_WORK_RELIEF].residents_only = true;
    w->kind[MATCH_KIND_PUBLIC_WELFARE].residents_only = true;
}

static bool in_range(float x, float lo, float hi)
{
    return x >= lo && x <= hi; /* false for NaN */
}

int match_weights_check(const struct match_weights *w)
{
    for (int k = 0; k < MATCH_KIND_COUNT; k++) {
        const struct match_kind_weights *kw = &w->kind[k];
        float sum = 0;
        for (int i = 0; i < MATCH_PART_COUNT; i++) {
            if (!in_range(kw->weight[i], 0, 1000))
                return -1;
            sum += kw->weight[i];
        }
        if (!(sum > 0) || !in_range(kw->level_step, 0, 1) || !in_range(kw->related_credit, 0, 1) ||
            kw->must_level_slack > 4 || !in_range(kw->transport_factor, 1, 10) ||
            !in_range(kw->accommodation_km, 0, 5000) || !in_range(kw->prio_relocated, 0, 1) ||
            !in_range(kw->prio_monitoring, 0, 1) || !in_range(kw->prio_zero_employment, 0, 1))
            return -1;
    }
    return 0;
}

int match_query_check(const struct match_query *q)
{
    if (q->k < 1 || q->k > MATCH_MAX_K || q->min_score < 0 || q->min_score > 10000 ||
        !(q->max_km >= 0 && q->max_km <= 40000) || q->kinds >> MATCH_KIND_COUNT ||
        q->n_counties > MATCH_MAX_QUERY_COUNTIES || (q->wage_max && q->wage_max < q->wage_min) ||
        q->today < MATCH_AVAIL_EPOCH || q->today > MATCH_AVAIL_EPOCH + 60000)
        return -1;
    if (q->weights && match_weights_check(q->weights))
        return -1;
    return 0;
}

void match_query_init(struct match_query *q, int32_t today, uint32_t k)
{
    memset(q, 0, sizeof *q);
    q->today = today;
    q->k = k;
}

void match_ctx_init(struct match_ctx *c, const struct match_index *idx, const struct match_query *q)
{
    c->idx = idx;
    c->q = q;
    c->weights = q->weights ? q->weights : &idx->weights;
    for (int k = 0; k < MATCH_KIND_COUNT; k++) {
        const float *w = c->weights->kind[k].weight;
        float sum = 0;
        for (int i = 0; i < MATCH_PART_COUNT; i++)
            sum += w[i];
        for (int i = 0; i < MATCH_PART_COUNT; i++)
            c->pts[k][i] = 100.0f * w[i] / sum;
        if (q->no_priority)
            c->pts[k][MATCH_PART_PRIORITY] = 0;
    }
    c->today_ymd = date_ymd(q->today);
}

/* ---- parts ---- */

float match_part_skill(const struct match_index *idx, const struct match_kind_weights *kw,
                       const struct match_vrec *v, const uint64_t sk[MATCH_PLANES], uint64_t levels,
                       struct match_skill_eval *ev)
{
    if (!v->n_skills)
        return 1.0f;
    float sum = 0;
    for (unsigned j = 0; j < v->n_skills; j++) {
        unsigned s = v->skill[j], need = v->min_level[j];
        unsigned have = match_level_of(sk, levels, s);
        float credit = 0;
        unsigned rel = 0, rel_level = 0;
        if (have >= need) {
            credit = 1;
        } else {
            if (have)
                credit = match_clamp01(1.0f - kw->level_step * (float)(need - have));
            for (unsigned p = 0; p < MATCH_PLANES && !rel; p++) {
                uint64_t m = idx->related[s][p] & sk[p];
                if (m)
                    rel = p * 64 + (unsigned)__builtin_ctzll(m);
            }
            if (rel && kw->related_credit > credit) {
                credit = kw->related_credit;
                rel_level = match_level_of(sk, levels, rel);
            } else {
                rel = 0;
            }
        }
        sum += v->sweight[j] * credit;
        if (ev) {
            ev[j].have = (uint8_t)have;
            ev[j].related = (uint8_t)rel;
            ev[j].related_level = (uint8_t)rel_level;
            ev[j].credit = credit;
        }
    }
    sum /= v->sweight_sum;
    return sum > 1 ? 1 : sum;
}

/* Labour export: the destination is outside the county (or the province). */
static bool export_willing(const struct match_vrec *v, uint16_t wflags)
{
    if (v->dest_province && v->dest_province != MATCH_YUNNAN)
        return wflags & MATCH_W_WILLING_PROVINCE;
    return wflags & (MATCH_W_WILLING_COUNTY | MATCH_W_WILLING_PROVINCE);
}

float match_part_distance(const struct match_kind_weights *kw, const struct match_vrec *v, float km,
                          uint16_t commute, uint16_t wflags, float *radius)
{
    if (v->kind == MATCH_KIND_LABOR_EXPORT) {
        *radius = 0;
        return export_willing(v, wflags) ? 1.0f : 0.0f;
    }
    return match_part_distance_near(kw, v->transport, v->accommodation, km, commute, wflags,
                                    radius);
}

float match_part_wage(const struct match_vrec *v, uint32_t floor)
{
    if (v->period == MATCH_WAGE_PIECE)
        return 0.5f;
    if (!floor || v->wage_lo >= floor)
        return 1.0f;
    if (v->wage_hi >= floor)
        return 0.7f;
    return 0.5f * match_clamp01(1.0f - 2.0f * (float)(floor - v->wage_hi) / (float)floor);
}

int32_t match_score_round(float total)
{
    float s = total * 100.0f + 0.5f;
    return s < 0 ? 0 : s > 10000 ? 10000 : (int32_t)s;
}

/* ---- filters ---- */

static bool age_ok(const struct match_vrec *v, int32_t birth_ymd, int32_t day_ymd)
{
    return v->age_lo <= v->age_hi && birth_ymd > day_ymd - (v->age_hi + 1) * 10000 &&
           birth_ymd <= day_ymd - v->age_lo * 10000;
}

static void filters_hard(const struct match_ctx *c, const struct match_wv *w,
                         const struct match_vrec *v, bool adhoc, int32_t day,
                         struct match_pair_eval *e)
{
    const struct match_kind_weights *kw = &c->weights->kind[v->kind];
    uint32_t f = 0;
    f |= !v->open ? 1u << MATCH_F_VACANCY_CLOSED : 0;
    f |= v->filled >= v->headcount ? 1u << MATCH_F_VACANCY_FULL : 0;
    bool level_short = false, missing = false;
    for (unsigned j = 0; j < v->n_skills; j++) {
        if (!((v->must_bits >> j) & 1))
            continue;
        unsigned have = match_level_of(w->skill, w->levels, v->skill[j]);
        missing |= !have;
        level_short |= have && have + kw->must_level_slack < v->min_level[j];
    }
    f |= missing ? 1u << MATCH_F_MUST_SKILL : 0;
    f |= !adhoc && !(w->flags & MATCH_W_SEEKING) ? 1u << MATCH_F_NOT_SEEKING : 0;
    f |= !adhoc && c->q->broker && !(w->flags & MATCH_W_CONSENT_BROKERS) ? 1u << MATCH_F_NO_CONSENT
                                                                         : 0;
    f |= w->avail != MATCH_NO_DAY && w->avail > day ? 1u << MATCH_F_NOT_AVAILABLE : 0;
    int32_t day_ymd = day == c->q->today ? c->today_ymd : v->start_ymd;
    f |= !age_ok(v, w->birth_ymd, day_ymd) ? 1u << MATCH_F_AGE : 0;
    f |= level_short ? 1u << MATCH_F_SKILL_LEVEL : 0;
    f |= v->cert_must & ~w->certs ? 1u << MATCH_F_MUST_CERT : 0;
    f |= v->cert_must & w->certs & ~e->cert_valid ? 1u << MATCH_F_CERT_EXPIRED : 0;
    f |= kw->one_per_household && (w->hflags & MATCH_H_HOLDS_POST) ? 1u << MATCH_F_HOUSEHOLD_POST
                                                                   : 0;
    f |= kw->no_double_post &&
                 (w->flags & (MATCH_W_HOLDS_PUBLIC_WELFARE | MATCH_W_HOLDS_FOREST_RANGER))
             ? 1u << MATCH_F_DOUBLE_POST
             : 0;
    bool resident = (w->flags & (MATCH_W_RELOCATED | MATCH_W_LOCAL_RESIDENT)) &&
                    w->county_code == v->county_code;
    f |= kw->residents_only && !resident ? 1u << MATCH_F_NOT_RESIDENT : 0;
    e->failed |= f;
}

static bool county_listed(const struct match_query *q, int32_t code)
{
    for (unsigned i = 0; i < q->n_counties; i++)
        if (q->counties[i] == code)
            return true;
    return false;
}

void match_filters_query(const struct match_ctx *c, const struct match_vrec *v,
                         const struct match_wv *w, float km, uint32_t *failed)
{
    const struct match_query *q = c->q;
    bool workers = c->target == MATCH_TARGET_WORKERS;
    int32_t county = workers ? w->county_code : v->county_code;
    uint32_t wage = workers ? w->wage : v->wage_lo;
    if (q->n_counties && !county_listed(q, county))
        *failed |= 1u << MATCH_F_COUNTY;
    if (q->kinds && (workers ? w->kinds && !(w->kinds & q->kinds) : !((q->kinds >> v->kind) & 1)))
        *failed |= 1u << MATCH_F_KIND;
    if ((q->wage_min || q->wage_max) &&
        (wage < q->wage_min || (q->wage_max && wage > q->wage_max) ||
         (!workers && v->period == MATCH_WAGE_PIECE)))
        *failed |= 1u << MATCH_F_WAGE;
    if (q->max_km > 0 && km > q->max_km)
        *failed |= 1u << MATCH_F_DISTANCE;
}

/* ---- one pair ---- */

void match_pair_eval(const struct match_ctx *c, const struct match_wv *w,
                     const struct match_vrec *v, bool adhoc, struct match_pair_eval *e)
{
    const struct match_kind_weights *kw = &c->weights->kind[v->kind];
    memset(e, 0, sizeof *e);
    e->day = match_eff_day(v->start, c->q->today);
    e->cert_valid = match_certs_valid(w->certs, w->cexp, w->cexp_id, e->day);
    e->km = match_km_from_chord2(match_chord2(w->q, v->q));
    filters_hard(c, w, v, adhoc, e->day, e);
    match_filters_query(c, v, w, e->km, &e->failed);

    e->part[MATCH_PART_SKILL] = match_part_skill(c->idx, kw, v, w->skill, w->levels, e->skill);
    e->part[MATCH_PART_CERT] = match_part_cert(v, e->cert_valid);
    e->part[MATCH_PART_DISTANCE] =
        match_part_distance(kw, v, e->km, w->commute, w->flags, &e->radius);
    e->part[MATCH_PART_WAGE] = match_part_wage(v, w->wage);
    e->part[MATCH_PART_KIND] = match_part_kind(v, w->kinds);
    e->part[MATCH_PART_AVAIL] = match_part_avail(w->avail, c->q->today, e->day);
    e->part[MATCH_PART_PRIORITY] =
        match_part_priority(kw, w->flags & MATCH_W_RELOCATED, (w->hflags >> MATCH_H_MON_SHIFT) & 3,
                            w->hflags & MATCH_H_ZERO);
    e->total = match_sum_parts(c->pts[v->kind], e->part);
    e->score = match_score_round(e->total);
    if (e->score < c->q->min_score)
        e->failed |= 1u << MATCH_F_MIN_SCORE;
}
