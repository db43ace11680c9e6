/* SPDX-License-Identifier: MIT */
/* git-protocol.c - git's credential-helper protocol: a bounded reader of requests (unknown keys
 * ignored, lists with git's empty-value reset) and the question "is this our API?". */
#include "git-protocol.h"
#include "session-layer.h"

void lt_git_request_clear(lt_git_request *r)
{
    g_free(r->protocol);
    g_free(r->host);
    g_free(r->username);
    lt_secret_free(r->password);
    lt_secret_free(r->credential);
    memset(r, 0, sizeof *r);
}

static void set(char **field, const char *value)
{
    lt_secret_free(*field);
    *field = strdup(value);
}

/* url= is split into its parts and clears everything read before it (as git does). */
static int apply_url(lt_git_request *r, const char *url)
{
    lt_git_request_clear(r);
    g_autoptr(GUri) u = g_uri_parse(url, G_URI_FLAGS_NON_DNS, NULL);
    if (!u)
        return 0;
    const char *h = g_uri_get_host(u) ? g_uri_get_host(u) : "";
    g_autofree char *host = strchr(h, ':') ? g_strdup_printf("[%s]", h) : g_strdup(h);
    r->protocol = g_strdup(g_uri_get_scheme(u));
    r->host = g_uri_get_port(u) > 0 ? g_strdup_printf("%s:%d", host, g_uri_get_port(u)) : g_strdup(host);
    if (g_uri_get_user(u))
        r->username = g_strdup(g_uri_get_user(u));
    return 1;
}

/* One line into buf (cap > LT_GIT_MAX_LINE), without its newline: 1 a line, 0 end of input, -1 a
 * line longer than git allows (reading stops there: a huge line costs no memory). */
static int read_line(FILE *in, char *buf, size_t cap, size_t *len)
{
    size_t n = 0;
    int c;
    while ((c = getc_unlocked(in)) != EOF) {
        if (c == '\n') {
            *len = n;
            return 1;
        }
        if (n + 1 >= cap || n >= LT_GIT_MAX_LINE - 2) /* 65534 bytes: the newline counts in git's 65535 */
            return -1;
        buf[n++] = (char)c;
    }
    *len = n;
    return n ? 1 : 0;
}

/* Does one WWW-Authenticate value offer the Bearer scheme? (A scheme is the first token of a
 * challenge; values may hold several, comma-separated, with parameters.) */
static int offers_bearer(const char *v)
{
    for (const char *p = v; *p;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!g_ascii_strncasecmp(p, "bearer", 6) && (!p[6] || p[6] == ' ' || p[6] == '\t' || p[6] == ','))
            return 1;
        /* skip to the next challenge: past this token and any auth-params */
        while (*p && *p != ',')
            p++;
    }
    return 0;
}

int lt_git_read_request(FILE *in, lt_git_request *r, const char **why)
{
    char *line = g_malloc(LT_GIT_MAX_LINE + 1);
    size_t n;
    int got, ok = 1;
    while ((got = read_line(in, line, LT_GIT_MAX_LINE + 1, &n)) != 0) {
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
        else if (!strcmp(k, "wwwauth[]")) {
            if (!*v) /* the documented reset; git 2.55 also sends literal empty items: same effect */
                r->wwwauth = r->wwwauth_bearer = 0;
            else
                r->wwwauth++, r->wwwauth_bearer |= offers_bearer(v);
        } else if (!strcmp(k, "url") && !apply_url(r, v)) {
            *why = "url= is not a URL";
            ok = 0;
            break;
        }
        /* anything else is ignored, as the protocol asks */
    }
    explicit_bzero(line, LT_GIT_MAX_LINE + 1);
    g_free(line);
    return ok;
}

/* Split git's host form into name (brackets kept for IPv6) and port (-1: none). 0 when malformed. */
static int split_host(const char *hostport, char *name, size_t cap, int *port)
{
    const char *end;
    if (hostport[0] == '[') {
        const char *close = strchr(hostport, ']');
        if (!close)
            return 0;
        end = close + 1;
    } else {
        end = hostport + strcspn(hostport, ":");
    }
    if ((size_t)(end - hostport) >= cap || end == hostport)
        return 0;
    memcpy(name, hostport, (size_t)(end - hostport));
    name[end - hostport] = '\0';
    *port = -1;
    if (!*end)
        return 1;
    /* digits only, no leading zero: git writes the port as the URL had it, and ":0443" is not a
     * form we answer for (one spelling per port, so the host we match is the host we name) */
    if (*end != ':' || end[1] < '1' || end[1] > '9' || strspn(end + 1, "0123456789") != strlen(end + 1) ||
        strlen(end + 1) > 5)
        return 0;
    *port = atoi(end + 1);
    return *port > 0 && *port < 65536;
}

static int default_port(const char *scheme)
{
    return !g_ascii_strcasecmp(scheme, "https") ? 443 : !g_ascii_strcasecmp(scheme, "http") ? 80 : -1;
}

int lt_git_names_api(const char *api_url, int allow_insecure_loopback, const char *protocol, const char *host)
{
    if (!protocol || !host || !api_url)
        return 0;
    g_autoptr(GUri) u = g_uri_parse(api_url, G_URI_FLAGS_NON_DNS, NULL);
    if (!u || !g_uri_get_host(u) || !*g_uri_get_host(u) || g_ascii_strcasecmp(protocol, g_uri_get_scheme(u)))
        return 0;
    /* plain http only for a loopback API with the opt-in (the policy alone: no libcurl on a hit) */
    if (lt_api_url_policy(g_uri_get_scheme(u), g_uri_get_host(u), allow_insecure_loopback, NULL) != LT_OK)
        return 0;
    const char *h = g_uri_get_host(u);
    g_autofree char *want = strchr(h, ':') ? g_strdup_printf("[%s]", h) : g_strdup(h);
    char got[300];
    int got_port;
    if (!split_host(host, got, sizeof got, &got_port) || g_ascii_strcasecmp(got, want) != 0)
        return 0;
    const int dflt = default_port(g_uri_get_scheme(u));
    int want_port = g_uri_get_port(u) > 0 ? g_uri_get_port(u) : dflt;
    if (got_port < 0)
        got_port = dflt;
    return got_port == want_port;
}

int lt_git_answer_bearer(const lt_git_request *r)
{
    return r->cap_authtype && (!r->wwwauth || r->wwwauth_bearer);
}
