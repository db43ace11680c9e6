#!/bin/sh
# SPDX-License-Identifier: MIT
# test-session-cache.sh - a cached token belongs to one session and one parent and lives no longer
# than asked; git's erase never revokes a working token; wwwauth[] picks the scheme; git's host
# forms; and real git against a remote that wants a live token. The real keyring, the fake API.
set -u
. "$(dirname "$0")/lib.sh"
need_secret_service "$@"

P=p000000000000000000000000000000000000000000000000000000000000001   # parent: *
R=r000000000000000000000000000000000000000000000000000000000000002   # parent: read-only, may mint
start_fake --token "$P=*" --token "$R=linodes:read_only account:read_write"
API="$FAKE_URL/v4"
HOSTPORT=${FAKE_URL#http://}
LT="$B/linode-token"
GCL="$B/git-credential-linode"
fake_config "$XDG_CONFIG_HOME/linode-token/config" "$CACHE_LINE" <<EOF
[profile default]
scopes = linodes:read_only
ttl = 1h

[profile dns]
scopes = domains:read_write
EOF
run() { "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"; RC=$?; OUT=$(cat "$SCRATCH/out"); ERR=$(cat "$SCRATCH/err"); }
posts() { count POST /v4/profile/tokens; }
deletes() { fake_get /__fake/requests | jq '[.[] | select(.method == "DELETE")] | length'; }
tokens() { fake_get /__fake/tokens; }
id_of() { papi "$API/profile/tokens?page_size=500" |
    jq -r --arg p "$(printf %s "$1" | cut -c1-16)" '.data[] | select(.token == $p) | .id'; }
live() { tokens | jq -r --arg id "$1" '.[] | select(.id == ($id | tonumber)) | ((.revoked | not) and (.expired | not))'; }
expiry_of() { date -u -d "$(tokens | jq -r --arg id "$1" '.[] | select(.id == ($id | tonumber)) | .expiry') UTC" +%s; }
echo "$P" | "$LT" login >/dev/null 2>&1 || bail "login failed"

# --- two sessions never share a cached token -------------------------------------------------------------------
p0=$(posts)
LINODE_TOKEN_SESSION=A run "$LT" get --scopes linodes:read_only
TA=$OUT; idA=$(id_of "$TA")
LINODE_TOKEN_SESSION=B run "$LT" get --scopes linodes:read_only
TB=$OUT; idB=$(id_of "$TB")
[ ${#TA} -eq 64 ] && [ ${#TB} -eq 64 ] && [ "$TA" != "$TB" ]; ok $? "sessions A and B, same scopes: two distinct tokens"
is "$(posts)" $((p0 + 2)) "... two POSTs"
LINODE_TOKEN_SESSION=A run "$LT" get --scopes linodes:read_only
is "$OUT:$(posts)" "$TA:$((p0 + 2))" "A's next get is A's token, from the cache"
run "$LT" end-session --session A
like "$ERR" "1 revoked, 0 queued" "end-session A revokes one token"
is "$(live "$idA")" false "... A's"
is "$(live "$idB")" true "... and B's stays live"
LINODE_TOKEN_SESSION=B run "$LT" get --scopes linodes:read_only
is "$OUT:$(posts)" "$TB:$((p0 + 2))" "B's next get is still a hit (0 POSTs)"

# --- end-session forgets the session's cache even when a revocation is only queued ---------------------------------
LINODE_TOKEN_SESSION=Q run "$LT" get --scopes lke:read_only
TQ=$OUT
fake_fault '{"kind":"status","method":"DELETE","status":500,"count":10}'
run "$LT" end-session --session Q
like "$ERR" "0 revoked, 1 queued" "end-session while DELETE fails: the token is queued"
curl -sS -X DELETE "$FAKE_URL/__fake/faults" >/dev/null
p1=$(posts)
LINODE_TOKEN_SESSION=Q run "$LT" get --scopes lke:read_only
[ ${#OUT} -eq 64 ] && [ "$OUT" != "$TQ" ]; ok $? "... and a new get in that session never gets the queued token from the cache"
is "$(posts)" $((p1 + 1)) "... it mints (1 POST)"
run "$LT" end-session --session Q

# --- the README's build-42 example, after another session cached the same scopes --------------------------------
LINODE_TOKEN_SESSION=other run "$LT" get --scopes domains:read_only
TO=$OUT
for s in linodes:read_only domains:read_only volumes:read_only; do
    LINODE_TOKEN_SESSION=build-42 "$LT" get --scopes "$s" >/dev/null || bail "get $s"
done
run "$LT" end-session --session build-42
is "$(printf '%s\n' "$OUT" | grep -c '^Revoked token .*:build-42:')" 3 "end-session --session build-42 revokes the 3 tokens it was handed"
like "$ERR" "end-session: 3 revoked, 0 queued" "... and says 3 revoked"
is "$(live "$(id_of "$TO")")" true "... the other session's token (same scopes) stays live"
printf '%s\n' "$OUT" | sed 's/^/# /'

# --- a cached token never outlives what the caller asked for ------------------------------------------------------
LINODE_TOKEN_SESSION=ttl run "$LT" get --scopes events:read_only --ttl 24h
T24=$OUT; id24=$(id_of "$T24")
p1=$(posts)
LINODE_TOKEN_SESSION=ttl run "$LT" get --scopes events:read_only --ttl 15m --json
T15=$(printf '%s' "$OUT" | jq -r .token)
[ ${#T15} -eq 64 ] && [ "$T15" != "$T24" ]; ok $? "--ttl 15m after a cached 24h token: a new token"
is "$(posts)" $((p1 + 1)) "... one POST"
[ "$(expiry_of "$(id_of "$T15")")" -le $(( $(date +%s) + 15 * 60 + 5 )) ]; ok $? "... expiring within 15 minutes"
is "$(live "$id24")" true "... the 24h token is untouched"
LINODE_TOKEN_SESSION=ttl run "$LT" get --scopes events:read_only --ttl 24h
is "$OUT" "$T24" "... and still served to who asks for 24h"
LINODE_TOKEN_SESSION=ttl run "$LT" get --scopes events:read_only --ttl 15m
is "$OUT" "$T15" "... while 15m gets the 15m one, from the cache"
LINODE_TOKEN_SESSION=cap run "$LT" get --scopes images:read_only --ttl 100h
is "$RC" 0 "--ttl 100h: a token all the same"
like "$ERR" "note: a token lives at most 24h (max_ttl of profile adhoc), not the 100h asked for" "... and the cap is said on stderr"
[ "$(expiry_of "$(id_of "$OUT")")" -le $(( $(date +%s) + 24 * 3600 + 5 )) ]; ok $? "... 24h at most"
run sh -c "printf 'protocol=http\nhost=$HOSTPORT\n\n' | '$GCL' --profile dns --session cap get"
printf '[profile long]\nscopes = lke:read_only\nttl = 48h\n' >> "$XDG_CONFIG_HOME/linode-token/config"
run sh -c "printf 'protocol=http\nhost=$HOSTPORT\n\n' | '$GCL' --profile long --session cap get"
like "$ERR" "note: a token lives at most 24h (max_ttl of profile long), not the 48h asked for" "the git helper says so too"
like "$OUT" "password=" "... and still answers"

# --- the cache never crosses parents ---------------------------------------------------------------------------
(umask 077 && printf '%s\n' "$R" > "$SCRATCH/ro-parent")
LINODE_TOKEN_SESSION=par run "$LT" get --scopes linodes:read_only
Twide=$OUT
p1=$(posts)
LINODE_TOKEN_SESSION=par run "$LT" --parent-token-file "$SCRATCH/ro-parent" get --scopes linodes:read_only
Tro=$OUT
[ ${#Tro} -eq 64 ] && [ "$Tro" != "$Twide" ]; ok $? "another parent (read-only): no hit on the wide parent's token"
is "$(posts)" $((p1 + 1)) "... one POST"
is "$(tokens | jq -r --arg id "$(id_of "$Tro")" '.[] | select(.id == ($id | tonumber)) | .created_by')" 1001 \
    "... minted by the read-only parent"
LINODE_TOKEN_SESSION=par run "$LT" get --scopes linodes:read_only
is "$OUT" "$Twide" "... and the wide parent's session still gets its own"

# --- erase: never revoke a working token; drop a dead one from cache and ledger ----------------------------------
fill() { printf 'protocol=http\nhost=%s\n%s\n' "$HOSTPORT" "${1:-}" | LINODE_TOKEN_SESSION=git git -c credential.helper= \
    -c "credential.helper=$GCL" credential fill 2>"$SCRATCH/fill.err"; }
pw() { printf '%s\n' "$1" | sed -n 's/^password=//p'; }
reject() { printf 'protocol=http\nhost=%s\nusername=default\npassword=%s\n\n' "$HOSTPORT" "$1" |
    LINODE_TOKEN_SESSION=git git -c credential.helper= -c "credential.helper=$GCL" credential reject 2>"$SCRATCH/reject.err"; }
Tg=$(pw "$(fill)")
idg=$(id_of "$Tg")
d0=$(deletes)
for i in 1 2 3; do reject "$Tg"; done   # fill -> a call the server refused for a missing scope -> reject, 3 times
is "$(deletes)" "$d0" "erase of a valid token (3 rounds): 0 DELETEs"
is "$(live "$idg")" true "... it is still live"
is "$(pw "$(fill)")" "$Tg" "... and still cached"
like "$(cat "$SCRATCH/reject.err")" "still valid; kept it" "... each round says why on stderr"
papi -X DELETE "$API/profile/tokens/$idg" >/dev/null # behind the cache's back
d0=$(deletes)
reject "$Tg"
is "$(deletes)" "$d0" "erase of a revoked token: no DELETE"
led="$XDG_RUNTIME_DIR/linode-token/sessions/git"
grep -q "token $idg" "$led" 2>/dev/null; ok $((! $?)) "... it left the session's ledger"
# ... in every state dir: minted by a process with no runtime dir (its ledger in $TMPDIR), the
# refusal reported by one that has one
fillx() { printf 'protocol=http\nhost=%s\n\n' "$HOSTPORT" | env -u XDG_RUNTIME_DIR LINODE_TOKEN_SESSION=gitx \
    git -c credential.helper= -c "credential.helper=$GCL" credential fill; }
Tx=$(pw "$(fillx)")
idx=$(id_of "$Tx")
ledx="$TMPDIR/linode-token-$(id -u)/sessions/gitx"
grep -q "token $idx" "$ledx" 2>/dev/null; ok $? "a fill with no XDG_RUNTIME_DIR records its token in the fallback dir's ledger"
papi -X DELETE "$API/profile/tokens/$idx" >/dev/null
printf 'protocol=http\nhost=%s\nusername=default\npassword=%s\n\n' "$HOSTPORT" "$Tx" |
    LINODE_TOKEN_SESSION=gitx git -c credential.helper= -c "credential.helper=$GCL" credential reject 2>/dev/null
grep -q "token $idx" "$ledx" 2>/dev/null; ok $((! $?)) "... and an erase from a process with a runtime dir drops it there too"
p1=$(posts)
Tg2=$(pw "$(fill)")
[ ${#Tg2} -eq 64 ] && [ "$Tg2" != "$Tg" ]; ok $? "... and the cache: the next fill mints"
is "$(posts)" $((p1 + 1)) "... one POST"
d0=$(deletes)
run env LINODE_TOKEN_SESSION=git "$LT" end-session
is "$(fake_get /__fake/requests | jq --arg p "/v4/profile/tokens/$idg" '[.[] | select(.method == "DELETE" and .path == $p)] | length')" 1 \
    "end-session after the erase sends no second DELETE for that token"
unlike "$OUT" "token $idg " "... nor counts it as revoked"
# a 401 from GET /profile for a token that is still live (the API's passing error): it is never
# handed out again, but stays in the ledger, so that end-session revokes it
fillf() { printf 'protocol=http\nhost=%s\n\n' "$HOSTPORT" | LINODE_TOKEN_SESSION=f401 "$GCL" get | sed -n 's/^password=//p'; }
Tf=$(fillf); idf=$(id_of "$Tf")
fake_fault '{"kind":"status","method":"GET","path":"/profile","status":401,"count":1}'
run sh -c "printf 'protocol=http\nhost=$HOSTPORT\nusername=default\npassword=$Tf\n\n' | LINODE_TOKEN_SESSION=f401 '$GCL' erase"
is "$(live "$idf")" true "erase after a false 401 (the token is live): not revoked"
grep -q "token $idf" "$XDG_RUNTIME_DIR/linode-token/sessions/f401" 2>/dev/null; ok $? "... and still in the session's ledger"
like "$ERR" "the API still knows it" "... and it says so"
Tf2=$(fillf)
[ ${#Tf2} -eq 64 ] && [ "$Tf2" != "$Tf" ]; ok $? "... but not handed out again: the next fill mints"
run env LINODE_TOKEN_SESSION=f401 "$LT" end-session
like "$ERR" "2 revoked, 0 queued" "end-session then revokes both"
is "$(live "$idf")" false "... the refused one too: nothing leaks"
d1=$(deletes); r1=$(count GET /v4/profile)
printf 'protocol=http\nhost=%s\nusername=default\npassword=not-ours-at-all\n\n' "$HOSTPORT" |
    LINODE_TOKEN_SESSION=git "$GCL" erase
is "$(deletes):$(count GET /v4/profile)" "$d1:$r1" "erase of a token this session never had: no request at all"
LINODE_TOKEN_SESSION=elsewhere run sh -c "printf 'protocol=http\nhost=$HOSTPORT\nusername=default\npassword=$TB\n\n' | '$GCL' erase"
is "$(live "$idB")" true "erase from another session of B's token: B's token untouched"

# --- wwwauth[] decides the scheme --------------------------------------------------------------------------------
ask() { printf "capability[]=authtype\nprotocol=http\nhost=$HOSTPORT\n$1\n" | LINODE_TOKEN_SESSION=git "$GCL" get; }
out=$(ask 'wwwauth[]=Basic realm="x"')
is "$(printf '%s\n' "$out" | sed -n 's/^authtype=//p'):$(printf '%s\n' "$out" | grep -c '^password=')" ":1" \
    "capability, wwwauth[]=Basic only: username/password"
out=$(ask 'wwwauth[]=Bearer')
is "$(printf '%s\n' "$out" | sed -n 's/^authtype=//p')" Bearer "wwwauth[]=Bearer: authtype=Bearer"
out=$(ask '')
is "$(printf '%s\n' "$out" | sed -n 's/^authtype=//p')" Bearer "no wwwauth[]: authtype=Bearer"

# --- git's host forms: an explicit default port, and IPv6 loopback ------------------------------------------------
printf '[general]\napi_url = http://127.0.0.1:%s/v4\nallow_insecure_loopback = true\n[profile default]\nscopes = linodes:read_only\n' \
    "${HOSTPORT##*:}" > "$SCRATCH/v4.conf"
v6port=$(( ${HOSTPORT##*:} + 1 ))
fp=$FAKE_PID fu=$FAKE_URL
if fake_launch "$SCRATCH/v6.port" "$SCRATCH/v6.log" --listen "[::1]:0" --token "$P=*"; then
    V6_PID=$FAKE_PID; v6port=$(cat "$SCRATCH/v6.port")
    printf '[general]\napi_url = http://[::1]:%s/v4\nallow_insecure_loopback = true\nparent_token_file = %s\n[profile default]\nscopes = linodes:read_only\n' \
        "$v6port" "$SCRATCH/p6" > "$SCRATCH/v6.conf"
    (umask 077 && printf '%s\n' "$P" > "$SCRATCH/p6")
    out=$(printf 'protocol=http\nhost=[::1]:%s\n\n' "$v6port" | LINODE_TOKEN_SESSION=v6 "$GCL" --config "$SCRATCH/v6.conf" get)
    is "$(printf '%s\n' "$out" | sed -n 's/^password=//p' | wc -c)" 65 "an IPv6 loopback API (http://[::1]:P/v4) answers git's host=[::1]:P"
    kill "$V6_PID"; wait "$V6_PID" 2>/dev/null
else
    T_N=$((T_N + 1)); echo "ok $T_N - # SKIP no IPv6 loopback here"
fi
FAKE_PID=$fp FAKE_URL=$fu
printf '[general]\napi_url = https://api.linode.com/v4\ncache = none\n[profile default]\nscopes = linodes:read_only\n' > "$SCRATCH/real.conf"
run sh -c "printf 'protocol=https\nhost=api.linode.com:443\n\n' | '$GCL' --config '$SCRATCH/real.conf' get"
like "$ERR" "api.linode.com" "host=api.linode.com:443 (an explicit default port) is taken as ours (it tries to mint there)"
run sh -c "printf 'protocol=https\nhost=api.linode.com:8443\n\n' | '$GCL' --config '$SCRATCH/real.conf' get"
is "$RC:$OUT:$ERR" "0::" "host=api.linode.com:8443 is not ours: silence"

# --- setup-git: idempotent, and --unset -------------------------------------------------------------------------
run "$LT" setup-git
is "$(git config --global --get-all "credential.$FAKE_URL.helper" | tr '\n' '|')" "|$GCL|" \
    "setup-git: an empty helper (no other helper keeps our tokens), then ours"
run "$LT" setup-git
like "$OUT" "already set up" "setup-git again changes nothing"
is "$(git config --global --get-all "credential.$FAKE_URL.helper" | wc -l)" 2 "... still two lines"
run "$LT" setup-git --unset
is "$(git config --global --get-all "credential.$FAKE_URL.helper" | wc -l)" 0 "setup-git --unset removes them"
run "$LT" setup-git --json
is "$RC:$(printf '%s' "$OUT" | jq -c '[.url, .helper, .action]')" "0:[\"$FAKE_URL\",\"$GCL\",\"set\"]" "setup-git --json: what it set"
run "$LT" setup-git --json
is "$(printf '%s' "$OUT" | jq -r .action)" unchanged "... unchanged the second time"
run "$LT" setup-git --unset --json
is "$(printf '%s' "$OUT" | jq -r .action)" removed "... removed by --unset"
run "$LT" setup-git --unset --json
is "$(printf '%s' "$OUT" | jq -r .action)" absent "... absent when there was nothing"

# --- real git against a remote that wants a live token --------------------------------------------------------------
GITURL="$FAKE_URL/__fake/git/repo.git"
g() { LINODE_TOKEN_SESSION=git-e2e git -c credential.helper= -c "credential.helper=$GCL" -c core.askPass=/bin/false \
    -c credential.interactive=false ls-remote "$GITURL" >"$SCRATCH/git.out" 2>"$SCRATCH/git.err"; }
p1=$(posts)
g; r1=$?
[ "$r1" -eq 0 ] || sed 's/^/# git: /' "$SCRATCH/git.err"
is "$r1:$(posts)" "0:$((p1 + 1))" "git ls-remote with the helper: works, with 1 POST"
like "$(cat "$SCRATCH/git.out")" "refs/heads/main" "... and lists the remote's refs"
g; r2=$?
is "$r2:$(posts)" "0:$((p1 + 1))" "the second command: works, 0 POSTs (the cache)"
Te=$(printf 'protocol=http\nhost=%s\n\n' "$HOSTPORT" | LINODE_TOKEN_SESSION=git-e2e "$GCL" get | sed -n 's/^password=//p')
ide=$(id_of "$Te")
papi -X DELETE "$API/profile/tokens/$ide" >/dev/null # behind the cache's back
g; r3=$?
[ "$r3" -ne 0 ]; ok $? "the token revoked behind the cache's back: that command fails once"
g; r4=$?
is "$r4:$(posts)" "0:$((p1 + 2))" "... and the next one mints (1 POST) and works"
run "$LT" end-session --session git-e2e >/dev/null
done_testing
