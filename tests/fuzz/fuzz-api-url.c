/* SPDX-License-Identifier: MIT */
/* fuzz-api-url.c - the API URL policy. Properties: without the opt-in only https passes; with it,
 * plain http passes only to a loopback host; what passes reads the same to curl as written. */
#include "fuzz.h"
#include "internal.h"

#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    if (lt_api_url_check(s, 0, NULL) == LT_OK)
        FUZZ_CHECK(!strncasecmp(s, "https://", 8) || !strncasecmp(s, "https:", 6), "only https without the opt-in");
    if (lt_api_url_check(s, 1, NULL) == LT_OK && strncasecmp(s, "https:", 6)) {
        const lt_curl_api *C = lt_curl(NULL);
        CURLU *u = C->url();
        char *host = NULL;
        FUZZ_CHECK(C->url_set(u, CURLUPART_URL, s, 0) == CURLUE_OK &&
                       C->url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK,
                   "what passes parses");
        FUZZ_CHECK(!strcasecmp(host, "localhost") || !strcmp(host, "[::1]") || !strncmp(host, "127.", 4),
                   "plain http only to loopback");
        C->free(host);
        C->url_cleanup(u);
    }
    free(s);
    return 0;
}
