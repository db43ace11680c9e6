#!/bin/sh
# bench/run.sh [BUILD_DIR] - medians, side by side in one run, against the bundled fake API and a
# private keyring. Prints a Markdown table. Not part of make check (timings are not assertions).
set -u
B=$(cd "${1:-build}" && pwd)
S=$(cd "$(dirname "$0")/.." && pwd)
WSS="$S/../shared/tools/with-secret-service"
if [ -z "${LT_BENCH_INSIDE:-}" ]; then
    LT_BENCH_INSIDE=1 exec "$WSS" sh "$0" "$B"
fi
RUNS=${RUNS:-25}
SCRATCH=$(mktemp -d)
FAKE_PID=
trap '[ -n "$FAKE_PID" ] && kill $FAKE_PID 2>/dev/null; rm -rf "$SCRATCH"' EXIT
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
# time_runs N CMD...: one line per run, in ms (stdin for each run from $INPUT when set)
time_runs() {
    n=$1; shift
    i=0
    while [ $i -lt "$n" ]; do
        t0=$(now_ms)
        if [ -n "${INPUT:-}" ]; then printf '%b' "$INPUT" | "$@" >/dev/null 2>&1; else "$@" >/dev/null 2>&1; fi
        echo $(( $(now_ms) - t0 ))
        i=$((i + 1))
    done
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }

PARENT=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
"$B/linode-fake-api" --port-file "$SCRATCH/port" --token "$PARENT=*" 2>/dev/null &
FAKE_PID=$!
while [ ! -s "$SCRATCH/port" ]; do sleep 0.05; done
FAKE_URL="http://127.0.0.1:$(cat "$SCRATCH/port")"
API="$FAKE_URL/v4"
mkdir -p "$XDG_CONFIG_HOME/linode-token"
cat > "$XDG_CONFIG_HOME/linode-token/config" <<EOC
[general]
api_url = $API
allow_insecure_loopback = true
[profile default]
scopes = linodes:read_only
[profile par]
scopes = volumes:read_only
EOC
printf '[general]\napi_url = %s\nallow_insecure_loopback = true\ncache = none\n' "$API" > "$SCRATCH/nocache"
printf '%s' "$PARENT" > "$SCRATCH/parent"; chmod 600 "$SCRATCH/parent"
echo "$PARENT" | "$B/linode-token" login >/dev/null
posts() { curl -s "$FAKE_URL/__fake/requests" | jq '[.[] | select(.method == "POST")] | length'; }

# git's own libsecret helper, built from Debian's copy of git's contrib tree
cc -O2 -o "$SCRATCH/git-credential-libsecret" /usr/share/doc/git/contrib/credential/libsecret/git-credential-libsecret.c \
    $(pkg-config --cflags --libs libsecret-1 glib-2.0) 2>/dev/null || { echo "cannot build git-credential-libsecret"; exit 1; }
printf 'protocol=https\nhost=example.com\nusername=u\npassword=%s\n\n' "$PARENT" | "$SCRATCH/git-credential-libsecret" store >/dev/null

# warm the cache once, then measure hits
HOSTPORT=${FAKE_URL#http://}
printf 'protocol=http\nhost=%s\n\n' "$HOSTPORT" | "$B/git-credential-linode" get >/dev/null
p0=$(posts)
hit=$(INPUT="protocol=http\nhost=$HOSTPORT\n\n" time_runs "$RUNS" "$B/git-credential-linode" get | median)
hit_posts=$(( $(posts) - p0 ))
lib=$(INPUT="protocol=https\nhost=example.com\n\n" time_runs "$RUNS" "$SCRATCH/git-credential-libsecret" get | median)

# a cold mint (cache = none: parent file, one POST, ledger) vs one bare curl POST
p0=$(posts)
cold=$(INPUT="" time_runs "$RUNS" "$B/linode-token" --config "$SCRATCH/nocache" --parent-token-file "$SCRATCH/parent" \
    get --scopes linodes:read_only | median)
cold_posts=$(( $(posts) - p0 ))
curlp=$(INPUT="" time_runs "$RUNS" curl -s -o /dev/null -H "Authorization: Bearer $PARENT" \
    -d '{"label":"bench","scopes":"linodes:read_only"}' "$API/profile/tokens" | median)

# 64 parallel gets of one profile, cold
p0=$(posts)
t0=$(now_ms)
pids=""
i=0
while [ $i -lt 64 ]; do "$B/linode-token" get --profile par > "$SCRATCH/par.$i" 2>&1 & pids="$pids $!"; i=$((i + 1)); done
wait $pids
par_ms=$(( $(now_ms) - t0 ))
par_posts=$(( $(posts) - p0 ))
par_tokens=$(cat "$SCRATCH"/par.* | sort -u | wc -l)

echo "| case | runs | median (ms) | baseline | baseline median (ms) | ratio | POSTs |"
echo "|---|---|---|---|---|---|---|"
echo "| cache hit: \`git-credential-linode get\` | $RUNS | $hit | \`git-credential-libsecret get\`, same keyring | $lib | $(ratio "$hit" "$lib") | $hit_posts |"
echo "| cold mint: \`linode-token get\` (cache none) | $RUNS | $cold | one \`curl\` POST to the same fake | $curlp | $(ratio "$cold" "$curlp") | $cold_posts for $RUNS mints |"
echo "| 64 parallel \`linode-token get\`, cold | 1 | $par_ms (wall) | | | | $par_posts ($par_tokens distinct token) |"
