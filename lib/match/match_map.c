/*
 * match_map: the id -> slot maps of the index (linear probing over slot + 1,
 * load at most 3/4, backward-shift deletion).
 */
#include "match_int.h"

#include <stdlib.h>

static uint32_t map_hash(int64_t id)
{
    uint64_t x = (uint64_t)id;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return (uint32_t)x;
}

/* ids[slot * stride] is the id of slot: the maps read ids where they live. */
uint32_t match_map_find(const uint32_t *map, uint32_t mask, const int64_t *ids, size_t stride,
                        int64_t id)
{
    if (!map)
        return MATCH_SLOT_NONE;
    for (uint32_t i = map_hash(id) & mask;; i = (i + 1) & mask) {
        if (!map[i])
            return MATCH_SLOT_NONE;
        if (ids[(map[i] - 1) * stride] == id)
            return map[i] - 1;
    }
}

void match_map_put(uint32_t *map, uint32_t mask, const int64_t *ids, size_t stride, uint32_t slot)
{
    uint32_t i = map_hash(ids[slot * stride]) & mask;
    while (map[i])
        i = (i + 1) & mask;
    map[i] = slot + 1;
}

void match_map_del(uint32_t *map, uint32_t mask, const int64_t *ids, size_t stride, int64_t id)
{
    uint32_t i = map_hash(id) & mask;
    while (ids[(map[i] - 1) * stride] != id)
        i = (i + 1) & mask;
    /* backward-shift deletion keeps every probe chain unbroken */
    for (uint32_t j = (i + 1) & mask; map[j]; j = (j + 1) & mask) {
        uint32_t home = map_hash(ids[(map[j] - 1) * stride]) & mask;
        if (((j - home) & mask) >= ((j - i) & mask)) {
            map[i] = map[j];
            i = j;
        }
    }
    map[i] = 0;
}

/* Makes room for n entries, rehashing what the map holds. */
int match_map_fit(uint32_t **map, uint32_t *mask, const int64_t *ids, size_t stride, size_t n)
{
    size_t want = 16;
    while (want * 3 / 4 < n)
        want *= 2;
    if (*map && want <= (size_t)*mask + 1)
        return 0;
    uint32_t *m = calloc(want, sizeof *m);
    if (!m)
        return -1;
    if (*map)
        for (size_t i = 0; i <= *mask; i++)
            if ((*map)[i])
                match_map_put(m, (uint32_t)(want - 1), ids, stride, (*map)[i] - 1);
    free(*map);
    *map = m;
    *mask = (uint32_t)(want - 1);
    return 0;
}

/* ---- places: the distinct worker sites ---- */

static int64_t place_key(const int16_t q[3])
{
    return (int64_t)((uint64_t)(uint16_t)q[0] | (uint64_t)(uint16_t)q[1] << 16 |
                     (uint64_t)(uint16_t)q[2] << 32);
}

int match_place_new(struct match_index *idx)
{
    idx->p_q = calloc(MATCH_PLACES, sizeof *idx->p_q);
    idx->p_key = calloc(MATCH_PLACES, sizeof *idx->p_key);
    idx->p_refs = calloc(MATCH_PLACES, sizeof *idx->p_refs);
    idx->p_free = MATCH_SLOT_NONE;
    return idx->p_q && idx->p_key && idx->p_refs ? 0 : -1;
}

void match_place_free(struct match_index *idx)
{
    free(idx->p_q), free(idx->p_key), free(idx->p_refs), free(idx->p_map);
}

uint16_t match_place_intern(struct match_index *idx, const int16_t q[3])
{
    int64_t key = place_key(q);
    uint32_t p = match_map_find(idx->p_map, idx->p_map_mask, idx->p_key, 1, key);
    if (p != MATCH_SLOT_NONE) {
        idx->p_refs[p]++;
        return (uint16_t)p;
    }
    bool room = idx->p_free != MATCH_SLOT_NONE || idx->p_top < MATCH_PLACE_NONE;
    if (!room ||
        match_map_fit(&idx->p_map, &idx->p_map_mask, idx->p_key, 1, (size_t)idx->p_top + 1)) {
        idx->p_none++;
        return MATCH_PLACE_NONE;
    }
    if (idx->p_free != MATCH_SLOT_NONE) {
        p = idx->p_free;
        idx->p_free = (uint32_t)(-1 - idx->p_key[p]);
    } else {
        p = idx->p_top++;
    }
    idx->p_key[p] = key;
    idx->p_refs[p] = 1;
    memcpy(idx->p_q[p], q, 3 * sizeof *q);
    match_map_put(idx->p_map, idx->p_map_mask, idx->p_key, 1, p);
    return (uint16_t)p;
}

void match_place_release(struct match_index *idx, uint16_t place)
{
    if (place == MATCH_PLACE_NONE) {
        idx->p_none--;
        return;
    }
    if (--idx->p_refs[place])
        return;
    match_map_del(idx->p_map, idx->p_map_mask, idx->p_key, 1, idx->p_key[place]);
    idx->p_key[place] = -1 - (int64_t)idx->p_free; /* dead: the next free place */
    idx->p_free = place;
}
