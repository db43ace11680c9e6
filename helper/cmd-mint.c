/* SPDX-License-Identifier: MIT */
/* cmd-mint.c - minting on demand from the command line: get, env. */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static char *m_profile, *m_scopes, *m_ttl, *m_min_remaining, *m_session;
static char **m_env;
static char *m_format;
static gboolean m_json, m_fish, m_nested;

#define MINT_ENTRIES                                                                                               \
    {                                                                                                              \
        "profile", 0, 0, G_OPTION_ARG_STRING, &m_profile, "Use [profile NAME] from the config (default: default)", \
        "NAME"},                                                                                                   \
        {"scopes", 0, 0, G_OPTION_ARG_STRING, &m_scopes, "An ad-hoc profile with these scopes", "SCOPES"},         \
        {"ttl", 0, 0, G_OPTION_ARG_STRING, &m_ttl, "Lifetime of a newly minted token (e.g. 30m)", "DURATION"},     \
        {"min-remaining",                                                                                          \
         0,                                                                                                        \
         0,                                                                                                        \
         G_OPTION_ARG_STRING,                                                                                      \
         &m_min_remaining,                                                                                         \
         "Do not hand out a cached token with less left than this",                                                \
         "DURATION"},                                                                                              \
    {                                                                                                              \
        "session", 0, 0, G_OPTION_ARG_STRING, &m_session, "Record the token for session ID", "ID"                  \
    }

static const GOptionEntry get_entries[] = {
    MINT_ENTRIES,
    {"json", 0, 0, G_OPTION_ARG_NONE, &m_json,
     "Print {\"token\",\"expiry\",\"id\",\"scopes\"} (credential_process style)", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};
static const GOptionEntry env_entries[] = {
    MINT_ENTRIES,
    {"format", 0, 0, G_OPTION_ARG_STRING, &m_format,
     "sh (export lines, the default), fish, json (one object) or dotenv (NAME=value lines)", "FORMAT"},
    {"fish", 0, 0, G_OPTION_ARG_NONE, &m_fish, "The same as --format fish", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

static const GOptionEntry exec_entries[] = {
    {"profile", 0, 0, G_OPTION_ARG_STRING, &m_profile, "Use [profile NAME] from the config (default: default)", "NAME"},
    {"scopes", 0, 0, G_OPTION_ARG_STRING, &m_scopes, "An ad-hoc profile with these scopes", "SCOPES"},
    {"ttl", 0, 0, G_OPTION_ARG_STRING, &m_ttl, "Lifetime of the token: size it to the job (e.g. 2h)", "DURATION"},
    {"env", 0, 0, G_OPTION_ARG_STRING_ARRAY, &m_env,
     "Put the token in NAME (repeatable; default LINODE_TOKEN and LINODE_CLI_TOKEN)", "NAME"},
    {"nested", 0, 0, G_OPTION_ARG_NONE, &m_nested,
     "Run even inside another linode-token exec (LINODE_TOKEN_EXEC is set)", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

/* The profile the flags describe, then acquire (dedicated: a token of its own, for exec). */
static int acquire_as(cli *x, lt_minted *m, int dedicated, const char *session)
{
    lt_error e;
    lt_mint_profile prof;
    lt_error_kind rc;
    if (m_scopes && m_profile)
        return cli_failf(x, LT_ERR_USAGE, "give --profile or --scopes, not both");
    g_autofree char *scopes = m_scopes ? cli_expand_scopes(m_scopes) : NULL;
    if (scopes && cli_check_services(scopes, &e) != LT_OK)
        return cli_fail(x, &e);
    rc = scopes ? lt_profile_adhoc(scopes, m_ttl, &prof, &e) : lt_profile_load(&x->cfg, m_profile, &prof, &e);
    if (rc == LT_ERR_USAGE && m_profile && !lt_profile_exists(&x->cfg, m_profile)) {
        g_autofree char *near = cli_near_profile(&x->cfg, m_profile);
        g_strlcat(e.message, near, sizeof e.message);
    }
    if (rc == LT_OK && m_ttl && !m_scopes)
        rc = lt_profile_set_ttl(&prof, m_ttl, &e);
    if (rc == LT_OK && m_min_remaining)
        rc = lt_profile_set_min_remaining(&prof, m_min_remaining, &e);
    if (rc == LT_OK) {
        lt_mint_options o = {.session = dedicated ? NULL : session,
                             .own_session = dedicated ? session : NULL,
                             .dedicated = dedicated,
                             .debug = x->debug,
                             .deadline_ms = x->deadline_ms};
        rc = lt_mint_acquire(&x->cfg, &prof, &o, m, &e);
    }
    g_autofree char *note = rc == LT_OK ? lt_mint_note(&prof, m) : NULL;
    lt_mint_profile_clear(&prof);
    if (rc != LT_OK)
        return cli_fail(x, &e);
    if (note)
        fprintf(stderr, "linode-token: %s: note: %s\n", x->cmd, note);
    if (x->debug) {
        g_autofree char *steps = lt_mint_timing(m);
        fprintf(stderr, "linode-token: %s: debug: %s token, steps (ms): %s\n", x->cmd,
                m->from_cache ? "cached" : "minted", steps);
    }
    return -1;
}

static int acquire(cli *x, lt_minted *m)
{
    return acquire_as(x, m, 0, m_session);
}

int cmd_get(cli *x, int argc, char **argv)
{
    int rc = cli_parse(x, "",
                       "Print a short-lived token for a profile: a cached one with enough time left,\n"
                       "else a newly minted one (one POST, whatever the number of callers).",
                       get_entries, 0, &argc, &argv);
    if (rc >= 0)
        return rc;
    lt_minted m;
    if ((rc = acquire(x, &m)) >= 0)
        return rc;
    if (m_json) {
        g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(m.expiry);
        g_autofree char *when = g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ");
        json_t *o = json_pack("{s:s,s:s,s:I,s:s}", "token", m.token, "expiry", when, "id", (json_int_t)m.id, "scopes",
                              m.scopes);
        char *text = json_dumps(o, JSON_COMPACT);
        puts(text);
        lt_secret_free(text);
        json_decref(o); /* jansson wipes its copy (lt_json_wipe_on_free in main) */
    } else {
        puts(m.token);
    }
    lt_minted_clear(&m);
    return 0;
}

/* What a program that reads the token also needs: where the API is (linodego, Terraform and
 * linode-cli would otherwise go to the real one) and until when the token works. */
typedef void (*put_fn)(const char *name, const char *value, void *ud);
static void put_extras(const lt_minted *m, put_fn put, void *ud)
{
    char num[24];
    g_snprintf(num, sizeof num, "%" G_GINT64_FORMAT, m->expiry);
    put("LINODE_TOKEN_EXPIRY", num, ud);
    if (!strcmp(m->api_url, "https://api.linode.com/v4"))
        return;
    /* LINODE_URL is scheme://host[/path] without the version, which goes in LINODE_API_VERSION;
     * linode-cli builds SCHEME://HOST/VERSION from its own three. */
    const char *sep = strstr(m->api_url, "://");
    const char *slash = strrchr(m->api_url, '/');
    int versioned = sep && slash && slash > sep + 2 && slash[1] == 'v' && g_ascii_isdigit(slash[2]);
    const char *end = versioned ? slash : m->api_url + strlen(m->api_url);
    g_autofree char *base = g_strndup(m->api_url, (gsize)(end - m->api_url));
    put("LINODE_URL", base, ud);
    if (versioned)
        put("LINODE_API_VERSION", slash + 1, ud);
    if (!sep)
        return;
    g_autofree char *scheme = g_strndup(m->api_url, (gsize)(sep - m->api_url));
    g_autofree char *host = g_strndup(sep + 3, (gsize)(end - sep - 3));
    put("LINODE_CLI_API_SCHEME", scheme, ud);
    put("LINODE_CLI_API_HOST", host, ud);
    put("LINODE_CLI_API_VERSION", versioned ? slash + 1 : "", ud);
}

/* fish: inside single quotes only \ and ' are special. */
static char *fish_quote(const char *v)
{
    GString *q = g_string_new("'");
    for (; *v; v++) {
        if (*v == '\\' || *v == '\'')
            g_string_append_c(q, '\\');
        g_string_append_c(q, *v);
    }
    g_string_append_c(q, '\'');
    return g_string_free(q, FALSE);
}

/* dotenv: bare when every byte is one that no dotenv reader (docker's env-file, python-dotenv,
 * Node's dotenv) treats specially; else single quotes, literal in those that read quotes. */
static char *dotenv_quote(const char *v)
{
    if (v[strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:@%+,-")] == '\0')
        return g_strdup(v);
    return g_strdup_printf("'%s'", v); /* env_out refused ' \ and newlines before */
}

typedef enum { ENV_SH, ENV_FISH, ENV_JSON, ENV_DOTENV } env_format;
typedef struct {
    env_format f;
    json_t *obj;  /* ENV_JSON: collected, printed at the end */
    GString *out; /* the other formats: all of it, printed only when every value could be written */
    int bad;      /* a value dotenv cannot hold */
} env_out;

static void put_shell(const char *name, const char *value, void *ud)
{
    env_out *o = ud;
    if (o->f == ENV_JSON) {
        json_object_set_new(o->obj, name, json_string(value));
        return;
    }
    if (o->f == ENV_DOTENV && strpbrk(value, "'\\\n\r")) {
        o->bad = 1;
        return;
    }
    g_autofree char *q = o->f == ENV_FISH     ? fish_quote(value)
                         : o->f == ENV_DOTENV ? dotenv_quote(value)
                                              : g_shell_quote(value);
    g_string_append_printf(o->out,
                           o->f == ENV_FISH ? "set -gx %s %s;\n"
                           : o->f == ENV_SH ? "export %s=%s\n"
                                            : "%s=%s\n",
                           name, q);
    explicit_bzero(q, strlen(q));
}

int cmd_env(cli *x, int argc, char **argv)
{
    int rc = cli_parse(x, "",
                       "Print shell commands that export LINODE_TOKEN and LINODE_CLI_TOKEN, and\n"
                       "LINODE_TOKEN_EXPIRY; for an API other than api.linode.com also LINODE_URL and\n"
                       "LINODE_API_VERSION (linodego, Terraform) and LINODE_CLI_API_SCHEME, _HOST and\n"
                       "_VERSION (linode-cli):\n"
                       "  eval \"$(linode-token env --profile dns)\"\n"
                       "--format fish | json | dotenv for the others (aws-vault's export formats).",
                       env_entries, 0, &argc, &argv);
    if (rc >= 0)
        return rc;
    const char *fmt = m_format ? m_format : m_fish ? "fish" : "sh";
    const char *const names[] = {"sh", "fish", "json", "dotenv"};
    env_out o = {.f = ENV_SH};
    while (o.f <= ENV_DOTENV && strcmp(names[o.f], fmt))
        o.f++;
    if (m_fish && m_format && strcmp(m_format, "fish"))
        return cli_failf(x, LT_ERR_USAGE, "--fish and --format %s disagree: give one", m_format);
    if (o.f > ENV_DOTENV) {
        g_autofree char *near = lt_did_you_mean(fmt, names, G_N_ELEMENTS(names));
        return cli_failf(x, LT_ERR_USAGE, "--format %s: give sh, fish, json or dotenv%s", fmt, near);
    }
    lt_minted m;
    if ((rc = acquire(x, &m)) >= 0)
        return rc;
    o.obj = json_object();
    o.out = g_string_new(NULL);
    /* Tokens are letters and digits (the client checks), and quoted all the same. */
    put_shell("LINODE_TOKEN", m.token, &o);
    put_shell("LINODE_CLI_TOKEN", m.token, &o);
    put_extras(&m, put_shell, &o);
    if (o.bad)
        rc = cli_failf(x, LT_ERR_USAGE, "--format dotenv: a value holds a quote, backslash or newline; use json");
    else if (o.f == ENV_JSON)
        cli_print_json(o.obj);
    else
        fputs(o.out->str, stdout);
    json_decref(o.obj); /* jansson wipes its copies (lt_json_wipe_on_free in main) */
    explicit_bzero(o.out->str, o.out->len);
    g_string_free(o.out, TRUE);
    lt_minted_clear(&m);
    return rc < 0 ? 0 : rc;
}

/* ---- exec ---- */
static void put_environ(const char *name, const char *value, char ***envp)
{
    *envp = g_environ_setenv(*envp, name, value, TRUE);
}

/* Before anything is minted: can cmd[0] be run at all? (else a token would be minted, the exec fail
 * and the token be revoked again). A word that names a profile is the aws-vault habit of naming a
 * profile first: say so. Returns -1 when it can run, else the exit code (127, as a shell's). */
static int exec_precheck(cli *x, char **cmd)
{
    g_autofree char *found = strchr(cmd[0], '/') ? (access(cmd[0], X_OK) == 0 ? g_strdup(cmd[0]) : NULL)
                                                 : g_find_program_in_path(cmd[0]);
    if (found)
        return -1;
    if (!strchr(cmd[0], '/') && lt_profile_exists(&x->cfg, cmd[0])) {
        char **rest = cmd + 1;
        if (*rest && !strcmp(*rest, "--"))
            rest++;
        g_autofree char *args = g_strjoinv(" ", rest);
        cli_failf(x, LT_ERR_USAGE,
                  "cannot run %s: no such command; %s is a profile: did you mean "
                  "'linode-token exec --profile %s -- %s'?",
                  cmd[0], cmd[0], cmd[0], *rest ? args : "COMMAND");
    } else {
        cli_failf(x, LT_ERR_USAGE, "cannot run %s: %s (nothing was minted)", cmd[0],
                  strchr(cmd[0], '/') ? g_strerror(errno) : "no such command in PATH");
    }
    return 127;
}

static volatile sig_atomic_t child_pid;

static void forward(int sig)
{
    if (child_pid > 0)
        kill((pid_t)child_pid, sig);
}

int cmd_exec(cli *x, int argc, char **argv)
{
    int rc = cli_parse(x, "[-- COMMAND [ARG...]]",
                       "Run COMMAND (without one: $SHELL) with a token of its own in LINODE_TOKEN and\n"
                       "LINODE_CLI_TOKEN, its expiry in LINODE_TOKEN_EXPIRY and, for an API other than\n"
                       "api.linode.com, LINODE_URL, LINODE_API_VERSION and linode-cli's LINODE_CLI_API_SCHEME,\n"
                       "_HOST and _VERSION; revoke the token when COMMAND ends, however it ends. SIGINT,\n"
                       "SIGTERM and SIGHUP are passed on to it. LINODE_TOKEN_EXEC (the profile) tells\n"
                       "COMMAND it runs inside exec; an exec there is refused unless --nested.\n"
                       "Exits with COMMAND's status (128+N when a signal N ended it). If the wrapper itself is\n"
                       "killed, `linode-token reap` finds the token later.",
                       exec_entries, -1, &argc, &argv);
    if (rc >= 0)
        return rc;
    /* aws-vault's guard: a command inside exec has a token of its own already; another exec there
     * would mint a second one and hide the first from tools that read LINODE_TOKEN. */
    const char *outer = lt_env_get("LINODE_TOKEN_EXEC");
    if (outer && !m_nested)
        return cli_failf(x, LT_ERR_USAGE,
                         "already inside 'linode-token exec' (profile %s; LINODE_TOKEN_EXEC is "
                         "set), whose token this command would replace: pass --nested to mint another anyway",
                         outer);
    int first = 1;
    if (first < argc && !strcmp(argv[first], "--"))
        first++;
    /* No command: a shell, as aws-vault does ($SHELL, else /bin/sh). */
    const char *shell = lt_env_get("SHELL");
    char *shell_argv[] = {(char *)(shell && *shell ? shell : "/bin/sh"), NULL};
    char **cmd = first < argc ? argv + first : shell_argv;
    g_auto(GStrv) names = g_key_file_get_string_list(x->cfg.kf, "general", "exec_env", NULL, NULL);
    const char *const dflt[] = {"LINODE_TOKEN", "LINODE_CLI_TOKEN", NULL};
    const char *const *envs = m_env ? (const char *const *)m_env : names ? (const char *const *)names : dflt;
    lt_error ne;
    for (size_t i = 0; envs[i]; i++) /* before anything is minted: a bad name must cost nothing */
        if (lt_exec_env_name_check(envs[i], &ne) != LT_OK)
            return cli_failf(x, LT_ERR_USAGE, "--env: %s", ne.message);

    if ((rc = exec_precheck(x, cmd)) >= 0)
        return rc;
    /* The token is recorded under this wrapper's own session, which ends when the wrapper does. */
    g_autofree char *session = lt_session_id_for_self();
    lt_minted m;
    if ((rc = acquire_as(x, &m, 1, session)) >= 0)
        return rc;
    char **envp = g_get_environ();
    for (size_t i = 0; envs[i]; i++)
        envp = g_environ_setenv(envp, envs[i], m.token, TRUE);
    put_extras(&m, (put_fn)put_environ, &envp);
    envp = g_environ_setenv(envp, "LINODE_TOKEN_EXEC", m_profile ? m_profile : m_scopes ? "adhoc" : "default", TRUE);

    struct sigaction sa = {.sa_handler = forward}, old[3];
    sigemptyset(&sa.sa_mask);
    const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
    for (int i = 0; i < 3; i++)
        sigaction(sigs[i], &sa, &old[i]);
    pid_t pid = fork();
    if (pid == 0) {
        for (int i = 0; i < 3; i++)
            sigaction(sigs[i], &old[i], NULL);
        execvpe(cmd[0], cmd, envp);
        fprintf(stderr, "linode-token: exec: cannot run %s: %s\n", cmd[0], g_strerror(errno));
        _exit(127);
    }
    child_pid = pid;
    /* The child has its own copy; wipe ours. */
    for (size_t i = 0; envp[i]; i++)
        for (size_t k = 0; envs[k]; k++)
            if (g_str_has_prefix(envp[i], envs[k]) && envp[i][strlen(envs[k])] == '=')
                explicit_bzero(envp[i], strlen(envp[i]));
    g_strfreev(envp);
    int status = 0;
    if (pid < 0) {
        rc = cli_failf(x, LT_ERR_SYSTEM, "cannot fork: %s", g_strerror(errno));
    } else {
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    child_pid = 0;
    for (int i = 0; i < 3; i++)
        sigaction(sigs[i], &old[i], NULL);
    if (g_get_real_time() / G_USEC_PER_SEC > m.expiry)
        fprintf(stderr,
                "linode-token: exec: warning: the command outlived its token (expired %s); use a longer --ttl\n",
                cli_when(m.expiry, (char[20]){0}));
    /* Revoke whatever happened; what cannot be revoked now is queued. */
    g_autoptr(GArray) out = g_array_new(FALSE, TRUE, sizeof(lt_outcome));
    g_array_set_clear_func(out, (GDestroyNotify)lt_outcome_clear);
    lt_revoke_options ro = {.deadline_ms = x->deadline_ms, .debug = x->debug};
    lt_session_end(&x->cfg, session, &ro, out);
    for (guint i = 0; i < out->len; i++) {
        lt_outcome *r = &g_array_index(out, lt_outcome, i);
        if (r->error.kind != LT_OK)
            fprintf(stderr, "linode-token: exec: token %" G_GINT64_FORMAT " not revoked (%s)%s\n", r->id,
                    r->error.message, r->queued ? "; queued for the next run" : "");
    }
    lt_minted_clear(&m);
    return rc;
}
