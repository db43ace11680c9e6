#!/bin/sh
# SPDX-License-Identifier: MIT
# test-deb.sh - debian/ agrees with the tree (the full build, install and purge is `make deb-check`,
# run by CI as root): versions, the dlopen'd libraries declared by hand, the pam-auth-update profile,
# and deb-check saying what it needs when not run as root.
set -u
. "$(dirname "$0")/lib.sh"
D="$S/debian"
mk_version=$(sed -n 's/^VERSION *:= *//p' "$S/Makefile")
ch_version=$(sed -n '1s/^linode-token (\([^)]*\)).*/\1/p' "$D/changelog")
is "$ch_version" "$mk_version" "debian/changelog's version is the Makefile's"
is "$(sed -n 's/^liblinode-token\.so\.\([0-9]*\) liblinode-token\([0-9]*\) .*/\1 \2/p' "$D/liblinode-token0.symbols")" \
    "$(sed -n 's/^SOMAJOR *:= *//p' "$S/Makefile") $(sed -n 's/^SOMAJOR *:= *//p' "$S/Makefile")" \
    "the symbols file names the SONAME and the package liblinode-tokenSOMAJOR"
grep -q "^Package: liblinode-token$(sed -n 's/^SOMAJOR *:= *//p' "$S/Makefile")$" "$D/control"
ok $? "debian/control's library package carries the SONAME's major"
# What dlopen() loads must be declared by hand (dpkg-shlibdeps cannot see it).
grep -q '"libcurl.so.4"' "$S/lib/core/curl-loader.c" && grep -q '"libsecret-1.so.0"' "$S/lib/session/secret-store.c"
ok $? "the loaders dlopen libcurl.so.4 and libsecret-1.so.0"
stanza() { awk -v p="$1" '/^Package: / { on = ($2 == p) } on' "$D/control" | tr '\n' ' '; }
for p in linode-token libpam-linode-token liblinode-token0; do
    like "$(stanza $p)" "libcurl4 (>= " "$p depends on libcurl4 (libcurl.so.4)"
done
for p in linode-token liblinode-token0; do
    like "$(stanza $p)" "Recommends: libsecret-1-0 (>= " "$p recommends libsecret-1-0 (libsecret-1.so.0)"
done
prof="$D/pam-configs/linode-token"
grep -q '^Default: no$' "$prof"; ok $? "the pam-auth-update profile is not enabled by default"
is "$(grep -E '^[A-Z][A-Za-z-]*:' "$prof" | cut -d: -f1 | grep -E '^(Auth|Account|Password|Session)' | tr '\n' ' ')" \
    "Session-Type Session-Interactive-Only Session " "... it has a session stack only (interactive sessions)"
is "$(grep -E '^[[:space:]]' "$prof" | tr -s ' \t' ' ')" " optional pam_linode_token.so" "... with one line: optional, no arguments"
grep -q 'pam-auth-update --package --remove linode-token' "$D/libpam-linode-token.prerm" &&
    grep -q 'pam-auth-update --package$' "$D/libpam-linode-token.postinst"
ok $? "postinst registers the profile, prerm removes it"
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1 && command -v runuser >/dev/null 2>&1 &&
    ! runuser -u nobody -- test -r "$S/build-aux/deb-check.sh"; then
    for i in 1 2 3; do T_N=$((T_N + 1)); echo "ok $T_N - # SKIP nobody cannot read $S/build-aux/deb-check.sh (a parent directory is private)"; done
elif [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1 && command -v runuser >/dev/null 2>&1; then
    out=$(runuser -u nobody -- sh "$S/build-aux/deb-check.sh" 2>&1)
    rc=$?
    [ $rc -ne 0 ]; ok $? "deb-check as another user than root fails (exit $rc)"
    like "$out" "needs root" "... and says it needs root"
    like "$out" "su -c 'make deb-check'" "... and how to run it without sudo"
else
    out=$(sh "$S/build-aux/deb-check.sh" 2>&1)
    [ $? -ne 0 ]; ok $? "deb-check as a user fails"
    like "$out" "needs root" "... and says it needs root"
    like "$out" "su -c 'make deb-check'" "... and how to run it without sudo"
fi
done_testing
