/* SPDX-License-Identifier: MIT */
/* internal.h - declarations shared inside the library; nothing here is exported from the .so. */
#ifndef LT_INTERNAL_H
#define LT_INTERNAL_H

#include "linode-token.h"

#include <curl/curl.h>
#include <jansson.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>

/* systemd's _cleanup_: lt_cleanup(fn) T x runs fn(&x) when x goes out of scope, on every path
 * (fn is the type's own *_done: the PAM module's opening_done). */
#define lt_cleanup(fn) __attribute__((cleanup(fn)))

/* The longest a minted token may live, whoever asks: a profile's max_ttl, the PAM module's ttl=
 * and max_ttl=. One ceiling everywhere. */
#define LT_TTL_CEILING ((int64_t)24 * 3600)

/* ---- error.c ---- */
/* A network error that came before any of the request left this machine (no connection, no
 * name): http.c marks those with this after the URL, and a create that failed so made no token. */
#define LT_NOT_SENT_MARK " (nothing was sent)"
int lt_error_not_sent(const lt_error *err);

/* ---- time.c ---- */
/* lt_time_parse_api without the "far future means never" reading. */
lt_error_kind lt_time_parse_utc(const char *s, int64_t *out, lt_error *err);

/* ---- printable.c: text from outside, made safe for a terminal or a log ---- */
/* Copy in_len bytes of in to out (cap bytes, NUL-terminated), control characters and non-UTF-8
 * bytes as \xNN; stops early rather than cut an escape. Returns the length written. */
size_t lt_printable_into(const char *in, size_t in_len, char *out, size_t cap);
/* The same into a new string (malloc); NULL for NULL or on OOM. */
char *lt_printable(const char *s);

/* ---- env.c: the only reader of the process environment ---- */
/* From now on this process reads nothing from its environment (the PAM module calls it). */
void lt_env_disable(void);
/* Set-uid or set-gid (AT_SECURE), or real and effective ids differ. */
int lt_process_privileged(void);
/* Neither privileged nor disabled: the environment is the user's own. */
int lt_env_trusted(void);
/* Our own programs (not a library caller, not the PAM module's host) say that the process and its
 * environment are theirs: the library may then change a variable for a moment (curl-loader.c). */
void lt_env_own(void);
/* lt_env_own was called, and the environment is trusted. */
int lt_env_owned(void);
/* secure_getenv(name) when the environment is trusted, else NULL. */
const char *lt_env_get(const char *name);

/* ---- curl-loader.c: libcurl, loaded on first use ---- */
/* In a loader's load(void) (curl-loader.c, secret-store.c): resolve NAME from handle H into
 * FIELD of the loader's table api; when missing, say so in its load_error and return. */
#define LT_DLSYM(h, lib, field, name)          \
    do {                                       \
        *(void **)&api.field = dlsym(h, name); \
        if (!api.field) {                      \
            load_error = lib " lacks " name;   \
            return;                            \
        }                                      \
    } while (0)
/* libcurl's entry points, loaded (and curl_global_init'ed) on first use. */
typedef struct lt_curl_api {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *h);
    void (*easy_reset)(CURL *h);
    CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
    CURLcode (*easy_perform)(CURL *h);
    CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
    const char *(*easy_strerror)(CURLcode rc);
    struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
    void (*slist_free_all)(struct curl_slist *l);
    time_t (*getdate)(const char *s, const time_t *unused);
    CURLU *(*url)(void);
    CURLUcode (*url_set)(CURLU *u, CURLUPart what, const char *part, unsigned int flags);
    CURLUcode (*url_get)(const CURLU *u, CURLUPart what, char **part, unsigned int flags);
    void (*url_cleanup)(CURLU *u);
    void (*free)(void *p);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_add_handle)(CURLM *m, CURL *h);
    CURLMcode (*multi_remove_handle)(CURLM *m, CURL *h);
    CURLMcode (*multi_perform)(CURLM *m, int *running);
    CURLMcode (*multi_poll)(CURLM *m, struct curl_waitfd extra[], unsigned n, int timeout_ms, int *ret);
    CURLMsg *(*multi_info_read)(CURLM *m, int *left);
    CURLMcode (*multi_cleanup)(CURLM *m);
} lt_curl_api;
/* NULL (err set) when libcurl cannot be loaded. Thread-safe. */
const lt_curl_api *lt_curl(lt_error *err);

/* ---- api-url.c ---- */
/* the scheme/host policy alone, for callers that parsed the URL themselves. */
lt_error_kind lt_api_url_policy(const char *scheme, const char *host, int allow_insecure_loopback, lt_error *err);

/* lt_api_url_resolve without the environment when use_env is 0. Caller frees. */
char *lt_api_url_resolve_env(const char *explicit_url, int use_env);

/* ---- http.c: the only code that speaks HTTP ---- */
#define LT_BODY_CAP (1024 * 1024) /* response bodies larger than this are refused */
/* What the API said of one operation's rate limit (X-RateLimit-Remaining / -Reset, or a 429's
 * Retry-After): how http.c paces the next request of that operation. */
typedef struct lt_rate_slot {
    char op[64];      /* "DELETE /profile/tokens/{id}" */
    long remaining;   /* requests left in the window */
    int64_t reset_ms; /* when the window resets, CLOCK_REALTIME ms */
} lt_rate_slot;
#define LT_RATE_SLOTS 8

struct lt_client {
    const lt_curl_api *c;       /* libcurl, loaded */
    CURL *curl;                 /* reused: keeps the connection alive */
    char *base_url;             /* no trailing slash */
    char *token;                /* owned; wiped on free */
    char *ca_file;              /* owned, may be NULL */
    char *proxy;                /* owned; NULL: no proxy at all, whatever the environment says */
    struct curl_slist *headers; /* owned; holds the Authorization line; wiped on free */
    lt_client_options opt;      /* pointers cleared: values only */
    char errbuf[CURL_ERROR_SIZE];
    lt_rate_slot rate[LT_RATE_SLOTS]; /* the operations heard of, least recent replaced */
};

typedef struct lt_http_response {
    long status;
    char *body; /* owned, NUL-terminated; wiped on clear (may hold a secret) */
    size_t len;
    int too_large;
    char content_type[128];
    char oauth_scopes[1024];
    int have_oauth_scopes;
    double retry_after;
    int maintenance;
    long rate_remaining;       /* X-RateLimit-Remaining; -1 when absent */
    int64_t rate_reset;        /* X-RateLimit-Reset (UTC epoch seconds); 0 when absent */
    char accepted_scopes[256]; /* X-Accepted-OAuth-Scopes: what the call needs */
} lt_http_response;

void lt_http_response_clear(lt_http_response *r);

/* One API call with the client's retry policy. path is relative to the base URL
 * ("/profile/tokens?page=2"). On success (2xx with a JSON Content-Type) resp holds the
 * body; any other outcome is an error whose message names what failed. */
lt_error_kind lt_http_call(lt_client *c, const char *method, const char *path, const char *json_body,
                           const char *xfilter, lt_http_response *resp, lt_error *err);

/* Rate-limit pacing, for every request of a client (lt_http_call, lt_client_revoke_many): note
 * what an answer to method/url said of its operation's limit; and how long to hold the next
 * request of that operation, in_flight more being under way (0: send it now; capped at a minute). */
void lt_rate_note(lt_client *c, const char *method, const char *url, const lt_http_response *r);
int64_t lt_rate_wait_ms(lt_client *c, const char *method, const char *url, long in_flight);
/* Front ends whose stderr is a terminal: "PROG: waiting for the API at HOST..." once, when a
 * request has gone a second without an answer. */
void lt_http_wait_notice(const char *prog);
/* Set up an easy handle for one request of client c (timeouts, TLS, headers, body sink,
 * redacted trace); errbuf has CURL_ERROR_SIZE bytes. */
void lt_http_prepare(lt_client *c, CURL *h, const char *method, const char *url, const char *json_body,
                     struct curl_slist *headers, long timeout_ms, lt_http_response *resp, char *errbuf);
/* A finished transfer: LT_OK for 2xx JSON; else the error (resp->status 0: no HTTP answer). */
lt_error_kind lt_http_finish(lt_client *c, CURLcode rc, CURL *h, const char *url, lt_http_response *resp,
                             const char *errbuf, lt_error *err);

/* ---- client.c ---- */
/* the ids (at most cap) of live tokens labelled exactly label (an X-Filter the answer is
 * checked against): how a mint whose answer never came is found. */
lt_error_kind lt_client_find_label(lt_client *c, const char *label, int64_t *ids, size_t cap, size_t *n, lt_error *err);
/* GET /profile; with want_scopes, also the token's scopes: X-OAuth-Scopes, or when the
 * answer has none, the token's own entry in GET /profile/tokens (its 16-character prefix). Without
 * want_scopes, out->scopes is what the header said, or NULL (erase asks only "does it work?"). */
lt_error_kind lt_client_profile(lt_client *c, int want_scopes, lt_profile *out, lt_error *err);
/* [A-Za-z0-9]{16,256}, what a token secret may be (Linode's are 64 lowercase hex). */
int lt_token_secret_valid(const char *s);

/* ---- private-path.c: "a private directory or file that is mine" ---- */
#define LT_OWNER_ROOT_OR_ME ((uid_t)-1) /* root's, or this euid's (a test, a user's own host) */
/* st (an lstat or fstat) is of type (S_IFDIR, S_IFREG), owned by owner (or LT_OWNER_ROOT_OR_ME),
 * with none of the mode bits forbid (077: private; 022: only its owner writes). */
int lt_path_mine(const struct stat *st, mode_t type, uid_t owner, mode_t forbid);
/* The same for a file the user names (the config, the parent token file), decided on the opened fd
 * that will be read: LT_OK when it is a regular file of the effective uid or root with none of the
 * mode bits forbidden (022: not writable by others; 077: private); else kind, with "WHAT PATH is
 * ...: fix". */
lt_error_kind lt_fd_owned(int fd, const char *what, const char *path, mode_t forbidden, lt_error_kind kind,
                          lt_error *err);
/* mkdir 0700 if missing; then a real directory of this euid's that no one else may enter. */
lt_error_kind lt_private_dir(const char *path, lt_error *err);

/* ---- revoke-one.c: was a token created; revoke one token, else queue it ---- */
/* What a create call (lt_client_create_token) did: made a token (t->id is set, even when the answer
 * was otherwise unusable), surely made none (the API refused, or nothing was sent), or unknown (no
 * answer: the token, if any, is found later by its label). */
typedef enum { LT_CREATED, LT_NOT_CREATED, LT_CREATE_UNKNOWN } lt_create_outcome;
lt_create_outcome lt_create_outcome_of(lt_error_kind rc, const lt_token *t, const lt_error *e);
typedef enum {
    LT_REVOKE_GONE,    /* revoked, already gone, or never created (no token has its label, expiry passed) */
    LT_REVOKE_PENDING, /* no token has its label yet, and its expiry is ahead: ask again later */
    LT_REVOKE_FAILED,  /* err says why */
} lt_revoke_result;
/* Revoke token id, or (id 0: a mint whose answer never came) every live token labelled label. */
lt_revoke_result lt_revoke_one(lt_client *c, int64_t id, const char *label, int64_t expiry, lt_error *err);
/* Keep a revocation for a later try (1 when kept). */
typedef int (*lt_queue_fn)(void *ud);
/* lt_revoke_one (c NULL: failed, err already set by whoever could not make the client), and when
 * the token is not surely gone, queue(ud) it; *queued says whether it was. The one place where
 * "revoke, else queue" is decided. */
lt_revoke_result lt_revoke_or_queue(lt_client *c, int64_t id, const char *label, int64_t expiry, lt_queue_fn queue,
                                    void *ud, int *queued, lt_error *err);

/* ---- revoke-many.c ---- */
/* DELETE every id, at most max_parallel at a time, all within deadline_ms (0: the
 * client's deadline). results[i] is cleared (kind LT_OK) when ids[i] was revoked or already gone
 * (404), else holds the error. */
lt_error_kind lt_client_revoke_many(lt_client *c, const int64_t *ids, size_t n, int max_parallel, long deadline_ms,
                                    lt_error *results);

/* ---- token-json.c: JSON in and out ---- */
lt_error_kind lt_token_from_json(json_t *obj, time_t now, lt_token *out, lt_error *err);
/* Make jansson wipe what it frees (create responses and --json output hold tokens), once, and
 * only when jansson still has its default malloc/free (a host's own allocator is kept). Called by
 * lt_global_init and lt_client_new, and early in our programs' main(). */
void lt_json_wipe_on_free(void);
/* Turn an error response into err (API reasons and fields joined into one line). */
lt_error_kind lt_api_error_from_response(const lt_http_response *r, lt_error *err);

/* ---- redact.c ---- */
/* body as JSON with every "token" member's value replaced, ASCII only (malloc); NULL when
 * the body is not JSON or nests deeper than 64 levels (then nothing of it may be shown). */
char *lt_redact_json(const char *body, size_t len);
/* Parse a body into a JSON value; malformed bodies are LT_ERR_BAD_RESPONSE. Caller decrefs. */
json_t *lt_json_parse_body(const char *body, size_t len, lt_error *err);

/* ---- labels.c: lt2:HOST:USER:PROFILE:SESSION:NONCE ---- */
#define LT_LABEL_MAX 100
#define LT_LABEL_HOST_MAX 20
#define LT_LABEL_USER_MAX 12
#define LT_LABEL_PROFILE_MAX 12
#define LT_LABEL_SESSION_MAX 37 /* a chosen id (36) or a derived one ('~' and up to 36) */
#define LT_LABEL_NONCE_MAX 8
typedef struct lt_label {
    int version; /* 2; 1 for the first format (no nonce) */
    char host[LT_LABEL_HOST_MAX + 1];
    char user[LT_LABEL_USER_MAX + 1];
    char profile[LT_LABEL_PROFILE_MAX + 1];
    char session[LT_LABEL_SESSION_MAX + 1];
    char nonce[LT_LABEL_NONCE_MAX + 1];
} lt_label;
/* A host, user or profile as the label holds it: itself when it fits and is clean, else '=' and
 * 10 hex digits of its hash. out has max + 1 bytes. Reap compares with the same derivation. */
void lt_label_field(const char *value, size_t max, char *out);
/* A label the API takes: valid UTF-8 of 1 to 100 characters (not bytes), else LT_ERR_USAGE saying
 * so (field "label"). */
lt_error_kind lt_label_check(const char *label, lt_error *err);
void lt_label_format(const char *host, const char *user, const char *profile, const char *session, const char *nonce,
                     char out[LT_LABEL_MAX + 1]);
/* 1 when label is in one of our formats (fields filled), 0 otherwise. */
int lt_label_parse(const char *label, lt_label *out);

/* ---- session-record.c: a PAM session's root-only record (never the secret) ---- */
typedef struct lt_record {
    char session[40]; /* 128-bit random hex; the file name */
    int64_t id;       /* the token's id; 0 while the mint's answer has not come */
    char user[64];
    long uid;
    char label[LT_LABEL_MAX + 1];
    char api_url[512];
    int64_t expiry;
    char service[64], tty[64], rhost[256], xdg_session_id[64];
    long pid; /* the process that opened the session, and its start time */
    char pid_start[32];
    char token_file[512]; /* the user's token file, if any */
    char ruser[64];       /* PAM_RUSER: who asked (sudo's and su's caller); "" when unknown */
} lt_record;
lt_error_kind lt_record_write(const char *dir, const lt_record *r, lt_error *err);
lt_error_kind lt_record_read(const char *path, lt_record *r, lt_error *err);
/* 1 while the process that opened the session still runs. */
int lt_record_process_alive(const lt_record *r);
/* Field 22 of /proc/PID/stat into buf; 0 when the process is gone. */
int lt_proc_start_time(long pid, char *buf, size_t cap);
/* 1 while process pid, started at start (field 22), runs: not gone, not another, not a zombie. */
int lt_proc_alive(long pid, const char *start);
/* 2*bytes hex characters of getrandom() into out (2*bytes+1). */
int lt_random_hex(char *out, size_t bytes);

/* ---- audit-line.c: the one format of an audit line ---- */
/* {"time":"...Z","action":ACTION}; NULL on OOM. */
json_t *lt_audit_stamp(const char *action);
/* One audit line (malloc, no newline; NULL on OOM): id when > 0 (always, with who), label,
 * session, who's user, ruser and service (a PAM record: root's log), outcome, detail. */
char *lt_audit_line(const char *action, int64_t id, const char *label, const char *session, const lt_record *who,
                    const char *outcome, const char *detail);

/* ---- pam-args.c: the PAM module's arguments and the shared configuration file ---- */
/* The PAM module's settings: its arguments, after those of the configuration file (config=, else
 * LT_PAM_CONF when it exists), one argument per line. reap --system reads the same file through
 * the same parser. Nothing comes from the environment. */
#define LT_PAM_CONF "/etc/linode-token/pam.conf"
typedef struct lt_pam_args {
    /* pointers into argv or into conf below: valid until lt_pam_args_free */
    const char *parent_token_file, *scopes, *api_url, *ca_file, *proxy, *env, *cli_env, *token_file;
    const char *state_dir, *queue_dir, *audit_log, *config;
    int64_t ttl, max_ttl;              /* seconds; ttl <= max_ttl <= LT_TTL_CEILING */
    long timeout_ms, close_timeout_ms; /* 1 s to 1 h */
    int allow_insecure_loopback, debug;
    int config_loaded;      /* a configuration file was read */
    int conf_errors;        /* mistakes in the file (each complained of with its line) */
    char group_scopes[512]; /* from scopes_group_NAME= for the first group the user is in */
    char *conf_text;        /* the file's text, split in place into its arguments */
} lt_pam_args;
/* Called for each problem: in an argument (unknown, or a bad value: the default stays) a warning;
 * in the file ("FILE line N: ...") an error that refuses the file. */
typedef void (*lt_pam_args_complaint)(void *ud, const char *msg);
/* in_group(ud, NAME): whether the user is in group NAME (NULL: no scopes_group_ applies). */
typedef int (*lt_pam_args_in_group)(void *ud, const char *group);
/* argv alone (no file): what the fuzzer drives. */
void lt_pam_args_parse(int argc, const char **argv, lt_pam_args *a, lt_pam_args_complaint complain,
                       lt_pam_args_in_group in_group, void *ud);
/* A configuration file's text (malloc'd; a takes it over and splits it in place: one setting a
 * line, spaces around = allowed, blank lines and lines starting with # skipped; a quoted value or a
 * comment after a setting is a mistake), then argv over it. path names the file in complaints;
 * a->conf_errors counts the file's mistakes. */
void lt_pam_args_parse_text(const char *path, char *text, int argc, const char **argv, lt_pam_args *a,
                            lt_pam_args_complaint complain, lt_pam_args_in_group in_group, void *ud);
/* The configuration file (argv's config=FILE, else LT_PAM_CONF if it exists), then argv over it.
 * The file must be a regular file owned by root (by this euid when not root), writable by its
 * owner only, and free of mistakes. LT_OK, or an error naming the file (a= still holds argv's settings
 * over the defaults, and the file's good lines under them when it was read). */
lt_error_kind lt_pam_args_load(int argc, const char **argv, lt_pam_args *a, lt_pam_args_complaint complain,
                               lt_pam_args_in_group in_group, void *ud, lt_error *err);
void lt_pam_args_free(lt_pam_args *a);
/* A duration (15m, 1h30m) or a bare number of seconds, 1 s to 366 days. 1 when valid. */
int lt_pam_duration(const char *v, int64_t *secs);

/* ---- pam-host.c: what the PAM module and reap --system share (both run as root) ---- */
/* The parent token from a file owned by root (by this euid when not root), mode 0600 or less,
 * not a link. NULL with err set (the message names the file and what is wrong). */
char *lt_pam_read_parent(const char *path, lt_error *err);
/* A client acting with the parent for api_url (NULL: the configured one), reading nothing from
 * the environment. */
lt_client *lt_pam_client(const lt_pam_args *a, const char *api_url, long deadline_ms, lt_error *err);
/* Append one JSON line for a record's event to the audit log at path: opened non-blocking, no
 * link followed, created 0600; it must be a regular file owned by root (this euid when not
 * root), writable by its owner only. LT_OK when the whole line landed; else err says why. */
lt_error_kind lt_pam_audit_write(const char *path, const char *action, const lt_record *r, const char *outcome,
                                 lt_error *err);
/* A free-form line for the audit log (what syslog could not take): {"time","action":"log",...}. */
lt_error_kind lt_pam_audit_note(const char *path, const char *level, const char *message, lt_error *err);
/* Whether a syslog daemon listens on /dev/log (a datagram or stream socket that accepts). */
int lt_syslog_reachable(void);
/* The caller's resource limits must not kill or bend the work (RLIMIT_FSIZE's SIGXFSZ in the
 * middle of an audit line, a tiny RLIMIT_NOFILE): lift them to their hard limits (as root, past
 * them) and ignore SIGXFSZ; lt_limits_restore puts back exactly what was there. */
typedef struct lt_limits_saved {
    struct rlimit lim[3]; /* RLIMIT_FSIZE, RLIMIT_NOFILE, RLIMIT_CPU as found */
    int lifted[3];
    struct sigaction xfsz; /* SIGXFSZ's disposition as found */
    int xfsz_saved;
} lt_limits_saved;
void lt_limits_lift(lt_limits_saved *s);
void lt_limits_restore(const lt_limits_saved *s);

#endif
