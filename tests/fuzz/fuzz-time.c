/* SPDX-License-Identifier: MIT */
/* fuzz-time.c - API times and durations. Properties: a parsed time formats back to what parses to
 * the same instant, with a four-digit year; a duration is positive and bounded. */
#include "fuzz.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    int64_t t, u, secs;
    if (lt_time_parse_utc(s, &t, NULL) == LT_OK && t > -62135596800LL && t < 253402300800LL) {
        char buf[20];
        lt_time_format_api(t, buf);
        FUZZ_CHECK(strlen(buf) == 19 && buf[4] == '-', "four-digit year, fixed width");
        FUZZ_CHECK(lt_time_parse_utc(buf, &u, NULL) == LT_OK && u == t, "format then parse is the identity");
    }
    if (lt_time_parse_api(s, 1700000000, &t, NULL) == LT_OK)
        FUZZ_CHECK(t == LT_TIME_NEVER || t <= 1700000000 + 100LL * 366 * 86400, "far future reads as never");
    if (lt_duration_parse(s, &secs, NULL) == LT_OK)
        FUZZ_CHECK(secs > 0 && secs <= 200LL * 366 * 86400, "durations are positive and bounded");
    free(s);
    return 0;
}
