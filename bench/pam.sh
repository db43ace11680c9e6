#!/bin/bash
# SPDX-License-Identifier: MIT
# bench/pam.sh [BUILD_DIR] - pam_linode_token: open_session's added latency vs one mint by the CLI
# against the same fake, and close_session's time with the API not answering. Prints a table.
set -u
# bash: its $EPOCHREALTIME reads the clock with no fork inside the timed interval (a `date` there
# would add a process to every sample, and dilute every ratio)
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
B=$(cd "${1:-build}" && pwd)
# like every bench: a throwaway HOME, XDG dirs, TMPDIR and kernel session keyring, so the CLI's
# ledgers and audit log never land in the runner's own
if [ -z "${LT_BENCH_INSIDE:-}" ]; then
    LT_BENCH_INSIDE=1 exec "$(dirname "$0")/../build-aux/with-secret-service" bash "$0" "$B"
fi
. "$(dirname "$0")/../build-aux/fake.sh"
RUNS=${RUNS:-21}
S=$(mktemp -d)
FAKE_PID=
trap '[ -n "$FAKE_PID" ] && kill $FAKE_PID 2>/dev/null; rm -rf "$S"' EXIT
median() { sort -n | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
P=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
fake() { fake_launch "$S/port" /dev/null --token "$P=*" "$@" || { echo "bench: the fake API did not start"; exit 1; }
         PORT=${FAKE_URL##*:}; }
fake
API="http://127.0.0.1:$PORT/v4"
(umask 077 && printf '%s\n' "$P" > "$S/parent")
mkdir -p "$S/svc"
printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000:Alice:/nonexistent:/bin/sh\n' > "$S/passwd"
printf 'root:x:0:\nalice:x:1000:\n' > "$S/group"
printf 'session required %s/pam_linode_token.so parent_token_file=%s/parent api_url=%s allow_http_loopback scopes=linodes:read_only ttl=1h state_dir=%s/run queue_dir=%s/queue close_timeout=2s\n' \
    "$B" "$S" "$API" "$S" "$S" > "$S/svc/lt"
drv() { timeout 60 env LD_PRELOAD="libpam_wrapper.so libnss_wrapper.so" PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$S/svc" \
        NSS_WRAPPER_PASSWD="$S/passwd" NSS_WRAPPER_GROUP="$S/group" "$B/pamdrv" lt alice "$@" 2>/dev/null; }
printf '[general]\napi_url = %s\nallow_insecure_loopback = true\ncache = none\n' "$API" > "$S/cfg"
: > "$S/open"; : > "$S/cli"
i=0
while [ $i -lt "$RUNS" ]; do
    drv same | sed -n 's/^OPEN_MS=//p' >> "$S/open"        # open_session alone, timed inside the process
    t0=${EPOCHREALTIME/./}                                  # one CLI mint, timed around the call
    "$B/linode-token" --config "$S/cfg" --parent-token-file "$S/parent" get --scopes linodes:read_only >/dev/null 2>&1
    awk -v d=$(( ${EPOCHREALTIME/./} - t0 )) 'BEGIN {printf "%.1f\n", d / 1000}' >> "$S/cli"
    i=$((i + 1))
done
open=$(median < "$S/open"); cli=$(median < "$S/cli")
# close with the API not answering: open against the fake, then swap it for one that never answers in time
: > "$S/close"
i=0
while [ $i -lt 5 ]; do
    PAMDRV_PAUSE=2 drv fork > "$S/fork.out" &
    D=$!
    while ! grep -q CHILD_ENDED "$S/fork.out" 2>/dev/null; do sleep 0.05; done
    kill $FAKE_PID; wait $FAKE_PID 2>/dev/null
    fake --listen "127.0.0.1:$PORT" --latency-ms 30000
    wait $D
    sed -n 's/^CLOSE_MS=//p' "$S/fork.out" >> "$S/close"
    kill $FAKE_PID; wait $FAKE_PID 2>/dev/null
    fake --listen "127.0.0.1:$PORT"
    i=$((i + 1))
done
close=$(median < "$S/close")
queued=$(ls "$S/queue" 2>/dev/null | wc -l)
echo "| PAM case | runs | median (ms) | baseline | baseline median (ms) | ratio / bound |"
echo "|---|---|---|---|---|---|"
echo "| open_session (mint + record + export) | $RUNS | $open | one \`linode-token get\` mint (cache none), whole process | $cli | $(awk -v a="$open" -v b="$cli" 'BEGIN {printf "%.2f", a / b}') |"
echo "| close_session, API not answering | 5 | $close | close_timeout | 2000 | $(awk -v a="$close" 'BEGIN {printf "%.2f", a / 2000}') of the bound ($queued queued) |"
