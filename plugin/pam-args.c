/* SPDX-License-Identifier: MIT */
/* pam-args.c - parse the module's arguments: key=value words, unknown ones reported and ignored,
 * bad values reported and the defaults kept, so that a typo never loosens anything. */
#include "pam-args.h"
#include "internal.h"

#include <errno.h>
#include <stdio.h>

#define MAX_SECONDS (366LL * 86400)

int lt_pam_duration(const char *v, int64_t *secs)
{
    if (*v >= '0' && *v <= '9' && strspn(v, "0123456789") == strlen(v)) {
        errno = 0;
        char *end;
        long long n = strtoll(v, &end, 10);
        if (errno || n <= 0 || n > MAX_SECONDS)
            return 0;
        *secs = n;
        return 1;
    }
    int64_t s;
    if (lt_duration_parse(v, &s, NULL) != LT_OK || s > MAX_SECONDS)
        return 0;
    *secs = s;
    return 1;
}

static void complainf(lt_pam_args_complaint complain, void *ud, const char *fmt, const char *a, int alen)
{
    char msg[300];
    snprintf(msg, sizeof msg, fmt, alen, a);
    if (complain)
        complain(ud, msg);
}

void lt_pam_args_parse(int argc, const char **argv, lt_pam_args *a, lt_pam_args_complaint complain,
                       lt_pam_args_in_group in_group, void *ud)
{
    memset(a, 0, sizeof *a);
    a->env = "LINODE_TOKEN";
    a->cli_env = "LINODE_CLI_TOKEN";
    a->state_dir = "/run/linode-token";
    a->queue_dir = "/var/lib/linode-token";
    a->ttl = 8 * 3600;
    a->max_ttl = 24 * 3600;
    a->timeout_ms = 5000;
    a->close_timeout_ms = 2000;
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i], *eq = strchr(s, '=');
        const char *v = eq ? eq + 1 : "";
        const int kl = (int)(eq ? (size_t)(eq - s) : strlen(s));
        int64_t secs = 0;
#define KEY(k) (kl == (int)sizeof(k) - 1 && !strncmp(s, k, (size_t)kl))
#define DURATION(field, scale, cap)                                                                          \
    do {                                                                                                     \
        if (lt_pam_duration(v, &secs) && secs <= (cap))                                                      \
            a->field = secs * (scale);                                                                       \
        else                                                                                                 \
            complainf(complain, ud, "bad argument %.*s: not a duration within limits; using the default", s, \
                      (int)strlen(s));                                                                       \
    } while (0)
        if (KEY("parent_token_file")) a->parent_token_file = v;
        else if (KEY("scopes")) a->scopes = v;
        else if (KEY("api_url")) a->api_url = v;
        else if (KEY("ca_file")) a->ca_file = v;
        else if (KEY("proxy")) a->proxy = v;
        else if (KEY("env")) a->env = v;
        else if (KEY("cli_env")) a->cli_env = v;
        else if (KEY("token_file")) a->token_file = v;
        else if (KEY("state_dir")) a->state_dir = v;
        else if (KEY("queue_dir")) a->queue_dir = v;
        else if (KEY("audit_log")) a->audit_log = v;
        /* allow_http_loopback is the name of the first release */
        else if (KEY("allow_insecure_loopback") || KEY("allow_http_loopback")) a->allow_insecure_loopback = 1;
        else if (KEY("debug")) a->debug = 1;
        else if (KEY("ttl")) DURATION(ttl, 1, MAX_SECONDS);
        else if (KEY("max_ttl")) DURATION(max_ttl, 1, MAX_SECONDS);
        else if (KEY("timeout")) DURATION(timeout_ms, 1000, 3600);
        else if (KEY("close_timeout")) DURATION(close_timeout_ms, 1000, 3600);
        else if (kl > 13 && !strncmp(s, "scopes_group_", 13)) {
            char group[128];
            snprintf(group, sizeof group, "%.*s", kl - 13, s + 13);
            if (in_group && !a->group_scopes[0] && in_group(ud, group))
                snprintf(a->group_scopes, sizeof a->group_scopes, "%s", v);
        } else
            complainf(complain, ud, "unknown argument '%.*s' (ignored)", s, kl);
#undef DURATION
#undef KEY
    }
    if (a->ttl > a->max_ttl)
        a->ttl = a->max_ttl;
}
