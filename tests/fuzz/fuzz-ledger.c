/* SPDX-License-Identifier: MIT */
/* fuzz-ledger.c - a session's ledger file. Properties: what parses formats to a file that parses
 * to the same entries (ids, intents' nonces and labels, API URLs, expiries). */
#include "fuzz.h"
#include "session-layer.h"

static int same(GArray *a, GArray *b)
{
    if (a->len != b->len)
        return 0;
    for (guint i = 0; i < a->len; i++) {
        lt_ledger_entry *x = &g_array_index(a, lt_ledger_entry, i), *y = &g_array_index(b, lt_ledger_entry, i);
        if (x->id != y->id || x->expiry != y->expiry || g_strcmp0(x->api_url, y->api_url) ||
            g_strcmp0(x->nonce, y->nonce) || (x->id == 0 && g_strcmp0(x->label, y->label)))
            return 0;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GArray) a = lt_ledger_parse((const char *)data, size, "fuzz");
    for (guint i = 0; i < a->len; i++) {
        lt_ledger_entry *e = &g_array_index(a, lt_ledger_entry, i);
        FUZZ_CHECK(e->api_url && (e->id > 0 || (e->id == 0 && e->nonce && e->label)), "entries are whole");
    }
    size_t len;
    g_autofree char *text = lt_ledger_format(a, "fuzz", &len);
    g_autoptr(GArray) b = lt_ledger_parse(text, len, "fuzz");
    FUZZ_CHECK(same(a, b), "format then parse gives the same entries");
    return 0;
}
