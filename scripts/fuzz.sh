#!/usr/bin/env bash
# Runs every cargo-fuzz target (fuzz/fuzz_targets) for FUZZ_SECONDS each (default 20), starting
# from the committed seeds (fuzz/seeds) and the corpus earlier runs grew (fuzz/corpus, not
# committed). A crash stops the run and leaves its input under fuzz/artifacts/.
#
# The targets build on the stable toolchain with RUSTC_BOOTSTRAP=1 (cargo-fuzz passes a few
# unstable flags) and without a sanitizer: the fuzzed code is safe Rust (unsafe_code is
# forbidden), so AddressSanitizer would add build time and no findings; libFuzzer's coverage
# guidance, panics and its -rss_limit_mb do the work.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
if ! command -v cargo-fuzz >/dev/null && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo-fuzz" ]; then
  cargo install cargo-fuzz --locked --version ^0.13
fi
seconds=${FUZZ_SECONDS:-20}
target_dir="${CARGO_TARGET_DIR:-$PWD/../target}/fuzz"
for target in request_bodies uploads sync_page; do
  echo "== fuzz $target for ${seconds}s"
  mkdir -p "corpus/$target"
  log="$target_dir/$target.log"
  mkdir -p "$target_dir"
  status=0
  RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none --target-dir "$target_dir" "$target" \
    "corpus/$target" "seeds/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    > "$log" 2>&1 || status=$?
  grep -E '^(Done|stat::number_of_executed_units)|panicked|ERROR|SUMMARY|^error' "$log" || true
  if [ "$status" -ne 0 ]; then
    tail -n 40 "$log" >&2
    echo "fuzz $target failed (exit $status); any failing input is under fuzz/artifacts/$target/" >&2
    exit 1
  fi
done
echo "fuzz: all targets ran ${seconds}s with no failure"
