/*
 * match_vscan: the vacancies for one worker, best first
 * (match_query_vacancies and the ad hoc query).  See match_scan.h.
 */
#include "match_int.h"
#include "match_scan.h"

#include <stdlib.h>

struct vscan {
    struct match_ctx c;
    const struct match_wv *w;
    bool adhoc;
    uint64_t wrel[MATCH_PLANES]; /* skills held and related to them */
    uint64_t counties[4];
    bool tiers;
    uint8_t rules[MATCH_KIND_COUNT]; /* 1: no double post, 2: residents only, 4: one a household */
    /* by kind: the worker's priority points, less the kind points its wishes lose */
    float prio[MATCH_KIND_COUNT];
    /* largest chord^2 of each tier by [kind][accommodation, transport] */
    float lim2[MATCH_KIND_COUNT][4][MATCH_TIERS - 1];
    /* the cut for the page's floor: largest chord^2 by [kind][acc., transport][relevant] */
    int32_t cut_floor;
    float cut2[MATCH_KIND_COUNT][4][2];
    float rmax[MATCH_KIND_COUNT]; /* largest effective radius by kind */
};

/* Effective radius of a vacancy kind for the worker, [accommodation, transport] = f. */
static float vscan_radius(const struct vscan *s, int kind, unsigned f)
{
    const struct match_kind_weights *kw = &s->c.weights->kind[kind];
    float r = s->w->commute < 1 ? 1.0f : (float)s->w->commute;
    float reff = f & 1 ? r * kw->transport_factor : r;
    return (f & 2) && kw->accommodation_km > reff ? kw->accommodation_km : reff;
}

/*
 * The cut for a page floor (hundredths): with the page full, the largest
 * chord (squared, stored units) at which a vacancy of each kind can still
 * reach the floor, given the worker's priority and a skill part of 1 (or 0
 * without a relevant skill).  INFINITY: no cut; negative: none can.
 */
static void vscan_cut(struct vscan *s, int32_t floor)
{
    if (floor == s->cut_floor)
        return;
    s->cut_floor = floor;
    const float need = (float)(floor - 1) / 100.0f;
    const bool willing = s->w->flags & (MATCH_W_WILLING_COUNTY | MATCH_W_WILLING_PROVINCE);
    for (int k = 0; k < MATCH_KIND_COUNT; k++) {
        const float *pts = s->c.pts[k];
        float ps = pts[MATCH_PART_SKILL], pd = pts[MATCH_PART_DISTANCE];
        float rest = 100.0f - ps - pd - pts[MATCH_PART_PRIORITY] + s->prio[k];
        for (unsigned f = 0; f < 4; f++)
            for (unsigned rel = 0; rel < 2; rel++) {
                float base = (rel ? ps : 0) + rest, cut;
                if (floor < 0)
                    cut = INFINITY;
                else if (k == MATCH_KIND_LABOR_EXPORT || pd <= 0)
                    cut = base + (willing && k == MATCH_KIND_LABOR_EXPORT ? pd : 0) >= need
                              ? INFINITY
                              : -1.0f;
                else {
                    float kk = match_cut_k((need - base) / pd), lim = vscan_radius(s, k, f) * kk;
                    cut = kk < 0 ? -1.0f : lim * lim;
                }
                s->cut2[k][f][rel] = cut;
            }
    }
}

static void vscan_init(struct vscan *s, const struct match_index *idx, const struct match_wv *w,
                       bool adhoc, const struct match_query *q)
{
    memset(s, 0, sizeof *s);
    match_ctx_init(&s->c, idx, q);
    s->c.target = MATCH_TARGET_VACANCIES;
    s->w = w;
    s->adhoc = adhoc;
    for (int p = 0; p < MATCH_PLANES; p++)
        s->wrel[p] = w->skill[p];
    for (unsigned t = 1; t <= MATCH_MAX_SKILL; t++)
        if ((w->skill[t >> 6] >> (t & 63)) & 1)
            for (int p = 0; p < MATCH_PLANES; p++)
                s->wrel[p] |= idx->related[t][p];
    s->tiers = !q->facets;
    for (int k = 0; k < MATCH_KIND_COUNT; k++)
        s->rules[k] = (uint8_t)((s->c.weights->kind[k].no_double_post ? 1 : 0) |
                                (s->c.weights->kind[k].residents_only ? 2 : 0) |
                                (s->c.weights->kind[k].one_per_household ? 4 : 0));
    for (int k = 0; k < MATCH_KIND_COUNT; k++) {
        const struct match_vrec shape = {.kind = (uint8_t)k};
        s->prio[k] = s->c.pts[k][MATCH_PART_PRIORITY] *
                         match_part_priority(&s->c.weights->kind[k], w->flags & MATCH_W_RELOCATED,
                                             (w->hflags >> MATCH_H_MON_SHIFT) & 3,
                                             w->hflags & MATCH_H_ZERO) -
                     s->c.pts[k][MATCH_PART_KIND] * (1.0f - match_part_kind(&shape, w->kinds));
    }
    for (int k = 0; k < MATCH_KIND_COUNT; k++)
        for (unsigned f = 0; f < 4; f++) {
            float reff = vscan_radius(s, k, f);
            for (unsigned t = 0; t < MATCH_TIERS - 1; t++) {
                float lim = reff * match_tier_k(t);
                s->lim2[k][f][t] = lim * lim;
            }
            s->rmax[k] = reff > s->rmax[k] ? reff : s->rmax[k];
        }
    s->cut_floor = INT32_MIN;
    vscan_cut(s, -1);
    match_county_mask(idx, q, s->counties);
}

/* Masks of one block of 64 vacancy slots, in the order filters are charged. */
struct vgate {
    uint64_t live, open, notfull, must, cert, avail, age, hpost, post, resident, rel;
    uint64_t cut; /* within the cut (all ones while the page has room) */
    uint64_t near[MATCH_TIERS - 1];
};

/* Squared chord (stored units) from the worker to vacancy slot v. */
static float vscan_chord2(const struct vscan *s, size_t v)
{
    const struct match_index *idx = s->c.idx;
    const int16_t *q = s->w->q;
    float dx = (float)(q[0] - idx->v_q[0][v]), dy = (float)(q[1] - idx->v_q[1][v]);
    float dz = (float)(q[2] - idx->v_q[2][v]);
    return dx * dx + dy * dy + dz * dz;
}

/* Distance tiers of one vacancy (see match_tier_radii); labour export by willingness. */
static void vscan_tier(const struct vscan *s, size_t v, unsigned i, float c2, struct vgate *o)
{
    const struct match_index *idx = s->c.idx;
    unsigned kind = idx->v_kind[v], g = idx->v_gate[v];
    if (kind == MATCH_KIND_LABOR_EXPORT) {
        bool willing = s->w->flags & (MATCH_W_WILLING_COUNTY | MATCH_W_WILLING_PROVINCE);
        for (unsigned t = 0; t < MATCH_TIERS - 1; t++)
            o->near[t] |= (uint64_t)willing << i;
        return;
    }
    const float *lim2 =
        s->lim2[kind][(g & MATCH_V_TRANSPORT ? 1u : 0) | (g & MATCH_V_ACCOM ? 2u : 0)];
    for (unsigned t = 0; t < MATCH_TIERS - 1; t++)
        o->near[t] |= (uint64_t)(c2 <= lim2[t]) << i;
}

/* The vacancy-side tests, branch-free, for all 64 slots. */
static void vscan_gate_cheap(const struct vscan *s, size_t base, struct vgate *o)
{
    const struct match_index *idx = s->c.idx;
    const struct match_wv *w = s->w;
    const uint64_t held0 = w->skill[0], certs = w->certs, rel0 = s->wrel[0];
    uint64_t live = 0, open = 0, notfull = 0, must = 0, cert = 0, far = 0;
    memset(o, 0, sizeof *o);
    for (unsigned i = 0; i < MATCH_BLOCK; i++) { /* locals: o could alias the columns */
        size_t v = base + i;
        unsigned g = idx->v_gate[v];
        live |= (uint64_t)(g & MATCH_V_LIVE) << i;
        open |= (uint64_t)((g & MATCH_V_OPEN) != 0) << i;
        notfull |= (uint64_t)((g & MATCH_V_NOT_FULL) != 0) << i;
        must |= (uint64_t)((idx->v_must0[v] & ~held0) == 0) << i;
        cert |= (uint64_t)((idx->v_cert_must[v] & ~certs) == 0) << i;
    }
    if (s->cut_floor >= 0) /* the page is full: who is too far to reach it (branch-free) */
        for (unsigned i = 0; i < MATCH_BLOCK; i++) {
            size_t v = base + i;
            unsigned g = idx->v_gate[v];
            uint64_t req = idx->v_req0[v];
            bool rel = (req & rel0) || (g & MATCH_V_REQ_HI) || !req;
            unsigned f = (g & MATCH_V_TRANSPORT ? 1u : 0) | (g & MATCH_V_ACCOM ? 2u : 0);
            far |= (uint64_t)(vscan_chord2(s, v) > s->cut2[idx->v_kind[v]][f][rel]) << i;
        }
    o->live = live, o->open = open, o->notfull = notfull, o->must = must, o->cert = cert;
    o->cut = ~far;
    for (uint64_t hi = o->live & o->must; hi; hi &= hi - 1) { /* rare: skill ids >= 64 */
        unsigned i = (unsigned)__builtin_ctzll(hi);
        if (idx->v_gate[base + i] & MATCH_V_MUST_HI)
            for (int p = 1; p < MATCH_PLANES; p++)
                if (idx->v_rec[base + i].must[p] & ~w->skill[p])
                    o->must &= ~(1ull << i);
    }
}

/* The tests that depend on the worker too, for the vacancies still in (a). */
static void vscan_gate_rest(const struct vscan *s, size_t base, uint64_t a, struct vgate *o)
{
    const struct match_index *idx = s->c.idx;
    const struct match_wv *w = s->w;
    const int32_t today = s->c.q->today, today_ymd = s->c.today_ymd;
    const uint64_t rel0 = s->wrel[0];
    const bool held_post = w->flags & (MATCH_W_HOLDS_PUBLIC_WELFARE | MATCH_W_HOLDS_FOREST_RANGER);
    const bool local = w->flags & (MATCH_W_RELOCATED | MATCH_W_LOCAL_RESIDENT);
    const bool house_post = w->hflags & MATCH_H_HOLDS_POST;
    for (; a; a &= a - 1) {
        unsigned i = (unsigned)__builtin_ctzll(a);
        size_t v = base + i;
        unsigned g = idx->v_gate[v], kind = idx->v_kind[v];
        uint64_t req = idx->v_req0[v];
        bool rel = (req & rel0) || (g & MATCH_V_REQ_HI) || !req;
        float c2 = vscan_chord2(s, v);
        int32_t start = idx->v_start[v];
        bool later = start != MATCH_NO_DAY && start > today;
        int32_t day = later ? start : today, ymd = later ? idx->v_start_ymd[v] : today_ymd;
        unsigned lo = idx->v_age[2 * v], hi = idx->v_age[2 * v + 1];
        bool age = lo <= hi && w->birth_ymd > ymd - (int32_t)(hi + 1) * 10000 &&
                   w->birth_ymd <= ymd - (int32_t)lo * 10000;
        bool resident = local && idx->v_county[v] == w->county;
        o->post |= (uint64_t) !((s->rules[kind] & 1) && held_post) << i;
        o->hpost |= (uint64_t) !((s->rules[kind] & 4) && house_post) << i;
        o->resident |= (uint64_t) !((s->rules[kind] & 2) && !resident) << i;
        o->avail |= (uint64_t)(w->avail == MATCH_NO_DAY || w->avail <= day) << i;
        o->age |= (uint64_t)age << i;
        o->rel |= (uint64_t)rel << i;
        if (s->tiers)
            vscan_tier(s, v, i, c2, o);
    }
}

static enum match_filter vscan_hard(const struct vscan *s, const struct match_vrec *v)
{
    const struct match_wv *w = s->w;
    const struct match_kind_weights *kw = &s->c.weights->kind[v->kind];
    for (unsigned j = 0; j < v->n_skills; j++) {
        if (!((v->must_bits >> j) & 1))
            continue;
        unsigned have = match_level_of(w->skill, w->levels, v->skill[j]);
        if (have + kw->must_level_slack < v->min_level[j])
            return MATCH_F_SKILL_LEVEL;
    }
    if (v->cert_must) {
        int32_t day = match_eff_day(v->start, s->c.q->today);
        if (v->cert_must & ~match_certs_valid(w->certs, w->cexp, w->cexp_id, day))
            return MATCH_F_CERT_EXPIRED;
    }
    return MATCH_F_NONE;
}

static uint32_t vscan_query_fails(const struct vscan *s, const struct match_vrec *v, float km)
{
    const struct match_query *q = s->c.q;
    uint32_t fm = 0;
    unsigned c = v->county;
    if (q->n_counties && !((s->counties[c >> 6] >> (c & 63)) & 1))
        fm |= 1u << MATCH_F_COUNTY;
    if (q->kinds && !((q->kinds >> v->kind) & 1))
        fm |= 1u << MATCH_F_KIND;
    if ((q->wage_min || q->wage_max) &&
        (v->wage_lo < q->wage_min || (q->wage_max && v->wage_lo > q->wage_max) ||
         v->period == MATCH_WAGE_PIECE))
        fm |= 1u << MATCH_F_WAGE;
    if (q->max_km > 0 && km > q->max_km)
        fm |= 1u << MATCH_F_DISTANCE;
    return fm;
}

static int32_t vscan_score(const struct vscan *s, const struct match_vrec *v, float km, int32_t thr,
                           int32_t *bound)
{
    const struct match_wv *w = s->w;
    const struct match_kind_weights *kw = &s->c.weights->kind[v->kind];
    const float *pts = s->c.pts[v->kind];
    float part[MATCH_PART_COUNT], r;
    part[MATCH_PART_SKILL] = match_part_skill(s->c.idx, kw, v, w->skill, w->levels, NULL);
    float acc = pts[MATCH_PART_SKILL] * part[MATCH_PART_SKILL];
    if ((*bound = match_bound_int(acc + 100.0f - pts[MATCH_PART_SKILL])) < thr)
        return -1;
    part[MATCH_PART_DISTANCE] = match_part_distance(kw, v, km, w->commute, w->flags, &r);
    acc += pts[MATCH_PART_DISTANCE] * part[MATCH_PART_DISTANCE];
    if ((*bound = match_bound_int(acc + 100.0f - pts[MATCH_PART_SKILL] -
                                  pts[MATCH_PART_DISTANCE])) < thr)
        return -1;
    int32_t day = match_eff_day(v->start, s->c.q->today);
    part[MATCH_PART_CERT] =
        match_part_cert(v, v->cert_all ? match_certs_valid(w->certs, w->cexp, w->cexp_id, day) : 0);
    part[MATCH_PART_WAGE] = match_part_wage(v, w->wage);
    part[MATCH_PART_KIND] = match_part_kind(v, w->kinds);
    part[MATCH_PART_AVAIL] = match_part_avail(w->avail, s->c.q->today, day);
    part[MATCH_PART_PRIORITY] =
        match_part_priority(kw, w->flags & MATCH_W_RELOCATED, (w->hflags >> MATCH_H_MON_SHIFT) & 3,
                            w->hflags & MATCH_H_ZERO);
    return match_score_round(match_sum_parts(pts, part));
}

static void vscan_facets(struct match_result *r, const struct match_vrec *v, float km,
                         uint32_t dims)
{
    struct match_facets *f = &r->facets;
    if (dims & (1u << MATCH_F_COUNTY))
        f->county_by_slot[v->county]++;
    if (dims & (1u << MATCH_F_KIND))
        f->kind[v->kind]++;
    if (dims & (1u << MATCH_F_WAGE))
        f->wage_band[match_wage_band(v, v->wage_lo)]++;
    if (dims & (1u << MATCH_F_DISTANCE))
        f->dist_band[match_dist_band(km)]++;
}

/*
 * Best possible score of a vacancy from its hot columns (no record read):
 * the skill part from the skill bits, the distance part exactly (labour
 * export: willing to go anywhere), the wage part from the 16-bit wages
 * (wages above 65535 count as meeting any floor), the worker's priority for
 * its kind.
 */
static int32_t vscan_entry_bound(const struct vscan *s, const struct match_vbound *e, unsigned g,
                                 unsigned kind)
{
    const struct match_wv *w = s->w;
    const struct match_kind_weights *kw = &s->c.weights->kind[kind];
    const float *pts = s->c.pts[kind];
    uint64_t req = e->req0;
    float skill = 1.0f;
    if (req && !(g & MATCH_V_REQ_HI) && (req & w->skill[0]) != req)
        skill = (req & s->wrel[0]) ? 1.0f - e->light * (1.0f - kw->related_credit) : 0.0f;
    float dist;
    if (kind == MATCH_KIND_LABOR_EXPORT) {
        dist = w->flags & (MATCH_W_WILLING_COUNTY | MATCH_W_WILLING_PROVINCE) ? 1.0f : 0.0f;
    } else {
        const int16_t *vq = e->q;
        float km = match_km_from_chord2(match_chord2(w->q, vq));
        float radius;
        dist = match_part_distance_near(kw, (g & MATCH_V_TRANSPORT) != 0, (g & MATCH_V_ACCOM) != 0,
                                        km, w->commute, w->flags, &radius);
    }
    uint32_t floor = w->wage < UINT16_MAX ? w->wage : UINT16_MAX;
    float wage = !floor || e->wage_lo >= floor ? 1.0f : e->wage_hi >= floor ? 0.7f : 0.5f;
    return match_bound_int(pts[MATCH_PART_SKILL] * skill + pts[MATCH_PART_DISTANCE] * dist +
                           pts[MATCH_PART_WAGE] * wage + s->prio[kind] + 100.0f -
                           pts[MATCH_PART_SKILL] - pts[MATCH_PART_DISTANCE] - pts[MATCH_PART_WAGE] -
                           pts[MATCH_PART_PRIORITY]);
}

/* The record of a vacancy that passed every hot test, against the page's floor. */
static int32_t vscan_hot_bound(const struct vscan *s, uint32_t v)
{
    const struct match_index *idx = s->c.idx;
    const struct match_vbound e = {.req0 = idx->v_req0[v],
                                   .light = idx->v_light[v],
                                   .wage_lo = UINT16_MAX, /* no wage read: any floor is met */
                                   .wage_hi = UINT16_MAX,
                                   .q = {idx->v_q[0][v], idx->v_q[1][v], idx->v_q[2][v]}};
    return vscan_entry_bound(s, &e, idx->v_gate[v], idx->v_kind[v]);
}

static void vscan_exact(const struct vscan *s, struct match_result *r, uint32_t slot, int32_t floor)
{
    const struct match_query *q = s->c.q;
    const struct match_vrec *v = &s->c.idx->v_rec[slot];
    enum match_filter hf = vscan_hard(s, v);
    if (hf) {
        r->removed[hf]++;
        return;
    }
    const struct match_wv *w = s->w;
    float km = match_km_from_chord2(match_chord2(w->q, v->q));
    uint32_t fm = vscan_query_fails(s, v, km);
    if (fm && (!q->facets || (fm & (fm - 1)))) {
        r->removed[__builtin_ctz(fm)]++;
        return;
    }
    int32_t thr = floor > q->min_score && !fm ? floor : q->min_score, bound;
    int32_t score = vscan_score(s, v, km, thr, &bound);
    if (fm) {
        if (score >= q->min_score)
            vscan_facets(r, v, km, fm);
        r->removed[__builtin_ctz(fm)]++;
        return;
    }
    if (score < q->min_score) { /* also when pruned (score -1) */
        below(r, q, score < 0 ? bound : score);
        return;
    }
    r->candidates++;
    if (q->facets)
        vscan_facets(r, v, km, FACET_DIMS);
    if (after_cursor(q, score, v->id))
        heap_offer(r, q->k, score, v->id, slot);
}

static void vscan_slot(const struct vscan *s, struct match_result *r, uint32_t slot, int32_t floor)
{
    if (floor >= 0 && vscan_hot_bound(s, slot) < floor) {
        pruned(r);
        return;
    }
    vscan_exact(s, r, slot, floor);
}

/* Gate and charge one block of vacancies; returns the survivors. */
static uint64_t vscan_charge(struct vscan *s, struct match_result *r, size_t base, uint64_t *rel,
                             uint64_t near[MATCH_TIERS - 1])
{
    const struct match_query *q = s->c.q;
    struct vgate o;
    vscan_cut(s, q->facets ? -1 : heap_floor(r, q->k));
    vscan_gate_cheap(s, base, &o);
    uint64_t a = o.live;
    r->scanned += match_popcount(a);
    a = charge(r, MATCH_F_VACANCY_CLOSED, a, o.open);
    a = charge(r, MATCH_F_VACANCY_FULL, a, o.notfull);
    a = charge(r, MATCH_F_MUST_SKILL, a, o.must);
    a = charge(r, MATCH_F_MUST_CERT, a, o.cert);
    a = charge(r, MATCH_F_NOT_SEEKING, a, s->adhoc || (s->w->flags & MATCH_W_SEEKING) ? ~0ull : 0);
    if (q->broker && !s->adhoc)
        a = charge(r, MATCH_F_NO_CONSENT, a, (s->w->flags & MATCH_W_CONSENT_BROKERS) ? ~0ull : 0);
    if (a & ~o.cut) {
        pruned(r);
        a &= o.cut;
    }
    vscan_gate_rest(s, base, a, &o);
    a = charge(r, MATCH_F_NOT_AVAILABLE, a, o.avail);
    a = charge(r, MATCH_F_AGE, a, o.age);
    a = charge(r, MATCH_F_HOUSEHOLD_POST, a, o.hpost);
    a = charge(r, MATCH_F_DOUBLE_POST, a, o.post);
    a = charge(r, MATCH_F_NOT_RESIDENT, a, o.resident);
    *rel = o.rel;
    memcpy(near, o.near, sizeof o.near);
    return a;
}

/* Survivors of tier t in mask m that can still reach the page. */
static uint64_t vscan_open(const struct vscan *s, size_t base, uint64_t m, uint64_t rel, unsigned t,
                           int32_t floor)
{
    bool open[MATCH_KIND_COUNT][2];
    for (int k = 0; k < MATCH_KIND_COUNT; k++)
        tier_open(s->c.pts[k], false, t, s->prio[k], floor, open[k]);
    uint64_t keep = 0;
    for (uint64_t x = m; x; x &= x - 1) {
        unsigned i = (unsigned)__builtin_ctzll(x);
        keep |= (uint64_t)open[s->c.idx->v_kind[base + i]][(rel >> i) & 1] << i;
    }
    return keep;
}

static void vscan_chunk(struct vscan *s, struct match_result *r, struct chunk *c)
{
    const struct match_query *q = s->c.q;
    for (size_t b = 0; b < c->n; b++)
        c->surv[b] = vscan_charge(s, r, c->base + b * MATCH_BLOCK, &c->rel[b], c->near[b]);
    for (unsigned t = 0; t < MATCH_TIERS; t++)
        for (size_t b = 0; b < c->n; b++) {
            size_t base = c->base + b * MATCH_BLOCK;
            uint64_t m = c->surv[b] & tier_mask(c->near[b], t);
            int32_t floor = q->facets ? -1 : heap_floor(r, q->k);
            uint64_t keep = m && floor >= 0 ? vscan_open(s, base, m, c->rel[b], t, floor) : m;
            if (keep != m) {
                r->more = true;
                r->counts_exact = false;
            }
            for (; keep; keep &= keep - 1)
                vscan_slot(s, r, (uint32_t)(base + (unsigned)__builtin_ctzll(keep)),
                           q->facets ? -1 : heap_floor(r, q->k));
        }
}

/* ---- the pruned scan: buckets of one county and kind, best bound first ---- */

/* Key skill classes (see struct match_vbucket) where the worker holds a skill, or only a related
 * one. */
struct vkeys {
    uint64_t held, rel;
};

static void vscan_keys(const struct vscan *s, struct vkeys *k)
{
    const struct match_index *idx = s->c.idx;
    const uint64_t *sk = s->w->skill;
    k->held = k->rel = 0;
    for (unsigned t = 1; t <= MATCH_MAX_SKILL; t++) {
        uint64_t bit = 1ull << (t % 64);
        if ((sk[t >> 6] >> (t & 63)) & 1)
            k->held |= bit;
        else if ((idx->related[t][0] & sk[0]) | (idx->related[t][1] & sk[1]) |
                 (idx->related[t][2] & sk[2]) | (idx->related[t][3] & sk[3]))
            k->rel |= bit;
    }
}

/* The most a list can give of the skill part: keys are its scored classes
 * (below MATCH_VKEY_DEAD), must its must-have classes (bit s: skill s), hmin
 * the smallest key share of its members. */
static float vscan_key_factor(const struct vscan *s, const struct vkeys *k, unsigned kind,
                              uint64_t keys, uint64_t must, float hmin)
{
    if ((keys & k->held) || (must & s->w->skill[0]))
        return 1.0f;
    float credit = keys & k->rel ? s->c.weights->kind[kind].related_credit : 0.0f;
    return 1.0f - hmin * (1.0f - credit);
}

/*
 * The best score any vacancy of bucket b (of kind `kind`) can give the
 * worker, less the skill part (points): the distance part at the nearest
 * point of the members' box with the largest effective radius of the kind,
 * the worker's priority for the kind and full marks for the rest.
 * -INFINITY when the query's county or kind filter removes every member.
 */
static float vscan_bucket_base(const struct vscan *s, const struct match_vbucket *b,
                               unsigned county, unsigned kind)
{
    const struct match_query *q = s->c.q;
    const struct match_wv *w = s->w;
    if ((q->n_counties && !((s->counties[county >> 6] >> (county & 63)) & 1)) ||
        (q->kinds && !((q->kinds >> kind) & 1)))
        return -INFINITY;
    const float *pts = s->c.pts[kind];
    float dist;
    if (kind == MATCH_KIND_LABOR_EXPORT) {
        dist = w->flags & (MATCH_W_WILLING_COUNTY | MATCH_W_WILLING_PROVINCE) ? 1.0f : 0.0f;
    } else {
        float c2 = 0;
        for (int i = 0; i < 3; i++) {
            int32_t x = w->q[i], d = x < b->lo[i] ? b->lo[i] - x : x > b->hi[i] ? x - b->hi[i] : 0;
            c2 += (float)d * (float)d;
        }
        float km = match_km_from_chord2(c2 * (1.0f / (MATCH_Q * MATCH_Q))) * 0.999f;
        float r = s->rmax[kind];
        dist = match_dist_curve(km, r);
    }
    return pts[MATCH_PART_DISTANCE] * dist + s->prio[kind] + 100.0f - pts[MATCH_PART_SKILL] -
           pts[MATCH_PART_DISTANCE] - pts[MATCH_PART_PRIORITY];
}

static int32_t vscan_bound_int(float pts)
{
    return pts == -INFINITY ? -1 : pts > 200.0f ? 20001 : match_bound_int(pts);
}

/*
 * The scan's work list (struct match_vheap): buckets and key classes of
 * buckets already opened, by bound: (bound + 2) << 32 | class << 11 |
 * bucket, the class with VSCAN_CLASS set.  Capacity: every bucket and some
 * thousands of classes; a class that finds the heap full is visited at once.
 */
#define VSCAN_CLASS (1ull << 18)

static uint64_t vheap_key(int32_t bound, uint64_t what)
{
    return (uint64_t)(uint32_t)(bound + 2) << 32 | what;
}

/* The worker's rule filters for a vacancy of this county and kind, as bits of enum match_filter. */
static uint32_t vscan_rule_fails(const struct vscan *s, unsigned county, unsigned kind)
{
    const struct match_wv *w = s->w;
    unsigned rules = s->rules[kind];
    uint32_t f = 0;
    if ((rules & 4) && (w->hflags & MATCH_H_HOLDS_POST))
        f |= 1u << MATCH_F_HOUSEHOLD_POST;
    if ((rules & 1) && (w->flags & (MATCH_W_HOLDS_PUBLIC_WELFARE | MATCH_W_HOLDS_FOREST_RANGER)))
        f |= 1u << MATCH_F_DOUBLE_POST;
    if ((rules & 2) &&
        !((w->flags & (MATCH_W_RELOCATED | MATCH_W_LOCAL_RESIDENT)) && county == w->county))
        f |= 1u << MATCH_F_NOT_RESIDENT;
    return f;
}

/*
 * The filter every plain member of a live class of bucket b fails first, by
 * the bucket's plain bounds: not_available when the worker is free only
 * after the latest start day, age when free now and too old at today for
 * the oldest age allowed or too young at the latest start day for the
 * youngest.  MATCH_F_NONE when some may pass.
 */
static enum match_filter vscan_plain_fails(const struct vscan *s, const struct match_vbucket *b)
{
    const int32_t today = s->c.q->today, birth = s->w->birth_ymd, avail = s->w->avail;
    bool later = b->pstart > today;
    if (avail > (later ? b->pstart : today))
        return MATCH_F_NOT_AVAILABLE;
    if (avail > today)
        return MATCH_F_NONE;
    int32_t last_ymd = later ? b->pstart_ymd : s->c.today_ymd;
    if (birth <= s->c.today_ymd - (int32_t)(b->page_hi + 1) * 10000 ||
        birth > last_ymd - (int32_t)b->page_lo * 10000)
        return MATCH_F_AGE;
    return MATCH_F_NONE;
}

/* A visit to the classes of one bucket: what its members share. */
struct vvisit {
    const struct match_vbucket *b;
    unsigned bi, kind;
    uint32_t rules;          /* vscan_rule_fails */
    enum match_filter plain; /* vscan_plain_fails */
    uint32_t *tally;         /* members removed, by first failing filter (the caller adds them),
                                then four slots for those that pass */
};

static void vscan_visit(const struct vscan *s, unsigned bi, uint32_t *tally, struct vvisit *v)
{
    v->b = &s->c.idx->v_bucket[bi];
    v->bi = bi;
    v->kind = bi % MATCH_KIND_COUNT;
    v->rules = vscan_rule_fails(s, bi / MATCH_KIND_COUNT, v->kind);
    v->plain = vscan_plain_fails(s, v->b);
    v->tally = tally;
}

/*
 * Members of a bucket that passed the filters (positions pass[0..n)): their
 * bounds first, against the page's floor as it is, the records of those
 * that may reach it fetched while the others are bounded, then the exact
 * score of each whose bound still reaches the floor.
 */
static void vscan_survivors(const struct vscan *s, struct match_result *r, const struct vvisit *v,
                            const uint32_t *pass, uint32_t n)
{
    const struct match_vbucket *b = v->b;
    const struct match_vrec *rec = s->c.idx->v_rec;
    uint32_t keep[64], m = 0;
    int32_t bound[64], floor = heap_floor(r, s->c.q->k);
    for (uint32_t j = 0; j < n; j++) {
        uint32_t i = pass[j];
        bound[m] = floor < 0 ? INT32_MAX : vscan_entry_bound(s, &b->x[i], b->e[i].gate, v->kind);
        if (bound[m] < floor) {
            pruned(r);
            continue;
        }
        const char *p = (const char *)&rec[b->e[i].slot];
        for (size_t at = 0; at < sizeof *rec; at += 64)
            __builtin_prefetch(p + at);
        keep[m++] = i;
    }
    for (uint32_t j = 0; j < m; j++) {
        floor = heap_floor(r, s->c.q->k);
        if (floor >= 0 && bound[j] == INT32_MAX) /* the page filled meanwhile */
            bound[j] = vscan_entry_bound(s, &b->x[keep[j]], b->e[keep[j]].gate, v->kind);
        if (floor >= 0 && bound[j] < floor) {
            pruned(r);
            continue;
        }
        vscan_exact(s, r, b->e[keep[j]].slot, floor);
    }
}

/*
 * Members [i0, end) of a bucket, 64 at a time: the filters up to
 * not_resident without branches (each member's failures as bits, the first
 * tallied, the members that pass listed), then the bound and the exact
 * score for those listed.
 */
static void vscan_members(const struct vscan *s, struct match_result *r, const struct vvisit *v,
                          uint32_t i0, uint32_t end)
{
    const struct match_vbucket *b = v->b;
    const struct match_wv *w = s->w;
    const uint32_t rules = v->rules;
    const int32_t today = s->c.q->today, today_ymd = s->c.today_ymd, birth = w->birth_ymd;
    const int32_t avail = w->avail; /* MATCH_NO_DAY is INT32_MIN: never after a day */
    const uint64_t held0 = w->skill[0], certs = w->certs;
    uint32_t *tally = v->tally, pass[64];
    for (; i0 < end; i0 += 64) {
        uint32_t n = 0, stop = end - i0 < 64 ? end : i0 + 64;
        for (uint32_t i = i0; i < stop; i++) {
            const struct match_ventry *e = &b->e[i];
            unsigned g = e->gate;
            bool later = e->start > today;
            int32_t day = later ? e->start : today, ymd = later ? e->start_ymd : today_ymd;
            bool age = (e->age_lo <= e->age_hi) & (birth > ymd - (int32_t)(e->age_hi + 1) * 10000) &
                       (birth <= ymd - (int32_t)e->age_lo * 10000);
            uint32_t f = rules | (uint32_t) !(g & MATCH_V_OPEN) << MATCH_F_VACANCY_CLOSED |
                         (uint32_t) !(g & MATCH_V_NOT_FULL) << MATCH_F_VACANCY_FULL |
                         (uint32_t)((e->must0 & ~held0) != 0) << MATCH_F_MUST_SKILL |
                         (uint32_t)((e->cert_must & ~certs) != 0) << MATCH_F_MUST_CERT |
                         (uint32_t)(avail > day) << MATCH_F_NOT_AVAILABLE |
                         (uint32_t)!age << MATCH_F_AGE;
            if (g & MATCH_V_MUST_HI) {
                const uint64_t *must = s->c.idx->v_rec[e->slot].must;
                if ((must[1] & ~w->skill[1]) | (must[2] & ~w->skill[2]) | (must[3] & ~w->skill[3]))
                    f |= 1u << MATCH_F_MUST_SKILL;
            }
            /* those that pass go to a sink of four slots in turn: one
             * counter incremented member after member waits on itself */
            tally[f ? (unsigned)__builtin_ctz(f) : MATCH_F_COUNT + (i & 3)]++;
            pass[n] = i;
            n += !f;
        }
        vscan_survivors(s, r, v, pass, n);
    }
}

/* Part p of class key: the dead class, and plain parts when
 * vscan_plain_fails knows their fate, are charged as a whole. */
static void vscan_part(const struct vscan *s, struct match_result *r, const struct vvisit *v,
                       unsigned p, unsigned key)
{
    const struct match_vbucket *b = v->b;
    unsigned c = p * MATCH_VKEYS + key;
    uint32_t first = b->off[c], end = b->off[c + 1];
    if (key == MATCH_VKEY_DEAD)
        v->tally[p ? MATCH_F_VACANCY_FULL : MATCH_F_VACANCY_CLOSED] += end - first;
    else if (!p && v->plain)
        v->tally[v->plain] += end - first;
    else
        vscan_members(s, r, v, first, end);
}

/* Every member of key class `key`, both parts. */
static void vscan_class(const struct vscan *s, struct match_result *r, const struct vvisit *v,
                        unsigned key)
{
    vscan_part(s, r, v, 0, key);
    vscan_part(s, r, v, 1, key);
}

/*
 * Part p of every class of a bucket, while the page has room: the classes
 * without a must-have skill (keys below MATCH_VKEY_DEAD, one run) read at
 * once, the dead class charged as a whole, the must-have classes of skills
 * the worker holds read one by one and the others charged as a whole.
 */
static void vscan_whole_part(const struct vscan *s, struct match_result *r, const struct vvisit *v,
                             unsigned p)
{
    const struct match_vbucket *b = v->b;
    const uint32_t *off = b->off + p * MATCH_VKEYS, *run = b->run[p];
    if (!p && v->plain) {
        v->tally[v->plain] += run[1] - run[0];
    } else if (p && v->plain && !b->cert_over) {
        for (unsigned i = 0; i < b->n_certs; i++)
            v->tally[b->cert[i] & ~s->w->certs ? MATCH_F_MUST_CERT : v->plain] += b->cert_n[i];
    } else {
        vscan_members(s, r, v, run[0], run[1]);
    }
    v->tally[p ? MATCH_F_VACANCY_FULL : MATCH_F_VACANCY_CLOSED] += run[2] - run[1];
    uint32_t lacked = run[3] - run[2];
    for (uint64_t held = b->keys[1] & s->w->skill[0]; held; held &= held - 1) {
        unsigned key = MATCH_VKEY_DEAD + (unsigned)__builtin_ctzll(held);
        lacked -= off[key + 1] - off[key];
        vscan_part(s, r, v, p, key);
    }
    v->tally[MATCH_F_MUST_SKILL] += lacked;
}

/* Opens bucket bi.  While the page has room every member is visited at
 * once, in memory order.  Then, when no class whose key skill the worker
 * lacks can reach the page, only the classes of skills held join the work
 * list; otherwise a must-have class whose skill the worker lacks is charged
 * at once, and the other classes join the work list by their own bounds. */
static void vscan_open_bucket(const struct vscan *s, struct match_result *r, const struct vkeys *k,
                              struct match_vheap *q, unsigned bi, uint32_t *tally)
{
    struct vvisit v;
    vscan_visit(s, bi, tally, &v);
    const struct match_vbucket *b = v.b;
    int32_t floor = heap_floor(r, s->c.q->k);
    if (floor < 0) {
        vscan_whole_part(s, r, &v, 0);
        vscan_whole_part(s, r, &v, 1);
        return;
    }
    unsigned kind = v.kind;
    float base = vscan_bucket_base(s, b, bi / MATCH_KIND_COUNT, kind);
    float ps = s->c.pts[kind][MATCH_PART_SKILL];
    const uint64_t held0 = s->w->skill[0];
    uint64_t keys[2] = {b->keys[0], b->keys[1]};
    float lack = vscan_key_factor(s, k, kind, keys[0] & ~k->held, 0, b->hmin_all);
    if (vscan_bound_int(base + ps * lack) < floor) {
        keys[0] &= k->held;
        keys[1] &= held0;
        pruned(r);
    }
    for (unsigned half = 0; half < 2; half++)
        for (; keys[half]; keys[half] &= keys[half] - 1) {
            unsigned bit = (unsigned)__builtin_ctzll(keys[half]), key = half * 64 + bit;
            if (half && key != MATCH_VKEY_DEAD && !((held0 >> bit) & 1)) {
                tally[MATCH_F_MUST_SKILL] += b->off[key + 1] - b->off[key] +
                                             b->off[MATCH_VKEYS + key + 1] -
                                             b->off[MATCH_VKEYS + key];
                continue;
            }
            if (key == MATCH_VKEY_DEAD || q->n == MATCH_VHEAP) {
                vscan_class(s, r, &v, key);
                continue;
            }
            float f = half ? 1.0f : vscan_key_factor(s, k, kind, 1ull << bit, 0, b->hmin[key]);
            match_vheap_push(q, vheap_key(vscan_bound_int(base + ps * f),
                                          VSCAN_CLASS | (uint64_t)key << 11 | bi));
        }
}

/* The work list of vscan_buckets: every bucket with members, by its bound. */
static void vscan_heap_buckets(const struct vscan *s, const struct vkeys *k, struct match_vheap *q)
{
    const struct match_index *idx = s->c.idx;
    q->n = 0;
    for (unsigned c = 0; c <= idx->n_counties; c++)
        for (unsigned kind = 0; kind < MATCH_KIND_COUNT; kind++) {
            unsigned bi = match_vbucket_of(c, kind);
            const struct match_vbucket *b = &idx->v_bucket[bi];
            if (!b->n)
                continue;
            float f = vscan_key_factor(s, k, kind, b->keys[0], b->keys[1], b->hmin_all);
            float best = vscan_bucket_base(s, b, c, kind) + s->c.pts[kind][MATCH_PART_SKILL] * f;
            q->h[q->n++] = vheap_key(vscan_bound_int(best), bi);
        }
    for (uint32_t i = q->n / 2; i-- > 0;)
        match_vheap_down(q, i);
}

/*
 * Buckets, then their key classes, best bound first, until the page is full
 * and the best bound left is below its floor.  For a worker who passes the
 * worker-side filters (seeking, consent) and a query without facets.
 */
static void vscan_buckets(const struct vscan *s, struct match_result *r)
{
    _Static_assert(MATCH_VBUCKETS < 2048 && MATCH_VBUCKETS < MATCH_VHEAP, "bucket in 11 bits");
    _Static_assert(MATCH_VKEYS <= 128, "class in 7 bits");
    struct match_vheap q;
    struct vkeys k;
    uint32_t tally[MATCH_F_COUNT + 4] = {0}; /* + a sink for those that pass (vscan_members) */
    vscan_keys(s, &k);
    vscan_heap_buckets(s, &k, &q);
    r->scanned += s->c.idx->v_live;
    while (q.n) {
        uint64_t top = q.h[0];
        int32_t bound = (int32_t)(top >> 32) - 2, floor = heap_floor(r, s->c.q->k);
        if (floor >= 0 && bound < floor) {
            pruned(r);
            break;
        }
        match_vheap_pop(&q);
        if (top & VSCAN_CLASS) {
            struct vvisit v;
            vscan_visit(s, top & 2047, tally, &v);
            vscan_class(s, r, &v, (top >> 11) & 127);
        } else {
            vscan_open_bucket(s, r, &k, &q, top & 2047, tally);
        }
    }
    for (unsigned f = 0; f < MATCH_F_COUNT; f++)
        r->removed[f] += tally[f];
}

static int vacancies_query(const struct match_index *idx, const struct match_wv *w, bool adhoc,
                           const struct match_query *q, struct match_result *r)
{
    match_result_reset(r, MATCH_TARGET_VACANCIES);
    if (match_query_check(q))
        return -1;
    r->has_facets = q->facets;
    struct vscan s;
    struct chunk c;
    vscan_init(&s, idx, w, adhoc, q);
    bool worker_in = adhoc || ((w->flags & MATCH_W_SEEKING) &&
                               (!q->broker || (w->flags & MATCH_W_CONSENT_BROKERS)));
    size_t end = worker_in && !q->facets
                     ? 0
                     : ((size_t)idx->v_top + MATCH_BLOCK - 1) / MATCH_BLOCK * MATCH_BLOCK;
    for (c.base = 0; c.base < end; c.base += CHUNK_BLOCKS * MATCH_BLOCK) {
        size_t left = (end - c.base) / MATCH_BLOCK;
        c.n = left < CHUNK_BLOCKS ? left : CHUNK_BLOCKS;
        vscan_chunk(&s, r, &c);
    }
    if (worker_in && !q->facets)
        vscan_buckets(&s, r);
    qsort(r->hit, r->n, sizeof r->hit[0], match_hit_order);
    for (uint32_t i = 0; i < r->n; i++) {
        struct match_pair_eval e;
        const struct match_vrec *v = &idx->v_rec[r->hit[i].ref];
        match_pair_eval(&s.c, w, v, adhoc, &e);
        match_explain_fill(&s.c, w, v, &e, &r->hit[i]);
    }
    if (r->has_facets)
        match_facets_finish(idx, r);
    return 0;
}

int match_query_vacancies(const struct match_index *idx, const struct match_worker *w,
                          const struct match_household *h, const struct match_query *q,
                          struct match_result *r)
{
    struct match_wv wv;
    if (match_wv_from_worker(idx, w, h, &wv)) {
        match_result_reset(r, MATCH_TARGET_VACANCIES);
        return -1;
    }
    wv.flags |= MATCH_W_SEEKING; /* a profile asks on behalf of someone seeking */
    return vacancies_query(idx, &wv, true, q, r);
}

int match_query_vacancies_by_id(const struct match_index *idx, int64_t worker_id,
                                const struct match_query *q, struct match_result *r)
{
    uint32_t s = match_worker_slot(idx, worker_id);
    if (s == MATCH_SLOT_NONE) {
        match_result_reset(r, MATCH_TARGET_VACANCIES);
        return -1;
    }
    struct match_wv wv;
    match_wv_load(idx, s, &wv);
    return vacancies_query(idx, &wv, false, q, r);
}
