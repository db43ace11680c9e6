/* SPDX-License-Identifier: MIT */
/* fake-api.c - linode-fake-api: a local HTTP server that behaves like api.linode.com's
 * Personal Access Token endpoints (docs/linode-api.md), with a test-control
 * surface under /__fake/ for faults, a movable clock and a record of what it saw.
 * Where the contract says "unconfirmed", the behaviour is a flag. */
#include "internal.h" /* the core's time, scope and redaction code */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <microhttpd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define NEVER_EXPIRY "2999-12-12T05:00:00"
#define MAX_UPLOAD (64 * 1024)
#define OVERSIZED_BYTES (8 * 1024 * 1024)

/* ---- configuration ---- */
static struct {
    const char *listen;
    const char *port_file;
    const char *username;
    long latency_ms;
    long rate_limit;    /* requests per minute to /v4; 0 = unlimited */
    long op_rate_limit; /* requests per minute per operation (method and path, ids as {id}) */
    long max_tokens;    /* live tokens; 0 = no cap */
    int ceiling_status; /* status when new scopes exceed the acting token's */
    const char *tls_cert, *tls_key;
    const char *git_auth;   /* the scheme the git endpoint asks for: basic, bearer or both */
    long jitter_ms;         /* up to this much more latency, at random, per request */
    long chaos_pct;         /* this share of API requests fails at random (soak tests) */
    int scope_error_status; /* a live token without the endpoint's scope: 401 (Linode's today) or 403 */
    int omit_oauth_scopes;  /* send no X-OAuth-Scopes (the spec says responses "may include" it) */
    int class_limits;       /* enforce Linode's per-class limits: lists 200, commands 400 a window */
    long rate_window;       /* the rate limits' window, seconds (Linode's: 60) */
} cfg = {.listen = "127.0.0.1:0",
         .username = "fakeuser",
         .ceiling_status = 403,
         .git_auth = "basic",
         .scope_error_status = 401,
         .class_limits = 1,
         .rate_window = 60};

/* ---- state (all under mu) ---- */
typedef struct {
    int64_t id;
    char *label;
    char *scopes; /* as stored (the request's string, or the acting token's for "*") */
    int64_t created, expiry;
    char secret[80];
    int revoked;
    int64_t created_by; /* id of the acting token; 0 for seeds */
} tok;

typedef struct {
    char method[8];
    char *path;
    int status;
    int64_t time;
    json_t *seen; /* headers, query and body as received, secrets redacted */
} logent;

typedef enum {
    F_STATUS,
    F_DROP,
    F_TRUNCATE,
    F_MALFORMED,
    F_OVERSIZED,
    F_CONTENT_TYPE,
    F_MAINTENANCE,
    F_DELAY,
    F_COMMIT_DROP
} fkind;

typedef struct {
    char method[8]; /* "" = any */
    char *path;     /* NULL = any; matched against the path without /v4 or /v4beta */
    long count;
    fkind kind;
    int status;
    char *body;
    char *content_type;
    long delay_ms;
    long retry_after;
} fault;

typedef struct {
    char *secret, *scopes;
    int64_t expiry;
} seed;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static tok *toks;
static size_t ntoks;
static int64_t next_id;
static logent *reqlog;
static size_t nlog;
static fault *faults;
static size_t nfaults;
static int64_t clock_offset;
/* A rate limit is a sliding minute: the times of the last requests, oldest first (a fixed
 * window would let a test that straddles a minute boundary see no 429). Refused requests count
 * too, as they do at Linode. One window for all of /v4, and one per operation. */
#define RATE_RING 100000
typedef struct {
    char op[80]; /* "POST /profile/tokens", "DELETE /profile/tokens/{id}"; "" for all of /v4 */
    int64_t *ring;
    size_t head, n;
} window;
static window all_window;
#define MAX_OPS 64
static window op_windows[MAX_OPS];
static size_t nops;
static seed *seeds;
static size_t nseeds;

static int64_t fake_now(void)
{
    return (int64_t)time(NULL) + clock_offset;
}

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("linode-fake-api: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

static char *xstrdup(const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p)
        die("out of memory");
    return p;
}

static void *xgrow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t nc = *cap ? *cap * 2 : 16;
    while (nc < need)
        nc *= 2;
    p = realloc(p, nc * elem);
    if (!p)
        die("out of memory");
    *cap = nc;
    return p;
}

static int tok_live(const tok *t, int64_t now)
{
    return !t->revoked && t->expiry > now;
}

static tok *add_token(const char *label, const char *scopes, int64_t expiry, const char *secret, int64_t by)
{
    static size_t cap;
    toks = xgrow(toks, &cap, ntoks + 1, sizeof *toks);
    tok *t = &toks[ntoks++];
    memset(t, 0, sizeof *t);
    t->id = next_id++;
    t->label = xstrdup(label);
    t->scopes = xstrdup(scopes);
    t->created = fake_now();
    t->expiry = expiry;
    t->created_by = by;
    if (secret) {
        snprintf(t->secret, sizeof t->secret, "%s", secret);
    } else {
        unsigned char raw[32];
        if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
            die("getrandom failed");
        for (size_t i = 0; i < sizeof raw; i++)
            sprintf(t->secret + 2 * i, "%02x", raw[i]);
    }
    return t;
}

static void clear_faults(void)
{
    for (size_t i = 0; i < nfaults; i++) {
        free(faults[i].path);
        free(faults[i].body);
        free(faults[i].content_type);
    }
    nfaults = 0;
}

/* Back to the state at start: seeds only, empty log, no faults, real time. */
static void reset_state(void)
{
    for (size_t i = 0; i < ntoks; i++) {
        free(toks[i].label);
        free(toks[i].scopes);
    }
    ntoks = 0;
    for (size_t i = 0; i < nlog; i++) {
        free(reqlog[i].path);
        json_decref(reqlog[i].seen);
    }
    nlog = 0;
    clear_faults();
    clock_offset = 0;
    all_window.head = all_window.n = 0;
    for (size_t i = 0; i < nops; i++)
        op_windows[i].head = op_windows[i].n = 0;
    next_id = 1000;
    for (size_t i = 0; i < nseeds; i++) {
        char label[32];
        snprintf(label, sizeof label, "seed-%zu", i + 1);
        add_token(label, seeds[i].scopes, seeds[i].expiry, seeds[i].secret, 0);
    }
}

/* ---- replies ---- */
typedef struct {
    int status;
    char *body; /* owned */
    const char *content_type;
    char hdr_name[12][40];
    char hdr_value[12][1100];
    int nhdr;
    fkind special;   /* F_STATUS = normal */
    size_t body_len; /* 0: strlen(body) */
} reply;

static enum MHD_Result add_query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    json_object_set_new(cls, key, value ? json_string(value) : json_null());
    return MHD_YES;
}

/* A body as the log shows it: JSON with every "token" value redacted (lt_redact_json), else its size. */
static json_t *shown_body(const char *body, size_t len)
{
    if (!len)
        return json_null();
    char *red = lt_redact_json(body, len);
    json_t *parsed = red ? json_loads(red, 0, NULL) : NULL;
    if (red) {
        explicit_bzero(red, strlen(red));
        free(red);
    }
    char what[64];
    snprintf(what, sizeof what, "<%zu bytes, not JSON>", len);
    return parsed ? parsed : json_string(what);
}

/* What the client sent and what it was answered, for the contract test: the request headers the
 * spec speaks of, the query and the body; the answer's status, headers and body. Never a secret:
 * the bearer is shown as its scheme and length, and bodies as shown_body shows them. */
static json_t *seen_request(struct MHD_Connection *conn, const char *body, size_t len, const reply *r)
{
    static const char *const names[] = {"Content-Type", "Accept", "User-Agent", "X-Filter"};
    json_t *h = json_object(), *q = json_object();
    const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    if (auth) {
        const char *sp = strchr(auth, ' ');
        char shown[96];
        snprintf(shown, sizeof shown, "%.*s <redacted: %zu characters>", sp ? (int)(sp - auth) : 0, auth,
                 sp ? strlen(sp + 1) : strlen(auth));
        json_object_set_new(h, "Authorization", json_string(shown));
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, names[i]);
        if (v)
            json_object_set_new(h, names[i], json_string(v));
    }
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_query_arg, q);
    json_t *seen = json_pack("{s:o,s:o,s:o}", "headers", h, "query", q, "body", shown_body(body, len));
    if (r->special == F_DROP || r->special == F_TRUNCATE)
        return seen; /* no whole answer was given */
    json_t *rh = json_object();
    if (r->content_type)
        json_object_set_new(rh, "Content-Type", json_string(r->content_type));
    for (int i = 0; i < r->nhdr; i++)
        json_object_set_new(rh, r->hdr_name[i], json_string(r->hdr_value[i]));
    const size_t blen = r->body ? (r->body_len ? r->body_len : strlen(r->body)) : 0;
    json_object_set_new(seen, "response",
                        json_pack("{s:i,s:o,s:o}", "status", r->status, "headers", rh, "body",
                                  blen > 65536 ? json_string("<large>") : shown_body(r->body, blen)));
    return seen;
}

/* Record an API request (control requests go to stderr only). */
static void log_request(const char *method, const char *path, int status, struct MHD_Connection *conn, const char *body,
                        size_t len, const reply *r)
{
    static size_t cap;
    fprintf(stderr, "linode-fake-api: %s %s %d\n", method, path, status);
    if (!strncmp(path, "/__fake/", 8))
        return;
    json_t *seen = seen_request(conn, body, len, r);
    pthread_mutex_lock(&mu);
    reqlog = xgrow(reqlog, &cap, nlog + 1, sizeof *reqlog);
    logent *e = &reqlog[nlog++];
    snprintf(e->method, sizeof e->method, "%s", method);
    e->path = xstrdup(path);
    e->status = status;
    e->time = fake_now();
    e->seen = seen;
    pthread_mutex_unlock(&mu);
}

static void add_header(reply *r, const char *name, const char *fmt, ...)
{
    if (r->nhdr >= 12)
        return;
    snprintf(r->hdr_name[r->nhdr], sizeof r->hdr_name[0], "%s", name);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->hdr_value[r->nhdr], sizeof r->hdr_value[0], fmt, ap);
    va_end(ap);
    r->nhdr++;
}

static void reply_json(reply *r, int status, json_t *v)
{
    r->status = status;
    free(r->body);
    r->body = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!r->body)
        die("out of memory");
    r->content_type = "application/json";
    json_decref(v);
}

static void reply_error(reply *r, int status, const char *field, const char *reason)
{
    json_t *e = json_pack("{s:s}", "reason", reason);
    if (field)
        json_object_set_new(e, "field", json_string(field));
    reply_json(r, status, json_pack("{s:[o]}", "errors", e));
}

static json_t *token_json(const tok *t, int full_secret)
{
    char created[20], expiry[20];
    lt_time_format_api(t->created, created);
    lt_time_format_api(t->expiry, expiry);
    char prefix[17];
    memcpy(prefix, t->secret, 16);
    prefix[16] = '\0'; /* secrets are >= 16 chars: seeds are checked, minted ones are 64 */
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)t->id, "label", t->label, "scopes", t->scopes,
                     "created", created, "expiry", expiry, "token", full_secret ? t->secret : prefix);
}

static tok *find_token(int64_t id, int64_t now)
{
    for (size_t i = 0; i < ntoks; i++)
        if (toks[i].id == id && tok_live(&toks[i], now))
            return &toks[i];
    return NULL;
}

static tok *find_bearer(const char *auth, int64_t now)
{
    if (!auth || strncasecmp(auth, "Bearer ", 7) != 0)
        return NULL;
    const char *s = auth + 7;
    for (size_t i = 0; i < ntoks; i++)
        if (tok_live(&toks[i], now) && !strcmp(toks[i].secret, s))
            return &toks[i];
    return NULL;
}

/* ---- a git remote that wants a live token: /__fake/git/NAME.git (smart HTTP, refs only) ----
 * Enough for `git ls-remote`: 401 with WWW-Authenticate (the --git-auth scheme) unless the request
 * carries a live token, as Basic's password or as a Bearer credential; then one advertised ref. */
static int git_authorized(struct MHD_Connection *conn, int64_t now)
{
    const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    if (find_bearer(auth, now))
        return 1;
    char *pass = NULL;
    char *user = MHD_basic_auth_get_username_password(conn, &pass);
    int ok = 0;
    for (size_t i = 0; pass && i < ntoks && !ok; i++)
        ok = tok_live(&toks[i], now) && !strcmp(toks[i].secret, pass);
    MHD_free(user);
    MHD_free(pass);
    return ok;
}

static void route_git(reply *r, struct MHD_Connection *conn, const char *url)
{
    if (!git_authorized(conn, fake_now())) {
        r->status = 401;
        free(r->body);
        r->body = xstrdup("authentication required\n");
        r->content_type = "text/plain";
        if (strcmp(cfg.git_auth, "bearer") != 0)
            add_header(r, "WWW-Authenticate", "Basic realm=\"fake-git\"");
        if (strcmp(cfg.git_auth, "basic") != 0)
            add_header(r, "WWW-Authenticate", "Bearer realm=\"fake-git\"");
        return;
    }
    const char *svc = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "service");
    size_t n = strlen(url);
    if (n < 10 || strcmp(url + n - 10, "/info/refs") != 0 || !svc || strcmp(svc, "git-upload-pack") != 0) {
        reply_error(r, 404, NULL, "Not found");
        return;
    }
    static const char adv[] = "001e# service=git-upload-pack\n"
                              "0000"
                              "004c2222222222222222222222222222222222222222 refs/heads/main\0agent=fake-git\n"
                              "0000";
    r->status = 200;
    free(r->body);
    r->body = xmalloc(sizeof adv);
    memcpy(r->body, adv, sizeof adv);
    r->body_len = sizeof adv - 1; /* holds a NUL: not a C string */
    r->content_type = "application/x-git-upload-pack-advertisement";
}

/* Count UTF-8 characters (the body was validated as UTF-8 by jansson). */
static size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static int check_label(reply *r, json_t *label)
{
    if (!json_is_string(label)) {
        reply_error(r, 400, "label", "Label must be a string");
        return 0;
    }
    size_t n = utf8_len(json_string_value(label));
    if (n < 1 || n > 100) {
        reply_error(r, 400, "label", "Length must be 1-100 characters");
        return 0;
    }
    return 1;
}

/* ---- X-Filter (label and created; +and +or +gt +gte +lt +lte +contains +neq +order_by +order) ---- */
static int filter_cmp_value(const tok *t, const char *field, json_t *v, int *cmp, char *why, size_t wn)
{
    if (!strcmp(field, "label")) {
        if (!json_is_string(v)) {
            snprintf(why, wn, "label filter needs a string");
            return 0;
        }
        *cmp = strcmp(t->label, json_string_value(v));
        return 1;
    }
    int64_t when;
    if (!json_is_string(v) || lt_time_parse_api(json_string_value(v), (time_t)fake_now(), &when, NULL)) {
        snprintf(why, wn, "created filter needs a YYYY-MM-DDTHH:MM:SS string");
        return 0;
    }
    *cmp = t->created < when ? -1 : t->created > when;
    return 1;
}

/* 1 match, 0 no match, -1 bad filter (why says what). */
static int filter_eval(json_t *f, const tok *t, char *why, size_t wn)
{
    if (!json_is_object(f)) {
        snprintf(why, wn, "filter must be an object");
        return -1;
    }
    const char *key;
    json_t *v;
    json_object_foreach(f, key, v)
    {
        if (!strcmp(key, "+order_by") || !strcmp(key, "+order"))
            continue;
        if (!strcmp(key, "+and") || !strcmp(key, "+or")) {
            if (!json_is_array(v)) {
                snprintf(why, wn, "%s needs an array", key);
                return -1;
            }
            int is_and = key[1] == 'a', acc = is_and;
            size_t i;
            json_t *sub;
            json_array_foreach(v, i, sub)
            {
                int m = filter_eval(sub, t, why, wn);
                if (m < 0)
                    return -1;
                acc = is_and ? acc && m : acc || m;
            }
            if (!acc)
                return 0;
            continue;
        }
        if (strcmp(key, "label") && strcmp(key, "created")) {
            snprintf(why, wn, "Cannot filter on %s", key);
            return -1;
        }
        if (!json_is_object(v)) {
            int cmp;
            if (!filter_cmp_value(t, key, v, &cmp, why, wn))
                return -1;
            if (cmp)
                return 0;
            continue;
        }
        const char *op;
        json_t *ov;
        json_object_foreach(v, op, ov)
        {
            int cmp, ok;
            if (!strcmp(op, "+contains")) {
                if (strcmp(key, "label") || !json_is_string(ov)) {
                    snprintf(why, wn, "+contains works on label with a string");
                    return -1;
                }
                ok = strstr(t->label, json_string_value(ov)) != NULL;
            } else {
                if (!filter_cmp_value(t, key, ov, &cmp, why, wn))
                    return -1;
                if (!strcmp(op, "+gt"))
                    ok = cmp > 0;
                else if (!strcmp(op, "+gte"))
                    ok = cmp >= 0;
                else if (!strcmp(op, "+lt"))
                    ok = cmp < 0;
                else if (!strcmp(op, "+lte"))
                    ok = cmp <= 0;
                else if (!strcmp(op, "+neq"))
                    ok = cmp != 0;
                else {
                    snprintf(why, wn, "Unknown filter operator %s", op);
                    return -1;
                }
            }
            if (!ok)
                return 0;
        }
    }
    return 1;
}

static const char *order_field;
static int order_desc;
static int cmp_tokens(const void *a, const void *b)
{
    const tok *x = *(tok *const *)a, *y = *(tok *const *)b;
    int c;
    if (order_field && !strcmp(order_field, "label"))
        c = strcmp(x->label, y->label);
    else if (order_field && !strcmp(order_field, "created"))
        c = x->created < y->created ? -1 : x->created > y->created;
    else
        c = x->id < y->id ? -1 : x->id > y->id;
    if (!c)
        c = x->id < y->id ? -1 : x->id > y->id;
    return order_desc ? -c : c;
}

static int parse_long_arg(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end)
        return 0;
    *out = v;
    return 1;
}

static void handle_list(reply *r, struct MHD_Connection *conn, int64_t now)
{
    long page = 1, size = 100;
    const char *ps = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "page");
    const char *ss = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "page_size");
    if (ps && (!parse_long_arg(ps, &page) || page < 1)) {
        reply_error(r, 400, "page", "Must be a positive integer");
        return;
    }
    if (ss && (!parse_long_arg(ss, &size) || size < 25 || size > 500)) {
        reply_error(r, 400, "page_size", "Must be 25-500");
        return;
    }
    json_t *filter = NULL;
    const char *xf = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Filter");
    if (xf) {
        filter = json_loads(xf, 0, NULL);
        if (!json_is_object(filter)) {
            json_decref(filter);
            reply_error(r, 400, "X-Filter", "Invalid JSON in X-Filter");
            return;
        }
    }
    tok **sel = xmalloc(ntoks * sizeof *sel);
    size_t n = 0;
    char why[160] = "";
    for (size_t i = 0; i < ntoks; i++) {
        if (!tok_live(&toks[i], now))
            continue;
        int m = filter ? filter_eval(filter, &toks[i], why, sizeof why) : 1;
        if (m < 0) {
            free(sel);
            json_decref(filter);
            reply_error(r, 400, "X-Filter", why);
            return;
        }
        if (m)
            sel[n++] = &toks[i];
    }
    order_field = json_string_value(json_object_get(filter, "+order_by"));
    order_desc = json_is_string(json_object_get(filter, "+order")) &&
                 !strcmp(json_string_value(json_object_get(filter, "+order")), "desc");
    qsort(sel, n, sizeof *sel, cmp_tokens);
    long pages = n ? (long)((n + (size_t)size - 1) / (size_t)size) : 1;
    if (page > pages)
        page = pages; /* the contract: huge page values give the last page */
    json_t *data = json_array();
    for (size_t i = (size_t)(page - 1) * (size_t)size; i < n && i < (size_t)(page * size); i++)
        json_array_append_new(data, token_json(sel[i], 0));
    free(sel);
    json_decref(filter);
    reply_json(r, 200,
               json_pack("{s:o,s:I,s:I,s:I}", "data", data, "page", (json_int_t)page, "pages", (json_int_t)pages,
                         "results", (json_int_t)n));
}

static void handle_create(reply *r, const tok *acting, json_t *body, int64_t now)
{
    if (!json_is_object(body)) {
        reply_error(r, 400, NULL, "Request body must be a JSON object");
        return;
    }
    if (cfg.max_tokens > 0) {
        long live = 0;
        for (size_t i = 0; i < ntoks; i++)
            live += tok_live(&toks[i], now);
        if (live >= cfg.max_tokens) {
            reply_error(r, 400, NULL, "You have reached the maximum number of personal access tokens");
            return;
        }
    }
    if (!check_label(r, json_object_get(body, "label")))
        return;
    json_t *sv = json_object_get(body, "scopes");
    const char *scopes = acting->scopes;
    if (sv && !json_is_null(sv)) {
        if (!json_is_string(sv)) {
            reply_error(r, 400, "scopes", "Scopes must be a string");
            return;
        }
        lt_scopes want, have;
        lt_error e;
        if (strchr(json_string_value(sv), ',')) { /* "Multiple scopes are separated by a space character" */
            reply_error(r, 400, "scopes", "Multiple scopes are separated by spaces, not commas");
            return;
        }
        if (lt_scopes_parse(json_string_value(sv), 0, &want, &e) != LT_OK) {
            reply_error(r, 400, "scopes", strncmp(e.message, "scopes: ", 8) ? e.message : e.message + 8);
            return;
        }
        if (lt_scopes_is_empty(&want)) {
            reply_error(r, 400, "scopes", "A token must have at least one scope");
            return;
        }
        lt_scopes_parse(acting->scopes, LT_SCOPES_LENIENT, &have, NULL);
        if (!want.all && !lt_scopes_within(&want, &have)) {
            reply_error(r, cfg.ceiling_status, "scopes", "Scopes may not exceed those of the token used to create it");
            return;
        }
        if (!want.all)
            scopes = json_string_value(sv);
    }
    int64_t expiry;
    json_t *ev = json_object_get(body, "expiry");
    if (!ev || json_is_null(ev)) {
        lt_time_parse_api(NEVER_EXPIRY, 0, &expiry, NULL);
    } else if (!json_is_string(ev) || lt_time_parse_api(json_string_value(ev), (time_t)now, &expiry, NULL) != LT_OK) {
        /* format: date-time (RFC 3339): a zone or an offset, a fraction; no zone is UTC, as the API writes */
        reply_error(r, 400, "expiry", "Must be a date-time, e.g. YYYY-MM-DDTHH:MM:SS (UTC) or with Z or an offset");
        return;
    } else if (expiry <= now) {
        reply_error(r, 400, "expiry", "Expiry must be in the future");
        return;
    }
    tok *t = add_token(json_string_value(json_object_get(body, "label")), scopes, expiry, NULL, acting->id);
    reply_json(r, 200, token_json(t, 1)); /* 200, not 201, as the real API */
}

static int need_scope(reply *r, const tok *acting, int level)
{
    lt_scopes have;
    lt_scopes_parse(acting->scopes, LT_SCOPES_LENIENT, &have, NULL);
    if (have.level[lt_scopes_service_index("account")] >= level)
        return 1;
    reply_error(r, cfg.scope_error_status, NULL, "Your OAuth token is not authorized to use this endpoint.");
    return 0;
}

/* The methods a path answers (HEAD, OPTIONS and the operations), NULL for an unknown path. */
static const char *allowed_methods(const char *path)
{
    if (!strcmp(path, "/profile"))
        return "HEAD, GET, OPTIONS";
    if (!strcmp(path, "/profile/tokens"))
        return "HEAD, GET, OPTIONS, POST";
    if (!strncmp(path, "/profile/tokens/", 16))
        return "HEAD, GET, OPTIONS, PUT, DELETE";
    return NULL;
}

static void method_not_allowed(reply *r, const char *path)
{
    add_header(r, "Allow", "%s", allowed_methods(path));
    reply_error(r, 405, NULL, "Method not allowed");
}

/* OPTIONS: what the path permits, as the spec's header table has it; no token needed. */
static void route_options(reply *r, const char *path)
{
    const char *allow = allowed_methods(path);
    if (!allow) {
        reply_error(r, 404, NULL, "Not found");
        return;
    }
    r->status = 200;
    free(r->body);
    r->body = xstrdup("{}");
    r->content_type = "application/json";
    add_header(r, "Allow", "%s", allow);
    add_header(r, "Access-Control-Allow-Methods", "%s", allow);
    add_header(r, "Access-Control-Allow-Headers",
               "Authorization, Origin, X-Requested-With, Content-Type, Accept, "
               "X-Filter");
}

/* Route one /v4 or /v4beta request (mu held). HEAD is GET without the body (MHD leaves it out). */
static void route_api(reply *r, struct MHD_Connection *conn, const char *method, const char *path, json_t *body,
                      int body_bad)
{
    const int64_t now = fake_now();
    if (!strcmp(method, "OPTIONS")) {
        route_options(r, path);
        return;
    }
    if (!strcmp(method, "HEAD"))
        method = "GET";
    tok *acting = find_bearer(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization"), now);
    int is_tokens = !strncmp(path, "/profile/tokens", 15) && (path[15] == '\0' || path[15] == '/');
    if (!strcmp(path, "/profile") || is_tokens) {
        if (!acting) {
            if (!cfg.omit_oauth_scopes)
                add_header(r, "X-OAuth-Scopes", "unknown");
            reply_error(r, 401, NULL, "Invalid Token");
            return;
        }
        if (!cfg.omit_oauth_scopes)
            add_header(r, "X-OAuth-Scopes", "%s", acting->scopes);
    }
    if (!strcmp(path, "/profile")) {
        if (strcmp(method, "GET")) {
            method_not_allowed(r, path);
            return;
        }
        reply_json(r, 200,
                   json_pack("{s:I,s:s,s:s,s:s,s:b,s:b,s:b,s:s,s:s}", "uid", (json_int_t)4242, "username", cfg.username,
                             "email", "fake@example.com", "timezone", "UTC", "email_notifications", 1, "restricted", 0,
                             "two_factor_auth", 0, "lish_auth_method", "keys_only", "authentication_type", "password"));
        return;
    }
    if (!is_tokens) {
        reply_error(r, 404, NULL, "Not found");
        return;
    }
    int write = strcmp(method, "GET") != 0;
    add_header(r, "X-Accepted-OAuth-Scopes", write ? "account:read_write" : "account:read_only");
    if (!need_scope(r, acting, write ? LT_LEVEL_READ_WRITE : LT_LEVEL_READ_ONLY))
        return;
    if (body_bad) {
        reply_error(r, 400, NULL, "Invalid JSON");
        return;
    }
    if (path[15] == '\0') {
        if (!strcmp(method, "GET"))
            handle_list(r, conn, now);
        else if (!strcmp(method, "POST"))
            handle_create(r, acting, body, now);
        else
            method_not_allowed(r, path);
        return;
    }
    const char *ids = path + 16;
    long id;
    tok *t = NULL;
    if (ids[0] >= '0' && ids[0] <= '9' && parse_long_arg(ids, &id))
        t = find_token(id, now);
    if (!t) {
        reply_error(r, 404, NULL, "Not found");
        return;
    }
    if (!strcmp(method, "GET")) {
        reply_json(r, 200, token_json(t, 0));
    } else if (!strcmp(method, "PUT")) {
        if (!json_is_object(body)) {
            reply_error(r, 400, NULL, "Request body must be a JSON object");
            return;
        }
        json_t *label = json_object_get(body, "label");
        if (label && !check_label(r, label))
            return;
        if (label) { /* only the label can change; scopes/expiry are read-only and ignored */
            free(t->label);
            t->label = xstrdup(json_string_value(label));
        }
        reply_json(r, 200, token_json(t, 0));
    } else if (!strcmp(method, "DELETE")) {
        t->revoked = 1;
        reply_json(r, 200, json_object());
    } else {
        method_not_allowed(r, path);
    }
}

/* ---- faults ---- */
/* Count a request at now in w; returns the requests in the last minute, this one included, and
 * when the oldest of them leaves the window. */
static long window_hit(window *w, int64_t now, int64_t *reset)
{
    if (!w->ring)
        w->ring = xmalloc(RATE_RING * sizeof *w->ring);
    while (w->n && w->ring[w->head] <= now - cfg.rate_window) /* forget what left the window */
        w->head = (w->head + 1) % RATE_RING, w->n--;
    *reset = (w->n ? w->ring[w->head] : now) + cfg.rate_window;
    if (w->n < RATE_RING)
        w->ring[(w->head + w->n++) % RATE_RING] = now;
    return (long)w->n;
}

/* The window of one operation: the method and the path with its numeric segments as {id}. */
static window *op_window(const char *method, const char *path)
{
    char op[80];
    size_t o = (size_t)snprintf(op, sizeof op, "%s ", method);
    for (const char *p = path; *p && *p != '?' && o + 5 < sizeof op;) {
        if (*p >= '0' && *p <= '9' && (p == path || p[-1] == '/')) {
            o += (size_t)snprintf(op + o, sizeof op - o, "{id}");
            while (*p >= '0' && *p <= '9')
                p++;
        } else {
            op[o++] = *p++;
        }
    }
    op[o] = 0;
    for (size_t i = 0; i < nops; i++)
        if (!strcmp(op_windows[i].op, op))
            return &op_windows[i];
    if (nops == MAX_OPS)
        return NULL; /* (the fake knows far fewer operations) */
    snprintf(op_windows[nops].op, sizeof op_windows[nops].op, "%s", op);
    return &op_windows[nops++];
}

/* A paginated list: Linode's "GET commands that return paginated data collections". */
static int is_list(const char *method, const char *path)
{
    return (!strcmp(method, "GET") || !strcmp(method, "HEAD")) && !strcmp(path, "/profile/tokens");
}

static const char *strip_version(const char *url)
{
    if (!strncmp(url, "/v4beta/", 8))
        return url + 7;
    if (!strncmp(url, "/v4/", 4))
        return url + 3;
    return NULL;
}

/* Pop the first fault matching this request into *out (mu held). */
static int take_fault(const char *method, const char *path, fault *out)
{
    for (size_t i = 0; i < nfaults; i++) {
        fault *f = &faults[i];
        if ((f->method[0] && strcmp(f->method, method)) || (f->path && strcmp(f->path, path)))
            continue;
        *out = *f;
        out->path = NULL;
        out->body = f->body ? xstrdup(f->body) : NULL;
        out->content_type = f->content_type ? xstrdup(f->content_type) : NULL;
        if (--f->count <= 0) {
            free(f->path);
            free(f->body);
            free(f->content_type);
            memmove(f, f + 1, (nfaults - i - 1) * sizeof *f);
            nfaults--;
        }
        return 1;
    }
    return 0;
}

static int add_fault(json_t *o, char *why, size_t wn)
{
    static size_t cap;
    static const char *kinds[] = {"status",       "drop",        "truncate", "malformed",  "oversized",
                                  "content_type", "maintenance", "delay",    "commit_drop"};
    if (!json_is_object(o)) {
        snprintf(why, wn, "a fault is a JSON object");
        return 0;
    }
    fault f = {.count = 1, .kind = F_STATUS, .status = 500};
    const char *kind = json_string_value(json_object_get(o, "kind"));
    if (kind) {
        size_t k;
        for (k = 0; k < sizeof kinds / sizeof kinds[0] && strcmp(kinds[k], kind); k++)
            ;
        if (k == sizeof kinds / sizeof kinds[0]) {
            snprintf(why, wn, "unknown fault kind '%.40s'", kind);
            return 0;
        }
        f.kind = (fkind)k;
    }
    const char *m = json_string_value(json_object_get(o, "method"));
    snprintf(f.method, sizeof f.method, "%s", m ? m : "");
    json_t *v;
    if ((v = json_object_get(o, "count")) && json_is_integer(v))
        f.count = (long)json_integer_value(v);
    if ((v = json_object_get(o, "status")) && json_is_integer(v))
        f.status = (int)json_integer_value(v);
    if ((v = json_object_get(o, "delay_ms")) && json_is_integer(v))
        f.delay_ms = (long)json_integer_value(v);
    if ((v = json_object_get(o, "retry_after")) && json_is_integer(v))
        f.retry_after = (long)json_integer_value(v);
    if (f.kind == F_CONTENT_TYPE && !json_object_get(o, "status"))
        f.status = 200;
    if (f.status < 100 || f.status > 599 || f.count < 1) {
        snprintf(why, wn, "status must be 100-599 and count >= 1");
        return 0;
    }
    const char *p = json_string_value(json_object_get(o, "path"));
    const char *b = json_string_value(json_object_get(o, "body"));
    const char *ct = json_string_value(json_object_get(o, "content_type"));
    f.path = p ? xstrdup(strip_version(p) ? strip_version(p) : p) : NULL;
    f.body = b ? xstrdup(b) : NULL;
    f.content_type = ct ? xstrdup(ct) : NULL;
    faults = xgrow(faults, &cap, nfaults + 1, sizeof *faults);
    faults[nfaults++] = f;
    return 1;
}

static void apply_fault(reply *r, const fault *f)
{
    switch (f->kind) {
    case F_STATUS:
        if (f->body) {
            r->status = f->status;
            free(r->body);
            r->body = xstrdup(f->body);
            r->content_type = "application/json";
        } else {
            reply_error(r, f->status, NULL, f->status == 429 ? "Too many requests" : "Injected fault");
        }
        break;
    case F_MAINTENANCE:
        add_header(r, "X-Maintenance-Mode", "true");
        reply_error(r, 503, NULL, "Linode API is undergoing maintenance");
        break;
    case F_CONTENT_TYPE:
        r->status = f->status;
        free(r->body);
        r->body = xstrdup(f->body ? f->body : "<html><body>502 Bad Gateway</body></html>");
        r->content_type = f->content_type ? "text/plain" : "text/html";
        break;
    case F_MALFORMED:
        r->status = 200;
        free(r->body);
        r->body = xstrdup(f->body ? f->body : "{\"data\": [{\"id\": ");
        r->content_type = "application/json";
        break;
    case F_OVERSIZED: {
        r->status = 200;
        free(r->body);
        r->body = xmalloc(OVERSIZED_BYTES + 1);
        memset(r->body, ' ', OVERSIZED_BYTES);
        memcpy(r->body, "{\"data\":[],\"pad\":\"", 18);
        memcpy(r->body + OVERSIZED_BYTES - 2, "\"}", 2);
        r->body[OVERSIZED_BYTES] = '\0';
        r->content_type = "application/json";
        break;
    }
    case F_DROP:
    case F_TRUNCATE:
        r->status = f->kind == F_TRUNCATE ? 200 : 0;
        r->special = f->kind;
        break;
    case F_DELAY:
    case F_COMMIT_DROP: /* handled around the request itself */
        break;
    }
    if (f->retry_after > 0)
        add_header(r, "Retry-After", "%ld", f->retry_after);
}

/* ---- /__fake/ control ---- */
static void route_control(reply *r, const char *method, const char *path, json_t *body)
{
    if (!strcmp(path, "/__fake/chaos") && !strcmp(method, "POST")) {
        json_t *pct = json_object_get(body, "pct");
        if (!json_is_integer(pct) || json_integer_value(pct) < 0 || json_integer_value(pct) > 100) {
            reply_error(r, 400, "pct", "an integer from 0 to 100");
            return;
        }
        cfg.chaos_pct = (long)json_integer_value(pct);
        reply_json(r, 200, json_object());
        return;
    }
    if (!strcmp(path, "/__fake/tokens") && !strcmp(method, "GET")) {
        json_t *a = json_array();
        int64_t now = fake_now();
        for (size_t i = 0; i < ntoks; i++) {
            json_t *o = token_json(&toks[i], 0);
            json_object_del(o, "token");
            json_object_set_new(o, "revoked", json_boolean(toks[i].revoked));
            json_object_set_new(o, "expired", json_boolean(toks[i].expiry <= now));
            json_object_set_new(o, "created_by", json_integer(toks[i].created_by));
            json_array_append_new(a, o);
        }
        reply_json(r, 200, a);
    } else if (!strcmp(path, "/__fake/requests") && !strcmp(method, "GET")) {
        json_t *a = json_array();
        for (size_t i = 0; i < nlog; i++) {
            char when[20];
            lt_time_format_api(reqlog[i].time, when);
            json_t *o = json_pack("{s:s,s:s,s:i,s:s}", "method", reqlog[i].method, "path", reqlog[i].path, "status",
                                  reqlog[i].status, "time", when);
            json_object_update(o, reqlog[i].seen);
            json_array_append_new(a, o);
        }
        reply_json(r, 200, a);
    } else if (!strcmp(path, "/__fake/faults") && !strcmp(method, "POST")) {
        char why[160] = "";
        size_t before = nfaults, i;
        json_t *f;
        int ok = 1;
        if (json_is_array(body)) {
            json_array_foreach(body, i, f) ok = ok && add_fault(f, why, sizeof why);
        } else {
            ok = add_fault(body, why, sizeof why);
        }
        if (!ok)
            reply_error(r, 400, NULL, why);
        else
            reply_json(r, 200, json_pack("{s:I}", "queued", (json_int_t)(nfaults - before)));
    } else if (!strcmp(path, "/__fake/faults") && !strcmp(method, "DELETE")) {
        clear_faults();
        reply_json(r, 200, json_object());
    } else if (!strcmp(path, "/__fake/clock")) {
        json_t *adv = json_object_get(body, "advance");
        if (!strcmp(method, "POST")) {
            if (!json_is_integer(adv) || json_integer_value(adv) < 0) {
                reply_error(r, 400, "advance", "advance must be a non-negative number of seconds");
                return;
            }
            clock_offset += (int64_t)json_integer_value(adv);
        }
        char now[20];
        lt_time_format_api(fake_now(), now);
        reply_json(r, 200, json_pack("{s:s,s:I}", "now", now, "offset", (json_int_t)clock_offset));
    } else if (!strcmp(path, "/__fake/reset") && !strcmp(method, "POST")) {
        reset_state();
        reply_json(r, 200, json_object());
    } else {
        reply_error(r, 404, NULL, "Not found");
    }
}

/* ---- MHD plumbing ---- */
typedef struct {
    char *data;
    size_t len;
    int too_big;
} upload;

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t)
{
    (void)cls, (void)c, (void)t;
    upload *u = *con_cls;
    if (u) {
        free(u->data);
        free(u);
        *con_cls = NULL;
    }
}

static ssize_t truncated_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)cls;
    static const char part[] = "{\"data\":[{\"id\":";
    if (pos > 0 || max < sizeof part)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    memcpy(buf, part, sizeof part - 1);
    return (ssize_t)(sizeof part - 1);
}

static void sleep_ms(long ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) && errno == EINTR)
        ;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                               const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    (void)cls, (void)version;
    upload *u = *con_cls;
    if (!u) {
        u = calloc(1, sizeof *u);
        if (!u)
            return MHD_NO;
        *con_cls = u;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (u->len + *upload_data_size > MAX_UPLOAD) {
            u->too_big = 1;
        } else {
            char *nd = realloc(u->data, u->len + *upload_data_size + 1);
            if (!nd)
                return MHD_NO;
            u->data = nd;
            memcpy(u->data + u->len, upload_data, *upload_data_size);
            u->len += *upload_data_size;
            u->data[u->len] = '\0';
        }
        *upload_data_size = 0;
        return MHD_YES;
    }

    reply r = {.status = 500};
    json_t *body = NULL;
    int body_bad = 0;
    if (u->len) {
        body = json_loadb(u->data, u->len, 0, NULL);
        body_bad = !body;
    }
    const char *api_path = strip_version(url);
    if (!strncmp(url, "/__fake/git/", 12)) {
        pthread_mutex_lock(&mu);
        route_git(&r, conn, url);
        pthread_mutex_unlock(&mu);
    } else if (!strncmp(url, "/__fake/", 8)) {
        pthread_mutex_lock(&mu);
        route_control(&r, method, url, body);
        pthread_mutex_unlock(&mu);
    } else if (!api_path) {
        reply_error(&r, 404, NULL, "Not found");
    } else {
        static __thread unsigned seed;
        if (!seed)
            seed = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)&seed;
        sleep_ms(cfg.latency_ms + (cfg.jitter_ms ? (long)(rand_r(&seed) % (unsigned)(cfg.jitter_ms + 1)) : 0));
        fault f = {.count = 0};
        pthread_mutex_lock(&mu);
        int faulted = take_fault(method, api_path, &f);
        pthread_mutex_unlock(&mu);
        if (!faulted && cfg.chaos_pct && (long)(rand_r(&seed) % 100) < cfg.chaos_pct) {
            /* the three ways a request goes wrong: done but unanswered, refused, lost */
            static const fkind chaos[3] = {F_COMMIT_DROP, F_STATUS, F_DROP};
            f = (fault){.kind = chaos[rand_r(&seed) % 3], .status = 503};
            faulted = 1;
        }
        if (faulted)
            sleep_ms(f.delay_ms);
        pthread_mutex_lock(&mu);
        int64_t now = fake_now(), reset, op_reset = now;
        const long rate_count = window_hit(&all_window, now, &reset);
        window *ow = op_window(method, api_path);
        const long op_count = ow ? window_hit(ow, now, &op_reset) : 0;
        /* The headers speak of the operation's own limit, as Linode's do: its class's (paginated
         * lists 200 a minute, every other command 400), or --op-rate-limit's; enforced unless
         * --no-class-rate-limits. */
        const long limit = cfg.op_rate_limit > 0 ? cfg.op_rate_limit : is_list(method, api_path) ? 200 : 400;
        const int over_all = cfg.rate_limit > 0 && rate_count > cfg.rate_limit;
        const int over_op = (cfg.op_rate_limit > 0 || cfg.class_limits) && op_count > limit;
        add_header(&r, "X-RateLimit-Limit", "%ld", limit);
        add_header(&r, "X-RateLimit-Remaining", "%ld", op_count > limit ? 0 : limit - op_count);
        add_header(&r, "X-RateLimit-Reset", "%" PRId64, op_reset);
        const int64_t retry_at = over_all && (!over_op || reset > op_reset) ? reset : op_reset;
        if (u->too_big) {
            reply_error(&r, 413, NULL, "Request body too large");
        } else if (faulted && f.kind == F_COMMIT_DROP) {
            route_api(&r, conn, method, api_path, body, body_bad); /* done on the server... */
            r.special = F_DROP;                                    /* ...and the answer is lost */
        } else if (faulted && f.kind != F_DELAY) {
            apply_fault(&r, &f);
        } else if (over_all || over_op) {
            add_header(&r, "Retry-After", "%" PRId64, retry_at - now > 0 ? retry_at - now : 1);
            reply_error(&r, 429, NULL, "Too many requests");
        } else {
            route_api(&r, conn, method, api_path, body, body_bad);
        }
        pthread_mutex_unlock(&mu);
        if (faulted) {
            free(f.body);
            free(f.content_type);
        }
    }
    json_decref(body);
    log_request(method, url, r.special == F_DROP ? 0 : r.status, conn, u->data, u->len, &r);

    if (r.special == F_DROP) {
        free(r.body);
        return MHD_NO; /* MHD closes the connection without a response */
    }
    struct MHD_Response *resp;
    if (r.special == F_TRUNCATE) {
        resp = MHD_create_response_from_callback(4096, 256, truncated_reader, NULL, NULL);
        r.content_type = "application/json";
    } else {
        const char *b = r.body ? r.body : "";
        resp = MHD_create_response_from_buffer(r.body_len ? r.body_len : strlen(b), (void *)b, MHD_RESPMEM_MUST_COPY);
    }
    free(r.body);
    if (!resp)
        return MHD_NO;
    if (r.content_type)
        MHD_add_response_header(resp, "Content-Type", r.content_type);
    MHD_add_response_header(resp, "Cache-Control", "max-age=0, no-cache, no-store");
    MHD_add_response_header(resp, "Vary", "Authorization, X-Filter");
    MHD_add_response_header(resp, "X-Spec-Version", "fake-" LT_VERSION);
    for (int i = 0; i < r.nhdr; i++)
        MHD_add_response_header(resp, r.hdr_name[i], r.hdr_value[i]);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r.status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot read %s: %s", path, strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[4096];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        buf = xgrow(buf, &cap, len + n + 1, 1);
        memcpy(buf + len, chunk, n);
        len += n;
    }
    fclose(f);
    if (!buf)
        die("%s is empty", path);
    buf[len] = '\0';
    return buf;
}

static void usage(FILE *out)
{
    fputs("Usage: linode-fake-api [OPTION]...\n"
          "A local stand-in for api.linode.com's Personal Access Token endpoints, for tests.\n\n"
          "  --listen HOST:PORT      address to listen on (default 127.0.0.1:0; port 0 = any free port)\n"
          "  --git-auth SCHEME       what /__fake/git/NAME.git asks for: basic (default), bearer or both\n"
          "  --jitter-ms N           add 0..N ms of latency at random to each API request\n"
          "  --chaos PCT             PCT% of API requests fail at random: carried out but unanswered,\n"
          "                          503, or dropped unanswered (soak tests)\n"
          "  --port-file FILE        write the port to FILE once connections are accepted\n"
          "  --token SECRET=SCOPES[@YYYY-MM-DDTHH:MM:SS]\n"
          "                          seed a token (repeatable); labelled seed-1, seed-2, ...\n"
          "  --token-file FILE       seed one token per line of FILE, in --token's form (the file\n"
          "                          must be the user's, and no one else's to read: 0600)\n"
          "  --username NAME         the profile's username (default fakeuser)\n"
          "  --latency-ms N          delay every /v4 request by N ms\n"
          "  --rate-limit N          answer 429 past N /v4 requests per minute\n"
          "  --op-rate-limit N       answer 429 past N requests per minute to one operation (method and\n"
          "                          path, ids counting as one), as Linode limits each operation\n"
          "  --max-tokens N          refuse to create past N live tokens (400)\n"
          "  --ceiling-status N      status when new scopes exceed the acting token's\n"
          "                          (unconfirmed in the real API; default 403)\n"
          "  --scope-error-status 401|403\n"
          "                          status for a live token without the endpoint's scope (default 401,\n"
          "                          what Linode answers; the spec's table says 403)\n"
          "  --omit-oauth-scopes     send no X-OAuth-Scopes header (responses \"may include\" it)\n"
          "  --no-class-rate-limits  do not enforce Linode's limits per operation (200 a window for\n"
          "                          paginated lists, 400 for every other command; the headers say them)\n"
          "  --rate-window SECONDS   the rate limits' window (default 60)\n"
          "  --tls-cert FILE --tls-key FILE   serve HTTPS\n"
          "  --help                  show this help\n\n"
          "API: GET/POST /v4/profile/tokens, GET/PUT/DELETE /v4/profile/tokens/ID, GET /v4/profile\n"
          "(also under /v4beta); HEAD and OPTIONS on each.\n"
          "Control: GET /__fake/tokens, GET /__fake/requests, POST|DELETE /__fake/faults,\n"
          "GET|POST /__fake/clock {\"advance\":SECONDS}, POST /__fake/chaos {\"pct\":N}, POST /__fake/reset.\n"
          "Fault kinds: status, drop, truncate, malformed, oversized, content_type, maintenance, delay,\n"
          "commit_drop (the request is carried out, then the connection dropped without an answer);\n"
          "fields: method, path, count, status, body, delay_ms, retry_after.\n",
          out);
}

static long arg_long(const char *opt, const char *s, long lo, long hi)
{
    long v;
    if (!parse_long_arg(s, &v) || v < lo || v > hi)
        die("%s: '%s' is not a number in %ld..%ld", opt, s, lo, hi);
    return v;
}

static void add_seed(const char *spec, const char *where)
{
    static size_t cap;
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec)
        die("%s: expected SECRET=SCOPES[@EXPIRY]", where);
    seed s = {.expiry = 0};
    if (eq - spec < 16 || strcspn(spec, " \t\n") < (size_t)(eq - spec))
        die("%s: the secret must be at least 16 characters without spaces", where);
    s.secret = strndup(spec, (size_t)(eq - spec));
    const char *at = strchr(eq + 1, '@');
    s.scopes = at ? strndup(eq + 1, (size_t)(at - eq - 1)) : xstrdup(eq + 1);
    lt_scopes sc;
    lt_error e;
    if (lt_scopes_parse(s.scopes, 0, &sc, &e) != LT_OK)
        die("%s: %s", where, e.message);
    if (lt_time_parse_api(at ? at + 1 : NEVER_EXPIRY, time(NULL), &s.expiry, &e) != LT_OK)
        die("%s: %s", where, e.message);
    seeds = xgrow(seeds, &cap, nseeds + 1, sizeof *seeds);
    seeds[nseeds++] = s;
}

/* --token-file: the seeds out of argv, where any local user could read them (the launchers in
 * build-aux/fake.sh and tests/lib/fake.c use it for every --token they are given). */
static void add_seed_file(const char *path)
{
    FILE *f = fopen(path, "re");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0)
        die("--token-file %s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
        die("--token-file %s: must be a regular file of yours that no one else can read (0600)", path);
    char line[4096];
    for (int no = 1; fgets(line, sizeof line, f); no++) {
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n')
            die("--token-file %s: line %d is too long", path, no);
        line[strcspn(line, "\n")] = '\0';
        char where[300];
        snprintf(where, sizeof where, "--token-file %s, line %d", path, no);
        if (line[0])
            add_seed(line, where);
    }
    explicit_bzero(line, sizeof line);
    fclose(f);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"listen", required_argument, NULL, 'l'},
        {"port-file", required_argument, NULL, 'p'},
        {"token", required_argument, NULL, 't'},
        {"token-file", required_argument, NULL, 'T'},
        {"latency-ms", required_argument, NULL, 'L'},
        {"rate-limit", required_argument, NULL, 'r'},
        {"op-rate-limit", required_argument, NULL, 'o'},
        {"max-tokens", required_argument, NULL, 'm'},
        {"tls-cert", required_argument, NULL, 'c'},
        {"tls-key", required_argument, NULL, 'k'},
        {"username", required_argument, NULL, 'u'},
        {"ceiling-status", required_argument, NULL, 's'},
        {"git-auth", required_argument, NULL, 'g'},
        {"jitter-ms", required_argument, NULL, 'j'},
        {"chaos", required_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},
        {"scope-error-status", required_argument, NULL, 'S'},
        {"omit-oauth-scopes", no_argument, NULL, 'O'},
        {"no-class-rate-limits", no_argument, NULL, 'K'},
        {"rate-window", required_argument, NULL, 'W'},
        {NULL, 0, NULL, 0},
    };
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'l':
            cfg.listen = optarg;
            break;
        case 'p':
            cfg.port_file = optarg;
            break;
        case 't':
            add_seed(optarg, "--token");
            break;
        case 'T':
            add_seed_file(optarg);
            break;
        case 'L':
            cfg.latency_ms = arg_long("--latency-ms", optarg, 0, 600000);
            break;
        case 'r':
            cfg.rate_limit = arg_long("--rate-limit", optarg, 0, RATE_RING - 1);
            break;
        case 'o':
            cfg.op_rate_limit = arg_long("--op-rate-limit", optarg, 0, RATE_RING - 1);
            break;
        case 'm':
            cfg.max_tokens = arg_long("--max-tokens", optarg, 0, 100000000);
            break;
        case 'c':
            cfg.tls_cert = optarg;
            break;
        case 'k':
            cfg.tls_key = optarg;
            break;
        case 'u':
            cfg.username = optarg;
            break;
        case 's':
            cfg.ceiling_status = (int)arg_long("--ceiling-status", optarg, 400, 499);
            break;
        case 'j':
            cfg.jitter_ms = arg_long("--jitter-ms", optarg, 0, 600000);
            break;
        case 'C':
            cfg.chaos_pct = arg_long("--chaos", optarg, 0, 100);
            break;
        case 'S':
            if (strcmp(optarg, "401") && strcmp(optarg, "403"))
                die("--scope-error-status: 401 or 403");
            cfg.scope_error_status = atoi(optarg);
            break;
        case 'O':
            cfg.omit_oauth_scopes = 1;
            break;
        case 'K':
            cfg.class_limits = 0;
            break;
        case 'W':
            cfg.rate_window = arg_long("--rate-window", optarg, 1, 3600);
            break;
        case 'g':
            if (strcmp(optarg, "basic") && strcmp(optarg, "bearer") && strcmp(optarg, "both"))
                die("--git-auth: basic, bearer or both");
            cfg.git_auth = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc)
        die("unexpected argument '%s' (see --help)", argv[optind]);
    if (!cfg.tls_cert != !cfg.tls_key)
        die("--tls-cert and --tls-key go together");

    /* --listen HOST:PORT, HOST may be [v6]. */
    char host[64];
    const char *colon = strrchr(cfg.listen, ':');
    if (!colon || (size_t)(colon - cfg.listen) >= sizeof host)
        die("--listen: expected HOST:PORT");
    memcpy(host, cfg.listen, (size_t)(colon - cfg.listen));
    host[colon - cfg.listen] = '\0';
    long port = arg_long("--listen port", colon + 1, 0, 65535);
    struct sockaddr_storage ss = {0};
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
    if (host[0] == '[') {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
        size_t hl = strlen(host);
        if (hl < 3 || host[hl - 1] != ']')
            die("--listen: bad IPv6 address");
        host[hl - 1] = '\0';
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1)
            die("--listen: bad IPv6 address");
        flags |= MHD_USE_IPv6;
    } else {
        struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        if (!strcmp(host, "localhost"))
            strcpy(host, "127.0.0.1");
        if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
            die("--listen: bad IPv4 address '%s'", host);
    }
    char *cert = NULL, *key = NULL;
    if (cfg.tls_cert) {
        cert = slurp(cfg.tls_cert);
        key = slurp(cfg.tls_key);
        flags |= MHD_USE_TLS;
    }
    reset_state();

    /* Block the stop signals in every thread; main waits for them with sigwait. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct MHD_Daemon *d;
    if (cert)
        d = MHD_start_daemon(flags, 0, NULL, NULL, handler, NULL, MHD_OPTION_SOCK_ADDR, &ss,
                             MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
                             (unsigned)60, MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_HTTPS_MEM_KEY, key,
                             MHD_OPTION_END);
    else
        d = MHD_start_daemon(flags, 0, NULL, NULL, handler, NULL, MHD_OPTION_SOCK_ADDR, &ss,
                             MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
                             (unsigned)60, MHD_OPTION_END);
    if (!d)
        die("cannot listen on %s", cfg.listen);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned bound = info ? info->port : 0;
    fprintf(stderr, "linode-fake-api: listening on %s:%u (%s)\n", host[0] == '[' ? host + 1 : host, bound,
            cert ? "https" : "http");
    if (cfg.port_file) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", cfg.port_file);
        FILE *f = fopen(tmp, "w");
        if (!f || fprintf(f, "%u\n", bound) < 0 || fclose(f) != 0 || rename(tmp, cfg.port_file) != 0)
            die("cannot write %s: %s", cfg.port_file, strerror(errno));
    }
    int sig;
    sigwait(&stop, &sig);
    fprintf(stderr, "linode-fake-api: stopping (signal %d)\n", sig);
    MHD_stop_daemon(d);
    pthread_mutex_lock(&mu);
    reset_state();
    nseeds = 0;
    pthread_mutex_unlock(&mu);
    free(cert);
    free(key);
    return 0;
}
