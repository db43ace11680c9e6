/* SPDX-License-Identifier: MIT */
/* cmd-tokens.c - the "API Tokens" page: list, view, create, rename, revoke. */
#include "cli.h"

#include <stdio.h>
#include <unistd.h>

/* ---- list ---- */
static const GOptionEntry list_entries[] = {
    CLI_JSON_ENTRY("Print the API's token objects as one JSON array"),
    CLI_TABLE_ENTRIES,
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

static const char *const list_columns[] = {"id", "label", "created", "expiry", "scopes", "token", NULL};

int cmd_list(cli *x, int argc, char **argv)
{
    int rc = cli_parse(x, "",
                       "List your personal access tokens: id, label, created, expiry, scopes (a summary).\n"
                       "An aligned table on a terminal, tab-separated otherwise (or with --text), with a\n"
                       "header line either way unless --no-headers. Columns: id, label, created, expiry,\n"
                       "scopes, token (its first 16 characters): --format id,label, --all-columns.",
                       list_entries, 0, &argc, &argv);
    if (rc >= 0)
        return rc;
    lt_error e;
    g_autoptr(cli_table) t = cli_table_new(list_columns, "id,label,created,expiry,scopes", &e);
    if (!t)
        return cli_fail(x, &e);
    lt_client *c = cli_parent_client(x, NULL, &e);
    if (!c)
        return cli_fail(x, &e);
    lt_token_list l;
    if (lt_client_list_tokens(c, NULL, &l, &e) != LT_OK) {
        lt_client_free(c);
        return cli_fail(x, &e);
    }
    lt_client_free(c);
    if (cli_out.json && cli_out.format) {
        json_t *all = json_array();
        for (size_t i = 0; i < l.count; i++) {
            json_t *o = json_loads(l.items[i].json, 0, NULL);
            json_array_append_new(all, cli_table_shape(t, o));
            json_decref(o);
        }
        cli_print_json(all);
        json_decref(all);
    } else if (cli_out.json) {
        fputc('[', stdout);
        for (size_t i = 0; i < l.count; i++)
            printf("%s%s", i ? "," : "", l.items[i].json);
        fputs("]\n", stdout);
    } else {
        for (size_t i = 0; i < l.count; i++) {
            char cb[20], eb[20], id[24];
            g_snprintf(id, sizeof id, "%" G_GINT64_FORMAT, l.items[i].id);
            g_autofree char *scopes = cli_scope_summary(l.items[i].scopes);
            cli_table_add(t, (const char *[]){id, l.items[i].label, cli_when(l.items[i].created, cb),
                                              cli_when(l.items[i].expiry, eb), scopes, l.items[i].token});
        }
        cli_table_print(t);
    }
    lt_token_list_clear(&l);
    return 0;
}

/* ---- view ---- */
static gboolean view_json;
static const GOptionEntry view_entries[] = {
    {"json", 0, 0, G_OPTION_ARG_NONE, &view_json, "Print the API's token object", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

static const char *level_name(int level)
{
    return level == LT_LEVEL_READ_WRITE ? "Read-Write" : level == LT_LEVEL_READ_ONLY ? "Read Only" : "None";
}

int cmd_view(cli *x, int argc, char **argv)
{
    int rc = cli_parse(x, "ID|LABEL", "Show a token's label, dates and access for every service.", view_entries, 1,
                       &argc, &argv);
    if (rc >= 0)
        return rc;
    if (argc != 2)
        return cli_failf(x, LT_ERR_USAGE, "give one token id or label (see linode-token view --help)");
    lt_error e;
    lt_client *c = cli_parent_client(x, NULL, &e);
    if (!c)
        return cli_fail(x, &e);
    lt_token t;
    lt_error_kind k = cli_resolve(c, argv[1], &t, &e);
    lt_client_free(c);
    if (k != LT_OK)
        return cli_fail(x, &e);
    if (view_json) {
        puts(t.json);
    } else {
        char cb[20], eb[20];
        lt_scopes s;
        lt_scopes_parse(t.scopes, LT_SCOPES_LENIENT, &s, NULL);
        g_autofree char *label = lt_printable(t.label), *scopes = lt_printable(t.scopes);
        printf("ID:       %" G_GINT64_FORMAT "\nLabel:    %s\nCreated:  %s\nExpiry:   %s\nScopes:   %s\n\n", t.id,
               label, cli_when(t.created, cb), cli_when(t.expiry, eb), scopes);
        printf("%-16s %s\n", "SERVICE", "ACCESS");
        for (size_t i = 0; i < lt_scopes_service_count(); i++)
            printf("%-16s %s\n", lt_scopes_service_name(i), level_name(s.level[i]));
    }
    lt_token_clear(&t);
    return 0;
}

/* ---- create ---- */
static char *create_label, *create_expiry, *create_scopes;
static char **create_scope;
static gboolean create_json;
static const GOptionEntry create_entries[] = {
    {"label", 0, 0, G_OPTION_ARG_STRING, &create_label, "The token's label (1-100 characters)", "LABEL"},
    {"expiry", 0, 0, G_OPTION_ARG_STRING, &create_expiry,
     "1mo (default), 3mo, 6mo, a duration (90m, 12h, 7d, 2w), YYYY-MM-DDTHH:MM:SS (UTC), or never", "WHEN"},
    {"scope", 0, 0, G_OPTION_ARG_STRING_ARRAY, &create_scope,
     "Access for one service: none, ro or rw (repeatable; e.g. linodes=ro)", "SERVICE=LEVEL"},
    {"scopes", 0, 0, G_OPTION_ARG_STRING, &create_scopes,
     "All scopes at once: \"linodes:read_only domains:read_write\" or '*'", "SCOPES"},
    {"json", 0, 0, G_OPTION_ARG_NONE, &create_json, "Print the whole token object, secret included", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

/* An explicit expiry further out than this is a typo, not a wish (the API would read a date past
 * 100 years as "never"): only the word never gives a token that never expires. */
#define MAX_AHEAD ((int64_t)3653 * 86400) /* 10 years */

lt_error_kind cli_parse_expiry(const char *s, int64_t *out, lt_error *e)
{
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    const int64_t t_now = g_date_time_to_unix(now);
    if (!strcmp(s, "never")) {
        *out = LT_TIME_NEVER;
        return LT_OK;
    }
    size_t n = strlen(s);
    int64_t when = 0;
    if (n > 2 && !strcmp(s + n - 2, "mo")) {
        char *end;
        long months = strtol(s, &end, 10);
        if (end == s + n - 2 && months >= 1 && months <= 120 && g_ascii_isdigit(s[0])) {
            g_autoptr(GDateTime) then = g_date_time_add_months(now, (int)months);
            when = g_date_time_to_unix(then);
        }
    } else if (strchr(s, 'T')) {
        if (lt_time_parse_utc(s, &when, NULL) != LT_OK)
            when = 0;
        else if (when <= t_now)
            return lt_error_set(e, LT_ERR_USAGE, "--expiry %.40s is in the past (times are UTC)", s);
    } else {
        int64_t secs;
        if (lt_duration_parse(s, &secs, NULL) == LT_OK)
            when = t_now + secs;
    }
    if (!when)
        return lt_error_set(e, LT_ERR_USAGE,
                            "--expiry '%.40s': use 1mo, 3mo, 6mo, a duration (90m, 12h, 7d, 2w), "
                            "YYYY-MM-DDTHH:MM:SS (UTC) or never",
                            s);
    if (when - t_now > MAX_AHEAD)
        return lt_error_set(e, LT_ERR_USAGE,
                            "--expiry %.40s is more than 10 years away: say never if that is "
                            "what you mean",
                            s);
    *out = when;
    return LT_OK;
}

/* The flag words and the prompt's letters alike: none|n, ro|r|read_only, rw|w|read_write. */
static int parse_level(const char *s)
{
    if (!strcmp(s, "none") || !strcmp(s, "n"))
        return LT_LEVEL_NONE;
    if (!strcmp(s, "ro") || !strcmp(s, "r") || !strcmp(s, "read_only"))
        return LT_LEVEL_READ_ONLY;
    if (!strcmp(s, "rw") || !strcmp(s, "w") || !strcmp(s, "read_write"))
        return LT_LEVEL_READ_WRITE;
    return -1;
}

/* One SERVICE=LEVEL into out; given[] remembers which item set each service (a second, different
 * one is a conflict). */
static lt_error_kind one_scope(const char *item, lt_scopes *out, const char **given, lt_error *e)
{
    const char *eq = strchr(item, '=');
    g_autofree char *svc = eq ? g_strndup(item, (size_t)(eq - item)) : g_strdup(item);
    int i = lt_scopes_service_index(svc);
    int lvl = eq ? parse_level(eq + 1) : -1;
    if (i < 0) {
        g_autofree char *near = cli_near_service(svc);
        return lt_error_set(e, LT_ERR_USAGE, "--scope '%s': unknown service '%s'%s", item, svc, near);
    }
    if (lvl < 0)
        return lt_error_set(e, LT_ERR_USAGE, "--scope '%s': give SERVICE=none, ro or rw", item);
    if (lvl == LT_LEVEL_READ_ONLY && !lt_scopes_service_has_read_only((size_t)i))
        return lt_error_set(e, LT_ERR_USAGE, "--scope '%s': %s has no read-only level (use %s=rw)", item, svc, svc);
    if (given[i] && out->level[i] != (unsigned char)lvl)
        return lt_error_set(e, LT_ERR_USAGE, "--scope '%s' and --scope '%s' disagree: give %s once", given[i], item,
                            svc);
    given[i] = item;
    out->level[i] = (unsigned char)lvl;
    return LT_OK;
}

static lt_error_kind scopes_from_flags(char **items, lt_scopes *out, lt_error *e)
{
    memset(out, 0, sizeof *out);
    const char *given[LT_SCOPES_MAX_SERVICES] = {0};
    for (; *items; items++)
        if (one_scope(*items, out, given, e) != LT_OK)
            return e->kind;
    return LT_OK;
}

/* On a terminal: one level for every service first (what the page's "Select All" row does), then
 * the exceptions, as --scope takes them. */
static lt_error_kind scopes_from_prompt(lt_scopes *out, lt_error *e)
{
    memset(out, 0, sizeof *out);
    char line[512];
    int dflt;
    for (;;) {
        if (!cli_read_line("Access for every service: none, ro (Read Only) or rw (Read-Write) [none]: ", 0, line,
                           sizeof line))
            return lt_error_set(e, LT_ERR_USAGE, "no answer");
        g_strstrip(line);
        if ((dflt = line[0] ? parse_level(line) : LT_LEVEL_NONE) >= 0)
            break;
        fputs("  answer none, ro or rw (or n, r, w)\n", stderr);
    }
    for (size_t i = 0; i < lt_scopes_service_count(); i++)
        out->level[i] = (unsigned char)(dflt == LT_LEVEL_READ_ONLY && !lt_scopes_service_has_read_only(i)
                                            ? LT_LEVEL_NONE
                                            : dflt); /* vpc has no read-only level */
    fputs("Exceptions, as SERVICE=none|ro|rw separated by spaces (Enter or Ctrl-D when done):\n", stderr);
    for (;;) {
        if (!cli_read_line("  > ", 0, line, sizeof line))
            return LT_OK;
        g_auto(GStrv) items = g_strsplit_set(g_strstrip(line), " ,", -1);
        if (!line[0])
            return LT_OK;
        lt_scopes next = *out;
        const char *given[LT_SCOPES_MAX_SERVICES] = {0};
        lt_error_kind k = LT_OK;
        for (size_t j = 0; items[j] && k == LT_OK; j++)
            if (items[j][0])
                k = one_scope(items[j], &next, given, e);
        if (k != LT_OK) {
            fprintf(stderr, "  %s\n", e->message + strlen("--scope "));
            continue;
        }
        *out = next;
        g_autofree char *f = lt_scopes_format(out), *sum = cli_scope_summary(f);
        fprintf(stderr, "  now: %s\n", sum);
    }
}

int cmd_create(cli *x, int argc, char **argv)
{
    int rc = cli_parse(x, "--label LABEL [--expiry WHEN] [--scope SERVICE=LEVEL... | --scopes SCOPES]",
                       "Create a personal access token. The secret is printed to stdout alone, once:\n"
                       "  TOKEN=$(linode-token create --label ci --scope linodes=ro --expiry 7d)\n"
                       "Without a scope it asks on a terminal and refuses otherwise (never a silent '*').\n"
                       "Scopes beyond the parent token's are refused before any request is made.",
                       create_entries, 0, &argc, &argv);
    if (rc >= 0)
        return rc;
    if (!create_label)
        return cli_failf(x, LT_ERR_USAGE, "--label is required");
    if (create_scope && create_scopes)
        return cli_failf(x, LT_ERR_USAGE, "give --scope or --scopes, not both");
    lt_error e;
    int64_t expiry = 0;
    if (cli_parse_expiry(create_expiry ? create_expiry : "1mo", &expiry, &e) != LT_OK)
        return cli_fail(x, &e);
    lt_scopes want;
    g_autofree char *typed = create_scopes ? cli_expand_scopes(create_scopes) : NULL;
    if (typed)
        rc = cli_check_services(typed, &e) == LT_OK ? lt_scopes_parse(typed, 0, &want, &e) : e.kind;
    else if (create_scope)
        rc = scopes_from_flags(create_scope, &want, &e);
    else if (cli_interactive())
        rc = scopes_from_prompt(&want, &e);
    else
        return cli_failf(x, LT_ERR_USAGE,
                         "no scopes given: use --scope SERVICE=none|ro|rw (repeatable) or "
                         "--scopes (refusing to default to '*')");
    if (rc != LT_OK)
        return cli_fail(x, &e);
    if (lt_scopes_is_empty(&want))
        return cli_failf(x, LT_ERR_USAGE, "the token would have no access at all: give at least one scope");

    lt_client *c = cli_parent_client(x, NULL, &e);
    if (!c)
        return cli_fail(x, &e);
    lt_profile p;
    if (lt_client_whoami(c, &p, &e) != LT_OK) {
        lt_client_free(c);
        return cli_fail(x, &e);
    }
    lt_scopes have;
    lt_scopes_parse(p.scopes, LT_SCOPES_LENIENT, &have, NULL);
    g_autofree char *want_s = lt_scopes_format(&want);
    if (!lt_scopes_within(&want, &have)) {
        rc = cli_failf(x, LT_ERR_USAGE, "the scopes '%s' exceed the parent token's ('%s')", want_s, p.scopes);
        lt_profile_clear(&p);
        lt_client_free(c);
        return rc;
    }
    lt_profile_clear(&p);
    lt_token t;
    lt_error_kind k = lt_client_create_token(c, create_label, want_s, expiry, &t, &e);
    lt_client_free(c);
    if (k != LT_OK)
        return cli_fail(x, &e);
    if (create_json)
        puts(t.json);
    else
        puts(t.token);
    fflush(stdout);
    char eb[20];
    g_autofree char *label = lt_printable(t.label);
    fprintf(stderr,
            "linode-token: created token %" G_GINT64_FORMAT " '%s' (expires %s); its secret cannot be "
            "shown again\n",
            t.id, label, cli_when(t.expiry, eb));
    lt_token_clear(&t);
    return 0;
}

/* ---- rename ---- */
static const GOptionEntry rename_entries[] = {
    CLI_JSON_ENTRY("Print the renamed token's object"),
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

int cmd_rename(cli *x, int argc, char **argv)
{
    int rc = cli_parse(x, "ID|LABEL NEW-LABEL", "Change a token's label (the only thing that can change).",
                       rename_entries, 2, &argc, &argv);
    if (rc >= 0)
        return rc;
    if (argc != 3)
        return cli_failf(x, LT_ERR_USAGE, "give a token id or label and the new label");
    lt_error e;
    lt_client *c = cli_parent_client(x, NULL, &e);
    if (!c)
        return cli_fail(x, &e);
    lt_token t, r;
    if (cli_resolve(c, argv[1], &t, &e) != LT_OK || lt_client_rename_token(c, t.id, argv[2], &r, &e) != LT_OK) {
        lt_token_clear(&t);
        lt_client_free(c);
        return cli_fail(x, &e);
    }
    g_autofree char *from = lt_printable(t.label), *to = lt_printable(r.label);
    if (cli_out.json)
        puts(r.json);
    else
        printf("Renamed token %" G_GINT64_FORMAT " from '%s' to '%s'\n", r.id, from, to);
    lt_token_clear(&t);
    lt_token_clear(&r);
    lt_client_free(c);
    return 0;
}

/* ---- revoke ---- */
static gboolean revoke_yes, revoke_parent, revoke_ignore_missing;
static const GOptionEntry revoke_entries[] = {
    {"yes", 'y', 0, G_OPTION_ARG_NONE, &revoke_yes, "Do not ask for confirmation", NULL},
    {"ignore-missing", 0, 0, G_OPTION_ARG_NONE, &revoke_ignore_missing,
     "An id that names no token is not an error (it may be revoked already)", NULL},
    {"including-parent", 0, 0, G_OPTION_ARG_NONE, &revoke_parent, "Allow revoking the parent token itself (with --yes)",
     NULL},
    CLI_JSON_ENTRY("Print one JSON array: {\"ref\",\"id\",\"label\",\"outcome\",\"error\"} per argument"),
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

/* One argument's outcome, for --json. */
static void noted(json_t *out, const char *ref, int64_t id, const char *label, const char *outcome, const char *error)
{
    json_t *o = json_pack("{s:s,s:s}", "ref", ref, "outcome", outcome);
    json_object_set_new(o, "id", id ? json_integer(id) : json_null());
    json_object_set_new(o, "label", label ? json_string(label) : json_null());
    json_object_set_new(o, "error", error ? json_string(error) : json_null());
    json_array_append_new(out, o);
}

int cmd_revoke(cli *x, int argc, char **argv)
{
    int rc = cli_parse(x, "ID|LABEL...",
                       "Revoke tokens. On a terminal it names them and asks; otherwise it needs --yes.\n"
                       "The parent token is only revoked with --yes --including-parent. An id or label\n"
                       "that names no token is an error (exit 1) that does not stop the others;\n"
                       "--ignore-missing accepts an id that is already gone.",
                       revoke_entries, -1, &argc, &argv);
    if (rc >= 0)
        return rc;
    if (argc < 2)
        return cli_failf(x, LT_ERR_USAGE, "give at least one token id or label");
    if (!revoke_yes && !cli_interactive())
        return cli_failf(x, LT_ERR_USAGE, "not a terminal: pass --yes to revoke without confirmation");
    lt_error e;
    char prefix[17] = "";
    lt_client *c = cli_parent_client(x, prefix, &e);
    if (!c)
        return cli_fail(x, &e);
    /* One list resolves every argument and tells which token is the parent (by its prefix). */
    lt_token_list l;
    if (lt_client_list_tokens(c, NULL, &l, &e) != LT_OK) {
        lt_client_free(c);
        return cli_fail(x, &e);
    }
    g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
    g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func(g_free);     /* printable */
    g_autoptr(GPtrArray) raw_labels = g_ptr_array_new_with_free_func(g_free); /* as the API has them */
    int exit_code = 0;
    json_t *results = json_array();
    g_autoptr(GPtrArray) refs = g_ptr_array_new(); /* the argument each id came from */
    for (int a = 1; a < argc; a++) {
        const char *ref = argv[a];
        size_t hits = 0, at = 0;
        int by_id = ref[0] && strspn(ref, "0123456789") == strlen(ref);
        for (size_t i = 0; i < l.count; i++) {
            int match = by_id ? l.items[i].id == g_ascii_strtoll(ref, NULL, 10) : !strcmp(l.items[i].label, ref);
            if (match)
                hits++, at = i;
        }
        if (hits == 0 && by_id && revoke_ignore_missing) {
            fprintf(stderr, "linode-token: revoke: no token %s (already gone?)\n", ref);
            noted(results, ref, g_ascii_strtoll(ref, NULL, 10), NULL, "missing", NULL);
            continue;
        }
        if (hits != 1) {
            lt_error le;
            if (hits) { /* name the candidates, so the user can pick one */
                g_autoptr(GString) which = g_string_new(NULL);
                for (size_t i = 0; i < l.count; i++)
                    if (!strcmp(l.items[i].label, ref))
                        g_string_append_printf(which, "%s%" G_GINT64_FORMAT, which->len ? ", " : "", l.items[i].id);
                lt_error_set(&le, LT_ERR_USAGE, "the label '%s' matches %zu tokens (ids %s): give an id", ref, hits,
                             which->str);
            } else if (by_id) {
                lt_error_set(&le, LT_ERR_API,
                             "no token %s (check the id with 'linode-token list'; "
                             "--ignore-missing accepts one that is gone)",
                             ref);
            } else {
                lt_error_set(&le, LT_ERR_API, "no token labelled '%s'", ref);
            }
            int code = cli_fail(x, &le);
            exit_code = exit_code ? exit_code : code;
            noted(results, ref, 0, NULL, "error", le.message);
            continue;
        }
        const lt_token *t = &l.items[at];
        if (prefix[0] && !strcmp(t->token, prefix) && !(revoke_yes && revoke_parent)) {
            int code = cli_failf(x, LT_ERR_USAGE,
                                 "token %" G_GINT64_FORMAT " '%s' is the parent token this tool uses: "
                                 "pass --yes --including-parent to revoke it",
                                 t->id, t->label);
            lt_token_list_clear(&l);
            lt_client_free(c);
            json_decref(results);
            return code;
        }
        g_ptr_array_add(refs, (char *)ref);
        g_array_append_val(ids, t->id);
        g_ptr_array_add(labels, lt_printable(t->label));
        g_ptr_array_add(raw_labels, g_strdup(t->label));
    }
    lt_token_list_clear(&l);
    if (ids->len && !revoke_yes) {
        fprintf(stderr, "About to revoke %u token%s:\n", ids->len, ids->len == 1 ? "" : "s");
        for (guint i = 0; i < ids->len; i++)
            fprintf(stderr, "  %" G_GINT64_FORMAT "  %s\n", g_array_index(ids, int64_t, i), (char *)labels->pdata[i]);
        if (!cli_confirm("Revoke?")) {
            lt_client_free(c);
            json_decref(results);
            return cli_failf(x, LT_ERR_USAGE, "not confirmed: nothing revoked");
        }
    }
    for (guint i = 0; i < ids->len; i++) {
        int64_t id = g_array_index(ids, int64_t, i);
        if (lt_revoke_by_hand(&x->cfg, c, id, raw_labels->pdata[i], &e) == LT_OK) {
            if (!cli_out.json)
                printf("Revoked token %" G_GINT64_FORMAT " '%s'\n", id, (char *)labels->pdata[i]);
            noted(results, refs->pdata[i], id, raw_labels->pdata[i], "revoked", NULL);
        } else if (lt_error_is_not_found(&e) && revoke_ignore_missing) {
            fprintf(stderr, "linode-token: revoke: token %" G_GINT64_FORMAT " is already gone\n", id);
            noted(results, refs->pdata[i], id, raw_labels->pdata[i], "missing", NULL);
        } else {
            int code = cli_fail(x, &e);
            exit_code = exit_code ? exit_code : code;
            noted(results, refs->pdata[i], id, raw_labels->pdata[i], "failed", e.message);
        }
    }
    lt_client_free(c);
    if (cli_out.json)
        cli_print_json(results);
    json_decref(results);
    return exit_code;
}
