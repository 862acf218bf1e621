#!/usr/bin/env bash
# Bad input to `servesim sweep`, `merge` and `capacity`: each case must exit non-zero with a
# one-line error naming the flag and what was expected.
# Usage: sweep_bad_input_test.sh path/to/servesim
set -u
bin=${1:?usage: sweep_bad_input_test.sh path/to/servesim}
here=$(cd "$(dirname "$0")" && pwd)
S=$here/../../scenarios/default.yaml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# expect_fail NAME EXPECTED_SUBSTRING ARGS...: non-zero exit, one stderr line holding the text.
expect_fail() {
  local name=$1 want=$2
  shift 2
  local err rc
  err=$("$bin" "$@" 2>&1 >/dev/null)
  rc=$?
  if [ "$rc" -ne 0 ] && printf '%s\n' "$err" | grep -qF -- "$want" &&
    [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name: rc=$rc, wanted '$want' on one line, got: $err"
  fi
}

V=(--vary scheduler.max_num_seqs=8,64)
small=(--set workload.num_requests=20 --set output.requests_csv=false)

# --vary
expect_fail vary-unknown-key "--vary scheduler.max_num_seq (value '8', grid point 0)" \
  sweep "$S" --vary scheduler.max_num_seq=8,64
expect_fail vary-unknown-key-hint "did you mean 'max_num_seqs'" sweep "$S" --vary scheduler.max_num_seq=8
expect_fail vary-unknown-workload-key "--vary workload.rate_per_sec" sweep "$S" --vary workload.rate_per_sec=1,2
expect_fail vary-unknown-top-key "--vary sched.max_num_seqs" sweep "$S" --vary sched.max_num_seqs=1
expect_fail vary-bad-value "--vary scheduler.max_num_seqs (value '0', grid point 1)" \
  sweep "$S" --vary scheduler.max_num_seqs=8,0
expect_fail vary-empty-list "--vary a=: empty value list" sweep "$S" --vary a=
expect_fail vary-empty-value "empty value" sweep "$S" --vary scheduler.max_num_seqs=8,,64
expect_fail vary-no-equals "--vary scheduler.max_num_seqs: expected key=v1,v2" sweep "$S" --vary scheduler.max_num_seqs
expect_fail vary-duplicate-key "--vary scheduler.max_num_seqs: key given twice" sweep "$S" "${V[@]}" "${V[@]}"
expect_fail vary-duplicate-value "listed twice" sweep "$S" --vary scheduler.max_num_seqs=8,8
expect_fail vary-missing "expected at least one --vary" sweep "$S"
expect_fail grid-too-large "more than the limit of 100000" sweep "$S" \
  --vary scheduler.max_num_seqs="$(seq -s, 1 1000)" --vary workload.rate_per_s="$(seq -s, 1 1000)"
expect_fail jobs-zero "--jobs: expected a positive number" sweep "$S" "${V[@]}" --jobs 0
expect_fail set-bad "--set" sweep "$S" "${V[@]}" --set scheduler.max_num_seqs

# --shard
expect_fail shard-equal-count "--shard 4/4: shard index out of range" sweep "$S" "${V[@]}" --shard 4/4
expect_fail shard-negative "--shard -1/4: shard index out of range" sweep "$S" "${V[@]}" --shard -1/4
expect_fail shard-zero-count "--shard 1/0: expected a shard count N >= 1" sweep "$S" "${V[@]}" --shard 1/0
expect_fail shard-garbage "--shard x: expected i/N" sweep "$S" "${V[@]}" --shard x

# merge of inconsistent shards
for i in 0 1; do
  "$bin" sweep "$S" "${small[@]}" "${V[@]}" --shard $i/2 --out "$tmp/a$i" --jobs 1 2>/dev/null
done
"$bin" sweep "$S" "${small[@]}" --vary workload.rate_per_s=2,4 --shard 1/2 --out "$tmp/b1" --jobs 1 2>/dev/null
"$bin" sweep "$S" "${small[@]}" --set seed=5 "${V[@]}" --shard 1/2 --out "$tmp/c1" --jobs 1 2>/dev/null
expect_fail merge-missing "point 1 is missing" merge "$tmp/a0" --out "$tmp/m"
expect_fail merge-duplicate "appears in both" merge "$tmp/a0" "$tmp/a1" "$tmp/a1" --out "$tmp/m"
expect_fail merge-header "header differs" merge "$tmp/a0" "$tmp/b1" --out "$tmp/m"
expect_fail merge-other-sweep "a different sweep" merge "$tmp/a0" "$tmp/c1" --out "$tmp/m"
expect_fail merge-not-a-sweep "not a sweep output directory" merge "$tmp/nothing" --out "$tmp/m"
expect_fail merge-no-out "--out DIR is required" merge "$tmp/a0" "$tmp/a1"

# merge checks every row of a shard against its header and sweep_info.json. tampered NAME SED:
# a copy of shard a0 (point 0 of 2: max_num_seqs 8) or, for names seed-*, of shard d1 (point 1 of
# a --vary seed=1,2 sweep: seed 2), with SED applied to its sweep.csv; prints the copy's path.
"$bin" sweep "$S" "${small[@]}" --vary seed=1,2 --shard 0/2 --out "$tmp/d0" --jobs 1 2>/dev/null
"$bin" sweep "$S" "${small[@]}" --vary seed=1,2 --shard 1/2 --out "$tmp/d1" --jobs 1 2>/dev/null
tampered() {
  local from=a0
  [[ $1 == seed-* ]] && from=d1
  cp -r "$tmp/$from" "$tmp/t-$1"
  sed -i "$2" "$tmp/t-$1/sweep.csv"
  echo "$tmp/t-$1"
}
# 30 columns: point, max_num_seqs, the 27 metrics README.md lists and load_status.
t=$(tampered extra-field '2s/$/,1/')
expect_fail merge-extra-field "$t/sweep.csv:2: expected 30 fields (as the header), found 31" merge "$t" "$tmp/a1" --out "$tmp/m"
t=$(tampered missing-field '2s/,[^,]*$//')
expect_fail merge-missing-field "$t/sweep.csv:2: expected 30 fields (as the header), found 29" merge "$tmp/a1" "$t" --out "$tmp/m"
t=$(tampered abc-integer '2s/^0,8,[0-9]*,/0,8,abc,/')
expect_fail merge-abc-integer "$t/sweep.csv:2: column 'completed': expected an integer, found 'abc'" merge "$t" "$tmp/a1" --out "$tmp/m"
t=$(tampered abc-number '2s/^\(\([^,]*,\)\{11\}\)[^,]*/\1abc/')
expect_fail merge-abc-number "$t/sweep.csv:2: column 'mean_ttft_ms': expected a number, found 'abc'" merge "$t" "$tmp/a1" --out "$tmp/m"
t=$(tampered float-integer '2s/^0,8,[0-9]*,/0,8,1.5,/')
expect_fail merge-float-integer "$t/sweep.csv:2: column 'completed': expected an integer, found '1.5'" merge "$t" "$tmp/a1" --out "$tmp/m"
t=$(tampered value '2s/^0,8,/0,9,/')
expect_fail merge-varied-value "$t/sweep.csv:2: column 'scheduler.max_num_seqs': expected '8' (point 0 in sweep_info.json), found '9'" merge "$t" "$tmp/a1" --out "$tmp/m"
t=$(tampered seed-wrong '2s/^1,2,/1,3,/')
expect_fail merge-seed "$t/sweep.csv:2: column 'seed': expected '2' (point 1 in sweep_info.json), found '3'" merge "$tmp/d0" "$t" --out "$tmp/m"
t=$(tampered other-shard '2s/^0,/1,/')
expect_fail merge-other-shard "$t/sweep.csv:2: point 1 does not belong to shard 0/2 (sweep_info.json)" merge "$t" "$tmp/a1" --out "$tmp/m"
t=$(tampered quote '2s/^0,8,/0,"8,/')
expect_fail merge-quote "$t/sweep.csv:2: unterminated quoted field" merge "$t" "$tmp/a1" --out "$tmp/m"
t=$(tampered row-deleted '2d')
expect_fail merge-row-deleted "$t/sweep.csv: 0 rows, but sweep_info.json says points_in_file 1" merge "$t" "$tmp/a1" --out "$tmp/m"
t=$(tampered cut-short '$s/$//')
truncate -s -1 "$t/sweep.csv"
expect_fail merge-cut-short "$t/sweep.csv:2: the last row has no line end" merge "$t" "$tmp/a1" --out "$tmp/m"
t=$(tampered load-status '2s/,[^,]*$/,bogus/')
expect_fail merge-load-status "$t/sweep.csv:2: column 'load_status': expected ok, overloaded or short_run, found 'bogus'" merge "$t" "$tmp/a1" --out "$tmp/m"
t=$(tampered load-status-empty '2s/,[^,]*$/,/')
expect_fail merge-load-status-empty "$t/sweep.csv:2: column 'load_status': expected ok, overloaded or short_run, found ''" merge "$tmp/a1" "$t" --out "$tmp/m"
t=$(tampered header '1s/,steps,load_status$/,step,load_status/')
expect_fail merge-header-info "$t/sweep.csv:1: header field 29: expected 'steps' (the sweep in sweep_info.json), found 'step'" merge "$t" --out "$tmp/m"
t=$(tampered header-short '1s/,load_status$//')
expect_fail merge-header-short "$t/sweep.csv:1: header field 30: expected 'load_status' (the sweep in sweep_info.json), found the end of the line" merge "$t" --out "$tmp/m"
t=$(tampered header-only '2d')
head -c -1 "$t/sweep.csv" >"$t/cut" && mv "$t/cut" "$t/sweep.csv"
expect_fail merge-header-cut "$t/sweep.csv:1: the header has no line end" merge "$t" --out "$tmp/m"
if [ ! -e "$tmp/m/sweep_info.json" ] && [ ! -e "$tmp/m/sweep.csv" ]; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
  echo "FAIL merge-no-output: a refused merge wrote $tmp/m"
fi

# capacity
C=(capacity "$S" "${small[@]}")
expect_fail slo-missing "--slo is required" "${C[@]}"
expect_fail slo-no-value "--slo p99_ttft_ms: expected metric=bound_ms" "${C[@]}" --slo p99_ttft_ms
expect_fail slo-not-number "--slo p99_ttft_ms=abc: expected a bound in ms" "${C[@]}" --slo p99_ttft_ms=abc
expect_fail slo-unknown "did you mean 'p99_ttft_ms'" "${C[@]}" --slo p99_ttf_ms=500
expect_fail slo-negative "--slo p99_ttft_ms=-5: expected a bound in ms > 0" "${C[@]}" --slo p99_ttft_ms=-5
expect_fail slo-twice "given twice" "${C[@]}" --slo p99_ttft_ms=5,p99_ttft_ms=6
expect_fail capacity-vary-unknown "--vary hardware.tpp" "${C[@]}" --slo p99_ttft_ms=500 --vary hardware.tpp=1,2
expect_fail tolerance "--tolerance: expected a relative tolerance in (0, 1)" "${C[@]}" --slo p99_ttft_ms=500 --tolerance 2
expect_fail price-unknown-device "--price: unknown device 'h100'" "${C[@]}" --slo p99_ttft_ms=500 --price h100=2
expect_fail price-missing-device "--price: no price for device 'h100-sxm'" "${C[@]}" --slo p99_ttft_ms=500 --price a100-80gb=2
expect_fail price-both "give one of them" "${C[@]}" --slo p99_ttft_ms=500 --price h100-sxm=2 --price-per-device-hour 2
cat >"$tmp/closed.yaml" <<'YAML'
model: llama-3.1-8b
hardware: {device: h100-sxm}
workload: {impl: closed_loop, clients: 4, num_requests: 20, prompt_tokens: 100, output_tokens: 10}
YAML
cat >"$tmp/burst.yaml" <<'YAML'
model: llama-3.1-8b
hardware: {device: h100-sxm}
workload: {impl: synthetic, arrival: burst, num_requests: 20, prompt_tokens: 100, output_tokens: 10}
YAML
expect_fail capacity-closed-loop "closed_loop sets a concurrency (workload.clients), not an arrival rate" \
  capacity "$tmp/closed.yaml" --slo p99_ttft_ms=500
expect_fail capacity-burst "burst sends every request at t = 0" capacity "$tmp/burst.yaml" --slo p99_ttft_ms=500

echo "sweep_bad_input_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
