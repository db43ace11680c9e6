/* SPDX-License-Identifier: MIT */
/* mint.c - the minting policy, the one place that decides:
 *   1. a cached token of this session and this parent for (API URL, account, scopes), with
 *      min_remaining <= time left <= the ttl asked for, is returned at once: no API call, no
 *      prompt, the parent untouched;
 *   2. otherwise one process at a time per key (flock), which looks again, then mints with
 *      exactly one POST, scopes within the parent's and expiry no later than the parent's;
 *   3. before the POST the session's ledger records the label the token will carry (an intent),
 *      after it the token; so a token whose answer never came is still found (by its label). */
#include "session-layer.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#define EXPIRY_SLACK 60 /* seconds: a token whose expiry the server rounded is still "no longer than asked" */

static int64_t now_s(void)
{
    return g_get_real_time() / G_USEC_PER_SEC;
}

/* The time since the last mark goes to step s. */
static void step(lt_minted *m, lt_mint_step s)
{
    const int64_t now = g_get_monotonic_time();
    m->step_us[s] += now - m->step_mark;
    m->step_mark = now;
}

char *lt_mint_timing(const lt_minted *m)
{
    static const char *const names[LT_STEP_COUNT] = {"session", "lookup", "ready",  "lock", "parent",
                                                     "intent",  "post",   "record", "drain"};
    g_autoptr(GString) s = g_string_new(NULL);
    int64_t total = 0;
    for (int i = 0; i < LT_STEP_COUNT; i++) {
        g_string_append_printf(s, "%s %.1f, ", names[i], m->step_us[i] / 1000.0);
        total += m->step_us[i];
    }
    g_string_append_printf(s, "total %.1f", total / 1000.0);
    return g_strdup(s->str);
}

static int lock_wait(int fd, int op)
{
    while (flock(fd, op) != 0)
        if (errno != EINTR)
            return -1;
    return 0;
}

/* The lock file of one key (the kernel drops a lock if its holder dies). */
static lt_error_kind open_lock(const char *api_url, const char *scopes, const char *session, int *fd, lt_error *err)
{
    g_autofree char *dir = NULL;
    *fd = -1;
    lt_error_kind rc = lt_state_dir("locks", &dir, err);
    if (rc != LT_OK)
        return rc;
    g_autofree char *joined = g_strjoin("\n", api_url, scopes, session, NULL);
    g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, joined, -1);
    g_autofree char *path = g_strdup_printf("%s/mint.%.32s", dir, sum);
    if ((*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
        return lt_error_set(err, LT_ERR_SYSTEM, "cannot open the lock %s: %s", path, g_strerror(errno));
    return LT_OK;
}

/* Learn the parent's account, scopes and expiry (GET /profile, then its entry in the list). */
static lt_error_kind learn_parent(lt_client *c, const char *token, lt_parent_info *info, lt_error *err)
{
    lt_profile p;
    lt_error_kind rc = lt_client_whoami(c, &p, err);
    if (rc != LT_OK)
        return rc;
    info->fingerprint = lt_parent_fingerprint(token);
    info->account = g_strdup(p.username);
    info->scopes = g_strdup(p.scopes);
    info->expiry = LT_TIME_NEVER;
    lt_profile_clear(&p);
    /* No endpoint names the acting token: match its 16-character prefix in the list. */
    lt_token_list l;
    lt_error le;
    if (lt_client_list_tokens(c, NULL, &l, &le) == LT_OK) {
        for (size_t i = 0; i < l.count; i++)
            if (strlen(l.items[i].token) == 16 && !strncmp(l.items[i].token, token, 16)) {
                info->expiry = l.items[i].expiry;
                info->id = l.items[i].id;
            }
        lt_token_list_clear(&l);
    }
    return LT_OK;
}

static lt_cache_key cache_key(const lt_minted *out, const lt_parent_info *info, const lt_mint_profile *prof,
                              char parent[17])
{
    g_strlcpy(parent, info->fingerprint, 17);
    return (lt_cache_key){out->api_url, parent, info->account, prof->scopes, out->session};
}

void lt_cache_window(const lt_mint_profile *prof, int64_t now, int64_t *min_expiry, int64_t *max_expiry)
{
    *min_expiry = now + prof->min_remaining;      /* never hand out one about to expire */
    *max_expiry = now + prof->ttl + EXPIRY_SLACK; /* nor one that lives longer than asked */
}

static lt_error_kind from_cache(lt_cache_backend b, const lt_parent_info *info, const lt_mint_profile *prof,
                                lt_minted *out, lt_error *err)
{
    char parent[17];
    lt_cache_key k = cache_key(out, info, prof, parent);
    lt_cached c;
    int64_t lo, hi;
    lt_cache_window(prof, now_s(), &lo, &hi);
    lt_error_kind rc = lt_cache_get(b, &k, lo, hi, &c, err);
    if (rc != LT_OK || !c.token)
        return rc;
    out->token = c.token;
    out->id = c.id;
    out->expiry = c.expiry;
    out->from_cache = 1;
    return LT_OK;
}

/* What is known of the parent (its account, scopes, expiry): from the state file when it is this
 * parent's, else learnt (then the client is made at once; else after the intent is written: either
 * way before anything is sent, since it checks the URL and loads libcurl on first use). */
static lt_error_kind know_parent(const lt_config *cfg, const lt_mint_options *o, const char *api_url,
                                 const char *parent, lt_parent_info *info, lt_client **c, lt_error *err)
{
    g_autofree char *fp = lt_parent_fingerprint(parent);
    if (lt_parent_info_load(cfg, api_url, info) && strcmp(info->fingerprint, fp) == 0)
        return LT_OK;
    lt_parent_info_clear(info);
    lt_error_kind rc = lt_config_client(cfg, api_url, parent, o->debug, o->deadline_ms, c, err);
    if (rc == LT_OK && (rc = learn_parent(*c, parent, info, err)) == LT_OK)
        lt_parent_info_save(cfg, api_url, info, NULL); /* a cache of facts: losing it costs a request */
    return rc;
}

/* The expiry to ask for: the profile's ttl, within the parent's scopes and life. */
static lt_error_kind mint_expiry(const lt_mint_profile *prof, const lt_parent_info *info, int64_t now, lt_minted *out,
                                 int64_t *expiry, lt_error *err)
{
    lt_scopes want, have;
    lt_scopes_parse(prof->scopes, 0, &want, NULL);
    lt_scopes_parse(info->scopes, LT_SCOPES_LENIENT, &have, NULL);
    if (!lt_scopes_within(&want, &have))
        return lt_error_set(err, LT_ERR_USAGE, "profile %s asks for '%s', beyond the parent token's scopes ('%s')",
                            prof->name, prof->scopes, info->scopes);
    *expiry = now + prof->ttl;
    if (info->expiry == LT_TIME_NEVER || info->expiry >= *expiry)
        return LT_OK;
    *expiry = info->expiry; /* a child never outlives its parent */
    out->clamped = 1;
    if (*expiry - now > prof->min_remaining)
        return LT_OK;
    char when[20];
    lt_time_format_api(info->expiry, when);
    return lt_error_set(err, LT_ERR_NO_CREDENTIAL, "the parent token expires too soon to mint from (at %s): replace it",
                        when);
}

/* A POST that failed (rc): what it did decides what becomes of the intent (lt_create_outcome_of). */
static lt_error_kind mint_failed(lt_client *c, lt_error_kind rc, const lt_token *t, lt_minted *out, const char *nonce,
                                 lt_error *err)
{
    char why[sizeof err->message];
    snprintf(why, sizeof why, "%s", err ? err->message : "");
    switch (lt_create_outcome_of(rc, t, err)) {
    case LT_CREATED: { /* created, but the answer was unusable: it must not stay alive */
        char how[LT_UNDO_MSG];
        lt_revoke_undo(c, t->id, out->api_url, out->label, out->session, how);
        lt_ledger_forget(out->session, 0, nonce);
        return lt_error_set(err, rc, "%s; token %" G_GINT64_FORMAT " %s", why, t->id, how);
    }
    case LT_NOT_CREATED:
        lt_ledger_forget(out->session, 0, nonce);
        return rc;
    default: /* the outcome is unknown: the intent stays, and end-session or reap finds it */
        lt_audit("mint", 0, out->label, out->session, "unknown", why);
        return lt_error_set(err, rc,
                            "%s (if the API created the token anyway, end-session or reap finds it by its label)", why);
    }
}

/* The token minted: in the ledger (settling the intent) and the cache, else taken back. */
static lt_error_kind mint_keep(lt_client *c, lt_cache_backend b, const lt_parent_info *info,
                               const lt_mint_profile *prof, lt_minted *out, const char *nonce, lt_error *err)
{
    lt_error werr;
    char parent16[17];
    lt_cache_key k = cache_key(out, info, prof, parent16);
    const lt_cached entry = {.token = out->token, .id = out->id, .expiry = out->expiry};
    if (lt_ledger_confirm(out->session, nonce, out->id, out->label, out->api_url, out->expiry, &werr) == LT_OK &&
        (b == LT_CACHE_NONE || lt_cache_put(b, &k, &entry, out->label, &werr) == LT_OK)) {
        lt_audit("mint", out->id, out->label, out->session, "minted", prof->scopes);
        return LT_OK;
    }
    char how[LT_UNDO_MSG];
    lt_revoke_undo(c, out->id, out->api_url, out->label, out->session, how);
    lt_ledger_forget(out->session, out->id, nonce);
    lt_secret_free(out->token);
    out->token = NULL;
    return lt_error_set(err, werr.kind, "%s; minted token %" G_GINT64_FORMAT " %s", werr.message, out->id, how);
}

/* Holding the lock: the parent, then (unless another process minted meanwhile) the intent in the
 * ledger, the POST, and the token kept. */
static lt_error_kind mint_locked(const lt_config *cfg, const lt_mint_profile *prof, const lt_mint_options *o,
                                 lt_cache_backend b, lt_minted *out, lt_error *err)
{
    char *parent = NULL;
    lt_client *c = NULL;
    lt_parent_info info = {0};
    lt_token t = {0};
    int64_t expiry = 0;
    char nonce[9];
    const int64_t now = now_s();
    lt_error_kind rc = lt_parent_get(cfg, out->api_url, &parent, err);
    if (rc == LT_OK)
        rc = know_parent(cfg, o, out->api_url, parent, &info, &c, err);
    /* Another process of this session may have minted while we waited for the lock. */
    if (rc == LT_OK && b != LT_CACHE_NONE && ((rc = from_cache(b, &info, prof, out, err)) != LT_OK || out->token))
        goto done;
    if (rc == LT_OK)
        rc = mint_expiry(prof, &info, now, out, &expiry, err);
    if (rc == LT_OK && !lt_random_hex(nonce, 4))
        rc = lt_error_set(err, LT_ERR_SYSTEM, "no randomness for the label's nonce");
    if (rc != LT_OK)
        goto done;
    lt_label_format(o->host ? o->host : g_get_host_name(), o->user ? o->user : g_get_user_name(), prof->name,
                    out->session, nonce, out->label);
    /* Write-ahead: the label is in the ledger before the POST can create anything. */
    const long deadline_ms = o->deadline_ms > 0 ? o->deadline_ms : 30000;
    step(out, LT_STEP_PARENT);
    rc = lt_ledger_intend(out->session, nonce, out->label, out->api_url, now + deadline_ms / 1000 + 1, err);
    step(out, LT_STEP_INTENT);
    if (rc == LT_OK && !c && (rc = lt_config_client(cfg, out->api_url, parent, o->debug, o->deadline_ms, &c, err)))
        lt_ledger_forget(out->session, 0, nonce); /* nothing was sent */
    if (rc != LT_OK)
        goto done;
    rc = lt_client_create_token(c, out->label, prof->scopes, expiry, &t, err);
    step(out, LT_STEP_POST);
    if (rc != LT_OK) {
        rc = mint_failed(c, rc, &t, out, nonce, err);
        goto done;
    }
    out->token = t.token;
    t.token = NULL;
    out->id = t.id;
    out->expiry = t.expiry;
    rc = mint_keep(c, b, &info, prof, out, nonce, err);
    step(out, LT_STEP_RECORD);
done:
    lt_token_clear(&t);
    lt_parent_info_clear(&info);
    lt_client_free(c);
    lt_secret_free(parent);
    return rc;
}

/* The minter, holding the lock: the store usable, then mint. */
static lt_error_kind mint_ready(const lt_config *cfg, const lt_mint_profile *prof, const lt_mint_options *o,
                                lt_cache_backend b, lt_minted *out, lt_error *err)
{
    step(out, LT_STEP_LOCK);
    /* libcurl first: the Secret Service (the store's check, the parent) starts a D-Bus thread,
     * and while the process has one thread the loader spares it GnuTLS's setup (curl-loader.c;
     * a lookup in the Secret Service has started that thread already). A failure to load shows
     * at the client. */
    lt_curl(NULL);
    step(out, LT_STEP_POST);
    lt_error_kind rc = b != LT_CACHE_NONE ? lt_cache_ready(b, err) : LT_OK;
    step(out, LT_STEP_READY);
    return rc == LT_OK ? mint_locked(cfg, prof, o, b, out, err) : rc;
}

/* The cache's entry for the key, when what is known of the parent allows a lookup (LT_OK and no
 * token: a miss). Local facts only: no request, no libcurl. */
static lt_error_kind lookup(const lt_config *cfg, const lt_mint_profile *prof, lt_cache_backend b, lt_minted *out,
                            lt_error *err)
{
    lt_parent_info info;
    if (b == LT_CACHE_NONE || !lt_parent_info_load(cfg, out->api_url, &info))
        return LT_OK;
    lt_error_kind rc = from_cache(b, &info, prof, out, err);
    lt_parent_info_clear(&info);
    return rc;
}

/* A miss: take the key's lock and mint. When another process holds it (it is minting this key)
 * and there is a cache, wait for it without queueing behind each other: a shared lock is granted
 * to every waiter at once when the minter lets go; then each reads the cache with no lock held,
 * and only one that still misses takes the lock and mints. Only the process that mints checks
 * the URL (making its client) and the store; one that finds the token needs neither, nor libcurl. */
static lt_error_kind mint_or_wait(const lt_config *cfg, const lt_mint_profile *prof, const lt_mint_options *o,
                                  lt_cache_backend b, lt_minted *out, lt_error *err)
{
    int lock;
    lt_error_kind rc = open_lock(out->api_url, prof->scopes, out->session, &lock, err);
    if (rc != LT_OK)
        return rc;
    const int held = flock(lock, LOCK_EX | LOCK_NB) == 0;
    if (!held && b != LT_CACHE_NONE) {
        if (lock_wait(lock, LOCK_SH) == 0 && flock(lock, LOCK_UN) == 0)
            rc = lookup(cfg, prof, b, out, err);
        step(out, LT_STEP_LOCK);
    }
    if (rc == LT_OK && !out->token && !held && lock_wait(lock, LOCK_EX) != 0)
        rc = lt_error_set(err, LT_ERR_SYSTEM, "cannot take the mint lock: %s", g_strerror(errno));
    if (rc == LT_OK && !out->token)
        rc = mint_ready(cfg, prof, o, b, out, err); /* which looks in the cache again */
    close(lock);
    return rc;
}

lt_error_kind lt_mint_acquire(const lt_config *cfg, const lt_mint_profile *prof, const lt_mint_options *o,
                              lt_minted *out, lt_error *err)
{
    static const lt_mint_options none = {0};
    if (!o)
        o = &none;
    memset(out, 0, sizeof *out);
    out->step_mark = g_get_monotonic_time();
    out->api_url = g_strdup(prof->api_url ? prof->api_url : cfg->api_url);
    out->scopes = g_strdup(prof->scopes);
    /* the session is part of the key: derived on every call (getsid and one small /proc read) */
    lt_error_kind rc = LT_OK;
    if (o->own_session && lt_session_valid(o->own_session))
        out->session = g_strdup(o->own_session);
    else
        rc = lt_session_id(o->session, &out->session, err);
    const lt_cache_backend b = o->dedicated ? LT_CACHE_NONE : lt_cache_choose(cfg);
    step(out, LT_STEP_SESSION);
    /* 1. the hit path: local facts only (what is known of this source's parent) */
    if (rc == LT_OK && (rc = lookup(cfg, prof, b, out, err)) == LT_OK && out->from_cache)
        step(out, LT_STEP_LOOKUP);
    if (rc != LT_OK || out->token)
        goto done;
    /* 2. a miss */
    rc = mint_or_wait(cfg, prof, o, b, out, err);
    /* A run that minted also retries the revocations earlier runs still owe (a stat when none). */
    if (rc == LT_OK && !out->from_cache) {
        size_t revoked, left;
        lt_revoke_options ro = {.deadline_ms = o->deadline_ms};
        lt_revoke_queued(cfg, &ro, &revoked, &left);
        step(out, LT_STEP_DRAIN);
    }
done:
    if (rc != LT_OK)
        lt_minted_clear(out);
    return rc;
}

static char *human(int64_t secs)
{
    return secs % 3600 == 0 ? g_strdup_printf("%" G_GINT64_FORMAT "h", secs / 3600)
           : secs % 60 == 0 ? g_strdup_printf("%" G_GINT64_FORMAT "m", secs / 60)
                            : g_strdup_printf("%" G_GINT64_FORMAT "s", secs);
}

char *lt_mint_note(const lt_mint_profile *prof, const lt_minted *m)
{
    g_autoptr(GString) s = g_string_new(NULL);
    if (prof->asked_ttl > prof->ttl) {
        g_autofree char *asked = human(prof->asked_ttl), *got = human(prof->ttl);
        g_string_append_printf(s, "a token lives at most %s (max_ttl of profile %s), not the %s asked for", got,
                               prof->name, asked);
    }
    if (m->clamped) {
        char when[20];
        lt_time_format_api(m->expiry, when);
        g_string_append_printf(s, "%sthe token expires with its parent, at %s UTC", s->len ? "; " : "", when);
    }
    return s->len ? g_strdup(s->str) : NULL;
}

void lt_minted_clear(lt_minted *m)
{
    lt_secret_free(m->token);
    g_free(m->api_url);
    g_free(m->scopes);
    g_free(m->session);
    memset(m, 0, sizeof *m);
}

/* Is token id confirmed dead? Asked with the parent: a 404 on its id is; anything else (the API
 * still knows it, or cannot be asked) is not. why gets what was learnt. */
static int confirmed_dead(const lt_config *cfg, const char *api_url, int64_t id, char why[160])
{
    char *parent = NULL;
    lt_error e;
    lt_client *c = NULL;
    lt_token t;
    int dead = 0;
    if (lt_parent_get(cfg, api_url, &parent, &e) == LT_OK &&
        lt_config_client(cfg, api_url, parent, 0, 0, &c, &e) == LT_OK) {
        if (lt_client_get_token(c, id, &t, &e) == LT_OK) {
            lt_token_clear(&t);
            snprintf(why, 160, "the API still lists it");
        } else {
            dead = lt_error_is_not_found(&e);
            snprintf(why, 160, "%.150s", dead ? "the API no longer knows it" : e.message);
        }
    } else {
        snprintf(why, 160, "cannot ask the API: %.130s", e.message);
    }
    lt_client_free(c);
    lt_secret_free(parent);
    return dead;
}

lt_error_kind lt_mint_erase(const lt_config *cfg, const char *session_opt, const char *secret,
                            lt_erase_verdict *verdict, lt_error *err)
{
    *verdict = LT_ERASE_NOT_OURS;
    g_autofree char *session = NULL;
    lt_error_kind rc = lt_session_id(session_opt, &session, err);
    if (rc != LT_OK)
        return rc;
    const lt_cache_backend b = lt_cache_choose(cfg);
    lt_cached_ref ref;
    if ((rc = lt_cache_find(b, session, secret, &ref, err)) != LT_OK || !ref.id) {
        g_free(ref.api_url);
        return rc;
    }
    /* Does it still authenticate? GET /profile needs no scope. */
    lt_client *c = NULL;
    lt_profile p;
    lt_error we;
    char why[160];
    if ((rc = lt_config_client(cfg, ref.api_url, secret, 0, 0, &c, err)) != LT_OK) {
        /* err says why */
    } else if (lt_client_profile(c, 0, &p, &we) == LT_OK || (we.kind == LT_ERR_API && we.http_status == 403)) {
        lt_profile_clear(&p); /* 403: authenticated, without permission (the spec's table) */
        *verdict = LT_ERASE_KEPT;
        lt_audit("erase", ref.id, NULL, session, "kept", "the token still authenticates");
    } else if (we.kind == LT_ERR_API && we.http_status == 401) {
        /* Refused: never handed out again. It leaves the ledger only when confirmed dead, since a
         * 401 may be the API's passing error: a live token the ledger forgot would outlive its
         * session. */
        lt_cache_drop_ids(b, &ref.id, 1, NULL);
        if (confirmed_dead(cfg, ref.api_url, ref.id, why)) {
            lt_ledger_forget(session, ref.id, NULL);
            *verdict = LT_ERASE_DROPPED;
            lt_audit("erase", ref.id, NULL, session, "dropped", why);
        } else {
            *verdict = LT_ERASE_SET_ASIDE;
            lt_audit("erase", ref.id, NULL, session, "set-aside", why);
        }
    } else {
        rc = lt_error_set(err, we.kind, "cannot tell whether the token still works: %s", we.message);
    }
    lt_client_free(c);
    g_free(ref.api_url);
    return rc;
}
