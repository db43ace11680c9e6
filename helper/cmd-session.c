/* SPDX-License-Identifier: MIT */
/* cmd-session.c - sessions: end-session, reap. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>

static char *s_session;
static int s_parallel;
static gboolean s_all, s_dry_run, s_system;
static char *s_state_dir, *s_queue_dir, *s_config;

static const GOptionEntry end_entries[] = {
    {"session", 0, 0, G_OPTION_ARG_STRING, &s_session, "End session ID (default: this session)", "ID"},
    {"all", 0, 0, G_OPTION_ARG_NONE, &s_all, "End every session of this user (logout of the last session)", NULL},
    {"max-parallel", 0, 0, G_OPTION_ARG_INT, &s_parallel, "Revoke at most N at a time (default 50)", "N"},
    CLI_JSON_ENTRY("Print one JSON array: {\"id\",\"label\",\"session\",\"outcome\",\"reason\",\"error\"} each"),
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};
static const GOptionEntry reap_entries[] = {
    {"dry-run", 'n', 0, G_OPTION_ARG_NONE, &s_dry_run, "Only say which tokens would be revoked", NULL},
    {"system", 0, 0, G_OPTION_ARG_NONE, &s_system,
     "Reap the PAM module's sessions instead (root): ended sessions and queued revocations", NULL},
    {"pam-config", 0, 0, G_OPTION_ARG_FILENAME, &s_config,
     "With --system: the PAM module's configuration (default " LT_PAM_CONF ")", "FILE"},
    {"state-dir", 0, 0, G_OPTION_ARG_FILENAME, &s_state_dir,
     "With --system: records (default: the configuration's "
     "state_dir, else /run/linode-token)",
     "DIR"},
    {"queue-dir", 0, 0, G_OPTION_ARG_FILENAME, &s_queue_dir,
     "With --system: queued revocations (default: the configuration's queue_dir, else /var/lib/linode-token)", "DIR"},
    {"max-parallel", 0, 0, G_OPTION_ARG_INT, &s_parallel, "Revoke at most N at a time (default 50)", "N"},
    CLI_JSON_ENTRY("Print one JSON array: {\"id\",\"label\",\"session\",\"outcome\",\"reason\",\"error\"} each"),
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

/* One outcome as --json shows it; outcome is revoked, would_revoke, spared, queued, failed,
 * mint_resolved or mint_pending. */
static json_t *outcome_json(const lt_outcome *r, const char *what)
{
    json_t *o = json_pack("{s:s}", "outcome", what);
    json_object_set_new(o, "id", r->id ? json_integer(r->id) : json_null());
    json_object_set_new(o, "label", r->label ? json_string(r->label) : json_null());
    json_object_set_new(o, "session", r->session ? json_string(r->session) : json_null());
    json_object_set_new(o, "reason", r->reason ? json_string(r->reason) : json_null());
    json_object_set_new(o, "error", r->error.kind != LT_OK ? json_string(r->error.message) : json_null());
    return o;
}

/* A line for a person; with --json stdout holds the JSON alone. */
static void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
    if (cli_out.json)
        return;
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

/* Print what happened (with --dry-run, why); the exit code is the first failure's. */
static int report(cli *x, GArray *out, const char *verb, int explain)
{
    int code = 0;
    size_t ok = 0, queued = 0, spared = 0;
    json_t *all = json_array();
    for (guint i = 0; i < out->len; i++) {
        lt_outcome *r = &g_array_index(out, lt_outcome, i);
        g_autofree char *label = lt_printable(r->label);
        g_autofree char *why = explain && r->reason ? g_strdup_printf(": %s", r->reason) : g_strdup("");
        if (r->spared) {
            spared++;
            if (explain)
                say("Would spare token %" G_GINT64_FORMAT " %s%s\n", r->id, label, why);
            json_array_append_new(all, outcome_json(r, "spared"));
        } else if (!r->id && r->error.kind == LT_OK) { /* a mint whose answer never came */
            int pending = r->reason && strstr(r->reason, "under way");
            g_autofree char *reason = lt_printable(r->reason ? r->reason : "");
            say("%s mint %s: %s\n", pending ? "Waiting on" : "Resolved", label, reason);
            json_array_append_new(all, outcome_json(r, pending ? "mint_pending" : "mint_resolved"));
        } else if (r->error.kind == LT_OK) {
            say("%s token %" G_GINT64_FORMAT " %s%s\n", verb, r->id, label, why);
            json_array_append_new(all, outcome_json(r, verb[0] == 'W' ? "would_revoke" : "revoked"));
            ok++;
        } else {
            json_array_append_new(all, outcome_json(r, r->queued ? "queued" : "failed"));
            queued += r->queued;
            const char *hint = !r->queued ? ""
                               : s_system ? " (kept in the PAM module's queue: the next login on this host or "
                                            "'linode-token reap --system' retries it)"
                                          : " (queued for revocation: the next end-session, reap, exec or minting "
                                            "get retries it)";
            int c = cli_failf(x, r->error.kind, "token %" G_GINT64_FORMAT " %s not revoked: %s%s", r->id, label,
                              r->error.message, hint);
            code = code ? code : c;
        }
    }
    if (cli_out.json)
        cli_print_json(all);
    json_decref(all);
    fflush(stdout);
    g_autofree char *spares = explain ? g_strdup_printf(", %zu spared", spared) : g_strdup("");
    fprintf(stderr, "linode-token: %s: %zu %s, %zu queued%s\n", x->cmd, ok, verb[0] == 'W' ? "to revoke" : "revoked",
            queued, spares);
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
    int rc = cli_parse(x, "",
                       "Revoke every token minted in a session, in parallel, and forget the session.\n"
                       "Run it when a session ends (the systemd user unit linode-token-session.service\n"
                       "does, with --all). Running it again is harmless; a token the API no longer knows\n"
                       "counts as revoked; what cannot be revoked now is queued and retried later.",
                       end_entries, 0, &argc, &argv);
    if (rc >= 0)
        return rc;
    lt_error e;
    g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func(g_free);
    if (s_all) { /* every ledger in every state dir of this user */
        g_autoptr(GPtrArray) all = lt_ledger_sessions();
        for (guint i = 0; i < all->len; i++)
            g_ptr_array_add(sessions, g_strdup(all->pdata[i]));
    } else {
        char *id = NULL;
        if (lt_session_id(s_session, &id, &e) != LT_OK)
            return cli_fail(x, &e);
        g_ptr_array_add(sessions, id);
    }
    g_autoptr(GArray) out = outcomes();
    lt_revoke_options o = {.max_parallel = s_parallel, .deadline_ms = x->deadline_ms, .debug = x->debug};
    for (guint i = 0; i < sessions->len; i++)
        lt_session_end(&x->cfg, sessions->pdata[i], &o, out);
    return report(x, out, "Revoked", 0);
}

int cmd_reap(cli *x, int argc, char **argv)
{
    x->no_user_config = &s_system; /* --system reads the PAM module's configuration alone */
    int rc = cli_parse(x, "",
                       "Revoke our known orphans: tokens labelled lt2:HOST:USER:... for this host and user\n"
                       "that a ledger of this user on this machine records and whose session has ended (a\n"
                       "killed exec wrapper, a login session that ended without end-session). A token no\n"
                       "ledger here records is unknown and kept: it expires. A chosen session\n"
                       "(--session, LINODE_TOKEN_SESSION) ends with end-session only; a PAM session's\n"
                       "token is root's (reap --system). --dry-run says, for each, why. Tokens that are\n"
                       "not ours (another label, host or user) are never touched.\n"
                       "--system (root) reaps the PAM module's sessions with the module's own\n"
                       "configuration (" LT_PAM_CONF ", or --pam-config): each ended or queued session is\n"
                       "tried once, and every revocation goes to syslog and the module's audit_log.\n"
                       "It needs root, never reads a user's config (so --config is refused: the\n"
                       "module's file is --pam-config), and fails when a directory cannot be read.",
                       reap_entries, 0, &argc, &argv);
    if (rc >= 0)
        return rc;
    lt_error e;
    g_autoptr(GArray) out = outcomes();
    lt_revoke_options o = {.max_parallel = s_parallel, .deadline_ms = x->deadline_ms, .debug = x->debug};
    g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);
    const lt_error_kind src = s_system
                                  ? lt_reap_system(s_config, s_state_dir, s_queue_dir, s_dry_run, &o, out, notes, &e)
                                  : LT_OK;
    for (guint i = 0; i < notes->len; i++)
        fprintf(stderr, "linode-token: %s --system: %s\n", x->cmd, (const char *)notes->pdata[i]);
    if (s_system ? src != LT_OK : lt_reap(&x->cfg, s_dry_run, &o, out, &e) != LT_OK)
        return cli_fail(x, &e);
    return report(x, out, s_dry_run ? "Would revoke" : "Revoked", s_dry_run);
}
