/* SPDX-License-Identifier: MIT */
/* suid-host.c - a login host as sudo is one: installed set-uid root and run by another user, so
 * that the real uid (the caller) differs from the effective uid (root), through real libpam with
 * its own configuration directory (pam_start_confdir: no /etc/pam.d, no pam_wrapper). Like sudo
 * it sets PAM_RUSER to the caller's name and keeps the caller's environment, limits and fds.
 * Usage: suid-host CONFDIR SERVICE USER MODE [NAME=VALUE...]
 *   MODE same: open and close on one handle; split: open, pam_end, then close on a new handle
 *   that imported the session's environment. NAME=VALUE: put in the PAM environment before open.
 * Prints RUID, EUID, OPEN=rc, the exported session id, CLOSE=rc, and each syslog line as
 * SYSLOG(priority): text (this program defines syslog, so nothing reaches the machine's log). */
#include <security/pam_appl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "host-log.h"

static pam_handle_t *start(char **argv, const char *caller)
{
    static struct pam_conv c = {conv, NULL};
    pam_handle_t *h = NULL;
    if (pam_start_confdir(argv[2], argv[3], &c, argv[1], &h) != PAM_SUCCESS) {
        printf("suid-host: pam_start_confdir failed\n");
        exit(2);
    }
    pam_set_item(h, PAM_RUSER, caller);
    pam_set_item(h, PAM_TTY, "/dev/pts/3");
    return h;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        printf("usage: suid-host CONFDIR SERVICE USER MODE [NAME=VALUE...]\n");
        return 2;
    }
    const struct passwd *pw = getpwuid(getuid());
    char caller[64];
    snprintf(caller, sizeof caller, "%s", pw ? pw->pw_name : "?");
    printf("RUID=%u\nEUID=%u\n", (unsigned)getuid(), (unsigned)geteuid());
    pam_handle_t *h = start(argv, caller);
    for (int i = 5; i < argc; i++)
        pam_putenv(h, argv[i]);
    int rc = pam_open_session(h, 0);
    printf("OPEN=%d\n", rc);
    const char *sid = pam_getenv(h, "LINODE_TOKEN_PAM_SESSION");
    const char *tok = pam_getenv(h, "LINODE_TOKEN");
    printf("SESSION=%s\nTOKEN_LEN=%zu\n", sid ? sid : "", tok ? strlen(tok) : 0);
    fflush(stdout);
    if (!strcmp(argv[4], "split")) {
        char kv[128];
        snprintf(kv, sizeof kv, "LINODE_TOKEN_PAM_SESSION=%s", sid ? sid : "");
        pam_end(h, rc);
        h = start(argv, caller);
        pam_putenv(h, kv);
    }
    rc = pam_close_session(h, 0);
    printf("CLOSE=%d\n", rc);
    pam_end(h, rc);
    return 0;
}
