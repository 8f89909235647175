/*
 * match_gate_avx512: the worker gate (match_gate.c) sixteen to sixty-four
 * lanes wide, for CPUs with AVX-512 F, BW and VL (picked at run time).  It
 * gives the scalar build's masks bit for bit (test_match_query.c).  A scan
 * runs it a chunk at a time (match_gate_chunk_avx512): one loop over the
 * blocks, the tests inlined, the charges with POPCNT.
 */
#include "match_int.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

/* The compares give bit masks directly, so a test costs one or two
 * instructions a block.  The arithmetic of the tiers and the cut is the
 * scalar build's. */
#define AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))
#define Z_INLINE __attribute__((always_inline)) /* into the chunk's loop */

AVX512 static inline Z_INLINE uint64_t z_flag_test(const uint16_t *fl, uint16_t bits, bool none)
{
    const __m512i b = _mm512_set1_epi16((short)bits);
    __m512i f0 = _mm512_loadu_si512(fl), f1 = _mm512_loadu_si512(fl + 32);
    if (none)
        return (uint64_t)_mm512_testn_epi16_mask(f0, b) | (uint64_t)_mm512_testn_epi16_mask(f1, b)
                                                              << 32;
    return (uint64_t)_mm512_test_epi16_mask(f0, b) | (uint64_t)_mm512_test_epi16_mask(f1, b) << 32;
}

AVX512 static inline Z_INLINE void z_flags(const uint16_t *fl, const uint8_t *county,
                                           const struct match_gate *g, struct match_gate_out *o)
{
    o->live = z_flag_test(fl, MATCH_W_LIVE, false);
    o->seek = z_flag_test(fl, MATCH_W_SEEKING, false);
    o->consent = g->broker ? z_flag_test(fl, MATCH_W_CONSENT_BROKERS, false) : ~0ull;
    o->post = g->post_flags ? z_flag_test(fl, g->post_flags, true) : ~0ull;
    o->hpost = g->hpost_flags ? z_flag_test(fl, g->hpost_flags, true) : ~0ull;
    o->resident = ~0ull;
    if (g->resident)
        o->resident = z_flag_test(fl, MATCH_W_RELOCATED | MATCH_W_LOCAL_RESIDENT, false) &
                      (uint64_t)_mm512_cmpeq_epi8_mask(_mm512_loadu_si512(county),
                                                       _mm512_set1_epi8((char)g->county));
}

AVX512 static inline Z_INLINE void z_days(const uint16_t *av, const uint16_t *bi,
                                          const struct match_gate *g, struct match_gate_out *o)
{
    const __m512i by = _mm512_set1_epi16((short)g->avail_by);
    const __m512i lo = _mm512_set1_epi16((short)g->born_lo);
    const __m512i span = _mm512_set1_epi16((short)g->born_span);
    uint64_t avail = 0, age = 0;
    for (unsigned j = 0; j < 2; j++) {
        avail |= (uint64_t)_mm512_cmple_epu16_mask(_mm512_loadu_si512(av + 32 * j), by) << (32 * j);
        __m512i b = _mm512_sub_epi16(_mm512_loadu_si512(bi + 32 * j), lo);
        age |= (uint64_t)_mm512_cmple_epu16_mask(b, span) << (32 * j);
    }
    o->avail = avail, o->age = g->nobody_of_age ? 0 : age;
}

/* Lanes 8j to 8j + 7 of p: any bit of m set, or (all) every bit of m. */
AVX512 static inline Z_INLINE __mmask16 z_k8(const uint64_t *p, unsigned j, __m512i m, bool all)
{
    __m512i s = _mm512_loadu_si512(p + 8 * j);
    return all ? _mm512_cmpeq_epi64_mask(_mm512_and_si512(s, m), m) : _mm512_test_epi64_mask(s, m);
}

/* The 64 lanes of p as z_k8 tests them, the eight masks joined in the mask
 * registers (shifting each into a word cost three instructions). */
AVX512 static inline Z_INLINE uint64_t z_test64(const uint64_t *p, uint64_t bits, bool all)
{
    const __m512i m = _mm512_set1_epi64((long long)bits);
    all = all && (bits & (bits - 1)); /* one bit: "all" is "any" */
    __mmask32 lo = _mm512_kunpackw(_mm512_kunpackb(z_k8(p, 3, m, all), z_k8(p, 2, m, all)),
                                   _mm512_kunpackb(z_k8(p, 1, m, all), z_k8(p, 0, m, all)));
    __mmask32 hi = _mm512_kunpackw(_mm512_kunpackb(z_k8(p, 7, m, all), z_k8(p, 6, m, all)),
                                   _mm512_kunpackb(z_k8(p, 5, m, all), z_k8(p, 4, m, all)));
    return (uint64_t)_mm512_kunpackd(hi, lo);
}

/* The skill and certificate tests the charges read, only those the query
 * makes.  Each test costs eight compares a block, as much as the flag and
 * day tests together. */
AVX512 static inline Z_INLINE void z_skills(const uint64_t *sk, const uint64_t *certs,
                                            const struct match_gate *g, struct match_gate_out *o)
{
    o->must = g->must0 ? z_test64(sk, g->must0, true) : ~0ull;
    o->cert = g->cert_must ? z_test64(certs, g->cert_must, true) : ~0ull;
}

/* What only the workers that pass the tests need: a relevant skill, and
 * with the cut every listed one (two or more of them comes later, for the
 * lanes whose cut class is looked up: z_multi), for the cut and the tier
 * walk; the priority flags when the part has points.  The chunk's loop
 * makes these tests only for the blocks with such workers (two in three on
 * the benchmark's mix). */
AVX512 static inline Z_INLINE void z_later(const uint64_t *sk, const uint16_t *fl,
                                           const struct match_gate *g, struct match_gate_out *o)
{
    o->rel = g->relu0 ? z_test64(sk, g->relu0, false) : 0;
    o->full = g->cut && g->req0 ? z_test64(sk, g->req0, true) : ~0ull;
    o->multi = 0;
    o->prio[0] = o->prio[1] = o->prio[2] = 0;
    if (g->prio) {
        o->prio[0] = z_flag_test(fl, MATCH_W_RELOCATED, false);
        o->prio[1] = z_flag_test(fl, MATCH_W_H_MON, false);
        o->prio[2] = z_flag_test(fl, MATCH_W_H_ZERO, false);
    }
}

/* Two or more of the listed skills (req0) held, sixteen lanes. */
AVX512 static inline Z_INLINE unsigned z_multi(const uint64_t *sk, const struct match_gate *g)
{
    const __m512i req = _mm512_set1_epi64((long long)g->req0), one = _mm512_set1_epi64(1);
    unsigned multi = 0;
    for (unsigned j = 0; j < 2; j++) {
        __m512i h = _mm512_and_si512(_mm512_loadu_si512(sk + 8 * j), req);
        multi |= (unsigned)_mm512_test_epi64_mask(h, _mm512_sub_epi64(h, one)) << (8 * j);
    }
    return multi;
}

/* Sixteen lanes from j: effective radius (km) and squared chord to the workplace. */
AVX512 static inline Z_INLINE __m512 z_radius(const struct match_index *idx,
                                              const struct match_gate *g, size_t i)
{
    __m512i c32 = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(idx->w_commute + i)));
    __m512 cm = _mm512_max_ps(_mm512_cvtepi32_ps(c32), _mm512_set1_ps(1.0f));
    return _mm512_max_ps(_mm512_mul_ps(cm, _mm512_set1_ps(g->tf)), _mm512_set1_ps(g->acc_km));
}

/* The squared chord of sixteen lanes computed from the site: from the place
 * table, two gathers of the packed entries, as 32-bit lanes (q0 | q1 << 16,
 * q2); workers without a place read w_q. */
AVX512 static __m512 z_chord2_exact(const struct match_index *idx, const struct match_gate *g,
                                    size_t i, __m512i p32)
{
    __m512i a = _mm512_i32gather_epi64(_mm512_castsi512_si256(p32), idx->p_q, 8);
    __m512i b = _mm512_i32gather_epi64(_mm512_extracti64x4_epi64(p32, 1), idx->p_q, 8);
    const __m512i even =
        _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    __m512i xy = _mm512_permutex2var_epi32(a, even, b);
    __m512i zz = _mm512_permutex2var_epi32(a, _mm512_add_epi32(even, _mm512_set1_epi32(1)), b);
    __m512i q[3] = {_mm512_srai_epi32(_mm512_slli_epi32(xy, 16), 16), _mm512_srai_epi32(xy, 16),
                    _mm512_srai_epi32(_mm512_slli_epi32(zz, 16), 16)};
    __mmask16 none =
        idx->p_none ? _mm512_cmpeq_epi32_mask(p32, _mm512_set1_epi32(MATCH_PLACE_NONE)) : 0;
    __m512 d[3];
    for (int c = 0; c < 3; c++) {
        if (none)
            q[c] = _mm512_mask_mov_epi32(
                q[c], none,
                _mm512_cvtepi16_epi32(_mm256_loadu_si256((const __m256i *)(idx->w_q[c] + i))));
        d[c] = _mm512_sub_ps(_mm512_cvtepi32_ps(q[c]), _mm512_set1_ps(g->vq[c]));
    }
    return _mm512_add_ps(_mm512_add_ps(_mm512_mul_ps(d[0], d[0]), _mm512_mul_ps(d[1], d[1])),
                         _mm512_mul_ps(d[2], d[2]));
}

/* Sixteen lanes from i: the squared chord to the workplace, looked up in the
 * query's place table (one gather), computed for places beyond it. */
AVX512 static inline Z_INLINE __m512 z_chord2(const struct match_index *idx,
                                              const struct match_gate *g, size_t i, unsigned live)
{
    __m512i p32 = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(idx->w_place + i)));
    __mmask16 in = _mm512_cmplt_epu32_mask(p32, _mm512_set1_epi32((int)g->n_place_c2));
    __m512 c2 = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), in, p32, g->place_c2, 4);
    if (live & ~in)
        c2 = _mm512_mask_mov_ps(c2, (__mmask16)~in, z_chord2_exact(idx, g, i, p32));
    return c2;
}

/* The cut class of sixteen lanes (match_cut_class). */
AVX512 static inline Z_INLINE __m512i z_class(const uint16_t *fl, const struct match_gate *g,
                                              unsigned rel, unsigned full, unsigned multi)
{
    __m512i f = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)fl));
    __m512i cls = _mm512_maskz_mov_epi32((__mmask16)rel, _mm512_set1_epi32(1));
    cls = _mm512_mask_mov_epi32(cls, (__mmask16)full, _mm512_or_si512(cls, _mm512_set1_epi32(32)));
    cls = _mm512_or_si512(cls, _mm512_and_si512(_mm512_srli_epi32(f, 4), _mm512_set1_epi32(2)));
    cls = _mm512_or_si512(cls, _mm512_and_si512(_mm512_srli_epi32(f, 8), _mm512_set1_epi32(4)));
    cls = _mm512_or_si512(cls, _mm512_and_si512(_mm512_srli_epi32(f, 6), _mm512_set1_epi32(8)));
    __mmask16 w = g->willing_flags ? _mm512_test_epi32_mask(f, _mm512_set1_epi32(g->willing_flags))
                                   : (__mmask16)multi;
    return _mm512_mask_or_epi32(cls, w, cls, _mm512_set1_epi32(16));
}

/* cut_k[cls] for sixteen lanes: two permutes over 32 entries each, then bit 5
 * of the class picks one (a gather costs more than the rest of the test). */
AVX512 static inline __m512 z_cut_k(const struct match_gate *g, __m512i cls)
{
    __m512 lo =
        _mm512_permutex2var_ps(_mm512_loadu_ps(g->cut_k), cls, _mm512_loadu_ps(g->cut_k + 16));
    __m512 hi =
        _mm512_permutex2var_ps(_mm512_loadu_ps(g->cut_k + 32), cls, _mm512_loadu_ps(g->cut_k + 48));
    return _mm512_mask_blend_ps(_mm512_test_epi32_mask(cls, _mm512_set1_epi32(32)), lo, hi);
}

/* The cut, sixteen lanes: as avx_tiers, the range of k first, then the
 * class of the lanes in between.  The upper end of the range is the largest
 * k of the lane's skill classes (none relevant, relevant, all listed held):
 * on the benchmark's mix the overall largest k sent 41 % of the groups with
 * live lanes to the class lookup, mostly for workers whose skills could not
 * reach the page at that distance. */
/* The skill part's bound of sixteen lanes (match_gate_hot_bound). */
AVX512 static __m512 z_hot_skill(const struct match_gate_hot *h, const uint64_t *sk)
{
    if (!h->n)
        return _mm512_set1_ps(1.0f);
    __m512i s0 = _mm512_loadu_si512(sk), s1 = _mm512_loadu_si512(sk + 8);
    __m512 sum = _mm512_setzero_ps();
    for (unsigned j = 0; j < h->n; j++) {
        __m512i b = _mm512_set1_epi64((long long)h->held[j]);
        __m512i rb = _mm512_set1_epi64((long long)h->rel[j]);
        __mmask16 held =
            _mm512_kunpackb(_mm512_test_epi64_mask(s1, b), _mm512_test_epi64_mask(s0, b));
        __mmask16 rel =
            _mm512_kunpackb(_mm512_test_epi64_mask(s1, rb), _mm512_test_epi64_mask(s0, rb));
        sum = _mm512_mask_add_ps(sum, held, sum, _mm512_set1_ps(h->w[j]));
        sum = _mm512_mask_add_ps(sum, rel & ~held, sum, _mm512_set1_ps(h->wrc[j]));
    }
    return _mm512_div_ps(sum, _mm512_set1_ps(h->wsum));
}

/* Kilometres from squared chords in stored units (match_km_from_chord2);
 * lanes of far beyond 1600 km go through the scalar code. */
AVX512 static __m512 z_km(__m512 c2, unsigned lanes)
{
    __m512 x = _mm512_mul_ps(c2, _mm512_set1_ps(1.0f / (MATCH_Q * MATCH_Q)));
    __m512 h = _mm512_mul_ps(_mm512_sqrt_ps(x), _mm512_set1_ps(0.5f)), h2 = _mm512_mul_ps(h, h);
    __m512 t = _mm512_mul_ps(h2, _mm512_set1_ps(15.0f / 336));
    t = _mm512_mul_ps(h2, _mm512_add_ps(_mm512_set1_ps(3.0f / 40), t));
    t = _mm512_mul_ps(h2, _mm512_add_ps(_mm512_set1_ps(1.0f / 6), t));
    t = _mm512_mul_ps(h, _mm512_add_ps(_mm512_set1_ps(1.0f), t));
    __m512 km = _mm512_mul_ps(_mm512_set1_ps((float)(2.0 * MATCH_EARTH_KM)), t);
    unsigned far = _mm512_cmp_ps_mask(h, _mm512_set1_ps(0.125f), _CMP_GE_OQ) & lanes;
    if (far) {
        float xs[16], ks[16];
        _mm512_storeu_ps(xs, x);
        _mm512_storeu_ps(ks, km);
        for (; far; far &= far - 1) {
            unsigned i = (unsigned)__builtin_ctz(far);
            ks[i] = match_km_from_chord2(xs[i]);
        }
        km = _mm512_loadu_ps(ks);
    }
    return km;
}

/* The lanes of live whose hot bound reaches the floor (struct match_gate_hot):
 * match_gate_hot_bound sixteen lanes at a time, the same operations in the
 * same order. */
AVX512 static unsigned z_hot16(const struct match_index *idx, const struct match_gate *g, size_t i,
                               unsigned live, __m512 r, __m512 c2)
{
    const struct match_gate_hot *h = &g->hot;
    const __m512 zero = _mm512_setzero_ps(), one = _mm512_set1_ps(1.0f);
    __m512i f = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(idx->w_flags + i)));
    __m512 skill = z_hot_skill(h, idx->w_skill[0] + i), dist;
    if (h->export) {
        dist = _mm512_mask_mov_ps(
            zero, _mm512_test_epi32_mask(f, _mm512_set1_epi32(g->willing_flags)), one);
    } else {
        __m512 km = z_km(c2, live);
        __mmask16 near = _mm512_cmp_ps_mask(km, r, _CMP_LE_OQ);
        __m512 in = _mm512_sub_ps(one, _mm512_div_ps(_mm512_mul_ps(_mm512_set1_ps(0.2f), km), r));
        __m512 out = _mm512_mul_ps(_mm512_set1_ps(0.8f),
                                   _mm512_sub_ps(_mm512_set1_ps(2.0f), _mm512_div_ps(km, r)));
        out = _mm512_mask_mov_ps(out, _mm512_cmp_ps_mask(out, zero, _CMP_LT_OQ), zero);
        out = _mm512_mask_mov_ps(out, _mm512_cmp_ps_mask(out, one, _CMP_GT_OQ), one);
        dist = _mm512_mask_blend_ps(near, out, in);
        if (!h->accommodation) {
            __mmask16 half =
                _mm512_test_epi32_mask(f, _mm512_set1_epi32(MATCH_W_NEEDS_ACCOMMODATION)) &
                _mm512_cmp_ps_mask(km, r, _CMP_GT_OQ);
            dist = _mm512_mask_mul_ps(dist, half, dist, _mm512_set1_ps(0.5f));
        }
    }
    __m512 prio = zero;
    static const uint16_t pf[3] = {MATCH_W_RELOCATED, MATCH_W_H_MON, MATCH_W_H_ZERO};
    for (unsigned b = 0; b < 3; b++)
        prio = _mm512_mask_add_ps(prio, _mm512_test_epi32_mask(f, _mm512_set1_epi32(pf[b])), prio,
                                  _mm512_set1_ps(h->prio[b]));
    prio = _mm512_mask_mov_ps(prio, _mm512_cmp_ps_mask(prio, one, _CMP_GT_OQ), one);
    __m512 t = _mm512_add_ps(_mm512_mul_ps(_mm512_set1_ps(h->pts_skill), skill),
                             _mm512_mul_ps(_mm512_set1_ps(h->pts_dist), dist));
    t = _mm512_add_ps(t, _mm512_mul_ps(_mm512_set1_ps(h->pts_prio), prio));
    t = _mm512_add_ps(t, _mm512_set1_ps(h->rest));
    __m512i b = _mm512_cvttps_epi32(
        _mm512_add_ps(_mm512_mul_ps(t, _mm512_set1_ps(100.0f)), _mm512_set1_ps(0.5f)));
    b = _mm512_add_epi32(b, _mm512_set1_epi32(1));
    return live & _mm512_cmpge_epi32_mask(b, _mm512_set1_epi32(h->floor));
}

AVX512 static inline Z_INLINE unsigned z_cut16(const struct match_index *idx,
                                               const struct match_gate *g, size_t i, unsigned live,
                                               const struct match_gate_out *o, unsigned j)
{
    __m512 r = z_radius(idx, g, i), c2 = z_chord2(idx, g, i, live);
    __mmask16 rel = (__mmask16)(o->rel >> (16 * j)), full = (__mmask16)(o->full >> (16 * j));
    __m512 kmax = _mm512_mask_blend_ps(rel, _mm512_set1_ps(g->cut_kmax_by[0]),
                                       _mm512_set1_ps(g->cut_kmax_by[1]));
    kmax = _mm512_mask_blend_ps(full, kmax, _mm512_set1_ps(g->cut_kmax_by[2]));
    __m512 lmax = _mm512_mul_ps(r, kmax); /* k < 0: nobody of that class reaches */
    unsigned hi = _mm512_cmp_ps_mask(kmax, _mm512_setzero_ps(), _CMP_GE_OQ) &
                  _mm512_cmp_ps_mask(c2, _mm512_mul_ps(lmax, lmax), _CMP_LE_OQ);
    __m512 lmin = _mm512_mul_ps(r, _mm512_set1_ps(g->cut_kmin));
    unsigned lo =
        g->cut_kmin >= 0 ? _mm512_cmp_ps_mask(c2, _mm512_mul_ps(lmin, lmin), _CMP_LE_OQ) : 0;
    if (!(hi & ~lo & live))
        return g->hot.on && (lo & live) ? z_hot16(idx, g, i, lo & live, r, c2) : lo;
    unsigned multi = !g->willing_flags && g->req0 ? z_multi(idx->w_skill[0] + i, g) : 0;
    __m512i cls = z_class(idx->w_flags + i, g, (unsigned)(o->rel >> (16 * j)) & 0xffff,
                          (unsigned)(o->full >> (16 * j)) & 0xffff, multi);
    __m512 lim = _mm512_mul_ps(r, z_cut_k(g, cls));
    unsigned in = _mm512_cmp_ps_mask(lim, _mm512_setzero_ps(), _CMP_GE_OQ) &
                  _mm512_cmp_ps_mask(c2, _mm512_mul_ps(lim, lim), _CMP_LE_OQ);
    return g->hot.on && (in & live) ? z_hot16(idx, g, i, in & live, r, c2) : in;
}

AVX512 static inline Z_INLINE void z_tiers(const struct match_index *idx, size_t base,
                                           const struct match_gate *g, struct match_gate_out *o,
                                           uint64_t alive)
{
    uint64_t n[MATCH_TIERS - 1] = {0}, cut = 0;
    for (unsigned j = 0; j < MATCH_BLOCK / 16; j++) {
        unsigned live = (unsigned)(alive >> (16 * j)) & 0xffff;
        if (!live)
            continue;
        size_t i = base + 16 * j;
        if (g->cut) {
            cut |= (uint64_t)z_cut16(idx, g, i, live, o, j) << (16 * j);
            continue;
        }
        __m512 r = z_radius(idx, g, i), c2 = z_chord2(idx, g, i, live);
        for (unsigned t = 0; t < MATCH_TIERS - 1; t++) {
            __m512 l = _mm512_mul_ps(r, _mm512_set1_ps(match_tier_k(t)));
            n[t] |= (uint64_t)_mm512_cmp_ps_mask(c2, _mm512_mul_ps(l, l), _CMP_LE_OQ) << (16 * j);
        }
    }
    memcpy(o->near, n, sizeof n);
    if (g->cut) /* with the cut, one tier: the cut already dropped the far ones */
        memset(o->near, 0xff, sizeof o->near);
    o->cut = g->cut ? cut : ~0ull;
}

AVX512 static inline Z_INLINE void z_tests(const struct match_index *idx,
                                           const struct match_gate *g, size_t base,
                                           struct match_gate_out *o)
{
    z_flags(idx->w_flags + base, idx->w_county + base, g, o);
    z_days(idx->w_avail + base, idx->w_birth + base, g, o);
    z_skills(idx->w_skill[0] + base, idx->w_cert + base, g, o);
}

AVX512 void match_gate_block_avx512(const struct match_index *idx, const struct match_gate *g,
                                    size_t base, struct match_gate_out *o)
{
    z_tests(idx, g, base, o);
    z_later(idx->w_skill[0] + base, idx->w_flags + base, g, o);
    if (g->tiers) {
        z_tiers(idx, base, g, o, match_gate_alive(g, o));
    } else {
        memset(o->near, 0, sizeof o->near);
        o->cut = ~0ull;
    }
}

/* Every CPU with AVX-512 has POPCNT: the charges are one instruction each. */
#define AVX512_POPCNT __attribute__((target("avx512f,avx512bw,avx512vl,popcnt")))

/* match_gate_chunk: the tests, charges and tiers of every block in one loop,
 * so the query's constants stay in registers and nothing is called a block. */
AVX512_POPCNT void match_gate_chunk_avx512(const struct match_index *idx,
                                           const struct match_gate *g, struct match_gate_chunk *c,
                                           uint64_t removed[MATCH_F_COUNT], uint64_t *scanned)
{
    uint64_t n[MATCH_F_COUNT] = {0}, n_live = 0; /* the charges, in locals */
    c->n_surv = 0;
    c->dropped = false;
    for (size_t b = 0; b < c->n; b++) {
        size_t base = c->base + b * MATCH_BLOCK;
        struct match_gate_out o;
        match_gate_prefetch(idx, g, base + MATCH_GATE_AHEAD * MATCH_BLOCK);
        z_tests(idx, g, base, &o);
        uint64_t a = match_gate_charge_in(g, &o, n, &n_live, true);
        o.cut = ~0ull;
        memset(o.near, 0, sizeof o.near);
        if (a) /* the others are not read */
            z_later(idx->w_skill[0] + base, idx->w_flags + base, g, &o);
        if (g->tiers && a)
            z_tiers(idx, base, g, &o, a);
        match_gate_chunk_keep(idx, g, c, b, &o, a);
    }
    *scanned += n_live;
    match_gate_charges_add(removed, n);
}

bool match_gate_has_avx512(void)
{
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl");
}

#else

bool match_gate_has_avx512(void)
{
    return false;
}

void match_gate_block_avx512(const struct match_index *idx, const struct match_gate *g, size_t base,
                             struct match_gate_out *o)
{
    match_gate_block(idx, g, base, o);
}

void match_gate_chunk_avx512(const struct match_index *idx, const struct match_gate *g,
                             struct match_gate_chunk *c, uint64_t removed[MATCH_F_COUNT],
                             uint64_t *scanned)
{
    match_gate_chunk_blocks(idx, g, c, removed, scanned, match_gate_block);
}

#endif
