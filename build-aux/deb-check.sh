#!/bin/sh
# SPDX-License-Identifier: MIT
# deb-check.sh [--build-only] - the Debian packages, as an admin gets them: build the four .debs from
# a copy of this tree (dpkg-buildpackage -us -uc -b; the tree itself is never written), lintian
# them, then install them with apt-get (dependencies from the archive), run the installed programs
# against the bundled fake, enable and remove the PAM profile with pam-auth-update, purge, and
# check that nothing of ours is left. TAP lines, then "N passed, N failed".
# The .debs are copied to build-deb/. --build-only (`make deb`) stops after lintian and needs no
# root; the rest needs root on Debian 12, and puts /etc/pam.d and /var/lib/pam back as they were.
set -u
S=$(cd "$(dirname "$0")/.." && pwd)
PKGS="linode-token libpam-linode-token liblinode-token0 liblinode-token-dev"
build_only=; [ "${1:-}" = --build-only ] && build_only=1
if [ -z "$build_only" ] && [ "$(id -u)" != 0 ]; then
    echo "deb-check: needs root: it installs the packages with apt-get, enables the PAM profile with" >&2
    echo "deb-check: pam-auth-update (which rewrites /etc/pam.d/common-session), then purges them and puts" >&2
    echo "deb-check: /etc/pam.d back. Run: su -c 'make deb-check' (or sudo make deb-check). As yourself," >&2
    echo "deb-check: 'make deb' builds and lints the packages into build-deb/." >&2
    exit 1
fi
if [ -z "$build_only" ]; then
    for p in $PKGS; do
        if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'installed$'; then
            echo "deb-check: $p is installed on this machine; deb-check installs and purges its own copy" >&2
            echo "deb-check: and would take yours away: apt-get purge $PKGS first" >&2
            exit 1
        fi
    done
fi

N=0 FAILED=0
ok() { # ok STATUS NAME
    N=$((N + 1))
    if [ "$1" -eq 0 ]; then echo "ok $N - $2"; else echo "not ok $N - $2"; FAILED=$((FAILED + 1)); fi
}
finish() { echo "1..$N"; echo "$((N - FAILED)) passed, $FAILED failed"; [ "$FAILED" -eq 0 ]; }
quote() { sed 's/^/#   /'; }

W=$(mktemp -d /tmp/lt-deb.XXXXXX) || exit 1
chmod 755 "$W" # apt's _apt user and lintian's nobody read the .debs from here
INSTALLED= PAM_SAVED=
cleanup() {
    if [ -n "$INSTALLED" ]; then # a run cut short: take our packages out again
        DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq $PKGS >/dev/null 2>&1
    fi
    if [ -n "$PAM_SAVED" ]; then # /etc/pam.d/common-* and pam-auth-update's state, as they were
        for f in "$W"/pam.d/*; do cmp -s "$f" "/etc/pam.d/${f##*/}" || cp -p "$f" /etc/pam.d/; done
        rm -rf /var/lib/pam && cp -a "$W/var-lib-pam" /var/lib/pam
    fi
    [ -n "${PAM_SVC:-}" ] && rm -f "/etc/pam.d/$PAM_SVC"
    [ -n "${FAKE_PID:-}" ] && kill "$FAKE_PID" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# 1. Build, from a copy of the tree without its build output or .git.
mkdir "$W/src"
tar -C "$S" -c --exclude=./build --exclude=./build-asan --exclude=./build-fuzz --exclude=./build-deb \
    --exclude=./.git . | tar -x -C "$W/src"
jobs=$(nproc 2>/dev/null || echo 1)
t0=$(date +%s)
(cd "$W/src" && DEB_BUILD_OPTIONS="parallel=$jobs" dpkg-buildpackage -us -uc -b) >"$W/build.log" 2>&1
rc=$?
ok $rc "dpkg-buildpackage -us -uc -b ($(($(date +%s) - t0)) s)"
[ $rc -eq 0 ] || { tail -n 30 "$W/build.log" | quote; finish; exit 1; }
debs=
for p in $PKGS; do
    f=$(ls "$W/${p}_"*.deb 2>/dev/null)
    [ -f "$f" ]; ok $? "built $p ($(basename "${f:-none}"))"
    debs="$debs $f"
done
chmod 644 "$W"/*.deb "$W"/*.changes "$W"/*.buildinfo
rm -rf "$S/build-deb" && mkdir -p "$S/build-deb" && cp "$W"/*.deb "$W"/*.changes "$W"/*.buildinfo "$S/build-deb/"

# 2. lintian: no tag of any severity but overridden ones, and every override says why.
lint() { lintian --info --pedantic --fail-on error,warning,info,pedantic "$W"/*.changes; }
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1 && command -v runuser >/dev/null 2>&1; then
    # lintian leaves its MLDBM scratch files behind: give it a TMPDIR of its own in the scratch dir
    install -d -o nobody -m 700 "$W/lintian-tmp" &&
    (cd / && runuser -u nobody -- env HOME=/nonexistent TMPDIR="$W/lintian-tmp" lintian --info --pedantic \
        --fail-on error,warning,info,pedantic "$W"/*.changes) >"$W/lintian.log" 2>&1 # lintian as root warns
else
    lint >"$W/lintian.log" 2>&1
fi
ok $? "lintian --pedantic: no error, warning, info or pedantic tag ($(grep -c '^[EWIPX]: ' "$W/lintian.log") shown)"
quote < "$W/lintian.log"
unexplained=$(for f in "$S"/debian/*.lintian-overrides; do
    [ -f "$f" ] && awk -v f="${f##*/}" '/^#/ { why = 1; next } /^[ \t]*$/ { why = 0; next }
        { if (!why) print f ": " $0 }' "$f"; done)
[ -z "$unexplained" ]; ok $? "every lintian override is preceded by a comment giving its reason"
[ -n "$unexplained" ] && printf '%s\n' "$unexplained" | quote
if [ -n "$build_only" ]; then
    echo "# the packages are in build-deb/; 'make deb-check' (as root) also installs, tries and purges them"
    finish
    exit
fi

# 3. Before: what the usual places hold, and PAM's configuration (put back at the end whatever happens).
export DEBIAN_FRONTEND=noninteractive
places="/etc /usr /var/lib /var/log /run /opt"
ours() { find $places -xdev \( -path /var/lib/dpkg -o -path /var/lib/apt -o -path /run/user \) -prune -o \
    \( -iname '*linode*' -print \) 2>/dev/null | sort; }
everything() { find /etc /usr /var/lib /var/log /opt -xdev \( -path /var/lib/dpkg -o -path /var/lib/apt \
    -o -path /var/log/apt -o -path /var/lib/systemd/timers \) -prune -o -print 2>/dev/null | sort; }
ours > "$W/ours.before"
everything > "$W/all.before"
mkdir "$W/pam.d" && cp -p /etc/pam.d/common-* "$W/pam.d/" && cp -a /var/lib/pam "$W/var-lib-pam" && PAM_SAVED=1

# 4. Install with apt-get: every dependency from the archive.
INSTALLED=1
(cd "$W" && apt-get install -y $(for d in $debs; do echo "./${d##*/}"; done)) >"$W/apt.log" 2>&1
rc=$?
ok $rc "apt-get install ./*.deb"
[ $rc -eq 0 ] || { tail -n 20 "$W/apt.log" | quote; finish; exit 1; }
sed -n '/NEW packages will be installed/,/^[0-9]/p' "$W/apt.log" | quote
st=$(for p in $PKGS; do dpkg-query -W -f='${Status}\n' "$p"; done | sort -u)
[ "$st" = "install ok installed" ]; ok $? "the four packages are installed ($st)"
for p in $PKGS; do dpkg -L "$p"; done | sort -u > "$W/dpkg-L"
# every Depends and Recommends has a candidate in the configured archive (what a clean machine pulls)
nocand=$(for d in $debs; do dpkg-deb -f "$d" Depends Recommends | sed 's/^[A-Za-z]*: //'; done | tr ',|' '\n\n' |
    sed 's/(.*//; s/^ *//; s/ *$//' | grep . | sort -u | while read -r dep; do
        case " $PKGS " in *" $dep "*) continue ;; esac
        apt-cache policy "$dep" | grep -q 'Candidate: [0-9]' || echo "$dep"; done)
[ -z "$nocand" ]; ok $? "every Depends and Recommends has a candidate in the archive"
[ -n "$nocand" ] && echo "$nocand" | quote
missing=$(ldd /usr/bin/linode-token /usr/bin/git-credential-linode /usr/lib/*/security/pam_linode_token.so \
    /usr/lib/*/liblinode-token.so.0 2>&1 | grep 'not found')
[ -z "$missing" ]; ok $? "the installed programs, module and library find every library they link"
# what dlopen() will load, which dpkg-shlibdeps cannot see: pulled in by the declared Depends
# (Recommends for libsecret, which apt installs by default)
for so in libcurl.so.4 libsecret-1.so.0; do
    ldconfig -p | grep -q "$so "; ok $? "$so (loaded with dlopen) is installed"
done
cmp -s "$W/pam.d/common-session" /etc/pam.d/common-session
ok $? "installing leaves common-session alone (the profile is Default: no)"
[ -L /etc/systemd/system/timers.target.wants/linode-token-reap.timer ]
ok $? "linode-token-reap.timer is enabled (timers.target.wants)"
unit=/lib/systemd/system/linode-token-reap.service
if command -v systemd-analyze >/dev/null 2>&1; then
    systemd-analyze verify "$unit" "${unit%.service}.timer" >"$W/verify.log" 2>&1
    ok $? "systemd-analyze verify linode-token-reap.service linode-token-reap.timer"
    quote < "$W/verify.log"
    score=$(systemd-analyze security --offline=true "$unit" 2>/dev/null |
        sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p')
    awk -v s="${score:-99}" 'BEGIN { exit !(s <= 1.8) }'
    ok $? "systemd-analyze security --offline=true: exposure ${score:-unknown} (at most 1.8)"
fi

# 5. The installed programs against the bundled fake, with a private Secret Service, keyring and
# HOME (build-aux/with-secret-service): nothing of the invoking user's is read or changed.
LT_SMOKE_FAKE="$W/src/build/linode-fake-api" "$S/build-aux/with-secret-service" \
    sh "$S/build-aux/deb-smoke.sh" >"$W/smoke.log" 2>&1
ok $? "smoke test of the installed programs (status, get, git credential fill, end-session, a C program)"
quote < "$W/smoke.log"

# 5b. The installed module through the real libpam (pamtester, a PAM service of our own in
# /etc/pam.d, removed afterwards): open mints a token from the fake, close revokes it.
pam_try() {
    B="$W/src/build"
    . "$S/build-aux/fake.sh"
    parent=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
    mkdir -m 700 "$W/pam" && (umask 077 && printf '%s\n' "$parent" > "$W/pam/parent") || return 1
    fake_launch "$W/pam/port" "$W/pam/fake.log" --username pam --token "$parent=*" || return 1
    # The settings in a pam.conf of our own, as an admin writes /etc/linode-token/pam.conf; the
    # module line names it, and reap --system below reads the same file.
    printf 'parent_token_file=%s\napi_url=%s\nallow_insecure_loopback\nscopes=linodes:read_only\nstate_dir=%s\nqueue_dir=%s\n' \
        "$W/pam/parent" "$FAKE_URL/v4" "$W/pam/state" "$W/pam/queue" > "$W/pam/pam.conf" || return 1
    printf 'session required pam_linode_token.so config=%s\n' "$W/pam/pam.conf" > "/etc/pam.d/$PAM_SVC"
    pamtester -v "$PAM_SVC" root open_session close_session > "$W/pam/pamtester.log" 2>&1 &&
        curl -s "$FAKE_URL/__fake/tokens" | jq -e '[.[] | select(.label | startswith("lt2:"))] |
            length == 1 and all(.revoked)' >/dev/null
}
# A close the API refuses queues the revocation; the installed `reap --system` then revokes it,
# run the way linode-token-reap.service runs it: no capabilities, no new privileges, / read-only
# but for the module's directories, an empty read-only /root and /home (ProtectSystem=strict,
# CapabilityBoundingSet=, ProtectHome=tmpfs).
reap_try() {
    curl -sf -X POST -d '{"kind": "status", "method": "DELETE", "status": 500, "count": 1000}' \
        "$FAKE_URL/__fake/faults" >/dev/null &&
        pamtester "$PAM_SVC" root open_session close_session >>"$W/pam/pamtester.log" 2>&1 &&
        [ "$(ls "$W/pam/queue" | wc -l)" = 1 ] && curl -sf -X DELETE "$FAKE_URL/__fake/faults" >/dev/null || return 1
    unshare -m sh -c 'mount --make-rprivate / && mount --bind "$1" "$1" && mount --bind "$2" "$2" &&
        mount -o remount,bind,ro / && mount -t tmpfs -o ro,mode=755 tmpfs /root &&
        mount -t tmpfs -o ro,mode=755 tmpfs /home && shift 2 && exec "$@"' sh "$W/pam/state" "$W/pam/queue" \
        setpriv --bounding-set -all --inh-caps -all --no-new-privs env -i PATH=/usr/bin:/bin \
        /usr/bin/linode-token reap --system --pam-config "$W/pam/pam.conf" >"$W/pam/reap.log" 2>&1 &&
        [ -z "$(ls "$W/pam/queue")" ] &&
        curl -s "$FAKE_URL/__fake/tokens" | jq -e '[.[] | select(.label | startswith("lt2:"))] |
            length == 2 and all(.revoked)' >/dev/null
}
PAM_SVC=lt-deb-check.$$
pam_try; ok $? "the installed module through libpam (pamtester): open minted a token from the fake, close revoked it"
quote < "$W/pam/pamtester.log" 2>/dev/null
reap_try; ok $? "a close the API refused queued its revocation; the installed reap --system, sandboxed as its unit, revoked it"
quote < "$W/pam/reap.log" 2>/dev/null
rm -f "/etc/pam.d/$PAM_SVC"
[ -n "${FAKE_PID:-}" ] && kill "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null
FAKE_PID=

# 6. pam-auth-update: --enable adds the session line to common-session (interactive sessions only),
# --remove takes it out; enabled again, purge must take it out too.
line() { grep -Eq '^session[[:space:]]+optional[[:space:]]+pam_linode_token\.so' "$1"; }
pam-auth-update --enable linode-token >"$W/pam.log" 2>&1
line /etc/pam.d/common-session; ok $? "pam-auth-update --enable linode-token: 'session optional pam_linode_token.so' in common-session"
grep -E 'pam_linode_token|pam_systemd' /etc/pam.d/common-session | quote
! grep -q pam_linode_token /etc/pam.d/common-session-noninteractive
ok $? "... not in common-session-noninteractive (cron and the like get no token)"
! grep -q pam_linode_token /etc/pam.d/common-auth /etc/pam.d/common-account /etc/pam.d/common-password
ok $? "... nor in auth, account or password"
pam-auth-update --remove linode-token >>"$W/pam.log" 2>&1
! grep -q pam_linode_token /etc/pam.d/common-session; ok $? "pam-auth-update --remove linode-token takes it out"
pam-auth-update --enable linode-token >>"$W/pam.log" 2>&1 && line /etc/pam.d/common-session
ok $? "enabled again before the purge"
[ -s "$W/pam.log" ] && quote < "$W/pam.log"

# 7. Purge: no package, no file of ours, nothing in PAM's stack, the timer's links gone.
apt-get purge -y $PKGS >"$W/purge.log" 2>&1
rc=$?
ok $rc "apt-get purge"
[ $rc -eq 0 ] || tail -n 20 "$W/purge.log" | quote
INSTALLED=
left=$(for p in $PKGS; do dpkg-query -W -f='${Package} ${Status}\n' "$p" 2>/dev/null; done | grep -v 'not-installed$')
[ -z "$left" ]; ok $? "dpkg knows none of them (not even their config files)"
cmp -s "$W/pam.d/common-session" /etc/pam.d/common-session
ok $? "common-session is as it was before the install"
still=$(while read -r f; do [ -d "$f" ] && continue; { [ -e "$f" ] || [ -L "$f" ]; } && echo "$f"; done < "$W/dpkg-L")
[ -z "$still" ]; ok $? "no file dpkg -L listed is left"
[ -n "$still" ] && printf '%s\n' "$still" | quote
ours > "$W/ours.after"
extra=$(comm -13 "$W/ours.before" "$W/ours.after")
[ -z "$extra" ]; ok $? "find: no *linode* path in $places that was not there before"
[ -n "$extra" ] && printf '%s\n' "$extra" | quote
everything > "$W/all.after"
# new paths since the install that no package owns (what the dependencies brought is theirs)
orphans=$(comm -13 "$W/all.before" "$W/all.after" | while read -r f; do
    dpkg -S "$f" >/dev/null 2>&1 || echo "$f"; done)
[ -z "$orphans" ]; ok $? "find: no new path in /etc /usr /var/lib /var/log /opt that no package owns"
[ -n "$orphans" ] && printf '%s\n' "$orphans" | head -n 20 | quote
finish
