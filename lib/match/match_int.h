/*
 * match_int: the index layout and the scoring pieces shared by match_*.c.
 * Not part of the API: only lib/match/ and the unit tests include it.
 */
#ifndef LEYE_MATCH_INT_H
#define LEYE_MATCH_INT_H

#include "match.h"

#include <math.h>
#include <string.h>

#define MATCH_PLANES 4 /* 256-bit skill set as four 64-bit planes */
#define MATCH_BLOCK 64 /* slots per gate block; capacities are multiples */
#define MATCH_SLOT_NONE UINT32_MAX
#define MATCH_PLACE_NONE 0xffffu /* w_place of a worker whose site found no room in the table */
#define MATCH_PLACES 0x10000u    /* entries of p_q: every 16-bit place number is in bounds */
#define MATCH_GATE_PLACES 8192u  /* places a query looks its distance up for (32 KiB) */
#define MATCH_W_LIVE 0x8000      /* internal worker flag: slot in use */
#define MATCH_W_H_ZERO 0x0200    /* internal: the household's flags, kept in step */
#define MATCH_W_H_MON 0x0400     /* household under monitoring */
#define MATCH_W_H_POST 0x0800    /* household holds a public-welfare post */
#define MATCH_EARTH_KM 6371.0088 /* mean Earth radius (IUGG) */
#define MATCH_YUNNAN 530000
#define MATCH_Q 32767.0f         /* unit vectors are stored as int16 times this (~100 m) */
#define MATCH_AVAIL_EPOCH 10957  /* 2000-01-01: availability is stored as days after it */
#define MATCH_BIRTH_EPOCH -25567 /* 1900-01-01: birth dates are stored as days after it */

/* household flag bits */
#define MATCH_H_ZERO 0x01
#define MATCH_H_MON_SHIFT 1 /* two bits: enum match_monitoring */
#define MATCH_H_HOLDS_POST 0x08
#define MATCH_H_LIVE 0x80

/* vacancy gate bits */
#define MATCH_V_LIVE 0x01
#define MATCH_V_OPEN 0x02
#define MATCH_V_NOT_FULL 0x04
#define MATCH_V_MUST_HI 0x08   /* must-have skills beyond plane 0 */
#define MATCH_V_REQ_HI 0x10    /* listed skills beyond plane 0 */
#define MATCH_V_ACCOM 0x20     /* accommodation provided */
#define MATCH_V_TRANSPORT 0x40 /* organised transport */

/* A vacancy as the scorer sees it: derived once at upsert (or per ad-hoc query). */
struct match_vrec {
    int64_t id;
    int16_t q[3];             /* unit vector of the workplace, times MATCH_Q */
    int32_t start, start_ymd; /* MATCH_NO_DAY / 0 when none */
    int32_t county_code, dest_province;
    uint32_t wage_lo, wage_hi; /* CNY per month (piece: as given) */
    uint32_t headcount, filled;
    uint64_t must[MATCH_PLANES]; /* must-have skills */
    uint64_t req[MATCH_PLANES];  /* every listed skill */
    uint64_t cert_must, cert_all;
    float sweight[MATCH_MAX_VACANCY_SKILLS]; /* skill weights as given */
    float sweight_sum;
    uint8_t skill[MATCH_MAX_VACANCY_SKILLS], min_level[MATCH_MAX_VACANCY_SKILLS];
    uint8_t must_bits; /* bit j: skill[j] is a must-have */
    uint8_t n_skills, kind, county, period, age_lo, age_hi;
    uint8_t must_hi; /* must-have skills in planes 1..3 */
    bool accommodation, transport, open;
};

/* A worker as the scorer sees it. */
struct match_wv {
    int64_t id;
    uint64_t skill[MATCH_PLANES], levels, certs;
    int32_t cexp[MATCH_MAX_CERT_EXPIRIES];
    uint8_t cexp_id[MATCH_MAX_CERT_EXPIRIES];
    int16_t q[3];
    int32_t birth_ymd, avail, county_code;
    uint32_t wage;
    uint16_t commute, flags;
    uint8_t kinds, county, hflags;
    uint16_t hposts;
};

/*
 * What scoring reads of a worker the gate let through, packed so a visit
 * costs one cache miss instead of one per column.  32 bytes, two a line.
 */
struct match_wcold {
    int64_t id;
    uint64_t levels; /* 3 bits per held skill, in skill-id order */
    uint32_t wage;
    uint32_t house; /* household slot; next free slot when dead */
    uint32_t hnext; /* next worker of the household, MATCH_SLOT_NONE at the end */
    uint8_t kinds;
    uint8_t hflags; /* the household's flags (MATCH_H_*), kept in step */
    uint8_t pad[2];
};

/*
 * Vacancies by county and kind (a bucket), and within a bucket by key class:
 * a vacancy closed or full is in class MATCH_VKEY_DEAD; one with a must-have
 * skill s below 64 in class MATCH_VKEY_DEAD + s (the heaviest such skill);
 * any other in class k < 64, the id modulo 64 of its heaviest listed skill
 * (0 when none listed).  A worker's vacancy scan (match_vscan.c) charges a
 * dead class, and a must-have class whose skill the worker lacks, as a
 * whole without reading its members (their first failing filter is known).
 * It bounds each bucket's best score from the box around its members, each
 * class's from the key skill too (a worker who lacks it loses at least its
 * share of the skill part), visits the buckets best bound first and stops
 * at the first that cannot reach the page.  The box and the smallest shares
 * only widen while a bucket has members, so they stay bounds after a member
 * leaves.
 *
 * Each class has two parts: its plain members, those whose only must-have
 * is the key skill and that ask for no certificate (in the dead class: the
 * closed ones), and the others.  The bucket keeps the plain parts of all
 * classes first, in class order, then the other parts, so a bucket read
 * whole is read in two runs.  A plain member of a live class can first
 * fail only the availability or the age filter, so when the bucket's plain
 * bounds show that the worker fails one of them for all, the scan charges
 * the plain parts as a whole.  The other part of a scored class holds
 * mostly members that ask for certificates and nothing else; the bucket
 * counts them by the set they ask for (up to MATCH_VCERTS sets), and its
 * plain bounds cover them too, so a bucket read whole charges them as well
 * without reading them: the worker lacks a set (must-cert) or the bounds
 * decide.
 */
#define MATCH_VBUCKETS ((MATCH_MAX_COUNTIES + 1) * MATCH_KIND_COUNT)
#define MATCH_VKEYS 128
#define MATCH_VKEY_DEAD 64
#define MATCH_VCERTS 6

/* What the vacancy scan's filters read of a bucket member, copied from its
 * columns so a class is read in order.  32 bytes. */
struct match_ventry {
    uint64_t must0, cert_must; /* as v_must0, v_cert_must */
    int32_t start, start_ymd;  /* as v_start, v_start_ymd */
    uint32_t slot;
    uint8_t gate, age_lo, age_hi;
};

/* What its bound reads, beside it (same position), for members that pass. */
struct match_vbound {
    uint64_t req0; /* as v_req0 */
    float light;   /* as v_light */
    int16_t q[3];
    uint16_t wage_lo, wage_hi; /* monthly CNY, at most 65535; 0 for a piece rate */
};

struct match_vbucket {
    uint32_t n, cap;
    uint64_t keys[2];           /* key classes with members: bit k & 63 of keys[k >> 6] */
    int16_t lo[3], hi[3];       /* box around the members' positions (stored units) */
    float hmin_all;             /* smallest key share of any member */
    int32_t pstart, pstart_ymd; /* plain members of live classes (and members of scored
                                   classes asking only for certificates): the latest start */
    uint8_t page_lo, page_hi;   /* and the widest age range */
    struct match_ventry *e;     /* the members, grouped by part and key class */
    struct match_vbound *x;     /* and their bound fields, at the same positions */
    /* copies of off read by a bucket read whole, by part: where the part, the
     * dead class and the must-have classes start, and where the part ends */
    uint32_t run[2][4];
    /* the members of the scored classes' other parts by the certificates they
     * ask for; cert_over: one asks for more (a must-have beyond plane 0), or
     * there are more sets than fit (until the bucket empties) */
    uint64_t cert[MATCH_VCERTS];
    uint32_t cert_n[MATCH_VCERTS];
    uint8_t n_certs;
    bool cert_over;
    /* part p of class k (p = 0 plain, 1 the others) is e[off[c] .. off[c + 1]),
     * c = p * MATCH_VKEYS + k */
    uint32_t off[2 * MATCH_VKEYS + 1];
    float hmin[MATCH_VKEYS]; /* smallest share of the key skill in the weights, by class */
};

static inline unsigned match_vbucket_of(unsigned county_slot, unsigned kind)
{
    return county_slot * MATCH_KIND_COUNT + kind;
}

struct match_index {
    /* workers: the gate's columns as arrays, slots in [0, w_top), capacity w_cap */
    uint32_t w_cap, w_top, w_live, w_free;
    uint16_t *w_flags;               /* MATCH_W_* | MATCH_W_LIVE */
    uint64_t *w_skill[MATCH_PLANES]; /* planes 1..3 stay NULL until a skill id >= 64 is used */
    uint16_t *w_avail;               /* days after MATCH_AVAIL_EPOCH, 0 = now */
    uint16_t *w_birth;               /* days after MATCH_BIRTH_EPOCH */
    int16_t *w_q[3];                 /* unit vector of the site, times MATCH_Q */
    uint16_t *w_place;               /* the site as a place number (p_q), or MATCH_PLACE_NONE */
    uint16_t *w_commute;
    uint8_t *w_county; /* county slot */
    uint16_t *w_facet; /* what a facet query counts: kinds wanted | wage band << 8 */
    uint64_t *w_cert;  /* certificates held */
    int32_t *w_cexp;   /* [slot * 4 + j]: expiring certificates, ascending, INT32_MAX unused */
    uint8_t *w_cexp_id;
    struct match_wcold *w_cold; /* 64-byte aligned */
    uint32_t *w_map;            /* id -> slot + 1, open addressing */
    uint32_t w_map_mask;
    int64_t w_id_max; /* the largest worker id ever stored: a larger one is new (no lookup) */

    /* places: the distinct worker sites, so the gate reads two bytes a worker
     * instead of six.  p_q[p] holds the site's unit vector (as w_q) and a zero;
     * it has MATCH_PLACES entries, the last always zero.  A place lives while
     * workers use it (p_refs); dead ones chain through p_key from p_free. */
    int16_t (*p_q)[4];
    int64_t *p_key; /* the packed unit vector, for p_map */
    uint32_t *p_refs;
    uint32_t p_top, p_free;
    uint32_t p_none; /* workers stored with MATCH_PLACE_NONE (the gate then reads w_q) */
    uint32_t *p_map;
    uint32_t p_map_mask;

    /* households */
    uint32_t h_cap, h_top, h_live, h_free;
    int64_t *h_id;
    uint8_t *h_flags;
    uint16_t *h_posts;
    uint32_t *h_head; /* first worker slot, MATCH_SLOT_NONE when none; next free when dead */
    uint32_t *h_map;
    uint32_t h_map_mask;
    int64_t h_id_max; /* the largest household id ever stored: a larger one is new */
    uint32_t h_last;  /* the household slot found or made last (members arrive together) */

    /* vacancies: hot arrays for the scan, the rest in v_rec */
    uint32_t v_cap, v_top, v_live, v_free;
    uint8_t *v_gate;
    uint8_t *v_kind;
    uint8_t *v_age; /* [slot * 2]: lo, hi */
    int32_t *v_start;
    int32_t *v_start_ymd;
    uint64_t *v_must0;
    uint64_t *v_req0;
    uint64_t *v_cert_must;
    uint8_t *v_county;
    int64_t *v_id;
    int16_t *v_q[3];
    float *v_light; /* the lightest listed skill's share of the weights (0: none listed) */
    struct match_vrec *v_rec;
    uint32_t *v_bpos; /* [slot]: position in its bucket */
    uint8_t *v_bkey;  /* [slot]: its part and key class in the bucket (index of off) */
    struct match_vbucket v_bucket[MATCH_VBUCKETS];
    uint32_t *v_map;
    uint32_t v_map_mask;

    /* counties: code <-> slot (slot 0 unused) */
    uint32_t n_counties;
    int32_t county_code[MATCH_MAX_COUNTIES + 1];

    /* taxonomy */
    uint8_t skill_parent[MATCH_MAX_SKILL + 1];
    uint64_t related[MATCH_MAX_SKILL + 1][MATCH_PLANES];

    struct match_weights weights;
    bool gate_avx2;   /* the CPU has AVX2 (checked once, at match_index_new) */
    bool gate_avx512; /* and AVX-512 F, BW and VL (used only with gate_avx2) */
};

/*
 * Distance tiers.  The distance part is 1 - 0.2 d within the effective radius
 * (d = km / radius) and 0.8 (2 - d) beyond: within a quarter radius up to 1,
 * within the radius up to 0.95, within two radii up to 0.8, beyond that 0.
 * Scans visit the nearest tier first, so the page's floor is high before the
 * far ones come, and skip a tier whose best possible score cannot reach it.
 */
#define MATCH_TIERS 4
static const float match_tier_radii[MATCH_TIERS - 1] = {0.25f, 1.0f, 2.0f};
static const float match_tier_pmax[MATCH_TIERS] = {1.0f, 0.95f, 0.8f, 0.0f};

/* Largest chord, in stored units, for a distance of `radii` effective radii,
 * per km of radius: chord <= km / R, so a chord beyond this is surely farther
 * (0.1% margin). */
static inline float match_tier_k(unsigned i)
{
    return match_tier_radii[i] * 1.001f / 6371.0088f * MATCH_Q;
}

/* The cut class of a worker (see struct match_gate). */
static inline unsigned match_cut_class(uint16_t f, bool rel, bool full, bool multi,
                                       uint16_t willing_flags)
{
    bool b16 = willing_flags ? (f & willing_flags) != 0 : multi;
    return (rel ? 1u : 0) | ((f >> 4) & 2) | ((f >> 8) & 4) | ((f >> 6) & 8) | (b16 ? 16u : 0) |
           (full ? 32u : 0);
}

/*
 * The hot bound in the gate: with the cut, outside facet queries, a worker
 * the cut keeps whose upper bound from the gate's columns (skill bits,
 * distance, priority: the bound a visit works out first, wscan_hot_bound)
 * is below the page's floor is dropped as the cut drops it, so it is never
 * visited.  Only when every listed skill and every skill related to one is
 * in plane 0.  The same arithmetic as the visit's, so the same workers go.
 */
struct match_gate_hot {
    bool on;
    bool accommodation; /* the post offers it (else one who needs it, beyond r, gets half) */
    bool export;        /* labour export: the distance part is 1 when willing, else 0 */
    uint8_t n;          /* listed skills */
    int32_t floor;      /* the page's floor, hundredths */
    uint64_t held[MATCH_MAX_VACANCY_SKILLS], rel[MATCH_MAX_VACANCY_SKILLS]; /* plane 0 */
    float w[MATCH_MAX_VACANCY_SKILLS], wrc[MATCH_MAX_VACANCY_SKILLS]; /* weight; times credit */
    float wsum;
    float pts_skill, pts_dist, pts_prio, rest; /* points; the rest at full marks */
    float prio[3]; /* credits: relocated, household monitored, zero-employment */
};

/* Inputs and outputs of one gate block (64 worker slots). */
struct match_gate {
    uint16_t avail_by;           /* stored available_from <= avail_by */
    uint16_t born_lo, born_span; /* stored birth - born_lo <= born_span (unsigned) */
    bool nobody_of_age;          /* an empty age range */
    uint64_t must0, relu0;       /* plane-0 must-have skills; plane-0 listed or related */
    uint64_t cert_must;          /* must-have certificates (0: no test) */
    uint16_t post_flags;         /* holding any of these fails (0: no test) */
    uint16_t hpost_flags;        /* the same, for the household rule */
    bool resident;               /* test residence: relocated or local, and county == county */
    bool broker;                 /* consent counts (for the survivors below) */
    bool prio;                   /* the priority masks are wanted (the part has points) */
    uint8_t county;
    bool tiers;              /* compute distance tiers: reff = max(max(commute, 1) * tf, acc_km) */
    float vq[3], tf, acc_km; /* vq: the workplace in stored units */
    /* the cut: with the page full, a worker can reach its floor only within
     * chord reff * cut_k[class]; k < 0: not at all.  class = relevant skill (1),
     * relocated (2), household monitored (4), zero-employment (8), willing
     * (16, labour export: willing_flags != 0) or else two or more listed skills
     * held (16, plane 0), holds every listed skill (32) */
    bool cut;
    uint16_t willing_flags;
    uint64_t req0; /* plane-0 listed skills (0 when some are beyond plane 0) */
    float cut_k[64];
    float cut_kmin;       /* the smallest of cut_k */
    float cut_kmax_by[3]; /* the largest k of the classes with neither bit 1 nor 32,
                             with bit 1 and not 32, with bit 32 */
    float cut_kmax;       /* the largest of cut_k */
    /* the squared chord (stored units) from vq to each place p < n_place_c2,
     * in the scalar gate's arithmetic (match_gate_place_c2); the AVX2 and
     * AVX-512 gates look a worker's up and compute the rest */
    uint32_t n_place_c2;
    float place_c2[MATCH_GATE_PLACES];
    struct match_gate_hot hot;
    /* for match_gate_chunk: */
    bool keep_far;                      /* a facet query: survivors outside the cut stay */
    bool fetch_cexp;                    /* with the hot bound, also ask for the expiries */
    bool hi;                            /* must or relu beyond plane 0 (match_gate_hi) */
    uint64_t must_hi[MATCH_PLANES - 1]; /* must-have skills, planes 1..3 */
    uint64_t relu_hi[MATCH_PLANES - 1]; /* listed or related skills, planes 1..3 */
};

struct match_gate_out {
    uint64_t live, must, cert, seek, consent, avail, age, hpost, post, resident, rel;
    /* what the cut's class reads: every plane-0 listed skill held (req0), two
     * or more of them; a build may leave them undefined where the cut does
     * not read them */
    uint64_t full, multi;
    /* for the survivors of the tests above only (other bits undefined): */
    uint64_t near[MATCH_TIERS - 1]; /* chord <= reff * match_tier_k(i) */
    uint64_t cut;                   /* within the cut (all ones without one) */
    uint64_t prio[3]; /* relocated, household monitored, household zero-employment (g->prio) */
};

/*
 * The cut's k for a page floor: pmin is the smallest distance part that can
 * still reach the floor; the distance part falls with km / radius, so pmin
 * gives the largest chord per km of effective radius (chord <= km / R).
 */
static inline float match_cut_k(float pmin)
{
    if (!(pmin > 0))
        return INFINITY;
    if (pmin > 1)
        return -1;
    float h = pmin <= 0.8f ? 2.0f - pmin / 0.8f : (1.0f - pmin) / 0.2f;
    return (h * 1.001f + 1e-4f) / 6371.0088f * MATCH_Q;
}

/* Sets cut_kmin, cut_kmax_by and cut_kmax from cut_k (after every change of cut_k). */
static inline void match_gate_cut_range(struct match_gate *g)
{
    g->cut_kmin = INFINITY;
    g->cut_kmax_by[0] = g->cut_kmax_by[1] = g->cut_kmax_by[2] = -INFINITY;
    for (unsigned c = 0; c < 64; c++) {
        unsigned by = (c & 32) ? 2 : (c & 1);
        g->cut_kmin = g->cut_k[c] < g->cut_kmin ? g->cut_k[c] : g->cut_kmin;
        g->cut_kmax_by[by] = g->cut_k[c] > g->cut_kmax_by[by] ? g->cut_k[c] : g->cut_kmax_by[by];
    }
    g->cut_kmax = g->cut_kmax_by[0] > g->cut_kmax_by[1] ? g->cut_kmax_by[0] : g->cut_kmax_by[1];
    g->cut_kmax = g->cut_kmax_by[2] > g->cut_kmax ? g->cut_kmax_by[2] : g->cut_kmax;
}

/* match_map.c: ids[slot * stride] is the id of slot (the maps read ids where
 * they live); map_fit makes room for n entries, rehashing what the map holds */
uint32_t match_map_find(const uint32_t *map, uint32_t mask, const int64_t *ids, size_t stride,
                        int64_t id);
void match_map_put(uint32_t *map, uint32_t mask, const int64_t *ids, size_t stride, uint32_t slot);
void match_map_del(uint32_t *map, uint32_t mask, const int64_t *ids, size_t stride, int64_t id);
int match_map_fit(uint32_t **map, uint32_t *mask, const int64_t *ids, size_t stride, size_t n);

/* A max-heap of 64-bit keys: the vacancy scan's work list (match_vscan.c). */
#define MATCH_VHEAP 4096

struct match_vheap {
    uint32_t n;
    uint64_t h[MATCH_VHEAP];
};

/* match_map.c: the places.  place_new allocates the table (-1 when out of
 * memory); place_intern takes a reference to the place of a unit vector,
 * making it when new (MATCH_PLACE_NONE when the table is full or out of
 * memory: counted in p_none); place_release drops one. */
int match_place_new(struct match_index *idx);
void match_place_free(struct match_index *idx);
uint16_t match_place_intern(struct match_index *idx, const int16_t q[3]);
void match_place_release(struct match_index *idx, uint16_t place);

/* The site of a worker slot, from its place (as stored in w_q). */
static inline const int16_t *match_worker_q(const struct match_index *idx, uint32_t slot,
                                            int16_t buf[3])
{
    unsigned p = idx->w_place[slot];
    if (p != MATCH_PLACE_NONE)
        return idx->p_q[p];
    for (int i = 0; i < 3; i++)
        buf[i] = idx->w_q[i][slot];
    return buf;
}

/* match_vbucket.c: the key skill class of a vacancy record and its share of
 * the weights; room for one more in a list; taking slot s out of list bi and
 * putting it in, in order; the work list's sift down from i, push and pop */
unsigned match_vbucket_key(const struct match_vrec *r, float *share);
int match_vbucket_reserve(struct match_vbucket *b);
void match_vbucket_del(struct match_index *idx, unsigned bi, uint32_t s);
void match_vbucket_put(struct match_index *idx, unsigned bi, uint32_t s, unsigned key, float share);
void match_vheap_down(struct match_vheap *q, uint32_t i);
void match_vheap_push(struct match_vheap *q, uint64_t x);
uint64_t match_vheap_pop(struct match_vheap *q); /* the largest key (q->n > 0) */

/* match_index.c */
uint32_t match_worker_slot(const struct match_index *idx, int64_t id);
uint32_t match_vacancy_slot(const struct match_index *idx, int64_t id);
int match_county_slot(const struct match_index *idx, int32_t code); /* 0 when unknown */
void match_wv_load(const struct match_index *idx, uint32_t slot, struct match_wv *wv);
int match_wv_from_worker(const struct match_index *idx, const struct match_worker *w,
                         const struct match_household *h, struct match_wv *wv);
int match_vrec_build(const struct match_index *idx, const struct match_vacancy *v,
                     struct match_vrec *r);
void match_unit_vector(double lat, double lon, int16_t q[3]);

/* The workers of a gate block that pass every test. */
static inline uint64_t match_gate_alive(const struct match_gate *g, const struct match_gate_out *o)
{
    return o->live & o->must & o->cert & o->seek & (g->broker ? o->consent : ~0ull) & o->avail &
           o->age & o->hpost & o->post & o->resident;
}

/*
 * A chunk of gate blocks as the gate leaves it for the scan's tier walk
 * (match_gate_chunk).  For each block the survivors: the workers that pass
 * every test and (unless g->keep_far) the cut; the other masks hold for the
 * survivors only.
 */
#define MATCH_CHUNK_BLOCKS 256
#define MATCH_GATE_AHEAD 2 /* blocks the gate's columns are asked for ahead */

struct match_gate_chunk {
    size_t base, n; /* first slot, blocks (set by the caller) */
    uint64_t surv[MATCH_CHUNK_BLOCKS], rel[MATCH_CHUNK_BLOCKS];
    uint64_t cut[MATCH_CHUNK_BLOCKS];                   /* within the cut (all ones without one) */
    uint64_t prio[MATCH_CHUNK_BLOCKS][3];               /* as struct match_gate_out */
    uint64_t near[MATCH_CHUNK_BLOCKS][MATCH_TIERS - 1]; /* labour export: willing, in each */
    uint16_t with_surv[MATCH_CHUNK_BLOCKS]; /* the blocks whose surv is not 0, in order */
    size_t n_surv;
    bool dropped; /* some that passed every test were outside the cut, and left out */
};

/* Block b of c after its tests and charges (a: the workers that passed
 * them): what the tier walk reads, the cut applied, the records of the
 * survivors asked for when the hot bound runs (few survive it). */
static inline void match_gate_chunk_keep(const struct match_index *idx, const struct match_gate *g,
                                         struct match_gate_chunk *c, size_t b,
                                         const struct match_gate_out *o, uint64_t a)
{
    if ((a & ~o->cut) && !g->keep_far) {
        c->dropped = true;
        a &= o->cut;
    }
    c->surv[b] = a;
    c->with_surv[c->n_surv] = (uint16_t)b;
    c->n_surv += a != 0;
    if (!a)
        return;
    size_t base = c->base + b * MATCH_BLOCK;
    c->rel[b] = o->rel;
    c->cut[b] = o->cut;
    memcpy(c->prio[b], o->prio, sizeof o->prio);
    memcpy(c->near[b], o->near, sizeof o->near);
    if (g->willing_flags) { /* labour export: tier 0 willing to go, else last */
        uint64_t willing = 0;
        for (uint64_t t = a; t; t &= t - 1) {
            unsigned i = (unsigned)__builtin_ctzll(t);
            willing |= (uint64_t)((idx->w_flags[base + i] & g->willing_flags) != 0) << i;
        }
        for (unsigned t = 0; t < MATCH_TIERS - 1; t++)
            c->near[b][t] = willing;
    }
    if (g->hot.on)
        for (uint64_t m = a; m; m &= m - 1) {
            size_t slot = base + (unsigned)__builtin_ctzll(m);
            __builtin_prefetch(&idx->w_cold[slot]);
            if (g->fetch_cexp) /* and the expiries wscan_certs reads */
                __builtin_prefetch(&idx->w_cexp[slot * MATCH_MAX_CERT_EXPIRIES]);
        }
}

/* match_gate.c: match_gate_block uses the AVX-512 version when the CPU has
 * it, else the AVX2 one when the CPU has that */
void match_gate_block(const struct match_index *idx, const struct match_gate *g, size_t base,
                      struct match_gate_out *o);
void match_gate_block_avx2(const struct match_index *idx, const struct match_gate *g, size_t base,
                           struct match_gate_out *o);
void match_gate_block_sse2(const struct match_index *idx, const struct match_gate *g, size_t base,
                           struct match_gate_out *o);
void match_gate_block_avx512(const struct match_index *idx, const struct match_gate *g, size_t base,
                             struct match_gate_out *o);
bool match_gate_has_avx2(void);
bool match_gate_has_avx512(void);
/* Charges the live workers of a gate block to the first test they fail (in
 * the order of enum match_filter: must-have skills, certificates, seeking,
 * consent when g->broker, available, age, household post, double post,
 * residence), adds the live ones to *scanned, and returns those that pass
 * every test (match_gate_alive). */
uint64_t match_gate_charge(const struct match_index *idx, const struct match_gate *g,
                           const struct match_gate_out *o, uint64_t removed[MATCH_F_COUNT],
                           uint64_t *scanned);
/*
 * The gate over the c->n blocks from c->base, in one pass: each block's tests
 * (with match_gate_hi when g->hi), its charges (match_gate_charge), its tiers
 * or cut; the columns asked for GATE_AHEAD blocks ahead, and with the hot
 * bound the records of the survivors as they are found.  The AVX-512 and
 * AVX2 builds run it as one loop; the others block by block.  Fills c as struct
 * match_gate_chunk says.
 */
void match_gate_chunk(const struct match_index *idx, const struct match_gate *g,
                      struct match_gate_chunk *c, uint64_t removed[MATCH_F_COUNT],
                      uint64_t *scanned);
/* The same with a given block build (the tests compare them). */
void match_gate_chunk_blocks(const struct match_index *idx, const struct match_gate *g,
                             struct match_gate_chunk *c, uint64_t removed[MATCH_F_COUNT],
                             uint64_t *scanned,
                             void (*block)(const struct match_index *, const struct match_gate *,
                                           size_t, struct match_gate_out *));
void match_gate_chunk_avx512(const struct match_index *idx, const struct match_gate *g,
                             struct match_gate_chunk *c, uint64_t removed[MATCH_F_COUNT],
                             uint64_t *scanned);
void match_gate_chunk_avx2(const struct match_index *idx, const struct match_gate *g,
                           struct match_gate_chunk *c, uint64_t removed[MATCH_F_COUNT],
                           uint64_t *scanned);
/* Asks the cache for the columns the gate reads of the block at base (no-op past the end). */
void match_gate_prefetch(const struct match_index *idx, const struct match_gate *g, size_t base);
/* Skills beyond plane 0 (g->hi): clears must and sets rel of the live workers of o. */
void match_gate_hi(const struct match_index *idx, const struct match_gate *g, size_t base,
                   struct match_gate_out *o);
/* Sets g->place_c2 from the index's places and g->vq. */
void match_gate_place_c2(const struct match_index *idx, struct match_gate *g);
void match_gate_block_scalar(const struct match_index *idx, const struct match_gate *g, size_t base,
                             struct match_gate_out *o);

/* match_score.c: per-pair evaluation, the reference the scans must agree with */
struct match_skill_eval {
    uint8_t have, related, related_level;
    float credit;
};

struct match_pair_eval {
    uint32_t failed; /* bit per enum match_filter */
    float part[MATCH_PART_COUNT];
    float total; /* points */
    int32_t score;
    float km, radius;
    int32_t day; /* effective start day */
    uint64_t cert_valid;
    struct match_skill_eval skill[MATCH_MAX_VACANCY_SKILLS];
};

struct match_ctx {
    const struct match_index *idx;
    const struct match_weights *weights;
    const struct match_query *q;
    enum match_target target;
    float pts[MATCH_KIND_COUNT][MATCH_PART_COUNT]; /* points of each part at full marks */
    int32_t today_ymd;
};

void match_ctx_init(struct match_ctx *c, const struct match_index *idx,
                    const struct match_query *q);
int match_query_check(const struct match_query *q);
void match_pair_eval(const struct match_ctx *c, const struct match_wv *w,
                     const struct match_vrec *v, bool adhoc, struct match_pair_eval *e);
float match_part_skill(const struct match_index *idx, const struct match_kind_weights *kw,
                       const struct match_vrec *v, const uint64_t sk[MATCH_PLANES], uint64_t levels,
                       struct match_skill_eval *ev);
int32_t match_score_round(float total);
void match_filters_query(const struct match_ctx *c, const struct match_vrec *v,
                         const struct match_wv *w, float km, uint32_t *failed);

/* match_explain.c */
void match_explain_fill(const struct match_ctx *c, const struct match_wv *w,
                        const struct match_vrec *v, const struct match_pair_eval *e,
                        struct match_hit *h);

/* ---- small pieces used on the hot paths ---- */

static inline unsigned match_popcount(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

/* Level (1..5) of skill s in a worker's set, 0 when not held. */
static inline unsigned match_level_of(const uint64_t sk[MATCH_PLANES], uint64_t levels, unsigned s)
{
    unsigned p = s >> 6, b = s & 63;
    if (!((sk[p] >> b) & 1))
        return 0;
    unsigned rank = match_popcount(sk[p] & ((1ull << b) - 1));
    for (unsigned i = 0; i < p; i++)
        rank += match_popcount(sk[i]);
    return (unsigned)((levels >> (3 * rank)) & 7);
}

/* Certificates held and valid on day d. */
static inline uint64_t match_certs_valid(uint64_t held, const int32_t *exp, const uint8_t *id,
                                         int32_t d)
{
    if (d <= exp[0])
        return held;
    for (unsigned j = 0; j < MATCH_MAX_CERT_EXPIRIES && exp[j] < d; j++)
        held &= ~(1ull << id[j]);
    return held;
}

/* Squared chord between two stored unit vectors (on the unit sphere). */
static inline float match_chord2(const int16_t a[3], const int16_t b[3])
{
    float dx = (float)(a[0] - b[0]), dy = (float)(a[1] - b[1]), dz = (float)(a[2] - b[2]);
    return (dx * dx + dy * dy + dz * dz) * (1.0f / (MATCH_Q * MATCH_Q));
}

/* Stored dates. */
static inline uint16_t match_avail16(int32_t day)
{
    if (day == MATCH_NO_DAY || day <= MATCH_AVAIL_EPOCH)
        return 0;
    return day - MATCH_AVAIL_EPOCH > 65535 ? 65535 : (uint16_t)(day - MATCH_AVAIL_EPOCH);
}

static inline int32_t match_avail_day(uint16_t a)
{
    return a ? MATCH_AVAIL_EPOCH + a : MATCH_NO_DAY;
}

static inline uint16_t match_birth16(int32_t day)
{
    int32_t d = day - MATCH_BIRTH_EPOCH;
    return d < 0 ? 0 : d > 65535 ? 65535 : (uint16_t)d;
}

/* Great-circle km from a squared chord: 2R asin(c/2).  A short series below
 * 1600 km (error < 1 m), asin beyond. */
static inline float match_km_from_chord2(float c2)
{
    float h = sqrtf(c2) * 0.5f;
    if (h < 0.125f) {
        float h2 = h * h;
        float as = h * (1.0f + h2 * (1.0f / 6 + h2 * (3.0f / 40 + h2 * (15.0f / 336))));
        return (float)(2.0 * MATCH_EARTH_KM) * as;
    }
    return (float)(2.0 * MATCH_EARTH_KM) * asinf(h > 1.0f ? 1.0f : h);
}

static inline float match_clamp01(float x)
{
    return x < 0 ? 0 : (x > 1 ? 1 : x);
}

/* The distance part at km from the workplace with effective radius r: 1
 * falling to 0.8 at r, then to 0 at 2r (docs/matching.md). */
static inline float match_dist_curve(float km, float r)
{
    return km <= r ? 1.0f - 0.2f * km / r : match_clamp01(0.8f * (2.0f - km / r));
}

/* Upper bound in hundredths of a partial sum of points (a margin for rounding). */
static inline int32_t match_bound_int(float pts)
{
    return (int32_t)(pts * 100.0f + 0.5f) + 1;
}

/* Effective start day: the start date, or today when none or past. */
static inline int32_t match_eff_day(int32_t start, int32_t today)
{
    return start != MATCH_NO_DAY && start > today ? start : today;
}

/* The distance part of a post that is not labour export, from what it
 * reads of the post: whether it gives transport and accommodation. */
static inline float match_part_distance_near(const struct match_kind_weights *kw, bool transport,
                                             bool accommodation, float km, uint16_t commute,
                                             uint16_t wflags, float *radius)
{
    float r = commute < 1 ? 1.0f : (float)commute;
    float reff = transport ? r * kw->transport_factor : r;
    if (accommodation && kw->accommodation_km > reff)
        reff = kw->accommodation_km;
    *radius = reff;
    float p = match_dist_curve(km, reff);
    /* within reff the worker goes home every day (on foot or by the employer's transport) */
    if ((wflags & MATCH_W_NEEDS_ACCOMMODATION) && !accommodation && km > reff)
        p *= 0.5f;
    return p;
}

/* Parts of the score, each in [0, 1]. */
float match_part_distance(const struct match_kind_weights *kw, const struct match_vrec *v, float km,
                          uint16_t commute, uint16_t wflags, float *radius);
float match_part_wage(const struct match_vrec *v, uint32_t floor);

static inline float match_part_kind(const struct match_vrec *v, uint8_t kinds)
{
    return !kinds || (kinds >> v->kind) & 1 ? 1.0f : 0.0f;
}

/* Free now: 1; free only after the effective start day (the not_available
 * filter fails): 0; free from a day a in between: 1 - 0.5 (a - today)/(day - today). */
static inline float match_part_avail(int32_t avail, int32_t today, int32_t day)
{
    if (avail == MATCH_NO_DAY || avail <= today)
        return 1.0f;
    if (avail > day)
        return 0.0f;
    return match_clamp01(1.0f - 0.5f * (float)(avail - today) / (float)(day - today));
}

static inline float match_part_cert(const struct match_vrec *v, uint64_t valid)
{
    if (!v->cert_all)
        return 1.0f;
    return (float)match_popcount(valid & v->cert_all) / (float)match_popcount(v->cert_all);
}

static inline float match_part_priority(const struct match_kind_weights *kw, bool relocated,
                                        bool monitored, bool zero_employment)
{
    float p = 0;
    if (relocated)
        p += kw->prio_relocated;
    if (monitored)
        p += kw->prio_monitoring;
    if (zero_employment)
        p += kw->prio_zero_employment;
    return p > 1 ? 1 : p;
}

/* The household flags as worker flag bits. */
static inline uint16_t match_hbits(uint8_t hflags)
{
    return (uint16_t)((hflags & MATCH_H_ZERO ? MATCH_W_H_ZERO : 0) |
                      ((hflags >> MATCH_H_MON_SHIFT) & 3 ? MATCH_W_H_MON : 0) |
                      (hflags & MATCH_H_HOLDS_POST ? MATCH_W_H_POST : 0));
}

/* The total in points, always summed in this order so every path agrees. */
static inline float match_sum_parts(const float pts[MATCH_PART_COUNT],
                                    const float part[MATCH_PART_COUNT])
{
    float t = 0;
    for (int i = 0; i < MATCH_PART_COUNT; i++)
        t += pts[i] * part[i];
    return t;
}

/* The facet column of a worker (struct match_index.w_facet). */
#define MATCH_FACET_KINDS(f) ((f)&0xffu)
#define MATCH_FACET_WAGE_BAND(f) ((unsigned)(f) >> 8)

/* Facet bands. */
static inline unsigned match_wage_band(const struct match_vrec *v, uint32_t wage)
{
    if (v && v->period == MATCH_WAGE_PIECE)
        return MATCH_WAGE_BANDS - 1;
    static const uint32_t edge[] = {2000, 3000, 4000, 5000, 7000};
    unsigned b = 0;
    while (b < 5 && wage >= edge[b])
        b++;
    return b;
}

static inline unsigned match_dist_band(float km)
{
    static const float edge[] = {5, 10, 20, 50, 100};
    unsigned b = 0;
    while (b < 5 && km >= edge[b])
        b++;
    return b;
}

/* The hot bound (hundredths) of a worker with skill plane s0, at km from the
 * workplace with effective radius r (as the gate works it out) and flags f:
 * the arithmetic of match_part_distance and wscan_hot_bound. */
static inline int32_t match_gate_hot_bound(const struct match_gate *g, uint64_t s0, float km,
                                           float r, uint16_t f)
{
    const struct match_gate_hot *h = &g->hot;
    float skill = 1.0f, dist, prio = 0;
    if (h->n) {
        float sum = 0;
        for (unsigned j = 0; j < h->n; j++)
            if (s0 & h->held[j])
                sum += h->w[j];
            else if (s0 & h->rel[j])
                sum += h->wrc[j];
        skill = sum / h->wsum;
    }
    if (h->export) {
        dist = f & g->willing_flags ? 1.0f : 0.0f;
    } else {
        dist = match_dist_curve(km, r);
        if ((f & MATCH_W_NEEDS_ACCOMMODATION) && !h->accommodation && km > r)
            dist *= 0.5f;
    }
    if (f & MATCH_W_RELOCATED)
        prio += h->prio[0];
    if (f & MATCH_W_H_MON)
        prio += h->prio[1];
    if (f & MATCH_W_H_ZERO)
        prio += h->prio[2];
    prio = prio > 1 ? 1 : prio;
    return match_bound_int(h->pts_skill * skill + h->pts_dist * dist + h->pts_prio * prio +
                           h->rest);
}

static inline __attribute__((always_inline)) unsigned match_gate_popcount(uint64_t x, bool hw)
{
    return hw ? (unsigned)__builtin_popcountll(x) : match_popcount(x);
}

static inline __attribute__((always_inline)) void
match_gate_charge1(uint64_t removed[MATCH_F_COUNT], enum match_filter f, uint64_t *a, uint64_t pass,
                   bool hw)
{
    removed[f] += match_gate_popcount(*a & ~pass, hw);
    *a &= pass;
}

/* match_gate_charge, the counts added to removed and *scanned; hw: popcount
 * is one instruction (the CPU has POPCNT; the chunk loops of the AVX2 and
 * AVX-512 builds count into locals). */
static inline __attribute__((always_inline)) uint64_t
match_gate_charge_in(const struct match_gate *g, const struct match_gate_out *o,
                     uint64_t removed[MATCH_F_COUNT], uint64_t *scanned, bool hw)
{
    uint64_t a = o->live;
    *scanned += match_gate_popcount(a, hw);
    match_gate_charge1(removed, MATCH_F_MUST_SKILL, &a, o->must, hw);
    match_gate_charge1(removed, MATCH_F_MUST_CERT, &a, o->cert, hw);
    match_gate_charge1(removed, MATCH_F_NOT_SEEKING, &a, o->seek, hw);
    if (g->broker)
        match_gate_charge1(removed, MATCH_F_NO_CONSENT, &a, o->consent, hw);
    match_gate_charge1(removed, MATCH_F_NOT_AVAILABLE, &a, o->avail, hw);
    match_gate_charge1(removed, MATCH_F_AGE, &a, o->age, hw);
    match_gate_charge1(removed, MATCH_F_HOUSEHOLD_POST, &a, o->hpost, hw);
    match_gate_charge1(removed, MATCH_F_DOUBLE_POST, &a, o->post, hw);
    match_gate_charge1(removed, MATCH_F_NOT_RESIDENT, &a, o->resident, hw);
    return a;
}

/* Adds the charges a chunk loop counted in n (match_gate_charge_in) to
 * removed, filter by filter: with fixed indices n stays in registers. */
static inline __attribute__((always_inline)) void
match_gate_charges_add(uint64_t removed[MATCH_F_COUNT], const uint64_t n[MATCH_F_COUNT])
{
    removed[MATCH_F_MUST_SKILL] += n[MATCH_F_MUST_SKILL];
    removed[MATCH_F_MUST_CERT] += n[MATCH_F_MUST_CERT];
    removed[MATCH_F_NOT_SEEKING] += n[MATCH_F_NOT_SEEKING];
    removed[MATCH_F_NO_CONSENT] += n[MATCH_F_NO_CONSENT];
    removed[MATCH_F_NOT_AVAILABLE] += n[MATCH_F_NOT_AVAILABLE];
    removed[MATCH_F_AGE] += n[MATCH_F_AGE];
    removed[MATCH_F_HOUSEHOLD_POST] += n[MATCH_F_HOUSEHOLD_POST];
    removed[MATCH_F_DOUBLE_POST] += n[MATCH_F_DOUBLE_POST];
    removed[MATCH_F_NOT_RESIDENT] += n[MATCH_F_NOT_RESIDENT];
}

#endif
