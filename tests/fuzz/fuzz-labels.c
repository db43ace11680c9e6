/* SPDX-License-Identifier: MIT */
/* fuzz-labels.c - minted tokens' labels. Property: a label we parse, formatted again from its
 * fields, parses to the same fields (reap compares what it derives with what it reads). */
#include "fuzz.h"
#include "internal.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    lt_label a, b;
    if (lt_label_parse(s, &a)) {
        char again[LT_LABEL_MAX + 1];
        if (a.version == 1)
            snprintf(a.nonce, sizeof a.nonce, "00000000");
        lt_label_format(a.host, a.user, a.profile, a.session, a.nonce, again);
        FUZZ_CHECK(strlen(again) <= LT_LABEL_MAX, "a label fits the API's 100 characters");
        FUZZ_CHECK(lt_label_parse(again, &b), "a formatted label parses");
        FUZZ_CHECK(!strcmp(a.host, b.host) && !strcmp(a.user, b.user) && !strcmp(a.profile, b.profile) &&
                       !strcmp(a.session, b.session) && !strcmp(a.nonce, b.nonce), "fields survive a round trip");
    }
    free(s);
    return 0;
}
