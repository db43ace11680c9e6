/* SPDX-License-Identifier: MIT */
/* linode-token.h - public API of liblinode-token.
 *
 * The core (errors, scopes, time, API client) uses libcurl and jansson only.
 *
 * Ownership: a function that fills a caller-provided struct (lt_token, lt_token_list,
 * lt_profile) makes the caller own its heap members; release them with the matching
 * *_clear(). Secrets held in these structs are wiped before they are freed.
 *
 * Thread-safety: an lt_client is not thread-safe (it owns one reused curl handle);
 * use one client per thread. Everything else here is reentrant. libcurl is loaded on first
 * use (thread-safe); lt_global_init() does that early, if you prefer to fail at start.
 */
#ifndef LINODE_TOKEN_H
#define LINODE_TOKEN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(LT_BUILDING_LIBRARY)
#define LT_API __attribute__((visibility("default")))
#else
#define LT_API
#endif

#define LT_VERSION "0.1.0"

/* ---- errors ------------------------------------------------------------ */

typedef enum {
    LT_OK = 0,
    LT_ERR_USAGE,         /* the caller's input is invalid (bad scope, bad duration...) */
    LT_ERR_NETWORK,       /* could not connect, connection dropped, truncated transfer */
    LT_ERR_TIMEOUT,       /* a connect or total timeout, or the overall deadline, ran out */
    LT_ERR_TLS,           /* certificate or handshake failure */
    LT_ERR_API,           /* the API answered with an error status (see http_status) */
    LT_ERR_RATE_LIMITED,  /* 429 that could not be retried within the deadline */
    LT_ERR_MAINTENANCE,   /* 503 with X-Maintenance-Mode */
    LT_ERR_BAD_RESPONSE,  /* malformed JSON, wrong type, wrong Content-Type */
    LT_ERR_TOO_LARGE,     /* response body over the cap */
    LT_ERR_NO_CREDENTIAL, /* no parent token could be found */
    LT_ERR_STORE,         /* secret store / keyring unavailable or locked */
    LT_ERR_SYSTEM,        /* local I/O or out of memory */
} lt_error_kind;

typedef struct lt_error {
    lt_error_kind kind;
    long http_status;   /* 0 when no HTTP response was received */
    double retry_after; /* seconds, from Retry-After; 0 when absent */
    char field[64];     /* the first API error's field, "" when none */
    char message[512];  /* one line, never a secret; API errors: "field: reason (HTTP n)" */
} lt_error;

/* Set err (may be NULL) and return kind. */
LT_API lt_error_kind lt_error_set(lt_error *err, lt_error_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
LT_API void lt_error_clear(lt_error *err);
/* Process exit code for an error: 0 ok, 1 API, 2 usage, 3 no credential or store,
 * 4 network or timeout. */
LT_API int lt_error_exit_code(const lt_error *err);
LT_API const char *lt_error_kind_name(lt_error_kind kind);
/* True when err is an API 404 (already gone). */
LT_API int lt_error_is_not_found(const lt_error *err);

/* ---- time -------------------------------------------------------------- */

/* "Never expires": null or more than 100 years out. Stored as LT_TIME_NEVER. */
#define LT_TIME_NEVER INT64_MAX

/* Parse the API's UTC form YYYY-MM-DDTHH:MM:SS (a trailing Z, +00:00 or fractional
 * seconds are tolerated). Far-future dates become LT_TIME_NEVER relative to now. */
LT_API lt_error_kind lt_time_parse_api(const char *s, time_t now, int64_t *out, lt_error *err);
/* Format t as YYYY-MM-DDTHH:MM:SS (UTC) into buf (>= 20 bytes). */
LT_API void lt_time_format_api(int64_t t, char buf[20]);
/* Durations: a sequence of NUMBER UNIT with units s, m, h, d, w (e.g. 90s, 15m, 1h30m, 7d, 2w). */
LT_API lt_error_kind lt_duration_parse(const char *s, int64_t *seconds, lt_error *err);
LT_API int lt_time_is_never(int64_t t, time_t now);

/* ---- scopes ------------------------------------------------------------ */

typedef enum { LT_LEVEL_NONE = 0, LT_LEVEL_READ_ONLY = 1, LT_LEVEL_READ_WRITE = 2 } lt_level;

#define LT_SCOPES_MAX_SERVICES 32

typedef struct lt_scopes {
    int all;                                     /* "*" */
    unsigned char level[LT_SCOPES_MAX_SERVICES]; /* lt_level, indexed like lt_scopes_service_name() */
} lt_scopes;

/* Flags for lt_scopes_parse. */
#define LT_SCOPES_LENIENT 1u /* skip unknown services/levels (strings from the server) */

/* Parse "svc:level svc:level" (space or comma separated) or "*". Legacy levels
 * (view, create, modify, delete) and services folded into account are understood.
 * Strict mode rejects unknown items and vpc:read_only, naming the bad item. */
LT_API lt_error_kind lt_scopes_parse(const char *s, unsigned flags, lt_scopes *out, lt_error *err);
/* Normalised string: "*" or items sorted by service, space separated, each service once
 * at its highest level; "" when no access at all. Caller frees. NULL on OOM. */
LT_API char *lt_scopes_format(const lt_scopes *s);
/* 1 when every access in a is also granted by b. */
LT_API int lt_scopes_within(const lt_scopes *a, const lt_scopes *b);
LT_API int lt_scopes_is_empty(const lt_scopes *s);
/* Services in the contract, in order; NULL past the end. */
LT_API const char *lt_scopes_service_name(size_t i);
LT_API size_t lt_scopes_service_count(void);
/* 1 when the service has a read_only level (vpc does not). */
LT_API int lt_scopes_service_has_read_only(size_t i);
LT_API int lt_scopes_service_index(const char *name);

/* ---- API client -------------------------------------------------------- */

typedef struct lt_token {
    int64_t id;
    char *label;
    char *scopes; /* as the API returned it */
    int64_t created;
    int64_t expiry; /* LT_TIME_NEVER for null or far future */
    char *token;    /* full secret only from create; else the 16-char prefix; wiped on clear */
    char *json;     /* the API object as compact JSON (secret included on create) */
} lt_token;

typedef struct lt_token_list {
    lt_token *items;
    size_t count;
} lt_token_list;

typedef struct lt_profile {
    int64_t uid;
    char *username;
    char *email;
    int restricted;
    char *scopes; /* the acting token's scopes, from X-OAuth-Scopes */
} lt_profile;

LT_API void lt_token_clear(lt_token *t);
LT_API void lt_token_list_clear(lt_token_list *l);
LT_API void lt_profile_clear(lt_profile *p);

typedef struct lt_client_options {
    const char *api_url; /* e.g. https://api.linode.com/v4; NULL: LINODE_URL + LINODE_API_VERSION, else default */
    const char *token;   /* the bearer token; copied, wiped on free */
    const char *ca_file; /* NULL: LINODE_CA when set, else the system store */
    const char *proxy;   /* a proxy URL; NULL: none (HTTPS_PROXY, ALL_PROXY, NO_PROXY are never used) */
    int no_environment;  /* 1: read nothing from the environment (LINODE_URL, LINODE_CA...). Always so in
                            a set-uid/set-gid process, which also hides SSLKEYLOGFILE from libcurl */
    int allow_insecure_loopback; /* permit http:// to 127.0.0.0/8, ::1, localhost */
    long connect_timeout_ms;     /* default 5000 */
    long request_timeout_ms;     /* per attempt, default 15000 */
    long deadline_ms;            /* whole call including retries, default 30000 */
    int max_retries;             /* safe retries (429, 408, 503): LT_RETRIES_DEFAULT (3) or LT_RETRIES_NONE */
    int debug;                   /* trace requests to stderr, Authorization and tokens redacted */
    int page_size;               /* list page size (25-500); 0: the API's default */
} lt_client_options;

#define LT_RETRIES_DEFAULT 0
#define LT_RETRIES_NONE (-1)

typedef struct lt_client lt_client;

/* Load and initialise libcurl now (otherwise done on first use). Optional; thread-safe.
 * This and lt_client_new also make jansson wipe what it frees (responses hold tokens), once,
 * and only while jansson still has its default malloc/free: an allocator of yours is kept. */
LT_API lt_error_kind lt_global_init(lt_error *err);

/* NULL on error (err says why). */
LT_API lt_client *lt_client_new(const lt_client_options *opts, lt_error *err);
LT_API void lt_client_free(lt_client *c);
/* The base URL in use (no trailing slash). */
LT_API const char *lt_client_api_url(const lt_client *c);
/* Resolve the API base URL from an explicit value or the environment (never in a privileged
 * process); caller frees. */
LT_API char *lt_api_url_resolve(const char *explicit_url);
/* Check scheme/host policy: https always; http only for loopback with opt-in. */
LT_API lt_error_kind lt_api_url_check(const char *url, int allow_insecure_loopback, lt_error *err);

/* All pages of GET /profile/tokens. xfilter: an X-Filter JSON object, or NULL. */
LT_API lt_error_kind lt_client_list_tokens(lt_client *c, const char *xfilter, lt_token_list *out, lt_error *err);
LT_API lt_error_kind lt_client_get_token(lt_client *c, int64_t id, lt_token *out, lt_error *err);
/* scopes: a normalised scope string, or NULL/"*" to inherit the acting token's.
 * expiry: unix time, or LT_TIME_NEVER to omit. Never retried once it may have been sent. */
LT_API lt_error_kind lt_client_create_token(lt_client *c, const char *label, const char *scopes, int64_t expiry,
                                            lt_token *out, lt_error *err);
LT_API lt_error_kind lt_client_rename_token(lt_client *c, int64_t id, const char *label, lt_token *out, lt_error *err);
LT_API lt_error_kind lt_client_revoke_token(lt_client *c, int64_t id, lt_error *err);
/* GET /profile plus the acting token's scopes. */
LT_API lt_error_kind lt_client_whoami(lt_client *c, lt_profile *out, lt_error *err);

/* ---- minting on demand ------------------------------------------------ */

typedef struct lt_credential {
    char *token;    /* the secret; wiped and freed by lt_release() */
    int64_t id;     /* the token's id in the API */
    int64_t expiry; /* unix seconds */
    char *scopes;   /* normalised scopes */
} lt_credential;

/* Acquire a short-lived token for [profile NAME] of the user's config
 * ($XDG_CONFIG_HOME/linode-token/config; NAME NULL means "default"): a cached token with at least
 * the profile's min_remaining left, else one minted from the parent token (one POST however many
 * callers ask at once). Blocks on the network and the Secret Service; never prompts.
 * Ownership: the caller owns *out until lt_release(). Thread-safety: safe to call from several
 * threads at once; concurrent callers (threads or processes) for the same scopes share one mint. */
LT_API lt_error_kind lt_acquire(const char *profile, lt_credential *out, lt_error *err);
/* Wipe and free what lt_acquire() filled. The token is not revoked: it stays cached for others
 * until it expires or its session ends. NULL and an empty credential are fine. */
LT_API void lt_release(lt_credential *cred);

/* Overwrite a secret in memory (explicit_bzero), then free it. NULL is fine. */
LT_API void lt_secret_free(char *secret);

#ifdef __cplusplus
}
#endif
#endif
