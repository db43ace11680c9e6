#!/bin/sh
# SPDX-License-Identifier: MIT
# test-format.sh - every C file is as clang-format (.clang-format) leaves it: `make format` fixes
# what this reports.
. "$(dirname "$0")/lib.sh"
command -v clang-format >/dev/null || bail "clang-format not found (make deps installs it)"
files=$(cd "$S" && find lib helper plugin include tests bench -name '*.[ch]' | LC_ALL=C sort)
[ -n "$files" ]; ok $? "there is C to check"
bad=""
for f in $files; do
    (cd "$S" && clang-format --style=file "$f" | cmp -s - "$f") || bad="$bad $f"
done
is "$bad" "" "every C file is formatted (else: make format)"
done_testing
