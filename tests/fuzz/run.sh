#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh BUILD_DIR SECONDS NAME... - fuzz each target for SECONDS from its checked-in corpus (new
# inputs go to BUILD_DIR/corpus/NAME, never into the tree); print a table; fail on any finding.
set -u
B=${1:?usage: run.sh BUILD_DIR SECONDS NAME...}; secs=${2:?}; shift 2
here=$(cd "$(dirname "$0")" && pwd)
found=0
printf '| target | seconds | runs | corpus | result |\n|---|---|---|---|---|\n'
for t in "$@"; do
    mkdir -p "$B/corpus/$t" "$B/artifacts"
    log="$B/fuzz-$t.log"
    "$B/fuzz/fuzz-$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$B/artifacts/$t-" "$B/corpus/$t" "$here/corpus/$t" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    corp=$(ls "$B/corpus/$t" | wc -l)
    if [ $rc -eq 0 ]; then res=clean; else res="FOUND (exit $rc, see $log)"; found=1; fi
    printf '| %s | %s | %s | %s | %s |\n' "$t" "$secs" "${runs:-?}" "$corp" "$res"
    # what was found, where CI shows it (the log stays in BUILD_DIR, which CI does not keep)
    [ $rc -eq 0 ] || grep -E 'property violated|ERROR:|SUMMARY:|Test unit written|^0x' "$log" | head -n 12 >&2
done
[ $found -eq 0 ]
