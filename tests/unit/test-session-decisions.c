/* SPDX-License-Identifier: MIT */
/* test-session-decisions.c - the session layer's pure decisions, without a bus or a fake: which
 * cached tokens a profile takes (lt_cache_window), the configured cache backend, how a ledger's
 * text is read and its intents settled (lt_ledger_parse), and reap's verdict on one token. */
#include "session-layer.h"
#include "tap.h"

#include <stdio.h>
#include <unistd.h>

static void cache_window(void)
{
    lt_mint_profile p = {.ttl = 3600, .min_remaining = 300};
    int64_t lo, hi;
    lt_cache_window(&p, 1000000, &lo, &hi);
    is_int(lo, 1000000 + 300, "a cached token needs min_remaining left");
    is_int(hi, 1000000 + 3600 + 60, "and lives no longer than the ttl asks (a minute of slack)");
    p.ttl = 600;
    lt_cache_window(&p, 0, &lo, &hi);
    ok(lo < hi, "a shorter ttl still leaves a window");
    is_int(hi, 660, "... ending at ttl + 60");

    lt_config cfg = {0};
    cfg.cache = (char *)"none";
    is_int(lt_cache_choose(&cfg), LT_CACHE_NONE, "cache = none: no cache");
    cfg.cache = (char *)"keyring";
    is_int(lt_cache_choose(&cfg), LT_CACHE_KEYRING, "cache = keyring: the kernel keyring, bus or not");
    is_str(lt_cache_backend_name(LT_CACHE_KEYRING), "keyring", "its name, as status and the config say it");
}

#define LABEL "lt2:h:u:p:~x1-2:0a1b2c3d"
#define INTENT "[intent 0a1b2c3d]\nlabel=" LABEL "\napi_url=http://127.0.0.1:1/v4\ndeadline=100\n\n"
#define TOKEN "[token 42]\nid=42\nlabel=" LABEL "\napi_url=http://127.0.0.1:1/v4\nnonce=0a1b2c3d\nexpiry=200\n"

static GArray *parse(const char *text)
{
    return lt_ledger_parse(text, strlen(text), "~x1-2");
}

static void ledger(void)
{
    g_autoptr(GArray) a = parse("[session]\nid=~x1-2\n\n" INTENT);
    is_int(a->len, 1, "an intent alone is one entry");
    if (a->len) {
        lt_ledger_entry *e = &g_array_index(a, lt_ledger_entry, 0);
        is_int(e->id, 0, "... an intent (id 0)");
        is_str(e->label, LABEL, "... its label, which finds the token");
        is_str(e->nonce, "0a1b2c3d", "... its nonce");
    }
    g_autoptr(GArray) b = parse("[session]\nid=~x1-2\n\n" INTENT TOKEN);
    is_int(b->len, 1, "the token's group settles its intent: one entry");
    if (b->len) {
        is_int(g_array_index(b, lt_ledger_entry, 0).id, 42, "... the token");
        is_int(g_array_index(b, lt_ledger_entry, 0).expiry, 200, "... with its expiry");
    }
    /* a last group whose time line has not landed is a write under way: not there yet */
    char cut[512];
    snprintf(cut, sizeof cut, "%s", "[session]\nid=~x1-2\n\n" INTENT TOKEN);
    cut[strlen(cut) - strlen("expiry=200\n")] = '\0';
    g_autoptr(GArray) c = parse(cut);
    is_int(c->len, 1, "a token group cut short does not settle the intent");
    if (c->len)
        is_int(g_array_index(c, lt_ledger_entry, 0).id, 0, "... the intent stays");
    g_autoptr(GArray) d = parse("[session]\nid=~x1-2\n\n" TOKEN "\n" TOKEN);
    is_int(d->len, 1, "a token written twice is one entry");
    size_t len;
    g_autofree char *text = lt_ledger_format(b, "~x1-2", &len);
    g_autoptr(GArray) e = lt_ledger_parse(text, len, "~x1-2");
    ok(e->len == 1 && g_array_index(e, lt_ledger_entry, 0).id == 42, "format, then parse: the same entry");
}

static void reap(void)
{
    g_autoptr(GHashTable) ids = g_hash_table_new(g_int64_hash, g_int64_equal);
    g_autoptr(GHashTable) labels = g_hash_table_new(g_str_hash, g_str_equal);
    char chosen[] = "lt2:h:u:p:build-42:00000000", gone[] = "lt2:h:u:p:~x999999999-1:00000000";
    lt_token t = {.id = 7, .label = chosen};
    lt_label lab;
    const char *reason = NULL;
    ok(lt_label_parse(t.label, &lab), "a label of ours");
    like(lt_reap_verdict(&t, &lab, ids, labels, &reason), "unknown, so kept", "no ledger records it: kept");
    g_hash_table_add(ids, &t.id);
    like(lt_reap_verdict(&t, &lab, ids, labels, &reason), "a chosen session", "a chosen session: end-session only");
    /* a derived session of a process that is gone: known orphaned */
    t.label = gone;
    ok(lt_label_parse(t.label, &lab), "a derived session's label");
    ok(lt_reap_verdict(&t, &lab, ids, labels, &reason) == NULL, "its process is gone: reaped");
    like(reason ? reason : "", "known orphaned", "... and the reason says how it is known");
    /* this process's own session is running */
    g_autofree char *self = lt_session_id_for_self();
    char label[LT_LABEL_MAX + 1];
    lt_label_format("h", "u", "p", self, "00000000", label);
    t.label = label;
    ok(lt_label_parse(t.label, &lab), "this process's session's label");
    like(lt_reap_verdict(&t, &lab, ids, labels, &reason), "running", "a running session: kept");
}

int main(void)
{
    cache_window();
    ledger();
    reap();
    return tap_done();
}
