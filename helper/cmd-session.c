/* cmd-session.c - sessions: end-session, reap. */
#include "cli.h"

#include <stdio.h>

static char *s_session;
static int s_parallel;
static gboolean s_all, s_dry_run, s_system;
static char *s_state_dir, *s_queue_dir;

static const GOptionEntry end_entries[] = {
    {"session", 0, 0, G_OPTION_ARG_STRING, &s_session, "End session ID (default: this session)", "ID"},
    {"all", 0, 0, G_OPTION_ARG_NONE, &s_all, "End every session of this user (logout of the last session)", NULL},
    {"max-parallel", 0, 0, G_OPTION_ARG_INT, &s_parallel, "Revoke at most N at a time (default 50)", "N"},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};
static const GOptionEntry reap_entries[] = {
    {"dry-run", 'n', 0, G_OPTION_ARG_NONE, &s_dry_run, "Only say which tokens would be revoked", NULL},
    {"system", 0, 0, G_OPTION_ARG_NONE, &s_system,
     "Reap the PAM module's sessions instead (root): ended sessions and queued revocations", NULL},
    {"state-dir", 0, 0, G_OPTION_ARG_FILENAME, &s_state_dir, "With --system: records (default /run/linode-token)",
     "DIR"},
    {"queue-dir", 0, 0, G_OPTION_ARG_FILENAME, &s_queue_dir,
     "With --system: queued revocations (default /var/lib/linode-token)", "DIR"},
    {"max-parallel", 0, 0, G_OPTION_ARG_INT, &s_parallel, "Revoke at most N at a time (default 50)", "N"},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

/* Print what happened; the exit code is the first failure's. */
static int report(cli *x, GArray *out, const char *verb)
{
    int code = 0;
    size_t ok = 0;
    for (guint i = 0; i < out->len; i++) {
        lt_outcome *r = &g_array_index(out, lt_outcome, i);
        if (r->error.kind == LT_OK) {
            g_autofree char *label = lt_printable(r->label);
            printf("%s token %" G_GINT64_FORMAT " %s\n", verb, r->id, label);
            ok++;
        } else {
            int c = cli_failf(x, r->error.kind, "token %" G_GINT64_FORMAT " not revoked: %s%s", r->id, r->error.message,
                              r->queued ? " (queued: the next end-session, reap, exec or minting get retries it)" : "");
            code = code ? code : c;
        }
    }
    fflush(stdout);
    fprintf(stderr, "linode-token: %s: %zu %s, %zu queued\n", x->cmd, ok, verb[0] == 'W' ? "to revoke" : "revoked",
            (size_t)out->len - ok);
    return code;
}

static GArray *outcomes(void)
{
    GArray *out = g_array_new(FALSE, TRUE, sizeof(lt_outcome));
    g_array_set_clear_func(out, (GDestroyNotify)lt_outcome_clear);
    return out;
}

int cmd_end_session(cli *x, int argc, char **argv)
{
    int rc = cli_parse(x, "", "Revoke every token minted in a session, in parallel, and forget the session.\n"
                              "Run it when a session ends (the systemd user unit linode-token-session.service\n"
                              "does, with --all). Running it again is harmless; a token the API no longer knows\n"
                              "counts as revoked; what cannot be revoked now is queued and retried later.",
                       end_entries, 0, &argc, &argv);
    if (rc >= 0)
        return rc;
    lt_error e;
    g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func(g_free);
    if (s_all) {
        g_autofree char *dir = NULL;
        if (lt_state_dir("sessions", &dir, &e) != LT_OK)
            return cli_fail(x, &e);
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *name;
        while (d && (name = g_dir_read_name(d)))
            if (!g_str_has_suffix(name, ".lock") && !strstr(name, ".tmp.")) /* skip locks and half-written files */
                g_ptr_array_add(sessions, g_strdup(name));
    } else {
        char *id = NULL;
        if (lt_session_id(s_session, &id, &e) != LT_OK)
            return cli_fail(x, &e);
        g_ptr_array_add(sessions, id);
    }
    g_autoptr(GArray) out = outcomes();
    lt_revoke_options o = {.max_parallel = s_parallel, .deadline_ms = x->deadline_ms, .debug = x->debug};
    for (guint i = 0; i < sessions->len; i++)
        lt_session_end(&x->cfg, sessions->pdata[i], &o, out, &e);
    return report(x, out, "Revoked");
}

int cmd_reap(cli *x, int argc, char **argv)
{
    int rc = cli_parse(x, "", "Revoke our tokens whose session is gone: tokens labelled lt1:HOST:USER:... for\n"
                              "this host and user, whose session has no record or is known to have ended\n"
                              "(a wrapper that was killed, a login session that ended without end-session).\n"
                              "Tokens that are not ours (another label, host or user) are never touched.",
                       reap_entries, 0, &argc, &argv);
    if (rc >= 0)
        return rc;
    lt_error e;
    g_autoptr(GArray) out = outcomes();
    lt_revoke_options o = {.max_parallel = s_parallel, .deadline_ms = x->deadline_ms, .debug = x->debug};
    if (s_system ? lt_reap_system(&x->cfg, s_state_dir ? s_state_dir : "/run/linode-token",
                                  s_queue_dir ? s_queue_dir : "/var/lib/linode-token", s_dry_run, &o, out, &e) != LT_OK
                 : lt_reap(&x->cfg, s_dry_run, &o, out, &e) != LT_OK)
        return cli_fail(x, &e);
    return report(x, out, s_dry_run ? "Would revoke" : "Revoked");
}
