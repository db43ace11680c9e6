/* SPDX-License-Identifier: MIT */
/* test-client.c - the API client against linode-fake-api: every endpoint and every fault,
 * asserting both the client's result and what the fake recorded. */
#include "internal.h"
#include "fake.h"
#include "tap.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#define PARENT "p0000000000000000000000000000000000000000000000000000000000000001"
#define NARROW "n0000000000000000000000000000000000000000000000000000000000000002"
#define READER "r0000000000000000000000000000000000000000000000000000000000000003"
#define LINONLY "l0000000000000000000000000000000000000000000000000000000000000004"
#define LISTER "q0000000000000000000000000000000000000000000000000000000000000005"

static fake F;

static lt_client *client_with(const char *url, const char *token, long deadline_ms, int max_retries)
{
    lt_client_options o = {.api_url = url,
                           .token = token,
                           .allow_insecure_loopback = 1,
                           .deadline_ms = deadline_ms,
                           .max_retries = max_retries,
                           .page_size = 25};
    lt_error e;
    lt_client *c = lt_client_new(&o, &e);
    if (!c)
        diag("client: %s", e.message);
    return c;
}

static lt_client *client(const char *token)
{
    return client_with(F.api, token, 0, 0);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void reset(void)
{
    fake_http(&F, "POST", "/__fake/reset", "{}", NULL, NULL);
}

/* Start a fake of this test's own; a failed start is a failed test. */
static int start(fake *g, const char *const *args, const char *what)
{
    if (fake_start(g, args) == 0)
        return 1;
    ok(0, "start a fake %s", what);
    return 0;
}

/* stderr into a file of F's directory while fn runs; returns the file's text (static). */
static char *stderr_of(void (*fn)(void *), void *arg)
{
    char path[300];
    snprintf(path, sizeof path, "%s/stderr.log", F.dir);
    fflush(stderr);
    int saved = dup(2);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 2);
    close(fd);
    fn(arg);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    FILE *f = fopen(path, "r");
    static char buf[65536];
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    buf[n] = '\0';
    if (f)
        fclose(f);
    return buf;
}

static void test_endpoints(void)
{
    lt_client *c = client(PARENT);
    lt_error e;
    lt_profile p;
    is_int(lt_client_whoami(c, &p, &e), LT_OK, "whoami");
    is_str(p.username, "fakeuser", "whoami: username");
    is_str(p.scopes, "*", "whoami: the acting token's scopes from X-OAuth-Scopes");
    is_int(fake_count(&F, "GET", "/v4/profile"), 1, "fake saw one GET /profile");
    lt_profile_clear(&p);

    lt_token t;
    int64_t expiry = (int64_t)time(NULL) + 3600;
    is_int(lt_client_create_token(c, "ci-token", "linodes:read_only domains:read_write", expiry, &t, &e), LT_OK,
           "create");
    is_int((int64_t)strlen(t.token), 64, "create returns the full 64-char secret");
    is_str(t.scopes, "linodes:read_only domains:read_write", "create: scopes");
    is_int(t.expiry, expiry, "create: expiry to the second");
    is_int(fake_count(&F, "POST", "/v4/profile/tokens"), 1, "fake saw exactly one POST");
    json_t *ft = fake_token(&F, (long long)t.id);
    is_int(json_integer_value(json_object_get(ft, "created_by")), 1000, "fake: created by the parent (id 1000)");
    json_decref(ft);
    char secret[80];
    snprintf(secret, sizeof secret, "%s", t.token);
    int64_t id = t.id;
    lt_token_clear(&t);

    is_int(lt_client_get_token(c, id, &t, &e), LT_OK, "get");
    is_int((int64_t)strlen(t.token), 16, "get shows only the 16-char prefix");
    ok(!strncmp(t.token, secret, 16), "the prefix is the secret's first 16 characters");
    is_str(t.label, "ci-token", "get: label");
    lt_token_clear(&t);

    is_int(lt_client_create_token(c, "no-expiry", NULL, LT_TIME_NEVER, &t, &e), LT_OK, "create without expiry");
    ok(t.expiry == LT_TIME_NEVER, "no expiry reads back as never (2999)");
    is_str(t.scopes, "*", "no scopes inherits the acting token's");
    lt_token_clear(&t);

    is_int(lt_client_rename_token(c, id, "renamed", &t, &e), LT_OK, "rename");
    is_str(t.label, "renamed", "rename: new label returned");
    is_int((int64_t)strlen(t.token), 16, "rename shows only the prefix");
    lt_token_clear(&t);
    ft = fake_token(&F, (long long)id);
    is_str(json_string_value(json_object_get(ft, "label")), "renamed", "fake: label changed");
    json_decref(ft);

    /* list: 30 more tokens so that page_size 25 needs two pages */
    for (int i = 0; i < 30; i++) {
        char label[32];
        snprintf(label, sizeof label, "bulk-%02d", i);
        lt_client_create_token(c, label, "events:read_only", LT_TIME_NEVER, &t, &e);
        lt_token_clear(&t);
    }
    lt_token_list l;
    int gets_before = fake_count(&F, "GET", "/v4/profile/tokens");
    is_int(lt_client_list_tokens(c, NULL, &l, &e), LT_OK, "list all pages");
    is_int((int64_t)l.count, 35, "list: 3 seeds + 2 + 30 tokens");
    is_int(fake_count(&F, "GET", "/v4/profile/tokens") - gets_before, 2, "list took exactly two pages");
    int found = 0;
    for (size_t i = 0; i < l.count; i++)
        found += l.items[i].id == id && !strcmp(l.items[i].label, "renamed") && strlen(l.items[i].token) == 16;
    is_int(found, 1, "list holds the renamed token, prefix only");
    lt_token_list_clear(&l);

    is_int(lt_client_list_tokens(c, "{\"label\":{\"+contains\":\"bulk-2\"}}", &l, &e), LT_OK, "list with X-Filter");
    is_int((int64_t)l.count, 10, "X-Filter: bulk-20..bulk-29");
    lt_token_list_clear(&l);
    is_int(lt_client_list_tokens(c, "{\"scopes\":\"*\"}", &l, &e), LT_ERR_API, "filter on a non-filterable field");
    is_str(e.message, "X-Filter: Cannot filter on scopes (HTTP 400)", "its error line");

    is_int(lt_client_revoke_token(c, id, &e), LT_OK, "revoke");
    ft = fake_token(&F, (long long)id);
    ok(json_is_true(json_object_get(ft, "revoked")), "fake: token revoked");
    json_decref(ft);
    is_int(lt_client_get_token(c, id, &t, &e), LT_ERR_API, "get a revoked token");
    ok(lt_error_is_not_found(&e), "... is 404");
    is_str(e.message, "Not found (HTTP 404)", "... Not found");
    is_int(lt_client_revoke_token(c, id, &e), LT_ERR_API, "revoke twice");
    ok(lt_error_is_not_found(&e), "... is 404 (already gone)");
    is_int(lt_client_rename_token(c, 999999, "x", &t, &e), LT_ERR_API, "rename unknown id");
    ok(lt_error_is_not_found(&e), "... is 404");

    /* the revoked token no longer authenticates */
    lt_client *dead = client(secret);
    is_int(lt_client_whoami(dead, &p, &e), LT_ERR_API, "a revoked token cannot call the API");
    is_str(e.message, "Invalid Token (HTTP 401)", "... Invalid Token");
    lt_client_free(dead);

    /* v4beta serves the same */
    char beta[200];
    snprintf(beta, sizeof beta, "%s/v4beta", F.base);
    lt_client *b = client_with(beta, PARENT, 0, 0);
    is_int(lt_client_whoami(b, &p, &e), LT_OK, "whoami under /v4beta");
    is_int(fake_count(&F, "GET", "/v4beta/profile"), 1, "fake saw /v4beta/profile");
    lt_profile_clear(&p);
    lt_client_free(b);
    lt_client_free(c);
}

static void test_api_errors(void)
{
    reset();
    lt_client *c = client(PARENT);
    lt_error e;
    lt_token t;
    /* labels: 1 to 100 characters (the spec's minLength/maxLength count characters), checked
     * before anything is sent */
    char long_label[102];
    memset(long_label, 'x', 101);
    long_label[101] = '\0';
    const int posts = fake_count(&F, "POST", "/v4/profile/tokens");
    is_int(lt_client_create_token(c, long_label, "linodes:read_only", LT_TIME_NEVER, &t, &e), LT_ERR_USAGE,
           "101-char label refused by the client");
    is_str(e.message, "label: must be 1 to 100 characters; this one has 101 (checked before sending)",
           "label error line");
    is_str(e.field, "label", "label error field");
    is_int(fake_count(&F, "POST", "/v4/profile/tokens"), posts, "... and never sent");
    is_int(lt_client_create_token(c, "", "linodes:read_only", LT_TIME_NEVER, &t, &e), LT_ERR_USAGE,
           "an empty label is refused by the client");
    is_int(lt_client_create_token(c, "bad\xff", "linodes:read_only", LT_TIME_NEVER, &t, &e), LT_ERR_USAGE,
           "a label that is not UTF-8 is refused");
    like(e.message, "not valid UTF-8", "... says so");
    char wide[256] = "";
    for (int i = 0; i < 100; i++)
        strcat(wide, "\xc3\xa9"); /* 100 characters, 200 bytes */
    is_int(lt_client_create_token(c, wide, "linodes:read_only", LT_TIME_NEVER, &t, &e), LT_OK,
           "100 two-byte characters (200 bytes) are a valid label");
    const int64_t wide_id = t.id;
    lt_token_clear(&t);
    strcat(wide, "e");
    is_int(lt_client_rename_token(c, wide_id, wide, &t, &e), LT_ERR_USAGE, "a rename to 101 characters is refused");
    char put_path[64];
    snprintf(put_path, sizeof put_path, "/v4/profile/tokens/%lld", (long long)wide_id);
    is_int(fake_count(&F, "PUT", put_path), 0, "... before sending");
    is_int(lt_client_create_token(c, "past", "linodes:read_only", (int64_t)time(NULL) - 10, &t, &e), LT_ERR_API,
           "past expiry refused");
    is_str(e.message, "expiry: Expiry must be in the future (HTTP 400)", "expiry error line");
    is_int(lt_client_create_token(c, "bad", "linodes:bogus", LT_TIME_NEVER, &t, &e), LT_ERR_API, "bad scope refused");
    is_str(e.field, "scopes", "bad scope: field scopes");
    lt_client_free(c);

    c = client(NARROW);
    is_int(lt_client_create_token(c, "escalate", "domains:read_write", LT_TIME_NEVER, &t, &e), LT_ERR_API,
           "scope escalation refused by the API");
    is_int(e.http_status, 403, "escalation: 403 (the fake's default)");
    is_int(lt_client_create_token(c, "ok", "linodes:read_only", LT_TIME_NEVER, &t, &e), LT_OK,
           "a child within the parent is fine");
    lt_token_clear(&t);
    lt_client_free(c);

    c = client(READER);
    lt_token_list l;
    is_int(lt_client_list_tokens(c, NULL, &l, &e), LT_OK, "account:read_only can list");
    lt_token_list_clear(&l);
    is_int(lt_client_create_token(c, "x", NULL, LT_TIME_NEVER, &t, &e), LT_ERR_API, "account:read_only cannot create");
    is_str(e.message,
           "Your OAuth token is not authorized to use this endpoint. (HTTP 401; the call needs the scope "
           "account:read_write)",
           "not-authorized line, with the scope the call needs");
    is_int(e.http_status, 401, "... a 401 (Linode's answer today)");
    lt_client_free(c);

    c = client("not-a-token");
    is_int(lt_client_list_tokens(c, NULL, &l, &e), LT_ERR_API, "a bad bearer is refused");
    is_str(e.message, "Invalid Token (HTTP 401)", "Invalid Token line");
    lt_client_free(c);

    /* expiry: the fake's clock moves; the token vanishes from lists and stops working */
    c = client(PARENT);
    is_int(lt_client_create_token(c, "short", "events:read_only", (int64_t)time(NULL) + 60, &t, &e), LT_OK,
           "create a 60 s token");
    char secret[80];
    snprintf(secret, sizeof secret, "%s", t.token);
    int64_t id = t.id;
    lt_token_clear(&t);
    fake_http(&F, "POST", "/__fake/clock", "{\"advance\":120}", NULL, NULL);
    lt_client_list_tokens(c, NULL, &l, &e);
    int seen = 0;
    for (size_t i = 0; i < l.count; i++)
        seen += l.items[i].id == id;
    is_int(seen, 0, "expired token is not listed");
    lt_token_list_clear(&l);
    is_int(lt_client_get_token(c, id, &t, &e), LT_ERR_API, "GET of an expired token");
    ok(lt_error_is_not_found(&e), "... is 404");
    lt_client *ex = client(secret);
    lt_profile p;
    is_int(lt_client_whoami(ex, &p, &e), LT_ERR_API, "an expired token stops working");
    is_str(e.message, "Invalid Token (HTTP 401)", "... Invalid Token");
    lt_client_free(ex);
    lt_client_free(c);
}

static lt_error_kind faulted_list(const char *fault_json, lt_error *e)
{
    lt_client *c = client_with(F.api, PARENT, 4000, 0);
    lt_token_list l;
    fake_fault(&F, fault_json);
    lt_error_kind k = lt_client_list_tokens(c, NULL, &l, e);
    lt_token_list_clear(&l);
    lt_client_free(c);
    return k;
}

static void test_faults(void)
{
    lt_error e;
    lt_token t;
    reset();
    is_int(faulted_list("{\"kind\":\"status\",\"status\":503,\"path\":\"/profile/tokens\"}", &e), LT_OK,
           "a 503 on GET is retried and succeeds");
    is_int(fake_count(&F, "GET", "/v4/profile/tokens"), 2, "... two GETs on the fake");

    reset();
    double t0 = now_s();
    is_int(faulted_list("{\"kind\":\"status\",\"status\":429,\"retry_after\":1}", &e), LT_OK,
           "a 429 with Retry-After: 1 is retried");
    ok(now_s() - t0 >= 0.9, "... after waiting Retry-After");
    is_int(fake_count(&F, "GET", "/v4/profile/tokens"), 2, "... two GETs on the fake");

    reset();
    is_int(faulted_list("{\"kind\":\"status\",\"status\":408}", &e), LT_OK, "a 408 is retried");

    reset();
    t0 = now_s();
    is_int(faulted_list("{\"kind\":\"status\",\"status\":429,\"retry_after\":100}", &e), LT_ERR_RATE_LIMITED,
           "a Retry-After beyond the deadline is not waited for");
    ok(now_s() - t0 < 2, "... it returns at once");
    ok(e.retry_after == 100, "... and reports Retry-After");
    is_str(e.message, "Too many requests (HTTP 429)", "... one line");

    reset();
    is_int(faulted_list("{\"kind\":\"status\",\"status\":503,\"count\":10}", &e), LT_ERR_API,
           "503s past max_retries give up");
    is_int(fake_count(&F, "GET", "/v4/profile/tokens"), 4, "... 1 try + 3 retries");
    fake_http(&F, "DELETE", "/__fake/faults", NULL, NULL, NULL);

    reset();
    is_int(faulted_list("{\"kind\":\"maintenance\"}", &e), LT_ERR_MAINTENANCE, "503 + X-Maintenance-Mode");
    is_int(fake_count(&F, "GET", "/v4/profile/tokens"), 1, "... is not retried");

    reset();
    is_int(faulted_list("{\"kind\":\"drop\"}", &e), LT_ERR_NETWORK, "a dropped connection is a network error");
    is_int(lt_error_exit_code(&e), 4, "... exit code 4");
    is_int(faulted_list("{\"kind\":\"truncate\"}", &e), LT_ERR_NETWORK, "a truncated body is a network error");
    is_int(faulted_list("{\"kind\":\"malformed\"}", &e), LT_ERR_BAD_RESPONSE, "malformed JSON is a bad response");
    like(e.message, "malformed JSON", "... says so");
    is_int(faulted_list("{\"kind\":\"oversized\"}", &e), LT_ERR_TOO_LARGE, "an 8 MiB body is refused");
    like(e.message, "larger than 1048576 bytes", "... names the cap");
    is_int(faulted_list("{\"kind\":\"content_type\"}", &e), LT_ERR_BAD_RESPONSE, "200 text/html is a bad response");
    like(e.message, "unexpected Content-Type 'text/html'", "... names the type");
    is_int(faulted_list("{\"kind\":\"content_type\",\"status\":502}", &e), LT_ERR_API, "502 text/html");
    is_str(e.message, "unexpected Content-Type text/html (HTTP 502)", "... one line");
    is_int(faulted_list("{\"kind\":\"status\",\"status\":400,\"body\":\"{\\\"errors\\\":[{\\\"reason\\\":\\\"Linode "
                        "busy.\\\"}]}\"}",
                        &e),
           LT_ERR_API, "a custom 400 body");
    is_str(e.message, "Linode busy. (HTTP 400)", "... its reason");

    /* timeouts: the request timeout and the overall deadline */
    reset();
    {
        lt_client_options o = {.api_url = F.api,
                               .token = PARENT,
                               .allow_insecure_loopback = 1,
                               .request_timeout_ms = 500,
                               .deadline_ms = 5000};
        lt_client *c = lt_client_new(&o, &e);
        lt_profile p;
        fake_fault(&F, "{\"kind\":\"delay\",\"delay_ms\":3000}");
        t0 = now_s();
        is_int(lt_client_whoami(c, &p, &e), LT_ERR_TIMEOUT, "a slow API times out");
        ok(now_s() - t0 < 1.5, "... within the request timeout");
        is_int(lt_error_exit_code(&e), 4, "... exit code 4");
        lt_client_free(c);
    }

    /* POST is never retried once it may have reached the server */
    reset();
    {
        lt_client *c = client(PARENT);
        fake_fault(&F, "{\"kind\":\"status\",\"status\":503,\"method\":\"POST\"}");
        is_int(lt_client_create_token(c, "x", "linodes:read_only", LT_TIME_NEVER, &t, &e), LT_ERR_API,
               "a 503 on create is reported");
        is_int(fake_count(&F, "POST", "/v4/profile/tokens"), 1, "... and not retried");
        fake_fault(&F, "{\"kind\":\"status\",\"status\":429,\"method\":\"POST\",\"retry_after\":1}");
        is_int(lt_client_create_token(c, "x", "linodes:read_only", LT_TIME_NEVER, &t, &e), LT_ERR_RATE_LIMITED,
               "a 429 on create is reported");
        is_int(fake_count(&F, "POST", "/v4/profile/tokens"), 2, "... and not retried");
        fake_fault(&F, "{\"kind\":\"drop\",\"method\":\"POST\"}");
        is_int(lt_client_create_token(c, "x", "linodes:read_only", LT_TIME_NEVER, &t, &e), LT_ERR_NETWORK,
               "a dropped create is reported");
        is_int(fake_count(&F, "POST", "/v4/profile/tokens"), 3, "... and not retried");
        lt_client_free(c);
    }

    /* a create response without the full secret is refused */
    reset();
    {
        lt_client *c = client(PARENT);
        fake_fault(&F, "{\"kind\":\"status\",\"status\":200,\"method\":\"POST\",\"body\":"
                       "\"{\\\"id\\\":5,\\\"label\\\":\\\"x\\\",\\\"scopes\\\":\\\"*\\\",\\\"created\\\":"
                       "\\\"2026-01-01T00:00:00\\\",\\\"expiry\\\":null,\\\"token\\\":\\\"short\\\"}\"}");
        is_int(lt_client_create_token(c, "x", NULL, LT_TIME_NEVER, &t, &e), LT_ERR_BAD_RESPONSE,
               "create without a full secret is a bad response");
        /* a list whose page count is hostile */
        fake_fault(&F, "{\"kind\":\"status\",\"status\":200,\"body\":\"{\\\"data\\\":[],\\\"page\\\":1,"
                       "\\\"pages\\\":999999999,\\\"results\\\":0}\"}");
        lt_token_list l;
        is_int(lt_client_list_tokens(c, NULL, &l, &e), LT_ERR_BAD_RESPONSE, "a hostile page count is refused");
        fake_fault(&F, "{\"kind\":\"status\",\"status\":200,\"body\":\"{\\\"data\\\":{},\\\"page\\\":1,"
                       "\\\"pages\\\":1,\\\"results\\\":0}\"}");
        is_int(lt_client_list_tokens(c, NULL, &l, &e), LT_ERR_BAD_RESPONSE, "data that is not an array is refused");
        lt_client_free(c);
    }
}

static void test_rate_limit_and_cap(void)
{
    fake g;
    const char *args[] = {"--token", PARENT "=*", "--rate-limit", "3", "--max-tokens", "2", NULL};
    if (!start(&g, args, "rate-limited"))
        return;
    lt_client *c = client_with(g.api, PARENT, 3000, 0);
    lt_error e;
    lt_token t;
    is_int(lt_client_create_token(c, "one", NULL, LT_TIME_NEVER, &t, &e), LT_OK, "the 2nd live token is allowed");
    lt_token_clear(&t);
    is_int(lt_client_create_token(c, "two", NULL, LT_TIME_NEVER, &t, &e), LT_ERR_API, "past --max-tokens is refused");
    like(e.message, "maximum number of personal access tokens", "... says why");
    lt_profile p;
    if (lt_client_whoami(c, &p, &e) == LT_OK)
        lt_profile_clear(&p);
    double t0 = now_s();
    is_int(lt_client_whoami(c, &p, &e), LT_ERR_RATE_LIMITED, "past --rate-limit: 429");
    ok(now_s() - t0 < 2.5, "... not waited for when Retry-After passes the deadline");
    ok(e.retry_after >= 1 && e.retry_after <= 60, "... with Retry-After in the minute");
    lt_client_free(c);
    is_int(fake_stop(&g), 0, "rate-limited fake stops cleanly");
}

/* --op-rate-limit: each operation (method and path, ids as one) has its own minute */
static void test_op_rate_limit(void)
{
    fake g;
    const char *args[] = {"--token", PARENT "=*", "--op-rate-limit", "2", NULL};
    if (!start(&g, args, "with --op-rate-limit"))
        return;
    lt_client *c = client_with(g.api, PARENT, 3000, 0);
    lt_error e;
    lt_token t1, t2, t3;
    is_int(lt_client_create_token(c, "op-1", NULL, LT_TIME_NEVER, &t1, &e), LT_OK, "op limit 2: POST 1");
    is_int(lt_client_create_token(c, "op-2", NULL, LT_TIME_NEVER, &t2, &e), LT_OK, "... POST 2");
    is_int(lt_client_create_token(c, "op-3", NULL, LT_TIME_NEVER, &t3, &e), LT_ERR_RATE_LIMITED, "... POST 3: 429");
    lt_profile p;
    const lt_error_kind who = lt_client_whoami(c, &p, &e);
    is_int(who, LT_OK, "... while GET /profile, another operation, is answered");
    if (who == LT_OK)
        lt_profile_clear(&p);
    is_int(lt_client_revoke_token(c, t1.id, &e), LT_OK, "... DELETE of token A");
    is_int(lt_client_revoke_token(c, t2.id, &e), LT_OK, "... DELETE of token B: the same operation, count 2");
    lt_token_clear(&t1);
    lt_token_clear(&t2);
    double t0 = now_s();
    is_int(lt_client_revoke_token(c, 999999, &e), LT_ERR_RATE_LIMITED, "... a third DELETE (any id): 429");
    ok(now_s() - t0 < 2.5, "... not waited for past the deadline");
    lt_client_free(c);
    is_int(fake_stop(&g), 0, "fake with --op-rate-limit stops cleanly");
}

static void test_unreachable(void)
{
    /* a port that was just free: connection refused */
    fake g;
    const char *args[] = {NULL};
    fake_start(&g, args);
    char api[160];
    snprintf(api, sizeof api, "%s", g.api);
    fake_stop(&g);
    lt_client *c = client_with(api, PARENT, 3000, 0);
    lt_error e;
    lt_profile p;
    is_int(lt_client_whoami(c, &p, &e), LT_ERR_NETWORK, "API down: network error");
    like(e.message, "cannot reach http://127.0.0.1:", "... names the URL");
    is_int(lt_error_exit_code(&e), 4, "... exit code 4");
    lt_client_free(c);
}

/* A debug-traced create and whoami: the secret it got goes to secret_out, the trace is returned. */
typedef struct {
    char *secret_out;
    size_t cap;
} traced_args;

static void traced_run(void *arg)
{
    traced_args *a = arg;
    lt_client_options o = {.api_url = F.api, .token = PARENT, .allow_insecure_loopback = 1, .debug = 1};
    lt_error e;
    lt_client *c = lt_client_new(&o, &e);
    lt_token t;
    lt_profile p;
    if (lt_client_create_token(c, "traced", "linodes:read_only", LT_TIME_NEVER, &t, &e) == LT_OK) {
        snprintf(a->secret_out, a->cap, "%s", t.token);
        lt_token_clear(&t);
    }
    if (lt_client_whoami(c, &p, &e) == LT_OK)
        lt_profile_clear(&p);
    lt_client_free(c);
}

static char *traced(char *secret_out, size_t cap)
{
    traced_args a = {secret_out, cap};
    return stderr_of(traced_run, &a);
}

static void test_trace_redaction(void)
{
    reset();
    char secret[80] = "";
    char *log = traced(secret, sizeof secret);
    is_int((int64_t)strlen(secret), 64, "traced create returned a secret");
    like(log, "Authorization: <redacted>", "trace shows the Authorization header redacted");
    like(log, "\"token\":\"<redacted>\"", "trace redacts the token in the response body");
    like(log, "POST /v4/profile/tokens", "trace shows the request line");
    ok(!strstr(log, PARENT), "trace never shows the parent token");
    ok(secret[0] && !strstr(log, secret), "trace never shows the minted token");
    ok(secret[0] && !strstr(log, "0000000000000001"), "trace never shows the parent's prefix either");

    /* A create answer whose "token" has a tab and a newline around the colon, and (with ~16 KiB of
     * label before it) sits across the boundary between two reads. */
    static const char hostile_secret[] = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";
    static char body[20000], fault[24000];
    char pad[16360];
    memset(pad, 'a', sizeof pad - 1);
    pad[sizeof pad - 1] = '\0';
    snprintf(body, sizeof body,
             "{\"id\":5,\"label\":\"%s\",\"scopes\":\"*\",\"created\":\"2026-01-01T00:00:00\","
             "\"expiry\":\"2030-01-01T00:00:00\",\"token\"\n\t:\t\"%s\"}",
             pad, hostile_secret);
    json_t *fj = json_pack("{s:s,s:s,s:i,s:s}", "kind", "status", "method", "POST", "status", 200, "body", body);
    char *ft = json_dumps(fj, JSON_COMPACT);
    snprintf(fault, sizeof fault, "%s", ft);
    free(ft);
    json_decref(fj);
    reset();
    fake_fault(&F, fault);
    log = traced(secret, sizeof secret);
    is_str(secret, hostile_secret, "a create answer with whitespace around the colon still parses");
    ok(!strstr(log, hostile_secret) && !strstr(log, "c0ffee00c0ffee00"),
       "... and the trace holds no part of its token (redacted on the whole body, not per read)");
    like(log, "\"token\":\"<redacted>\"", "... it shows the member redacted");
}

/* Answers the fake recorded with this status. */
static int count_status(fake *g, long status)
{
    json_t *v = NULL;
    fake_http(g, "GET", "/__fake/requests", NULL, NULL, &v);
    size_t i;
    json_t *e;
    int n = 0;
    json_array_foreach(v, i, e) n += json_integer_value(json_object_get(e, "status")) == status;
    json_decref(v);
    return n;
}

static void whoami_traced(void *arg)
{
    const fake *g = arg;
    lt_client_options o = {.api_url = g->api, .token = NARROW, .allow_insecure_loopback = 1, .debug = 1};
    lt_error e;
    lt_profile p;
    lt_client *c = lt_client_new(&o, &e);
    if (c && lt_client_whoami(c, &p, &e) == LT_OK)
        lt_profile_clear(&p);
    lt_client_free(c);
}

/* X-OAuth-Scopes is optional (responses "may include" it): the token's own entry in the list says
 * its scopes; and a missing scope may be a 403 (the spec's status table) as well as Linode's 401. */
static void test_no_oauth_scopes(void)
{
    fake g;
    const char *args[] = {"--token",
                          PARENT "=*",
                          "--token",
                          NARROW "=linodes:read_write account:read_write",
                          "--token",
                          LINONLY "=linodes:read_only",
                          "--token",
                          LISTER "=linodes:read_only account:read_only",
                          "--omit-oauth-scopes",
                          "--scope-error-status",
                          "403",
                          NULL};
    if (!start(&g, args, "with --omit-oauth-scopes --scope-error-status 403"))
        return;
    lt_error e;
    lt_profile p;
    lt_client *c = client_with(g.api, PARENT, 0, 0);
    is_int(lt_client_whoami(c, &p, &e), LT_OK, "no X-OAuth-Scopes: whoami still works");
    is_str(p.scopes, "*", "... the scopes from the token's own entry in the list");
    is_int(fake_count(&g, "GET", "/v4/profile/tokens"), 1, "... one list read");
    lt_profile_clear(&p);
    lt_client_free(c);
    c = client_with(g.api, NARROW, 0, 0);
    is_int(lt_client_whoami(c, &p, &e), LT_OK, "a narrower parent");
    is_str(p.scopes, "linodes:read_write account:read_write", "... its own scopes, found by its 16-character prefix");
    lt_profile_clear(&p);
    lt_client_free(c);
    c = client_with(g.api, LINONLY, 0, 0);
    is_int(lt_client_whoami(c, &p, &e), LT_ERR_API, "a token that cannot list: its scopes cannot be learnt");
    like(e.message, "no X-OAuth-Scopes", "... says the header was missing");
    like(e.message, "(HTTP 403; the call needs the scope account:read_only)", "... and why the list failed");
    is_int(e.http_status, 403, "... with the list's status");
    is_int(lt_client_profile(c, 0, &p, &e), LT_OK, "GET /profile alone (does the token work?) needs no scopes");
    ok(p.scopes == NULL, "... and has none to give");
    lt_profile_clear(&p);
    lt_client_free(c);
    c = client_with(g.api, LISTER, 0, 0);
    lt_token t;
    is_int(lt_client_create_token(c, "x", "linodes:read_only", LT_TIME_NEVER, &t, &e), LT_ERR_API,
           "403 for a missing scope: an API error");
    is_int(e.http_status, 403, "... 403");
    is_str(e.message,
           "Your OAuth token is not authorized to use this endpoint. (HTTP 403; the call needs the scope "
           "account:read_write)",
           "... the line names the scope");
    lt_client_free(c);

    /* --debug says where the scopes came from */
    char *buf = stderr_of(whoami_traced, &g);
    like(buf,
         "no X-OAuth-Scopes in the answer to GET /profile: the token's scopes are those of its own entry in "
         "GET /profile/tokens (id 1001, matched by its first 16 characters)",
         "--debug says so");
    ok(!strstr(buf, NARROW), "... and never shows the token");
    is_int(fake_stop(&g), 0, "that fake stops cleanly");
}

/* The list envelope: the spec requires none of page, pages, results. */
static void test_list_envelope(void)
{
    reset();
    lt_client *c = client(PARENT);
    lt_error e;
    lt_token_list l;
    static const char tok[] = "{\\\"id\\\":7,\\\"label\\\":\\\"a\\\",\\\"scopes\\\":\\\"*\\\",\\\"created\\\":"
                              "\\\"2026-01-01T00:00:00\\\",\\\"expiry\\\":\\\"2030-01-01T00:00:00\\\","
                              "\\\"token\\\":\\\"abcdefghijklmnop\\\"}";
    char fault[1024];
    snprintf(fault, sizeof fault,
             "{\"kind\":\"status\",\"method\":\"GET\",\"status\":200,\"body\":\"{\\\"data\\\":[%s]}\"}", tok);
    fake_fault(&F, fault);
    is_int(lt_client_list_tokens(c, NULL, &l, &e), LT_OK, "a list with data alone (no page/pages/results) is read");
    is_int((int64_t)l.count, 1, "... its one token");
    is_int(fake_count(&F, "GET", "/v4/profile/tokens"), 1, "... as the last page");
    lt_token_list_clear(&l);
    snprintf(fault, sizeof fault,
             "{\"kind\":\"status\",\"method\":\"GET\",\"status\":200,\"body\":"
             "\"{\\\"data\\\":[%s],\\\"page\\\":2,\\\"pages\\\":2}\"}",
             tok);
    fake_fault(&F, fault);
    is_int(lt_client_list_tokens(c, NULL, &l, &e), LT_ERR_BAD_RESPONSE, "a page that says it is another is refused");
    lt_client_free(c);
}

/* Pacing: the client holds a request while its operation's window is used up (X-RateLimit-
 * Remaining: 0) and asks a 429 again after Retry-After: sequential calls (the PAM module's) and
 * revoke_many (end-session, reap) alike. A fake with 3 requests per operation per 2 s. */
static void test_pacing(void)
{
    fake g;
    const char *args[] = {"--token", PARENT "=*", "--op-rate-limit", "3", "--rate-window", "2", NULL};
    if (!start(&g, args, "with --op-rate-limit 3 --rate-window 2"))
        return;
    lt_client *c = client_with(g.api, PARENT, 10000, 0); /* no retries: only the pacing can help */
    lt_error e, res[5];
    int64_t ids[5];
    int made = 0;
    for (int i = 0; i < 5; i++) {
        lt_token t;
        char label[16];
        snprintf(label, sizeof label, "paced-%d", i);
        if (lt_client_create_token(c, label, "linodes:read_only", LT_TIME_NEVER, &t, &e) == LT_OK)
            ids[made++] = t.id;
        else
            diag("create %d: %s", i, e.message);
        lt_token_clear(&t);
    }
    is_int(made, 5, "5 creates, 3 allowed per window: all made (the 4th waited for X-RateLimit-Reset)");
    is_int(count_status(&g, 429), 0, "... and none was refused: no 429");
    lt_client_free(c);
    c = client_with(g.api, PARENT, 10000, 3);
    lt_client_revoke_many(c, ids, 5, 5, 10000, res);
    int clear = 0;
    for (int i = 0; i < 5; i++)
        clear += res[i].kind == LT_OK;
    is_int(clear, 5, "revoke_many of 5, 5 at once, 3 allowed per window: all revoked");
    ok(count_status(&g, 429) <= 2, "... the 429s (at most the 2 over the limit) were asked again after Retry-After");
    is_int(fake_live_tokens(&g), 1, "... only the parent is left");
    for (int i = 0; i < 4; i++)
        lt_client_revoke_token(c, ids[i], &e); /* 404s, one operation: paced by Remaining */
    const int before = count_status(&g, 429);
    for (int i = 0; i < 4; i++)
        lt_client_revoke_token(c, ids[i], &e);
    is_int(count_status(&g, 429), before, "sequential DELETEs past the limit wait for the window: no new 429");
    lt_client_free(c);
    is_int(fake_stop(&g), 0, "the pacing fake stops cleanly");
}

int main(void)
{
    lt_global_init(NULL);
    const char *args[] = {"--token", PARENT "=*",
                          "--token", NARROW "=linodes:read_write account:read_write",
                          "--token", READER "=account:read_only",
                          NULL};
    if (fake_start(&F, args) != 0) {
        printf("Bail out! cannot start linode-fake-api\n");
        return 1;
    }
    test_endpoints();
    test_api_errors();
    test_faults();
    test_rate_limit_and_cap();
    test_op_rate_limit();
    test_unreachable();
    test_trace_redaction();
    test_no_oauth_scopes();
    test_list_envelope();
    test_pacing();
    is_int(fake_stop(&F), 0, "fake stops cleanly on SIGTERM");
    curl_global_cleanup();
    return tap_done();
}
