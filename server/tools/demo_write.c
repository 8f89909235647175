/* demo_write: the demo's rows, written through COPY buffers (see demo_int.h). */
#define _POSIX_C_SOURCE 200809L
#include "demo_int.h"

/* ---- writing -------------------------------------------------------------- */

static const char *demo_staff_name(const struct demo *d, const struct demo_worker *w)
{
    return demo_staff_of(demo_sites[d->hh[w->hh].site].county)->username;
}

int demo_write_sites(struct demo *d, struct demo_buf *b)
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

int demo_write_households(struct demo *d, struct demo_buf *b)
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
    date_civil(d->today, &y, &m, &dd);
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

int demo_write_workers(struct demo *d, struct demo_buf *b)
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
        *expires = date_add_months(*issued, *issued < d->today - 6 * 365 ? 192 : 72);
    } else if (cert == DEMO_CERT_HEALTH) {
        *issued = d->today - 10 - demo_rand(d, 500); /* some have lapsed */
        *expires = *issued + 365;
    } else if (cert == DEMO_CERT_ELECTRICIAN || cert == DEMO_CERT_WELDING ||
               cert == DEMO_CERT_FORKLIFT) {
        *expires = date_add_months(*issued, cert == DEMO_CERT_FORKLIFT ? 48 : 72);
    }
}

int demo_write_skills_certs(struct demo *d, struct demo_buf *b)
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

/* Trainings: most of the labour force has had one (docs/demo-data.md: 83.6%);
 * consent as a history of grants and a few withdrawals. */
int demo_write_trainings_consents(struct demo *d, struct demo_buf *b)
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

int demo_write_vacancies(struct demo *d, struct demo_buf *b)
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
int demo_write_payments(struct demo *d, struct demo_buf *b)
{
    for (int i = 0; i < DEMO_NPROJECTS; i++) {
        const struct demo_project_def *p = &demo_projects[i];
        int start = d->today + p->start, end = d->today + p->end;
        double budget = (double)p->total_investment * p->share_permille / 1000.0;
        double per_month = budget * 0.92 / ((end - start) / 30.0);
        for (int day = start + 30; day <= end + 15 && day < d->today; day += 30) {
            int y, m, dd;
            char note[64];
            date_civil(day - 15, &y, &m, &dd);
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

int demo_write_applications(struct demo *d, struct demo_buf *b)
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
        int due = date_add_months(p->start, months[k]);
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

int demo_write_placements(struct demo *d, struct demo_buf *b)
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

int demo_write_tasks(struct demo *d, struct demo_buf *b)
{
    for (int i = 0; i < d->npl; i++)
        if (d->pl[i].ended != DEMO_NONE)
            demo_task_row(d, b, &d->pl[i]);
    return demo_load(d, "early_warning_task",
                     "household_id, placement_id, reason, due_on, assignee, status, visit_note, "
                     "closed_at, version, created_at, updated_at",
                     b);
}
