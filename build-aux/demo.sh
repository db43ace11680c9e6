#!/bin/sh
# SPDX-License-Identifier: MIT
# demo.sh BUILD_DIR - the main job, end to end: the bundled fake API, a private keyring, real git.
# Prints each step and a summary; exits 0 only if every step behaved.
set -u
B=$(cd "${1:?usage: demo.sh BUILD_DIR}" && pwd)
S=$(cd "$(dirname "$0")/.." && pwd)
WSS="$S/build-aux/with-secret-service"
if [ -z "${LT_DEMO_INSIDE:-}" ]; then
    [ -x "$WSS" ] || { echo "demo: $WSS is missing or not executable" >&2; exit 1; }
    LT_DEMO_INSIDE=1 exec "$WSS" sh "$0" "$@"
fi

SCRATCH=$(mktemp -d)
FAKE_PID=
trap '[ -n "$FAKE_PID" ] && kill $FAKE_PID 2>/dev/null; rm -rf "$SCRATCH"' EXIT
PASS=0 FAIL=0
step() { printf '\n== %s\n' "$*"; }
check() { # check STATUS WHAT
    if [ "$1" -eq 0 ]; then PASS=$((PASS + 1)); echo "   ok: $2"; else FAIL=$((FAIL + 1)); echo "   FAILED: $2"; fi
}
show() { printf '   $ %s\n' "$*"; }
short() { printf 'a %s-character token' "${#1}"; }  # never any part of a secret
posts() { curl -s "$FAKE_URL/__fake/requests" | jq '[.[] | select(.method == "POST")] | length'; }

step "Start the fake Linode API with a parent token, and a private GNOME Keyring"
. "$S/build-aux/fake.sh"
. "$S/build-aux/trial.sh"
trial_setup "$SCRATCH" demo || { echo "demo: the fake API did not start"; exit 1; }
echo "   API $API; config: [profile default] scopes = linodes:read_only domains:read_write, ttl = 1h"
export PATH="$B:$PATH"
check 0 "fake API listening, keyring unlocked"

step "login: the parent token goes into the Secret Service"
show "echo \$PARENT | linode-token login"
echo "$PARENT" | linode-token login | sed 's/^/   /'
[ "$(secret-tool lookup api_url "$API")" = "$PARENT" ]; check $? "the keyring holds the parent"

step "create, list, view, revoke: the API Tokens page on the command line"
show "linode-token create --label demo-ci --scope linodes=ro --expiry 7d"
T=$(linode-token create --label demo-ci --scope linodes=ro --expiry 7d 2>"$SCRATCH/err")
sed 's/^/   /' "$SCRATCH/err"
[ ${#T} -eq 64 ]; check $? "the secret was printed once: $(short "$T")"
show "linode-token list"
linode-token list | sed 's/^/   /'
linode-token list | grep -q "demo-ci"; check $? "list shows it"
show "linode-token view demo-ci"
linode-token view demo-ci | sed -n '1,5p;/^linodes /p' | sed 's/^/   /'
show "linode-token revoke demo-ci --yes"
linode-token revoke demo-ci --yes | sed 's/^/   /'
[ "$(curl -s "$FAKE_URL/__fake/tokens" | jq '[.[] | select(.label == "demo-ci" and .revoked)] | length')" = 1 ]
check $? "the fake shows it revoked"

step "git credential fill mints a scoped token"
trial_git "$B/git-credential-linode"
show "git config --global credential.$FAKE_URL.helper $B/git-credential-linode"
fill() { printf 'protocol=http\nhost=%s\n\n' "${FAKE_URL#http://}" | git credential fill; }
p0=$(posts)
out=$(fill)
T1=$(printf '%s\n' "$out" | sed -n 's/^password=//p')
printf '%s\n' "$out" | sed 's/^password=.*/password=<64-char token>/' | sed 's/^/   /'
[ ${#T1} -eq 64 ] && [ "$(posts)" -eq $((p0 + 1)) ]; check $? "one POST minted $(short "$T1")"
curl -s "$FAKE_URL/__fake/tokens" | jq -r '.[-1] | "   on the fake: id \(.id), label \(.label), scopes \(.scopes), expiry \(.expiry)"'

step "a second fill is served from the cache"
T2=$(fill | sed -n 's/^password=//p')
[ "$T2" = "$T1" ] && [ "$(posts)" -eq $((p0 + 1)) ]; check $? "same token, still one POST"

step "20 parallel fills"
pids=""
i=0
while [ $i -lt 20 ]; do
    (fill | sed -n 's/^password=//p' > "$SCRATCH/fill.$i") &
    pids="$pids $!"
    i=$((i + 1))
done
wait $pids
n=$(cat "$SCRATCH"/fill.* | sort -u | wc -l)
[ "$n" -eq 1 ] && [ "$(cat "$SCRATCH/fill.0")" = "$T1" ] && [ "$(posts)" -eq $((p0 + 1)) ]
check $? "20 callers, 1 token, still one POST on the fake"

step "erase: git rejects a token that still works (Linode answers 401 for a missing scope too)"
show "git credential reject"
d0=$(curl -s "$FAKE_URL/__fake/requests" | jq '[.[] | select(.method == "DELETE")] | length')
printf 'protocol=http\nhost=%s\nusername=default\npassword=%s\n\n' "${FAKE_URL#http://}" "$T1" | git credential reject 2>&1 | sed 's/^/   /'
[ "$(curl -s "$FAKE_URL/__fake/requests" | jq '[.[] | select(.method == "DELETE")] | length')" = "$d0" ] &&
    [ "$(fill | sed -n 's/^password=//p')" = "$T1" ]
check $? "the working token is kept (no DELETE) and still served from the cache"

step "the session ends: everything it was handed is revoked"
show "linode-token end-session"
linode-token end-session 2>&1 | sed 's/^/   /'
[ "$(curl -s "$FAKE_URL/__fake/tokens" | jq '[.[] | select(.label | startswith("lt2:")) | select(.revoked | not)] | length')" = 0 ]
check $? "no minted token is left alive on the server"
show "linode-token audit"
linode-token audit | sed 's/^/   /'

printf '\n== Summary: %d steps ok, %d failed\n' "$PASS" "$FAIL"
[ "$FAIL" -eq 0 ]
