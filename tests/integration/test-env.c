/* SPDX-License-Identifier: MIT */
/* test-env.c - what the process environment may steer in the client, and what it may not: two
 * fakes, the real API and an "attacker" that records every request it gets (as a server or as a
 * proxy). The bearer must reach only the API the caller configured. */
#include "internal.h"
#include "fake.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>

#define PARENT "p0000000000000000000000000000000000000000000000000000000000000001"

static fake API, EVIL;

static int requests_seen(const fake *f)
{
    json_t *v = NULL;
    long st = fake_http(f, "GET", "/__fake/requests", NULL, NULL, &v);
    int n = st == 200 && json_is_array(v) ? (int)json_array_size(v) : -1;
    json_decref(v);
    return n;
}

static lt_client *client(const lt_client_options *o)
{
    lt_error e;
    lt_client *c = lt_client_new(o, &e);
    if (!c)
        diag("client: %s", e.message);
    return c;
}

static int whoami(lt_client *c)
{
    lt_error e;
    lt_profile p;
    if (!c)
        return -1;
    lt_error_kind k = lt_client_whoami(c, &p, &e);
    if (k == LT_OK)
        lt_profile_clear(&p);
    return (int)k;
}

static void point_everything_at_evil(void)
{
    setenv("LINODE_URL", EVIL.base, 1);
    setenv("LINODE_API_VERSION", "v4", 1);
    setenv("LINODE_CA", "/nonexistent/evil-ca.pem", 1);
    setenv("http_proxy", EVIL.base, 1);
    setenv("HTTPS_PROXY", EVIL.base, 1);
    setenv("https_proxy", EVIL.base, 1);
    setenv("ALL_PROXY", EVIL.base, 1);
    setenv("all_proxy", EVIL.base, 1);
    setenv("NO_PROXY", "", 1);
}

int main(void)
{
    const char *args[] = {"--token", PARENT "=*", NULL};
    if (fake_start(&API, args) != 0 || fake_start(&EVIL, args) != 0) {
        printf("Bail out! cannot start linode-fake-api\n");
        return 1;
    }
    point_everything_at_evil();

    /* A user's own environment: LINODE_URL is honoured when nothing explicit is given... */
    lt_client_options o = {.token = PARENT, .allow_insecure_loopback = 1};
    lt_client *c = client(&o);
    char want[200];
    snprintf(want, sizeof want, "%s/v4", EVIL.base);
    is_str(c ? lt_client_api_url(c) : "", want, "user's environment: LINODE_URL picks the API when none is given");
    lt_client_free(c);
    /* ...but proxies from the environment are never used. */
    o.api_url = API.api;
    c = client(&o);
    is_int(whoami(c), LT_OK, "http_proxy, HTTPS_PROXY, ALL_PROXY set: the call still succeeds");
    is_int(fake_count(&API, "GET", "/v4/profile"), 1, "... it reached the configured API directly");
    is_int(requests_seen(&EVIL), 0, "... and the proxy from the environment saw nothing");
    ok(c && c->ca_file && !strcmp(c->ca_file, "/nonexistent/evil-ca.pem"), "user's environment: LINODE_CA is used");
    lt_client_free(c);

    /* An explicit proxy is used for every host, NO_PROXY notwithstanding. */
    setenv("NO_PROXY", "127.0.0.1,localhost", 1);
    o.proxy = EVIL.base;
    c = client(&o);
    whoami(c);
    is_int(requests_seen(&EVIL), 1, "an explicit proxy gets the request, whatever NO_PROXY says");
    lt_client_free(c);
    fake_http(&EVIL, "POST", "/__fake/reset", "{}", NULL, NULL);
    o.proxy = NULL;

    /* no_environment (what the PAM module sets): nothing is read. */
    lt_client_options ne = {.token = PARENT, .allow_insecure_loopback = 1, .no_environment = 1};
    c = client(&ne);
    is_str(c ? lt_client_api_url(c) : "", "https://api.linode.com/v4",
           "no_environment: LINODE_URL is ignored, the compiled default stands");
    ok(c && !c->ca_file, "no_environment: LINODE_CA is ignored (the system store)");
    lt_client_free(c);
    ne.api_url = API.api;
    c = client(&ne);
    is_int(whoami(c), LT_OK, "no_environment with the configured API: the call succeeds");
    is_int(fake_count(&API, "GET", "/v4/profile"), 2, "... on the configured API");
    is_int(requests_seen(&EVIL), 0, "... and nothing reached the attacker");
    lt_client_free(c);

    /* lt_env_disable(): the whole process reads nothing any more, public resolver included. */
    ok(lt_env_get("LINODE_URL") != NULL, "before lt_env_disable: the environment is read");
    lt_env_disable();
    ok(lt_env_get("LINODE_URL") == NULL, "after lt_env_disable: lt_env_get reads nothing");
    char *u = lt_api_url_resolve(NULL);
    is_str(u, "https://api.linode.com/v4", "after lt_env_disable: lt_api_url_resolve ignores LINODE_URL");
    free(u);
    c = client(&o); /* a client that did not ask for no_environment */
    ok(c && !c->ca_file, "after lt_env_disable: LINODE_CA is ignored by every client");
    lt_client_free(c);
    ok(!lt_process_privileged(), "this test is not set-uid (lt_process_privileged is 0)");

    is_int(fake_stop(&API), 0, "API fake stops cleanly");
    is_int(fake_stop(&EVIL), 0, "attacker fake stops cleanly");
    return tap_done();
}
