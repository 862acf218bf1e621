#!/usr/bin/env bash
# Whole-or-absent outputs as users meet them (sim/output/output_dir.h): a run that fails, is killed
# or cannot write a file leaves no summary.json (nor any other output) of an earlier run beside its
# own partial files; a rerun removes the files it no longer writes; a second command into a busy
# directory is refused; sweep, merge, capacity and analyze --html write the same way.
# Usage: output_dir_test.sh path/to/servesim
set -u
bin=${1:?usage: output_dir_test.sh path/to/servesim}
here=$(cd "$(dirname "$0")" && pwd)
S=$here/../../scenarios/default.yaml
tmp=$(mktemp -d)
bg=
trap '[ -n "$bg" ] && kill -9 $bg 2>/dev/null; rm -rf "$tmp"' EXIT
passed=0
failed=0

check() {  # check NAME COMMAND...: the command succeeds
  local name=$1
  shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $name"; fi
}

# fails NAME EXPECTED ARGS...: exit 1, one stderr line "error: ..." holding the text.
fails() {
  local name=$1 want=$2
  shift 2
  local err rc
  err=$("$bin" "$@" 2>&1 >/dev/null)
  rc=$?
  if [ "$rc" -eq 1 ] && [[ "$err" == "error: "*"$want"* ]] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name: rc=$rc, wanted '$want' on one line, got: $err"
  fi
}

listing() { (cd "$1" && ls -A | tr '\n' ' '); }
is_listing() { [ "$(listing "$1")" == "$2" ] || { echo "  $1 holds: $(listing "$1")"; false; }; }

small=(-q --set workload.num_requests=50)
D=$tmp/run

# A run that fails on trace row 4 leaves nothing: the earlier run's files went at its start.
"$bin" run "$S" "${small[@]}" --out "$D"
check complete-run is_listing "$D" "requests.csv steps.csv summary.json "
printf '%s\n' "model: llama-3.1-8b" "hardware: {device: h100-sxm}" \
  "workload: {impl: trace, format: azure, path: \"$here/bad_inputs/trace/azure_truncated.csv\"}" \
  >"$tmp/row4.yaml"
fails trace-row-4 "azure_truncated.csv:4: expected 3 fields" run "$tmp/row4.yaml" -q --out "$D"
check failed-run-leaves-nothing is_listing "$D" ""

# An input error found before the run starts leaves the directory as it was.
"$bin" run "$S" "${small[@]}" --out "$D"
fails bad-set "scheduler.max_num_seq" run "$S" "${small[@]}" --set scheduler.max_num_seq=8 --out "$D"
check input-error-keeps-outputs is_listing "$D" "requests.csv steps.csv summary.json "

# A rerun that no longer writes requests.csv removes the stale one.
"$bin" run "$S" "${small[@]}" --set output.requests_csv=false --out "$D"
check requests-csv-off is_listing "$D" "steps.csv summary.json "

# A write that fails (here: a file size limit, EFBIG) names the file and the reason; no
# summary.json, no steps.csv, no temporaries.
"$bin" run "$S" "${small[@]}" --out "$D"
err=$( (trap '' XFSZ; ulimit -f 16; "$bin" run "$S" -q --set workload.num_requests=2000 \
  --set output.steps_csv=false --out "$D") 2>&1)
check write-error-message [ "$err" == "error: --out $D: cannot write $D/requests.csv: File too large" ]
check write-error-leaves-nothing is_listing "$D" ""

# A second command into a directory in use is refused; a killed run's lock does not outlive it.
"$bin" run "$S" -q --set workload.num_requests=2000000 --out "$D" 2>/dev/null &
bg=$!
for _ in $(seq 100); do [ -s "$D/.servesim.lock" ] && break; sleep 0.1; done
fails concurrent-run "--out $D: in use by another servesim command (pid $bg, lock $D/.servesim.lock)" \
  run "$S" "${small[@]}" --out "$D"
fails concurrent-sweep "--out $D: in use by another servesim command (pid $bg" \
  sweep "$S" --vary seed=1,2 --out "$D"
kill -9 $bg
wait $bg 2>/dev/null
bg=
check killed-run-no-summary [ ! -e "$D/summary.json" ]
check after-kill "$bin" run "$S" "${small[@]}" --out "$D"
check after-kill-clean is_listing "$D" "requests.csv steps.csv summary.json "

# --compare and --html files belong to the run: a plain rerun removes them.
"$bin" run "$S" "${small[@]}" --html --trace --compare scheduler.max_num_seqs=8 --out "$D"
check compare-files is_listing "$D" \
  "baseline_summary.json compare.json report.html requests.csv steps.csv summary.json trace.json "
"$bin" run "$S" "${small[@]}" --out "$D"
check compare-files-removed is_listing "$D" "requests.csv steps.csv summary.json "

# sweep and merge: the same directory discipline, sweep_info.json last; merge may write into one
# of its shards (it reads them first).
sw=(sweep "$S" --set workload.num_requests=20 --set output.requests_csv=false --jobs 1)
"$bin" "${sw[@]}" --vary seed=1,2 --shard 0/2 --out "$tmp/s0" 2>/dev/null
"$bin" "${sw[@]}" --vary seed=1,2 --shard 1/2 --out "$tmp/s1" 2>/dev/null
"$bin" "${sw[@]}" --vary seed=1,2 --out "$tmp/full" 2>/dev/null
check sweep-files is_listing "$tmp/full" "sweep.csv sweep.html sweep_info.json "
check merge-into-shard "$bin" merge "$tmp/s0" "$tmp/s1" --out "$tmp/s0" 2>/dev/null
check merge-into-shard-bytes cmp -s "$tmp/s0/sweep.csv" "$tmp/full/sweep.csv"
check merge-files is_listing "$tmp/s0" "sweep.csv sweep.html sweep_info.json "

# capacity and analyze --html leave their file and no temporaries.
"$bin" capacity "$S" --set workload.num_requests=20 --slo p99_ttft_ms=100000 --out "$tmp/cap" >/dev/null 2>&1
check capacity-files is_listing "$tmp/cap" "capacity.csv "
mkdir -p "$tmp/html"
"$bin" analyze --model llama-2-7b --device a100-80gb --html "$tmp/html/r.html" >/dev/null
check analyze-html is_listing "$tmp/html" "r.html "

echo "output_dir_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
