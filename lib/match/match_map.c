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
