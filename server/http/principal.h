/*
 * principal: who is calling (plain data, filled by auth for each request).
 */
#ifndef LEYE_PRINCIPAL_H
#define LEYE_PRINCIPAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum principal_kind { PRINCIPAL_NONE, PRINCIPAL_STAFF, PRINCIPAL_KIOSK, PRINCIPAL_BROKER };

/* One bit per kind of caller, used by the policy table. */
#define ROLE_ADMIN 0x01u  /* province-wide staff */
#define ROLE_COUNTY 0x02u /* county staff, scoped to county_codes */
#define ROLE_SITE 0x04u   /* site staff, scoped to site_ids */
#define ROLE_VIEWER 0x08u /* reports only */
#define ROLE_KIOSK 0x10u  /* a job seeker at a kiosk: only their own records */
#define ROLE_BROKER 0x20u /* a labour broker's API key */
#define ROLE_ANON 0x40u   /* nobody logged in */
#define ROLE_STAFF (ROLE_ADMIN | ROLE_COUNTY | ROLE_SITE)

/* Broker key scopes. */
#define SCOPE_VACANCIES_READ 0x01u
#define SCOPE_MATCHES_READ 0x02u
#define SCOPE_APPLICATIONS_WRITE 0x04u

/* The name of one ROLE_ bit as the API and the policy table write it, or
 * NULL for anything else. */
static inline const char *principal_role_name(unsigned role)
{
    switch (role) {
    case ROLE_ADMIN:
        return "admin";
    case ROLE_COUNTY:
        return "county_staff";
    case ROLE_SITE:
        return "site_staff";
    case ROLE_VIEWER:
        return "viewer";
    case ROLE_KIOSK:
        return "kiosk";
    case ROLE_BROKER:
        return "broker";
    case ROLE_ANON:
        return "anonymous";
    default:
        return NULL;
    }
}

/* The name of one SCOPE_ bit as broker keys store it, or NULL. */
static inline const char *principal_scope_name(unsigned scope)
{
    switch (scope) {
    case SCOPE_VACANCIES_READ:
        return "vacancies:read";
    case SCOPE_MATCHES_READ:
        return "matches:read";
    case SCOPE_APPLICATIONS_WRITE:
        return "applications:write";
    default:
        return NULL;
    }
}

#define PRINCIPAL_MAX_SCOPE 64
/* a broker's name has at most 100 characters (migrations/012), each at most
 * four bytes of UTF-8; staff usernames are 3-40 ASCII characters */
#define PRINCIPAL_NAME_MAX (100 * 4 + 1)
/* the scope, then the actor JSON with the name escaped: fits for any name */
#define PRINCIPAL_SCOPE_TEXT 1024

struct principal {
    enum principal_kind kind;
    unsigned role; /* one ROLE_ bit */
    int64_t id;    /* staff account, kiosk worker, or broker key id */
    int64_t broker_id;
    char name[PRINCIPAL_NAME_MAX]; /* username, or broker name (UTF-8) */
    int ncounties;
    int counties[PRINCIPAL_MAX_SCOPE];
    int nsites;
    int64_t sites[PRINCIPAL_MAX_SCOPE];
    unsigned scopes;     /* broker key scopes */
    bool pii_reveal;     /* may ask for full ID numbers and phones */
    bool rules_override; /* may override a programme rule with a written reason */
    bool ethnicity;      /* may record and read ethnicity, for the fairness report only */
    /* what the database's row-level security lets this caller see, in the form
     * pgpool_query_scoped takes ("*", "c:...", "s:...", "k:...", "b:...", "none") */
    char scope[PRINCIPAL_SCOPE_TEXT];
};

#endif
