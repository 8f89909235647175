/*
 * match_vbucket: the vacancies of one county and kind, kept in order of the
 * skill class that weighs most in their score, so that a worker's vacancy
 * scan (match_vscan.c) can visit the lists best bound first and stop early.
 */
#include "match_int.h"

#include <stdlib.h>
#include <string.h>

/* The key skill class of a vacancy and that skill's share of the weights. */
unsigned match_vbucket_key(const struct match_vrec *r, float *share)
{
    unsigned best = 0;
    *share = 0;
    for (unsigned j = 1; j < r->n_skills; j++)
        best = r->sweight[j] > r->sweight[best] ? j : best;
    if (!r->n_skills)
        return 0;
    *share = r->sweight[best] / r->sweight_sum;
    return r->skill[best] % MATCH_VKEYS;
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

void match_vbucket_del(struct match_index *idx, unsigned bi, uint32_t s)
{
    struct match_vbucket *b = &idx->v_bucket[bi];
    unsigned key = idx->v_bkey[s];
    uint32_t pos = idx->v_bpos[s];
    memmove(&b->e[pos], &b->e[pos + 1], (b->n - pos - 1) * sizeof b->e[0]);
    memmove(&b->x[pos], &b->x[pos + 1], (b->n - pos - 1) * sizeof b->x[0]);
    b->n--;
    vbucket_renumber(idx, b, pos, b->n);
    for (unsigned k = key + 1; k <= MATCH_VKEYS; k++)
        b->off[k]--;
    if (b->off[key + 1] == b->off[key])
        b->keys &= ~(1ull << key);
}

/* Adds slot s (its columns written) to class `key` of bucket bi and widens the bounds. */
void match_vbucket_put(struct match_index *idx, unsigned bi, uint32_t s, unsigned key, float share)
{
    struct match_vbucket *b = &idx->v_bucket[bi];
    const struct match_vrec *r = &idx->v_rec[s];
    if (!b->n) {
        for (int i = 0; i < 3; i++)
            b->lo[i] = INT16_MAX, b->hi[i] = INT16_MIN;
        b->hmin_all = 1;
    }
    if (!((b->keys >> key) & 1))
        b->hmin[key] = 1;
    uint32_t pos = b->off[key + 1];
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
    b->x[pos] = (struct match_vbound){
        .req0 = idx->v_req0[s], .light = idx->v_light[s], .q = {r->q[0], r->q[1], r->q[2]}};
    b->n++;
    vbucket_renumber(idx, b, pos, b->n);
    for (unsigned k = key + 1; k <= MATCH_VKEYS; k++)
        b->off[k]++;
    idx->v_bkey[s] = (uint8_t)key;
    b->keys |= 1ull << key;
    for (int i = 0; i < 3; i++) {
        b->lo[i] = r->q[i] < b->lo[i] ? r->q[i] : b->lo[i];
        b->hi[i] = r->q[i] > b->hi[i] ? r->q[i] : b->hi[i];
    }
    b->hmin[key] = share < b->hmin[key] ? share : b->hmin[key];
    b->hmin_all = share < b->hmin_all ? share : b->hmin_all;
}
