#!/bin/sh
# SPDX-License-Identifier: MIT
# test-completion.sh - the completions as shells run them: bash through bash-completion's own
# library (_init_completion, _command_offset), fish through `complete -C`; token ids and labels
# come from the real linode-token against the fake API.
set -u
. "$(dirname "$0")/lib.sh"
BC=/usr/share/bash-completion/bash_completion
[ -r "$BC" ] || bail "bash-completion is not installed (build-aux/deps.sh installs it)"
P=p000000000000000000000000000000000000000000000000000000000000001
start_fake --token "$P=*"
API="$FAKE_URL/v4"
(umask 077 && printf '%s\n' "$P" > "$SCRATCH/parent")
cat > "$SCRATCH/config" <<EOF2
[general]
api_url = $API
allow_insecure_loopback = true
parent_token_file = $SCRATCH/parent

[profile default]
scopes = linodes:read_only

[profile dns-ops]
scopes = domains:read_write
EOF2
printf '[general]\napi_url = %s\nallow_insecure_loopback = true\n' "$API" > "$SCRATCH/noparent"
"$B/linode-token" --config "$SCRATCH/config" create --label 'web deploy' --scope linodes=ro >/dev/null 2>&1
"$B/linode-token" --config "$SCRATCH/config" create --label ci --scope events=ro >/dev/null 2>&1
export PATH="$B:$PATH"
mkdir -p "$SCRATCH/bin" && printf '#!/bin/sh\n' > "$SCRATCH/bin/zz-lt-probe" && chmod +x "$SCRATCH/bin/zz-lt-probe"

# comp WORD...: what bash offers for the last word, one candidate a line, sorted
comp() {
    bash -c '. "$1"; . "$2"; shift 2; PATH=$1:$PATH; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
        _linode_token 2>/dev/null; printf "%s\n" "${COMPREPLY[@]}"' sh "$BC" "$S/completions/linode-token.bash" \
        "$SCRATCH/bin" "$@" | sort
}
words() { printf '%s\n' "$@" | sort; }

is "$(comp linode-token end-s)" "end-session" "bash: a command"
is "$(comp linode-token prof)" "profiles" "bash: profiles"
is "$(comp linode-token help ro)" "rotate" "bash: help COMMAND completes the command"
out=$(comp linode-token list --)
is "$(printf '%s\n' "$out" | grep -c '^--help$')" 1 "bash: --help is offered once"
for o in --text --no-headers --format --delimiter --all-columns --json; do
    printf '%s\n' "$out" | grep -qx -- "$o"; ok $? "bash: list offers $o"
done
is "$(comp linode-token list --format id,la)" "id,label" "bash: --format completes a column after a comma"
is "$(comp linode-token env --format d)" "dotenv" "bash: env --format"
is "$(comp linode-token exec -- zz-lt-pr)" "zz-lt-probe" "bash: exec -- offers commands, not linode-token's flags"
is "$(comp linode-token exec --profile x -- zz-lt-probe --pro)" "" "bash: ... and after the command, nothing of ours"
unlike "$(comp linode-token exec -- zz)" "--profile" "bash: no --profile after exec --"
is "$(comp linode-token create --scopes linodes:r)" "$(words linodes:ro linodes:rw)" "bash: --scopes offers services"
is "$(comp linode-token get --scopes events:ro,dom)" "$(words events:ro,domains:ro events:ro,domains:rw)" \
    "bash: ... after a comma too"
is "$(comp linode-token create --scope vp)" "$(words vpc=none vpc=ro vpc=rw)" "bash: --scope SERVICE=LEVEL"
is "$(comp linode-token --config "$SCRATCH/config" get --profile '')" "$(words default dns-ops)" \
    "bash: --profile: the profiles of the config given on the line"
ids=$("$B/linode-token" --config "$SCRATCH/config" list --text --no-headers --format id | sort)
is "$(comp linode-token --config "$SCRATCH/config" revoke '')" "$(printf '%s\n' $ids ci seed-1 'web\ deploy' | sort)" \
    "bash: revoke offers token ids and labels from list (quoted for the shell)"
is "$(comp linode-token --config "$SCRATCH/config" view we)" 'web\ deploy' "bash: view completes a label"
t0=$(date +%s)
is "$(comp linode-token --config "$SCRATCH/noparent" revoke '')" "" "bash: no parent: no ids, and no error"
[ $(( $(date +%s) - t0 )) -lt 3 ]; ok $? "... at once"
fake_fault '{"kind":"delay","delay_ms":8000,"count":3}'
t0=$(date +%s)
comp linode-token --config "$SCRATCH/config" revoke '' >/dev/null
[ $(( $(date +%s) - t0 )) -lt 5 ]; ok $? "bash: a slow API holds the completion back a few seconds at most"
curl -sS -X DELETE "$FAKE_URL/__fake/faults" >/dev/null

# fish, as fish itself completes a command line
fcomp() { fish --no-config -c "set PATH $SCRATCH/bin $B \$PATH; source $S/completions/linode-token.fish; complete -C '$1'" | cut -f1 | sort; }
like "$(fcomp 'linode-token prof')" "profiles" "fish: a command"
is "$(fcomp 'linode-token exec -- zz-lt-pr')" "zz-lt-probe" "fish: exec -- offers commands"
is "$(fcomp 'linode-token create --scopes events:ro,dom')" "$(words events:ro,domains:ro events:ro,domains:rw)" \
    "fish: --scopes after a comma"
is "$(fcomp "linode-token --config $SCRATCH/config view w")" "web deploy" "fish: a label from list"
is "$(fcomp "linode-token --config $SCRATCH/config get --profile ")" "$(words default dns-ops)" "fish: profiles"

# zsh, through its own completion system (compinit) in a pseudo-terminal
if command -v zsh >/dev/null 2>&1; then
    zcomp() { PATH="$SCRATCH/bin:$PATH" timeout 30 zsh -f "$S/tests/lib/zsh-capture.zsh" "$S/completions" "$1" | grep . | sort -u; }
    is "$(zcomp 'linode-token hel')" "help" "zsh: a command"
    is "$(zcomp 'linode-token exec -- zz-lt-pr')" "zz-lt-probe" "zsh: exec -- offers commands"
    unlike "$(zcomp 'linode-token exec -- zz')" "--profile" "zsh: ... not linode-token's flags"
    is "$(zcomp 'linode-token create --scopes events:ro,dom')" "$(words domains:ro domains:rw)" "zsh: --scopes after a comma"
    is "$(zcomp 'linode-token create --scope vp')" "$(words vpc=none vpc=ro vpc=rw)" "zsh: --scope"
    is "$(zcomp "linode-token --config $SCRATCH/config get --profile ")" "$(words default dns-ops)" "zsh: profiles"
    is "$(zcomp "linode-token --config $SCRATCH/config view we")" "web deploy" "zsh: a label from list"
    is "$(zcomp 'linode-token list --' | grep -c -- '--no-headers')" 1 "zsh: list's shaping options"
else
    for i in 1 2 3 4 5 6 7 8; do T_N=$((T_N + 1)); echo "ok $T_N - # SKIP no zsh"; done
fi
done_testing
