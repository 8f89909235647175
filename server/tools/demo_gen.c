/* demo_gen: the demo's people, jobs and histories, made in memory (see demo_int.h). */
#define _POSIX_C_SOURCE 200809L
#include "demo_int.h"

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
    date_civil(d->today, &y, &m, &dd);
    int last = date_month_days(y - age, m);
    /* two days' margin: the age holds in China time and in UTC */
    w->birth = date_day(y - age, m, dd > last ? last : dd) - 2 - demo_rand(d, 361);
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

int demo_gen_households(struct demo *d)
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
int demo_pick_labour(struct demo *d)
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

int demo_write_employers(struct demo *d, struct demo_buf *b)
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

int demo_write_projects(struct demo *d, struct demo_buf *b)
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

int demo_gen_vacancies(struct demo *d)
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

void demo_assign_jobs(struct demo *d)
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
void demo_gen_history(struct demo *d)
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
void demo_gen_open_apps(struct demo *d)
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
void demo_finish_vacancies(struct demo *d)
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

void demo_gen_skills(struct demo *d, struct demo_worker *w)
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

void demo_gen_prefs(struct demo *d, struct demo_worker *w)
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
