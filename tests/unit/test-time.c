/* SPDX-License-Identifier: MIT */
/* test-time.c - the API's time form, "never", durations. */
#include "internal.h"
#include "tap.h"

static const time_t NOW = 1795000000; /* 2026-11-18 */

int main(void)
{
    int64_t t = 0;
    lt_error e;
    is_int(lt_time_parse_api("2024-07-09T13:27:58", NOW, &t, &e), LT_OK, "parse the API form");
    is_int(t, 1720531678, "2024-07-09T13:27:58 UTC is 1720531678");
    char buf[20];
    lt_time_format_api(t, buf);
    is_str(buf, "2024-07-09T13:27:58", "format round-trips");
    lt_time_format_api(0, buf);
    is_str(buf, "1970-01-01T00:00:00", "format the epoch");
    is_int(lt_time_parse_utc("0999-01-01T00:00:00", &t, &e), LT_OK, "year 999 parses (as a date in the past)");
    lt_time_format_api(t, buf);
    is_str(buf, "0999-01-01T00:00:00", "year 999 is written with four digits, not as 999-");
    is_int(lt_time_parse_utc("2200-01-01T00:00:00", &t, &e), LT_OK, "parse_utc keeps a far date as it is");
    ok(t != LT_TIME_NEVER, "... not \"never\"");

    is_int(lt_time_parse_api("2024-07-09T13:27:58Z", NOW, &t, &e), LT_OK, "tolerate a Z suffix");
    is_int(t, 1720531678, "Z is UTC");
    is_int(lt_time_parse_api("2024-07-09T13:27:58.123+00:00", NOW, &t, &e), LT_OK, "tolerate fraction and +00:00");
    is_int(t, 1720531678, "fraction dropped");
    /* RFC 3339 (the spec's format: date-time): any offset, a lower-case z */
    is_int(lt_time_parse_api("2024-07-09T15:27:58+02:00", NOW, &t, &e), LT_OK, "an offset parses");
    is_int(t, 1720531678, "+02:00 is two hours ahead of UTC");
    is_int(lt_time_parse_api("2024-07-09T08:57:58.5-04:30", NOW, &t, &e), LT_OK, "a negative offset parses");
    is_int(t, 1720531678, "-04:30 is behind UTC");
    is_int(lt_time_parse_api("2024-07-09T13:27:58z", NOW, &t, &e), LT_OK, "a lower-case z parses");

    is_int(lt_time_parse_api("2999-12-12T05:00:00", NOW, &t, &e), LT_OK, "parse the far-future form");
    ok(t == LT_TIME_NEVER, "2999-12-12T05:00:00 means never");
    is_int(lt_time_parse_api("2226-11-18T00:00:00", NOW, &t, &e), LT_OK, "200 years out parses");
    ok(t == LT_TIME_NEVER, "more than 100 years out means never");
    is_int(lt_time_parse_api("2100-01-02T00:00:00", NOW, &t, &e), LT_OK, "2100 parses");
    ok(t != LT_TIME_NEVER, "74 years out is a real date");
    ok(lt_time_is_never(LT_TIME_NEVER, NOW), "LT_TIME_NEVER is never");
    ok(!lt_time_is_never(NOW + 86400, NOW), "tomorrow is not never");

    const char *bad[] = {"",
                         "2024-07-09",
                         "2024-7-9T1:2:3",
                         "2024-07-09 13:27:58",
                         "2024-07-09T13:27:58+0100",
                         "2024-07-09T13:27:58+24:00",
                         "2024-07-09T13:27:58+01:60",
                         "2024-07-09T13:27:58Z+01:00",
                         "2024-07-09T13:27:58.",
                         "2024-13-09T13:27:58",
                         "x2024-07-09T13:27:58",
                         "2024-07-09T13:27:58junk",
                         "99999-07-09T13:27:58"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char name[96];
        snprintf(name, sizeof name, "'%s' is refused", bad[i]);
        is_int(lt_time_parse_api(bad[i], NOW, &t, &e), LT_ERR_BAD_RESPONSE, name);
    }
    is_int(lt_time_parse_api(NULL, NOW, &t, &e), LT_ERR_BAD_RESPONSE, "NULL is refused");

    struct {
        const char *in;
        int64_t secs;
    } d[] = {
        {"90s", 90}, {"15m", 900}, {"1h", 3600}, {"7d", 604800}, {"2w", 1209600}, {"1h30m", 5400}, {"1d12h", 129600},
    };
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++) {
        int64_t s = 0;
        char name[64];
        snprintf(name, sizeof name, "duration %s", d[i].in);
        lt_duration_parse(d[i].in, &s, &e);
        is_int(s, d[i].secs, name);
    }
    const char *baddur[] = {"", "h", "10", "10x", "-5m", "0s", "1h ", "99999999999999999999s", "300000w", "1.5h"};
    for (size_t i = 0; i < sizeof baddur / sizeof baddur[0]; i++) {
        int64_t s;
        char name[96];
        snprintf(name, sizeof name, "duration '%s' is refused", baddur[i]);
        is_int(lt_duration_parse(baddur[i], &s, &e), LT_ERR_USAGE, name);
    }
    like(e.message, "use e.g. 90s, 15m, 1h, 7d, 2w", "duration error says what is accepted");
    return tap_done();
}
