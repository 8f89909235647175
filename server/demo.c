/*
 * demo: a living system for a newcomer's first look (make run).
 *
 * Everything is generated in memory from a fixed seed, so two databases
 * loaded on the same day hold the same people, jobs and histories; dates
 * are counted back from today (China time) so that follow-ups fall due and
 * tasks run late as they would.  Rows go in through COPY into temporary
 * tables and one INSERT per table (COPY itself refuses tables with row-level
 * security), all in one transaction; the triggers keep the rollups.
 * ID numbers reach the database only as pii.h blind index, ciphertext and
 * mask.
 */
#define _POSIX_C_SOURCE 200809L
#include "demo.h"
#include "demo_training.h"

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

/* ---- randomness, dates, characters --------------------------------------- */

static uint64_t demo_next(struct demo *d)
{
    uint64_t x = d->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    d->rng = x;
    return x * 0x2545f4914f6cdd1dULL;
}

/* 0 .. n-1 */
static int demo_rand(struct demo *d, int n)
{
    return n <= 1 ? 0 : (int)((demo_next(d) >> 33) % (uint64_t)n);
}

static double demo_unit(struct demo *d)
{
    return (double)(demo_next(d) >> 11) / 9007199254740992.0;
}

static bool demo_chance(struct demo *d, double p)
{
    return demo_unit(d) < p;
}

/* An index drawn with the given weights; -1 when they are all zero. */
static int demo_pick(struct demo *d, const double *w, int n)
{
    double total = 0;
    for (int i = 0; i < n; i++)
        total += w[i];
    if (total <= 0)
        return -1;
    double x = demo_unit(d) * total;
    for (int i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    for (int i = n - 1; i >= 0; i--)
        if (w[i] > 0)
            return i;
    return -1;
}

static int demo_pick_int(struct demo *d, const int *w, int n)
{
    double dw[16];
    for (int i = 0; i < n && i < 16; i++)
        dw[i] = w[i];
    return demo_pick(d, dw, n < 16 ? n : 16);
}

/* Days since 1970-01-01 of a Gregorian date (H. Hinnant's algorithm). */
static int demo_day(int y, int m, int dd)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void demo_civil(int day, int *y, int *m, int *dd)
{
    int z = day + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *dd = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

static int demo_month_days(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* day + n months, the day clamped to the month's end (as PostgreSQL does). */
static int demo_add_months(int day, int n)
{
    int y, m, dd;
    demo_civil(day, &y, &m, &dd);
    int k = (y * 12 + m - 1) + n;
    y = k / 12;
    m = k % 12 + 1;
    int last = demo_month_days(y, m);
    return demo_day(y, m, dd > last ? last : dd);
}

/* Copies the k-th character of a string of 3-byte UTF-8 characters. */
static void demo_cjk(const char *s, int k, char out[4])
{
    memcpy(out, s + 3 * k, 3);
    out[3] = '\0';
}

/* A character of s; skew > 1 favours the first ones (the commonest). */
static void demo_pick_cjk(struct demo *d, const char *s, double skew, char out[4])
{
    int n = (int)(strlen(s) / 3);
    int k = (int)(n * pow(demo_unit(d), skew));
    demo_cjk(s, k < n ? k : n - 1, out);
}

/* ---- COPY buffers ------------------------------------------------------- */

struct demo_buf {
    char *p;
    size_t n, cap;
    bool failed;
};

static void demo_put(struct demo_buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1 << 16;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

/* Text escaped for COPY's text format. */
static void demo_escape(struct demo_buf *b, const char *s)
{
    for (; *s; s++) {
        const char *e = *s == '\\'   ? "\\\\"
                        : *s == '\t' ? "\\t"
                        : *s == '\n' ? "\\n"
                        : *s == '\r' ? "\\r"
                                     : NULL;
        demo_put(b, e ? e : s, e ? 2 : 1);
    }
}

/*
 * Appends one row.  Each character of types takes the next argument(s):
 *   i int, I int64_t, b bool, f double (6 decimals), m double (2 decimals),
 *   t text (NULL for NULL), d date as a day number (DEMO_NONE for NULL),
 *   T a moment in China time (day, second of the day), U the same moment
 *   twice (created_at and updated_at), n NULL (no argument).
 */
static void demo_row(struct demo_buf *b, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    for (const char *t = types; *t; t++) {
        char tmp[80] = "\\N";
        int n = 2, day, sec, y, m, dd;
        const char *s;
        if (t != types)
            demo_put(b, "\t", 1);
        switch (*t) {
        case 'i':
            n = snprintf(tmp, sizeof tmp, "%d", va_arg(ap, int));
            break;
        case 'I':
            n = snprintf(tmp, sizeof tmp, "%lld", (long long)va_arg(ap, int64_t));
            break;
        case 'b':
            n = snprintf(tmp, sizeof tmp, "%s", va_arg(ap, int) ? "t" : "f");
            break;
        case 'f':
        case 'm':
            n = snprintf(tmp, sizeof tmp, *t == 'f' ? "%.6f" : "%.2f", va_arg(ap, double));
            break;
        case 't':
            s = va_arg(ap, const char *);
            if (s) {
                demo_escape(b, s);
                n = 0;
            }
            break;
        case 'd':
            day = va_arg(ap, int);
            if (day == DEMO_NONE)
                break;
            demo_civil(day, &y, &m, &dd);
            n = snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, dd);
            break;
        case 'T':
        case 'U':
            day = va_arg(ap, int);
            sec = va_arg(ap, int);
            demo_civil(day, &y, &m, &dd);
            n = snprintf(tmp, sizeof tmp, "%04d-%02d-%02d %02d:%02d:%02d+08", y, m, dd, sec / 3600,
                         sec / 60 % 60, sec % 60);
            if (*t == 'U') {
                demo_put(b, tmp, (size_t)n);
                demo_put(b, "\t", 1);
            }
            break;
        default:
            break;
        }
        demo_put(b, tmp, n > 0 && (size_t)n < sizeof tmp ? (size_t)n : 0);
    }
    va_end(ap);
    demo_put(b, "\n", 1);
}

/* Office hours, for the moments staff and workers did things. */
static int demo_office_second(struct demo *d)
{
    return 8 * 3600 + 30 * 60 + demo_rand(d, 9 * 3600);
}

/* ---- the database ------------------------------------------------------- */

static bool demo_result_ok(struct demo *d, PGresult *r, const char *what)
{
    ExecStatusType s = PQresultStatus(r);
    if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_COPY_IN)
        return true;
    log_error("demo data: %s failed: %s", what, PQerrorMessage(d->conn));
    return false;
}

static int demo_exec(struct demo *d, const char *sql)
{
    PGresult *r = PQexec(d->conn, sql);
    int rc = demo_result_ok(d, r, sql) ? 0 : -1;
    PQclear(r);
    return rc;
}

/* Takes n values from the identity sequence of table, for rows that others refer to. */
static int demo_ids(struct demo *d, const char *table, int n, int64_t *out)
{
    char count[16];
    snprintf(count, sizeof count, "%d", n);
    const char *v[2] = {table, count};
    PGresult *r = PQexecParams(d->conn,
                               "SELECT nextval(pg_get_serial_sequence($1, 'id')) "
                               "FROM generate_series(1, $2::integer)",
                               2, NULL, v, NULL, NULL, 0);
    int rc = demo_result_ok(d, r, "reserving ids") && PQntuples(r) == n ? 0 : -1;
    for (int i = 0; rc == 0 && i < n; i++)
        out[i] = strtoll(PQgetvalue(r, i, 0), NULL, 10);
    PQclear(r);
    return rc;
}

/* Loads the rows of b into table (columns cols): COPY into a temporary
 * table, then one INSERT, so that the table's triggers and row-level
 * security apply.  Table and column names are constants of this file. */
static int demo_load(struct demo *d, const char *table, const char *cols, struct demo_buf *b)
{
    char sql[1024];
    int rc = -1;
    if (b->failed) {
        log_error("demo data: out of memory");
        return -1;
    }
    snprintf(sql, sizeof sql,
             "CREATE TEMP TABLE demo_stage ON COMMIT DROP AS SELECT %s FROM %s WITH NO DATA", cols,
             table);
    if (demo_exec(d, sql) < 0)
        return -1;
    snprintf(sql, sizeof sql, "COPY demo_stage (%s) FROM STDIN", cols);
    PGresult *r = PQexec(d->conn, sql);
    if (PQresultStatus(r) == PGRES_COPY_IN) {
        if (PQputCopyData(d->conn, b->p ? b->p : "", (int)b->n) == 1 &&
            PQputCopyEnd(d->conn, NULL) == 1)
            rc = 0;
    } else {
        demo_result_ok(d, r, table);
    }
    PQclear(r);
    while ((r = PQgetResult(d->conn)) != NULL) {
        if (!demo_result_ok(d, r, table))
            rc = -1;
        PQclear(r);
    }
    snprintf(sql, sizeof sql,
             "INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM demo_stage; "
             "DROP TABLE demo_stage",
             table, cols, cols);
    if (rc == 0)
        rc = demo_exec(d, sql);
    free(b->p);
    memset(b, 0, sizeof *b);
    return rc;
}

static int demo_read_context(struct demo *d)
{
    PGresult *r = PQexec(d->conn, "SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date - "
                                  "DATE '1970-01-01'");
    if (!demo_result_ok(d, r, "reading today") || PQntuples(r) != 1) {
        PQclear(r);
        return -1;
    }
    d->today = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    r = PQexec(d->conn, "SELECT code, lat, lon FROM region WHERE level = 'county' ORDER BY code");
    if (!demo_result_ok(d, r, "reading counties")) {
        PQclear(r);
        return -1;
    }
    int n = PQntuples(r);
    for (int i = 0; i < n && d->ncounties < (int)(sizeof d->counties / sizeof d->counties[0]);
         i++) {
        struct demo_county *c = &d->counties[d->ncounties++];
        c->code = atoi(PQgetvalue(r, i, 0));
        c->lat = atof(PQgetvalue(r, i, 1));
        c->lon = atof(PQgetvalue(r, i, 2));
    }
    PQclear(r);
    return 0;
}

static const struct demo_county *demo_county(const struct demo *d, int code)
{
    for (int i = 0; i < d->ncounties; i++)
        if (d->counties[i].code == code)
            return &d->counties[i];
    return NULL;
}

static const struct demo_staff_def *demo_staff_of(int county)
{
    for (int i = 0; i < DEMO_NSTAFF; i++)
        if (demo_staff[i].county == county)
            return &demo_staff[i];
    return &demo_staff[0];
}

static const struct demo_origin_def *demo_origin(int county)
{
    for (int i = 0; i < DEMO_NORIGINS; i++)
        if (demo_origins[i].county == county)
            return &demo_origins[i];
    return &demo_origins[0];
}

/* ---- identities --------------------------------------------------------- */

/* Adds key to the set of ID numbers made; false if it was there. */
static bool demo_idset_add(struct demo *d, uint64_t key)
{
    size_t mask = d->idset_cap - 1;
    for (size_t i = (size_t)(key * 0x9e3779b97f4a7c15ULL) & mask;; i = (i + 1) & mask) {
        if (d->idset[i] == key)
            return false;
        if (d->idset[i] == 0) {
            d->idset[i] = key;
            return true;
        }
    }
}

/* A resident ID number (GB 11643): region, birth date, sequence with the
 * sex digit, and the ISO 7064 MOD 11-2 check character. */
static int demo_idnum(struct demo *d, int region, int birth, char sex, char out[19])
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int y, m, dd;
    char tmp[40];
    demo_civil(birth, &y, &m, &dd);
    for (int tries = 0; tries < 200; tries++) {
        int seq = demo_rand(d, 100);
        int sx = demo_rand(d, 5) * 2 + (sex == 'M');
        snprintf(tmp, sizeof tmp, "%06d%04d%02d%02d%02d%d", region, y, m, dd, seq, sx);
        if (strlen(tmp) != 17 || !demo_idset_add(d, strtoull(tmp, NULL, 10)))
            continue;
        int sum = 0;
        for (int i = 0; i < 17; i++)
            sum += (tmp[i] - '0') * weights[i];
        memcpy(out, tmp, 17);
        out[17] = "10X98765432"[sum % 11];
        out[18] = '\0';
        return 0;
    }
    return -1;
}

/* A unified social credit code (GB 32100) whose organisation code part
 * carries its own GB 11714 check character. */
static int demo_credit_code(struct demo *d, const char *type, int county, char out[19])
{
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    static const int w8[8] = {3, 7, 9, 10, 5, 8, 4, 2};
    static const int w17[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    char org[10], tmp[40];
    int s = 0;
    for (int i = 0; i < 8; i++) {
        int v = i == 0 ? 1 + demo_rand(d, 9) : demo_rand(d, 10);
        org[i] = (char)('0' + v);
        s += v * w8[i];
    }
    int c = 11 - s % 11;
    org[8] = c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
    org[9] = '\0';
    snprintf(tmp, sizeof tmp, "%s%06d%s", type, county, org);
    if (strlen(tmp) != 17)
        return -1;
    s = 0;
    for (int i = 0; i < 17; i++)
        s += (int)(strchr(alphabet, tmp[i]) - alphabet) * w17[i];
    memcpy(out, tmp, 17);
    out[17] = alphabet[(31 - s % 31) % 31];
    out[18] = '\0';
    char norm[19];
    return validate_credit_code(out, 18, norm, NULL) ? 0 : -1;
}

/* A name as people of that group are commonly named.  surname: the family's
 * (a child's father's) if set, else one is chosen and written back. */
static void demo_name(struct demo *d, int eth, char sex, int age, char surname[4], char *out,
                      size_t cap)
{
    char b[4] = "", c[4] = "";
    const char *surnames = demo_ethnics[eth].surnames;
    if (eth == DEMO_LAHU || eth == DEMO_WA) {
        const char *prefix =
            eth == DEMO_LAHU ? (sex == 'M' ? "扎" : "娜") : (sex == 'M' ? "岩" : "叶");
        demo_pick_cjk(d, eth == DEMO_LAHU ? demo_lahu_names : demo_wa_names, 1.0, b);
        if (!surname[0] && demo_chance(d, eth == DEMO_LAHU ? 0.6 : 0.3))
            demo_pick_cjk(d, surnames, 1.3, surname);
        snprintf(out, cap, "%s%s%s", surname, prefix, b);
        return;
    }
    if (!surname[0])
        demo_pick_cjk(d, surnames, eth == DEMO_HAN ? 2.2 : 1.5, surname);
    bool young = age < 26;
    const char *own = young ? (sex == 'M' ? demo_given_young_male : demo_given_young_female)
                            : (sex == 'M' ? demo_given_male : demo_given_female);
    demo_pick_cjk(d, own, 1.0, c);
    if (!young && demo_chance(d, 0.7))
        demo_pick_cjk(d, demo_given_gen, 1.0, b);
    else if (young && demo_chance(d, 0.6))
        demo_pick_cjk(d, own, 1.0, b);
    snprintf(out, cap, "%s%s%s", surname, young ? c : b, young ? b : c);
}

static void demo_phone(struct demo *d, char out[12])
{
    const char *p = demo_phone_prefixes[demo_rand(d, DEMO_NPHONE_PREFIXES)];
    snprintf(out, 12, "%s%04d%04d", p, demo_rand(d, 10000), demo_rand(d, 10000));
}

static int demo_education(struct demo *d, int age, int eth)
{
    static const int old[7] = {18, 50, 27, 4, 1, 0, 0};
    static const int mid[7] = {6, 34, 48, 6, 5, 1, 0};
    static const int young[7] = {1, 10, 50, 14, 18, 6, 1};
    int e = demo_pick_int(d, age >= 45 ? old : age >= 30 ? mid : young, 7);
    if (eth != DEMO_HAN && eth != DEMO_HUI && e > 0 && demo_chance(d, 0.15))
        e--;
    return e;
}

static int demo_mandarin(struct demo *d, int eth, int age, int edu)
{
    if (eth == DEMO_HAN || eth == DEMO_HUI)
        return age >= 50 && edu <= 1 && demo_chance(d, 0.6) ? 1 : 2;
    if (age >= 45 || edu == 0) {
        static const int w[3] = {40, 50, 10};
        return demo_pick_int(d, w, 3);
    }
    return demo_chance(d, 0.45) ? 1 : 2;
}

/* ---- households and their people ----------------------------------------- */

/* How likely someone is to be in the labour force (higher: more). */
static double demo_labour_score(struct demo *d, const struct demo_worker *w, int members)
{
    double s = w->age < 18    ? -4.0
               : w->age < 22  ? -1.5
               : w->age < 25  ? 0.5
               : w->age <= 45 ? 2.0
               : w->age <= 50 ? 1.3
               : w->age <= 55 ? 0.4
                              : -0.6;
    static const double disability[4] = {0, -0.5, -3.0, -8.0};
    s += disability[w->disability];
    if (w->sex == 'F' && w->age >= 24 && w->age <= 40 && members >= 5)
        s -= 1.0; /* young children at home */
    return s + (demo_unit(d) * 2.4 - 1.2);
}

static int demo_add_worker(struct demo *d, struct demo_hh *h, int eth, int age, char sex, int role,
                           char surname[4])
{
    struct demo_worker *w = &d->w[d->nw];
    memset(w, 0, sizeof *w);
    w->hh = (int)(h - d->hh);
    w->role = role;
    w->age = age;
    w->sex = sex;
    w->ethnic = eth;
    w->active = w->ended = -1;
    int y, m, dd;
    demo_civil(d->today, &y, &m, &dd);
    int last = demo_month_days(y - age, m);
    /* two days' margin: the age holds in China time and in UTC */
    w->birth = demo_day(y - age, m, dd > last ? last : dd) - 2 - demo_rand(d, 361);
    if (demo_idnum(d, h->origin, w->birth, sex, w->id18) < 0)
        return -1;
    demo_name(d, eth, sex, age, surname, w->name, sizeof w->name);
    if (demo_chance(d, role == ROLE_ELDER ? 0.8 : 0.96))
        demo_phone(d, w->phone);
    w->edu = demo_education(d, age, eth);
    w->mandarin = demo_mandarin(d, eth, age, w->edu);
    static const int dis[4] = {955, 25, 14, 6};
    w->disability = demo_pick_int(d, dis, 4);
    w->score = demo_labour_score(d, w, h->members);
    w->reg = h->created + demo_rand(d, d->today - 60 - h->created);
    d->nw++;
    return 0;
}

/* The people of 16 to 60 in a household: a couple, grown children, a
 * parent.  Children carry their father's surname. */
static int demo_gen_people(struct demo *d, struct demo_hh *h, int eth)
{
    char head_name[4] = "", spouse_name[4] = "", other[4];
    int head_age = 26 + demo_rand(d, 18) + demo_rand(d, 16);
    char head_sex = demo_chance(d, 0.8) ? 'M' : 'F';
    int rc = demo_add_worker(d, h, eth, head_age, head_sex, ROLE_HEAD, head_name);
    int adults = 1;
    if (h->members >= 2 && demo_chance(d, h->members >= 3 ? 0.88 : 0.55)) {
        int age = head_age + (head_sex == 'M' ? -demo_rand(d, 5) : demo_rand(d, 5));
        age = age < 18 ? 18 : age > 60 ? 60 : age;
        rc |=
            demo_add_worker(d, h, eth, age, head_sex == 'M' ? 'F' : 'M', ROLE_SPOUSE, spouse_name);
        adults++;
    }
    const char *family = head_sex == 'F' && adults == 2 ? spouse_name : head_name;
    for (int k = adults; k < h->members; k++) {
        char sex = demo_chance(d, 0.52) ? 'M' : 'F';
        if (head_age >= 38 && demo_chance(d, 0.45)) {
            int age = head_age - 19 - demo_rand(d, 10);
            memcpy(other, family, 4);
            if (age >= 16)
                rc |= demo_add_worker(d, h, eth, age, sex, ROLE_CHILD, other);
        } else if (head_age <= 48 && demo_chance(d, 0.2)) {
            int age = head_age + 22 + demo_rand(d, 12);
            if (sex == 'M')
                memcpy(other, head_name, 4);
            else
                other[0] = '\0';
            if (age <= 60)
                rc |= demo_add_worker(d, h, eth, age, sex, ROLE_ELDER, other);
        }
    }
    h->n = d->nw - h->first;
    return rc;
}

static int demo_gen_households(struct demo *d)
{
    static const int members_w[6] = {8, 16, 26, 25, 16, 9}; /* 2 .. 7 people */
    static const int monitoring_w[3] = {45, 35, 20};
    static const int found_by_w[3] = {15, 40, 45};
    for (int s = 0; s < DEMO_NSITES; s++) {
        const struct demo_site_def *site = &demo_sites[s];
        for (int k = 0; k < site->sample; k++) {
            struct demo_hh *h = &d->hh[d->nhh++];
            memset(h, 0, sizeof *h);
            h->site = s;
            int no = 0;
            while (no < 6 && site->origin[no])
                no++;
            h->origin = site->origin[demo_pick_int(d, site->weight, no)];
            const struct demo_origin_def *o = demo_origin(h->origin);
            int nt = 0;
            while (nt < 12 && o->towns[nt])
                nt++;
            snprintf(h->village, sizeof h->village, "%s%s村", o->towns[demo_rand(d, nt)],
                     demo_villages[demo_rand(d, DEMO_NVILLAGES)]);
            snprintf(h->ref, sizeof h->ref, "%s-%04d", site->ref, k + 1);
            h->members = 2 + demo_pick_int(d, members_w, 6);
            h->found_on = h->found_by = DEMO_NONE;
            if (demo_chance(d, DEMO_MONITORED_SHARE)) {
                h->monitoring = 1 + demo_pick_int(d, monitoring_w, 3);
                h->found_by = demo_pick_int(d, found_by_w, 3);
                h->found_on = d->today - 20 - demo_rand(d, 680);
            }
            h->created = d->today - 700 - demo_rand(d, 60);
            h->first = d->nw;
            if (demo_gen_people(d, h, demo_pick_int(d, o->ethnic, DEMO_NETHNIC)) < 0)
                return -1;
        }
    }
    return 0;
}

static int demo_cmp_score_desc(const void *a, const void *b)
{
    double x = (*(const struct demo_worker *const *)a)->score;
    double y = (*(const struct demo_worker *const *)b)->score;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* The labour force: each household's likeliest member first, then the
 * likeliest of the rest until there are DEMO_LABOUR_PER_HOUSEHOLD a
 * household; then who is employed, so that most households with labour have
 * someone at work. */
static int demo_pick_labour(struct demo *d)
{
    struct demo_worker **rest = malloc((size_t)d->nw * sizeof *rest);
    if (!rest)
        return -1;
    int nrest = 0, labour = 0, employed = 0;
    for (int i = 0; i < d->nhh; i++) {
        struct demo_hh *h = &d->hh[i];
        struct demo_worker *best = NULL;
        for (int k = h->first; k < h->first + h->n; k++)
            if (!best || d->w[k].score > best->score)
                best = &d->w[k];
        for (int k = h->first; k < h->first + h->n; k++) {
            struct demo_worker *w = &d->w[k];
            if (w == best && w->score > -2.5) {
                w->labour = true;
                labour++;
                w->employed = w->age >= 18 && demo_chance(d, 0.95);
                employed += w->employed;
            } else if (w->score > -3.5) {
                rest[nrest++] = w;
            }
        }
    }
    qsort(rest, (size_t)nrest, sizeof *rest, demo_cmp_score_desc);
    int want = (int)lround(DEMO_LABOUR_PER_HOUSEHOLD * d->nhh) - labour;
    for (int i = 0; i < nrest && i < want; i++) {
        rest[i]->labour = true;
        labour++;
    }
    /* among the others in the labour force: the most employable get the jobs */
    int n = 0;
    for (int i = 0; i < nrest && i < want; i++) {
        struct demo_worker *w = rest[i];
        if (w->age >= 18) {
            w->score += (w->edu >= 2 ? 0.4 : 0) + demo_unit(d) * 2.0 - 1.0;
            rest[n++] = w;
        }
    }
    qsort(rest, (size_t)n, sizeof *rest, demo_cmp_score_desc);
    int more = (int)lround(DEMO_EMPLOYMENT_RATE * labour) - employed;
    for (int i = 0; i < n && i < more; i++)
        rest[i]->employed = true;
    free(rest);
    for (int i = 0; i < d->nw; i++) {
        struct demo_worker *w = &d->w[i];
        w->status = !w->labour ? ST_NOT_SEEKING : ST_SEEKING;
        if (w->labour && !w->employed && demo_chance(d, 0.06)) {
            w->status = ST_TRAINING;
            w->training_now = true;
        }
    }
    return 0;
}

/* ---- employers, projects and vacancies ----------------------------------- */

/* A contact number: a mobile, or a fixed line of the prefecture. */
static void demo_contact_phone(struct demo *d, int county, char out[20])
{
    const char *area = "0871";
    for (int i = 0; i < DEMO_NAREA_CODES; i++)
        if (demo_area_codes[i].prefecture == county / 100 * 100)
            area = demo_area_codes[i].area;
    if (demo_chance(d, 0.5))
        demo_phone(d, out);
    else if (county / 100 == 5301) /* Kunming numbers have 8 digits */
        snprintf(out, 20, "%s-%d%07d", area, 2 + demo_rand(d, 7), demo_rand(d, 10000000));
    else
        snprintf(out, 20, "%s-%d%06d", area, 2 + demo_rand(d, 7), demo_rand(d, 1000000));
}

static int demo_write_employers(struct demo *d, struct demo_buf *b)
{
    char codes[DEMO_NEMPLOYERS][19];
    if (demo_ids(d, "employer", DEMO_NEMPLOYERS, d->employer_id) < 0)
        return -1;
    for (int i = 0; i < DEMO_NEMPLOYERS; i++) {
        const struct demo_employer_def *e = &demo_employers[i];
        bool unique = false;
        while (!unique) {
            if (demo_credit_code(d, e->org_type, e->county, codes[i]) < 0) {
                log_error("demo data: made an invalid credit code for %s", e->name);
                return -1;
            }
            unique = true;
            for (int k = 0; k < i; k++)
                unique = unique && strcmp(codes[k], codes[i]) != 0;
        }
        char contact[48], phone[20], surname[4] = "";
        demo_name(d, DEMO_HAN, demo_chance(d, 0.5) ? 'M' : 'F', 40, surname, contact,
                  sizeof contact);
        demo_contact_phone(d, e->county, phone);
        char partner[16];
        snprintf(partner, sizeof partner, "%d", e->partner);
        demo_row(b, "ItttittttU", d->employer_id[i], e->name, codes[i], e->kind, e->county,
                 e->partner ? partner : NULL, contact, phone, e->address,
                 d->today - 760 - demo_rand(d, 60), demo_office_second(d));
    }
    return demo_load(d, "employer",
                     "id, name, credit_code, kind, county_code, partner_province_code, "
                     "contact_name, contact_phone, address, created_at, updated_at",
                     b);
}

static int demo_write_projects(struct demo *d, struct demo_buf *b)
{
    if (demo_ids(d, "work_relief_project", DEMO_NPROJECTS, d->project_id) < 0)
        return -1;
    for (int i = 0; i < DEMO_NPROJECTS; i++) {
        const struct demo_project_def *p = &demo_projects[i];
        demo_row(b, "IittmmiiiddU", d->project_id[i], p->county, p->name, "central",
                 (double)p->total_investment,
                 (double)(p->total_investment * p->share_permille / 1000), p->planned_jobs,
                 p->local_hires, p->local_hires, d->today + p->start, d->today + p->end,
                 d->today + p->start - 30, demo_office_second(d));
    }
    return demo_load(d, "work_relief_project",
                     "id, county_code, name, funding, total_investment, remuneration_budget, "
                     "planned_jobs, local_hires, jobs_filled, start_date, end_date, created_at, "
                     "updated_at",
                     b);
}

static void demo_vac_dates(struct demo *d, struct demo_vac *v)
{
    int round = v->round;
    if (v->project >= 0) {
        const struct demo_project_def *p = &demo_projects[v->project];
        int start = d->today + p->start, end = d->today + p->end;
        v->posted = round == 0 ? start + (end - start) / 3 : start - 20;
        if (v->posted > d->today - 10)
            v->posted = d->today - 10;
        v->status = end <= d->today ? VS_CLOSED : round == 0 ? VS_OPEN : VS_CLOSED;
        v->start = v->posted + 7;
        v->end = end;
        return;
    }
    static const int first_w[3] = {8, 84, 8}; /* draft, open, closed */
    static const int older_w[4] = {0, 25, 45, 30};
    v->status = round == 0 ? demo_pick_int(d, first_w, 3) : demo_pick_int(d, older_w, 4);
    if (v->status == VS_DRAFT)
        v->posted = d->today - 1 - demo_rand(d, 10);
    else if (round == 0)
        v->posted = d->today - 15 - demo_rand(d, 150);
    else
        v->posted = d->today - 200 - 150 * (round - 1) - demo_rand(d, 200);
    v->start = v->posted + 7 + demo_rand(d, 14);
    v->end = DEMO_NONE;
}

static int demo_gen_vacancies(struct demo *d)
{
    for (int i = 0; i < DEMO_NVACANCY_DEFS; i++) {
        const struct demo_vacancy_def *def = &demo_vacancies[i];
        const struct demo_job_def *j = &demo_jobs[def->job];
        for (int r = 0; r < def->rounds; r++) {
            struct demo_vac *v = &d->vac[d->nvac++];
            memset(v, 0, sizeof *v);
            v->job = def->job;
            v->employer = def->employer;
            v->county = demo_employers[def->employer].county;
            v->project = def->project;
            v->dest = def->dest;
            v->round = r;
            demo_vac_dates(d, v);
            const struct demo_county *c = demo_county(d, v->county);
            if (!c) {
                log_error("demo data: county %d is not in the region table", v->county);
                return -1;
            }
            if (v->dest >= 0) {
                v->lat = demo_dests[v->dest].lat + (demo_unit(d) - 0.5) * 0.1;
                v->lon = demo_dests[v->dest].lon + (demo_unit(d) - 0.5) * 0.1;
                snprintf(v->title, sizeof v->title, "%s%s", demo_dests[v->dest].city, j->title);
            } else {
                v->lat = c->lat + (demo_unit(d) - 0.5) * 0.08;
                v->lon = c->lon + (demo_unit(d) - 0.5) * 0.08;
                snprintf(v->title, sizeof v->title, "%s", j->title);
            }
            /* employers' own wages vary; set rates (posts, day wages) do not */
            bool set_rate = strcmp(j->period, "month") != 0 || j->older;
            v->wage_min = j->wage_min + (set_rate ? 0 : 100 * (demo_rand(d, 5) - 2));
            v->wage_max = j->wage_max + (set_rate ? 0 : 100 * (demo_rand(d, 5) - 2));
        }
    }
    return 0;
}

/* ---- who works where ------------------------------------------------------ */

static bool demo_is_nearby(int site_county, int county)
{
    for (int i = 0; i < DEMO_NNEARBY; i++)
        if (demo_nearby[i].county == site_county)
            for (int k = 0; k < 4 && demo_nearby[i].nearby[k]; k++)
                if (demo_nearby[i].nearby[k] == county)
                    return true;
    return false;
}

/* Where a vacancy is, seen from a site county (as placement_scope() in SQL). */
static int demo_scope_of(const struct demo_vac *v, int site_county)
{
    if (v->dest >= 0)
        return SC_PROVINCE;
    return v->county == site_county ? SC_LOCAL : SC_COUNTY;
}

struct demo_window {
    int lo, hi; /* days, both included */
};

/* The range of start dates a placement at v may have: [*lo, *hi]. */
static void demo_start_range(const struct demo *d, const struct demo_vac *v, int *lo, int *hi)
{
    *lo = v->start;
    *hi = d->today - 1;
    if (v->status == VS_CLOSED || v->status == VS_FILLED)
        *hi = v->start + 120 < *hi ? v->start + 120 : *hi;
    if (v->end != DEMO_NONE && v->end - 10 < *hi)
        *hi = v->end - 10;
}

/* How strongly worker w is drawn to vacancy v within scope (0: not at all).
 * hist: for a job that ended between hist->lo and hist->hi; NULL for a job
 * held now. */
static double demo_vac_weight(const struct demo *d, const struct demo_worker *w,
                              const struct demo_vac *v, int scope, const struct demo_window *hist)
{
    const struct demo_job_def *j = &demo_jobs[v->job];
    int site_county = demo_sites[d->hh[w->hh].site].county;
    int lo, hi;
    if (v->status == VS_DRAFT || w->age < j->age_min || w->age > j->age_max)
        return 0;
    demo_start_range(d, v, &lo, &hi);
    bool finished = v->end != DEMO_NONE && v->end < d->today;
    if (!hist && (finished || lo > hi))
        return 0;
    if (hist && finished && (v->end < hist->lo || v->end > hist->hi || v->start > v->end - 30))
        return 0;
    if (hist && !finished && v->start > hist->hi - 30)
        return 0;
    if (demo_scope_of(v, site_county) != scope)
        return 0;
    if (scope == SC_COUNTY &&
        (strcmp(j->kind, "regular") != 0 || !demo_is_nearby(site_county, v->county)))
        return 0;
    if (scope == SC_PROVINCE && v->county != site_county)
        return 0;
    double x = j->weight * (v->round == 0 ? 1.0 : 0.6);
    if ((j->sexed == 1 && w->sex == 'F') || (j->sexed == 2 && w->sex == 'M'))
        x *= 0.15;
    if (j->older)
        x *= w->age > 45 ? 3.0 : w->age < 30 ? 0.3 : 1.0;
    if (j->must)
        x *= 0.3;
    if (finished)
        x *= 8.0;
    return x;
}

/* Local, elsewhere in Yunnan or outside the province, by age and family. */
static int demo_pick_scope(struct demo *d, const struct demo_worker *w)
{
    double p[3];
    if (w->age >= 50) {
        p[0] = 0.80, p[1] = 0.12, p[2] = 0.08;
    } else if (w->age > 40) {
        p[0] = 0.55, p[1] = 0.20, p[2] = 0.25;
    } else {
        p[0] = 0.33, p[1] = 0.20, p[2] = 0.47;
    }
    if ((w->sex == 'F' && w->age <= 40 && d->hh[w->hh].members >= 5) || w->mandarin == 0 ||
        w->disability > 0)
        p[0] += 0.35;
    return demo_pick(d, p, 3);
}

/* A vacancy for w, trying the preferred scope first; -1 if none fits.  Not
 * the one w works at now: one live application per worker and vacancy. */
static int demo_pick_vacancy(struct demo *d, const struct demo_worker *w,
                             const struct demo_window *hist)
{
    int current = w->active >= 0 ? d->pl[w->active].vac : -1;
    static double weights[1024];
    int first = demo_pick_scope(d, w);
    for (int t = 0; t < 3; t++) {
        int scope = (first + t) % 3;
        for (int i = 0; i < d->nvac && i < 1024; i++)
            weights[i] = i == current ? 0 : demo_vac_weight(d, w, &d->vac[i], scope, hist);
        int v = demo_pick(d, weights, d->nvac < 1024 ? d->nvac : 1024);
        if (v >= 0)
            return v;
    }
    return -1;
}

static int demo_add_app(struct demo *d, int worker, int vac, int status, int applied, int decided)
{
    const struct demo_job_def *j = &demo_jobs[d->vac[vac].job];
    struct demo_app *a = &d->app[d->napp];
    a->worker = worker;
    a->vac = vac;
    a->status = status;
    a->applied = applied;
    a->decided = decided;
    a->place = -1;
    if (!strcmp(j->kind, "public_welfare") || !strcmp(j->kind, "forest_ranger"))
        a->source = demo_chance(d, 0.7) ? SRC_ALLOCATION : SRC_STAFF;
    else if (!strcmp(j->kind, "labor_export"))
        a->source = demo_chance(d, 0.25)  ? SRC_KIOSK
                    : demo_chance(d, 0.8) ? SRC_STAFF
                                          : SRC_ALLOCATION;
    else
        a->source = demo_chance(d, 0.35) ? SRC_KIOSK : SRC_STAFF;
    return d->napp++;
}

static int demo_wage(struct demo *d, const struct demo_vac *v)
{
    int step = strcmp(demo_jobs[v->job].period, "day") == 0 ? 10 : 100;
    int n = (v->wage_max - v->wage_min) / step + 1;
    return v->wage_min + step * demo_rand(d, n);
}

/* A hire of worker wi at vacancy vi starting on start; ended: DEMO_NONE or its end. */
static int demo_hire(struct demo *d, int wi, int vi, int start, int ended)
{
    struct demo_vac *v = &d->vac[vi];
    int applied = start - 10 - demo_rand(d, 25);
    if (applied <= v->posted)
        applied = v->posted + 1;
    int hired = start - demo_rand(d, 4);
    if (hired < applied + 3)
        hired = applied + 3;
    if (hired > start)
        start = hired;
    int a = demo_add_app(d, wi, vi, AS_HIRED, applied, hired);
    struct demo_place *p = &d->pl[d->npl];
    memset(p, 0, sizeof *p);
    p->app = a;
    p->worker = wi;
    p->vac = vi;
    p->start = start;
    p->wage = demo_wage(d, v);
    p->scope = demo_scope_of(v, demo_sites[d->hh[d->w[wi].hh].site].county);
    p->ended = ended;
    p->reason = -1;
    d->app[a].place = d->npl;
    return d->npl++;
}

static void demo_assign_jobs(struct demo *d)
{
    static const int status_of_scope[3] = {ST_LOCAL, ST_COUNTY, ST_PROVINCE};
    for (int i = 0; i < d->nw; i++) {
        struct demo_worker *w = &d->w[i];
        if (!w->employed)
            continue;
        int vi = demo_pick_vacancy(d, w, NULL);
        if (vi < 0) {
            w->employed = false;
            w->status = ST_SEEKING;
            continue;
        }
        int lo, hi;
        demo_start_range(d, &d->vac[vi], &lo, &hi);
        if (lo < d->today - 730)
            lo = d->today - 730;
        if (lo > hi)
            lo = hi;
        int p = demo_hire(d, i, vi, lo + demo_rand(d, hi - lo + 1), DEMO_NONE);
        w->active = p;
        w->status = status_of_scope[d->pl[p].scope];
        d->vac[vi].filled++;
    }
}

/* A job of worker wi at vacancy vi that ended on end; false if it cannot
 * have lasted a month there. */
static bool demo_hire_ended(struct demo *d, int wi, int vi, int end, int reason)
{
    int lo, hi;
    demo_start_range(d, &d->vac[vi], &lo, &hi);
    if (hi > end - 30)
        hi = end - 30;
    if (lo < end - 420)
        lo = end - 420;
    if (lo > hi)
        return false;
    int p = demo_hire(d, wi, vi, lo + demo_rand(d, hi - lo + 1), end);
    d->pl[p].reason = reason;
    d->w[wi].ended = p;
    return true;
}

/* An earlier job of worker wi that ended between earliest_end and latest_end. */
static void demo_add_history(struct demo *d, int wi, int latest_end, int earliest_end)
{
    static const int reasons_w[7] = {30, 32, 4, 0, 8, 6, 4};
    struct demo_window when = {earliest_end, latest_end};
    if (latest_end < earliest_end)
        return;
    int vi = demo_pick_vacancy(d, &d->w[wi], &when);
    if (vi < 0)
        return;
    struct demo_vac *v = &d->vac[vi];
    if (v->end != DEMO_NONE && v->end < d->today) {
        demo_hire_ended(d, wi, vi, v->end, END_PROJECT);
        return;
    }
    int first = v->start + 30 > earliest_end ? v->start + 30 : earliest_end;
    demo_hire_ended(d, wi, vi, first + demo_rand(d, latest_end - first + 1),
                    demo_pick_int(d, reasons_w, 7));
}

/* The relocated people a finished work-relief project employed until it ended. */
static void demo_gen_project_history(struct demo *d)
{
    for (int vi = 0; vi < d->nvac; vi++) {
        const struct demo_vac *v = &d->vac[vi];
        const struct demo_job_def *j = &demo_jobs[v->job];
        if (v->project < 0 || v->end == DEMO_NONE || v->end >= d->today)
            continue;
        for (int i = 0; i < d->nw; i++) {
            const struct demo_worker *w = &d->w[i];
            if (!w->labour || w->ended >= 0 || w->age < j->age_min || w->age > j->age_max ||
                demo_sites[d->hh[w->hh].site].county != v->county ||
                (w->active >= 0 && d->pl[w->active].start < v->end + 10))
                continue;
            if (demo_chance(d, w->sex == 'M' ? 0.3 : 0.1))
                demo_hire_ended(d, i, vi, v->end, END_PROJECT);
        }
    }
}

/* Jobs that ended: households that have just lost their only job, people
 * between jobs, and people who changed jobs. */
static void demo_gen_history(struct demo *d)
{
    demo_gen_project_history(d);
    for (int i = 0; i < d->nhh; i++) {
        struct demo_hh *h = &d->hh[i];
        int labour = 0, employed = 0, main = -1;
        for (int k = h->first; k < h->first + h->n; k++) {
            labour += d->w[k].labour;
            employed += d->w[k].employed;
            if (d->w[k].labour && d->w[k].age >= 18 && main < 0)
                main = k;
        }
        if (labour > 0 && employed == 0 && main >= 0 && demo_chance(d, 0.6))
            demo_add_history(d, main, d->today - 2, d->today - 45);
    }
    for (int i = 0; i < d->nw; i++) {
        struct demo_worker *w = &d->w[i];
        if (!w->labour || w->age < 19 || w->ended >= 0)
            continue;
        if (w->active >= 0 && demo_chance(d, 0.08))
            demo_add_history(d, i, d->pl[w->active].start - 10, d->pl[w->active].start - 70);
        else if (w->active < 0 && demo_chance(d, 0.12))
            demo_add_history(d, i, d->today - 10, d->today - 500);
    }
}

/* Applications still under way, and some that went nowhere. */
static void demo_gen_open_apps(struct demo *d)
{
    static const int status_w[6] = {45, 20, 10, 0, 15, 10};
    static double weights[1024];
    for (int i = 0; i < d->nw; i++) {
        struct demo_worker *w = &d->w[i];
        bool seeking = w->labour && w->active < 0;
        int n = seeking ? (demo_chance(d, 0.55) ? 1 + demo_chance(d, 0.3) : 0)
                        : (w->active >= 0 && demo_chance(d, 0.1) ? 1 : 0);
        int prev = -1;
        for (int k = 0; k < n; k++) {
            int scope = demo_pick_scope(d, w);
            for (int vi = 0; vi < d->nvac && vi < 1024; vi++) {
                const struct demo_vac *v = &d->vac[vi];
                /* one live application per worker and vacancy: not where hired before */
                bool taken = vi == prev || (w->active >= 0 && d->pl[w->active].vac == vi) ||
                             (w->ended >= 0 && d->pl[w->ended].vac == vi);
                weights[vi] = !taken && v->status == VS_OPEN && v->posted < d->today - 2
                                  ? demo_vac_weight(d, w, v, scope, NULL)
                                  : 0;
            }
            int vi = demo_pick(d, weights, d->nvac < 1024 ? d->nvac : 1024);
            if (vi < 0)
                continue;
            prev = vi;
            int status = seeking ? demo_pick_int(d, status_w, 6)
                                 : (demo_chance(d, 0.6) ? AS_REJECTED : AS_WITHDRAWN);
            int latest = seeking ? d->today - 1 : d->pl[w->active].start - 5;
            int applied = latest - demo_rand(d, 40);
            if (applied <= d->vac[vi].posted)
                applied = d->vac[vi].posted + 1;
            if (applied > latest)
                continue;
            int decided =
                applied + (latest - applied) / 2 + demo_rand(d, (latest - applied) / 2 + 1);
            demo_add_app(d, i, vi, status, applied, decided);
            if (status <= AS_OFFERED)
                d->vac[vi].live += 1 + (status == AS_OFFERED);
        }
    }
}

/* Headcounts that agree with the hires and the applications under way. */
static void demo_finish_vacancies(struct demo *d)
{
    for (int i = 0; i < d->nvac; i++) {
        struct demo_vac *v = &d->vac[i];
        const char *kind = demo_jobs[v->job].kind;
        int extra = !strcmp(kind, "labor_export")     ? 20 + demo_rand(d, 60)
                    : !strcmp(kind, "work_relief")    ? 5 + demo_rand(d, 35)
                    : !strcmp(kind, "workshop")       ? 3 + demo_rand(d, 18)
                    : !strcmp(kind, "public_welfare") ? 1 + demo_rand(d, 4)
                    : !strcmp(kind, "forest_ranger")  ? 1 + demo_rand(d, 3)
                                                      : 2 + demo_rand(d, 14);
        if (v->status == VS_FILLED && v->filled == 0)
            v->status = VS_CLOSED;
        switch (v->status) {
        case VS_DRAFT:
            v->headcount = extra;
            break;
        case VS_OPEN:
            v->headcount = v->filled + (extra > v->live ? extra : v->live + 1);
            break;
        case VS_CLOSED:
            v->headcount = v->filled + 1 + demo_rand(d, 4);
            break;
        default:
            v->headcount = v->filled;
        }
    }
}

/* ---- skills, certificates, preferences ------------------------------------ */

static void demo_add_skill(struct demo_worker *w, int id, int level)
{
    for (int k = 0; k < w->nskill; k++)
        if (w->skill[k] == id) {
            if (w->level[k] < level)
                w->level[k] = level;
            return;
        }
    if (w->nskill < DEMO_MAX_SKILLS) {
        w->skill[w->nskill] = id;
        w->level[w->nskill++] = level;
    }
}

static bool demo_has_skill(const struct demo_worker *w, int id)
{
    for (int k = 0; k < w->nskill; k++)
        if (w->skill[k] == id)
            return true;
    return false;
}

static void demo_add_cert(struct demo_worker *w, int id)
{
    for (int k = 0; k < w->ncert; k++)
        if (w->cert[k] == id)
            return;
    if (w->ncert < DEMO_MAX_CERTS)
        w->cert[w->ncert++] = id;
}

/* 1 初级工 mostly, some 2 and 3. */
static int demo_level(struct demo *d)
{
    static const int w[3] = {60, 30, 10};
    return 1 + demo_pick_int(d, w, 3);
}

/* What a job taught or asked for. */
static void demo_job_skills(struct demo *d, struct demo_worker *w, int place)
{
    if (place < 0)
        return;
    const struct demo_job_def *j = &demo_jobs[d->vac[d->pl[place].vac].job];
    int lvl = demo_level(d);
    if (j->skill)
        demo_add_skill(w, j->skill, lvl > j->level ? lvl : j->level);
    if (j->skill2 && demo_chance(d, 0.5))
        demo_add_skill(w, j->skill2, j->level2);
    if (j->cert)
        demo_add_cert(w, j->cert);
}

static void demo_gen_skills(struct demo *d, struct demo_worker *w)
{
    static const struct {
        int skill, cert;
        double p;
    } follows[] = {{11, DEMO_CERT_ELECTRICIAN, 0.6}, {14, DEMO_CERT_WELDING, 0.6},
                   {19, DEMO_CERT_FORKLIFT, 0.7},    {23, DEMO_CERT_B2, 0.7},
                   {33, DEMO_CERT_ELDERLY, 0.3},     {32, DEMO_CERT_INFANT, 0.3},
                   {27, DEMO_CERT_COOK, 0.25},       {55, DEMO_CERT_SECURITY, 0.3},
                   {29, DEMO_CERT_HEALTH, 0.4}};
    double weights[DEMO_NSKILLS];
    demo_job_skills(d, w, w->active);
    if (w->ended >= 0 && demo_chance(d, 0.6))
        demo_job_skills(d, w, w->ended);
    int want = w->labour ? 1 + demo_rand(d, 3) : demo_rand(d, 2);
    for (int i = 0; i < DEMO_NSKILLS; i++) {
        int sexed = demo_skills[i].sexed;
        weights[i] = demo_skills[i].weight *
                     ((sexed == 1 && w->sex == 'F') || (sexed == 2 && w->sex == 'M') ? 0.15 : 1.0);
    }
    for (int tries = 0; w->nskill < want && tries < 8; tries++)
        demo_add_skill(w, demo_skills[demo_pick(d, weights, DEMO_NSKILLS)].id, demo_level(d));
    if (w->age >= 20 && w->age <= 50 && demo_chance(d, w->sex == 'M' ? 0.14 : 0.04))
        demo_add_cert(w, DEMO_CERT_C1);
    if (demo_chance(d, 0.04))
        demo_add_cert(w, DEMO_CERT_HEALTH);
    for (size_t i = 0; i < sizeof follows / sizeof follows[0]; i++)
        if (demo_has_skill(w, follows[i].skill) && demo_chance(d, follows[i].p))
            demo_add_cert(w, follows[i].cert);
}

static void demo_gen_prefs(struct demo *d, struct demo_worker *w)
{
    static const int commute_km[6] = {5, 10, 15, 20, 30, 50};
    static const int commute_w[6] = {10, 25, 15, 25, 15, 10};
    int scope = w->active >= 0 ? d->pl[w->active].scope : -1;
    bool young = w->age < 40;
    w->will_province = scope == SC_PROVINCE ||
                       (scope < 0 ? demo_chance(d, young ? 0.45 : 0.15) : demo_chance(d, 0.12));
    w->will_county = w->will_province || scope == SC_COUNTY || demo_chance(d, young ? 0.5 : 0.3);
    w->accommodation = scope >= SC_COUNTY ? demo_chance(d, 0.7) : demo_chance(d, 0.12);
    w->commute = commute_km[demo_pick_int(d, commute_w, 6)];
    if (demo_chance(d, 0.3))
        w->wage_floor = 0;
    else if (w->age > 50)
        w->wage_floor = 800 + 100 * demo_rand(d, 13);
    else
        w->wage_floor = (w->will_province ? 4000 : 2000) + 500 * demo_rand(d, 5);
    int kinds = 0; /* bits in the order of demo_kind_names */
    if (w->age < 50)
        kinds |= 1;
    if (w->sex == 'M' && demo_chance(d, 0.4))
        kinds |= 2;
    if (w->age > 45 || w->disability > 0)
        kinds |= 4;
    if (w->sex == 'M' && w->age > 35 && demo_chance(d, 0.2))
        kinds |= 8;
    if (w->sex == 'F' || w->age > 40)
        kinds |= 16;
    if (w->will_province)
        kinds |= 32;
    if (w->active >= 0) {
        const char *k = demo_jobs[d->vac[d->pl[w->active].vac].job].kind;
        for (int i = 0; i < 6; i++)
            if (!strcmp(k, demo_kind_names[i]))
                kinds |= 1 << i;
    }
    w->kinds = w->labour ? kinds : 0;
    w->available = DEMO_NONE;
    if (w->training_now)
        w->available = d->today + 10 + demo_rand(d, 30);
    else if (w->status == ST_SEEKING && demo_chance(d, 0.3))
        w->available = d->today + 1 + demo_rand(d, 60);
    w->consent_emp = demo_chance(d, 0.85);
    w->consent_brokers = demo_chance(d, w->labour ? 0.72 : 0.6);
}

/* ---- writing -------------------------------------------------------------- */

static const char *demo_staff_name(const struct demo *d, const struct demo_worker *w)
{
    return demo_staff_of(demo_sites[d->hh[w->hh].site].county)->username;
}

static int demo_write_sites(struct demo *d, struct demo_buf *b)
{
    if (demo_ids(d, "site", DEMO_NSITES, d->site_id) < 0)
        return -1;
    for (int i = 0; i < DEMO_NSITES; i++) {
        const struct demo_site_def *s = &demo_sites[i];
        const struct demo_county *c = demo_county(d, s->county);
        demo_row(b, "ItifftiiU", d->site_id[i], s->name, s->county,
                 c->lat + (demo_unit(d) - 0.5) * 0.04, c->lon + (demo_unit(d) - 0.5) * 0.04,
                 s->kind, s->households, s->people, d->today - 780, demo_office_second(d));
    }
    return demo_load(d, "site",
                     "id, name, county_code, lat, lon, kind, households, people, created_at, "
                     "updated_at",
                     b);
}

static int demo_write_households(struct demo *d, struct demo_buf *b)
{
    if (demo_ids(d, "household", d->nhh, d->ids) < 0)
        return -1;
    for (int i = 0; i < d->nhh; i++) {
        struct demo_hh *h = &d->hh[i];
        h->id = d->ids[i];
        demo_row(b, "IIitittdtU", h->id, d->site_id[h->site], h->origin, h->village, h->members,
                 demo_monitoring_names[h->monitoring],
                 h->monitoring ? demo_found_by_names[h->found_by] : NULL, h->found_on, h->ref,
                 h->created, demo_office_second(d));
    }
    return demo_load(d, "household",
                     "id, site_id, origin_county_code, origin_village, members, monitoring_status, "
                     "monitoring_found_by, monitoring_found_on, ref, created_at, updated_at",
                     b);
}

/* One worker, the ID number and phone as the database keeps them: blind
 * index, ciphertext and mask, the ID number checked with validate.h first. */
static int demo_worker_row(struct demo *d, struct demo_buf *b, const struct demo_worker *w)
{
    char hash[PII_HASH_HEX], enc[PII_ENC_HEX], masked[19], langs[16] = "{}", kinds[128] = "{";
    char phone_hash[PII_HASH_HEX], phone_enc[PII_PHONE_ENC_HEX], phone_masked[PII_PHONE_MAX];
    struct validate_idnum n;
    int y, m, dd;
    demo_civil(d->today, &y, &m, &dd);
    if (!validate_idnum(w->id18, 18, y * 10000 + m * 100 + dd, &n, NULL) || n.sex != w->sex ||
        pii_encrypt_idnum(w->id18, enc) < 0) {
        log_error("demo data: made an invalid ID number");
        return -1;
    }
    sodium_memzero(&n, sizeof n);
    pii_hash_idnum(w->id18, hash);
    validate_mask_idnum(w->id18, masked);
    if (w->phone[0]) {
        pii_hash_phone(w->phone, phone_hash);
        validate_mask_phone(w->phone, phone_masked, sizeof phone_masked);
        if (pii_encrypt_phone(w->phone, phone_enc) < 0) {
            log_error("demo data: cannot encrypt a phone");
            return -1;
        }
    }
    if (demo_ethnics[w->ethnic].language)
        snprintf(langs, sizeof langs, "{%s}", demo_ethnics[w->ethnic].language);
    for (int i = 0; i < 6; i++)
        if (w->kinds & (1 << i)) {
            strcat(kinds, kinds[1] ? "," : "");
            strcat(kinds, demo_kind_names[i]);
        }
    strcat(kinds, "}");
    bool ph = w->phone[0] != '\0';
    demo_row(b, "IItttttdtttttttibbbitdtbbU", w->id, d->hh[w->hh].id, w->name, hash, enc, masked,
             w->sex == 'M' ? "M" : "F", w->birth, ph ? phone_hash : NULL, ph ? phone_enc : NULL,
             ph ? phone_masked : NULL, demo_education_names[w->edu],
             demo_mandarin_names[w->mandarin], langs, demo_status_names[w->status], w->commute,
             w->will_county, w->will_province, w->accommodation, w->wage_floor, kinds, w->available,
             demo_disability_names[w->disability], w->consent_emp, w->consent_brokers, w->reg,
             demo_office_second(d));
    return 0;
}

static int demo_write_workers(struct demo *d, struct demo_buf *b)
{
    if (demo_ids(d, "worker", d->nw, d->ids) < 0)
        return -1;
    for (int i = 0; i < d->nw; i++) {
        d->w[i].id = d->ids[i];
        if (demo_worker_row(d, b, &d->w[i]) < 0)
            return -1;
    }
    return demo_load(d, "worker",
                     "id, household_id, name, id_number_hash, id_number_enc, id_number_masked, "
                     "sex, birth_date, phone_hash, phone_enc, phone_masked, education, "
                     "mandarin_level, languages, "
                     "employment_status, max_commute_km, willing_outside_county, "
                     "willing_outside_province, needs_accommodation, wage_floor, job_kinds_wanted, "
                     "available_from, disability, consent_employers, consent_brokers, created_at, "
                     "updated_at",
                     b);
}

/* When a certificate was issued and until when it holds. */
static void demo_cert_dates(struct demo *d, int cert, int *issued, int *expires)
{
    *issued = d->today - 30 - demo_rand(d, 1500);
    *expires = DEMO_NONE;
    if (cert == DEMO_CERT_C1 || cert == DEMO_CERT_B2) {
        *issued = d->today - 30 - demo_rand(d, 365 * 8);
        *expires = demo_add_months(*issued, *issued < d->today - 6 * 365 ? 192 : 72);
    } else if (cert == DEMO_CERT_HEALTH) {
        *issued = d->today - 10 - demo_rand(d, 500); /* some have lapsed */
        *expires = *issued + 365;
    } else if (cert == DEMO_CERT_ELECTRICIAN || cert == DEMO_CERT_WELDING ||
               cert == DEMO_CERT_FORKLIFT) {
        *expires = demo_add_months(*issued, cert == DEMO_CERT_FORKLIFT ? 48 : 72);
    }
}

static int demo_write_skills_certs(struct demo *d, struct demo_buf *b)
{
    for (int i = 0; i < d->nw; i++)
        for (int k = 0; k < d->w[i].nskill; k++)
            demo_row(b, "Iii", d->w[i].id, d->w[i].skill[k], d->w[i].level[k]);
    if (demo_load(d, "worker_skill", "worker_id, skill_id, level", b) < 0)
        return -1;
    for (int i = 0; i < d->nw; i++)
        for (int k = 0; k < d->w[i].ncert; k++) {
            int issued, expires;
            demo_cert_dates(d, d->w[i].cert[k], &issued, &expires);
            demo_row(b, "Iitdd", d->w[i].id, d->w[i].cert[k], "", issued, expires);
        }
    return demo_load(d, "worker_certificate",
                     "worker_id, certificate_type_id, number, issued_on, expires_on", b);
}

static void demo_training_row(struct demo *d, struct demo_buf *b, const struct demo_worker *w,
                              int skill, bool now)
{
    const char *name = demo_general_trainings[w->mandarin < 2 ? 1 : w->will_province ? 0 : 2];
    for (int i = 0; skill && i < DEMO_NSKILLS; i++)
        if (demo_skills[i].id == skill)
            name = demo_skills[i].training;
    int start = now ? d->today - demo_rand(d, 20) : d->today - 60 - demo_rand(d, 900);
    int end = now && w->available != DEMO_NONE ? w->available : start + 5 + demo_rand(d, 25);
    const char *provider = skill == 33 && w->will_province
                               ? "上海市养老服务行业协会（沪滇劳务协作）"
                               : demo_staff_of(demo_sites[d->hh[w->hh].site].county)->office;
    char skill_id[8];
    snprintf(skill_id, sizeof skill_id, "%d", skill);
    demo_row(b, "Ittddbt", w->id, name, provider, start, end, !now, skill ? skill_id : NULL);
}

/* Trainings: most of the labour force has had one (facts.md: 83.6%);
 * consent as a history of grants and a few withdrawals. */
static int demo_write_trainings_consents(struct demo *d, struct demo_buf *b)
{
    for (int i = 0; i < d->nw; i++) {
        const struct demo_worker *w = &d->w[i];
        if (w->labour && demo_chance(d, 0.82))
            demo_training_row(d, b, w, w->nskill && demo_chance(d, 0.75) ? w->skill[0] : 0, false);
        if (w->labour && demo_chance(d, 0.2))
            demo_training_row(d, b, w, 0, false);
        if (w->training_now)
            demo_training_row(d, b, w, w->skill[w->nskill > 1], true);
    }
    if (demo_load(d, "worker_training",
                  "worker_id, name, provider, start_date, end_date, completed, skill_id", b) < 0)
        return -1;
    for (int i = 0; i < d->nw; i++) {
        const struct demo_worker *w = &d->w[i];
        static const int method_w[3] = {50, 25, 25};
        bool withdrew = !w->consent_brokers && demo_chance(d, 0.1);
        for (int k = 0; k < 4; k++) {
            bool granted = k != 3;
            if ((k == 0 && !w->consent_emp) || (k == 1 && !w->consent_brokers) ||
                (k >= 2 && !withdrew))
                continue;
            int m = demo_pick_int(d, method_w, 3);
            int day = k == 3 ? w->reg + 1 + demo_rand(d, d->today - w->reg - 1) : w->reg;
            demo_row(b, "ItbttT", w->id, k == 0 ? "employers" : "brokers", granted,
                     demo_consent_methods[m], m == 1 ? "kiosk" : demo_staff_name(d, w), day,
                     demo_office_second(d));
        }
    }
    return demo_load(d, "worker_consent_event", "worker_id, kind, granted, method, recorded_by, at",
                     b);
}

static int demo_write_vacancies(struct demo *d, struct demo_buf *b)
{
    if (demo_ids(d, "vacancy", d->nvac, d->ids) < 0)
        return -1;
    for (int i = 0; i < d->nvac; i++) {
        struct demo_vac *v = &d->vac[i];
        const struct demo_job_def *j = &demo_jobs[v->job];
        char project[24], dest[16];
        v->id = d->ids[i];
        snprintf(project, sizeof project, "%lld",
                 (long long)(v->project >= 0 ? d->project_id[v->project] : 0));
        snprintf(dest, sizeof dest, "%d", v->dest >= 0 ? demo_dests[v->dest].province : 0);
        demo_row(b, "IItttttiffttiiiitiibbddtU", v->id, d->employer_id[v->employer],
                 v->project >= 0 ? project : NULL, v->title, j->description, j->occupation, j->kind,
                 v->county, v->lat, v->lon, v->dest >= 0 ? dest : NULL,
                 v->dest >= 0 ? demo_dests[v->dest].city : "", v->headcount, v->filled, v->wage_min,
                 v->wage_max, j->period, j->age_min, j->age_max, j->accommodation, j->transport,
                 v->start, v->end, demo_vstatus_names[v->status], v->posted, demo_office_second(d));
    }
    if (demo_load(d, "vacancy",
                  "id, employer_id, project_id, title, description, occupation_code, kind, "
                  "county_code, lat, lon, dest_province_code, dest_city, headcount, filled, "
                  "wage_min, wage_max, wage_period, age_min, age_max, accommodation, transport, "
                  "start_date, end_date, status, created_at, updated_at",
                  b) < 0)
        return -1;
    for (int i = 0; i < d->nvac; i++) {
        const struct demo_job_def *j = &demo_jobs[d->vac[i].job];
        if (j->skill)
            demo_row(b, "Iiifb", d->vac[i].id, j->skill, j->level, j->must ? 2.0 : 1.0, j->must);
        if (j->skill2)
            demo_row(b, "Iiifb", d->vac[i].id, j->skill2, j->level2, 0.5, false);
    }
    if (demo_load(d, "vacancy_skill", "vacancy_id, skill_id, min_level, weight, must_have", b) < 0)
        return -1;
    for (int i = 0; i < d->nvac; i++)
        if (demo_jobs[d->vac[i].job].cert)
            demo_row(b, "Ii", d->vac[i].id, demo_jobs[d->vac[i].job].cert);
    return demo_load(d, "vacancy_certificate", "vacancy_id, certificate_type_id", b);
}

/* Labour remuneration paid month by month since each project began. */
static int demo_write_payments(struct demo *d, struct demo_buf *b)
{
    for (int i = 0; i < DEMO_NPROJECTS; i++) {
        const struct demo_project_def *p = &demo_projects[i];
        int start = d->today + p->start, end = d->today + p->end;
        double budget = (double)p->total_investment * p->share_permille / 1000.0;
        double per_month = budget * 0.92 / ((end - start) / 30.0);
        for (int day = start + 30; day <= end + 15 && day < d->today; day += 30) {
            int y, m, dd;
            char note[64];
            demo_civil(day - 15, &y, &m, &dd);
            snprintf(note, sizeof note, "%d年%d月劳务报酬发放", y, m);
            double amount =
                floor(per_month * (0.8 + 0.4 * demo_unit(d))) + demo_rand(d, 100) / 100.0;
            demo_row(b, "ImdtT", d->project_id[i], amount, day, note, day, demo_office_second(d));
        }
    }
    return demo_load(d, "remuneration_payment", "project_id, amount, paid_on, note, created_at", b);
}

/* The moves of an application, oldest first: statuses and their days. */
static int demo_app_moves(struct demo *d, const struct demo_app *a, int status[4], int day[4])
{
    int n = 0, span = a->decided - a->applied;
    status[n] = AS_APPLIED;
    day[n++] = a->applied;
    if (a->status == AS_HIRED || a->status == AS_OFFERED || a->status == AS_SHORTLISTED ||
        (a->status == AS_REJECTED && demo_chance(d, 0.5))) {
        status[n] = AS_SHORTLISTED;
        day[n++] = a->status == AS_SHORTLISTED ? a->decided : a->applied + span / 3;
    }
    if (a->status == AS_HIRED || a->status == AS_OFFERED) {
        status[n] = AS_OFFERED;
        day[n++] = a->status == AS_OFFERED ? a->decided : a->applied + 2 * span / 3;
    }
    if (a->status == AS_HIRED || a->status == AS_REJECTED || a->status == AS_WITHDRAWN) {
        status[n] = a->status;
        day[n++] = a->decided;
    }
    return n;
}

/* An application and its history; kiosk applications are the worker's own. */
static void demo_app_rows(struct demo *d, struct demo_buf *ab, struct demo_buf *eb,
                          const struct demo_app *a)
{
    const char *staff = demo_staff_name(d, &d->w[a->worker]);
    const char *first = a->source == SRC_KIOSK ? "kiosk" : staff;
    int status[4], day[4], sec = 0;
    int n = demo_app_moves(d, a, status, day);
    for (int k = 0; k < n; k++) {
        const char *note = status[k] == AS_REJECTED    ? demo_reject_notes[demo_rand(d, 4)]
                           : status[k] == AS_WITHDRAWN ? demo_withdraw_notes[demo_rand(d, 4)]
                                                       : "";
        bool own = k == 0 || (status[k] == AS_WITHDRAWN && a->source == SRC_KIOSK);
        sec = (k > 0 && day[k] == day[k - 1] ? sec : 8 * 3600) + 1800 + demo_rand(d, 3600);
        demo_row(eb, "IttttT", a->id, k ? demo_astatus_names[status[k - 1]] : NULL,
                 demo_astatus_names[status[k]], own ? first : staff, note, day[k], sec);
    }
    demo_row(ab, "IIIttttiTT", a->id, d->w[a->worker].id, d->vac[a->vac].id,
             demo_source_names[a->source], demo_astatus_names[a->status], "", first, n, day[0],
             8 * 3600 + 1800, day[n - 1], sec);
}

static int demo_write_applications(struct demo *d, struct demo_buf *b)
{
    struct demo_buf events = {0};
    if (demo_ids(d, "application", d->napp, d->ids) < 0)
        return -1;
    for (int i = 0; i < d->napp; i++) {
        d->app[i].id = d->ids[i];
        demo_app_rows(d, b, &events, &d->app[i]);
    }
    int rc = demo_load(d, "application",
                       "id, worker_id, vacancy_id, source, status, note, created_by, version, "
                       "created_at, updated_at",
                       b);
    if (rc == 0)
        rc = demo_load(d, "application_event",
                       "application_id, from_status, to_status, actor, note, at", &events);
    free(events.p);
    return rc;
}

/* Follow-ups at 1, 3 and 6 months: most done when due, some late, the rest
 * still to come; after a job ended, the visit that found it out. */
static void demo_followup_rows(struct demo *d, struct demo_buf *b, const struct demo_place *p)
{
    static const int months[3] = {1, 3, 6};
    const char *staff = demo_staff_name(d, &d->w[p->worker]);
    for (int k = 0; k < 3; k++) {
        int due = demo_add_months(p->start, months[k]);
        bool after_end = p->ended != DEMO_NONE && due > p->ended;
        int done = DEMO_NONE;
        if (after_end)
            done = p->ended + 2 + demo_rand(d, 8);
        else if (due < d->today && demo_chance(d, 0.88))
            done = due + demo_rand(d, 10);
        if (done != DEMO_NONE && done >= d->today)
            done = d->today - 1;
        if (done == DEMO_NONE) {
            demo_row(b, "Iidnnnttn", p->id, months[k], due, "", "");
            continue;
        }
        char wage[16];
        snprintf(wage, sizeof wage, "%d", p->wage);
        const char *problem =
            after_end || demo_chance(d, 0.8) ? "" : demo_followup_problems[demo_rand(d, 6)];
        demo_row(b, "IidTbtttt", p->id, months[k], due, done, demo_office_second(d), !after_end,
                 after_end ? NULL : wage, problem,
                 after_end ? "已离岗，转入重新就业帮扶" : demo_followup_notes[demo_rand(d, 5)],
                 staff);
    }
}

static int demo_write_placements(struct demo *d, struct demo_buf *b)
{
    if (demo_ids(d, "placement", d->npl, d->ids) < 0)
        return -1;
    for (int i = 0; i < d->npl; i++) {
        struct demo_place *p = &d->pl[i];
        const struct demo_app *a = &d->app[p->app];
        bool ended = p->ended != DEMO_NONE;
        p->id = d->ids[i];
        demo_row(b, "IIIIditdttiTT", p->id, a->id, d->w[p->worker].id, d->vac[p->vac].id, p->start,
                 p->wage, demo_scope_names[p->scope], p->ended,
                 ended ? demo_end_names[p->reason] : NULL, ended ? demo_end_notes[p->reason] : "",
                 ended ? 2 : 1, a->decided, 17 * 3600, ended ? p->ended : a->decided,
                 17 * 3600 + 600);
    }
    if (demo_load(d, "placement",
                  "id, application_id, worker_id, vacancy_id, start_date, wage, location_scope, "
                  "ended_on, end_reason, end_note, version, created_at, updated_at",
                  b) < 0)
        return -1;
    for (int i = 0; i < d->npl; i++)
        demo_followup_rows(d, b, &d->pl[i]);
    return demo_load(d, "followup",
                     "placement_id, due_month, due_on, done_at, still_employed, wage, problems, "
                     "note, recorded_by",
                     b);
}

/* The task api_placement_end would have opened for an ended job: when no
 * one else in the household was at work then, or the household is under
 * monitoring.  Still open while the household has nobody at work and the
 * job ended recently; closed after a visit otherwise. */
static void demo_task_row(struct demo *d, struct demo_buf *b, const struct demo_place *p)
{
    const struct demo_hh *h = &d->hh[d->w[p->worker].hh];
    int others = 0, now = 0;
    for (int k = h->first; k < h->first + h->n; k++) {
        const struct demo_worker *o = &d->w[k];
        now += o->active >= 0;
        if (k != p->worker && o->active >= 0 && d->pl[o->active].start < p->ended)
            others++;
    }
    const char *reason = others == 0     ? "job_lost_zero_employment"
                         : h->monitoring ? "job_lost_monitored"
                                         : NULL;
    if (!reason)
        return;
    bool open = now == 0 ? p->ended >= d->today - 21 : p->ended >= d->today - 10;
    int closed = p->ended + 3 + demo_rand(d, 12);
    closed = closed < d->today ? closed : d->today - 1;
    const char *visit = demo_visit_notes[demo_rand(d, 4)];
    int sec = demo_office_second(d);
    if (open)
        demo_row(b, "IItdtttniTT", h->id, p->id, reason, p->ended + 7,
                 demo_staff_of(demo_sites[h->site].county)->username, "open", "", 1, p->ended,
                 17 * 3600 + 900, p->ended, 17 * 3600 + 900);
    else
        demo_row(b, "IItdtttTiTT", h->id, p->id, reason, p->ended + 7,
                 demo_staff_of(demo_sites[h->site].county)->username, "closed", visit, closed, sec,
                 2, p->ended, 17 * 3600 + 900, closed, sec);
}

static int demo_write_tasks(struct demo *d, struct demo_buf *b)
{
    for (int i = 0; i < d->npl; i++)
        if (d->pl[i].ended != DEMO_NONE)
            demo_task_row(d, b, &d->pl[i]);
    return demo_load(d, "early_warning_task",
                     "household_id, placement_id, reason, due_on, assignee, status, visit_note, "
                     "closed_at, version, created_at, updated_at",
                     b);
}

/* ---- the whole run -------------------------------------------------------- */

static int demo_generate(struct demo *d)
{
    struct demo_buf b = {0};
    int rc = -1;
    if (demo_gen_households(d) < 0 || demo_pick_labour(d) < 0 || demo_write_employers(d, &b) < 0 ||
        demo_write_projects(d, &b) < 0 || demo_gen_vacancies(d) < 0)
        goto done;
    demo_assign_jobs(d);
    demo_gen_history(d);
    demo_gen_open_apps(d);
    demo_finish_vacancies(d);
    for (int i = 0; i < d->nw; i++) {
        demo_gen_skills(d, &d->w[i]);
        demo_gen_prefs(d, &d->w[i]);
    }
    if (demo_write_sites(d, &b) < 0 || demo_write_households(d, &b) < 0 ||
        demo_write_workers(d, &b) < 0 || demo_write_skills_certs(d, &b) < 0 ||
        demo_write_trainings_consents(d, &b) < 0 || demo_write_vacancies(d, &b) < 0 ||
        demo_write_payments(d, &b) < 0 || demo_write_applications(d, &b) < 0 ||
        demo_write_placements(d, &b) < 0 || demo_write_tasks(d, &b) < 0)
        goto done;
    rc = 0;
done:
    free(b.p);
    return rc;
}

static int demo_alloc(struct demo *d)
{
    int households = 0;
    for (int i = 0; i < DEMO_NSITES; i++)
        households += demo_sites[i].sample;
    int vacancies = 0;
    for (int i = 0; i < DEMO_NVACANCY_DEFS; i++)
        vacancies += demo_vacancies[i].rounds;
    size_t workers = (size_t)households * 7;
    d->idset_cap = 1;
    while (d->idset_cap < workers * 2)
        d->idset_cap <<= 1;
    d->hh = calloc((size_t)households, sizeof *d->hh);
    d->w = calloc(workers, sizeof *d->w);
    d->vac = calloc((size_t)vacancies, sizeof *d->vac);
    d->pl = calloc(workers * 2, sizeof *d->pl);
    d->app = calloc(workers * 4, sizeof *d->app);
    d->idset = calloc(d->idset_cap, sizeof *d->idset);
    d->ids = calloc(workers * 4, sizeof *d->ids);
    return d->hh && d->w && d->vac && d->pl && d->app && d->idset && d->ids ? 0 : -1;
}

static void demo_free(struct demo *d)
{
    if (d->w)
        sodium_memzero(d->w, (size_t)d->nw * sizeof *d->w);
    free(d->hh);
    free(d->w);
    free(d->vac);
    free(d->pl);
    free(d->app);
    free(d->idset);
    free(d->ids);
}

/* One line with what is now in the database, the rates from the rollups. */
static void demo_summary(struct demo *d, double seconds)
{
    PGresult *r = PQexec(
        d->conn, "SELECT (SELECT count(*) FROM site), count(*), sum(labor_count), "
                 "sum(employed_count), count(*) FILTER (WHERE zero_employment), "
                 "(SELECT count(*) FROM worker), (SELECT count(*) FROM employer), "
                 "(SELECT count(*) FROM vacancy), (SELECT count(*) FROM work_relief_project), "
                 "(SELECT count(*) FROM application), (SELECT count(*) FROM placement), "
                 "(SELECT count(*) FROM placement WHERE ended_on IS NULL), "
                 "(SELECT count(*) FROM early_warning_task) FROM household");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        PQclear(r);
        return;
    }
    long v[13];
    for (int i = 0; i < 13; i++)
        v[i] = atol(PQgetvalue(r, 0, i));
    PQclear(r);
    log_info("demo data loaded in %.1f s: %ld sites, %ld households, %ld workers (labour force "
             "%ld, employed %ld = %.1f%%, %.2f per household, %ld households with nobody "
             "employed), %ld employers, %ld vacancies, %ld work-relief projects, %ld applications, "
             "%ld placements (%ld active), %ld early-warning tasks",
             seconds, v[0], v[1], v[5], v[2], v[3], v[2] ? 100.0 * (double)v[3] / (double)v[2] : 0,
             v[1] ? (double)v[3] / (double)v[1] : 0, v[4], v[6], v[7], v[8], v[9], v[10], v[11],
             v[12]);
}

/* Whether sites exist already (then nothing is loaded): 1, 0, or -1. */
static int demo_present(struct demo *d)
{
    PGresult *r = PQexec(d->conn, "SELECT EXISTS (SELECT 1 FROM site)");
    int rc = demo_result_ok(d, r, "checking for sites") && PQntuples(r) == 1
                 ? (PQgetvalue(r, 0, 0)[0] == 't')
                 : -1;
    PQclear(r);
    return rc;
}

int demo_run(const char *conninfo)
{
    struct demo d = {.rng = DEMO_SEED};
    struct timespec t0, t1;
    int rc = -1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (!conninfo || !*conninfo) {
        log_error("demo data: set LEYE_DATABASE_URL");
        return -1;
    }
    d.conn = PQconnectdb(conninfo);
    if (PQstatus(d.conn) != CONNECTION_OK) {
        log_error("demo data: cannot connect to the database: %s", PQerrorMessage(d.conn));
        PQfinish(d.conn);
        return -1;
    }
    /* the lock makes a second loader wait, then find the sites */
    if (demo_exec(&d, "SET client_min_messages = warning") < 0 || demo_exec(&d, "BEGIN") < 0 ||
        demo_exec(&d, "LOCK TABLE site IN SHARE ROW EXCLUSIVE MODE") < 0)
        goto done;
    int present = demo_present(&d);
    if (present != 0) {
        if (present > 0)
            log_info("demo data already present");
        rc = present > 0 ? 0 : -1;
        goto done;
    }
    if (demo_alloc(&d) < 0) {
        log_error("demo data: out of memory");
        goto done;
    }
    if (demo_read_context(&d) < 0 || demo_generate(&d) < 0 || demo_training_load(d.conn) < 0 ||
        demo_exec(&d, "COMMIT") < 0)
        goto done;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    demo_summary(&d, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    rc = 0;
done:
    if (rc < 0 || PQtransactionStatus(d.conn) == PQTRANS_INTRANS ||
        PQtransactionStatus(d.conn) == PQTRANS_INERROR)
        PQclear(PQexec(d.conn, "ROLLBACK"));
    demo_free(&d);
    PQfinish(d.conn);
    return rc;
}
