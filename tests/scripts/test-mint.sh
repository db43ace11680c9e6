#!/bin/sh
# SPDX-License-Identifier: MIT
# test-mint.sh - minting on demand: real git, the real keyring (with-secret-service), the kernel
# keyring fallback, the fake API; asserting what the fake saw (POSTs, live tokens).
set -u
. "$(dirname "$0")/lib.sh"
need_secret_service "$@"

P=p000000000000000000000000000000000000000000000000000000000000001   # parent: *
L=l000000000000000000000000000000000000000000000000000000000000002   # parent: linodes only
SOON=$(date -u -d '+20 min' +%Y-%m-%dT%H:%M:%S)
C=c000000000000000000000000000000000000000000000000000000000000003   # parent: expires in 20 min
start_fake --token "$P=*" --token "$L=linodes:read_write account:read_write" --token "$C=*@$SOON"
tr '\0' ' ' < "/proc/$FAKE_PID/cmdline" > "$SCRATCH/fake.cmdline"
unlike "$(cat "$SCRATCH/fake.cmdline")" "$P" "the fake's seeds are in a 0600 file, not in its argv"
like "$(cat "$SCRATCH/fake.cmdline")" "--token-file" "... (--token-file)"
API="$FAKE_URL/v4"
HOSTPORT=${FAKE_URL#http://}
LT="$B/linode-token"
GCL="$B/git-credential-linode"
CONFIG="$XDG_CONFIG_HOME/linode-token/config"
fake_config "$CONFIG" <<EOF
[profile default]
scopes = linodes:read_only
ttl = 30m

[profile dns]
scopes = domains:read_write

[profile short]
scopes = events:read_only
ttl = 10m
min_remaining = 1m

[profile par]
scopes = volumes:read_only

[profile api]
scopes = images:read_only

[profile wide]
scopes = nodebalancers:read_write

[profile soon]
scopes = firewall:read_only
EOF
run() { "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"; RC=$?; OUT=$(cat "$SCRATCH/out"); ERR=$(cat "$SCRATCH/err"); }
posts() { count POST /v4/profile/tokens; }
all_requests() { fake_get /__fake/requests | jq length; }
token_field() { fake_get /__fake/tokens | jq -r --arg id "$1" ".[] | select(.id == (\$id | tonumber)) | .$2"; }
id_by_prefix() { papi "$API/profile/tokens?page_size=500" |
    jq -r --arg p "$(printf '%s' "$1" | cut -c1-16)" '.data[] | select(.token == $p) | .id'; }
fill() { printf 'protocol=http\nhost=%s\n%s\n' "$HOSTPORT" "${1:-}" | git -c credential.helper= -c "credential.helper=$GCL ${2:-}" credential fill; }
field() { printf '%s\n' "$1" | sed -n "s/^$2=//p"; }

echo "$P" | "$LT" login >/dev/null 2>&1 || bail "login failed"

# --- git credential fill: a miss, then a hit ----------------------------------------------------
p0=$(posts)
out=$(fill)
T1=$(field "$out" password)
is "${#T1}" 64 "git credential fill yields a 64-char token"
is "$(field "$out" username)" default "... username names the profile"
is "$(posts)" $((p0 + 1)) "... minted with exactly one POST"
id1=$(id_by_prefix "$T1")
is "$(token_field "$id1" scopes)" "linodes:read_only" "... with the profile's scopes"
label=$(token_field "$id1" label)
# The derived session: the login session's leader, or ~uUID where none is visible (in a container
# entered by "docker exec" the session id is 0); a user name longer than 12 characters is hashed.
sid=$(sed 's/.*) //' /proc/$$/stat | cut -d' ' -f4)
if [ "$sid" -gt 0 ] && [ -r "/proc/$sid/stat" ]; then want_s="~s$sid-[0-9]*"; else want_s="~u$(id -u)"; fi
user=$(id -un); [ ${#user} -le 12 ] || user="=??????????"
case $label in lt2:*:$user:default:$want_s:[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]) r=0 ;; *) r=1 ;; esac
ok $r "... labelled lt2:HOST:USER:PROFILE:SESSION:NONCE, a derived session ($want_s) ($label)"
exp=$(date -u -d "$(token_field "$id1" expiry) UTC" +%s)
d=$((exp - $(date -u +%s) - 1800)); [ $d -lt 0 ] && d=$((-d))
[ $d -le 5 ]; ok $? "... expiring after the profile's ttl (30m)"
req0=$(all_requests)
out=$(fill)
is "$(field "$out" password)" "$T1" "a second fill is served from the cache"
is "$(all_requests)" "$req0" "... with no API request at all"
out=$(printf 'protocol=http\nhost=%s\n\n' "$HOSTPORT" | "$GCL" get)
is "$(field "$out" password_expiry_utc)" "$exp" "password_expiry_utc is the token's expiry"

# --- other hosts: silence ---------------------------------------------------------------------------
run sh -c "printf 'protocol=https\nhost=github.com\n\n' | '$GCL' get"
is "$RC:$OUT:$ERR" "0::" "another host: nothing on stdout or stderr, exit 0"
run sh -c "printf 'protocol=https\nhost=$HOSTPORT\n\n' | '$GCL' get"
is "$RC:$OUT:$ERR" "0::" "another protocol: silence"
run sh -c "printf 'protocol=http\nhost=127.0.0.1\n\n' | '$GCL' get"
is "$RC:$OUT:$ERR" "0::" "another port: silence"
run sh -c "printf 'url=http://$HOSTPORT/v4\n\n' | '$GCL' get"
is "$(field "$OUT" password)" "$T1" "url= is understood"

# --- profiles -------------------------------------------------------------------------------------
out=$(fill "username=dns")
Td=$(field "$out" password)
is "$(token_field "$(id_by_prefix "$Td")" scopes)" "domains:read_write" "username=dns selects [profile dns]"
is "$(field "$out" username)" dns "... and answers username=dns"
out=$(fill "" "--profile dns")
is "$(field "$out" password)" "$Td" "helper --profile dns selects it too (and hits the cache)"
out=$(fill "username=nobody")
is "$(field "$out" password)" "$T1" "an unknown username falls back to [profile default]"

# --- capability negotiation (a git >= 2.46 request, fed directly) -------------------------------------
out=$(printf 'capability[]=authtype\nprotocol=http\nhost=%s\n\n' "$HOSTPORT" | "$GCL" get)
is "$(printf '%s\n' "$out" | head -n 1)" "capability[]=authtype" "authtype: capability[]=authtype comes first"
is "$(field "$out" authtype)" Bearer "... authtype=Bearer"
is "$(field "$out" credential)" "$T1" "... credential=<token>"
is "$(field "$out" ephemeral)" 1 "... ephemeral=1"
is "$(field "$out" password_expiry_utc)" "$exp" "... and the expiry"
is "$(field "$out" password)" "" "... and no password"
out=$(printf 'capability[]=authtype\ncapability[]=\nprotocol=http\nhost=%s\n\n' "$HOSTPORT" | "$GCL" get)
is "$(field "$out" password)" "$T1" "an empty capability[] clears the list: username/password again"

# --- store is a no-op; erase revokes ours only -----------------------------------------------------------
req0=$(all_requests)
printf 'protocol=http\nhost=%s\nusername=default\npassword=%s\n\n' "$HOSTPORT" "$T1" |
    git -c credential.helper= -c "credential.helper=$GCL" credential approve
is "$(all_requests)" "$req0" "approve (store): no API request"
printf 'protocol=http\nhost=%s\nusername=default\npassword=not-ours\n\n' "$HOSTPORT" |
    git -c credential.helper= -c "credential.helper=$GCL" credential reject
is "$(count DELETE "/v4/profile/tokens/$id1")" 0 "reject with a password that is not ours: nothing revoked"
out=$(fill)
is "$(field "$out" password)" "$T1" "... and the cached token still serves"
run sh -c "printf 'protocol=http\nhost=%s\nusername=default\npassword=%s\n\n' '$HOSTPORT' '$T1' |
    git -c credential.helper= -c 'credential.helper=$GCL' credential reject"
is "$(count DELETE "/v4/profile/tokens/$id1")" 0 "reject (erase) of our token that still works: no DELETE"
# (git 2.39 sends no wwwauth[]: the helper says what it cannot know; test-parity has the other cases)
like "$ERR" "refused a token that is still valid; kept it (this git does not say what the server asked for" \
    "... one line saying why"
like "$ERR" "else a missing scope: profile default has 'linodes:read_only')" "... naming the profile's scopes"
is "$(field "$(fill)" password)" "$T1" "... and it is still cached"
papi -X DELETE "$API/profile/tokens/$id1" >/dev/null # behind the cache's back
d0=$(count DELETE "/v4/profile/tokens/$id1")
printf 'protocol=http\nhost=%s\nusername=default\npassword=%s\n\n' "$HOSTPORT" "$T1" |
    git -c credential.helper= -c "credential.helper=$GCL" credential reject
is "$(count DELETE "/v4/profile/tokens/$id1")" "$d0" "reject of our token once it was revoked: no DELETE (it is dead)"
p1=$(posts)
out=$(fill)
T2=$(field "$out" password)
[ "$T2" != "$T1" ] && [ ${#T2} -eq 64 ]; ok $? "... and drops it from the cache: the next fill mints anew"
is "$(posts)" $((p1 + 1)) "... with one POST"

# --- bad input --------------------------------------------------------------------------------------------
run sh -c "printf 'protocol=http\nhost\n\n' | '$GCL' get"
[ $RC -ne 0 ] && [ -z "$OUT" ]; ok $? "a line without '=': non-zero exit, nothing on stdout"
like "$ERR" "no '='" "... and says why"
run sh -c "printf 'protocol=http\nho\000st=x\n\n' | '$GCL' get"
[ $RC -ne 0 ] && [ -z "$OUT" ]; ok $? "a NUL byte: non-zero exit, nothing on stdout"
run sh -c "printf 'protocol=http\r\nhost=$HOSTPORT\r\n\r\n' | '$GCL' get"
is "$(field "$OUT" password)" "$T2" "CRLF is tolerated"
big=$(head -c 65000 /dev/zero | tr '\0' a)
run sh -c "printf 'protocol=http\nhost=$HOSTPORT\nusername=$big\n\n' | '$GCL' get"
is "$(field "$OUT" password)" "$T2" "a 65000-byte value is fine"
huge=$(head -c 70000 /dev/zero | tr '\0' a)
run sh -c "printf 'protocol=http\nhost=$HOSTPORT\nusername=$huge\n\n' | '$GCL' get"
[ $RC -ne 0 ] && [ -z "$OUT" ]; ok $? "a 70000-byte line is refused"
# git's limit is 65535 bytes with the newline: 65534 + LF passes, 65535 + LF does not
edge=$(head -c 65525 /dev/zero | tr '\0' a)
run sh -c "printf 'protocol=http\nhost=$HOSTPORT\nusername=$edge\n\n' | '$GCL' get"
is "$(field "$OUT" password)" "$T2" "a line of 65534 bytes and its newline: accepted"
run sh -c "printf 'protocol=http\nhost=$HOSTPORT\nusername=${edge}a\n\n' | '$GCL' get"
like "$ERR" "longer than 65535 bytes" "a line of 65535 bytes and its newline: refused"
run sh -c "{ printf 'protocol=http\nhost=$HOSTPORT\nusername='; yes aaaaaaaa | tr -d '\n'; } | timeout 10 '$GCL' get"
is "$RC" 2 "an endless line: refused after 64 KiB (it is never read whole), exit 2 (bad usage)"
run sh -c "printf 'protocol=http\nhost=$HOSTPORT\n\n' | '$GCL' frobnicate"
is "$RC:$OUT" "0:" "an unknown operation is ignored"

# --- expired and nearly expired cache entries are never handed out -------------------------------------------
p1=$(posts)
PFP=$(printf %s "$P" | sha256sum | cut -c1-16) # the parent's fingerprint, as the cache key holds it
for e in $(( $(date +%s) - 60 )) $(( $(date +%s) + 30 )); do
    printf 'v2 4242 %s %s\nstale0123456789abcdef%s' "$e" "$API" "$e" | secret-tool store --label="stale" xdg:schema io.github.linode-token.Minted \
        api_url "$API" parent "$PFP" account fakeuser scopes "events:read_only" session stale token_id 4242 expiry "$e"
done
printf 'an older format' | secret-tool store --label="unreadable" xdg:schema io.github.linode-token.Minted \
    api_url "$API" parent "$PFP" account fakeuser scopes "events:read_only" session stale token_id 4243 expiry 4102444800
export LINODE_TOKEN_SESSION=stale
run "$LT" get --profile short
[ $RC -eq 0 ] && [ ${#OUT} -eq 64 ]; ok $? "get with only stale cache entries mints a fresh token"
is "$(posts)" $((p1 + 1)) "... one POST"
is "$(secret-tool search --all xdg:schema io.github.linode-token.Minted expiry "$(( $(date +%s) - 60 ))" 2>&1 | grep -c '^label')" 0 \
    "... and the expired entry was removed when seen"
is "$(secret-tool search --all xdg:schema io.github.linode-token.Minted token_id 4243 2>&1 | grep -c '^label')" 0 \
    "... as was the entry whose secret is not one of ours (v2 ID EXPIRY API_URL, then the token)"
Ts=$OUT
# min_remaining: the cached token has ~10m left; asking for 15m mints a longer one
run "$LT" get --profile short --ttl 20m --min-remaining 15m
[ "$OUT" != "$Ts" ] && [ $RC -eq 0 ]; ok $? "--min-remaining 15m refuses a token with 10m left"
is "$(posts)" $((p1 + 2)) "... and mints (one POST)"
Ts2=$OUT
run "$LT" get --profile short --ttl 20m --min-remaining 15m
is "$OUT" "$Ts2" "... which then serves from the cache"
run "$LT" get --profile short --min-remaining 1h
is "$RC" 2 "--min-remaining not below the ttl: exit 2"
unset LINODE_TOKEN_SESSION

# --- get --json, env ------------------------------------------------------------------------------------------
run "$LT" get --json
is "$(printf '%s' "$OUT" | jq -r .token)" "$T2" "get --json: token"
printf '%s' "$OUT" | jq -r .expiry | grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
ok $? "get --json: expiry in RFC 3339"
is "$(printf '%s' "$OUT" | jq -r .scopes)" "linodes:read_only" "get --json: scopes"
is "$(printf '%s' "$OUT" | jq -r .id)" "$(id_by_prefix "$T2")" "get --json: id"
EXP2=$(date -u -d "$(printf '%s' "$OUT" | jq -r .expiry)" +%s)
run "$LT" env
is "$OUT" "export LINODE_TOKEN='$T2'
export LINODE_CLI_TOKEN='$T2'
export LINODE_TOKEN_EXPIRY='$EXP2'
export LINODE_URL='$FAKE_URL'
export LINODE_API_VERSION='v4'
export LINODE_CLI_API_SCHEME='http'
export LINODE_CLI_API_HOST='${FAKE_URL#http://}'
export LINODE_CLI_API_VERSION='v4'" "env prints export lines: the token, its expiry, and (not api.linode.com) where the API is, for linode-cli too"
run "$LT" env --fish
like "$OUT" "set -gx LINODE_TOKEN '$T2';" "env --fish"
run sh -c "eval \"\$('$LT' env)\"; printf '%s %s/%s' \"\$LINODE_TOKEN\" \"\$LINODE_URL\" \"\$LINODE_API_VERSION\""
is "$OUT" "$T2 $API" "eval \"\$(linode-token env)\" sets LINODE_TOKEN, LINODE_URL and LINODE_API_VERSION"

# --- 32 parallel callers: one POST, one token ---------------------------------------------------------------------
p1=$(posts)
pids=""
i=0
while [ $i -lt 32 ]; do
    "$LT" get --profile par > "$SCRATCH/par.$i" 2>&1 &
    pids="$pids $!"
    i=$((i + 1))
done
wait $pids
is "$(posts)" $((p1 + 1)) "32 parallel gets: exactly one POST"
is "$(cat "$SCRATCH"/par.* | sort -u | wc -l)" 1 "... and one token for all"
is "$(head -c 64 "$SCRATCH/par.0" | wc -c)" 64 "... a real token"
# A caller that waits for another's mint, then finds the token in the cache, needs neither
# libcurl nor the store check: only the minter loads it (ld.so's account of what each maps).
fake_fault '{"kind":"delay","method":"POST","path":"/profile/tokens","delay_ms":1500,"count":1}'
p1=$(posts)
LINODE_TOKEN_SESSION=wait1 "$LT" get --profile par > "$SCRATCH/minter" 2>&1 &
mp=$!
i=0 # until the minter's intent is on disk (it holds the lock, and its POST is delayed)
while ! grep -qs '^\[intent ' "$XDG_RUNTIME_DIR/linode-token/sessions/wait1" && [ $i -lt 200 ]; do
    sleep 0.02; i=$((i + 1))
done
run env LINODE_TOKEN_SESSION=wait1 LD_DEBUG=files "$LT" get --profile par
wait $mp
is "$OUT" "$(cat "$SCRATCH/minter")" "a caller that waited for another's mint gets its token"
is "$(posts)" $((p1 + 1)) "... one POST for both"
unlike "$ERR" "libcurl" "... and without loading libcurl"
# --debug: where the time went, one line (and never the token)
run env LINODE_TOKEN_SESSION=dbg1 "$LT" --debug get --profile par
like "$ERR" "linode-token: get: debug: minted token, steps (ms): session " "--debug on a mint: the step line"
like "$ERR" ", intent " "... naming the intent"
like "$ERR" ", post " "... and the POST"
unlike "$ERR" "$OUT" "... and not the token"
run env LINODE_TOKEN_SESSION=dbg1 "$LT" --debug get --profile par
like "$ERR" "linode-token: get: debug: cached token, steps (ms): " "--debug on a hit says it was cached"

# --- the C API, from 8 threads, through the shared library ---------------------------------------------------------
p1=$(posts)
run "$B/tests/api-client" api 8
is "$RC" 0 "lt_acquire from 8 threads"
is "$(printf '%s\n' "$OUT" | wc -l)" 8 "... 8 credentials"
is "$(printf '%s\n' "$OUT" | cut -d' ' -f1 | sort -u | wc -l)" 1 "... all the same token id"
is "$(printf '%s\n' "$OUT" | cut -d' ' -f3,4 | sort -u)" "images:read_only 64" "... with the profile's scopes"
is "$(posts)" $((p1 + 1)) "... one POST"
run "$B/tests/dlopen-host" "$B/liblinode-token.so"
is "$RC $OUT" "0 freed" "a host that dlopens the library, unloads it, then frees JSON of its own: no crash"
run "$B/tests/api-client" nosuch
is "$RC" 2 "lt_acquire with an unknown profile: usage error"
like "$ERR" "no profile 'nosuch'" "... says so"

# --- policy: scopes within the parent, expiry within the parent, "*" only when allowed ------------------------------
# (each with scopes nothing has cached: a hit, keyed by API URL, account and scopes, never consults the parent)
(umask 077 && printf '%s' "$L" > "$SCRATCH/narrow")
p1=$(posts)
run "$LT" --parent-token-file "$SCRATCH/narrow" get --profile wide
is "$RC" 2 "a profile beyond the parent's scopes: exit 2"
like "$ERR" "beyond the parent token's scopes" "... says so"
is "$(posts)" "$p1" "... no POST"
(umask 077 && printf '%s' "$C" > "$SCRATCH/soon")
run "$LT" --parent-token-file "$SCRATCH/soon" get --profile soon
is "$RC" 0 "minting from a parent that expires in 20 minutes"
like "$ERR" "expires with its parent" "... says the expiry was clamped"
is "$(token_field "$(id_by_prefix "$OUT")" expiry)" "$SOON" "... a child never outlives its parent"
run "$LT" get --scopes '*'
is "$RC" 2 "ad-hoc '*': exit 2"
printf '[profile all]\nscopes = *\n' >> "$CONFIG"
run "$LT" get --profile all
is "$RC" 2 "profile scopes '*' without allow_full_scopes: exit 2"
printf 'allow_full_scopes = true\n' >> "$CONFIG"
run "$LT" get --profile all
is "$RC" 0 "... allowed with allow_full_scopes = true"
run "$LT" get --profile nosuch
is "$RC" 2 "an unknown profile: exit 2"
run "$LT" get --scopes "events:read_only" --ttl never
is "$RC" 2 "--ttl never: exit 2"
p1=$(posts)
printf '[profile long]\nscopes = events:read_only\nttl = 100h\nmax_ttl = 2w\n' >> "$CONFIG"
run "$LT" get --profile long
is "$RC" 2 "a profile's max_ttl beyond a day: exit 2"
like "$ERR" "[profile long] max_ttl: at most 24h" "... names the key and the limit"
is "$(posts)" "$p1" "... and mints nothing"
sed -i 's/^max_ttl = 2w$/max_ttl = 24h/' "$CONFIG"
run "$LT" get --profile long
is "$RC" 0 "max_ttl = 24h: allowed"
like "$ERR" "a token lives at most 24h (max_ttl of profile long), not the 100h asked for" "... and ttl = 100h is cut, saying so"

# --- the session record: ids and labels, never a secret ----------------------------------------------------------------
run env LINODE_TOKEN_SESSION=sess-42 "$LT" get --scopes "ips:read_only"
is "$RC" 0 "get for session sess-42"
Tx=$OUT
idx=$(id_by_prefix "$Tx")
led="$XDG_RUNTIME_DIR/linode-token/sessions/sess-42"
[ -f "$led" ] && grep -q "^id=$idx$" "$led"; ok $? "the session ledger records the token id"
like "$(token_field "$idx" label)" ":adhoc:sess-42" "... and the label names the session"
is "$(stat -c %a "$led")" 600 "the ledger is 0600"
is "$(stat -c %a "$XDG_RUNTIME_DIR/linode-token")" 700 "the state dir is 0700"
is "$(grep -rlF -e "$Tx" -e "$T2" -e "$P" "$XDG_RUNTIME_DIR/linode-token" | wc -l)" 0 "no secret in any state file"
run env LINODE_TOKEN_SESSION=../../etc "$LT" get
is "$RC" 2 "a session id with a slash: exit 2"

# --- cache = keyring, the parent in the Secret Service: the minter loads libcurl before libsecret
# starts its D-Bus thread, so GnuTLS is still spared (its debug line would show otherwise)
printf '[general]\napi_url = %s\nallow_insecure_loopback = true\ncache = keyring\n' "$API" > "$SCRATCH/kr-ss.conf"
run env GNUTLS_DEBUG_LEVEL=2 LINODE_TOKEN_SESSION=kr-ss "$LT" --config "$SCRATCH/kr-ss.conf" get --scopes "linodes:read_only"
is "$RC:${#OUT}" "0:64" "cache = keyring with the parent in the Secret Service: a mint"
unlike "$ERR" "gnutls[" "... and GnuTLS was not set up (libcurl was loaded before libsecret's thread began)"
"$LT" end-session --session kr-ss >/dev/null 2>&1

# --- locked keyring: an error, not a miss; no POST ----------------------------------------------------------------------
dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
    org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null 2>&1
p1=$(posts)
run "$LT" --parent-token-file "$SCRATCH/narrow" get
is "$RC" 3 "locked keyring: get exits 3"
like "$ERR" "locked" "... says the keyring is locked"
is "$(posts)" "$p1" "... and mints nothing"
run sh -c "printf 'protocol=http\nhost=$HOSTPORT\n\n' | '$GCL' --config '$CONFIG' get"
[ $RC -ne 0 ] && [ -z "$OUT" ] && [ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ]
ok $? "locked keyring: the git helper prints one line on stderr, nothing on stdout"

# --- no session bus: the kernel keyring ---------------------------------------------------------------------------------
mkdir -m 700 "$SCRATCH/run2"
nobus() { run env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$SCRATCH/run2" "$LT" --parent-token-file "$SCRATCH/narrow" "$@"; }
p1=$(posts)
nobus status
like "$OUT" "Cache:        keyring, this session's own keyring" "no bus: status names the kernel keyring (the session keyring with-secret-service gave it)"
nobus get --scopes "linodes:read_only" --ttl 15m
Tk=$OUT
[ $RC -eq 0 ] && [ ${#Tk} -eq 64 ]; ok $? "no bus: get mints"
nobus get --scopes "linodes:read_only" --ttl 15m
is "$OUT" "$Tk" "no bus: the second get hits the kernel keyring"
is "$(posts)" $((p1 + 1)) "... one POST in all"
# libsecret (and GIO, GObject) is loaded on first use: a keyring hit never maps it (ld.so's own
# account of what it loads); a Secret Service hit does.
# (LD_DEBUG set for our program only: run's own cat must not print the loader's lines into the log)
run env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$SCRATCH/run2" LD_DEBUG=files "$LT" --parent-token-file "$SCRATCH/narrow" \
    get --scopes "linodes:read_only" --ttl 15m
is "$OUT" "$Tk" "a keyring hit under LD_DEBUG=files: the same token"
like "$ERR" "file=libglib-2.0.so.0" "... ld.so's account of the libraries it maps is there"
unlike "$ERR" "libsecret-1.so" "... and names no libsecret"
unlike "$ERR" "libgio-2.0.so" "... nor GIO"
unlike "$ERR" "libgobject-2.0.so" "... nor GObject"
unlike "$ERR" "libcurl" "... nor libcurl"
run env LD_DEBUG=files "$LT" get
like "$ERR" "file=libsecret-1.so.0 [0];  dynamically loaded by" "a Secret Service hit loads libsecret, dynamically"
krs() { run env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$SCRATCH/run2" LINODE_TOKEN_SESSION=kr "$LT" \
    --parent-token-file "$SCRATCH/narrow" "$@"; }
krs get --scopes "linodes:read_write"
Tk2=$OUT
is "${#Tk2}" 64 "no bus, session kr: minted"
krs get --scopes "linodes:read_write"
is "$OUT" "$Tk2" "... and cached in the kernel keyring"
krs end-session
is "$RC" 0 "no bus: end-session revokes the session's token"
p2=$(posts)
krs get --scopes "linodes:read_write"
[ "$OUT" != "$Tk2" ] && [ ${#OUT} -eq 64 ] && [ "$(posts)" -eq $((p2 + 1)) ]
ok $? "... and drops its key: the next get mints anew"
# Only keys of this test's own session keyring (with-secret-service gave it a new one), and of
# those only the key that holds Tk.
key=
for k in $(keyctl rlist @s 2>/dev/null); do
    case $(keyctl rdescribe "$k" 2>/dev/null) in user\;*\;linode-token:*) ;; *) continue ;; esac
    [ "$(keyctl pipe "$k" 2>/dev/null | sed -n 2p)" = "$Tk" ] && key=$k
done
[ -n "$key" ]; ok $? "the token sits in this session's kernel keyring"
keyctl timeout "$key" 1 2>/dev/null; sleep 2
nobus get --scopes "linodes:read_only" --ttl 15m
[ "$OUT" != "$Tk" ] && [ $RC -eq 0 ]; ok $? "a key past its timeout is gone: a new mint"
printf '[general]\napi_url = %s\nallow_insecure_loopback = true\ncache = none\n' "$API" > "$SCRATCH/nocache"
p1=$(posts)
run "$LT" --config "$SCRATCH/nocache" --parent-token-file "$SCRATCH/narrow" get --scopes "linodes:read_only"
run "$LT" --config "$SCRATCH/nocache" --parent-token-file "$SCRATCH/narrow" get --scopes "linodes:read_only"
is "$(posts)" $((p1 + 2)) "cache = none: every get mints"
# GnuTLS (libcurl's LDAP and RTMP pull it in; libcurl speaks TLS through OpenSSL) is not set up at a
# mint: the variable that says so is set for the dlopen only. Its debug line shows whether it was.
run env GNUTLS_DEBUG_LEVEL=2 "$LT" --config "$SCRATCH/nocache" --parent-token-file "$SCRATCH/narrow" get --scopes "linodes:read_only"
is "$RC" 0 "a mint with GNUTLS_DEBUG_LEVEL=2"
unlike "$ERR" "gnutls[" "... GnuTLS did not set itself up (no debug line of its own)"
run env GNUTLS_DEBUG_LEVEL=2 GNUTLS_NO_IMPLICIT_INIT=0 "$LT" --config "$SCRATCH/nocache" --parent-token-file "$SCRATCH/narrow" get --scopes "linodes:read_only"
like "$ERR" "gnutls[2]: Enabled GnuTLS" "the user's GNUTLS_NO_IMPLICIT_INIT=0 is obeyed (GnuTLS sets itself up, and says so)"
run "$LT" --config "$SCRATCH/nocache" --parent-token-file "$SCRATCH/narrow" exec --scopes "linodes:read_only" -- \
    sh -c 'echo "[${GNUTLS_NO_IMPLICIT_INIT-unset}]"'
is "$RC:$OUT" "0:[unset]" "exec: the command does not inherit GNUTLS_NO_IMPLICIT_INIT"
run env GNUTLS_NO_IMPLICIT_INIT=0 "$LT" --config "$SCRATCH/nocache" --parent-token-file "$SCRATCH/narrow" exec --scopes "linodes:read_only" -- \
    sh -c 'echo "[${GNUTLS_NO_IMPLICIT_INIT-unset}]"'
is "$RC:$OUT" "0:[0]" "... and gets the user's own value unchanged"

# --- a hostile create answer: nothing of it reaches a shell or git's protocol ----------------------------------------
answer_next_post() { # JSON: the next POST gets this body (200)
    fake_fault "$(jq -cn --arg b "$1" '{kind: "status", method: "POST", status: 200, body: $b}')"
}
obj() { # TOKEN-JSON EXPIRY-JSON
    printf '{"id":9999,"label":"x","scopes":"lke:read_only","created":"2026-01-01T00:00:00","expiry":%s,"token":%s}' "$2" "$1"
}
# (no cache, the narrow parent from a file: the keyring is locked by now)
printf '[general]\napi_url = %s\nallow_insecure_loopback = true\ncache = none\nparent_token_file = %s\n[profile default]\nscopes = linodes:read_only\n' \
    "$API" "$SCRATCH/narrow" > "$SCRATCH/hostile.conf"
LT="$LT --config $SCRATCH/hostile.conf" GCL="$GCL --config $SCRATCH/hostile.conf"
answer_next_post "$(obj '"aaa'"'"'; touch PWNED; echo '"'"'"' '"2099-01-01T00:00:00"')"
run sh -c "cd '$SCRATCH' && eval \"\$($LT env --scopes linodes:read_only)\""
[ ! -e "$SCRATCH/PWNED" ]; ok $? "a token holding shell code: eval \"\$(linode-token env)\" runs nothing"
like "$ERR" "holds no valid token" "... env refuses the answer, saying why"
answer_next_post "$(obj '"aaa'"'"'; touch PWNED; echo '"'"'"' '"2099-01-01T00:00:00"')"
run $LT get --scopes linodes:read_only
is "$RC:$OUT" "1:" "... get: exit 1, nothing on stdout"
answer_next_post "$(obj '"abcdefabcdefabcdef\nquit=1"' '"2099-01-01T00:00:00"')"
run sh -c "printf 'protocol=http\nhost=$HOSTPORT\n\n' | $GCL get"
[ "$RC" -ne 0 ] && [ -z "$OUT" ]; ok $? "a token holding a newline: the git helper answers nothing"
like "$ERR" "holds no valid token" "... because the answer holds no valid token"
answer_next_post "$(obj '"abcdefabcdefabcdefabcdefabcdef00"' null)"
run $LT get --scopes linodes:read_only --json
is "$RC:$OUT" "1:" "a minted token with \"expiry\": null: get --json exits 1, prints nothing"
like "$ERR" "without the expiry asked for" "... and says why"
answer_next_post "$(obj '"abcdefabcdefabcdefabcdefabcdef00"' null)"
run sh -c "printf 'protocol=http\nhost=$HOSTPORT\n\n' | $GCL get"
[ "$RC" -ne 0 ] && [ -z "$OUT" ]; ok $? "... the git helper sends no password_expiry_utc=9223372036854775807, nothing at all"
LT="$B/linode-token" GCL="$B/git-credential-linode"

# --- no core dump holds a secret: our programs make themselves non-dumpable ---------------------------------------------
# As an unprivileged user, a process's /proc entries belong to that user while it is dumpable and to
# root once it is not. (Root sees both as root: so this needs root, to switch to nobody.)
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null 2>&1 || ! id nobody >/dev/null 2>&1; then
    dump_skip="dumpable checks need root and setpriv"
elif ! as_nobody test -x "$GCL" 2>/dev/null || ! as_nobody test -x "$LT" 2>/dev/null; then
    dump_skip="nobody cannot reach the build in $B (a directory on its path is closed to others)"
else
    dump_skip=
fi
if [ -z "$dump_skip" ]; then
    # (nobody must reach the pid file and the config: a directory of its own under /tmp)
    DD=$(mktemp -d /tmp/lt-dumpable.XXXXXX); chmod 755 "$DD"
    owner_while() { # PROGRAM...: the owner of its /proc/PID while it waits for stdin
        : > "$DD/dpid"
        (sleep 2 | setpriv --reuid=nobody --regid=nogroup --clear-groups sh -c 'echo $$ > "$0"; exec "$@"' \
            "$DD/dpid" "$@" >/dev/null 2>&1) &
        dw=$!
        i=0; while [ ! -s "$DD/dpid" ] && [ $i -lt 100 ]; do sleep 0.02; i=$((i + 1)); done
        sleep 0.3
        stat -c %U "/proc/$(cat "$DD/dpid")/status" 2>/dev/null
        wait $dw
    }
    touch "$DD/dpid"; chmod 666 "$DD/dpid"
    is "$(owner_while cat)" nobody "(control: a plain process run as nobody is dumpable)"
    is "$(owner_while "$GCL" get)" root "git-credential-linode is not dumpable (no core dump can hold a token)"
    printf '[general]\napi_url = http://127.0.0.1:9/v4\nallow_insecure_loopback = true\nparent_token_command = sleep 2\n' \
        > "$DD/slow-parent.conf"
    chmod 644 "$DD/slow-parent.conf"
    is "$(owner_while "$LT" --config "$DD/slow-parent.conf" list)" root "linode-token is not dumpable either"
    rm -rf "$DD"
else
    for i in 1 2 3; do T_N=$((T_N + 1)); echo "ok $T_N - # SKIP $dump_skip"; done
fi

# --- failures: one line, nothing on stdout ----------------------------------------------------------------------------------
stop_fake
run sh -c "printf 'protocol=http\nhost=$HOSTPORT\n\n' | XDG_RUNTIME_DIR='$SCRATCH/run3' '$GCL' get"
[ $RC -ne 0 ] && [ -z "$OUT" ] && [ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ]
ok $? "API down: the git helper prints one line on stderr, nothing on stdout"
keyctl clear @s >/dev/null 2>&1 # this test's own session keyring
done_testing
