/* SPDX-License-Identifier: MIT */
/* test-git-protocol.c - reading git's requests, the host forms git sends, and the answer's scheme. */
#include "git-protocol.h"
#include "internal.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

static int parse(const char *text, lt_git_request *r, const char **why)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    memset(r, 0, sizeof *r);
    int ok = lt_git_read_request(f, r, why);
    fclose(f);
    return ok;
}

static int names(const char *api, const char *proto, const char *host)
{
    return lt_git_names_api(api, 1, proto, host);
}

static int bearer(const char *text)
{
    lt_git_request r;
    const char *why;
    parse(text, &r, &why);
    int b = lt_git_answer_bearer(&r);
    lt_git_request_clear(&r);
    return b;
}

int main(void)
{
    /* host forms */
    ok(names("https://api.linode.com/v4", "https", "api.linode.com"), "the API's host");
    ok(names("https://api.linode.com/v4", "https", "API.Linode.COM"), "... in any case");
    ok(names("https://api.linode.com/v4", "https", "api.linode.com:443"), "an explicit default port matches");
    ok(names("https://api.linode.com:443/v4", "https", "api.linode.com"), "... either way");
    ok(!names("https://api.linode.com/v4", "https", "api.linode.com:8443"), "another port does not");
    ok(!names("https://api.linode.com/v4", "http", "api.linode.com"), "another protocol does not");
    ok(!names("https://api.linode.com/v4", "https", "api.linode.com.evil.test"), "a longer name does not");
    ok(!names("https://api.linode.com/v4", "https", "evil.test:443@api.linode.com"), "junk does not");
    ok(!names("https://api.linode.com/v4", "https", "api.linode.com:"), "an empty port is malformed");
    ok(!names("https://api.linode.com/v4", "https", "api.linode.com:99999"), "an impossible port does not");
    ok(!names("https://api.linode.com/v4", "https", "api.linode.com:0443"), "a port with a leading zero does not");
    ok(!names("http://[::1]:8080/v4", "http", "[::1]:08080"), "... nor in the IPv6 form");
    ok(!names("https://api.linode.com/v4", "https", "api.linode.com:0"), "port 0 does not");
    ok(names("http://[::1]:8080/v4", "http", "[::1]:8080"), "an IPv6 loopback API and git's [::1]:PORT");
    ok(!names("http://[::1]:8080/v4", "http", "::1:8080"), "... not the unbracketed form");
    ok(!names("http://[::1]:8080/v4", "http", "[::1]:8081"), "... nor another port");
    ok(names("http://127.0.0.1:8080/v4", "http", "127.0.0.1:8080"), "an IPv4 loopback API");
    ok(names("http://127.0.0.1/v4", "http", "127.0.0.1:80"), "http's default port 80");
    ok(!lt_git_names_api("http://127.0.0.1:8080/v4", 0, "http", "127.0.0.1:8080"),
       "plain http without the opt-in: not ours");
    ok(!names("http://api.linode.com/v4", "http", "api.linode.com"), "plain http to a remote host: never");

    /* the answer's scheme */
    ok(!bearer("protocol=https\nhost=x\n\n"), "no capability: username/password");
    ok(bearer("capability[]=authtype\nprotocol=https\nhost=x\n\n"), "capability, no wwwauth[]: Bearer");
    ok(bearer("capability[]=authtype\nwwwauth[]=Bearer realm=\"x\"\n\n"), "wwwauth[]=Bearer: Bearer");
    ok(bearer("capability[]=authtype\nwwwauth[]=bearer\n\n"), "... in any case");
    ok(!bearer("capability[]=authtype\nwwwauth[]=Basic realm=\"x\"\n\n"), "wwwauth[]=Basic only: username/password");
    ok(bearer("capability[]=authtype\nwwwauth[]=Basic realm=\"x\"\nwwwauth[]=Bearer\n\n"), "Basic and Bearer: Bearer");
    ok(bearer("capability[]=authtype\nwwwauth[]=Basic realm=\"a,b\", Bearer realm=\"y\"\n\n"),
       "two challenges in one value, Bearer second: Bearer");
    ok(!bearer("capability[]=authtype\nwwwauth[]=Bearerx\n\n"), "Bearerx is not Bearer");
    ok(bearer("capability[]=authtype\nwwwauth[]=Basic\nwwwauth[]=\n\n"), "an empty wwwauth[] clears the list");
    ok(!bearer("capability[]=authtype\ncapability[]=\nwwwauth[]=Bearer\n\n"), "an empty capability[] clears it");

    /* reading */
    lt_git_request r;
    const char *why = NULL;
    ok(parse("protocol=https\r\nhost=h\r\nfoo=bar\r\n\r\nignored=1\n", &r, &why), "CRLF, unknown keys: fine");
    is_str(r.host, "h", "... host");
    lt_git_request_clear(&r);
    ok(parse("protocol=https\nhost=old\nurl=https://dns@api.linode.com:443/x\n\n", &r, &why), "url= parses");
    is_str(r.host, "api.linode.com:443", "... url= replaces the host");
    is_str(r.username, "dns", "... and gives the username");
    lt_git_request_clear(&r);
    ok(parse("url=http://[::1]:9/\n\n", &r, &why), "url= with an IPv6 host");
    is_str(r.host, "[::1]:9", "... keeps git's bracketed form");
    lt_git_request_clear(&r);
    ok(!parse("protocol=https\nhost\n\n", &r, &why), "a line without '=' is refused");
    is_str(why, "a line has no '='", "... saying why");
    lt_git_request_clear(&r);
    return tap_done();
}
