#!/bin/sh
# SPDX-License-Identifier: MIT
# test-exports.sh - the shared library exports exactly what include/linode-token.h declares.
set -u
B=${LT_BUILD_DIR:?}
S=${LT_SOURCE_DIR:?}
so="$B/liblinode-token.so"
echo "1..8"
n=0 failed=0
t() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
# nm -D names a versioned symbol NAME@@NODE
exported=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBR]$/ {sub(/@.*/, "", $3); print $3}' | sort)
declared=$(sed -n 's/^LT_API [^(]*[ *]\(lt_[a-z0-9_]*\)(.*/\1/p' "$S/include/linode-token.h" | sort)
[ -n "$declared" ]; t $? "the header declares functions"
[ "$exported" = "$declared" ]; t $? "exported symbols == declared functions"
if [ "$exported" != "$declared" ]; then
    echo "$exported" > "${TMPDIR:-/tmp}/lt-exp.$$"; echo "$declared" > "${TMPDIR:-/tmp}/lt-dec.$$"
    diff "${TMPDIR:-/tmp}/lt-dec.$$" "${TMPDIR:-/tmp}/lt-exp.$$" | sed 's/^/# /'; rm -f "${TMPDIR:-/tmp}/lt-exp.$$" "${TMPDIR:-/tmp}/lt-dec.$$"
fi
soname=$(objdump -p "$so" | awk '/SONAME/ {print $2}')
[ "$soname" = "liblinode-token.so.0" ]; t $? "versioned soname ($soname)"
# The version script: every exported function in the node LINODE_TOKEN_0, and no other node.
nodes=$(objdump -T "$so" | awk '$NF ~ /^lt_/ {print $(NF-1)}' | sort -u)
[ "$nodes" = LINODE_TOKEN_0 ]; t $? "every exported function is versioned LINODE_TOKEN_0 (nodes: $(echo $nodes))"
defs=$(objdump -p "$so" | sed -n '/^Version definitions:/,/^$/p' | awk 'NF >= 4 && $2 != "0x01" {print $4}')
[ "$defs" = LINODE_TOKEN_0 ]; t $? "the library defines exactly one version node ($(echo $defs))"
# debian/liblinode-token0.symbols lists exactly that: a new function must be added there (with the
# version that adds it), a missing one is an ABI break dpkg-gensymbols would fail the build for.
syms=$(sed -n 's/^ \(lt_[a-z0-9_]*\)@LINODE_TOKEN_0 .*/\1/p' "$S/debian/liblinode-token0.symbols" | sort)
[ "$syms" = "$declared" ] && grep -q '^ LINODE_TOKEN_0@LINODE_TOKEN_0 ' "$S/debian/liblinode-token0.symbols"
t $? "debian/liblinode-token0.symbols lists the node and every declared function"
# The core (what the PAM module links) has no GLib in it.
! nm "$B/libltcore.a" 2>/dev/null | grep -q ' U g_'; t $? "the core archive references no GLib symbol"
# libcurl and libsecret are loaded on first use: no program or library names them (nor GIO or
# GObject, which come with libsecret) among the libraries it needs at start.
needed=$(for f in "$B/linode-token" "$B/git-credential-linode" "$so" "$B/pam_linode_token.so"; do
    readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; done | sort -u)
! printf '%s\n' "$needed" | grep -Eq '^lib(secret|gio|gobject|curl)'; t $? "no libsecret, GIO, GObject or libcurl at start ($(echo $needed))"
[ "$failed" = 0 ] # (debian/rules runs this script on its own: its status must say)
