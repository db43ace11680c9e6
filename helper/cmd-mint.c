/* cmd-mint.c - minting on demand from the command line: get, env. */
#include "cli.h"

#include <stdio.h>

static char *m_profile, *m_scopes, *m_ttl, *m_min_remaining, *m_session;
static gboolean m_json, m_fish;

#define MINT_ENTRIES                                                                                       \
    {"profile", 0, 0, G_OPTION_ARG_STRING, &m_profile, "Use [profile NAME] from the config (default: default)", \
     "NAME"},                                                                                              \
    {"scopes", 0, 0, G_OPTION_ARG_STRING, &m_scopes, "An ad-hoc profile with these scopes", "SCOPES"},      \
    {"ttl", 0, 0, G_OPTION_ARG_STRING, &m_ttl, "Lifetime of a newly minted token (e.g. 30m)", "DURATION"},  \
    {"min-remaining", 0, 0, G_OPTION_ARG_STRING, &m_min_remaining,                                         \
     "Do not hand out a cached token with less left than this", "DURATION"},                               \
    {"session", 0, 0, G_OPTION_ARG_STRING, &m_session, "Record the token for session ID", "ID"}

static const GOptionEntry get_entries[] = {
    MINT_ENTRIES,
    {"json", 0, 0, G_OPTION_ARG_NONE, &m_json, "Print {\"token\",\"expiry\",\"id\",\"scopes\"} (credential_process style)",
     NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};
static const GOptionEntry env_entries[] = {
    MINT_ENTRIES,
    {"fish", 0, 0, G_OPTION_ARG_NONE, &m_fish, "Print fish syntax instead of POSIX sh", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

/* The profile the flags describe, then acquire. */
static int acquire(cli *x, lt_minted *m)
{
    lt_error e;
    lt_mint_profile prof;
    lt_error_kind rc;
    if (m_scopes && m_profile)
        return cli_failf(x, LT_ERR_USAGE, "give --profile or --scopes, not both");
    rc = m_scopes ? lt_profile_adhoc(m_scopes, m_ttl, &prof, &e) : lt_profile_load(&x->cfg, m_profile, &prof, &e);
    if (rc == LT_OK && m_ttl && !m_scopes)
        rc = lt_profile_set_ttl(&prof, m_ttl, &e);
    if (rc == LT_OK && m_min_remaining)
        rc = lt_profile_set_min_remaining(&prof, m_min_remaining, &e);
    if (rc == LT_OK) {
        lt_mint_options o = {.session = m_session, .debug = x->debug, .deadline_ms = x->deadline_ms};
        rc = lt_mint_acquire(&x->cfg, &prof, &o, m, &e);
    }
    lt_mint_profile_clear(&prof);
    if (rc != LT_OK)
        return cli_fail(x, &e);
    if (m->clamped) {
        char when[20];
        fprintf(stderr, "linode-token: %s: note: the token expires with its parent, at %s\n", x->cmd,
                cli_when(m->expiry, when));
    }
    return -1;
}

int cmd_get(cli *x, int argc, char **argv)
{
    int rc = cli_parse(x, "", "Print a short-lived token for a profile: a cached one with enough time left,\n"
                              "else a newly minted one (one POST, whatever the number of callers).",
                       get_entries, &argc, &argv);
    if (rc >= 0)
        return rc;
    if (argc > 1)
        return cli_failf(x, LT_ERR_USAGE, "unexpected argument '%s'", argv[1]);
    lt_minted m;
    if ((rc = acquire(x, &m)) >= 0)
        return rc;
    if (m_json) {
        g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(m.expiry);
        g_autofree char *when = g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ");
        json_t *o = json_pack("{s:s,s:s,s:I,s:s}", "token", m.token, "expiry", when, "id", (json_int_t)m.id,
                              "scopes", m.scopes);
        char *text = json_dumps(o, JSON_COMPACT);
        puts(text);
        lt_secret_free(text);
        json_decref(o); /* jansson's copy of the token is freed, not wiped: it is short-lived heap */
    } else {
        puts(m.token);
    }
    lt_minted_clear(&m);
    return 0;
}

int cmd_env(cli *x, int argc, char **argv)
{
    int rc = cli_parse(x, "", "Print shell commands that export LINODE_TOKEN and LINODE_CLI_TOKEN:\n"
                              "  eval \"$(linode-token env --profile dns)\"",
                       env_entries, &argc, &argv);
    if (rc >= 0)
        return rc;
    if (argc > 1)
        return cli_failf(x, LT_ERR_USAGE, "unexpected argument '%s'", argv[1]);
    lt_minted m;
    if ((rc = acquire(x, &m)) >= 0)
        return rc;
    /* Tokens are printable words without quotes (checked by the API client's caller). */
    const char *names[] = {"LINODE_TOKEN", "LINODE_CLI_TOKEN"};
    for (size_t i = 0; i < 2; i++)
        printf(m_fish ? "set -gx %s '%s';\n" : "export %s='%s'\n", names[i], m.token);
    lt_minted_clear(&m);
    return 0;
}
