/* SPDX-License-Identifier: MIT */
/* pam-host.c - what the PAM module and `linode-token reap --system` share, both running as root
 * where the caller may be hostile: the parent file, a client that reads no environment, a
 * record's revocation, the root-only audit log, whether syslog listens, and the caller's limits. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

char *lt_pam_read_parent(const char *path, lt_error *err)
{
    if (!path || !*path) {
        lt_error_set(err, LT_ERR_NO_CREDENTIAL, "parent_token_file= is required");
        return NULL;
    }
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        lt_error_set(err, LT_ERR_NO_CREDENTIAL, "cannot read parent_token_file %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (!lt_path_mine(&st, S_IFREG, geteuid(), 077)) {
        lt_error_set(err, LT_ERR_NO_CREDENTIAL,
                     "parent_token_file %s must be a regular file owned by %s with mode "
                     "0600 (it is %04o, owner %u): refusing it",
                     path, geteuid() ? "this user" : "root", (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
        close(fd);
        return NULL;
    }
    char buf[4097];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) {
        lt_error_set(err, LT_ERR_NO_CREDENTIAL, "parent_token_file %s is empty", path);
        return NULL;
    }
    buf[n] = '\0';
    size_t start = strspn(buf, " \t\r\n"), len = strcspn(buf + start, " \t\r\n");
    char *tok = len ? strndup(buf + start, len) : NULL;
    explicit_bzero(buf, sizeof buf);
    if (!tok)
        lt_error_set(err, LT_ERR_NO_CREDENTIAL, "parent_token_file %s holds no token", path);
    return tok;
}

lt_client *lt_pam_client(const lt_pam_args *a, const char *api_url, long deadline_ms, lt_error *err)
{
    char *parent = lt_pam_read_parent(a->parent_token_file, err);
    if (!parent)
        return NULL;
    if (deadline_ms < 1)
        deadline_ms = 1;
    /* no_environment: inside su or sudo the environment is the caller's; it must not choose
     * where the root-only parent goes (LINODE_URL, LINODE_CA, proxies) nor see its TLS keys. */
    lt_client_options o = {.api_url = api_url ? api_url : a->api_url,
                           .token = parent,
                           .ca_file = a->ca_file,
                           .proxy = a->proxy,
                           .no_environment = 1,
                           .allow_insecure_loopback = a->allow_insecure_loopback,
                           .connect_timeout_ms = deadline_ms > 2000 ? 2000 : deadline_ms,
                           .request_timeout_ms = deadline_ms,
                           .deadline_ms = deadline_ms,
                           .max_retries = LT_RETRIES_NONE,
                           .debug = 0};
    lt_client *c = lt_client_new(&o, err);
    lt_secret_free(parent);
    return c;
}

/* The audit log, opened for one append: never a FIFO or device (O_NONBLOCK: opening a FIFO
 * cannot hang a login), never through a link, a regular file of root's that only root writes. */
static lt_error_kind open_audit(const char *path, int *out, lt_error *err)
{
    *out = -1;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        lt_error_kind k = lt_error_set(err, LT_ERR_SYSTEM, "audit_log %s: cannot open it: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return k;
    }
    if (!lt_path_mine(&st, S_IFREG, LT_OWNER_ROOT_OR_ME, 022)) {
        lt_error_kind k = lt_error_set(err, LT_ERR_SYSTEM,
                                       "audit_log %s must be a regular file owned by root and writable by root "
                                       "only (it is %s%04o, owner %u): not written",
                                       path, S_ISREG(st.st_mode) ? "" : "not a regular file, ",
                                       (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
        close(fd);
        return k;
    }
    *out = fd;
    return LT_OK;
}

/* One audit line (taken over and freed) as one line of the file, in one write(). */
static lt_error_kind append_line(const char *path, char *line, lt_error *err)
{
    if (!line)
        return lt_error_set(err, LT_ERR_SYSTEM, "audit_log %s: out of memory", path);
    int fd;
    lt_error_kind rc = open_audit(path, &fd, err);
    if (rc != LT_OK) {
        free(line);
        return rc;
    }
    size_t n = strlen(line);
    line[n] = '\n'; /* the terminating NUL becomes the newline */
    ssize_t w;
    while ((w = write(fd, line, n + 1)) < 0 && errno == EINTR)
        ;
    const int e = errno;
    free(line);
    const int closed = close(fd) == 0;
    if (w != (ssize_t)(n + 1) || !closed)
        return lt_error_set(err, LT_ERR_SYSTEM, "audit_log %s: the line was not written: %s", path,
                            w < 0 ? strerror(e) : "short write");
    return LT_OK;
}

lt_error_kind lt_pam_audit_write(const char *path, const char *action, const lt_record *r, const char *outcome,
                                 lt_error *err)
{
    return append_line(path, lt_audit_line(action, r->id, r->label, r->session, r, outcome, NULL), err);
}

lt_error_kind lt_pam_audit_note(const char *path, const char *level, const char *message, lt_error *err)
{
    json_t *o = lt_audit_stamp("log");
    char *clean = lt_printable(message);
    if (o && json_object_update_new(o, json_pack("{s:s,s:s,s:s}", "level", level, "message", clean ? clean : "", "note",
                                                 "syslog unavailable")) != 0) {
        json_decref(o);
        o = NULL;
    }
    free(clean);
    char *line = o ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(o);
    return append_line(path, line, err);
}

int lt_syslog_reachable(void)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX, .sun_path = "/dev/log"};
    const int types[] = {SOCK_DGRAM, SOCK_STREAM}; /* glibc's syslog tries both, in this order */
    for (size_t i = 0; i < 2; i++) {
        int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue;
        int ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
        close(fd);
        if (ok)
            return 1;
    }
    return 0;
}

static const int lifted_limits[3] = {RLIMIT_FSIZE, RLIMIT_NOFILE, RLIMIT_CPU};

void lt_limits_lift(lt_limits_saved *s)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i < 3; i++) {
        if (getrlimit(lifted_limits[i], &s->lim[i]) != 0)
            continue;
        /* root (with CAP_SYS_RESOURCE, which containers often drop) may raise the hard limit too:
         * no file-size or CPU limit at all then; else, and for descriptors, up to the hard limit */
        struct rlimit none = {RLIM_INFINITY, RLIM_INFINITY}, up = {s->lim[i].rlim_max, s->lim[i].rlim_max};
        if (lifted_limits[i] != RLIMIT_NOFILE && s->lim[i].rlim_max != RLIM_INFINITY && geteuid() == 0 &&
            setrlimit(lifted_limits[i], &none) == 0)
            s->lifted[i] = 1;
        else if (up.rlim_cur != s->lim[i].rlim_cur)
            s->lifted[i] = setrlimit(lifted_limits[i], &up) == 0;
    }
    struct sigaction ign = {.sa_handler = SIG_IGN};
    sigemptyset(&ign.sa_mask);
    s->xfsz_saved = sigaction(SIGXFSZ, &ign, &s->xfsz) == 0;
}

void lt_limits_restore(const lt_limits_saved *s)
{
    for (int i = 0; i < 3; i++)
        if (s->lifted[i])
            setrlimit(lifted_limits[i], &s->lim[i]);
    if (s->xfsz_saved)
        sigaction(SIGXFSZ, &s->xfsz, NULL);
}
