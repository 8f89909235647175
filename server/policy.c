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
    {"kiosk:self", ROLE_KIOSK, 0, false},
    {"kiosk:write", ROLE_KIOSK, 0, true},
    {"audit:read", ROLE_ADMIN, 0, false},
    /* a record's history, for staff who may see the record */
    {"history:read", STAFF_ALL, 0, false},
    /* province staff, and staff accounts granted the pii:reveal permission */
    {"pii:reveal", ROLE_ADMIN, 0, false},
    /* province and county staff, and staff accounts granted the rules:override
     * permission: pass a programme rule with a written, audited reason */
    {"rules:override", ROLE_ADMIN | ROLE_COUNTY, 0, true},
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
