/* Fuzz target: CSV import decoding (UTF-8 or GB18030) and record reading. */
#include "csv.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text;
    size_t len;
    enum csv_encoding enc;
    if (csv_to_utf8((const char *)data, size, &text, &len, &enc) < 0)
        return 0;
    static struct csv_parser ps;
    struct csv_record rec;
    csv_init(&ps, text, len);
    enum csv_status st;
    size_t records = 0, last_line = 0;
    while ((st = csv_next(&ps, &rec)) != CSV_END) {
        if (rec.line < last_line || ++records > len + 1)
            __builtin_trap();
        last_line = rec.line;
        if (st == CSV_RECORD) {
            if (rec.n == 0 || rec.n > CSV_MAX_FIELDS)
                __builtin_trap();
            for (size_t i = 0; i < rec.n; i++)
                if (strlen(rec.field[i]) != rec.len[i] || rec.len[i] > CSV_MAX_FIELD)
                    __builtin_trap();
        }
    }
    free(text);
    return 0;
}
