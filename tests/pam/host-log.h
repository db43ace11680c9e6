/* SPDX-License-Identifier: MIT */
/* host-log.h - what the test PAM hosts (fleet-host.c, suid-host.c) share: libpam's pam_syslog ends
 * in syslog (fortified: __syslog_chk); a host that includes this defines both, so the module's
 * lines come to its stdout as SYSLOG(priority): text, never to the machine's log; and a
 * conversation function that refuses, since the module never talks to the user.
 * Include it from one .c file of a program only. */
#ifndef LT_TEST_HOST_LOG_H
#define LT_TEST_HOST_LOG_H
#include <security/pam_appl.h>
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

static void log_line(int pri, const char *fmt, va_list ap)
{
    printf("SYSLOG(%d): ", LOG_PRI(pri));
    vprintf(fmt, ap);
    putchar('\n');
}
void syslog(int pri, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_line(pri, fmt, ap);
    va_end(ap);
}
void __syslog_chk(int pri, int flag, const char *fmt, ...)
{
    (void)flag;
    va_list ap;
    va_start(ap, fmt);
    log_line(pri, fmt, ap);
    va_end(ap);
}

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
    (void)n, (void)msg, (void)resp, (void)data;
    return PAM_CONV_ERR; /* the module never talks to the user */
}
#endif
