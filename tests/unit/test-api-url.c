/* SPDX-License-Identifier: MIT */
/* test-api-url.c - base URL resolution and the TLS/loopback policy. */
#include "internal.h"
#include "tap.h"

static int allowed(const char *url, int opt_in)
{
    return lt_api_url_check(url, opt_in, NULL) == LT_OK;
}

int main(void)
{
    unsetenv("LINODE_URL");
    unsetenv("LINODE_API_VERSION");
    char *u = lt_api_url_resolve(NULL);
    is_str(u, "https://api.linode.com/v4", "default URL");
    free(u);
    u = lt_api_url_resolve("https://example.test/v4beta///");
    is_str(u, "https://example.test/v4beta", "explicit URL wins, trailing slashes dropped");
    free(u);
    setenv("LINODE_URL", "http://127.0.0.1:8080/", 1);
    u = lt_api_url_resolve(NULL);
    is_str(u, "http://127.0.0.1:8080/v4", "LINODE_URL + default version");
    free(u);
    setenv("LINODE_API_VERSION", "v4beta", 1);
    u = lt_api_url_resolve("");
    is_str(u, "http://127.0.0.1:8080/v4beta", "LINODE_URL + LINODE_API_VERSION");
    free(u);

    ok(allowed("https://api.linode.com/v4", 0), "https is fine");
    ok(!allowed("http://api.linode.com/v4", 1), "plain http to a remote host is refused even with opt-in");
    ok(!allowed("http://127.0.0.1:1/v4", 0), "loopback http without opt-in is refused");
    ok(allowed("http://127.0.0.1:1/v4", 1), "127.0.0.1 with opt-in");
    ok(allowed("http://127.3.4.5:1/v4", 1), "127.0.0.0/8 with opt-in");
    ok(allowed("http://localhost:1/v4", 1), "localhost with opt-in");
    ok(allowed("http://[::1]:1/v4", 1), "::1 with opt-in");
    ok(!allowed("http://128.0.0.1/v4", 1), "128.0.0.1 is not loopback");
    ok(!allowed("http://localhost.evil.test/v4", 1), "localhost.evil.test is not loopback");
    ok(!allowed("http://127.0.0.1.evil.test/v4", 1), "127.0.0.1.evil.test is not loopback");
    ok(!allowed("ftp://127.0.0.1/v4", 1), "ftp is refused");
    ok(!allowed("not a url", 1), "garbage is refused");
    ok(!allowed("https://2/v4", 0), "https://2 (curl reads 0.0.0.2) is refused");
    ok(!allowed("http://2130706433:1/v4", 1), "http://2130706433 (127.0.0.1 to curl) is refused");
    ok(!allowed("http://127.1:1/v4", 1), "http://127.1 (127.0.0.1 to curl) is refused");
    ok(!allowed("https://0x7f.0.0.1/v4", 0), "a hex address is refused");
    ok(allowed("https://API.Linode.com/v4", 0), "a name in capitals reads the same: fine");
    ok(allowed("https://user@api.linode.com:443/v4", 0), "userinfo and port do not confuse the host check");
    lt_error e;
    lt_api_url_check("https://2/v4", 0, &e);
    like(e.message, "host '2' is read as '0.0.0.2'", "the refusal names both readings");
    lt_api_url_check("http://127.0.0.1:1/v4", 0, &e);
    like(e.message, "--allow-insecure-loopback", "the refusal says how to opt in");
    is_int(e.kind, LT_ERR_USAGE, "refusal is a usage error");

    lt_client_options o = {.api_url = "http://10.0.0.1/v4", .allow_insecure_loopback = 1, .token = "x"};
    ok(lt_client_new(&o, &e) == NULL, "client refuses plain http to a non-loopback host");
    like(e.message, "10.0.0.1", "and names the host");
    return tap_done();
}
