/*
 * match_gate_avx2: the worker gate (match_gate.c) eight to thirty-two lanes
 * wide, for CPUs with AVX2 (picked at run time).  It gives the scalar
 * build's masks bit for bit (test_match_query.c).  A scan runs it a chunk at
 * a time (match_gate_chunk_avx2), as the AVX-512 build does: one loop over
 * the blocks, the tests inlined and only those the query makes, the charges
 * with POPCNT, the tests only survivors need made only for blocks that have
 * some, and the hot bound eight lanes at a time.
 */
#include "match_int.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

/* Every CPU with AVX2 has POPCNT.  No FMA: the arithmetic stays the scalar
 * build's, rounding for rounding. */
#define AVX2 __attribute__((target("avx2,popcnt")))
#define Y_INLINE __attribute__((always_inline)) /* into the chunk's loop */

/* The flags of 64 lanes as bytes: lo[h] the low bytes of lanes 32h to
 * 32h + 31 in order, hi[h] the high bytes.  A one-bit test is then a shift
 * and a byte mask per 32 lanes. */
struct y_flags {
    __m256i lo[2], hi[2];
};

AVX2 static inline Y_INLINE void y_flags_load(const uint16_t *fl, struct y_flags *f)
{
    const __m256i ff = _mm256_set1_epi16(0xff);
    for (unsigned h = 0; h < 2; h++) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(fl + 32 * h));
        __m256i b = _mm256_loadu_si256((const __m256i *)(fl + 32 * h + 16));
        /* the packs work within 128-bit halves: the permute puts the lanes in order */
        f->lo[h] = _mm256_permute4x64_epi64(
            _mm256_packus_epi16(_mm256_and_si256(a, ff), _mm256_and_si256(b, ff)), 0xd8);
        f->hi[h] = _mm256_permute4x64_epi64(
            _mm256_packus_epi16(_mm256_srli_epi16(a, 8), _mm256_srli_epi16(b, 8)), 0xd8);
    }
}

/* The lanes with any bit of m (not 0) set. */
AVX2 static inline Y_INLINE uint64_t y_any(const struct y_flags *f, uint16_t m)
{
    uint64_t r = 0;
    for (unsigned h = 0; h < 2; h++) {
        uint32_t bits;
        if (!(m & (m - 1))) { /* one bit: shifted to the top of each byte */
            unsigned b = (unsigned)__builtin_ctz(m);
            bits = (uint32_t)_mm256_movemask_epi8(
                _mm256_slli_epi16(b < 8 ? f->lo[h] : f->hi[h], (int)(7 - (b & 7))));
        } else {
            __m256i x =
                _mm256_or_si256(_mm256_and_si256(f->lo[h], _mm256_set1_epi8((char)(m & 0xff))),
                                _mm256_and_si256(f->hi[h], _mm256_set1_epi8((char)(m >> 8))));
            bits = ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, _mm256_setzero_si256()));
        }
        r |= (uint64_t)bits << (32 * h);
    }
    return r;
}

/* The lanes of p (64) with (uint16_t)(p[i] - lo) <= span. */
AVX2 static inline Y_INLINE uint64_t y_le16(const uint16_t *p, uint16_t lo, uint16_t span)
{
    const __m256i l = _mm256_set1_epi16((short)lo), s = _mm256_set1_epi16((short)span);
    uint64_t r = 0;
    for (unsigned h = 0; h < 2; h++) {
        __m256i a = _mm256_sub_epi16(_mm256_loadu_si256((const __m256i *)(p + 32 * h)), l);
        __m256i b = _mm256_sub_epi16(_mm256_loadu_si256((const __m256i *)(p + 32 * h + 16)), l);
        __m256i ea = _mm256_cmpeq_epi16(_mm256_max_epu16(a, s), s);
        __m256i eb = _mm256_cmpeq_epi16(_mm256_max_epu16(b, s), s);
        __m256i e = _mm256_permute4x64_epi64(_mm256_packs_epi16(ea, eb), 0xd8);
        r |= (uint64_t)(uint32_t)_mm256_movemask_epi8(e) << (32 * h);
    }
    return r;
}

/* Lanes 8j to 8j + 7 of p: (p & m) == 0, as the high dwords of the compares
 * of lanes 0-3 and 4-7 in the order 0 1 4 5 | 2 3 6 7. */
AVX2 static inline Y_INLINE __m256 y_none8(const uint64_t *p, __m256i m)
{
    const __m256i zero = _mm256_setzero_si256();
    __m256i a = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)p), m);
    __m256i b = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(p + 4)), m);
    return _mm256_shuffle_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi64(a, zero)),
                             _mm256_castsi256_ps(_mm256_cmpeq_epi64(b, zero)),
                             _MM_SHUFFLE(3, 1, 3, 1));
}

/* The same with every bit of m set. */
AVX2 static inline Y_INLINE __m256 y_all8(const uint64_t *p, __m256i m)
{
    __m256i a = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)p), m);
    __m256i b = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(p + 4)), m);
    return _mm256_shuffle_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi64(a, m)),
                             _mm256_castsi256_ps(_mm256_cmpeq_epi64(b, m)),
                             _MM_SHUFFLE(3, 1, 3, 1));
}

/* 64 lanes of p: every bit of m set (all) or any (!all).  Eight lanes give
 * eight dwords (y_none8), two packs make 32 lanes bytes, and a permute and
 * a byte shuffle put them in order for one movemask. */
AVX2 static inline Y_INLINE uint64_t y_test64(const uint64_t *p, uint64_t bits, bool all)
{
    const __m256i m = _mm256_set1_epi64x((long long)bits);
    const __m256i order = _mm256_setr_epi8(0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15, 0,
                                           1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15);
    all = all && (bits & (bits - 1)); /* one bit: "all" is "any" */
    uint64_t r = 0;
    for (unsigned h = 0; h < 2; h++) {
        __m256 x[4];
        for (unsigned j = 0; j < 4; j++)
            x[j] = all ? y_all8(p + 32 * h + 8 * j, m) : y_none8(p + 32 * h + 8 * j, m);
        __m256i w0 = _mm256_packs_epi32(_mm256_castps_si256(x[0]), _mm256_castps_si256(x[1]));
        __m256i w1 = _mm256_packs_epi32(_mm256_castps_si256(x[2]), _mm256_castps_si256(x[3]));
        __m256i b = _mm256_permute4x64_epi64(_mm256_packs_epi16(w0, w1), 0xd8);
        uint32_t bits32 = (uint32_t)_mm256_movemask_epi8(_mm256_shuffle_epi8(b, order));
        r |= (uint64_t)(all ? bits32 : ~bits32) << (32 * h);
    }
    return r;
}

/* Eight dwords of y_none8 or y_all8 in lane order. */
AVX2 static inline Y_INLINE __m256i y_lanes8(__m256 x)
{
    return _mm256_permute4x64_epi64(_mm256_castps_si256(x), 0xd8);
}

AVX2 static inline Y_INLINE uint64_t y_county(const uint8_t *county, uint8_t want)
{
    const __m256i w = _mm256_set1_epi8((char)want);
    uint64_t lo = (uint32_t)_mm256_movemask_epi8(
        _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)county), w));
    uint64_t hi = (uint32_t)_mm256_movemask_epi8(
        _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(county + 32)), w));
    return lo | hi << 32;
}

/* The tests the charges read, only those the query makes. */
AVX2 static inline Y_INLINE void y_tests(const struct match_index *idx, const struct match_gate *g,
                                         size_t base, struct match_gate_out *o, struct y_flags *f)
{
    y_flags_load(idx->w_flags + base, f);
    o->live = y_any(f, MATCH_W_LIVE);
    o->seek = y_any(f, MATCH_W_SEEKING);
    o->consent = g->broker ? y_any(f, MATCH_W_CONSENT_BROKERS) : ~0ull;
    o->post = g->post_flags ? ~y_any(f, g->post_flags) : ~0ull;
    o->hpost = g->hpost_flags ? ~y_any(f, g->hpost_flags) : ~0ull;
    o->resident = ~0ull;
    if (g->resident)
        o->resident = y_any(f, MATCH_W_RELOCATED | MATCH_W_LOCAL_RESIDENT) &
                      y_county(idx->w_county + base, g->county);
    o->avail = y_le16(idx->w_avail + base, 0, g->avail_by);
    o->age = g->nobody_of_age ? 0 : y_le16(idx->w_birth + base, g->born_lo, g->born_span);
    o->must = g->must0 ? y_test64(idx->w_skill[0] + base, g->must0, true) : ~0ull;
    o->cert = g->cert_must ? y_test64(idx->w_cert + base, g->cert_must, true) : ~0ull;
}

/* The priority flags, when the part has points: only the workers that pass
 * the tests need them. */
AVX2 static inline Y_INLINE void y_prio(const struct y_flags *f, const struct match_gate *g,
                                        struct match_gate_out *o)
{
    o->prio[0] = o->prio[1] = o->prio[2] = 0;
    if (g->prio) {
        o->prio[0] = y_any(f, MATCH_W_RELOCATED);
        o->prio[1] = y_any(f, MATCH_W_H_MON);
        o->prio[2] = y_any(f, MATCH_W_H_ZERO);
    }
}

/* What the chunk's loop decides once: the cut, a facet query's keep_far and
 * the hot bound (as in struct match_gate), constants in each of its copies. */
struct y_mode {
    bool cut, keep_far, hot;
};

/* Eight lanes from sk as lane masks: a relevant skill (rel), every listed
 * one (full, with the cut only; else all ones). */
AVX2 static inline Y_INLINE void y_skill8(const uint64_t *sk, const struct match_gate *g, bool cut,
                                          __m256i *rel, __m256i *full)
{
    *rel = g->relu0
               ? _mm256_xor_si256(y_lanes8(y_none8(sk, _mm256_set1_epi64x((long long)g->relu0))),
                                  _mm256_set1_epi32(-1))
               : _mm256_setzero_si256();
    *full = cut && g->req0 ? y_lanes8(y_all8(sk, _mm256_set1_epi64x((long long)g->req0)))
                           : _mm256_set1_epi32(-1);
}

/* Eight lanes from i: effective radius in km. */
AVX2 static inline Y_INLINE __m256 y_radius(const struct match_index *idx,
                                            const struct match_gate *g, size_t i)
{
    __m256i c32 = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(idx->w_commute + i)));
    __m256 cm = _mm256_max_ps(_mm256_cvtepi32_ps(c32), _mm256_set1_ps(1.0f));
    return _mm256_max_ps(_mm256_mul_ps(cm, _mm256_set1_ps(g->tf)), _mm256_set1_ps(g->acc_km));
}

/* Eight lanes from i: the squared chord computed from the site (the place
 * table, two gathers of the packed entries; workers without a place read
 * w_q), in the scalar build's arithmetic. */
AVX2 static __m256 y_chord2_exact(const struct match_index *idx, const struct match_gate *g,
                                  size_t i, __m256i p32)
{
    const long long *pq = (const long long *)(const void *)idx->p_q;
    __m256i a = _mm256_i32gather_epi64(pq, _mm256_castsi256_si128(p32), 8);
    __m256i b = _mm256_i32gather_epi64(pq, _mm256_extracti128_si256(p32, 1), 8);
    /* as 32-bit lanes each entry is (q0 | q1 << 16, q2): even lanes, then odd */
    __m256 ea = _mm256_castsi256_ps(a), eb = _mm256_castsi256_ps(b);
    __m256i xy = _mm256_permute4x64_epi64(
        _mm256_castps_si256(_mm256_shuffle_ps(ea, eb, _MM_SHUFFLE(2, 0, 2, 0))),
        _MM_SHUFFLE(3, 1, 2, 0));
    __m256i zz = _mm256_permute4x64_epi64(
        _mm256_castps_si256(_mm256_shuffle_ps(ea, eb, _MM_SHUFFLE(3, 1, 3, 1))),
        _MM_SHUFFLE(3, 1, 2, 0));
    __m256i q[3] = {_mm256_srai_epi32(_mm256_slli_epi32(xy, 16), 16), _mm256_srai_epi32(xy, 16),
                    _mm256_srai_epi32(_mm256_slli_epi32(zz, 16), 16)};
    if (idx->p_none) {
        __m256i none = _mm256_cmpeq_epi32(p32, _mm256_set1_epi32(MATCH_PLACE_NONE));
        if (_mm256_movemask_epi8(none))
            for (int c = 0; c < 3; c++)
                q[c] = _mm256_blendv_epi8(
                    q[c],
                    _mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *)(idx->w_q[c] + i))),
                    none);
    }
    __m256 d[3];
    for (int c = 0; c < 3; c++)
        d[c] = _mm256_sub_ps(_mm256_cvtepi32_ps(q[c]), _mm256_set1_ps(g->vq[c]));
    return _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(d[0], d[0]), _mm256_mul_ps(d[1], d[1])),
                         _mm256_mul_ps(d[2], d[2]));
}

/* Eight lanes from i: the squared chord to the workplace, looked up in the
 * query's place table (one gather), computed for places beyond it. */
AVX2 static inline Y_INLINE __m256 y_chord2(const struct match_index *idx,
                                            const struct match_gate *g, size_t i, unsigned live)
{
    __m256i p32 = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(idx->w_place + i)));
    __m256i in = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)g->n_place_c2), p32);
    __m256 c2 =
        _mm256_mask_i32gather_ps(_mm256_setzero_ps(), g->place_c2, p32, _mm256_castsi256_ps(in), 4);
    if (live & ~(unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(in)))
        c2 = _mm256_blendv_ps(y_chord2_exact(idx, g, i, p32), c2, _mm256_castsi256_ps(in));
    return c2;
}

/* The skill part's bound of eight lanes (match_gate_hot_bound). */
AVX2 static __m256 y_hot_skill(const struct match_gate_hot *h, const uint64_t *sk)
{
    if (!h->n)
        return _mm256_set1_ps(1.0f);
    __m256 sum = _mm256_setzero_ps();
    for (unsigned j = 0; j < h->n; j++) {
        __m256 none_held =
            _mm256_castsi256_ps(y_lanes8(y_none8(sk, _mm256_set1_epi64x((long long)h->held[j]))));
        __m256 none_rel =
            _mm256_castsi256_ps(y_lanes8(y_none8(sk, _mm256_set1_epi64x((long long)h->rel[j]))));
        __m256 with_rel =
            _mm256_blendv_ps(_mm256_add_ps(sum, _mm256_set1_ps(h->wrc[j])), sum, none_rel);
        sum = _mm256_blendv_ps(_mm256_add_ps(sum, _mm256_set1_ps(h->w[j])), with_rel, none_held);
    }
    return _mm256_div_ps(sum, _mm256_set1_ps(h->wsum));
}

/* Kilometres from squared chords in stored units (match_km_from_chord2);
 * lanes of far beyond 1600 km go through the scalar code. */
AVX2 static __m256 y_km(__m256 c2, unsigned lanes)
{
    __m256 x = _mm256_mul_ps(c2, _mm256_set1_ps(1.0f / (MATCH_Q * MATCH_Q)));
    __m256 h = _mm256_mul_ps(_mm256_sqrt_ps(x), _mm256_set1_ps(0.5f)), h2 = _mm256_mul_ps(h, h);
    __m256 t = _mm256_mul_ps(h2, _mm256_set1_ps(15.0f / 336));
    t = _mm256_mul_ps(h2, _mm256_add_ps(_mm256_set1_ps(3.0f / 40), t));
    t = _mm256_mul_ps(h2, _mm256_add_ps(_mm256_set1_ps(1.0f / 6), t));
    t = _mm256_mul_ps(h, _mm256_add_ps(_mm256_set1_ps(1.0f), t));
    __m256 km = _mm256_mul_ps(_mm256_set1_ps((float)(2.0 * MATCH_EARTH_KM)), t);
    unsigned far =
        (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(h, _mm256_set1_ps(0.125f), _CMP_GE_OQ)) & lanes;
    if (far) {
        float xs[8], ks[8];
        _mm256_storeu_ps(xs, x);
        _mm256_storeu_ps(ks, km);
        for (; far; far &= far - 1) {
            unsigned i = (unsigned)__builtin_ctz(far);
            ks[i] = match_km_from_chord2(xs[i]);
        }
        km = _mm256_loadu_ps(ks);
    }
    return km;
}

/* Lanes of a 32-bit vector with any bit of m set, as a blend mask. */
AVX2 static inline Y_INLINE __m256 y_has(__m256i f, int m)
{
    return _mm256_castsi256_ps(_mm256_xor_si256(
        _mm256_cmpeq_epi32(_mm256_and_si256(f, _mm256_set1_epi32(m)), _mm256_setzero_si256()),
        _mm256_set1_epi32(-1)));
}

/* The lanes of live whose hot bound reaches the floor (struct
 * match_gate_hot): match_gate_hot_bound eight lanes at a time, the same
 * operations in the same order. */
AVX2 static unsigned y_hot8(const struct match_index *idx, const struct match_gate *g, size_t i,
                            unsigned live, __m256 r, __m256 c2)
{
    const struct match_gate_hot *h = &g->hot;
    const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f);
    __m256i f = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(idx->w_flags + i)));
    __m256 skill = y_hot_skill(h, idx->w_skill[0] + i), dist;
    if (h->export) {
        dist = _mm256_and_ps(y_has(f, g->willing_flags), one);
    } else {
        __m256 km = y_km(c2, live);
        __m256 near = _mm256_cmp_ps(km, r, _CMP_LE_OQ);
        __m256 in = _mm256_sub_ps(one, _mm256_div_ps(_mm256_mul_ps(_mm256_set1_ps(0.2f), km), r));
        __m256 out = _mm256_mul_ps(_mm256_set1_ps(0.8f),
                                   _mm256_sub_ps(_mm256_set1_ps(2.0f), _mm256_div_ps(km, r)));
        out = _mm256_blendv_ps(out, zero, _mm256_cmp_ps(out, zero, _CMP_LT_OQ));
        out = _mm256_blendv_ps(out, one, _mm256_cmp_ps(out, one, _CMP_GT_OQ));
        dist = _mm256_blendv_ps(out, in, near);
        if (!h->accommodation) {
            __m256 half = _mm256_and_ps(y_has(f, MATCH_W_NEEDS_ACCOMMODATION),
                                        _mm256_cmp_ps(km, r, _CMP_GT_OQ));
            dist = _mm256_blendv_ps(dist, _mm256_mul_ps(dist, _mm256_set1_ps(0.5f)), half);
        }
    }
    __m256 prio = zero;
    static const int pf[3] = {MATCH_W_RELOCATED, MATCH_W_H_MON, MATCH_W_H_ZERO};
    for (unsigned b = 0; b < 3; b++)
        prio = _mm256_blendv_ps(prio, _mm256_add_ps(prio, _mm256_set1_ps(h->prio[b])),
                                y_has(f, pf[b]));
    prio = _mm256_blendv_ps(prio, one, _mm256_cmp_ps(prio, one, _CMP_GT_OQ));
    __m256 t = _mm256_add_ps(_mm256_mul_ps(_mm256_set1_ps(h->pts_skill), skill),
                             _mm256_mul_ps(_mm256_set1_ps(h->pts_dist), dist));
    t = _mm256_add_ps(t, _mm256_mul_ps(_mm256_set1_ps(h->pts_prio), prio));
    t = _mm256_add_ps(t, _mm256_set1_ps(h->rest));
    __m256i b = _mm256_cvttps_epi32(
        _mm256_add_ps(_mm256_mul_ps(t, _mm256_set1_ps(100.0f)), _mm256_set1_ps(0.5f)));
    b = _mm256_add_epi32(b, _mm256_set1_epi32(1));
    unsigned below = (unsigned)_mm256_movemask_ps(
        _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32(h->floor), b)));
    return live & ~below;
}

/* The cut, eight lanes from i (as z_cut16 in the AVX-512 build): beyond the
 * largest k of the lane's skill classes nobody reaches; within the smallest
 * (when >= 0) everyone; only the lanes in between need their class.  Most
 * groups are beyond the largest k of all classes: their skills are not
 * tested (the cut drops them, and unless g->keep_far nothing reads their
 * bits).  *rel8: the relevant-skill bits of the lanes tested. */
AVX2 static inline Y_INLINE unsigned y_cut8(const struct match_index *idx,
                                            const struct match_gate *g, size_t i, unsigned live,
                                            unsigned *rel8, struct y_mode mode)
{
    const __m256 zerof = _mm256_setzero_ps();
    __m256 r = y_radius(idx, g, i), c2 = y_chord2(idx, g, i, live);
    *rel8 = 0;
    if (!mode.keep_far) {
        __m256 la = _mm256_mul_ps(r, _mm256_set1_ps(g->cut_kmax));
        if (!(g->cut_kmax >= 0) || !(live & (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(
                                                c2, _mm256_mul_ps(la, la), _CMP_LE_OQ))))
            return 0;
    }
    __m256i rb, fb;
    y_skill8(idx->w_skill[0] + i, g, true, &rb, &fb);
    *rel8 = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(rb));
    __m256 kl = _mm256_blendv_ps(_mm256_set1_ps(g->cut_kmax_by[0]),
                                 _mm256_set1_ps(g->cut_kmax_by[1]), _mm256_castsi256_ps(rb));
    kl = _mm256_blendv_ps(kl, _mm256_set1_ps(g->cut_kmax_by[2]), _mm256_castsi256_ps(fb));
    __m256 lmax = _mm256_mul_ps(r, kl); /* k < 0: nobody of that class reaches */
    unsigned hi = (unsigned)_mm256_movemask_ps(
        _mm256_and_ps(_mm256_cmp_ps(kl, zerof, _CMP_GE_OQ),
                      _mm256_cmp_ps(c2, _mm256_mul_ps(lmax, lmax), _CMP_LE_OQ)));
    __m256 lmin = _mm256_mul_ps(r, _mm256_set1_ps(g->cut_kmin));
    unsigned lo =
        g->cut_kmin >= 0
            ? (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(c2, _mm256_mul_ps(lmin, lmin), _CMP_LE_OQ))
            : 0;
    unsigned in = lo;
    if (hi & ~lo & live) { /* class per lane (match_cut_class), then its k from the table */
        __m256i f = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(idx->w_flags + i)));
        __m256i cls = _mm256_and_si256(rb, _mm256_set1_epi32(1));
        cls = _mm256_or_si256(cls, _mm256_and_si256(fb, _mm256_set1_epi32(32)));
        cls = _mm256_or_si256(cls, _mm256_and_si256(_mm256_srli_epi32(f, 4), _mm256_set1_epi32(2)));
        cls = _mm256_or_si256(cls, _mm256_and_si256(_mm256_srli_epi32(f, 8), _mm256_set1_epi32(4)));
        cls = _mm256_or_si256(cls, _mm256_and_si256(_mm256_srli_epi32(f, 6), _mm256_set1_epi32(8)));
        __m256i b16; /* willing (labour export), else two or more listed skills held */
        if (g->willing_flags) {
            b16 = _mm256_castps_si256(y_has(f, g->willing_flags));
        } else if (g->req0) { /* held & (held - 1) of the listed ones */
            const __m256i req = _mm256_set1_epi64x((long long)g->req0), one = _mm256_set1_epi64x(1);
            const uint64_t *sk = idx->w_skill[0] + i;
            __m256i h0 = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)sk), req);
            __m256i h1 = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(sk + 4)), req);
            __m256i z0 = _mm256_cmpeq_epi64(_mm256_and_si256(h0, _mm256_sub_epi64(h0, one)),
                                            _mm256_setzero_si256());
            __m256i z1 = _mm256_cmpeq_epi64(_mm256_and_si256(h1, _mm256_sub_epi64(h1, one)),
                                            _mm256_setzero_si256());
            __m256 z = _mm256_shuffle_ps(_mm256_castsi256_ps(z0), _mm256_castsi256_ps(z1),
                                         _MM_SHUFFLE(3, 1, 3, 1));
            b16 = _mm256_xor_si256(y_lanes8(z), _mm256_set1_epi32(-1));
        } else {
            b16 = _mm256_setzero_si256();
        }
        cls = _mm256_or_si256(cls, _mm256_and_si256(b16, _mm256_set1_epi32(16)));
        __m256 lim = _mm256_mul_ps(r, _mm256_i32gather_ps(g->cut_k, cls, 4));
        in = (unsigned)_mm256_movemask_ps(
            _mm256_and_ps(_mm256_cmp_ps(lim, zerof, _CMP_GE_OQ),
                          _mm256_cmp_ps(c2, _mm256_mul_ps(lim, lim), _CMP_LE_OQ)));
    }
    return mode.hot && (in & live) ? y_hot8(idx, g, i, in & live, r, c2) : in;
}

/* Bit j set: some lane of group j (lanes 8j to 8j + 7) is set in m. */
static inline Y_INLINE unsigned y_groups(uint64_t m)
{
    m |= m >> 4;
    m |= m >> 2;
    m |= m >> 1;
    return (unsigned)(((m & 0x0101010101010101ull) * 0x0102040810204080ull) >> 56);
}

/* The tiers or the cut of the lanes of alive; in o->rel the relevant-skill
 * bits of those the cut keeps (of all of them without the cut or with
 * g->keep_far). */
AVX2 static inline Y_INLINE void y_tiers(const struct match_index *idx, size_t base,
                                         const struct match_gate *g, struct match_gate_out *o,
                                         uint64_t alive, struct y_mode mode)
{
    uint64_t n[MATCH_TIERS - 1] = {0}, cut = 0, rel = 0;
    for (unsigned groups = y_groups(alive); groups; groups &= groups - 1) {
        unsigned j = (unsigned)__builtin_ctz(groups);
        unsigned live = (unsigned)(alive >> (8 * j)) & 0xff;
        size_t i = base + 8 * j;
        if (mode.cut) {
            unsigned rel8;
            cut |= (uint64_t)y_cut8(idx, g, i, live, &rel8, mode) << (8 * j);
            rel |= (uint64_t)rel8 << (8 * j);
            continue;
        }
        __m256i rb, fb;
        y_skill8(idx->w_skill[0] + i, g, false, &rb, &fb);
        rel |= (uint64_t)_mm256_movemask_ps(_mm256_castsi256_ps(rb)) << (8 * j);
        __m256 r = y_radius(idx, g, i), c2 = y_chord2(idx, g, i, live);
        for (unsigned t = 0; t < MATCH_TIERS - 1; t++) {
            __m256 l = _mm256_mul_ps(r, _mm256_set1_ps(match_tier_k(t)));
            n[t] |= (uint64_t)_mm256_movemask_ps(_mm256_cmp_ps(c2, _mm256_mul_ps(l, l), _CMP_LE_OQ))
                    << (8 * j);
        }
    }
    memcpy(o->near, n, sizeof n);
    if (mode.cut) /* with the cut, one tier: the cut already dropped the far ones */
        memset(o->near, 0xff, sizeof o->near);
    o->cut = mode.cut ? cut : ~0ull;
    o->rel = rel;
}

AVX2 void match_gate_block_avx2(const struct match_index *idx, const struct match_gate *g,
                                size_t base, struct match_gate_out *o)
{
    struct y_flags f;
    y_tests(idx, g, base, o, &f);
    y_prio(&f, g, o);
    o->full = ~0ull, o->multi = 0;
    if (g->tiers) {
        y_tiers(idx, base, g, o, match_gate_alive(g, o),
                (struct y_mode){g->cut, g->keep_far, g->hot.on});
    } else {
        memset(o->near, 0, sizeof o->near);
        o->cut = ~0ull;
    }
    o->rel = g->relu0 ? y_test64(idx->w_skill[0] + base, g->relu0, false) : 0; /* every lane */
}

/* match_gate_chunk: the tests, charges and tiers of every block in one loop,
 * so the query's constants stay in registers and nothing is called a block;
 * one copy of the loop for each mode (match_gate_chunk_avx2). */
AVX2 static inline Y_INLINE void y_chunk(const struct match_index *idx, const struct match_gate *g,
                                         struct match_gate_chunk *c,
                                         uint64_t removed[MATCH_F_COUNT], uint64_t *scanned,
                                         struct y_mode mode)
{
    uint64_t n[MATCH_F_COUNT] = {0}, n_live = 0; /* the charges, in locals */
    c->n_surv = 0;
    c->dropped = false;
    for (size_t b = 0; b < c->n; b++) {
        size_t base = c->base + b * MATCH_BLOCK;
        struct match_gate_out o;
        struct y_flags f;
        match_gate_prefetch(idx, g, base + MATCH_GATE_AHEAD * MATCH_BLOCK);
        y_tests(idx, g, base, &o, &f);
        uint64_t a = match_gate_charge_in(g, &o, n, &n_live, true);
        o.cut = ~0ull;
        memset(o.near, 0, sizeof o.near);
        o.rel = 0, o.full = ~0ull, o.multi = 0;
        if (a) { /* the others are not read */
            y_prio(&f, g, &o);
            if (g->tiers)
                y_tiers(idx, base, g, &o, a, mode);
            else if (g->relu0)
                o.rel = y_test64(idx->w_skill[0] + base, g->relu0, false);
        }
        match_gate_chunk_keep(idx, g, c, b, &o, a);
    }
    *scanned += n_live;
    match_gate_charges_add(removed, n);
}

AVX2 void match_gate_chunk_avx2(const struct match_index *idx, const struct match_gate *g,
                                struct match_gate_chunk *c, uint64_t removed[MATCH_F_COUNT],
                                uint64_t *scanned)
{
    if (!g->cut) /* the page has room: the tiers */
        y_chunk(idx, g, c, removed, scanned, (struct y_mode){false, g->keep_far, g->hot.on});
    else if (g->keep_far) /* a facet query */
        y_chunk(idx, g, c, removed, scanned, (struct y_mode){true, true, g->hot.on});
    else if (g->hot.on) /* most of a query's scan */
        y_chunk(idx, g, c, removed, scanned, (struct y_mode){true, false, true});
    else
        y_chunk(idx, g, c, removed, scanned, (struct y_mode){true, false, false});
}

bool match_gate_has_avx2(void)
{
    return __builtin_cpu_supports("avx2");
}

#else

bool match_gate_has_avx2(void)
{
    return false;
}

void match_gate_block_avx2(const struct match_index *idx, const struct match_gate *g, size_t base,
                           struct match_gate_out *o)
{
    match_gate_block(idx, g, base, o);
}

void match_gate_chunk_avx2(const struct match_index *idx, const struct match_gate *g,
                           struct match_gate_chunk *c, uint64_t removed[MATCH_F_COUNT],
                           uint64_t *scanned)
{
    match_gate_chunk_blocks(idx, g, c, removed, scanned, match_gate_block);
}

#endif
