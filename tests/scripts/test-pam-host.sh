#!/bin/sh
# SPDX-License-Identifier: MIT
# test-pam-host.sh - the module in a set-uid root host run by another user, as sudo and su run it:
# tests/pam/suid-host (real libpam, pam_start_confdir: nothing under /etc is read or touched) is
# copied set-uid root into a directory nobody can reach and run as nobody (real uid 65534,
# effective uid 0), with a hostile caller's environment (LINODE_URL, proxies, SSLKEYLOGFILE,
# OPENSSL_CONF), closed descriptors, PAM environment and `ulimit -f 1`. The fake sees the token
# minted and then revoked; the audit log holds both lines; the caller's servers see nothing.
set -u
. "$(dirname "$0")/lib.sh"

skip_all() { echo "1..0 # SKIP $*"; exit 0; }
[ "$(id -u)" = 0 ] || skip_all "needs root: it installs a set-uid root copy of the host and runs it as nobody"
command -v setpriv >/dev/null || skip_all "needs setpriv (util-linux)"
getent passwd nobody >/dev/null && getent group nogroup >/dev/null && getent passwd daemon >/dev/null ||
    skip_all "needs the users nobody and daemon and the group nogroup"
[ -x "$B/suid-host" ] || bail "no $B/suid-host"

P=p000000000000000000000000000000000000000000000000000000000000001
# The host must be reachable by nobody: its own directory in /tmp (the suite's scratch is 0700).
D=$(mktemp -d /tmp/lt-pam-host.XXXXXX) || bail "cannot make a directory in /tmp"
trap 'cleanup; rm -rf "$D"' EXIT
chmod 711 "$D"
cp "$B/suid-host" "$D/host" && chown root:root "$D/host" && chmod 4755 "$D/host"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
as_nobody test -x "$D/host" || skip_all "nobody cannot reach $D/host (a path component is closed to others)"
ids=$(as_nobody env ASAN_OPTIONS=detect_leaks=0 "$D/host" /nonexistent none daemon same 2>/dev/null | head -n 2 | tr '\n' ' ')
[ "$ids" = "RUID=65534 EUID=0 " ] || skip_all "the set-uid bit does not take effect in $D (mounted nosuid?): $ids"

start_fake --token "$P=*"
API="$FAKE_URL/v4"
fp=$FAKE_PID fu=$FAKE_URL
fake_launch "$SCRATCH/evil.port" "$SCRATCH/evil.log" --token "$P=*" || bail "the attacker fake did not start"
EVIL_PID=$FAKE_PID EVIL_URL=$FAKE_URL
FAKE_PID=$fp FAKE_URL=$fu
trap 'kill "$EVIL_PID" 2>/dev/null; cleanup; rm -rf "$D"' EXIT
evil_seen() { curl -sS --max-time 10 --noproxy '*' "$EVIL_URL/__fake/requests" | jq length; }
tok() { fake_get /__fake/tokens | jq -r --arg s ":$1:" ".[] | select(.label | contains(\$s)) | .$2"; }

H="$SCRATCH/host"
mkdir -p "$H/pam.d"
(umask 077 && printf '%s\n' "$P" > "$H/parent")
# the configuration as the man page has it: the module line names only the file
printf 'session required %s config=%s\n' "$B/pam_linode_token.so" "$H/pam.conf" > "$H/pam.d/lt"
: > "$H/pam.d/other"
# (as a person types it: spaces around =, a comment on its own line)
printf '# the PAM module and reap --system\nparent_token_file = %s\napi_url = %s\nallow_insecure_loopback\nstate_dir = %s\nqueue_dir = %s\naudit_log = %s\nscopes = linodes:read_only\nttl = 1h\ntimeout = 5s\n' \
    "$H/parent" "$API" "$H/run" "$H/queue" "$H/audit.log" > "$H/pam.conf"
chmod 644 "$H/pam.conf"
printf 'openssl_conf = openssl_init\n[openssl_init]\nproviders = provider_sect\n[provider_sect]\nevil = evil_sect\n[evil_sect]\nmodule = %s\nactivate = 1\n' \
    "$B/evil-provider.so" > "$D/evil.cnf"
chmod 644 "$D/evil.cnf"

# host MODE [LIMIT]: the host as nobody, with the hostile environment, fds 0 and 2 closed, and the
# PAM environment a caller might bring (pam_env); its output through a pipe (the limit is on files)
host() {
    as_nobody env -i PATH=/usr/bin:/bin HOME=/nonexistent ASAN_OPTIONS=detect_leaks=0 \
        LINODE_URL="$EVIL_URL" LINODE_API_VERSION=v4 LINODE_CA="$D/evil-ca.pem" http_proxy="$EVIL_URL" \
        HTTPS_PROXY="$EVIL_URL" https_proxy="$EVIL_URL" ALL_PROXY="$EVIL_URL" NO_PROXY= SSLKEYLOGFILE="$D/keylog" \
        OPENSSL_CONF="$D/evil.cnf" LT_EVIL_MARK="$D/evil.mark" \
        bash -c 'ulimit -f "$1"; shift; exec 0<&- 2>&-; exec "$@"' _ "${2:-unlimited}" \
        "$D/host" "$H/pam.d" lt daemon "$1" "LINODE_TOKEN_PAM_SESSION=00000000000000000000000000000000" \
        "XDG_RUNTIME_DIR=/tmp" | cat > "$SCRATCH/out"
    OUT=$(cat "$SCRATCH/out")
}
val() { printf '%s\n' "$OUT" | sed -n "s/^$1=//p" | head -n 1; }
lines() { jq -r --arg s "$1" 'select(.session == $s) | "\(.action) \(.user) \(.ruser)"' "$H/audit.log" | tr '\n' ' '; }

for mode in same split; do
    host $mode
    SID=$(val SESSION)
    is "$(val RUID) $(val EUID)" "65534 0" "$mode: the host runs with real uid nobody, effective uid root (as sudo)"
    is "$(val OPEN)" 0 "$mode: open succeeds"
    is "$(val TOKEN_LEN)" 64 "... and exports the token"
    is "$(tok "$SID" scopes)" "linodes:read_only" "... the fake minted it, with the configured scopes"
    is "$(val CLOSE)" 0 "$mode: close succeeds ($([ $mode = same ] && echo 'the same handle' || echo 'a new handle with the session id in its PAM environment'))"
    is "$(tok "$SID" revoked)" true "... and the fake shows the token revoked"
    [ ! -e "$H/run/$SID" ]; ok $? "... its record is gone"
    is "$(lines "$SID")" "mint daemon nobody revoke daemon nobody " "... the audit log has both lines, naming the user and who ran the host"
    jq -e . "$H/audit.log" >/dev/null 2>&1; ok $? "... and nothing but JSON lines (no stray output into a descriptor the caller closed)"
    unlike "$OUT" "no session record" "... close found its record (read as the effective uid, not the caller's)"
done
is "$(evil_seen)" 0 "LINODE_URL, LINODE_CA, the proxies: the caller's server saw nothing"
[ ! -e "$D/keylog" ]; ok $? "SSLKEYLOGFILE: no key log was written"
[ ! -e "$D/evil.mark" ]; ok $? "OPENSSL_CONF: the caller's provider was not loaded"

# ulimit -f 1: sudo must not die of SIGXFSZ while the module writes its audit line
i=0
while [ $i -lt 30 ]; do echo '{"action":"filler"}'; i=$((i + 1)); done >> "$H/audit.log"
host same 1
SID=$(val SESSION)
is "$(val OPEN):$(val CLOSE)" "0:0" "ulimit -f 1 (the audit log is past 1 KiB): the host is not killed, open and close succeed"
is "$(tok "$SID" revoked)" true "... the token minted and revoked"
if bash -c 'ulimit -f 1; ulimit -f unlimited' 2>/dev/null; then
    is "$(lines "$SID")" "mint daemon nobody revoke daemon nobody " "... and both audit lines landed (the module lifted the limit)"
else # no CAP_SYS_RESOURCE here (a container): the hard limit stands; syslog must say the line was lost
    like "$OUT" "audit_log $H/audit.log: the line was not written: File too large" \
        "... the hard limit cannot be lifted without CAP_SYS_RESOURCE: syslog says each line was not written"
fi
# reap --system as nobody (who can read neither the directories nor the file): it needs root, and says so
cp "$B/linode-token" "$D/linode-token" && chmod 755 "$D/linode-token"
as_nobody env -i PATH=/usr/bin:/bin HOME=/nonexistent ASAN_OPTIONS=detect_leaks=0 "$D/linode-token" reap --system \
    --pam-config "$H/pam.conf" --state-dir "$H/run" --queue-dir "$H/queue" >/dev/null 2>"$SCRATCH/err"
is "$?" 2 "reap --system as nobody: exit 2"
like "$(cat "$SCRATCH/err")" "--system needs root" "... saying it needs root"
unlike "$(cat "$SCRATCH/err")" "0 revoked" "... not a count of what it could not see"
is "$(live_tokens)" 1 "in the end only the seed token is alive"
done_testing
