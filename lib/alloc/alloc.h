/*
 * alloc: the exact, fair allocation of workers to posts.  Pure C: no event
 * loop, no database, no threads, no globals.  docs/matching.md ("Allocation")
 * explains the model, the proof that its weights keep the order, and the
 * figures.
 *
 * Input: a sparse bipartite graph.  Vacancies with a capacity (open
 * headcount); workers with their household and its flags; eligible arcs
 * (worker, vacancy, score in hundredths as lib/match gives it: usually the
 * top-K workers of each vacancy).  Output: the assignment that maximizes,
 * in this order and exactly,
 *   1. the number of distinct zero-employment households with a post,
 *   2. the number of distinct households under monitoring with a post,
 *   3. the total score,
 * with each worker on at most one post, each vacancy within its capacity,
 * only the given arcs, and at most one member of a household on the
 * vacancies marked ALLOC_V_ONE_PER_HOUSEHOLD.  The same input, in any
 * order, gives the same assignment.
 *
 * Threads.  alloc_solve runs on the caller's thread and keeps no state
 * between calls: any number may run at once.  The caller runs it on a worker
 * thread, reads progress through the callback and stops it through the
 * cancel flag (both checked often: a few milliseconds apart).
 *
 * Ownership.  The input is read during the call and never kept.  The result's
 * arrays belong to the result: alloc_result_free releases them (and is safe on
 * a zeroed or already freed result).
 */
#ifndef LEYE_ALLOC_H
#define LEYE_ALLOC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ALLOC_WUR __attribute__((warn_unused_result))

#define ALLOC_MAX_SCORE 1000000       /* arc scores 0..this (lib/match gives 0..10000) */
#define ALLOC_MAX_CAPACITY 1000000    /* posts per vacancy */
#define ALLOC_MAX_WORKERS 50000000u   /* workers in one input */
#define ALLOC_MAX_VACANCIES 10000000u /* vacancies in one input */
#define ALLOC_MAX_ARCS 1000000000u    /* arcs in one input */
#define ALLOC_DEFAULT_BB_NODES 2000   /* see alloc_options.max_bb_nodes */

/* Worker flags: facts about the worker's household (all members must agree). */
#define ALLOC_H_ZERO_EMPLOYMENT 0x1 /* household with labour and nobody employed (零就业家庭) */
#define ALLOC_H_MONITORED 0x2       /* household under poverty-return monitoring (any status) */
#define ALLOC_H_ALL 0x3

/* Vacancy flags. */
#define ALLOC_V_ONE_PER_HOUSEHOLD 0x1 /* at most one member of a household on all such posts */
#define ALLOC_V_ALL 0x1

struct alloc_worker {
    int64_t id;           /* > 0, unique */
    int64_t household_id; /* > 0 */
    uint32_t flags;       /* ALLOC_H_* */
};

struct alloc_vacancy {
    int64_t id;        /* > 0, unique */
    uint32_t capacity; /* open posts, 0..ALLOC_MAX_CAPACITY */
    uint32_t flags;    /* ALLOC_V_* */
};

/* An eligible pair: indices into the input's arrays; one arc per pair. */
struct alloc_arc {
    uint32_t worker, vacancy;
    int32_t score; /* 0..ALLOC_MAX_SCORE */
};

struct alloc_input {
    const struct alloc_worker *workers; /* the pool: workers without arcs are reported too */
    uint32_t n_workers;
    const struct alloc_vacancy *vacancies;
    uint32_t n_vacancies;
    const struct alloc_arc *arcs;
    size_t n_arcs;
};

struct alloc_options {
    const atomic_int *cancel; /* nonzero: stop and return ALLOC_CANCELLED; NULL: never */
    /* Called with 0..100 whenever the percentage done grows, on the caller's
     * thread; it may set *cancel.  NULL: no calls. */
    void (*progress)(void *arg, int percent);
    void *progress_arg;
    /* Flow problems allowed (Lagrangian prices, the dive and branch and
     * bound) when a household's members may take both one-per-household and
     * other posts (see docs); 0 = ALLOC_DEFAULT_BB_NODES. */
    uint32_t max_bb_nodes;
};

/* Why an eligible worker got no post. */
enum alloc_why {
    ALLOC_WHY_OUTSCORED,        /* had eligible posts; others served the objective better */
    ALLOC_WHY_NO_ELIGIBLE_POST, /* no arc to a vacancy with capacity */
    ALLOC_WHY_HOUSEHOLD_RULE,   /* only one-per-household posts, and a member holds one */
    ALLOC_WHY_COUNT
};

struct alloc_assignment {
    int64_t worker_id, vacancy_id;
    uint32_t worker, vacancy; /* input indices */
    int32_t score;
    uint32_t covers; /* ALLOC_H_* of the household this assignment counts for: set on
                        one assignment per covered household (its best, then lowest id) */
};

struct alloc_unassigned {
    int64_t worker_id;
    uint32_t worker; /* input index */
    enum alloc_why why;
    int64_t best_vacancy_id; /* the worker's best arc (score, then lowest id); 0 when none */
    int32_t best_score;      /* -1 when none */
};

struct alloc_summary {
    uint32_t vacancies, workers;   /* as given */
    uint32_t workers_with_arcs;    /* workers with an arc to a vacancy with capacity */
    uint64_t arcs;                 /* arcs to vacancies with capacity */
    uint64_t posts;                /* sum of capacities */
    uint32_t posts_filled;         /* = number of assignments */
    uint32_t households;           /* households of workers with arcs */
    uint32_t zero_households;      /* of those, zero-employment */
    uint32_t monitored_households; /* of those, under monitoring */
    uint32_t zero_covered, monitored_covered;
    int64_t total_score;
    uint32_t why[ALLOC_WHY_COUNT]; /* unassigned workers by reason */
    /* The weights used: objective = zero_covered * bonus_zero
     *   + monitored_covered * bonus_monitored + total_score (see docs). */
    int64_t bonus_zero, bonus_monitored;
    bool proven_optimal; /* false only with ALLOC_NOT_PROVEN */
    /* No assignment does better than this (lexicographically): the relaxation
     * without the rule where it needs branching; the result itself otherwise. */
    uint32_t bound_zero, bound_monitored;
    int64_t bound_score;
    /* ALLOC_NOT_PROVEN: the optimum's objective exceeds this result's by at most
     * gap (in the objective's units: hundredths of a point when the household
     * counts are the bound's); 0 otherwise. */
    int64_t gap;
    uint32_t conflict_households; /* households with split members (see docs) */
    uint32_t bb_nodes;            /* flow problems solved (1 without split members) */
    uint64_t searches, pops;      /* shortest-path searches and heap pops, all nodes */
};

struct alloc_result {
    struct alloc_assignment *assignments; /* by vacancy id, then worker id */
    uint32_t n_assignments;
    struct alloc_unassigned *unassigned; /* every input worker without a post, by id */
    uint32_t n_unassigned;
    struct alloc_summary summary;
    /* ALLOC_E_INPUT: what is wrong ("worker_id", "duplicate_worker",
     * "household_flags", "arc_worker", "arc_vacancy", "arc_score",
     * "duplicate_arc", "vacancy_id", "duplicate_vacancy", "capacity",
     * "flags", "size") and the input index it concerns. */
    const char *error;
    size_t error_index;
};

enum alloc_status {
    ALLOC_OK = 0,
    ALLOC_NOT_PROVEN = 1, /* feasible and the best found, not proven optimal: the
                             branch-and-bound budget ran out (result filled) */
    ALLOC_CANCELLED = -1, /* *cancel was set (result empty) */
    ALLOC_E_INPUT = -2,   /* see result.error (result otherwise empty) */
    ALLOC_E_NOMEM = -3,   /* (result empty) */
    ALLOC_E_RANGE = -4    /* weights would not fit in 64 bits: input far too large */
};

/*
 * Solves in; fills *out (zeroed first; free it with alloc_result_free
 * whatever the status).  opt may be NULL.  Returns an enum alloc_status.
 */
int alloc_solve(const struct alloc_input *in, const struct alloc_options *opt,
                struct alloc_result *out) ALLOC_WUR;
void alloc_result_free(struct alloc_result *r);

/* Stable codes for JSON: "ok", "cancelled"...; "outscored", "no_eligible_post"... */
const char *alloc_status_code(int status);
const char *alloc_why_code(enum alloc_why why);

#endif
