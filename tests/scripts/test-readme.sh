#!/bin/sh
# SPDX-License-Identifier: MIT
# test-readme.sh - the README's examples do what it says: every ```ini snippet is a config that
# loads, and every ```console block marked <!-- example --> is run, in order, against the fake API
# and a private keyring, its output compared with the README's (times, secrets, this host's and
# user's label fields and the fake's address masked). LT_README_PRINT=1 prints what ran instead.
set -u
. "$(dirname "$0")/lib.sh"
need_secret_service "$@"

README="$S/README.md"
P=p000000000000000000000000000000000000000000000000000000000000001
start_fake --token "$P=*" --username alice
API="$FAKE_URL/v4"
HOSTPORT=${FAKE_URL#http://}
export PATH="$B:$PATH"
fake_config "$XDG_CONFIG_HOME/linode-token/config" <<EOF
[profile default]
scopes = linodes:read_only
ttl = 1h

[profile ops]
scopes = linodes:read_write domains:read_write
EOF
cd "$SCRATCH" || bail "no scratch dir"
# Stand-ins for the tools the recipes run: they say whether they were given a token.
mkdir -p bin
printf '#!/bin/sh\n[ ${#LINODE_TOKEN} -eq 64 ] && echo "terraform ran with LINODE_TOKEN set"\n' > bin/terraform
printf '#!/bin/sh\n[ ${#LINODE_CLI_TOKEN} -eq 64 ] && echo "linode-cli ran with LINODE_CLI_TOKEN set"\n' > bin/linode-cli
chmod +x bin/terraform bin/linode-cli
export PATH="$SCRATCH/bin:$PATH" SHELL=/bin/sh
(umask 077 && printf '%s\n' "$P" > parent-token.txt)

# --- every ini snippet loads as a config -------------------------------------------------------------
awk '/^```ini$/ {n++; f = sprintf("snippet-%d.ini", n); on = 1; next} /^```$/ {on = 0} on {print > f}' "$README"
for f in snippet-*.ini; do
    [ -e "$f" ] || bail "the README has no ini snippet"
    run_out=$(linode-token --config "$f" status --json 2>&1)
    rc=$?
    case $run_out in *"config $SCRATCH/$f"*) r=1 ;; *) r=0 ;; esac
    [ $rc -ne 2 ] && [ $r -eq 0 ]; ok $? "README config snippet $f loads (GKeyFile takes it as written)"
    [ $rc -ne 2 ] || printf '%s\n' "$run_out" | sed 's/^/# /'
done

# --- every marked console example, in order ----------------------------------------------------------
awk '
    /^<!-- example -->$/ { armed = 1; next }
    armed && /^```console$/ { n++; f = sprintf("example-%d", n); on = 1; armed = 0; next }
    on && /^```$/ { on = 0; next }
    on { print > f }
    { if (!/^```console$/) armed = armed && /^$/ }
' "$README"
mask() {
    sed -E -e "s#http://127\.0\.0\.1:${HOSTPORT##*:}#https://api.linode.com#g" \
        -e "s#host=127\.0\.0\.1:${HOSTPORT##*:}#host=api.linode.com#g" \
        -e 's#^protocol=http$#protocol=https#' \
        -e "s#$XDG_CONFIG_HOME#/home/alice/.config#g" \
        -e 's#[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}#TIME#g' \
        -e 's#[0-9a-f]{64}#TOKEN#g' \
        -e 's#lt2:[^: ]*:[^: ]*:([^: ]*):([^: ]*):[0-9a-f]{8}#lt2:HOST:USER:\1:\2:NONCE#g' \
        -e 's#:~[sxlu][0-9a-z-]*:NONCE#:SESSION:NONCE#g'
}
unmask_cmd() { # the README's command, pointed at the fake
    sed -e "s#https://api.linode.com#http://$HOSTPORT#g" -e "s#host=api.linode.com#host=$HOSTPORT#g" \
        -e 's#protocol=https#protocol=http#g'
}
n=0
for f in $(ls example-* 2>/dev/null | sort -t- -k2 -n); do
    n=$((n + 1))
    : > "$f.got"
    while IFS= read -r line; do
        case $line in
        '$ '*)
            cmd=$(printf '%s\n' "${line#\$ }" | unmask_cmd)
            printf '%s\n' "$line" >> "$f.got"
            sh -c "$cmd" 2>&1 | mask >> "$f.got"
            ;;
        esac
    done < "$f"
    if [ -n "${LT_README_PRINT:-}" ]; then
        echo "# ---- example $n"; sed 's/^/# /' "$f.got"
    fi
    if cmp -s "$f" "$f.got"; then
        ok 0 "README example $n ($(head -n 1 "$f" | cut -c1-60)) prints what the README shows"
    else
        ok 1 "README example $n ($(head -n 1 "$f" | cut -c1-60)) prints what the README shows"
        diff "$f" "$f.got" | sed 's/^/# /'
    fi
done
[ $n -ge 7 ]; ok $? "the README's marked examples were found ($n)"

# --- the C example builds against the library and runs --------------------------------------------------
awk '/^```c$/ {on = 1; next} on && /^```$/ {exit} on {print}' "$README" > example.c
${CC:-cc} -Wall -Werror -I"$S/include" -o example example.c -L"$B" -llinode-token -Wl,-rpath,"$B" $(nm -D "$B/liblinode-token.so" | grep -q __asan_init && echo -fsanitize=address,undefined)
ok $? "the README's C example builds (-llinode-token)"
./example; ok $? "... and runs: lt_acquire, then lt_release"
done_testing
