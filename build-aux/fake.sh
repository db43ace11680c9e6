# SPDX-License-Identifier: MIT
# fake.sh - sourced by the tests, the demo and the benches: start linode-fake-api ($B/linode-fake-api)
# and wait until it accepts connections; and the config a person would write for it.
# fake_launch PORTFILE LOG ARG... : sets FAKE_PID and FAKE_URL (http://127.0.0.1:PORT); returns 1 if
# it exits or does not listen within 10 s.
# Every --token SEED goes to a 0600 file beside PORTFILE (--token-file), not to the fake's argv,
# which any local user can read.
fake_launch() {
    fl_pf=$1 fl_log=$2
    shift 2
    rm -f "$fl_pf"
    fl_tf=$fl_pf.tokens
    (umask 077 && : > "$fl_tf") || return 1
    fl_n=$#
    while [ "$fl_n" -gt 0 ]; do # rotate the arguments once, keeping all but the --token pairs
        fl_a=$1
        shift
        fl_n=$((fl_n - 1))
        if [ "$fl_a" = --token ] && [ "$fl_n" -gt 0 ]; then
            printf '%s\n' "$1" >> "$fl_tf"
            shift
            fl_n=$((fl_n - 1))
        else
            set -- "$@" "$fl_a"
        fi
    done
    "$B/linode-fake-api" --port-file "$fl_pf" --token-file "$fl_tf" "$@" 2>>"$fl_log" &
    FAKE_PID=$!
    fl_i=0
    while [ ! -s "$fl_pf" ]; do
        fl_i=$((fl_i + 1))
        if [ $fl_i -gt 500 ] || ! kill -0 "$FAKE_PID" 2>/dev/null; then return 1; fi
        sleep 0.02
    done
    FAKE_URL="http://127.0.0.1:$(cat "$fl_pf")"
}

# fake_config FILE [LINE...] < PROFILES : the one test config for the fake at $API, as a person types
# it: [general] with api_url and allow_insecure_loopback (the fake speaks plain http on loopback)
# and any further [general] LINEs, then the [profile ...] sections read from stdin.
fake_config() {
    fc_file=$1
    shift
    mkdir -p "$(dirname "$fc_file")" || return 1
    {
        printf '[general]\napi_url = %s\nallow_insecure_loopback = true\n' "$API"
        for fc_line in "$@"; do [ -z "$fc_line" ] || printf '%s\n' "$fc_line"; done
        echo
        cat
    } > "$fc_file"
}
