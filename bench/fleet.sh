#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/fleet.sh [BUILD_DIR] - a fleet by simulation: N hosts (processes, each with its own PAM
# configuration, state and queue directories) open PAM sessions within SPREAD_MS of each other,
# hold them HOLD_MS, and close them, against one fake API with Linode-like rate limits (a minute's
# window per operation and one for everything) and latency. Then a reap on every host. Prints a
# Markdown table. Not part of make check (timings are not assertions).
#   HOSTS="10 100 500" LATENCY_MS=50 OP_LIMIT=400 ALL_LIMIT=400 SPREAD_MS=1000 HOLD_MS=1000
set -u
B=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
# a throwaway HOME, XDG dirs and TMPDIR: reap's audit log never lands in the runner's own
if [ -z "${LT_BENCH_INSIDE:-}" ]; then
    LT_BENCH_INSIDE=1 exec "$here/../build-aux/with-secret-service" sh "$0" "$B"
fi
. "$here/../build-aux/fake.sh"
HOSTS=${HOSTS:-"10 100 500"}
LATENCY_MS=${LATENCY_MS:-50}
OP_LIMIT=${OP_LIMIT:-400}
ALL_LIMIT=${ALL_LIMIT:-400}
SPREAD_MS=${SPREAD_MS:-1000}
HOLD_MS=${HOLD_MS:-1000}
TIMEOUT=${TIMEOUT:-5s}
S=$(mktemp -d "${TMPDIR:-/tmp}/lt-fleet.XXXXXX")
FAKE_PID=
trap '[ -n "$FAKE_PID" ] && kill $FAKE_PID 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$S"' EXIT
[ -x "$B/fleet-host" ] || { echo "fleet: no $B/fleet-host (make bench builds it)"; exit 1; }
P=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
(umask 077 && printf '%s\n' "$P" > "$S/parent")
(umask 077 && printf 'parent_token_file=%s\nallow_insecure_loopback\n' "$S/parent" > "$S/pam.conf")
user=$(id -un)
pct() { # pct P < numbers: the P-th percentile (nearest rank)
    sort -n | awk -v p="$1" '{a[NR] = $1} END {if (!NR) {print "-"; exit} i = int((p * NR + 99) / 100); if (i < 1) i = 1; print a[i]}'
}
open_ms() { # open_ms RC-PATTERN: the open times of the hosts whose OPEN= matches
    for f in "$S"/h/*/out; do grep -q "^OPEN=$1" "$f" && sed -n 's/^OPEN_MS=//p' "$f"; done
}
fget() { curl -s "$FAKE_URL/__fake/$1"; }
live() { fget tokens | jq '[.[] | select(.revoked | not) | select(.label | startswith("seed") | not)] | length'; }

echo "| hosts | logins failed | open p50 (ms) | open p99 (ms) | slowest failed open (ms) | failed opens with a syslog line | 429s | closes queued | live after closes | live after reap (rounds) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for n in $HOSTS; do
    fake_launch "$S/port" "$S/fake.log" --token "$P=*" --latency-ms "$LATENCY_MS" --op-rate-limit "$OP_LIMIT" \
        --rate-limit "$ALL_LIMIT" || { echo "fleet: the fake API did not start"; exit 1; }
    API="$FAKE_URL/v4"
    rm -rf "$S/h"
    i=0
    while [ $i -lt "$n" ]; do
        h="$S/h/$i"
        mkdir -p "$h/pam" "$h/run" "$h/queue"
        chmod 700 "$h/run" "$h/queue"
        printf 'session required %s/pam_linode_token.so parent_token_file=%s api_url=%s allow_http_loopback scopes=linodes:read_only ttl=1h timeout=%s close_timeout=2s state_dir=%s/run queue_dir=%s/queue\n' \
            "$B" "$S/parent" "$API" "$TIMEOUT" "$h" "$h" > "$h/pam/lt"
        : > "$h/pam/other" # (libpam looks for it)
        i=$((i + 1))
    done
    i=0
    pids=
    while [ $i -lt "$n" ]; do # host i opens at i * SPREAD_MS / n
        "$B/fleet-host" "$S/h/$i/pam" lt "$user" $((i * SPREAD_MS / n)) "$HOLD_MS" > "$S/h/$i/out" 2>&1 &
        pids="$pids $!"
        i=$((i + 1))
    done
    wait $pids
    cat "$S"/h/*/out > "$S/all"
    failed=$(grep -c '^OPEN=[1-9]' "$S/all")
    p50=$(open_ms '0$' | pct 50)
    p99=$(open_ms '0$' | pct 99)
    slow_fail=$(open_ms '[1-9]' | pct 100)
    said=$(for f in "$S"/h/*/out; do grep -q '^OPEN=[1-9]' "$f" && grep -q 'SYSLOG(3): .*cannot mint for' "$f" && echo x; done | wc -l)
    n429=$(fget requests | jq '[.[] | select(.status == 429)] | length')
    queued=$(find "$S/h" -path '*/queue/*' -type f ! -name '.*' | wc -l)
    left_closed=$(live)
    # Then every host's reap (a minute later on the fake's clock, the rate windows empty), in
    # rounds while anything is left: a round's 429s are the next round's queue.
    rounds=0
    left=$left_closed
    while [ "$left" -gt 0 ] && [ $rounds -lt 5 ]; do
        curl -s -X POST -d '{"advance":61}' "$FAKE_URL/__fake/clock" >/dev/null
        ls "$S/h" | xargs -P 4 -I{} "$B/linode-token" --timeout 5s \
            reap --system --pam-config "$S/pam.conf" --state-dir "$S/h/{}/run" --queue-dir "$S/h/{}/queue" \
            >/dev/null 2>&1
        rounds=$((rounds + 1))
        left=$(live)
    done
    echo "| $n | $failed | $p50 | $p99 | $slow_fail | $said of $failed | $n429 | $queued | $left_closed | $left ($rounds) |"
    kill $FAKE_PID
    wait $FAKE_PID 2>/dev/null
    FAKE_PID=
done
echo
echo "Fake API: --latency-ms $LATENCY_MS, --op-rate-limit $OP_LIMIT, --rate-limit $ALL_LIMIT (per minute); opens spread over $SPREAD_MS ms, held $HOLD_MS ms; PAM timeout=$TIMEOUT close_timeout=2s."
