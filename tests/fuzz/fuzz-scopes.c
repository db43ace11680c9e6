/* SPDX-License-Identifier: MIT */
/* fuzz-scopes.c - the scope grammar. Properties: a parsed string formats to a normal form that
 * parses back to the same access; every set is within itself and within "*". */
#include "fuzz.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    for (unsigned flags = 0; flags <= LT_SCOPES_LENIENT; flags += LT_SCOPES_LENIENT) {
        lt_scopes a, b, all;
        if (lt_scopes_parse(s, flags, &a, NULL) != LT_OK)
            continue;
        char *norm = lt_scopes_format(&a);
        FUZZ_CHECK(norm, "format");
        FUZZ_CHECK(lt_scopes_parse(norm, 0, &b, NULL) == LT_OK, "the normal form parses strictly");
        char *again = lt_scopes_format(&b);
        FUZZ_CHECK(again && !strcmp(norm, again), "format is a fixed point");
        FUZZ_CHECK(lt_scopes_within(&a, &b) && lt_scopes_within(&b, &a), "same access after a round trip");
        lt_scopes_parse("*", 0, &all, NULL);
        FUZZ_CHECK(lt_scopes_within(&a, &all), "everything is within *");
        free(norm);
        free(again);
    }
    free(s);
    return 0;
}
