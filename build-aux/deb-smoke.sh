#!/bin/sh
# SPDX-License-Identifier: MIT
# deb-smoke.sh - run by deb-check.sh under with-secret-service (a throwaway HOME, Secret Service and
# kernel keyring): the *installed* linode-token, git-credential-linode and liblinode-token against
# the bundled fake ($LT_SMOKE_FAKE, the one the package build made). TAP-like lines; exits non-zero
# if any step fails.
set -u
S=$(cd "$(dirname "$0")/.." && pwd)
B=$(dirname "${LT_SMOKE_FAKE:?}") # for fake.sh: the fake only; the programs come from /usr/bin
export PATH=/usr/bin:/bin
SCRATCH=$(mktemp -d)
FAKE_PID=
trap '[ -n "$FAKE_PID" ] && kill $FAKE_PID 2>/dev/null; rm -rf "$SCRATCH"' EXIT
fails=0
step() { if [ "$1" -eq 0 ]; then echo "ok - $2"; else echo "FAILED - $2"; fails=$((fails + 1)); fi; }
. "$S/build-aux/fake.sh"
. "$S/build-aux/trial.sh"
trial_setup "$SCRATCH" smoke; step $? "the fake API started ($FAKE_URL)"
posts() { curl -s "$FAKE_URL/__fake/requests" | jq '[.[] | select(.method == "POST")] | length'; }

[ "$(command -v linode-token) $(command -v git-credential-linode)" = "/usr/bin/linode-token /usr/bin/git-credential-linode" ]
step $? "the programs on PATH are the installed ones"
printf '%s\n' "$PARENT" | linode-token login >"$SCRATCH/out" 2>&1
step $? "linode-token login (into the private Secret Service: libsecret loaded)"
linode-token status >"$SCRATCH/status" 2>&1
rc=$?
sed 's/^/    /' "$SCRATCH/status"
[ $rc -eq 0 ] && grep -q '^Account: *smoke$' "$SCRATCH/status" && grep -q '^Parent token: *secret-service' "$SCRATCH/status"
step $? "linode-token status: account smoke, parent in the Secret Service"
T=$(linode-token get --scopes linodes:read_only 2>"$SCRATCH/err")
[ ${#T} -eq 64 ] && [ "$(posts)" -eq 1 ]; step $? "linode-token get: a ${#T}-character token, one POST on the fake"
sed 's/^/    /' "$SCRATCH/err"
trial_git linode # by name: git runs git-credential-linode from PATH
out=$(printf 'protocol=http\nhost=%s\n\n' "${FAKE_URL#http://}" | git credential fill 2>"$SCRATCH/err")
G=$(printf '%s\n' "$out" | sed -n 's/^password=//p')
[ ${#G} -eq 64 ] && [ "$(posts)" -eq 2 ]; step $? "git credential fill through git-credential-linode: a ${#G}-character token"
sed 's/^/    /' "$SCRATCH/err"
linode-token end-session >"$SCRATCH/out" 2>&1
live=$(curl -s "$FAKE_URL/__fake/tokens" | jq '[.[] | select(.label | startswith("lt2:")) | select(.revoked | not)] | length')
[ "$live" = 0 ]; step $? "linode-token end-session: no minted token left alive on the fake"
# liblinode-token-dev and liblinode-token0: a program built with pkg-config alone, run
cc -Wall -Werror -o "$SCRATCH/prog" "$S/tests/api/pkg-config-prog.c" $(pkg-config --cflags --libs linode-token) &&
    [ "$("$SCRATCH/prog" linodes:read_only)" = "0.1.0 linodes:read_only" ] &&
    ldd "$SCRATCH/prog" | grep -Eq "liblinode-token.so.0 => (/usr)?/lib/"
step $? "a C program built with pkg-config linode-token runs on the installed library"
[ "$fails" -eq 0 ]
