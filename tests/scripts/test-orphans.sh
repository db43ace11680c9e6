#!/bin/sh
# SPDX-License-Identifier: MIT
# test-orphans.sh - no minted token outlives its session: write-ahead intents found by label,
# rollbacks that tell the truth, reap that spares what is not an orphan, ledgers and locks that
# cannot collide or lose an update, and the audit log. The real keyring, the fake API.
set -u
. "$(dirname "$0")/lib.sh"
need_secret_service "$@"

fake_with_parent
LT="$B/linode-token"
mkdir -p "$XDG_CONFIG_HOME/linode-token"
printf '[general]\napi_url = %s\nallow_insecure_loopback = true\n%s\n' "$API" "$CACHE_LINE" > "$XDG_CONFIG_HOME/linode-token/config"
run() { "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"; RC=$?; OUT=$(cat "$SCRATCH/out"); ERR=$(cat "$SCRATCH/err"); }
tokens() { fake_get /__fake/tokens; }
live_with() { tokens | jq --arg s "$1" '[.[] | select(.label | contains($s)) | select(.revoked | not) | select(.expired | not)] | length'; }
all_with() { tokens | jq --arg s "$1" '[.[] | select(.label | contains($s))] | length'; }
AUDIT="$XDG_STATE_HOME/linode-token/audit.log"
SECRETS="$SCRATCH/secrets"
: > "$SECRETS"
echo "$P" | "$LT" login >/dev/null 2>&1 || bail "login failed"

# --- a POST that times out here but succeeds on the server ---------------------------------------------------------
fake_fault '{"kind":"delay","method":"POST","delay_ms":2500}'
LINODE_TOKEN_SESSION=slow run "$LT" --timeout 1s get --scopes linodes:read_only
is "$RC" 4 "a POST that times out here: exit 4"
like "$ERR" "end-session or reap finds it by its label" "... and the message says what happens to a token made anyway"
sleep 2
is "$(live_with ":slow:")" 1 "the server created the token all the same"
grep -q '^\[intent ' "$XDG_RUNTIME_DIR/linode-token/sessions/slow"; ok $? "... and the session's ledger holds the intent (the label)"
run "$LT" end-session --session slow
is "$(live_with ":slow:")" 0 "end-session finds it by its label and revokes it"
like "$ERR" "1 revoked, 0 queued" "... and counts it"
[ ! -e "$XDG_RUNTIME_DIR/linode-token/sessions/slow" ]; ok $? "... and the ledger is gone"

# an answer lost after the server carried the POST out
fake_fault '{"kind":"commit_drop","method":"POST"}'
LINODE_TOKEN_SESSION=lost run "$LT" get --scopes linodes:read_only
is "$RC" 4 "a POST whose answer is lost after the server committed: exit 4"
is "$(live_with ":lost:")" 1 "... a live token nobody was handed"
run "$LT" reap --dry-run
like "$OUT" "Would spare token" "reap spares it while its chosen session may run (no pid to judge)"
is "$(live_with ":lost:")" 1 "... and revokes nothing"
run "$LT" end-session --session lost
is "$(live_with ":lost:")" 0 "end-session of that session revokes it"

# a POST dropped before the server did anything: the intent resolves to nothing
fake_fault '{"kind":"drop","method":"POST"}'
LINODE_TOKEN_SESSION=none run "$LT" --timeout 1s get --scopes linodes:read_only
is "$RC" 4 "a POST dropped before the server acted: exit 4"
sleep 2 # past the intent's deadline
run "$LT" end-session --session none
like "$OUT" "Resolved mint lt2:" "end-session resolves the intent"
like "$OUT" "the mint created no token" "... the mint created nothing"
is "$(all_with ":none:")" 0 "... and indeed there is none"

# an API error answer: nothing was created, no intent is left behind
fake_fault '{"kind":"status","method":"POST","status":400}'
LINODE_TOKEN_SESSION=err run "$LT" get --scopes linodes:read_only
is "$RC" 1 "a POST answered 400: exit 1"
[ ! -e "$XDG_RUNTIME_DIR/linode-token/sessions/err" ]; ok $? "... and no intent is left (the answer says nothing was created)"

# --- a rollback that fails is queued, and said to be ---------------------------------------------------------------
body='{"id":9999,"label":"x","scopes":"linodes:read_only","created":"2026-01-01T00:00:00","expiry":"2099-01-01T00:00:00","token":"bad token!"}'
fake_fault "$(jq -cn --arg b "$body" '{kind: "status", method: "POST", status: 200, body: $b}')"
fake_fault '{"kind":"status","method":"DELETE","status":500,"count":10}'
LINODE_TOKEN_SESSION=rb run "$LT" get --scopes linodes:read_only
is "$RC" 1 "an unusable create answer, and the rollback DELETE fails: exit 1"
like "$ERR" "token 9999 could not be revoked" "... says the rollback failed"
like "$ERR" "queued for revocation" "... and that the token is queued"
unlike "$ERR" "revoked again" "... never that it was revoked"
grep -q '^9999 ' "$XDG_STATE_HOME/linode-token/pending-revocations"; ok $? "... and it is in the queue"
curl -sS -X DELETE "$FAKE_URL/__fake/faults" >/dev/null
run "$LT" end-session --session nothing
[ ! -s "$XDG_STATE_HOME/linode-token/pending-revocations" ]; ok $? "the next run drains it (a 404 counts: it is gone)"

# --- reap: what is not an orphan is spared ------------------------------------------------------------------------
for s in s3-sync x86-build; do                 # chosen ids that look like the old derived ones
    LINODE_TOKEN_SESSION=$s "$LT" get --scopes domains:read_only >> "$SECRETS"
done
env -u XDG_RUNTIME_DIR LINODE_TOKEN_SESSION=cron "$LT" get --scopes domains:read_only >> "$SECRETS"  # a cron job
[ -f "$TMPDIR/linode-token-$(id -u)/sessions/cron" ]; ok $? "a cron job without XDG_RUNTIME_DIR keeps its ledger in \$TMPDIR/linode-token-UID"
run "$LT" reap
is "$(live_with ":s3-sync:")$(live_with ":x86-build:")" 11 "reap spares the chosen sessions s3-sync and x86-build"
is "$(live_with ":cron:")" 1 "... and the cron job's token (its ledger is in the other state dir)"
run "$LT" reap --dry-run
like "$OUT" ": a chosen session: it ends with end-session only" "--dry-run says why each is spared"

# --- reap revokes only what is known orphaned: unknown means keep ----------------------------------------------------
# a CI job that keeps its ledger under a TMPDIR of its own, still running
mkdir -m 700 "$SCRATCH/jobtmp"
env -u XDG_RUNTIME_DIR TMPDIR="$SCRATCH/jobtmp" LINODE_TOKEN_SESSION=ci-job "$LT" get --scopes lke:read_only >> "$SECRETS"
# a job on another host (a container) of the same host name: its derived session's pid means nothing here
HOSTF=$(tokens | jq -r '[.[] | select(.label | contains(":ci-job:"))][0].label' | cut -d: -f2)
USERF=$(tokens | jq -r '[.[] | select(.label | contains(":ci-job:"))][0].label' | cut -d: -f3)
papi -d "{\"label\":\"lt2:$HOSTF:$USERF:adhoc:~s999999-1:0000000a\",\"scopes\":\"events:read_only\"}" "$API/profile/tokens" >/dev/null
run "$LT" reap --dry-run
like "$OUT" ":ci-job:" "reap --dry-run names the job whose ledger is under another TMPDIR"
like "$(printf '%s\n' "$OUT" | grep ':ci-job:')" "Would spare token" "... and spares it"
like "$(printf '%s\n' "$OUT" | grep ':ci-job:')" "unknown, so kept: no ledger of this user on this machine records it (its job may keep its ledger under another TMPDIR" \
    "... saying why"
like "$(printf '%s\n' "$OUT" | grep ':~s999999-1:')" "Would spare token" "... and spares the other host's token, whose session pid is gone here"
run "$LT" reap
is "$(live_with ":ci-job:")$(live_with ":~s999999-1:")" 11 "reap keeps both live"
run env -u XDG_RUNTIME_DIR TMPDIR="$SCRATCH/jobtmp" "$LT" end-session --session ci-job
is "$(live_with ":ci-job:")" 0 "(the job ends its own session)"
papi -X DELETE "$API/profile/tokens/$(tokens | jq -r '[.[] | select(.label | contains(":~s999999-1:"))][0].id')" >/dev/null

# --- sessions named like files we keep elsewhere -----------------------------------------------------------------------
LINODE_TOKEN_SESSION=deploy.lock "$LT" get --scopes events:read_only >> "$SECRETS"
LINODE_TOKEN_SESSION=deploy "$LT" get --scopes events:read_only >> "$SECRETS"
run env LINODE_TOKEN_SESSION=.hidden "$LT" get --scopes events:read_only
is "$RC" 2 "a session id starting with . is refused"
run env LINODE_TOKEN_SESSION='~s1-1' "$LT" get --scopes events:read_only
is "$RC" 2 "a chosen id cannot enter the derived namespace (~)"

# --- parallel writers of one ledger lose nothing ------------------------------------------------------------------------
pids=""
for s in account databases domains events firewall images ips linodes lke longview monitor nodebalancers \
         object_storage stackscripts volumes child_account; do
    LINODE_TOKEN_SESSION=par16 "$LT" get --scopes "$s:read_only" >> "$SCRATCH/par16" 2>&1 &
    pids="$pids $!"
done
wait $pids
cat "$SCRATCH/par16" >> "$SECRETS"
is "$(grep -c '^\[token ' "$XDG_RUNTIME_DIR/linode-token/sessions/par16")" 16 "16 parallel mints in one session: 16 ledger entries"
[ -e "$XDG_RUNTIME_DIR/linode-token/locks/ledger.par16" ]; ok $? "... the ledger's lock lives apart, in locks/ (and stays)"
grep -q '^\[token ' "$XDG_RUNTIME_DIR/linode-token/sessions/deploy.lock"; ok $? "the session deploy.lock has a ledger, not a lock"

# --- end-session --all: every ledger, in every state dir ---------------------------------------------------------------
run "$LT" end-session --all
is "$RC" 0 "end-session --all"
is "$(live_with ":deploy.lock:")$(live_with ":deploy:")$(live_with ":cron:")$(live_with ":par16:")" 0000 \
    "... ends deploy.lock, deploy, the cron job's and par16's"
is "$(tokens | jq '[.[] | select(.label | startswith("lt2:")) | select(.revoked | not) | select(.expired | not)] | length')" 0 \
    "... no minted token is left alive"

# --- the audit log ----------------------------------------------------------------------------------------------------
[ -f "$AUDIT" ] && [ "$(stat -c %a "$AUDIT")" = 600 ]; ok $? "the audit log exists, 0600"
jq -e . "$AUDIT" >/dev/null; ok $? "... every line is JSON"
for a in mint revoke queue resolve; do
    is "$(jq -r --arg a "$a" 'select(.action == $a) | .action' "$AUDIT" | head -n 1)" "$a" "... it records '$a'"
done
is "$(jq -r 'select(.detail == "drain" and .outcome == "revoked") | .id' "$AUDIT" | head -n 1)" 9999 "... and the drain that revoked 9999"
is "$(jq -r 'select(.detail == "reap") | .action' "$AUDIT" | head -n 1)$(jq -r 'select(.action == "mint" and .outcome == "unknown") | .outcome' "$AUDIT" | head -n 1)" "unknown" \
    "... (this reap revoked nothing) and the mint whose answer never came"
found=0
while read -r s; do
    [ ${#s} -eq 64 ] || continue
    grep -qF -e "$s" -e "$(printf %s "$s" | cut -c1-16)" "$AUDIT" && found=$((found + 1))
done < "$SECRETS"
grep -qF "$P" "$AUDIT" && found=$((found + 1))
is "$found" 0 "no token, no 16-character prefix and not the parent in the audit log ($(grep -c . "$SECRETS") canaries)"
run "$LT" audit --session slow
is "$(printf '%s\n' "$OUT" | sed 1d | awk '{print $5}' | sort -u | tr '\n' ' ')" "slow " "audit --session slow: only that session"
like "$OUT" "revoke" "... with its revocation"
run "$LT" audit --json --since 1h
is "$(printf '%s\n' "$OUT" | jq -s length)" "$(grep -c . "$AUDIT")" "audit --json --since 1h: every line"
run "$LT" audit --since 2099-01-01T00:00:00
is "$(printf '%s\n' "$OUT" | sed 1d | grep -c .)" 0 "audit --since a time to come: nothing"
head -c 1100000 /dev/zero | tr '\0' ' ' >> "$AUDIT"; echo >> "$AUDIT"
LINODE_TOKEN_SESSION=rot "$LT" get --scopes events:read_only >/dev/null
[ -f "$AUDIT.1" ] && [ "$(stat -c %s "$AUDIT")" -lt 10000 ]; ok $? "past 1 MiB the log moves to audit.log.1 and starts anew"
"$LT" end-session --session rot >/dev/null 2>&1

# --- a mint whose request never left the machine created nothing, and leaves nothing ----------------------------------
LINODE_TOKEN_SESSION=offline "$LT" get --scopes lke:read_only >/dev/null # the parent's facts are known from now on
"$LT" end-session --session offline >/dev/null 2>&1
q0=$(cat "$XDG_STATE_HOME/linode-token/pending-revocations" 2>/dev/null | wc -l)
stop_fake
LINODE_TOKEN_SESSION=offline run "$LT" get --scopes lke:read_only
is "$RC" 4 "the API refusing connections: get exits 4"
like "$ERR" "(nothing was sent)" "... and says nothing was sent"
unlike "$ERR" "finds it by its label" "... not that a token may have been made"
[ ! -e "$XDG_RUNTIME_DIR/linode-token/sessions/offline" ] || ! grep -q '^\[intent ' "$XDG_RUNTIME_DIR/linode-token/sessions/offline"
ok $? "... and leaves no intent in the ledger (settled: not created)"
is "$(cat "$XDG_STATE_HOME/linode-token/pending-revocations" 2>/dev/null | wc -l)" "$q0" "... nor anything queued"
done_testing
