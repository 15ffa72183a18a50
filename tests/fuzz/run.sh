#!/bin/bash
# Build the DHCPv4 wire codec fuzz target (tests/fuzz/fuzz_pkt4.c) with
# libFuzzer, ASan and UBSan, seed it from tests/fuzz/corpus/*.hex, and run it
# for a bounded time.
#
#   tests/fuzz/run.sh [SECONDS]      default 30
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

work=$(mktemp -d "${TMPDIR:-/tmp}/dora-fuzz-pkt4.XXXXXX")
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
echo "fuzzing pkt4 for ${secs}s"
"$work/fuzz_pkt4" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -max_len=8500 -print_final_stats=1 -artifact_prefix="$PWD/" \
    "${args[@]}" "$work/corpus"
