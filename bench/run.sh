#!/bin/bash
# SPDX-License-Identifier: MIT
# bench/run.sh [BUILD_DIR] - medians, side by side in one run, against the bundled fake API and a
# private keyring. Prints a Markdown table. Not part of make check (timings are not assertions).
set -u
# bash: its $EPOCHREALTIME reads the clock with no fork inside the timed interval (a `date` there
# would add a process to every sample, and dilute every ratio)
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
B=$(cd "${1:-build}" && pwd)
S=$(cd "$(dirname "$0")/.." && pwd)
WSS="$S/build-aux/with-secret-service"
if [ -z "${LT_BENCH_INSIDE:-}" ]; then
    LT_BENCH_INSIDE=1 exec "$WSS" bash "$0" "$B"
fi
RUNS=${RUNS:-25}
if [ -n "${LT_BENCH_NOSK:-}" ]; then
    SCRATCH=$LT_BENCH_NOSK # the keyring hit without a session keyring: the outer run's files
else
    SCRATCH=$(mktemp -d)
fi
FAKE_PID=
[ -n "${LT_BENCH_NOSK:-}" ] || trap '[ -n "$FAKE_PID" ] && kill $FAKE_PID 2>/dev/null; rm -rf "$SCRATCH"' EXIT
median() { sort -n | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
# One call of each case, stdout and stderr discarded (each reads its request from a pipe, as git
# feeds a helper).
HIT_REQ='protocol=http\nhost=%s\n\n'
case_hit() { printf "$HIT_REQ" "$HOSTPORT" | "$B/git-credential-linode" get; }
case_libsecret() { printf 'protocol=https\nhost=example.com\n\n' | "$SCRATCH/git-credential-libsecret" get; }
case_krhit() { printf "$HIT_REQ" "$HOSTPORT" | "$B/git-credential-linode" --config "$SCRATCH/keyring" get; }
case_floor() { printf "$HIT_REQ" "$HOSTPORT" | /bin/true; }
case_cold() { "$B/linode-token" --config "$SCRATCH/nocache" --parent-token-file "$SCRATCH/parent" get --scopes linodes:read_only; }
case_cold_shm() { XDG_RUNTIME_DIR=$shm case_cold; }
case_curl() { curl -s -o /dev/null -H @"$SCRATCH/auth.hdr" -d '{"label":"bench","scopes":"linodes:read_only"}' \
    "$API/profile/tokens"; }  # (the header from a file, as ours reads its parent from one)
# interleaved N CASE...: N rounds, each running every case once in turn (so that the machine's
# drifts fall on all of them alike); the median of each case goes to M_<case>.
interleaved() {
    n=$1; shift
    for c in "$@"; do : > "$SCRATCH/$c.ms"; done
    i=0
    while [ $i -lt "$n" ]; do
        for c in "$@"; do
            t0=${EPOCHREALTIME/./}
            $c >/dev/null 2>&1
            awk -v d=$(( ${EPOCHREALTIME/./} - t0 )) 'BEGIN {printf "%.1f\n", d / 1000}' >> "$SCRATCH/$c.ms"
        done
        i=$((i + 1))
    done
    for c in "$@"; do eval "M_$c=\$(median < \"\$SCRATCH/$c.ms\")"; done
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }

# Run by this script itself, in a process tree with no session keyring of its own (its @s is the
# user-session keyring, as under cron or CI): one warming get, then the keyring hits interleaved
# with git's libsecret helper. Prints "hit-median libsecret-median".
if [ -n "${LT_BENCH_NOSK:-}" ]; then
    printf 'protocol=https\nhost=example.com\nusername=u\npassword=%s\n\n' "$(cat "$SCRATCH/parent")" |
        "$SCRATCH/git-credential-libsecret" store >/dev/null # (this run's own Secret Service)
    case_krhit >/dev/null 2>&1
    interleaved "$RUNS" case_krhit case_libsecret
    echo "$M_case_krhit $M_case_libsecret"
    exit 0
fi

PARENT=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
. "$S/build-aux/fake.sh"
# --no-class-rate-limits: these time our code, not Linode's limits (bench/fleet.sh sets those)
fake_launch "$SCRATCH/port" /dev/null --token "$PARENT=*" --no-class-rate-limits || { echo "bench: the fake API did not start"; exit 1; }
API="$FAKE_URL/v4"
fake_config "$XDG_CONFIG_HOME/linode-token/config" <<EOC
[profile default]
scopes = linodes:read_only
[profile par]
scopes = volumes:read_only
EOC
printf '[general]\napi_url = %s\nallow_insecure_loopback = true\ncache = none\n' "$API" > "$SCRATCH/nocache"
(umask 077 && printf '%s' "$PARENT" > "$SCRATCH/parent" && printf 'Authorization: Bearer %s\n' "$PARENT" > "$SCRATCH/auth.hdr")
echo "$PARENT" | "$B/linode-token" login >/dev/null
posts() { curl -s "$FAKE_URL/__fake/requests" | jq '[.[] | select(.method == "POST")] | length'; }

# git's own libsecret helper, built from Debian's copy of git's contrib tree
cc -O2 -o "$SCRATCH/git-credential-libsecret" /usr/share/doc/git/contrib/credential/libsecret/git-credential-libsecret.c \
    $(pkg-config --cflags --libs libsecret-1 glib-2.0) 2>/dev/null || { echo "cannot build git-credential-libsecret"; exit 1; }
printf 'protocol=https\nhost=example.com\nusername=u\npassword=%s\n\n' "$PARENT" | "$SCRATCH/git-credential-libsecret" store >/dev/null

# warm the caches once, then measure hits, interleaved with git's libsecret helper and the floor
HOSTPORT=${FAKE_URL#http://}
case_hit >/dev/null
printf '[general]\napi_url = %s\nallow_insecure_loopback = true\ncache = keyring\nparent_token_file = %s\n[profile default]\nscopes = linodes:read_only\n' \
    "$API" "$SCRATCH/parent" > "$SCRATCH/keyring"
case_krhit >/dev/null
p0=$(posts)
interleaved "$RUNS" case_hit case_libsecret case_krhit case_floor
hit_posts=$(( $(posts) - p0 ))
hit=$M_case_hit lib=$M_case_libsecret krhit=$M_case_krhit floor=$M_case_floor
# the same keyring hit where a process has no session keyring of its own: a fresh user-session
# keyring (a new user namespace, as with-secret-service gives), first get minting, then hits
p0=$(posts)
nosk=$(HOSTPORT=$HOSTPORT LT_BENCH_NOSK=$SCRATCH RUNS=$RUNS LT_BENCH_INSIDE=1 LT_WSS_USERNS= LT_SESSION_KEYRING=none \
    "$WSS" bash "$0" "$B" 2>/dev/null)
nosk_posts=$(( $(posts) - p0 ))
krnosk=${nosk% *} libnosk=${nosk#* }

# a cold mint (cache = none: parent file, one POST, ledger) vs one bare curl POST; and the same
# with the state dir on tmpfs, as XDG_RUNTIME_DIR (/run/user/UID) is on a login (the runner's
# runtime dir here is on the scratch disk)
shm=$(mktemp -d /dev/shm/lt-bench.XXXXXX 2>/dev/null) && chmod 700 "$shm" || shm=
p0=$(posts)
if [ -n "$shm" ]; then
    interleaved "$RUNS" case_cold case_cold_shm case_curl
    cold_shm=$M_case_cold_shm
    rm -rf "$shm"
    shm=1
else
    interleaved "$RUNS" case_cold case_curl
fi
cold=$M_case_cold curlp=$M_case_curl
mints=$(( RUNS * (${shm:+1} + 1) ))
cold_posts=$(( $(posts) - p0 - RUNS )) # (curl's own POSTs taken out)
# where a cold mint's time goes: --debug's step line, median per step
i=0
: > "$SCRATCH/steps"
while [ $i -lt "$RUNS" ]; do
    "$B/linode-token" --debug --config "$SCRATCH/nocache" --parent-token-file "$SCRATCH/parent" \
        get --scopes linodes:read_only 2>&1 >/dev/null | sed -n 's/.*steps (ms): //p' >> "$SCRATCH/steps"
    i=$((i + 1))
done
step_median() { sed -n "s/.*\\b$1 \\([0-9.]*\\).*/\\1/p" "$SCRATCH/steps" | median; }

# 64 parallel gets of one profile, cold (a new session each round, so nothing is cached), against
# 64 parallel cache hits (a session warmed first): what waiting for one mint costs. Alternating
# rounds, medians.
PAR_RUNS=${PAR_RUNS:-7}
par64() { # par64 SESSION: wall ms of 64 parallel gets
    t0=${EPOCHREALTIME/./}
    pids=""
    i=0
    while [ $i -lt 64 ]; do
        LINODE_TOKEN_SESSION=$1 "$B/linode-token" get --profile par > "$SCRATCH/gets/$i" 2>&1 & pids="$pids $!"
        i=$((i + 1))
    done
    wait $pids
    echo $(( (${EPOCHREALTIME/./} - t0) / 1000 ))
}
LINODE_TOKEN_SESSION=warm "$B/linode-token" get --profile par >/dev/null 2>&1
: > "$SCRATCH/cold.ms"; : > "$SCRATCH/hits.ms"
p0=$(posts)
par_tokens=0 par_failed=0
: > "$SCRATCH/par.failures"; mkdir "$SCRATCH/gets" # (what each of the 64 gets printed)
tally() { # tally [cold]: every get of the round that printed no token (a cold round: distinct tokens)
    [ -z "${1:-}" ] || par_tokens=$((par_tokens + $(cat "$SCRATCH"/gets/* | grep -E '^[0-9a-f]{64}$' | sort -u | wc -l)))
    for f in "$SCRATCH"/gets/*; do
        grep -qE '^[0-9a-f]{64}$' "$f" || par_failed=$((par_failed + 1))
        grep -vE '^[0-9a-f]{64}$' "$f" | head -c 300 >> "$SCRATCH/par.failures" # (whatever else it said)
    done
}
r=0
while [ $r -lt "$PAR_RUNS" ]; do
    par64 "cold$r" >> "$SCRATCH/cold.ms"
    tally cold
    par64 warm >> "$SCRATCH/hits.ms"
    tally
    r=$((r + 1))
done
par_posts=$(( $(posts) - p0 ))
par_ms=$(median < "$SCRATCH/cold.ms")
hits_ms=$(median < "$SCRATCH/hits.ms")

# end-session revoking 100 tokens against a fake with 50 ms latency: parallel vs sequential
FAKE1=$FAKE_PID URL1=$FAKE_URL
fake_launch "$SCRATCH/port2" /dev/null --latency-ms 50 --token "$PARENT=*" --no-class-rate-limits || { echo "bench: the slow fake did not start"; exit 1; }
FAKE2=$FAKE_PID API2="$FAKE_URL/v4"
FAKE_PID=$FAKE1 FAKE_URL=$URL1
printf '[general]\napi_url = %s\nallow_insecure_loopback = true\ncache = none\n' "$API2" > "$SCRATCH/slow"
fill_session() { # mint 100 tokens into session $1, 20 at a time
    k=0
    while [ $k -lt 100 ]; do
        pids=""
        j=0
        while [ $j -lt 20 ]; do
            LINODE_TOKEN_SESSION=$1 "$B/linode-token" --config "$SCRATCH/slow" --parent-token-file "$SCRATCH/parent" \
                get --scopes linodes:read_only >/dev/null 2>&1 &
            pids="$pids $!"
            j=$((j + 1))
        done
        wait $pids
        k=$((k + 20))
    done
}
end_ms() { # end-session $1 with --max-parallel $2: wall ms
    t0=${EPOCHREALTIME/./}
    "$B/linode-token" --config "$SCRATCH/slow" --parent-token-file "$SCRATCH/parent" end-session --session "$1" \
        --max-parallel "$2" >/dev/null 2>&1
    echo $(( (${EPOCHREALTIME/./} - t0) / 1000 ))
}
REV_RUNS=${REV_RUNS:-3}
: > "$SCRATCH/par.ms"; : > "$SCRATCH/seq.ms"
r=0
while [ $r -lt "$REV_RUNS" ]; do
    fill_session "bp$r"; end_ms "bp$r" 50 >> "$SCRATCH/par.ms"
    fill_session "bs$r"; end_ms "bs$r" 1 >> "$SCRATCH/seq.ms"
    r=$((r + 1))
done
left=$(curl -s "${API2%/v4}/__fake/tokens" | jq '[.[] | select(.label | startswith("lt2:")) | select(.revoked | not)] | length')
kill $FAKE2
rev_par=$(median < "$SCRATCH/par.ms")
rev_seq=$(median < "$SCRATCH/seq.ms")

echo "| case | runs | median (ms) | baseline | baseline median (ms) | ratio | POSTs |"
echo "|---|---|---|---|---|---|---|"
echo "| cache hit: \`git-credential-linode get\` | $RUNS | $hit | \`git-credential-libsecret get\`, same keyring | $lib | $(ratio "$hit" "$lib") | $hit_posts |"
echo "| cache hit, \`cache = keyring\`: \`git-credential-linode get\` | $RUNS | $krhit | \`git-credential-libsecret get\`, same keyring | $lib | $(ratio "$krhit" "$lib") | $hit_posts (both hit rows) |"
echo "| cache hit, \`cache = keyring\`, no session keyring of its own (cron, CI): \`git-credential-linode get\` | $RUNS | $krnosk | \`git-credential-libsecret get\`, same run | $libnosk | $(ratio "$krnosk" "$libnosk") | $nosk_posts for 1 + $RUNS gets (the first mints) |"
echo "| cold mint: \`linode-token get\` (cache none), state on disk | $RUNS | $cold | one \`curl\` POST to the same fake | $curlp | $(ratio "$cold" "$curlp") | $cold_posts for $mints mints (both cold rows) |"
[ -n "$shm" ] && echo "| cold mint, state on tmpfs (as in /run/user/UID) | $RUNS | $cold_shm | one \`curl\` POST to the same fake | $curlp | $(ratio "$cold_shm" "$curlp") | |"
echo "| 64 parallel \`linode-token get\`, cold (new session) | $PAR_RUNS | $par_ms (wall) | 64 parallel cache hits (warm session) | $hits_ms (wall) | $(ratio "$par_ms" "$hits_ms") | $par_posts for $PAR_RUNS rounds ($par_tokens distinct tokens handed out, $par_failed of $((PAR_RUNS * 128)) gets failed) |"
echo "| (harness floor: \`/bin/true\` through the same loop) | $RUNS | $floor | | | | |"
[ -s "$SCRATCH/par.failures" ] && { echo; echo "What the parallel gets printed besides tokens:"; sed 's/^/    /' "$SCRATCH/par.failures"; }
echo
echo "| cold mint, step (\`--debug\`) | session | lookup | ready (store) | lock | parent | intent | POST (loading libcurl first) | record | drain | total in the library |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
echo "| median (ms), $RUNS mints | $(step_median session) | $(step_median lookup) | $(step_median ready) | $(step_median lock) | $(step_median parent) | $(step_median intent) | $(step_median post) | $(step_median record) | $(step_median drain) | $(step_median total) |"
echo
echo "| end-session, 100 tokens, fake at --latency-ms 50 | runs | median wall (ms) | round trips (50 ms) | live tokens left |"
echo "|---|---|---|---|---|"
echo "| parallel (--max-parallel 50, one curl multi) | $REV_RUNS | $rev_par | $(awk -v a="$rev_par" 'BEGIN {printf "%.1f", a / 50}') | $left |"
echo "| sequential baseline (--max-parallel 1) | $REV_RUNS | $rev_seq | $(awk -v a="$rev_seq" 'BEGIN {printf "%.1f", a / 50}') | |"
echo "| ratio parallel / sequential | | $(ratio "$rev_par" "$rev_seq") | | |"
