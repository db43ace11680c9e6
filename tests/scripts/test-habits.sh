#!/bin/sh
# SPDX-License-Identifier: MIT
# test-habits.sh - what users of linode-cli, gh, aws-vault and git reach for: output shaping, --json
# on every result, help COMMAND, did you mean, env formats and linode-cli's variables, the nested
# exec guard, profiles, rotate (with a fault and a crash at each step), the audit table, and the
# terminal at login's hidden prompt. The real binary against the fake API and a real keyring.
set -u
. "$(dirname "$0")/lib.sh"
need_secret_service "$@"

fake_with_parent
PORT=${FAKE_URL##*:}
LT="$B/linode-token"
lt() { run "$LT" --allow-insecure-loopback --api-url "$API" "$@"; }
token_field() { fake_get /__fake/tokens | jq -r --arg id "$1" ".[] | select(.id == (\$id | tonumber)) | .$2"; }
id_of() { fake_get /__fake/tokens | jq -r --arg l "$1" '[.[] | select(.label == $l and (.revoked | not))] | last | .id'; }
stored() { secret-tool lookup api_url "$API" username fakeuser; }
# the first 16 characters of token ID, as the API shows them
prefix_of() { "$LT" --allow-insecure-loopback --api-url "$API" ${2:+--parent-token-file "$2"} list --format id,token --no-headers | awk -v id="$1" '$1 == id {print $2}'; }
next_id() { fake_get /__fake/tokens | jq '[.[].id] | max + 1'; }
mkdir -p "$XDG_CONFIG_HOME/linode-token"
cat > "$XDG_CONFIG_HOME/linode-token/config" <<EOF2
[general]
api_url = $API
allow_insecure_loopback = true

[profile default]
scopes = linodes:read_only

[profile ops]
scopes = linodes:read_write domains:read_write
ttl = 2h
max_ttl = 12h
min_remaining = 10m
EOF2
(umask 077 && printf '%s\n' "$P" > "$SCRATCH/p.txt")
lt login --json < "$SCRATCH/p.txt"
is "$RC:$(printf '%s' "$OUT" | jq -c '[.account, .scopes, .can_mint]')" '0:["fakeuser","*",true]' "login --json"

# --- help COMMAND, the locale, did you mean ---------------------------------------------------------
run "$LT" list --help; want=$OUT
run "$LT" help list
is "$RC:$OUT" "0:$want" "help list is list --help"
run "$LT" help
like "$RC:$OUT" "0:Usage: linode-token" "help alone: the usage"
run "$LT" help rvoke
is "$RC:$ERR" "2:linode-token: unknown command 'rvoke'; did you mean 'revoke'? (see linode-token --help)" \
    "help with a typo: exit 2, did you mean"
run env LC_ALL=C.UTF-8 "$LT" list --help
like "$OUT" "linode-token list [OPTION…]" "a UTF-8 locale: GLib's help says [OPTION…] (setlocale)"
run env LC_ALL=C "$LT" list --help
like "$OUT" "linode-token list [OPTION" "... and the C locale still has a usage line"
run "$LT" re
is "$ERR" "linode-token: unknown command 're'; did you mean 'rename', 'revoke' or 'reap'? (see linode-token --help)" \
    "a prefix of several commands: all of them, as git lists ties"
run "$LT" stauts
like "$ERR" "did you mean 'status'?" "a swap (git's weights: a swap costs nothing)"
run "$LT" frobnicate
is "$ERR" "linode-token: unknown command 'frobnicate' (see linode-token --help)" "nothing near: no suggestion"
posts=$(count POST /v4/profile/tokens)
lt get --scopes "domain:read_only"
is "$RC" 2 "a typo in --scopes: exit 2"
like "$ERR" "unknown service 'domain'; did you mean 'domains'?" "... did you mean domains"
lt get --profile opps
is "$RC" 2 "a typo in --profile: exit 2"
like "$ERR" "no profile 'opps' in " "... says so"
like "$ERR" "; did you mean 'ops'?" "... and which profile was meant"
lt create --label x --scopes "linodes:ro,evnts:rw"
like "$ERR" "unknown service 'evnts'; did you mean 'events'?" "create --scopes: did you mean"
is "$(count POST /v4/profile/tokens)" "$posts" "... and nothing was asked of the API"

# --- output shaping (linode-cli's options) --------------------------------------------------------------
lt create --label 'with,comma' --scope linodes=ro --expiry 1h
cid=$(id_of with,comma)
lt list
is "$(printf '%s\n' "$OUT" | head -n 1)" "id	label	created	expiry	scopes" "list on a pipe: a header line"
lt list --no-headers
is "$(printf '%s\n' "$OUT" | grep -c '^id')" 0 "--no-headers: none"
lt list --format label,id --no-headers
is "$(printf '%s\n' "$OUT" | head -n 1)" "seed-1	1000" "--format label,id: those columns, in that order"
lt list --format id,label --delimiter , --no-headers
like "$OUT" "$cid,with\\x2ccomma" "--delimiter ,: a comma inside a cell is escaped"
lt list --all-columns
is "$(printf '%s\n' "$OUT" | head -n 1)" "id	label	created	expiry	scopes	token" "--all-columns: the token prefix too"
like "$OUT" "1000	seed-1	" "... rows in the same columns"
like "$OUT" "	$(printf %s "$P" | cut -c1-16)" "... the 16-character prefix, never more"
lt list --json --format id,label
is "$(printf '%s' "$OUT" | jq -c '[.[] | keys] | unique')" '[["id","label"]]' "--json --format id,label: those keys only"
gets=$(count GET /v4/profile/tokens)
lt list --format id,lable
is "$RC" 2 "--format with an unknown column: exit 2"
like "$ERR" "no column 'lable'; did you mean 'label'? (columns: id, label, created, expiry, scopes, token)" "... says which"
is "$(count GET /v4/profile/tokens)" "$gets" "... before any request"
lt list --format id --all-columns
is "$RC" 2 "--format with --all-columns: exit 2"
in_pty "" "$LT" list
hdr=$(printf '%s\n' "$OUT" | grep '^id ')
like "$hdr" "id    label" "on a terminal: aligned, with the same header"
in_pty "" "$LT" list --text --format id,label
like "$OUT" "id	label" "--text on a terminal: tab-separated"
in_pty "" "$LT" list --no-headers --format id
unlike "$OUT" "id" "--no-headers on a terminal too"
esc=$(printf '\033')
papi --max-time 10 -H 'Content-Type: application/json' \
    -d '{"label":"evil\u001b[2J\u202e\tx","scopes":"linodes:read_only","expiry":"2099-01-01T00:00:00"}' \
    "$API/profile/tokens" >/dev/null
lt list --text --format label
unlike "$OUT" "$esc" "--text: no escape byte from a label"
like "$OUT" 'evil\x1b[2J' "... it is shown escaped"
lt revoke "$(id_of "$(printf 'evil\033[2J\342\200\256\tx')")" --yes

# --- --json on every result -------------------------------------------------------------------------
lt rename with,comma renamed --json
is "$(printf '%s' "$OUT" | jq -r '[.id, .label] | join(" ")')" "$cid renamed" "rename --json: the token object"
lt create --label r1 --scope linodes=ro --expiry 1h; r1=$(id_of r1)
lt revoke "$r1" 424242 renamed --yes --json
is "$RC" 1 "revoke --json with one id that names nothing: exit 1"
is "$(printf '%s' "$OUT" | jq -c '[.[] | [.ref, .outcome]]')" \
    "[[\"424242\",\"error\"],[\"$r1\",\"revoked\"],[\"renamed\",\"revoked\"]]" "revoke --json: each argument's outcome"
lt revoke 424242 --yes --ignore-missing --json
is "$(printf '%s' "$OUT" | jq -r '.[0].outcome')" missing "revoke --ignore-missing --json: missing"
LINODE_TOKEN_SESSION=js "$LT" get --scopes events:read_only >/dev/null
jid=$(fake_get /__fake/tokens | jq '[.[] | select(.label | test(":js:"))] | last | .id')
lt reap --dry-run --json
is "$(printf '%s' "$OUT" | jq -r --argjson id "$jid" '.[] | select(.id == $id) | .outcome')" spared \
    "reap --dry-run --json: each token and why"
lt end-session --session js --json
is "$(printf '%s' "$OUT" | jq -c '[.[] | [.id, .outcome, .session]]')" "[[$jid,\"revoked\",\"js\"]]" \
    "end-session --json: what was revoked"
is "$(printf '%s' "$OUT" | jq -r type)" array "... stdout is the JSON alone"

# --- env: formats and linode-cli's variables ------------------------------------------------------------
lt env --profile ops
eval "$OUT"
is "${#LINODE_TOKEN}:${#LINODE_CLI_TOKEN}" "64:64" "env: sh"
is "$LINODE_CLI_API_SCHEME://$LINODE_CLI_API_HOST/$LINODE_CLI_API_VERSION" "$API" \
    "env: LINODE_CLI_API_SCHEME://HOST/VERSION is the API (where linode-cli sends the token)"
is "$LINODE_URL/$LINODE_API_VERSION" "$API" "... and LINODE_URL/LINODE_API_VERSION too"
lt env --profile ops --format json
is "$(printf '%s' "$OUT" | jq -r '[(.LINODE_TOKEN | length), .LINODE_CLI_API_HOST, .LINODE_CLI_API_VERSION] | map(tostring) | join(" ")')" \
    "64 127.0.0.1:$PORT v4" "env --format json: one object"
lt env --profile ops --format dotenv
is "$(printf '%s\n' "$OUT" | grep -c '^LINODE_[A-Z_]*=[^ ]*$')" 8 "env --format dotenv: NAME=value lines"
like "$OUT" "LINODE_CLI_API_SCHEME=http" "... bare values"
lt env --profile ops --format fish
is "$(fish --no-config -c "$OUT; echo \$LINODE_CLI_API_HOST (string length \$LINODE_TOKEN)")" "127.0.0.1:$PORT 64" \
    "env --format fish: fish runs it"
lt env --profile ops --fish
like "$OUT" "set -gx LINODE_CLI_API_HOST '127.0.0.1:$PORT';" "--fish is --format fish"
lt env --format yaml
is "$RC" 2 "env --format yaml: exit 2"
lt env --fish --format json
is "$RC" 2 "--fish with --format json: exit 2"
run env LINODE_URL=https://api.linode.com LINODE_API_VERSION=v4 "$LT" --parent-token-file /dev/null env --format dotenv
unlike "$OUT" "LINODE_CLI_API" "the default API: no LINODE_CLI_API_* (linode-cli's defaults hold)"

# --- exec: the variables, and the nested guard ----------------------------------------------------------
lt exec --profile ops -- sh -c 'echo "$LINODE_CLI_API_SCHEME://$LINODE_CLI_API_HOST/$LINODE_CLI_API_VERSION $LINODE_TOKEN_EXEC"'
is "$OUT" "$API ops" "exec: linode-cli's variables and LINODE_TOKEN_EXEC"
posts=$(count POST /v4/profile/tokens)
lt exec --profile ops -- "$LT" exec --profile default -- true
is "$RC" 2 "exec inside exec: refused (exit 2)"
like "$ERR" "already inside 'linode-token exec' (profile ops; LINODE_TOKEN_EXEC is set)" "... saying why"
like "$ERR" "pass --nested" "... and how"
is "$(count POST /v4/profile/tokens)" $((posts + 1)) "... before minting a second token"
lt exec --profile ops -- "$LT" exec --nested --profile default -- sh -c 'echo $LINODE_TOKEN_EXEC'
is "$RC:$OUT" "0:default" "exec --nested: allowed"

# --- profiles -------------------------------------------------------------------------------------------------
"$LT" get --profile ops >/dev/null
oid=$(fake_get /__fake/tokens | jq '[.[] | select(.label | test(":ops:")) | select(.revoked | not)] | last | .id')
lt profiles
is "$(printf '%s\n' "$OUT" | head -n 1)" "profile	scopes	ttl	max_ttl	min_remaining	cached" "profiles: a header"
like "$OUT" "ops	domains:read_write linodes:read_write	2h	12h	10m	$oid until " "... a profile, its ceilings, its cached token"
like "$OUT" "default	linodes:read_only	1h	1d	5m	" "... the defaults"
cp "$XDG_CONFIG_HOME/linode-token/config" "$SCRATCH/broken.conf"
printf '\n[profile broken]\nscopes = linodez:read_only\n' >> "$SCRATCH/broken.conf"
lt --config "$SCRATCH/broken.conf" profiles
like "$RC:$ERR" "2:linode-token: profiles: config $SCRATCH/broken.conf:" "... a broken profile: the config is refused, with its line"
like "$ERR" "unknown service" "... and what is wrong"
lt profiles --json
is "$(printf '%s' "$OUT" | jq -c '[.[] | select(.profile == "ops") | .cached[].id]')" "[$oid]" "profiles --json: ids"
unlike "$OUT" "$(token_field "$oid" token)" "... never a secret"
lt profiles --format profile --no-headers
is "$OUT" "$(printf 'default\nops')" "profiles --format profile (what the completions read)"
lt end-session

# --- the audit table ---------------------------------------------------------------------------------------------
LINODE_TOKEN_SESSION=s "$LT" get --scopes events:read_only >/dev/null
LINODE_TOKEN_SESSION=session-id-of-thirty-six-characters "$LT" get --scopes events:read_only >/dev/null
in_pty "" "$LT" audit
cols=$(printf '%s\n' "$OUT" | grep -E '^time|lt2:' | awk '{ p = index($0, "lt2:"); if (!p) p = index($0, "label"); print p }' | sort -u | wc -l)
is "$cols" 1 "audit on a terminal: the label column starts at one place on every line (long session ids too)"
run "$LT" audit --format session,action --no-headers
like "$OUT" "session-id-of-thirty-six-characters	mint" "audit --format: the columns asked for"

# --- the terminal at login's hidden prompt -------------------------------------------------------------------
# Ctrl-C at the prompt: the process dies of SIGINT and the terminal has its echo back.
printf '#!/bin/sh\ntrap '"'"'stty -a > "$0.stty"; exit 130'"'"' INT\n"$@"\nstty -a > "$0.stty"\n' > "$SCRATCH/tty-probe"
chmod +x "$SCRATCH/tty-probe"
( sleep 1; printf '\003'; sleep 1 ) | script -qfec "'$SCRATCH/tty-probe' '$LT' --allow-insecure-loopback --api-url '$API' login" \
    /dev/null > "$SCRATCH/pty" 2>&1
like "$(cat "$SCRATCH/pty")" "Linode API token: " "login on a terminal asks"
st=$(cat "$SCRATCH/tty-probe.stty" 2>/dev/null)
like "$st" " echo " "Ctrl-C at the hidden prompt: the terminal echoes again"
unlike "$st" "-echo " "... (not left at -echo)"
is "$(stored)" "$P" "... and the stored parent is untouched"

# --- rotate ---------------------------------------------------------------------------------------------------
# Each step fails, or the process is killed during it; a working parent must be stored afterwards.
works() { "$LT" --allow-insecure-loopback --api-url "$API" list >/dev/null 2>&1; }
live() { [ "$(token_field "$1" revoked)" = false ]; }
cur=$(stored); cur_id=1000
# step 1 fails: the mint
fake_fault '{"kind":"status","status":500,"method":"POST","path":"/profile/tokens"}'
lt rotate
is "$RC" 1 "rotate, the mint fails: exit 1"
like "$ERR" "nothing changed: the old parent is still stored" "... says nothing changed"
is "$(stored)" "$cur" "... the old parent is stored"
works; ok $? "... and works"
# step 2 fails: the store (the parent file's directory is gone when the new token arrives)
mkdir "$SCRATCH/pdir" && (umask 077 && printf '%s\n' "$cur" > "$SCRATCH/pdir/parent")
new=$(next_id)
fake_fault '{"kind":"delay","delay_ms":4000,"method":"POST","path":"/profile/tokens"}'
( sleep 2; mv "$SCRATCH/pdir" "$SCRATCH/pdir.away"; touch "$SCRATCH/pdir" ) &
mover=$!
lt --parent-token-file "$SCRATCH/pdir/parent" rotate
wait "$mover"
rm "$SCRATCH/pdir"; mv "$SCRATCH/pdir.away" "$SCRATCH/pdir"
is "$RC" 1 "rotate, the store fails: exit 1"
like "$ERR" "storing the new parent" "... says which step"
is "$(cat "$SCRATCH/pdir/parent")" "$cur" "... the old parent stays in the file"
is "$(token_field "$new" revoked)" true "... and the new token is revoked"
live "$cur_id"; ok $? "... the old one is live"
# step 3 fails: the check (the new token is refused when it reads itself)
new=$(next_id)
fake_fault "{\"kind\":\"status\",\"status\":401,\"method\":\"GET\",\"path\":\"/profile/tokens/$new\",\"body\":\"{\\\"errors\\\":[{\\\"reason\\\":\\\"Invalid Token\\\"}]}\"}"
lt rotate
is "$RC" 1 "rotate, the check fails: exit 1"
like "$ERR" "the new parent failed its check" "... says so"
like "$ERR" "the old one is stored again" "... and that the old one is back"
is "$(stored)" "$cur" "... the Secret Service holds the old parent"
is "$(token_field "$new" revoked)" true "... the new token is revoked"
works; ok $? "... and the stored parent works"
# step 4 fails: revoking the old parent
new=$(next_id)
fake_fault "{\"kind\":\"status\",\"status\":500,\"method\":\"DELETE\",\"path\":\"/profile/tokens/$cur_id\"}"
lt rotate
is "$RC" 1 "rotate, revoking the old parent fails: exit 1"
like "$ERR" "the new parent is stored and works, but the old token $cur_id was not revoked" "... says so"
is "$(stored | cut -c1-16)" "$(prefix_of "$new")" "... the new parent is stored"
works; ok $? "... and works"
is "$(token_field "$new" label)" seed-1 "... with the old one's label"
is "$(token_field "$new" scopes)" "*" "... and scopes"
live "$cur_id"; ok $? "... the old one still lives"
lt status
like "$OUT" "Pending:      1 revocation(s) queued" "... queued for revocation"
lt reap
is "$(token_field "$cur_id" revoked)" true "... and the next run revokes it"
cur=$(stored); cur_id=$new
# a crash (SIGKILL) during each step
crash() { # FAULT-PATH METHOD [after-store]: kill rotate while the fake holds that request
    fake_fault "{\"kind\":\"delay\",\"delay_ms\":6000,\"method\":\"$2\",\"path\":\"$1\"}"
    before=$(stored)
    "$LT" --allow-insecure-loopback --api-url "$API" rotate >/dev/null 2>&1 &
    pid=$!
    if [ -n "${3:-}" ]; then # the step comes after the store: wait for the store, not for a clock
        i=0; while [ "$(stored)" = "$before" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    fi
    sleep 1.5 # (the steps before the held one take milliseconds; the fake holds it for 6 s)
    kill -9 "$pid"; wait "$pid" 2>/dev/null
    sleep 5 # the fake finishes the held request, as a server does when its client is gone
    curl -sS -X DELETE "$FAKE_URL/__fake/faults" >/dev/null
}
crash /profile/tokens POST
is "$(stored)" "$cur" "killed during the mint: the old parent is stored"
works; ok $? "... and works"
new=$(next_id)
crash "/profile/tokens/$new" GET after-store
is "$(stored | cut -c1-16)" "$(prefix_of "$new")" "killed during the check: the new parent is stored"
works; ok $? "... and works"
cur=$(stored); cur_id=$new
new=$(next_id)
crash "/profile/tokens/$cur_id" DELETE after-store
is "$(stored | cut -c1-16)" "$(prefix_of "$new")" "killed while revoking the old one: the new parent is stored"
works; ok $? "... and works"
cur=$(stored); cur_id=$new
# children of the old parent: the fake keeps them (the real API's behaviour is not documented)
lt end-session --all
"$LT" get --scopes events:read_only >/dev/null
child=$(fake_get /__fake/tokens | jq '[.[] | select(.label | startswith("lt2:"))] | last | .id')
new=$(next_id)
lt rotate --expiry 7d --json
is "$RC" 0 "rotate"
is "$(printf '%s' "$OUT" | jq -c '[.old_id, .new_id, .old_revoked, .children_live, .stored_in]')" \
    "[$cur_id,$new,true,1,\"the Secret Service\"]" "rotate --json: old, new, revoked, children still live"
exp=$(date -u -d "$(token_field "$new" expiry) UTC" +%s)
d=$((exp - $(date +%s) - 7 * 86400)); [ ${d#-} -le 10 ]; ok $? "rotate --expiry 7d"
like "$ERR" "1 token(s) minted from the old parent are still live" "rotate says the children live on"
like "$ERR" "end-session --all" "... and offers end-session --all"
is "$(token_field "$child" revoked)" false "the fake keeps a child when its parent is revoked"
is "$(token_field "$cur_id" revoked)" true "the old parent is revoked"
cur_id=$new
lt rotate --end-sessions
is "$RC:$(token_field "$child" revoked)" "0:true" "rotate --end-sessions: the children first"
cur_id=$(id_of seed-1)
"$LT" get --scopes events:read_only >/dev/null
child=$(fake_get /__fake/tokens | jq '[.[] | select(.label | startswith("lt2:"))] | last | .id')
in_pty "y" "$LT" --allow-insecure-loopback --api-url "$API" rotate
like "$OUT" "1 token(s) minted from this parent are still live" "rotate on a terminal asks first"
is "$RC:$(token_field "$child" revoked)" "0:true" "... and yes ends the sessions"
printf '[general]\napi_url = %s\nallow_insecure_loopback = true\nparent_token_command = cat %s\n' "$API" \
    "$SCRATCH/pdir/parent" > "$SCRATCH/cmdconf"
run "$LT" --config "$SCRATCH/cmdconf" rotate
is "$RC" 2 "rotate with parent_token_command: exit 2"
like "$ERR" "cannot write to" "... says why"
# the parent in a file
fp=$(fake_get /__fake/tokens | jq '[.[] | select(.label == "seed-1" and (.revoked | not))] | last | .id')
(umask 077 && stored > "$SCRATCH/pdir/parent")
new=$(next_id)
lt --parent-token-file "$SCRATCH/pdir/parent" rotate
is "$RC" 0 "rotate a parent token file"
is "$(cut -c1-16 "$SCRATCH/pdir/parent")" "$(prefix_of "$new" "$SCRATCH/pdir/parent")" "... the file holds the new parent"
is "$(stat -c %a "$SCRATCH/pdir/parent")" 600 "... mode 0600"
is "$(token_field "$fp" revoked)" true "... the old one is revoked"
lt logout --json
is "$(printf '%s' "$OUT" | jq -c .removed)" true "logout --json"
done_testing
