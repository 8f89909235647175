/*
 * match: the in-memory matching core.  Pure C: no event loop, no database,
 * no threads, no globals.  docs/matching.md explains the score, the filters
 * and the figures behind the layout.
 *
 * One match_index holds the seeking workers, their households and the open
 * vacancies in structure-of-arrays form built for scanning.  Records are
 * inserted, updated and removed one at a time (no rebuild); the server keeps
 * the index in step with PostgreSQL through LISTEN leye_match.
 *
 * Locking contract.  The index does no locking of its own.  Every query takes
 * a const index and writes only into the caller's match_result, so any number
 * of queries may run at once on one index, from any threads.  Every call that
 * takes a non-const index (upserts, removals, set_*) must run alone.  The
 * caller keeps a reader/writer lock (pthread_rwlock_t): queries under the read
 * lock, changes under the write lock, a batch of NOTIFY payloads applied under
 * one write lock.  An upsert takes a few microseconds, so writers never hold
 * readers up for long.
 *
 * Ownership.  match_index_new returns an index the caller frees with
 * match_index_free; match_result_new a result freed with match_result_free.
 * Input structs are read during the call and never kept.  Pointers inside a
 * query (weights) and names (match_names) are borrowed for the call only.
 *
 * Dates are day numbers: days since 1970-01-01 (match_day converts).  The
 * index keeps availability as days after 2000-01-01 (an earlier date means
 * "available now") and birth dates between 1900-01-01 and 2079-06-06; a
 * query's day must lie in 2000..2164.
 * Positions are kept as 16-bit unit vectors (about 200 m steps): distances are
 * great-circle km on a sphere of radius 6371.0088 km, good to about 0.3 km.
 * Scores are integers in hundredths of a point: 0..10000 is 0.00..100.00.
 */
#ifndef LEYE_MATCH_H
#define LEYE_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"

#define MATCH_WUR __attribute__((warn_unused_result))

#define MATCH_MAX_SKILL 255         /* skill ids are 1..255 (the taxonomy has 1..57 today) */
#define MATCH_MAX_CERT 63           /* certificate type ids are 1..63 */
#define MATCH_MAX_LEVEL 5           /* skill levels 1 (初级工) .. 5 (高级技师) */
#define MATCH_MAX_WORKER_SKILLS 21  /* 21 levels of 3 bits fill one 64-bit word */
#define MATCH_MAX_WORKER_CERTS 16   /* certificates given in one upsert */
#define MATCH_MAX_CERT_EXPIRIES 4   /* expiring certificates kept per worker */
#define MATCH_MAX_VACANCY_SKILLS 8  /* skills one vacancy may list */
#define MATCH_MAX_VACANCY_CERTS 8   /* certificates one vacancy may list */
#define MATCH_MAX_COUNTIES 255      /* distinct county codes in one index */
#define MATCH_MAX_QUERY_COUNTIES 32 /* counties in one query filter */
#define MATCH_MAX_K 200             /* results per page */
#define MATCH_MAX_REASONS 24        /* reasons per result */
#define MATCH_MAX_WORKERS 100000000u
#define MATCH_MAX_VACANCIES 10000000u
#define MATCH_LEGAL_AGE_MIN 16
#define MATCH_LEGAL_AGE_MAX 65
#define MATCH_NO_DAY INT32_MIN /* "no date": available now, never expires, no start date */

enum match_kind {
    MATCH_KIND_REGULAR,
    MATCH_KIND_WORK_RELIEF,    /* 以工代赈 */
    MATCH_KIND_PUBLIC_WELFARE, /* 公益性岗位 */
    MATCH_KIND_FOREST_RANGER,  /* 生态护林员 */
    MATCH_KIND_WORKSHOP,       /* 帮扶车间 */
    MATCH_KIND_LABOR_EXPORT,   /* 劳务输出 */
    MATCH_KIND_COUNT
};

enum match_monitoring { /* household.monitoring_status */
                        MATCH_MON_NONE,
                        MATCH_MON_UNSTABLE,       /* 脱贫不稳定户 */
                        MATCH_MON_MARGINAL,       /* 边缘易致贫户 */
                        MATCH_MON_SUDDEN_HARDSHIP /* 突发严重困难户 */
};

enum match_wage_period { MATCH_WAGE_MONTH, MATCH_WAGE_DAY, MATCH_WAGE_HOUR, MATCH_WAGE_PIECE };

enum match_lang { MATCH_LANG_ZH, MATCH_LANG_EN };

/* What a result list holds. */
enum match_target { MATCH_TARGET_WORKERS, MATCH_TARGET_VACANCIES };

/* Worker flags (struct match_worker.flags). */
#define MATCH_W_SEEKING 0x0001              /* employment_status = 'seeking' */
#define MATCH_W_CONSENT_BROKERS 0x0002      /* brokers may see this worker */
#define MATCH_W_WILLING_COUNTY 0x0004       /* willing to work outside the county */
#define MATCH_W_WILLING_PROVINCE 0x0008     /* willing to work outside the province */
#define MATCH_W_NEEDS_ACCOMMODATION 0x0010  /* needs accommodation at the workplace */
#define MATCH_W_RELOCATED 0x0020            /* 易地扶贫搬迁 relocated worker */
#define MATCH_W_LOCAL_RESIDENT 0x0040       /* registered (户籍) resident of the county */
#define MATCH_W_HOLDS_PUBLIC_WELFARE 0x0080 /* holds a public-welfare post now */
#define MATCH_W_HOLDS_FOREST_RANGER 0x0100  /* holds a forest-ranger post now */
#define MATCH_W_ALL_FLAGS 0x01ff

struct match_worker_skill {
    uint8_t skill; /* 1..MATCH_MAX_SKILL */
    uint8_t level; /* 1..MATCH_MAX_LEVEL */
};

struct match_worker_cert {
    uint8_t cert;    /* 1..MATCH_MAX_CERT */
    int32_t expires; /* last valid day, or MATCH_NO_DAY */
};

/* A worker as the caller reads it from the database (plain data). */
struct match_worker {
    int64_t id;           /* > 0 */
    int64_t household_id; /* > 0 */
    uint16_t flags;       /* MATCH_W_* */
    int32_t birth_day;
    int32_t available_from;  /* or MATCH_NO_DAY: available now */
    int32_t county_code;     /* the county of the worker's site */
    double lat, lon;         /* WGS-84, of the worker's site */
    uint16_t max_commute_km; /* 0..3000 */
    uint32_t wage_floor;     /* CNY per month, 0 = none */
    uint8_t kinds_wanted;    /* bit (1 << match_kind) per kind; 0 = no preference */
    uint8_t n_skills;
    struct match_worker_skill skills[MATCH_MAX_WORKER_SKILLS];
    uint8_t n_certs;
    struct match_worker_cert certs[MATCH_MAX_WORKER_CERTS];
};

/* The household facts matching needs; the caller maintains them. */
struct match_household {
    int64_t id;
    bool zero_employment; /* labour and nobody employed (零就业家庭) */
    enum match_monitoring monitoring;
    uint16_t public_welfare_posts; /* public-welfare posts its members hold now */
};

struct match_vacancy_skill {
    uint8_t skill;     /* 1..MATCH_MAX_SKILL */
    uint8_t min_level; /* 1..MATCH_MAX_LEVEL */
    bool must;         /* a hard requirement */
    float weight;      /* (0, 10] */
};

struct match_vacancy_cert {
    uint8_t cert; /* 1..MATCH_MAX_CERT */
    bool must;    /* vacancy_certificate rows are all must-haves today */
};

/* A vacancy (plain data). */
struct match_vacancy {
    int64_t id; /* > 0; ad-hoc queries may use any value */
    enum match_kind kind;
    bool open; /* status = 'open' and not archived */
    uint32_t headcount, filled;
    int32_t county_code;
    double lat, lon;       /* WGS-84, of the workplace */
    int32_t dest_province; /* labor_export: destination province code (530000 = Yunnan) */
    uint32_t wage_min, wage_max;
    enum match_wage_period wage_period;
    uint8_t age_min, age_max;
    bool accommodation, transport;
    int32_t start_day; /* or MATCH_NO_DAY: as soon as possible */
    uint8_t n_skills;
    struct match_vacancy_skill skills[MATCH_MAX_VACANCY_SKILLS];
    uint8_t n_certs;
    struct match_vacancy_cert certs[MATCH_MAX_VACANCY_CERTS];
};

/* The parts of the score. */
enum match_part {
    MATCH_PART_SKILL,
    MATCH_PART_CERT,
    MATCH_PART_DISTANCE,
    MATCH_PART_WAGE,
    MATCH_PART_KIND,
    MATCH_PART_AVAIL,
    MATCH_PART_PRIORITY,
    MATCH_PART_COUNT
};

/*
 * Weights for one vacancy kind; staff change them at run time.  The score is
 * 100 * sum(part_i * weight[i]) / sum(weight), each part_i in [0, 1].
 */
struct match_kind_weights {
    float weight[MATCH_PART_COUNT]; /* each 0..1000, not all 0 */
    float level_step;               /* credit lost per level below min_level (0..1) */
    float related_credit;           /* credit for a related skill held instead (0..1) */
    uint8_t must_level_slack;       /* levels a must-have may fall short and still pass (0..4) */
    float transport_factor;         /* commute radius multiplier with organised transport (1..10) */
    float accommodation_km;         /* radius when accommodation is provided (0..5000) */
    float prio_relocated;           /* priority credits, their sum capped at 1 (0..1 each) */
    float prio_monitoring;
    float prio_zero_employment;
    bool one_per_household; /* excluded when the household already holds a public-welfare post */
    bool no_double_post;    /* excluded when the worker holds a public-welfare or ranger post */
    bool residents_only;    /* only relocated or registered residents of the vacancy's county */
};

struct match_weights {
    struct match_kind_weights kind[MATCH_KIND_COUNT];
};

/* Hard filters and query filters, in the order they are charged: a record
 * removed by several is counted once, under the first.  The order is a
 * funnel: the vacancy, then what the worker lacks, then eligibility, then the
 * finer checks, then the query's own filters. */
enum match_filter {
    MATCH_F_NONE,
    MATCH_F_VACANCY_CLOSED, /* vacancy not open */
    MATCH_F_VACANCY_FULL,   /* filled >= headcount */
    MATCH_F_MUST_SKILL,     /* a must-have skill not held at all */
    MATCH_F_MUST_CERT,      /* a must-have certificate not held */
    MATCH_F_NOT_SEEKING,    /* worker not seeking work */
    MATCH_F_NO_CONSENT,     /* broker query, worker gave brokers no consent */
    MATCH_F_NOT_AVAILABLE,  /* not available by the start date */
    MATCH_F_AGE,            /* age outside the vacancy's range or 16..65 */
    MATCH_F_HOUSEHOLD_POST, /* household already holds a public-welfare post */
    MATCH_F_DOUBLE_POST,    /* worker already holds a public-welfare or ranger post */
    MATCH_F_NOT_RESIDENT,   /* not a relocated or registered resident of the county */
    MATCH_F_SKILL_LEVEL,    /* a must-have skill held below its level */
    MATCH_F_CERT_EXPIRED,   /* a must-have certificate expired by the start date */
    MATCH_F_COUNTY,         /* query: county */
    MATCH_F_KIND,           /* query: vacancy kind */
    MATCH_F_WAGE,           /* query: wage range */
    MATCH_F_DISTANCE,       /* query: maximum distance */
    MATCH_F_MIN_SCORE,      /* query: minimum score */
    MATCH_F_COUNT
};

#define MATCH_WAGE_BANDS 7 /* <2000, 2000-, 3000-, 4000-, 5000-, 7000+ CNY/month, piece rate */
#define MATCH_DIST_BANDS 6 /* <5, 5-, 10-, 20-, 50-, 100+ km */

struct match_query {
    uint32_t k;        /* 1..MATCH_MAX_K */
    int32_t today;     /* the day of the query */
    bool broker;       /* a broker asks: workers without broker consent are removed */
    bool facets;       /* fill result->facets: every record counted, counts exact */
    bool no_priority;  /* the score, its order, parts and reasons leave the priority part
                          out (a broker asks: household status must not show, not even
                          in the order); the other parts keep their points */
    int32_t min_score; /* hundredths, 0..10000 */
    float max_km;      /* > 0: results within this distance only */
    uint8_t kinds;     /* bit per match_kind, 0 = any (workers: kinds they want) */
    uint8_t n_counties;
    int32_t counties[MATCH_MAX_QUERY_COUNTIES]; /* empty = any */
    uint32_t wage_min, wage_max; /* CNY per month, 0 = open; vacancies: their wage_min,
                                    workers: their wage floor */
    bool after;                  /* cursor: results strictly after (after_score, after_id) */
    int32_t after_score;
    int64_t after_id;
    const struct match_weights *weights; /* NULL: the index's table */
};

/* A reason: a code and up to three numbers, rendered by match_reason_format. */
struct match_reason {
    uint16_t code; /* enum match_reason_code */
    int32_t a, b, c;
};

enum match_reason_code {
    MATCH_R_SKILL_OK,            /* a=skill b=level held c=level asked */
    MATCH_R_SKILL_LOW,           /* a=skill b=level held c=level asked */
    MATCH_R_SKILL_RELATED,       /* a=skill asked b=related skill held c=its level */
    MATCH_R_SKILL_MISSING,       /* a=skill c=level asked */
    MATCH_R_MUST_SKILL_MISSING,  /* a=skill c=level asked (filter) */
    MATCH_R_MUST_SKILL_LOW,      /* a=skill b=level held c=level asked (filter) */
    MATCH_R_CERT_OK,             /* a=certificate */
    MATCH_R_CERT_MISSING,        /* a=certificate (wanted, not required) */
    MATCH_R_MUST_CERT_MISSING,   /* a=certificate (filter) */
    MATCH_R_CERT_EXPIRED,        /* a=certificate b=expiry day c=1 if required (filter) */
    MATCH_R_DIST_NEAR,           /* a=km b=commute radius km */
    MATCH_R_DIST_FAR,            /* a=km b=commute radius km */
    MATCH_R_DIST_TRANSPORT,      /* a=km b=radius with transport */
    MATCH_R_DIST_ACCOMMODATION,  /* a=km */
    MATCH_R_NEEDS_ACCOMMODATION, /* a=km */
    MATCH_R_EXPORT_WILLING,      /* a=0 outside the county, 1 outside the province */
    MATCH_R_EXPORT_UNWILLING,    /* a=0 outside the county, 1 outside the province */
    MATCH_R_WAGE_OK,             /* a=wage_min b=floor (monthly CNY) */
    MATCH_R_WAGE_MAYBE,          /* a=wage_min b=floor c=wage_max */
    MATCH_R_WAGE_LOW,            /* a=wage_max b=floor */
    MATCH_R_WAGE_PIECE,          /* piece rate: not comparable */
    MATCH_R_KIND_WANTED,         /* a=kind */
    MATCH_R_KIND_UNWANTED,       /* a=kind */
    MATCH_R_AVAIL_NOW,
    MATCH_R_AVAIL_FROM, /* a=day */
    MATCH_R_PRIO_RELOCATED,
    MATCH_R_PRIO_MONITORING, /* a=enum match_monitoring */
    MATCH_R_PRIO_ZERO_EMPLOYMENT,
    MATCH_R_FILTER, /* a=enum match_filter, b and c as match_filter_format */
    MATCH_R_COUNT
};

struct match_hit {
    int64_t id;
    int32_t score;                   /* hundredths */
    int16_t parts[MATCH_PART_COUNT]; /* points of each part, hundredths */
    float km;                        /* great-circle distance worker site - workplace */
    uint32_t ref;                    /* internal: the record's slot in the index */
    uint32_t failed;                 /* match_explain only: bit (1 << filter) per failing filter */
    uint8_t n_reasons;
    struct match_reason reasons[MATCH_MAX_REASONS];
};

struct match_county_count {
    int32_t code;
    uint32_t count;
};

/* Counts of all results (ignoring k and the cursor) by each dimension, each
 * computed with that dimension's own query filter switched off. */
struct match_facets {
    uint32_t kind[MATCH_KIND_COUNT];
    uint32_t wage_band[MATCH_WAGE_BANDS];
    uint32_t dist_band[MATCH_DIST_BANDS];
    uint32_t n_counties;
    struct match_county_count county[MATCH_MAX_COUNTIES]; /* by code, nonzero only */
    uint32_t county_by_slot[MATCH_MAX_COUNTIES + 1];      /* internal */
    uint32_t kinds_by_mask[256]; /* internal: workers by the kinds they want (0: any) */
};

struct match_result {
    enum match_target target;
    uint32_t n; /* hits, best first: score desc, then id asc */
    struct match_hit hit[MATCH_MAX_K];
    bool more;                       /* a next page may exist (it may turn out empty) */
    uint64_t scanned;                /* records looked at */
    uint64_t candidates;             /* records that passed every filter, the minimum score too */
    uint64_t removed[MATCH_F_COUNT]; /* records removed, by first failing filter */
    bool counts_exact; /* false: candidates and the query-filter and min-score counts are
                          lower bounds (pruning skipped records that could not make the page);
                          always true with facets or when fewer than k hits came back */
    bool has_facets;
    struct match_facets facets;
};

/* Skill and certificate names for rendering, indexed by id; entries may be
 * NULL (rendered as "#id").  Borrowed for the call. */
struct match_names {
    const char *const *skill_zh; /* MATCH_MAX_SKILL + 1 entries, or NULL */
    const char *const *skill_en;
    const char *const *cert_zh; /* MATCH_MAX_CERT + 1 entries, or NULL */
    const char *const *cert_en;
};

struct match_stats {
    size_t workers, households, vacancies, counties;
    size_t worker_slots, vacancy_slots; /* including free slots */
    size_t worker_bytes;                /* worker arrays and the id map */
    size_t household_bytes;             /* household arrays and their id map */
    size_t vacancy_bytes;
    size_t scan_bytes_per_worker;       /* the bandwidth floor's bytes a worker (fixed at 22) */
    size_t first_pass_bytes_per_worker; /* what the worker gate reads of every slot */
};

struct match_index;

/* Dates: match_day and match_civil are date_day and date_civil (date.h). */
static inline int32_t match_day(int y, int m, int d)
{
    return date_day(y, m, d);
}
static inline void match_civil(int32_t day, int *y, int *m, int *d)
{
    date_civil(day, y, m, d);
}

/* Index lifecycle.  match_index_new returns NULL when out of memory. */
struct match_index *match_index_new(void) MATCH_WUR;
void match_index_free(struct match_index *idx);

/* Grows the arrays once for this many records (optional; saves regrowth). */
int match_index_reserve(struct match_index *idx, size_t workers, size_t vacancies) MATCH_WUR;

/* Sets the parent of a skill (0 = none): skills with the same parent, and a
 * skill and its parent, are related.  Returns 0, or -1 for bad ids. */
int match_index_set_skill_parent(struct match_index *idx, unsigned skill,
                                 unsigned parent) MATCH_WUR;

/* Copies w in after match_weights_check.  Returns 0 or -1 (table unchanged). */
int match_index_set_weights(struct match_index *idx, const struct match_weights *w) MATCH_WUR;
const struct match_weights *match_index_weights(const struct match_index *idx); /* borrowed */

void match_weights_default(struct match_weights *w);
int match_weights_check(const struct match_weights *w) MATCH_WUR; /* 0 or -1 */

/*
 * Inserts or replaces a worker (by id).  Duplicate skills keep the highest
 * level; a certificate listed twice keeps the latest expiry.  Returns 0; 1
 * when more than MATCH_MAX_CERT_EXPIRIES certificates expire, in which case
 * the earliest-expiring ones are dropped (treated as not held); -1 for bad
 * input, too many counties or no memory (the index is then unchanged).
 * A household not yet known is created with no flags.
 */
int match_index_upsert_worker(struct match_index *idx, const struct match_worker *w) MATCH_WUR;
/* Returns 0, or -1 when the id is unknown. */
int match_index_remove_worker(struct match_index *idx, int64_t id) MATCH_WUR;
bool match_index_get_worker(const struct match_index *idx, int64_t id, struct match_worker *out);

/* Households live until removed; workers refer to them by id. */
int match_index_upsert_household(struct match_index *idx,
                                 const struct match_household *h) MATCH_WUR;
int match_index_remove_household(struct match_index *idx,
                                 int64_t id) MATCH_WUR; /* -1: unknown or in use */

int match_index_upsert_vacancy(struct match_index *idx, const struct match_vacancy *v) MATCH_WUR;
int match_index_remove_vacancy(struct match_index *idx, int64_t id) MATCH_WUR;
bool match_index_get_vacancy(const struct match_index *idx, int64_t id, struct match_vacancy *out);

void match_index_stats(const struct match_index *idx, struct match_stats *out);

/* Results.  match_result_new returns NULL when out of memory. */
struct match_result *match_result_new(void) MATCH_WUR;
void match_result_free(struct match_result *r);

/* A query with every filter off, k results, asked on day today. */
void match_query_init(struct match_query *q, int32_t today, uint32_t k);

/*
 * Top-k workers for vacancy v (one in the index, or ad hoc).  Fills r.
 * Returns 0, or -1 for a bad query or vacancy (r then holds nothing).
 */
int match_query_workers(const struct match_index *idx, const struct match_vacancy *v,
                        const struct match_query *q, struct match_result *r) MATCH_WUR;
int match_query_workers_by_id(const struct match_index *idx, int64_t vacancy_id,
                              const struct match_query *q, struct match_result *r) MATCH_WUR;

/*
 * The same scan split for several threads (the library starts none): each
 * thread scans [begin, end) of match_index_worker_slots() into its own result
 * (bounds are rounded down to multiples of 64); match_result_merge folds one
 * such part into another (parts only: before finish), and
 * match_query_workers_finish sorts and explains the sum.  The outcome is what
 * match_query_workers returns.  All parts use the same v and q.
 */
size_t match_index_worker_slots(const struct match_index *idx);
int match_query_workers_range(const struct match_index *idx, const struct match_vacancy *v,
                              const struct match_query *q, size_t begin, size_t end,
                              struct match_result *part) MATCH_WUR;
int match_result_merge(struct match_result *into, const struct match_result *part,
                       const struct match_query *q) MATCH_WUR;
int match_query_workers_finish(const struct match_index *idx, const struct match_vacancy *v,
                               const struct match_query *q, struct match_result *r) MATCH_WUR;

/*
 * Top-k vacancies for worker w: one in the index, or an ad-hoc profile (a
 * broker's "someone like this").  h gives its household; NULL looks
 * w->household_id up in the index (no flags if unknown).  Ad-hoc profiles
 * count as seeking and are not charged MATCH_F_NO_CONSENT.
 */
int match_query_vacancies(const struct match_index *idx, const struct match_worker *w,
                          const struct match_household *h, const struct match_query *q,
                          struct match_result *r) MATCH_WUR;
int match_query_vacancies_by_id(const struct match_index *idx, int64_t worker_id,
                                const struct match_query *q, struct match_result *r) MATCH_WUR;

/*
 * Explains one worker against one vacancy, both in the index, as a query of
 * target would see them (the query filters differ): out gets the score and
 * its parts, the failing filters (out->failed) and the reasons, filters
 * first.  out->id is the worker's or the vacancy's id, after target.
 * Returns 0, or -1 when either id is unknown or q is bad.
 */
int match_explain(const struct match_index *idx, int64_t worker_id, int64_t vacancy_id,
                  const struct match_query *q, enum match_target target,
                  struct match_hit *out) MATCH_WUR;

/* Rendering: snprintf semantics (returns the length the text needs). */
int match_reason_format(const struct match_reason *r, enum match_lang lang,
                        const struct match_names *names, char *buf, size_t cap);
/* "缺少必需技能：排除 1204 人" / "Missing a required skill: 1204 workers removed" */
int match_filter_format(enum match_filter f, uint64_t count, enum match_target target,
                        enum match_lang lang, char *buf, size_t cap);

/* Stable codes for JSON: "must_skill", "skill", "regular", "dist_near"... */
const char *match_filter_code(enum match_filter f);
const char *match_part_code(enum match_part p);
const char *match_kind_code(enum match_kind k);
const char *match_reason_code(enum match_reason_code c);
int match_kind_parse(const char *s); /* -1 when unknown */

/*
 * Course recommendations from skill gaps (match_recommend.c).
 *
 * A course teaches a skill at a level (skill 0: none), a certificate (cert
 * 0: none), or both.  For worker worker_id (in the index) and each course,
 * out[i].opened counts the vacancies the worker fails today and would pass
 * with the course: with the course's skill (at its level, or the level held
 * if higher) and certificate added, every hard filter and every query
 * filter of q passes and the score reaches q->min_score.  A vacancy still
 * blocked by something else (another must-have skill, a certificate the
 * course does not give, the age, distance under q->max_km, a score below
 * the threshold) is not counted: the course must close the vacancy's last
 * failing requirement.  *open_now (may be NULL) gets the vacancies the
 * worker passes already.  q->k and the cursor are ignored; q->today is
 * "today".  A course whose skill or certificate would not fit in the
 * profile opens nothing.  Runs in one pass over the vacancies; courses are
 * evaluated only on vacancies that list their skill (or a related one) or
 * their certificate.
 * Returns 0, or -1 for an unknown worker, a bad query, n above
 * MATCH_MAX_COURSES or no memory.
 */
#define MATCH_MAX_COURSES 1000

struct match_course {
    int64_t id;    /* the caller's; copied to the gain */
    uint8_t skill; /* 0..MATCH_MAX_SKILL, 0 = none */
    uint8_t level; /* 1..MATCH_MAX_LEVEL when skill is given */
    uint8_t cert;  /* 0..MATCH_MAX_CERT, 0 = none */
};

struct match_course_gain {
    int64_t id;
    uint32_t opened;
};

int match_recommend_courses(const struct match_index *idx, int64_t worker_id,
                            const struct match_query *q, const struct match_course *courses,
                            size_t n, struct match_course_gain *out, uint32_t *open_now) MATCH_WUR;

#endif
