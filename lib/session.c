/* session.c - every minted token dies with its session: end-session revokes a session's tokens
 * in parallel, reap finds our orphans by label, and whatever cannot be revoked now is queued. */
#include "upper.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

void lt_revoke_ids(const lt_config *cfg, const char *api_url, const int64_t *ids, size_t n,
                   const lt_revoke_options *o, lt_error *results)
{
    static const lt_revoke_options dflt = {0};
    if (!o)
        o = &dflt;
    char *parent = NULL;
    lt_error e;
    lt_client *c = NULL;
    if (lt_parent_get(cfg, api_url, &parent, &e) == LT_OK) {
        c = lt_config_client(cfg, api_url, parent, o->debug, o->deadline_ms, &e);
    }
    lt_secret_free(parent);
    if (!c) {
        for (size_t i = 0; i < n; i++)
            results[i] = e;
        return;
    }
    lt_client_revoke_many(c, ids, n, o->max_parallel > 0 ? o->max_parallel : LT_DEFAULT_PARALLEL, o->deadline_ms,
                          results);
    lt_client_free(c);
    int64_t *gone = g_new(int64_t, n);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (results[i].kind == LT_OK)
            gone[k++] = ids[i];
    lt_cache_drop_ids(lt_cache_choose(cfg), gone, k, NULL);
    g_free(gone);
}

/* Revoke a set of ledger entries (any API URLs); queue what failed; report each in out. */
static void revoke_entries(const lt_config *cfg, GArray *entries, const lt_revoke_options *o, GArray *out)
{
    g_autoptr(GHashTable) done = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (guint i = 0; i < entries->len; i++) {
        const char *url = g_array_index(entries, lt_ledger_entry, i).api_url;
        if (g_hash_table_contains(done, GUINT_TO_POINTER(i)))
            continue;
        g_autoptr(GArray) idx = g_array_new(FALSE, FALSE, sizeof(guint));
        g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
        for (guint j = i; j < entries->len; j++) {
            lt_ledger_entry *e = &g_array_index(entries, lt_ledger_entry, j);
            if (!g_hash_table_contains(done, GUINT_TO_POINTER(j)) && !strcmp(e->api_url, url)) {
                g_array_append_val(idx, j);
                g_array_append_val(ids, e->id);
                g_hash_table_add(done, GUINT_TO_POINTER(j));
            }
        }
        lt_error *res = g_new0(lt_error, ids->len);
        lt_revoke_ids(cfg, url, (int64_t *)(void *)ids->data, ids->len, o, res);
        for (guint k = 0; k < ids->len; k++) {
            lt_ledger_entry *e = &g_array_index(entries, lt_ledger_entry, g_array_index(idx, guint, k));
            lt_outcome r = {.id = e->id, .label = g_strdup(e->label ? e->label : ""), .api_url = g_strdup(e->api_url)};
            if (res[k].kind != LT_OK) {
                lt_pending p = {e->id, e->api_url};
                lt_error qerr;
                r.queued = lt_queue_add(&p, 1, &qerr) == LT_OK;
                r.error = res[k];
            }
            g_array_append_val(out, r);
        }
        g_free(res);
    }
}

lt_error_kind lt_session_end(const lt_config *cfg, const char *session, const lt_revoke_options *o, GArray *out,
                             lt_error *err)
{
    (void)err;
    size_t drained, left;
    lt_queue_drain(cfg, o, &drained, &left, NULL); /* what earlier runs owe goes first */
    g_autoptr(GArray) entries = lt_ledger_take(session);
    revoke_entries(cfg, entries, o, out);
    return LT_OK;
}

lt_error_kind lt_reap(const lt_config *cfg, int dry_run, const lt_revoke_options *o, GArray *out, lt_error *err)
{
    if (!dry_run) {
        size_t drained, left;
        lt_queue_drain(cfg, o, &drained, &left, NULL);
    }
    char *parent = NULL;
    lt_error_kind rc = lt_parent_get(cfg, NULL, &parent, err);
    if (rc != LT_OK)
        return rc;
    lt_client *c = lt_config_client(cfg, NULL, parent, o ? o->debug : 0, o ? o->deadline_ms : 0, err);
    lt_secret_free(parent);
    if (!c)
        return err ? err->kind : LT_ERR_SYSTEM;
    lt_token_list l;
    rc = lt_client_list_tokens(c, NULL, &l, err);
    lt_client_free(c);
    if (rc != LT_OK)
        return rc;
    /* our host and user, as the label format writes them */
    char mine[LT_LABEL_MAX + 1];
    lt_label me;
    lt_label_format(g_get_host_name(), g_get_user_name(), "p", "s", mine);
    lt_label_parse(mine, &me);
    g_autoptr(GHashTable) ledgers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_array_unref);
    g_autoptr(GArray) orphans = g_array_new(FALSE, TRUE, sizeof(lt_ledger_entry));
    g_array_set_clear_func(orphans, (GDestroyNotify)lt_ledger_entry_clear);
    g_autoptr(GPtrArray) dead = g_ptr_array_new_with_free_func(g_free);
    for (size_t i = 0; i < l.count; i++) {
        lt_label lab;
        if (!lt_label_parse(l.items[i].label, &lab) || strcmp(lab.host, me.host) || strcmp(lab.user, me.user))
            continue; /* not ours: another format, host or user */
        GArray *led = g_hash_table_lookup(ledgers, lab.session);
        if (!led) {
            led = lt_ledger_load(lab.session);
            g_hash_table_insert(ledgers, g_strdup(lab.session), led);
        }
        int listed = 0;
        for (guint k = 0; k < led->len; k++)
            listed |= g_array_index(led, lt_ledger_entry, k).id == l.items[i].id;
        int alive = lt_session_alive(lab.session);
        if (listed && alive != 0)
            continue; /* its session is (or may be) still running */
        if (alive == 0 && lt_ledger_exists(lab.session) && !g_ptr_array_find_with_equal_func(dead, lab.session, g_str_equal, NULL))
            g_ptr_array_add(dead, g_strdup(lab.session));
        lt_ledger_entry e = {.id = l.items[i].id, .label = g_strdup(l.items[i].label), .api_url = g_strdup(cfg->api_url),
                             .expiry = l.items[i].expiry};
        g_array_append_val(orphans, e);
    }
    lt_token_list_clear(&l);
    if (dry_run) {
        for (guint k = 0; k < orphans->len; k++) {
            lt_ledger_entry *e = &g_array_index(orphans, lt_ledger_entry, k);
            lt_outcome r = {.id = e->id, .label = g_strdup(e->label), .api_url = g_strdup(e->api_url)};
            g_array_append_val(out, r);
        }
        return LT_OK;
    }
    revoke_entries(cfg, orphans, o, out);
    for (guint k = 0; k < dead->len; k++) { /* a dead session's record goes with its tokens */
        g_array_unref(lt_ledger_take(dead->pdata[k]));
    }
    return LT_OK;
}

void lt_outcome_clear(lt_outcome *r)
{
    g_free(r->label);
    g_free(r->api_url);
    memset(r, 0, sizeof *r);
}

/* PAM's records: revoke the token of every session whose opening process is gone, and every
 * queued one. A record leaves only when the API confirms; a failure moves it to queue_dir. */
lt_error_kind lt_reap_system(const lt_config *cfg, const char *state_dir, const char *queue_dir, int dry_run,
                             const lt_revoke_options *o, GArray *out, lt_error *err)
{
    (void)err;
    const char *dirs[2] = {state_dir, queue_dir};
    g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GArray) recs = g_array_new(FALSE, TRUE, sizeof(lt_record));
    for (int k = 0; k < 2; k++) {
        g_autoptr(GDir) d = g_dir_open(dirs[k], 0, NULL);
        const char *name;
        while (d && (name = g_dir_read_name(d))) {
            if (name[0] == '.')
                continue;
            g_autofree char *path = g_build_filename(dirs[k], name, NULL);
            lt_record r;
            if (lt_record_read(path, &r, NULL) != LT_OK)
                continue;
            if (k == 0 && lt_record_process_alive(&r))
                continue; /* the session may still be open */
            g_ptr_array_add(paths, g_steal_pointer(&path));
            g_array_append_val(recs, r);
        }
    }
    for (guint i = 0; i < recs->len; i++) {
        lt_record *r = &g_array_index(recs, lt_record, i);
        lt_outcome res = {.id = r->id, .label = g_strdup(r->label), .api_url = g_strdup(r->api_url)};
        if (!dry_run) {
            lt_revoke_ids(cfg, r->api_url, &r->id, 1, o, &res.error);
            const char *path = paths->pdata[i];
            if (res.error.kind == LT_OK) {
                unlink(path);
                struct stat st; /* the user's file, as the module made it: nothing else */
                if (r->token_file[0] && lstat(r->token_file, &st) == 0 && S_ISREG(st.st_mode) &&
                    (long)st.st_uid == r->uid)
                    unlink(r->token_file);
            } else if (!g_str_has_prefix(path, queue_dir)) {
                g_autofree char *q = g_build_filename(queue_dir, r->session, NULL);
                res.queued = g_mkdir_with_parents(queue_dir, 0700) == 0 && rename(path, q) == 0;
            } else {
                res.queued = 1;
            }
        }
        g_array_append_val(out, res);
    }
    return LT_OK;
}
