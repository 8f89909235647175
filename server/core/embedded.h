/* embedded: files compiled into the binary (see scripts/embed.sh). */
#ifndef LEYE_EMBEDDED_H
#define LEYE_EMBEDDED_H

#include <stddef.h>

struct embedded_migration {
    int version;
    const char *name; /* "001_init.sql" */
    size_t len;
    const char *sql;
};

/* In ascending version order. */
extern const struct embedded_migration embedded_migrations[];
extern const size_t embedded_migrations_count;

extern const char embedded_openapi[];
extern const size_t embedded_openapi_len;

#endif
