/*
 * match_index: storage of workers, households and vacancies; insert, update
 * and remove of one record; dates; the id -> slot maps.
 *
 * Slots are never moved: a removed record's slot goes on a free list and the
 * next insert reuses it, so slot numbers stay valid under the caller's lock
 * and the household links need no fixing.  Dead slots carry no LIVE flag and
 * the gate skips them.
 */
#define _DEFAULT_SOURCE /* madvise */
#include "match_int.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/mman.h>

/* Unit vectors are stored as int16 (resolution 1/32767 of the radius, about
 * 200 m, so distances are good to about 0.2 km). */
void match_unit_vector(double lat, double lon, int16_t q[3])
{
    const double rad = 3.14159265358979323846 / 180.0;
    double cl = cos(lat * rad);
    double u[3] = {cl * cos(lon * rad), cl * sin(lon * rad), sin(lat * rad)};
    for (int i = 0; i < 3; i++)
        q[i] = (int16_t)lrint(u[i] * MATCH_Q);
}

static void lat_lon(const int16_t q[3], double *lat, double *lon)
{
    const double deg = 180.0 / 3.14159265358979323846;
    double x = q[0] / MATCH_Q, y = q[1] / MATCH_Q, z = q[2] / MATCH_Q;
    *lat = atan2(z, sqrt(x * x + y * y)) * deg;
    *lon = atan2(y, x) * deg;
}

#define W_IDS(idx) ((const int64_t *)(const void *)(idx)->w_cold), (sizeof(struct match_wcold) / 8)
#define H_IDS(idx) (idx)->h_id, 1
#define V_IDS(idx) (idx)->v_id, 1

uint32_t match_worker_slot(const struct match_index *idx, int64_t id)
{
    return idx->w_cold ? match_map_find(idx->w_map, idx->w_map_mask, W_IDS(idx), id)
                       : MATCH_SLOT_NONE;
}

uint32_t match_vacancy_slot(const struct match_index *idx, int64_t id)
{
    return match_map_find(idx->v_map, idx->v_map_mask, V_IDS(idx), id);
}

/* ---- growth ---- */

/*
 * Asks for huge pages under a large array (where the kernel gives them on
 * request: transparent huge pages in "madvise" mode).  A visit reads one
 * worker's record and columns at a random slot; on 4 KiB pages nearly every
 * visit also misses the TLB.  Advice only: failure changes nothing.
 */
static void huge_pages(void *p, size_t bytes)
{
#if defined(MADV_HUGEPAGE)
    const uintptr_t page = 4096, huge = 2u << 20;
    if (bytes < 2 * huge)
        return;
    uintptr_t a = ((uintptr_t)p + page - 1) & ~(page - 1), b = ((uintptr_t)p + bytes) & ~(page - 1);
    (void)madvise((void *)a, b - a, MADV_HUGEPAGE);
#else
    (void)p, (void)bytes;
#endif
}

static int grow(void *pp, size_t elem, size_t old_n, size_t new_n)
{
    void **p = pp;
    unsigned char *q = realloc(*p, elem * new_n);
    if (!q)
        return -1;
    huge_pages(q, elem * new_n);
    memset(q + elem * old_n, 0, elem * (new_n - old_n));
    *p = q;
    return 0;
}

static size_t round_block(size_t n)
{
    return (n + MATCH_BLOCK - 1) / MATCH_BLOCK * MATCH_BLOCK;
}

/* The cold records are cache-line aligned: realloc cannot promise that. */
static int grow_cold(struct match_index *idx, size_t old, size_t n)
{
    void *p = aligned_alloc(64, n * sizeof(struct match_wcold));
    if (!p)
        return -1;
    huge_pages(p, n * sizeof(struct match_wcold));
    if (old)
        memcpy(p, idx->w_cold, old * sizeof(struct match_wcold));
    memset((struct match_wcold *)p + old, 0, (n - old) * sizeof(struct match_wcold));
    free(idx->w_cold);
    idx->w_cold = p;
    return 0;
}

static int workers_grow(struct match_index *idx, size_t want)
{
    size_t old = idx->w_cap, n = round_block(want);
    if (n <= old)
        return 0;
    if (n > MATCH_MAX_WORKERS)
        return -1;
    if (grow(&idx->w_flags, 2, old, n) || grow(&idx->w_skill[0], 8, old, n) ||
        grow(&idx->w_avail, 2, old, n) || grow(&idx->w_birth, 2, old, n) ||
        grow(&idx->w_q[0], 2, old, n) || grow(&idx->w_q[1], 2, old, n) ||
        grow(&idx->w_q[2], 2, old, n) || grow(&idx->w_place, 2, old, n) ||
        grow(&idx->w_commute, 2, old, n) || grow(&idx->w_county, 1, old, n) ||
        grow(&idx->w_facet, 2, old, n) || grow(&idx->w_cert, 8, old, n) ||
        grow(&idx->w_cexp, 4 * MATCH_MAX_CERT_EXPIRIES, old, n) ||
        grow(&idx->w_cexp_id, MATCH_MAX_CERT_EXPIRIES, old, n) || grow_cold(idx, old, n))
        return -1;
    for (int p = 1; p < MATCH_PLANES; p++)
        if (idx->w_skill[p] && grow(&idx->w_skill[p], 8, old, n))
            return -1;
    idx->w_cap = (uint32_t)n;
    return 0;
}

static int households_grow(struct match_index *idx, size_t want)
{
    size_t old = idx->h_cap, n = round_block(want);
    if (n <= old)
        return 0;
    if (n > MATCH_MAX_WORKERS)
        return -1;
    if (grow(&idx->h_id, 8, old, n) || grow(&idx->h_flags, 1, old, n) ||
        grow(&idx->h_posts, 2, old, n) || grow(&idx->h_head, 4, old, n))
        return -1;
    idx->h_cap = (uint32_t)n;
    return 0;
}

static int vacancies_grow(struct match_index *idx, size_t want)
{
    size_t old = idx->v_cap, n = round_block(want);
    if (n <= old)
        return 0;
    if (n > MATCH_MAX_VACANCIES)
        return -1;
    if (grow(&idx->v_gate, 1, old, n) || grow(&idx->v_kind, 1, old, n) ||
        grow(&idx->v_age, 2, old, n) || grow(&idx->v_start, 4, old, n) ||
        grow(&idx->v_start_ymd, 4, old, n) || grow(&idx->v_must0, 8, old, n) ||
        grow(&idx->v_req0, 8, old, n) || grow(&idx->v_id, 8, old, n) ||
        grow(&idx->v_cert_must, 8, old, n) || grow(&idx->v_county, 1, old, n) ||
        grow(&idx->v_q[0], 2, old, n) || grow(&idx->v_q[1], 2, old, n) ||
        grow(&idx->v_q[2], 2, old, n) || grow(&idx->v_light, 4, old, n) ||
        grow(&idx->v_bpos, 4, old, n) || grow(&idx->v_bkey, 1, old, n) ||
        grow(&idx->v_rec, sizeof(struct match_vrec), old, n))
        return -1;
    idx->v_cap = (uint32_t)n;
    return 0;
}

/* Capacity for one more record: 1.5x steps. */
static size_t next_cap(uint32_t cap, uint32_t top)
{
    return top < cap ? cap : (size_t)cap + cap / 2 + MATCH_BLOCK;
}

/* ---- lifecycle ---- */

struct match_index *match_index_new(void)
{
    struct match_index *idx = calloc(1, sizeof *idx);
    if (!idx)
        return NULL;
    idx->w_free = idx->h_free = idx->v_free = MATCH_SLOT_NONE;
    if (match_place_new(idx)) {
        match_index_free(idx);
        return NULL;
    }
    idx->gate_avx2 = match_gate_has_avx2();
    idx->gate_avx512 = match_gate_has_avx512();
    match_weights_default(&idx->weights);
    return idx;
}

void match_index_free(struct match_index *idx)
{
    if (!idx)
        return;
    void *arrays[] = {
        idx->w_flags,   idx->w_skill[0], idx->w_skill[1], idx->w_skill[2],  idx->w_skill[3],
        idx->w_avail,   idx->w_birth,    idx->w_q[0],     idx->w_q[1],      idx->w_q[2],
        idx->w_commute, idx->w_county,   idx->w_cert,     idx->w_cexp,      idx->w_cexp_id,
        idx->w_cold,    idx->w_map,      idx->h_id,       idx->h_flags,     idx->h_posts,
        idx->h_head,    idx->h_map,      idx->v_gate,     idx->v_kind,      idx->v_cert_must,
        idx->v_county,  idx->v_age,      idx->v_start,    idx->v_start_ymd, idx->v_must0,
        idx->v_req0,    idx->v_id,       idx->v_rec,      idx->v_map,       idx->v_q[0],
        idx->v_q[1],    idx->v_q[2],     idx->v_light,    idx->v_bpos,      idx->v_bkey,
        idx->w_facet,   idx->w_place};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
        free(arrays[i]);
    for (size_t b = 0; b < MATCH_VBUCKETS; b++) {
        free(idx->v_bucket[b].e);
        free(idx->v_bucket[b].x);
    }
    match_place_free(idx);
    free(idx);
}

int match_index_reserve(struct match_index *idx, size_t workers, size_t vacancies)
{
    size_t households = workers / 2 + 1;
    if (workers_grow(idx, workers) || households_grow(idx, households) ||
        vacancies_grow(idx, vacancies))
        return -1;
    if (match_map_fit(&idx->w_map, &idx->w_map_mask, W_IDS(idx), workers) ||
        match_map_fit(&idx->h_map, &idx->h_map_mask, H_IDS(idx), households) ||
        match_map_fit(&idx->v_map, &idx->v_map_mask, V_IDS(idx), vacancies))
        return -1;
    return 0;
}

/* ---- taxonomy, counties ---- */

int match_index_set_skill_parent(struct match_index *idx, unsigned skill, unsigned parent)
{
    if (skill < 1 || skill > MATCH_MAX_SKILL || parent > MATCH_MAX_SKILL || parent == skill)
        return -1;
    idx->skill_parent[skill] = (uint8_t)parent;
    memset(idx->related, 0, sizeof idx->related);
    for (unsigned s = 1; s <= MATCH_MAX_SKILL; s++) {
        unsigned ps = idx->skill_parent[s];
        for (unsigned t = 1; t <= MATCH_MAX_SKILL; t++) {
            unsigned pt = idx->skill_parent[t];
            if (t != s && ((ps && pt == ps) || t == ps || pt == s))
                idx->related[s][t >> 6] |= 1ull << (t & 63);
        }
    }
    return 0;
}

int match_county_slot(const struct match_index *idx, int32_t code)
{
    for (uint32_t i = 1; i <= idx->n_counties; i++)
        if (idx->county_code[i] == code)
            return (int)i;
    return 0;
}

static int county_intern(struct match_index *idx, int32_t code)
{
    int s = match_county_slot(idx, code);
    if (s)
        return s;
    if (code <= 0 || idx->n_counties >= MATCH_MAX_COUNTIES)
        return -1;
    idx->county_code[++idx->n_counties] = code;
    return (int)idx->n_counties;
}

int match_index_set_weights(struct match_index *idx, const struct match_weights *w)
{
    if (match_weights_check(w))
        return -1;
    idx->weights = *w;
    return 0;
}

const struct match_weights *match_index_weights(const struct match_index *idx)
{
    return &idx->weights;
}

/* ---- households ---- */

static uint8_t household_flags(const struct match_household *h)
{
    return (uint8_t)(MATCH_H_LIVE | (h->zero_employment ? MATCH_H_ZERO : 0) |
                     ((unsigned)h->monitoring << MATCH_H_MON_SHIFT) |
                     (h->public_welfare_posts ? MATCH_H_HOLDS_POST : 0));
}

/* The slot of household id, made when it is new; MATCH_SLOT_NONE without
 * memory.  A bulk load files a household's members one after the other and
 * new households in ascending id order: the slot of the last one and the
 * largest id spare most lookups. */
static uint32_t household_slot(struct match_index *idx, int64_t id)
{
    uint32_t s = idx->h_last;
    if (s < idx->h_top && idx->h_id[s] == id && (idx->h_flags[s] & MATCH_H_LIVE))
        return s;
    s = id > idx->h_id_max ? MATCH_SLOT_NONE
                           : match_map_find(idx->h_map, idx->h_map_mask, H_IDS(idx), id);
    if (s != MATCH_SLOT_NONE)
        return idx->h_last = s;
    if (households_grow(idx, next_cap(idx->h_cap, idx->h_top)) ||
        match_map_fit(&idx->h_map, &idx->h_map_mask, H_IDS(idx), (size_t)idx->h_live + 1))
        return MATCH_SLOT_NONE;
    if (idx->h_free != MATCH_SLOT_NONE) {
        s = idx->h_free;
        idx->h_free = idx->h_head[s];
    } else {
        s = idx->h_top++;
    }
    idx->h_id[s] = id;
    idx->h_flags[s] = MATCH_H_LIVE;
    idx->h_posts[s] = 0;
    idx->h_head[s] = MATCH_SLOT_NONE;
    idx->h_live++;
    idx->h_id_max = id > idx->h_id_max ? id : idx->h_id_max;
    match_map_put(idx->h_map, idx->h_map_mask, H_IDS(idx), s);
    return idx->h_last = s;
}

int match_index_upsert_household(struct match_index *idx, const struct match_household *h)
{
    if (h->id <= 0 || (unsigned)h->monitoring > MATCH_MON_SUDDEN_HARDSHIP)
        return -1;
    uint32_t s = household_slot(idx, h->id);
    if (s == MATCH_SLOT_NONE)
        return -1;
    idx->h_flags[s] = household_flags(h);
    idx->h_posts[s] = h->public_welfare_posts;
    uint16_t hb = match_hbits(idx->h_flags[s]);
    for (uint32_t w = idx->h_head[s]; w != MATCH_SLOT_NONE; w = idx->w_cold[w].hnext) {
        idx->w_cold[w].hflags = idx->h_flags[s];
        idx->w_flags[w] =
            (uint16_t)((idx->w_flags[w] & ~(MATCH_W_H_ZERO | MATCH_W_H_MON | MATCH_W_H_POST)) | hb);
    }
    return 0;
}

int match_index_remove_household(struct match_index *idx, int64_t id)
{
    uint32_t s = match_map_find(idx->h_map, idx->h_map_mask, H_IDS(idx), id);
    if (s == MATCH_SLOT_NONE || idx->h_head[s] != MATCH_SLOT_NONE)
        return -1;
    match_map_del(idx->h_map, idx->h_map_mask, H_IDS(idx), id);
    idx->h_flags[s] = 0;
    idx->h_head[s] = idx->h_free;
    idx->h_free = s;
    idx->h_live--;
    return 0;
}

/* ---- workers ---- */

struct wnorm {
    uint64_t skill[MATCH_PLANES], levels, certs;
    int32_t cexp[MATCH_MAX_CERT_EXPIRIES];
    uint8_t cexp_id[MATCH_MAX_CERT_EXPIRIES];
    int dropped;
};

static bool worker_valid(const struct match_worker *w)
{
    if (w->id <= 0 || w->household_id <= 0 || (w->flags & ~MATCH_W_ALL_FLAGS) ||
        w->n_skills > MATCH_MAX_WORKER_SKILLS || w->n_certs > MATCH_MAX_WORKER_CERTS ||
        w->county_code <= 0 || !(w->lat >= -90 && w->lat <= 90) ||
        !(w->lon >= -180 && w->lon <= 180) || w->max_commute_km > 3000 || w->wage_floor > 1000000 ||
        w->kinds_wanted >> MATCH_KIND_COUNT)
        return false;
    for (unsigned i = 0; i < w->n_skills; i++)
        if (w->skills[i].skill < 1 || w->skills[i].level < 1 ||
            w->skills[i].level > MATCH_MAX_LEVEL)
            return false;
    for (unsigned i = 0; i < w->n_certs; i++)
        if (w->certs[i].cert < 1 || w->certs[i].cert > MATCH_MAX_CERT)
            return false;
    return true;
}

/* Skills to planes and packed levels; certificates to a mask and an expiry list. */
static void worker_normalize(const struct match_worker *w, struct wnorm *n)
{
    uint8_t level[MATCH_MAX_SKILL + 1] = {0};
    memset(n, 0, sizeof *n);
    for (unsigned i = 0; i < w->n_skills; i++) {
        unsigned s = w->skills[i].skill;
        if (w->skills[i].level > level[s])
            level[s] = w->skills[i].level;
        n->skill[s >> 6] |= 1ull << (s & 63);
    }
    unsigned rank = 0;
    for (unsigned s = 1; s <= MATCH_MAX_SKILL; s++)
        if (level[s])
            n->levels |= (uint64_t)level[s] << (3 * rank++);

    int32_t exp[MATCH_MAX_CERT + 1];
    for (unsigned c = 0; c <= MATCH_MAX_CERT; c++)
        exp[c] = INT32_MIN; /* not listed */
    for (unsigned i = 0; i < w->n_certs; i++) {
        unsigned c = w->certs[i].cert;
        int32_t e = w->certs[i].expires == MATCH_NO_DAY ? INT32_MAX : w->certs[i].expires;
        if (e > exp[c])
            exp[c] = e;
        n->certs |= 1ull << c;
    }
    unsigned k = 0;
    for (unsigned i = 0; i < MATCH_MAX_CERT_EXPIRIES; i++)
        n->cexp[i] = INT32_MAX;
    for (;;) { /* pick the latest-expiring certificates, at most four */
        unsigned best = 0;
        for (unsigned c = 1; c <= MATCH_MAX_CERT; c++)
            if (exp[c] != INT32_MIN && exp[c] != INT32_MAX && (!best || exp[c] > exp[best]))
                best = c;
        if (!best)
            break;
        if (k < MATCH_MAX_CERT_EXPIRIES) {
            n->cexp[k] = exp[best];
            n->cexp_id[k++] = (uint8_t)best;
        } else {
            n->certs &= ~(1ull << best);
            n->dropped = 1;
        }
        exp[best] = INT32_MIN;
    }
    for (unsigned i = 0; i < k / 2; i++) { /* ascending */
        int32_t e = n->cexp[i];
        uint8_t c = n->cexp_id[i];
        n->cexp[i] = n->cexp[k - 1 - i];
        n->cexp_id[i] = n->cexp_id[k - 1 - i];
        n->cexp[k - 1 - i] = e;
        n->cexp_id[k - 1 - i] = c;
    }
}

static int planes_ensure(struct match_index *idx, const uint64_t sk[MATCH_PLANES])
{
    for (int p = 1; p < MATCH_PLANES; p++)
        if (sk[p] && !idx->w_skill[p]) {
            idx->w_skill[p] = calloc(idx->w_cap ? idx->w_cap : 1, 8);
            if (!idx->w_skill[p])
                return -1;
        }
    return 0;
}

/* A slot for worker id: the existing one, or a new one (room made first).
 * An id above every one stored so far is new without a lookup: a load in id
 * order (server/jobs/matchload.c) then reads only the map's empty slots. */
static uint32_t worker_slot(struct match_index *idx, int64_t id, bool *fresh)
{
    uint32_t s = id > idx->w_id_max ? MATCH_SLOT_NONE : match_worker_slot(idx, id);
    *fresh = s == MATCH_SLOT_NONE;
    if (!*fresh)
        return s;
    if (idx->w_free == MATCH_SLOT_NONE && workers_grow(idx, next_cap(idx->w_cap, idx->w_top)))
        return MATCH_SLOT_NONE;
    if (match_map_fit(&idx->w_map, &idx->w_map_mask, W_IDS(idx), (size_t)idx->w_live + 1))
        return MATCH_SLOT_NONE;
    if (idx->w_free != MATCH_SLOT_NONE) {
        s = idx->w_free;
        idx->w_free = idx->w_cold[s].house;
    } else {
        s = idx->w_top++;
    }
    return s;
}

static void worker_store(struct match_index *idx, uint32_t s, const struct match_worker *w,
                         const struct wnorm *n, int county)
{
    struct match_wcold *c = &idx->w_cold[s];
    c->id = w->id;
    for (int p = 0; p < MATCH_PLANES; p++)
        if (idx->w_skill[p])
            idx->w_skill[p][s] = n->skill[p];
    c->levels = n->levels;
    idx->w_cert[s] = n->certs;
    memcpy(&idx->w_cexp[(size_t)s * MATCH_MAX_CERT_EXPIRIES], n->cexp, sizeof n->cexp);
    memcpy(&idx->w_cexp_id[(size_t)s * MATCH_MAX_CERT_EXPIRIES], n->cexp_id, sizeof n->cexp_id);
    int16_t q[3];
    match_unit_vector(w->lat, w->lon, q);
    for (int i = 0; i < 3; i++)
        idx->w_q[i][s] = q[i];
    idx->w_place[s] = match_place_intern(idx, q);
    idx->w_birth[s] = match_birth16(w->birth_day);
    idx->w_avail[s] = match_avail16(w->available_from);
    c->wage = w->wage_floor;
    idx->w_commute[s] = w->max_commute_km;
    idx->w_flags[s] = (uint16_t)(w->flags | MATCH_W_LIVE | match_hbits(c->hflags));
    c->kinds = w->kinds_wanted;
    idx->w_county[s] = (uint8_t)county;
    idx->w_facet[s] = (uint16_t)(w->kinds_wanted | match_wage_band(NULL, w->wage_floor) << 8);
}

/* Household member lists: push on the front, unlink by walking (households are small). */
static void household_link(struct match_index *idx, uint32_t h, uint32_t w)
{
    idx->w_cold[w].house = h;
    idx->w_cold[w].hnext = idx->h_head[h];
    idx->w_cold[w].hflags = idx->h_flags[h];
    idx->h_head[h] = w;
}

static void household_unlink(struct match_index *idx, uint32_t w)
{
    uint32_t *p = &idx->h_head[idx->w_cold[w].house];
    while (*p != w)
        p = &idx->w_cold[*p].hnext;
    *p = idx->w_cold[w].hnext;
}

int match_index_upsert_worker(struct match_index *idx, const struct match_worker *w)
{
    if (!worker_valid(w))
        return -1;
    struct wnorm n;
    worker_normalize(w, &n);
    if (!match_county_slot(idx, w->county_code) && idx->n_counties >= MATCH_MAX_COUNTIES)
        return -1;
    bool fresh;
    if (planes_ensure(idx, n.skill))
        return -1;
    uint32_t s = worker_slot(idx, w->id, &fresh);
    if (s == MATCH_SLOT_NONE)
        return -1;
    uint32_t h = household_slot(idx, w->household_id);
    if (h == MATCH_SLOT_NONE) {
        if (fresh) { /* give the slot back */
            idx->w_cold[s].house = idx->w_free;
            idx->w_free = s;
        }
        return -1;
    }
    if (!fresh) /* worker_store takes the new site's place */
        match_place_release(idx, idx->w_place[s]);
    if (fresh || idx->w_cold[s].house != h) {
        if (!fresh)
            household_unlink(idx, s);
        household_link(idx, h, s);
    }
    worker_store(idx, s, w, &n, county_intern(idx, w->county_code));
    if (fresh) {
        idx->w_live++;
        idx->w_id_max = w->id > idx->w_id_max ? w->id : idx->w_id_max;
        match_map_put(idx->w_map, idx->w_map_mask, W_IDS(idx), s);
    }
    return n.dropped;
}

int match_index_remove_worker(struct match_index *idx, int64_t id)
{
    uint32_t s = match_worker_slot(idx, id);
    if (s == MATCH_SLOT_NONE)
        return -1;
    match_map_del(idx->w_map, idx->w_map_mask, W_IDS(idx), id);
    household_unlink(idx, s);
    match_place_release(idx, idx->w_place[s]);
    idx->w_flags[s] = 0;
    idx->w_cold[s].house = idx->w_free;
    idx->w_free = s;
    idx->w_live--;
    return 0;
}

void match_wv_load(const struct match_index *idx, uint32_t s, struct match_wv *wv)
{
    const struct match_wcold *c = &idx->w_cold[s];
    wv->id = c->id;
    for (int p = 0; p < MATCH_PLANES; p++)
        wv->skill[p] = idx->w_skill[p] ? idx->w_skill[p][s] : 0;
    wv->levels = c->levels;
    wv->certs = idx->w_cert[s];
    memcpy(wv->cexp, &idx->w_cexp[(size_t)s * MATCH_MAX_CERT_EXPIRIES], sizeof wv->cexp);
    memcpy(wv->cexp_id, &idx->w_cexp_id[(size_t)s * MATCH_MAX_CERT_EXPIRIES], sizeof wv->cexp_id);
    for (int i = 0; i < 3; i++)
        wv->q[i] = idx->w_q[i][s];
    wv->birth_ymd = date_ymd(MATCH_BIRTH_EPOCH + idx->w_birth[s]);
    wv->avail = match_avail_day(idx->w_avail[s]);
    wv->county = idx->w_county[s];
    wv->county_code = idx->county_code[wv->county];
    wv->wage = c->wage;
    wv->commute = idx->w_commute[s];
    wv->flags = idx->w_flags[s] & MATCH_W_ALL_FLAGS;
    wv->kinds = c->kinds;
    wv->hflags = c->hflags;
    wv->hposts = idx->h_posts[c->house];
}

int match_wv_from_worker(const struct match_index *idx, const struct match_worker *w,
                         const struct match_household *h, struct match_wv *wv)
{
    if (!worker_valid(w))
        return -1;
    struct wnorm n;
    worker_normalize(w, &n);
    memset(wv, 0, sizeof *wv);
    wv->id = w->id;
    memcpy(wv->skill, n.skill, sizeof n.skill);
    wv->levels = n.levels;
    wv->certs = n.certs;
    memcpy(wv->cexp, n.cexp, sizeof n.cexp);
    memcpy(wv->cexp_id, n.cexp_id, sizeof n.cexp_id);
    match_unit_vector(w->lat, w->lon, wv->q);
    wv->birth_ymd = date_ymd(MATCH_BIRTH_EPOCH + match_birth16(w->birth_day));
    wv->avail = match_avail_day(match_avail16(w->available_from));
    wv->county = (uint8_t)match_county_slot(idx, w->county_code);
    wv->county_code = w->county_code;
    wv->wage = w->wage_floor;
    wv->commute = w->max_commute_km;
    wv->flags = w->flags;
    wv->kinds = w->kinds_wanted;
    if (h) {
        wv->hflags = household_flags(h);
        wv->hposts = h->public_welfare_posts;
    } else {
        uint32_t hs = match_map_find(idx->h_map, idx->h_map_mask, H_IDS(idx), w->household_id);
        wv->hflags = hs == MATCH_SLOT_NONE ? 0 : idx->h_flags[hs];
        wv->hposts = hs == MATCH_SLOT_NONE ? 0 : idx->h_posts[hs];
    }
    return 0;
}

static void levels_unpack(uint64_t levels, const uint64_t sk[MATCH_PLANES],
                          struct match_worker *out)
{
    unsigned rank = 0;
    out->n_skills = 0;
    for (unsigned s = 1; s <= MATCH_MAX_SKILL; s++)
        if ((sk[s >> 6] >> (s & 63)) & 1) {
            out->skills[out->n_skills].skill = (uint8_t)s;
            out->skills[out->n_skills++].level = (uint8_t)((levels >> (3 * rank++)) & 7);
        }
}

bool match_index_get_worker(const struct match_index *idx, int64_t id, struct match_worker *out)
{
    uint32_t s = match_worker_slot(idx, id);
    if (s == MATCH_SLOT_NONE)
        return false;
    struct match_wv wv;
    match_wv_load(idx, s, &wv);
    memset(out, 0, sizeof *out);
    out->id = id;
    out->household_id = idx->h_id[idx->w_cold[s].house];
    out->flags = wv.flags;
    int y = wv.birth_ymd / 10000, m = wv.birth_ymd / 100 % 100, d = wv.birth_ymd % 100;
    out->birth_day = date_day(y, m, d);
    out->available_from = wv.avail;
    out->county_code = wv.county_code;
    lat_lon(wv.q, &out->lat, &out->lon);
    out->max_commute_km = wv.commute;
    out->wage_floor = wv.wage;
    out->kinds_wanted = wv.kinds;
    levels_unpack(wv.levels, wv.skill, out);
    for (unsigned c = 1; c <= MATCH_MAX_CERT; c++)
        if ((wv.certs >> c) & 1) {
            struct match_worker_cert *wc = &out->certs[out->n_certs++];
            wc->cert = (uint8_t)c;
            wc->expires = MATCH_NO_DAY;
            for (unsigned j = 0; j < MATCH_MAX_CERT_EXPIRIES; j++)
                if (wv.cexp_id[j] == c && wv.cexp[j] != INT32_MAX)
                    wc->expires = wv.cexp[j];
        }
    return true;
}

/* ---- vacancies ---- */

static bool vacancy_valid(const struct match_vacancy *v)
{
    if ((unsigned)v->kind >= MATCH_KIND_COUNT || !(v->lat >= -90 && v->lat <= 90) ||
        !(v->lon >= -180 && v->lon <= 180) || v->wage_max < v->wage_min ||
        (unsigned)v->wage_period > MATCH_WAGE_PIECE || v->age_min > v->age_max ||
        v->n_skills > MATCH_MAX_VACANCY_SKILLS || v->n_certs > MATCH_MAX_VACANCY_CERTS ||
        v->wage_max > 100000000u)
        return false;
    for (unsigned i = 0; i < v->n_skills; i++) {
        const struct match_vacancy_skill *s = &v->skills[i];
        if (s->skill < 1 || s->min_level < 1 || s->min_level > MATCH_MAX_LEVEL ||
            !(s->weight > 0 && s->weight <= 10))
            return false;
        for (unsigned j = 0; j < i; j++)
            if (v->skills[j].skill == s->skill)
                return false;
    }
    for (unsigned i = 0; i < v->n_certs; i++)
        if (v->certs[i].cert < 1 || v->certs[i].cert > MATCH_MAX_CERT)
            return false;
    return true;
}

static uint32_t monthly(uint32_t wage, enum match_wage_period p)
{
    double m = p == MATCH_WAGE_DAY ? 21.75 : p == MATCH_WAGE_HOUR ? 174.0 : 1.0;
    double x = wage * m + 0.5;
    return x > 4e9 ? 4000000000u : (uint32_t)x;
}

int match_vrec_build(const struct match_index *idx, const struct match_vacancy *v,
                     struct match_vrec *r)
{
    if (!vacancy_valid(v))
        return -1;
    memset(r, 0, sizeof *r);
    r->id = v->id;
    match_unit_vector(v->lat, v->lon, r->q);
    r->start = v->start_day;
    r->start_ymd = v->start_day == MATCH_NO_DAY ? 0 : date_ymd(v->start_day);
    r->county_code = v->county_code;
    r->county = (uint8_t)match_county_slot(idx, v->county_code);
    r->dest_province = v->kind == MATCH_KIND_LABOR_EXPORT ? v->dest_province : 0;
    r->wage_lo = monthly(v->wage_min, v->wage_period);
    r->wage_hi = monthly(v->wage_max, v->wage_period);
    r->headcount = v->headcount;
    r->filled = v->filled;
    r->kind = (uint8_t)v->kind;
    r->period = (uint8_t)v->wage_period;
    r->age_lo = v->age_min > MATCH_LEGAL_AGE_MIN ? v->age_min : MATCH_LEGAL_AGE_MIN;
    r->age_hi = v->age_max < MATCH_LEGAL_AGE_MAX ? v->age_max : MATCH_LEGAL_AGE_MAX;
    r->accommodation = v->accommodation;
    r->transport = v->transport;
    r->open = v->open;
    for (unsigned i = 0; i < v->n_skills; i++)
        r->sweight_sum += v->skills[i].weight;
    r->n_skills = v->n_skills;
    for (unsigned i = 0; i < v->n_skills; i++) {
        unsigned s = v->skills[i].skill;
        r->skill[i] = (uint8_t)s;
        r->min_level[i] = v->skills[i].min_level;
        r->sweight[i] = v->skills[i].weight;
        r->req[s >> 6] |= 1ull << (s & 63);
        if (v->skills[i].must) {
            r->must_bits |= (uint8_t)(1u << i);
            r->must[s >> 6] |= 1ull << (s & 63);
            r->must_hi |= (uint8_t)(s >= 64);
        }
    }
    for (unsigned i = 0; i < v->n_certs; i++) {
        r->cert_all |= 1ull << v->certs[i].cert;
        if (v->certs[i].must)
            r->cert_must |= 1ull << v->certs[i].cert;
    }
    return 0;
}

int match_index_upsert_vacancy(struct match_index *idx, const struct match_vacancy *v)
{
    if (v->id <= 0 || !vacancy_valid(v) ||
        (!match_county_slot(idx, v->county_code) && idx->n_counties >= MATCH_MAX_COUNTIES) ||
        v->county_code <= 0)
        return -1;
    int county = county_intern(idx, v->county_code);
    if (county < 0)
        return -1;
    unsigned bi = match_vbucket_of((unsigned)county, (unsigned)v->kind);
    struct match_vrec built;
    float share;
    if (match_vrec_build(idx, v, &built))
        return -1;
    unsigned key = match_vbucket_key(&built, &share);
    if (match_vbucket_reserve(&idx->v_bucket[bi]))
        return -1;
    uint32_t s = match_map_find(idx->v_map, idx->v_map_mask, V_IDS(idx), v->id);
    bool fresh = s == MATCH_SLOT_NONE;
    unsigned old_bi = fresh ? 0 : match_vbucket_of(idx->v_county[s], idx->v_kind[s]);
    if (fresh) {
        if ((idx->v_free == MATCH_SLOT_NONE &&
             vacancies_grow(idx, next_cap(idx->v_cap, idx->v_top))) ||
            match_map_fit(&idx->v_map, &idx->v_map_mask, V_IDS(idx), (size_t)idx->v_live + 1))
            return -1;
        if (idx->v_free != MATCH_SLOT_NONE) {
            s = idx->v_free;
            idx->v_free = (uint32_t)idx->v_rec[s].id;
        } else {
            s = idx->v_top++;
        }
    }
    idx->v_rec[s] = built;
    const struct match_vrec *r = &idx->v_rec[s];
    idx->v_id[s] = v->id;
    idx->v_gate[s] =
        (uint8_t)(MATCH_V_LIVE | (v->open ? MATCH_V_OPEN : 0) |
                  (v->filled < v->headcount ? MATCH_V_NOT_FULL : 0) |
                  (r->must_hi ? MATCH_V_MUST_HI : 0) |
                  (r->req[1] | r->req[2] | r->req[3] ? MATCH_V_REQ_HI : 0) |
                  (r->accommodation ? MATCH_V_ACCOM : 0) | (r->transport ? MATCH_V_TRANSPORT : 0));
    for (int i = 0; i < 3; i++)
        idx->v_q[i][s] = r->q[i];
    float light = r->n_skills ? r->sweight[0] : 0;
    for (unsigned j = 1; j < r->n_skills; j++)
        light = r->sweight[j] < light ? r->sweight[j] : light;
    idx->v_light[s] = r->n_skills ? light / r->sweight_sum : 0;
    idx->v_kind[s] = r->kind;
    idx->v_age[2 * (size_t)s] = r->age_lo;
    idx->v_age[2 * (size_t)s + 1] = r->age_hi;
    idx->v_start[s] = r->start;
    idx->v_start_ymd[s] = r->start_ymd;
    idx->v_must0[s] = r->must[0];
    idx->v_req0[s] = r->req[0];
    idx->v_cert_must[s] = r->cert_must;
    idx->v_county[s] = r->county;
    if (!fresh)
        match_vbucket_del(idx, old_bi, s);
    match_vbucket_put(idx, bi, s, key, share);
    if (fresh) {
        idx->v_live++;
        match_map_put(idx->v_map, idx->v_map_mask, V_IDS(idx), s);
    }
    return 0;
}

int match_index_remove_vacancy(struct match_index *idx, int64_t id)
{
    uint32_t s = match_map_find(idx->v_map, idx->v_map_mask, V_IDS(idx), id);
    if (s == MATCH_SLOT_NONE)
        return -1;
    match_map_del(idx->v_map, idx->v_map_mask, V_IDS(idx), id);
    match_vbucket_del(idx, match_vbucket_of(idx->v_county[s], idx->v_kind[s]), s);
    idx->v_gate[s] = 0;
    idx->v_rec[s].id = idx->v_free;
    idx->v_free = s;
    idx->v_live--;
    return 0;
}

static void vacancy_unpack(const struct match_index *idx, const struct match_vrec *r,
                           struct match_vacancy *out)
{
    (void)idx;
    out->n_skills = r->n_skills;
    for (unsigned i = 0; i < r->n_skills; i++) {
        out->skills[i].skill = r->skill[i];
        out->skills[i].min_level = r->min_level[i];
        out->skills[i].must = (r->must_bits >> i) & 1;
        out->skills[i].weight = r->sweight[i];
    }
    for (unsigned c = 1; c <= MATCH_MAX_CERT; c++)
        if ((r->cert_all >> c) & 1) {
            out->certs[out->n_certs].cert = (uint8_t)c;
            out->certs[out->n_certs++].must = (r->cert_must >> c) & 1;
        }
}

bool match_index_get_vacancy(const struct match_index *idx, int64_t id, struct match_vacancy *out)
{
    uint32_t s = match_map_find(idx->v_map, idx->v_map_mask, V_IDS(idx), id);
    if (s == MATCH_SLOT_NONE)
        return false;
    const struct match_vrec *r = &idx->v_rec[s];
    memset(out, 0, sizeof *out);
    out->id = id;
    out->kind = (enum match_kind)r->kind;
    out->open = r->open;
    out->headcount = r->headcount;
    out->filled = r->filled;
    out->county_code = r->county_code;
    lat_lon(r->q, &out->lat, &out->lon);
    out->dest_province = r->dest_province;
    out->wage_min = r->wage_lo; /* monthly equivalents */
    out->wage_max = r->wage_hi;
    out->wage_period = r->period == MATCH_WAGE_PIECE ? MATCH_WAGE_PIECE : MATCH_WAGE_MONTH;
    out->age_min = r->age_lo;
    out->age_max = r->age_hi;
    out->accommodation = r->accommodation;
    out->transport = r->transport;
    out->start_day = r->start;
    vacancy_unpack(idx, r, out);
    return true;
}

size_t match_index_worker_slots(const struct match_index *idx)
{
    return round_block(idx->w_top);
}

void match_index_stats(const struct match_index *idx, struct match_stats *out)
{
    memset(out, 0, sizeof *out);
    out->workers = idx->w_live;
    out->households = idx->h_live;
    out->vacancies = idx->v_live;
    out->counties = idx->n_counties;
    out->worker_slots = idx->w_top;
    out->vacancy_slots = idx->v_top;
    size_t per_worker = 2 + 8 + 2 + 2 + 6 + 2 + 2 + 1 + 2 + 8 + 5 * MATCH_MAX_CERT_EXPIRIES +
                        sizeof(struct match_wcold);
    for (int p = 1; p < MATCH_PLANES; p++)
        per_worker += idx->w_skill[p] ? 8 : 0;
    out->worker_bytes =
        per_worker * idx->w_cap + 4 * (idx->w_map ? (size_t)idx->w_map_mask + 1 : 0);
    out->household_bytes =
        (8 + 1 + 2 + 4) * (size_t)idx->h_cap + 4 * (idx->h_map ? (size_t)idx->h_map_mask + 1 : 0);
    out->worker_bytes += (sizeof *idx->p_q + 8 + 4) * (size_t)idx->p_top;
    out->vacancy_bytes =
        (1 + 1 + 2 + 4 + 4 + 8 + 8 + 8 + 6 + 4 + 8 + 1 + 4 + 1 + sizeof(struct match_ventry) +
         sizeof(struct match_vbound) + sizeof(struct match_vrec)) *
            (size_t)idx->v_cap +
        4 * (idx->v_map ? (size_t)idx->v_map_mask + 1 : 0);
    /* the floor: flags, plane 0, available_from, birth, site (6), radius; the
     * first pass reads the site as a place number (2), and the county and
     * certificates when a vacancy's rules or requirements ask */
    out->scan_bytes_per_worker = 2 + 8 + 2 + 2 + 6 + 2;
    out->first_pass_bytes_per_worker = 2 + 8 + 2 + 2 + 2 + 2;
}
