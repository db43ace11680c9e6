/* SPDX-License-Identifier: MIT */
/* cmd-login.c - the parent token: login, logout, status, rotate. */
#include "cli.h"

#include <stdio.h>

static const GOptionEntry json_entries[] = {
    CLI_JSON_ENTRY("Print one JSON object"),
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

static int has_account_rw(const char *scopes)
{
    lt_scopes s;
    lt_scopes_parse(scopes, LT_SCOPES_LENIENT, &s, NULL);
    return s.level[lt_scopes_service_index("account")] == LT_LEVEL_READ_WRITE;
}

int cmd_login(cli *x, int argc, char **argv)
{
    int rc = cli_parse(x, "",
                       "Read the parent token from stdin (not echoed on a terminal; never from the\n"
                       "command line), check it with the API, and store it in the Secret Service.\n"
                       "--json prints {\"api_url\",\"account\",\"scopes\",\"can_mint\"}.",
                       json_entries, -1, &argc, &argv);
    if (rc >= 0)
        return rc;
    if (argc > 1) /* never echo it: it may be the token */
        return cli_failf(x, LT_ERR_USAGE, "unexpected argument (the token is read from stdin, never argv)");
    lt_error e;
    if (lt_api_url_check(x->cfg.api_url, x->cfg.allow_insecure_loopback, &e) != LT_OK)
        return cli_fail(x, &e);
    /* Fail before asking for the secret when it could not be stored anyway. */
    if (lt_secret_service_ready(&e) != LT_OK)
        return cli_fail(x, &e);
    char buf[4097];
    int got = cli_read_line("Linode API token: ", 1, buf, sizeof buf);
    char *token = g_strstrip(buf);
    if (!got || !*token) {
        explicit_bzero(buf, sizeof buf);
        return cli_failf(x, LT_ERR_NO_CREDENTIAL, "no token on stdin");
    }
    if (strpbrk(token, " \t")) {
        explicit_bzero(buf, sizeof buf);
        return cli_failf(x, LT_ERR_USAGE, "the input is not a single token");
    }
    lt_client *c = cli_client_for(x, token, &e);
    lt_profile p = {0};
    lt_error_kind k = c ? lt_client_whoami(c, &p, &e) : e.kind;
    lt_client_free(c);
    if (k == LT_OK)
        k = lt_parent_store(x->cfg.api_url, p.username, token, &e);
    if (k == LT_OK)
        lt_parent_info_forget(&x->cfg, x->cfg.api_url); /* facts about an older parent no longer hold */
    explicit_bzero(buf, sizeof buf);
    if (k != LT_OK) {
        lt_profile_clear(&p);
        return cli_fail(x, &e);
    }
    g_autofree char *who = lt_printable(p.username), *scopes = lt_printable(p.scopes);
    if (cli_out.json) {
        json_t *o = json_pack("{s:s,s:s,s:s,s:b}", "api_url", x->cfg.api_url, "account", p.username, "scopes", p.scopes,
                              "can_mint", has_account_rw(p.scopes));
        cli_print_json(o);
        json_decref(o);
    } else {
        printf("Logged in to %s as %s; token scopes: %s\n", x->cfg.api_url, who, scopes);
        printf("Stored in the Secret Service as \"Linode API token (parent) for %s\"\n", who);
    }
    if (!has_account_rw(p.scopes))
        fprintf(stderr, "linode-token: login: warning: this token lacks account:read_write, which creating "
                        "and minting tokens needs\n");
    lt_profile_clear(&p);
    return 0;
}

static gboolean lo_keep;
static const GOptionEntry logout_entries[] = {
    {"keep-tokens", 0, 0, G_OPTION_ARG_NONE, &lo_keep,
     "Forget the parent without revoking what it minted (they live until they expire)", NULL},
    CLI_JSON_ENTRY("Print one JSON object"),
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

/* Revoke what the parent minted before it goes; 0 when nothing is left live, else the exit code
 * of a refusal that lists what is. */
static int end_children(cli *x, size_t *revoked)
{
    g_autoptr(GArray) out = g_array_new(FALSE, TRUE, sizeof(lt_outcome));
    g_array_set_clear_func(out, (GDestroyNotify)lt_outcome_clear);
    g_autoptr(GArray) still = g_array_new(FALSE, TRUE, sizeof(lt_ledger_entry));
    g_array_set_clear_func(still, (GDestroyNotify)lt_ledger_entry_clear);
    lt_revoke_options o = {.deadline_ms = x->deadline_ms, .debug = x->debug};
    lt_session_end_parent(&x->cfg, &o, out, still);
    lt_error first = {.kind = LT_OK};
    for (guint i = 0; i < out->len; i++) {
        lt_outcome *r = &g_array_index(out, lt_outcome, i);
        g_autofree char *label = lt_printable(r->label);
        if (r->error.kind == LT_OK && r->id) {
            if (!cli_out.json) /* --json: the count goes into the one object */
                printf("Revoked token %" G_GINT64_FORMAT " %s\n", r->id, label);
            ++*revoked;
        } else if (r->error.kind != LT_OK && first.kind == LT_OK)
            first = r->error;
    }
    fflush(stdout);
    if (!still->len) {
        if (*revoked)
            fprintf(stderr, "linode-token: logout: revoked the %zu token(s) minted with this parent\n", *revoked);
        return 0;
    }
    for (guint i = 0; i < still->len; i++) {
        lt_ledger_entry *e = &g_array_index(still, lt_ledger_entry, i);
        g_autofree char *label = lt_printable(e->label);
        fprintf(stderr, "linode-token: logout: still live: %s %" G_GINT64_FORMAT " %s\n", e->id ? "token" : "mint",
                e->id, label);
    }
    return cli_failf(x, first.kind != LT_OK ? first.kind : LT_ERR_SYSTEM,
                     "kept the parent: %u token(s) it minted could not be revoked (%s); run logout again when the "
                     "API answers, or logout --keep-tokens to forget the parent and leave them to expire",
                     still->len, first.kind != LT_OK ? first.message : "a mint is still under way");
}

int cmd_logout(cli *x, int argc, char **argv)
{
    int rc = cli_parse(x, "",
                       "Revoke every token minted with the parent for this API URL (in every session of\n"
                       "this user; the ledgers say which), then remove the parent from the Secret\n"
                       "Service. If any cannot be revoked, the parent is kept and they are listed.\n"
                       "--json prints {\"api_url\",\"removed\",\"revoked\"}.",
                       logout_entries, 0, &argc, &argv);
    if (rc >= 0)
        return rc;
    lt_error e;
    char *parent = NULL;
    size_t revoked = 0;
    /* Without a parent nothing can be revoked, now or later: only then is there nothing to end. */
    if (!lo_keep && lt_parent_get(&x->cfg, NULL, &parent, &e) == LT_OK) {
        lt_secret_free(parent);
        if ((rc = end_children(x, &revoked)) != 0)
            return rc;
    }
    /* A parent the user keeps in a file or prints with a command is theirs to remove: logout
     * stores nothing there, so it removes nothing there (and asks no Secret Service for it). */
    const lt_parent_source src = lt_parent_source_for(&x->cfg);
    int removed = 0;
    if (src == LT_PARENT_SECRET_SERVICE && lt_parent_forget(x->cfg.api_url, &removed, &e) != LT_OK)
        return cli_fail(x, &e);
    lt_parent_info_forget(&x->cfg, x->cfg.api_url);
    if (cli_out.json) {
        json_t *o = json_pack("{s:s,s:b,s:I,s:s}", "api_url", x->cfg.api_url, "removed", removed, "revoked",
                              (json_int_t)revoked, "parent_source", lt_parent_source_name(src));
        cli_print_json(o);
        json_decref(o);
    } else if (src == LT_PARENT_FILE) {
        printf("The parent token comes from parent_token_file %s: linode-token does not delete a file you "
               "named; remove it (and the setting) yourself\n",
               x->cfg.parent_token_file);
    } else if (src == LT_PARENT_COMMAND) {
        printf("The parent token comes from parent_token_command: remove it where that command keeps it, "
               "and the setting from the config\n");
    } else {
        printf(removed ? "Removed the parent token for %s\n" : "No parent token was stored for %s\n", x->cfg.api_url);
    }
    return 0;
}

int cmd_status(cli *x, int argc, char **argv)
{
    int rc = cli_parse(x, "",
                       "Say where the parent token comes from, whose it is, its scopes and expiry,\n"
                       "and which cache backend is in use.",
                       json_entries, 0, &argc, &argv);
    if (rc >= 0)
        return rc;
    lt_parent_source src = lt_parent_source_for(&x->cfg);
    json_t *o = json_object();
    json_object_set_new(o, "api_url", json_string(x->cfg.api_url));
    json_object_set_new(o, "config", x->cfg.path ? json_string(x->cfg.path) : json_null());
    g_autofree char *cache = lt_cache_describe(&x->cfg);
    json_object_set_new(o, "cache", json_string(lt_cache_backend_name(lt_cache_choose(&x->cfg))));
    json_object_set_new(o, "cache_detail", json_string(cache));
    json_object_set_new(o, "pending_revocations", json_integer((json_int_t)lt_queue_length()));
    json_object_set_new(o, "parent_source", json_string(lt_parent_source_name(src)));
    if (src == LT_PARENT_FILE)
        json_object_set_new(o, "parent_token_file", json_string(x->cfg.parent_token_file));
    lt_error e = {0};
    char prefix[17];
    lt_profile p = {0};
    lt_client *c = cli_parent_client(x, prefix, &e);
    int have_parent = c != NULL, who_ok = c && lt_client_whoami(c, &p, &e) == LT_OK;
    if (who_ok) {
        json_object_set_new(o, "account", json_string(p.username));
        json_object_set_new(o, "scopes", json_string(p.scopes));
        json_object_set_new(o, "can_mint", json_boolean(has_account_rw(p.scopes)));
        /* No endpoint names the acting token: find it in the list by its 16-character prefix. */
        lt_token_list l;
        lt_error le;
        if (lt_client_list_tokens(c, NULL, &l, &le) == LT_OK) {
            for (size_t i = 0; i < l.count; i++)
                if (!strcmp(l.items[i].token, prefix)) {
                    char eb[20];
                    json_object_set_new(o, "token_id", json_integer(l.items[i].id));
                    json_object_set_new(o, "token_label", json_string(l.items[i].label));
                    json_object_set_new(o, "expiry", json_string(cli_when(l.items[i].expiry, eb)));
                }
            lt_token_list_clear(&l);
        }
    }
    if (cli_out.json) {
        if (!who_ok)
            json_object_set_new(o, "error", json_string(e.message));
        char *text = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
        puts(text);
        free(text);
    } else {
        printf("API:          %s\n", x->cfg.api_url);
        printf("Config:       %s\n", x->cfg.path ? x->cfg.path : "(none)");
        printf("Cache:        %s\n", cache);
        printf("Pending:      %zu revocation(s) queued\n", lt_queue_length());
        if (!have_parent && src == LT_PARENT_SECRET_SERVICE && e.kind == LT_ERR_NO_CREDENTIAL)
            printf("Parent token: none in the Secret Service (run 'linode-token login')\n");
        else
            printf("Parent token: %s%s%s\n", lt_parent_source_name(src), src == LT_PARENT_FILE ? " " : "",
                   src == LT_PARENT_FILE ? x->cfg.parent_token_file : "");
        if (who_ok) {
            g_autofree char *who = lt_printable(p.username), *scopes = lt_printable(p.scopes);
            printf("Account:      %s\n", who);
            printf("Scopes:       %s\n", scopes);
            if (!has_account_rw(p.scopes))
                printf("Warning:      no account:read_write, so it cannot create or mint tokens\n");
            json_t *id = json_object_get(o, "token_id");
            if (id) {
                g_autofree char *label = lt_printable(json_string_value(json_object_get(o, "token_label")));
                printf("Token id:     %" JSON_INTEGER_FORMAT " '%s'\n", json_integer_value(id), label);
            }
            printf("Expiry:       %s\n", id ? json_string_value(json_object_get(o, "expiry"))
                                            : "unknown (not in the token list, or listing needs account:read_only)");
        }
    }
    fflush(stdout);
    json_decref(o);
    lt_profile_clear(&p);
    lt_client_free(c);
    if (!who_ok)
        return cli_out.json && !have_parent && e.kind == LT_ERR_NO_CREDENTIAL ? 3 : cli_fail(x, &e);
    return 0;
}

/* ---- rotate ---- */
static char *r_expiry;
static gboolean r_end_sessions;
static const GOptionEntry rotate_entries[] = {
    {"expiry", 0, 0, G_OPTION_ARG_STRING, &r_expiry,
     "The new parent's expiry, as create --expiry takes it (default: the old one's lifetime again, or never)", "WHEN"},
    {"end-sessions", 0, 0, G_OPTION_ARG_NONE, &r_end_sessions,
     "First revoke every token minted from the old parent (end-session --all)", NULL},
    CLI_JSON_ENTRY("Print one JSON object: old_id, new_id, label, expiry, stored_in, children_live"),
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

/* What rotate knows of the parent it replaces. */
typedef struct {
    lt_parent_source src;
    char *secret;   /* lt_secret_free */
    lt_profile who; /* account and scopes */
    lt_token token; /* its entry in the token list (id, label, created, expiry) */
} rot_old;

/* Children still live in this user's ledgers (minted from the old parent, or earlier ones). */
static size_t live_children(void)
{
    const int64_t now = g_get_real_time() / G_USEC_PER_SEC;
    g_autoptr(GPtrArray) sessions = lt_ledger_sessions();
    size_t n = 0;
    for (guint i = 0; i < sessions->len; i++) {
        g_autoptr(GArray) l = lt_ledger_load(sessions->pdata[i]);
        for (guint k = 0; k < l->len; k++)
            n += g_array_index(l, lt_ledger_entry, k).id && g_array_index(l, lt_ledger_entry, k).expiry > now;
    }
    return n;
}

/* Put secret where the parent is kept: the Secret Service item for this API URL (replaced in one
 * call), or the parent token file (a new 0600 file renamed over the old: never half written). */
static lt_error_kind store_parent(const cli *x, lt_parent_source src, const char *user, const char *secret, lt_error *e)
{
    if (src == LT_PARENT_SECRET_SERVICE)
        return lt_parent_store(x->cfg.api_url, user, secret, e);
    g_autofree char *real = realpath(x->cfg.parent_token_file, NULL); /* a symlink's target, not the link */
    g_autofree char *data = g_strdup_printf("%s\n", secret);
    lt_error_kind k = lt_write_file_atomic(real ? real : x->cfg.parent_token_file, data, strlen(data), 1, e);
    explicit_bzero(data, strlen(data));
    return k;
}

/* Step 1: the parent in use, whose it is, and its own entry in the token list. */
static lt_error_kind rotate_find_old(const cli *x, lt_client **c, rot_old *old, lt_error *e)
{
    old->src = lt_parent_source_for(&x->cfg);
    if (old->src == LT_PARENT_COMMAND)
        return lt_error_set(e, LT_ERR_USAGE,
                            "the parent comes from parent_token_command, which linode-token "
                            "cannot write to: rotate it where that command reads it from");
    if (lt_parent_get(&x->cfg, NULL, &old->secret, e) != LT_OK || !(*c = cli_client_for(x, old->secret, e)) ||
        lt_client_whoami(*c, &old->who, e) != LT_OK)
        return e->kind;
    if (!has_account_rw(old->who.scopes))
        return lt_error_set(e, LT_ERR_USAGE, "the parent lacks account:read_write: it cannot make its successor");
    lt_token_list l;
    if (lt_client_list_tokens(*c, NULL, &l, e) != LT_OK)
        return e->kind;
    for (size_t i = 0; i < l.count; i++)
        if (!strncmp(l.items[i].token, old->secret, 16) && !old->token.id)
            old->token = l.items[i], memset(&l.items[i], 0, sizeof l.items[i]);
    lt_token_list_clear(&l);
    if (!old->token.id)
        return lt_error_set(e, LT_ERR_API,
                            "the parent token is not in its own token list: cannot tell which "
                            "token to revoke, so nothing was changed");
    return LT_OK;
}

/* Step 4: the store gives back the new secret, and the API takes it (it reads its own entry). */
static lt_error_kind rotate_check(const cli *x, const lt_token *fresh, lt_error *e)
{
    char *back = NULL;
    if (lt_parent_get(&x->cfg, NULL, &back, e) != LT_OK)
        return e->kind;
    int same = !strcmp(back, fresh->token);
    lt_client *c = same ? cli_client_for(x, back, e) : NULL;
    lt_secret_free(back);
    if (!same)
        return lt_error_set(e, LT_ERR_SYSTEM, "the store does not give back the new parent");
    lt_token self;
    lt_error_kind k = c ? lt_client_get_token(c, fresh->id, &self, e) : e->kind;
    if (k == LT_OK)
        lt_token_clear(&self);
    lt_client_free(c);
    return k;
}

static int rotate_report(const cli *x, const rot_old *old, const lt_token *fresh, int old_revoked)
{
    char eb[20];
    size_t live = live_children();
    const char *where = old->src == LT_PARENT_FILE ? x->cfg.parent_token_file : "the Secret Service";
    if (cli_out.json) {
        json_t *o = json_pack("{s:I,s:I,s:s,s:s,s:s,s:b,s:I}", "old_id", (json_int_t)old->token.id, "new_id",
                              (json_int_t)fresh->id, "label", fresh->label, "expiry", cli_when(fresh->expiry, eb),
                              "stored_in", where, "old_revoked", old_revoked, "children_live", (json_int_t)live);
        cli_print_json(o);
        json_decref(o);
    } else {
        g_autofree char *label = lt_printable(fresh->label), *shown = lt_printable(where);
        printf("Rotated the parent '%s': token %" G_GINT64_FORMAT " (expires %s) is stored in %s; token "
               "%" G_GINT64_FORMAT " %s\n",
               label, fresh->id, cli_when(fresh->expiry, eb), shown, old->token.id,
               old_revoked ? "is revoked" : "is still live (queued for revocation)");
    }
    if (live)
        fprintf(stderr,
                "linode-token: rotate: note: %zu token(s) minted from the old parent are still live. Whether "
                "Linode revokes a token's children with it is not documented (the bundled fake keeps "
                "them); they are no longer handed out, expire by their ttl, and 'linode-token end-session "
                "--all' (or rotate --end-sessions) revokes them now\n",
                live);
    return old_revoked ? 0 : 1;
}

/* rotate --end-sessions (or yes at the terminal): end-session --all with the old parent. */
static void end_all_sessions(const cli *x)
{
    g_autoptr(GPtrArray) sessions = lt_ledger_sessions();
    g_autoptr(GArray) out = g_array_new(FALSE, TRUE, sizeof(lt_outcome));
    g_array_set_clear_func(out, (GDestroyNotify)lt_outcome_clear);
    lt_revoke_options o = {.deadline_ms = x->deadline_ms, .debug = x->debug};
    for (guint i = 0; i < sessions->len; i++)
        lt_session_end(&x->cfg, sessions->pdata[i], &o, out);
    size_t ok = 0;
    for (guint i = 0; i < out->len; i++)
        ok += g_array_index(out, lt_outcome, i).error.kind == LT_OK && g_array_index(out, lt_outcome, i).id;
    fprintf(stderr, "linode-token: rotate: ended %u session(s): %zu token(s) revoked, %u not\n", sessions->len, ok,
            out->len - (guint)ok);
}

/* Revoke what rotate made and did not keep (the old parent is still the one stored). */
static void unkeep_new_parent(const cli *x, lt_client *c, const lt_token *fresh)
{
    lt_error e;
    if (lt_revoke_one(c, fresh->id, NULL, 0, &e) == LT_REVOKE_GONE)
        lt_audit("rotate", fresh->id, fresh->label, NULL, "revoked", "the new parent was not kept");
    else
        fprintf(stderr,
                "linode-token: %s: the unkept new token %" G_GINT64_FORMAT " could not be revoked (%s): "
                "revoke it with 'linode-token revoke %" G_GINT64_FORMAT " --yes'\n",
                x->cmd, fresh->id, e.message, fresh->id);
}

/* Step 5: revoke the old parent, acting as the new one; what fails is queued for later runs. */
static int rotate_revoke_old(const cli *x, const rot_old *old, const lt_token *fresh)
{
    lt_error e;
    lt_error qe;
    int queued;
    lt_client *c = cli_client_for(x, fresh->token, &e);
    const lt_revoke_result res = lt_revoke_token_or_queue(c, old->token.id, x->cfg.api_url, old->token.label, &queued,
                                                          &e, &qe);
    lt_client_free(c);
    if (res == LT_REVOKE_GONE) {
        lt_audit("rotate", old->token.id, old->token.label, NULL, "revoked", "the old parent");
        return 1;
    }
    fprintf(stderr,
            "linode-token: rotate: the new parent is stored and works, but the old token %" G_GINT64_FORMAT
            " was not revoked (%s)%s\n",
            old->token.id, e.message,
            queued ? "; queued: the next end-session, reap, exec or minting get revokes it" : "");
    return 0;
}

int cmd_rotate(cli *x, int argc, char **argv)
{
    int rc = cli_parse(x, "",
                       "Replace the parent token: mint a new one with the same scopes and label (expiry:\n"
                       "--expiry, else the old one's lifetime again), store it where the old one is (the\n"
                       "Secret Service or --parent-token-file), check that the store gives it back and the\n"
                       "API takes it, then revoke the old one. A failure before the check puts the old one\n"
                       "back and revokes the new; at every step a working parent is stored. Tokens minted\n"
                       "from the old parent: see --end-sessions (on a terminal it asks).",
                       rotate_entries, 0, &argc, &argv);
    if (rc >= 0)
        return rc;
    lt_error e;
    int64_t expiry = 0;
    if (r_expiry && cli_parse_expiry(r_expiry, &expiry, &e) != LT_OK)
        return cli_fail(x, &e);
    if (lt_api_url_check(x->cfg.api_url, x->cfg.allow_insecure_loopback, &e) != LT_OK)
        return cli_fail(x, &e);
    rot_old old = {0};
    lt_client *c = NULL;
    lt_token fresh = {0};
    if (rotate_find_old(x, &c, &old, &e) != LT_OK) {
        rc = cli_fail(x, &e);
        goto out;
    }
    if (!r_expiry) /* the old one's policy: as long again from now, or never */
        expiry = old.token.expiry == LT_TIME_NEVER
                     ? LT_TIME_NEVER
                     : g_get_real_time() / G_USEC_PER_SEC + MAX(old.token.expiry - old.token.created, 3600);
    size_t live = live_children();
    if (!r_end_sessions && live && cli_interactive()) {
        g_autofree char *q = g_strdup_printf("%zu token(s) minted from this parent are still live, and whether "
                                             "Linode revokes them with it is not documented. Revoke them first "
                                             "(end-session --all)?",
                                             live);
        r_end_sessions = cli_confirm(q);
    }
    if (r_end_sessions)
        end_all_sessions(x);
    if (lt_client_create_token(c, old.token.label, old.who.scopes, expiry, &fresh, &e) != LT_OK) {
        rc = cli_failf(x, e.kind, "%s (nothing changed: the old parent is still stored)", e.message);
        goto out;
    }
    lt_audit("rotate", fresh.id, fresh.label, NULL, "minted", "the new parent");
    if (store_parent(x, old.src, old.who.username, fresh.token, &e) != LT_OK) {
        rc = cli_failf(x, e.kind, "storing the new parent: %s (the old one stays)", e.message);
        unkeep_new_parent(x, c, &fresh);
        goto out;
    }
    lt_parent_info_forget(&x->cfg, x->cfg.api_url); /* facts about the old parent no longer hold */
    if (rotate_check(x, &fresh, &e) != LT_OK) {
        lt_error back;
        int restored = store_parent(x, old.src, old.who.username, old.secret, &back) == LT_OK;
        rc = cli_failf(x, e.kind, "the new parent failed its check: %s (%s)", e.message,
                       restored ? "the old one is stored again" : "and putting the old one back failed too");
        if (restored)
            unkeep_new_parent(x, c, &fresh);
        goto out;
    }
    rc = rotate_report(x, &old, &fresh, rotate_revoke_old(x, &old, &fresh));
out:
    lt_client_free(c);
    lt_secret_free(old.secret);
    lt_profile_clear(&old.who);
    lt_token_clear(&old.token);
    lt_token_clear(&fresh);
    return rc;
}
