/* SPDX-License-Identifier: MIT */
/* pam_linode_token.c - a PAM session module: open_session mints a short-lived child token for the
 * login session and exports it; close_session revokes it (or queues the revocation). Links the
 * GLib-free core only. Never prompts, never hangs a login (one deadline per call), never logs a
 * secret, restores whatever it changes. See pam_linode_token(8) and docs/pam-session-module.md. */
#include "internal.h"

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

/* One call of the module: its handle and settings, and whether syslog listens (checked once). */
typedef struct {
    pam_handle_t *pamh;
    const args *a;
    int syslog_ok;
} call;

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

/* Every line the module logs: to syslog; when no syslog daemon listens (a container, a minimal
 * host) and audit_log= is set, to the audit log as well, marked "syslog unavailable". Never to
 * the user's terminal: the module does not talk to the user. */
__attribute__((format(printf, 3, 4))) static void mlog(call *k, int pri, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pam_syslog(k->pamh, pri, "%s", msg);
    if (k->syslog_ok || !k->a || !k->a->audit_log)
        return;
    static const char *const levels[] = {"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"};
    lt_pam_audit_note(k->a->audit_log, levels[LOG_PRI(pri)], msg, NULL);
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
    const struct passwd *pw;
    char said[4][400]; /* the parser's complaints, logged once audit_log= is known */
    int n;
} args_ctx;

static void args_complaint(void *ud, const char *msg)
{
    args_ctx *x = ud;
    if (x->n < 4)
        snprintf(x->said[x->n++], sizeof x->said[0], "%s", msg);
}

static int args_in_group(void *ud, const char *group)
{
    const struct passwd *pw = ((args_ctx *)ud)->pw;
    return pw && user_in_group(pw, group);
}

/* The configuration file, then the arguments. 0 when the file named (or present) cannot be used. */
static int load_args(call *k, int argc, const char **argv, const struct passwd *pw, args *a)
{
    args_ctx ctx = {.pw = pw};
    lt_error e;
    const int ok = lt_pam_args_load(argc, argv, a, args_complaint, args_in_group, &ctx, &e) == LT_OK;
    k->a = a;
    for (int i = 0; i < ctx.n; i++)
        mlog(k, LOG_ERR, "%s", ctx.said[i]);
    if (!ok)
        mlog(k, LOG_ERR, "%s", e.message);
    return ok;
}

static int ensure_dir(call *k, const char *dir)
{
    lt_error e;
    if (lt_private_dir(dir, &e) == LT_OK)
        return 1;
    mlog(k, LOG_CRIT, "%s", e.message);
    return 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Every mint, revocation and queueing: a syslog line (LOG_INFO; never a secret) and, with
 * audit_log=FILE, a JSON line appended to that root-only file; a line that cannot be written
 * there is said in syslog (LOG_ERR). */
static void audit(call *k, const char *action, const lt_record *r, const char *outcome)
{
    mlog(k, LOG_INFO, "%s: token %" PRId64 " '%s' of %s%s%s: %s", action, r->id, r->label, r->user,
         r->ruser[0] ? " for " : "", r->ruser, outcome);
    lt_error e;
    if (k->a->audit_log && lt_pam_audit_write(k->a->audit_log, action, r, outcome, &e) != LT_OK)
        mlog(k, LOG_ERR, "%s", e.message);
}

#define MIN_ATTEMPT_MS 100 /* below this, an attempt cannot finish: leave the rest for later */

/* Revocations left over from earlier closes: queue_dir holds their records. Only what is left of
 * the caller's deadline (at deadline_at, monotonic ms) is spent; the rest waits for a later call. */
static void retry_queue(call *k, int64_t deadline_at)
{
    DIR *d = opendir(k->a->queue_dir);
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
        snprintf(path, sizeof path, "%s/%s", k->a->queue_dir, de->d_name);
        lt_record r;
        lt_error e;
        if (lt_record_read(path, &r, &e) != LT_OK)
            continue;
        lt_client *c = lt_pam_client(k->a, r.api_url, (long)left, &e);
        if (!c)
            break;
        if (lt_revoke_one(c, r.id, r.label, r.expiry, &e) == LT_REVOKE_GONE) {
            unlink(path);
            audit(k, "revoke", &r, "revoked (queued earlier)");
        }
        lt_client_free(c);
    }
    closedir(d);
}

/* Write the token to a 0600 file of the user's, in their XDG_RUNTIME_DIR, as the user. */
static int write_token_file(call *k, const struct passwd *pw, const char *name, const char *session, const char *token,
                            char *path_out, size_t cap)
{
    pam_handle_t *pamh = k->pamh;
    const char *run = pam_getenv(pamh, "XDG_RUNTIME_DIR");
    if (!run || strchr(name, '/')) {
        mlog(k, LOG_ERR, "token_file= needs XDG_RUNTIME_DIR (pam_systemd earlier in the stack) and a plain file name");
        return 0;
    }
    struct stat st;
    if (lstat(run, &st) != 0 || !lt_path_mine(&st, S_IFDIR, pw->pw_uid, 077)) {
        mlog(k, LOG_ERR, "%s is not the user's private runtime directory", run);
        return 0;
    }
    snprintf(path_out, cap, "%s/%s.%s", run, name, session);
    int ok = 0;
    int root = geteuid() == 0;
    PAM_MODUTIL_DEF_PRIVS(privs);
    if (root && pam_modutil_drop_priv(pamh, &privs, pw) != 0) {
        mlog(k, LOG_ERR, "cannot drop privileges to write the token file");
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
        mlog(k, LOG_ERR, "cannot write %s", path_out);
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

static const char *item(pam_handle_t *pamh, int type)
{
    const void *v = NULL;
    return pam_get_item(pamh, type, &v) == PAM_SUCCESS && v ? v : "";
}

/* The record as open writes it before the POST: who, where, and the label the token will carry. */
static int new_record(call *k, const struct passwd *pw, const char *api_url, lt_record *r)
{
    pam_handle_t *pamh = k->pamh;
    char host[256] = "", nonce[9];
    if (!lt_random_hex(r->session, 16) || !lt_random_hex(nonce, 4))
        return 0;
    gethostname(host, sizeof host - 1);
    lt_label_format(host, pw->pw_name, "pam", r->session, nonce, r->label);
    snprintf(r->user, sizeof r->user, "%s", pw->pw_name);
    r->uid = (long)pw->pw_uid;
    snprintf(r->api_url, sizeof r->api_url, "%s", api_url);
    r->expiry = (int64_t)time(NULL) + k->a->ttl;
    snprintf(r->service, sizeof r->service, "%s", item(pamh, PAM_SERVICE));
    snprintf(r->tty, sizeof r->tty, "%s", item(pamh, PAM_TTY));
    snprintf(r->rhost, sizeof r->rhost, "%s", item(pamh, PAM_RHOST));
    snprintf(r->ruser, sizeof r->ruser, "%s", item(pamh, PAM_RUSER)); /* sudo's and su's caller */
    const char *xsid = pam_getenv(pamh, "XDG_SESSION_ID");
    snprintf(r->xdg_session_id, sizeof r->xdg_session_id, "%s", xsid ? xsid : "");
    r->pid = (long)getpid();
    lt_proc_start_time(r->pid, r->pid_start, sizeof r->pid_start);
    return 1;
}

/* Queue a session's revocation for a later open or reap --system: its record moves (from, when
 * set: the state file) or is written into queue_dir. */
typedef struct {
    call *k;
    const lt_record *r;
    const char *from;
} queue_ctx;

static int queue_record(void *ud)
{
    queue_ctx *q = ud;
    const args *a = q->k->a;
    if (!ensure_dir(q->k, a->queue_dir))
        return 0;
    if (q->from) {
        char dst[1024];
        snprintf(dst, sizeof dst, "%s/%s", a->queue_dir, q->r->session);
        return rename(q->from, dst) == 0;
    }
    return lt_record_write(a->queue_dir, q->r, NULL) == LT_OK;
}

/* A mint that failed: nothing was created (the API said so, or nothing was sent), or it may have
 * been (no answer: the record goes to the queue, where its label finds the token). */
static void mint_failed(call *k, lt_record *r, const char *path, const lt_error *e)
{
    if (e->kind == LT_ERR_RATE_LIMITED) /* a login storm: say so, and when the API takes logins again */
        mlog(k, LOG_ERR, "cannot mint for %s: the API is rate limiting (%s); it asks to retry after %.0f s", r->user,
             e->message, e->retry_after > 0 ? e->retry_after : 1.0);
    else
        mlog(k, LOG_ERR, "cannot mint for %s: %s", r->user, e->message);
    if (lt_create_outcome_of(e->kind, NULL, e) == LT_NOT_CREATED) {
        unlink(path);
        return;
    }
    queue_ctx q = {k, r, path};
    if (queue_record(&q)) {
        mlog(k, LOG_WARNING, "the mint for %s got no answer: queued '%s' for revocation", r->user, r->label);
        audit(k, "mint", r, "unknown: queued for revocation");
    }
}

/* Undo a mint whose session cannot go on: revoke now, else queue. */
static void unmint(call *k, lt_client *c, lt_record *r, const char *path)
{
    lt_error e;
    if (r->token_file[0])
        remove_token_file(k->pamh, r->token_file, r->user);
    r->token_file[0] = '\0';
    int queued;
    queue_ctx q = {k, r, NULL};
    if (lt_revoke_or_queue(c, r->id, r->label, r->expiry, queue_record, &q, &queued, &e) == LT_REVOKE_GONE) {
        unlink(path);
    } else if (queued) {
        unlink(path);
        mlog(k, LOG_WARNING, "could not revoke token %" PRId64 " after a failed open (%s): queued in %s", r->id,
             e.message, k->a->queue_dir);
        audit(k, "queue", r, "queued (a failed open)");
    } else {
        mlog(k, LOG_ERR, "could not revoke token %" PRId64 " after a failed open (%s) nor queue it", r->id, e.message);
    }
}

/* Hand the token to the session: the environment (or the token file's path), and our data. */
static int hand_over(call *k, const lt_record *r, const lt_token *t)
{
    pam_handle_t *pamh = k->pamh;
    const args *a = k->a;
    session_data *d = calloc(1, sizeof *d);
    if (!d || !(d->token = strdup(t->token))) {
        free(d);
        return PAM_BUF_ERR;
    }
    snprintf(d->session, sizeof d->session, "%s", r->session);
    if (pam_set_data(pamh, DATA_KEY, d, cleanup_data) != PAM_SUCCESS) {
        cleanup_data(pamh, d, 0);
        return PAM_SESSION_ERR;
    }
    char num[32];
    snprintf(num, sizeof num, "%" PRId64, r->expiry);
    if (a->token_file) {
        put_env(pamh, FILE_ENV, r->token_file);
    } else {
        put_env(pamh, a->env, t->token);
        put_env(pamh, a->cli_env, t->token);
    }
    put_env(pamh, EXPIRY_ENV, num);
    put_env(pamh, SESSION_ENV, r->session);
    return PAM_SUCCESS;
}

/* One open: what it holds, freed on every path by opening_done (lt_cleanup). */
typedef struct {
    call *k;
    const struct passwd *pw;
    args a;
    int have_args;
    int64_t started; /* monotonic ms: the deadline counts from here */
    char *scopes;    /* normalised */
    char *api_url;
    lt_client *c;
    lt_record r;
    char path[1024]; /* the record in state_dir */
    lt_token t;
} opening;

static void opening_done(opening *o)
{
    lt_token_clear(&o->t);
    lt_client_free(o->c);
    free(o->scopes);
    free(o->api_url);
    if (o->have_args)
        lt_pam_args_free(&o->a);
}

/* Who, and with what settings and scopes. PAM_SUCCESS to go on; PAM_IGNORE: nothing to do. */
static int open_who(opening *o, int argc, const char **argv)
{
    call *k = o->k;
    const char *user = item(k->pamh, PAM_USER);
    if (!*user) {
        mlog(k, LOG_ERR, "no user");
        return PAM_SESSION_ERR;
    }
    if (!(o->pw = pam_modutil_getpwnam(k->pamh, user))) {
        mlog(k, LOG_ERR, "unknown user %s", user);
        return PAM_SESSION_ERR;
    }
    o->have_args = 1;
    if (!load_args(k, argc, argv, o->pw, &o->a))
        return PAM_SESSION_ERR;
    const char *scopes = o->a.group_scopes[0] ? o->a.group_scopes : o->a.scopes;
    if (!scopes || !*scopes) {
        if (o->a.debug)
            mlog(k, LOG_DEBUG, "no scopes for %s: nothing to do", user);
        return PAM_IGNORE;
    }
    lt_scopes want;
    lt_error e;
    if (lt_scopes_parse(scopes, 0, &want, &e) != LT_OK || lt_scopes_is_empty(&want)) {
        mlog(k, LOG_ERR, "bad scopes= for %s: %s", user, e.message);
        return PAM_SESSION_ERR;
    }
    o->scopes = lt_scopes_format(&want);
    o->api_url = lt_api_url_resolve_env(o->a.api_url, 0);
    return o->scopes && o->api_url ? PAM_SUCCESS : PAM_SESSION_ERR;
}

/* The record, with the label the token will carry, written ahead of the POST: a token created by
 * a POST whose answer never comes is still found (by its label). */
static int open_record(opening *o)
{
    call *k = o->k;
    lt_error e;
    if (!ensure_dir(k, o->a.state_dir) || !new_record(k, o->pw, o->api_url, &o->r))
        return 0;
    int64_t left = o->started + o->a.timeout_ms - now_ms();
    if (!(o->c = lt_pam_client(k->a, o->api_url, (long)left, &e))) {
        mlog(k, LOG_ERR, "cannot mint for %s: %s", o->r.user, e.message);
        return 0;
    }
    snprintf(o->path, sizeof o->path, "%s/%s", o->a.state_dir, o->r.session);
    if (lt_record_write(o->a.state_dir, &o->r, &e) != LT_OK) {
        mlog(k, LOG_CRIT, "%s", e.message);
        return 0;
    }
    return 1;
}

/* The POST, and what it did: 1 with a usable token in o->t; 0 when no token exists (or may exist:
 * queued); -1 when one was created but the session cannot have it (the caller undoes it). */
static int open_mint(opening *o)
{
    lt_error e;
    const lt_error_kind rc = lt_client_create_token(o->c, o->r.label, o->scopes, o->r.expiry, &o->t, &e);
    if (lt_create_outcome_of(rc, &o->t, &e) != LT_CREATED) {
        mint_failed(o->k, &o->r, o->path, &e);
        return 0;
    }
    o->r.id = o->t.id;
    o->r.expiry = o->t.expiry;
    if (rc != LT_OK) /* created, but the answer was unusable */
        mlog(o->k, LOG_ERR, "cannot mint for %s: %s", o->r.user, e.message);
    if (rc != LT_OK || !o->t.token)
        return -1;
    return 1;
}

/* The token to the session: the token file (if asked), the record with its id, the environment. */
static int open_publish(opening *o)
{
    call *k = o->k;
    lt_error e;
    if (o->a.token_file &&
        !write_token_file(k, o->pw, o->a.token_file, o->r.session, o->t.token, o->r.token_file, sizeof o->r.token_file))
        return PAM_SESSION_ERR;
    if (lt_record_write(o->a.state_dir, &o->r, &e) != LT_OK) {
        mlog(k, LOG_CRIT, "%s", e.message);
        return PAM_SESSION_ERR;
    }
    return hand_over(k, &o->r, &o->t);
}

/* "Mint for this session": the one step a later service may take over from the login process. */
static int session_mint(opening *o)
{
    if (!open_record(o))
        return PAM_SESSION_ERR;
    const int minted = open_mint(o);
    if (minted == 0)
        return PAM_SESSION_ERR;
    int rc = minted > 0 ? open_publish(o) : PAM_SESSION_ERR;
    if (rc != PAM_SUCCESS)
        unmint(o->k, o->c, &o->r, o->path); /* from here on a failure revokes the token first */
    return rc;
}

static int open_session(call *k, int argc, const char **argv)
{
    lt_cleanup(opening_done) opening o = {.k = k, .started = now_ms()};
    int rc = open_who(&o, argc, argv);
    if (rc == PAM_SUCCESS && (rc = session_mint(&o)) == PAM_SUCCESS) {
        audit(k, "mint", &o.r, "minted");
        lt_client_free(o.c);
        o.c = NULL;
        retry_queue(k, o.started + o.a.timeout_ms); /* owed by earlier closes; within open's deadline */
    }
    return rc;
}

/* A record close may act on: it belongs to PAM_USER (name and uid). */
static int record_of(const lt_record *r, const char *user, const struct passwd *pw)
{
    return !strcmp(r->user, user) && (!pw || r->uid == (long)pw->pw_uid);
}

/* The record of this handle's session: the one open wrote on this handle (our data); else the
 * session id in the PAM environment, only if that record is PAM_USER's; else the user's unique
 * record for this tty and remote host. Read as the effective uid (open + fstat: no access(),
 * which asks with the real uid, the caller's under sudo and su). */
static int find_record(call *k, const char *user, const struct passwd *pw, lt_record *r, char *path, size_t cap)
{
    pam_handle_t *pamh = k->pamh;
    const void *data = NULL;
    const char *sid = NULL;
    if (pam_get_data(pamh, DATA_KEY, &data) == PAM_SUCCESS && data)
        sid = ((const session_data *)data)->session;
    else
        sid = pam_getenv(pamh, SESSION_ENV);
    if (sid && strspn(sid, "0123456789abcdef") == strlen(sid) && strlen(sid) == 32) {
        snprintf(path, cap, "%s/%s", k->a->state_dir, sid);
        if (lt_record_read(path, r, NULL) != LT_OK)
            return 0;
        if (record_of(r, user, pw) && !strcmp(r->session, sid))
            return 1;
        mlog(k, LOG_WARNING, "session %s is not %s's (it is %s's): not revoked here", sid, user, r->user);
        return 0;
    }
    const char *tty = item(pamh, PAM_TTY), *rhost = item(pamh, PAM_RHOST);
    DIR *d = opendir(k->a->state_dir);
    if (!d)
        return 0;
    int hits = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char p[1024];
        lt_record x;
        snprintf(p, sizeof p, "%s/%s", k->a->state_dir, de->d_name);
        if (lt_record_read(p, &x, NULL) != LT_OK)
            continue;
        if (record_of(&x, user, pw) && !strcmp(x.tty, tty) && !strcmp(x.rhost, rhost)) {
            hits++;
            *r = x;
            snprintf(path, cap, "%s", p);
        }
    }
    closedir(d);
    return hits == 1;
}

/* "Revoke this session": one bounded attempt; on failure the record moves to the queue for a later
 * open or reap --system. The other step a later service may take over. */
static void session_revoke(call *k, const lt_record *r, const char *path, long timeout_ms)
{
    lt_error e;
    int queued;
    queue_ctx q = {k, r, path};
    lt_client *c = lt_pam_client(k->a, r->api_url, timeout_ms, &e);
    const lt_revoke_result res = lt_revoke_or_queue(c, r->id, r->label, r->expiry, queue_record, &q, &queued, &e);
    lt_client_free(c);
    if (res == LT_REVOKE_GONE) {
        unlink(path);
        audit(k, "revoke", r, "revoked");
    } else if (queued) {
        audit(k, "queue", r, "queued");
        mlog(k, LOG_WARNING, "could not revoke token %" PRId64 " (%s): queued in %s", r->id, e.message,
             k->a->queue_dir);
    } else {
        mlog(k, LOG_ERR, "could not revoke token %" PRId64 " (%s) nor queue it", r->id, e.message);
    }
}

/* Take back what open put in the PAM environment: the token file and the variables. */
static void close_unpublish(pam_handle_t *pamh, const lt_record *r, const args *a)
{
    remove_token_file(pamh, r->token_file, r->user);
    unset_env(pamh, a->env);
    unset_env(pamh, a->cli_env);
    unset_env(pamh, EXPIRY_ENV);
    unset_env(pamh, SESSION_ENV);
    unset_env(pamh, FILE_ENV);
}

/* Close: find the session's record, revoke (else queue), unpublish; one way out. */
static int close_session(call *k, int argc, const char **argv)
{
    pam_handle_t *pamh = k->pamh;
    const char *user = item(pamh, PAM_USER);
    if (!*user)
        return PAM_IGNORE;
    struct passwd *pw = pam_modutil_getpwnam(pamh, user);
    lt_cleanup(lt_pam_args_free) args a;
    load_args(k, argc, argv, NULL, &a); /* a broken file is logged; what the arguments say still holds */
    char path[1024];
    lt_record r;
    int rc = PAM_IGNORE;
    if (find_record(k, user, pw, &r, path, sizeof path)) {
        session_revoke(k, &r, path, a.close_timeout_ms);
        close_unpublish(pamh, &r, &a);
        rc = PAM_SUCCESS;
    } else {
        mlog(k, LOG_INFO,
             "no session record for %s: nothing to revoke here (expiry and "
             "'linode-token reap --system' cover it)",
             user);
    }
    pam_set_data(pamh, DATA_KEY, NULL, NULL);
    return rc;
}

/* Around all of the module's work: the caller's environment is not read (su and sudo pass on the
 * user's), no core dump may hold the parent, and the caller's resource limits neither kill the
 * host (SIGXFSZ in the middle of an audit line) nor drop a line; all of it is restored after. */
typedef int (*session_fn)(call *, int, const char **);
static int guarded(session_fn fn, pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    (void)flags; /* PAM_SILENT: the module never talks to the user anyway */
    lt_env_disable();
    int was = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
    if (was > 0)
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    lt_limits_saved lim;
    lt_limits_lift(&lim);
    call k = {pamh, NULL, lt_syslog_reachable()};
    int rc = fn(&k, argc, argv);
    lt_limits_restore(&lim);
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
