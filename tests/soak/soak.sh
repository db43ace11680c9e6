#!/bin/sh
# SPDX-License-Identifier: MIT
# soak.sh BUILD_DIR [SESSIONS] - many sessions against a fake API that misbehaves: random latency
# and 5% of requests failing (carried out but unanswered, 503, dropped). Sessions mix `get`,
# `git credential fill`, `exec` and PAM open/close (through pam_wrapper); one in ten of their
# processes is SIGKILLed at a random moment, and some exec sessions are still running when reap
# runs. Then, as a logout would: the running sessions end, end-session --all, reap, reap --system.
# Prints a Markdown table and exits 1 unless both must-be-zero figures are 0:
#   live tokens left whose session ended, and live tokens of running sessions revoked by reap.
# Runs inside its own private Secret Service and kernel keyring (build-aux/with-secret-service).
set -u
B=$(cd "${1:?usage: soak.sh BUILD_DIR [SESSIONS]}" && pwd)
N=${2:-1000}
S=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${LT_SOAK_INSIDE:-}" ]; then
    LT_SOAK_INSIDE=1 exec "$S/build-aux/with-secret-service" sh "$0" "$@"
fi
PAR=${SOAK_PARALLEL:-8}
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/lt-soak.XXXXXX")
FAKE_PID=
RUNNING_PIDS=
cleanup() {
    for p in $RUNNING_PIDS; do kill "$p" 2>/dev/null; done
    [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null
    rm -rf "$SCRATCH"
}
trap cleanup EXIT
. "$S/build-aux/fake.sh"
P=p000000000000000000000000000000000000000000000000000000000000001
# --no-class-rate-limits: the soak is about chaos; test-fleet and bench/fleet.sh are about the limits
fake_launch "$SCRATCH/port" "$SCRATCH/fake.log" --token "$P=*" --jitter-ms 30 --chaos 5 --no-class-rate-limits ||
    { echo "soak: the fake API did not start" >&2; exit 1; }
API="$FAKE_URL/v4"
HOSTPORT=${FAKE_URL#http://}
LT="$B/linode-token"
GCL="$B/git-credential-linode"
(umask 077 && printf '%s\n' "$P" > "$SCRATCH/parent")
fake_config "$XDG_CONFIG_HOME/linode-token/config" "parent_token_file = $SCRATCH/parent" "cache = keyring" <<EOF
[profile default]
scopes = linodes:read_only
EOF

# PAM through pam_wrapper, as test-pam.sh does (one PAM run at a time on the machine)
PAM_OK=0
if [ -f "$B/pam_linode_token.so" ] && [ -x "$B/pamdrv" ] && ! nm -D "$B/pam_linode_token.so" | grep -q __asan_init; then
    PAM_OK=1
    mkdir -p "$SCRATCH/svc" "$SCRATCH/run" "$SCRATCH/queue"
    printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000:Alice:/nonexistent:/bin/sh\n' > "$SCRATCH/passwd"
    printf 'root:x:0:\nalice:x:1000:\n' > "$SCRATCH/group"
    printf 'session required %s parent_token_file=%s api_url=%s allow_insecure_loopback state_dir=%s queue_dir=%s scopes=linodes:read_only ttl=1h timeout=3 close_timeout=3\nsession optional pam_permit.so\n' \
        "$B/pam_linode_token.so" "$SCRATCH/parent" "$API" "$SCRATCH/run" "$SCRATCH/queue" > "$SCRATCH/svc/soak"
# what reap --system reads: the module's configuration file (pam_linode_token(8))
(umask 077 && printf 'parent_token_file=%s\nallow_insecure_loopback\nstate_dir=%s\nqueue_dir=%s\n' \
    "$SCRATCH/parent" "$SCRATCH/run" "$SCRATCH/queue" > "$SCRATCH/pam.conf")
fi
pam() { # MODE
    flock -w 300 /tmp timeout 60 env LD_PRELOAD="libpam_wrapper.so libnss_wrapper.so" \
        PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$SCRATCH/svc" NSS_WRAPPER_PASSWD="$SCRATCH/passwd" \
        NSS_WRAPPER_GROUP="$SCRATCH/group" "$B/pamdrv" soak alice "$1"
}

# One session: its operation, and one time in ten a SIGKILL at a random moment.
session() { # I
    i=$1
    r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
    case $((i % 4)) in
    0) set -- env LINODE_TOKEN_SESSION="soak-$i" "$LT" --timeout 3s get --scopes "linodes:read_only" ;;
    1) set -- sh -c "printf 'protocol=http\nhost=$HOSTPORT\n\n' | LINODE_TOKEN_SESSION=soak-$i '$GCL' get" ;;
    2) set -- "$LT" --timeout 3s exec --scopes "domains:read_only" -- sleep "0.$((r % 3))" ;;
    3) if [ $PAM_OK = 1 ]; then set -- pam same; else set -- "$LT" --timeout 3s exec --scopes events:read_only -- true; fi ;;
    esac
    if [ $((r % 10)) -eq 0 ]; then
        "$@" >/dev/null 2>&1 &
        p=$!
        sleep "0.$(( (r / 10) % 300 ))" 2>/dev/null || sleep 0.1
        kill -KILL $p 2>/dev/null
        wait $p 2>/dev/null
        echo killed
    else
        "$@" >/dev/null 2>&1
        echo "rc=$?"
    fi
}

t0=$(date +%s)
i=0
running=0
while [ $i -lt "$N" ]; do
    # one exec session in twenty keeps running through the reap (a job still at work)
    if [ $((i % 20)) -eq 7 ]; then
        "$LT" --timeout 3s exec --scopes "images:read_only" -- sleep 300 >/dev/null 2>&1 &
        RUNNING_PIDS="$RUNNING_PIDS $!"
        running=$((running + 1))
        i=$((i + 1))
        continue
    fi
    session "$i" >> "$SCRATCH/results" &
    i=$((i + 1))
    while [ "$(jobs -p | wc -l)" -ge $((PAR + running)) ]; do sleep 0.05; done
done
# wait for the sessions, not the jobs that keep running
while [ "$(jobs -p | wc -l)" -gt "$running" ]; do sleep 0.1; done
sleep 1
killed=$(grep -c killed "$SCRATCH/results")
t1=$(date +%s)

# The running jobs' tokens, as the fake has them (their sessions are ~x<pid>-...)
live_labels() { curl -sS "$FAKE_URL/__fake/tokens" | jq -r '.[] | select(.label | startswith("lt2:")) | select((.revoked | not) and (.expired | not)) | .label'; }
# (only wrappers still running: one whose mint failed has exited, and its session has ended)
ALIVE=
for p in $RUNNING_PIDS; do kill -0 "$p" 2>/dev/null && ALIVE="$ALIVE $p"; done
run_tokens() {
    for p in $ALIVE; do live_labels | grep ":~x$p-"; done | sort -u
}
run_before=$(run_tokens | wc -l)

# The reap, while those jobs still run (chaos stays on: reap must be exact under faults too)
"$LT" reap >/dev/null 2>&1
"$LT" reap --system --pam-config "$SCRATCH/pam.conf" >/dev/null 2>&1
run_after=$(run_tokens | wc -l)
reaped_running=$((run_before - run_after))
still=0
for p in $ALIVE; do kill -0 "$p" 2>/dev/null && still=$((still + 1)); done
[ "$still" -eq "$(echo $ALIVE | wc -w)" ] || echo "soak: a running job ended during the reap; the count may be off" >&2

# Logout: the faults stop, the running jobs end (they revoke their own), every session ends.
curl -sS -X POST -d '{"pct":0}' "$FAKE_URL/__fake/chaos" >/dev/null
for p in $RUNNING_PIDS; do kill -TERM "$p" 2>/dev/null; done
for p in $RUNNING_PIDS; do wait "$p" 2>/dev/null; done
RUNNING_PIDS=
"$LT" end-session --all >/dev/null 2>&1
"$LT" reap >/dev/null 2>&1
"$LT" reap --system --pam-config "$SCRATCH/pam.conf" >/dev/null 2>&1
t2=$(date +%s)

reqs=$(curl -sS "$FAKE_URL/__fake/requests")
mints=$(curl -sS "$FAKE_URL/__fake/tokens" | jq '[.[] | select(.label | startswith("lt2:"))] | length')
revocations=$(curl -sS "$FAKE_URL/__fake/tokens" | jq '[.[] | select(.label | startswith("lt2:")) | select(.revoked)] | length')
deletes=$(printf '%s' "$reqs" | jq '[.[] | select(.method == "DELETE")] | length')
queue=$(grep -c . "$XDG_STATE_HOME/linode-token/pending-revocations" 2>/dev/null || true)
queue_pam=$(ls "$SCRATCH/queue" 2>/dev/null | wc -l)
left=$(live_labels | wc -l)

printf '| figure | value |\n|---|---|\n'
printf '| sessions | %d (%d exec jobs started to keep running, %d running at reap time) |\n' "$N" "$running" "$(echo $ALIVE | wc -w)"
printf '| processes SIGKILLed at a random moment | %d |\n' "$killed"
printf '| API requests (5%% failed at random while the sessions ran) | %d |\n' "$(printf '%s' "$reqs" | jq length)"
printf '| tokens minted (lt2 labels on the server) | %d |\n' "$mints"
printf '| tokens revoked | %d (%d DELETE requests) |\n' "$revocations" "$deletes"
printf '| revocations still queued at the end | %d (+%d PAM) |\n' "${queue:-0}" "$queue_pam"
printf '| seconds: sessions, then reap and logout | %d, %d |\n' "$((t1 - t0))" "$((t2 - t1))"
printf '| **live tokens left whose session ended** | **%d** |\n' "$left"
printf '| **live tokens of running sessions revoked by reap** | **%d** (of %d) |\n' "$reaped_running" "$run_before"
if [ "$left" -ne 0 ]; then
    echo "soak: live tokens left:" >&2
    live_labels >&2
fi
[ "$left" -eq 0 ] && [ "$reaped_running" -eq 0 ]
