/* SPDX-License-Identifier: MIT */
/* fuzz-pam-args.c - the PAM module's arguments (one per input line), and the same input as its
 * configuration file's text. Properties: timeouts stay within 1 s and 1 h, ttl within max_ttl
 * within 24h, defaults stand where a value is bad, an argument wins over the file. */
#include "fuzz.h"
#include "internal.h"

static int in_group(void *ud, const char *g)
{
    (void)ud;
    return g[0] == 'w';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    const char *argv[64];
    int argc = 0;
    for (char *p = s, *line; argc < 64 && (line = strsep(&p, "\n"));)
        argv[argc++] = line;
    lt_pam_args a;
    lt_pam_args_parse(argc, argv, &a, NULL, in_group, NULL);
    FUZZ_CHECK(a.timeout_ms >= 1000 && a.timeout_ms <= 3600000, "timeout within 1 s .. 1 h");
    FUZZ_CHECK(a.close_timeout_ms >= 1000 && a.close_timeout_ms <= 3600000, "close_timeout within 1 s .. 1 h");
    FUZZ_CHECK(a.ttl > 0 && a.ttl <= a.max_ttl, "ttl within max_ttl");
    FUZZ_CHECK(a.max_ttl <= LT_TTL_CEILING, "max_ttl within the 24h ceiling of every minted token");
    FUZZ_CHECK(a.env && a.cli_env && a.state_dir && a.queue_dir, "defaults stand");
    FUZZ_CHECK(strlen(a.group_scopes) < sizeof a.group_scopes, "bounded");
    /* the same input as a configuration file's text (pam.conf), under one module argument */
    const char *over[] = {"timeout=7"};
    lt_pam_args_parse_text("fuzz.conf", fuzz_cstr(data, size), 1, over, &a, NULL, in_group, NULL);
    FUZZ_CHECK(a.timeout_ms == 7000, "an argument wins over the file");
    FUZZ_CHECK(a.ttl > 0 && a.ttl <= a.max_ttl && a.max_ttl <= LT_TTL_CEILING, "the file's ttl within the ceiling");
    FUZZ_CHECK(a.config == NULL, "the file cannot name another file");
    FUZZ_CHECK(a.env && a.cli_env && a.state_dir && a.queue_dir, "defaults stand");
    lt_pam_args_free(&a);
    free(s);
    return 0;
}
