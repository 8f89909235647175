/*
 * match_query: top-k scans.  Workers for a vacancy: the gate (match_gate.c)
 * tests 64 slots at once, survivors go through the remaining filters and a
 * staged score that stops as soon as its upper bound cannot reach the page
 * (a bounded heap of k).  Vacancies for a worker: the same order of filters
 * over the vacancy arrays.  Order: score desc, then id asc; deterministic.
 */
#include "match_int.h"

#include <stdlib.h>

/* ---- the bounded heap: hit[0] is the worst of the page ---- */

static bool worse(const struct match_hit *a, const struct match_hit *b)
{
    return a->score < b->score || (a->score == b->score && a->id > b->id);
}

static void heap_swap(struct match_hit *a, struct match_hit *b)
{
    struct match_hit t = *a;
    *a = *b;
    *b = t;
}

static void sift_down(struct match_hit *h, uint32_t n, uint32_t i)
{
    for (;;) {
        uint32_t l = 2 * i + 1, m = i;
        if (l < n && worse(&h[l], &h[m]))
            m = l;
        if (l + 1 < n && worse(&h[l + 1], &h[m]))
            m = l + 1;
        if (m == i)
            return;
        heap_swap(&h[i], &h[m]);
        i = m;
    }
}

/* Offers a result; the hit keeps only id, score and ref until finish. */
static void heap_offer(struct match_result *r, uint32_t k, int32_t score, int64_t id, uint32_t ref)
{
    struct match_hit c = {.id = id, .score = score, .ref = ref};
    if (r->n < k) {
        uint32_t i = r->n++;
        r->hit[i] = c;
        while (i && worse(&r->hit[i], &r->hit[(i - 1) / 2])) {
            heap_swap(&r->hit[i], &r->hit[(i - 1) / 2]);
            i = (i - 1) / 2;
        }
        return;
    }
    r->more = true;
    if (!worse(&r->hit[0], &c))
        return;
    r->hit[0] = c;
    sift_down(r->hit, r->n, 0);
}

/* Lowest score that can still enter (hundredths); -1 when the page has room. */
static int32_t heap_floor(const struct match_result *r, uint32_t k)
{
    return r->n < k ? -1 : r->hit[0].score;
}

static int hit_order(const void *a, const void *b)
{
    const struct match_hit *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Upper bound in hundredths of a partial sum of points (a margin for rounding). */
static int32_t bound_int(float pts)
{
    return (int32_t)(pts * 100.0f + 0.5f) + 1;
}

static bool after_cursor(const struct match_query *q, int32_t score, int64_t id)
{
    return !q->after || score < q->after_score || (score == q->after_score && id > q->after_id);
}

static void result_reset(struct match_result *r, enum match_target t)
{
    memset(r, 0, offsetof(struct match_result, facets));
    memset(&r->facets, 0, sizeof r->facets);
    r->target = t;
    r->counts_exact = true;
}

struct match_result *match_result_new(void)
{
    return calloc(1, sizeof(struct match_result));
}

void match_result_free(struct match_result *r)
{
    free(r);
}

/* Charges filter f for the records in alive that fail (pass has 0 bits). */
static uint64_t charge(struct match_result *r, enum match_filter f, uint64_t alive, uint64_t pass)
{
    r->removed[f] += match_popcount(alive & ~pass);
    return alive & pass;
}

static void county_mask(const struct match_index *idx, const struct match_query *q,
                        uint64_t mask[4])
{
    memset(mask, 0, 4 * sizeof *mask);
    for (uint32_t s = 1; s <= idx->n_counties; s++)
        for (unsigned i = 0; i < q->n_counties; i++)
            if (q->counties[i] == idx->county_code[s])
                mask[s >> 6] |= 1ull << (s & 63);
}

static void facets_finish(const struct match_index *idx, struct match_result *r)
{
    struct match_facets *f = &r->facets;
    f->n_counties = 0;
    for (uint32_t s = 1; s <= idx->n_counties; s++) /* by code: slots are in arrival order */
        if (f->county_by_slot[s]) {
            uint32_t i = f->n_counties++;
            while (i && f->county[i - 1].code > idx->county_code[s]) {
                f->county[i] = f->county[i - 1];
                i--;
            }
            f->county[i] = (struct match_county_count){idx->county_code[s], f->county_by_slot[s]};
        }
}

int match_result_merge(struct match_result *into, const struct match_result *part,
                       const struct match_query *q)
{
    if (into->target != part->target || match_query_check(q))
        return -1;
    into->scanned += part->scanned;
    into->candidates += part->candidates;
    for (int f = 0; f < MATCH_F_COUNT; f++)
        into->removed[f] += part->removed[f];
    into->more |= part->more;
    into->counts_exact &= part->counts_exact;
    into->has_facets |= part->has_facets;
    struct match_facets *a = &into->facets;
    const struct match_facets *b = &part->facets;
    for (int i = 0; i < MATCH_KIND_COUNT; i++)
        a->kind[i] += b->kind[i];
    for (int i = 0; i < MATCH_WAGE_BANDS; i++)
        a->wage_band[i] += b->wage_band[i];
    for (int i = 0; i < MATCH_DIST_BANDS; i++)
        a->dist_band[i] += b->dist_band[i];
    for (int i = 0; i <= MATCH_MAX_COUNTIES; i++)
        a->county_by_slot[i] += b->county_by_slot[i];
    for (uint32_t i = 0; i < part->n; i++)
        heap_offer(into, q->k, part->hit[i].score, part->hit[i].id, part->hit[i].ref);
    return 0;
}

/* ================= workers for one vacancy ================= */

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
static void wscan_init_place(struct wscan *s, const struct match_vrec *v,
                             const struct match_query *q)
{
    s->g.tiers = !q->facets;
    for (int i = 0; i < 3; i++)
        s->g.vq[i] = v->q[i];
    s->g.tf = v->transport ? s->kw->transport_factor : 1.0f;
    s->g.acc_km = v->accommodation ? s->kw->accommodation_km : 0.0f;
    s->open_floor = INT32_MIN;
    s->willing = v->dest_province && v->dest_province != MATCH_YUNNAN
                     ? MATCH_W_WILLING_PROVINCE
                     : MATCH_W_WILLING_COUNTY | MATCH_W_WILLING_PROVINCE;
    s->g.willing_flags = v->kind == MATCH_KIND_LABOR_EXPORT ? s->willing : 0;
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
    s->g.county = v->county;
    for (unsigned j = 0; j < v->n_skills; j++)
        for (int p = 0; p < MATCH_PLANES; p++)
            s->relu[p] |= idx->related[v->skill[j]][p];
    for (int p = 0; p < MATCH_PLANES; p++)
        s->relu[p] |= v->req[p];
    s->g.relu0 = s->relu[0];
    s->rel_hi = s->relu[1] | s->relu[2] | s->relu[3];
    s->g.req0 = v->req[1] | v->req[2] | v->req[3] ? 0 : v->req[0];
    for (unsigned j = 0; j < v->n_skills; j++)
        s->level_check |=
            ((v->must_bits >> j) & 1) && v->min_level[j] > 1 + s->kw->must_level_slack;
    wscan_init_place(s, v, q);
    county_mask(idx, q, s->counties);
}

/*
 * The cut for the page's floor (hundredths), when the page is full: for each
 * class of worker (struct match_gate) the best score it can have besides the
 * distance part, and so the largest chord per km of radius that still reaches.
 */
static void wscan_cut(struct wscan *s, int32_t floor)
{
    s->g.cut = floor >= 0 && s->g.tiers;
    if (!s->g.cut)
        return;
    const float ps = s->pts[MATCH_PART_SKILL], pd = s->pts[MATCH_PART_DISTANCE];
    const float pp = s->pts[MATCH_PART_PRIORITY];
    const float need = (float)(floor - 1) / 100.0f, rest = 100.0f - ps - pd - pp;
    const bool export = s->v->kind == MATCH_KIND_LABOR_EXPORT;
    const struct match_vrec *v = s->v;
    float wmin = v->n_skills ? v->sweight[0] : 0; /* missing the lightest skill costs least */
    for (unsigned j = 1; j < v->n_skills; j++)
        wmin = v->sweight[j] < wmin ? v->sweight[j] : wmin;
    const float partial =
        v->n_skills ? 1.0f - wmin * (1.0f - s->kw->related_credit) / v->sweight_sum : 1.0f;
    for (unsigned cls = 0; cls < 64; cls++) {
        /* all listed skills held: up to 1; some: up to partial; none held or
         * related: 0 (1 when no skill is listed) */
        float skill = (cls & 32) || !v->n_skills || s->rel_hi ? ps : (cls & 1) ? ps * partial : 0;
        float prio = pp * match_part_priority(s->kw, cls & 2, cls & 4, cls & 8);
        float base = skill + prio + rest;
        if (export || pd <= 0)
            s->g.cut_k[cls] = base + (export && (cls & 16) ? pd : 0) >= need ? INFINITY : -1.0f;
        else
            s->g.cut_k[cls] = match_cut_k((need - base) / pd);
    }
}

/* Skills beyond plane 0: must-haves and relevance the gate could not see. */
static void wscan_gate_hi(const struct wscan *s, size_t base, struct match_gate_out *o)
{
    const struct match_index *idx = s->c.idx;
    for (uint64_t a = o->live; a; a &= a - 1) {
        unsigned i = (unsigned)__builtin_ctzll(a);
        bool must = true, rel = false;
        for (int p = 1; p < MATCH_PLANES; p++) {
            uint64_t sk = idx->w_skill[p] ? idx->w_skill[p][base + i] : 0;
            must &= (sk & s->v->must[p]) == s->v->must[p];
            rel |= (sk & s->relu[p]) != 0;
        }
        if (!must)
            o->must &= ~(1ull << i);
        if (rel)
            o->rel |= 1ull << i;
    }
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
    unsigned county = s->c.idx->w_county[slot];
    uint32_t fm = 0;
    if (q->n_counties && !((s->counties[county >> 6] >> (county & 63)) & 1))
        fm |= 1u << MATCH_F_COUNTY;
    if (q->kinds && c->kinds && !(c->kinds & q->kinds))
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
    if ((*bound = bound_int(acc + s->rest[MATCH_PART_DISTANCE])) < thr)
        return -1;
    uint64_t valid = v->cert_all ? wscan_certs(s, slot) : 0;
    part[MATCH_PART_CERT] = match_part_cert(v, valid);
    part[MATCH_PART_WAGE] = match_part_wage(v, c->wage);
    part[MATCH_PART_KIND] = match_part_kind(v, c->kinds);
    part[MATCH_PART_AVAIL] =
        match_part_avail(match_avail_day(idx->w_avail[slot]), s->c.q->today, s->day);
    for (int i = MATCH_PART_CERT; i <= MATCH_PART_AVAIL; i++)
        acc += i == MATCH_PART_DISTANCE ? 0 : pts[i] * part[i];
    if ((*bound = bound_int(acc + pts[MATCH_PART_PRIORITY])) < thr)
        return -1;
    part[MATCH_PART_PRIORITY] =
        pts[MATCH_PART_PRIORITY] > 0 ? wscan_priority(s, idx->w_flags[slot]) : 0;
    return match_score_round(match_sum_parts(pts, part));
}

static void wscan_facets(struct match_result *r, uint8_t county, const struct match_wcold *c,
                         float km, uint32_t dims)
{
    struct match_facets *f = &r->facets;
    if (dims & (1u << MATCH_F_COUNTY))
        f->county_by_slot[county]++;
    if (dims & (1u << MATCH_F_KIND)) {
        unsigned kinds = c->kinds ? c->kinds : (1u << MATCH_KIND_COUNT) - 1;
        for (int k = 0; k < MATCH_KIND_COUNT; k++)
            f->kind[k] += (kinds >> k) & 1;
    }
    if (dims & (1u << MATCH_F_WAGE))
        f->wage_band[match_wage_band(NULL, c->wage)]++;
    if (dims & (1u << MATCH_F_DISTANCE))
        f->dist_band[match_dist_band(km)]++;
}

#define FACET_DIMS                                                                                 \
    ((1u << MATCH_F_COUNTY) | (1u << MATCH_F_KIND) | (1u << MATCH_F_WAGE) |                        \
     (1u << MATCH_F_DISTANCE))

/* Below the threshold: a certain min-score failure, or a record pruned from the page. */
static void below(struct match_result *r, const struct match_query *q, int32_t bound)
{
    if (bound < q->min_score) {
        r->removed[MATCH_F_MIN_SCORE]++;
    } else {
        r->more = true;
        r->counts_exact = false;
    }
}

static void pruned(struct match_result *r)
{
    r->more = true;
    r->counts_exact = false;
}

/*
 * One worker the gate let through.  With a full page (floor >= 0) a bound from
 * the columns already in cache (skill bits, site, radius) comes first, so most
 * visits end before the worker's cold record is read.
 */
static void wscan_slot(const struct wscan *s, struct match_result *r, uint32_t slot, int32_t floor)
{
    const struct match_index *idx = s->c.idx;
    const struct match_query *q = s->c.q;
    const struct match_vrec *v = s->v;
    const int16_t wq[3] = {idx->w_q[0][slot], idx->w_q[1][slot], idx->w_q[2][slot]};
    float km = match_km_from_chord2(match_chord2(wq, v->q));
    float radius,
        dist = match_part_distance(s->kw, v, km, idx->w_commute[slot], idx->w_flags[slot], &radius);
    if (floor >= 0 &&
        bound_int(s->pts[MATCH_PART_SKILL] * wscan_skill_bound(s, slot) +
                  s->pts[MATCH_PART_DISTANCE] * dist +
                  s->pts[MATCH_PART_PRIORITY] * wscan_priority(s, idx->w_flags[slot]) +
                  s->rest[MATCH_PART_AVAIL]) < floor) {
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
    if (fm && (!q->facets || (fm & (fm - 1)))) {
        r->removed[__builtin_ctz(fm)]++;
        return;
    }
    int32_t thr = floor > q->min_score && !fm ? floor : q->min_score, bound;
    int32_t score = wscan_score(s, slot, c, dist, thr, &bound);
    if (fm) { /* facets: counted for the one dimension whose filter failed */
        if (score >= q->min_score)
            wscan_facets(r, idx->w_county[slot], c, km, fm);
        r->removed[__builtin_ctz(fm)]++;
        return;
    }
    if (score < q->min_score) { /* also when pruned (score -1) */
        below(r, q, score < 0 ? bound : score);
        return;
    }
    r->candidates++;
    if (q->facets)
        wscan_facets(r, idx->w_county[slot], c, km, FACET_DIMS);
    if (after_cursor(q, score, c->id))
        heap_offer(r, q->k, score, c->id, slot);
}

/*
 * Survivors of a chunk of blocks, sorted into distance tiers.  Visiting the
 * nearest tier first raises the page floor before the far tiers come, and a
 * tier whose best possible score is below the floor is skipped whole.
 */
#define CHUNK_BLOCKS 256

struct chunk {
    size_t base, n; /* first slot, blocks */
    uint64_t surv[CHUNK_BLOCKS], rel[CHUNK_BLOCKS];
    uint64_t prio[CHUNK_BLOCKS][3]; /* priority flags (workers only) */
    uint64_t near[CHUNK_BLOCKS][MATCH_TIERS - 1];
};

static uint64_t tier_mask(const uint64_t near[MATCH_TIERS - 1], unsigned t)
{
    if (t == 0)
        return near[0];
    if (t == MATCH_TIERS - 1)
        return ~near[MATCH_TIERS - 2];
    return near[t] & ~near[t - 1];
}

/* Can records of tier t reach the floor?  open[1]: with a relevant skill,
 * open[0]: without; prio is their priority points (less any points they are
 * known to lose elsewhere). */
static void tier_open(const float pts[MATCH_PART_COUNT], bool no_skills, unsigned t, float prio,
                      int32_t floor, bool open[2])
{
    float ps = pts[MATCH_PART_SKILL], pd = pts[MATCH_PART_DISTANCE];
    float rest = 100.0f - ps - pd - pts[MATCH_PART_PRIORITY] + pd * match_tier_pmax[t] + prio;
    open[1] = floor < 0 || bound_int(ps + rest) >= floor;
    open[0] = floor < 0 || bound_int((no_skills ? ps : 0) + rest) >= floor;
}

/* Gate, charge and tier one block of workers; returns the survivors. */
static uint64_t wscan_gate(const struct wscan *s, struct match_result *r, size_t base,
                           uint64_t *rel, uint64_t near[MATCH_TIERS - 1], uint64_t prio[3])
{
    const struct match_query *q = s->c.q;
    struct match_gate_out o;
    match_gate_block(s->c.idx, &s->g, base, &o);
    if (s->v->must_hi || s->rel_hi)
        wscan_gate_hi(s, base, &o);
    uint64_t a = o.live;
    r->scanned += match_popcount(a);
    a = charge(r, MATCH_F_MUST_SKILL, a, o.must);
    a = charge(r, MATCH_F_MUST_CERT, a, o.cert);
    a = charge(r, MATCH_F_NOT_SEEKING, a, o.seek);
    if (q->broker)
        a = charge(r, MATCH_F_NO_CONSENT, a, o.consent);
    a = charge(r, MATCH_F_NOT_AVAILABLE, a, o.avail);
    a = charge(r, MATCH_F_AGE, a, o.age);
    a = charge(r, MATCH_F_HOUSEHOLD_POST, a, o.hpost);
    a = charge(r, MATCH_F_DOUBLE_POST, a, o.post);
    a = charge(r, MATCH_F_NOT_RESIDENT, a, o.resident);
    *rel = o.rel;
    memcpy(near, o.near, sizeof o.near);
    memcpy(prio, o.prio, sizeof o.prio);
    if (a & ~o.cut) {
        pruned(r);
        a &= o.cut;
    }
    if (s->v->kind == MATCH_KIND_LABOR_EXPORT) { /* tier 0: willing to go, else last */
        uint64_t willing = 0;
        for (uint64_t t = a; t; t &= t - 1) {
            unsigned i = (unsigned)__builtin_ctzll(t);
            willing |= (uint64_t)((s->c.idx->w_flags[base + i] & s->willing) != 0) << i;
        }
        for (unsigned t = 0; t < MATCH_TIERS - 1; t++)
            near[t] = willing;
    }
    return a;
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
static uint64_t wscan_open(struct wscan *s, const struct chunk *c, size_t b, unsigned t,
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

static void wscan_chunk(struct wscan *s, struct match_result *r, struct chunk *c)
{
    const struct match_query *q = s->c.q;
    wscan_cut(s, q->facets ? -1 : heap_floor(r, q->k));
    for (size_t b = 0; b < c->n; b++)
        c->surv[b] =
            wscan_gate(s, r, c->base + b * MATCH_BLOCK, &c->rel[b], c->near[b], c->prio[b]);
    for (unsigned t = 0; t < MATCH_TIERS; t++)
        for (size_t b = 0; b < c->n; b++) {
            uint64_t m = c->surv[b] & tier_mask(c->near[b], t);
            if (!m)
                continue;
            uint64_t keep = m & wscan_open(s, c, b, t, q->facets ? -1 : heap_floor(r, q->k));
            if (keep != m) {
                r->more = true;
                r->counts_exact = false;
            }
            for (; keep; keep &= keep - 1)
                wscan_slot(s, r,
                           (uint32_t)(c->base + b * MATCH_BLOCK + (unsigned)__builtin_ctzll(keep)),
                           q->facets ? -1 : heap_floor(r, q->k));
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
    result_reset(r, MATCH_TARGET_WORKERS);
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
    struct chunk c;
    wscan_init(&s, idx, v, q);
    for (c.base = begin; c.base < end; c.base += CHUNK_BLOCKS * MATCH_BLOCK) {
        size_t left = (end - c.base) / MATCH_BLOCK;
        c.n = left < CHUNK_BLOCKS ? left : CHUNK_BLOCKS;
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
        result_reset(part, MATCH_TARGET_WORKERS);
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
    qsort(r->hit, r->n, sizeof r->hit[0], hit_order);
    for (uint32_t i = 0; i < r->n; i++) {
        struct match_wv w;
        struct match_pair_eval e;
        match_wv_load(idx, r->hit[i].ref, &w);
        match_pair_eval(&c, &w, v, false, &e);
        match_explain_fill(&c, &w, v, &e, &r->hit[i]);
    }
    if (r->has_facets)
        facets_finish(idx, r);
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
        result_reset(r, MATCH_TARGET_WORKERS);
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
        result_reset(r, MATCH_TARGET_WORKERS);
        return -1;
    }
    if (workers_range(idx, &idx->v_rec[s], q, 0, SIZE_MAX, r))
        return -1;
    workers_finish(idx, &idx->v_rec[s], q, r);
    return 0;
}

/* ================= vacancies for one worker ================= */

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
        }
    s->cut_floor = INT32_MIN;
    vscan_cut(s, -1);
    county_mask(idx, q, s->counties);
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
    if ((*bound = bound_int(acc + 100.0f - pts[MATCH_PART_SKILL])) < thr)
        return -1;
    part[MATCH_PART_DISTANCE] = match_part_distance(kw, v, km, w->commute, w->flags, &r);
    acc += pts[MATCH_PART_DISTANCE] * part[MATCH_PART_DISTANCE];
    if ((*bound = bound_int(acc + 100.0f - pts[MATCH_PART_SKILL] - pts[MATCH_PART_DISTANCE])) < thr)
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
 * export: willing to go anywhere), the worker's priority for its kind.
 */
static int32_t vscan_hot_bound(const struct vscan *s, uint32_t v)
{
    const struct match_index *idx = s->c.idx;
    const struct match_wv *w = s->w;
    unsigned kind = idx->v_kind[v], g = idx->v_gate[v];
    const struct match_kind_weights *kw = &s->c.weights->kind[kind];
    const float *pts = s->c.pts[kind];
    uint64_t req = idx->v_req0[v];
    float skill = 1.0f;
    if (req && !(g & MATCH_V_REQ_HI) && (req & w->skill[0]) != req)
        skill = (req & s->wrel[0]) ? 1.0f - idx->v_light[v] * (1.0f - kw->related_credit) : 0.0f;
    float dist;
    if (kind == MATCH_KIND_LABOR_EXPORT) {
        dist = w->flags & (MATCH_W_WILLING_COUNTY | MATCH_W_WILLING_PROVINCE) ? 1.0f : 0.0f;
    } else {
        const int16_t vq[3] = {idx->v_q[0][v], idx->v_q[1][v], idx->v_q[2][v]};
        float km = match_km_from_chord2(match_chord2(w->q, vq));
        struct match_vrec shape = {.kind = (uint8_t)kind,
                                   .accommodation = (g & MATCH_V_ACCOM) != 0,
                                   .transport = (g & MATCH_V_TRANSPORT) != 0};
        float radius;
        dist = match_part_distance(kw, &shape, km, w->commute, w->flags, &radius);
    }
    return bound_int(pts[MATCH_PART_SKILL] * skill + pts[MATCH_PART_DISTANCE] * dist +
                     s->prio[kind] + 100.0f - pts[MATCH_PART_SKILL] - pts[MATCH_PART_DISTANCE] -
                     pts[MATCH_PART_PRIORITY]);
}

static void vscan_slot(const struct vscan *s, struct match_result *r, uint32_t slot, int32_t floor)
{
    const struct match_query *q = s->c.q;
    if (floor >= 0 && vscan_hot_bound(s, slot) < floor) {
        pruned(r);
        return;
    }
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

static int vacancies_query(const struct match_index *idx, const struct match_wv *w, bool adhoc,
                           const struct match_query *q, struct match_result *r)
{
    result_reset(r, MATCH_TARGET_VACANCIES);
    if (match_query_check(q))
        return -1;
    r->has_facets = q->facets;
    struct vscan s;
    struct chunk c;
    vscan_init(&s, idx, w, adhoc, q);
    size_t end = ((size_t)idx->v_top + MATCH_BLOCK - 1) / MATCH_BLOCK * MATCH_BLOCK;
    for (c.base = 0; c.base < end; c.base += CHUNK_BLOCKS * MATCH_BLOCK) {
        size_t left = (end - c.base) / MATCH_BLOCK;
        c.n = left < CHUNK_BLOCKS ? left : CHUNK_BLOCKS;
        vscan_chunk(&s, r, &c);
    }
    qsort(r->hit, r->n, sizeof r->hit[0], hit_order);
    for (uint32_t i = 0; i < r->n; i++) {
        struct match_pair_eval e;
        const struct match_vrec *v = &idx->v_rec[r->hit[i].ref];
        match_pair_eval(&s.c, w, v, adhoc, &e);
        match_explain_fill(&s.c, w, v, &e, &r->hit[i]);
    }
    if (r->has_facets)
        facets_finish(idx, r);
    return 0;
}

int match_query_vacancies(const struct match_index *idx, const struct match_worker *w,
                          const struct match_household *h, const struct match_query *q,
                          struct match_result *r)
{
    struct match_wv wv;
    if (match_wv_from_worker(idx, w, h, &wv)) {
        result_reset(r, MATCH_TARGET_VACANCIES);
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
        result_reset(r, MATCH_TARGET_VACANCIES);
        return -1;
    }
    struct match_wv wv;
    match_wv_load(idx, s, &wv);
    return vacancies_query(idx, &wv, false, q, r);
}
