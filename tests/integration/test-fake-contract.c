/* SPDX-License-Identifier: MIT */
/* test-fake-contract.c - linode-fake-api against the contract (docs/linode-api.md),
 * with raw HTTP: status codes, envelopes, truncation, the 2999 expiry, headers, pagination edges. */
#include "fake.h"
#include "tap.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define STAR "s0000000000000000000000000000000000000000000000000000000000000001"
#define RO "r0000000000000000000000000000000000000000000000000000000000000002"
#define NOACC "x0000000000000000000000000000000000000000000000000000000000000003"
#define PAST "e0000000000000000000000000000000000000000000000000000000000000004"

static fake F;

static long req(const char *method, const char *path, const char *body, const char *bearer, json_t **out)
{
    return fake_http(&F, method, path, body, bearer, out);
}

static const char *reason(json_t *v)
{
    return json_string_value(json_object_get(json_array_get(json_object_get(v, "errors"), 0), "reason"));
}

static const char *field(json_t *v)
{
    return json_string_value(json_object_get(json_array_get(json_object_get(v, "errors"), 0), "field"));
}

/* vp is read here, after the call that filled it has run (argument order is unspecified). */
static void expect_error(const char *name, long status, json_t **vp, long want_status, const char *want_field,
                         const char *want_reason)
{
    json_t *v = *vp;
    char n[200];
    snprintf(n, sizeof n, "%s: HTTP %ld", name, want_status);
    is_int(status, want_status, n);
    snprintf(n, sizeof n, "%s: field", name);
    is_str(field(v), want_field, n);
    if (want_reason) {
        snprintf(n, sizeof n, "%s: reason", name);
        is_str(reason(v), want_reason, n);
    }
    json_decref(v);
}

static long create(const char *body, const char *bearer, json_t **out)
{
    return req("POST", "/v4/profile/tokens", body, bearer, out);
}

static void test_create_and_secret(void)
{
    json_t *v;
    char hdr[4096];
    long st = fake_request(&F, "POST", "/v4/profile/tokens", "{\"label\":\"a\",\"scopes\":\"linodes:read_only\"}", STAR,
                           NULL, &v, hdr, sizeof hdr);
    is_int(st, 200, "create answers 200, not 201");
    const char *tok = json_string_value(json_object_get(v, "token"));
    is_int(tok ? (long)strlen(tok) : 0, 64, "create shows the full 64-char secret");
    ok(tok && strspn(tok, "0123456789abcdef") == 64, "the secret is lowercase hex");
    is_str(json_string_value(json_object_get(v, "expiry")), "2999-12-12T05:00:00", "no expiry -> 2999-12-12T05:00:00");
    const char *created = json_string_value(json_object_get(v, "created"));
    ok(created && strlen(created) == 19 && created[10] == 'T', "created is YYYY-MM-DDTHH:MM:SS");
    like(hdr, "Content-Type: application/json", "JSON Content-Type");
    like(hdr, "X-OAuth-Scopes: *\r\n", "X-OAuth-Scopes is the acting token's scopes");
    like(hdr, "X-Accepted-OAuth-Scopes: account:read_write", "X-Accepted-OAuth-Scopes on create");
    like(hdr, "X-RateLimit-Limit: ", "rate-limit headers");
    like(hdr, "X-RateLimit-Remaining: ", "X-RateLimit-Remaining");
    like(hdr, "X-RateLimit-Reset: ", "X-RateLimit-Reset");
    char secret[80], path[64];
    snprintf(secret, sizeof secret, "%s", tok ? tok : "");
    long long id = json_integer_value(json_object_get(v, "id"));
    json_decref(v);

    snprintf(path, sizeof path, "/v4/profile/tokens/%lld", id);
    is_int(req("GET", path, NULL, STAR, &v), 200, "GET one");
    const char *pre = json_string_value(json_object_get(v, "token"));
    ok(pre && strlen(pre) == 16 && !strncmp(pre, secret, 16), "GET one shows the 16-char prefix");
    json_decref(v);
    is_int(req("PUT", path, "{\"label\":\"b\",\"scopes\":\"*\",\"expiry\":\"2030-01-01T00:00:00\"}", STAR, &v), 200,
           "PUT");
    is_str(json_string_value(json_object_get(v, "label")), "b", "PUT changes the label");
    is_str(json_string_value(json_object_get(v, "scopes")), "linodes:read_only", "PUT ignores scopes");
    is_str(json_string_value(json_object_get(v, "expiry")), "2999-12-12T05:00:00", "PUT ignores expiry");
    is_int((long)strlen(json_string_value(json_object_get(v, "token"))), 16, "PUT shows the prefix");
    json_decref(v);

    /* the new token works, with its own scopes */
    char hdr2[4096];
    is_int(fake_request(&F, "GET", "/v4/profile", NULL, secret, NULL, &v, hdr2, sizeof hdr2), 200,
           "the minted token authenticates");
    like(hdr2, "X-OAuth-Scopes: linodes:read_only", "... with its scopes in X-OAuth-Scopes");
    json_decref(v);
    is_int(req("GET", "/v4/profile/tokens", NULL, secret, &v), 401, "... and cannot list without account scope");
    is_str(reason(v), "Your OAuth token is not authorized to use this endpoint.", "... not authorized");
    json_decref(v);

    is_int(req("DELETE", path, NULL, STAR, &v), 200, "DELETE answers 200");
    ok(json_is_object(v) && json_object_size(v) == 0, "... with {}");
    json_decref(v);
    expect_error("GET revoked", req("GET", path, NULL, STAR, &v), &v, 404, NULL, "Not found");
    expect_error("PUT revoked", req("PUT", path, "{\"label\":\"c\"}", STAR, &v), &v, 404, NULL, "Not found");
    expect_error("DELETE revoked", req("DELETE", path, NULL, STAR, &v), &v, 404, NULL, "Not found");
    expect_error("revoked bearer", req("GET", "/v4/profile", NULL, secret, &v), &v, 401, NULL, "Invalid Token");
    expect_error("unknown id", req("GET", "/v4/profile/tokens/424242", NULL, STAR, &v), &v, 404, NULL, "Not found");
    expect_error("non-numeric id", req("GET", "/v4/profile/tokens/abc", NULL, STAR, &v), &v, 404, NULL, "Not found");
}

static void test_validation(void)
{
    json_t *v;
    char label[256];
    memset(label, 'l', 101);
    label[101] = '\0';
    char body[512];
    snprintf(body, sizeof body, "{\"label\":\"%s\"}", label);
    expect_error("101-char label", create(body, STAR, &v), &v, 400, "label", "Length must be 1-100 characters");
    expect_error("empty label", create("{\"label\":\"\"}", STAR, &v), &v, 400, "label",
                 "Length must be 1-100 characters");
    expect_error("missing label", create("{\"scopes\":\"*\"}", STAR, &v), &v, 400, "label", NULL);
    label[100] = '\0';
    snprintf(body, sizeof body, "{\"label\":\"%s\"}", label);
    is_int(create(body, STAR, &v), 200, "100-char label is fine");
    json_decref(v);
    /* 100 characters of two bytes each */
    char wide[256] = "{\"label\":\"";
    for (int i = 0; i < 100; i++)
        strcat(wide, "\xc3\xa9");
    strcat(wide, "\"}");
    is_int(create(wide, STAR, &v), 200, "100 two-byte characters is fine (characters, not bytes)");
    json_decref(v);

    expect_error("past expiry", create("{\"label\":\"a\",\"expiry\":\"2000-01-01T00:00:00\"}", STAR, &v), &v, 400,
                 "expiry", "Expiry must be in the future");
    expect_error("bad expiry form", create("{\"label\":\"a\",\"expiry\":\"tomorrow\"}", STAR, &v), &v, 400, "expiry",
                 NULL);
    is_int(create("{\"label\":\"a\",\"expiry\":\"2100-01-02T00:00:00\"}", STAR, &v), 200, "a 2100 expiry is fine");
    is_str(json_string_value(json_object_get(v, "expiry")), "2100-01-02T00:00:00", "... and kept");
    json_decref(v);

    expect_error("unknown service", create("{\"label\":\"a\",\"scopes\":\"bogus:read_only\"}", STAR, &v), &v, 400,
                 "scopes", NULL);
    expect_error("unknown level", create("{\"label\":\"a\",\"scopes\":\"linodes:admin\"}", STAR, &v), &v, 400, "scopes",
                 NULL);
    expect_error("vpc:read_only", create("{\"label\":\"a\",\"scopes\":\"vpc:read_only\"}", STAR, &v), &v, 400, "scopes",
                 NULL);
    expect_error("empty scopes", create("{\"label\":\"a\",\"scopes\":\"\"}", STAR, &v), &v, 400, "scopes", NULL);
    expect_error("comma-separated scopes",
                 create("{\"label\":\"a\",\"scopes\":\"linodes:read_only,domains:read_write\"}", STAR, &v), &v, 400,
                 "scopes", "Multiple scopes are separated by spaces, not commas");
    is_int(create("{\"label\":\"a\",\"scopes\":\"*\"}", RO, &v), 401, "account:read_only cannot create");
    is_str(reason(v), "Your OAuth token is not authorized to use this endpoint.", "... not authorized");
    json_decref(v);
    expect_error("not JSON", create("{label", STAR, &v), &v, 400, NULL, NULL);
    expect_error("not an object", create("[1]", STAR, &v), &v, 400, NULL, NULL);

    /* the ceiling, with a read-write account token that has nothing else */
    json_t *t;
    create("{\"label\":\"mid\",\"scopes\":\"account:read_write linodes:read_only\"}", STAR, &t);
    char mid[80];
    snprintf(mid, sizeof mid, "%s", json_string_value(json_object_get(t, "token")));
    json_decref(t);
    expect_error("scopes beyond the acting token's",
                 create("{\"label\":\"a\",\"scopes\":\"linodes:read_write\"}", mid, &v), &v, 403, "scopes", NULL);
    is_int(create("{\"label\":\"a\",\"scopes\":\"linodes:read_only\"}", mid, &v), 200, "scopes within are fine");
    json_decref(v);
    is_int(create("{\"label\":\"a\",\"scopes\":\"*\"}", mid, &v), 200, "* inherits the acting token's scopes");
    is_str(json_string_value(json_object_get(v, "scopes")), "account:read_write linodes:read_only", "... exactly");
    json_decref(v);
    is_int(create("{\"label\":\"a\"}", mid, &v), 200, "no scopes inherits too");
    is_str(json_string_value(json_object_get(v, "scopes")), "account:read_write linodes:read_only", "... exactly");
    json_decref(v);

    expect_error("no bearer", req("GET", "/v4/profile/tokens", NULL, NULL, &v), &v, 401, NULL, "Invalid Token");
    char hdr[4096];
    fake_request(&F, "GET", "/v4/profile", NULL, "wrong", NULL, &v, hdr, sizeof hdr);
    like(hdr, "X-OAuth-Scopes: unknown", "a bad bearer gets X-OAuth-Scopes: unknown");
    like(hdr, "Content-Type: application/json", "errors are application/json");
    json_decref(v);
    expect_error("expired seed", req("GET", "/v4/profile", NULL, PAST, &v), &v, 401, NULL, "Invalid Token");
    expect_error("no account scope lists", req("GET", "/v4/profile/tokens", NULL, NOACC, &v), &v, 401, NULL,
                 "Your OAuth token is not authorized to use this endpoint.");
    is_int(req("GET", "/v4/profile", NULL, NOACC, &v), 200, "GET /profile needs no scope");
    is_str(json_string_value(json_object_get(v, "username")), "fakeuser", "profile username");
    ok(json_is_integer(json_object_get(v, "uid")), "profile uid");
    json_decref(v);
    expect_error("unknown path", req("GET", "/v4/linode/instances", NULL, STAR, &v), &v, 404, NULL, "Not found");
    expect_error("not /v4", req("GET", "/v3/profile", NULL, STAR, &v), &v, 404, NULL, "Not found");
    is_int(req("PATCH", "/v4/profile/tokens", "{}", STAR, &v), 405, "unknown method: 405");
    json_decref(v);
    is_int(req("GET", "/v4beta/profile", NULL, STAR, &v), 200, "/v4beta serves the same");
    json_decref(v);
}

static long list(const char *query, const char *filter, json_t **v)
{
    char path[200], h[512];
    snprintf(path, sizeof path, "/v4/profile/tokens%s", query);
    if (filter)
        snprintf(h, sizeof h, "X-Filter: %s", filter);
    return fake_request(&F, "GET", path, NULL, STAR, filter ? h : NULL, v, NULL, 0);
}

static void test_pagination_and_filter(void)
{
    json_t *v;
    req("POST", "/__fake/reset", "{}", NULL, NULL);
    for (int i = 0; i < 60; i++) {
        char body[64];
        snprintf(body, sizeof body, "{\"label\":\"tok-%02d\",\"scopes\":\"events:read_only\"}", i);
        create(body, STAR, &v);
        json_decref(v);
    }
    /* 3 live seeds (the past one is expired) + 60 */
    is_int(list("", NULL, &v), 200, "list");
    is_int(json_integer_value(json_object_get(v, "results")), 63, "results counts live tokens only");
    is_int(json_integer_value(json_object_get(v, "pages")), 1, "default page size 100: one page");
    is_int(json_integer_value(json_object_get(v, "page")), 1, "page 1");
    is_int((long)json_array_size(json_object_get(v, "data")), 63, "data holds all");
    json_decref(v);
    list("?page=2&page_size=25", NULL, &v);
    is_int(json_integer_value(json_object_get(v, "pages")), 3, "page_size 25: three pages");
    is_int((long)json_array_size(json_object_get(v, "data")), 25, "page 2 is full");
    is_int(json_integer_value(json_object_get(v, "page")), 2, "page 2");
    json_decref(v);
    list("?page=3&page_size=25", NULL, &v);
    is_int((long)json_array_size(json_object_get(v, "data")), 13, "last page holds the rest");
    json_decref(v);
    list("?page=99&page_size=25", NULL, &v);
    is_int(json_integer_value(json_object_get(v, "page")), 3, "a page past the end gives the last page");
    json_decref(v);
    expect_error("page_size 24", list("?page_size=24", NULL, &v), &v, 400, "page_size", NULL);
    expect_error("page_size 501", list("?page_size=501", NULL, &v), &v, 400, "page_size", NULL);
    expect_error("page 0", list("?page=0", NULL, &v), &v, 400, "page", NULL);
    expect_error("page x", list("?page=x", NULL, &v), &v, 400, "page", NULL);
    is_int(list("?page_size=500", NULL, &v), 200, "page_size 500 is fine");
    json_decref(v);

    list("", "{\"label\":\"tok-07\"}", &v);
    is_int(json_integer_value(json_object_get(v, "results")), 1, "X-Filter label equality");
    json_decref(v);
    list("", "{\"label\":{\"+contains\":\"tok-1\"}}", &v);
    is_int(json_integer_value(json_object_get(v, "results")), 10, "X-Filter +contains");
    json_decref(v);
    list("", "{\"+or\":[{\"label\":\"tok-01\"},{\"label\":\"tok-02\"}]}", &v);
    is_int(json_integer_value(json_object_get(v, "results")), 2, "X-Filter +or");
    json_decref(v);
    list("", "{\"+and\":[{\"label\":{\"+contains\":\"tok-\"}},{\"label\":{\"+neq\":\"tok-00\"}}]}", &v);
    is_int(json_integer_value(json_object_get(v, "results")), 59, "X-Filter +and with +neq");
    json_decref(v);
    list("", "{\"created\":{\"+gt\":\"2000-01-01T00:00:00\"},\"+order_by\":\"label\",\"+order\":\"desc\"}", &v);
    is_int(json_integer_value(json_object_get(v, "results")), 63, "X-Filter created +gt");
    is_str(json_string_value(json_object_get(json_array_get(json_object_get(v, "data"), 0), "label")), "tok-59",
           "+order_by label +order desc");
    json_decref(v);
    list("", "{\"created\":{\"+lt\":\"2000-01-01T00:00:00\"}}", &v);
    is_int(json_integer_value(json_object_get(v, "results")), 0, "X-Filter created +lt");
    json_decref(v);
    expect_error("filter on scopes", list("", "{\"scopes\":\"*\"}", &v), &v, 400, "X-Filter",
                 "Cannot filter on scopes");
    expect_error("filter not JSON", list("", "{nope", &v), &v, 400, "X-Filter", NULL);
    expect_error("unknown operator", list("", "{\"label\":{\"+like\":\"x\"}}", &v), &v, 400, "X-Filter", NULL);

    /* the clock: a 1-minute token vanishes after two */
    create("{\"label\":\"brief\",\"expiry\":\"2099-01-01T00:00:00\"}", STAR, &v);
    json_decref(v);
    json_t *clk;
    req("GET", "/__fake/clock", NULL, NULL, &clk);
    char soon[32];
    {
        /* now + 60 s, from the fake's own clock */
        const char *now = json_string_value(json_object_get(clk, "now"));
        struct tm tm = {0};
        strptime(now, "%Y-%m-%dT%H:%M:%S", &tm);
        time_t t = timegm(&tm) + 60;
        strftime(soon, sizeof soon, "%Y-%m-%dT%H:%M:%S", gmtime(&t));
    }
    json_decref(clk);
    char body[128];
    snprintf(body, sizeof body, "{\"label\":\"short\",\"expiry\":\"%s\"}", soon);
    is_int(create(body, STAR, &v), 200, "a 60-second token");
    long long id = json_integer_value(json_object_get(v, "id"));
    json_decref(v);
    req("POST", "/__fake/clock", "{\"advance\":120}", NULL, NULL);
    list("", "{\"label\":\"short\"}", &v);
    is_int(json_integer_value(json_object_get(v, "results")), 0, "expired tokens vanish from lists");
    json_decref(v);
    char path[64];
    snprintf(path, sizeof path, "/v4/profile/tokens/%lld", id);
    expect_error("GET expired", req("GET", path, NULL, STAR, &v), &v, 404, NULL, "Not found");
    json_t *all;
    req("GET", "/__fake/tokens", NULL, NULL, &all);
    int flagged = 0;
    size_t i;
    json_t *e;
    json_array_foreach(all, i, e)
    {
        flagged += json_integer_value(json_object_get(e, "id")) == id && json_is_true(json_object_get(e, "expired")) &&
                   !json_object_get(e, "token");
    }
    is_int(flagged, 1, "/__fake/tokens flags it expired and shows no secret");
    json_decref(all);
}

static void test_faults_raw(void)
{
    json_t *v;
    char hdr[4096];
    req("POST", "/__fake/reset", "{}", NULL, NULL);
    fake_fault(&F, "{\"kind\":\"maintenance\"}");
    is_int(fake_request(&F, "GET", "/v4/profile", NULL, STAR, NULL, &v, hdr, sizeof hdr), 503, "maintenance: 503");
    like(hdr, "X-Maintenance-Mode", "... with X-Maintenance-Mode");
    json_decref(v);
    fake_fault(&F, "{\"kind\":\"status\",\"status\":429,\"retry_after\":7}");
    is_int(fake_request(&F, "GET", "/v4/profile", NULL, STAR, NULL, &v, hdr, sizeof hdr), 429, "injected 429");
    like(hdr, "Retry-After: 7", "... with Retry-After");
    is_str(reason(v), "Too many requests", "... reason");
    json_decref(v);
    fake_fault(&F,
               "{\"kind\":\"status\",\"status\":500,\"path\":\"/v4/profile/tokens\",\"method\":\"POST\",\"count\":2}");
    is_int(req("GET", "/v4/profile", NULL, STAR, &v), 200, "a fault only hits matching requests");
    json_decref(v);
    is_int(create("{\"label\":\"a\"}", STAR, &v), 500, "matching request 1 of 2");
    json_decref(v);
    is_int(create("{\"label\":\"a\"}", STAR, &v), 500, "matching request 2 of 2");
    json_decref(v);
    is_int(create("{\"label\":\"a\"}", STAR, &v), 200, "then the fault is used up");
    json_decref(v);
    is_int(req("POST", "/__fake/faults", "{\"kind\":\"nonsense\"}", NULL, &v), 400, "unknown fault kind refused");
    json_decref(v);

    fake_fault(&F, "{\"kind\":\"oversized\"}");
    long st = fake_request(&F, "GET", "/v4/profile", NULL, STAR, NULL, NULL, hdr, sizeof hdr);
    is_int(st, 200, "oversized: 200");
    like(hdr, "Content-Length: 8388608", "... with an 8 MiB body");

    fake_fault(&F, "{\"kind\":\"truncate\"}");
    is_int(req("GET", "/v4/profile", NULL, STAR, NULL), -1, "truncated body: the transfer fails");
    fake_fault(&F, "{\"kind\":\"drop\"}");
    is_int(req("GET", "/v4/profile", NULL, STAR, NULL), -1, "dropped connection: no response");
    fake_fault(&F, "{\"kind\":\"malformed\"}");
    is_int(req("GET", "/v4/profile", NULL, STAR, &v), 200, "malformed: 200");
    ok(v == NULL, "... with a body that is not JSON");
    fake_fault(&F, "{\"kind\":\"content_type\",\"status\":502}");
    is_int(fake_request(&F, "GET", "/v4/profile", NULL, STAR, NULL, NULL, hdr, sizeof hdr), 502, "wrong type: 502");
    like(hdr, "Content-Type: text/html", "... text/html");

    json_t *log;
    req("GET", "/__fake/requests", NULL, NULL, &log);
    json_t *last = json_array_get(log, json_array_size(log) - 1);
    is_str(json_string_value(json_object_get(last, "path")), "/v4/profile", "the request log records paths");
    is_int(json_integer_value(json_object_get(last, "status")), 502, "... and statuses");
    ok(json_is_string(json_object_get(last, "time")), "... and times");
    json_decref(log);

    /* reset brings back the seeds and forgets everything else */
    req("POST", "/__fake/reset", "{}", NULL, NULL);
    req("GET", "/__fake/tokens", NULL, NULL, &v);
    is_int((long)json_array_size(v), 4, "reset: the four seeds only");
    json_decref(v);
    req("GET", "/__fake/requests", NULL, NULL, &v);
    is_int((long)json_array_size(v), 0, "reset: empty request log");
    json_decref(v);
}

static void test_process(void)
{
    /* --help, bad arguments, port file timing, and a stop on SIGINT */
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' --help | grep -q -- --rate-limit", fake_build_path("linode-fake-api"));
    is_int(system(cmd), 0, "--help documents the options");
    snprintf(cmd, sizeof cmd, "'%s' --latency-ms nope 2>/dev/null", fake_build_path("linode-fake-api"));
    is_int(WEXITSTATUS(system(cmd)), 2, "a bad number exits 2");
    snprintf(cmd, sizeof cmd, "'%s' --token short=* 2>/dev/null", fake_build_path("linode-fake-api"));
    is_int(WEXITSTATUS(system(cmd)), 2, "a short seed secret exits 2");
    snprintf(cmd, sizeof cmd, "'%s' --token abcdefabcdefabcdef=bogus:x 2>/dev/null",
             fake_build_path("linode-fake-api"));
    is_int(WEXITSTATUS(system(cmd)), 2, "a bad seed scope exits 2");
    /* --token-file: seeds kept out of argv; the file must be 0600, and its lines are checked */
    char tf[300];
    snprintf(tf, sizeof tf, "%s/seeds", F.dir);
    FILE *sf = fopen(tf, "w");
    fprintf(sf, "%s=account:read_only\n", STAR);
    fclose(sf);
    chmod(tf, 0644); /* a test of the permission check */
    snprintf(cmd, sizeof cmd, "'%s' --token-file '%s' 2>&1 | grep -q 'no one else can read'",
             fake_build_path("linode-fake-api"), tf);
    is_int(system(cmd), 0, "--token-file readable by others: refused, saying why");
    chmod(tf, 0600);
    sf = fopen(tf, "a");
    fprintf(sf, "abcdefabcdefabcdef=bogus:x\n");
    fclose(sf);
    snprintf(cmd, sizeof cmd, "'%s' --token-file '%s' 2>/dev/null", fake_build_path("linode-fake-api"), tf);
    is_int(WEXITSTATUS(system(cmd)), 2, "--token-file with a bad seed scope exits 2");
    snprintf(cmd, sizeof cmd, "'%s' --token-file '%s' 2>&1 | grep -q 'seeds, line 2: '",
             fake_build_path("linode-fake-api"), tf);
    is_int(system(cmd), 0, "... naming the file's line");
    /* the launcher put this fake's seeds in a file: none is in its command line */
    char cl[4096] = "";
    snprintf(cmd, sizeof cmd, "/proc/%d/cmdline", (int)F.pid);
    FILE *cf = fopen(cmd, "r");
    size_t cn = cf ? fread(cl, 1, sizeof cl - 1, cf) : 0;
    if (cf)
        fclose(cf);
    for (size_t i = 0; i < cn; i++)
        cl[i] = cl[i] ? cl[i] : ' ';
    cl[cn] = '\0';
    ok(cn > 0 && strstr(cl, "--token-file") && !strstr(cl, STAR) && !strstr(cl, RO),
       "no seed secret in the fake's argv");

    fake g;
    const char *args[] = {NULL};
    ok(fake_start(&g, args) == 0, "start a second fake on another free port");
    ok(g.port > 0 && g.port != F.port, "it got a port of its own");
    {
        fake h;
        const char *hargs[] = {"--token", STAR "=account:read_write", "--ceiling-status", "400", NULL};
        fake_start(&h, hargs);
        json_t *v;
        long st = fake_http(&h, "POST", "/v4/profile/tokens", "{\"label\":\"a\",\"scopes\":\"linodes:read_only\"}",
                            STAR, &v);
        is_int(st, 400, "--ceiling-status 400 changes the escalation status");
        is_str(field(v), "scopes", "... field scopes");
        json_decref(v);
        is_int(fake_stop(&h), 0, "... and that fake stops cleanly");
    }
    kill(g.pid, SIGINT);
    int st;
    waitpid(g.pid, &st, 0);
    g.pid = 0;
    ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "SIGINT stops it cleanly");
    fake_stop(&g);

    /* the log never holds a secret */
    char path[300];
    snprintf(path, sizeof path, "%s/fake.log", F.dir);
    FILE *f = fopen(path, "r");
    static char buf[1 << 20];
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    buf[n] = '\0';
    if (f)
        fclose(f);
    like(buf, "linode-fake-api: POST /v4/profile/tokens 200", "one log line per request");
    ok(!strstr(buf, STAR) && !strstr(buf, "s000000000000000"), "the log holds no secret");
}

/* The rows of issue 19, where the fake used to differ from Linode's OpenAPI spec. */
static void test_spec_rows(void)
{
    json_t *v;
    char hdr[4096];
    /* format: date-time is RFC 3339: Z, offsets and fractions are taken, and mean what they say */
    is_int(create("{\"label\":\"z\",\"expiry\":\"2031-01-01T00:00:00Z\"}", STAR, &v), 200, "expiry ...Z is taken");
    is_str(json_string_value(json_object_get(v, "expiry")), "2031-01-01T00:00:00", "... read back in the API's form");
    json_decref(v);
    is_int(create("{\"label\":\"o\",\"expiry\":\"2031-01-01T01:30:00.25+01:30\"}", STAR, &v), 200,
           "expiry with a fraction and an offset is taken");
    is_str(json_string_value(json_object_get(v, "expiry")), "2031-01-01T00:00:00", "... the offset applied");
    json_decref(v);
    expect_error("expiry with a bad offset",
                 create("{\"label\":\"a\",\"expiry\":\"2031-01-01T00:00:00+0100\"}", STAR, &v), &v, 400, "expiry",
                 NULL);
    /* far future: no maximum in the spec; more than 100 years out reads back as 2999-12-12T05:00:00 */
    is_int(create("{\"label\":\"far\",\"expiry\":\"2400-06-01T00:00:00Z\"}", STAR, &v), 200, "a far expiry is taken");
    is_str(json_string_value(json_object_get(v, "expiry")), "2999-12-12T05:00:00", "... and reads back as 2999");
    json_decref(v);

    /* HEAD: GET's status and headers, no body; OPTIONS: what the path permits, no token needed */
    long st = fake_request(&F, "HEAD", "/v4/profile/tokens", NULL, STAR, NULL, NULL, hdr, sizeof hdr);
    is_int(st, 200, "HEAD /profile/tokens: 200 (was 405)");
    like(hdr, "X-RateLimit-Limit: 200\r\n", "... with the list's rate limit");
    st = fake_request(&F, "OPTIONS", "/v4/profile/tokens/1000", NULL, NULL, NULL, NULL, hdr, sizeof hdr);
    is_int(st, 200, "OPTIONS /profile/tokens/ID: 200 without a token");
    like(hdr, "Allow: HEAD, GET, OPTIONS, PUT, DELETE\r\n", "... Allow names the path's methods");
    st = fake_request(&F, "PATCH", "/v4/profile/tokens/1000", "{}", STAR, NULL, &v, hdr, sizeof hdr);
    is_int(st, 405, "PATCH: 405");
    like(hdr, "Allow: HEAD, GET, OPTIONS, PUT, DELETE\r\n", "... with Allow");
    json_decref(v);

    /* X-RateLimit-*: per operation class, lists 200 a minute, every other command 400 */
    fake_http(&F, "POST", "/__fake/reset", "{}", NULL, NULL);
    fake_request(&F, "GET", "/v4/profile/tokens", NULL, STAR, NULL, NULL, hdr, sizeof hdr);
    like(hdr, "X-RateLimit-Limit: 200\r\nX-RateLimit-Remaining: 199\r\n", "list: limit 200, 199 left");
    fake_request(&F, "GET", "/v4/profile/tokens", NULL, STAR, NULL, NULL, hdr, sizeof hdr);
    like(hdr, "X-RateLimit-Remaining: 198\r\n", "... 198 after the second");
    fake_request(&F, "GET", "/v4/profile/tokens/1000", NULL, STAR, NULL, NULL, hdr, sizeof hdr);
    like(hdr, "X-RateLimit-Limit: 400\r\nX-RateLimit-Remaining: 399\r\n", "a command: limit 400, counted apart");
    fake_request(&F, "GET", "/v4/profile", NULL, STAR, NULL, NULL, hdr, sizeof hdr);
    like(hdr, "X-RateLimit-Limit: 400\r\nX-RateLimit-Remaining: 399\r\n", "GET /profile: a command of its own");

    /* /__fake/requests: headers, query and body as received, and the answer; no secret */
    fake_http(&F, "POST", "/__fake/reset", "{}", NULL, NULL);
    create("{\"label\":\"logged\",\"scopes\":\"linodes:read_only\"}", STAR, &v);
    json_decref(v);
    req("GET", "/v4/profile/tokens?page=1&page_size=25", NULL, STAR, &v);
    json_decref(v);
    long n = req("GET", "/__fake/requests", NULL, NULL, &v);
    char *text = json_dumps(v, JSON_COMPACT);
    is_int(n, 200, "GET /__fake/requests");
    json_t *post = json_array_get(v, 0), *list = json_array_get(v, 1);
    is_str(json_string_value(json_object_get(json_object_get(post, "headers"), "Authorization")),
           "Bearer <redacted: 65 characters>", "the log shows the bearer's scheme and length only");
    is_str(json_string_value(json_object_get(json_object_get(post, "body"), "label")), "logged",
           "... the request body");
    is_str(json_string_value(json_object_get(json_object_get(post, "headers"), "Content-Type")), "application/json",
           "... its Content-Type");
    is_str(json_string_value(json_object_get(json_object_get(json_object_get(post, "response"), "body"), "token")),
           "<redacted>", "... the answer's body, the secret redacted");
    is_str(json_string_value(json_object_get(json_object_get(list, "query"), "page_size")), "25", "... the query");
    is_int(json_integer_value(json_object_get(json_object_get(list, "response"), "status")), 200, "... the status");
    ok(text && !strstr(text, STAR) && !strstr(text, "s000000000000000"), "... and no secret anywhere");
    free(text);
    json_decref(v);
}

/* The switches for what the spec leaves open: 401 or 403 for a missing scope, X-OAuth-Scopes or not. */
static void test_switches(void)
{
    fake g;
    const char *args[] = {"--token", RO "=account:read_only", "--scope-error-status",
                          "403",     "--omit-oauth-scopes",   NULL};
    if (fake_start(&g, args) != 0) {
        ok(0, "start a fake with --scope-error-status 403 --omit-oauth-scopes");
        return;
    }
    json_t *v;
    char hdr[4096];
    long st = fake_request(&g, "POST", "/v4/profile/tokens", "{\"label\":\"a\"}", RO, NULL, &v, hdr, sizeof hdr);
    is_int(st, 403, "--scope-error-status 403: a live token without the scope gets 403");
    is_str(reason(v), "Your OAuth token is not authorized to use this endpoint.", "... the same reason");
    json_decref(v);
    ok(!strstr(hdr, "X-OAuth-Scopes:"), "--omit-oauth-scopes: no X-OAuth-Scopes");
    st = fake_request(&g, "GET", "/v4/profile", NULL, "not-a-token-not-a-token", NULL, &v, hdr, sizeof hdr);
    is_int(st, 401, "... a bad bearer is still 401");
    is_str(reason(v), "Invalid Token", "... Invalid Token");
    json_decref(v);
    is_int(fake_stop(&g), 0, "that fake stops cleanly");
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const char *args[] = {"--token", STAR "=*",
                          "--token", RO "=account:read_only",
                          "--token", NOACC "=linodes:read_write",
                          "--token", PAST "=*@2001-01-01T00:00:00",
                          NULL};
    if (fake_start(&F, args) != 0) {
        printf("Bail out! cannot start linode-fake-api\n");
        return 1;
    }
    test_create_and_secret();
    test_validation();
    test_pagination_and_filter();
    test_faults_raw();
    test_spec_rows();
    test_switches();
    test_process();
    is_int(fake_stop(&F), 0, "fake stops cleanly on SIGTERM");
    curl_global_cleanup();
    return tap_done();
}
