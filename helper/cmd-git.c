/* SPDX-License-Identifier: MIT */
/* cmd-git.c - linode-token setup-git: point git at git-credential-linode for the configured API
 * (as `gh auth setup-git` does), idempotently; --unset takes it out again. */
#include "cli.h"

#include <sys/stat.h>

#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static gboolean g_unset;
static const GOptionEntry git_entries[] = {
    {"unset", 0, 0, G_OPTION_ARG_NONE, &g_unset, "Remove the configuration instead", NULL},
    CLI_JSON_ENTRY("Print one JSON object: {\"url\",\"helper\",\"action\"} (set, unchanged, removed, absent)"),
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

/* What setup-git did: one line for a person, or one JSON object (--json). */
static int done(const char *url, const char *key, const char *helper, const char *action)
{
    if (cli_out.json) {
        json_t *o = json_pack("{s:s,s:s,s:s}", "url", url, "helper", helper, "action", action);
        cli_print_json(o);
        json_decref(o);
    } else if (!strcmp(action, "removed") || !strcmp(action, "absent")) {
        printf(!strcmp(action, "absent") ? "git was not set up for %s\n" : "Removed %s\n", url);
    } else if (!strcmp(action, "unchanged")) {
        printf("git is already set up for %s\n", url);
    } else {
        printf("git now asks git-credential-linode for %s:\n  git config --global %s ''\n"
               "  git config --global --add %s %s\n",
               url, key, key, helper);
    }
    return 0;
}

/* Run git with argv (no shell); its stdout in *out (may be NULL). The exit status, or -1. */
static int git(const char *const *argv, char **out)
{
    int status = 0;
    g_autoptr(GError) gerr = NULL;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | (out ? 0 : G_SPAWN_STDOUT_TO_DEV_NULL), NULL,
                      NULL, out, NULL, &status, &gerr))
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* scheme://host[:port] of the API: what credential.<url> matches. */
static char *credential_url(const char *api_url)
{
    g_autoptr(GUri) u = g_uri_parse(api_url, G_URI_FLAGS_NON_DNS, NULL);
    if (!u || !g_uri_get_host(u))
        return NULL;
    const char *h = g_uri_get_host(u);
    g_autofree char *host = strchr(h, ':') ? g_strdup_printf("[%s]", h) : g_strdup(h);
    return g_uri_get_port(u) > 0 ? g_strdup_printf("%s://%s:%d", g_uri_get_scheme(u), host, g_uri_get_port(u))
                                 : g_strdup_printf("%s://%s", g_uri_get_scheme(u), host);
}

/* "linode" when the git-credential-linode git finds on PATH is the one beside us; else the one
 * beside us by its path (another on PATH, an older install say, is not the one this CLI ships). */
static char *helper_value(void)
{
    g_autofree char *on_path = g_find_program_in_path("git-credential-linode");
    g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
    g_autofree char *dir = self ? g_path_get_dirname(self) : NULL;
    char *beside = dir ? g_build_filename(dir, "git-credential-linode", NULL) : NULL;
    struct stat a, b;
    if (!beside || access(beside, X_OK) != 0 ||
        (on_path && stat(on_path, &a) == 0 && stat(beside, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)) {
        g_free(beside);
        return g_strdup("linode");
    }
    return beside;
}

int cmd_setup_git(cli *x, int argc, char **argv)
{
    int rc = cli_parse(x, "",
                       "Configure git (--global) to ask git-credential-linode for the configured API:\n"
                       "  credential.URL.helper = \"\" (so no other helper stores our short-lived tokens)\n"
                       "  credential.URL.helper = linode\n"
                       "Running it again changes nothing; --unset removes both lines.",
                       git_entries, 0, &argc, &argv);
    if (rc >= 0)
        return rc;
    g_autofree char *url = credential_url(x->cfg.api_url);
    if (!url)
        return cli_failf(x, LT_ERR_USAGE, "the API URL '%s' has no host", x->cfg.api_url);
    g_autofree char *key = g_strdup_printf("credential.%s.helper", url);
    g_autofree char *helper = helper_value();
    g_autofree char *have = NULL;
    const char *get[] = {"git", "config", "--global", "--get-all", key, NULL};
    int st = git(get, &have);
    if (st < 0)
        return cli_failf(x, LT_ERR_SYSTEM, "cannot run git (is it installed?)");
    if (g_unset) {
        const char *unset[] = {"git", "config", "--global", "--unset-all", key, NULL};
        st = git(unset, NULL);
        if (st != 0 && st != 5) /* 5: there was nothing to remove */
            return cli_failf(x, LT_ERR_SYSTEM, "git config --unset-all %s failed (exit %d)", key, st);
        return done(url, key, helper, st == 5 ? "absent" : "removed");
    }
    g_autofree char *want = g_strdup_printf("\n%s\n", helper);
    if (st == 0 && have && !strcmp(have, want))
        return done(url, key, helper, "unchanged");
    const char *unset[] = {"git", "config", "--global", "--unset-all", key, NULL};
    const char *empty[] = {"git", "config", "--global", "--add", key, "", NULL};
    const char *add[] = {"git", "config", "--global", "--add", key, helper, NULL};
    st = git(unset, NULL);
    if ((st != 0 && st != 5) || git(empty, NULL) != 0 || git(add, NULL) != 0)
        return cli_failf(x, LT_ERR_SYSTEM, "git config --global failed for %s", key);
    return done(url, key, helper, "set");
}
