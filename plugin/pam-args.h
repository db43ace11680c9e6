/* SPDX-License-Identifier: MIT */
/* pam-args.h - the PAM module's arguments: the only configuration it has (it reads no environment
 * and no file of the caller's). GLib-free and PAM-free, so that a fuzzer can drive it. */
#ifndef LT_PAM_ARGS_H
#define LT_PAM_ARGS_H

#include <stdint.h>

typedef struct lt_pam_args {
    /* pointers into argv: valid while argv is */
    const char *parent_token_file, *scopes, *api_url, *ca_file, *proxy, *env, *cli_env, *token_file;
    const char *state_dir, *queue_dir, *audit_log;
    int64_t ttl, max_ttl;              /* seconds; ttl <= max_ttl */
    long timeout_ms, close_timeout_ms; /* 1 ms to 1 h */
    int allow_insecure_loopback, debug;
    char group_scopes[512];            /* from scopes_group_NAME= for the first group the user is in */
} lt_pam_args;

/* Called for each problem (an unknown argument, a bad value: the default stays). */
typedef void (*lt_pam_args_complaint)(void *ud, const char *msg);
/* in_group(ud, NAME): whether the user is in group NAME (NULL: no scopes_group_ applies). */
typedef int (*lt_pam_args_in_group)(void *ud, const char *group);

void lt_pam_args_parse(int argc, const char **argv, lt_pam_args *a, lt_pam_args_complaint complain,
                       lt_pam_args_in_group in_group, void *ud);
/* A duration (15m, 1h30m) or a bare number of seconds, 1 s to 366 days. 1 when valid. */
int lt_pam_duration(const char *v, int64_t *secs);
#endif
