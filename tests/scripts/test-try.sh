#!/bin/sh
# SPDX-License-Identifier: MIT
# test-try.sh - `make try`, driven through a here-document as a person would type into it: the
# shell has the fake, a logged-in parent and BUILD_DIR on PATH, the three printed commands work,
# nothing of the caller's (HOME, config, git config, session keyring) is touched, and once the
# shell exits nothing it started is left running and its scratch directory is gone.
set -u
. "$(dirname "$0")/lib.sh"
case $B in "$S/build-asan") mk="SANITIZE=1" ;; *) mk="B=$B" ;; esac
keys_before=$(keyctl rlist @s 2>&1)
SHELL=/bin/sh make -s --no-print-directory -C "$S" "$mk" try >"$SCRATCH/out" 2>&1 <<'EOF'
echo "info: $LT_TRY_FAKE_PID ${HOME%/home} $LT_TRY_FAKE_URL"
echo "path: $(command -v linode-token) $(command -v git-credential-linode)"
linode-token status
T=$(linode-token get --scopes linodes:read_only); echo "get: ${#T}"
P=$(printf 'protocol=http\nhost=%s\n\n' "${LT_TRY_FAKE_URL#http://}" | git credential fill | sed -n 's/^password=//p')
echo "fill: ${#P}"
echo "posts: $(curl -s "$LT_TRY_FAKE_URL/__fake/requests" | jq '[.[] | select(.method == "POST")] | length')"
false
EOF
rc=$?
out=$(cat "$SCRATCH/out")
ok $rc "make try ran the shell and exited 0 (its last command failed: no failure of make try)"
[ $rc -eq 0 ] || sed 's/^/# /' "$SCRATCH/out"
like "$out" "  linode-token status" "it prints the first command to try"
like "$out" "  linode-token get --scopes linodes:read_only" "... the second"
like "$out" "| git credential fill" "... the third"
like "$out" "path: $B/linode-token $B/git-credential-linode" "the build directory is first on PATH"
like "$out" "Parent token: secret-service" "status: the parent is logged in to the Secret Service"
like "$out" "Account:      alice" "status: the fake's account"
like "$out" "get: 64" "get mints a token from the fake"
like "$out" "fill: 64" "git credential fill gets one through git-credential-linode"
like "$out" "posts: 2" "the fake saw the two mints"
set -- $(sed -n 's/^info: //p' "$SCRATCH/out")
pid=${1:-} top=${2:-}
case $top in /*/lt-wss.*) found=0 ;; *) found=1 ;; esac
[ -n "$pid" ]; ok $((found + $?)) "the shell saw the fake's pid ($pid) and its scratch directory ($top)"
[ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; ok $? "after exit: the fake API is stopped"
[ $found -eq 0 ] && [ ! -e "$top" ]; ok $? "after exit: the scratch directory is removed"
left=
if [ $found -eq 0 ]; then # the bus has it in its argv, the keyring daemon in its environment
    printf '%s/\n' "$top" > "$SCRATCH/pattern" # (in a file: grep's own argv must not match)
    left=$(grep -l -F -f "$SCRATCH/pattern" /proc/[0-9]*/cmdline /proc/[0-9]*/environ 2>/dev/null |
        cut -d/ -f3 | sort -u)
fi
[ $found -eq 0 ] && [ -z "$left" ]; ok $? "after exit: no process refers to it (the bus, the keyring daemon)"
for p in $left; do echo "# left: $p $(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)"; done
[ ! -e "$HOME/.config/linode-token" ] && [ ! -e "$HOME/.gitconfig" ]
ok $? "the caller's HOME has no linode-token config and no git config"
is "$(keyctl rlist @s 2>&1)" "$keys_before" "the caller's session keyring is unchanged"
done_testing
