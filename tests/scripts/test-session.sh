#!/bin/sh
# SPDX-License-Identifier: MIT
# test-session.sh - every minted token dies with its session: exec, end-session, reap, the pending
# queue; against the fake API and the real keyring, asserting which tokens the fake still has alive.
set -u
. "$(dirname "$0")/lib.sh"
need_secret_service "$@"

fake_with_parent
LT="$B/linode-token"
mkdir -p "$XDG_CONFIG_HOME/linode-token"
printf '[general]\napi_url = %s\nallow_insecure_loopback = true\n%s\n[profile default]\nscopes = linodes:read_only\n' "$API" "$CACHE_LINE" \
    > "$XDG_CONFIG_HOME/linode-token/config"
echo "$P" | "$LT" login >/dev/null 2>&1 || bail "login failed"
run() { "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"; RC=$?; OUT=$(cat "$SCRATCH/out"); ERR=$(cat "$SCRATCH/err"); }
tokens() { fake_get /__fake/tokens; }
live_with() { tokens | jq --arg s "$1" '[.[] | select(.label | contains($s)) | select(.revoked | not)] | length'; }
revoked_with() { tokens | jq --arg s "$1" '[.[] | select(.label | contains($s)) | select(.revoked)] | length'; }
SECRETS="$SCRATCH/secrets"; : > "$SECRETS"

# --- exec ----------------------------------------------------------------------------------------------
run "$LT" exec --scopes domains:read_only -- sh -c 'printf "%s" "$LINODE_TOKEN" > "$0"; [ "$LINODE_TOKEN" = "$LINODE_CLI_TOKEN" ]' "$SCRATCH/child-token"
is "$RC" 0 "exec: the command's exit status (0)"
T=$(cat "$SCRATCH/child-token"); echo "$T" >> "$SECRETS"
is "${#T}" 64 "exec: the command sees LINODE_TOKEN (and LINODE_CLI_TOKEN, the same)"
is "$(tokens | jq --arg p "$(printf %s "$T" | cut -c1-16)" '[.[] | select(.revoked)] | length')" 1 \
    "exec: revoked on a normal exit"
run "$LT" exec --scopes domains:read_only -- sh -c 'exit 7'
is "$RC" 7 "exec: a non-zero exit status is passed through (7)"
run "$LT" exec --scopes domains:read_only -- sh -c 'kill -TERM $$'
is "$RC" 143 "exec: a command ended by SIGTERM gives 128+15"
run "$LT" exec --scopes domains:read_only --env MY_TOKEN -- sh -c 'test -n "$MY_TOKEN" && test -z "$LINODE_TOKEN"'
is "$RC" 0 "exec --env MY_TOKEN: the token in the named variable only"
# a signal to the wrapper reaches the command, and the token is still revoked
"$LT" exec --scopes domains:read_only -- sh -c 'trap "kill \$!; echo got-term > \"$0\"; exit 5" TERM; sleep 30 & wait' \
    "$SCRATCH/sig" </dev/null >/dev/null 2>&1 &
W=$!
sleep 1
kill -TERM $W
wait $W
WRC=$?
is "$WRC" 5 "exec forwards SIGTERM to the command (which exits 5)"
is "$(cat "$SCRATCH/sig" 2>/dev/null)" got-term "... the command received it"
is "$(tokens | jq '[.[] | select(.label | contains(":adhoc:~x")) | select(.revoked | not)] | length')" 0 \
    "every exec token is revoked: normal exit, non-zero exit, signal"
p0=$(count POST /v4/profile/tokens)
run "$LT" exec --scopes domains:read_only -- /nonexistent/program
is "$RC" 127 "exec of a missing program: 127"
like "$ERR" "cannot run /nonexistent/program: No such file or directory (nothing was minted)" "... says why"
is "$(count POST /v4/profile/tokens)" "$p0" "... before minting anything"
# the aws-vault habit: a profile named first
printf '[profile ops]\nscopes = linodes:read_only\n' >> "$XDG_CONFIG_HOME/linode-token/config"
run "$LT" exec ops -- true
is "$RC" 127 "exec ops -- true (ops is a profile, not a command): 127"
is "$ERR" "linode-token: exec: cannot run ops: no such command; ops is a profile: did you mean 'linode-token exec --profile ops -- true'?" \
    "... and suggests --profile ops"
is "$(count POST /v4/profile/tokens)" "$p0" "... having minted nothing (and so revoked nothing)"
run "$LT" exec nosuchcommand-lt
like "$ERR" "cannot run nosuchcommand-lt: no such command in PATH (nothing was minted)" "a word that is neither: says so"
is "$(count POST /v4/profile/tokens)" "$p0" "... with no POST"
run sh -c "echo 'printf \"%s %s %s\" \"\${#LINODE_TOKEN}\" \"\$LINODE_URL/\$LINODE_API_VERSION\" \"\$LINODE_TOKEN_EXPIRY\"' |
    SHELL=/bin/sh '$LT' exec --scopes domains:read_only"
is "$RC" 0 "exec without a command runs \$SHELL"
is "${OUT% *}" "64 $API" "... with the token, LINODE_URL and LINODE_API_VERSION"
[ "${OUT##* }" -gt "$(date +%s)" ]; ok $? "... and LINODE_TOKEN_EXPIRY, a time to come"
p0=$(count POST /v4/profile/tokens)
run "$LT" exec --scopes domains:read_only --env A=B -- true
is "$RC" 2 "exec --env A=B (not a variable name): exit 2"
like "$ERR" "--env: 'A=B' is not a variable name" "... says why"
is "$(count POST /v4/profile/tokens)" "$p0" "... before minting anything"
for v in LD_PRELOAD PATH BASH_ENV; do
    run "$LT" exec --scopes domains:read_only --env "$v" -- true
    is "$RC:$(count POST /v4/profile/tokens)" "2:$p0" "exec --env $v (the loader or a shell acts on it): exit 2, nothing minted"
done
like "$ERR" "--env: 'BASH_ENV' is read by the loader, libc or a shell" "... says why"
unlike "$ERR" "preloaded" "... and ld.so never saw a token"

# --- exec killed with SIGKILL: reap finds the token --------------------------------------------------------
# (the command writes its pid, keeps no pipe of the suite's open, and is killed once its wrapper is)
"$LT" exec --scopes domains:read_only -- sh -c 'echo $$ > "$0"; exec sleep 60' "$SCRATCH/orphan.pid" \
    </dev/null >/dev/null 2>&1 &
W=$!
sleep 1
kill -KILL $W
wait $W 2>/dev/null
kill "$(cat "$SCRATCH/orphan.pid")" 2>/dev/null
is "$(live_with ":adhoc:~x")" 1 "a SIGKILLed exec leaves its token alive"
run "$LT" reap --dry-run
like "$OUT" "Would revoke token" "reap --dry-run names it"
is "$(live_with ":adhoc:~x")" 1 "... and revokes nothing"
run "$LT" reap
is "$RC" 0 "reap"
is "$(live_with ":adhoc:~x")" 0 "reap revoked the killed wrapper's token"

# --- end-session: N tokens, in parallel -------------------------------------------------------------------
for s in account:read_only databases:read_only domains:read_only events:read_only firewall:read_only \
         images:read_only ips:read_only linodes:read_only lke:read_only volumes:read_only; do
    LINODE_TOKEN_SESSION=sess-a "$LT" get --scopes "$s" >> "$SECRETS" || bail "get $s failed"
done
is "$(live_with ":sess-a")" 10 "session sess-a minted 10 tokens"
led="$XDG_RUNTIME_DIR/linode-token/sessions/sess-a"
is "$(grep -c '^\[token ' "$led")" 10 "... all in its ledger"
run "$LT" end-session --session sess-a
is "$RC" 0 "end-session --session sess-a"
is "$(live_with ":sess-a")" 0 "the fake has 0 live tokens of that session"
is "$(printf '%s\n' "$OUT" | grep -c '^Revoked token')" 10 "... and it reports 10 revoked"
[ ! -e "$led" ]; ok $? "... and the ledger is gone"
dels=$(count DELETE "/v4/profile/tokens/$(tokens | jq '[.[] | select(.label | contains(":sess-a"))][0].id')")
run env LINODE_TOKEN_SESSION=sess-a "$LT" end-session
is "$RC" 0 "end-session again is harmless"
is "$(count DELETE "/v4/profile/tokens/$(tokens | jq '[.[] | select(.label | contains(":sess-a"))][0].id')")" "$dels" \
    "... and sends nothing"
LINODE_TOKEN_SESSION=sess-a "$LT" get >> "$SECRETS"
run env LINODE_TOKEN_SESSION=sess-a "$LT" get
is "$RC" 0 "after end-session, a new get in that session"
is "$(live_with ":sess-a")" 1 "... mints anew (the revoked token left the cache)"
"$LT" end-session --session sess-a >/dev/null 2>&1

# --- the ledger: a mint appends to it; a group cut short spoils nothing else ------------------------------
LINODE_TOKEN_SESSION=led-b "$LT" get --scopes account:read_only >> "$SECRETS"
led="$XDG_RUNTIME_DIR/linode-token/sessions/led-b"
ino=$(stat -c %i "$led")
LINODE_TOKEN_SESSION=led-b "$LT" get --scopes databases:read_only >> "$SECRETS"
is "$(stat -c %i "$led")" "$ino" "a second mint appends to the session's ledger (the same file, not rewritten)"
is "$(grep -c '^\[intent ' "$led") $(grep -c '^\[token ' "$led") $(grep -c '^nonce=' "$led")" "2 2 2" \
    "... each mint an intent, then its token naming the intent it settles"
[ "$(stat -c %a "$led")" = 600 ]; ok $? "... and the ledger is 0600"
# a crash of the machine in mid-append (in mid-key, so the file as a whole no longer parses)
printf '\n[token 999999]\nid=999999\nlab' >> "$led"
LINODE_TOKEN_SESSION=led-b "$LT" get --scopes domains:read_only >> "$SECRETS"
is "$(live_with ":led-b")" 3 "a mint after a group cut short: 3 tokens alive"
# a disk that fills up in mid-append (RLIMIT_FSIZE, its signal ignored: the write comes up short):
# the half group is taken back, and nothing is minted
size=$(stat -c %s "$led"); blocks=$(( (size + 12) / 512 + 1 ))
awk -v n=$(( blocks * 512 - 12 - size - 1 )) 'BEGIN {s = "#"; while (length(s) < n) s = s "p"; print s}' >> "$led"
size=$(stat -c %s "$led"); posts0=$(count POST /v4/profile/tokens)
run sh -c "trap '' XFSZ; ulimit -f $blocks; LINODE_TOKEN_SESSION=led-b '$LT' get --scopes events:read_only"
is "$RC" 1 "a ledger that cannot grow: get fails"
like "$ERR" "cannot write $led: short write" "... saying which file"
is "$(stat -c %s "$led")" "$size" "... and the half-written intent is taken back"
is "$(count POST /v4/profile/tokens)" "$posts0" "... and nothing was sent"
run "$LT" end-session --session led-b
is "$RC" 0 "end-session over that ledger"
is "$(printf '%s\n' "$OUT" | grep -c '^Revoked token')" 3 "... revokes the 3 tokens (the spoilt group skipped)"
is "$(printf '%s\n' "$OUT" | grep -c 'mint')" 0 "... and finds no mint unresolved (each token settled its intent)"
is "$(live_with ":led-b")" 0 "... none alive"
is "$(count DELETE /v4/profile/tokens/999999)" 0 "... and nothing is sent for the spoilt group"
[ ! -e "$led" ]; ok $? "... and the ledger is gone"

# --- end-session --all (what the systemd user unit runs at logout) -----------------------------------------
LINODE_TOKEN_SESSION=all-1 "$LT" get --scopes lke:read_only >> "$SECRETS"
LINODE_TOKEN_SESSION=all-2 "$LT" get --scopes lke:read_only >> "$SECRETS" # the same scopes: its own token
LINODE_TOKEN_SESSION=all-2 "$LT" get --scopes longview:read_only >> "$SECRETS"
is "$(live_with ":all-")" 3 "two sessions: one token in the first, two in the second (no sharing across sessions)"
run "$LT" end-session --all
is "$RC" 0 "end-session --all"
is "$(live_with ":all-")" 0 "... revokes every session's tokens"
is "$(ls "$XDG_RUNTIME_DIR/linode-token/sessions" | grep -c . )" 0 "... and leaves no ledger"
grep -q "ExecStop=@BINDIR@/linode-token end-session --all" "$S/build-aux/linode-token-session.service.in"
ok $? "the systemd user unit runs end-session --all at stop"

# --- the API failing at end-session: queued, then retried ----------------------------------------------------
for s in account:read_only databases:read_only domains:read_only; do
    LINODE_TOKEN_SESSION=sess-b "$LT" get --scopes "$s" >> "$SECRETS"
done
fake_fault '{"kind":"status","status":503,"method":"DELETE","count":1000}'
run "$LT" end-session --session sess-b
[ "$RC" -ne 0 ]; ok $? "end-session with the API failing exits non-zero ($RC)"
like "$ERR" "queued" "... and says the tokens were queued"
Q="$XDG_STATE_HOME/linode-token/pending-revocations"
is "$(wc -l < "$Q")" 3 "the pending queue holds the 3 ids"
is "$(stat -c %a "$Q")" 600 "... mode 0600"
is "$(live_with ":sess-b")" 3 "... still alive on the server"
run "$LT" status
like "$OUT" "Pending:      3 revocation(s) queued" "status shows the queue's length"
run "$LT" reap
is "$(wc -l < "$Q")" 3 "a run while the API still fails keeps them queued"
curl -sS -X DELETE "$FAKE_URL/__fake/faults" >/dev/null
run "$LT" end-session --session nothing-here
is "$RC" 0 "the next end-session (of any session) with the API back"
is "$(live_with ":sess-b")" 0 "... revoked the queued tokens"
like "$ERR" "end-session: 3 revoked, 0 queued" "... and counts them (not '0 revoked')"
[ ! -s "$Q" ]; ok $? "... and the queue is empty"
stop_fake
start_fake --token "$P=*" --listen "127.0.0.1:${FAKE_URL##*:}"   # a fresh fake on the same port: the API is back
FAKE_URL="http://127.0.0.1:${FAKE_URL##*:}"
run "$LT" exec --scopes domains:read_only -- true
is "$RC" 0 "exec with the API up"

# --- reap leaves what is not ours alone -----------------------------------------------------------------------
LINODE_TOKEN_SESSION=alive "$LT" get --scopes ips:read_only >> "$SECRETS"   # ours, a chosen session with a ledger
# this host and user as labels hold them (a long host name is a hash: take it from a real label)
HOSTF=$(tokens | jq -r '[.[] | select(.label | endswith(":alive") or contains(":alive:"))][0].label' | cut -d: -f2)
USERF=$(tokens | jq -r '[.[] | select(.label | contains(":alive:"))][0].label' | cut -d: -f3)
mk() { papi -d "{\"label\":\"$1\",\"scopes\":\"events:read_only\"}" "$API/profile/tokens" >/dev/null; }
mk "ci-token"                                   # another label format
mk "lt2:otherhost:$USERF:p:s999-1:00000001"     # another host
mk "lt2:$HOSTF:someoneelse:p:s999-1:00000002"   # another user
mk "lt3:$HOSTF:$USERF:p:s999-1:00000003"        # another format version
mk "lt2:$HOSTF:$USERF:pam:0123abcd:00000004"    # a PAM session's: root's to reap
mk "lt2:$HOSTF:$USERF:p:s999-1:00000005"        # ours by label, no ledger here: unknown, kept
mk "lt2:$HOSTF:$USERF:p:~x1-1:00000006"         # ... an exec wrapper gone here, no ledger (another host of this name?): kept
mk "lt1:$HOSTF:$USERF:p:s998-1"                 # ... in the first format, no ledger: kept
run "$LT" reap --dry-run
like "$OUT" "Would spare token $(tokens | jq -r '[.[] | select(.label | contains(":alive:"))][0].id') " \
    "reap --dry-run names what it spares"
like "$OUT" ": a chosen session: it ends with end-session only" "... and why"
like "$OUT" "lt2:$HOSTF:$USERF:p:~x1-1:00000006: unknown, so kept: no ledger of this user on this machine records it" \
    "... and why it keeps one whose session id means nothing here (no ledger)"
run "$LT" reap
is "$RC" 0 "reap with decoys"
is "$(printf '%s\n' "$OUT" | grep -c '^Revoked token')" 0 "... revokes none: nothing there is known orphaned"
for d in "ci-token" "lt2:otherhost:" "lt2:$HOSTF:someoneelse:" "lt3:" ":pam:" ":alive:"; do
    is "$(tokens | jq --arg d "$d" '[.[] | select(.label | contains($d)) | select(.revoked)] | length')" 0 "... leaves '$d' alone"
done
is "$(revoked_with ":$USERF:p:s999-1:")$(revoked_with ":~x1-1:")$(revoked_with ":s998-1")" 000 \
    "... and keeps the ones no ledger here records"

# --- no runtime dir (cron), and another user took /tmp/linode-token-UID first: the user's state dir serves ----
if [ "$(id -u)" = 0 ]; then
    sq="$SCRATCH/shared-tmp"
    mkdir -m 1777 "$sq" && mkdir -m 755 "$sq/linode-token-0" && chown 65534:65534 "$sq/linode-token-0"
    run env -u XDG_RUNTIME_DIR TMPDIR="$sq" LINODE_TOKEN_SESSION=squat "$LT" get --scopes events:read_only
    is "$RC:${#OUT}" "0:64" "no runtime dir, /tmp's name taken by another user: get still mints"
    [ -d "${XDG_STATE_HOME:-$HOME/.local/state}/linode-token/run" ]; ok $? "... keeping its state in the user's state dir"
    run env -u XDG_RUNTIME_DIR TMPDIR="$sq" LINODE_TOKEN_SESSION=squat "$LT" end-session
    is "$RC:$(live_with ":squat:")" "0:0" "... where end-session finds and revokes it"
else
    for i in 1 2 3; do T_N=$((T_N + 1)); echo "ok $T_N - # SKIP needs root to make a directory of another user's"; done
fi

# --- logout ends what the parent minted first, or keeps the parent and lists what is live --------------------------
for i in 1 2 3; do LINODE_TOKEN_SESSION=lo-$i "$LT" get --scopes events:read_only >> "$SECRETS"; done
fake_fault '{"kind":"status","status":503,"method":"DELETE","count":1000}'
run "$LT" logout
[ "$RC" -ne 0 ]; ok $? "logout while the API cannot revoke: fails ($RC)"
# (4: the three, and session alive's from the reap above)
like "$ERR" "kept the parent: 4 token(s) it minted could not be revoked" "... keeps the parent, saying why"
is "$(printf '%s\n' "$ERR" | grep -c 'still live: token ')" 4 "... and lists the 4 live tokens, one line each"
unlike "$OUT" "Removed the parent" "... and does not remove it"
curl -sS -X DELETE "$FAKE_URL/__fake/faults" >/dev/null
run "$LT" logout
is "$RC" 0 "logout with the API back"
is "$(printf '%s\n' "$OUT" | grep -c '^Revoked token .*:lo-')" 3 "... revokes the 3 tokens first"
is "$(live_with ":lo-")" 0 "... none alive"
like "$OUT" "Removed the parent token for $API" "... then removes the parent"
run "$LT" end-session --all
is "$RC:$ERR" "0:linode-token: end-session: 0 revoked, 0 queued" "end-session --all after logout: nothing left, nothing queued"
echo "$P" | "$LT" login >/dev/null 2>&1 || bail "login failed"
LINODE_TOKEN_SESSION=lo-k "$LT" get --scopes events:read_only >> "$SECRETS"
run "$LT" logout --keep-tokens
is "$RC:$(live_with ":lo-k")" "0:1" "logout --keep-tokens forgets the parent and leaves the tokens"
echo "$P" | "$LT" login >/dev/null 2>&1 || bail "login failed"
"$LT" end-session --session lo-k >/dev/null 2>&1
# A parent from a file: logout revokes what it minted and leaves the file (the user named it)
(umask 077 && printf '%s\n' "$P" > "$SCRATCH/parent-file")
LINODE_TOKEN_SESSION=lo-f "$LT" --parent-token-file "$SCRATCH/parent-file" get --scopes events:read_only >> "$SECRETS"
run "$LT" --parent-token-file "$SCRATCH/parent-file" logout --json
is "$RC:$(printf '%s' "$OUT" | jq -c '[.removed, .revoked >= 1, .parent_source]')" '0:[false,true,"file"]' \
    "logout with parent_token_file: revokes what it minted, removes nothing, exit 0 (--json)"
is "$(live_with ":lo-f"):$(cat "$SCRATCH/parent-file")" "0:$P" "... none alive, and the file is left as it was"
run "$LT" --parent-token-file "$SCRATCH/parent-file" logout
like "$OUT" "comes from parent_token_file $SCRATCH/parent-file: linode-token does not delete a file you named" \
    "... and says the file is the user's to remove"

# --- no secret in the ledger or the queue (canary: every token handed out) --------------------------------------
found=0
while read -r s; do
    [ -n "$s" ] || continue
    grep -rqF "$s" "$XDG_RUNTIME_DIR/linode-token" "$XDG_STATE_HOME/linode-token" 2>/dev/null && found=$((found + 1))
    grep -rqF "$(printf %s "$s" | cut -c1-16)" "$XDG_RUNTIME_DIR/linode-token" "$XDG_STATE_HOME/linode-token" 2>/dev/null &&
        found=$((found + 1))
done < "$SECRETS"
is "$found" 0 "no token (nor its 16-char prefix) in any ledger, queue or state file ($(wc -l < "$SECRETS") canaries)"
grep -rqF "$P" "$XDG_RUNTIME_DIR/linode-token" "$XDG_STATE_HOME/linode-token" 2>/dev/null
ok $((! $?)) "... nor the parent"
done_testing
