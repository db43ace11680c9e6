/* SPDX-License-Identifier: MIT */
/* time.c - the API's UTC time form, durations, and "never" (docs/linode-api.md §5). */
#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>

/* Cloud Manager counts anything more than 100 years out as "never". */
#define NEVER_HORIZON ((int64_t)100 * 366 * 86400)

int lt_time_is_never(int64_t t, time_t now)
{
    return t == LT_TIME_NEVER || t > (int64_t)now + NEVER_HORIZON;
}

lt_error_kind lt_time_parse_api(const char *s, time_t now, int64_t *out, lt_error *err)
{
    int64_t t;
    lt_error_kind rc = lt_time_parse_utc(s, &t, err);
    if (rc == LT_OK)
        *out = lt_time_is_never(t, now) ? LT_TIME_NEVER : t;
    return rc;
}

lt_error_kind lt_time_parse_utc(const char *s, int64_t *out, lt_error *err)
{
    if (!s)
        return lt_error_set(err, LT_ERR_BAD_RESPONSE, "time: missing");
    struct tm tm = {0};
    const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    /* strptime accepts 1-digit fields; the API's form is fixed width. */
    if (!end || end - s != 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T')
        goto bad;
    if (*end == '.') {
        end++;
        if (!isdigit((unsigned char)*end))
            goto bad;
        while (isdigit((unsigned char)*end))
            end++;
    }
    /* RFC 3339's zones: Z or an offset (the API writes none: UTC). */
    int64_t offset = 0;
    if ((*end == 'Z' || *end == 'z') && !end[1]) {
        end++;
    } else if ((*end == '+' || *end == '-') && isdigit((unsigned char)end[1]) && isdigit((unsigned char)end[2]) &&
               end[3] == ':' && isdigit((unsigned char)end[4]) && isdigit((unsigned char)end[5]) && !end[6]) {
        int hh = (end[1] - '0') * 10 + (end[2] - '0'), mm = (end[4] - '0') * 10 + (end[5] - '0');
        if (hh > 23 || mm > 59)
            goto bad;
        offset = (int64_t)(*end == '+' ? 1 : -1) * (hh * 3600 + mm * 60);
        end += 6;
    }
    if (*end)
        goto bad;
    errno = 0;
    time_t t = timegm(&tm);
    if (t == (time_t)-1 && errno)
        goto bad;
    *out = (int64_t)t - offset;
    return LT_OK;
bad:
    return lt_error_set(err, LT_ERR_BAD_RESPONSE, "time: '%.40s' is not YYYY-MM-DDTHH:MM:SS", s);
}

void lt_time_format_api(int64_t t, char buf[20])
{
    time_t tt = (time_t)t;
    struct tm tm;
    /* Always four digits of year (strftime's %Y gives 999 for 999, which the API reads as 2999). */
    if (t == LT_TIME_NEVER || !gmtime_r(&tt, &tm) || tm.tm_year + 1900 < 1 || tm.tm_year + 1900 > 9999 ||
        snprintf(buf, 20, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec) != 19)
        memcpy(buf, "2999-12-12T05:00:00", 20);
}

lt_error_kind lt_duration_parse(const char *s, int64_t *seconds, lt_error *err)
{
    if (!s || !*s)
        return lt_error_set(err, LT_ERR_USAGE, "duration: empty (use e.g. 90s, 15m, 1h, 7d, 2w)");
    int64_t total = 0;
    const char *p = s;
    while (*p) {
        if (!isdigit((unsigned char)*p))
            goto bad;
        errno = 0;
        char *end;
        unsigned long long n = strtoull(p, &end, 10);
        if (errno || n > 1000000000ULL)
            goto bad;
        int64_t unit;
        switch (*end) {
        case 's':
            unit = 1;
            break;
        case 'm':
            unit = 60;
            break;
        case 'h':
            unit = 3600;
            break;
        case 'd':
            unit = 86400;
            break;
        case 'w':
            unit = 7 * 86400;
            break;
        default:
            goto bad;
        }
        total += (int64_t)n * unit;
        if (total > (int64_t)200 * 366 * 86400)
            goto bad;
        p = end + 1;
    }
    if (total <= 0)
        goto bad;
    *seconds = total;
    return LT_OK;
bad:
    return lt_error_set(err, LT_ERR_USAGE, "duration: '%.40s' is not a duration (use e.g. 90s, 15m, 1h, 7d, 2w)", s);
}
