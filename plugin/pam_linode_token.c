/* SPDX-License-Identifier: MIT */
/* pam_linode_token.c - a PAM session module: open_session mints a short-lived child token for the
 * login session and exports it; close_session revokes it (or queues the revocation). Links the
 * GLib-free core only. Never prompts, never hangs a login (one deadline per call), never logs a
 * secret, restores whatever it changes. See pam_linode_token(8) and docs/pam-session-module.md. */
#include "internal.h"
#include "pam-args.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#define PAM_SM_SESSION
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <security/pam_modutil.h>

#define EXPORT __attribute__((visibility("default")))
#define DATA_KEY "pam_linode_token.session"
#define SESSION_ENV "LINODE_TOKEN_PAM_SESSION"
#define EXPIRY_ENV "LINODE_TOKEN_EXPIRY"
#define FILE_ENV "LINODE_TOKEN_FILE"

typedef lt_pam_args args;

/* What open keeps in memory for close (pam_set_data); its cleanup only wipes and frees. */
typedef struct {
    char session[40];
    char *token; /* the secret */
} session_data;

static void cleanup_data(pam_handle_t *pamh, void *data, int status)
{
    (void)pamh, (void)status; /* never calls the API, whatever the status (PAM_DATA_SILENT or not) */
    session_data *d = data;
    if (d) {
        lt_secret_free(d->token);
        explicit_bzero(d, sizeof *d);
        free(d);
    }
}

static int user_in_group(const struct passwd *pw, const char *group)
{
    struct group *g = getgrnam(group);
    if (!g)
        return 0;
    if (g->gr_gid == pw->pw_gid)
        return 1;
    for (char **m = g->gr_mem; m && *m; m++)
        if (!strcmp(*m, pw->pw_name))
            return 1;
    return 0;
}

typedef struct {
    pam_handle_t *pamh;
    const struct passwd *pw;
} args_ctx;

static void args_complaint(void *ud, const char *msg)
{
    pam_syslog(((args_ctx *)ud)->pamh, LOG_ERR, "%s", msg);
}

static int args_in_group(void *ud, const char *group)
{
    const struct passwd *pw = ((args_ctx *)ud)->pw;
    return pw && user_in_group(pw, group);
}

static void parse_args(pam_handle_t *pamh, int argc, const char **argv, const struct passwd *pw, args *a)
{
    args_ctx ctx = {pamh, pw};
    lt_pam_args_parse(argc, argv, a, args_complaint, args_in_group, &ctx);
}

/* The parent: a regular file owned by root (by us when not root) and closed to group and others. */
static char *read_parent(pam_handle_t *pamh, const char *path)
{
    if (!path) {
        pam_syslog(pamh, LOG_ERR, "parent_token_file= is required");
        return NULL;
    }
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        pam_syslog(pamh, LOG_ERR, "cannot read parent_token_file %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077)) {
        pam_syslog(pamh, LOG_ERR, "parent_token_file %s must be a regular file owned by %s with mode 0600 "
                                  "(it is %04o, owner %u): refusing it", path, geteuid() ? "this user" : "root",
                   (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
        close(fd);
        return NULL;
    }
    char buf[4097];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) {
        pam_syslog(pamh, LOG_ERR, "parent_token_file %s is empty", path);
        return NULL;
    }
    buf[n] = '\0';
    size_t start = strspn(buf, " \t\r\n"), len = strcspn(buf + start, " \t\r\n");
    char *tok = len ? strndup(buf + start, len) : NULL;
    explicit_bzero(buf, sizeof buf);
    if (!tok)
        pam_syslog(pamh, LOG_ERR, "parent_token_file %s holds no token", path);
    return tok;
}

static lt_client *parent_client(pam_handle_t *pamh, const args *a, const char *api_url, long deadline_ms, int retries,
                                lt_error *e)
{
    char *parent = read_parent(pamh, a->parent_token_file);
    if (!parent) {
        lt_error_set(e, LT_ERR_NO_CREDENTIAL, "no usable parent token");
        return NULL;
    }
    /* no_environment: inside su or sudo the environment is the caller's; it must not choose
     * where the root-only parent goes (LINODE_URL, LINODE_CA, proxies) nor see its TLS keys. */
    lt_client_options o = {.api_url = api_url, .token = parent, .ca_file = a->ca_file, .proxy = a->proxy,
                           .no_environment = 1, .allow_insecure_loopback = a->allow_insecure_loopback,
                           .connect_timeout_ms = deadline_ms > 2000 ? 2000 : deadline_ms,
                           .request_timeout_ms = deadline_ms, .deadline_ms = deadline_ms,
                           .max_retries = retries, .debug = 0};
    lt_client *c = lt_client_new(&o, e);
    lt_secret_free(parent);
    return c;
}

static int ensure_dir(pam_handle_t *pamh, const char *dir)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        pam_syslog(pamh, LOG_CRIT, "cannot create %s: %s", dir, strerror(errno));
        return 0;
    }
    struct stat st;
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077)) {
        pam_syslog(pamh, LOG_CRIT, "%s is not a private directory owned by uid %u: refusing it", dir,
                   (unsigned)geteuid());
        return 0;
    }
    return 1;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Every mint, revocation and queueing: a syslog line (LOG_INFO; never a secret) and, with
 * audit_log=FILE, a JSON line appended to that root-only file. */
static void audit(pam_handle_t *pamh, const args *a, const char *action, const lt_record *r, const char *outcome)
{
    pam_syslog(pamh, LOG_INFO, "%s: token %" PRId64 " '%s' of %s: %s", action, r->id, r->label, r->user, outcome);
    if (!a->audit_log)
        return;
    int fd = open(a->audit_log, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077)) {
        pam_syslog(pamh, LOG_ERR, "audit_log %s must be a regular file of uid %u, mode 0600: not written",
                   a->audit_log, (unsigned)geteuid());
        if (fd >= 0)
            close(fd);
        return;
    }
    char when[20];
    lt_time_format_api((int64_t)time(NULL), when);
    json_t *o = json_pack("{s:s+,s:s,s:I,s:s,s:s,s:s,s:s}", "time", when, "Z", "action", action, "id",
                          (json_int_t)r->id, "label", r->label, "session", r->session, "user", r->user, "outcome",
                          outcome);
    char *line = o ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(o);
    if (line) {
        size_t n = strlen(line);
        line[n] = '\n'; /* the terminating NUL becomes the newline: one write() */
        ssize_t w = write(fd, line, n + 1);
        (void)w;
        free(line);
    }
    close(fd);
}

/* Revoke a record's token: by id, or, for a mint whose answer never came (id 0), every token with
 * its label. 1 when nothing of it is left alive (revoked, gone, or never created). */
static int revoke_record(lt_client *c, const lt_record *r, lt_error *e)
{
    int64_t ids[8];
    size_t n = 0;
    if (r->id > 0) {
        ids[n++] = r->id;
    } else if (lt_client_find_label(c, r->label, ids, 8, &n, e) != LT_OK) {
        return 0;
    }
    int ok = 1;
    for (size_t i = 0; i < n; i++)
        if (lt_client_revoke_token(c, ids[i], e) != LT_OK && !lt_error_is_not_found(e))
            ok = 0;
    return ok;
}

#define MIN_ATTEMPT_MS 100 /* below this, an attempt cannot finish: leave the rest for later */

/* Revocations left over from earlier closes: queue_dir holds their records. Only what is left of
 * the caller's deadline (at deadline_at, monotonic ms) is spent; the rest waits for a later call. */
static void retry_queue(pam_handle_t *pamh, const args *a, int64_t deadline_at)
{
    DIR *d = opendir(a->queue_dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        const int64_t left = deadline_at - now_ms();
        if (left < MIN_ATTEMPT_MS)
            break;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", a->queue_dir, de->d_name);
        lt_record r;
        lt_error e;
        if (lt_record_read(path, &r, &e) != LT_OK)
            continue;
        lt_client *c = parent_client(pamh, a, r.api_url, (long)left, LT_RETRIES_NONE, &e);
        if (!c)
            break;
        if (revoke_record(c, &r, &e)) {
            unlink(path);
            audit(pamh, a, "revoke", &r, "revoked (queued earlier)");
        }
        lt_client_free(c);
    }
    closedir(d);
}

/* Write the token to a 0600 file of the user's, in their XDG_RUNTIME_DIR, as the user. */
static int write_token_file(pam_handle_t *pamh, const struct passwd *pw, const char *name, const char *session,
                            const char *token, char *path_out, size_t cap)
{
    const char *run = pam_getenv(pamh, "XDG_RUNTIME_DIR");
    if (!run || strchr(name, '/')) {
        pam_syslog(pamh, LOG_ERR, "token_file= needs XDG_RUNTIME_DIR (pam_systemd earlier in the stack) and a "
                                  "plain file name");
        return 0;
    }
    struct stat st;
    if (lstat(run, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != pw->pw_uid || (st.st_mode & 077)) {
        pam_syslog(pamh, LOG_ERR, "%s is not the user's private runtime directory", run);
        return 0;
    }
    snprintf(path_out, cap, "%s/%s.%s", run, name, session);
    int ok = 0;
    int root = geteuid() == 0;
    PAM_MODUTIL_DEF_PRIVS(privs);
    if (root && pam_modutil_drop_priv(pamh, &privs, pw) != 0) {
        pam_syslog(pamh, LOG_ERR, "cannot drop privileges to write the token file");
        return 0;
    }
    mode_t old = umask(077);
    int fd = open(path_out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    umask(old);
    if (fd >= 0) {
        size_t len = strlen(token);
        ok = write(fd, token, len) == (ssize_t)len && write(fd, "\n", 1) == 1;
        ok = close(fd) == 0 && ok;
        if (!ok)
            unlink(path_out);
    }
    if (root)
        pam_modutil_regain_priv(pamh, &privs);
    if (!ok)
        pam_syslog(pamh, LOG_ERR, "cannot write %s", path_out);
    return ok;
}

static void remove_token_file(pam_handle_t *pamh, const char *path, const char *user)
{
    if (!path || !path[0])
        return;
    struct passwd *pw = pam_modutil_getpwnam(pamh, user);
    PAM_MODUTIL_DEF_PRIVS(privs);
    int dropped = pw && geteuid() == 0 && pam_modutil_drop_priv(pamh, &privs, pw) == 0;
    unlink(path);
    if (dropped)
        pam_modutil_regain_priv(pamh, &privs);
}

static void put_env(pam_handle_t *pamh, const char *name, const char *value)
{
    if (!name || !*name)
        return;
    size_t n = strlen(name) + strlen(value) + 2;
    char *kv = malloc(n);
    if (!kv)
        return;
    snprintf(kv, n, "%s=%s", name, value);
    pam_putenv(pamh, kv);
    explicit_bzero(kv, n);
    free(kv);
}

static void unset_env(pam_handle_t *pamh, const char *name)
{
    if (name && *name && pam_getenv(pamh, name))
        pam_putenv(pamh, name); /* "NAME" alone removes it */
}

static int open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    (void)flags; /* PAM_SILENT: the module never talks to the user anyway */
    const int64_t started = now_ms();
    const char *user = NULL;
    if (pam_get_item(pamh, PAM_USER, (const void **)&user) != PAM_SUCCESS || !user || !*user) {
        pam_syslog(pamh, LOG_ERR, "no user");
        return PAM_SESSION_ERR;
    }
    struct passwd *pw = pam_modutil_getpwnam(pamh, user);
    if (!pw) {
        pam_syslog(pamh, LOG_ERR, "unknown user %s", user);
        return PAM_SESSION_ERR;
    }
    args a;
    parse_args(pamh, argc, argv, pw, &a);
    const char *scopes = a.group_scopes[0] ? a.group_scopes : a.scopes;
    if (!scopes || !*scopes) {
        if (a.debug)
            pam_syslog(pamh, LOG_DEBUG, "no scopes for %s: nothing to do", user);
        return PAM_IGNORE;
    }
    lt_scopes want;
    lt_error e;
    if (lt_scopes_parse(scopes, 0, &want, &e) != LT_OK || lt_scopes_is_empty(&want)) {
        pam_syslog(pamh, LOG_ERR, "bad scopes= for %s: %s", user, e.message);
        return PAM_SESSION_ERR;
    }
    char *norm = lt_scopes_format(&want);
    char *api_url = lt_api_url_resolve_env(a.api_url, 0);
    if (!norm || !api_url || !ensure_dir(pamh, a.state_dir)) {
        free(norm);
        free(api_url);
        return PAM_SESSION_ERR;
    }
    lt_record r = {0};
    if (!lt_random_hex(r.session, 16)) {
        free(norm);
        free(api_url);
        return PAM_SESSION_ERR;
    }
    char host[256] = "", nonce[9];
    gethostname(host, sizeof host - 1);
    if (!lt_random_hex(nonce, 4)) {
        free(norm);
        free(api_url);
        return PAM_SESSION_ERR;
    }
    lt_label_format(host, user, "pam", r.session, nonce, r.label);

    int rc = PAM_SESSION_ERR;
    lt_token t = {0};
    int64_t left = started + a.timeout_ms - now_ms();
    lt_client *c = parent_client(pamh, &a, api_url, left > 1 ? (long)left : 1, LT_RETRIES_NONE, &e);
    if (!c) {
        pam_syslog(pamh, LOG_ERR, "cannot mint for %s: %s", user, e.message);
        goto out;
    }
    snprintf(r.user, sizeof r.user, "%s", user);
    r.uid = (long)pw->pw_uid;
    snprintf(r.api_url, sizeof r.api_url, "%s", api_url);
    r.expiry = (int64_t)time(NULL) + a.ttl;
    const void *item;
    if (pam_get_item(pamh, PAM_SERVICE, &item) == PAM_SUCCESS && item)
        snprintf(r.service, sizeof r.service, "%s", (const char *)item);
    if (pam_get_item(pamh, PAM_TTY, &item) == PAM_SUCCESS && item)
        snprintf(r.tty, sizeof r.tty, "%s", (const char *)item);
    if (pam_get_item(pamh, PAM_RHOST, &item) == PAM_SUCCESS && item)
        snprintf(r.rhost, sizeof r.rhost, "%s", (const char *)item);
    const char *xsid = pam_getenv(pamh, "XDG_SESSION_ID");
    snprintf(r.xdg_session_id, sizeof r.xdg_session_id, "%s", xsid ? xsid : "");
    r.pid = (long)getpid();
    lt_proc_start_time(r.pid, r.pid_start, sizeof r.pid_start);
    /* Write-ahead: the record, with the label the token will carry, is on disk before the POST, so
     * that a token created by a POST whose answer never comes is still found (by its label). */
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", a.state_dir, r.session);
    if (lt_record_write(a.state_dir, &r, &e) != LT_OK) {
        pam_syslog(pamh, LOG_CRIT, "%s", e.message);
        goto out;
    }
    if (lt_client_create_token(c, r.label, norm, r.expiry, &t, &e) != LT_OK) {
        if (e.kind == LT_ERR_RATE_LIMITED) /* a login storm: say so, and when the API takes logins again */
            pam_syslog(pamh, LOG_ERR, "cannot mint for %s: the API is rate limiting (%s); it asks to retry after %.0f s",
                       user, e.message, e.retry_after > 0 ? e.retry_after : 1.0);
        else
            pam_syslog(pamh, LOG_ERR, "cannot mint for %s: %s", user, e.message);
        if (t.id > 0) /* created, but the answer was unusable */
            goto revoke;
        if (e.kind == LT_ERR_API || e.kind == LT_ERR_RATE_LIMITED || e.kind == LT_ERR_MAINTENANCE) {
            unlink(path); /* the API answered with an error: nothing was created */
        } else { /* no answer: the token may exist; the queue finds it by its label */
            char q[1024];
            snprintf(q, sizeof q, "%s/%s", a.queue_dir, r.session);
            if (ensure_dir(pamh, a.queue_dir) && rename(path, q) == 0) {
                pam_syslog(pamh, LOG_WARNING, "the mint for %s got no answer: queued '%s' for revocation", user,
                           r.label);
                audit(pamh, &a, "mint", &r, "unknown: queued for revocation");
            }
        }
        goto out;
    }
    /* From here on a failure revokes the token before returning. */
    r.id = t.id;
    r.expiry = t.expiry;
    if (a.token_file && !write_token_file(pamh, pw, a.token_file, r.session, t.token, r.token_file,
                                          sizeof r.token_file))
        goto revoke;
    if (lt_record_write(a.state_dir, &r, &e) != LT_OK) {
        pam_syslog(pamh, LOG_CRIT, "%s", e.message);
        goto revoke;
    }
    session_data *d = calloc(1, sizeof *d);
    if (!d || !(d->token = strdup(t.token))) {
        free(d);
        rc = PAM_BUF_ERR;
        goto revoke;
    }
    snprintf(d->session, sizeof d->session, "%s", r.session);
    if (pam_set_data(pamh, DATA_KEY, d, cleanup_data) != PAM_SUCCESS) {
        cleanup_data(pamh, d, 0);
        goto revoke;
    }
    char num[32];
    snprintf(num, sizeof num, "%" PRId64, r.expiry);
    if (a.token_file) {
        put_env(pamh, FILE_ENV, r.token_file);
    } else {
        put_env(pamh, a.env, t.token);
        put_env(pamh, a.cli_env, t.token);
    }
    put_env(pamh, EXPIRY_ENV, num);
    put_env(pamh, SESSION_ENV, r.session);
    audit(pamh, &a, "mint", &r, "minted");
    rc = PAM_SUCCESS;
    lt_client_free(c);
    c = NULL;
    retry_queue(pamh, &a, started + a.timeout_ms); /* owed by earlier closes; within open's deadline */
    goto out;
revoke:
    if (r.token_file[0])
        remove_token_file(pamh, r.token_file, user);
    r.id = t.id;
    r.token_file[0] = '\0';
    if (lt_client_revoke_token(c, t.id, &e) == LT_OK || lt_error_is_not_found(&e)) {
        unlink(path);
    } else {
        lt_error qe;
        if (ensure_dir(pamh, a.queue_dir) && lt_record_write(a.queue_dir, &r, &qe) == LT_OK) {
            unlink(path);
            pam_syslog(pamh, LOG_WARNING, "could not revoke token %" PRId64 " after a failed open (%s): queued in %s",
                       t.id, e.message, a.queue_dir);
            audit(pamh, &a, "queue", &r, "queued (a failed open)");
        } else {
            pam_syslog(pamh, LOG_ERR, "could not revoke token %" PRId64 " after a failed open (%s) nor queue it",
                       t.id, e.message);
        }
    }
out:
    lt_token_clear(&t);
    lt_client_free(c);
    free(norm);
    free(api_url);
    return rc;
}

/* The record of this handle's session: our data, else the exported id, else a unique match. */
static int find_record(pam_handle_t *pamh, const args *a, const char *user, char *path, size_t cap)
{
    const void *data = NULL;
    const char *sid = NULL;
    if (pam_get_data(pamh, DATA_KEY, &data) == PAM_SUCCESS && data)
        sid = ((const session_data *)data)->session;
    else
        sid = pam_getenv(pamh, SESSION_ENV);
    if (sid && strspn(sid, "0123456789abcdef") == strlen(sid) && strlen(sid) == 32) {
        snprintf(path, cap, "%s/%s", a->state_dir, sid);
        return access(path, F_OK) == 0;
    }
    const void *tty = NULL, *rhost = NULL;
    pam_get_item(pamh, PAM_TTY, &tty);
    pam_get_item(pamh, PAM_RHOST, &rhost);
    DIR *d = opendir(a->state_dir);
    if (!d)
        return 0;
    int hits = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char p[1024];
        lt_record r;
        snprintf(p, sizeof p, "%s/%s", a->state_dir, de->d_name);
        if (lt_record_read(p, &r, NULL) != LT_OK)
            continue;
        if (!strcmp(r.user, user) && !strcmp(r.tty, tty ? (const char *)tty : "") &&
            !strcmp(r.rhost, rhost ? (const char *)rhost : "")) {
            hits++;
            snprintf(path, cap, "%s", p);
        }
    }
    closedir(d);
    return hits == 1;
}

static int close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    (void)flags;
    const char *user = NULL;
    if (pam_get_item(pamh, PAM_USER, (const void **)&user) != PAM_SUCCESS || !user)
        return PAM_IGNORE;
    args a;
    parse_args(pamh, argc, argv, NULL, &a);
    char path[1024];
    lt_record r;
    lt_error e;
    if (!find_record(pamh, &a, user, path, sizeof path) || lt_record_read(path, &r, &e) != LT_OK) {
        pam_syslog(pamh, LOG_INFO, "no session record for %s: nothing to revoke here (expiry and "
                                   "'linode-token reap --system' cover it)", user);
        pam_set_data(pamh, DATA_KEY, NULL, NULL);
        return PAM_IGNORE;
    }
    /* One bounded attempt; on failure the record moves to the queue for a later open or reap. */
    lt_client *c = parent_client(pamh, &a, r.api_url, a.close_timeout_ms, LT_RETRIES_NONE, &e);
    const int done = c && revoke_record(c, &r, &e);
    lt_client_free(c);
    if (done) {
        unlink(path);
        audit(pamh, &a, "revoke", &r, "revoked");
    } else {
        char q[1024];
        snprintf(q, sizeof q, "%s/%s", a.queue_dir, r.session);
        if (ensure_dir(pamh, a.queue_dir) && rename(path, q) == 0) {
            audit(pamh, &a, "queue", &r, "queued");
            pam_syslog(pamh, LOG_WARNING, "could not revoke token %" PRId64 " (%s): queued in %s", r.id,
                       e.message, a.queue_dir);
        } else
            pam_syslog(pamh, LOG_ERR, "could not revoke token %" PRId64 " (%s) nor queue it", r.id, e.message);
    }
    remove_token_file(pamh, r.token_file, r.user);
    pam_set_data(pamh, DATA_KEY, NULL, NULL);
    unset_env(pamh, a.env);
    unset_env(pamh, a.cli_env);
    unset_env(pamh, EXPIRY_ENV);
    unset_env(pamh, SESSION_ENV);
    unset_env(pamh, FILE_ENV);
    return PAM_SUCCESS;
}

/* Around all of the module's work: the caller's environment is not read (su and sudo pass on the
 * user's), and no core dump may hold the parent; the host's dumpable flag is restored after. */
typedef int (*session_fn)(pam_handle_t *, int, int, const char **);
static int guarded(session_fn fn, pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    lt_env_disable();
    int was = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
    if (was > 0)
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    int rc = fn(pamh, flags, argc, argv);
    if (was > 0)
        prctl(PR_SET_DUMPABLE, was, 0, 0, 0);
    return rc;
}

EXPORT int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    return guarded(open_session, pamh, flags, argc, argv);
}

EXPORT int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    return guarded(close_session, pamh, flags, argc, argv);
}
