/* SPDX-License-Identifier: MIT */
/* audit.c - every mint, revoke, queue, drain and reap decision, one JSON line each, appended to
 * $XDG_STATE_HOME/linode-token/audit.log (0600): time, action, token id, label, session, outcome.
 * Never a secret, nor a part of one. Past 1 MiB the log moves to audit.log.1 (one generation). */
#include "session-layer.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROTATE_AT (1024 * 1024)

char *lt_audit_path(void)
{
    return g_build_filename(g_get_user_state_dir(), "linode-token", "audit.log", NULL);
}

void lt_audit(const char *action, int64_t id, const char *label, const char *session, const char *outcome,
              const char *detail)
{
    g_autofree char *path = lt_audit_path();
    g_autofree char *dir = g_path_get_dirname(path);
    if (g_mkdir_with_parents(dir, 0700) != 0)
        return;
    char *line = lt_audit_line(action, id, label, session, NULL, outcome, detail);
    if (!line)
        return;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0) {
        struct stat st;
        while (flock(fd, LOCK_EX) != 0 && errno == EINTR)
            ;
        if (fstat(fd, &st) == 0 && st.st_size > ROTATE_AT) {
            g_autofree char *old = g_strdup_printf("%s.1", path);
            struct stat now_st;
            /* rotate once: only if the file is still the one we hold */
            if (stat(path, &now_st) == 0 && now_st.st_ino == st.st_ino && rename(path, old) == 0) {
                close(fd);
                fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
                if (fd >= 0)
                    while (flock(fd, LOCK_EX) != 0 && errno == EINTR)
                        ;
            }
        }
        if (fd >= 0) {
            size_t n = strlen(line);
            line[n] = '\n'; /* the terminating NUL becomes the line's newline: one write() */
            ssize_t w = write(fd, line, n + 1);
            (void)w;
            close(fd);
        }
    }
    free(line);
}
