#!/bin/sh
# run-suite.sh BUILD_DIR - run every test program under prove and end with "N passed, N failed".
set -u
B=${1:?usage: run-suite.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export LT_BUILD_DIR="$(cd "$B" && pwd)" LT_SOURCE_DIR="$(dirname "$here")"
# Sanitizer reports must fail the run.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=87}"
progs=$(find "$B/tests" -maxdepth 1 -type f -perm -u+x -name 'test-*' | sort)
scripts=$(find "$here/scripts" -maxdepth 1 -type f -name 'test-*.sh' 2>/dev/null | sort)
prove --exec '' --timer $progs $scripts 2>&1 | tee "$log"
rc=$?
# prove's exit status is lost in the pipe under plain sh; read the verdict from its output.
# Tests that ran and passed, and failures: failed tests, planned tests that never ran,
# and programs that died or exited non-zero (a sanitizer report) after passing every test.
total=$(sed -n 's/^Files=[0-9]*, Tests=\([0-9]*\),.*/\1/p' "$log" | tail -n 1)
bad_ok=$(sed -n 's/.*Tests: [0-9]* Failed: \([0-9]*\)).*/\1/p' "$log" | awk '{s += $1} END {print s + 0}')
failed=$(awk '
    /^Dubious, test returned/ { pending = 1; next }
    /^Failed [0-9]+\/[0-9]+ subtests/ { split($2, a, "/"); s += a[1]; pending = 0; next }
    /^No subtests run/ { s += 1; pending = 0; next }
    /^\[[0-9:]+\] / { if (pending) s += 1; pending = 0 }
    END { print s + pending }' "$log")
total=${total:-0}
if ! grep -q '^Result: PASS' "$log" && [ "$failed" -eq 0 ]; then
    failed=1
fi
total=$((total - bad_ok))
echo "$total passed, $failed failed"
[ "$failed" -eq 0 ] && grep -q '^Result: PASS' "$log"
