#!/bin/sh
# SPDX-License-Identifier: MIT
# test-config.sh - the config file as a person types it: unknown sections and keys, values of the
# wrong type, trailing comments and quotes are errors naming the line, the key and the fix, before
# anything is done; linode-token.conf(5) lists every key.
set -u
. "$(dirname "$0")/lib.sh"

LT="$B/linode-token"
GCL="$B/git-credential-linode"
C="$SCRATCH/config"
run() { "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"; RC=$?; OUT=$(cat "$SCRATCH/out"); ERR=$(cat "$SCRATCH/err"); }
conf() { printf "$1" > "$C"; run "$LT" --config "$C" audit; }

conf '# mine\n[generall]\napi_url = https://api.example/v4\n'
is "$RC" 2 "a misspelt section [generall]: exit 2, not a silent fall back to the real API"
is "$ERR" "linode-token: audit: config $C:2: unknown section [generall]: the sections are [general] and [profile NAME] (did you mean [general]?)" \
    "... naming the line, and the sections there are"
conf '[general]\napi_url = http://127.0.0.1:8080/v4 # the fake\nallow_insecure_loopback = true\n'
is "$RC" 2 "api_url with an inline comment: exit 2"
like "$ERR" "config $C:2: [general] api_url holds a comment ('http://127.0.0.1:8080/v4 # the fake')" "... names the line, the key and the value"
like "$ERR" "write 'api_url = http://127.0.0.1:8080/v4'" "... and the fix"
unlike "$ERR" "no parent token" "... not the misleading 'no parent token for ... # the fake'"
conf '[general]\napi_url = "https://api.linode.com/v4"\n'
like "$RC:$ERR" "2:linode-token: audit: config $C:2: [general] api_url is quoted (\"https://api.linode.com/v4\"): values take no quotes; write 'api_url = https://api.linode.com/v4'" \
    "a quoted value: the key, the line and the fix"
conf "[profile dns]\nscopes = 'domains:read_write'\n"
like "$ERR" "config $C:2: [profile dns] scopes is quoted" "... in a profile too"
conf '[general]\n\n\napi_urll = https://x/v4\n'
is "$RC:$ERR" "2:linode-token: audit: config $C:4: unknown key 'api_urll' in [general] (see linode-token.conf(5)); did you mean 'api_url'?" "an unknown key: its line, and the key meant"
conf '[general]\napiurl = https://x/v4\n'
like "$RC:$ERR" "unknown key 'apiurl' in [general] (see linode-token.conf(5)); did you mean 'api_url'?" "apiurl: did you mean 'api_url'?"
conf '[profile a]\nscope = linodes:read_only\n'
like "$RC:$ERR" "config $C:2: unknown key 'scope' in [profile a] (see linode-token.conf(5)); did you mean 'scopes'?" "scope in a profile: did you mean 'scopes'?"
conf '[general]\nfrobnicate = 1\n'
is "$RC:$ERR" "2:linode-token: audit: config $C:2: unknown key 'frobnicate' in [general] (see linode-token.conf(5))" "... and no guess when nothing is close"
conf '[profile a]\nscopes = linodes:read_only\nttll = 1h\n'
like "$RC:$ERR" "2:linode-token: audit: config $C:3: unknown key 'ttll' in [profile a]" "... in a profile, its line"
conf '[general]\nallow_insecure_loopback = yes\n'
like "$RC:$ERR" "2:linode-token: audit: config $C:2: [general] allow_insecure_loopback must be true or false" "a boolean is checked"
conf '[general]\ncache = keyrnig\n'
like "$RC:$ERR" "2:linode-token: audit: config $C:2: [general] cache must be secret-service, keyring or none" "cache is checked"
conf '[general]\nparent_token_command_timeout = 5 minutes\n'
like "$RC:$ERR" "2:linode-token: audit: config $C:2: [general] parent_token_command_timeout: " "a duration is checked"
conf '[general]\napi_url = api.linode.com\n'
like "$RC:$ERR" "2:linode-token: audit: config $C:2: [general] api_url: 'api.linode.com' is not a URL" "a URL is checked"
conf '[general]\nproxy = proxy:3128\n'
like "$RC:$ERR" "2:linode-token: audit: config $C:2: [general] proxy: 'proxy:3128' is not a URL" "... the proxy's too"
conf '[general]\nparent_token_file = parent.txt\n'
like "$RC:$ERR" "2:linode-token: audit: config $C:2: [general] parent_token_file: 'parent.txt' is not an absolute path" "a path is checked"
conf '[general]\n\n[profile unused]\nscopes = linodes:read_only\nttl = 2 h\n'
like "$RC:$ERR" "2:linode-token: audit: config $C:5: [profile unused] ttl: " "a profile no command uses is checked all the same, at load, naming the key's line"
conf '[profile all]\nscopes = *\n'
like "$ERR" "set allow_full_scopes = true" "scopes = * says which key allows it"
# --- every error names the line of the key at fault, not of its section ---
conf '[profile ops]\nscopes = linodes:read_only\n\n# a note\nttl = 2h\nmin_remaining = 5 m\n'
like "$RC:$ERR" "2:linode-token: audit: config $C:6: [profile ops] min_remaining: " "a bad min_remaining: its own line (6), not the section's (1)"
conf '[profile ops]\nscopes = linodes:read_only\nttl = 1h\nmin_remaining = 2h\n'
like "$RC:$ERR" "2:linode-token: audit: config $C:4: profile ops: min_remaining (7200s) must be less than ttl (3600s)" "min_remaining above the ttl: min_remaining's line"
conf '[profile ops]\nscopes = linodes:read_only\nmax_ttl = 48h\n'
like "$RC:$ERR" "2:linode-token: audit: config $C:3: [profile ops] max_ttl: at most 24h" "max_ttl over a day: its line"
conf '[profile ops]\n\nscopes = nosuch:read_only\n'
like "$RC:$ERR" "2:linode-token: audit: config $C:3: profile ops: scopes: unknown service" "bad scopes: their line"
# ttl alone below the default min_remaining: the message names the default the user never wrote
conf '[profile quick]\nscopes = linodes:read_only\nttl = 5m\n'
is "$RC:$ERR" "2:linode-token: audit: config $C:3: profile quick: ttl (300s) must be more than min_remaining, which defaults to 5m: set min_remaining lower (e.g. min_remaining = 1m), or the ttl higher" \
    "ttl = 5m alone: says min_remaining defaults to 5m and to set it lower, on ttl's line"
conf '[profile quick]\nscopes = linodes:read_only\nttl = 5m\nmin_remaining = 1m\n'
is "$RC:$ERR" "0:" "... and with min_remaining = 1m it loads"

# --- a key or a section written twice is an error (GKeyFile would let the last win, or merge) ---
conf '[general]\napi_url = https://api.linode.com/v4\nallow_insecure_loopback = false\napi_url = https://evil.example/v4\n'
is "$RC:$ERR" "2:linode-token: audit: config $C:4: [general] api_url again (first on line 2): set each key once" \
    "api_url twice: refused at the second one's line, not 'the last wins'"
conf '[profile a]\nscopes = linodes:read_only\n[general]\ncache = none\n[profile a]\nscopes = *\nallow_full_scopes = true\n'
is "$RC:$ERR" "2:linode-token: audit: config $C:5: [profile a] again (first on line 1): write each section once" \
    "a section twice: refused at the second one's line, not merged"

# --- no raw GLib text: a BOM, a boolean, a key before any section ---
printf '\357\273\277[general]\ncache = none\n' > "$C"; run "$LT" --config "$C" audit
is "$RC:$ERR" "0:" "a UTF-8 BOM at the start (as some editors write): accepted"
conf '[profile full]\nscopes = *\nallow_full_scopes = yes\n'
is "$RC:$ERR" "2:linode-token: audit: config $C:3: [profile full] allow_full_scopes must be true or false" \
    "allow_full_scopes = yes: the words allow_insecure_loopback gets, its line"
conf '# mine\napi_url = https://api.linode.com/v4\n[general]\n'
is "$RC:$ERR" "2:linode-token: audit: config $C:2: a key outside any section; start the file with [general]" "a key before any section: its line and the fix"

# --- a profile's name has no space around it ---
conf '[profile  ops]\nscopes = linodes:read_only\n'
is "$RC:$ERR" "2:linode-token: audit: config $C:1: [profile  ops]: a profile's name is one word after 'profile ', with no space before or after it" \
    "[profile  ops] (two spaces): refused, not a profile named ' ops'"
conf '[general]\n[profile ]\nscopes = linodes:read_only\n'
like "$RC:$ERR" "2:linode-token: audit: config $C:2: [profile ]: a profile's name is one word" "[profile ] (no name): refused"

# --- the file must be ours (or root's) and writable by us only: its parent_token_command runs as us,
# its api_url receives our parent token (as ssh checks ~/.ssh/config) ---
M="$SCRATCH/mine.conf"
printf '[general]\ncache = none\n' > "$M"; chmod 644 "$M"
run "$LT" --config "$M" audit; is "$RC:$ERR" "0:" "(control: a 0644 config of ours loads)"
ln -s "$M" "$SCRATCH/link.conf"; run "$LT" --config "$SCRATCH/link.conf" audit
is "$RC:$ERR" "0:" "a symlink to it (dotfiles are often links): followed, and loads"
for mode in 664 666 646; do
    chmod "$mode" "$M"; run "$LT" --config "$M" audit
    is "$RC:$ERR" "2:linode-token: audit: config $M is writable by group or others (mode 0$mode): run chmod 600 $M" \
        "a $mode config: refused, naming the file, the mode and the fix"
done
run "$LT" --config "$SCRATCH/link.conf" audit
like "$RC:$ERR" "2:linode-token: audit: config $SCRATCH/link.conf is writable by group or others (mode 0646)" "... through a symlink too (the file is checked, not the link)"
mkfifo "$SCRATCH/fifo.conf"; chmod 600 "$SCRATCH/fifo.conf"; run "$LT" --config "$SCRATCH/fifo.conf" audit
is "$RC:$ERR" "2:linode-token: audit: config $SCRATCH/fifo.conf is not a regular file: refusing it" "a FIFO: refused, without hanging"
chmod 644 "$M"
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null 2>&1; then
    for i in 1 2 3 4 5; do T_N=$((T_N + 1)); echo "ok $T_N - # SKIP another user's config needs root (chown) and setpriv"; done
else
    # the attack: nobody's world-writable config would run its command as us (root here)
    H="$SCRATCH/hostile.conf"
    printf '[general]\napi_url = http://127.0.0.1:9/v4\nallow_insecure_loopback = true\ncache = none\nparent_token_command = id > %s\n' \
        "$SCRATCH/pwned" > "$H"
    chown 65534:65534 "$H"; chmod 666 "$H"
    run "$LT" --config "$H" list
    is "$RC:$ERR" "2:linode-token: list: config $H belongs to uid 65534, not to you: refusing it; run chown 0 $H if it is yours" \
        "a config owned by another user (nobody, 0666): refused, naming the owner and the fix"
    [ ! -e "$SCRATCH/pwned" ]; ok $? "... and its parent_token_command never ran"
    chmod 644 "$H"; run "$LT" --config "$H" list
    like "$RC:$ERR" "2:linode-token: list: config $H belongs to uid 65534, not to you" "... 0644 as well: another user's file is refused whatever its mode"
    # as nobody (the file reached through its open fd: the scratch dir is closed to others)
    as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
    chown 0:0 "$M"; chmod 644 "$M"
    as_nobody "$LT" --config /proc/self/fd/3 audit 3<"$M" >"$SCRATCH/out" 2>"$SCRATCH/err"
    is "$?:$(cat "$SCRATCH/err")" "0:" "as uid 65534: root's 0644 config (as in /etc) loads"
    chown 1:1 "$M"
    as_nobody "$LT" --config /proc/self/fd/3 audit 3<"$M" >"$SCRATCH/out" 2>"$SCRATCH/err"
    is "$?:$(cat "$SCRATCH/err")" "2:linode-token: audit: config /proc/self/fd/3 belongs to uid 1, not to you: refusing it; run chown 65534 /proc/self/fd/3 if it is yours" \
        "as uid 65534: uid 1's config is refused"
fi
# the git helper reads the same file, and says the same
printf '[generall]\n' > "$C"
run sh -c "printf 'protocol=https\nhost=api.linode.com\n\n' | '$GCL' --config '$C' get"
is "$RC:$OUT:$ERR" "2::git-credential-linode: get: config $C:1: unknown section [generall]: the sections are [general] and [profile NAME] (did you mean [general]?)" \
    "git-credential-linode: the same error, one line, nothing on stdout"
# a config as the man page shows it, with every key: loads
cat > "$C" <<CONF
# comments on lines of their own
[general]
api_url = http://127.0.0.1:9/v4
allow_insecure_loopback = true
parent_token_command = echo p0000000000000000000000000000000000000000000000000000000000000001
parent_token_command_timeout = 10s
cache = none
proxy = http://127.0.0.1:3128
ca_file = /etc/ssl/certs/ca-certificates.crt
exec_env = LINODE_TOKEN;MY_TOKEN

[profile default]
# a comment inside a section
scopes = linodes:read_only
ttl = 30m
max_ttl = 2h
min_remaining = 1m
api_url = http://127.0.0.1:9/v4

[profile full]
scopes = *
allow_full_scopes = true
CONF
run "$LT" --config "$C" audit
is "$RC:$ERR" "0:" "a config with every key, and comments on their own lines: loads"
conf '[general]\nexec_env = LINODE_TOKEN;LD_PRELOAD\n'
like "$RC:$ERR" "2:linode-token: audit: config $C:2: [general] exec_env: 'LD_PRELOAD' is read by the loader" \
    "exec_env naming a variable the loader acts on: refused with its line"
# linode-token.conf(5) lists every key the code accepts, and the keys its messages name
page=$(sed 's/\\-/-/g' "$S/man/linode-token.conf.5")
keys=$(sed -n '/general_keys\[\] = {/,/};/p' "$S/lib/session/config.c"; sed -n '/profile_keys\[\] = {/,/};/p' "$S/lib/session/profile.c")
missing=
for k in $(printf '%s\n' "$keys" | grep -o '"[a-z_]*"' | tr -d '"') allow_full_scopes; do
    printf '%s\n' "$page" | grep -q "^\.BI $k " || missing="$missing $k"
done
is "$missing" "" "linode-token.conf(5) documents every key of [general] and [profile NAME]"
is "$(printf '%s\n' "$keys" | grep -o '"[a-z_]*"' | wc -l)" 15 "... (15 keys)"
grep -q 'ca_file' "$S/HACKING.md" && grep -q '^\.BI ca_file ' "$S/man/linode-token.conf.5"; ok $? "HACKING's ca_file is a key the CLI takes"
done_testing
