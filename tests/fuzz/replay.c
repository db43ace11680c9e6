/* SPDX-License-Identifier: MIT */
/* replay.c - runs one fuzz target over its checked-in corpus (tests/fuzz/corpus/NAME/) without
 * libFuzzer, so that every `make check` (and its ASan/UBSan build) exercises it. TAP output. */
#include "fuzz.h"

#include <dirent.h>
#include <string.h>

#ifndef FUZZ_NAME
#error "build with -DFUZZ_NAME=\"target\""
#endif

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    const char *src = getenv("LT_SOURCE_DIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/%s", src ? src : ".", FUZZ_NAME);
    DIR *d = opendir(dir);
    if (!d) {
        printf("Bail out! no corpus at %s\n", dir);
        return 1;
    }
    char *names[4096];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < sizeof names / sizeof names[0])
        if (de->d_name[0] != '.')
            names[n++] = strdup(de->d_name);
    closedir(d);
    qsort(names, n, sizeof names[0], by_name);
    printf("1..%zu\n", n);
    for (size_t i = 0; i < n; i++) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "rb");
        static uint8_t buf[1 << 20];
        size_t len = f ? fread(buf, 1, sizeof buf, f) : 0;
        if (f)
            fclose(f);
        fflush(stdout);
        LLVMFuzzerTestOneInput(buf, len); /* a violated property aborts: the test dies */
        printf("%s %zu - %s: %s (%zu bytes)\n", f ? "ok" : "not ok", i + 1, FUZZ_NAME, names[i], len);
        free(names[i]);
    }
    return 0;
}
