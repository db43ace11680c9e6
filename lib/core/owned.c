/* SPDX-License-Identifier: MIT */
/* owned.c - the one decision "is this opened file mine, and safe from others?", made on the fd that
 * will be read (never the path again), for the user's files that steer or feed the tool. */
#include "internal.h"

#include <sys/stat.h>
#include <unistd.h>

lt_error_kind lt_fd_owned(int fd, const char *what, const char *path, mode_t forbidden, lt_error_kind kind,
                          lt_error *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return lt_error_set(err, kind, "%s %s is not a regular file: refusing it", what, path);
    /* as ssh with ~/.ssh/config: ours or root's; anyone else could steer us */
    if (st.st_uid != geteuid() && st.st_uid != 0)
        return lt_error_set(err, kind, "%s %s belongs to uid %u, not to you: refusing it; "
                                       "run chown %u %s if it is yours", what, path, (unsigned)st.st_uid,
                            (unsigned)geteuid(), path);
    if (st.st_mode & forbidden)
        return lt_error_set(err, kind, "%s %s is %s by group or others (mode %04o): run chmod 600 %s", what, path,
                            (forbidden & 044) ? "accessible" : "writable", (unsigned)(st.st_mode & 07777), path);
    return LT_OK;
}
