/* SPDX-License-Identifier: MIT */
/* audit.c - every mint, revoke, queue, drain and reap decision, one JSON line each, appended to
 * $XDG_STATE_HOME/linode-token/audit.log (0600): time, action, token id, label, session, outcome.
 * Never a secret, nor a part of one. Past 1 MiB the log moves to audit.log.1 (one generation). */
#include "upper.h"

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
    json_t *o = json_object();
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *when = g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
    json_object_set_new(o, "time", json_string(when));
    json_object_set_new(o, "action", json_string(action));
    if (id > 0)
        json_object_set_new(o, "id", json_integer(id));
    if (label && g_utf8_validate(label, -1, NULL))
        json_object_set_new(o, "label", json_string(label));
    if (session)
        json_object_set_new(o, "session", json_string(session));
    json_object_set_new(o, "outcome", json_string(outcome));
    if (detail && g_utf8_validate(detail, -1, NULL))
        json_object_set_new(o, "detail", json_string(detail));
    char *line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(o);
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
