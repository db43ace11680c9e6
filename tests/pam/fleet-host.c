/* SPDX-License-Identifier: MIT */
/* fleet-host.c - one simulated host for bench/fleet.sh and test-fleet.sh: a login session through
 * real libpam with the host's own PAM configuration directory (pam_start_confdir: no /etc/pam.d,
 * no pam_wrapper and its machine-wide /tmp/pam.X copies), opened after DELAY_MS, held for
 * HOLD_MS, then closed.
 * Usage: fleet-host CONFDIR SERVICE USER DELAY_MS HOLD_MS
 * Prints OPEN=rc OPEN_MS=t CLOSE=rc CLOSE_MS=t, and each syslog line as SYSLOG(priority): text. */
#include <security/pam_appl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <time.h>

#include "host-log.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: fleet-host CONFDIR SERVICE USER DELAY_MS HOLD_MS\n");
        return 2;
    }
    static struct pam_conv c = {conv, NULL};
    pam_handle_t *h = NULL;
    sleep_ms(atol(argv[4]));
    if (pam_start_confdir(argv[2], argv[3], &c, argv[1], &h) != PAM_SUCCESS) {
        fprintf(stderr, "fleet-host: pam_start_confdir failed\n");
        return 2;
    }
    pam_set_item(h, PAM_TTY, "pts/1");
    pam_set_item(h, PAM_RHOST, "192.0.2.1");
    double t0 = now_ms();
    int rc = pam_open_session(h, 0);
    printf("OPEN=%d\nOPEN_MS=%.1f\n", rc, now_ms() - t0);
    fflush(stdout);
    if (rc == PAM_SUCCESS) {
        sleep_ms(atol(argv[5]));
        t0 = now_ms();
        rc = pam_close_session(h, 0);
        printf("CLOSE=%d\nCLOSE_MS=%.1f\n", rc, now_ms() - t0);
    }
    pam_end(h, PAM_SUCCESS);
    return 0;
}
