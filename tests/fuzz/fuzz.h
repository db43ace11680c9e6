/* SPDX-License-Identifier: MIT */
/* fuzz.h - what every fuzz target shares: libFuzzer's entry point and a property check that
 * aborts (so that libFuzzer, or the replay under ASan, reports the input). */
#ifndef LT_FUZZ_H
#define LT_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, what)                                                                 \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "fuzz property violated: %s (%s:%d)\n", what, __FILE__, __LINE__); \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

/* A NUL-terminated copy of the input (malloc). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    for (size_t i = 0; i < size; i++)
        s[i] = (char)data[i];
    s[size] = '\0';
    return s;
}

static inline char *fuzz_dir_buf(void)
{
    static char dir[512];
    return dir;
}
static inline void fuzz_dir_remove(void)
{
    rmdir(fuzz_dir_buf());
}

/* This process's scratch directory, $TMPDIR/lt-fuzz-NAME.XXXXXX (else under /tmp), removed at
 * exit (a target removes what it puts there): a test run writes nothing outside its TMPDIR. */
static inline const char *fuzz_scratch_dir(const char *name)
{
    char *dir = fuzz_dir_buf();
    if (!dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(dir, 512, "%s/lt-fuzz-%s.XXXXXX", t && t[0] == '/' ? t : "/tmp", name);
        FUZZ_CHECK(mkdtemp(dir), "scratch dir");
        atexit(fuzz_dir_remove);
    }
    return dir;
}
#endif
