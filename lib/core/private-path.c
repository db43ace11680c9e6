/* SPDX-License-Identifier: MIT */
/* private-path.c - "a private directory or file that is mine": the one check of owner and mode
 * that every reader and writer of our files (the PAM module, reap --system, the session layer's
 * runtime and state directories, the parent token file, the user's config) goes through. */
#include "internal.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

int lt_path_mine(const struct stat *st, mode_t type, uid_t owner, mode_t forbid)
{
    const int owned = owner == LT_OWNER_ROOT_OR_ME ? st->st_uid == 0 || st->st_uid == geteuid() : st->st_uid == owner;
    return (st->st_mode & S_IFMT) == type && owned && !(st->st_mode & forbid);
}

lt_error_kind lt_private_dir(const char *path, lt_error *err)
{
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return lt_error_set(err, LT_ERR_SYSTEM, "cannot create %s: %s", path, strerror(errno));
    struct stat st;
    if (lstat(path, &st) != 0)
        return lt_error_set(err, LT_ERR_SYSTEM, "cannot inspect %s: %s", path, strerror(errno));
    if (!lt_path_mine(&st, S_IFDIR, geteuid(), 077))
        return lt_error_set(err, LT_ERR_SYSTEM,
                            "%s is not a private directory of ours (mode %04o, owner %u): refusing to use it", path,
                            (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
    return LT_OK;
}

lt_error_kind lt_fd_owned(int fd, const char *what, const char *path, mode_t forbidden, lt_error_kind kind,
                          lt_error *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return lt_error_set(err, kind, "%s %s is not a regular file: refusing it", what, path);
    /* as ssh with ~/.ssh/config: ours or root's; anyone else could steer us */
    if (!lt_path_mine(&st, S_IFREG, LT_OWNER_ROOT_OR_ME, 0))
        return lt_error_set(err, kind,
                            "%s %s belongs to uid %u, not to you: refusing it; "
                            "run chown %u %s if it is yours",
                            what, path, (unsigned)st.st_uid, (unsigned)geteuid(), path);
    if (!lt_path_mine(&st, S_IFREG, LT_OWNER_ROOT_OR_ME, forbidden))
        return lt_error_set(err, kind, "%s %s is %s by group or others (mode %04o): run chmod 600 %s", what, path,
                            (forbidden & 044) ? "accessible" : "writable", (unsigned)(st.st_mode & 07777), path);
    return LT_OK;
}
