/*
 * Course recommendations from skill gaps (match.h, match_recommend_courses).
 *
 * One pass over the vacancies.  For each vacancy the worker is evaluated as
 * they are (match_pair_eval, the reference every scan agrees with); a
 * vacancy they already pass is open and no course is credited with it.
 * Otherwise each course that touches the vacancy (it lists the course's
 * skill or a skill related to it, or its certificate) is evaluated with the
 * worker's profile plus what the course teaches, and the vacancy counts for
 * the course only when that profile passes every filter and the minimum
 * score.  A course that closes one of two failing requirements, or leaves
 * the job too far away or below the score, is not credited.  Courses that
 * touch nothing of a vacancy cannot change its outcome: the skill part reads
 * only listed skills (and skills related to them), the certificate part and
 * filters only listed certificates.
 */
#include "match_int.h"

#include <stdlib.h>

/* The profile w with course c added: the skill at the course's level unless
 * held higher, the certificate with no expiry.  False when the profile has
 * no room for another skill or certificate. */
static bool recommend_profile(const struct match_worker *w, const struct match_course *c,
                              struct match_worker *out)
{
    *out = *w;
    if (c->skill) {
        unsigned i = 0;
        while (i < out->n_skills && out->skills[i].skill != c->skill)
            i++;
        if (i == out->n_skills) {
            if (out->n_skills >= MATCH_MAX_WORKER_SKILLS)
                return false;
            out->skills[out->n_skills++] = (struct match_worker_skill){c->skill, c->level};
        } else if (out->skills[i].level < c->level) {
            out->skills[i].level = c->level;
        }
    }
    if (c->cert) {
        unsigned i = 0;
        while (i < out->n_certs && out->certs[i].cert != c->cert)
            i++;
        if (i == out->n_certs) {
            if (out->n_certs >= MATCH_MAX_WORKER_CERTS)
                return false;
            out->n_certs++;
        }
        out->certs[i] = (struct match_worker_cert){c->cert, MATCH_NO_DAY};
    }
    return true;
}

static bool recommend_course_valid(const struct match_course *c)
{
    if (!c->skill && !c->cert)
        return false;
    if (c->skill && (c->level < 1 || c->level > MATCH_MAX_LEVEL))
        return false;
    return c->cert <= MATCH_MAX_CERT;
}

/* Whether adding skill s can change how vacancy v scores or filters. */
static bool recommend_touches_skill(const struct match_index *idx, const struct match_vrec *v,
                                    unsigned s)
{
    for (unsigned j = 0; j < v->n_skills; j++) {
        unsigned t = v->skill[j];
        if (t == s || ((idx->related[t][s >> 6] >> (s & 63)) & 1))
            return true;
    }
    return false;
}

/* The filters a course can clear: what the worker lacks, and the score. */
#define RECOMMEND_FIXABLE                                                                          \
    ((1u << MATCH_F_MUST_SKILL) | (1u << MATCH_F_MUST_CERT) | (1u << MATCH_F_SKILL_LEVEL) |        \
     (1u << MATCH_F_CERT_EXPIRED) | (1u << MATCH_F_MIN_SCORE))

/* Whether some course could still lift e to the minimum score: at best it
 * gives full marks for the skill and certificate parts. */
static bool recommend_reachable(const struct match_ctx *c, const struct match_vrec *v,
                                const struct match_pair_eval *e)
{
    const float *pts = c->pts[v->kind];
    float best = e->total + pts[MATCH_PART_SKILL] * (1.0f - e->part[MATCH_PART_SKILL]) +
                 pts[MATCH_PART_CERT] * (1.0f - e->part[MATCH_PART_CERT]);
    return match_score_round(best + 0.01f) >= c->q->min_score;
}

int match_recommend_courses(const struct match_index *idx, int64_t worker_id,
                            const struct match_query *q, const struct match_course *courses,
                            size_t n, struct match_course_gain *out, uint32_t *open_now)
{
    struct match_worker w;
    struct match_wv *wv = NULL;
    bool *usable = NULL;
    int rc = -1;
    if (!idx || !q || (n && (!courses || !out)) || n > MATCH_MAX_COURSES || match_query_check(q) ||
        !match_index_get_worker(idx, worker_id, &w))
        return -1;
    wv = calloc(n + 1, sizeof *wv);
    usable = calloc(n + 1, sizeof *usable);
    if (!wv || !usable)
        goto done;
    if (match_wv_from_worker(idx, &w, NULL, &wv[0]))
        goto done;
    for (size_t i = 0; i < n; i++) {
        struct match_worker plus;
        out[i] = (struct match_course_gain){courses[i].id, 0};
        usable[i + 1] = recommend_course_valid(&courses[i]) &&
                        recommend_profile(&w, &courses[i], &plus) &&
                        match_wv_from_worker(idx, &plus, NULL, &wv[i + 1]) == 0;
    }
    struct match_ctx c;
    match_ctx_init(&c, idx, q);
    c.target = MATCH_TARGET_VACANCIES;
    uint32_t already = 0;
    struct match_pair_eval e;
    for (uint32_t slot = 0; slot < idx->v_top; slot++) {
        unsigned gate = idx->v_gate[slot];
        if (!(gate & MATCH_V_LIVE) || !(gate & MATCH_V_OPEN) || !(gate & MATCH_V_NOT_FULL))
            continue; /* closed or full: nobody passes, with or without a course */
        const struct match_vrec *v = &idx->v_rec[slot];
        match_pair_eval(&c, &wv[0], v, false, &e);
        if (!e.failed) {
            already++;
            continue;
        }
        if ((e.failed & ~RECOMMEND_FIXABLE) || !recommend_reachable(&c, v, &e))
            continue; /* blocked by something no course changes */
        for (size_t i = 0; i < n; i++) {
            if (!usable[i + 1])
                continue;
            bool touches =
                (courses[i].skill && recommend_touches_skill(idx, v, courses[i].skill)) ||
                (courses[i].cert && ((v->cert_all >> courses[i].cert) & 1));
            if (!touches)
                continue;
            match_pair_eval(&c, &wv[i + 1], v, false, &e);
            if (!e.failed)
                out[i].opened++;
        }
    }
    if (open_now)
        *open_now = already;
    rc = 0;
done:
    free(wv);
    free(usable);
    return rc;
}
