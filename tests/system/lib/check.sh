# shellcheck shell=bash
# tests/system/lib/check.sh — the checks the shell system tests count.
#   check NAME STATUS [DETAIL]     : PASS when STATUS is 0
#   expect NAME 'CONDITION' [DETAIL] : PASS when the shell condition holds
# Each prints one PASS/FAIL line; the test ends with `echo "$PASSED passed, $FAILED failed"`.
PASSED=0
FAILED=0
check() {
    if [ "$2" -eq 0 ]; then
        PASSED=$((PASSED + 1)); echo "PASS $1"
    else
        FAILED=$((FAILED + 1)); echo "FAIL $1${3:+: $3}"
    fi
}
expect() {
    local st=0
    eval "$2" || st=1
    check "$1" "$st" "${3:-}"
}
