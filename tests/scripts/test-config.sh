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
is "$RC:$ERR" "2:linode-token: audit: config $C:4: unknown key 'api_urll' in [general] (see linode-token.conf(5))" "an unknown key: its line"
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
like "$RC:$ERR" "2:linode-token: audit: config $C:3: [profile unused] ttl: " "a profile no command uses is checked all the same, at load"
conf '[profile all]\nscopes = *\n'
like "$ERR" "set allow_full_scopes = true" "scopes = * says which key allows it"
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
