/* SPDX-License-Identifier: MIT */
/* http.c - the client's transport: one reused curl handle, timeouts on every call,
 * a bounded body, safe retries paced by the API's rate-limit headers, and a redacted debug trace. */
#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <strings.h>

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

lt_error_kind lt_global_init(lt_error *err)
{
    lt_json_wipe_on_free();
    return lt_curl(err) ? LT_OK : LT_ERR_SYSTEM;
}

static int append_header(lt_client *c, const char *line)
{
    struct curl_slist *h = c->c->slist_append(c->headers, line);
    if (!h)
        return 0;
    c->headers = h;
    return 1;
}

lt_client *lt_client_new(const lt_client_options *opts, lt_error *err)
{
    lt_client_options none = {0};
    if (!opts)
        opts = &none;
    const lt_curl_api *api = lt_curl(err);
    if (!api)
        return NULL;
    lt_json_wipe_on_free(); /* every response (a minted token's among them) is parsed by jansson */
    lt_client *c = calloc(1, sizeof *c);
    if (!c) {
        lt_error_set(err, LT_ERR_SYSTEM, "out of memory");
        return NULL;
    }
    c->c = api;
    c->opt = *opts;
    c->opt.api_url = c->opt.token = c->opt.ca_file = c->opt.proxy = NULL;
    if (c->opt.connect_timeout_ms <= 0)
        c->opt.connect_timeout_ms = 5000;
    if (c->opt.request_timeout_ms <= 0)
        c->opt.request_timeout_ms = 15000;
    if (c->opt.deadline_ms <= 0)
        c->opt.deadline_ms = 30000;
    if (c->opt.max_retries == LT_RETRIES_DEFAULT)
        c->opt.max_retries = 3;
    else if (c->opt.max_retries < 0)
        c->opt.max_retries = 0;

    const int use_env = !opts->no_environment;
    c->base_url = lt_api_url_resolve_env(opts->api_url, use_env);
    const char *ca = opts->ca_file ? opts->ca_file : use_env ? lt_env_get("LINODE_CA") : NULL;
    c->ca_file = ca && *ca ? strdup(ca) : NULL;
    c->proxy = opts->proxy && *opts->proxy ? strdup(opts->proxy) : NULL;
    c->token = strdup(opts->token ? opts->token : "");
    c->curl = api->easy_init();
    if (!c->base_url || !c->token || !c->curl || (opts->proxy && *opts->proxy && !c->proxy)) {
        lt_error_set(err, LT_ERR_SYSTEM, "out of memory");
        lt_client_free(c);
        return NULL;
    }
    if (lt_api_url_check(c->base_url, opts->allow_insecure_loopback, err) != LT_OK) {
        lt_client_free(c);
        return NULL;
    }
    const char *fixed[] = {"Accept: application/json", "Content-Type: application/json", "Expect:"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (!append_header(c, fixed[i]))
            goto oom;
    if (*c->token) {
        char *auth = NULL;
        if (asprintf(&auth, "Authorization: Bearer %s", c->token) < 0)
            goto oom;
        int ok = append_header(c, auth);
        lt_secret_free(auth);
        if (!ok)
            goto oom;
    }
    return c;
oom:
    lt_error_set(err, LT_ERR_SYSTEM, "out of memory");
    lt_client_free(c);
    return NULL;
}

static void wipe_headers(struct curl_slist *h)
{
    for (; h; h = h->next)
        explicit_bzero(h->data, strlen(h->data));
}

void lt_client_free(lt_client *c)
{
    if (!c)
        return;
    if (c->curl)
        c->c->easy_cleanup(c->curl);
    wipe_headers(c->headers);
    if (c->headers)
        c->c->slist_free_all(c->headers);
    lt_secret_free(c->token);
    free(c->ca_file);
    free(c->proxy);
    free(c->base_url);
    free(c);
}

const char *lt_client_api_url(const lt_client *c)
{
    return c->base_url;
}

void lt_http_response_clear(lt_http_response *r)
{
    if (r->body) {
        explicit_bzero(r->body, r->len);
        free(r->body);
    }
    memset(r, 0, sizeof *r);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    lt_http_response *r = userp;
    size_t n = size * nmemb;
    if (r->len + n > LT_BODY_CAP) {
        r->too_large = 1;
        return 0; /* aborts the transfer */
    }
    char *nb = realloc(r->body, r->len + n + 1);
    if (!nb)
        return 0;
    r->body = nb;
    memcpy(r->body + r->len, data, n);
    r->len += n;
    r->body[r->len] = '\0';
    return n;
}

/* Copy a header's value (trimmed) when its name matches. */
static int header_value(const char *line, size_t n, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    if (n <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
        return 0;
    const char *v = line + nl + 1, *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && isspace((unsigned char)end[-1]))
        end--;
    size_t len = (size_t)(end - v) < cap - 1 ? (size_t)(end - v) : cap - 1;
    memcpy(out, v, len);
    out[len] = '\0';
    return 1;
}

/* A whole non-negative number of at most 18 digits, else -1. */
static long long header_number(const char *v)
{
    long long n = 0;
    size_t i = 0;
    for (; v[i] >= '0' && v[i] <= '9' && i < 18; i++)
        n = n * 10 + (v[i] - '0');
    return i && !v[i] ? n : -1;
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *userp)
{
    lt_http_response *r = userp;
    size_t n = size * nmemb;
    char buf[128];
    if (n >= 5 && !strncmp(line, "HTTP/", 5)) { /* a new response (after 100-continue etc.) */
        r->content_type[0] = r->oauth_scopes[0] = r->accepted_scopes[0] = '\0';
        r->have_oauth_scopes = r->maintenance = 0;
        r->retry_after = 0;
        r->rate_remaining = -1;
        r->rate_reset = 0;
    } else if (header_value(line, n, "X-RateLimit-Remaining", buf, sizeof buf)) {
        long long v = header_number(buf);
        r->rate_remaining = v > 1000000 ? 1000000 : (long)v;
    } else if (header_value(line, n, "X-RateLimit-Reset", buf, sizeof buf)) {
        long long v = header_number(buf);
        r->rate_reset = v > 0 ? (int64_t)v : 0;
    } else if (header_value(line, n, "X-Accepted-OAuth-Scopes", r->accepted_scopes, sizeof r->accepted_scopes)) {
    } else if (header_value(line, n, "Content-Type", r->content_type, sizeof r->content_type)) {
    } else if (header_value(line, n, "X-OAuth-Scopes", r->oauth_scopes, sizeof r->oauth_scopes)) {
        r->have_oauth_scopes = 1;
    } else if (header_value(line, n, "X-Maintenance-Mode", buf, sizeof buf)) {
        r->maintenance = 1;
    } else if (header_value(line, n, "Retry-After", buf, sizeof buf)) {
        char *end;
        errno = 0;
        long secs = strtol(buf, &end, 10);
        if (!errno && end != buf && !*end && secs >= 0) {
            r->retry_after = (double)(secs > 86400 ? 86400 : secs);
        } else {
            time_t when = lt_curl(NULL)->getdate(buf, NULL); /* HTTP-date form */
            time_t now = time(NULL);
            if (when > now)
                r->retry_after = (double)(when - now);
        }
    }
    return n;
}

/* Debug trace to stderr, to be pasted into a bug report: Authorization is never printed, bodies
 * are shown whole and redacted (lt_redact_json), and everything from the server passes the
 * printable filter. */
static void trace_line(const char *prefix, const char *data, size_t n)
{
    char buf[2048];
    while (n && (data[n - 1] == '\n' || data[n - 1] == '\r'))
        n--;
    lt_printable_into(data, n < 500 ? n : 500, buf, sizeof buf);
    fprintf(stderr, "linode-token: trace: %s %s\n", prefix, buf);
}

static void trace_body(const lt_client *c, const char *prefix, const char *body, size_t n)
{
    if (!body || !n)
        return;
    char *shown = lt_redact_json(body, n);
    if (!shown || (c->token[0] && strstr(shown, c->token))) /* never the client's own bearer */
        fprintf(stderr, "linode-token: trace: %s [%zu bytes of body withheld%s]\n", prefix, n,
                shown ? "" : ": not JSON, or nested too deep to redact");
    else
        fprintf(stderr, "linode-token: trace: %s %s\n", prefix, shown);
    if (shown) {
        explicit_bzero(shown, strlen(shown));
        free(shown);
    }
}

static int on_debug(CURL *h, curl_infotype type, char *data, size_t n, void *userp)
{
    (void)h, (void)userp;
    switch (type) {
    case CURLINFO_TEXT:
        trace_line("*", data, n);
        break;
    case CURLINFO_HEADER_OUT: {
        size_t i = 0;
        while (i < n) {
            size_t e = i;
            while (e < n && data[e] != '\n')
                e++;
            if (e - i >= 14 && !strncasecmp(data + i, "Authorization:", 14))
                fputs("linode-token: trace: > Authorization: <redacted>\n", stderr);
            else if (e > i && !(e - i == 1 && data[i] == '\r'))
                trace_line(">", data + i, e - i);
            i = e + 1;
        }
        break;
    }
    case CURLINFO_HEADER_IN:
        trace_line("<", data, n);
        break;
    default: /* bodies: traced whole, once the transfer is complete (trace_body) */
        break;
    }
    return 0;
}

static lt_error_kind map_curl_error(lt_client *c, CURLcode rc, const char *url, const lt_http_response *r,
                                    const char *errbuf, lt_error *err)
{
    const char *detail = errbuf[0] ? errbuf : c->c->easy_strerror(rc);
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return lt_error_set(err, LT_ERR_TIMEOUT, "timed out talking to %s: %s", url, detail);
    case CURLE_COULDNT_RESOLVE_HOST: /* nothing of the request left this machine */
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
        return lt_error_set(err, LT_ERR_NETWORK, "cannot reach %s" LT_NOT_SENT_MARK ": %s", url, detail);
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
        if (r->too_large || rc == CURLE_FILESIZE_EXCEEDED)
            return lt_error_set(err, LT_ERR_TOO_LARGE, "the API response from %s is larger than %d bytes", url,
                                LT_BODY_CAP);
        return lt_error_set(err, LT_ERR_SYSTEM, "out of memory reading the response from %s", url);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
        return lt_error_set(err, LT_ERR_TLS, "TLS failure talking to %s: %s (check LINODE_CA)", url, detail);
    default:
        return lt_error_set(err, LT_ERR_NETWORK, "cannot reach %s: %s", url, detail);
    }
}

/* ---- the waiting notice: a person at a terminal sees that we wait for the API ----
 * One line on stderr, once per process, when a request has had no answer for a second; turned on
 * by a front end whose stderr is a terminal (never on a pipe, never in the PAM module). */
static struct {
    const char *prog; /* NULL: off */
    const lt_curl_api *api;
    int shown;
} waiting;

void lt_http_wait_notice(const char *prog)
{
    waiting.prog = prog;
}

static int on_progress(void *h, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal, (void)ultotal, (void)ulnow;
    curl_off_t us = 0;
    char *url = NULL;
    if (waiting.shown || dlnow > 0 || waiting.api->easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &us) != CURLE_OK ||
        us < 1000000 || waiting.api->easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &url) != CURLE_OK || !url)
        return 0;
    const char *host = strstr(url, "://") ? strstr(url, "://") + 3 : url;
    fprintf(stderr, "%s: waiting for the API at %.*s...\n", waiting.prog, (int)strcspn(host, "/?#"), host);
    waiting.shown = 1;
    return 0;
}

void lt_http_prepare(lt_client *c, CURL *h, const char *method, const char *url, const char *json_body,
                     struct curl_slist *headers, long timeout_ms, lt_http_response *resp, char *errbuf)
{
    const lt_curl_api *C = c->c;
    C->easy_reset(h);
    errbuf[0] = '\0';
    C->easy_setopt(h, CURLOPT_URL, url);
    C->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    C->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    C->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    C->easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    C->easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (c->ca_file)
        C->easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
    /* Where the bearer goes is ours to say: no proxy unless one was configured, and then that
     * one for every host. An empty CURLOPT_PROXY makes libcurl ignore http_proxy, HTTPS_PROXY,
     * ALL_PROXY; an explicit CURLOPT_NOPROXY makes it ignore NO_PROXY. */
    C->easy_setopt(h, CURLOPT_PROXY, c->proxy ? c->proxy : "");
    C->easy_setopt(h, CURLOPT_NOPROXY, c->proxy ? "" : "*");
    C->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   c->opt.connect_timeout_ms < timeout_ms ? c->opt.connect_timeout_ms : timeout_ms);
    C->easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    C->easy_setopt(h, CURLOPT_USERAGENT, "linode-token/" LT_VERSION);
    C->easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    C->easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    C->easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)LT_BODY_CAP);
    C->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    C->easy_setopt(h, CURLOPT_WRITEDATA, resp);
    C->easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    C->easy_setopt(h, CURLOPT_HEADERDATA, resp);
    resp->rate_remaining = -1;
    C->easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (waiting.prog && !waiting.shown) {
        waiting.api = C;
        C->easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        C->easy_setopt(h, CURLOPT_XFERINFODATA, h);
        C->easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    }
    /* libcurl re-sends a request whose reused connection died without an answer; for a
     * POST that could mint twice, so a POST always gets a connection of its own. */
    if (!strcmp(method, "POST"))
        C->easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
    if (json_body) {
        C->easy_setopt(h, CURLOPT_POSTFIELDS, json_body);
        C->easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(json_body));
    } else if (!strcmp(method, "GET")) {
        C->easy_setopt(h, CURLOPT_HTTPGET, 1L);
        C->easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
    }
    if (c->opt.debug) {
        C->easy_setopt(h, CURLOPT_VERBOSE, 1L);
        C->easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
        C->easy_setopt(h, CURLOPT_DEBUGDATA, c);
        if (json_body)
            trace_body(c, ">", json_body, strlen(json_body));
    }
}

lt_error_kind lt_http_finish(lt_client *c, CURLcode rc, CURL *h, const char *url, lt_http_response *resp,
                             const char *errbuf, lt_error *err)
{
    if (rc != CURLE_OK)
        return map_curl_error(c, rc, url, resp, errbuf, err);
    c->c->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
    if (c->opt.debug)
        trace_body(c, "<", resp->body, resp->len);
    if (resp->status >= 200 && resp->status < 300) {
        if (resp->len && strncmp(resp->content_type, "application/json", 16) != 0)
            return lt_error_set(err, LT_ERR_BAD_RESPONSE, "unexpected Content-Type '%.60s' from %s (HTTP %ld)",
                                resp->content_type[0] ? resp->content_type : "none", url, resp->status);
        return LT_OK;
    }
    return lt_api_error_from_response(resp, err);
}

/* ---- rate-limit pacing: one home for every request of a client ---- */
static int64_t realtime_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "METHOD /path/with/{id}": what Linode counts a limit against. url may be whole or a path. */
static void rate_op(const char *method, const char *url, char out[64])
{
    const char *p = strstr(url, "://");
    if (p && (p = strchr(p + 3, '/')))
        url = p;
    if (!strncmp(url, "/v4beta/", 8) || !strncmp(url, "/v4/", 4))
        url = strchr(url + 1, '/');
    size_t o = (size_t)snprintf(out, 64, "%.8s ", method);
    for (p = url; *p && *p != '?' && o + 5 < 64;) {
        if (*p >= '0' && *p <= '9' && p > url && p[-1] == '/') {
            memcpy(out + o, "{id}", 4), o += 4;
            while (*p >= '0' && *p <= '9')
                p++;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
}

static lt_rate_slot *rate_slot(lt_client *c, const char *op, int create)
{
    lt_rate_slot *oldest = &c->rate[0];
    for (size_t i = 0; i < LT_RATE_SLOTS; i++) {
        if (!strcmp(c->rate[i].op, op))
            return &c->rate[i];
        if (c->rate[i].reset_ms < oldest->reset_ms)
            oldest = &c->rate[i];
    }
    if (!create)
        return NULL;
    memset(oldest, 0, sizeof *oldest);
    snprintf(oldest->op, sizeof oldest->op, "%s", op);
    return oldest;
}

void lt_rate_note(lt_client *c, const char *method, const char *url, const lt_http_response *r)
{
    if (!r->status)
        return;
    char op[64];
    rate_op(method, url, op);
    const int64_t now = realtime_ms();
    if (r->status == 429) { /* used up: Retry-After says for how long (else a second) */
        lt_rate_slot *s = rate_slot(c, op, 1);
        s->remaining = 0;
        s->reset_ms = now + (int64_t)((r->retry_after > 0 ? r->retry_after : 1.0) * 1000);
    } else if (r->rate_remaining >= 0 && r->rate_reset > 0) { /* the server's clock: a skew is capped */
        lt_rate_slot *s = rate_slot(c, op, 1);
        s->remaining = r->rate_remaining;
        s->reset_ms = r->rate_reset * 1000;
    }
}

int64_t lt_rate_wait_ms(lt_client *c, const char *method, const char *url, long in_flight)
{
    char op[64];
    rate_op(method, url, op);
    lt_rate_slot *s = rate_slot(c, op, 0);
    if (!s || s->remaining - in_flight > 0)
        return 0;
    int64_t wait = s->reset_ms - realtime_ms();
    if (wait <= 0) { /* a new window: what it allows is learnt from the next answer */
        s->remaining = in_flight + 1;
        return 0;
    }
    wait += 50; /* the server counts in whole seconds: be past its reset */
    return wait > 60000 ? 60000 : wait;
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static int retryable(const lt_http_response *r)
{
    return r->status == 429 || r->status == 408 || (r->status == 503 && !r->maintenance);
}

lt_error_kind lt_http_call(lt_client *c, const char *method, const char *path, const char *json_body,
                           const char *xfilter, lt_http_response *resp, lt_error *err)
{
    char *url = NULL;
    memset(resp, 0, sizeof *resp);
    if (asprintf(&url, "%s%s", c->base_url, path) < 0)
        return lt_error_set(err, LT_ERR_SYSTEM, "out of memory");

    struct curl_slist *headers = c->headers, *extra = NULL;
    char *xf_line = NULL;
    if (xfilter) {
        if (asprintf(&xf_line, "X-Filter: %s", xfilter) < 0 || !(extra = c->c->slist_append(NULL, xf_line))) {
            free(xf_line);
            free(url);
            return lt_error_set(err, LT_ERR_SYSTEM, "out of memory");
        }
        extra->next = c->headers; /* borrowed tail, unlinked before freeing */
        headers = extra;
    }
    /* A POST may create something once it may have reached the server: never repeat it. */
    const int may_retry = strcmp(method, "POST") != 0;
    const int64_t deadline = now_ms() + c->opt.deadline_ms;
    lt_error_kind rc;
    for (int tries = 0;; tries++) {
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            rc = lt_error_set(err, LT_ERR_TIMEOUT, "timed out talking to %s: overall deadline of %ld ms passed", url,
                              c->opt.deadline_ms);
            break;
        }
        /* The operation's window is used up (X-RateLimit-Remaining: 0, or a 429): hold the request
         * until it resets, or fail now, unsent, when that is past the deadline. */
        const int64_t hold = lt_rate_wait_ms(c, method, url, 0);
        if (hold > 0 && hold >= left) {
            lt_http_response_clear(resp);
            rc = lt_error_set(err, LT_ERR_RATE_LIMITED,
                              "the API's rate limit for %s %s is used up for %.1f s more; "
                              "not sent (the deadline is sooner)",
                              method, path, (double)hold / 1000);
            if (err)
                err->retry_after = (double)hold / 1000;
            break;
        }
        if (hold > 0) {
            if (c->opt.debug)
                fprintf(stderr, "linode-token: trace: * rate limit for %s used up: waiting %.1f s\n", method,
                        (double)hold / 1000);
            sleep_ms(hold);
            left = deadline - now_ms();
        }
        lt_http_response_clear(resp);
        lt_http_prepare(c, c->curl, method, url, json_body, headers,
                        left < c->opt.request_timeout_ms ? (long)left : c->opt.request_timeout_ms, resp, c->errbuf);
        rc = lt_http_finish(c, c->c->easy_perform(c->curl), c->curl, url, resp, c->errbuf, err);
        lt_rate_note(c, method, url, resp);
        if (rc == LT_OK || resp->status == 0) /* success, or no HTTP answer at all */
            break;
        if (!may_retry || !retryable(resp) || tries >= c->opt.max_retries)
            break;
        double wait = resp->retry_after > 0 ? resp->retry_after : 1.0;
        if (wait > 30)
            wait = 30;
        if (now_ms() + (int64_t)(wait * 1000) >= deadline)
            break;               /* would overrun the deadline: report the 429/503 as it stands */
        if (resp->status != 429) /* a 429 was noted above: the hold at the loop's top waits for it */
            sleep_ms((int64_t)(wait * 1000));
    }
    if (extra) {
        extra->next = NULL;
        c->c->slist_free_all(extra);
        free(xf_line);
    }
    free(url);
    if (rc != LT_OK)
        lt_http_response_clear(resp);
    return rc;
}
