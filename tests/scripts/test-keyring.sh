#!/bin/sh
# SPDX-License-Identifier: MIT
# test-keyring.sh - the kernel keyring cache where the tool is deployed: a process tree with no
# session keyring of its own (cron, CI, containers, services) shares its hits through the
# user-session keyring; one with a session keyring of its own keeps them there; no other uid that
# shares either keyring reads a cached token; end-session and reap still find and revoke the tokens.
set -u
LT_SESSION_KEYRING=none; export LT_SESSION_KEYRING
. "$(dirname "$0")/lib.sh"
need_secret_service "$@"

P=p000000000000000000000000000000000000000000000000000000000000001
start_fake --token "$P=*"
API="$FAKE_URL/v4"
HOSTPORT=${FAKE_URL#http://}
LT="$B/linode-token"
GCL="$B/git-credential-linode"
(umask 077 && printf '%s\n' "$P" > "$SCRATCH/parent")
fake_config "$XDG_CONFIG_HOME/linode-token/config" "parent_token_file = $SCRATCH/parent" "cache = keyring" <<CONF
[profile default]
scopes = domains:read_only
CONF
run() { "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"; RC=$?; OUT=$(cat "$SCRATCH/out"); ERR=$(cat "$SCRATCH/err"); }
posts() { count POST /v4/profile/tokens; }
tokens() { fake_get /__fake/tokens; }
live() { tokens | jq -r --arg id "$1" '.[] | select(.id == ($id | tonumber)) | ((.revoked | not) and (.expired | not))'; }
id_of() { papi "$API/profile/tokens?page_size=500" |
    jq -r --arg p "$(printf %s "$1" | cut -c1-16)" '.data[] | select(.token == $p) | .id'; }
kid() { keyctl show "$1" 2>/dev/null | sed -n '2s/^ *\([0-9]*\).*/\1/p'; }
# the ids of our keys in keyring $1
our_keys() { for k in $(keyctl rlist "$1" 2>/dev/null); do
    case $(keyctl rdescribe "$k" 2>/dev/null) in user\;*\;linode-token:*) echo "$k" ;; esac; done; }
fill() { printf 'protocol=http\nhost=%s\n\n' "$HOSTPORT" | git -c credential.helper= -c "credential.helper=$GCL" \
    credential fill 2>"$SCRATCH/fill.err" | sed -n 's/^password=//p'; }

# --- the harness's mode is what cron gives: no session keyring of its own -------------------------------------
is "$(kid @s)" "$(kid @us)" "(this test runs with no session keyring of its own: @s is the user-session keyring)"
like "$(keyctl show @s)" "_uid_ses.$(id -u)" "... named _uid_ses.UID, as keyctl show @s says under cron"

# --- three gets in a row: one POST ----------------------------------------------------------------------------
p0=$(posts)
run "$LT" get --scopes linodes:read_only; T1=$OUT
run "$LT" get --scopes linodes:read_only; T2=$OUT
run "$LT" get --scopes linodes:read_only; T3=$OUT
[ ${#T1} -eq 64 ] && [ "$T1" = "$T2" ] && [ "$T2" = "$T3" ]; ok $? "no session keyring: three gets hand out one token"
is "$(posts)" $((p0 + 1)) "... after one POST"
is "$(tokens | jq '[.[] | select(.revoked | not)] | length')" 2 "... and one live token beside the parent"
K=$(our_keys @us)
is "$(printf '%s\n' "$K" | grep -c .)" 1 "... cached in the user-session keyring"
run "$LT" status
like "$OUT" "Cache:        keyring, the user-session keyring $(kid @us) (cache = keyring; no session keyring of its own" \
    "status names the user-session keyring and why"
# --- git's helper: two fills, one POST ---------------------------------------------------------------------------
p0=$(posts)
G1=$(fill); G2=$(fill)
[ ${#G1} -eq 64 ] && [ "$G1" = "$G2" ]; ok $? "no session keyring: two git credential fills hand out one token"
is "$(posts)" $((p0 + 1)) "... after one POST"

# --- no other uid reads a cached token, though it shares the keyring --------------------------------------------
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 && setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
    is "$(keyctl pipe "$K" | sed -n 2p)" "$T1" "(control: the owner reads the key)"
    # uid 65534 inherits this process tree's session keyring, which is the user-session keyring
    # here: it possesses the key (as after su without pam_keyinit, or a daemon that drops its uid)
    setpriv --reuid=65534 --regid=65534 --clear-groups keyctl pipe "$K" >"$SCRATCH/nobody.out" 2>"$SCRATCH/nobody.err"
    rc=$?
    [ $rc -ne 0 ] && [ ! -s "$SCRATCH/nobody.out" ]; ok $? "uid 65534 sharing the user-session keyring cannot read the cached token"
    like "$(cat "$SCRATCH/nobody.err")" "Permission denied" "... permission denied"
    setpriv --reuid=65534 --regid=65534 --clear-groups keyctl rlist @s >"$SCRATCH/nobody.ls" 2>&1
    like "$(cat "$SCRATCH/nobody.ls")" "$K" "(... though it does reach the keyring that holds it)"
    # the same with a session keyring of its own, shared by an su that kept it
    LINODE_TOKEN_SESSION=own keyctl session - sh -c '"$0" get --scopes lke:read_only >/dev/null &&
        for k in $(keyctl rlist @s); do case $(keyctl rdescribe "$k") in user\;*\;linode-token:*)
            setpriv --reuid=65534 --regid=65534 --clear-groups keyctl pipe "$k" && echo READ; echo "key $k";; esac; done' \
        "$LT" >"$SCRATCH/own.out" 2>/dev/null
    like "$(cat "$SCRATCH/own.out")" "key " "a session keyring of its own: the token is cached there"
    unlike "$(cat "$SCRATCH/own.out")" "READ" "... and uid 65534 sharing that session keyring cannot read it either"
else
    for i in 1 2 3 4 5 6; do T_N=$((T_N + 1)); echo "ok $T_N - # SKIP switching to uid 65534 needs root and setpriv"; done
fi

# --- a session keyring of its own bounds the cache --------------------------------------------------------------
p0=$(posts)
LINODE_TOKEN_SESSION=own keyctl session - sh -c '"$0" get --scopes linodes:read_only; "$0" get --scopes linodes:read_only; "$0" status' \
    "$LT" >"$SCRATCH/own2.out" 2>/dev/null
O1=$(sed -n 1p "$SCRATCH/own2.out"); O2=$(sed -n 2p "$SCRATCH/own2.out")
[ ${#O1} -eq 64 ] && [ "$O1" = "$O2" ] && [ "$O1" != "$T1" ]; ok $? "a session keyring of its own: its own token, then hits there"
is "$(posts)" $((p0 + 1)) "... one POST"
like "$(cat "$SCRATCH/own2.out")" "keyring, this session's own keyring" "... and status says so"
is "$(printf '%s\n' "$(our_keys @us)" | grep -c .)" 2 "... nothing of it lands in the user-session keyring"

# --- end-session and reap find those tokens, and their keys go -----------------------------------------------
idT=$(id_of "$T1"); idG=$(id_of "$G1")
run "$LT" end-session
like "$ERR" "2 revoked, 0 queued" "end-session (this derived session) revokes the get's and the git helper's tokens"
is "$(live "$idT"):$(live "$idG")" "false:false" "... both"
is "$(our_keys @us | grep -c .)" 0 "... and their keys left the user-session keyring"
p0=$(posts)
run "$LT" get --scopes linodes:read_only
[ "$OUT" != "$T1" ] && [ "$(posts)" -eq $((p0 + 1)) ]; ok $? "... so the next get mints anew"
"$LT" end-session >/dev/null 2>&1
# a job of its own session (setsid, as cron starts each job) that has ended: reap
setsid "$LT" get --scopes events:read_only >"$SCRATCH/job.out" 2>&1 </dev/null
TJ=$(cat "$SCRATCH/job.out"); idJ=$(id_of "$TJ")
is "$(live "$idJ")" true "a finished job (its own session, ended) left its token live"
is "$(our_keys @us | grep -c .)" 1 "... and cached in the user-session keyring"
run "$LT" reap --dry-run
like "$OUT" "Would revoke token $idJ " "reap --dry-run names it"
run "$LT" reap
is "$(live "$idJ")" false "reap revokes it"
is "$(our_keys @us | grep -c .)" 0 "... and drops its key from the user-session keyring"
"$LT" end-session --session own >/dev/null 2>&1
done_testing
