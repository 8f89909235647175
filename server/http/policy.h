/*
 * policy: the one table that says who may call what.  Every route names a
 * policy (router_route.policy); the server refuses to start when a route's
 * policy is not in this table.
 */
#ifndef LEYE_POLICY_H
#define LEYE_POLICY_H

#include <stdbool.h>

struct policy {
    const char *name;
    unsigned roles;        /* ROLE_ bits allowed (principal.h) */
    unsigned broker_scope; /* for brokers: the key scope needed (0 = none) */
    bool write;            /* changes data: audited */
};

/* The policy called name, or NULL. */
const struct policy *policy_find(const char *name);

/* The policy called name, or one that denies everyone for a name not in the table. */
const struct policy *policy_or_deny(const char *name);

/* Every policy, for the access-control matrix in the docs and tests. */
const struct policy *policy_all(unsigned *n);

#endif
