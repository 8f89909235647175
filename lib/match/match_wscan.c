/*
 * match_wscan: the workers for one vacancy, best first (match_query_workers
 * and its parts for a split scan).  See match_scan.h for the method.
 */
#include "match_int.h"
#include "match_scan.h"

#include <stdlib.h>

struct wscan {
    struct match_ctx c;
    const struct match_vrec *v;
    const struct match_kind_weights *kw;
    const float *pts;
    float rest[MATCH_PART_COUNT]; /* points still possible after each stage */
    int32_t day;
    struct match_gate g;
    uint64_t relu[MATCH_PLANES];
    uint64_t counties[4];
    bool rel_hi, level_check;
    uint16_t willing;             /* labour export: flags that make a worker willing to go */
    int32_t open_floor;           /* the floor open[][] was computed for */
    uint8_t open[MATCH_TIERS][8]; /* by tier and priority flags: bit 0 without, bit 1 with a
                                     relevant skill can reach the floor */
    float km[MATCH_GATE_PLACES];  /* km to place p < g.n_place_c2, -1 until a visit needs it */
};

/* A ymd bound as a day: Feb 29 of a common year (left by subtracting years)
 * becomes Feb 28, which keeps "born after" and "born on or before" exact. */
static int32_t bound_day(int32_t ymd)
{
    int y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
    if (m == 2 && d == 29 && !date_is_leap(y))
        d = 28;
    return date_day(y, m, d);
}

/* The age range as stored birth days: lo <= birth - lo <= span, unsigned. */
static void wscan_init_age(struct wscan *s, int32_t ymd)
{
    const struct match_vrec *v = s->v;
    /* born after lo_ymd and on or before hi_ymd */
    int32_t lo = bound_day(ymd - (v->age_hi + 1) * 10000) - MATCH_BIRTH_EPOCH + 1;
    int32_t hi = bound_day(ymd - v->age_lo * 10000) - MATCH_BIRTH_EPOCH;
    lo = lo < 0 ? 0 : lo;
    hi = hi > 65535 ? 65535 : hi;
    s->g.nobody_of_age = v->age_lo > v->age_hi || lo > hi;
    s->g.born_lo = (uint16_t)(s->g.nobody_of_age ? 0 : lo);
    s->g.born_span = (uint16_t)(s->g.nobody_of_age ? 0 : hi - lo);
}

/* The workplace, for the distance tiers and the cut. */
static void wscan_init_place(struct wscan *s, const struct match_vrec *v)
{
    s->g.tiers = true;
    for (int i = 0; i < 3; i++)
        s->g.vq[i] = v->q[i];
    s->g.tf = v->transport ? s->kw->transport_factor : 1.0f;
    s->g.acc_km = v->accommodation ? s->kw->accommodation_km : 0.0f;
    match_gate_place_c2(s->c.idx, &s->g);
    for (uint32_t p = 0; p < s->g.n_place_c2; p++)
        s->km[p] = -1.0f;
    s->open_floor = INT32_MIN;
    s->willing = v->dest_province && v->dest_province != MATCH_YUNNAN
                     ? MATCH_W_WILLING_PROVINCE
                     : MATCH_W_WILLING_COUNTY | MATCH_W_WILLING_PROVINCE;
    s->g.willing_flags = v->kind == MATCH_KIND_LABOR_EXPORT ? s->willing : 0;
}

/* What the gate's hot bound needs (struct match_gate_hot): the terms of
 * wscan_hot_bound.  Off in facet queries (they count every worker) and when
 * a skill it reads is beyond plane 0; wscan_cut turns it on with the page's
 * floor. */
static void wscan_init_hot(struct wscan *s)
{
    const struct match_vrec *v = s->v;
    struct match_gate_hot *h = &s->g.hot;
    h->accommodation = v->accommodation;
    h->export = v->kind == MATCH_KIND_LABOR_EXPORT;
    h->n = v->n_skills;
    for (unsigned j = 0; j < v->n_skills; j++) {
        h->held[j] = v->skill[j] < 64 ? 1ull << v->skill[j] : 0;
        h->rel[j] = s->c.idx->related[v->skill[j]][0];
        h->w[j] = v->sweight[j];
        h->wrc[j] = v->sweight[j] * s->kw->related_credit;
    }
    h->wsum = v->sweight_sum;
    h->pts_skill = s->pts[MATCH_PART_SKILL];
    h->pts_dist = s->pts[MATCH_PART_DISTANCE];
    h->pts_prio = s->pts[MATCH_PART_PRIORITY];
    h->rest = s->rest[MATCH_PART_AVAIL];
    h->prio[0] = s->kw->prio_relocated;
    h->prio[1] = s->kw->prio_monitoring;
    h->prio[2] = s->kw->prio_zero_employment;
}

static void wscan_init(struct wscan *s, const struct match_index *idx, const struct match_vrec *v,
                       const struct match_query *q)
{
    memset(s, 0, sizeof *s);
    match_ctx_init(&s->c, idx, q);
    s->c.target = MATCH_TARGET_WORKERS;
    s->v = v;
    s->kw = &s->c.weights->kind[v->kind];
    s->pts = s->c.pts[v->kind];
    /* points still possible after skill and distance; and besides those and priority */
    s->rest[MATCH_PART_DISTANCE] = 100.0f - s->pts[MATCH_PART_SKILL] - s->pts[MATCH_PART_DISTANCE];
    s->rest[MATCH_PART_AVAIL] = s->rest[MATCH_PART_DISTANCE] - s->pts[MATCH_PART_PRIORITY];
    s->day = match_eff_day(v->start, q->today);
    int32_t ymd = s->day == q->today ? s->c.today_ymd : v->start_ymd;
    s->g.avail_by =
        s->day - MATCH_AVAIL_EPOCH > 65535 ? 65535 : (uint16_t)(s->day - MATCH_AVAIL_EPOCH);
    wscan_init_age(s, ymd);
    s->g.must0 = v->must[0];
    s->g.cert_must = v->cert_must;
    s->g.post_flags =
        s->kw->no_double_post ? MATCH_W_HOLDS_PUBLIC_WELFARE | MATCH_W_HOLDS_FOREST_RANGER : 0;
    s->g.hpost_flags = s->kw->one_per_household ? MATCH_W_H_POST : 0;
    s->g.resident = s->kw->residents_only;
    s->g.broker = q->broker;
    s->g.prio = s->pts[MATCH_PART_PRIORITY] > 0;
    s->g.county = v->county;
    for (unsigned j = 0; j < v->n_skills; j++)
        for (int p = 0; p < MATCH_PLANES; p++)
            s->relu[p] |= idx->related[v->skill[j]][p];
    for (int p = 0; p < MATCH_PLANES; p++)
        s->relu[p] |= v->req[p];
    s->g.relu0 = s->relu[0];
    s->rel_hi = s->relu[1] | s->relu[2] | s->relu[3];
    s->g.hi = v->must_hi || s->rel_hi;
    for (int p = 1; p < MATCH_PLANES; p++) {
        s->g.must_hi[p - 1] = v->must[p];
        s->g.relu_hi[p - 1] = s->relu[p];
    }
    s->g.keep_far = q->facets;
    s->g.fetch_cexp = v->cert_all != 0;
    s->g.req0 = v->req[1] | v->req[2] | v->req[3] ? 0 : v->req[0];
    for (unsigned j = 0; j < v->n_skills; j++)
        s->level_check |=
            ((v->must_bits >> j) & 1) && v->min_level[j] > 1 + s->kw->must_level_slack;
    wscan_init_place(s, v);
    wscan_init_hot(s);
    match_county_mask(idx, q, s->counties);
}

/*
 * The cut for the page's floor (hundredths), when the page is full: for each
 * class of worker (struct match_gate) the best score it can have besides the
 * distance part, and so the largest chord per km of radius that still reaches.
 */
static void wscan_cut(struct wscan *s, int32_t floor)
{
    s->g.cut = floor >= 0 && s->g.tiers;
    s->g.hot.on = s->g.cut && !s->c.q->facets && !s->rel_hi;
    s->g.hot.floor = floor;
    if (!s->g.cut)
        return;
    const float ps = s->pts[MATCH_PART_SKILL], pd = s->pts[MATCH_PART_DISTANCE];
    const float pp = s->pts[MATCH_PART_PRIORITY];
    const float need = (float)(floor - 1) / 100.0f, rest = 100.0f - ps - pd - pp;
    const bool export = s->v->kind == MATCH_KIND_LABOR_EXPORT;
    const struct match_vrec *v = s->v;
    float wmin = v->n_skills ? v->sweight[0] : 0; /* missing the lightest skill costs least */
    float wmax = wmin;
    for (unsigned j = 1; j < v->n_skills; j++) {
        wmin = v->sweight[j] < wmin ? v->sweight[j] : wmin;
        wmax = v->sweight[j] > wmax ? v->sweight[j] : wmax;
    }
    const float rc = s->kw->related_credit;
    const float partial = v->n_skills ? 1.0f - wmin * (1.0f - rc) / v->sweight_sum : 1.0f;
    /* at most one listed skill held, and not all: the heaviest held, the rest
     * related at best (a little margin for the order of the sums) */
    float single = v->n_skills > 1 ? (wmax + rc * (v->sweight_sum - wmax)) / v->sweight_sum : rc;
    single = single * 1.0001f + 1e-6f;
    single = single < partial ? single : partial;
    for (unsigned cls = 0; cls < 64; cls++) {
        /* all listed skills held: up to 1; two or more: up to partial; one
         * (bit 16 outside labour export) or related ones only: up to single;
         * none held or related: 0 (1 when no skill is listed) */
        float some = export || (cls & 16) ? partial : single;
        float skill = (cls & 32) || !v->n_skills || s->rel_hi ? ps : (cls & 1) ? ps * some : 0;
        float prio = pp * match_part_priority(s->kw, cls & 2, cls & 4, cls & 8);
        float base = skill + prio + rest;
        if (export || pd <= 0)
            s->g.cut_k[cls] = base + (export && (cls & 16) ? pd : 0) >= need ? INFINITY : -1.0f;
        else
            s->g.cut_k[cls] = match_cut_k((need - base) / pd);
    }
    match_gate_cut_range(&s->g);
}

/* Certificates held and valid on the start day. */
static uint64_t wscan_certs(const struct wscan *s, uint32_t slot)
{
    const struct match_index *idx = s->c.idx;
    const size_t e = (size_t)slot * MATCH_MAX_CERT_EXPIRIES;
    return match_certs_valid(idx->w_cert[slot], idx->w_cexp + e, idx->w_cexp_id + e, s->day);
}

/* Hard filters after the gate; returns the first that fails or MATCH_F_NONE. */
static enum match_filter wscan_hard(const struct wscan *s, uint32_t slot,
                                    const struct match_wcold *c)
{
    const struct match_index *idx = s->c.idx;
    const struct match_vrec *v = s->v;
    if (s->level_check) {
        uint64_t sk[MATCH_PLANES];
        for (int p = 0; p < MATCH_PLANES; p++)
            sk[p] = idx->w_skill[p] ? idx->w_skill[p][slot] : 0;
        for (unsigned j = 0; j < v->n_skills; j++) {
            unsigned have = match_level_of(sk, c->levels, v->skill[j]);
            if (((v->must_bits >> j) & 1) && have + s->kw->must_level_slack < v->min_level[j])
                return MATCH_F_SKILL_LEVEL;
        }
    }
    if (v->cert_must && (v->cert_must & ~wscan_certs(s, slot)))
        return MATCH_F_CERT_EXPIRED;
    return MATCH_F_NONE;
}

/* Query filters as a bit mask of enum match_filter. */
static uint32_t wscan_query_fails(const struct wscan *s, uint32_t slot, const struct match_wcold *c,
                                  float km)
{
    const struct match_query *q = s->c.q;
    uint32_t fm = 0;
    if (q->n_counties) { /* columns are read only for the filters asked */
        unsigned county = s->c.idx->w_county[slot];
        if (!((s->counties[county >> 6] >> (county & 63)) & 1))
            fm |= 1u << MATCH_F_COUNTY;
    }
    unsigned kinds = q->kinds ? MATCH_FACET_KINDS(s->c.idx->w_facet[slot]) : 0;
    if (kinds && !(kinds & q->kinds))
        fm |= 1u << MATCH_F_KIND;
    if ((q->wage_min || q->wage_max) &&
        (c->wage < q->wage_min || (q->wage_max && c->wage > q->wage_max)))
        fm |= 1u << MATCH_F_WAGE;
    if (q->max_km > 0 && km > q->max_km)
        fm |= 1u << MATCH_F_DISTANCE;
    return fm;
}

/* Priority from the worker's flags (the household's are kept in them). */
static float wscan_priority(const struct wscan *s, uint16_t f)
{
    return match_part_priority(s->kw, f & MATCH_W_RELOCATED, f & MATCH_W_H_MON, f & MATCH_W_H_ZERO);
}

/* Upper bound of the skill part from the skill bits alone (no levels read). */
static float wscan_skill_bound(const struct wscan *s, uint32_t slot)
{
    const struct match_index *idx = s->c.idx;
    const struct match_vrec *v = s->v;
    if (!v->n_skills)
        return 1.0f;
    uint64_t sk[MATCH_PLANES];
    for (int p = 0; p < MATCH_PLANES; p++)
        sk[p] = idx->w_skill[p] ? idx->w_skill[p][slot] : 0;
    float sum = 0;
    for (unsigned j = 0; j < v->n_skills; j++) {
        unsigned id = v->skill[j];
        const uint64_t *rel = idx->related[id];
        if ((sk[id >> 6] >> (id & 63)) & 1)
            sum += v->sweight[j];
        else if ((sk[0] & rel[0]) | (sk[1] & rel[1]) | (sk[2] & rel[2]) | (sk[3] & rel[3]))
            sum += v->sweight[j] * s->kw->related_credit;
    }
    return sum / v->sweight_sum;
}

/*
 * The score of slot, or -1 when its upper bound falls below thr (hundredths);
 * *bound then holds that bound.  The distance part comes in computed.
 */
static int32_t wscan_score(const struct wscan *s, uint32_t slot, const struct match_wcold *c,
                           float dist, int32_t thr, int32_t *bound)
{
    const struct match_index *idx = s->c.idx;
    const struct match_vrec *v = s->v;
    const float *pts = s->pts;
    float part[MATCH_PART_COUNT];
    uint64_t sk[MATCH_PLANES];
    for (int p = 0; p < MATCH_PLANES; p++)
        sk[p] = idx->w_skill[p] ? idx->w_skill[p][slot] : 0;
    part[MATCH_PART_SKILL] = match_part_skill(idx, s->kw, v, sk, c->levels, NULL);
    part[MATCH_PART_DISTANCE] = dist;
    float acc = pts[MATCH_PART_SKILL] * part[MATCH_PART_SKILL] + pts[MATCH_PART_DISTANCE] * dist;
    if ((*bound = match_bound_int(acc + s->rest[MATCH_PART_DISTANCE])) < thr)
        return -1;
    uint64_t valid = v->cert_all ? wscan_certs(s, slot) : 0;
    part[MATCH_PART_CERT] = match_part_cert(v, valid);
    part[MATCH_PART_WAGE] = match_part_wage(v, c->wage);
    part[MATCH_PART_KIND] = match_part_kind(v, c->kinds);
    part[MATCH_PART_AVAIL] =
        match_part_avail(match_avail_day(idx->w_avail[slot]), s->c.q->today, s->day);
    for (int i = MATCH_PART_CERT; i <= MATCH_PART_AVAIL; i++)
        acc += i == MATCH_PART_DISTANCE ? 0 : pts[i] * part[i];
    if ((*bound = match_bound_int(acc + pts[MATCH_PART_PRIORITY])) < thr)
        return -1;
    part[MATCH_PART_PRIORITY] =
        pts[MATCH_PART_PRIORITY] > 0 ? wscan_priority(s, idx->w_flags[slot]) : 0;
    return match_score_round(match_sum_parts(pts, part));
}

/* Counts one result in the facets of dims, from the compact columns. */
static void wscan_facets(const struct match_index *idx, struct match_result *r, uint32_t slot,
                         float km, uint32_t dims)
{
    struct match_facets *f = &r->facets;
    unsigned fc = idx->w_facet[slot];
    if (dims & (1u << MATCH_F_COUNTY))
        f->county_by_slot[idx->w_county[slot]]++;
    if (dims & (1u << MATCH_F_KIND)) /* by the kinds wanted: one count, not one a kind */
        f->kinds_by_mask[MATCH_FACET_KINDS(fc)]++;
    if (dims & (1u << MATCH_F_WAGE))
        f->wage_band[MATCH_FACET_WAGE_BAND(fc)]++;
    if (dims & (1u << MATCH_F_DISTANCE))
        f->dist_band[match_dist_band(km)]++;
}

/* Kilometres from the workplace to slot's site.  Workers share sites, so a
 * place's figure is worked out once a query, from the gate's squared chord:
 * the arithmetic of match_chord2, so the same float. */
static float wscan_km(struct wscan *s, uint32_t slot)
{
    const struct match_index *idx = s->c.idx;
    unsigned p = idx->w_place[slot];
    if (p < s->g.n_place_c2) {
        if (s->km[p] < 0)
            s->km[p] = match_km_from_chord2(s->g.place_c2[p] * (1.0f / (MATCH_Q * MATCH_Q)));
        return s->km[p];
    }
    int16_t buf[3];
    return match_km_from_chord2(match_chord2(match_worker_q(idx, slot, buf), s->v->q));
}

/* Upper bound of the score from the columns already in cache (skill bits,
 * site, radius, flags): no cold record read. */
static int32_t wscan_hot_bound(const struct wscan *s, uint32_t slot, float dist)
{
    const struct match_index *idx = s->c.idx;
    return match_bound_int(s->pts[MATCH_PART_SKILL] * wscan_skill_bound(s, slot) +
                           s->pts[MATCH_PART_DISTANCE] * dist +
                           s->pts[MATCH_PART_PRIORITY] * wscan_priority(s, idx->w_flags[slot]) +
                           s->rest[MATCH_PART_AVAIL]);
}

/*
 * One worker the gate let through, in a facet query: every filter is counted
 * exactly and every result counted in the facets, but the score is computed
 * only when it decides something: whether the worker reaches min_score, or
 * whether it can enter the page (floor >= 0: the page is full).
 */
static void wscan_slot_facets(const struct wscan *s, struct match_result *r, uint32_t slot,
                              float km, int32_t floor, bool reach)
{
    const struct match_index *idx = s->c.idx;
    const struct match_query *q = s->c.q;
    const struct match_wcold *c = &idx->w_cold[slot];
    enum match_filter hf = wscan_hard(s, slot, c);
    if (hf) {
        r->removed[hf]++;
        return;
    }
    uint32_t fm = wscan_query_fails(s, slot, c, km);
    if (fm & (fm - 1)) {
        r->removed[__builtin_ctz(fm)]++;
        return;
    }
    if (!reach && q->min_score <= 0) { /* outside the cut: below the floor, counted unscored */
        wscan_facets(idx, r, slot, km, fm ? fm : FACET_DIMS);
        if (fm) {
            r->removed[__builtin_ctz(fm)]++;
            return;
        }
        r->candidates++;
        r->more = true;
        return;
    }
    /* the lowest score that decides something: min_score when there is one
     * (the counts are exact), else for a result the floor of a full page */
    int32_t thr = q->min_score > 0 ? q->min_score : !fm && floor > 0 ? floor : 0;
    int32_t score = INT32_MAX, bound = INT32_MAX;
    float radius, dist = 0;
    if (thr > 0 || !fm)
        dist =
            match_part_distance(s->kw, s->v, km, idx->w_commute[slot], idx->w_flags[slot], &radius);
    if (thr > 0) {
        bound = wscan_hot_bound(s, slot, dist);
        score = bound < thr ? -1 : wscan_score(s, slot, c, dist, thr, &bound);
    }
    if (score < 0 && bound < q->min_score) { /* surely below min_score */
        r->removed[fm ? (enum match_filter)__builtin_ctz(fm) : MATCH_F_MIN_SCORE]++;
        return;
    }
    if (score >= 0 && score < q->min_score) {
        r->removed[fm ? (enum match_filter)__builtin_ctz(fm) : MATCH_F_MIN_SCORE]++;
        return;
    }
    wscan_facets(idx, r, slot, km, fm ? fm : FACET_DIMS);
    if (fm) {
        r->removed[__builtin_ctz(fm)]++;
        return;
    }
    r->candidates++;
    if (score == INT32_MAX) /* not needed so far: the page has room */
        score = wscan_score(s, slot, c, dist, 0, &bound);
    if (score < 0) { /* below the floor of a full page */
        r->more = true;
        return;
    }
    if (after_cursor(q, score, c->id))
        heap_offer(r, q->k, score, c->id, slot);
}

/*
 * One worker the gate let through.  With a full page (floor >= 0) a bound from
 * the columns already in cache (skill bits, site, radius) comes first, so most
 * visits end before the worker's cold record is read.
 */
static void wscan_slot(struct wscan *s, struct match_result *r, uint32_t slot, int32_t floor,
                       bool reach)
{
    const struct match_index *idx = s->c.idx;
    const struct match_query *q = s->c.q;
    const struct match_vrec *v = s->v;
    /* the cold record is a likely miss: ask for it while the hot bound is worked out */
    __builtin_prefetch(&idx->w_cold[slot]);
    float km = wscan_km(s, slot);
    if (q->facets) {
        wscan_slot_facets(s, r, slot, km, floor, reach);
        return;
    }
    float radius,
        dist = match_part_distance(s->kw, v, km, idx->w_commute[slot], idx->w_flags[slot], &radius);
    if (floor >= 0 && wscan_hot_bound(s, slot, dist) < floor) {
        pruned(r);
        return;
    }
    const struct match_wcold *c = &idx->w_cold[slot];
    enum match_filter hf = wscan_hard(s, slot, c);
    if (hf) {
        r->removed[hf]++;
        return;
    }
    uint32_t fm = wscan_query_fails(s, slot, c, km);
    if (fm) {
        r->removed[__builtin_ctz(fm)]++;
        return;
    }
    int32_t thr = floor > q->min_score ? floor : q->min_score, bound;
    int32_t score = wscan_score(s, slot, c, dist, thr, &bound);
    if (score < q->min_score) { /* also when pruned (score -1) */
        below(r, q, score < 0 ? bound : score);
        return;
    }
    r->candidates++;
    if (after_cursor(q, score, c->id))
        heap_offer(r, q->k, score, c->id, slot);
}

/* Which tiers and priority classes can still reach the floor; kept until it moves. */
static void wscan_open_table(struct wscan *s, int32_t floor)
{
    if (floor == s->open_floor)
        return;
    s->open_floor = floor;
    for (unsigned t = 0; t < MATCH_TIERS; t++)
        for (unsigned cls = 0; cls < 8; cls++) {
            float prio =
                s->pts[MATCH_PART_PRIORITY] * match_part_priority(s->kw, cls & 1, cls & 2, cls & 4);
            bool open[2];
            tier_open(s->pts, !s->v->n_skills, t, prio, floor, open);
            s->open[t][cls] = (uint8_t)(open[0] | open[1] << 1);
        }
}

/* Workers of block b and tier t whose best possible score reaches the floor,
 * by relevant skill and by each of the eight combinations of priority flags. */
static uint64_t wscan_open(struct wscan *s, const struct match_gate_chunk *c, size_t b, unsigned t,
                           int32_t floor)
{
    if (floor < 0)
        return ~0ull;
    wscan_open_table(s, floor);
    const uint64_t *p = c->prio[b];
    uint64_t keep = 0;
    unsigned classes = s->pts[MATCH_PART_PRIORITY] > 0 ? 8 : 1;
    for (unsigned cls = 0; cls < classes; cls++) {
        uint64_t in = classes == 1 ? ~0ull
                                   : ((cls & 1) ? p[0] : ~p[0]) & ((cls & 2) ? p[1] : ~p[1]) &
                                         ((cls & 4) ? p[2] : ~p[2]);
        unsigned o = s->open[t][cls];
        keep |= in & ((o & 2 ? c->rel[b] : 0) | (o & 1 ? ~c->rel[b] : 0));
    }
    return keep;
}

static void wscan_chunk(struct wscan *s, struct match_result *r, struct match_gate_chunk *c)
{
    const struct match_query *q = s->c.q;
    wscan_cut(s, heap_floor(r, q->k));
    match_gate_chunk(s->c.idx, &s->g, c, r->removed, &r->scanned);
    if (c->dropped)
        pruned(r);
    size_t n_surv = c->n_surv; /* the blocks with survivors (few once the cut runs) */
    for (unsigned t = 0; t < MATCH_TIERS; t++)
        for (size_t j = 0; j < n_surv; j++) {
            size_t b = c->with_surv[j];
            uint64_t m = c->surv[b] & tier_mask(c->near[b], t);
            if (!m)
                continue;
            uint64_t keep = m & wscan_open(s, c, b, t, q->facets ? -1 : heap_floor(r, q->k));
            if (keep != m) {
                r->more = true;
                r->counts_exact = false;
            }
            for (; keep; keep &= keep - 1) {
                unsigned i = (unsigned)__builtin_ctzll(keep);
                wscan_slot(s, r, (uint32_t)(c->base + b * MATCH_BLOCK + i), heap_floor(r, q->k),
                           (c->cut[b] >> i) & 1);
            }
        }
}

static uint64_t live_workers(const struct match_index *idx, size_t begin, size_t end)
{
    uint64_t n = 0;
    for (size_t i = begin; i < end; i++)
        n += (idx->w_flags[i] & MATCH_W_LIVE) != 0;
    return n;
}

static int workers_range(const struct match_index *idx, const struct match_vrec *v,
                         const struct match_query *q, size_t begin, size_t end,
                         struct match_result *r)
{
    match_result_reset(r, MATCH_TARGET_WORKERS);
    if (match_query_check(q))
        return -1;
    r->has_facets = q->facets;
    size_t slots = match_index_worker_slots(idx);
    begin -= begin % MATCH_BLOCK;
    end = end >= slots ? slots : end - end % MATCH_BLOCK;
    if (!v->open || v->filled >= v->headcount) {
        r->scanned = live_workers(idx, begin, end);
        r->removed[v->open ? MATCH_F_VACANCY_FULL : MATCH_F_VACANCY_CLOSED] = r->scanned;
        return 0;
    }
    struct wscan s;
    struct match_gate_chunk c;
    wscan_init(&s, idx, v, q);
    for (c.base = begin; c.base < end; c.base += MATCH_CHUNK_BLOCKS * MATCH_BLOCK) {
        size_t left = (end - c.base) / MATCH_BLOCK;
        c.n = left < MATCH_CHUNK_BLOCKS ? left : MATCH_CHUNK_BLOCKS;
        wscan_chunk(&s, r, &c);
    }
    return 0;
}

int match_query_workers_range(const struct match_index *idx, const struct match_vacancy *v,
                              const struct match_query *q, size_t begin, size_t end,
                              struct match_result *part)
{
    struct match_vrec rec;
    if (match_vrec_build(idx, v, &rec)) {
        match_result_reset(part, MATCH_TARGET_WORKERS);
        return -1;
    }
    return workers_range(idx, &rec, q, begin, end, part);
}

static void workers_finish(const struct match_index *idx, const struct match_vrec *v,
                           const struct match_query *q, struct match_result *r)
{
    struct match_ctx c;
    match_ctx_init(&c, idx, q);
    c.target = MATCH_TARGET_WORKERS;
    qsort(r->hit, r->n, sizeof r->hit[0], match_hit_order);
    for (uint32_t i = 0; i < r->n; i++) {
        struct match_wv w;
        struct match_pair_eval e;
        match_wv_load(idx, r->hit[i].ref, &w);
        match_pair_eval(&c, &w, v, false, &e);
        match_explain_fill(&c, &w, v, &e, &r->hit[i]);
    }
    if (r->has_facets)
        match_facets_finish(idx, r);
}

int match_query_workers_finish(const struct match_index *idx, const struct match_vacancy *v,
                               const struct match_query *q, struct match_result *r)
{
    struct match_vrec rec;
    if (match_vrec_build(idx, v, &rec) || match_query_check(q))
        return -1;
    workers_finish(idx, &rec, q, r);
    return 0;
}

int match_query_workers(const struct match_index *idx, const struct match_vacancy *v,
                        const struct match_query *q, struct match_result *r)
{
    struct match_vrec rec;
    if (match_vrec_build(idx, v, &rec)) {
        match_result_reset(r, MATCH_TARGET_WORKERS);
        return -1;
    }
    if (workers_range(idx, &rec, q, 0, SIZE_MAX, r))
        return -1;
    workers_finish(idx, &rec, q, r);
    return 0;
}

int match_query_workers_by_id(const struct match_index *idx, int64_t vacancy_id,
                              const struct match_query *q, struct match_result *r)
{
    uint32_t s = match_vacancy_slot(idx, vacancy_id);
    if (s == MATCH_SLOT_NONE) {
        match_result_reset(r, MATCH_TARGET_WORKERS);
        return -1;
    }
    if (workers_range(idx, &idx->v_rec[s], q, 0, SIZE_MAX, r))
        return -1;
    workers_finish(idx, &idx->v_rec[s], q, r);
    return 0;
}
