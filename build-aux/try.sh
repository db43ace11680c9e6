#!/bin/sh
# SPDX-License-Identifier: MIT
# try.sh BUILD_DIR - `make try`: a shell for trying the tools by hand, with nothing of the user's
# touched. Under with-secret-service (a throwaway HOME and XDG dirs, a private D-Bus session bus and
# unlocked Secret Service, a new kernel session keyring) it starts the bundled fake API, writes a
# config pointing at it, logs a parent token in, tells git to ask git-credential-linode, puts
# BUILD_DIR first on PATH, prints three commands to try and runs $SHELL. When that shell exits,
# the fake, the bus and the keyring daemon are stopped and the scratch directory removed.
set -u
B=$(cd "${1:?usage: try.sh BUILD_DIR}" && pwd)
S=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${LT_TRY_INSIDE:-}" ]; then
    LT_TRY_INSIDE=1 exec "$S/build-aux/with-secret-service" sh "$0" "$@"
fi
unset LT_TRY_INSIDE
SCRATCH=$(mktemp -d) # in with-secret-service's TMPDIR, which goes with it
FAKE_PID=
stop() {
    if [ -n "$FAKE_PID" ]; then kill "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null; fi
    rm -rf "$SCRATCH"
}
trap stop EXIT
. "$S/build-aux/fake.sh"
. "$S/build-aux/trial.sh"
trial_setup "$SCRATCH" alice || { echo "try: the fake API did not start:" >&2; cat "$SCRATCH/fake.log" >&2; exit 1; }
trial_git "$B/git-credential-linode" || { echo "try: git config failed" >&2; exit 1; }
export PATH="$B:$PATH"
printf '%s\n' "$PARENT" | linode-token login >"$SCRATCH/login" 2>&1 ||
    { echo "try: linode-token login failed:" >&2; cat "$SCRATCH/login" >&2; exit 1; }
unset PARENT
export LT_TRY_FAKE_URL="$FAKE_URL" LT_TRY_FAKE_PID="$FAKE_PID"
# bash reads /etc/bash.bashrc and then this (throwaway) ~/.bashrc; other shells take PS1 as it is
printf '%s\n' "PS1='(linode-token try) \\w \\$ '" > "$HOME/.bashrc"
export PS1='(linode-token try) $ '
host=${FAKE_URL#http://}
cat <<EOF
linode-token try: a shell with the bundled fake Linode API at $API and a parent token
logged in (user alice) to a private Secret Service. HOME, the XDG dirs and the kernel session
keyring are throwaway; $B is first on PATH, and git asks git-credential-linode for $FAKE_URL.
Three commands to try:

  linode-token status
  linode-token get --scopes linodes:read_only
  printf 'protocol=http\\nhost=$host\\n\\n' | git credential fill

Then list, create, exec, env, end-session, audit... (linode-token --help). What the fake saw:
curl -s \$LT_TRY_FAKE_URL/__fake/tokens (or /__fake/requests). Type exit to leave: the fake,
the Secret Service and this HOME go with the shell.
EOF
# A caught signal is reset to the default in the shell we start, so Ctrl-C works in it as usual;
# here it only keeps this script waiting for that shell.
trap : INT QUIT
"${SHELL:-/bin/sh}"

echo "linode-token try: stopping the fake API, the Secret Service and the keyring; removing $(dirname "$HOME")"
exit 0 # the shell's last status is the session's, not a failure of make try
