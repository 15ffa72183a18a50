#!/usr/bin/env bash
# tests/system/test_config_check.sh — "dorad -t" against the example configs.
#
# Every tests/configs/good/*.json and doc/examples/*.json must pass the check
# (exit 0); every tests/configs/bad/NAME.json must fail (exit non-zero) and
# print the line in tests/configs/bad/NAME.expect on stderr.
#
# DORAD names the binary (default ./dorad, i.e. run from the build
# directory). Prints one line per check and "N passed, M failed"; exits
# non-zero on any failure. No network, no root needed.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
DORAD=${DORAD:-./dorad}
TIMEOUT=${TIMEOUT:-20}   # seconds per run; a config check must never hang

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1${2:+: $2}"; }

if [ ! -x "$DORAD" ]; then
    echo "FAIL: $DORAD is not an executable (set DORAD=/path/to/dorad)"
    exit 2
fi

ERR=$(mktemp)
OUT=$(mktemp)
trap 'rm -f "$ERR" "$OUT"' EXIT

shopt -s nullglob
good=("$SRC"/tests/configs/good/*.json "$SRC"/doc/examples/*.json)
bad=("$SRC"/tests/configs/bad/*.json)
[ ${#good[@]} -gt 0 ] || fail "good configs" "none found under $SRC/tests/configs/good"
[ ${#bad[@]} -gt 0 ] || fail "bad configs" "none found under $SRC/tests/configs/bad"

for f in "${good[@]}"; do
    name=${f#"$SRC"/}
    timeout "$TIMEOUT" "$DORAD" -t "$f" >"$OUT" 2>"$ERR"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        fail "$name accepted" "exit $rc: $(head -c 300 "$ERR")"
    elif ! grep -q "Configuration OK" "$OUT"; then
        fail "$name accepted" "no \"Configuration OK\" on stdout"
    else
        pass "$name accepted"
    fi
done

for f in "${bad[@]}"; do
    name=${f#"$SRC"/}
    exp_file=${f%.json}.expect
    if [ ! -s "$exp_file" ]; then
        fail "$name refused" "missing ${exp_file#"$SRC"/}"
        continue
    fi
    expect=$(head -n 1 "$exp_file")
    timeout "$TIMEOUT" "$DORAD" -t "$f" >"$OUT" 2>"$ERR"
    rc=$?
    if [ "$rc" -eq 0 ]; then
        fail "$name refused" "exit 0"
    elif [ "$rc" -ge 124 ]; then
        fail "$name refused" "exit $rc (timeout or crash)"
    elif ! grep -qF -- "$expect" "$ERR"; then
        fail "$name refused" "stderr lacks \"$expect\"; got: $(head -c 300 "$ERR")"
    else
        pass "$name refused"
    fi
done

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
