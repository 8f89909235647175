/*
 * demo_int: the inside of the demo-data generator, shared by its files:
 *   demo.c        randomness, COPY buffers, the database, identities, the run
 *   demo_gen.c    households and people, employers and vacancies, who works
 *                 where, skills and preferences (all in memory)
 *   demo_write.c  the rows written for all of it
 */
#ifndef LEYE_DEMO_INT_H
#define LEYE_DEMO_INT_H

#include "demo.h"

#include "date.h"
#include "demo_data.h"
#include "log.h"
#include "pii.h"
#include "validate.h"

#include <libpq-fe.h>
#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEMO_SEED 0x4c6579652d64656dULL /* "Leye-dem" */
/* Facts.md (CCTV 2020-06-11): employment rate 79.34% of relocated labourers
 * and 1.24 employed per household, hence about 1.56 labourers a household. */
#define DEMO_LABOUR_PER_HOUSEHOLD 1.56
#define DEMO_EMPLOYMENT_RATE 0.795
#define DEMO_MONITORED_SHARE 0.08
#define DEMO_NONE INT32_MIN /* no date */
#define DEMO_MAX_SKILLS 4
#define DEMO_MAX_CERTS 3

enum { ROLE_HEAD, ROLE_SPOUSE, ROLE_CHILD, ROLE_ELDER };
enum { ST_SEEKING, ST_LOCAL, ST_COUNTY, ST_PROVINCE, ST_TRAINING, ST_NOT_SEEKING };
enum { SC_LOCAL, SC_COUNTY, SC_PROVINCE };
enum { VS_DRAFT, VS_OPEN, VS_CLOSED, VS_FILLED };
enum { AS_APPLIED, AS_SHORTLISTED, AS_OFFERED, AS_HIRED, AS_REJECTED, AS_WITHDRAWN };
enum { SRC_KIOSK, SRC_STAFF, SRC_ALLOCATION };
enum { END_CONTRACT, END_QUIT, END_DISMISSED, END_PROJECT, END_HEALTH, END_MOVED, END_OTHER };

struct demo_county {
    int code;
    double lat, lon;
};

struct demo_hh {
    int64_t id;
    int site, origin, members, monitoring, found_by, found_on, created;
    char village[96], ref[16];
    int first, n; /* its workers: d->w[first .. first + n) */
};

struct demo_worker {
    int64_t id;
    int hh, role, age, birth, reg;
    char sex;
    char name[48];
    char id18[19];
    char phone[12];
    int ethnic, edu, mandarin, disability, status;
    bool labour, employed, training_now;
    double score;
    int commute, wage_floor, kinds, available;
    bool will_county, will_province, accommodation, consent_emp, consent_brokers;
    int nskill, skill[DEMO_MAX_SKILLS], level[DEMO_MAX_SKILLS];
    int ncert, cert[DEMO_MAX_CERTS];
    int active, ended; /* placement indexes, -1 none */
};

struct demo_vac {
    int64_t id;
    int job, employer, county, project, dest, round, status;
    int posted, start, end;
    int filled, live, headcount, wage_min, wage_max;
    double lat, lon;
    char title[160];
};

struct demo_place {
    int64_t id;
    int app, worker, vac, start, wage, scope, ended, reason;
};

struct demo_app {
    int64_t id;
    int worker, vac, source, status, applied, decided, place;
};

struct demo {
    PGconn *conn;
    uint64_t rng;
    int today;
    struct demo_county counties[160];
    int ncounties;
    int64_t site_id[DEMO_NSITES], employer_id[DEMO_NEMPLOYERS], project_id[DEMO_NPROJECTS];
    struct demo_hh *hh;
    int nhh;
    struct demo_worker *w;
    int nw;
    struct demo_vac *vac;
    int nvac;
    struct demo_place *pl;
    int npl;
    struct demo_app *app;
    int napp;
    int64_t *ids;    /* scratch: ids taken from a sequence */
    uint64_t *idset; /* the first 17 digits of every ID number made, open addressing */
    size_t idset_cap;
};

struct demo_buf {
    char *p;
    size_t n, cap;
    bool failed;
};

/* randomness: xorshift from a fixed seed, inline for the generators */

static inline uint64_t demo_next(struct demo *d)
{
    uint64_t x = d->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    d->rng = x;
    return x * 0x2545f4914f6cdd1dULL;
}

/* 0 .. n-1 */
static inline int demo_rand(struct demo *d, int n)
{
    return n <= 1 ? 0 : (int)((demo_next(d) >> 33) % (uint64_t)n);
}

static inline double demo_unit(struct demo *d)
{
    return (double)(demo_next(d) >> 11) / 9007199254740992.0;
}

static inline bool demo_chance(struct demo *d, double p)
{
    return demo_unit(d) < p;
}

/* demo.c */

/* An index drawn with the given weights; -1 when they are all zero. */
int demo_pick(struct demo *d, const double *w, int n);

int demo_pick_int(struct demo *d, const int *w, int n);

/*
 * Appends one row.  Each character of types takes the next argument(s):
 *   i int, I int64_t, b bool, f double (6 decimals), m double (2 decimals),
 *   t text (NULL for NULL), d date as a day number (DEMO_NONE for NULL),
 *   T a moment in China time (day, second of the day), U the same moment
 *   twice (created_at and updated_at), n NULL (no argument).
 */
void demo_row(struct demo_buf *b, const char *types, ...);

/* Office hours, for the moments staff and workers did things. */
int demo_office_second(struct demo *d);

/* Takes n values from the identity sequence of table, for rows that others refer to. */
int demo_ids(struct demo *d, const char *table, int n, int64_t *out);

/* Loads the rows of b into table (columns cols): COPY into a temporary
 * table, then one INSERT, so that the table's triggers and row-level
 * security apply.  Table and column names are constants of this file. */
int demo_load(struct demo *d, const char *table, const char *cols, struct demo_buf *b);

const struct demo_county *demo_county(const struct demo *d, int code);

const struct demo_staff_def *demo_staff_of(int county);

const struct demo_origin_def *demo_origin(int county);

/* A resident ID number (GB 11643): region, birth date, sequence with the
 * sex digit, and the ISO 7064 MOD 11-2 check character. */
int demo_idnum(struct demo *d, int region, int birth, char sex, char out[19]);

/* A unified social credit code (GB 32100) whose organisation code part
 * carries its own GB 11714 check character. */
int demo_credit_code(struct demo *d, const char *type, int county, char out[19]);

/* A name as people of that group are commonly named.  surname: the family's
 * (a child's father's) if set, else one is chosen and written back. */
void demo_name(struct demo *d, int eth, char sex, int age, char surname[4], char *out, size_t cap);

void demo_phone(struct demo *d, char out[12]);

int demo_education(struct demo *d, int age, int eth);

int demo_mandarin(struct demo *d, int eth, int age, int edu);

/* demo_gen.c */

int demo_gen_households(struct demo *d);

/* The labour force: each household's likeliest member first, then the
 * likeliest of the rest until there are DEMO_LABOUR_PER_HOUSEHOLD a
 * household; then who is employed, so that most households with labour have
 * someone at work. */
int demo_pick_labour(struct demo *d);

int demo_write_employers(struct demo *d, struct demo_buf *b);

int demo_write_projects(struct demo *d, struct demo_buf *b);

int demo_gen_vacancies(struct demo *d);

void demo_assign_jobs(struct demo *d);

/* Jobs that ended: households that have just lost their only job, people
 * between jobs, and people who changed jobs. */
void demo_gen_history(struct demo *d);

/* Applications still under way, and some that went nowhere. */
void demo_gen_open_apps(struct demo *d);

/* Headcounts that agree with the hires and the applications under way. */
void demo_finish_vacancies(struct demo *d);

void demo_gen_skills(struct demo *d, struct demo_worker *w);

void demo_gen_prefs(struct demo *d, struct demo_worker *w);

/* demo_write.c */

int demo_write_sites(struct demo *d, struct demo_buf *b);

int demo_write_households(struct demo *d, struct demo_buf *b);

int demo_write_workers(struct demo *d, struct demo_buf *b);

int demo_write_skills_certs(struct demo *d, struct demo_buf *b);

/* Trainings: most of the labour force has had one (docs/demo-data.md: 83.6%);
 * consent as a history of grants and a few withdrawals. */
int demo_write_trainings_consents(struct demo *d, struct demo_buf *b);

int demo_write_vacancies(struct demo *d, struct demo_buf *b);

/* Labour remuneration paid month by month since each project began. */
int demo_write_payments(struct demo *d, struct demo_buf *b);

int demo_write_applications(struct demo *d, struct demo_buf *b);

int demo_write_placements(struct demo *d, struct demo_buf *b);

int demo_write_tasks(struct demo *d, struct demo_buf *b);

#endif
