/* SPDX-License-Identifier: MIT */
/* linode-token.c - the command line: global options, dispatch, and what subcommands share. */
#include "cli.h"

#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

#define EXIT_CODES                                                                          \
    "Exit codes: 0 ok, 1 API error, 2 bad usage, 3 no credential or keyring unavailable,\n" \
    "4 network or timeout."

static char *opt_config, *opt_api_url, *opt_parent_file, *opt_timeout;
static gboolean opt_insecure, opt_debug;

static const GOptionEntry global_entries[] = {
    {"config", 0, 0, G_OPTION_ARG_FILENAME, &opt_config, "Read FILE instead of ~/.config/linode-token/config", "FILE"},
    {"api-url", 0, 0, G_OPTION_ARG_STRING, &opt_api_url, "API base URL (default https://api.linode.com/v4)", "URL"},
    {"allow-insecure-loopback", 0, 0, G_OPTION_ARG_NONE, &opt_insecure,
     "Permit http:// to 127.0.0.1, ::1 and localhost (tests)", NULL},
    {"parent-token-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_parent_file, "Read the parent token from FILE (mode 0600)",
     "FILE"},
    {"debug", 0, 0, G_OPTION_ARG_NONE, &opt_debug,
     "Trace API requests to stderr (secrets redacted); get, env and exec also time their steps", NULL},
    {"timeout", 0, 0, G_OPTION_ARG_STRING, &opt_timeout, "Give up on the API after DURATION (default 30s)", "DURATION"},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

typedef struct {
    const char *name;
    int (*fn)(cli *, int, char **);
    const char *summary;
} command;

static const command commands[] = {
    {"list", cmd_list, "List your personal access tokens"},
    {"view", cmd_view, "Show one token and its access per service"},
    {"create", cmd_create, "Create a token (its secret is shown once)"},
    {"rename", cmd_rename, "Change a token's label"},
    {"revoke", cmd_revoke, "Revoke tokens"},
    {"get", cmd_get, "Print a short-lived token for a profile (cached, else minted)"},
    {"env", cmd_env, "Print export lines for LINODE_TOKEN and LINODE_CLI_TOKEN"},
    {"exec", cmd_exec, "Run a command with a token of its own, revoked when it ends"},
    {"end-session", cmd_end_session, "Revoke every token minted in a session"},
    {"reap", cmd_reap, "Revoke our tokens whose session is gone"},
    {"audit", cmd_audit, "Print the log of mints, revocations and reaps"},
    {"login", cmd_login, "Store the parent token in the Secret Service"},
    {"logout", cmd_logout, "Revoke what the parent minted, then remove it from the Secret Service"},
    {"status", cmd_status, "Say where the parent token comes from, whose it is, and its scopes"},
    {"setup-git", cmd_setup_git, "Configure git to ask git-credential-linode for the API"},
    {"profiles", cmd_profiles, "List the configured profiles and what this session has cached for each"},
    {"rotate", cmd_rotate, "Replace the parent token with a new one of the same scopes"},
    {"help", NULL, "Describe a command (help COMMAND is COMMAND --help)"},
};

int cli_fail(const cli *x, const lt_error *err)
{
    g_autofree char *hint = lt_config_hint(&x->cfg, err); /* the same table as git's helper */
    fprintf(stderr, "linode-token: %s%s%s%s%s%s\n", x->cmd ? x->cmd : "", x->cmd ? ": " : "", err->message,
            hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
    return lt_error_exit_code(err);
}

int cli_failf(const cli *x, lt_error_kind kind, const char *fmt, ...)
{
    lt_error e = {.kind = kind};
    char raw[sizeof e.message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    lt_printable_into(raw, strlen(raw), e.message, sizeof e.message); /* may quote the server */
    return cli_fail(x, &e);
}

int cli_parse(cli *x, const char *params, const char *summary, const GOptionEntry *entries, int max_args, int *argc,
              char ***argv)
{
    g_autofree char *prg = g_strdup_printf("linode-token %s", x->cmd);
    g_set_prgname(prg);
    g_autoptr(GOptionContext) ctx = g_option_context_new(params);
    g_autofree char *desc = g_strdup_printf("%s\n\n%s", summary, EXIT_CODES);
    g_option_context_set_description(ctx, desc);
    g_option_context_add_main_entries(ctx, entries, NULL);
    GOptionGroup *g = g_option_group_new("global", "Global options:", "Show global options", NULL, NULL);
    g_option_group_add_entries(g, global_entries);
    g_option_context_add_group(ctx, g);
    g_autoptr(GError) gerr = NULL;
    if (!g_option_context_parse(ctx, argc, argv, &gerr))
        return cli_failf(x, LT_ERR_USAGE, "%s (see linode-token %s --help)", gerr->message, x->cmd);
    if (max_args >= 0 && *argc > max_args + 1)
        return cli_failf(x, LT_ERR_USAGE, "unexpected argument '%s' (see linode-token %s --help)",
                         (*argv)[max_args + 1], x->cmd);
    lt_config_flags f = {.config_file = opt_config,
                         .api_url = opt_api_url,
                         .allow_insecure_loopback = opt_insecure,
                         .parent_token_file = opt_parent_file};
    lt_error e;
    const int no_config = x->no_user_config && *x->no_user_config;
    if (no_config && opt_config)
        return cli_failf(x, LT_ERR_USAGE,
                         "--config names a user's configuration, which this command does not read "
                         "(see linode-token %s --help)",
                         x->cmd);
    if (!no_config && lt_config_load(&f, &x->cfg, &e) != LT_OK)
        return cli_fail(x, &e);
    x->debug = opt_debug;
    if (opt_timeout) {
        int64_t secs;
        if (lt_duration_parse(opt_timeout, &secs, &e) != LT_OK)
            return cli_failf(x, LT_ERR_USAGE, "--timeout: %s", e.message);
        x->deadline_ms = secs > 3600 ? 3600000 : (long)secs * 1000;
    }
    return -1;
}

lt_client *cli_client_for(const cli *x, const char *token, lt_error *err)
{
    lt_client *c = NULL;
    lt_config_client(&x->cfg, NULL, token, x->debug, x->deadline_ms, &c, err);
    return c;
}

lt_client *cli_parent_client(const cli *x, char prefix[17], lt_error *err)
{
    /* Check the URL first: a refused URL should not cost a keyring lookup. */
    if (lt_api_url_check(x->cfg.api_url, x->cfg.allow_insecure_loopback, err) != LT_OK)
        return NULL;
    char *parent = NULL;
    if (lt_parent_get(&x->cfg, NULL, &parent, err) != LT_OK)
        return NULL;
    if (prefix)
        g_strlcpy(prefix, parent, 17);
    lt_client *c = cli_client_for(x, parent, err);
    lt_secret_free(parent);
    return c;
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!g_ascii_isdigit(*s))
            return 0;
    return 1;
}

lt_error_kind cli_resolve(lt_client *c, const char *ref, lt_token *out, lt_error *err)
{
    memset(out, 0, sizeof *out);
    if (all_digits(ref)) {
        int64_t id = g_ascii_strtoll(ref, NULL, 10);
        if (id <= 0 || strlen(ref) > 18)
            return lt_error_set(err, LT_ERR_USAGE, "'%s' is not a token id", ref);
        lt_error_kind rc = lt_client_get_token(c, id, out, err);
        if (rc != LT_OK && lt_error_is_not_found(err))
            lt_error_set(err, LT_ERR_API, "no token with id %s (HTTP 404)", ref), err->http_status = 404;
        return rc;
    }
    json_t *f = json_pack("{s:s}", "label", ref);
    if (!f)
        return lt_error_set(err, LT_ERR_USAGE, "the label is not valid UTF-8");
    g_autofree char *filter = json_dumps(f, JSON_COMPACT);
    json_decref(f);
    lt_token_list l;
    lt_error_kind rc = lt_client_list_tokens(c, filter, &l, err);
    if (rc != LT_OK)
        return rc;
    size_t hits = 0, at = 0;
    for (size_t i = 0; i < l.count; i++)
        if (!strcmp(l.items[i].label, ref)) /* do not trust the server's filter alone */
            hits++, at = i;
    if (hits == 1) {
        *out = l.items[at];
        memset(&l.items[at], 0, sizeof l.items[at]);
    } else if (hits == 0) {
        rc = lt_error_set(err, LT_ERR_API, "no token labelled '%s'", ref);
    } else {
        GString *ids = g_string_new(NULL);
        for (size_t i = 0; i < l.count; i++)
            if (!strcmp(l.items[i].label, ref))
                g_string_append_printf(ids, "%s%" G_GINT64_FORMAT, ids->len ? ", " : "", l.items[i].id);
        rc = lt_error_set(err, LT_ERR_USAGE, "the label '%s' matches %zu tokens (ids %s): give an id", ref, hits,
                          ids->str);
        g_string_free(ids, TRUE);
    }
    lt_token_list_clear(&l);
    return rc;
}

const char *cli_when(int64_t t, char buf[20])
{
    if (t == LT_TIME_NEVER)
        return "never";
    lt_time_format_api(t, buf);
    return buf;
}

char *cli_scope_summary(const char *scopes)
{
    lt_scopes s;
    lt_scopes_parse(scopes, LT_SCOPES_LENIENT, &s, NULL);
    if (s.all)
        return g_strdup("all");
    GString *out = g_string_new(NULL);
    for (size_t i = 0; i < lt_scopes_service_count(); i++)
        if (s.level[i] != LT_LEVEL_NONE)
            g_string_append_printf(out, "%s%s:%s", out->len ? " " : "", lt_scopes_service_name(i),
                                   s.level[i] == LT_LEVEL_READ_WRITE ? "rw" : "ro");
    if (!out->len)
        g_string_append(out, "none");
    return g_string_free(out, FALSE);
}

char *cli_expand_scopes(const char *scopes)
{
    g_auto(GStrv) items = g_strsplit_set(scopes, " ,", -1);
    GString *out = g_string_new(NULL);
    for (size_t i = 0; items[i]; i++) {
        if (!*items[i])
            continue;
        const char *colon = strrchr(items[i], ':');
        const char *level = colon ? colon + 1 : "";
        const char *full = !strcmp(level, "ro") ? "read_only" : !strcmp(level, "rw") ? "read_write" : NULL;
        if (out->len)
            g_string_append_c(out, ' ');
        if (full)
            g_string_append_printf(out, "%.*s:%s", (int)(colon - items[i]), items[i], full);
        else
            g_string_append(out, items[i]);
    }
    return g_string_free(out, FALSE);
}

char *cli_near_service(const char *svc)
{
    const char *names[LT_SCOPES_MAX_SERVICES];
    size_t n = lt_scopes_service_count();
    for (size_t k = 0; k < n; k++)
        names[k] = lt_scopes_service_name(k);
    return lt_did_you_mean(svc, names, n);
}

char *cli_near_profile(const lt_config *cfg, const char *name)
{
    g_auto(GStrv) groups = cfg->kf ? g_key_file_get_groups(cfg->kf, NULL) : NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    for (size_t i = 0; groups && groups[i]; i++)
        if (g_str_has_prefix(groups[i], "profile "))
            g_ptr_array_add(names, groups[i] + strlen("profile "));
    return lt_did_you_mean(name, (const char *const *)names->pdata, names->len);
}

lt_error_kind cli_check_services(const char *scopes, lt_error *err)
{
    g_auto(GStrv) items = g_strsplit_set(scopes, " ,", -1);
    for (size_t i = 0; items[i]; i++) {
        const char *colon = strchr(items[i], ':');
        if (!*items[i] || !colon || !strcmp(items[i], "*"))
            continue; /* lt_scopes_parse says what is wrong with those */
        g_autofree char *svc = g_strndup(items[i], (size_t)(colon - items[i]));
        if (lt_scopes_service_index(svc) < 0) {
            g_autofree char *near = cli_near_service(svc);
            return lt_error_set(err, LT_ERR_USAGE, "--scopes '%s': unknown service '%s'%s", items[i], svc, near);
        }
    }
    return LT_OK;
}

static void usage(FILE *out)
{
    fputs("Usage: linode-token [GLOBAL-OPTION...] COMMAND [OPTION...] [ARG...]\n\n"
          "Manage Linode personal access tokens from a parent token kept in the Secret Service.\n\n"
          "Commands:\n",
          out);
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
        fprintf(out, "  %-12s  %s\n", commands[i].name, commands[i].summary);
    fputs("\nGlobal options (also accepted after the command):\n"
          "  --config FILE              read FILE instead of $XDG_CONFIG_HOME/linode-token/config\n"
          "  --api-url URL              API base URL (else config, else LINODE_URL + LINODE_API_VERSION,\n"
          "                             else https://api.linode.com/v4)\n"
          "  --allow-insecure-loopback  permit http:// to 127.0.0.1, ::1 and localhost only\n"
          "  --parent-token-file FILE   read the parent token from FILE (must not be group/other readable)\n"
          "  --debug                    trace API requests to stderr (Authorization and tokens redacted);\n"
          "                             get, env and exec also say where the time went\n"
          "  --timeout DURATION         give up on the API after DURATION (e.g. 10s; default 30s)\n"
          "  --version                  print the version and exit\n\n"
          "'linode-token help COMMAND' (or 'linode-token COMMAND --help') describes each command.\n\n" EXIT_CODES "\n",
          out);
}

static const command *find_command(const char *name)
{
    for (size_t k = 0; k < G_N_ELEMENTS(commands); k++)
        if (!strcmp(commands[k].name, name))
            return &commands[k];
    return NULL;
}

static int unknown_command(const char *word)
{
    const char *names[G_N_ELEMENTS(commands)];
    for (size_t k = 0; k < G_N_ELEMENTS(commands); k++)
        names[k] = commands[k].name;
    g_autofree char *near = lt_did_you_mean(word, names, G_N_ELEMENTS(commands));
    g_autofree char *shown = lt_printable(word);
    fprintf(stderr, "linode-token: unknown command '%s'%s (see linode-token --help)\n", shown, near);
    return 2;
}

int main(int argc, char **argv)
{
    /* GLib writes its option help in the locale's charset ("[OPTION…]" needs a UTF-8 one); numbers
     * stay in the C form that scripts and the benches read. */
    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C");
    if (lt_process_privileged()) { /* set-uid/set-gid: the environment and files would be the caller's */
        fputs("linode-token: refusing to run set-uid or set-gid; install it as a plain program\n", stderr);
        return 2;
    }
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); /* a core dump would hold the parent token */
    lt_env_own();                       /* our process: the library may set a variable for a moment */
    cli x = {0};
    int i = 1;
    /* Global options may come before the command; find the command word. */
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--version")) {
            puts("linode-token " LT_VERSION);
            return 0;
        }
        if (!strcmp(argv[i], "--config") || !strcmp(argv[i], "--api-url") || !strcmp(argv[i], "--parent-token-file") ||
            !strcmp(argv[i], "--timeout"))
            i++; /* takes a value */
    }
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    const command *cmd = find_command(argv[i]);
    if (cmd && !cmd->fn) { /* help [COMMAND]: as gh and git do */
        if (i + 1 >= argc || !strcmp(argv[i + 1], "help")) {
            usage(stdout);
            return 0;
        }
        cmd = find_command(argv[++i]);
        if (!cmd)
            return unknown_command(argv[i]);
        char *help_argv[] = {argv[i], (char *)"--help", NULL};
        x.cmd = cmd->name;
        return cmd->fn(&x, 2, help_argv);
    }
    if (!cmd)
        return unknown_command(argv[i]);
    x.cmd = cmd->name;
    lt_json_wipe_on_free();
    if (isatty(STDERR_FILENO)) /* a person waits: say so when the API is slow (never on a pipe) */
        lt_http_wait_notice("linode-token");
    /* Hand the subcommand argv with the command word first and the globals after it. */
    g_autofree char **sub = g_new0(char *, (size_t)argc + 1);
    int n = 0;
    sub[n++] = argv[i];
    for (int k = 1; k < i; k++)
        sub[n++] = argv[k];
    for (int k = i + 1; k < argc; k++)
        sub[n++] = argv[k];
    int rc = cmd->fn(&x, n, sub); /* libcurl is loaded only if the command speaks HTTP */
    lt_config_clear(&x.cfg);
    g_free(opt_config);
    g_free(opt_api_url);
    g_free(opt_parent_file);
    g_free(opt_timeout);
    return rc;
}
