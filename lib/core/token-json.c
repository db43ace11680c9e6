/* SPDX-License-Identifier: MIT */
/* token-json.c - decode API JSON (token objects, error bodies) defensively: wrong types,
 * missing fields and hostile values become LT_ERR_BAD_RESPONSE, never a crash. */
#include "internal.h"

#include <ctype.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>

/* jansson copies every string it parses or packs, tokens included, and frees them unwiped. */
static void wiping_free(void *p)
{
    if (p) {
        explicit_bzero(p, malloc_usable_size(p));
        free(p);
    }
}

/* Only over jansson's defaults: a block from malloc frees either way, so objects made before the
 * swap stay valid; a host program's own allocator (the PAM module lives in other programs) is
 * left alone. Once, as jansson's setting is process-wide. */
static void install_wiping_free(void)
{
    json_malloc_t m;
    json_free_t f;
    json_get_alloc_funcs(&m, &f);
    if (m == malloc && f == free)
        json_set_alloc_funcs(malloc, wiping_free);
}

void lt_json_wipe_on_free(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, install_wiping_free);
}

json_t *lt_json_parse_body(const char *body, size_t len, lt_error *err)
{
    json_error_t jerr;
    json_t *v = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &jerr);
    if (!v)
        lt_error_set(err, LT_ERR_BAD_RESPONSE, "malformed JSON in API response: %.200s (line %d)", jerr.text,
                     jerr.line);
    return v;
}

static lt_error_kind bad(lt_error *err, const char *what)
{
    return lt_error_set(err, LT_ERR_BAD_RESPONSE, "unexpected token object from the API: %s", what);
}

lt_error_kind lt_token_from_json(json_t *obj, time_t now, lt_token *out, lt_error *err)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(obj))
        return bad(err, "not an object");
    json_t *id = json_object_get(obj, "id");
    json_t *label = json_object_get(obj, "label");
    json_t *scopes = json_object_get(obj, "scopes");
    json_t *created = json_object_get(obj, "created");
    json_t *expiry = json_object_get(obj, "expiry");
    json_t *token = json_object_get(obj, "token");
    if (!json_is_integer(id) || json_integer_value(id) <= 0)
        return bad(err, "'id' is not a positive integer");
    if (!json_is_string(label))
        return bad(err, "'label' is not a string");
    if (!json_is_string(scopes))
        return bad(err, "'scopes' is not a string");
    if (!json_is_string(created))
        return bad(err, "'created' is not a string");
    if (expiry && !json_is_null(expiry) && !json_is_string(expiry))
        return bad(err, "'expiry' is not a string or null");
    if (token && !json_is_null(token) && !json_is_string(token))
        return bad(err, "'token' is not a string");

    lt_error terr;
    if (lt_time_parse_api(json_string_value(created), now, &out->created, &terr) != LT_OK)
        return bad(err, "'created' is not YYYY-MM-DDTHH:MM:SS");
    out->expiry = LT_TIME_NEVER;
    if (json_is_string(expiry) && lt_time_parse_api(json_string_value(expiry), now, &out->expiry, &terr) != LT_OK)
        return bad(err, "'expiry' is not YYYY-MM-DDTHH:MM:SS");
    out->id = (int64_t)json_integer_value(id);
    out->label = strdup(json_string_value(label));
    out->scopes = strdup(json_string_value(scopes));
    out->token = json_is_string(token) ? strdup(json_string_value(token)) : strdup("");
    out->json = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER |
                                    JSON_ENSURE_ASCII); /* exact, and plain ASCII for a terminal */
    if (!out->label || !out->scopes || !out->token || !out->json) {
        lt_token_clear(out);
        return lt_error_set(err, LT_ERR_SYSTEM, "out of memory");
    }
    return LT_OK;
}

void lt_token_clear(lt_token *t)
{
    if (!t)
        return;
    free(t->label);
    free(t->scopes);
    lt_secret_free(t->token);
    lt_secret_free(t->json); /* a create response's JSON holds the secret */
    memset(t, 0, sizeof *t);
}

void lt_token_list_clear(lt_token_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->count; i++)
        lt_token_clear(&l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

void lt_profile_clear(lt_profile *p)
{
    if (!p)
        return;
    free(p->username);
    free(p->email);
    free(p->scopes);
    memset(p, 0, sizeof *p);
}

/* Copy src into dst, replacing control characters, so a hostile reason cannot
 * break the one-line error. */
static size_t append_clean(char *dst, size_t cap, size_t n, const char *src)
{
    for (; src && *src && n + 1 < cap; src++)
        dst[n++] = (unsigned char)*src < 0x20 || *src == 0x7f ? ' ' : *src;
    dst[n < cap ? n : cap - 1] = '\0';
    return n;
}

/* The same for text the server wrote: a run of 32 or more letters and digits (a token: ours are 64
 * hex digits) is shown as <redacted>, so a server that echoes the bearer token, or any other
 * secret, in an error reason does not put it in our error line, the terminal or a CI log. */
static size_t append_server_text(char *dst, size_t cap, size_t n, const char *src)
{
    while (src && *src) {
        size_t run = 0;
        while (isalnum((unsigned char)src[run]) && (unsigned char)src[run] < 0x80)
            run++;
        if (run >= 32) {
            n = append_clean(dst, cap, n, "<redacted>");
            src += run;
            continue;
        }
        char piece[32];
        size_t take = run ? run : 1; /* under 32: fits */
        memcpy(piece, src, take);
        piece[take] = '\0';
        n = append_clean(dst, cap, n, piece);
        src += take;
    }
    return n;
}

lt_error_kind lt_api_error_from_response(const lt_http_response *r, lt_error *err)
{
    lt_error_kind kind = LT_ERR_API;
    if (r->status == 429)
        kind = LT_ERR_RATE_LIMITED;
    else if (r->status == 503 && r->maintenance)
        kind = LT_ERR_MAINTENANCE;

    char msg[sizeof err->message];
    size_t n = 0;
    const char *first_field = NULL;
    msg[0] = '\0';
    json_t *root = NULL;
    if (!strncmp(r->content_type, "application/json", 16) && r->body)
        root = json_loadb(r->body, r->len, 0, NULL);
    json_t *errors = json_object_get(root, "errors");
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e)
    {
        const char *reason = json_string_value(json_object_get(e, "reason"));
        const char *field = json_string_value(json_object_get(e, "field"));
        if (!reason)
            continue;
        if (n)
            n = append_clean(msg, sizeof msg - 32, n, "; ");
        if (field && *field) {
            if (!first_field)
                first_field = field;
            n = append_server_text(msg, sizeof msg - 32, n, field);
            n = append_clean(msg, sizeof msg - 32, n, ": ");
        }
        n = append_server_text(msg, sizeof msg - 32, n, reason);
    }
    if (!n) {
        if (kind == LT_ERR_MAINTENANCE)
            n = append_clean(msg, sizeof msg - 32, n, "the Linode API is down for maintenance");
        else if (kind == LT_ERR_RATE_LIMITED)
            n = append_clean(msg, sizeof msg - 32, n, "Too many requests");
        else if (root || !r->content_type[0])
            n = append_clean(msg, sizeof msg - 32, n, "the API returned an error without a reason");
        else {
            n = append_clean(msg, sizeof msg - 32, n, "unexpected Content-Type ");
            n = append_clean(msg, sizeof msg - 32, n, r->content_type);
        }
    }
    /* A live token without the endpoint's scope: 401 at Linode today, 403 by the spec's table. */
    if ((r->status == 401 || r->status == 403) && r->accepted_scopes[0])
        lt_error_set(err, kind, "%s (HTTP %ld; the call needs the scope %.100s)", msg, r->status, r->accepted_scopes);
    else
        lt_error_set(err, kind, "%s (HTTP %ld)", msg, r->status);
    if (err) {
        err->http_status = r->status;
        err->retry_after = r->retry_after;
        if (first_field)
            append_clean(err->field, sizeof err->field, 0, first_field);
    }
    json_decref(root);
    return kind;
}
