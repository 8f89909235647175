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
#include "demo_int.h"
#include "demo_export.h"
#include "demo_help.h"
#include "demo_payroll.h"
#include "demo_training.h"

/* ---- randomness, dates, characters --------------------------------------- */

/* An index drawn with the given weights; -1 when they are all zero. */
int demo_pick(struct demo *d, const double *w, int n)
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

int demo_pick_int(struct demo *d, const int *w, int n)
{
    double dw[16];
    for (int i = 0; i < n && i < 16; i++)
        dw[i] = w[i];
    return demo_pick(d, dw, n < 16 ? n : 16);
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
void demo_row(struct demo_buf *b, const char *types, ...)
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
            date_civil(day, &y, &m, &dd);
            n = snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, dd);
            break;
        case 'T':
        case 'U':
            day = va_arg(ap, int);
            sec = va_arg(ap, int);
            date_civil(day, &y, &m, &dd);
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
int demo_office_second(struct demo *d)
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
int demo_ids(struct demo *d, const char *table, int n, int64_t *out)
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
int demo_load(struct demo *d, const char *table, const char *cols, struct demo_buf *b)
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

const struct demo_county *demo_county(const struct demo *d, int code)
{
    for (int i = 0; i < d->ncounties; i++)
        if (d->counties[i].code == code)
            return &d->counties[i];
    return NULL;
}

const struct demo_staff_def *demo_staff_of(int county)
{
    for (int i = 0; i < DEMO_NSTAFF; i++)
        if (demo_staff[i].county == county)
            return &demo_staff[i];
    return &demo_staff[0];
}

const struct demo_origin_def *demo_origin(int county)
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
int demo_idnum(struct demo *d, int region, int birth, char sex, char out[19])
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int y, m, dd;
    char tmp[40];
    date_civil(birth, &y, &m, &dd);
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
int demo_credit_code(struct demo *d, const char *type, int county, char out[19])
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
void demo_name(struct demo *d, int eth, char sex, int age, char surname[4], char *out, size_t cap)
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

void demo_phone(struct demo *d, char out[12])
{
    const char *p = demo_phone_prefixes[demo_rand(d, DEMO_NPHONE_PREFIXES)];
    snprintf(out, 12, "%s%04d%04d", p, demo_rand(d, 10000), demo_rand(d, 10000));
}

int demo_education(struct demo *d, int age, int eth)
{
    static const int old[7] = {18, 50, 27, 4, 1, 0, 0};
    static const int mid[7] = {6, 34, 48, 6, 5, 1, 0};
    static const int young[7] = {1, 10, 50, 14, 18, 6, 1};
    int e = demo_pick_int(d, age >= 45 ? old : age >= 30 ? mid : young, 7);
    if (eth != DEMO_HAN && eth != DEMO_HUI && e > 0 && demo_chance(d, 0.15))
        e--;
    return e;
}

int demo_mandarin(struct demo *d, int eth, int age, int edu)
{
    if (eth == DEMO_HAN || eth == DEMO_HUI)
        return age >= 50 && edu <= 1 && demo_chance(d, 0.6) ? 1 : 2;
    if (age >= 45 || edu == 0) {
        static const int w[3] = {40, 50, 10};
        return demo_pick_int(d, w, 3);
    }
    return demo_chance(d, 0.45) ? 1 : 2;
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
    if (demo_read_context(&d) < 0 || demo_generate(&d) < 0 || demo_export_load(d.conn) < 0 ||
        demo_help_load(d.conn) < 0 || demo_payroll_run(d.conn) < 0 ||
        demo_training_load(d.conn) < 0 || demo_exec(&d, "COMMIT") < 0)
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
