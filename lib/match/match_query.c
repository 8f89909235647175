/*
 * match_query: the results of the top-k scans: allocation, reset, merging the
 * parts of a split scan, facets.  The scans themselves are match_wscan.c
 * (workers for a vacancy) and match_vscan.c (vacancies for a worker); the
 * bounded heap they share is in match_scan.h.
 */
#include "match_int.h"
#include "match_scan.h"

#include <stdlib.h>

int match_hit_order(const void *a, const void *b)
{
    const struct match_hit *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

void match_result_reset(struct match_result *r, enum match_target t)
{
    /* the hits (86 kB) are not cleared: a scan writes each one it keeps in
     * full, and nothing reads past n */
    r->n = 0;
    memset(&r->more, 0,
           offsetof(struct match_result, facets) - offsetof(struct match_result, more));
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

void match_county_mask(const struct match_index *idx, const struct match_query *q, uint64_t mask[4])
{
    memset(mask, 0, 4 * sizeof *mask);
    for (uint32_t s = 1; s <= idx->n_counties; s++)
        for (unsigned i = 0; i < q->n_counties; i++)
            if (q->counties[i] == idx->county_code[s])
                mask[s >> 6] |= 1ull << (s & 63);
}

void match_facets_finish(const struct match_index *idx, struct match_result *r)
{
    struct match_facets *f = &r->facets;
    for (unsigned m = 0; m < 256; m++) { /* the worker scan counts by the kinds wanted */
        uint32_t n = f->kinds_by_mask[m];
        unsigned kinds = m ? m : (1u << MATCH_KIND_COUNT) - 1;
        for (int k = 0; k < MATCH_KIND_COUNT && n; k++)
            f->kind[k] += (kinds >> k) & 1 ? n : 0;
        f->kinds_by_mask[m] = 0;
    }
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
    for (int i = 0; i < 256; i++)
        a->kinds_by_mask[i] += b->kinds_by_mask[i];
    for (uint32_t i = 0; i < part->n; i++)
        heap_offer(into, q->k, part->hit[i].score, part->hit[i].id, part->hit[i].ref);
    return 0;
}
