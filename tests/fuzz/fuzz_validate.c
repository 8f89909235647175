/* Fuzz target: ID-number, credit-code, phone, date and text validators. */
#include "validate.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct validate_idnum id;
    enum validate_reason why;
    if (validate_idnum(s, size, 20261128, &id, &why)) {
        char masked[19];
        if (strlen(id.normalized) != 18)
            __builtin_trap();
        validate_mask_idnum(id.normalized, masked);
        if (strlen(masked) != 18 || memcmp(masked + 6, "********", 8) != 0)
            __builtin_trap();
        /* a normalised number must validate again to itself */
        struct validate_idnum again;
        if (!validate_idnum(id.normalized, 18, 20261128, &again, &why) ||
            strcmp(again.normalized, id.normalized) != 0)
            __builtin_trap();
    }
    char cc[19];
    if (validate_credit_code(s, size, cc, &why) && strlen(cc) != 18)
        __builtin_trap();
    char phone[16], masked[16];
    if (validate_phone_cn(s, size, phone)) {
        validate_mask_phone(phone, masked, sizeof masked);
        if (validate_phone_kind(phone) == VALIDATE_PHONE_NONE)
            __builtin_trap();
    }
    int ymd;
    if (validate_date(s, size, &ymd) && (ymd < 10101 || ymd > 99991231))
        __builtin_trap();
    if (validate_text(s, size, 100) && !validate_utf8(s, size))
        __builtin_trap();
    return 0;
}
