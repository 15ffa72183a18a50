#!/bin/bash
# Build the fuzz targets with libFuzzer, ASan and UBSan and run each for
# half of the time given:
#   fuzz_pkt4  the DHCPv4 wire codec, seeded from tests/fuzz/corpus/*.hex
#   fuzz_expr  the classification expression compiler and evaluator, seeded
#              from tests/fuzz/corpus_expr/*.txt
#
#   tests/fuzz/run.sh [SECONDS]      default 30 (15 s per target)
#
# Exits non-zero if the target crashes or a check in it fails; the input
# that did it is saved as crash-* in the current directory.
# Environment: CC (default clang), FUZZ_JOBS (parallel workers, default 1).
set -euo pipefail

secs=${1:-30}
case $secs in
    ''|*[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cc=${CC:-clang}
jobs=${FUZZ_JOBS:-1}

work=$(mktemp -d "${TMPDIR:-/tmp}/dora-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$cc" -g -O1 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -I"$root" "$here/fuzz_pkt4.c" "$root"/wire/*.c -o "$work/fuzz_pkt4"

# Seeds are hex with '#' comment lines, so they can be read and reviewed.
mkdir "$work/corpus"
for f in "$here"/corpus/*.hex; do
    hex=$(grep -v '^#' "$f" | tr -dc '0-9a-fA-F')
    if (( ${#hex} % 2 )); then
        echo "$f: odd number of hex digits" >&2
        exit 2
    fi
    printf '%b' "$(sed 's/../\\x&/g' <<<"$hex")" >"$work/corpus/$(basename "$f" .hex)"
done

# The seeds must all parse (and survive the reply checks), or the corpus
# is not doing its job.
for s in "$work"/corpus/*; do
    FUZZ_PKT4_REQUIRE_VALID=1 "$work/fuzz_pkt4" -runs=1 "$s" >"$work/seed.log" 2>&1 || {
        echo "seed $(basename "$s") is not a valid packet or fails a check:" >&2
        grep -E 'check failed|not a valid|ERROR' "$work/seed.log" >&2 || true
        exit 1
    }
done

args=()
if (( jobs > 1 )); then
    args=(-jobs="$jobs" -workers="$jobs")
fi
half=$(( secs / 2 > 0 ? secs / 2 : 1 ))
echo "fuzzing pkt4 for ${half}s"
"$work/fuzz_pkt4" -max_total_time="$half" -timeout=10 -rss_limit_mb=2048 \
    -max_len=8500 -print_final_stats=1 -artifact_prefix="$PWD/" \
    "${args[@]}" "$work/corpus"

"$cc" -g -O1 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -I"$root" "$here/fuzz_expr.c" "$root"/classify/expr_*.c "$root"/wire/*.c -o "$work/fuzz_expr"
mkdir "$work/corpus_expr"
cp "$here"/corpus_expr/*.txt "$work/corpus_expr/"
echo "fuzzing expr for $(( secs - half ))s"
"$work/fuzz_expr" -max_total_time="$(( secs - half ))" -timeout=10 -rss_limit_mb=2048 \
    -max_len=4096 -print_final_stats=1 -artifact_prefix="$PWD/" \
    -dict=<(printf '"%s"\n' option relay4 pkt4 pkt vendor vendor-class member substring concat \
            hexstring ifelse split lcase ucase addrtotext uint8totext int32totext match known \
            unknown exists hex text data enterprise and or not == all "'a'" "[" "]" "(" ")" \
            "." "," + "*" 0x 192.0.2.1 mac giaddr msgtype transid iface) \
    "${args[@]}" "$work/corpus_expr"
