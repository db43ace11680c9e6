/* git-credential-linode.c - git's credential-helper protocol (docs/git-credential-protocol.md):
 * `get` answers for the configured Linode API with a short-lived token from the minting policy;
 * `store` is a no-op; `erase` drops and revokes a token we minted. Silent on success; on failure
 * one line on stderr and nothing on stdout, so git falls back or fails cleanly. */
#include "upper.h"

#include <stdio.h>
#include <sys/prctl.h>

#define MAX_LINE 65536 /* git documents 65535 bytes per line, newline included */

typedef struct {
    char *protocol, *host, *username, *password, *credential;
    int cap_authtype;
} request;

static char *opt_profile, *opt_config, *opt_session;

static void request_clear(request *r)
{
    g_free(r->protocol);
    g_free(r->host);
    g_free(r->username);
    if (r->password) {
        explicit_bzero(r->password, strlen(r->password));
        g_free(r->password);
    }
    if (r->credential) {
        explicit_bzero(r->credential, strlen(r->credential));
        g_free(r->credential);
    }
    memset(r, 0, sizeof *r);
}

static void set(char **field, const char *value)
{
    if (*field)
        explicit_bzero(*field, strlen(*field));
    g_free(*field);
    *field = g_strdup(value);
}

/* url= is split into its parts and clears everything read before it (as git does). */
static int apply_url(request *r, const char *url)
{
    request_clear(r);
    g_autoptr(GUri) u = g_uri_parse(url, G_URI_FLAGS_NON_DNS, NULL);
    if (!u)
        return 0;
    r->protocol = g_strdup(g_uri_get_scheme(u));
    r->host = g_uri_get_port(u) > 0 ? g_strdup_printf("%s:%d", g_uri_get_host(u), g_uri_get_port(u))
                                    : g_strdup(g_uri_get_host(u) ? g_uri_get_host(u) : "");
    if (g_uri_get_user(u))
        r->username = g_strdup(g_uri_get_user(u));
    return 1;
}

/* One line into buf (cap > MAX_LINE), without its newline: 1 a line, 0 end of input, -1 a line
 * longer than git allows (reading stops there: a huge line costs no memory). */
static int read_line(FILE *in, char *buf, size_t cap, size_t *len)
{
    size_t n = 0;
    int c;
    while ((c = getc_unlocked(in)) != EOF) {
        if (c == '\n') {
            *len = n;
            return 1;
        }
        if (n + 1 >= cap || n >= MAX_LINE - 2) /* 65534 bytes: the newline counts in git's 65535 */
            return -1;
        buf[n++] = (char)c;
    }
    *len = n;
    return n ? 1 : 0;
}

/* Read key=value lines until a blank line or EOF. Returns 0 with *why set on bad input. */
static int read_request(FILE *in, request *r, const char **why)
{
    char *line = g_malloc(MAX_LINE + 1);
    size_t n;
    int got, ok = 1;
    while ((got = read_line(in, line, MAX_LINE + 1, &n)) != 0) {
        if (got < 0) {
            *why = "a line is longer than 65535 bytes";
            ok = 0;
            break;
        }
        if (memchr(line, '\0', n)) {
            *why = "a line holds a NUL byte";
            ok = 0;
            break;
        }
        line[n] = '\0';
        if (n && line[n - 1] == '\r') /* CRLF is tolerated */
            line[--n] = '\0';
        if (!n)
            break;
        char *eq = strchr(line, '=');
        if (!eq) {
            *why = "a line has no '='";
            ok = 0;
            break;
        }
        *eq = '\0';
        const char *k = line, *v = eq + 1;
        if (!strcmp(k, "protocol"))
            set(&r->protocol, v);
        else if (!strcmp(k, "host"))
            set(&r->host, v);
        else if (!strcmp(k, "username"))
            set(&r->username, v);
        else if (!strcmp(k, "password"))
            set(&r->password, v);
        else if (!strcmp(k, "credential"))
            set(&r->credential, v);
        else if (!strcmp(k, "capability[]"))
            r->cap_authtype = *v ? r->cap_authtype || !strcmp(v, "authtype") : 0; /* empty value resets */
        else if (!strcmp(k, "url") && !apply_url(r, v)) {
            *why = "url= is not a URL";
            ok = 0;
            break;
        }
        /* anything else is ignored, as the protocol asks */
    }
    explicit_bzero(line, MAX_LINE + 1);
    g_free(line);
    return ok;
}

/* Does the request name the configured API (scheme and host[:port])? */
static int for_our_api(const lt_config *cfg, const request *r)
{
    if (!r->protocol || !r->host)
        return 0;
    g_autoptr(GUri) u = g_uri_parse(cfg->api_url, G_URI_FLAGS_NON_DNS, NULL);
    if (!u || !g_uri_get_host(u) || g_ascii_strcasecmp(r->protocol, g_uri_get_scheme(u)) != 0)
        return 0;
    /* plain http only for a loopback API with the opt-in (the policy alone: no libcurl on a hit) */
    if (lt_api_url_policy(g_uri_get_scheme(u), g_uri_get_host(u), cfg->allow_insecure_loopback, NULL) != LT_OK)
        return 0;
    int port = g_uri_get_port(u);
    g_autofree char *want = port > 0 ? g_strdup_printf("%s:%d", g_uri_get_host(u), port)
                                     : g_strdup(g_uri_get_host(u));
    return g_ascii_strcasecmp(r->host, want) == 0;
}

static int fail(const char *op, const lt_error *e)
{
    fprintf(stderr, "git-credential-linode: %s: %s\n", op, e->message);
    return 1;
}

static int op_get(const lt_config *cfg, const request *r)
{
    if (!for_our_api(cfg, r))
        return 0; /* not ours: say nothing, so git asks the next helper */
    const char *name = opt_profile                                                     ? opt_profile
                       : r->username && *r->username && lt_profile_exists(cfg, r->username) ? r->username
                                                                                       : "default";
    lt_error e;
    lt_mint_profile prof;
    if (lt_profile_load(cfg, name, &prof, &e) != LT_OK)
        return fail("get", &e);
    lt_minted m;
    lt_mint_options o = {.session = opt_session};
    lt_error_kind rc = lt_mint_acquire(cfg, &prof, &o, &m, &e);
    lt_mint_profile_clear(&prof);
    if (rc != LT_OK)
        return fail("get", &e);
    /* The policy never hands out a token with less than min_remaining left; git 2.39 would not check. */
    if (r->cap_authtype)
        printf("capability[]=authtype\nauthtype=Bearer\ncredential=%s\nephemeral=1\n", m.token);
    else
        printf("username=%s\npassword=%s\n", name, m.token);
    printf("password_expiry_utc=%" G_GINT64_FORMAT "\n", m.expiry);
    fflush(stdout);
    lt_minted_clear(&m);
    return 0;
}

static int op_erase(const lt_config *cfg, const request *r)
{
    if (!for_our_api(cfg, r))
        return 0;
    const char *secret = r->credential ? r->credential : r->password;
    if (!secret)
        return 0;
    lt_error e;
    int ours;
    if (lt_mint_forget(cfg, secret, &ours, &e) != LT_OK)
        return fail("erase", &e);
    return 0;
}

int main(int argc, char **argv)
{
    static const GOptionEntry entries[] = {
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
    lt_json_wipe_on_free();
    g_autoptr(GOptionContext) ctx = g_option_context_new("get|store|erase");
    g_option_context_set_summary(ctx, "A git credential helper that hands out short-lived Linode API tokens.\n"
                                      "  git config --global credential.https://api.linode.com.helper linode");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) gerr = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &gerr)) {
        fprintf(stderr, "git-credential-linode: %s\n", gerr->message);
        return 2;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: git-credential-linode [--profile NAME] get|store|erase\n");
        return 2;
    }
    const char *op = argv[1];
    if (strcmp(op, "get") && strcmp(op, "store") && strcmp(op, "erase"))
        return 0; /* unknown operations are ignored, so git can add new ones */
    request r = {0};
    const char *why = NULL;
    if (!read_request(stdin, &r, &why)) {
        fprintf(stderr, "git-credential-linode: %s: bad input: %s\n", op, why);
        request_clear(&r);
        return 1;
    }
    lt_config cfg;
    lt_config_flags f = {.config_file = opt_config};
    lt_error e;
    int rc = 0;
    if (strcmp(op, "store") == 0) {
        rc = 0; /* our tokens are never stored by git; anything else is not ours to keep */
    } else if (lt_config_load(&f, &cfg, &e) != LT_OK) {
        rc = fail(op, &e);
    } else {
        rc = !strcmp(op, "get") ? op_get(&cfg, &r) : op_erase(&cfg, &r);
        lt_config_clear(&cfg);
    }
    request_clear(&r);
    g_free(opt_profile);
    g_free(opt_config);
    g_free(opt_session);
    return rc;
}
