/* SPDX-License-Identifier: MIT */
/* fuzz-labels.c - minted tokens' labels. Properties: a label we parse, formatted again from its
 * fields, parses to the same fields (reap compares what it derives with what it reads); the check
 * before sending (lt_label_check) takes exactly the UTF-8 strings of 1 to 100 characters with
 * nothing the terminal sanitiser would change (no control, bidi or zero-width character). */
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
        FUZZ_CHECK(lt_label_check(again, NULL) == LT_OK, "a formatted label is one the API takes");
        FUZZ_CHECK(!strcmp(a.host, b.host) && !strcmp(a.user, b.user) && !strcmp(a.profile, b.profile) &&
                       !strcmp(a.session, b.session) && !strcmp(a.nonce, b.nonce),
                   "fields survive a round trip");
    }
    json_t *j = json_string(s); /* jansson's own UTF-8 check */
    size_t chars = 0;
    for (const char *p = s; *p; p++)
        chars += ((unsigned char)*p & 0xC0) != 0x80;
    char shown[LT_LABEL_MAX * 24 + 1];
    lt_printable_into(s, strlen(s), shown, sizeof shown);
    int plain = j && chars >= 1 && chars <= LT_LABEL_MAX && !strcmp(shown, s);
    FUZZ_CHECK((lt_label_check(s, NULL) == LT_OK) == plain,
               "the label check takes valid UTF-8 of 1 to 100 characters that the sanitiser leaves as they are, "
               "and nothing else");
    json_decref(j);
    free(s);
    return 0;
}
