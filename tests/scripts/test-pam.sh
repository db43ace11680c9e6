#!/bin/sh
# SPDX-License-Identifier: MIT
# test-pam.sh - pam_linode_token.so through pam_wrapper (never the real /etc/pam.d): pamtester for a
# smoke test, tests/pam/pamdrv.c for the process shapes, faults, privileges and valgrind. Serial, and
# every PAM run under timeout (docs/pam-session-module.md).
set -u
. "$(dirname "$0")/lib.sh"
# reap --system, which it drives throughout, needs root (as in CI)
[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root: linode-token reap --system runs as root only"; exit 0; }

P=p000000000000000000000000000000000000000000000000000000000000001
MOD="$B/pam_linode_token.so"
DRV="$B/pamdrv"
PAM_SESSION_ERR=14
PAM_IGNORE=25
start_fake --token "$P=*"
API="$FAKE_URL/v4"
(umask 077 && printf '%s\n' "$P" > "$SCRATCH/parent")
mkdir -p "$SCRATCH/svc"
printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000:Alice:/nonexistent:/bin/sh\nbob:x:1001:1001:Bob:/nonexistent:/bin/sh\n' \
    > "$SCRATCH/passwd"
printf 'root:x:0:\nalice:x:1000:\nbob:x:1001:\nops:x:2000:bob\n' > "$SCRATCH/group"
# An ASan build of the module needs the ASan runtime first in the preload list.
PRE="libpam_wrapper.so libnss_wrapper.so"
if nm -D "$MOD" 2>/dev/null | grep -q __asan_init; then
    PRE="$(gcc -print-file-name=libasan.so) $PRE"
fi

service() { # service NAME ARGS...: our module, plus pam_permit (so that the stack can succeed when we ignore)
    name=$1; shift
    printf 'session required %s %s\nsession optional pam_permit.so\n' "$MOD" "$*" > "$SCRATCH/svc/$name"
}
alone() { # alone NAME ARGS...: our module only, so that its own answer shows (PAM_IGNORE alone -> PAM_PERM_DENIED)
    name=$1; shift
    printf 'session required %s %s\n' "$MOD" "$*" > "$SCRATCH/svc/$name"
}
PAM_PERM_DENIED=6
# config= (empty): no configuration file, so that a machine's /etc/linode-token/pam.conf plays no part
BASE="config= parent_token_file=$SCRATCH/parent api_url=$API allow_http_loopback state_dir=$SCRATCH/run queue_dir=$SCRATCH/queue"
# The shared configuration file, as an administrator writes it (one argument per line), which
# reap --system reads too
pamconf() { # pamconf API: write $SCRATCH/pam.conf for that API
    (umask 077 && cat > "$SCRATCH/pam.conf" <<EOF2
# pam_linode_token and 'linode-token reap --system'
parent_token_file=$SCRATCH/parent
api_url=$1
allow_insecure_loopback
state_dir=$SCRATCH/run
queue_dir=$SCRATCH/queue
audit_log=$SCRATCH/pam-audit.log
  scopes=linodes:read_only
ttl=1h
EOF2
)
}
pamconf "$API"
service lt "$BASE scopes=linodes:read_only ttl=1h timeout=3s close_timeout=2s debug"
# pam_wrapper copies the service dir to /tmp/pam.X (one of ~62 names, fixed in the library), so
# runs of this test in two suites at once would collide: one PAM run at a time on the machine, and
# while holding the lock, the copies left by processes that died (their pid file names a dead pid).
exec 9</tmp # the lock is /tmp itself (a directory can be flock'ed), so a run leaves no lock file behind
stale_pam_dirs() {
    for d in /tmp/pam.?; do
        [ -f "$d/pid" ] && ! kill -0 "$(cat "$d/pid" 2>/dev/null)" 2>/dev/null && rm -rf "$d"
    done
}
pamrun() { # pamrun CMD...: under pam_wrapper + nss_wrapper; stdout in OUT, stderr in ERR
    flock -w 300 9 || bail "another test run held the pam_wrapper lock for 300 s"
    timeout 60 ${PAMRUN_PREFIX:-} env LD_PRELOAD="$PRE" PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$SCRATCH/svc" PAM_WRAPPER_DEBUGLEVEL=2 \
        NSS_WRAPPER_PASSWD="$SCRATCH/passwd" NSS_WRAPPER_GROUP="$SCRATCH/group" "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"
    RC=$?
    stale_pam_dirs
    flock -u 9
    OUT=$(cat "$SCRATCH/out"); ERR=$(cat "$SCRATCH/err")
}
drv() { pamrun "$DRV" "$@"; }
val() { printf '%s\n' "$OUT" | sed -n "s/^$1=//p" | head -n 1; }
val2() { printf '%s\n' "$OUT" | sed -n "s/^$1=//p" | sed -n 2p; }
tok() { fake_get /__fake/tokens | jq -r --arg s ":$1:" ".[] | select(.label | contains(\$s)) | .$2"; }
records() { ls "$SCRATCH/run" 2>/dev/null | grep -vc '^\.'; }

# --- the safety guard ---------------------------------------------------------------------------------
run_plain() { timeout 30 "$DRV" lt alice same >/dev/null 2>&1; echo $?; }
is "$(run_plain)" 3 "the driver refuses to run without pam_wrapper"

# --- smoke: pamtester ------------------------------------------------------------------------------------
live0=$(live_tokens)
pamrun pamtester -v lt alice open_session close_session
is "$RC" 0 "pamtester: open_session and close_session succeed"
is "$(live_tokens)" "$live0" "... and the token it minted is revoked again"
is "$(count POST /v4/profile/tokens)" 1 "... one POST"

# --- open and close on one handle --------------------------------------------------------------------------
drv lt alice same
is "$(val OPEN)" 0 "open: PAM_SUCCESS"
is "$(val LINODE_TOKEN_LEN)" 64 "open exports LINODE_TOKEN"
is "$(val LINODE_CLI_TOKEN_PREFIX)" "$(val LINODE_TOKEN_PREFIX)" "... and LINODE_CLI_TOKEN, the same token"
SID=$(val LINODE_TOKEN_PAM_SESSION)
printf '%s' "$SID" | grep -qE '^[0-9a-f]{32}$'; ok $? "... and a 128-bit session id ($SID)"
is "$(val LINODE_TOKEN_EXPIRY)" "$(date -u -d "$(tok "$SID" expiry) UTC" +%s)" "... and the token's expiry"
is "$(tok "$SID" scopes)" "linodes:read_only" "the fake's token has the configured scopes"
exp=$(date -u -d "$(tok "$SID" expiry) UTC" +%s); d=$((exp - $(date +%s) - 3600)); [ $d -lt 0 ] && d=$((-d))
[ $d -le 5 ]; ok $? "... and the configured ttl (1h)"
like "$(tok "$SID" label)" "lt2:" "... a label in the project's format"
like "$(tok "$SID" label)" ":alice:pam:$SID:" "... naming user and session (then the nonce)"
is "$(val DUMPABLE_AFTER_OPEN)" 1 "open leaves the host process dumpable as it found it"
is "$(val CLOSE)" 0 "close: PAM_SUCCESS"
is "$(tok "$SID" revoked)" true "close revoked it on the fake"
[ ! -e "$SCRATCH/run/$SID" ]; ok $? "... and removed the record"
is "$(val ENV_AFTER_CLOSE)" unset "... and the exported variable"
like "$ERR" "SYSLOG(6): mint: token $(tok "$SID" id) '$(tok "$SID" label)' of alice: minted" "syslog has the mint (id and label)"
like "$ERR" "SYSLOG(6): revoke: token $(tok "$SID" id) " "... and the revocation"
unlike "$ERR$OUT" "$(fake_get /__fake/tokens | jq -r '.[-1].label' | head -c 0)$P" "nothing logs the parent"

# --- audit_log=: a root-only JSON log of every mint and revocation --------------------------------------------
service au "$BASE scopes=linodes:read_only ttl=1h audit_log=$SCRATCH/pam-audit.log"
drv au alice same
ASID=$(val LINODE_TOKEN_PAM_SESSION)
is "$(stat -c %a "$SCRATCH/pam-audit.log" 2>/dev/null)" 600 "audit_log=: the file is created 0600"
is "$(jq -r --arg s "$ASID" 'select(.session == $s) | .action' "$SCRATCH/pam-audit.log" | tr '\n' ' ')" "mint revoke " \
    "... with a JSON line for the mint and one for the revocation"
is "$(jq -r --arg s "$ASID" 'select(.action == "mint" and .session == $s) | .id' "$SCRATCH/pam-audit.log")" "$(tok "$ASID" id)" \
    "... naming the token's id"
grep -qF "$P" "$SCRATCH/pam-audit.log"; ok $((! $?)) "... and never the parent"
chmod 620 "$SCRATCH/pam-audit.log"
drv au alice same
like "$ERR" "audit_log $SCRATCH/pam-audit.log must be a regular file owned by root and writable by root only" \
    "a group-writable audit_log is refused (syslog says so)"
is "$(jq -r --arg s "$(val LINODE_TOKEN_PAM_SESSION)" 'select(.session == $s) | .action' "$SCRATCH/pam-audit.log" | wc -l)" 0 \
    "... and not written to"
is "$(val OPEN):$(val CLOSE)" "0:0" "... while the session goes on"
chmod 640 "$SCRATCH/pam-audit.log"
drv au alice same
is "$(jq -r --arg s "$(val LINODE_TOKEN_PAM_SESSION)" 'select(.session == $s) | .action' "$SCRATCH/pam-audit.log" | tr '\n' ' ')" \
    "mint revoke " "a group-readable (not writable) audit_log is written, as auth.log is"
chmod 600 "$SCRATCH/pam-audit.log"
# A FIFO at audit_log= (nobody reading it) must not hang the login past timeout=
mkfifo -m 600 "$SCRATCH/audit.fifo"
service fifo "$BASE scopes=linodes:read_only ttl=1h timeout=2s audit_log=$SCRATCH/audit.fifo"
drv fifo alice same
is "$(val OPEN):$(val CLOSE)" "0:0" "a FIFO at audit_log=: open and close succeed"
[ "$(val OPEN_MS)" -lt 2000 ]; ok $? "... within timeout=2s, not hung on the FIFO (open took $(val OPEN_MS) ms)"
like "$ERR" "audit_log $SCRATCH/audit.fifo: cannot open it" "... and syslog says the audit line was not written"
is "$(tok "$(val LINODE_TOKEN_PAM_SESSION)" revoked)" true "... and the token is revoked"
rm -f "$SCRATCH/audit.fifo"
# A link at audit_log= is not followed
ln -s "$SCRATCH/pam-audit.log" "$SCRATCH/audit.link"
service link "$BASE scopes=linodes:read_only ttl=1h audit_log=$SCRATCH/audit.link"
drv link alice same
like "$ERR" "audit_log $SCRATCH/audit.link: cannot open it" "a symbolic link at audit_log= is not followed"
is "$(jq -r --arg s "$(val LINODE_TOKEN_PAM_SESSION)" 'select(.session == $s) | .action' "$SCRATCH/pam-audit.log" | wc -l)" 0 \
    "... and nothing reaches the file it points to"
rm -f "$SCRATCH/audit.link"

# --- pam_end without close: the token and the record stay; reap --system revokes them --------------------
drv lt alice noclose
SID=$(val LINODE_TOKEN_PAM_SESSION)
is "$(tok "$SID" revoked)" false "pam_end without close: the token stays"
[ -f "$SCRATCH/run/$SID" ]; ok $? "... and so does the record"
is "$(stat -c %a "$SCRATCH/run/$SID")" 600 "the record is 0600"
is "$(stat -c %a "$SCRATCH/run")" 700 "in a 0700 state_dir"
grep -qF "$(val LINODE_TOKEN_PREFIX)" "$SCRATCH/run/$SID"; ok $((! $?)) "the record holds no secret (not even its prefix)"
run_reap() { "$B/linode-token" reap --system --pam-config "$SCRATCH/pam.conf" "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"; RC=$?; OUT=$(cat "$SCRATCH/out"); ERR=$(cat "$SCRATCH/err"); }
run_reap --dry-run
like "$OUT" "Would revoke token" "reap --system --dry-run names the ended session's token"
run_reap
is "$RC" 0 "reap --system"
is "$(tok "$SID" revoked)" true "... revokes it (its process is gone)"
[ ! -e "$SCRATCH/run/$SID" ]; ok $? "... and removes the record"

# --- a session whose opening process was killed and is a zombie (not yet waited for) has ended -----------------
drv lt alice noclose
ZSID=$(val LINODE_TOKEN_PAM_SESSION); ZID=$(tok "$ZSID" id)
sh -c 'sleep 120 & echo $! > "$1"; exec sleep 120' _ "$SCRATCH/zpid" & HOLDER=$! # the holder never waits
i=0; while [ ! -s "$SCRATCH/zpid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
ZP=$(cat "$SCRATCH/zpid")
zstat() { sed 's/.*) //' "/proc/$ZP/stat" | cut -d' ' -f"$1"; } # fields from the state on (state is 1)
sed -i "s/^pid=.*/pid=$ZP/; s/^pid_start=.*/pid_start=$(zstat 20)/" "$SCRATCH/run/$ZSID"
run_reap --dry-run
unlike "$OUT" "Would revoke token $ZID " "control: while the session's process runs, reap --system spares it"
kill -9 "$ZP"
i=0; while [ "$(zstat 1)" != Z ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
is "$(zstat 1)" Z "the killed process is a zombie (its parent never waits)"
run_reap --dry-run
like "$OUT" "Would revoke token $ZID " "reap --system: a zombie session process counts as ended"
run_reap
is "$(tok "$ZSID" revoked)" true "... and its token is revoked"
kill "$HOLDER" 2>/dev/null; wait "$HOLDER" 2>/dev/null

# --- a forked child ending its handle silently does not revoke --------------------------------------------
drv lt alice fork
SID=$(val LINODE_TOKEN_PAM_SESSION)
is "$(val CLOSE)" 0 "fork: the parent's close succeeds"
ID=$(tok "$SID" id)
is "$(count DELETE "/v4/profile/tokens/$ID")" 1 "... one DELETE in all: the child's pam_end(PAM_DATA_SILENT) sent none"
is "$(tok "$SID" revoked)" true "... and the token is revoked"

# --- close on a brand-new handle finds the session through the record ----------------------------------------
drv lt alice newhandle
SID=$(val LINODE_TOKEN_PAM_SESSION)
is "$(val CLOSE)" 0 "close on a new handle (no data, no env): PAM_SUCCESS"
is "$(tok "$SID" revoked)" true "... found by user/tty/rhost in state_dir and revoked"
drv lt alice importenv
SID=$(val LINODE_TOKEN_PAM_SESSION)
is "$(val CLOSE)" 0 "close on a new handle with the imported environment (another tty)"
is "$(tok "$SID" revoked)" true "... found through the exported session id and revoked"
alone ltalone "$BASE scopes=linodes:read_only"
pamrun "$DRV" ltalone alice close
is "$(val CLOSE)" "$PAM_PERM_DENIED" "close with nothing to find: the module ignores (an all-ignore stack is PERM_DENIED)"
like "$ERR" "SYSLOG(6): no session record for alice" "... and says so at LOG_INFO"

# --- two cycles in one process (the module unloaded and loaded again) -----------------------------------------
drv lt alice twice
is "$(val OPEN)$(val2 OPEN)$(val CLOSE)$(val2 CLOSE)" "0000" "two open/close cycles in one process"
is "$(tok "$(val LINODE_TOKEN_PAM_SESSION)" revoked)$(tok "$(val2 LINODE_TOKEN_PAM_SESSION)" revoked)" truetrue \
    "... both tokens revoked"
is "$(records)" 0 "no record is left behind"

# --- a host that uses jansson itself: the module makes jansson wipe what it frees, and pam_end unloads
# the module, so the wiping free must outlive it (the module is linked -z nodelete) -------------------------
drv lt alice hostjson
is "$RC $(val OPEN)$(val CLOSE) $(val HOSTJSON)" "0 00 freed" \
    "the host frees its own JSON after pam_end unloaded the module (made before and after the session)"
is "$(tok "$(val LINODE_TOKEN_PAM_SESSION)" revoked)" true "... and the session's token is revoked"

# --- per-group scopes, and nothing to do ---------------------------------------------------------------------
service grp "$BASE scopes_group_ops=linodes:read_write"
drv grp bob open
is "$(val OPEN)" 0 "scopes_group_ops applies to bob (in ops)"
is "$(tok "$(val LINODE_TOKEN_PAM_SESSION)" scopes)" "linodes:read_write" "... with the group's scopes"
drv grp alice open
is "$(val OPEN)" 0 "alice (not in ops, no scopes=): the stack succeeds"
is "$(val LINODE_TOKEN_LEN)" "" "... with no token: the module ignored her"
alone grpalone "$BASE scopes_group_ops=linodes:read_write"
drv grpalone alice open
is "$(val OPEN)" "$PAM_PERM_DENIED" "... (alone in a stack, its PAM_IGNORE shows as PERM_DENIED)"
run_reap >/dev/null

# --- faults ------------------------------------------------------------------------------------------------------
chmod 640 "$SCRATCH/parent"
drv lt alice open
is "$(val OPEN)" "$PAM_SESSION_ERR" "a group-readable parent file: PAM_SESSION_ERR"
like "$ERR" "must be a regular file owned by" "... with a clear syslog line"
chmod 600 "$SCRATCH/parent"
service bad "$BASE scopes=linodes:read_only ttl=banana bogus frob=1 timeout=-3"
drv bad alice same
is "$(val OPEN)$(val CLOSE)" "00" "bad arguments: logged, ignored, no crash"
like "$ERR" "SYSLOG(3): unknown argument 'bogus'" "... an unknown argument at LOG_ERR"
like "$ERR" "bad argument ttl=banana" "... a bad value at LOG_ERR"
service nopar "config= api_url=$API allow_http_loopback scopes=linodes:read_only state_dir=$SCRATCH/run"
drv nopar alice open
is "$(val OPEN)" "$PAM_SESSION_ERR" "no parent_token_file=: PAM_SESSION_ERR"
drv lt nosuchuser open
is "$(val OPEN)" "$PAM_SESSION_ERR" "an unknown user: PAM_SESSION_ERR"

# API down at close: PAM_SUCCESS, the record goes to the queue, the next open revokes it
fake_fault '{"kind":"drop","method":"DELETE","count":1}'
drv lt alice same
SID=$(val LINODE_TOKEN_PAM_SESSION)
is "$(val CLOSE)" 0 "API down at close: still PAM_SUCCESS"
[ -f "$SCRATCH/queue/$SID" ]; ok $? "... and the session is queued in queue_dir"
is "$(tok "$SID" revoked)" false "... (not revoked yet)"
[ "$(val CLOSE_MS)" -le 3000 ]; ok $? "... within close_timeout + 1 s (took $(val CLOSE_MS) ms)"
drv lt alice same
is "$(tok "$SID" revoked)" true "the next open revokes the queued token"
[ ! -e "$SCRATCH/queue/$SID" ]; ok $? "... and empties the queue"

# A login storm: the API answers the POST with 429. The open fails at once (no waiting for a
# Retry-After far beyond timeout=), syslog says the API is rate limiting and when it takes logins
# again, and nothing is left behind: no token, no record, nothing queued.
recs0=$(records); q0=$(ls "$SCRATCH/queue" 2>/dev/null | wc -l); p0=$(count POST /v4/profile/tokens)
fake_fault '{"kind":"status","method":"POST","status":429,"retry_after":42,"count":1}'
t0=$(date +%s%N)
drv lt alice open
el=$(( ($(date +%s%N) - t0) / 1000000 ))
is "$(val OPEN)" "$PAM_SESSION_ERR" "open answered 429: PAM_SESSION_ERR"
[ "$el" -lt 3000 ]; ok $? "... within timeout= (3 s): ${el} ms"
like "$ERR" "cannot mint for alice: the API is rate limiting (Too many requests (HTTP 429)); it asks to retry after 42 s" \
    "... and syslog says the API is rate limiting, and for how long"
is "$(records):$(ls "$SCRATCH/queue" 2>/dev/null | wc -l)" "$recs0:$q0" "... no record left, nothing queued"
is "$(count POST /v4/profile/tokens)" $((p0 + 1)) "... one POST, not retried"

# A POST that times out in open but succeeds on the server: the record (written before the POST,
# with the label) goes to the queue, and reap --system finds the token by its label
service wa "$BASE scopes=linodes:read_only ttl=1h timeout=1"
fake_fault '{"kind":"delay","method":"POST","delay_ms":2500}'
drv wa alice open
is "$(val OPEN)" "$PAM_SESSION_ERR" "open whose POST times out: PAM_SESSION_ERR"
qrec=$(grep -l '^id=0$' "$SCRATCH/queue"/* 2>/dev/null | head -n 1)
[ -n "$qrec" ] && grep -q '^label=lt2:' "$qrec"; ok $? "... its record, with the label and no id yet, is queued"
like "$ERR" "got no answer: queued" "... and syslog says so"
sleep 2
wa_label=$(sed -n 's/^label=//p' "$qrec")
is "$(fake_get /__fake/tokens | jq --arg l "$wa_label" '[.[] | select(.label == $l) | select(.revoked | not)] | length')" 1 \
    "the server created the token all the same"
run_reap
is "$(fake_get /__fake/tokens | jq --arg l "$wa_label" '[.[] | select(.label == $l) | select(.revoked | not)] | length')" 0 \
    "reap --system finds it by its label and revokes it"
[ ! -e "$qrec" ]; ok $? "... and the record leaves the queue"

# Many revocations owed and a slow API: open still ends within its own timeout=
mkdir -p "$SCRATCH/queue"
i=0
while [ $i -lt 20 ]; do
    printf 'session=%032d\nid=%d\nuser=alice\nuid=1000\nlabel=old\napi_url=%s\nexpiry=0\n' $i $((900000 + i)) "$API" \
        > "$SCRATCH/queue/$(printf %032d $i)"
    i=$((i + 1))
done
chmod 600 "$SCRATCH/queue"/*
fake_fault '{"kind":"delay","method":"DELETE","delay_ms":1500,"count":40}'
service dl "$BASE scopes=linodes:read_only ttl=1h timeout=3 close_timeout=2s"
drv dl alice open
is "$(val OPEN)" 0 "20 queued revocations and a DELETE that takes 1.5 s: open succeeds"
[ "$(val OPEN_MS)" -le 4500 ]; ok $? "... within timeout=3 + 1.5 s (a bare number is seconds), not 20 x 1.5 s (took $(val OPEN_MS) ms)"
left=$(ls "$SCRATCH/queue" | grep -c '^0000')
[ "$left" -ge 17 ] && [ "$left" -le 20 ]; ok $? "... the queue work stopped when the time ran out ($left of 20 still owed)"
curl -sS -X DELETE "$FAKE_URL/__fake/faults" >/dev/null # clear what is left of the fault
rm -f "$SCRATCH/queue"/0000*
run_reap >/dev/null

# API down at open: a server that accepts and never answers in time
stop_fake
start_fake --token "$P=*" --latency-ms 20000
API2="$FAKE_URL/v4"
service slow "config= parent_token_file=$SCRATCH/parent api_url=$API2 allow_http_loopback scopes=linodes:read_only timeout=2s state_dir=$SCRATCH/run queue_dir=$SCRATCH/queue"
t0=$(date +%s%N)
drv slow alice open
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
is "$(val OPEN)" "$PAM_SESSION_ERR" "API not answering at open: PAM_SESSION_ERR"
[ "$(val OPEN_MS)" -le 3000 ]; ok $? "... within timeout + 1 s (open took $(val OPEN_MS) ms)"
stop_fake
start_fake --token "$P=*"
API="$FAKE_URL/v4"
BASE="config= parent_token_file=$SCRATCH/parent api_url=$API allow_http_loopback state_dir=$SCRATCH/run queue_dir=$SCRATCH/queue"
pamconf "$API"
service lt "$BASE scopes=linodes:read_only ttl=1h timeout=3s close_timeout=2s"

# --- the caller's environment steers nothing: su and sudo run the module with it -------------------------------
# A second fake plays the attacker: an API, a proxy and a CA that the caller's environment names.
fp=$FAKE_PID fu=$FAKE_URL
fake_launch "$SCRATCH/evil.port" "$SCRATCH/evil.log" --token "$P=*" || bail "the attacker fake did not start"
EVIL_PID=$FAKE_PID EVIL_URL=$FAKE_URL
FAKE_PID=$fp FAKE_URL=$fu
evil_seen() { curl -sS --max-time 10 --noproxy '*' "$EVIL_URL/__fake/requests" | jq length; }
# The attacker's environment, as assignments for env(1) (no value holds a space).
HOSTILE="LINODE_URL=$EVIL_URL LINODE_API_VERSION=v4 LINODE_CA=$SCRATCH/evil-ca.pem http_proxy=$EVIL_URL
HTTPS_PROXY=$EVIL_URL https_proxy=$EVIL_URL ALL_PROXY=$EVIL_URL all_proxy=$EVIL_URL NO_PROXY= SSLKEYLOGFILE=$SCRATCH/keylog"
p0=$(count POST /v4/profile/tokens)
pamrun $HOSTILE "$DRV" lt alice same
is "$(val OPEN)$(val CLOSE)" "00" "hostile environment, api_url= given: open and close succeed"
is "$(count POST /v4/profile/tokens)" $((p0 + 1)) "... the configured API minted (1 POST)"
is "$(evil_seen)" 0 "... LINODE_URL, LINODE_CA, http_proxy, HTTPS_PROXY, ALL_PROXY: the attacker saw nothing"
[ ! -e "$SCRATCH/keylog" ]; ok $? "... and SSLKEYLOGFILE: no key log file was written"
alone noapi "config= parent_token_file=$SCRATCH/parent scopes=linodes:read_only timeout=2 state_dir=$SCRATCH/run queue_dir=$SCRATCH/queue"
pamrun $HOSTILE "$DRV" noapi alice open
is "$(val OPEN)" "$PAM_SESSION_ERR" "hostile environment, no api_url=: open fails (the compiled default is not reachable here)"
like "$ERR" "api.linode.com" "... it went for the compiled default, https://api.linode.com"
is "$(evil_seen)" 0 "... and the parent never reached LINODE_URL's server"
[ ! -e "$SCRATCH/keylog" ]; ok $? "... nor was a key log written"
kill "$EVIL_PID"; wait "$EVIL_PID" 2>/dev/null
# (its record, queued with the unreachable default API, would fail every later reap here)
grep -l '^api_url=https://api.linode.com' "$SCRATCH/queue"/* 2>/dev/null | xargs rm -f
run_reap >/dev/null

# --- as root: ownership, and the user's token file ------------------------------------------------------------
if [ "$(id -u)" = 0 ]; then
    cp "$SCRATCH/parent" "$SCRATCH/parent-alice"; chown 1000 "$SCRATCH/parent-alice"; chmod 600 "$SCRATCH/parent-alice"
    service own "config= parent_token_file=$SCRATCH/parent-alice api_url=$API allow_http_loopback scopes=linodes:read_only state_dir=$SCRATCH/run queue_dir=$SCRATCH/queue"
    drv own alice open
    is "$(val OPEN)" "$PAM_SESSION_ERR" "root: a parent file not owned by root is refused"
    # alice (uid 1000) must reach her runtime dir: under a directory of its own in /tmp, not below
    # the suite's private scratch
    AD=$(mktemp -d /tmp/lt-pam-alice.XXXXXX); chmod 711 "$AD"
    trap 'cleanup; rm -rf "$AD"' EXIT
    mkdir -m 700 "$AD/xdg-alice"; chown 1000:1000 "$AD/xdg-alice"
    service tf "$BASE scopes=linodes:read_only token_file=linode-token"
    export PAMDRV_XDG_RUNTIME_DIR="$AD/xdg-alice"
    drv tf alice noclose
    F=$(val LINODE_TOKEN_FILE)
    is "$(val OPEN)" 0 "token_file=: open succeeds"
    is "$(val LINODE_TOKEN_LEN)" "" "... the token itself is not exported"
    is "$(stat -c '%a %u' "$F" 2>/dev/null)" "600 1000" "... the file is 0600 and owned by alice (uid 1000)"
    is "$(head -c 64 "$F" | wc -c)" 64 "... and holds the token"
    run_reap
    [ ! -e "$F" ]; ok $? "reap --system removes an ended session's token file"
    drv tf alice newhandle
    unset PAMDRV_XDG_RUNTIME_DIR
    F2=$(val LINODE_TOKEN_FILE)
    [ -n "$F2" ] && [ ! -e "$F2" ]; ok $? "close removes the token file"
    run_reap >/dev/null
else
    for i in 1 2 3 4 5 6 7; do echo "ok - # SKIP ownership checks need root"; T_N=$((T_N + 1)); done
fi

# --- ttl= and max_ttl=: one ceiling for every minted token (24h), the error names the argument --------------
service ttl "$BASE scopes=linodes:read_only ttl=1w1w1w max_ttl=2d"
drv ttl alice same
like "$ERR" "bad argument ttl=1w1w1w: at most 24h" "ttl=1w1w1w (21 days) is refused, naming the argument and the ceiling"
like "$ERR" "bad argument max_ttl=2d: at most 24h" "... and max_ttl=2d"
SID=$(val LINODE_TOKEN_PAM_SESSION)
exp=$(date -u -d "$(tok "$SID" expiry) UTC" +%s); d=$((exp - $(date +%s) - 8 * 3600)); [ $d -lt 0 ] && d=$((-d))
[ $d -le 5 ]; ok $? "... and the token gets the default 8h, not 21 days"
service ttl24 "$BASE scopes=linodes:read_only ttl=24h"
drv ttl24 alice same
unlike "$ERR" "bad argument" "ttl=24h, the ceiling itself, is accepted"

# --- close acts only on PAM_USER's record: a session id in the PAM environment (pam_env) is not enough -----------
alone ltalone "$BASE scopes=linodes:read_only"
drv lt alice noclose
VICTIM=$(val LINODE_TOKEN_PAM_SESSION)
export PAMDRV_PAM_ENV="LINODE_TOKEN_PAM_SESSION=$VICTIM"
drv ltalone bob close
is "$(val CLOSE)" "$PAM_PERM_DENIED" "bob's close naming alice's session in the PAM environment: ignored"
is "$(tok "$VICTIM" revoked)" false "... alice's token stays alive"
[ -f "$SCRATCH/run/$VICTIM" ]; ok $? "... and so does her record"
like "$ERR" "session $VICTIM is not bob's (it is alice's): not revoked here" "... and syslog says so"
drv ltalone alice close
unset PAMDRV_PAM_ENV
is "$(val CLOSE):$(tok "$VICTIM" revoked)" "0:true" "alice's own close with that id revokes it"

# --- PAM_RUSER: the record and the audit line name who asked (sudo's and su's caller) -------------------------
service au "$BASE scopes=linodes:read_only ttl=1h audit_log=$SCRATCH/pam-audit.log"
export PAMDRV_RUSER=carol
drv au alice noclose
unset PAMDRV_RUSER
RSID=$(val LINODE_TOKEN_PAM_SESSION)
grep -qx 'ruser=carol' "$SCRATCH/run/$RSID"; ok $? "the record names PAM_RUSER (ruser=carol)"
is "$(jq -r --arg s "$RSID" 'select(.session == $s and .action == "mint") | "\(.user) \(.ruser) \(.service)"' "$SCRATCH/pam-audit.log")" \
    "alice carol au" "... and so does the audit line (user, ruser, service)"
like "$ERR" "mint: token $(tok "$RSID" id) '$(tok "$RSID" label)' of alice for carol: minted" "... and the syslog line"
run_reap >/dev/null

# --- the caller's RLIMIT_FSIZE (ulimit -f 1): the host is not killed, the audit line lands ---------------------------
# (the driver's output goes through a pipe: the limit is on files, and the harness's own files are not the point)
pamrun_limited() { # pamrun_limited CMD...: pamrun under bash's ulimit -f 1 (1 KiB)
    flock -w 300 9 || bail "another test run held the pam_wrapper lock for 300 s"
    (timeout 60 bash -c 'ulimit -f 1; exec "$@"' _ env LD_PRELOAD="$PRE" PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$SCRATCH/svc" \
        NSS_WRAPPER_PASSWD="$SCRATCH/passwd" NSS_WRAPPER_GROUP="$SCRATCH/group" "$@" 2>&1; echo "RC=$?") | cat > "$SCRATCH/out"
    stale_pam_dirs
    flock -u 9
    OUT=$(cat "$SCRATCH/out"); ERR=$OUT; RC=$(val RC)
}
[ "$(stat -c %s "$SCRATCH/pam-audit.log")" -gt 2048 ]; ok $? "the audit log is past the 1 KiB limit already"
pamrun_limited "$DRV" au alice same
FSID=$(val LINODE_TOKEN_PAM_SESSION)
is "$RC" 0 "ulimit -f 1: the host is not killed by SIGXFSZ (exit $RC)"
is "$(val OPEN):$(val CLOSE)" "0:0" "... open and close succeed"
if bash -c 'ulimit -f 1; ulimit -f unlimited' 2>/dev/null && [ "$(id -u)" = 0 ]; then
    is "$(jq -r --arg s "$FSID" 'select(.session == $s) | .action' "$SCRATCH/pam-audit.log" | tr '\n' ' ')" "mint revoke " \
        "... and both audit lines landed (root lifts the limit for the module's work)"
else # no CAP_SYS_RESOURCE (a container) or not root: the hard limit stands, and syslog must say what was lost
    like "$ERR" "audit_log $SCRATCH/pam-audit.log: the line was not written: File too large" \
        "... the audit lines cannot land past a hard limit this process may not lift (no CAP_SYS_RESOURCE): syslog says so"
fi
is "$(tok "$FSID" revoked)" true "... and the token is revoked"
is "$(val FSIZE_AFTER_OPEN) $(val XFSZ_AFTER_OPEN)" "limited default" "... the caller's limit and SIGXFSZ are restored after open"

# --- OPENSSL_CONF: the caller's OpenSSL configuration (here: one loading a provider) is not loaded -------------------
printf 'openssl_conf = openssl_init\n[openssl_init]\nproviders = provider_sect\n[provider_sect]\nevil = evil_sect\n[evil_sect]\nmodule = %s\nactivate = 1\n' \
    "$B/evil-provider.so" > "$SCRATCH/evil.cnf"
OPENSSL_CONF="$SCRATCH/evil.cnf" LT_EVIL_MARK="$SCRATCH/evil.control" curl -s -o /dev/null "$FAKE_URL/__fake/tokens"
grep -q 'loaded' "$SCRATCH/evil.control" 2>/dev/null; ok $? "control: libcurl in a program of the user's loads that configuration's provider"
pamrun env OPENSSL_CONF="$SCRATCH/evil.cnf" LT_EVIL_MARK="$SCRATCH/evil.mark" "$DRV" lt alice same
is "$(val OPEN):$(val CLOSE)" "0:0" "OPENSSL_CONF naming a provider: open and close succeed"
[ ! -e "$SCRATCH/evil.mark" ]; ok $? "... and the module's libcurl loaded no configuration: the provider never ran"

# --- the shared configuration file: one argument per line, the module's arguments over it --------------------------
service cf "config=$SCRATCH/pam.conf"
drv cf alice same
CSID=$(val LINODE_TOKEN_PAM_SESSION)
is "$(val OPEN):$(val CLOSE)" "0:0" "config=FILE alone: the module works from the file"
is "$(tok "$CSID" scopes)" "linodes:read_only" "... with its scopes"
is "$(jq -r --arg s "$CSID" 'select(.session == $s) | .action' "$SCRATCH/pam-audit.log" | tr '\n' ' ')" "mint revoke " \
    "... and its audit_log"
service cf2 "config=$SCRATCH/pam.conf scopes=linodes:read_write"
drv cf2 alice same
is "$(tok "$(val LINODE_TOKEN_PAM_SESSION)" scopes)" "linodes:read_write" "an argument wins over the file"
chmod 666 "$SCRATCH/pam.conf"
drv cf alice same
is "$(val OPEN)" "$PAM_SESSION_ERR" "a world-writable configuration file: PAM_SESSION_ERR"
like "$ERR" "the configuration file $SCRATCH/pam.conf must be a regular file owned by root, writable by root only" \
    "... and syslog says why"
chmod 600 "$SCRATCH/pam.conf"
service cfmissing "config=$SCRATCH/no-such.conf scopes=linodes:read_only"
drv cfmissing alice open
is "$(val OPEN)" "$PAM_SESSION_ERR" "config= naming a file that is not there: PAM_SESSION_ERR"
like "$ERR" "cannot read the configuration file $SCRATCH/no-such.conf" "... and syslog says so"
echo 'frob=1' >> "$SCRATCH/pam.conf"
drv cf alice same
is "$(val OPEN)" "$PAM_SESSION_ERR" "an unknown setting in the file: the file is refused (PAM_SESSION_ERR), never half-read"
like "$ERR" "SYSLOG(3): $SCRATCH/pam.conf line 10: unknown setting 'frob'" "... syslog names the file and the line"
like "$ERR" "the configuration file $SCRATCH/pam.conf has 1 mistake" "... and that the file is refused"
# the file as a person types it: spaces around =; quotes and trailing comments are refused with their line
(umask 077 && cat > "$SCRATCH/typed.conf" <<EOF2
# typed by hand
parent_token_file = $SCRATCH/parent
api_url	=	$API
allow_insecure_loopback
state_dir = $SCRATCH/run
queue_dir = $SCRATCH/queue
scopes = linodes:read_only
timeout = 5s
EOF2
)
service typed "config=$SCRATCH/typed.conf"
drv typed alice same
is "$(val OPEN):$(val CLOSE)" "0:0" "pam.conf with spaces around = (scopes = linodes:read_only): open and close succeed"
is "$(tok "$(val LINODE_TOKEN_PAM_SESSION)" scopes)" "linodes:read_only" "... with the file's scopes (the line was not skipped)"
unlike "$ERR" "unknown setting" "... and no setting is unknown"
typed_bad() { # typed_bad LINE: the typed file with LINE in place of its timeout line
    sed -i "8s|.*|$1|" "$SCRATCH/typed.conf"
    drv typed alice open
}
typed_bad 'parent_token_file="/root/parent"'
is "$(val OPEN)" "$PAM_SESSION_ERR" 'parent_token_file="/root/parent" (quotes): the file is refused at open, not at revoke'
like "$ERR" "$SCRATCH/typed.conf line 8: parent_token_file: no quotes in this file: write parent_token_file=VALUE" \
    "... naming the file, the line and the fix"
typed_bad 'timeout=5s # five'
is "$(val OPEN)" "$PAM_SESSION_ERR" "timeout=5s # five (a trailing comment): the file is refused"
like "$ERR" "$SCRATCH/typed.conf line 8: timeout: a comment after a setting: put '# five' on a line of its own" \
    "... naming the line and the fix"
typed_bad 'timeout=5x'
like "$ERR" "$SCRATCH/typed.conf line 8: bad setting timeout=5x: not a duration" "a bad value in the file names its line"
is "$(val OPEN)" "$PAM_SESSION_ERR" "... and refuses the file (no default quietly in its place)"
typed_bad 'debug=no'
like "$ERR" "$SCRATCH/typed.conf line 8: debug=no: debug takes no value" "debug=no in the file is refused, not read as on"
typed_bad 'scopes linodes:read_only'
like "$ERR" "$SCRATCH/typed.conf line 8: unknown setting 'scopes linodes:read_only'" "a line without = names its line"
pamconf "$API"

# --- reap --system: the module's configuration, one try per record, the module's audit log and syslog -------------------
for f in "$SCRATCH/queue"/*; do # what earlier tests left for fakes that are gone (their API cannot answer)
    [ -f "$f" ] && ! grep -qx "api_url=$API" "$f" && rm -f "$f"
done
fake_fault '{"kind":"drop","method":"DELETE","count":5}'
drv lt alice noclose
DSID=$(val LINODE_TOKEN_PAM_SESSION); DID=$(tok "$DSID" id)
d0=$(count DELETE "/v4/profile/tokens/$DID")
run_reap
is "$(count DELETE "/v4/profile/tokens/$DID")" $((d0 + 1)) "reap --system, API down: one try for the ended session, not two"
like "$ERR" "0 revoked, 1 queued" "... it says 1 queued"
like "$ERR" "the next login on this host or 'linode-token reap --system' retries it" "... with a hint for the system, not a user's"
[ -f "$SCRATCH/queue/$DSID" ] && [ ! -e "$SCRATCH/run/$DSID" ]; ok $? "... the record moved to the queue"
is "$(jq -r --arg s "$DSID" 'select(.session == $s and .action == "queue") | .outcome' "$SCRATCH/pam-audit.log")" \
    "queued (reap --system could not revoke)" "... one queue line in the module's audit_log"
curl -sS -X DELETE "$FAKE_URL/__fake/faults" >/dev/null
run_reap
is "$RC" 0 "reap --system, API back"
is "$(tok "$DSID" revoked)" true "... revokes the queued token"
is "$(jq -r --arg s "$DSID" 'select(.session == $s and .action == "revoke") | .outcome' "$SCRATCH/pam-audit.log")" \
    "revoked (reap --system)" "... and writes it to the module's audit_log"
grep -qs "$DSID" "${XDG_STATE_HOME:-$HOME/.local/state}/linode-token/audit.log"; ok $((! $?)) "... not to the personal audit log"
if [ ! -S /dev/log ]; then
    like "$(jq -r 'select(.action == "log") | .message' "$SCRATCH/pam-audit.log")" "reap --system: revoke: token $DID " \
        "... and its syslog line (no syslog daemon here: in the audit log, marked so)"
    like "$ERR" "reap --system: no syslog daemon listens on /dev/log: this run's log lines go $SCRATCH/pam-audit.log" \
        "... and it tells the admin, once, where its lines went"
else
    for i in 1 2; do echo "ok - # SKIP a syslog daemon listens here: its lines are in the machine's log"; T_N=$((T_N + 1)); done
fi
# a mint whose answer never came and whose label no token carries (yet): kept until it would have expired
PS=00000000000000000000000000000abc
printf 'session=%s\nid=0\nuser=alice\nuid=1000\nlabel=lt2:h:alice:pam:%s:00000000\napi_url=%s\nexpiry=%s\n' \
    $PS $PS "$API" $(($(date +%s) + 3600)) > "$SCRATCH/queue/$PS"
chmod 600 "$SCRATCH/queue/$PS"
run_reap
is "$RC" 0 "reap --system: a mint still under way is not a failure"
like "$OUT" "Waiting on mint lt2:h:alice:pam:$PS:00000000: its mint is still under way" "... it says so"
[ -f "$SCRATCH/queue/$PS" ]; ok $? "... and keeps its record for a later run"
sed -i "s/^expiry=.*/expiry=$(($(date +%s) - 1))/" "$SCRATCH/queue/$PS"
run_reap
like "$OUT" "Resolved mint lt2:h:alice:pam:$PS:00000000: its mint created no token" "once it would have expired: resolved"
[ ! -e "$SCRATCH/queue/$PS" ]; ok $? "... and its record is gone"
echo 'frob=1' >> "$SCRATCH/pam.conf"
run_reap --dry-run
is "$RC" 2 "reap --system: an unknown setting in the file fails (exit 2)"
like "$ERR" "reap --system: $SCRATCH/pam.conf line 10: unknown setting 'frob'" "... naming the file and the line"
unlike "$ERR" "0 revoked" "... and reports no count"
printf 'scopes = linodes:read_only\nttl = 1h # an hour\n' >> "$SCRATCH/pam.conf"
run_reap --dry-run
like "$ERR" "$SCRATCH/pam.conf line 12: ttl: a comment after a setting" "reap --system names every mistake with its line"
like "$ERR" "has 2 mistakes" "... and counts them"
pamconf "$API"
"$B/linode-token" reap --system --pam-config "$SCRATCH/no-such.conf" >/dev/null 2>"$SCRATCH/err"
like "$(cat "$SCRATCH/err")" "cannot read the configuration file $SCRATCH/no-such.conf" "reap --system with a missing --pam-config says so"

# --- reap --system never reports success on what it could not see -------------------------------------------------
run_reap --state-dir "$SCRATCH/no-such-run"
is "$RC" 2 "reap --system --state-dir naming no directory: exit 2"
like "$ERR" "reap: --state-dir $SCRATCH/no-such-run: no such directory" "... naming it"
unlike "$ERR" "0 revoked" "... and no count of nothing"
run_reap --queue-dir "$SCRATCH/no-such-queue"
is "$RC" 2 "the same for --queue-dir"
like "$ERR" "--queue-dir $SCRATCH/no-such-queue: no such directory" "... naming it"
# the directories the configuration names, not there yet (no PAM session since boot): nothing to do, said so
(umask 077 && printf 'parent_token_file=%s\nstate_dir=%s\nqueue_dir=%s\n' "$SCRATCH/parent" "$SCRATCH/fresh/run" \
    "$SCRATCH/fresh/queue" > "$SCRATCH/fresh.conf")
run_fresh() { "$B/linode-token" reap --system --pam-config "$SCRATCH/fresh.conf" "$@" >/dev/null 2>"$SCRATCH/err"; RC=$?; ERR=$(cat "$SCRATCH/err"); }
run_fresh
is "$RC" 0 "reap --system, its directories not made yet: exit 0"
like "$ERR" "nothing to do: $SCRATCH/fresh/run and $SCRATCH/fresh/queue do not exist yet" "... saying there is nothing to do"
mkdir -p "$SCRATCH/fresh/run" && : > "$SCRATCH/fresh/queue"
run_fresh
is "$RC" 3 "reap --system: a queue_dir that cannot be read (a file): exit 3"
like "$ERR" "cannot read the PAM module's queue_dir $SCRATCH/fresh/queue: Not a directory" "... naming it"
unlike "$ERR" "0 revoked" "... and no count of nothing"
rm -f "$SCRATCH/fresh/queue" && mkdir -m 700 "$SCRATCH/fresh/queue" && chmod 000 "$SCRATCH/fresh/run"
run_fresh() { setpriv --bounding-set=-dac_override,-dac_read_search "$B/linode-token" reap --system \
    --pam-config "$SCRATCH/fresh.conf" >/dev/null 2>"$SCRATCH/err"; RC=$?; ERR=$(cat "$SCRATCH/err"); }
if command -v setpriv >/dev/null && setpriv --bounding-set=-dac_override,-dac_read_search true 2>/dev/null; then
    run_fresh
    is "$RC" 3 "reap --system: a state_dir root cannot read (mode 000, no CAP_DAC_OVERRIDE): exit 3"
    like "$ERR" "cannot read the PAM module's state_dir $SCRATCH/fresh/run: Permission denied" "... naming it"
else
    for i in 1 2; do echo "ok - # SKIP setpriv cannot drop CAP_DAC_OVERRIDE here"; T_N=$((T_N + 1)); done
fi
chmod 700 "$SCRATCH/fresh/run"
# reap --system reads no user's config: a broken one in XDG_CONFIG_HOME and --config play no part
mkdir -p "$SCRATCH/xdg/linode-token" && echo 'not [an ini' > "$SCRATCH/xdg/linode-token/config"
XDG_CONFIG_HOME="$SCRATCH/xdg" "$B/linode-token" reap --dry-run >/dev/null 2>"$SCRATCH/err"
is "$?" 2 "control: reap (a user's) reads the user's config, which is broken"
like "$(cat "$SCRATCH/err")" "$SCRATCH/xdg/linode-token/config" "... and says so"
XDG_CONFIG_HOME="$SCRATCH/xdg" "$B/linode-token" reap --system --pam-config "$SCRATCH/pam.conf" --dry-run \
    >/dev/null 2>"$SCRATCH/err"; RC=$?; ERR=$(cat "$SCRATCH/err")
is "$RC" 0 "reap --system with a broken user config: it reads the PAM configuration alone"
unlike "$ERR" "xdg" "... never the user's config"
run_reap --config "$SCRATCH/pam.conf"
is "$RC" 2 "reap --system --config (not --pam-config): refused"
like "$ERR" "--config names a user's configuration, which this command does not read" "... saying why"

# --- no syslog daemon: the module's lines go to audit_log, marked "syslog unavailable" ---------------------------------
if [ ! -S /dev/log ] || [ "$(id -u)" = 0 ]; then
    service ns "$BASE scopes=linodes:read_only ttl=1h audit_log=$SCRATCH/ns-audit.log bogus_arg"
    if [ -S /dev/log ]; then # hide the daemon: /dev/null over /dev/log, in a mount namespace of this run's own
        printf 'mount --bind /dev/null /dev/log || exit 97\nexec "$@"\n' > "$SCRATCH/nosyslog"
        PAMRUN_PREFIX="unshare -m --propagation private sh $SCRATCH/nosyslog"
        drv ns alice same
        PAMRUN_PREFIX=
    else
        drv ns alice same
    fi
    is "$(val OPEN):$(val CLOSE)" "0:0" "no syslog daemon: open and close succeed"
    is "$(jq -r 'select(.action == "log" and .note == "syslog unavailable") | .level + " " + .message' "$SCRATCH/ns-audit.log" | head -n 1)" \
        "err unknown argument 'bogus_arg' (ignored)" "... the lines syslog cannot take are in audit_log, marked so"
    like "$(jq -r 'select(.action == "log") | .message' "$SCRATCH/ns-audit.log")" "mint: token " "... the mint's line too"
else
    for i in 1 2 3; do echo "ok - # SKIP a syslog daemon listens and hiding it needs root"; T_N=$((T_N + 1)); done
fi

# --- the README's module line, as written (with this test's parent, API and directories) ---------------------
line=$(awk '/^# \/etc\/pam.d\/sshd/ {on = 1; next} on && /^```/ {exit} on {print}' "$S/README.md" | sed 's/\\$//' | tr -s ' \n' ' ')
case $line in "session optional pam_linode_token.so "*) ok 0 "the README has a module line" ;; *) ok 1 "the README has a module line ($line)" ;; esac
args=$(printf '%s' "${line#session optional pam_linode_token.so }" | sed "s#parent_token_file=[^ ]*#parent_token_file=$SCRATCH/parent#")
service readme "$args api_url=$API allow_insecure_loopback state_dir=$SCRATCH/run queue_dir=$SCRATCH/queue"
drv readme alice same
is "$(val OPEN):$(val CLOSE)" "0:0" "the README's module line: open and close succeed"
unlike "$ERR" "unknown argument" "... every argument in it is known"
unlike "$ERR" "bad argument" "... and valid (timeout=5: a bare number is seconds)"

# --- memory: valgrind on the driver paths ----------------------------------------------------------------------
if ! nm -D "$MOD" | grep -q __asan_init && command -v valgrind >/dev/null; then
    for mode in same fork newhandle twice; do
        pamrun valgrind -q --keep-debuginfo=yes --leak-check=full --errors-for-leak-kinds=definite,indirect \
            --error-exitcode=99 "$DRV" lt alice $mode
        is "$RC" 0 "valgrind memcheck clean: $mode"
        [ "$RC" = 0 ] || printf '%s\n' "$ERR" | grep -E '==[0-9]+==' | head -20 | sed 's/^/# /'
    done
else
    for mode in same fork newhandle twice; do echo "ok - # SKIP valgrind: the ASan build checks memory instead"; T_N=$((T_N + 1)); done
fi
run_reap >/dev/null
is "$(live_tokens)" 1 "in the end only the seed token is alive"
done_testing
