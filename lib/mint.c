/* mint.c - the minting policy, the one place that decides:
 *   1. a cached token for (API URL, account, scopes) with at least min_remaining left is
 *      returned at once: no API call, no prompt, the parent untouched;
 *   2. otherwise one process at a time per key (flock), which looks again, then mints with
 *      exactly one POST, scopes within the parent's and expiry no later than the parent's;
 *   3. the token is recorded for its session (durably) and cached before it is handed out. */
#include "upper.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

static int64_t now_s(void) { return g_get_real_time() / G_USEC_PER_SEC; }

/* Exclusive lock for one key, held until the fd is closed (the kernel drops it if we die). */
static int take_lock(const char *api_url, const char *scopes, lt_error *err)
{
    g_autofree char *dir = NULL;
    if (lt_state_dir("locks", &dir, err) != LT_OK)
        return -1;
    g_autofree char *joined = g_strjoin("\n", api_url, scopes, NULL);
    g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, joined, -1);
    g_autofree char *path = g_strdup_printf("%s/%.32s.lock", dir, sum);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        lt_error_set(err, LT_ERR_SYSTEM, "cannot open the lock %s: %s", path, g_strerror(errno));
        return -1;
    }
    while (flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            lt_error_set(err, LT_ERR_SYSTEM, "cannot lock %s: %s", path, g_strerror(errno));
            close(fd);
            return -1;
        }
    }
    return fd;
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

static lt_error_kind from_cache(lt_cache_backend b, const char *api_url, const char *account,
                                const lt_mint_profile *prof, lt_minted *out, lt_error *err)
{
    lt_cache_key k = {api_url, account, prof->scopes};
    lt_cached c;
    lt_error_kind rc = lt_cache_get(b, &k, now_s() + prof->min_remaining, &c, err);
    if (rc != LT_OK || !c.token)
        return rc;
    out->token = c.token;
    out->id = c.id;
    out->expiry = c.expiry;
    out->from_cache = 1;
    return LT_OK;
}

#define LT_UNDO_MSG 300
/* Take back a token minted in vain: revoke it, else queue it (never claim more than happened).
 * how gets what was done, for the caller's message. */
static void undo_mint(lt_client *c, int64_t id, const char *api_url, char how[LT_UNDO_MSG])
{
    lt_error e;
    if (lt_client_revoke_token(c, id, &e) == LT_OK || lt_error_is_not_found(&e)) {
        snprintf(how, LT_UNDO_MSG, "was revoked again");
        return;
    }
    lt_pending p = {.id = id, .api_url = (char *)api_url};
    lt_error qe;
    if (lt_queue_add(&p, 1, &qe) == LT_OK)
        snprintf(how, LT_UNDO_MSG, "could not be revoked (%.100s): queued for revocation", e.message);
    else
        snprintf(how, LT_UNDO_MSG, "could not be revoked (%.100s) nor queued (%.80s): revoke it by hand",
                 e.message, qe.message);
}

static lt_error_kind mint_locked(const lt_config *cfg, const lt_mint_profile *prof, const lt_mint_options *o,
                                 lt_cache_backend b, lt_minted *out, lt_error *err)
{
    char *parent = NULL;
    lt_error_kind rc = lt_parent_get(cfg, out->api_url, &parent, err);
    if (rc != LT_OK)
        return rc;
    lt_client *c = lt_config_client(cfg, out->api_url, parent, o->debug, o->deadline_ms, err);
    if (!c) {
        lt_secret_free(parent);
        return err ? err->kind : LT_ERR_SYSTEM;
    }
    lt_parent_info info;
    g_autofree char *fp = lt_parent_fingerprint(parent);
    if (!lt_parent_info_load(out->api_url, &info) || strcmp(info.fingerprint, fp) != 0) {
        lt_parent_info_clear(&info);
        if ((rc = learn_parent(c, parent, &info, err)) != LT_OK)
            goto done;
        lt_parent_info_save(out->api_url, &info, NULL); /* a cache of facts: losing it costs a request */
    }
    /* Another process may have minted while we waited for the lock. */
    if (b != LT_CACHE_NONE && !o->dedicated) {
        if ((rc = from_cache(b, out->api_url, info.account, prof, out, err)) != LT_OK || out->token)
            goto done;
    }
    lt_scopes want, have;
    lt_scopes_parse(prof->scopes, 0, &want, NULL);
    lt_scopes_parse(info.scopes, LT_SCOPES_LENIENT, &have, NULL);
    if (!lt_scopes_within(&want, &have)) {
        rc = lt_error_set(err, LT_ERR_USAGE, "profile %s asks for '%s', beyond the parent token's scopes ('%s')",
                          prof->name, prof->scopes, info.scopes);
        goto done;
    }
    const int64_t now = now_s();
    int64_t expiry = now + prof->ttl;
    if (info.expiry != LT_TIME_NEVER && info.expiry < expiry) {
        expiry = info.expiry; /* a child never outlives its parent */
        out->clamped = 1;
        if (expiry - now <= prof->min_remaining) {
            char when[20];
            lt_time_format_api(info.expiry, when);
            rc = lt_error_set(err, LT_ERR_NO_CREDENTIAL,
                              "the parent token expires too soon to mint from (at %s): replace it", when);
            goto done;
        }
    }
    lt_label_format(o->host ? o->host : g_get_host_name(), o->user ? o->user : g_get_user_name(), prof->name,
                    out->session, out->label);
    lt_token t;
    if ((rc = lt_client_create_token(c, out->label, prof->scopes, expiry, &t, err)) != LT_OK) {
        if (t.id > 0) { /* created, but the answer was unusable: it must not stay alive */
            char how[LT_UNDO_MSG], why[sizeof err->message];
            snprintf(why, sizeof why, "%s", err ? err->message : "");
            undo_mint(c, t.id, out->api_url, how);
            lt_error_set(err, rc, "%s; token %" G_GINT64_FORMAT " %s", why, t.id, how);
        }
        goto done;
    }
    out->token = t.token;
    t.token = NULL;
    out->id = t.id;
    out->expiry = t.expiry;
    lt_token_clear(&t);
    /* Recorded before it is handed out, so that end-session and reap can always find it. */
    lt_error werr;
    if (lt_ledger_add(out->session, out->id, out->label, out->api_url, out->expiry, &werr) != LT_OK ||
        (b != LT_CACHE_NONE && !o->dedicated &&
         lt_cache_put(b, &(lt_cache_key){out->api_url, info.account, prof->scopes},
                      &(lt_cached){.token = out->token, .id = out->id, .expiry = out->expiry}, out->label,
                      &werr) != LT_OK)) {
        char how[LT_UNDO_MSG];
        undo_mint(c, out->id, out->api_url, how);
        lt_ledger_remove(out->session, out->id, NULL);
        lt_secret_free(out->token);
        out->token = NULL;
        rc = lt_error_set(err, werr.kind, "%s; minted token %" G_GINT64_FORMAT " %s", werr.message, out->id, how);
    }
done:
    lt_parent_info_clear(&info);
    lt_client_free(c);
    lt_secret_free(parent);
    return rc;
}

lt_error_kind lt_mint_acquire(const lt_config *cfg, const lt_mint_profile *prof, const lt_mint_options *o,
                              lt_minted *out, lt_error *err)
{
    static const lt_mint_options none = {0};
    if (!o)
        o = &none;
    memset(out, 0, sizeof *out);
    out->api_url = g_strdup(prof->api_url ? prof->api_url : cfg->api_url);
    out->scopes = g_strdup(prof->scopes);
    lt_error_kind rc = lt_session_check(o->session, err); /* the id itself is derived on a miss only */
    const lt_cache_backend b = o->dedicated ? LT_CACHE_NONE : lt_cache_choose(cfg);
    lt_parent_info info;
    /* 1. the hit path: local facts only */
    if (rc == LT_OK && b != LT_CACHE_NONE && lt_parent_info_load(out->api_url, &info)) {
        rc = from_cache(b, out->api_url, info.account, prof, out, err);
        lt_parent_info_clear(&info);
        if (rc != LT_OK || out->token)
            goto done;
    }
    /* 2. a miss. (A hit needs no URL check: only checked URLs ever had tokens minted and cached.)
     * The store must be usable before anything is minted into it. */
    if (rc == LT_OK)
        rc = lt_session_id(o->session, &out->session, err);
    if (rc == LT_OK)
        rc = lt_api_url_check(out->api_url, cfg->allow_insecure_loopback, err);
    if (rc == LT_OK && b != LT_CACHE_NONE)
        rc = lt_cache_ready(b, err);
    if (rc == LT_OK) {
        int lock = take_lock(out->api_url, prof->scopes, err);
        if (lock < 0) {
            rc = err ? err->kind : LT_ERR_SYSTEM;
        } else {
            rc = mint_locked(cfg, prof, o, b, out, err);
            close(lock);
        }
    }
    /* A run that minted also retries the revocations earlier runs still owe (a stat when none). */
    if (rc == LT_OK && !out->from_cache) {
        size_t revoked, left;
        lt_revoke_options ro = {.deadline_ms = o->deadline_ms};
        lt_queue_drain(cfg, &ro, &revoked, &left, NULL);
    }
done:
    if (rc != LT_OK)
        lt_minted_clear(out);
    return rc;
}

void lt_minted_clear(lt_minted *m)
{
    lt_secret_free(m->token);
    g_free(m->api_url);
    g_free(m->scopes);
    g_free(m->session);
    memset(m, 0, sizeof *m);
}

lt_error_kind lt_mint_forget(const lt_config *cfg, const char *secret, int *was_ours, lt_error *err)
{
    *was_ours = 0;
    lt_cached_ref ref;
    lt_error_kind rc = lt_cache_take(lt_cache_choose(cfg), secret, &ref, err);
    if (rc != LT_OK || !ref.id) {
        g_free(ref.api_url);
        return rc;
    }
    *was_ours = 1;
    char *parent = NULL;
    rc = lt_parent_get(cfg, ref.api_url, &parent, err);
    if (rc == LT_OK) {
        lt_client *c = lt_config_client(cfg, ref.api_url, parent, 0, 0, err);
        rc = c ? lt_client_revoke_token(c, ref.id, err) : (err ? err->kind : LT_ERR_SYSTEM);
        if (rc != LT_OK && lt_error_is_not_found(err))
            rc = LT_OK; /* already gone */
        lt_client_free(c);
    }
    lt_secret_free(parent);
    g_free(ref.api_url);
    return rc;
}
