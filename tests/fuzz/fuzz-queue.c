/* SPDX-License-Identifier: MIT */
/* fuzz-queue.c - the pending-revocations file. Properties: what parses formats to lines that parse
 * to the same entries; every entry names a token (an id) or a mint (a label of ours). */
#include "fuzz.h"
#include "session-layer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *s = fuzz_cstr(data, size);
    g_autoptr(GArray) a = lt_queue_parse(s);
    for (guint i = 0; i < a->len; i++) {
        lt_ledger_entry *e = &g_array_index(a, lt_ledger_entry, i);
        lt_label lab;
        FUZZ_CHECK(e->api_url && *e->api_url && (e->id > 0 || (e->label && lt_label_parse(e->label, &lab))),
                   "an entry is a token id or one of our labels");
    }
    g_autofree char *text = lt_queue_format(a);
    g_autoptr(GArray) b = lt_queue_parse(text);
    FUZZ_CHECK(a->len == b->len, "format then parse keeps every entry");
    for (guint i = 0; i < a->len && i < b->len; i++) {
        lt_ledger_entry *x = &g_array_index(a, lt_ledger_entry, i), *y = &g_array_index(b, lt_ledger_entry, i);
        FUZZ_CHECK(x->id == y->id && !strcmp(x->api_url, y->api_url) && !g_strcmp0(x->label, y->label),
                   "... unchanged");
    }
    return 0;
}
