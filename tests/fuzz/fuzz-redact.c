/* SPDX-License-Identifier: MIT */
/* fuzz-redact.c - the debug trace's body filter. Properties: what it shows parses, and every
 * "token" member in it is "<redacted>"; a secret-looking token value never appears in it. */
#include "fuzz.h"
#include "internal.h"

static void all_redacted(json_t *v, int depth)
{
    if (depth > 200)
        return;
    if (json_is_object(v)) {
        const char *k;
        json_t *m;
        json_object_foreach(v, k, m)
        {
            if (!strcmp(k, "token"))
                FUZZ_CHECK(json_is_string(m) && !strcmp(json_string_value(m), "<redacted>"), "token redacted");
            else
                all_redacted(m, depth + 1);
        }
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            all_redacted(json_array_get(v, i), depth + 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *shown = lt_redact_json((const char *)data, size);
    if (!shown)
        return 0;
    for (const char *p = shown; *p; p++)
        FUZZ_CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f, "plain printable ASCII");
    json_t *v = json_loads(shown, JSON_DECODE_ANY, NULL);
    FUZZ_CHECK(v, "what is shown is JSON");
    all_redacted(v, 0);
    json_decref(v);
    /* A secret planted in a "token" member of an object input never shows (unless the input
     * itself holds that text elsewhere). */
    json_t *in = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
    if (json_is_object(in) && !memmem(data, size, "S3cr3t", 6)) {
        json_object_set_new(in, "token", json_string("S3cr3tS3cr3tS3cr3tS3cr3t"));
        char *text = json_dumps(in, JSON_COMPACT);
        char *out = text ? lt_redact_json(text, strlen(text)) : NULL;
        FUZZ_CHECK(!out || !strstr(out, "S3cr3t"), "a planted token never shows");
        free(out);
        free(text);
    }
    json_decref(in);
    free(shown);
    return 0;
}
