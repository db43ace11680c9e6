/* SPDX-License-Identifier: MIT */
/* fuzz-record.c - the PAM module's session records (root reads them in reap --system). Property:
 * a record that reads back is written again and reads back to the same fields. */
#include "fuzz.h"
#include "internal.h"

#include <unistd.h>

static void write_file(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    FUZZ_CHECK(f, "scratch file");
    fwrite(data, 1, size, f);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = fuzz_scratch_dir("record");
    char in[600], out[700];
    snprintf(in, sizeof in, "%s/input", dir);
    write_file(in, data, size);
    lt_record a, b;
    if (lt_record_read(in, &a, NULL) == LT_OK) {
        FUZZ_CHECK((a.id > 0 || (a.id == 0 && a.label[0])) && a.session[0] && a.api_url[0],
                   "a record has an id (or, before its mint answered, a label), a session and an API");
        if (!strchr(a.session, '/') && strcmp(a.session, ".") && strcmp(a.session, "..") &&
            strcmp(a.session, "input")) {
            FUZZ_CHECK(lt_record_write(dir, &a, NULL) == LT_OK, "a record that reads can be written");
            snprintf(out, sizeof out, "%s/%s", dir, a.session);
            FUZZ_CHECK(lt_record_read(out, &b, NULL) == LT_OK, "... and read back");
            FUZZ_CHECK(a.id == b.id && a.uid == b.uid && a.expiry == b.expiry && a.pid == b.pid &&
                           !strcmp(a.user, b.user) && !strcmp(a.label, b.label) && !strcmp(a.api_url, b.api_url),
                       "... to the same fields");
            unlink(out);
        }
    }
    unlink(in);
    return 0;
}
