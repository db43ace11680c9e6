/* SPDX-License-Identifier: MIT */
/* revoke.c - the one home of revocation, for end-session, exec, reap and the pending queue alike:
 * mints whose answer never came are found by their label (X-Filter); tokens are revoked in
 * parallel, one batch per API URL; what cannot be revoked now goes to the pending queue (never
 * reported as revoked); every revoked token leaves the cache and its session's ledger in the same
 * step, and every outcome is written to the audit log. Dependencies run one way: this file uses
 * the queue's storage, the ledger and the cache; none of them calls back. */
#include "session-layer.h"

#include <stdio.h>

void lt_outcome_clear(lt_outcome *r)
{
    g_free(r->label);
    g_free(r->api_url);
    g_free(r->session);
    g_free(r->reason);
    memset(r, 0, sizeof *r);
}

/* A client acting with the parent for api_url; NULL with e set. */
static lt_client *parent_client(const lt_config *cfg, const char *api_url, const lt_revoke_options *o, lt_error *e)
{
    char *parent = NULL;
    lt_client *c = NULL;
    if (lt_parent_get(cfg, api_url, &parent, e) == LT_OK)
        lt_config_client(cfg, api_url, parent, o->debug, o->deadline_ms, &c, e);
    lt_secret_free(parent);
    return c;
}

/* The ids of the live tokens labelled exactly label. */
static lt_error_kind find_by_label(lt_client *c, const char *label, GArray *ids, lt_error *err)
{
    int64_t found[16];
    size_t n;
    lt_error_kind rc = lt_client_find_label(c, label, found, 16, &n, err);
    if (rc == LT_OK)
        g_array_append_vals(ids, found, (guint)n);
    return rc;
}

static void outcome(GArray *out, const lt_ledger_entry *e, int64_t id, const lt_error *err, int queued,
                    const char *reason)
{
    lt_outcome r = {.id = id,
                    .label = g_strdup(e->label ? e->label : ""),
                    .api_url = g_strdup(e->api_url),
                    .session = g_strdup(e->session),
                    .queued = queued,
                    .reason = g_strdup(reason)};
    if (err)
        r.error = *err;
    g_array_append_val(out, r);
}

static void append_entry(GArray *to, const lt_ledger_entry *e)
{
    lt_ledger_entry c = {.id = e->id,
                         .label = g_strdup(e->label),
                         .api_url = g_strdup(e->api_url),
                         .expiry = e->expiry,
                         .nonce = g_strdup(e->nonce),
                         .session = g_strdup(e->session)};
    g_array_append_val(to, c);
}

/* One API URL's entries. done gets what needs no more work (revoked, gone, queued, or a mint that
 * created nothing); still gets what is neither (failed and not queued, or a mint still under way). */
static void revoke_batch(const lt_config *cfg, const char *url, GArray *batch, const char *why,
                         const lt_revoke_options *o, int queue_failures, GArray *out, GArray *done, GArray *still)
{
    lt_error e;
    lt_client *c = parent_client(cfg, url, o, &e);
    g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
    g_autoptr(GArray) owner = g_array_new(FALSE, FALSE, sizeof(guint)); /* ids[k] came from batch[owner[k]] */
    g_autoptr(GArray) failed = g_array_new(FALSE, TRUE, sizeof(lt_ledger_entry));
    g_array_set_clear_func(failed, (GDestroyNotify)lt_ledger_entry_clear);
    const int64_t now = g_get_real_time() / G_USEC_PER_SEC;
    for (guint i = 0; i < batch->len; i++) {
        lt_ledger_entry *x = &g_array_index(batch, lt_ledger_entry, i);
        if (x->id) {
            g_array_append_val(ids, x->id);
            g_array_append_val(owner, i);
            continue;
        }
        /* a mint whose answer never came: did it create a token? */
        g_autoptr(GArray) found = g_array_new(FALSE, FALSE, sizeof(int64_t));
        lt_error le = e;
        if (!c || find_by_label(c, x->label, found, &le) != LT_OK) {
            append_entry(failed, x);
            outcome(out, x, 0, &le, 0, "its label could not be looked up");
            continue;
        }
        for (guint k = 0; k < found->len; k++) {
            g_array_append_val(ids, g_array_index(found, int64_t, k));
            g_array_append_val(owner, i);
        }
        if (!found->len) {
            if (x->expiry && x->expiry > now) { /* its POST may still be under way: ask again later */
                append_entry(still, x);
                outcome(out, x, 0, NULL, 0, "the mint is still under way");
            } else {
                append_entry(done, x);
                outcome(out, x, 0, NULL, 0, "the mint created no token");
                lt_audit("resolve", 0, x->label, x->session, "nothing-created", why);
            }
        } else {
            append_entry(done, x); /* the intent ends here: what it created is revoked or queued below */
        }
    }
    lt_error *res = g_new0(lt_error, ids->len ? ids->len : 1);
    if (c && ids->len)
        lt_client_revoke_many(c, (int64_t *)(void *)ids->data, ids->len,
                              o->max_parallel > 0 ? o->max_parallel : LT_DEFAULT_PARALLEL, o->deadline_ms, res);
    else
        for (guint k = 0; k < ids->len; k++)
            res[k] = e;
    lt_client_free(c);
    g_autoptr(GArray) gone = g_array_new(FALSE, FALSE, sizeof(int64_t));
    for (guint k = 0; k < ids->len; k++) {
        lt_ledger_entry *x = &g_array_index(batch, lt_ledger_entry, g_array_index(owner, guint, k));
        lt_ledger_entry tok = *x;
        tok.id = g_array_index(ids, int64_t, k);
        if (res[k].kind == LT_OK) {
            g_array_append_val(gone, tok.id);
            outcome(out, &tok, tok.id, NULL, 0, why);
            lt_audit("revoke", tok.id, tok.label, tok.session, "revoked", why);
            if (x->id)
                append_entry(done, x);
        } else {
            lt_ledger_entry q = {.id = tok.id, .label = tok.label, .api_url = tok.api_url, .session = tok.session};
            append_entry(failed, &q); /* queued, then done; or still owed, below */
            outcome(out, &tok, tok.id, &res[k], 0, why);
        }
    }
    g_free(res);
    lt_cache_drop_ids(lt_cache_choose(cfg), (int64_t *)(void *)gone->data, gone->len, NULL);
    /* failures: to the queue (then done here), or back to the caller */
    lt_error qe = {0};
    int queued = queue_failures && failed->len && lt_queue_add(failed, &qe) == LT_OK;
    for (guint i = 0; i < failed->len; i++) {
        lt_ledger_entry *f = &g_array_index(failed, lt_ledger_entry, i);
        for (guint k = 0; k < out->len; k++) { /* mark the outcomes of what was queued */
            lt_outcome *r = &g_array_index(out, lt_outcome, k);
            if (r->error.kind != LT_OK && r->id == f->id && !strcmp(r->label, f->label ? f->label : ""))
                r->queued = queued;
        }
        lt_audit(queued ? "queue" : "revoke", f->id, f->label, f->session, queued ? "queued" : "failed", why);
        append_entry(queued ? done : still, f);
    }
}

void lt_revoke_entries(const lt_config *cfg, GArray *entries, const char *why, const lt_revoke_options *o,
                       int queue_failures, GArray *out, GArray *still)
{
    static const lt_revoke_options dflt = {0};
    if (!o)
        o = &dflt;
    g_autoptr(GArray) done = g_array_new(FALSE, TRUE, sizeof(lt_ledger_entry));
    g_array_set_clear_func(done, (GDestroyNotify)lt_ledger_entry_clear);
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < entries->len; i++) {
        const char *url = g_array_index(entries, lt_ledger_entry, i).api_url;
        if (g_hash_table_contains(seen, url))
            continue;
        g_hash_table_add(seen, (gpointer)url);
        g_autoptr(GArray) batch = g_array_new(FALSE, TRUE, sizeof(lt_ledger_entry));
        for (guint j = i; j < entries->len; j++) /* shallow: the caller's entries own the strings */
            if (!strcmp(g_array_index(entries, lt_ledger_entry, j).api_url, url))
                g_array_append_val(batch, g_array_index(entries, lt_ledger_entry, j));
        revoke_batch(cfg, url, batch, why, o, queue_failures, out, done, still);
    }
    /* what is done leaves its session's ledger, in the same step */
    g_autoptr(GHashTable) sessions = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < done->len; i++) {
        const char *s = g_array_index(done, lt_ledger_entry, i).session;
        if (!s || g_hash_table_contains(sessions, s))
            continue;
        g_hash_table_add(sessions, (gpointer)s);
        g_autoptr(GArray) mine = g_array_new(FALSE, TRUE, sizeof(lt_ledger_entry));
        for (guint k = 0; k < done->len; k++) { /* shallow */
            lt_ledger_entry *d = &g_array_index(done, lt_ledger_entry, k);
            if (d->session && !strcmp(d->session, s))
                g_array_append_val(mine, *d);
        }
        lt_ledger_remove_entries(s, mine);
    }
}

lt_error_kind lt_revoke_queued_into(const lt_config *cfg, const lt_revoke_options *o, GArray *revoked, size_t *left)
{
    *left = 0;
    int lock;
    g_autoptr(GArray) owed = lt_queue_take(&lock);
    if (!owed)
        return LT_OK;
    g_autoptr(GArray) out = g_array_new(FALSE, TRUE, sizeof(lt_outcome));
    g_array_set_clear_func(out, (GDestroyNotify)lt_outcome_clear);
    g_autoptr(GArray) still = g_array_new(FALSE, TRUE, sizeof(lt_ledger_entry));
    g_array_set_clear_func(still, (GDestroyNotify)lt_ledger_entry_clear);
    lt_revoke_entries(cfg, owed, "drain", o, 0, out, still);
    for (guint i = 0; i < out->len; i++) {
        lt_outcome *r = &g_array_index(out, lt_outcome, i);
        if (r->error.kind == LT_OK && r->id && revoked) { /* moved over */
            g_array_append_val(revoked, *r);
            memset(r, 0, sizeof *r);
        }
    }
    *left = still->len;
    return lt_queue_put_back(lock, still, NULL);
}

void lt_revoke_queued(const lt_config *cfg, const lt_revoke_options *o, size_t *revoked, size_t *left)
{
    g_autoptr(GArray) done = g_array_new(FALSE, TRUE, sizeof(lt_outcome));
    g_array_set_clear_func(done, (GDestroyNotify)lt_outcome_clear);
    lt_revoke_queued_into(cfg, o, done, left);
    *revoked = done->len;
}

typedef struct {
    int64_t id;
    const char *api_url, *label;
    lt_error *err;
} one_queued;

static int queue_one(void *ud)
{
    one_queued *u = ud;
    g_autoptr(GArray) q = g_array_new(FALSE, TRUE, sizeof(lt_ledger_entry));
    lt_ledger_entry p = {.id = u->id, .api_url = (char *)u->api_url, .label = (char *)u->label};
    g_array_append_val(q, p); /* shallow */
    return lt_queue_add(q, u->err) == LT_OK;
}

lt_revoke_result lt_revoke_token_or_queue(lt_client *c, int64_t id, const char *api_url, const char *label, int *queued,
                                          lt_error *err, lt_error *qerr)
{
    one_queued u = {.id = id, .api_url = api_url, .label = label, .err = qerr};
    return lt_revoke_or_queue(c, id, label, 0, queue_one, &u, queued, err);
}

void lt_revoke_undo(lt_client *c, int64_t id, const char *api_url, const char *label, const char *session,
                    char how[LT_UNDO_MSG])
{
    lt_error e, qe = {0};
    int queued;
    if (lt_revoke_token_or_queue(c, id, api_url, label, &queued, &e, &qe) == LT_REVOKE_GONE) {
        snprintf(how, LT_UNDO_MSG, "was revoked again");
        lt_audit("revoke", id, label, session, "revoked", "rollback");
    } else if (queued) {
        snprintf(how, LT_UNDO_MSG, "could not be revoked (%.100s): queued for revocation", e.message);
        lt_audit("queue", id, label, session, "queued", "rollback");
    } else {
        snprintf(how, LT_UNDO_MSG, "could not be revoked (%.100s) nor queued (%.80s): revoke it by hand", e.message,
                 qe.message);
        lt_audit("revoke", id, label, session, "failed", "rollback");
    }
}

lt_error_kind lt_revoke_by_hand(const lt_config *cfg, lt_client *c, int64_t id, const char *label, lt_error *err)
{
    lt_error_kind rc = lt_client_revoke_token(c, id, err);
    if (rc != LT_OK)
        return rc;
    lt_audit("revoke", id, label, NULL, "revoked", "linode-token revoke");
    /* a token minted here may be cached and recorded in a session's ledger: not any more */
    lt_cache_drop_ids(lt_cache_choose(cfg), &id, 1, NULL);
    lt_ledger_drop_ids(&id, 1);
    return LT_OK;
}
