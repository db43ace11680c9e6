/* SPDX-License-Identifier: MIT */
/* session-layer.h - the session layer above the core (GLib, libsecret): config, secret store, parent
 * Internal: the front ends link the static archive; nothing here is exported from the .so. */
#ifndef LT_SESSION_LAYER_H
#define LT_SESSION_LAYER_H

#include "internal.h"

#include <glib.h>
#include <libsecret/secret.h> /* types only: libsecret is loaded, not linked (secret-store.c) */

/* ---- config.c: $XDG_CONFIG_HOME/linode-token/config (GKeyFile) ---- */
typedef struct lt_config {
    char *path;    /* the file that was read, NULL when none */
    char *api_url; /* resolved: flag, config, LINODE_URL + LINODE_API_VERSION, default */
    int allow_insecure_loopback;
    char *parent_token_file;              /* flag or config; NULL when unset */
    char *parent_token_command;           /* config; NULL when unset */
    long parent_token_command_timeout_ms; /* config parent_token_command_timeout (default 30 s) */
    char *cache;                          /* "secret-service", "keyring", "none", or NULL (automatic) */
    char *proxy;                          /* [general] proxy: the only proxy ever used; NULL: none */
    char *ca_file;                        /* [general] ca_file: a private CA; NULL: LINODE_CA, else the system's */
    GKeyFile *kf;                         /* the whole file, for profiles */
} lt_config;

typedef struct lt_config_flags {
    const char *config_file;       /* --config */
    const char *api_url;           /* --api-url */
    int allow_insecure_loopback;   /* --allow-insecure-loopback */
    const char *parent_token_file; /* --parent-token-file */
} lt_config_flags;

/* Read and check the config: a file not ours or root's, or writable by others; a key or section
 * written twice; an unknown section or key, a value of the wrong type, or one with a
 * trailing comment or quotes is an error naming its line; every profile must load. */
lt_error_kind lt_config_load(const lt_config_flags *flags, lt_config *out, lt_error *err);
/* What --timeout defaults to: the whole call, and any one request of it. */
#define LT_DEFAULT_DEADLINE_MS 30000
/* A client (*out) for api_url (NULL: the config's) acting with token, with the config's transport
 * settings (loopback opt-in, proxy); deadline_ms 0: the default. */
lt_error_kind lt_config_client(const lt_config *cfg, const char *api_url, const char *token, int debug,
                               long deadline_ms, lt_client **out, lt_error *err);
void lt_config_clear(lt_config *cfg);
/* The fix for an error, shown after its message by every front end (a refused or expiring parent:
 * how to replace it, from where it came); NULL when there is none. g_free. */
char *lt_config_hint(const lt_config *cfg, const lt_error *e);
/* Whether NAME may carry a token into exec's command (--env, exec_env): a variable name, and none
 * that the dynamic loader, libc or a shell acts on (LD_*, PATH, BASH_ENV, ...), where a token
 * would be run, loaded or printed. LT_ERR_USAGE with the reason otherwise. */
lt_error_kind lt_exec_env_name_check(const char *name, lt_error *err);

/* ---- near.c ---- */
/* "; did you mean 'list'?" (or several names, tied), git's way; "" when none is close. g_free. */
char *lt_did_you_mean(const char *word, const char *const *names, size_t n);

/* ---- secret-store.c: the Secret Service through libsecret, loaded on first use ---- */
typedef struct lt_secret_api {
    SecretService *(*service_get_sync)(SecretServiceFlags, GCancellable *, GError **);
    SecretCollection *(*collection_for_alias_sync)(SecretService *, const gchar *, SecretCollectionFlags,
                                                   GCancellable *, GError **);
    gboolean (*collection_get_locked)(SecretCollection *);
    const gchar *(*value_get_text)(SecretValue *);
    gchar *(*password_lookupv_sync)(const SecretSchema *, GHashTable *, GCancellable *, GError **);
    gboolean (*password_storev_sync)(const SecretSchema *, GHashTable *, const gchar *, const gchar *, const gchar *,
                                     GCancellable *, GError **);
    gboolean (*password_clearv_sync)(const SecretSchema *, GHashTable *, GCancellable *, GError **);
    void (*password_free)(gchar *);
    void (*object_unref)(gpointer);
    /* items by D-Bus path, never as proxies (each would cost a round trip for its properties) */
    gboolean (*search_paths_sync)(SecretService *, const SecretSchema *, GHashTable *, GCancellable *, gchar ***,
                                  gchar ***, GError **);
    GHashTable *(*secrets_for_paths_sync)(SecretService *, const gchar **, GCancellable *, GError **);
    gboolean (*delete_path_sync)(SecretService *, const gchar *, GCancellable *, GError **);
} lt_secret_api;

/* libsecret, loaded once per process (thread-safe); NULL with err set when it cannot be. */
const lt_secret_api *lt_libsecret(lt_error *err);
/* Attributes for a lookup: NAME, VALUE pairs ending with NULL; a NULL value leaves NAME out.
 * The caller unrefs the table. */
GHashTable *lt_secret_attributes(const char *name, ...) G_GNUC_NULL_TERMINATED;
/* A reachable session bus, found without autolaunching D-Bus: DBUS_SESSION_BUS_ADDRESS, or the
 * socket $XDG_RUNTIME_DIR/bus (which GIO also finds by itself). */
int lt_session_bus_available(void);
/* The Secret Service is reachable and its default collection unlocked; never prompts. */
lt_error_kind lt_secret_service_ready(lt_error *err);

/* ---- parent.c: where the parent token comes from ---- */
typedef enum {
    LT_PARENT_NONE,
    LT_PARENT_FILE,
    LT_PARENT_COMMAND,
    LT_PARENT_SECRET_SERVICE,
} lt_parent_source;

const char *lt_parent_source_name(lt_parent_source s);
/* Which source applies, by precedence, without reading it. */
lt_parent_source lt_parent_source_for(const lt_config *cfg);
/* Read the parent token for api_url (NULL: the config's); caller frees with lt_secret_free. */
lt_error_kind lt_parent_get(const lt_config *cfg, const char *api_url, char **token, lt_error *err);

/* What is known about a parent without its secret: kept in the state dir, keyed by API URL and the
 * parent's source (a file's identity and change time, a command's text, or the Secret Service),
 * and checked against the parent's fingerprint (SHA-256) whenever the parent itself is read. */
typedef struct lt_parent_info {
    char *fingerprint, *account, *scopes; /* g_free */
    int64_t expiry;                       /* LT_TIME_NEVER when it never expires */
    int64_t id;                           /* 0 when not found in the token list */
} lt_parent_info;
char *lt_parent_fingerprint(const char *token);
int lt_parent_info_load(const lt_config *cfg, const char *api_url, lt_parent_info *out);
lt_error_kind lt_parent_info_save(const lt_config *cfg, const char *api_url, const lt_parent_info *info, lt_error *err);
void lt_parent_info_forget(const lt_config *cfg, const char *api_url);
void lt_parent_info_clear(lt_parent_info *info);
/* Store / remove the parent token in the Secret Service, keyed by API URL. */
lt_error_kind lt_parent_store(const char *api_url, const char *username, const char *token, lt_error *err);
lt_error_kind lt_parent_forget(const char *api_url, int *removed, lt_error *err);

/* ---- rundir.c: private state, atomic files, session ids ---- */
/* $XDG_RUNTIME_DIR/linode-token[/sub] (else /tmp/linode-token-UID), created 0700 and checked to
 * be ours. Caller g_free()s *out. */
lt_error_kind lt_state_dir(const char *sub, char **out, lt_error *err);
/* Every state dir of this user that exists and is private (runtime dir, /tmp fallback)[/sub]. */
GPtrArray *lt_state_dirs_all(const char *sub);
/* Replace PATH's contents: an O_EXCL temp dot file, 0600 from the start, renamed into place. When
 * durable (and not on tmpfs), the file and the directory are fsync'ed too. */
lt_error_kind lt_write_file_atomic(const char *path, const char *data, size_t len, int durable, lt_error *err);
/* --session, else LINODE_TOKEN_SESSION (chosen ids); else derived: ~l<XDG_SESSION_ID>, else
 * ~s<leader pid>-<start time>, else ~u<uid>. */
lt_error_kind lt_session_id(const char *explicit_id, char **out, lt_error *err);
/* A chosen id or a derived one (starting with ~). */
int lt_session_valid(const char *id);
/* 1 alive, 0 gone, -1 cannot tell. Only derived ids are judged (~s, ~x: process and start time;
 * ~l: /run/systemd/sessions); a chosen id is always -1. */
int lt_session_alive(const char *id);
/* The id of this process as a session of its own (exec): ~x<pid>-<start time>. */
char *lt_session_id_for_self(void);

/* ---- ledger.c: the tokens each session minted and the mints it began (never secrets) ---- */
typedef struct lt_ledger_entry {
    int64_t id;            /* 0: a mint whose answer has not come (an intent) */
    char *label, *api_url; /* g_free; an intent's label finds its token */
    int64_t expiry;        /* a token's expiry; an intent's deadline */
    char *nonce;           /* an intent's (the label's last field) */
    char *session;         /* whose ledger it is in; NULL when in none */
} lt_ledger_entry;
void lt_ledger_entry_clear(lt_ledger_entry *e);
/* Before a POST: record the label the token will carry (an append, not fsync'ed; ledger.c). */
lt_error_kind lt_ledger_intend(const char *session, const char *nonce, const char *label, const char *api_url,
                               int64_t deadline, lt_error *err);
/* After it: append the token's group, which settles the intent (one write). */
lt_error_kind lt_ledger_confirm(const char *session, const char *nonce, int64_t id, const char *label,
                                const char *api_url, int64_t expiry, lt_error *err);
/* Drop a token (id) and/or an intent (nonce) from the session's ledgers, in every state dir. */
void lt_ledger_forget(const char *session, int64_t id, const char *nonce);
/* The session's entries from every state dir (empty when there is none). */
GArray *lt_ledger_load(const char *session);
/* Remove these entries (by id, or intents by nonce) from the session's ledgers; an empty ledger goes. */
void lt_ledger_remove_entries(const char *session, GArray *done);
/* Remove these token ids from every ledger of this user (a revoke from outside a session). */
void lt_ledger_drop_ids(const int64_t *ids, size_t n);
/* The sessions that have ledgers, in every state dir. */
GPtrArray *lt_ledger_sessions(void);
/* The file format, for the fuzzer and the tests: parse (bad groups skipped) and format. */
GArray *lt_ledger_parse(const char *data, size_t len, const char *session);
char *lt_ledger_format(GArray *entries, const char *session, size_t *len);

/* ---- profile.c: [profile NAME] or ad hoc ---- */
typedef struct lt_mint_profile {
    char *name;
    char *scopes;      /* normalised (lt_scopes_format) */
    int64_t ttl;       /* seconds, capped by max_ttl (default 1h; max 24h) */
    int64_t asked_ttl; /* what was asked for, before the cap (> ttl: say so) */
    int64_t max_ttl;
    int64_t min_remaining; /* a cached token with less left is not handed out (default 5m) */
    char *api_url;         /* the profile's own API URL (malloc), or NULL */
} lt_mint_profile;

int lt_profile_exists(const lt_config *cfg, const char *name);
int lt_profile_key_known(const char *key);
/* "; did you mean 'ttl'?" for an unknown key of a profile, or "". g_free. */
char *lt_profile_key_near(const char *key);
lt_error_kind lt_profile_load(const lt_config *cfg, const char *name, lt_mint_profile *out, lt_error *err);
lt_error_kind lt_profile_adhoc(const char *scopes, const char *ttl, lt_mint_profile *out, lt_error *err);
lt_error_kind lt_profile_set_ttl(lt_mint_profile *p, const char *ttl, lt_error *err);
lt_error_kind lt_profile_set_min_remaining(lt_mint_profile *p, const char *d, lt_error *err);
void lt_mint_profile_clear(lt_mint_profile *p);

/* ---- cache.c: minted tokens, keyed by (API URL, parent, account, scopes, session) ---- */
typedef enum { LT_CACHE_SECRET_SERVICE, LT_CACHE_KEYRING, LT_CACHE_NONE } lt_cache_backend;
typedef struct lt_cache_key {
    const char *api_url;
    const char *parent; /* the parent's fingerprint (16 hex), never its secret */
    const char *account, *scopes, *session;
} lt_cache_key;
typedef struct lt_cached {
    char *token; /* the secret (malloc; wiped by lt_cached_clear) */
    int64_t id;
    int64_t expiry;
} lt_cached;
typedef struct lt_cached_ref {
    int64_t id;    /* 0: not ours */
    char *api_url; /* g_free */
} lt_cached_ref;

/* config "cache", else the Secret Service when a session bus is reachable, else the kernel keyring. */
lt_cache_backend lt_cache_choose(const lt_config *cfg);
const char *lt_cache_backend_name(lt_cache_backend b);
/* Which kernel keyring the keyring cache uses (cache.c decides, in kr_target). */
typedef enum { LT_KEYRING_SESSION, LT_KEYRING_USER_SESSION, LT_KEYRING_NONE } lt_keyring_kind;
/* Where tokens are cached and why, for status: the backend, which keyring and why, or why nothing
 * can persist. g_free. */
char *lt_cache_describe(const lt_config *cfg);
/* The backend can store now (bus reachable and unlocked; keyring usable). */
lt_error_kind lt_cache_ready(lt_cache_backend b, lt_error *err);
/* The cached token of this key with the latest expiry in [min_expiry, max_expiry], else
 * out->token == NULL. Expired entries are dropped. */
lt_error_kind lt_cache_get(lt_cache_backend b, const lt_cache_key *k, int64_t min_expiry, int64_t max_expiry,
                           lt_cached *out, lt_error *err);
lt_error_kind lt_cache_put(lt_cache_backend b, const lt_cache_key *k, const lt_cached *c, const char *label,
                           lt_error *err);
/* The session's entry holding exactly this secret (left in place); out->id == 0 when none. */
lt_error_kind lt_cache_find(lt_cache_backend b, const char *session, const char *secret, lt_cached_ref *out,
                            lt_error *err);
void lt_cached_clear(lt_cached *c);
/* Remove the entries of these token ids, if any (after they were revoked): one pass. */
lt_error_kind lt_cache_drop_ids(lt_cache_backend b, const int64_t *ids, size_t n, lt_error *err);
/* Remove every entry of a session. */
lt_error_kind lt_cache_drop_session(lt_cache_backend b, const char *session, lt_error *err);

/* ---- mint.c: the policy ---- */
/* Which cached tokens a profile takes (expiry within [*min_expiry, *max_expiry]) at time now: at
 * least min_remaining left, and no longer-lived than its ttl asks (a minute of slack for rounding). */
void lt_cache_window(const lt_mint_profile *prof, int64_t now, int64_t *min_expiry, int64_t *max_expiry);
typedef struct lt_mint_options {
    const char *session;     /* a chosen id (--session); NULL: lt_session_id(NULL) */
    const char *own_session; /* a derived id this process made for itself (exec's ~x...): used as is */
    int dedicated;           /* a token of its own (exec): neither taken from nor put in the cache */
    const char *host, *user; /* for the label; NULL: this machine, this user */
    int debug;               /* trace API requests */
    long deadline_ms;        /* 0: the client's default */
} lt_mint_options;

/* Where one lt_mint_acquire spent its time (--debug prints it; bench/ reads it). */
typedef enum {
    LT_STEP_SESSION, /* deriving the session id */
    LT_STEP_LOOKUP,  /* the hit path: parent facts and the cache lookup */
    LT_STEP_READY,   /* the minter: the store usable */
    LT_STEP_LOCK,    /* the mint lock (waiting for another minter included) */
    LT_STEP_PARENT,  /* reading the parent, its facts (a GET when unknown), the second lookup */
    LT_STEP_INTENT,  /* the write-ahead intent in the ledger (an append) */
    LT_STEP_POST,    /* loading libcurl on first use, the client (URL check), the POST */
    LT_STEP_RECORD,  /* ledger confirmation, cache put, audit line */
    LT_STEP_DRAIN,   /* the revocation queue's retries */
    LT_STEP_COUNT
} lt_mint_step;

typedef struct lt_minted {
    char *token; /* the secret (wiped by lt_minted_clear) */
    int64_t id, expiry;
    char *scopes, *api_url, *session;
    char label[LT_LABEL_MAX + 1];   /* set when minted now */
    int from_cache;                 /* 1: no API call was made */
    int clamped;                    /* 1: the expiry was cut to the parent's */
    int64_t step_us[LT_STEP_COUNT]; /* microseconds per step */
    int64_t step_mark;              /* (internal) when the current step began */
} lt_minted;

/* A token for the profile in this session: a cached one of this session and parent with
 * min_remaining <= time left <= ttl, else one minted (one POST per key at a time). */
lt_error_kind lt_mint_acquire(const lt_config *cfg, const lt_mint_profile *prof, const lt_mint_options *o,
                              lt_minted *out, lt_error *err);
void lt_minted_clear(lt_minted *m);
/* "session 0.1, lookup 0.3, ... total 5.2" (ms): one line for --debug. g_free. */
char *lt_mint_timing(const lt_minted *m);
/* What the caller must be told about the token's lifetime (a ttl cut by max_ttl, an expiry cut to
 * the parent's), or NULL: lifetimes are never cut silently. g_free. */
char *lt_mint_note(const lt_mint_profile *prof, const lt_minted *m);

/* git's erase: the server refused secret. Only a token the session's cache holds is considered. */
typedef enum {
    LT_ERASE_NOT_OURS,  /* not in this session's cache: nothing touched */
    LT_ERASE_KEPT,      /* it still authenticates (GET /profile): kept; likely a missing scope */
    LT_ERASE_DROPPED,   /* refused, and the API no longer knows it (404): gone from cache and ledger */
    LT_ERASE_SET_ASIDE, /* refused, but not confirmed dead: gone from the cache, kept in the ledger
                           so that end-session revokes it */
} lt_erase_verdict;
lt_error_kind lt_mint_erase(const lt_config *cfg, const char *session, const char *secret, lt_erase_verdict *verdict,
                            lt_error *err);

/* ---- queue.c: revocations still owed (storage only; revoke.c revokes) ---- */
/* Add tokens (id) and intents (id 0, label) to the queue, once each. */
lt_error_kind lt_queue_add(GArray *entries, lt_error *err);
size_t lt_queue_length(void);
/* Everything owed, with the queue's lock held in *lock (NULL, no lock, when nothing is owed). */
GArray *lt_queue_take(int *lock);
/* Write back what is still owed and release the lock. */
lt_error_kind lt_queue_put_back(int lock, GArray *still_owed, lt_error *err);
/* The file format, for the fuzzer and the tests. */
GArray *lt_queue_parse(const char *text);
char *lt_queue_format(GArray *entries);

/* ---- audit.c: one JSON line per decision, never a secret ---- */
char *lt_audit_path(void);
void lt_audit(const char *action, int64_t id, const char *label, const char *session, const char *outcome,
              const char *detail);

/* ---- revoke.c: the one home of revocation in this layer ---- */
#define LT_DEFAULT_PARALLEL 50
typedef struct lt_revoke_options {
    int max_parallel; /* requests in flight (default LT_DEFAULT_PARALLEL) */
    long deadline_ms; /* for all of them (0: the client's default, 30 s) */
    int debug;
} lt_revoke_options;
#define LT_UNDO_MSG 300
/* Take back a token minted in vain, with the client that minted it: revoke it, else queue it
 * (lt_revoke_or_queue; never claim more than happened). how gets what was done. */
/* linode-token revoke, one token of the user's choosing: the DELETE; once done, the audit line, and
 * the token leaves the cache and every ledger. */
lt_error_kind lt_revoke_by_hand(const lt_config *cfg, lt_client *c, int64_t id, const char *label, lt_error *err);
/* Token id, with a client at hand (c NULL: err says why there is none): revoke it, else add it to
 * the queue (qerr says why not, when *queued is 0). */
lt_revoke_result lt_revoke_token_or_queue(lt_client *c, int64_t id, const char *api_url, const char *label, int *queued,
                                          lt_error *err, lt_error *qerr);
void lt_revoke_undo(lt_client *c, int64_t id, const char *api_url, const char *label, const char *session,
                    char how[LT_UNDO_MSG]);
typedef struct lt_outcome {
    int64_t id; /* 0: a mint that created nothing, or whose label could not be looked up */
    char *label, *api_url, *session, *reason; /* g_free */
    int queued;                               /* not revoked now: in the pending queue (error says why) */
    int spared;                               /* reap: left alone (reason says why) */
    lt_error error;                           /* kind LT_OK: revoked (or already gone) */
} lt_outcome;
void lt_outcome_clear(lt_outcome *r);
/* Revoke entries (tokens; intents resolved by label) in parallel per API URL; why goes to the audit
 * log. Failures go to the queue when queue_failures, else to still (with mints still under way).
 * What is done leaves the cache and its session's ledger. out: an lt_outcome per token and intent. */
void lt_revoke_entries(const lt_config *cfg, GArray *entries, const char *why, const lt_revoke_options *o,
                       int queue_failures, GArray *out, GArray *still);
/* The same, the outcomes of what was revoked now appended to revoked (may be NULL). */
lt_error_kind lt_revoke_queued_into(const lt_config *cfg, const lt_revoke_options *o, GArray *revoked, size_t *left);
/* Retry everything owed; what the API confirms (200/404) leaves the queue. */
void lt_revoke_queued(const lt_config *cfg, const lt_revoke_options *o, size_t *revoked, size_t *left);
/* ---- end-session.c, reap.c ---- */
/* Revoke every token in the session's ledger and resolve its intents; failures are queued.
 * out: GArray of lt_outcome. Drains the queue first. Idempotent. */
void lt_session_end(const lt_config *cfg, const char *session, const lt_revoke_options *o, GArray *out);
/* logout: revoke every token that every session of this user minted for cfg's API URL, now,
 * before the parent goes (the queue drained first). What could not be revoked comes back in still
 * (tokens still queued for that URL included); nothing is queued. out: GArray of lt_outcome. */
void lt_session_end_parent(const lt_config *cfg, const lt_revoke_options *o, GArray *out, GArray *still);
/* Our tokens (label format, this host, this user) whose session has ended or that no ledger
 * records: revoke them (or, dry_run, only report them). Spared tokens come back with spared = 1;
 * every outcome has a reason. */
/* Reap's verdict on one of our tokens (lab: its parsed label; ids, labels: what this user's ledgers
 * here record, as sets of int64 ids and label strings): NULL when it is known orphaned (*reason
 * says how it is known), else why it is kept. */
const char *lt_reap_verdict(const lt_token *t, const lt_label *lab, GHashTable *ids, GHashTable *labels,
                            const char **reason);
lt_error_kind lt_reap(const lt_config *cfg, int dry_run, const lt_revoke_options *o, GArray *out, lt_error *err);
/* The PAM module's records (root), with the module's configuration (reap-system.c): sessions whose
 * opening process is gone, and queued ones, each tried once. config: the file (NULL: LT_PAM_CONF);
 * state_dir, queue_dir: NULL for the file's. notes gets what the edge should tell the admin
 * (g_free'd strings: a setting ignored, syslog unavailable). */
lt_error_kind lt_reap_system(const char *config, const char *state_dir, const char *queue_dir, int dry_run,
                             const lt_revoke_options *o, GArray *out, GPtrArray *notes, lt_error *err);
#endif
