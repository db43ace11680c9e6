# SPDX-License-Identifier: MIT
# fake.sh - sourced by the tests, the demo and the benches: start linode-fake-api ($B/linode-fake-api)
# and wait until it accepts connections.
# fake_launch PORTFILE LOG ARG... : sets FAKE_PID and FAKE_URL (http://127.0.0.1:PORT); returns 1 if
# it exits or does not listen within 10 s.
fake_launch() {
    fl_pf=$1 fl_log=$2
    shift 2
    rm -f "$fl_pf"
    "$B/linode-fake-api" --port-file "$fl_pf" "$@" 2>>"$fl_log" &
    FAKE_PID=$!
    fl_i=0
    while [ ! -s "$fl_pf" ]; do
        fl_i=$((fl_i + 1))
        if [ $fl_i -gt 500 ] || ! kill -0 "$FAKE_PID" 2>/dev/null; then return 1; fi
        sleep 0.02
    done
    FAKE_URL="http://127.0.0.1:$(cat "$fl_pf")"
}
