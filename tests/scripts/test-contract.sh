#!/bin/sh
# SPDX-License-Identifier: MIT
# test-contract.sh - the fake and the client held to Linode's published OpenAPI spec (the excerpts
# in tests/contract/, checked by tests/contract/check.py with python3-jsonschema): every answer the
# fake gives, for the normal and the error cases of each operation (with 401 and 403 for a missing
# scope, with and without X-OAuth-Scopes), and every request the real linode-token sends, as the
# fake recorded them. No network: the fake is on loopback.
set -u
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3 # Debian's, with python3-jsonschema and python3-yaml (build-aux/deps.sh)
[ -x "$PY" ] || PY=python3
"$PY" -c 'import jsonschema, yaml' 2>/dev/null || bail "python3-jsonschema and python3-yaml are needed (make deps)"
C="$S/tests/contract"
MAIN="$C/linode-openapi-4.176.0.yaml"
SPECS="$MAIN $C/linode-openapi-4.189.0.yaml:$MAIN" # 4.189's info block lost the prose: its rules from 4.176
VERSION=$("$B/linode-token" --version | sed -n 's/^linode-token //p')

P=p000000000000000000000000000000000000000000000000000000000000001   # *
R=r000000000000000000000000000000000000000000000000000000000000003   # account:read_only
L=l000000000000000000000000000000000000000000000000000000000000004   # linodes:read_only (no account scope)
Q=q000000000000000000000000000000000000000000000000000000000000005   # linodes:read_only account:read_only
Z=z000000000000000000000000000000000000000000000000000000000000006   # no token at all
LT="$B/linode-token"
run() { "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"; RC=$?; OUT=$(cat "$SCRATCH/out"); ERR=$(cat "$SCRATCH/err"); }
for t in P R L Q Z; do eval "v=\$$t"; (umask 077 && printf '%s\n' "$v" > "$SCRATCH/$t"); done
lt() { # lt PARENT ARGS...: the real CLI, the parent from a 0600 file
    who=$1; shift
    run "$LT" --allow-insecure-loopback --api-url "$API" --parent-token-file "$SCRATCH/$who" "$@"
}
# verdicts SPEC MODE LOG [UA]: check.py's lines as TAP, a line per check
verdicts() {
    "$PY" "$C/check.py" "$@" > "$SCRATCH/verdicts" 2>&1 || echo "FAIL check.py $2 exited $?" >> "$SCRATCH/verdicts"
    [ -s "$SCRATCH/verdicts" ] || echo "FAIL check.py $2 printed nothing" >> "$SCRATCH/verdicts"
    while IFS= read -r line; do
        case $line in
        PASS\ *) ok 0 "${1##*/} ${line#PASS }" ;;
        *) ok 1 "${1##*/} ${line#FAIL }" ;;
        esac
    done < "$SCRATCH/verdicts"
}
# call METHOD PATH [BODY [BEARER]]: the fake's API with curl (an answer to hold to the spec)
call() {
    set -- "$1" "$2" "${3:-}" "${4:-P}"
    eval "tok=\$$4"
    (umask 077 && printf 'Authorization: Bearer %s\n' "$tok" > "$SCRATCH/hdr")
    if [ "$1" = HEAD ]; then # -I: curl would wait for the Content-Length's body a HEAD never has
        curl -sS -I -o /dev/null -w '%{http_code}' -H @"$SCRATCH/hdr" "$API$2"
    elif [ -n "$3" ]; then
        curl -sS -o /dev/null -w '%{http_code}' -H @"$SCRATCH/hdr" -H 'Content-Type: application/json' \
            -X "$1" -d "$3" "$API$2"
    else
        curl -sS -o /dev/null -w '%{http_code}' -H @"$SCRATCH/hdr" -X "$1" "$API$2"
    fi
}
cfg() { # a config as a person types it: cache none, so nothing but the fake is touched
    printf '[general]\napi_url = %s\nallow_insecure_loopback = true\ncache = none\n[profile default]\nscopes = linodes:read_only\n' \
        "$API" > "$SCRATCH/config"
}

# --- the validator itself: a wrong body, request or status is rejected ---------------------------------
for spec in $SPECS; do verdicts "$spec" selftest; done

for mode in 401 403; do
    for omit in "" --omit-oauth-scopes; do
        what="scope errors $mode${omit:+, no X-OAuth-Scopes}"
        start_fake --token "$P=*" --token "$R=account:read_only" --token "$L=linodes:read_only" \
            --token "$Q=linodes:read_only account:read_only" --scope-error-status "$mode" $omit
        API="$FAKE_URL/v4"
        cfg

        # --- every request the client sends, and every answer it gets ------------------------------------
        lt P status; is "$RC" 0 "$what: status"
        lt P list; is "$RC" 0 "$what: list"
        lt P create --label "contract" --scopes "linodes:read_only domains:read_write" --expiry 2h --json
        is "$RC" 0 "$what: create"
        id=$(printf '%s' "$OUT" | jq -r .id)
        lt P view "$id"; is "$RC" 0 "$what: view"
        lt P rename "$id" "contract-renamed"; is "$RC" 0 "$what: rename"
        lt P revoke "$id" --yes; is "$RC" 0 "$what: revoke"
        lt P view 424242; is "$RC" 1 "$what: view of an unknown id: exit 1 (a 404)"
        run "$LT" --config "$SCRATCH/config" --parent-token-file "$SCRATCH/P" get --session contract-s
        is "$RC:${#OUT}" "0:64" "$what: get mints a token"
        run "$LT" --config "$SCRATCH/config" --parent-token-file "$SCRATCH/P" end-session --session contract-s
        is "$RC" 0 "$what: end-session revokes it"
        run "$LT" --config "$SCRATCH/config" --parent-token-file "$SCRATCH/P" reap
        is "$RC" 0 "$what: reap"
        lt Q create --label nope --scopes linodes:read_only
        is "$RC" 1 "$what: create with a parent without account:read_write: exit 1"
        like "$ERR" "not authorized to use this endpoint. (HTTP $mode; the call needs the scope account:read_write)" \
            "$what: ... says which scope the call needs"
        unlike "$ERR" "linode-token login" "$what: ... and does not call the parent invalid"
        run "$LT" --config "$SCRATCH/config" --parent-token-file "$SCRATCH/Q" get --session contract-r
        is "$RC" 1 "$what: get with that parent: exit 1"
        like "$ERR" "(HTTP $mode; the call needs the scope account:read_write)" "$what: ... the same line"
        lt L status
        if [ -z "$omit" ]; then
            is "$RC" 0 "$what: status of a parent without account:read_only"
            like "$OUT" "linodes:read_only" "$what: ... shows its scopes"
        else
            # no header, and its own entry in the list cannot be read
            like "$OUT$ERR" "no X-OAuth-Scopes" "$what: status of a parent that cannot list: says the scopes are unknown"
            like "$OUT$ERR" "HTTP $mode" "$what: ... and why ($mode)"
        fi
        lt P --debug status
        if [ -n "$omit" ]; then
            like "$ERR" "no X-OAuth-Scopes in the answer to GET /profile: the token's scopes are those of its own entry in GET /profile/tokens (id 1000" \
                "$what: --debug says where the scopes came from"
            like "$OUT" "Scopes:       *" "$what: ... and status shows them"
        fi
        # git's erase after a refusal (a missing scope, 401 or 403 on git's side): the token still
        # works, so it is kept, whether or not the API says X-OAuth-Scopes
        printf '[general]\napi_url = %s\nallow_insecure_loopback = true\ncache = keyring\nparent_token_file = %s\n[profile default]\nscopes = linodes:read_only\n' \
            "$API" "$SCRATCH/P" > "$SCRATCH/git.conf"
        host=${FAKE_URL#http://}
        tg=$(printf 'protocol=http\nhost=%s\n\n' "$host" |
            LINODE_TOKEN_SESSION="git$mode$omit" "$B/git-credential-linode" --config "$SCRATCH/git.conf" get |
            sed -n 's/^password=//p')
        is "${#tg}" 64 "$what: git-credential-linode get"
        d0=$(fake_get /__fake/requests | jq '[.[] | select(.method == "DELETE")] | length')
        printf 'protocol=http\nhost=%s\nusername=default\npassword=%s\n\n' "$host" "$tg" |
            LINODE_TOKEN_SESSION="git$mode$omit" "$B/git-credential-linode" --config "$SCRATCH/git.conf" erase \
            2>"$SCRATCH/erase.err"
        is "$?" 0 "$what: erase of a token that still works: exit 0"
        like "$(cat "$SCRATCH/erase.err")" "still valid; kept it" "$what: ... kept"
        is "$(fake_get /__fake/requests | jq '[.[] | select(.method == "DELETE")] | length')" "$d0" "$what: ... no DELETE"
        lt P create --label "$(printf '%0101d' 0)" --scopes linodes:read_only
        is "$RC" 2 "$what: a 101-character label is refused before sending (exit 2)"
        fake_get /__fake/requests > "$SCRATCH/client.json"
        is "$(jq '[.[] | select(.method == "POST" and (.body.label | length) > 100)] | length' "$SCRATCH/client.json")" 0 \
            "$what: ... the fake saw no such POST"
        is "$(jq 'length > 20' "$SCRATCH/client.json")" true "$what: the client's traffic was recorded"
        for spec in $SPECS; do verdicts "$spec" client "$SCRATCH/client.json" "linode-token/$VERSION"; done

        # --- the fake's answers: the normal and the error cases of every operation ---------------------
        fake_reset
        is "$(call GET /profile)" 200 "$what: GET /profile"
        is "$(call GET /profile '' R)" 200 "$what: GET /profile needs no scope"
        is "$(call GET /profile '' Z)" 401 "$what: GET /profile, no token"
        is "$(call GET '/profile/tokens?page=1&page_size=25')" 200 "$what: list"
        is "$(call GET '/profile/tokens?page_size=10')" 400 "$what: list, page_size 10"
        is "$(call GET /profile/tokens '' L)" "$mode" "$what: list without account:read_only"
        is "$(call HEAD /profile/tokens)" 200 "$what: HEAD of the list"
        curl -sS -I -H @"$SCRATCH/hdr" "$API/profile/tokens" > "$SCRATCH/head"
        like "$(cat "$SCRATCH/head")" "X-RateLimit-Limit: 200" "$what: ... headers only, the list's limit"
        is "$(curl -sS -o /dev/null -w '%{http_code}' -X OPTIONS "$API/profile/tokens/7")" 200 "$what: OPTIONS, no token"
        is "$(call POST /profile/tokens '{"label":"plain","scopes":"linodes:read_only"}')" 200 "$what: create"
        is "$(call POST /profile/tokens '{"label":"z","expiry":"2031-01-01T00:00:00Z"}')" 200 "$what: create, expiry ...Z"
        is "$(call POST /profile/tokens '{"label":"o","expiry":"2031-01-01T02:00:00.5+02:00"}')" 200 \
            "$what: create, expiry with a fraction and an offset"
        is "$(call POST /profile/tokens '{"label":"never"}')" 200 "$what: create without expiry"
        is "$(call POST /profile/tokens '{"label":"far","expiry":"2500-01-01T00:00:00"}')" 200 "$what: create, far future"
        is "$(fake_get /__fake/tokens | jq -r '.[] | select(.label == "far") | .expiry')" "2999-12-12T05:00:00" \
            "$what: ... read back as 2999-12-12T05:00:00 (docs/linode-api.md)"
        is "$(fake_get /__fake/tokens | jq -r '.[] | select(.label == "o") | .expiry')" "2031-01-01T00:00:00" \
            "$what: ... the offset applied"
        is "$(call POST /profile/tokens '{"label":"c","scopes":"linodes:read_only,domains:read_only"}')" 400 \
            "$what: create, comma-separated scopes"
        is "$(call POST /profile/tokens "{\"label\":\"$(printf '%0101d' 0)\"}")" 400 "$what: create, 101-character label"
        is "$(call POST /profile/tokens '{"label":""}')" 400 "$what: create, empty label"
        is "$(call POST /profile/tokens '{"label":"d","expiry":"tomorrow"}')" 400 "$what: create, expiry not a date-time"
        is "$(call POST /profile/tokens '{"label":"p","expiry":"2001-01-01T00:00:00"}')" 400 "$what: create, past expiry"
        is "$(call POST /profile/tokens '{"label":"e","scopes":"*"}' R)" "$mode" "$what: create without account:read_write"
        is "$(call POST /profile/tokens '{"label":"x","scopes":"domains:read_write"}' L)" "$mode" \
            "$what: create with no account scope at all"
        id=$(fake_get /__fake/tokens | jq -r '.[] | select(.label == "plain") | .id')
        is "$(call GET "/profile/tokens/$id")" 200 "$what: get"
        is "$(call GET "/profile/tokens/$id" '' L)" "$mode" "$what: get without account:read_only"
        is "$(call GET /profile/tokens/424242)" 404 "$what: get, unknown id"
        is "$(call PUT "/profile/tokens/$id" '{"label":"renamed"}')" 200 "$what: rename"
        is "$(call PUT "/profile/tokens/$id" '{"label":""}')" 400 "$what: rename, empty label"
        is "$(call PUT "/profile/tokens/$id" '{"label":"r"}' R)" "$mode" "$what: rename without account:read_write"
        is "$(call DELETE "/profile/tokens/$id" '' R)" "$mode" "$what: revoke without account:read_write"
        is "$(call DELETE "/profile/tokens/$id")" 200 "$what: revoke"
        is "$(call DELETE "/profile/tokens/$id")" 404 "$what: revoke, again"
        fake_fault '{"kind":"status","status":429,"retry_after":7,"method":"GET"}'
        is "$(call GET /profile)" 429 "$what: a 429"
        fake_get /__fake/requests > "$SCRATCH/answers.json"
        for spec in $SPECS; do verdicts "$spec" answers "$SCRATCH/answers.json"; done
        stop_fake
    done
done

# --- the class limits: lists 200 a minute, commands 400, enforced -----------------------------------------------
start_fake --token "$P=*" --rate-window 60
API="$FAKE_URL/v4"
i=0; while [ $i -lt 200 ]; do call GET /profile/tokens >/dev/null; i=$((i + 1)); done
is "$(call GET /profile/tokens)" 429 "the 201st list in a minute: 429"
is "$(call GET /profile)" 200 "... while another operation is answered"
is "$(fake_get /__fake/requests | jq -r '[.[] | select(.status == 429)][0].response.headers["Retry-After"] | tonumber > 0')" true \
    "... with Retry-After"
stop_fake

# --- end-session paced by the rate limit: 3 DELETEs per 2 s, 5 tokens, nothing queued ----------------------------
start_fake --token "$P=*" --op-rate-limit 3 --rate-window 2
API="$FAKE_URL/v4"
cfg
for i in 1 2 3 4 5; do
    [ $i -eq 4 ] && sleep 2.2 # the POSTs' own window (each get is a process of its own)
    run "$LT" --config "$SCRATCH/config" --parent-token-file "$SCRATCH/P" get --session paced --scopes "linodes:read_only"
done
is "$(fake_get /__fake/tokens | jq '[.[] | select(.revoked | not)] | length')" 6 "5 tokens minted in session paced"
sleep 2.2
run "$LT" --config "$SCRATCH/config" --parent-token-file "$SCRATCH/P" end-session --session paced
is "$RC" 0 "end-session against 3 DELETEs per window"
like "$ERR" "5 revoked, 0 queued" "... revokes all 5 (a 429 is asked again once its window allows)"
is "$(fake_get /__fake/tokens | jq '[.[] | select(.revoked | not)] | length')" 1 "... only the parent is left"
stop_fake

done_testing
