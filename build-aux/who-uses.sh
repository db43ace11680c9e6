#!/bin/sh
# SPDX-License-Identifier: MIT
# who-uses.sh - for every name the two layer headers declare (lib/core/internal.h,
# lib/session/session-layer.h), the .c files of lib/, helper/ and plugin/ that use it: what a
# change to a declaration touches. Prints the table; `make who-uses` writes it to
# docs/who-uses-what.txt, and tests/scripts/test-who-uses.sh fails when that copy is stale.
set -eu
cd "$(dirname "$0")/.."
srcs=$(find lib helper plugin -name '*.c' | LC_ALL=C sort)
for h in lib/core/internal.h lib/session/session-layer.h; do
    echo "# $h"
    # functions (a declaration starts at column 0), types, macros
    {
        grep -oE '^[a-z][^;(]*[ *](lt_[a-z0-9_]+)\(' "$h" | grep -oE 'lt_[a-z0-9_]+\($' | tr -d '('
        grep -oE '^(typedef [^;]* |} )(lt_[a-z0-9_]+);' "$h" | grep -oE 'lt_[a-z0-9_]+;$' | tr -d ';'
        grep -oE '^#define (LT_[A-Z0-9_]+|lt_[a-z0-9_]+)' "$h" | sed 's/^#define //'
    } | grep -v '_H$' | awk '!seen[$0]++' | while read -r name; do
        users=$(grep -lw -- "$name" $srcs | tr '\n' ' ' | sed 's/ $//')
        printf '%s: %s\n' "$name" "${users:-(unused)}"
    done
    echo
done
