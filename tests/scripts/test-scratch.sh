#!/bin/sh
# SPDX-License-Identifier: MIT
# test-scratch.sh - the suite writes only under its TMPDIR: the fuzz replays that need scratch
# files (config, record) run with /tmp a private, empty tmpfs (a mount namespace) and TMPDIR set,
# and leave both empty.
set -u
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" = 0 ]; then ns="unshare --mount"; else ns="unshare --user --map-root-user --mount"; fi
if ! $ns true 2>/dev/null; then
    echo "1..0 # SKIP no mount namespace here (unshare --mount), so no private /tmp to watch"
    exit 0
fi
for t in config record; do
    prog="$B/tests/test-fuzz-$t"
    [ -x "$prog" ] || bail "$prog is not built"
    # The program and its corpus are reached through file descriptors opened before /tmp is hidden
    # (the build may be under /tmp, as in CI); TMPDIR is /tmp/.t inside.
    out=$($ns sh -c 'exec 3<"$0" 4<"$1"
        mount -t tmpfs -o mode=1777 lt-scratch-test /tmp || exit 99
        mkdir -m 700 /tmp/.t
        LT_SOURCE_DIR=/proc/self/fd/4 TMPDIR=/tmp/.t /proc/self/fd/3 >/dev/null 2>&1 || { echo "failed: $?"; exit 0; }
        echo "tmp: [$(ls -A /tmp)] tmpdir: [$(ls -A /tmp/.t)]"' "$prog" "$S")
    is "$out" "tmp: [.t] tmpdir: []" "fuzz-$t's replay with TMPDIR set: nothing left in /tmp, nor in TMPDIR"
done
done_testing
