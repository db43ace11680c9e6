/* SPDX-License-Identifier: MIT */
/* cmd-login.c - the parent token: login, logout, status. */
#include "cli.h"

#include <stdio.h>

static const GOptionEntry no_entries[] = {{NULL, 0, 0, 0, NULL, NULL, NULL}};

static int has_account_rw(const char *scopes)
{
    lt_scopes s;
    lt_scopes_parse(scopes, LT_SCOPES_LENIENT, &s, NULL);
    return s.level[lt_scopes_service_index("account")] == LT_LEVEL_READ_WRITE;
}

int cmd_login(cli *x, int argc, char **argv)
{
    int rc = cli_parse(x, "", "Read the parent token from stdin (not echoed on a terminal; never from the\n"
                              "command line), check it with the API, and store it in the Secret Service.",
                       no_entries, -1, &argc, &argv);
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
    printf("Logged in to %s as %s; token scopes: %s\n", x->cfg.api_url, who, scopes);
    printf("Stored in the Secret Service as \"Linode API token (parent) for %s\"\n", who);
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
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

/* Revoke what the parent minted before it goes; 0 when nothing is left live, else the exit code
 * of a refusal that lists what is. */
static int end_children(cli *x)
{
    g_autoptr(GArray) out = g_array_new(FALSE, TRUE, sizeof(lt_outcome));
    g_array_set_clear_func(out, (GDestroyNotify)lt_outcome_clear);
    g_autoptr(GArray) still = g_array_new(FALSE, TRUE, sizeof(lt_ledger_entry));
    g_array_set_clear_func(still, (GDestroyNotify)lt_ledger_entry_clear);
    lt_revoke_options o = {.deadline_ms = x->deadline_ms, .debug = x->debug};
    lt_session_end_parent(&x->cfg, &o, out, still);
    lt_error first = {.kind = LT_OK};
    size_t revoked = 0;
    for (guint i = 0; i < out->len; i++) {
        lt_outcome *r = &g_array_index(out, lt_outcome, i);
        g_autofree char *label = lt_printable(r->label);
        if (r->error.kind == LT_OK && r->id)
            printf("Revoked token %" G_GINT64_FORMAT " %s\n", r->id, label), revoked++;
        else if (r->error.kind != LT_OK && first.kind == LT_OK)
            first = r->error;
    }
    fflush(stdout);
    if (!still->len) {
        if (revoked)
            fprintf(stderr, "linode-token: logout: revoked the %zu token(s) minted with this parent\n", revoked);
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
    int rc = cli_parse(x, "", "Revoke every token minted with the parent for this API URL (in every session of\n"
                              "this user; the ledgers say which), then remove the parent from the Secret\n"
                              "Service. If any cannot be revoked, the parent is kept and they are listed.",
                       logout_entries, 0, &argc, &argv);
    if (rc >= 0)
        return rc;
    lt_error e;
    char *parent = NULL;
    /* Without a parent nothing can be revoked, now or later: only then is there nothing to end. */
    if (!lo_keep && lt_parent_get(&x->cfg, NULL, &parent, &e) == LT_OK) {
        lt_secret_free(parent);
        if ((rc = end_children(x)) != 0)
            return rc;
    }
    int removed;
    if (lt_parent_forget(x->cfg.api_url, &removed, &e) != LT_OK)
        return cli_fail(x, &e);
    lt_parent_info_forget(&x->cfg, x->cfg.api_url);
    printf(removed ? "Removed the parent token for %s\n" : "No parent token was stored for %s\n", x->cfg.api_url);
    return 0;
}

static gboolean st_json;
static const GOptionEntry status_entries[] = {
    {"json", 0, 0, G_OPTION_ARG_NONE, &st_json, "Print one JSON object", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

int cmd_status(cli *x, int argc, char **argv)
{
    int rc = cli_parse(x, "", "Say where the parent token comes from, whose it is, its scopes and expiry,\n"
                              "and which cache backend is in use.",
                       status_entries, 0, &argc, &argv);
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
    if (st_json) {
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
        return st_json && !have_parent && e.kind == LT_ERR_NO_CREDENTIAL ? 3 : cli_fail(x, &e);
    return 0;
}
