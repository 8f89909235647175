/*
 * match_vbucket: the vacancies of one county and kind, kept in order of
 * part and key class (struct match_vbucket in match_int.h), so that
 * a worker's vacancy scan (match_vscan.c) can visit the lists best bound
 * first, charge whole classes without reading them, and stop early.
 */
#include "match_int.h"

#include <stdlib.h>
#include <string.h>

/* The key class of a vacancy (see struct match_vbucket) and its heaviest
 * listed skill's share of the weights (0 when none listed). */
unsigned match_vbucket_key(const struct match_vrec *r, float *share)
{
    unsigned best = 0, must = 0;
    *share = 0;
    for (unsigned j = 1; j < r->n_skills; j++)
        best = r->sweight[j] > r->sweight[best] ? j : best;
    for (unsigned j = 0; j < r->n_skills; j++)
        if (((r->must_bits >> j) & 1) && r->skill[j] < 64 &&
            (!must || r->sweight[j] > r->sweight[must - 1]))
            must = j + 1;
    if (r->n_skills)
        *share = r->sweight[best] / r->sweight_sum;
    if (!r->open || r->filled >= r->headcount)
        return MATCH_VKEY_DEAD;
    if (must)
        return MATCH_VKEY_DEAD + r->skill[must - 1];
    return r->n_skills ? r->skill[best] % 64u : 0;
}

/* Room for one more member in bucket b. */
int match_vbucket_reserve(struct match_vbucket *b)
{
    if (b->n < b->cap)
        return 0;
    uint32_t cap = b->cap ? b->cap * 2 : 16;
    struct match_ventry *p = realloc(b->e, cap * sizeof *p);
    if (!p)
        return -1;
    b->e = p;
    struct match_vbound *x = realloc(b->x, cap * sizeof *x);
    if (!x)
        return -1;
    b->x = x;
    b->cap = cap;
    return 0;
}

/* Positions from..to-1 of bucket b moved: their slots learn where they are now. */
static void vbucket_renumber(struct match_index *idx, const struct match_vbucket *b, uint32_t from,
                             uint32_t to)
{
    for (uint32_t i = from; i < to; i++)
        idx->v_bpos[b->e[i].slot] = i;
}

/* Counts a member of a scored class's other part in (add) or out of the
 * bucket's certificate sets. */
static void vbucket_certs(struct match_vbucket *b, const struct match_ventry *e, bool add)
{
    if (e->gate & MATCH_V_MUST_HI) {
        b->cert_over |= add;
        return;
    }
    unsigned i = 0;
    while (i < b->n_certs && b->cert[i] != e->cert_must)
        i++;
    if (!add) {
        if (i < b->n_certs && !--b->cert_n[i]) {
            b->n_certs--;
            b->cert[i] = b->cert[b->n_certs], b->cert_n[i] = b->cert_n[b->n_certs];
        }
        return;
    }
    if (i == MATCH_VCERTS) {
        b->cert_over = true;
        return;
    }
    if (i == b->n_certs)
        b->cert[b->n_certs] = e->cert_must, b->cert_n[b->n_certs++] = 0;
    b->cert_n[i]++;
}

/* Copies the bounds of the runs a bucket read whole reads from off. */
static void vbucket_runs(struct match_vbucket *b)
{
    for (unsigned p = 0; p < 2; p++) {
        const uint32_t *off = b->off + p * MATCH_VKEYS;
        b->run[p][0] = off[0];
        b->run[p][1] = off[MATCH_VKEY_DEAD];
        b->run[p][2] = off[MATCH_VKEY_DEAD + 1];
        b->run[p][3] = off[MATCH_VKEYS];
    }
}

void match_vbucket_del(struct match_index *idx, unsigned bi, uint32_t s)
{
    struct match_vbucket *b = &idx->v_bucket[bi];
    unsigned c = idx->v_bkey[s], key = c % MATCH_VKEYS;
    uint32_t pos = idx->v_bpos[s];
    if (c >= MATCH_VKEYS && key < MATCH_VKEY_DEAD)
        vbucket_certs(b, &b->e[pos], false);
    memmove(&b->e[pos], &b->e[pos + 1], (b->n - pos - 1) * sizeof b->e[0]);
    memmove(&b->x[pos], &b->x[pos + 1], (b->n - pos - 1) * sizeof b->x[0]);
    b->n--;
    vbucket_renumber(idx, b, pos, b->n);
    for (unsigned k = c + 1; k <= 2 * MATCH_VKEYS; k++)
        b->off[k]--;
    vbucket_runs(b);
    if (b->off[key + 1] == b->off[key] &&
        b->off[MATCH_VKEYS + key + 1] == b->off[MATCH_VKEYS + key])
        b->keys[key >> 6] &= ~(1ull << (key & 63));
}

/* Is slot s, of class key, a plain member (see struct match_vbucket)? */
static bool vbucket_plain(const struct match_index *idx, uint32_t s, unsigned key)
{
    if (key == MATCH_VKEY_DEAD)
        return !(idx->v_gate[s] & MATCH_V_OPEN);
    uint64_t keybit = key > MATCH_VKEY_DEAD ? 1ull << (key - MATCH_VKEY_DEAD) : 0;
    return !(idx->v_must0[s] & ~keybit) && !idx->v_cert_must[s] &&
           !(idx->v_gate[s] & MATCH_V_MUST_HI);
}

/* Widens the bucket's bounds for a member of class key at slot s. */
static void vbucket_widen(struct match_index *idx, struct match_vbucket *b, uint32_t s,
                          unsigned key, bool plain, float share)
{
    const struct match_vrec *r = &idx->v_rec[s];
    if (!b->n) {
        for (int i = 0; i < 3; i++)
            b->lo[i] = INT16_MAX, b->hi[i] = INT16_MIN;
        b->hmin_all = 1;
        b->pstart = MATCH_NO_DAY, b->pstart_ymd = 0;
        b->page_lo = UINT8_MAX, b->page_hi = 0;
        b->n_certs = 0, b->cert_over = false;
    }
    if (!((b->keys[key >> 6] >> (key & 63)) & 1))
        b->hmin[key] = 1;
    for (int i = 0; i < 3; i++) {
        b->lo[i] = r->q[i] < b->lo[i] ? r->q[i] : b->lo[i];
        b->hi[i] = r->q[i] > b->hi[i] ? r->q[i] : b->hi[i];
    }
    b->hmin[key] = share < b->hmin[key] ? share : b->hmin[key];
    b->hmin_all = share < b->hmin_all ? share : b->hmin_all;
    bool cert_only = key < MATCH_VKEY_DEAD && !(idx->v_gate[s] & MATCH_V_MUST_HI);
    if ((plain || cert_only) && key != MATCH_VKEY_DEAD) {
        if (r->start > b->pstart)
            b->pstart = r->start, b->pstart_ymd = r->start_ymd;
        b->page_lo = r->age_lo < b->page_lo ? r->age_lo : b->page_lo;
        b->page_hi = r->age_hi > b->page_hi ? r->age_hi : b->page_hi;
    }
}

static uint16_t vbucket_wage16(uint32_t wage)
{
    return wage < UINT16_MAX ? (uint16_t)wage : UINT16_MAX;
}

/* Adds slot s (its columns written) to class `key` of bucket bi and widens the bounds. */
void match_vbucket_put(struct match_index *idx, unsigned bi, uint32_t s, unsigned key, float share)
{
    struct match_vbucket *b = &idx->v_bucket[bi];
    const struct match_vrec *r = &idx->v_rec[s];
    bool plain = vbucket_plain(idx, s, key);
    vbucket_widen(idx, b, s, key, plain, share);
    unsigned c = (plain ? 0 : MATCH_VKEYS) + key;
    uint32_t pos = b->off[c + 1];
    memmove(&b->e[pos + 1], &b->e[pos], (b->n - pos) * sizeof b->e[0]);
    memmove(&b->x[pos + 1], &b->x[pos], (b->n - pos) * sizeof b->x[0]);
    b->e[pos] = (struct match_ventry){.must0 = idx->v_must0[s],
                                      .cert_must = idx->v_cert_must[s],
                                      .start = idx->v_start[s],
                                      .start_ymd = idx->v_start_ymd[s],
                                      .slot = s,
                                      .gate = idx->v_gate[s],
                                      .age_lo = idx->v_age[2 * (size_t)s],
                                      .age_hi = idx->v_age[2 * (size_t)s + 1]};
    bool piece = r->period == MATCH_WAGE_PIECE;
    b->x[pos] = (struct match_vbound){.req0 = idx->v_req0[s],
                                      .light = idx->v_light[s],
                                      .q = {r->q[0], r->q[1], r->q[2]},
                                      .wage_lo = piece ? 0 : vbucket_wage16(r->wage_lo),
                                      .wage_hi = piece ? 0 : vbucket_wage16(r->wage_hi)};
    b->n++;
    if (c >= MATCH_VKEYS && key < MATCH_VKEY_DEAD)
        vbucket_certs(b, &b->e[pos], true);
    vbucket_renumber(idx, b, pos, b->n);
    for (unsigned k = c + 1; k <= 2 * MATCH_VKEYS; k++)
        b->off[k]++;
    vbucket_runs(b);
    idx->v_bkey[s] = (uint8_t)c;
    b->keys[key >> 6] |= 1ull << (key & 63);
}

void match_vheap_down(struct match_vheap *q, uint32_t i)
{
    uint64_t *h = q->h;
    for (;;) {
        uint32_t l = 2 * i + 1, m = i;
        if (l < q->n && h[l] > h[m])
            m = l;
        if (l + 1 < q->n && h[l + 1] > h[m])
            m = l + 1;
        if (m == i)
            return;
        uint64_t t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

uint64_t match_vheap_pop(struct match_vheap *q)
{
    uint64_t *h = q->h, top = h[0], x = h[--q->n];
    uint32_t n = q->n, i = 0;
    /* the hole goes down the larger children to a leaf, one compare a level
     * (the last key mostly belongs near the bottom), then the last key up */
    for (uint32_t l; (l = 2 * i + 1) < n; i = l) {
        l += l + 1 < n && h[l + 1] > h[l];
        h[i] = h[l];
    }
    for (; i && h[(i - 1) / 2] < x; i = (i - 1) / 2)
        h[i] = h[(i - 1) / 2];
    h[i] = x;
    return top;
}

void match_vheap_push(struct match_vheap *q, uint64_t x)
{
    uint32_t i = q->n++;
    for (; i && q->h[(i - 1) / 2] < x; i = (i - 1) / 2)
        q->h[i] = q->h[(i - 1) / 2];
    q->h[i] = x;
}
