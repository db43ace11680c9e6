/* SPDX-License-Identifier: MIT */
/* fuzz.h - what every fuzz target shares: libFuzzer's entry point and a property check that
 * aborts (so that libFuzzer, or the replay under ASan, reports the input). */
#ifndef LT_FUZZ_H
#define LT_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, what)                                                          \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, "fuzz property violated: %s (%s:%d)\n", what, __FILE__, __LINE__); \
            abort();                                                                    \
        }                                                                               \
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
#endif
