#!/bin/sh
# SPDX-License-Identifier: MIT
# test-waiting.sh - a person at a terminal sees that the API is slow ("waiting for the API at
# HOST..." once, after a second), a pipe never does; and --timeout's documented default (30s) is
# what a silent server gets.
set -u
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null 2>&1 || { echo "1..0 # SKIP no script(1) here for a terminal"; exit 0; }

P=p000000000000000000000000000000000000000000000000000000000000001
(umask 077 && printf '%s\n' "$P" > "$SCRATCH/parent")
start_fake --token "$P=*" --latency-ms 1500
SLOW=$FAKE_URL SLOW_PID=$FAKE_PID
start_fake --token "$P=*"
FAST=$FAKE_URL
LT="$B/linode-token"
GCL="$B/git-credential-linode"
conf() { printf '[general]\napi_url = %s/v4\nallow_insecure_loopback = true\nparent_token_file = %s\ncache = none\n[profile default]\nscopes = linodes:read_only\n' \
    "$1" "$SCRATCH/parent" > "$SCRATCH/$2.conf"; }
conf "$SLOW" slow
conf "$FAST" fast
# on_pty CMD: run CMD with stdin, stdout and stderr on a terminal (script(1)); PTY gets what it showed
on_pty() { script -qfec "$1" /dev/null < /dev/null > "$SCRATCH/pty" 2>&1; RC=$?; PTY=$(tr -d '\r' < "$SCRATCH/pty"); }

on_pty "'$LT' --config '$SCRATCH/slow.conf' list"
is "$RC" 0 "list against an API that takes 1.5 s a request, on a terminal"
is "$(printf '%s\n' "$PTY" | grep -c "^linode-token: waiting for the API at ${SLOW#http://}\.\.\.$")" 1 \
    "... says once that it is waiting for the API, naming it"
"$LT" --config "$SCRATCH/slow.conf" list >/dev/null 2>"$SCRATCH/err"
is "$(grep -c waiting "$SCRATCH/err")" 0 "stderr on a pipe: never"
on_pty "'$LT' --config '$SCRATCH/fast.conf' list"
is "$RC:$(printf '%s\n' "$PTY" | grep -c waiting)" "0:0" "an API that answers at once: nothing said, on a terminal too"
on_pty "printf 'protocol=http\nhost=${SLOW#http://}\n\n' | '$GCL' --config '$SCRATCH/slow.conf' get"
like "$PTY" "git-credential-linode: waiting for the API at ${SLOW#http://}..." "git-credential-linode on a terminal says so too"
like "$PTY" "password=" "... and answers"

# --timeout: the documented default is 30s, for a request that gets no answer too (it was 15 s)
run() { "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"; RC=$?; OUT=$(cat "$SCRATCH/out"); ERR=$(cat "$SCRATCH/err"); }
"$LT" --help | grep -q -- '--timeout DURATION.*default 30s'; ok $? "--help: --timeout defaults to 30s"
fake_fault '{"kind":"delay","method":"GET","path":"/profile/tokens","delay_ms":16500,"count":1}'
t0=$(date +%s)
run "$LT" --config "$SCRATCH/fast.conf" list
is "$RC" 0 "an answer after 16.5 s, with no --timeout: waited for it (30s), not cut at 15 s"
[ $(( $(date +%s) - t0 )) -ge 16 ]; ok $? "... (it took that long)"
fake_fault '{"kind":"delay","method":"GET","path":"/profile/tokens","delay_ms":4000,"count":1}'
t0=$(date +%s)
run "$LT" --config "$SCRATCH/fast.conf" --timeout 2s list
is "$RC" 4 "--timeout 2s against an answer after 4 s: exit 4"
[ $(( $(date +%s) - t0 )) -lt 4 ]; ok $? "... within the 2 s"
kill "$SLOW_PID" 2>/dev/null; wait "$SLOW_PID" 2>/dev/null
done_testing
