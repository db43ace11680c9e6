#!/bin/sh
# SPDX-License-Identifier: MIT
# run-suite.sh BUILD_DIR [NAME...] - run every test program (or those named, e.g. test-mint) under
# prove and end with "N passed, N failed".
set -u
B=${1:?usage: run-suite.sh BUILD_DIR [NAME...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
export LT_BUILD_DIR="$(cd "$B" && pwd)" LT_SOURCE_DIR="$(dirname "$here")"
# The suite never sees the invoking user's home, config, runtime dir, session bus or session
# keyring: everything points into a scratch directory, and the kernel keyring is a new one.
# A caller who set TMPDIR elsewhere is promised that the run leaves nothing in /tmp: a listing
# before and after (another program writing /tmp meanwhile would show up too).
tmp_watch= tmp_before=
case ${TMPDIR:-/tmp} in /tmp | /tmp/) ;; *) tmp_watch=1 tmp_before=$(ls -A /tmp | LC_ALL=C sort) ;; esac
top=$(mktemp -d "${TMPDIR:-/tmp}/lt-suite.XXXXXX") || exit 1
log="$top/prove.log"
trap 'rm -rf "$top"' EXIT
export HOME="$top/home" XDG_RUNTIME_DIR="$top/run" TMPDIR="$top/tmp"
export XDG_CONFIG_HOME="$HOME/.config" XDG_DATA_HOME="$HOME/.local/share" XDG_STATE_HOME="$HOME/.local/state"
export XDG_CACHE_HOME="$HOME/.cache"
mkdir -m 700 "$HOME" "$XDG_RUNTIME_DIR" "$TMPDIR"
unset DBUS_SESSION_BUS_ADDRESS XDG_SESSION_ID LINODE_TOKEN_SESSION LINODE_URL LINODE_CA LINODE_API_VERSION
if command -v keyctl >/dev/null 2>&1; then
    keyctl new_session >/dev/null 2>&1 || { echo "run-suite: keyctl new_session failed" >&2; exit 1; }
fi
# Sanitizer reports must fail the run.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=87}"
progs=$(find "$B/tests" -maxdepth 1 -type f -perm -u+x -name 'test-*' | sort)
scripts=$(find "$here/scripts" -maxdepth 1 -type f -name 'test-*.sh' 2>/dev/null | sort)
if [ $# -gt 0 ]; then # only the named ones
    pick() { for f in "$@"; do for n in $names; do [ "$(basename "$f" .sh)" = "$n" ] && echo "$f"; done; done; }
    names="$*"
    progs=$(pick $progs)
    scripts=$(pick $scripts)
    [ -n "$progs$scripts" ] || { echo "run-suite: no test named $names" >&2; exit 1; }
fi
{ prove --exec '' --timer --failures --comments $progs $scripts; echo $? > "$top/prove.rc"; } 2>&1 | tee "$log"
rc=$(cat "$top/prove.rc" 2>/dev/null || echo 255)
# Read the verdict from prove's output, and trust no run that prove itself failed or that ran
# fewer programs than there are (a script that could not be executed, say).
# Tests that ran and passed, and failures: failed tests, planned tests that never ran,
# and programs that died or exited non-zero (a sanitizer report) after passing every test.
total=$(sed -n 's/^Files=[0-9]*, Tests=\([0-9]*\),.*/\1/p' "$log" | tail -n 1)
bad_ok=$(sed -n 's/.*Tests: [0-9]* Failed: \([0-9]*\)).*/\1/p' "$log" | awk '{s += $1} END {print s + 0}')
failed=$(awk '
    /^Dubious, test returned/ { pending = 1; next }
    /^Failed [0-9]+\/[0-9]+ subtests/ { split($2, a, "/"); s += a[1]; pending = 0; next }
    /^No subtests run/ { s += 1; pending = 0; next }
    /^\[[0-9:]+\] / { if (pending) s += 1; pending = 0 }
    END { print s + pending }' "$log")
total=${total:-0}
files=$(sed -n 's/^Files=\([0-9]*\),.*/\1/p' "$log" | tail -n 1)
want=$(printf '%s\n' $progs $scripts | grep -c .)
if [ "${files:-0}" -lt "$want" ]; then
    echo "run-suite: $want test programs, but prove reports ${files:-0}" >&2
    failed=$((failed + want - ${files:-0}))
fi
if { ! grep -q '^Result: PASS' "$log" || [ "$rc" -ne 0 ]; } && [ "$failed" -eq 0 ]; then
    failed=1
fi
total=$((total - bad_ok))
# The log holds TAP and diagnostics only: ld.so's debug lines (LD_DEBUG leaking from a test into
# the commands around it) are a failure of their own.
loader=$(grep -cE '^[[:space:]]*[0-9]+:[[:space:]]+(file=|find library=|calling init:|symbol=|binding file)' "$log")
if [ "$loader" -ne 0 ]; then
    echo "run-suite: $loader lines of the dynamic loader's debug output in the log" >&2
    failed=$((failed + 1))
fi
if [ -n "$tmp_watch" ]; then
    printf '%s\n' "$tmp_before" > "$top/tmp-before"
    left=$(ls -A /tmp | LC_ALL=C sort | LC_ALL=C comm -13 "$top/tmp-before" -)
    if [ -n "$left" ]; then
        echo "run-suite: TMPDIR was set, but the run left this in /tmp:" $left >&2
        failed=$((failed + 1))
    fi
fi
# The failures again, with their diagnostics, just above the verdict (a CI log shows its tail).
if [ "$failed" -ne 0 ]; then
    echo "== failures:"
    awk '/^\[[0-9:]+\] / { name = $2 } /^not ok/ { print name ": " $0; show = 1; next }
         /^#/ && show { print; next } { show = 0 }' "$log" | head -n 60
fi
echo "$total passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$rc" -eq 0 ] && grep -q '^Result: PASS' "$log"
