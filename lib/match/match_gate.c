/*
 * match_gate: the first pass of a worker scan.  For 64 slots at a time it
 * reads the columns every query needs (flags, skill plane 0, available_from,
 * birth date, site as a place number, commute radius: 18 bytes a worker) and
 * returns one bit mask per test.  The caller charges the filters in order
 * with popcounts (match_gate_charge) and visits only the survivors.  It also
 * sorts workers into distance tiers, so the scan can visit the nearest first,
 * and applies the cut: once the page is full, a worker too far away to reach
 * its lowest score, or whose hot bound (struct match_gate_hot) is below it,
 * is dropped unvisited.  match_gate_avx2.c and match_gate_avx512.c have the
 * AVX2 and AVX-512 builds.
 *
 * Branch-free on purpose: with half the workers passing a test, branches
 * mispredict and a per-worker early exit costs three times as much (see
 * docs/matching.md).  On x86-64 (SSE2 is part of the base ISA) the tests run
 * four to eight lanes wide; elsewhere the scalar loop does the same work.
 */
#include "match_int.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Worker k's squared chord to the workplace (stored units) and its reach in
 * km: what the scalar gate's distance tests and hot bound start from. */
static inline float gate_lane_geo(const struct match_index *idx, const struct match_gate *g,
                                  size_t k, float *reach)
{
    float dx = (float)idx->w_q[0][k] - g->vq[0], dy = (float)idx->w_q[1][k] - g->vq[1];
    float dz = (float)idx->w_q[2][k] - g->vq[2];
    float c = idx->w_commute[k], r = (c > 1.0f ? c : 1.0f) * g->tf;
    *reach = r > g->acc_km ? r : g->acc_km;
    return dx * dx + dy * dy + dz * dz;
}

/* The workers of mask (in the cut) whose hot bound reaches the floor
 * (struct match_gate_hot), one at a time. */
static uint64_t gate_hot_scalar(const struct match_index *idx, const struct match_gate *g,
                                size_t base, uint64_t mask)
{
    uint64_t keep = 0;
    for (uint64_t m = mask; m; m &= m - 1) {
        unsigned i = (unsigned)__builtin_ctzll(m);
        size_t k = base + i;
        float r;
        float c2 = gate_lane_geo(idx, g, k, &r);
        float km = match_km_from_chord2(c2 * (1.0f / (MATCH_Q * MATCH_Q)));
        int32_t b = match_gate_hot_bound(g, idx->w_skill[0][k], km, r, idx->w_flags[k]);
        keep |= (uint64_t)(b >= g->hot.floor) << i;
    }
    return keep;
}

/* Within reach of the workplace (stored units): the tiers and the cut. */
static void gate_place_scalar(const struct match_index *idx, const struct match_gate *g,
                              size_t base, struct match_gate_out *o)
{
    for (uint64_t alive = match_gate_alive(g, o); alive; alive &= alive - 1) {
        unsigned i = (unsigned)__builtin_ctzll(alive);
        size_t k = base + i;
        float r;
        float c2 = gate_lane_geo(idx, g, k, &r);
        for (unsigned t = 0; t < MATCH_TIERS - 1 && !g->cut; t++) {
            float lim = r * match_tier_k(t);
            o->near[t] |= (uint64_t)(c2 <= lim * lim) << i;
        }
        if (g->cut) {
            unsigned cls = match_cut_class(idx->w_flags[k], (o->rel >> i) & 1, (o->full >> i) & 1,
                                           (o->multi >> i) & 1, g->willing_flags);
            float lim = r * g->cut_k[cls];
            o->cut |= (uint64_t)(lim >= 0 && c2 <= lim * lim) << i;
        }
    }
    if (g->cut) /* with the cut, one tier: the cut already dropped the far ones */
        memset(o->near, 0xff, sizeof o->near);
    if (g->cut && g->hot.on)
        o->cut = gate_hot_scalar(idx, g, base, o->cut & match_gate_alive(g, o));
}

void match_gate_block_scalar(const struct match_index *idx, const struct match_gate *g, size_t base,
                             struct match_gate_out *o)
{
    memset(o, 0, sizeof *o);
    for (unsigned i = 0; i < MATCH_BLOCK; i++) {
        size_t k = base + i;
        uint16_t f = idx->w_flags[k];
        uint64_t s = idx->w_skill[0][k];
        bool local = (f & (MATCH_W_RELOCATED | MATCH_W_LOCAL_RESIDENT)) != 0;
        o->live |= (uint64_t)((f & MATCH_W_LIVE) != 0) << i;
        o->seek |= (uint64_t)((f & MATCH_W_SEEKING) != 0) << i;
        o->consent |= (uint64_t)(!g->broker || (f & MATCH_W_CONSENT_BROKERS) != 0) << i;
        o->must |= (uint64_t)((s & g->must0) == g->must0) << i;
        o->rel |= (uint64_t)((s & g->relu0) != 0) << i;
        o->full |= (uint64_t)((s & g->req0) == g->req0) << i;
        uint64_t held = s & g->req0;
        o->multi |= (uint64_t)((held & (held - 1)) != 0) << i;
        o->avail |= (uint64_t)(idx->w_avail[k] <= g->avail_by) << i;
        o->age |= (uint64_t)(!g->nobody_of_age &&
                             (uint16_t)(idx->w_birth[k] - g->born_lo) <= g->born_span)
                  << i;
        o->cert |= (uint64_t)((idx->w_cert[k] & g->cert_must) == g->cert_must) << i;
        o->post |= (uint64_t)((f & g->post_flags) == 0) << i;
        o->hpost |= (uint64_t)((f & g->hpost_flags) == 0) << i;
        o->resident |= (uint64_t)(!g->resident || (local && idx->w_county[k] == g->county)) << i;
        o->prio[0] |= (uint64_t)((f & MATCH_W_RELOCATED) != 0) << i;
        o->prio[1] |= (uint64_t)((f & MATCH_W_H_MON) != 0) << i;
        o->prio[2] |= (uint64_t)((f & MATCH_W_H_ZERO) != 0) << i;
    }
    o->cut = g->cut ? 0 : ~0ull;
    if (g->tiers)
        gate_place_scalar(idx, g, base, o);
    else
        o->cut = ~0ull;
}

#if defined(__SSE2__)

/* 16 flag tests (two vectors of 16-bit lanes) to 16 bits. */
static inline uint64_t flag_bits(__m128i f0, __m128i f1, __m128i bit)
{
    __m128i a = _mm_cmpeq_epi16(_mm_and_si128(f0, bit), bit);
    __m128i b = _mm_cmpeq_epi16(_mm_and_si128(f1, bit), bit);
    return (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_packs_epi16(a, b));
}

/* 16 "none of these flags" tests to 16 bits. */
static inline uint64_t none_bits(__m128i f0, __m128i f1, __m128i bits)
{
    const __m128i zero = _mm_setzero_si128();
    __m128i a = _mm_cmpeq_epi16(_mm_and_si128(f0, bits), zero);
    __m128i b = _mm_cmpeq_epi16(_mm_and_si128(f1, bits), zero);
    return (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_packs_epi16(a, b));
}

/* The flag tests.  Results go to locals first: the outputs are uint64_t like
 * the skill columns, and stores through o would be reloaded as possible aliases. */
static void gate_flags(const uint16_t *fl, const struct match_gate *g, struct match_gate_out *o)
{
    const __m128i live = _mm_set1_epi16((short)MATCH_W_LIVE);
    const __m128i seek = _mm_set1_epi16(MATCH_W_SEEKING);
    const __m128i cons = _mm_set1_epi16(MATCH_W_CONSENT_BROKERS);
    const __m128i post = _mm_set1_epi16((short)g->post_flags);
    const __m128i hpost = _mm_set1_epi16((short)g->hpost_flags);
    const __m128i local = _mm_set1_epi16(MATCH_W_RELOCATED | MATCH_W_LOCAL_RESIDENT);
    const __m128i pr[3] = {_mm_set1_epi16(MATCH_W_RELOCATED), _mm_set1_epi16(MATCH_W_H_MON),
                           _mm_set1_epi16(MATCH_W_H_ZERO)};
    uint64_t lv = 0, sk = 0, cn = 0, ps = 0, hp = 0, lc = 0, p[3] = {0, 0, 0};
    for (unsigned j = 0; j < 4; j++) {
        __m128i f0 = _mm_loadu_si128((const __m128i *)(fl + 16 * j));
        __m128i f1 = _mm_loadu_si128((const __m128i *)(fl + 16 * j + 8));
        for (unsigned b = 0; b < 3; b++)
            p[b] |= flag_bits(f0, f1, pr[b]) << (16 * j);
        lv |= flag_bits(f0, f1, live) << (16 * j);
        sk |= flag_bits(f0, f1, seek) << (16 * j);
        cn |= flag_bits(f0, f1, cons) << (16 * j);
        ps |= none_bits(f0, f1, post) << (16 * j);
        hp |= none_bits(f0, f1, hpost) << (16 * j);
        lc |= (~none_bits(f0, f1, local) & 0xffff) << (16 * j);
    }
    o->live = lv, o->seek = sk, o->consent = g->broker ? cn : ~0ull, o->post = ps, o->hpost = hp;
    o->resident = lc;
    memcpy(o->prio, p, sizeof p);
}

/* Residence: the local flags above, and the county slot equal to the vacancy's. */
static void gate_county(const uint8_t *county, const struct match_gate *g, struct match_gate_out *o)
{
    if (!g->resident) {
        o->resident = ~0ull;
        return;
    }
    const __m128i want = _mm_set1_epi8((char)g->county);
    uint64_t same = 0;
    for (unsigned j = 0; j < 4; j++) {
        __m128i c = _mm_loadu_si128((const __m128i *)(county + 16 * j));
        same |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(c, want)) << (16 * j);
    }
    o->resident &= same;
}

/* Two 64-bit lanes: all bits of m set. */
static inline unsigned has_all(__m128i s, __m128i m)
{
    __m128i e = _mm_cmpeq_epi32(_mm_and_si128(s, m), m);
    e = _mm_and_si128(e, _mm_shuffle_epi32(e, _MM_SHUFFLE(2, 3, 0, 1)));
    return (unsigned)_mm_movemask_pd(_mm_castsi128_pd(e));
}

static uint64_t gate_certs(const uint64_t *certs, const struct match_gate *g)
{
    if (!g->cert_must)
        return ~0ull;
    const __m128i must = _mm_set1_epi64x((long long)g->cert_must);
    uint64_t ok = 0;
    for (unsigned j = 0; j < MATCH_BLOCK / 2; j++)
        ok |= (uint64_t)has_all(_mm_loadu_si128((const __m128i *)(certs + 2 * j)), must) << (2 * j);
    return ok;
}

/* 16-bit unsigned a <= b, eight lanes: signed compare after flipping the top bit. */
static inline __m128i le_u16(__m128i a, __m128i b)
{
    const __m128i top = _mm_set1_epi16((short)0x8000);
    return _mm_cmpeq_epi16(_mm_cmpgt_epi16(_mm_xor_si128(a, top), _mm_xor_si128(b, top)),
                           _mm_setzero_si128());
}

static void gate_days(const uint16_t *av, const uint16_t *bi, const struct match_gate *g,
                      struct match_gate_out *o)
{
    const __m128i by = _mm_set1_epi16((short)g->avail_by);
    const __m128i lo = _mm_set1_epi16((short)g->born_lo);
    const __m128i span = _mm_set1_epi16((short)g->born_span);
    uint64_t avail = 0, age = 0;
    for (unsigned j = 0; j < 4; j++) {
        __m128i a0 = le_u16(_mm_loadu_si128((const __m128i *)(av + 16 * j)), by);
        __m128i a1 = le_u16(_mm_loadu_si128((const __m128i *)(av + 16 * j + 8)), by);
        __m128i b0 = _mm_sub_epi16(_mm_loadu_si128((const __m128i *)(bi + 16 * j)), lo);
        __m128i b1 = _mm_sub_epi16(_mm_loadu_si128((const __m128i *)(bi + 16 * j + 8)), lo);
        avail |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_packs_epi16(a0, a1)) << (16 * j);
        age |= (uint64_t)(uint16_t)_mm_movemask_epi8(
                   _mm_packs_epi16(le_u16(b0, span), le_u16(b1, span)))
               << (16 * j);
    }
    o->avail = avail, o->age = g->nobody_of_age ? 0 : age;
}

static void gate_skills(const uint64_t *sk, const struct match_gate *g, struct match_gate_out *o)
{
    const __m128i must = _mm_set1_epi64x((long long)g->must0);
    const __m128i relu = _mm_set1_epi64x((long long)g->relu0);
    const __m128i req = _mm_set1_epi64x((long long)g->req0);
    const __m128i zero = _mm_setzero_si128(), one = _mm_set1_epi64x(1);
    uint64_t m = 0, rel = 0, full = 0, multi = 0;
    for (unsigned j = 0; j < MATCH_BLOCK / 2; j++) {
        __m128i s = _mm_loadu_si128((const __m128i *)(sk + 2 * j));
        __m128i z = _mm_cmpeq_epi32(_mm_and_si128(s, relu), zero);
        z = _mm_and_si128(z, _mm_shuffle_epi32(z, _MM_SHUFFLE(2, 3, 0, 1)));
        m |= (uint64_t)has_all(s, must) << (2 * j);
        full |= (uint64_t)has_all(s, req) << (2 * j);
        rel |= (uint64_t)(~_mm_movemask_pd(_mm_castsi128_pd(z)) & 3) << (2 * j);
        __m128i h = _mm_and_si128(s, req); /* held & (held - 1): a second one */
        __m128i y = _mm_cmpeq_epi32(_mm_and_si128(h, _mm_sub_epi64(h, one)), zero);
        y = _mm_and_si128(y, _mm_shuffle_epi32(y, _MM_SHUFFLE(2, 3, 0, 1)));
        multi |= (uint64_t)(~_mm_movemask_pd(_mm_castsi128_pd(y)) & 3) << (2 * j);
    }
    o->must = m, o->rel = rel, o->full = full, o->multi = multi;
}

/* Distance tiers (the cut one worker at a time: SSE2 has no gather). */
static void gate_tiers(const struct match_index *idx, size_t base, const struct match_gate *g,
                       struct match_gate_out *o)
{
    const __m128i zero = _mm_setzero_si128();
    const __m128 v0 = _mm_set1_ps(g->vq[0]), v1 = _mm_set1_ps(g->vq[1]), v2 = _mm_set1_ps(g->vq[2]);
    const __m128 one = _mm_set1_ps(1.0f), tf = _mm_set1_ps(g->tf), acc = _mm_set1_ps(g->acc_km);
    __m128 k[MATCH_TIERS - 1];
    for (unsigned t = 0; t < MATCH_TIERS - 1; t++)
        k[t] = _mm_set1_ps(match_tier_k(t));
    uint64_t n[MATCH_TIERS - 1] = {0}, alive = match_gate_alive(g, o);
    for (unsigned j = 0; j < MATCH_BLOCK / 4; j++) {
        if (!((alive >> (4 * j)) & 15))
            continue;
        size_t i = base + 4 * j;
        __m128 d[3];
        const __m128 v[3] = {v0, v1, v2};
        for (int c = 0; c < 3; c++) {
            __m128i q = _mm_loadl_epi64((const __m128i *)(idx->w_q[c] + i));
            q = _mm_srai_epi32(_mm_unpacklo_epi16(q, q), 16); /* sign-extend */
            d[c] = _mm_sub_ps(_mm_cvtepi32_ps(q), v[c]);
        }
        __m128 c2 = _mm_add_ps(_mm_add_ps(_mm_mul_ps(d[0], d[0]), _mm_mul_ps(d[1], d[1])),
                               _mm_mul_ps(d[2], d[2]));
        __m128i c16 = _mm_loadl_epi64((const __m128i *)(idx->w_commute + i));
        __m128 cm = _mm_cvtepi32_ps(_mm_unpacklo_epi16(c16, zero));
        __m128 r = _mm_max_ps(_mm_mul_ps(_mm_max_ps(cm, one), tf), acc);
        for (unsigned t = 0; t < MATCH_TIERS - 1 && !g->cut; t++) {
            __m128 l = _mm_mul_ps(r, k[t]);
            n[t] |= (uint64_t)_mm_movemask_ps(_mm_cmple_ps(c2, _mm_mul_ps(l, l))) << (4 * j);
        }
    }
    memcpy(o->near, n, sizeof n);
    if (g->cut) /* with the cut, one tier: the cut already dropped the far ones */
        memset(o->near, 0xff, sizeof o->near);
    if (g->cut) { /* scalar, with the same arithmetic */
        struct match_gate_out t = *o;
        t.cut = 0;
        gate_place_scalar(idx, g, base, &t);
        o->cut = t.cut;
    } else {
        o->cut = ~0ull;
    }
}

void match_gate_block_sse2(const struct match_index *idx, const struct match_gate *g, size_t base,
                           struct match_gate_out *o)
{
    gate_flags(idx->w_flags + base, g, o);
    gate_county(idx->w_county + base, g, o);
    gate_days(idx->w_avail + base, idx->w_birth + base, g, o);
    gate_skills(idx->w_skill[0] + base, g, o);
    o->cert = gate_certs(idx->w_cert + base, g);
    memset(o->near, 0, sizeof o->near);
    if (g->tiers) {
        gate_tiers(idx, base, g, o);
    } else {
        memset(o->near, 0, sizeof o->near);
        o->cut = ~0ull;
    }
}

#else

void match_gate_block_sse2(const struct match_index *idx, const struct match_gate *g, size_t base,
                           struct match_gate_out *o)
{
    match_gate_block_scalar(idx, g, base, o);
}

#endif

void match_gate_place_c2(const struct match_index *idx, struct match_gate *g)
{
    g->n_place_c2 = idx->p_top < MATCH_GATE_PLACES ? idx->p_top : MATCH_GATE_PLACES;
    for (uint32_t p = 0; p < g->n_place_c2; p++) {
        const int16_t *q = idx->p_q[p];
        float dx = (float)q[0] - g->vq[0], dy = (float)q[1] - g->vq[1];
        float dz = (float)q[2] - g->vq[2];
        g->place_c2[p] = dx * dx + dy * dy + dz * dz; /* as gate_place_scalar */
    }
}

void match_gate_prefetch(const struct match_index *idx, const struct match_gate *g, size_t base)
{
    if (base >= idx->w_top)
        return;
    for (unsigned l = 0; l < 2; l++) { /* 64 two-byte lanes: two lines */
        __builtin_prefetch(idx->w_flags + base + 32 * l);
        __builtin_prefetch(idx->w_avail + base + 32 * l);
        __builtin_prefetch(idx->w_birth + base + 32 * l);
        if (g->tiers) {
            __builtin_prefetch(idx->w_commute + base + 32 * l);
            __builtin_prefetch(idx->w_place + base + 32 * l);
        }
    }
    for (unsigned l = 0; l < 8; l++) {
        __builtin_prefetch(idx->w_skill[0] + base + 8 * l);
        if (g->cert_must)
            __builtin_prefetch(idx->w_cert + base + 8 * l);
    }
    if (g->resident)
        __builtin_prefetch(idx->w_county + base);
}

void match_gate_block(const struct match_index *idx, const struct match_gate *g, size_t base,
                      struct match_gate_out *o)
{
    if (idx->gate_avx512 && idx->gate_avx2)
        match_gate_block_avx512(idx, g, base, o);
    else if (idx->gate_avx2)
        match_gate_block_avx2(idx, g, base, o);
    else
        match_gate_block_sse2(idx, g, base, o);
}

void match_gate_hi(const struct match_index *idx, const struct match_gate *g, size_t base,
                   struct match_gate_out *o)
{
    for (uint64_t a = o->live; a; a &= a - 1) {
        unsigned i = (unsigned)__builtin_ctzll(a);
        bool must = true, rel = false;
        for (int p = 1; p < MATCH_PLANES; p++) {
            uint64_t sk = idx->w_skill[p] ? idx->w_skill[p][base + i] : 0;
            must &= (sk & g->must_hi[p - 1]) == g->must_hi[p - 1];
            rel |= (sk & g->relu_hi[p - 1]) != 0;
        }
        if (!must)
            o->must &= ~(1ull << i);
        if (rel)
            o->rel |= 1ull << i;
    }
}

void match_gate_chunk_blocks(const struct match_index *idx, const struct match_gate *g,
                             struct match_gate_chunk *c, uint64_t removed[MATCH_F_COUNT],
                             uint64_t *scanned,
                             void (*block)(const struct match_index *, const struct match_gate *,
                                           size_t, struct match_gate_out *))
{
    c->n_surv = 0;
    c->dropped = false;
    for (size_t b = 0; b < c->n; b++) {
        size_t base = c->base + b * MATCH_BLOCK;
        struct match_gate_out o;
        match_gate_prefetch(idx, g, base + MATCH_GATE_AHEAD * MATCH_BLOCK);
        block(idx, g, base, &o);
        if (g->hi)
            match_gate_hi(idx, g, base, &o);
        match_gate_chunk_keep(idx, g, c, b, &o, match_gate_charge(idx, g, &o, removed, scanned));
    }
}

void match_gate_chunk(const struct match_index *idx, const struct match_gate *g,
                      struct match_gate_chunk *c, uint64_t removed[MATCH_F_COUNT],
                      uint64_t *scanned)
{
    if (idx->gate_avx512 && idx->gate_avx2 && !g->hi)
        match_gate_chunk_avx512(idx, g, c, removed, scanned);
    else if (idx->gate_avx2 && !g->hi)
        match_gate_chunk_avx2(idx, g, c, removed, scanned);
    else
        match_gate_chunk_blocks(idx, g, c, removed, scanned, match_gate_block);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

/* Every CPU with AVX2 has POPCNT; the library is built for those without. */
__attribute__((target("popcnt"))) static uint64_t
gate_charge_popcnt(const struct match_gate *g, const struct match_gate_out *o,
                   uint64_t removed[MATCH_F_COUNT], uint64_t *scanned)
{
    return match_gate_charge_in(g, o, removed, scanned, true);
}

uint64_t match_gate_charge(const struct match_index *idx, const struct match_gate *g,
                           const struct match_gate_out *o, uint64_t removed[MATCH_F_COUNT],
                           uint64_t *scanned)
{
    if (idx->gate_avx2)
        return gate_charge_popcnt(g, o, removed, scanned);
    return match_gate_charge_in(g, o, removed, scanned, false);
}

#else

uint64_t match_gate_charge(const struct match_index *idx, const struct match_gate *g,
                           const struct match_gate_out *o, uint64_t removed[MATCH_F_COUNT],
                           uint64_t *scanned)
{
    (void)idx;
    return match_gate_charge_in(g, o, removed, scanned, false);
}

#endif
