#!/bin/sh
# SPDX-License-Identifier: MIT
# test-soak.sh - the soak test (tests/soak/soak.sh) at a small size, so that every check runs it:
# 50 sessions against a fake that fails 5% of requests, processes killed at random.
set -u
B=${LT_BUILD_DIR:?}
S=${LT_SOURCE_DIR:?}
out=$(sh "$S/tests/soak/soak.sh" "$B" 50 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
left=$(printf '%s\n' "$out" | sed -n 's/^| \*\*live tokens left whose session ended\*\* | \*\*\([0-9]*\)\*\* |$/\1/p')
reaped=$(printf '%s\n' "$out" | sed -n 's/^| \*\*live tokens of running sessions revoked by reap\*\* | \*\*\([0-9]*\)\*\*.*/\1/p')
[ "$left" = 0 ]; r1=$?
[ "$reaped" = 0 ]; r2=$?
[ $r1 -eq 0 ] && echo "ok 1 - soak (50 sessions): no live token left whose session ended" || echo "not ok 1 - soak: live tokens left: '$left'"
[ $r2 -eq 0 ] && echo "ok 2 - soak (50 sessions): reap revoked no token of a running session" || echo "not ok 2 - soak: reap revoked running sessions' tokens: '$reaped'"
[ $rc -eq 0 ] && echo "ok 3 - soak.sh exits 0" || echo "not ok 3 - soak.sh exited $rc"
echo "1..3"
