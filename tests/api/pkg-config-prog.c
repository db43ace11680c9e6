/* SPDX-License-Identifier: MIT */
/* pkg-config-prog.c - a program as another project would write it, built with nothing but
 * `pkg-config --cflags --libs linode-token` against an installed tree (tests/scripts/test-install.sh,
 * build-aux/deb-smoke.sh). Prints the library's version and its scope argument, normalised. */
#include <linode-token.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    lt_scopes s;
    lt_error e;
    if (argc != 2 || lt_scopes_parse(argv[1], 0, &s, &e) != LT_OK)
        return 1;
    char *t = lt_scopes_format(&s);
    printf("%s %s\n", LT_VERSION, t);
    free(t);
    return 0;
}
