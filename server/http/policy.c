#include "policy.h"

#include "principal.h"

#include <string.h>

#define STAFF_ALL (ROLE_ADMIN | ROLE_COUNTY | ROLE_SITE)
#define EVERYONE (STAFF_ALL | ROLE_VIEWER | ROLE_KIOSK | ROLE_BROKER | ROLE_ANON)

static const struct policy policies[] = {
    {"public", EVERYONE, 0, false},
    {"metrics", EVERYONE, 0, false},
    {"session", STAFF_ALL | ROLE_VIEWER | ROLE_KIOSK, 0, false},
    /* staff accounts have passwords; kiosk sessions sign in with a PIN */
    {"password", STAFF_ALL | ROLE_VIEWER, 0, false},
    {"reference:read", STAFF_ALL | ROLE_VIEWER | ROLE_KIOSK | ROLE_BROKER, 0, false},
    {"reference:write", ROLE_ADMIN, 0, true},
    {"sites:read", STAFF_ALL, 0, false},
    {"sites:write", ROLE_ADMIN | ROLE_COUNTY, 0, true},
    {"households:read", STAFF_ALL, 0, false},
    {"households:write", STAFF_ALL, 0, true},
    {"workers:read", STAFF_ALL, 0, false},
    {"workers:write", STAFF_ALL, 0, true},
    {"employers:read", STAFF_ALL, 0, false},
    {"employers:write", ROLE_ADMIN | ROLE_COUNTY, 0, true},
    {"vacancies:read", STAFF_ALL | ROLE_BROKER, SCOPE_VACANCIES_READ, false},
    {"vacancies:write", ROLE_ADMIN | ROLE_COUNTY, 0, true},
    /* viewers read reports only: the dashboard carries the projects' figures */
    {"projects:read", STAFF_ALL, 0, false},
    {"projects:write", ROLE_ADMIN | ROLE_COUNTY, 0, true},
    {"applications:read", STAFF_ALL, 0, false},
    {"applications:write", STAFF_ALL | ROLE_BROKER, SCOPE_APPLICATIONS_WRITE, true},
    {"placements:read", STAFF_ALL, 0, false},
    {"placements:write", STAFF_ALL, 0, true},
    {"tasks:read", STAFF_ALL, 0, false},
    {"training:read", STAFF_ALL, 0, false},
    {"training:write", STAFF_ALL, 0, true},
    {"tasks:write", STAFF_ALL, 0, true},
    {"imports:write", STAFF_ALL, 0, true},
    {"matches:read", STAFF_ALL | ROLE_BROKER, SCOPE_MATCHES_READ, false},
    {"reports:read", STAFF_ALL | ROLE_VIEWER, 0, false},
    {"allocations:read", STAFF_ALL, 0, false},
    {"allocations:write", ROLE_ADMIN | ROLE_COUNTY, 0, true},
    /* labour export trips: brokers read the trips they organise and sign
     * consenting workers up for them; county staff create trips and fill
     * their rosters; every staff member checks people in and follows them up */
    {"trips:read", STAFF_ALL | ROLE_BROKER, SCOPE_VACANCIES_READ, false},
    {"trips:write", ROLE_ADMIN | ROLE_COUNTY, 0, true},
    {"trips:signup", STAFF_ALL | ROLE_BROKER, SCOPE_APPLICATIONS_WRITE, true},
    {"trips:manage", STAFF_ALL, 0, true},
    /* work-relief payroll: staff keep the ledgers and record payments; the
     * project owner (province and county staff) approves and releases pay
     * sheets and runs the county's spot checks */
    {"payroll:read", STAFF_ALL, 0, false},
    {"payroll:write", STAFF_ALL, 0, true},
    {"payroll:approve", ROLE_ADMIN | ROLE_COUNTY, 0, true},
    {"payroll:inspect", ROLE_ADMIN | ROLE_COUNTY, 0, true},
    /* public-welfare and ranger posts: their terms and monthly assessments */
    {"posts:read", STAFF_ALL, 0, false},
    {"posts:write", STAFF_ALL, 0, true},
    {"kiosk:self", ROLE_KIOSK, 0, false},
    {"kiosk:write", ROLE_KIOSK, 0, true},
    {"audit:read", ROLE_ADMIN, 0, false},
    /* staff accounts: county staff manage their own sites' staff only (migrations/045) */
    {"accounts:read", ROLE_ADMIN | ROLE_COUNTY, 0, false},
    {"accounts:write", ROLE_ADMIN | ROLE_COUNTY, 0, true},
    {"brokers:write", ROLE_ADMIN, 0, true},
    /* a record's history, for staff who may see the record */
    {"history:read", STAFF_ALL, 0, false},
    /* province staff, and staff accounts granted the pii:reveal permission */
    {"pii:reveal", ROLE_ADMIN, 0, false},
    /* province and county staff, and staff accounts granted the rules:override
     * permission: pass a programme rule with a written, audited reason */
    {"rules:override", ROLE_ADMIN | ROLE_COUNTY, 0, true},
    /* a broker's own applications, keys, webhook endpoints and messages,
     * whatever the calling key's scopes */
    {"broker:self", ROLE_BROKER, 0, false},
    {"broker:write", ROLE_BROKER, 0, true},
    /* the messages of the outbox in the caller's scope; replay: province staff */
    {"notifications:read", STAFF_ALL, 0, false},
    {"notifications:write", ROLE_ADMIN, 0, true},
    /* lists from other departments (ID numbers with a flag) and their visits */
    {"department_lists:read", STAFF_ALL, 0, false},
    {"department_lists:write", STAFF_ALL, 0, true},
    /* the fairness report: staff only (not report viewers, brokers or kiosks) */
    {"fairness:read", STAFF_ALL, 0, false},
    /* a worker's ethnicity: province staff, and staff accounts granted the
     * ethnicity permission (auth.c); used only by the fairness report */
    {"ethnicity:read", ROLE_ADMIN, 0, false},
    {"ethnicity:write", ROLE_ADMIN, 0, true},
};

/* never reached by a served route (the server refuses to start with one); denies everyone */
static const struct policy policy_unknown = {"unknown", 0, 0, true};

const struct policy *policy_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof policies / sizeof policies[0]; i++)
        if (strcmp(policies[i].name, name) == 0)
            return &policies[i];
    return NULL;
}

const struct policy *policy_or_deny(const char *name)
{
    const struct policy *p = policy_find(name);
    return p ? p : &policy_unknown;
}

const struct policy *policy_all(unsigned *n)
{
    *n = sizeof policies / sizeof policies[0];
    return policies;
}
