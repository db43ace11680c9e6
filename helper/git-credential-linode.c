/* SPDX-License-Identifier: MIT */
/* git-credential-linode.c - git's credential-helper protocol (docs/git-credential-protocol.md):
 * `get` answers for the configured Linode API with a short-lived token from the minting policy;
 * `store` is a no-op; `erase` drops and revokes a token we minted. Silent on success; on failure
 * one line on stderr and nothing on stdout, so git falls back or fails cleanly. */
#include "git-protocol.h"
#include "session-layer.h"

#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

static char *opt_profile, *opt_config, *opt_session;

static const lt_config *fail_cfg; /* for the hint: where the parent comes from */

/* One line, the same message, hint and exit code as linode-token gives for the same error. */
static int fail(const char *op, const lt_error *e)
{
    static const lt_config none;
    g_autofree char *hint = lt_config_hint(fail_cfg ? fail_cfg : &none, e);
    fprintf(stderr, "git-credential-linode: %s: %s%s%s%s\n", op, e->message, hint ? " (" : "", hint ? hint : "",
            hint ? ")" : "");
    return lt_error_exit_code(e);
}

/* The profile a request is for: --profile, else git's username when such a profile exists, else
 * "default" (get and erase alike). */
static const char *profile_name(const lt_config *cfg, const lt_git_request *r)
{
    if (opt_profile)
        return opt_profile;
    return r->username && *r->username && lt_profile_exists(cfg, r->username) ? r->username : "default";
}

static int op_get(const lt_config *cfg, const lt_git_request *r)
{
    if (!lt_git_names_api(cfg->api_url, cfg->allow_insecure_loopback, r->protocol, r->host))
        return 0; /* not ours: say nothing, so git asks the next helper */
    const char *name = profile_name(cfg, r);
    lt_error e;
    lt_mint_profile prof;
    if (lt_profile_load(cfg, name, &prof, &e) != LT_OK)
        return fail("get", &e);
    lt_minted m;
    lt_mint_options o = {.session = opt_session};
    lt_error_kind rc = lt_mint_acquire(cfg, &prof, &o, &m, &e);
    g_autofree char *note = rc == LT_OK ? lt_mint_note(&prof, &m) : NULL;
    lt_mint_profile_clear(&prof);
    if (rc != LT_OK)
        return fail("get", &e);
    if (note) /* git shows a helper's stderr: a cut lifetime is never silent */
        fprintf(stderr, "git-credential-linode: note: %s\n", note);
    /* The policy never hands out a token with less than min_remaining left; git 2.39 would not check. */
    if (lt_git_answer_bearer(r))
        printf("capability[]=authtype\nauthtype=Bearer\ncredential=%s\nephemeral=1\n", m.token);
    else
        printf("username=%s\npassword=%s\n", name, m.token);
    printf("password_expiry_utc=%" G_GINT64_FORMAT "\n", m.expiry);
    fflush(stdout);
    lt_minted_clear(&m);
    return 0;
}

static int op_erase(const lt_config *cfg, const lt_git_request *r)
{
    if (!lt_git_names_api(cfg->api_url, cfg->allow_insecure_loopback, r->protocol, r->host))
        return 0;
    const char *secret = r->credential ? r->credential : r->password;
    if (!secret)
        return 0;
    lt_error e;
    lt_erase_verdict v;
    if (lt_mint_erase(cfg, opt_session, secret, &v, &e) != LT_OK)
        return fail("erase", &e);
    if (v == LT_ERASE_KEPT) { /* Linode answers 401 for a missing scope too: the token was not the problem */
        const char *name = profile_name(cfg, r);
        lt_mint_profile prof;
        g_autofree char *scopes = lt_profile_load(cfg, name, &prof, &e) == LT_OK ? g_strdup(prof.scopes) : NULL;
        if (scopes)
            lt_mint_profile_clear(&prof);
        g_autofree char *shown = lt_printable(name); /* the username comes from git's request */
        /* say what is known: git 2.41 and later say what the server asked for (wwwauth[]), 2.46 and
         * later whether they can send a Bearer token (capability[]=authtype) */
        if (r->wwwauth_bearer && !r->cap_authtype)
            fputs("git-credential-linode: erase: the server refused a token that is still valid; kept it (the "
                  "server asks for a Bearer token, which this git cannot send: that needs git 2.46 or later)\n",
                  stderr);
        else if (!r->wwwauth)
            fprintf(stderr,
                    "git-credential-linode: erase: the server refused a token that is still valid; kept it "
                    "(this git does not say what the server asked for (no wwwauth[]: git before 2.41): if "
                    "it wants a Bearer token, this git cannot send one (git 2.46 or later can); else a "
                    "missing scope: profile %s has '%s')\n",
                    shown, scopes ? scopes : "?");
        else
            fprintf(stderr,
                    "git-credential-linode: erase: the server refused a token that is still valid; kept it "
                    "(likely a missing scope: profile %s has '%s')\n",
                    shown, scopes ? scopes : "?");
    } else if (v == LT_ERASE_SET_ASIDE) {
        fputs("git-credential-linode: erase: the token was refused, but the API still knows it: it is not "
              "handed out again, and end-session revokes it\n",
              stderr);
    }
    return 0;
}

/* git's credential operations (gitcredentials(7)); fn NULL: accepted, nothing to do (git never
 * stores our tokens; anything else is not ours to keep). Unknown ones are ignored, so git can add
 * new ones. */
static const struct {
    const char *name;
    int (*fn)(const lt_config *cfg, const lt_git_request *r);
} ops[] = {
    {"get", op_get},
    {"store", NULL},
    {"erase", op_erase},
};

int main(int argc, char **argv)
{
    static gboolean opt_version;
    static const GOptionEntry entries[] = {
        {"version", 0, 0, G_OPTION_ARG_NONE, &opt_version, "Print the version and exit", NULL},
        {"profile", 0, 0, G_OPTION_ARG_STRING, &opt_profile, "Mint for [profile NAME]", "NAME"},
        {"config", 0, 0, G_OPTION_ARG_FILENAME, &opt_config, "Read FILE instead of the default config", "FILE"},
        {"session", 0, 0, G_OPTION_ARG_STRING, &opt_session, "Record minted tokens for session ID", "ID"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    if (lt_process_privileged()) { /* set-uid/set-gid: the environment and files would be the caller's */
        fputs("git-credential-linode: refusing to run set-uid or set-gid; install it as a plain program\n", stderr);
        return 2;
    }
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); /* a core dump would hold the parent token */
    lt_env_own();                       /* our process: the library may set a variable for a moment */
    lt_json_wipe_on_free();
    if (isatty(STDERR_FILENO)) /* git shows our stderr: a person waiting sees why */
        lt_http_wait_notice("git-credential-linode");
    g_autoptr(GOptionContext) ctx = g_option_context_new("get|store|erase");
    g_option_context_set_summary(ctx, "A git credential helper that hands out short-lived Linode API tokens.\n"
                                      "  git config --global credential.https://api.linode.com.helper linode");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) gerr = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &gerr)) {
        fprintf(stderr, "git-credential-linode: %s\n", gerr->message);
        return 2;
    }
    if (opt_version) {
        puts("git-credential-linode " LT_VERSION);
        return 0;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: git-credential-linode [--profile NAME] get|store|erase\n");
        return 2;
    }
    const char *op = argv[1];
    size_t at = 0;
    while (at < G_N_ELEMENTS(ops) && strcmp(ops[at].name, op))
        at++;
    if (at == G_N_ELEMENTS(ops))
        return 0; /* unknown operations are ignored, so git can add new ones */
    lt_git_request r = {0};
    const char *why = NULL;
    if (!lt_git_read_request(stdin, &r, &why)) {
        fprintf(stderr, "git-credential-linode: %s: bad input: %s\n", op, why);
        lt_git_request_clear(&r);
        return 2; /* bad usage, as the exit code table says */
    }
    lt_config cfg;
    lt_config_flags f = {.config_file = opt_config};
    lt_error e;
    int rc = 0;
    if (!ops[at].fn) {
        rc = 0;
    } else if (lt_config_load(&f, &cfg, &e) != LT_OK) {
        rc = fail(op, &e);
    } else {
        fail_cfg = &cfg;
        rc = ops[at].fn(&cfg, &r);
        fail_cfg = NULL;
        lt_config_clear(&cfg);
    }
    lt_git_request_clear(&r);
    g_free(opt_profile);
    g_free(opt_config);
    g_free(opt_session);
    return rc;
}
