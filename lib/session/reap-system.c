/* SPDX-License-Identifier: MIT */
/* reap-system.c - `linode-token reap --system` (root): the PAM module's leftovers. It reads the
 * module's own configuration (the same file, through the same parser: pam-args.c) and revokes,
 * once per run, the token of every session whose opening process is gone and of every queued
 * record; a record whose mint never got its answer is resolved by its label. Each revocation
 * or queueing goes where the module's go: syslog (LOG_AUTHPRIV) and the module's audit_log. */
#include "session-layer.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

typedef struct {
    char *path;
    int queued; /* found in queue_dir */
} item;

static void item_clear(item *it)
{
    g_free(it->path);
}

/* Every record there is now, each session once (queue_dir first), so that a record this run
 * moves to the queue is not tried a second time. A directory that is not there yet is empty (the
 * module makes them at its first login), unless the command line named it; one that cannot be
 * read is an error, never "nothing to reap". *absent counts the directories not there. */
static lt_error_kind snapshot(const lt_pam_args *a, const char *const named[2], GArray *items, int *absent,
                              lt_error *err)
{
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    const char *dirs[2] = {a->queue_dir, a->state_dir}, *what[2] = {"--queue-dir", "--state-dir"};
    *absent = 0;
    for (int k = 0; k < 2; k++) {
        DIR *d = opendir(dirs[k]);
        if (!d && errno == ENOENT && !named[k]) {
            (*absent)++;
            continue;
        }
        if (!d && errno == ENOENT)
            return lt_error_set(err, LT_ERR_USAGE, "%s %s: no such directory", what[k], dirs[k]);
        if (!d)
            return lt_error_set(err, LT_ERR_STORE, "cannot read the PAM module's %s %s: %s",
                                k ? "state_dir" : "queue_dir", dirs[k], g_strerror(errno));
        for (const struct dirent *de; (de = readdir(d));) {
            const char *name = de->d_name;
            if (name[0] == '.' || g_hash_table_contains(seen, name))
                continue;
            g_hash_table_add(seen, g_strdup(name));
            item it = {.path = g_build_filename(dirs[k], name, NULL), .queued = k == 0};
            g_array_append_val(items, it);
        }
        closedir(d);
    }
    return LT_OK;
}

/* Syslog, and the audit log when syslog has no daemon to take it (as the module does). */
static void say(const lt_pam_args *a, int syslog_ok, int pri, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void say(const lt_pam_args *a, int syslog_ok, int pri, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    syslog(pri, "%s", msg);
    if (!syslog_ok && a->audit_log)
        lt_pam_audit_note(a->audit_log, pri <= LOG_ERR ? "err" : pri == LOG_WARNING ? "warning" : "info", msg, NULL);
}

static void audit(const lt_pam_args *a, int syslog_ok, const char *action, const lt_record *r, const char *outcome)
{
    say(a, syslog_ok, action[0] == 'q' ? LOG_WARNING : LOG_INFO, "reap --system: %s: token %" PRId64 " '%s' of %s: %s",
        action, r->id, r->label, r->user, outcome);
    lt_error e;
    if (a->audit_log && lt_pam_audit_write(a->audit_log, action, r, outcome, &e) != LT_OK)
        say(a, syslog_ok, LOG_ERR, "reap --system: %s", e.message);
}

typedef struct {
    const lt_pam_args *a;
    const item *it;
    const lt_record *r;
} queue_ctx;

/* The record into the module's queue (a private directory of root's, as the module makes it). */
static int queue_record(void *ud)
{
    queue_ctx *q = ud;
    if (q->it->queued)
        return 1;
    g_autofree char *dst = g_build_filename(q->a->queue_dir, q->r->session, NULL);
    return lt_private_dir(q->a->queue_dir, NULL) == LT_OK && rename(q->it->path, dst) == 0;
}

/* One record, one try: revoked (the record and the user's token file go), or kept in the queue. */
static void reap_one(const lt_pam_args *a, int syslog_ok, const item *it, lt_record *r, long deadline_ms,
                     lt_outcome *res)
{
    lt_error e = {0};
    int queued;
    queue_ctx q = {a, it, r};
    lt_client *c = lt_pam_client(a, r->api_url, deadline_ms, &e);
    const lt_revoke_result done = lt_revoke_or_queue(c, r->id, r->label, r->expiry, queue_record, &q, &queued, &e);
    lt_client_free(c);
    if (done == LT_REVOKE_PENDING) { /* not a failure: kept (in the queue) and asked about again */
        g_free(res->reason);
        res->reason = g_strdup("its mint is still under way (no token has its label yet)");
        return;
    }
    if (done == LT_REVOKE_GONE) {
        unlink(it->path);
        struct stat st; /* the user's file, as the module made it: nothing else */
        if (r->token_file[0] && lstat(r->token_file, &st) == 0 && lt_path_mine(&st, S_IFREG, (uid_t)r->uid, 0))
            unlink(r->token_file);
        audit(a, syslog_ok, "revoke", r, r->id ? "revoked (reap --system)" : "resolved: nothing was created");
        if (!r->id) {
            g_free(res->reason);
            res->reason = g_strdup("its mint created no token");
        }
        return;
    }
    res->error = e;
    if ((res->queued = queued))
        audit(a, syslog_ok, "queue", r, "queued (reap --system could not revoke)");
    else
        say(a, syslog_ok, LOG_ERR, "reap --system: could not revoke token %" PRId64 " (%s) nor queue it", r->id,
            e.message);
}

static void complaint(void *ud, const char *msg)
{
    g_ptr_array_add(ud, g_strdup(msg));
}

lt_error_kind lt_reap_system(const char *config, const char *state_dir, const char *queue_dir, int dry_run,
                             const lt_revoke_options *o, GArray *out, GPtrArray *notes, lt_error *err)
{
    g_autofree char *c_arg = config ? g_strdup_printf("config=%s", config) : NULL;
    g_autofree char *s_arg = state_dir ? g_strdup_printf("state_dir=%s", state_dir) : NULL;
    g_autofree char *q_arg = queue_dir ? g_strdup_printf("queue_dir=%s", queue_dir) : NULL;
    const char *argv[3];
    int argc = 0;
    if (c_arg)
        argv[argc++] = c_arg;
    if (s_arg)
        argv[argc++] = s_arg;
    if (q_arg)
        argv[argc++] = q_arg;
    if (geteuid() != 0)
        return lt_error_set(err, LT_ERR_USAGE,
                            "--system needs root: the PAM module's records, queue and "
                            "parent token are root's (run it as root: sudo linode-token reap "
                            "--system)");
    lt_pam_args a;
    lt_error_kind rc = lt_pam_args_load(argc, argv, &a, complaint, NULL, notes, err);
    if (rc != LT_OK) {
        lt_pam_args_free(&a);
        return rc;
    }
    if (!dry_run && (!a.parent_token_file || !*a.parent_token_file)) {
        rc = lt_error_set(err, LT_ERR_NO_CREDENTIAL,
                          "no parent_token_file in %s: reap --system reads the PAM "
                          "module's configuration (see pam_linode_token(8))",
                          a.config_loaded ? (config ? config : LT_PAM_CONF) : "the PAM configuration (none found)");
        lt_pam_args_free(&a);
        return rc;
    }
    g_autoptr(GArray) items = g_array_new(FALSE, TRUE, sizeof(item));
    g_array_set_clear_func(items, (GDestroyNotify)item_clear);
    const char *named[2] = {queue_dir, state_dir};
    int absent = 0;
    if ((rc = snapshot(&a, named, items, &absent, err)) != LT_OK) {
        lt_pam_args_free(&a);
        return rc;
    }
    if (!items->len)
        g_ptr_array_add(notes, absent == 2 ? g_strdup_printf("nothing to do: %s and %s do not exist yet (no PAM "
                                                             "session has opened since boot)",
                                                             a.state_dir, a.queue_dir)
                                           : g_strdup_printf("nothing to do: no session records in %s, nothing "
                                                             "queued in %s",
                                                             a.state_dir, a.queue_dir));
    const long deadline_ms = o && o->deadline_ms > 0 ? o->deadline_ms : a.timeout_ms;
    const int syslog_ok = lt_syslog_reachable();
    if (!syslog_ok && !dry_run)
        g_ptr_array_add(notes, g_strdup_printf("no syslog daemon listens on /dev/log: this run's log lines go %s",
                                               a.audit_log ? a.audit_log : "nowhere (no audit_log= is set)"));
    openlog("linode-token", LOG_PID, LOG_AUTHPRIV);
    for (guint i = 0; i < items->len; i++) {
        const item *it = &g_array_index(items, item, i);
        lt_record r;
        lt_error re;
        if (lt_record_read(it->path, &r, &re) != LT_OK) {
            g_ptr_array_add(notes, g_strdup_printf("skipping %s: %s", it->path, re.message));
            continue;
        }
        if (!it->queued && lt_record_process_alive(&r))
            continue; /* the session may still be open */
        lt_outcome res = {.id = r.id,
                          .label = g_strdup(r.label),
                          .api_url = g_strdup(r.api_url),
                          .session = g_strdup(r.session),
                          .reason = g_strdup(it->queued ? "queued by a close that could not revoke"
                                                        : "the process that opened the session is gone")};
        if (!dry_run)
            reap_one(&a, syslog_ok, it, &r, deadline_ms, &res);
        g_array_append_val(out, res);
    }
    closelog();
    lt_pam_args_free(&a);
    return LT_OK;
}
