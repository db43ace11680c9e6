/* SPDX-License-Identifier: MIT */
/* api-url.c - which API base URL to use, and whether it may be used (TLS always;
 * plain http only to loopback, and only when the caller opted in). */
#include "internal.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <strings.h>

#define DEFAULT_API_URL "https://api.linode.com/v4"

static char *strip_slashes(char *s)
{
    size_t n = s ? strlen(s) : 0;
    while (n > 0 && s[n - 1] == '/')
        s[--n] = '\0';
    return s;
}

char *lt_api_url_resolve(const char *explicit_url)
{
    return lt_api_url_resolve_env(explicit_url, 1);
}

char *lt_api_url_resolve_env(const char *explicit_url, int use_env)
{
    if (explicit_url && *explicit_url)
        return strip_slashes(strdup(explicit_url));
    const char *env_url = use_env ? lt_env_get("LINODE_URL") : NULL;
    if (env_url && *env_url) {
        const char *ver = lt_env_get("LINODE_API_VERSION");
        char *base = strip_slashes(strdup(env_url));
        if (!base)
            return NULL;
        char *out = NULL;
        if (asprintf(&out, "%s/%s", base, ver && *ver ? ver : "v4") < 0)
            out = NULL;
        free(base);
        return out;
    }
    return strdup(DEFAULT_API_URL);
}

static int host_is_loopback(const char *host)
{
    struct in_addr a4;
    if (!strcasecmp(host, "localhost") || !strcmp(host, "[::1]") || !strcmp(host, "::1"))
        return 1;
    return inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

lt_error_kind lt_api_url_policy(const char *scheme, const char *host, int allow_insecure_loopback, lt_error *err)
{
    if (!strcasecmp(scheme, "https"))
        return LT_OK;
    if (strcasecmp(scheme, "http") != 0)
        return lt_error_set(err, LT_ERR_USAGE, "API URL scheme '%s' is not https", scheme);
    if (!host_is_loopback(host))
        return lt_error_set(err, LT_ERR_USAGE,
                            "refusing plain http to %s: only https, or http to a loopback address "
                            "with --allow-insecure-loopback",
                            host);
    if (!allow_insecure_loopback)
        return lt_error_set(err, LT_ERR_USAGE, "refusing plain http to %s without --allow-insecure-loopback", host);
    return LT_OK;
}

/* The host as written in url (after "scheme://" and any userinfo, before the port or path). */
static void written_host(const char *url, char *out, size_t cap)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t n = strcspn(p, "/?#");
    const char *at = memchr(p, '@', n);
    if (at) {
        n -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    if (n && p[0] == '[') {
        const char *close = memchr(p, ']', n);
        n = close ? (size_t)(close - p) + 1 : n;
    } else {
        const char *colon = memchr(p, ':', n);
        n = colon ? (size_t)(colon - p) : n;
    }
    snprintf(out, cap, "%.*s", (int)n, p);
}

lt_error_kind lt_api_url_check(const char *url, int allow_insecure_loopback, lt_error *err)
{
    const lt_curl_api *C = lt_curl(err);
    if (!C)
        return LT_ERR_SYSTEM;
    CURLU *u = C->url();
    char *scheme = NULL, *host = NULL;
    lt_error_kind rc;
    if (!u)
        return lt_error_set(err, LT_ERR_SYSTEM, "out of memory");
    if (!url || C->url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        C->url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        C->url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
        rc = lt_error_set(err, LT_ERR_USAGE, "API URL '%.200s' is not a valid URL", url ? url : "");
    else {
        /* curl reads "https://2" as 0.0.0.2 and 127.1 as 127.0.0.1, where other parsers (GLib's, in
         * the git helper) keep what was written: only a host that reads the same everywhere is used. */
        char written[256];
        written_host(url, written, sizeof written);
        if (strcasecmp(written, host) != 0)
            rc = lt_error_set(err, LT_ERR_USAGE, "API URL host '%.100s' is read as '%.100s': write the host in full",
                              written, host);
        else
            rc = lt_api_url_policy(scheme, host, allow_insecure_loopback, err);
    }
    C->free(scheme);
    C->free(host);
    C->url_cleanup(u);
    return rc;
}
