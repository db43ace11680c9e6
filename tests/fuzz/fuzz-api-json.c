/* SPDX-License-Identifier: MIT */
/* fuzz-api-json.c - the API's JSON: token objects, list pages and error bodies. Properties: a
 * decoded token has an id and a label; an error message is one printable line. */
#include "fuzz.h"
#include "internal.h"

static void check_message(const lt_error *e)
{
    for (const char *p = e->message; *p; p++)
        FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f, "error messages hold no control characters");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lt_error e;
    json_t *v = lt_json_parse_body((const char *)data, size, &e);
    if (!v) {
        FUZZ_CHECK(e.kind == LT_ERR_BAD_RESPONSE, "malformed JSON is a bad response");
        check_message(&e);
    } else {
        lt_token t;
        if (lt_token_from_json(v, 1700000000, &t, &e) == LT_OK) {
            FUZZ_CHECK(t.id > 0 && t.label && t.json, "a decoded token has an id, a label and its JSON");
            lt_token_clear(&t);
        } else {
            check_message(&e);
        }
        json_t *items = json_object_get(v, "data");
        for (size_t i = 0; i < json_array_size(items); i++)
            if (lt_token_from_json(json_array_get(items, i), 1700000000, &t, &e) == LT_OK)
                lt_token_clear(&t);
        json_decref(v);
    }
    /* the same bytes as an error response */
    lt_http_response r = {.status = 400};
    r.body = malloc(size + 1);
    memcpy(r.body, data, size);
    r.body[size] = '\0';
    r.len = size;
    lt_api_error_from_response(&r, &e);
    FUZZ_CHECK(e.kind != LT_OK, "an error response is an error");
    check_message(&e);
    lt_http_response_clear(&r);
    return 0;
}
