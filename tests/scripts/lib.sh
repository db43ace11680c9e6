# SPDX-License-Identifier: MIT
# lib.sh - sourced by the shell tests: TAP output, the fake API, and running the CLI.
# Needs LT_BUILD_DIR and LT_SOURCE_DIR (run-suite.sh sets them).
B=${LT_BUILD_DIR:?}
S=${LT_SOURCE_DIR:?}
WSS="$S/build-aux/with-secret-service"
T_N=0
T_FAILED=0
ok() { # ok COND-STATUS NAME
    T_N=$((T_N + 1))
    if [ "$1" -eq 0 ]; then echo "ok $T_N - $2"; else echo "not ok $T_N - $2"; T_FAILED=$((T_FAILED + 1)); fi
}
is() { # is GOT WANT NAME
    if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3"; echo "#   got: '$1'"; echo "#   expected: '$2'"; fi
}
like() { # like GOT NEEDLE NAME
    case $1 in *"$2"*) ok 0 "$3" ;; *) ok 1 "$3"; echo "#   '$1'"; echo "#   does not contain '$2'" ;; esac
}
unlike() {
    case $1 in *"$2"*) ok 1 "$3"; echo "#   unexpectedly contains '$2'" ;; *) ok 0 "$3" ;; esac
}
done_testing() { echo "1..$T_N"; [ "$T_FAILED" -eq 0 ]; }
bail() { echo "Bail out! $*"; exit 1; }

# Re-run this script under a private Secret Service unless already there; with
# LT_SESSION_KEYRING=none, in a process tree with no session keyring of its own (as cron, CI and
# containers run it), which needs a user namespace: skipped, saying so, where there is none.
need_secret_service() {
    if [ -z "${LT_IN_WSS:-}" ]; then
        [ -x "$WSS" ] || bail "with-secret-service not found at $WSS"
        if [ "${LT_SESSION_KEYRING:-own}" = none ] && ! unshare --user true 2>/dev/null; then
            rm -rf "$SCRATCH"
            echo "1..0 # SKIP no user namespace here (unshare --user), so no fresh user-session keyring to run without a session keyring"
            exit 0
        fi
        rm -rf "$SCRATCH" # the run inside makes its own
        LT_IN_WSS=1 exec "$WSS" sh "$0" "$@"
    fi
}

# What the tests' configs add to [general]: without a session keyring of their own they cache in
# the kernel keyring (the Secret Service would not exercise it), else nothing.
CACHE_LINE=
[ "${LT_SESSION_KEYRING:-own}" = none ] && CACHE_LINE="cache = keyring"

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/lt-test.XXXXXX")
FAKE_PID=
cleanup() {
    [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null
    rm -rf "$SCRATCH"
}
trap cleanup EXIT

. "$S/build-aux/fake.sh"
# start_fake ARGS... : sets FAKE_URL (http://127.0.0.1:PORT) and FAKE_PID
start_fake() { fake_launch "$SCRATCH/port" "$SCRATCH/fake.log" "$@" || bail "linode-fake-api did not start"; }
# fake_with_parent ARG...: the usual start: P, a parent of every scope, the fake (ARGs added) at API
fake_with_parent() {
    P=p000000000000000000000000000000000000000000000000000000000000001
    start_fake --token "$P=*" "$@"
    API="$FAKE_URL/v4"
}
stop_fake() { kill "$FAKE_PID"; wait "$FAKE_PID"; FAKE_RC=$?; FAKE_PID=; }
fake_get() { curl -sS --max-time 10 "$FAKE_URL$1"; }
fake_post() { curl -sS --max-time 10 -X POST -d "$2" "$FAKE_URL$1"; }
fake_reset() { fake_post /__fake/reset '{}' >/dev/null; }
# papi ARGS...: curl to the fake's API acting as $P, the header read from a 0600 file (no token
# in any process's argv, tests included)
papi() {
    [ -f "$SCRATCH/auth.hdr" ] || (umask 077 && printf 'Authorization: Bearer %s\n' "$P" > "$SCRATCH/auth.hdr")
    curl -sS -H @"$SCRATCH/auth.hdr" "$@"
}
fake_fault() { fake_post /__fake/faults "$1" >/dev/null; }
# count METHOD PATH: requests the fake saw
count() { fake_get /__fake/requests | jq --arg m "$1" --arg p "$2" '[.[] | select(.method == $m and .path == $p)] | length'; }
live_tokens() { fake_get /__fake/tokens | jq '[.[] | select(.revoked | not) | select(.expired | not)] | length'; }
# run CMD...: its exit code, stdout and stderr in RC, OUT and ERR
run() { "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"; RC=$?; OUT=$(cat "$SCRATCH/out"); ERR=$(cat "$SCRATCH/err"); }
# in_pty INPUT CMD...: run CMD on a terminal (script(1) from util-linux), typing INPUT; RC, and OUT
# (everything the terminal showed)
in_pty() {
    input=$1; shift
    printf '%s\n' "$input" > "$SCRATCH/typed"
    cmd=""
    for a in "$@"; do cmd="$cmd '$a'"; done
    # type as a person would: after the program has started, a line at a time; then keep the
    # pty open until the program has read everything
    ( sleep 0.5; while IFS= read -r line; do printf '%s\n' "$line"; sleep 0.05; done < "$SCRATCH/typed"; sleep 1 ) |
        script -qfec "$cmd" /dev/null > "$SCRATCH/pty" 2>&1
    RC=$?
    OUT=$(tr -d '\r' < "$SCRATCH/pty")
}
