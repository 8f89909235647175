/* Fuzz target: the cells of a CSV import (lib/import.c), households and workers. */
#include "import.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_seal(void *ctx, const char *value, struct import_sealed *out)
{
    (void)ctx;
    snprintf(out->hash, sizeof out->hash, "h%zu", strlen(value));
    snprintf(out->enc, sizeof out->enc, "e%zu", strlen(value));
    return value[0] == '9' ? -1 : 0;
}

/* Every column array is a closed literal with one element per kept row (or
 * per skill), and no row is counted twice. */
static void fuzz_check(const struct import *im)
{
    if (im->valid > im->nrows || json_array_size(im->errors) > IMPORT_MAX_ERRORS)
        __builtin_trap();
    if (im->fatal || (json_array_size(im->errors) > 0 && im->nrows == 0))
        return;
    size_t rows = im->workers ? IMPORT_W_SKILL_LINE : IMPORT_H_NOUT;
    for (size_t k = 0; k < im->nout; k++) {
        const struct import_arr *a = &im->out[k];
        if (!a->p || a->p[0] != '{' || a->p[a->n - 1] != '}' || strlen(a->p) != a->n)
            __builtin_trap();
        if (k < rows && a->count != im->valid)
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct import_hooks hooks = {fuzz_seal, fuzz_seal, NULL};
    for (int workers = 0; workers < 2; workers++) {
        struct import im;
        if (import_init(&im, workers, PROBLEM_LANG_ZH, 20250601, &hooks) < 0)
            __builtin_trap();
        import_run(&im, (const char *)data, size);
        if (!im.oom)
            fuzz_check(&im);
        import_free(&im);
    }
    return 0;
}
