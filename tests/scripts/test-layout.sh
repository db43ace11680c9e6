#!/bin/sh
# SPDX-License-Identifier: MIT
# test-layout.sh - what the layout promises: docs/who-uses-what.txt is what build-aux/who-uses.sh
# says now (a stale table fails: run `make who-uses`); each layer header can be included twice;
# the PAM module exports pam_sm_* and nothing else.
. "$(dirname "$0")/lib.sh"
now=$(sh "$S/build-aux/who-uses.sh")
saved=$(cat "$S/docs/who-uses-what.txt")
[ "$now" = "$saved" ]; ok $? "docs/who-uses-what.txt is current (else: make who-uses)"
if [ "$now" != "$saved" ]; then
    printf '%s\n' "$saved" > "$TMPDIR/wu-saved"; printf '%s\n' "$now" > "$TMPDIR/wu-now"
    diff "$TMPDIR/wu-saved" "$TMPDIR/wu-now" | sed 's/^/# /'
fi
unused=$(printf '%s\n' "$now" | grep '(unused)')
is "$unused" "" "every name the layer headers declare is used"
for h in lib/core/internal.h lib/session/session-layer.h; do
    printf '#include "%s"\n#include "%s"\nint main(void) { return 0; }\n' "$h" "$h" > "$TMPDIR/twice.c"
    # shellcheck disable=SC2046
    cc -std=c11 -D_GNU_SOURCE -fsyntax-only -I"$S/include" -I"$S/lib/core" -I"$S/lib/session" -I"$S" \
        $(pkg-config --cflags glib-2.0 libsecret-1 jansson libcurl) "$TMPDIR/twice.c" 2> "$TMPDIR/twice.err"
    ok $? "$h can be included twice"
    sed 's/^/# /' "$TMPDIR/twice.err"
done
exported=$(nm -D --defined-only "$B/pam_linode_token.so" | awk '$2 ~ /^[TDBRVW]$/ {sub(/@.*/, "", $3); print $3}' | sort | tr '\n' ' ')
is "$exported" "pam_sm_close_session pam_sm_open_session " "pam_linode_token.so exports pam_sm_* only"
done_testing
