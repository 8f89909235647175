/* matchrows: database rows into the matching index; see matchrows.h. */
#include "matchrows.h"

#include "matchload.h"

#include "log.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---------- rows to structs ---------- */

static int32_t matchrows_day(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? MATCH_NO_DAY : (int32_t)atol(PQgetvalue(res, row, col));
}

double matchrows_num(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? 0 : strtod(PQgetvalue(res, row, col), NULL);
}

/* "a:b:c:d,e:f,…": the numbers of each item (missing ones 0); returns the items. */
static int matchrows_items(const char *s, double out[][4], int max)
{
    int n = 0;
    while (s && *s && n < max) {
        memset(out[n], 0, sizeof out[n]);
        for (int k = 0; k < 4 && *s && *s != ','; k++) {
            char *end;
            out[n][k] = strtod(s, &end);
            s = end;
            if (*s != ':')
                break;
            s++;
        }
        n++;
        s = strchr(s, ',');
        if (s)
            s++;
    }
    return n;
}

/* One worker's columns as match_worker_rows gives them. */
struct matchrows_wcols {
    int64_t id, household_id;
    int flags, county_code, max_commute_km, wage_floor;
    int32_t birth_day, available_from;  /* MATCH_NO_DAY when null */
    double lat, lon;                    /* 0 when null */
    const char *kinds, *skills, *certs; /* "" when null */
};

/* "skill:level,…" into w's skills (integers only: no strtod on the load's
 * hottest path). */
static void matchrows_worker_skills(const char *p, struct match_worker *w)
{
    while (*p && w->n_skills < MATCH_MAX_WORKER_SKILLS) {
        char *end;
        long skill = strtol(p, &end, 10), level = 0;
        if (*end == ':')
            level = strtol(end + 1, &end, 10);
        if (skill >= 1 && skill <= MATCH_MAX_SKILL && level >= 1 && level <= 5)
            w->skills[w->n_skills++] = (struct match_worker_skill){(uint8_t)skill, (uint8_t)level};
        p = strchr(end, ',');
        if (!p)
            break;
        p++;
    }
}

static void matchrows_worker_make(const struct matchrows_wcols *c, struct match_worker *w)
{
    memset(w, 0, sizeof *w);
    w->id = c->id;
    w->household_id = c->household_id;
    w->flags = (uint16_t)(c->flags & MATCH_W_ALL_FLAGS);
    w->birth_day = c->birth_day;
    w->available_from = c->available_from;
    w->county_code = c->county_code;
    w->lat = c->lat;
    w->lon = c->lon;
    w->max_commute_km = (uint16_t)c->max_commute_km;
    w->wage_floor = (uint32_t)c->wage_floor;
    w->kinds_wanted = matchload_kinds(c->kinds);
    matchrows_worker_skills(c->skills, w);
    /* certificates: "id:expiry-day" or "id:" without an expiry */
    for (const char *p = c->certs; *p && w->n_certs < MATCH_MAX_WORKER_CERTS;) {
        char *end;
        long id = strtol(p, &end, 10);
        int32_t expires = MATCH_NO_DAY;
        if (*end == ':' && end[1] && end[1] != ',')
            expires = (int32_t)strtol(end + 1, &end, 10);
        else if (*end == ':')
            end++;
        if (id >= 1 && id <= MATCH_MAX_CERT)
            w->certs[w->n_certs++] = (struct match_worker_cert){(uint8_t)id, expires};
        p = strchr(end, ',');
        if (!p)
            break;
        p++;
    }
}

static void matchrows_worker_row(const PGresult *res, int i, struct match_worker *w)
{
    struct matchrows_wcols c = {
        .id = atoll(PQgetvalue(res, i, 0)),
        .household_id = atoll(PQgetvalue(res, i, 1)),
        .flags = atoi(PQgetvalue(res, i, 2)),
        .birth_day = matchrows_day(res, i, 3),
        .available_from = matchrows_day(res, i, 4),
        .county_code = atoi(PQgetvalue(res, i, 5)),
        .lat = matchrows_num(res, i, 6),
        .lon = matchrows_num(res, i, 7),
        .max_commute_km = atoi(PQgetvalue(res, i, 8)),
        .wage_floor = atoi(PQgetvalue(res, i, 9)),
        .kinds = PQgetvalue(res, i, 10),
        .skills = PQgetvalue(res, i, 11),
        .certs = PQgetvalue(res, i, 12),
    };
    matchrows_worker_make(&c, w);
}

static enum match_wage_period matchrows_period(const char *s)
{
    return !strcmp(s, "day")     ? MATCH_WAGE_DAY
           : !strcmp(s, "hour")  ? MATCH_WAGE_HOUR
           : !strcmp(s, "piece") ? MATCH_WAGE_PIECE
                                 : MATCH_WAGE_MONTH;
}

static void matchrows_vacancy_row(const PGresult *res, int i, struct match_vacancy *v)
{
    memset(v, 0, sizeof *v);
    v->id = atoll(PQgetvalue(res, i, 0));
    int kind = match_kind_parse(PQgetvalue(res, i, 1));
    v->kind = kind < 0 ? MATCH_KIND_REGULAR : (enum match_kind)kind;
    v->open = PQgetvalue(res, i, 2)[0] == 't';
    v->headcount = (uint32_t)atoi(PQgetvalue(res, i, 3));
    v->filled = (uint32_t)atoi(PQgetvalue(res, i, 4));
    v->county_code = atoi(PQgetvalue(res, i, 5));
    v->lat = matchrows_num(res, i, 6);
    v->lon = matchrows_num(res, i, 7);
    v->dest_province = PQgetisnull(res, i, 8) ? 0 : atoi(PQgetvalue(res, i, 8));
    v->wage_min = (uint32_t)atoi(PQgetvalue(res, i, 9));
    v->wage_max = (uint32_t)atoi(PQgetvalue(res, i, 10));
    v->wage_period = matchrows_period(PQgetvalue(res, i, 11));
    v->age_min = (uint8_t)atoi(PQgetvalue(res, i, 12));
    v->age_max = (uint8_t)atoi(PQgetvalue(res, i, 13));
    v->accommodation = PQgetvalue(res, i, 14)[0] == 't';
    v->transport = PQgetvalue(res, i, 15)[0] == 't';
    v->start_day = matchrows_day(res, i, 16);
    double it[MATCH_MAX_VACANCY_SKILLS][4];
    int n = matchrows_items(PQgetvalue(res, i, 17), it, MATCH_MAX_VACANCY_SKILLS);
    for (int k = 0; k < n; k++)
        if (it[k][0] >= 1 && it[k][0] <= MATCH_MAX_SKILL && it[k][1] >= 1 && it[k][1] <= 5)
            v->skills[v->n_skills++] = (struct match_vacancy_skill){
                (uint8_t)it[k][0], (uint8_t)it[k][1], it[k][3] != 0,
                it[k][2] > 0 && it[k][2] <= 10 ? (float)it[k][2] : 1.0f};
    n = matchrows_items(PQgetvalue(res, i, 18), it, MATCH_MAX_VACANCY_CERTS);
    for (int k = 0; k < n; k++)
        if (it[k][0] >= 1 && it[k][0] <= MATCH_MAX_CERT)
            v->certs[v->n_certs++] = (struct match_vacancy_cert){(uint8_t)it[k][0], true};
}

static void matchrows_household_make(int64_t id, bool zero_employment, const char *monitoring,
                                     int posts, struct match_household *h)
{
    static const char *const mon[] = {"none", "unstable", "marginal", "sudden_hardship"};
    memset(h, 0, sizeof *h);
    h->id = id;
    h->zero_employment = zero_employment;
    for (int k = 0; k < 4; k++)
        if (!strcmp(monitoring, mon[k]))
            h->monitoring = (enum match_monitoring)k;
    h->public_welfare_posts = (uint16_t)posts;
}

static void matchrows_household_row(const PGresult *res, int i, struct match_household *h)
{
    matchrows_household_make(atoll(PQgetvalue(res, i, 0)), PQgetvalue(res, i, 1)[0] == 't',
                             PQgetvalue(res, i, 2), atoi(PQgetvalue(res, i, 3)), h);
}

/* ---------- reading and filing ---------- */

static const char *const matchrows_sql[] = {
    "SELECT * FROM match_household_rows($1::bigint, $2::integer, $3::bigint[])",
    "SELECT * FROM match_worker_rows($1::bigint, $2::integer, $3::bigint[])",
    "SELECT * FROM match_vacancy_rows($1::bigint, $2::integer, $3::bigint[])",
};

PGresult *matchrows_read(PGconn *c, enum matchrows_kind kind, const char *ids)
{
    const char *v[3] = {NULL, NULL, ids};
    PGresult *res = PQexecParams(c, matchrows_sql[kind], 3, NULL, v, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        log_warn("matching index: reading rows failed: %s", PQerrorMessage(c));
        PQclear(res);
        return NULL;
    }
    return res;
}

int matchrows_apply(struct match_index *idx, enum matchrows_kind kind, const PGresult *res)
{
    int n = PQntuples(res);
    for (int i = 0; i < n; i++) {
        int rc;
        if (kind == MATCHROWS_HOUSEHOLD) {
            struct match_household h;
            matchrows_household_row(res, i, &h);
            rc = match_index_upsert_household(idx, &h);
        } else if (kind == MATCHROWS_WORKER) {
            struct match_worker w;
            matchrows_worker_row(res, i, &w);
            rc = match_index_upsert_worker(idx, &w);
        } else {
            struct match_vacancy v;
            matchrows_vacancy_row(res, i, &v);
            rc = match_index_upsert_vacancy(idx, &v);
        }
        if (rc < 0)
            log_warn("matching index: record %s of kind %d refused", PQgetvalue(res, i, 0),
                     (int)kind);
    }
    return n;
}
