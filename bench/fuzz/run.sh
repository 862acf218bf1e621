#!/usr/bin/env bash
# Builds the libFuzzer targets (bench/fuzz/fuzz_*.cpp) with clang, ASan and UBSan in build-fuzz and
# runs each for a bounded time on a scratch copy of its seed corpus (bench/fuzz/corpus/TARGET) with
# its dictionary (bench/fuzz/TARGET.dict: key names, presets, syntax tokens).
#
# Usage: bench/fuzz/run.sh [SECONDS_PER_TARGET (default 60)] [TARGET...]
#   TARGET: fuzz_scenario, fuzz_trace, fuzz_hf_config (default: all three, one after another)
# Environment: BUILD_JOBS (build parallelism, default nproc), FUZZ_WORKERS (libFuzzer -fork
# workers per target, default 1).
# Needs Debian's clang and libclang-rt-dev (apt-get install clang libclang-rt-14-dev on bookworm).
#
# Targets run in libFuzzer's fork mode and keep going after a crash, timeout or out-of-memory; each
# finding is saved as build-fuzz/fuzz-work/TARGET/artifacts/{crash,timeout,oom,leak}-SHA1. To look
# at one: build-fuzz/TARGET FILE (reruns it with the stack); to shrink it:
#   build-fuzz/TARGET -minimize_crash=1 -max_total_time=60 -exact_artifact_path=min FILE
# The grown corpus stays in build-fuzz/fuzz-work/TARGET/corpus (the repo's seeds are not touched)
# and is reused by the next run.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_scenario fuzz_trace fuzz_hf_config)
build=build-fuzz
workers=${FUZZ_WORKERS:-1}

cxx=${CXX:-clang++}
if ! "$cxx" --version 2>/dev/null | grep -qi clang; then
  echo "run.sh: needs clang++ (CXX=$cxx is not clang); apt-get install clang libclang-rt-14-dev" >&2
  exit 1
fi
# -O1 -g without NDEBUG: assertions stay on, stacks stay readable.
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DSERVESIM_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j"${BUILD_JOBS:-$(nproc 2>/dev/null || echo 2)}" --target "${targets[@]}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

summary=$build/fuzz-work/summary.txt
mkdir -p "$build/fuzz-work"
: >"$summary"
count_findings() { find "$1" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | wc -l; }

for t in "${targets[@]}"; do
  seeds=bench/fuzz/corpus/$t
  work=$build/fuzz-work/$t
  mkdir -p "$work/corpus" "$work/artifacts" "$work/tmp"
  cp -n "$seeds"/* "$work/corpus/" 2>/dev/null || true
  dict=()
  [ -f "bench/fuzz/$t.dict" ] && dict=(-dict="bench/fuzz/$t.dict")
  before=$(count_findings "$work/artifacts")
  touch "$work/.started"
  echo "== $t: ${secs} s on $(ls "$work/corpus" | wc -l) inputs (log: $work/log)"
  # The scratch files the targets write (fuzz_common.h) go under build-fuzz too.
  TMPDIR=$(cd "$work/tmp" && pwd) "./$build/$t" -fork="$workers" -ignore_crashes=1 -ignore_timeouts=1 \
    -ignore_ooms=1 -print_funcs=0 "${dict[@]}" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$work/artifacts/" "$work/corpus" >"$work/log" 2>&1 || true
  after=$(count_findings "$work/artifacts")
  # Fork mode's progress lines: "#RUNS: cov: C ft: F corp: N exec/s E oom/timeout/crash: O/T/C time: Ss ..."
  last=$(grep -E '^#[0-9]+: cov:' "$work/log" | tail -1 || true)
  runs=$(sed -nE 's/^#([0-9]+):.*/\1/p' <<<"$last")
  elapsed=$(sed -nE 's/.* time: ([0-9]+)s.*/\1/p' <<<"$last")
  cov=$(sed -nE 's/.* cov: ([0-9]+) .*/\1/p' <<<"$last")
  corp=$(sed -nE 's/.* corp: ([0-9]+) .*/\1/p' <<<"$last")
  otc=$(sed -nE 's#.*oom/timeout/crash: ([0-9/]+) .*#\1#p' <<<"$last")
  rate=0
  if [ -n "$runs" ] && [ -n "$elapsed" ] && [ "$elapsed" -gt 0 ]; then rate=$((runs / elapsed)); fi
  line=$(printf '%-15s executions %10s  exec/s %6s  time %5ss  cov %5s  corpus %5s  oom/timeout/crash %s  new finding files %d' \
    "$t" "${runs:-?}" "$rate" "${elapsed:-?}" "${cov:-?}" "${corp:-?}" "${otc:-?}" $((after - before)))
  echo "$line" | tee -a "$summary"
  find "$work/artifacts" -maxdepth 1 -type f -newer "$work/.started" | sort | head -20
done
echo "summary: $summary"
