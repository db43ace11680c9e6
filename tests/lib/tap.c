/* SPDX-License-Identifier: MIT */
/* tap.c - see tap.h */
#include "tap.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int n_run, n_failed, planned;

void tap_plan(int n)
{
    planned = n;
    printf("1..%d\n", n);
    fflush(stdout);
}

void tap_skip_all(const char *why)
{
    printf("1..0 # SKIP %s\n", why);
    exit(0);
}

static int vok(int cond, const char *fmt, va_list ap)
{
    n_run++;
    if (!cond)
        n_failed++;
    printf("%sok %d - ", cond ? "" : "not ", n_run);
    vprintf(fmt, ap);
    putchar('\n');
    fflush(stdout);
    return cond;
}

int tap_ok(int cond, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vok(cond, fmt, ap);
    va_end(ap);
    return r;
}

void tap_diag(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("# ", stdout);
    vprintf(fmt, ap);
    putchar('\n');
    fflush(stdout);
    va_end(ap);
}

int tap_is_int(int64_t got, int64_t want, const char *name)
{
    if (!tap_ok(got == want, "%s", name))
        tap_diag("  got: %" PRId64 "  expected: %" PRId64, got, want);
    return got == want;
}

int tap_is_str(const char *got, const char *want, const char *name)
{
    int same = (got && want) ? strcmp(got, want) == 0 : got == want;
    if (!tap_ok(same, "%s", name))
        tap_diag("  got: '%s'  expected: '%s'", got ? got : "(null)", want ? want : "(null)");
    return same;
}

int tap_like(const char *got, const char *needle, const char *name)
{
    int m = got && strstr(got, needle);
    if (!tap_ok(m, "%s", name))
        tap_diag("  '%s' does not contain '%s'", got ? got : "(null)", needle);
    return m;
}

int tap_done(void)
{
    if (!planned)
        printf("1..%d\n", n_run);
    else if (planned != n_run)
        tap_diag("planned %d tests but ran %d", planned, n_run);
    fflush(stdout);
    return n_failed || (planned && planned != n_run);
}
