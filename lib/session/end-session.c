/* SPDX-License-Identifier: MIT */
/* end-session.c - every minted token dies with its session: end-session hands a session's ledger
 * to revoke.c (the queue first), and logout ends every session of this user for one API URL. */
#include "session-layer.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

void lt_session_end(const lt_config *cfg, const char *session, const lt_revoke_options *o, GArray *out)
{
    size_t left;
    lt_revoke_queued_into(cfg, o, out, &left); /* what earlier runs owe goes first, and is counted */
    g_autoptr(GArray) entries = lt_ledger_load(session);
    g_autoptr(GArray) still = g_array_new(FALSE, TRUE, sizeof(lt_ledger_entry));
    g_array_set_clear_func(still, (GDestroyNotify)lt_ledger_entry_clear);
    lt_revoke_entries(cfg, entries, "end-session", o, 1, out, still);
    /* The session is over: none of its cached tokens may be handed out again, not even one
     * whose revocation is only queued. */
    lt_cache_drop_session(lt_cache_choose(cfg), session, NULL);
}

void lt_session_end_parent(const lt_config *cfg, const lt_revoke_options *o, GArray *out, GArray *still)
{
    size_t left;
    lt_revoke_queued_into(cfg, o, out, &left);
    g_autoptr(GArray) mine = g_array_new(FALSE, TRUE, sizeof(lt_ledger_entry));
    g_array_set_clear_func(mine, (GDestroyNotify)lt_ledger_entry_clear);
    g_autoptr(GPtrArray) sessions = lt_ledger_sessions();
    for (guint i = 0; i < sessions->len; i++) {
        g_autoptr(GArray) led = lt_ledger_load(sessions->pdata[i]);
        for (guint k = 0; k < led->len; k++) {
            lt_ledger_entry *e = &g_array_index(led, lt_ledger_entry, k);
            if (e->api_url && !strcmp(e->api_url, cfg->api_url)) { /* moved over */
                g_array_append_val(mine, *e);
                memset(e, 0, sizeof *e);
            }
        }
    }
    lt_revoke_entries(cfg, mine, "logout", o, 0, out, still);
    /* the cache entries of the sessions whose tokens went */
    for (guint i = 0; i < sessions->len; i++) {
        int ended = 1;
        for (guint k = 0; k < still->len && ended; k++)
            ended = g_strcmp0(g_array_index(still, lt_ledger_entry, k).session, sessions->pdata[i]) != 0;
        if (ended)
            lt_cache_drop_session(lt_cache_choose(cfg), sessions->pdata[i], NULL);
    }
    if (!left)
        return;
    int lock; /* what the queue still owes for this URL cannot be revoked without the parent either */
    g_autoptr(GArray) owed = lt_queue_take(&lock);
    for (guint i = 0; owed && i < owed->len; i++) {
        lt_ledger_entry *e = &g_array_index(owed, lt_ledger_entry, i);
        if (e->api_url && !strcmp(e->api_url, cfg->api_url)) {
            lt_ledger_entry c = {.id = e->id, .label = g_strdup(e->label), .api_url = g_strdup(e->api_url)};
            g_array_append_val(still, c);
        }
    }
    if (owed)
        lt_queue_put_back(lock, owed, NULL);
}
