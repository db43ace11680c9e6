#!/bin/sh
# SPDX-License-Identifier: MIT
# test-parity.sh - git-credential-linode says what linode-token says: the same message and hint
# for the same failure, and the same exit code from the documented table (0 ok, 1 API error, 2 bad
# usage, 3 no credential or keyring unavailable, 4 network or timeout); its erase says what is
# known of why a valid token was refused.
set -u
. "$(dirname "$0")/lib.sh"
need_secret_service "$@"

P=p000000000000000000000000000000000000000000000000000000000000001
SOON=$(date -u -d '+3 min' +%Y-%m-%dT%H:%M:%S)
E=e000000000000000000000000000000000000000000000000000000000000004   # parent: expires in 3 min
start_fake --token "$P=*" --token "$E=*@$SOON"
API="$FAKE_URL/v4"
HOSTPORT=${FAKE_URL#http://}
LT="$B/linode-token"
GCL="$B/git-credential-linode"
run() { "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"; RC=$?; OUT=$(cat "$SCRATCH/out"); ERR=$(cat "$SCRATCH/err"); }
conf() { # conf NAME PARENT-FILE [CACHE]
    printf '[general]\napi_url = %s\nallow_insecure_loopback = true\nparent_token_file = %s\ncache = %s\n[profile default]\nscopes = linodes:read_only\n' \
        "$API" "$2" "${3:-none}" > "$SCRATCH/$1.conf"
}
# both front ends, the same config: "RC|message after the program's own prefix"
both() { # both CONF
    run "$LT" --config "$SCRATCH/$1.conf" get
    A="$RC|${ERR#linode-token: get: }"
    run sh -c "printf 'protocol=http\nhost=$HOSTPORT\n\n' | '$GCL' --config '$SCRATCH/$1.conf' get"
    G="$RC|${ERR#git-credential-linode: get: }"
    GOUT=$OUT
}
(umask 077 && printf 'bad0000000000000000000000000000000000000000000000000000000000000\n' > "$SCRATCH/refused" &&
    printf '%s\n' "$E" > "$SCRATCH/expiring" && printf '%s\n' "$P" > "$SCRATCH/good")

conf refused "$SCRATCH/refused"
both refused
like "$A" "1|Invalid Token (HTTP 401) (the parent token was refused: replace the token in $SCRATCH/refused)" \
    "a refused parent: linode-token exits 1 and says how to replace it"
is "$G" "$A" "... git-credential-linode: the same exit code, message and hint"
is "$GOUT" "" "... and nothing on stdout"
conf expiring "$SCRATCH/expiring"
both expiring
like "$A" "3|the parent token expires too soon to mint from" "a parent about to expire: linode-token exits 3"
like "$A" "(the parent token is about to expire: replace the token in $SCRATCH/expiring)" "... with the hint"
is "$G" "$A" "... git-credential-linode: the same (it exited 1, with no hint)"
printf '[generall]\n' > "$SCRATCH/typo.conf"
both typo
like "$A" "2|config $SCRATCH/typo.conf:1: unknown section [generall]" "a bad config: exit 2"
is "$G" "$A" "... the same from git's helper"
conf down "$SCRATCH/good"
sed -i "s|$API|http://127.0.0.1:1/v4|" "$SCRATCH/down.conf"
printf '[profile x]\nscopes = linodes:read_only\n' >> "$SCRATCH/down.conf"
run "$LT" --config "$SCRATCH/down.conf" get
A="$RC|${ERR#linode-token: get: }"
run sh -c "printf 'protocol=http\nhost=127.0.0.1:1\n\n' | '$GCL' --config '$SCRATCH/down.conf' get"
is "$RC|${ERR#git-credential-linode: get: }" "$A" "the API down: the same exit code (${A%%|*}) and message from both"
run sh -c "printf 'protocol=http\nhost\n\n' | '$GCL' get"
is "$RC" 2 "a request git's protocol does not allow: exit 2 (bad usage)"

# --- erase: what is known of why a valid token was refused ------------------------------------------------------
conf kr "$SCRATCH/good" keyring
req='protocol=http\nhost=%s\n'
T=$(printf "$req\n" "$HOSTPORT" | LINODE_TOKEN_SESSION=er "$GCL" --config "$SCRATCH/kr.conf" get | sed -n 's/^password=//p')
is "${#T}" 64 "(a token cached for session er)"
erase() { run sh -c "printf '$req%susername=default\npassword=$T\n\n' '$HOSTPORT' '$1' | LINODE_TOKEN_SESSION=er '$GCL' --config '$SCRATCH/kr.conf' erase"; }
erase ''
like "$ERR" "this git does not say what the server asked for (no wwwauth[]: git before 2.41): if it wants a Bearer token, this git cannot send one" \
    "erase from a git that sends no wwwauth[] (2.39): says what is not known, not only 'a missing scope'"
erase 'wwwauth[]=Bearer realm="x"\n'
like "$ERR" "the server asks for a Bearer token, which this git cannot send: that needs git 2.46 or later" \
    "erase when the server asked for Bearer and git cannot send it: says so"
unlike "$ERR" "missing scope" "... not a missing scope"
erase 'wwwauth[]=Basic realm="x"\n'
like "$ERR" "kept it (likely a missing scope: profile default has 'linodes:read_only')" \
    "erase when the server took Basic and still refused: likely a missing scope"
"$LT" --config "$SCRATCH/kr.conf" end-session --session er >/dev/null 2>&1
done_testing
