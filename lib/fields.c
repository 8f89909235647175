/* The bounds of the fields people type (fields.h). */
#include "fields.h"

#define FIELDS_ROW_(id, field, table, column, kind, min, max)                                      \
    {field, table, column, kind, min, max},
const struct fields_bound fields_table[] = {FIELDS_TABLE(FIELDS_ROW_)};
#undef FIELDS_ROW_

const size_t fields_count = sizeof fields_table / sizeof fields_table[0];
