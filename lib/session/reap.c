/* SPDX-License-Identifier: MIT */
/* reap.c - reap finds our orphans by label, explaining each decision. A token is reaped only
 * when it is known to be orphaned: a ledger of this user on this machine records it and its
 * session has ended (a derived session whose process or logind session is gone). Unknown means
 * keep: a token no ledger here records may be a running job's elsewhere. A chosen session
 * (--session, LINODE_TOKEN_SESSION) ends only by end-session, and PAM's tokens are root's to reap
 * (reap-system.c). Revocation itself is revoke.c's. */
#include "session-layer.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static void spare(GArray *out, const lt_token *t, const char *session, const char *reason)
{
    lt_outcome r = {.id = t->id,
                    .label = g_strdup(t->label),
                    .session = g_strdup(session),
                    .spared = 1,
                    .reason = g_strdup(reason)};
    g_array_append_val(out, r);
}

/* Is one of our tokens known to be orphaned? NULL when it is (*reason says how it is known), else
 * why it is kept. Only a token that a ledger here records can be judged: its session id was made on
 * this machine, so its process (or logind session) being gone here means it has ended. A token no
 * ledger here records is unknown, and unknown means keep: its job may keep its ledger under another
 * $TMPDIR, or run on another host (a container) of the same host name, whose pids mean nothing here. */
const char *lt_reap_verdict(const lt_token *t, const lt_label *lab, GHashTable *ids, GHashTable *labels,
                            const char **reason)
{
    const int listed = g_hash_table_contains(ids, &t->id) || g_hash_table_contains(labels, t->label);
    if (!listed)
        return "unknown, so kept: no ledger of this user on this machine records it (its job may keep its "
               "ledger under another TMPDIR, or run on another host of the same name)";
    switch (lt_session_alive(lab->session)) {
    case 1:
        return "its session is running";
    case 0:
        *reason = "known orphaned: its ledger is here and its session has ended";
        return NULL;
    default:
        return lab->session[0] == '~' ? "its session cannot be checked; its ledger records it"
                                      : "a chosen session: it ends with end-session only";
    }
}

lt_error_kind lt_reap(const lt_config *cfg, int dry_run, const lt_revoke_options *o, GArray *out, lt_error *err)
{
    if (!dry_run) {
        size_t drained, left;
        lt_revoke_queued(cfg, o, &drained, &left);
    }
    char *parent = NULL;
    lt_error_kind rc = lt_parent_get(cfg, NULL, &parent, err);
    if (rc != LT_OK)
        return rc;
    lt_client *c = NULL;
    rc = lt_config_client(cfg, NULL, parent, o ? o->debug : 0, o ? o->deadline_ms : 0, &c, err);
    lt_secret_free(parent);
    if (rc != LT_OK)
        return rc;
    lt_token_list l;
    rc = lt_client_list_tokens(c, NULL, &l, err);
    lt_client_free(c);
    if (rc != LT_OK)
        return rc;
    /* our host and user, derived as the label format derives them */
    char host[LT_LABEL_HOST_MAX + 1], user[LT_LABEL_USER_MAX + 1];
    lt_label_field(g_get_host_name(), LT_LABEL_HOST_MAX, host);
    lt_label_field(g_get_user_name(), LT_LABEL_USER_MAX, user);
    /* every ledger of this user, in every state dir */
    g_autoptr(GHashTable) ids = g_hash_table_new(g_int64_hash, g_int64_equal);
    g_autoptr(GHashTable) labels = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GPtrArray) sessions = lt_ledger_sessions();
    g_autoptr(GPtrArray) ledgers = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
    for (guint i = 0; i < sessions->len; i++) {
        GArray *led = lt_ledger_load(sessions->pdata[i]);
        g_ptr_array_add(ledgers, led);
        for (guint k = 0; k < led->len; k++) {
            lt_ledger_entry *e = &g_array_index(led, lt_ledger_entry, k);
            if (e->id)
                g_hash_table_add(ids, &e->id);
            else
                g_hash_table_add(labels, e->label);
        }
    }
    g_autoptr(GArray) orphans = g_array_new(FALSE, TRUE, sizeof(lt_ledger_entry));
    g_array_set_clear_func(orphans, (GDestroyNotify)lt_ledger_entry_clear);
    g_autoptr(GArray) why = g_array_new(FALSE, FALSE, sizeof(const char *));
    for (size_t i = 0; i < l.count; i++) {
        const lt_token *t = &l.items[i];
        lt_label lab;
        if (!lt_label_parse(t->label, &lab) || strcmp(lab.host, host) || strcmp(lab.user, user))
            continue; /* not ours: another format, host or user */
        if (!strcmp(lab.profile, "pam")) {
            spare(out, t, lab.session, "a PAM session's token: root's to reap (reap --system)");
            continue;
        }
        const char *reason = NULL;
        const char *keep = lt_reap_verdict(t, &lab, ids, labels, &reason);
        if (keep) {
            spare(out, t, lab.session, keep);
            continue;
        }
        lt_ledger_entry e = {.id = t->id,
                             .label = g_strdup(t->label),
                             .api_url = g_strdup(cfg->api_url),
                             .expiry = t->expiry,
                             .session = g_strdup(lab.session)};
        g_array_append_val(orphans, e);
        g_array_append_val(why, reason);
    }
    lt_token_list_clear(&l);
    /* what an ended session still records (mints whose answer never came, tokens already gone) */
    for (guint i = 0; i < sessions->len; i++) {
        if (lt_session_alive(sessions->pdata[i]) != 0)
            continue;
        GArray *led = ledgers->pdata[i];
        for (guint k = 0; k < led->len; k++) {
            lt_ledger_entry *e = &g_array_index(led, lt_ledger_entry, k);
            int have = 0;
            for (guint j = 0; j < orphans->len && !have; j++)
                have = e->id && g_array_index(orphans, lt_ledger_entry, j).id == e->id;
            if (have)
                continue;
            lt_ledger_entry copy = {.id = e->id,
                                    .label = g_strdup(e->label),
                                    .api_url = g_strdup(e->api_url),
                                    .expiry = e->id ? e->expiry : 0,
                                    .nonce = g_strdup(e->nonce),
                                    .session = g_strdup(e->session)};
            const char *r = e->id ? "its session has ended" : "its session ended during the mint";
            g_array_append_val(orphans, copy);
            g_array_append_val(why, r);
        }
    }
    if (dry_run) {
        for (guint k = 0; k < orphans->len; k++) {
            lt_ledger_entry *e = &g_array_index(orphans, lt_ledger_entry, k);
            lt_outcome r = {.id = e->id,
                            .label = g_strdup(e->label),
                            .api_url = g_strdup(e->api_url),
                            .session = g_strdup(e->session),
                            .reason = g_strdup(g_array_index(why, const char *, k))};
            g_array_append_val(out, r);
        }
        return LT_OK;
    }
    g_autoptr(GArray) still = g_array_new(FALSE, TRUE, sizeof(lt_ledger_entry));
    g_array_set_clear_func(still, (GDestroyNotify)lt_ledger_entry_clear);
    lt_revoke_entries(cfg, orphans, "reap", o, 1, out, still);
    return LT_OK;
}
