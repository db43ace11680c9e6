#!/bin/sh
# SPDX-License-Identifier: MIT
# test-cli.sh - the real linode-token binary against linode-fake-api and a real GNOME Keyring
# (build-aux/with-secret-service), asserting exit codes, output and what the fake saw.
set -u
. "$(dirname "$0")/lib.sh"
need_secret_service "$@"

P=p000000000000000000000000000000000000000000000000000000000000001   # parent: *
N=n000000000000000000000000000000000000000000000000000000000000002   # narrow parent
R=r000000000000000000000000000000000000000000000000000000000000003   # account:read_only
start_fake --token "$P=*" --token "$N=linodes:read_only account:read_write" --token "$R=account:read_only"
API="$FAKE_URL/v4"
LT="$B/linode-token"
lt() { run "$LT" --allow-insecure-loopback --api-url "$API" "$@"; }
epoch() { date -u -d "$1 UTC" +%s; }
token_field() { fake_get /__fake/tokens | jq -r --arg id "$1" ".[] | select(.id == (\$id | tonumber)) | .$2"; }
id_of() { fake_get /__fake/tokens | jq -r --arg l "$1" '[.[] | select(.label == $l and (.revoked | not))] | last | .id'; }
one_line() { [ "$(printf '%s\n' "$1" | wc -l)" -eq 1 ] && [ -n "$1" ]; }

# --- help and usage -----------------------------------------------------------------------------
run "$LT" --help
ok $RC "linode-token --help exits 0"
like "$OUT" "Exit codes: 0 ok, 1 API error, 2 bad usage, 3 no credential" "--help documents the exit codes"
for c in list view create rename revoke login logout status; do
    run "$LT" "$c" --help
    [ $RC -eq 0 ] && case $OUT in *"Exit codes"*"linode-token $c"*|*"linode-token $c"*"Exit codes"*) true ;; *) false ;; esac
    ok $? "linode-token $c --help"
done
run "$LT" frobnicate
is "$RC" 2 "an unknown command exits 2"
lt list --bogus
is "$RC" 2 "an unknown option exits 2"

# --- no parent yet ------------------------------------------------------------------------------
lt list
is "$RC" 3 "no parent token: exit 3"
like "$ERR" "run 'linode-token login'" "... and says to log in"
one_line "$ERR"; ok $? "... in one line"

# --- login / status / logout -----------------------------------------------------------------------
lt login "$P"
is "$RC" 2 "login refuses a token in argv"
unlike "$ERR" "$P" "... without echoing it"
echo "wrong-token-wrong-token" | { lt login; echo $RC > "$SCRATCH/rc"; }
is "$(cat "$SCRATCH/rc")" 1 "login with a bad token: exit 1"
like "$(cat "$SCRATCH/err")" "login: Invalid Token (HTTP 401)" "... Invalid Token"
is "$(secret-tool search --all api_url "$API" 2>/dev/null | grep -c '^label')" 0 "... and nothing is stored"
echo "$R" | { lt login; cp "$SCRATCH/err" "$SCRATCH/err.login"; echo $RC > "$SCRATCH/rc"; }
is "$(cat "$SCRATCH/rc")" 0 "login with an account:read_only token works"
like "$(cat "$SCRATCH/err.login")" "lacks account:read_write" "... with a warning that minting needs read_write"
echo "$P" | { lt login; cp "$SCRATCH/out" "$SCRATCH/out.login"; echo $RC > "$SCRATCH/rc"; }
is "$(cat "$SCRATCH/rc")" 0 "login with the parent"
like "$(cat "$SCRATCH/out.login")" "as fakeuser; token scopes: *" "... names the user and scopes"
found=$(secret-tool search --all api_url "$API" 2>&1)
like "$found" "label = Linode API token (parent) for fakeuser" "the keyring item has a readable label"
like "$found" "attribute.username = fakeuser" "... the username attribute"
is "$(printf '%s\n' "$found" | grep -c '^label')" 1 "... and exactly one item (the re-login replaced the old)"
is "$(secret-tool lookup api_url "$API")" "$P" "... holding the parent"
in_pty "$P" "$LT" --allow-insecure-loopback --api-url "$API" login
is "$RC" 0 "login on a terminal"
unlike "$OUT" "$P" "... does not echo the token"
like "$OUT" "Linode API token: " "... prompts for it"
lt status
is "$RC" 0 "status"
like "$OUT" "Parent token: secret-service" "status: the source"
like "$OUT" "Account:      fakeuser" "status: the account"
like "$OUT" "Scopes:       *" "status: the scopes"
like "$OUT" "Expiry:       never" "status: the parent's expiry"
like "$OUT" "Cache:        secret-service" "status: the cache backend"
lt status --json
is "$(printf '%s' "$OUT" | jq -r '[.account, .scopes, .parent_source, .token_id, .expiry, .can_mint] | map(tostring) | join(" ")')" \
    "fakeuser * secret-service 1000 never true" "status --json: account, scopes, source, token id, expiry, can mint"
lt logout
like "$OUT" "Removed the parent token" "logout removes it"
lt logout
like "$OUT" "No parent token was stored" "logout again says so"
lt list
is "$RC" 3 "after logout: exit 3"
lt status
like "$OUT" "Parent token: none in the Secret Service (run 'linode-token login')" "status after logout says there is none"
unlike "$OUT" "Parent token: secret-service" "... not that it comes from the Secret Service"
lt status --json
is "$RC:$(printf '%s' "$OUT" | jq -r .error | cut -c1-30)" "3:no parent token for http://127" "status --json after logout: exit 3 and why"
echo "$P" | lt login

# --- create: expiry forms --------------------------------------------------------------------------
check_expiry() { # LABEL EXPECTED-EPOCH NAME
    id=$(id_of "$1")
    got=$(epoch "$(token_field "$id" expiry)")
    d=$((got - $2)); [ $d -lt 0 ] && d=$((-d))
    [ $d -le 5 ]; ok $? "$3"
}
posts0=$(count POST /v4/profile/tokens)
lt create --label e-default --scope linodes=ro
is "$RC" 0 "create with the default expiry"
is "${#OUT}" 64 "... stdout is the 64-char secret alone"
like "$ERR" "cannot be shown again" "... stderr says it is shown once"
SECRET=$OUT
check_expiry e-default "$(date -u -d '+1 month' +%s)" "... default expiry is one month"
lt create --label e-3mo --expiry 3mo --scope linodes=ro
check_expiry e-3mo "$(date -u -d '+3 months' +%s)" "--expiry 3mo"
lt create --label e-6mo --expiry 6mo --scope linodes=ro
check_expiry e-6mo "$(date -u -d '+6 months' +%s)" "--expiry 6mo"
for d in 90m:5400 12h:43200 7d:604800; do
    lt create --label "e-${d%%:*}" --expiry "${d%%:*}" --scope linodes=ro
    check_expiry "e-${d%%:*}" $(( $(date -u +%s) + ${d##*:} )) "--expiry ${d%%:*}"
done
lt create --label e-date --expiry 2030-01-02T03:04:05 --scope linodes=ro
is "$(token_field "$(id_of e-date)" expiry)" "2030-01-02T03:04:05" "--expiry YYYY-MM-DDTHH:MM:SS"
lt create --label e-never --expiry never --scope linodes=ro
is "$(token_field "$(id_of e-never)" expiry)" "2999-12-12T05:00:00" "--expiry never"
is "$(count POST /v4/profile/tokens)" $((posts0 + 8)) "eight creates, eight POSTs"
lt create --label bad --expiry tomorrow --scope linodes=ro
is "$RC" 2 "a bad --expiry exits 2"
p0=$(count POST /v4/profile/tokens)
lt create --label bad --expiry 2001-01-01T00:00:00 --scope linodes=ro
is "$RC" 2 "a past --expiry: exit 2"
is "$ERR" "linode-token: create: --expiry 2001-01-01T00:00:00 is in the past (times are UTC)" "... one clear line"
lt create --label bad --expiry 2200-01-01T00:00:00 --scope linodes=ro
is "$RC" 2 "--expiry 2200-01-01T00:00:00 (a typo, 174 years out): exit 2, not a token that never expires"
like "$ERR" "more than 10 years away: say never" "... says how to ask for never"
lt create --label bad --expiry 0999-01-01T00:00:00 --scope linodes=ro
is "$RC" 2 "--expiry 0999-01-01T00:00:00: exit 2 (it used to be sent as 2999-...)"
lt create --label bad --expiry 5000d --scope linodes=ro
is "$RC" 2 "--expiry 5000d (13 years): exit 2"
is "$(count POST /v4/profile/tokens)" "$p0" "... and none of them reached the API"

# --- create: scope forms ------------------------------------------------------------------------------
lt create --label s-flags --scope linodes=ro --scope domains=rw --scope events=none
is "$(token_field "$(id_of s-flags)" scopes)" "domains:read_write linodes:read_only" "--scope SERVICE=LEVEL..."
lt create --label s-string --scopes "linodes:read_only,events:read_write"
is "$(token_field "$(id_of s-string)" scopes)" "events:read_write linodes:read_only" "--scopes with commas"
lt create --label s-star --scopes '*'
is "$(token_field "$(id_of s-star)" scopes)" "*" "--scopes '*'"
posts1=$(count POST /v4/profile/tokens)
lt create --label s-none
is "$RC" 2 "no scope, not a terminal: exit 2"
like "$ERR" "refusing to default to '*'" "... never a silent *"
lt create --label s-vpc --scope vpc=ro
is "$RC" 2 "vpc=ro: exit 2"
like "$ERR" "vpc has no read-only level" "... says why"
lt create --label s-empty --scope linodes=none
is "$RC" 2 "all none: exit 2"
lt create --label s-both --scope linodes=ro --scopes '*'
is "$RC" 2 "--scope with --scopes: exit 2"
lt create --scope linodes=ro
is "$RC" 2 "no --label: exit 2"
is "$(count POST /v4/profile/tokens)" "$posts1" "refused creates made no POST"
# interactive: a level for every service first (Enter: none), then the exceptions as --scope
# takes them; the flag words and the letters alike, a typo asked again
answers=$(printf '%s\n' "" "domains=r linodes=rw" "vpc=w" "linodez=ro" "")
in_pty "$answers" "$LT" --allow-insecure-loopback --api-url "$API" create --label s-pty
is "$RC" 0 "create asks for scopes on a terminal"
like "$OUT" "Access for every service: none, ro (Read Only) or rw (Read-Write) [none]" "... a default for all first"
like "$OUT" "unknown service 'linodez'; did you mean 'linodes'?" "... a typo is asked again, with a suggestion"
is "$(token_field "$(id_of s-pty)" scopes)" "domains:read_only linodes:read_write vpc:read_write" "... and uses the answers"
answers=$(printf '%s\n' "ro" "vpc=rw events=none" "")
in_pty "$answers" "$LT" --allow-insecure-loopback --api-url "$API" create --label s-pty-ro --expiry 1h
is "$RC" 0 "create on a terminal: ro for every service, with exceptions"
is "$(token_field "$(id_of s-pty-ro)" scopes | tr ' ' '\n' | grep -c read_only)" 15 \
    "... read_only for the 15 services that have it but events"
like "$(token_field "$(id_of s-pty-ro)" scopes)" "vpc:read_write" "... and vpc read_write"

# --- shown once ---------------------------------------------------------------------------------------
lt list --json
sid=$(id_of e-default)
prefix=$(printf '%s' "$OUT" | jq -r --arg id "$sid" '.[] | select(.id == ($id | tonumber)) | .token')
is "$prefix" "$(printf '%s' "$SECRET" | cut -c1-16)" "afterwards list shows only the 16-char prefix"
lt create --label j --scope linodes=ro --json
is "$(printf '%s' "$OUT" | jq -r '.token | length')" 64 "create --json has the whole object with the secret"
is "$(printf '%s' "$OUT" | jq -r '.label')" j "... and the label"

# --- list: more than one page ----------------------------------------------------------------------------
i=0
while [ $i -lt 110 ]; do
    papi -o /dev/null -d "{\"label\":\"bulk-$i\",\"scopes\":\"events:read_only\"}" "$API/profile/tokens"
    i=$((i + 1))
done
live=$(live_tokens)
gets=$(count GET /v4/profile/tokens)
lt list
is "$RC" 0 "list"
is "$(printf '%s\n' "$OUT" | wc -l)" "$((live + 1))" "list prints every live token ($live) across pages, after a header"
is "$(printf '%s\n' "$OUT" | head -n 1)" "id	label	created	expiry	scopes" "... the header line on a pipe too"
is "$(count GET /v4/profile/tokens)" $((gets + 2)) "... in two page requests"
line=$(printf '%s\n' "$OUT" | grep -P "^$(id_of e-never)\t")
is "$line" "$(id_of e-never)	e-never	$(token_field "$(id_of e-never)" created)	never	linodes:ro" "tab-separated: id, label, created, expiry, scopes"
lt list --json
is "$(printf '%s' "$OUT" | jq length)" "$live" "list --json is one array of all"
in_pty "" "$LT" --allow-insecure-loopback --api-url "$API" list
like "$OUT" "id    label" "on a terminal: an aligned table with the same header"

# --- view ---------------------------------------------------------------------------------------------------
lt view s-flags
is "$RC" 0 "view by label"
like "$OUT" "domains          Read-Write" "view: Read-Write"
like "$OUT" "linodes          Read Only" "view: Read Only"
like "$OUT" "vpc              None" "view: None"
is "$(printf '%s\n' "$OUT" | grep -cE '(None|Read Only|Read-Write)$')" 17 "view: every service in the contract"
lt view "$(id_of s-flags)" --json
is "$(printf '%s' "$OUT" | jq -r .label)" s-flags "view by id --json"
lt create --label dup --scope linodes=ro; lt create --label dup --scope linodes=ro
lt view dup
is "$RC" 2 "an ambiguous label: exit 2"
like "$ERR" "matches 2 tokens (ids " "... listing the ids"
lt view 987654
is "$RC" 1 "an unknown id: exit 1"
is "$ERR" "linode-token: view: no token with id 987654 (HTTP 404)" "... one clear line"

# --- rename ------------------------------------------------------------------------------------------------
rid=$(id_of s-string)
lt rename s-string s-renamed
is "$RC" 0 "rename by label"
is "$(token_field "$rid" label)" s-renamed "... the fake has the new label"
long=$(printf '%0101d' 0)
lt rename "$rid" "$long"
posts=$(count PUT "/v4/profile/tokens/$rid")
is "$RC" 2 "a 101-char label: exit 2 (checked before sending)"
is "$ERR" "linode-token: rename: label: must be 1 to 100 characters; this one has 101 (checked before sending)" \
    "... one clear line"
is "$(count PUT "/v4/profile/tokens/$rid")" "$posts" "... and nothing was sent"
lt rename "$rid" "$(printf 'build\033]0;pwned\007')"
is "$RC:$(count PUT "/v4/profile/tokens/$rid")" "2:$posts" "a label with a terminal escape: exit 2, nothing sent"
is "$ERR" 'linode-token: rename: label: no control or invisible characters (bidi, zero-width); this one reads build\x1b]0;pwned\x07 (checked before sending)' \
    "... naming what it holds, escaped"
posts=$(count POST /v4/profile/tokens)
lt create --label "$(printf 'a\342\200\256b')" --scopes linodes:read_only
is "$RC:$(count POST /v4/profile/tokens)" "2:$posts" "create with a bidi override in the label: exit 2, nothing sent"
like "$ERR" 'this one reads a\u202eb' "... the override shown as \\u202e"

# --- revoke -------------------------------------------------------------------------------------------------
vid=$(id_of e-3mo)
lt revoke e-3mo
is "$RC" 2 "revoke without --yes, not a terminal: exit 2"
is "$(token_field "$vid" revoked)" false "... nothing revoked"
in_pty "n" "$LT" --allow-insecure-loopback --api-url "$API" revoke e-3mo
is "$(token_field "$vid" revoked)" false "answering n on a terminal revokes nothing"
like "$OUT" "$vid  e-3mo" "... after naming the token"
in_pty "y" "$LT" --allow-insecure-loopback --api-url "$API" revoke e-3mo
is "$RC" 0 "answering y on a terminal"
is "$(token_field "$vid" revoked)" true "... revokes it"
a=$(id_of e-6mo); b=$(id_of e-90m)
lt revoke "$a" 424242 e-90m --yes
is "$RC" 1 "revoke --yes with an id that names no token (a typo): exit 1"
like "$ERR" "no token 424242" "... names it"
is "$(token_field "$a" revoked)$(token_field "$b" revoked)" truetrue "... and still revokes the others"
lt revoke 424242 --yes --ignore-missing
is "$RC" 0 "revoke --ignore-missing: an id that is gone is fine"
like "$ERR" "no token 424242" "... and is reported"
lt create --label twin --scope linodes=ro --expiry 1h; t1=$(id_of twin)
lt create --label twin --scope linodes=ro --expiry 1h
lt revoke twin --yes
is "$RC" 2 "an ambiguous label: exit 2"
like "$ERR" "matches 2 tokens (ids $t1, " "... and the ids to choose from"
for i in $(fake_get /__fake/tokens | jq -r '.[] | select(.label == "twin") | .id'); do lt revoke "$i" --yes; done

# --- a hostile label cannot reach the terminal ----------------------------------------------------------------------
esc=$(printf '\033')
papi --max-time 10 -H 'Content-Type: application/json' \
    -d '{"label":"evil\u001b]0;pwned\u0007\u001b[2J\u009b1m\tx","scopes":"linodes:read_only","expiry":"2099-01-01T00:00:00"}' \
    "$API/profile/tokens" >/dev/null
eid=$(fake_get /__fake/tokens | jq -r '.[] | select(.label | startswith("evil")) | .id')
lt list
unlike "$OUT" "$esc" "list: no ESC byte from a label reaches the terminal"
like "$OUT" 'evil\x1b]0;pwned\x07\x1b[2J\xc2\x9b1m\x09x' "... it is shown escaped (C0, C1 and tab as \\xNN)"
lt view "$eid"
unlike "$OUT" "$esc" "view: no ESC byte either"
lt view "$eid" --json
like "$OUT" '\u001B]0;pwned\u0007\u001B[2J\u009B1m\tx' "view --json stays exact, in plain ASCII (JSON escapes it)"
lt rename "$eid" "evil2$(printf '\033')[2J"
unlike "$OUT" "$esc" "rename: the note shows no ESC byte"
in_pty "n" "$LT" --allow-insecure-loopback --api-url "$API" revoke "$eid"
unlike "$OUT" "$esc" "revoke: the confirmation names the token without its escapes"
lt revoke "$eid" --yes
# bidi controls and zero-width characters (a label that reads as one thing and is another)
papi --max-time 10 -H 'Content-Type: application/json' \
    -d '{"label":"bidi\u202egnp.exe\u200b\u2066x\u2069\ufeffy\u061cz\u200fw","scopes":"linodes:read_only","expiry":"2099-01-01T00:00:00"}' \
    "$API/profile/tokens" >/dev/null
bid=$(fake_get /__fake/tokens | jq -r '.[] | select(.label | startswith("bidi")) | .id')
rlo=$(printf '\342\200\256') zwsp=$(printf '\342\200\213') bom=$(printf '\357\273\277')
lt list
unlike "$OUT" "$rlo" "list: no right-to-left override from a label reaches the terminal"
like "$OUT" 'bidi\u202egnp.exe\u200b\u2066x\u2069\ufeffy\u061cz\u200fw' "... bidi and zero-width characters are shown as \\uXXXX"
in_pty "n" "$LT" --allow-insecure-loopback --api-url "$API" revoke "$bid"
unlike "$OUT" "$rlo" "revoke: the confirmation shows no bidi override"
lt revoke "$bid" --yes
unlike "$OUT$ERR" "$zwsp" "revoke: no zero-width space in what it prints"
lt audit
like "$OUT" 'bidi\u202egnp' "audit: the label, escaped"
unlike "$OUT" "$bom" "... with no invisible character"
lt revoke seed-1 --yes
is "$RC" 2 "revoking the parent needs --including-parent"
like "$ERR" "is the parent token this tool uses" "... says so"
is "$(token_field 1000 revoked)" false "... parent untouched"

# --- escalation is refused locally ---------------------------------------------------------------------
(umask 077 && printf '%s' "$N" > "$SCRATCH/narrow")
posts=$(count POST /v4/profile/tokens)
lt --parent-token-file "$SCRATCH/narrow" create --label esc --scope domains=rw
is "$RC" 2 "scopes beyond the parent's: exit 2"
like "$ERR" "exceed the parent token's" "... says why"
is "$(count POST /v4/profile/tokens)" "$posts" "... and the fake saw no POST"
lt --parent-token-file "$SCRATCH/narrow" create --label within --scope linodes=ro
is "$RC" 0 "scopes within the parent's are fine"

# --- parent sources ------------------------------------------------------------------------------------
chmod 640 "$SCRATCH/narrow"
lt --parent-token-file "$SCRATCH/narrow" list
is "$RC" 3 "a group-readable parent token file: exit 3"
like "$ERR" "chmod 600" "... says how to fix it"
printf '%s\n' "$N" > "$SCRATCH/cmdtoken"
cat > "$SCRATCH/config" <<EOF
[general]
api_url = $API
allow_insecure_loopback = true
parent_token_command = cat $SCRATCH/cmdtoken
EOF
run "$LT" --config "$SCRATCH/config" status
is "$RC" 0 "config: api_url, allow_insecure_loopback, parent_token_command"
like "$OUT" "Parent token: command" "... status names the command source"
like "$OUT" "Scopes:       linodes:read_only account:read_write" "... and it is the command's token (X-OAuth-Scopes as sent)"
printf '[general]\napi_url = %s\nallow_insecure_loopback = true\nparent_token_command = false\n' "$API" > "$SCRATCH/config2"
run "$LT" --config "$SCRATCH/config2" list
is "$RC" 3 "a failing parent_token_command: exit 3"
mkfifo "$SCRATCH/fifo"
t0=$(date +%s)
lt --parent-token-file "$SCRATCH/fifo" list
is "$RC" 3 "a FIFO as the parent token file: exit 3 (open does not hang)"
like "$ERR" "is not a regular file" "... says why"
[ $(( $(date +%s) - t0 )) -lt 5 ]; ok $? "... at once"
if [ "$(id -u)" = 0 ]; then
    (umask 077 && printf '%s\n' "$N" > "$SCRATCH/theirs"); chown nobody "$SCRATCH/theirs"
    lt --parent-token-file "$SCRATCH/theirs" list
    is "$RC" 3 "a parent token file owned by another user: exit 3"
    like "$ERR" "not to you: refusing it" "... says why"
else
    for i in 1 2; do T_N=$((T_N + 1)); echo "ok $T_N - # SKIP needs root to chown"; done
fi
printf '[general]\napi_url = %s\nallow_insecure_loopback = true\nparent_token_command = sleep 30\nparent_token_command_timeout = 1s\n' \
    "$API" > "$SCRATCH/config-slow"
t0=$(date +%s)
run "$LT" --config "$SCRATCH/config-slow" list
is "$RC" 3 "a parent_token_command that hangs: exit 3"
like "$ERR" "did not finish within 1 s: stopped it" "... after its timeout"
[ $(( $(date +%s) - t0 )) -lt 5 ]; ok $? "... not after the command's 30 s"
printf '[general]\napi_url = %s\nallow_insecure_loopback = true\nparent_token_command = echo pass: vault is sealed >&2; exit 1\n' \
    "$API" > "$SCRATCH/config-err"
run "$LT" --config "$SCRATCH/config-err" list
like "$ERR" "pass: vault is sealed" "the command's stderr passes through"
printf '[general]\napi_urll = x\n' > "$SCRATCH/config3"
run "$LT" --config "$SCRATCH/config3" list
is "$RC" 2 "a misspelt config key: exit 2"
like "$ERR" "unknown key 'api_urll'" "... names it"
run "$LT" --config "$SCRATCH/missing" list
is "$RC" 2 "a missing --config file: exit 2"
run "$LT" --api-url "$API" list
is "$RC" 2 "plain http without --allow-insecure-loopback: exit 2"

# --- proxies: only the one the config names ------------------------------------------------------------------------
fp=$FAKE_PID fu=$FAKE_URL
fake_launch "$SCRATCH/proxy.port" "$SCRATCH/proxy.log" || bail "the proxy fake did not start"
PROXY_PID=$FAKE_PID PROXY_URL=$FAKE_URL
FAKE_PID=$fp FAKE_URL=$fu
proxy_seen() { curl -sS --max-time 10 --noproxy '*' "$PROXY_URL/__fake/requests" | jq length; }
g0=$(count GET /v4/profile/tokens)
run env http_proxy="$PROXY_URL" HTTPS_PROXY="$PROXY_URL" ALL_PROXY="$PROXY_URL" NO_PROXY= \
    "$LT" --config "$SCRATCH/config" list
is "$RC" 0 "http_proxy, HTTPS_PROXY, ALL_PROXY in the environment: list works"
[ "$(count GET /v4/profile/tokens)" -gt "$g0" ]; ok $? "... straight to the API"
is "$(proxy_seen)" 0 "... the proxy from the environment saw nothing"
printf 'proxy = %s\n' "$PROXY_URL" | cat "$SCRATCH/config" - > "$SCRATCH/config-proxy"
run env NO_PROXY=127.0.0.1,localhost "$LT" --config "$SCRATCH/config-proxy" list
is "$(proxy_seen)" 1 "[general] proxy = URL: the request goes through that proxy, whatever NO_PROXY says"
kill "$PROXY_PID"; wait "$PROXY_PID" 2>/dev/null

# --- API faults: one clear line and the right exit code ---------------------------------------------------
fault_case() { # FAULT-JSON EXPECTED-RC EXPECTED-TEXT NAME
    fake_fault "$1"
    lt --timeout 5s list
    is "$RC" "$2" "$4: exit $2"
    like "$ERR" "$3" "$4: says what failed"
    one_line "$ERR"; ok $? "$4: in one line"
    [ -z "$OUT" ]; ok $? "$4: nothing on stdout"
}
fault_case '{"kind":"status","status":503,"count":4}' 1 "linode-token: list: Injected fault (HTTP 503)" "503 after retries"
fault_case '{"kind":"maintenance"}' 1 "maintenance (HTTP 503)" "maintenance"
fault_case '{"kind":"drop"}' 4 "linode-token: list: cannot reach $API/profile/tokens" "dropped connection"
fault_case '{"kind":"truncate"}' 4 "linode-token: list: cannot reach" "truncated body"
fault_case '{"kind":"malformed"}' 1 "malformed JSON" "malformed JSON"
fault_case '{"kind":"oversized"}' 1 "larger than 1048576 bytes" "oversized body"
fault_case '{"kind":"content_type"}' 1 "unexpected Content-Type 'text/html'" "wrong Content-Type"
fault_case '{"kind":"status","status":429,"retry_after":100}' 1 "Too many requests (HTTP 429)" "rate limited"
fault_case '{"kind":"delay","delay_ms":8000}' 4 "timed out" "slow API with --timeout 5s"
fault_case '{"kind":"status","status":401,"body":"{\"errors\":[{\"reason\":\"Invalid Token\"}]}"}' 1 \
    "linode-token: list: Invalid Token (HTTP 401)" "a 401"
fake_fault '{"kind":"status","status":401,"body":"{\"errors\":[{\"reason\":\"Invalid Token\"}]}"}'
lt list
like "$ERR" "(the parent token was refused: store a valid one with 'linode-token login'" "a refused parent: the hint to log in again"

# --- rough edges ----------------------------------------------------------------------------------------------
lt create --label x --scope linodes=ro --scope linodes=rw
is "$RC" 2 "--scope linodes=ro --scope linodes=rw: a usage error"
like "$ERR" "--scope 'linodes=ro' and --scope 'linodes=rw' disagree" "... naming both"
lt create --label short-levels --scopes "linodes:ro domains:rw" --expiry 1h
is "$RC:$(token_field "$(id_of short-levels)" scopes)" "0:domains:read_write linodes:read_only" "--scopes takes the short levels ro and rw"
lt create --label x --scope linodez=ro
like "$ERR" "unknown service 'linodez'; did you mean 'linodes'?" "an unknown service: did you mean"
run "$LT" lst
is "$RC" 2 "an unknown command: exit 2"
like "$ERR" "unknown command 'lst'; did you mean 'list'?" "... did you mean"
run "$B/git-credential-linode" --version
is "$RC:$OUT" "0:git-credential-linode 0.1.0" "git-credential-linode --version"

# --- secrets stay out of traces and errors ----------------------------------------------------------------------
lt --debug create --label traced --scope linodes=ro
like "$ERR" "Authorization: <redacted>" "--debug traces with Authorization redacted"
unlike "$ERR" "$P" "... never the parent token"
unlike "$ERR" "$OUT" "... never the new secret"
unlike "$(cat "$SCRATCH/fake.log")" "$P" "the fake's log holds no secret"

# --- the parent itself, last ------------------------------------------------------------------------------------
lt revoke seed-1 --yes --including-parent
is "$RC" 0 "--yes --including-parent revokes the parent"
is "$(token_field 1000 revoked)" true "... on the fake"
lt list
is "$RC" 1 "then the stored parent is refused by the API: exit 1"

# --- the keyring unavailable --------------------------------------------------------------------------------
run env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$SCRATCH/norun" "$LT" --allow-insecure-loopback --api-url "$API" list
is "$RC" 3 "no D-Bus session bus: exit 3"
like "$ERR" "no D-Bus session bus" "... says so"
one_line "$ERR"; ok $? "... in one line"
dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
    org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null 2>&1
lt list
is "$RC" 3 "a locked keyring: exit 3"
like "$ERR" "the default keyring is locked" "... says so"
echo "$P" | lt login
is "$RC" 3 "login into a locked keyring: exit 3, no prompt"

# --- the API down ------------------------------------------------------------------------------------------------
stop_fake
is "$FAKE_RC" 0 "the fake stopped cleanly"
lt --parent-token-file "$SCRATCH/cmdtoken" list
is "$RC" 3 "(the token file is 0644 here)"
chmod 600 "$SCRATCH/cmdtoken"
lt --parent-token-file "$SCRATCH/cmdtoken" list
is "$RC" 4 "the API down: exit 4"
like "$ERR" "cannot reach" "... says so"

# --- installed set-uid by mistake: refuses before reading anything the caller chose -----------------------------
# A set-uid copy owned by nobody, run by root: real and effective uids differ, the kernel sets AT_SECURE.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1 && ! findmnt -no OPTIONS -T "$SCRATCH" | grep -qw nosuid; then
    mkdir -m 755 "$SCRATCH/suid"
    chmod 755 "$SCRATCH"
    for prog in linode-token git-credential-linode; do
        cp "$B/$prog" "$SCRATCH/suid/$prog"; chown nobody "$SCRATCH/suid/$prog"; chmod 4755 "$SCRATCH/suid/$prog"
        run env LINODE_URL="http://127.0.0.1:9" "$SCRATCH/suid/$prog" --help
        # (in the ASan build, LeakSanitizer cannot run in a set-uid process and exits 1 after us)
        if nm -D "$B/$prog" 2>/dev/null | grep -q __asan_init && [ "$RC" = 1 ]; then RC=2; fi
        is "$RC" 2 "$prog installed set-uid: refuses to run (exit 2)"
        like "$ERR" "refusing to run set-uid or set-gid" "... and says why"
    done
else
    for i in 1 2 3 4; do T_N=$((T_N + 1)); echo "ok $T_N - # SKIP set-uid checks need root and a suid mount"; done
fi
done_testing
