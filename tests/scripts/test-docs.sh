#!/bin/sh
# SPDX-License-Identifier: MIT
# test-docs.sh - the man pages lint clean and agree with --help; every file carries its licence.
set -u
. "$(dirname "$0")/lib.sh"
for m in "$S"/man/*.[0-9]; do
    out=$(mandoc -T lint -W warning "$m" 2>&1)
    is "$out" "" "mandoc -T lint: $(basename "$m") is clean"
done
cmds=$("$B/linode-token" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 {print $1}')
page=$(sed 's/\\-/-/g' "$S/man/linode-token.1")  # man's \- is a plain dash here
missing=""
for c in $cmds; do printf '%s\n' "$page" | grep -qE '(^\.BI? |\\fB)'"$c"'( |\\f|"|$)' || missing="$missing $c"; done
is "$missing" "" "linode-token(1) describes every command --help lists"
is "$(printf '%s\n' $cmds | wc -l)" 18 "... (18 commands)"
for o in --profile --config --session --version; do
    grep -q -- "$(printf %s "$o" | sed 's/-/\\\\-/g')" "$S/man/git-credential-linode.1"; ok $? "git-credential-linode(1) has $o"
    "$B/git-credential-linode" --help | grep -q -- "$o"; ok $? "... and so has its --help"
done
for a in config parent_token_file scopes scopes_group_ ttl max_ttl api_url ca_file proxy env token_file timeout state_dir audit_log allow_insecure_loopback debug; do
    grep -q "$a" "$S/man/pam_linode_token.8"; ok $? "pam_linode_token(8) documents $a="
done
nolic=$(cd "$S" && git ls-files '*.c' '*.h' '*.sh' 'build-aux/with-secret-service' 'man/*' 2>/dev/null |
    while read -r f; do head -3 "$f" | grep -q 'SPDX-License-Identifier: MIT' || echo "$f"; done)
is "$nolic" "" "every source file, script and man page carries an SPDX licence line"
[ -f "$S/LICENSE" ] && grep -q '^MIT License' "$S/LICENSE"; ok $? "LICENSE: MIT"
bash -n "$S/completions/linode-token.bash"; ok $? "the bash completion parses"
# (tests/scripts/test-completion.sh runs the completions through bash-completion's own library)
if command -v zsh >/dev/null 2>&1; then zsh -n "$S/completions/_linode-token"; ok $? "the zsh completion parses"
else T_N=$((T_N + 1)); echo "ok $T_N - # SKIP no zsh here to parse the zsh completion"; fi
fish --no-execute "$S/completions/linode-token.fish"; ok $? "the fish completion parses"
done_testing
