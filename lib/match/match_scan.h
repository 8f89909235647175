/*
 * match_scan: what the two top-k scans share (internal to lib/match).
 *
 * Workers for a vacancy (match_wscan.c): the gate (match_gate.c) tests 64
 * slots at once, survivors go through the remaining filters and a staged
 * score that stops as soon as its upper bound cannot reach the page (a
 * bounded heap of k).  Vacancies for a worker (match_vscan.c): the same order
 * of filters over the vacancy arrays.  Order: score desc, then id asc;
 * deterministic.  The heap and the per-record helpers are static inline here
 * because the scans call them for every record.
 */
#ifndef LEYE_MATCH_SCAN_H
#define LEYE_MATCH_SCAN_H

#include "match_int.h"

/* ---- the bounded heap: hit[0] is the worst of the page ---- */

static inline bool worse(const struct match_hit *a, const struct match_hit *b)
{
    return a->score < b->score || (a->score == b->score && a->id > b->id);
}

/* Until finish a hit holds only id, score and ref (the explanation's fields
 * are 0): the heap moves those three.  A whole hit is some 430 bytes with its
 * reasons, and copying them was most of the heap's time. */
static inline void heap_swap(struct match_hit *a, struct match_hit *b)
{
    int64_t id = a->id;
    int32_t score = a->score;
    uint32_t ref = a->ref;
    a->id = b->id, a->score = b->score, a->ref = b->ref;
    b->id = id, b->score = score, b->ref = ref;
}

static inline void heap_set(struct match_hit *h, int64_t id, int32_t score, uint32_t ref)
{
    h->id = id, h->score = score, h->ref = ref;
    memset(h->parts, 0, sizeof h->parts);
    h->km = 0;
    h->failed = 0;
    h->n_reasons = 0;
}

static inline void sift_down(struct match_hit *h, uint32_t n, uint32_t i)
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
static inline void heap_offer(struct match_result *r, uint32_t k, int32_t score, int64_t id,
                              uint32_t ref)
{
    if (r->n < k) {
        uint32_t i = r->n++;
        heap_set(&r->hit[i], id, score, ref);
        while (i && worse(&r->hit[i], &r->hit[(i - 1) / 2])) {
            heap_swap(&r->hit[i], &r->hit[(i - 1) / 2]);
            i = (i - 1) / 2;
        }
        return;
    }
    r->more = true;
    if (!(r->hit[0].score < score || (r->hit[0].score == score && r->hit[0].id > id)))
        return; /* not better than the worst on the page (worse(), field by field) */
    heap_set(&r->hit[0], id, score, ref);
    sift_down(r->hit, r->n, 0);
}

/* Lowest score that can still enter (hundredths); -1 when the page has room. */
static inline int32_t heap_floor(const struct match_result *r, uint32_t k)
{
    return r->n < k ? -1 : r->hit[0].score;
}

/* ---- scoring bounds and bookkeeping ---- */

static inline bool after_cursor(const struct match_query *q, int32_t score, int64_t id)
{
    return !q->after || score < q->after_score || (score == q->after_score && id > q->after_id);
}

/* Charges filter f for the records in alive that fail (pass has 0 bits). */
static inline uint64_t charge(struct match_result *r, enum match_filter f, uint64_t alive,
                              uint64_t pass)
{
    r->removed[f] += match_popcount(alive & ~pass);
    return alive & pass;
}

/* Below the threshold: a certain min-score failure, or a record pruned from the page. */
static inline void below(struct match_result *r, const struct match_query *q, int32_t bound)
{
    if (bound < q->min_score) {
        r->removed[MATCH_F_MIN_SCORE]++;
    } else {
        r->more = true;
        r->counts_exact = false;
    }
}

static inline void pruned(struct match_result *r)
{
    r->more = true;
    r->counts_exact = false;
}

#define FACET_DIMS                                                                                 \
    ((1u << MATCH_F_COUNTY) | (1u << MATCH_F_KIND) | (1u << MATCH_F_WAGE) |                        \
     (1u << MATCH_F_DISTANCE))

/*
 * Survivors of a chunk of blocks, sorted into distance tiers.  Visiting the
 * nearest tier first raises the page floor before the far tiers come, and a
 * tier whose best possible score is below the floor is skipped whole.
 */
#define CHUNK_BLOCKS 256

struct chunk {
    size_t base, n; /* first slot, blocks */
    uint64_t surv[CHUNK_BLOCKS], rel[CHUNK_BLOCKS];
    uint64_t cut[CHUNK_BLOCKS];     /* within the cut (facet queries keep the others) */
    uint64_t prio[CHUNK_BLOCKS][3]; /* priority flags (workers only) */
    uint64_t near[CHUNK_BLOCKS][MATCH_TIERS - 1];
    uint16_t with_surv[CHUNK_BLOCKS]; /* blocks whose surv is not 0, in order (workers only) */
};

static inline uint64_t tier_mask(const uint64_t near[MATCH_TIERS - 1], unsigned t)
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
static inline void tier_open(const float pts[MATCH_PART_COUNT], bool no_skills, unsigned t,
                             float prio, int32_t floor, bool open[2])
{
    float ps = pts[MATCH_PART_SKILL], pd = pts[MATCH_PART_DISTANCE];
    float rest = 100.0f - ps - pd - pts[MATCH_PART_PRIORITY] + pd * match_tier_pmax[t] + prio;
    open[1] = floor < 0 || match_bound_int(ps + rest) >= floor;
    open[0] = floor < 0 || match_bound_int((no_skills ? ps : 0) + rest) >= floor;
}

/* ---- match_query.c ---- */

/* qsort order of hits: score descending, then id ascending. */
int match_hit_order(const void *a, const void *b);

/* Empties r for a scan of target t (the hits, counts and facets). */
void match_result_reset(struct match_result *r, enum match_target t);

/* The query's counties as a bit mask over the index's county slots. */
void match_county_mask(const struct match_index *idx, const struct match_query *q,
                       uint64_t mask[4]);

/* Turns the facet counts by county slot into the sorted county list. */
void match_facets_finish(const struct match_index *idx, struct match_result *r);

#endif
