/* SPDX-License-Identifier: MIT */
/* rundir.c - private per-user state: $XDG_RUNTIME_DIR/linode-token (or a checked 0700
 * /tmp/linode-token-UID, or, where another user took that name, ~/.local/state/linode-token/run),
 * files written 0600 from the start and renamed into place, and the session id. */
#include "session-layer.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

/* No XDG_RUNTIME_DIR (a cron job, a container): $TMPDIR/linode-token-UID, else /tmp/..., a private
 * directory of ours (checked: /tmp is shared). */
static char *fallback_top(void)
{
    const char *tmp = lt_env_get("TMPDIR");
    return g_strdup_printf("%s/linode-token-%u", tmp && g_path_is_absolute(tmp) ? tmp : "/tmp", (unsigned)geteuid());
}

/* Where the /tmp one is taken by another user (anyone may create /tmp/linode-token-UID first), the
 * user's own state dir: nobody else can squat it, so a cron job is never locked out. */
static char *home_top(void)
{
    return g_build_filename(g_get_user_state_dir(), "linode-token", "run", NULL);
}

static lt_error_kind private_top(char **top, lt_error *err)
{
    const char *run = lt_env_get("XDG_RUNTIME_DIR");
    if (run && *run && g_path_is_absolute(run)) {
        *top = g_build_filename(run, "linode-token", NULL);
        return lt_private_dir(*top, err);
    }
    *top = fallback_top();
    lt_error tmp_err;
    if (lt_private_dir(*top, &tmp_err) == LT_OK)
        return LT_OK;
    g_free(*top);
    *top = home_top();
    g_autofree char *parent = g_path_get_dirname(*top);
    if (g_mkdir_with_parents(parent, 0700) != 0)
        return lt_error_set(err, LT_ERR_SYSTEM, "%s; and cannot create %s: %s", tmp_err.message, parent,
                            g_strerror(errno));
    return lt_private_dir(*top, err);
}

lt_error_kind lt_state_dir(const char *sub, char **out, lt_error *err)
{
    *out = NULL;
    g_autofree char *top = NULL;
    lt_error_kind rc = private_top(&top, err);
    if (rc != LT_OK)
        return rc;
    g_autofree char *dir = sub ? g_build_filename(top, sub, NULL) : g_strdup(top);
    if (sub && (rc = lt_private_dir(dir, err)) != LT_OK)
        return rc;
    *out = g_steal_pointer(&dir);
    return LT_OK;
}

GPtrArray *lt_state_dirs_all(const char *sub)
{
    GPtrArray *dirs = g_ptr_array_new_with_free_func(g_free);
    const char *run = lt_env_get("XDG_RUNTIME_DIR");
    char *tops[3] = {run && *run && g_path_is_absolute(run) ? g_build_filename(run, "linode-token", NULL) : NULL,
                     fallback_top(), home_top()};
    for (int i = 0; i < 3; i++) {
        struct stat st;
        char *dir = tops[i] ? (sub ? g_build_filename(tops[i], sub, NULL) : g_strdup(tops[i])) : NULL;
        /* only what is really ours and private: /tmp is shared */
        if (dir && lstat(tops[i], &st) == 0 && lt_path_mine(&st, S_IFDIR, geteuid(), 077) && lstat(dir, &st) == 0 &&
            lt_path_mine(&st, S_IFDIR, geteuid(), 077) &&
            !g_ptr_array_find_with_equal_func(dirs, dir, g_str_equal, NULL))
            g_ptr_array_add(dirs, dir);
        else
            g_free(dir);
        g_free(tops[i]);
    }
    return dirs;
}

lt_error_kind lt_write_file_atomic(const char *path, const char *data, size_t len, int durable, lt_error *err)
{
    /* a dot file beside the target: never taken for a ledger, a session or anything else */
    g_autofree char *dir = g_path_get_dirname(path), *base = g_path_get_basename(path);
    g_autofree char *tmp = g_strdup_printf("%s/.%s.tmp.XXXXXX", dir, base);
    int fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0600); /* O_EXCL, 0600 from the start */
    if (fd < 0)
        return lt_error_set(err, LT_ERR_SYSTEM, "cannot create %s: %s", tmp, g_strerror(errno));
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    /* on tmpfs (the runtime dir of a login) nothing outlives the machine: no fsync to wait for */
    struct statfs fs;
    if (durable && fstatfs(fd, &fs) == 0 && (fs.f_type == TMPFS_MAGIC || fs.f_type == RAMFS_MAGIC))
        durable = 0;
    int ok = off == len && (!durable || fsync(fd) == 0);
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return lt_error_set(err, LT_ERR_SYSTEM, "cannot write %s: %s", path, g_strerror(e));
    }
    if (!durable)
        return LT_OK;
    /* durable: the rename itself reaches the disk */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return LT_OK;
}

/* A chosen session id (--session, LINODE_TOKEN_SESSION) is a file name: [A-Za-z0-9._-], 1 to 36
 * characters, not starting with '.'. A derived id starts with '~', which a chosen one cannot hold:
 *   ~s<pid>-<start>  the login session's leader      ~x<pid>-<start>  an exec wrapper
 *   ~l<id>           logind's session (XDG_SESSION_ID) ~u<uid>          no session leader
 * so only derived ids are ever judged by whether a process or logind session still exists. */
static int valid_chosen(const char *s)
{
    size_t n = strlen(s);
    if (!n || n > 36 || s[0] == '.')
        return 0;
    for (; *s; s++)
        if (!g_ascii_isalnum(*s) && *s != '.' && *s != '_' && *s != '-')
            return 0;
    return 1;
}

int lt_session_valid(const char *s)
{
    if (!s || !*s)
        return 0;
    if (s[0] != '~')
        return valid_chosen(s);
    size_t n = strlen(s);
    return n >= 3 && n <= LT_LABEL_SESSION_MAX && strchr("sxlu", s[1]) &&
           strspn(s + 2, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") == n - 2;
}

/* A process's start time, so that a recycled pid is another session. */
static char *start_time(pid_t pid)
{
    char buf[32];
    return lt_proc_start_time((long)pid, buf, sizeof buf) ? g_strdup(buf) : NULL;
}

/* The login session's leader and its start time. */
static char *derived_session(void)
{
    pid_t sid = getsid(0);
    g_autofree char *start = start_time(sid);
    return start ? g_strdup_printf("~s%d-%s", (int)sid, start) : g_strdup_printf("~u%u", (unsigned)geteuid());
}

char *lt_session_id_for_self(void)
{
    g_autofree char *start = start_time(getpid());
    return g_strdup_printf("~x%d-%s", (int)getpid(), start ? start : "0");
}

/* --session, else LINODE_TOKEN_SESSION; NULL when none is chosen. */
static const char *chosen_session(const char *explicit_id)
{
    const char *env = lt_env_get("LINODE_TOKEN_SESSION");
    return explicit_id ? explicit_id : env && *env ? env : NULL;
}

static lt_error_kind check_chosen(const char *explicit_id, lt_error *err)
{
    const char *pick = chosen_session(explicit_id);
    if (pick && (!valid_chosen(pick)))
        return lt_error_set(err, LT_ERR_USAGE,
                            "session id '%.40s' must be 1-36 characters of A-Z a-z 0-9 . _ - (not starting with .)",
                            pick);
    return LT_OK;
}

lt_error_kind lt_session_id(const char *explicit_id, char **out, lt_error *err)
{
    lt_error_kind rc = check_chosen(explicit_id, err);
    if (rc != LT_OK)
        return rc;
    const char *pick = chosen_session(explicit_id);
    const char *logind = lt_env_get("XDG_SESSION_ID");
    if (pick)
        *out = g_strdup(pick);
    else if (logind && *logind && strlen(logind) <= 32 &&
             strspn(logind, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") == strlen(logind))
        *out = g_strdup_printf("~l%s", logind);
    else
        *out = derived_session();
    return LT_OK;
}

int lt_session_alive(const char *id)
{
    int pid;
    char start[32];
    if (id[0] != '~')
        return -1; /* chosen: ended by end-session only, never judged */
    if ((id[1] == 's' || id[1] == 'x') && sscanf(id + 2, "%d-%31s", &pid, start) == 2 && pid > 0) {
        return lt_proc_alive(pid, start);
    }
    if (id[1] == 'l' && g_file_test("/run/systemd/sessions", G_FILE_TEST_IS_DIR)) {
        g_autofree char *path = g_build_filename("/run/systemd/sessions", id + 2, NULL);
        return g_file_test(path, G_FILE_TEST_EXISTS);
    }
    return -1;
}
