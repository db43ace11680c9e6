/* SPDX-License-Identifier: MIT */
/* client.c - the token endpoints of the Linode API v4 (docs/linode-api.md §2-§6). */
#include "internal.h"

#include <inttypes.h>
#include <stdio.h>

#define MAX_PAGES 10000 /* a hostile "pages" must not make us loop for ever */

/* GET/PUT/POST path and decode the body; *out is the parsed JSON value (caller decrefs). */
static lt_error_kind call_json(lt_client *c, const char *method, const char *path, json_t *body, const char *xfilter,
                               json_t **out, lt_http_response *resp, lt_error *err)
{
    char *text = NULL;
    if (body && !(text = json_dumps(body, JSON_COMPACT)))
        return lt_error_set(err, LT_ERR_SYSTEM, "out of memory");
    lt_error_kind rc = lt_http_call(c, method, path, text, xfilter, resp, err);
    free(text);
    if (rc != LT_OK)
        return rc;
    *out = lt_json_parse_body(resp->body, resp->len, err);
    return *out ? LT_OK : LT_ERR_BAD_RESPONSE;
}

static lt_error_kind token_call(lt_client *c, const char *method, const char *path, json_t *body, lt_token *out,
                                lt_error *err)
{
    lt_http_response resp;
    json_t *v = NULL;
    lt_error_kind rc = call_json(c, method, path, body, NULL, &v, &resp, err);
    if (rc == LT_OK)
        rc = lt_token_from_json(v, time(NULL), out, err);
    json_decref(v);
    lt_http_response_clear(&resp);
    return rc;
}

static int json_int_in(json_t *v, json_int_t lo, json_int_t hi)
{
    return json_is_integer(v) && json_integer_value(v) >= lo && json_integer_value(v) <= hi;
}

lt_error_kind lt_client_list_tokens(lt_client *c, const char *xfilter, lt_token_list *out, lt_error *err)
{
    memset(out, 0, sizeof *out);
    const time_t now = time(NULL);
    size_t cap = 0;
    long pages = 1;
    for (long page = 1; page <= pages; page++) {
        char path[96];
        if (c->opt.page_size > 0)
            snprintf(path, sizeof path, "/profile/tokens?page=%ld&page_size=%d", page, c->opt.page_size);
        else
            snprintf(path, sizeof path, "/profile/tokens?page=%ld", page);
        lt_http_response resp;
        json_t *v = NULL;
        lt_error_kind rc = call_json(c, "GET", path, NULL, xfilter, &v, &resp, err);
        lt_http_response_clear(&resp);
        if (rc != LT_OK)
            goto fail;
        /* The spec requires none of the envelope's members; data is the list itself. A page that
         * does not say how many there are is the last; what is said must make sense. */
        json_t *data = json_object_get(v, "data"), *jpage = json_object_get(v, "page");
        json_t *jpages = json_object_get(v, "pages"), *jresults = json_object_get(v, "results");
        if (!json_is_array(data) || (jpage && !json_int_in(jpage, page, page)) ||
            (jpages && !json_int_in(jpages, 1, MAX_PAGES)) || (jresults && !json_int_in(jresults, 0, INT32_MAX))) {
            json_decref(v);
            rc = lt_error_set(err, LT_ERR_BAD_RESPONSE,
                              "unexpected list from the API: page %ld has no valid data/page/pages/results", page);
            goto fail;
        }
        pages = jpages ? (long)json_integer_value(jpages) : page;
        size_t n = json_array_size(data);
        if (out->count + n > cap) {
            size_t ncap = (out->count + n) * 2;
            lt_token *ni = realloc(out->items, ncap * sizeof *ni);
            if (!ni) {
                json_decref(v);
                rc = lt_error_set(err, LT_ERR_SYSTEM, "out of memory");
                goto fail;
            }
            out->items = ni;
            cap = ncap;
        }
        for (size_t i = 0; i < n; i++) {
            rc = lt_token_from_json(json_array_get(data, i), now, &out->items[out->count], err);
            if (rc != LT_OK) {
                json_decref(v);
                goto fail;
            }
            out->count++;
        }
        json_decref(v);
        continue;
    fail:
        lt_token_list_clear(out);
        return rc;
    }
    return LT_OK;
}

lt_error_kind lt_client_find_label(lt_client *c, const char *label, int64_t *ids, size_t cap, size_t *n, lt_error *err)
{
    *n = 0;
    json_t *f = json_pack("{s:s}", "label", label);
    char *filter = f ? json_dumps(f, JSON_COMPACT) : NULL;
    json_decref(f);
    if (!filter)
        return lt_error_set(err, LT_ERR_USAGE, "a label that is not UTF-8 cannot be looked up");
    lt_token_list l;
    lt_error_kind rc = lt_client_list_tokens(c, filter, &l, err);
    free(filter);
    if (rc != LT_OK)
        return rc;
    for (size_t i = 0; i < l.count && *n < cap; i++)
        if (!strcmp(l.items[i].label, label)) /* the filter is the server's: check it */
            ids[(*n)++] = l.items[i].id;
    lt_token_list_clear(&l);
    return LT_OK;
}

lt_error_kind lt_client_get_token(lt_client *c, int64_t id, lt_token *out, lt_error *err)
{
    char path[64];
    snprintf(path, sizeof path, "/profile/tokens/%" PRId64, id);
    return token_call(c, "GET", path, NULL, out, err);
}

int lt_token_secret_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 16 || n > 256)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
            return 0;
    return 1;
}

lt_error_kind lt_client_create_token(lt_client *c, const char *label, const char *scopes, int64_t expiry, lt_token *out,
                                     lt_error *err)
{
    memset(out, 0, sizeof *out);
    if (lt_label_check(label, err) != LT_OK)
        return LT_ERR_USAGE;
    json_t *body = json_pack("{s:s}", "label", label);
    if (!body)
        return lt_error_set(err, LT_ERR_SYSTEM, "out of memory");
    if (scopes && json_object_set_new(body, "scopes", json_string(scopes)) != 0) {
        json_decref(body);
        return lt_error_set(err, LT_ERR_USAGE, "create: the scopes are not valid UTF-8");
    }
    if (expiry != LT_TIME_NEVER) {
        char when[20];
        lt_time_format_api(expiry, when);
        json_object_set_new(body, "expiry", json_string(when));
    }
    lt_error_kind rc = token_call(c, "POST", "/profile/tokens", body, out, err);
    json_decref(body);
    if (rc != LT_OK)
        return rc;
    /* The secret goes into shell code (env), git's protocol and HTTP headers: only what a token can
     * be passes. The 16-character prefix alone is what every other answer holds. */
    if (!lt_token_secret_valid(out->token) || strlen(out->token) <= 16)
        rc = lt_error_set(err, LT_ERR_BAD_RESPONSE,
                          "the API's create response holds no valid token "
                          "(expected 17 to 256 letters and digits)");
    else if (expiry != LT_TIME_NEVER && out->expiry == LT_TIME_NEVER)
        rc = lt_error_set(err, LT_ERR_BAD_RESPONSE,
                          "the API created token %" PRId64 " without the expiry asked "
                          "for (it says it never expires)",
                          out->id);
    if (rc != LT_OK) {
        int64_t id = out->id;
        lt_token_clear(out);
        out->id = id; /* created all the same: the caller may revoke it */
    }
    return rc;
}

lt_error_kind lt_client_rename_token(lt_client *c, int64_t id, const char *label, lt_token *out, lt_error *err)
{
    memset(out, 0, sizeof *out);
    if (lt_label_check(label, err) != LT_OK)
        return LT_ERR_USAGE;
    json_t *body = json_pack("{s:s}", "label", label);
    if (!body)
        return lt_error_set(err, LT_ERR_SYSTEM, "out of memory");
    char path[64];
    snprintf(path, sizeof path, "/profile/tokens/%" PRId64, id);
    lt_error_kind rc = token_call(c, "PUT", path, body, out, err);
    json_decref(body);
    return rc;
}

lt_error_kind lt_client_revoke_token(lt_client *c, int64_t id, lt_error *err)
{
    char path[64];
    snprintf(path, sizeof path, "/profile/tokens/%" PRId64, id);
    lt_http_response resp;
    lt_error_kind rc = lt_http_call(c, "DELETE", path, NULL, NULL, &resp, err);
    lt_http_response_clear(&resp);
    return rc;
}

/* The token's scopes from its own entry in the list (X-OAuth-Scopes was absent): no endpoint names
 * the acting token, but the list shows every token's 16-character prefix. */
static lt_error_kind scopes_from_list(lt_client *c, char **scopes, lt_error *err)
{
    lt_token_list l;
    lt_error le;
    if (lt_client_list_tokens(c, NULL, &l, &le) != LT_OK) {
        lt_error_kind k = lt_error_set(err, le.kind,
                                       "the API did not say the token's scopes (no X-OAuth-Scopes), "
                                       "and its own entry could not be read: %s",
                                       le.message);
        if (err)
            err->http_status = le.http_status, err->retry_after = le.retry_after;
        return k;
    }
    int64_t id = 0;
    int oom = 0;
    for (size_t i = 0; i < l.count && !id; i++)
        if (strlen(l.items[i].token) == 16 && strlen(c->token) >= 16 && !strncmp(l.items[i].token, c->token, 16)) {
            id = l.items[i].id;
            oom = !(*scopes = strdup(l.items[i].scopes));
        }
    lt_token_list_clear(&l);
    if (oom)
        return lt_error_set(err, LT_ERR_SYSTEM, "out of memory");
    if (!id)
        return lt_error_set(err, LT_ERR_BAD_RESPONSE,
                            "the API did not say the token's scopes (no X-OAuth-Scopes), "
                            "and the token is not in its own list");
    if (c->opt.debug)
        fprintf(stderr,
                "linode-token: trace: * no X-OAuth-Scopes in the answer to GET /profile: the token's scopes "
                "are those of its own entry in GET /profile/tokens (id %" PRId64 ", matched by its first "
                "16 characters)\n",
                id);
    return LT_OK;
}

lt_error_kind lt_client_whoami(lt_client *c, lt_profile *out, lt_error *err)
{
    return lt_client_profile(c, 1, out, err);
}

lt_error_kind lt_client_profile(lt_client *c, int want_scopes, lt_profile *out, lt_error *err)
{
    memset(out, 0, sizeof *out);
    lt_http_response resp;
    json_t *v = NULL;
    lt_error_kind rc = call_json(c, "GET", "/profile", NULL, NULL, &v, &resp, err);
    if (rc == LT_OK) {
        json_t *user = json_object_get(v, "username"), *uid = json_object_get(v, "uid");
        json_t *email = json_object_get(v, "email");
        if (!json_is_string(user) || !json_is_integer(uid) || (email && !json_is_string(email))) {
            rc = lt_error_set(err, LT_ERR_BAD_RESPONSE, "unexpected profile from the API: no username/uid");
        } else {
            out->uid = (int64_t)json_integer_value(uid);
            out->username = strdup(json_string_value(user));
            out->email = json_is_string(email) ? strdup(json_string_value(email)) : NULL;
            out->restricted = json_is_true(json_object_get(v, "restricted"));
            /* The spec: responses "may include" X-OAuth-Scopes. */
            if (resp.have_oauth_scopes)
                out->scopes = strdup(resp.oauth_scopes);
            else if (want_scopes && (rc = scopes_from_list(c, &out->scopes, err)) != LT_OK)
                lt_profile_clear(out);
            if (rc == LT_OK && (!out->username || (want_scopes && !out->scopes))) {
                lt_profile_clear(out);
                rc = lt_error_set(err, LT_ERR_SYSTEM, "out of memory");
            }
        }
    }
    json_decref(v);
    lt_http_response_clear(&resp);
    return rc;
}
