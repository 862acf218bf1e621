#!/usr/bin/env bash
# Runs the servesim binary as a user would: exit codes, one-line error messages, output formats.
# Usage: run_cli_tests.sh path/to/servesim
set -u
bin=${1:?usage: run_cli_tests.sh path/to/servesim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# expect_fail NAME EXPECTED_SUBSTRING ARGS...: exit code 1, one line on stderr containing the text.
expect_fail() {
  local name=$1 want=$2
  shift 2
  local err rc
  err=$("$bin" "$@" 2>&1 >/dev/null)
  rc=$?
  if [ "$rc" -eq 1 ] && [[ "$err" == *"$want"* ]] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name: rc=$rc, wanted '$want' on one line, got: $err"
  fi
}

# expect_ok NAME EXPECTED_SUBSTRING ARGS...: exit code 0, stdout contains the text.
expect_ok() {
  local name=$1 want=$2
  shift 2
  local out rc
  out=$("$bin" "$@" 2>"$tmp/stderr")
  rc=$?
  if [ "$rc" -eq 0 ] && [[ "$out" == *"$want"* ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name: rc=$rc, wanted '$want' in stdout; stderr: $(cat "$tmp/stderr")"
  fi
}

A=(analyze --model llama-2-7b --device a100-80gb)

expect_ok version "servesim 0." --version
expect_ok help "analyze" --help
expect_ok list-models "llama-2-7b" list models
expect_ok list-devices "h100-sxm" list devices
expect_ok list-runtimes "cuda-graphs" list runtimes
expect_ok analyze-text "step:" "${A[@]}" --context 1023
expect_ok analyze-help "per_layer" analyze --help
expect_ok analyze-json '"tokens_per_second"' "${A[@]}" --format json
expect_ok analyze-json-fits '"max_batch"' "${A[@]}" --format json --batch 8 --context 4000
expect_ok analyze-csv "name,kind,repeats,flops,bytes,intensity,bound,seconds" "${A[@]}" --format csv
expect_ok analyze-prefill "prefill" "${A[@]}" --phase prefill --tokens 512
expect_ok analyze-naive "attn_score" "${A[@]}" --attention naive --context 100
expect_ok analyze-tp "tp_all_reduce" analyze --model llama-2-70b --device h100-sxm --tp 4
expect_ok analyze-int4 "int4" analyze --model llama-2-13b --device rtx-4090 --weight-dtype int4 --format json

# JSON carries every field the interface promises, and per-op names.
json=$("$bin" "${A[@]}" --format json)
for key in params kv_bytes_per_token weight_bytes step_seconds tokens_per_second fits max_batch ops \
  '"name": "qkv_proj"' '"name": "gate_up_proj"' '"name": "lm_head"' '"intensity"' '"bound"'; do
  if [[ "$json" == *"$key"* ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL json key $key"; fi
done
# Same input, same bytes.
if [ "$("$bin" "${A[@]}" --format json)" == "$json" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL json determinism"; fi

expect_fail no-command "expected a command"
expect_fail unknown-command "unknown command 'analyse' (did you mean 'analyze'?)" analyse
expect_fail unknown-model "unknown model 'llama-2-7' (did you mean" analyze --model llama-2-7 --device a100-80gb
expect_fail unknown-device "unknown device 'a100'" analyze --model llama-2-7b --device a100
expect_fail missing-model "--model is required" analyze --device a100-80gb
expect_fail missing-device "--device is required" analyze --model llama-2-7b
expect_fail unknown-option "unrecognised option '--batchsize'" "${A[@]}" --batchsize 4
expect_fail zero-batch "--batch: expected a positive integer, found 0" "${A[@]}" --batch 0
expect_fail negative-batch "--batch: expected a positive integer, found -3" "${A[@]}" --batch -3
expect_fail text-batch "--batch" "${A[@]}" --batch many
expect_fail negative-context "--context: expected a non-negative integer" "${A[@]}" --context -1
expect_fail zero-tokens "--tokens: expected a positive integer" "${A[@]}" --phase prefill --tokens 0
expect_fail decode-tokens "a decode step computes 1 new token" "${A[@]}" --tokens 8
expect_fail prefill-no-tokens "--tokens is required for --phase prefill" "${A[@]}" --phase prefill
expect_fail over-context "exceed the 4096-token context" "${A[@]}" --context 5000
expect_fail bad-phase "--phase: expected prefill or decode, found 'decoding'" "${A[@]}" --phase decoding
expect_fail bad-format "--format: expected text, json or csv" "${A[@]}" --format xml
expect_fail bad-dtype "--dtype: unknown dtype 'fp12'" "${A[@]}" --dtype fp12
expect_fail bad-attention "--attention: expected flash or naive" "${A[@]}" --attention paged
expect_fail tp-not-dividing "does not divide the 32 attention heads" "${A[@]}" --tp 3
expect_fail tp-no-link "has no interconnect for tensor parallelism" analyze --model llama-3.2-1b --device apple-m2-max --tp 2
expect_fail tp-zero "tp must be a positive integer" "${A[@]}" --tp 0
expect_fail bad-runtime "unknown runtime 'eagre' (did you mean 'eager'?)" "${A[@]}" --runtime eagre
expect_fail bad-utilization "--memory-utilization: expected a fraction in (0, 1]" "${A[@]}" --memory-utilization 1.5
expect_fail bad-block "--block-size: expected an integer in [1, 4096]" "${A[@]}" --block-size 0
expect_fail list-what "unknown catalog 'model' (did you mean 'models'?)" list model
expect_fail missing-config "config.json" analyze --model "$tmp/nope/config.json" --device a100-80gb
printf '{"model_type": "llama", "hidden_size": 4096' > "$tmp/truncated.json"
expect_fail truncated-config "truncated.json" analyze --model "$tmp/truncated.json" --device a100-80gb
printf '{"model_type": "llama", "hidden_size": 4096, "num_attention_heads": 30, "num_hidden_layers": 2, "intermediate_size": 11008, "vocab_size": 32000}' > "$tmp/heads.json"
expect_fail heads-config "heads.json" analyze --model "$tmp/heads.json" --device a100-80gb
expect_fail calibrate-nothing "no measurements given" calibrate --device a100-80gb
expect_fail calibrate-missing "cannot open file" calibrate --device a100-80gb --ops "$tmp/none.csv"
printf 'a,b\n1,2\n' > "$tmp/bad.csv"
expect_fail calibrate-columns "missing column" calibrate --device a100-80gb --ops "$tmp/bad.csv"

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
