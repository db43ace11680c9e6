/* SPDX-License-Identifier: MIT */
/* fuzz-git-request.c - git's credential protocol reader. Property: a request the helper takes for
 * our API names exactly the API's host (never another host), whatever the input. */
#include "fuzz.h"
#include "git-protocol.h"
#include "internal.h"

#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f)
        return 0;
    lt_git_request r = {0};
    const char *why = NULL;
    int ok = lt_git_read_request(f, &r, &why);
    fclose(f);
    FUZZ_CHECK(ok || why, "a refused request says why");
    if (ok && lt_git_names_api("https://api.linode.com/v4", 0, r.protocol, r.host))
        FUZZ_CHECK(!strcasecmp(r.host, "api.linode.com") || !strcasecmp(r.host, "api.linode.com:443"),
                   "answers only for api.linode.com");
    if (ok && lt_git_names_api("http://[::1]:8080/v4", 1, r.protocol, r.host))
        FUZZ_CHECK(!strcmp(r.host, "[::1]:8080"), "answers only for [::1]:8080");
    if (ok && lt_git_names_api("http://127.0.0.1:8080/v4", 0, r.protocol, r.host))
        FUZZ_CHECK(0, "plain http without the opt-in is never ours");
    if (lt_git_answer_bearer(&r))
        FUZZ_CHECK(r.cap_authtype, "Bearer only when the capability was announced");
    lt_git_request_clear(&r);
    return 0;
}
