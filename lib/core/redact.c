/* SPDX-License-Identifier: MIT */
/* redact.c - a JSON body as the debug trace may show it: parsed whole (never chunk by chunk, where
 * a "token" split across two reads would slip through), every "token" member's value replaced,
 * and printed back in plain ASCII. */
#include "internal.h"

/* 0 when v nests deeper than the walk goes: jansson takes up to 2048 levels, and a "token"
 * below the walk's bound would show, so such a body is not shown at all. */
static int redact(json_t *v, int depth)
{
    if (depth > 64)
        return 0;
    if (json_is_object(v)) {
        const char *k;
        json_t *m;
        json_object_foreach(v, k, m)
        {
            if (!strcmp(k, "token"))
                json_object_set_new(v, k, json_string("<redacted>"));
            else if (!redact(m, depth + 1))
                return 0;
        }
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            if (!redact(json_array_get(v, i), depth + 1))
                return 0;
    }
    return 1;
}

char *lt_redact_json(const char *body, size_t len)
{
    json_t *v = json_loadb(body, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
    if (!v)
        return NULL;
    if (!redact(v, 0)) {
        json_decref(v);
        return NULL;
    }
    char *out = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
    json_decref(v);
    /* ENSURE_ASCII leaves DEL (0x7f) raw: escape it too, so the trace is printable throughout. */
    size_t dels = 0;
    for (const char *p = out; p && *p; p++)
        dels += *p == 0x7f;
    if (dels) {
        char *esc = malloc(strlen(out) + 5 * dels + 1), *q = esc;
        for (const char *p = out; esc && *p; p++) {
            if (*p == 0x7f) {
                memcpy(q, "\\u007f", 6);
                q += 6;
            } else {
                *q++ = *p;
            }
        }
        if (esc)
            *q = '\0';
        explicit_bzero(out, strlen(out));
        free(out);
        out = esc;
    }
    return out;
}
