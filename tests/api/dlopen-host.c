/* SPDX-License-Identifier: MIT */
/* dlopen-host.c - a host that loads liblinode-token at run time, unloads it, and then uses jansson
 * itself (the library made jansson's free its own; the library must outlive dlclose for that).
 * Usage: dlopen-host LIBPATH   prints "freed" and exits 0, or crashes. */
#include <linode-token.h>

#include <dlfcn.h>
#include <jansson.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: dlopen-host LIBPATH\n");
        return 2;
    }
    json_t *before = json_pack("{s:s}", "made", "before the library");
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "dlopen-host: %s\n", dlerror());
        return 1;
    }
    lt_error_kind (*global_init)(lt_error *);
    *(void **)&global_init = dlsym(lib, "lt_global_init");
    lt_error err;
    if (!global_init || global_init(&err) != LT_OK) {
        fprintf(stderr, "dlopen-host: lt_global_init failed\n");
        return 1;
    }
    dlclose(lib);
    json_t *after = json_loads("{\"made\":\"after dlclose\"}", 0, NULL);
    json_decref(before);
    json_decref(after);
    printf("freed\n");
    return 0;
}
