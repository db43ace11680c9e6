/* SPDX-License-Identifier: MIT */
/* test-json.c - decoding API JSON defensively, and mapping error responses to one line. */
#include "internal.h"
#include "tap.h"

#include <sys/wait.h>
#include <unistd.h>

static const time_t NOW = 1795000000;

static lt_error_kind decode(const char *text, lt_token *t)
{
    lt_error e;
    json_t *v = lt_json_parse_body(text, strlen(text), &e);
    if (!v)
        return e.kind;
    lt_error_kind k = lt_token_from_json(v, NOW, t, &e);
    json_decref(v);
    return k;
}

static void hostile(const char *text, const char *name)
{
    lt_token t;
    lt_error_kind k = decode(text, &t);
    is_int(k, LT_ERR_BAD_RESPONSE, name);
    if (k == LT_OK)
        lt_token_clear(&t);
}

static lt_error map(long status, const char *ct, const char *body, int maint, double ra)
{
    lt_http_response r = {.status = status, .maintenance = maint, .retry_after = ra};
    snprintf(r.content_type, sizeof r.content_type, "%s", ct);
    r.body = (char *)body;
    r.len = strlen(body);
    lt_error e;
    lt_api_error_from_response(&r, &e);
    return e;
}

static void *own_malloc(size_t n)
{
    return malloc(n);
}

static void own_free(void *p)
{
    free(p);
}

/* In a child (the setting is process-wide and installed once): a host that gave jansson its own
 * allocator keeps it when it creates a client. */
static int host_allocator_kept(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        json_set_alloc_funcs(own_malloc, own_free);
        lt_error e;
        lt_client *c = lt_client_new(NULL, &e);
        json_malloc_t m;
        json_free_t f;
        json_get_alloc_funcs(&m, &f);
        _exit(c && m == own_malloc && f == own_free ? 0 : 1);
    }
    int st;
    return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int main(void)
{
    json_malloc_t m;
    json_free_t f;
    json_get_alloc_funcs(&m, &f);
    ok(m == malloc && f == free, "jansson starts with malloc and free");
    ok(host_allocator_kept(), "a host's own jansson allocator is kept by lt_client_new");
    /* Everything below parses and frees through the wiping free, installed by the library. */
    lt_error ce;
    lt_client *c = lt_client_new(NULL, &ce);
    ok(c != NULL, "a client");
    lt_client_free(c);
    json_get_alloc_funcs(&m, &f);
    ok(m == malloc && f != free && f != NULL, "lt_client_new makes jansson free through the wiping free");
    lt_json_wipe_on_free();
    json_malloc_t m2;
    json_free_t f2;
    json_get_alloc_funcs(&m2, &f2);
    ok(m2 == m && f2 == f, "installing again changes nothing");
    lt_token t;
    is_int(decode("{\"id\":57288262,\"label\":\"linodego-token-test\",\"scopes\":\"linodes:read_only\","
                  "\"created\":\"2024-07-09T13:27:58\",\"expiry\":\"2024-07-09T13:29:58\",\"token\":"
                  "\"14f8c7b07c53ac5e\"}",
                  &t),
           LT_OK, "decode the contract's example");
    is_int(t.id, 57288262, "id");
    is_str(t.label, "linodego-token-test", "label");
    is_str(t.scopes, "linodes:read_only", "scopes");
    is_int(t.expiry - t.created, 120, "expiry - created");
    is_str(t.token, "14f8c7b07c53ac5e", "16-char prefix");
    like(t.json, "\"id\":57288262", "raw JSON kept for --json");
    lt_token_clear(&t);

    is_int(decode("{\"id\":1,\"label\":\"x\",\"scopes\":\"*\",\"created\":\"2024-07-09T13:27:58\",\"expiry\":null}",
                  &t),
           LT_OK, "null expiry and no token field");
    ok(t.expiry == LT_TIME_NEVER, "null expiry is never");
    is_str(t.token, "", "missing token is empty");
    lt_token_clear(&t);
    is_int(decode("{\"id\":1,\"label\":\"x\",\"scopes\":\"*\",\"created\":\"2024-07-09T13:27:58\","
                  "\"expiry\":\"2999-12-12T05:00:00\",\"extra\":{\"a\":[1,2]}}",
                  &t),
           LT_OK, "unknown fields ignored");
    ok(t.expiry == LT_TIME_NEVER, "2999 expiry is never");
    lt_token_clear(&t);

    /* the debug trace's body filter: a "token" at any depth it shows is redacted; a body nested
     * deeper than it walks is not shown at all */
    for (int depth = 10; depth <= 70; depth += 60) {
        char b[1024];
        size_t n = 0;
        for (int i = 0; i < depth; i++)
            n += (size_t)snprintf(b + n, sizeof b - n, "{\"a\":");
        n += (size_t)snprintf(b + n, sizeof b - n, "{\"token\":\"S3cr3tS3cr3t\"}");
        for (int i = 0; i < depth; i++)
            b[n++] = '}';
        b[n] = '\0';
        char *shown = lt_redact_json(b, n);
        if (depth == 10)
            ok(shown && strstr(shown, "\"token\":\"<redacted>\"") && !strstr(shown, "S3cr3t"),
               "a token 10 levels down is redacted");
        else
            ok(!shown, "a body nested 70 levels (deeper than the filter walks) is not shown at all");
        free(shown);
    }

    hostile("[]", "an array is not a token");
    hostile("\"x\"", "a string is not a token");
    hostile("{\"id\":\"1\",\"label\":\"x\",\"scopes\":\"*\",\"created\":\"2024-07-09T13:27:58\"}", "string id");
    hostile("{\"id\":-4,\"label\":\"x\",\"scopes\":\"*\",\"created\":\"2024-07-09T13:27:58\"}", "negative id");
    hostile("{\"id\":1.5,\"label\":\"x\",\"scopes\":\"*\",\"created\":\"2024-07-09T13:27:58\"}", "real id");
    hostile("{\"id\":1,\"label\":7,\"scopes\":\"*\",\"created\":\"2024-07-09T13:27:58\"}", "numeric label");
    hostile("{\"id\":1,\"label\":\"x\",\"scopes\":null,\"created\":\"2024-07-09T13:27:58\"}", "null scopes");
    hostile("{\"id\":1,\"label\":\"x\",\"scopes\":\"*\"}", "missing created");
    hostile("{\"id\":1,\"label\":\"x\",\"scopes\":\"*\",\"created\":\"yesterday\"}", "bad created");
    hostile("{\"id\":1,\"label\":\"x\",\"scopes\":\"*\",\"created\":\"2024-07-09T13:27:58\",\"expiry\":5}",
            "numeric expiry");
    hostile("{\"id\":1,\"label\":\"x\",\"scopes\":\"*\",\"created\":\"2024-07-09T13:27:58\",\"token\":[]}",
            "array token");
    hostile("{\"id\":123456789012345678901234567890,\"label\":\"x\"}", "huge number");
    hostile("{\"id\":1,\"label\":\"\xff\xfe\",\"scopes\":\"*\",\"created\":\"2024-07-09T13:27:58\"}", "invalid UTF-8");
    hostile("{\"id\":1,\"id\":2,\"label\":\"x\",\"scopes\":\"*\",\"created\":\"2024-07-09T13:27:58\"}",
            "duplicate keys");
    hostile("{\"id\":1,", "truncated");
    hostile("", "empty body");
    {
        size_t depth = 100000;
        char *deep = malloc(2 * depth + 1);
        memset(deep, '[', depth);
        memset(deep + depth, ']', depth);
        deep[2 * depth] = '\0';
        hostile(deep, "100000-deep nesting");
        free(deep);
    }

    lt_error e = map(400, "application/json",
                     "{\"errors\":[{\"reason\":\"Length must be 1-100 characters\",\"field\":\"label\"}]}", 0, 0);
    is_int(e.kind, LT_ERR_API, "400 is an API error");
    is_str(e.message, "label: Length must be 1-100 characters (HTTP 400)", "field: reason (HTTP n)");
    is_str(e.field, "label", "field kept");
    is_int(lt_error_exit_code(&e), 1, "API errors exit 1");
    e = map(400, "application/json; charset=utf-8",
            "{\"errors\":[{\"reason\":\"a\",\"field\":\"label\"},{\"reason\":\"b\",\"field\":null},{\"reason\":\"c\","
            "\"field\":\"expiry\"}]}",
            0, 0);
    is_str(e.message, "label: a; b; expiry: c (HTTP 400)", "several errors joined");
    e = map(404, "application/json", "{\"errors\":[{\"reason\":\"Not found\"}]}", 0, 0);
    is_str(e.message, "Not found (HTTP 404)", "404 message");
    ok(lt_error_is_not_found(&e), "404 is not-found");
    e = map(401, "application/json", "{\"errors\":[{\"reason\":\"Invalid\\nToken\\u0007\"}]}", 0, 0);
    is_str(e.message, "Invalid Token  (HTTP 401)", "control characters in a reason are neutralised");
    e = map(400, "application/json",
            "{\"errors\":[{\"reason\":\"token 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef "
            "rejected; short words and ids 1234 stay\",\"field\":\"tok_p000000000000000000000000000000001\"}]}",
            0, 0);
    is_str(e.message, "tok_<redacted>: token <redacted> rejected; short words and ids 1234 stay (HTTP 400)",
           "a token the server echoes in a reason or a field is not in the error line");
    e = map(400, "application/json",
            "{\"errors\":[{\"reason\":\"a 31-character run stays: abcdefghijklmnopqrstuvwxyz01234\"}]}", 0, 0);
    like(e.message, "abcdefghijklmnopqrstuvwxyz01234 (HTTP", "... a run under 32 characters stays");
    e = map(429, "application/json", "{\"errors\":[{\"reason\":\"Too many requests\"}]}", 0, 7);
    is_int(e.kind, LT_ERR_RATE_LIMITED, "429 is rate-limited");
    ok(e.retry_after == 7, "Retry-After carried");
    e = map(503, "application/json", "{}", 1, 0);
    is_int(e.kind, LT_ERR_MAINTENANCE, "503 + X-Maintenance-Mode is maintenance");
    like(e.message, "maintenance", "maintenance message");
    e = map(502, "text/html", "<html>bad gateway</html>", 0, 0);
    is_str(e.message, "unexpected Content-Type text/html (HTTP 502)", "non-JSON error body");
    e = map(500, "application/json", "{\"errors\":\"nope\"}", 0, 0);
    is_str(e.message, "the API returned an error without a reason (HTTP 500)", "errors of the wrong type");
    e = map(500, "application/json", "{\"errors\":[{\"reason\":5},{\"field\":\"x\"}]}", 0, 0);
    is_str(e.message, "the API returned an error without a reason (HTTP 500)", "reasons of the wrong type");
    {
        char big[4000];
        snprintf(big, sizeof big, "{\"errors\":[{\"reason\":\"%03000d\"}]}", 0);
        e = map(400, "application/json", big, 0, 0);
        ok(strlen(e.message) < sizeof e.message && strstr(e.message, "(HTTP 400)"),
           "a huge reason is cut, status kept");
    }

    /* error plumbing */
    lt_error x;
    is_int(lt_error_set(&x, LT_ERR_TIMEOUT, "t %d", 1), LT_ERR_TIMEOUT, "lt_error_set returns the kind");
    is_int(lt_error_exit_code(&x), 4, "timeouts exit 4");
    static const struct {
        lt_error_kind kind;
        int code;
        const char *name;
    } exits[] = {
        {LT_ERR_NETWORK, 4, "network exits 4"}, {LT_ERR_TLS, 4, "TLS exits 4"},
        {LT_ERR_USAGE, 2, "usage exits 2"},     {LT_ERR_NO_CREDENTIAL, 3, "no credential exits 3"},
        {LT_ERR_STORE, 3, "store exits 3"},     {LT_ERR_BAD_RESPONSE, 1, "bad response exits 1"},
    };
    for (size_t i = 0; i < sizeof exits / sizeof exits[0]; i++) {
        x.kind = exits[i].kind;
        is_int(lt_error_exit_code(&x), exits[i].code, exits[i].name);
    }
    lt_error_clear(&x);
    is_int(lt_error_exit_code(&x), 0, "cleared is 0");
    is_str(lt_error_kind_name(LT_ERR_RATE_LIMITED), "rate-limited", "kind names");
    is_int(lt_error_set(NULL, LT_ERR_API, "x"), LT_ERR_API, "NULL error is fine");
    return tap_done();
}
