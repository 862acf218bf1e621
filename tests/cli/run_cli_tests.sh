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
expect_ok list-policies "sarathi" list policies
expect_ok list-policies-json '"slot": "speculative"' list policies --format json
expect_ok list-keys '| `scheduler.max_num_seqs` |' list keys
expect_fail list-keys-json "the key tables are Markdown" list keys --format json
# scenarios/README.md holds exactly what `list keys` prints (between its generated-section markers).
keys_out=$("$bin" list keys 2>/dev/null)
if [[ "$(cat "$(dirname "$0")/../../scenarios/README.md")" == *"$keys_out"* ]]; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
  echo "FAIL list-keys-readme: scenarios/README.md does not hold the output of servesim list keys"
fi
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
expect_ok analyze-llama-bench "llama-bench estimate (batch 1): pp512" analyze --model llama-2-7b --device apple-m2-max --dtype q4_0
expect_ok analyze-llama-bench-json '"llama_bench_tg128_tokens_per_second"' analyze --model llama-2-7b --device m1-max --dtype q8_0 --format json
expect_ok analyze-llama-runtime '"runtime": "llama.cpp"' analyze --model llama-2-7b --device apple-m4 --dtype q4_0 --format json
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
# A hand-made profile bundle (one TP, a few points) for calibrate --bundle.
mkbundle() {  # DIR MODEL GPU
  mkdir -p "$1/tp1"
  printf 'model: %s\nhardware: TESTGPU\ngpu: %s\nvariant: bf16\ntp_degrees: [1]\nengine_effective:\n  max_num_batched_tokens: 2048\n  max_num_seqs: 256\n  hf_overrides: {num_attention_heads: 32, num_key_value_heads: 8, intermediate_size: 14336, vocab_size: 128256}\n' "$2" "$3" > "$1/meta.yaml"
  printf 'layer,tokens,time_us\nqkv_proj,1,36\nqkv_proj,512,98\ngate_up_proj,1,160\ngate_up_proj,512,365\n' > "$1/tp1/dense.csv"
  printf 'layer,sequences,time_us\nlm_head,1,714\nlm_head,2,687\n' > "$1/tp1/per_sequence.csv"
  printf 'prefill_chunk,kv_prefill,n_decode,kv_decode,time_us\n0,0,1,16,8.4\n0,0,1,4096,27.2\n512,0,0,0,24.9\n512,0,1,16,30.0\n' > "$1/tp1/attention.csv"
}
rtx="NVIDIA RTX PRO 6000 Blackwell Server Edition"
mkbundle "$tmp/bundle" meta-llama/Llama-3.1-8B "$rtx"
expect_ok calibrate-bundle "rtx-pro-6000: 9 kernel" calibrate --device rtx-pro-6000 --bundle "$tmp/bundle"
expect_fail calibrate-bundle-missing "none: not a directory" calibrate --device rtx-pro-6000 --bundle "$tmp/none"
expect_fail calibrate-bundle-gpu "gpu 'NVIDIA RTX PRO 6000 Blackwell Server Edition' was profiled, not device a40" calibrate --device a40 --bundle "$tmp/bundle"
mkbundle "$tmp/bundle-model" acme/NoSuchModel-7B "$rtx"
expect_fail calibrate-bundle-model "model 'acme/NoSuchModel-7B' is not a model preset" calibrate --device rtx-pro-6000 --bundle "$tmp/bundle-model"
mkbundle "$tmp/bundle-dtype" meta-llama/Llama-3.1-8B "$rtx"
sed -i 's/^variant: bf16/variant: bf17/' "$tmp/bundle-dtype/meta.yaml"
expect_fail calibrate-bundle-dtype "variant 'bf17': unknown dtype 'bf17'" calibrate --device rtx-pro-6000 --bundle "$tmp/bundle-dtype"
mkbundle "$tmp/bundle-cell" meta-llama/Llama-3.1-8B "$rtx"
printf 'prefill_chunk,kv_prefill,n_decode,kv_decode,time_us\n0,0,1,16,fast\n' > "$tmp/bundle-cell/tp1/attention.csv"
expect_fail calibrate-bundle-cell "attention.csv:2" calibrate --device rtx-pro-6000 --bundle "$tmp/bundle-cell"
mkdir -p "$tmp/empty-folder"
expect_fail calibrate-loo-empty "empty-folder: no kernel measurements" calibrate --leave-one-out a40="$tmp/empty-folder" rtx-pro-6000="$tmp/bundle"
expect_fail calibrate-loo-item "expects DEVICE=FOLDER items, found 'a40'" calibrate --leave-one-out a40 rtx-pro-6000="$tmp/bundle"
expect_fail calibrate-loo-one "needs at least two DEVICE=FOLDER items" calibrate --leave-one-out rtx-pro-6000="$tmp/bundle"
expect_fail calibrate-loo-device "--leave-one-out takes no --device" calibrate --device a40 --leave-one-out a40="$tmp/bundle" rtx-pro-6000="$tmp/bundle"
expect_fail calibrate-loo-unknown "unknown device" calibrate --leave-one-out a4O="$tmp/bundle" rtx-pro-6000="$tmp/bundle"
expect_ok calibrate-evaluate "Out of sample (not fitted on)" calibrate --device rtx-pro-6000 --bundle "$tmp/bundle" --evaluate "$tmp/bundle"

# ---- scenarios: servesim run / validate ----
src=$(cd "$(dirname "$0")/../.." && pwd)
default=$src/scenarios/default.yaml
expect_ok validate-default "ok (llama-3.1-8b" validate "$default"
expect_ok validate-replicas "tp 1, 2 replicas of" validate "$default" --set hardware.replicas=2 --set routing.impl=least_tokens
expect_ok validate-routing "KV blocks, routed least_tokens)" validate "$default" --set hardware.replicas=2 --set routing.impl=least_tokens
small=(--set workload.num_requests=200 -q)
expect_ok run-default "" run "$default" --out "$tmp/a" "${small[@]}"
"$bin" run "$default" --out "$tmp/b" "${small[@]}" --set output.wall_clock=false
"$bin" run "$default" --out "$tmp/c" "${small[@]}" --set output.wall_clock=false
"$bin" run "$default" --out "$tmp/d" "${small[@]}" --set output.wall_clock=false --set seed=7
for f in summary.json requests.csv steps.csv; do
  if cmp -s "$tmp/b/$f" "$tmp/c/$f"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL same seed, $f differs"; fi
done
if ! cmp -s "$tmp/b/requests.csv" "$tmp/d/requests.csv"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL seed 7 gave the same arrivals"; fi
for key in '"completed": 200' '"mean_ttft_ms"' '"p99_tpot_ms"' '"median_itl_ms"' '"p90_e2el_ms"' '"kv_usage_peak"' '"preemptions"' '"sim"' '"wall_seconds"'; do
  if grep -q "$key" "$tmp/a/summary.json"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL summary key $key"; fi
done

# A draft larger than its target is accepted with a warning on stderr.
printf '%s\n' "model: llama-3.2-1b" "hardware: {device: h100-sxm}" \
  "workload: {impl: synthetic, rate_per_s: 1, num_requests: 3, prompt_tokens: 10, output_tokens: 5}" \
  "speculative: {impl: draft_model, draft: llama-3.1-8b}" > "$tmp/big-draft.yaml"
if "$bin" run "$tmp/big-draft.yaml" --out "$tmp/big-draft" -q 2>"$tmp/big-draft.err" && grep -q "warning: .*larger than the target" "$tmp/big-draft.err"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1)); echo "FAIL big-draft warning: $(cat "$tmp/big-draft.err")"
fi

# --compare runs a baseline with a whole slot replaced and reports speedups.
if "$bin" run "$tmp/big-draft.yaml" --out "$tmp/cmp" -q --compare speculative.impl=none 2>/dev/null &&
  grep -q '"speedup_mean_tpot"' "$tmp/cmp/compare.json" && ! grep -q '"spec_rounds"' "$tmp/cmp/baseline_summary.json" &&
  grep -q '"spec_rounds"' "$tmp/cmp/summary.json"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1)); echo "FAIL --compare speculative.impl=none"
fi
expect_fail compare-bad-impl "speculative.impl: unknown implementation 'nope'" run "$default" --out "$tmp/cmp2" -q --set speculative.impl=ngram --compare speculative.impl=nope
# --compare with the scenario's own value: the same seed gives the same requests and the same
# policy, so every delta is exactly 0 (common random numbers), printed and in compare.json.
"$bin" run "$default" --set workload.num_requests=50 --out "$tmp/cmp3" --compare scheduler.max_num_seqs=256 >"$tmp/cmp3.out" 2>/dev/null
if [ "$(grep -c '"delta": 0,' "$tmp/cmp3/compare.json")" -eq 6 ] && grep -q '"delta_pct": 0' "$tmp/cmp3/compare.json" &&
  grep -q '^  p99_ttft_ms .* +0.00 ms  +0.0 %$' "$tmp/cmp3.out" && grep -q '^  median_itl_ms ' "$tmp/cmp3.out"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1)); echo "FAIL --compare deltas: $(cat "$tmp/cmp3.out")"
fi
if [ ! -e "$tmp/cmp2/summary.json" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL a bad --compare still ran the scenario"; fi

# Golden scenarios: the whole summary.json, byte for byte (tests/golden/README.md).
for g in "$src"/tests/golden/*.yaml; do
  name=$(basename "$g" .yaml)
  if "$bin" run "$g" --out "$tmp/golden-$name" -q && cmp -s "$tmp/golden-$name/summary.json" "${g%.yaml}.summary.json"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL golden $name: summary.json differs from ${g%.yaml}.summary.json"
    diff "$tmp/golden-$name/summary.json" "${g%.yaml}.summary.json" | head -10
  fi
done

# A corpus of bad scenarios: each must fail with a one-line error naming the key.
bad() {  # bad NAME EXPECTED YAML [extra args]
  local name=$1 want=$2 yaml=$3
  shift 3
  printf '%s\n' "$yaml" > "$tmp/$name.yaml"
  expect_fail "scenario-$name" "$want" run "$tmp/$name.yaml" --out "$tmp/out-$name" "$@"
}
W='workload: {impl: synthetic, rate_per_s: 1, num_requests: 5, prompt_tokens: 100, output_tokens: 10}'
H='hardware: {device: h100-sxm}'
M='model: llama-3.1-8b'
# bad_hardware NAME EXPECTED FIELDS: the 8B model and the workload above on hardware: {FIELDS}.
bad_hardware() {
  bad "$1" "$2" "$M
hardware: {$3}
$W"
}
bad empty "empty scenario" ''
bad list "expected a mapping of top-level keys" '- a'
bad not-yaml "invalid YAML" 'model: [unclosed'
bad no-model "model: required" "$H
$W"
bad no-hardware "hardware.device: required" "$M
$W"
bad no-workload "workload: required" "$M
$H"
bad top-typo "modle: unknown key (did you mean 'model'?)" "$M
$H
$W
modle: x"
bad model-unknown "unknown model 'llama-9b'" "model: llama-9b
$H
$W"
bad_hardware device-unknown "unknown device 'h100'" "device: h100"
bad_hardware hw-typo "hardware.memory_utilisation: unknown key (did you mean 'memory_utilization'?)" "device: h100-sxm, memory_utilisation: 0.8"
bad_hardware util-high "hardware.memory_utilization: expected a number in (0, 1]" "device: h100-sxm, memory_utilization: 1.5"
bad_hardware util-text "hardware.memory_utilization: expected a number, found 'most'" "device: h100-sxm, memory_utilization: most"
bad_hardware tp-bad "does not divide the 32 attention heads" "device: h100-sxm, tp: 3"
bad_hardware tp-zero "hardware.tp: expected an integer in [1, 1024]" "device: h100-sxm, tp: 0"
bad_hardware tp-float "hardware.tp: expected an integer, found '1.5'" "device: h100-sxm, tp: 1.5"
bad weights-dont-fit "do not fit" "model: llama-3.1-70b
hardware: {device: l4}
$W"
bad sched-impl "unknown implementation 'vllm_v2' (did you mean 'vllm_v1'" "$M
$H
$W
scheduler: {impl: vllm_v2}"
bad sched-typo "scheduler.max_num_seq: unknown key (did you mean 'max_num_seqs'?)" "$M
$H
$W
scheduler: {max_num_seq: 4}"
bad sched-negative "scheduler.max_num_batched_tokens: expected an integer in [1," "$M
$H
$W
scheduler: {max_num_batched_tokens: -5}"
bad sched-bool "scheduler.chunked_prefill: expected true or false, found 'yes please'" "$M
$H
$W
scheduler: {chunked_prefill: yes please}"
bad swap-v1 "kv_cache.preemption: swap is vLLM v0's; scheduler vllm_v1 preempts by recompute only" "$M
$H
$W
kv_cache: {preemption: swap}"
bad preemption-typo "kv_cache.preemption: expected recompute or swap, found 'swapp'" "$M
$H
$W
scheduler: {impl: vllm_v0}
kv_cache: {preemption: swapp}"
bad swap-no-host "swap needs host memory" "model: llama-3.2-1b
hardware: {device: apple-m2-max}
$W
scheduler: {impl: vllm_v0}
kv_cache: {preemption: swap}"
bad swap-too-big "kv_cache.swap_space_gib: 100000.000000 GiB exceeds the host memory" "$M
$H
$W
scheduler: {impl: vllm_v0}
kv_cache: {preemption: swap, swap_space_gib: 100000}"
bad swap-space-no-swap "kv_cache.swap_space_gib: unknown key" "$M
$H
$W
kv_cache: {swap_space_gib: 4}"
bad prefix-orca "kv_cache.prefix_caching: scheduler orca does not look up cached prefixes" "$M
$H
$W
scheduler: {impl: orca}
kv_cache: {impl: paged, prefix_caching: true}"
bad prefix-contiguous "kv_cache.prefix_caching: needs paged blocks" "$M
$H
$W
scheduler: {impl: orca}
kv_cache: {prefix_caching: true}"
bad reserve-typo "kv_cache.reserve: expected max_model_len, request_max or pow2, found 'max'" "$M
$H
$W
scheduler: {impl: orca}
kv_cache: {reserve: max}"
bad reserve-paged "kv_cache.reserve: a key of contiguous, not of paged; set kv_cache.impl to contiguous" "$M
$H
$W
kv_cache: {impl: paged, reserve: pow2}"
bad watermark-high "kv_cache.watermark: expected a number in [0, 1]" "$M
$H
$W
kv_cache: {watermark: 2}"
bad sarathi-chunk "scheduler.chunk_size: must be at least kv_cache.block_size (32)" "$M
$H
$W
scheduler: {impl: sarathi, chunk_size: 16}
kv_cache: {block_size: 32}"
bad sarathi-budget-key "scheduler.max_num_batched_tokens: a key of vllm_v1 or vllm_v0, not of sarathi; set scheduler.impl to one of them" "$M
$H
$W
scheduler: {impl: sarathi, max_num_batched_tokens: 512}"
bad v1-chunk-key "scheduler.chunk_size: a key of sarathi, not of vllm_v1; set scheduler.impl to sarathi" "$M
$H
$W
scheduler: {impl: vllm_v1, chunk_size: 512}"
bad v0-budget "scheduler.max_num_batched_tokens: must be at least max_model_len (4096) without chunked prefill" "$M
$H
$W
scheduler: {impl: vllm_v0, max_model_len: 4096, max_num_batched_tokens: 2048}"
bad static-wait "scheduler.max_wait_ms: expected a number in [0, 1e+09], found '-5'" "$M
$H
$W
scheduler: {impl: static, max_wait_ms: -5}"
bad static-batch "scheduler.max_batch_size: expected an integer in [1," "$M
$H
$W
scheduler: {impl: static, max_batch_size: 0}"
bad orca-seqs-key "scheduler.max_num_seqs: a key of vllm_v1, vllm_v0 or sarathi, not of orca; set scheduler.impl to one of them; expected one of impl, max_batch_size, max_model_len" "$M
$H
$W
scheduler: {impl: orca, max_num_seqs: 8}"
bad spec-k-zero "speculative.k: expected an integer in [1, 16], found '0'" "$M
$H
$W
speculative: {impl: ngram, k: 0}"
bad spec-alpha-high "speculative.acceptance.alpha: expected a number in [0, 1], found '1.5'" "$M
$H
$W
speculative: {impl: ngram, acceptance: {alpha: 1.5}}"
bad spec-kind "speculative.acceptance.kind: expected constant, per_request, positional or histogram" "$M
$H
$W
speculative: {impl: ngram, acceptance: {kind: geometric}}"
bad spec-probs-sum "speculative.acceptance.probs: expected" "$M
$H
$W
speculative: {impl: ngram, acceptance: {kind: histogram, probs: [0.5, 0.2]}}"
bad spec-no-draft "speculative.draft: required for draft_model" "$M
$H
$W
speculative: {impl: draft_model}"
bad spec-vocab "speculative.draft: the draft's vocabulary (32000 tokens) differs from the target's (128256)" "$M
$H
$W
speculative: {impl: draft_model, draft: llama-2-7b}"
bad spec-static "speculative.impl: needs a continuous-batching scheduler" "$M
$H
$W
scheduler: {impl: static}
speculative: {impl: ngram}"
bad spec-none-keys "speculative.k: unknown key; expected one of impl" "$M
$H
$W
speculative: {impl: none, k: 4}"
bad spec-pipelined-shared "speculative.pipelined: needs the draft on its own device" "$M
$H
$W
speculative: {impl: draft_model, draft: llama-3.2-1b, pipelined: true}"
bad kv-impl "kv_cache.impl: unknown implementation 'pagd'" "$M
$H
$W
kv_cache: {impl: pagd}"
bad kv-block "kv_cache.block_size: expected an integer in [1, 4096]" "$M
$H
$W
kv_cache: {block_size: 0}"
bad runtime "unknown runtime 'graphs'" "$M
$H
$W
cost_model: {runtime: graphs}"
bad attention "cost_model.attention: expected flash or naive" "$M
$H
$W
cost_model: {attention: paged}"
bad sim-time "simulation.max_time_s: expected a number in [0," "$M
$H
$W
simulation: {max_time_s: -1}"
bad sim-nan "simulation.max_time_s: expected a number" "$M
$H
$W
simulation: {max_time_s: .nan}"
bad slo-typo "output.slo.ttft: unknown key (did you mean 'ttft_ms'?)" "$M
$H
$W
output: {slo: {ttft: 100}}"
bad section-scalar "scheduler: expected a mapping of keys, found '5'" "$M
$H
$W
scheduler: 5"
bad wl-typo "workload.rate_per_sec: unknown key" "$M
$H
workload: {impl: synthetic, rate_per_sec: 1, num_requests: 5, prompt_tokens: 100, output_tokens: 10}"
bad wl-impl "workload.impl: expected one of trace" "$M
$H
workload: {impl: replay}"
bad wl-trace-missing "nope.csv" "$M
$H
workload: {impl: trace, path: nope.csv, format: azure}"
bad set-bad "expected key.path=value" "$M
$H
$W" --set scheduler
bad set-typo "--set scheduler.max_num_seqz=3: unknown key (did you mean 'max_num_seqs'?)" "$M
$H
$W" --set scheduler.max_num_seqz=3
bad set-scalar-parent "is not a mapping" "$M
$H
$W" --set hardware.device.x=1
expect_fail scenario-missing "cannot open scenario file" run "$tmp/none.yaml"
expect_fail run-no-file "expected a scenario file" run
expect_fail validate-bad "unknown model" validate "$tmp/model-unknown.yaml"

# ---- every shipped scenario validates ----
for f in "$src"/scenarios/*.yaml; do
  expect_ok "validate-$(basename "$f")" "ok (" validate "$f"
done

# ---- offload: analyze a scenario, bad inputs ----
phone=$src/scenarios/offload_phone_llama2_13b.yaml
expect_ok analyze-offload "streams 5.394 GB per pass from ufs-4.0" analyze --scenario "$phone" --context 64
expect_ok analyze-offload-set "offload (layers, page_cache)" analyze --scenario "$phone" --set offload.residency=page_cache
# What limits it, and what one changed setting gives (re-analyzed, the scenario reloaded).
expect_ok analyze-limits "the KV cache's 0.42 GB could hold 0.42 GB of the streamed weights" analyze --scenario "$phone"
expect_ok analyze-what-if-len "max_model_len 256" analyze --scenario "$phone"
expect_ok analyze-what-if-batch "batch 2 " "${A[@]}" --context 1023
expect_ok analyze-what-if-json '"what_if"' "${A[@]}" --format json
# Curves: CSV with batch and sequence-length sweeps; the roofline page gains their charts.
"$bin" "${A[@]}" --context 1023 --curves "$tmp/curves.csv" --html "$tmp/roofline.html" >/dev/null
if head -1 "$tmp/curves.csv" | grep -q '^sweep,batch,seq_len,decode_step_seconds' &&
  grep -q '^batch,1,1024,' "$tmp/curves.csv" && grep -q '^context,1,4096,' "$tmp/curves.csv" &&
  grep -q 'Decode throughput against batch' "$tmp/roofline.html"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
  echo "FAIL analyze-curves: $tmp/curves.csv or the roofline page lacks the curves"
fi
expect_fail analyze-scenario-conflict "--model conflicts with --scenario" analyze --scenario "$phone" --model llama-2-7b
expect_fail analyze-set-alone "--set needs --scenario" analyze --model llama-2-7b --device a100-80gb --set a=1
expect_fail offload-zero-bw "hardware.offload_tiers[0].bandwidth_gbps: expected a number in (0" \
  validate "$phone" --set "hardware.offload_tiers=[{name: ufs, capacity_gb: 256, bandwidth_gbps: 0}]"
expect_fail offload-neg-bw "bandwidth_gbps: expected a number in (0" \
  validate "$phone" --set "hardware.offload_tiers=[{name: ufs, capacity_gb: 256, bandwidth_gbps: -1}]"
expect_fail offload-tier-typo "offload_tiers[0].bandwith_gbps: unknown key (did you mean 'bandwidth_gbps'" \
  validate "$phone" --set "hardware.offload_tiers=[{name: ufs, capacity_gb: 256, bandwith_gbps: 4}]"
expect_fail offload-resident-too-big "--set offload.resident_gb=5: 5 GB resident" \
  validate "$phone" --set offload.resident_gb=5
expect_fail offload-fits-nowhere "fits nowhere" \
  validate "$phone" --set "hardware.offload_tiers=[{name: ufs, capacity_gb: 2, bandwidth_gbps: 4}]"
expect_fail offload-no-tier "has no offload tier" validate "$phone" --set "hardware.offload_tiers=[]"
expect_fail offload-flexgen-sum "offload.weights: expected percentages summing to 100" \
  validate "$phone" --set "offload={impl: flexgen, weights: [10, 10, 10]}"
expect_fail offload-impl "--set offload.impl=stream: unknown implementation 'stream'" validate "$phone" --set offload.impl=stream
expect_fail offload-sparsity "--set offload.ffn_load_fraction=0: expected a number in (0, 1]" \
  validate "$phone" --set offload.ffn_load_fraction=0
expect_fail weights-dont-fit "stream weights from a slower tier (offload.impl: layers)" \
  validate "$phone" --set "offload={impl: none}"

# ---- global flags: --log-level and --log-file, before or after the command ----
# check NAME CONDITION...: counts a pass when the command succeeds.
check() {
  local name=$1
  shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $name"; fi
}
levels="trace, debug, info, warn, error or off"
expect_fail log-level-bad "--log-level: expected $levels, found 'loud'" --log-level loud list models
expect_fail log-level-bad-eq "--log-level: expected $levels, found 'warning'" list models --log-level=warning
expect_fail log-level-missing "--log-level: expected $levels, found nothing" list models --log-level
expect_fail log-file-missing "--log-file: expected a file path, found nothing" list models --log-file
expect_fail log-file-empty "--log-file: expected a file path, found ''" --log-file= list models
: > "$tmp/plain-file"
expect_fail log-file-unwritable "--log-file $tmp/plain-file/x.log: cannot open the file for writing" \
  --log-file "$tmp/plain-file/x.log" list models
expect_ok log-level-before-command "llama-2-7b" --log-level debug list models
expect_ok log-level-after-command "llama-2-7b" list models --log-level=off
big=("$tmp/big-draft.yaml" --out "$tmp/log-run" -q)
# Default: warnings on stderr as "warning: ..."; --log-level error hides them; stdout unchanged.
"$bin" validate "${big[0]}" >"$tmp/v-default.out" 2>"$tmp/v-default.err"
"$bin" --log-level error validate "${big[0]}" >"$tmp/v-error.out" 2>"$tmp/v-error.err"
check log-default-warning grep -q "^warning: .*larger than the target" "$tmp/v-default.err"
check log-default-one-line test "$(wc -l <"$tmp/v-default.err")" -eq 1
check log-error-hides-warning test ! -s "$tmp/v-error.err"
check log-error-same-stdout cmp -s "$tmp/v-default.out" "$tmp/v-error.out"
# --log-file: the same lines in the file, none on stderr.
"$bin" validate "${big[0]}" --log-file "$tmp/v.log" >/dev/null 2>"$tmp/v-file.err"
check log-file-has-warning cmp -s "$tmp/v-default.err" "$tmp/v.log"
check log-file-quiet-stderr test ! -s "$tmp/v-file.err"
# debug: one line per scheduled step from the engine; summary.json is the same as without.
"$bin" run "${big[@]}" --set output.wall_clock=false --log-level debug 2>"$tmp/run-debug.err"
cp "$tmp/log-run/summary.json" "$tmp/summary-debug.json"
"$bin" run "${big[@]}" --set output.wall_clock=false 2>/dev/null
check log-debug-steps grep -q "^debug: replica 0 step at 0.000000 s: batch 1, prefill tokens 10, decode seqs 0, preempted 0$" "$tmp/run-debug.err"
check log-debug-same-summary cmp -s "$tmp/log-run/summary.json" "$tmp/summary-debug.json"
"$bin" run "${big[@]}" --log-level debug --log-file "$tmp/run-debug.log" 2>"$tmp/run-debug-file.err"
check log-debug-to-file grep -q "^debug: replica 0 step at" "$tmp/run-debug.log"
check log-debug-file-quiet-stderr test ! -s "$tmp/run-debug-file.err"
# info lines (sweep's closing line) show by default and hide at warn.
sweep=(sweep "$default" --set workload.num_requests=20 --vary seed=1,2 --out "$tmp/log-sweep")
"$bin" "${sweep[@]}" 2>"$tmp/sweep-info.err" >/dev/null
"$bin" "${sweep[@]}" --log-level warn 2>"$tmp/sweep-warn.err" >/dev/null
check log-info-default grep -q "^sweep: 2 of 2 points in .* -> $tmp/log-sweep/sweep.csv$" "$tmp/sweep-info.err"
check log-warn-hides-info test ! -s "$tmp/sweep-warn.err"

# ---- the quick start: run --model M --device D (--trace FILE | --rate R), no YAML file ----
q=$tmp/quick
mkdir -p "$q"
printf 'arrived_at,num_prefill_tokens,num_decode_tokens\n0,100,10\n1,200,20\n2,300,30\n3,400,40\n4,500,50\n' >"$q/t.csv"
printf 'ts,in,out\n0,100,10\n1,200,20\n2,300,30\n3,400,40\n4,500,50\n' >"$q/mapped.csv"
# Field of a column of requests.csv's last row (2: arrival_s, 3: prompt_tokens).
last_cell() { tail -1 "$1" | cut -d, -f"$2"; }
(cd "$q" && "$bin" run --model llama-3.1-8b --device h100-sxm --trace t.csv --out q1 -q \
  --set output.wall_clock=false 2>"$q/q1.err")
check quick-trace-runs test -s "$q/q1/summary.json"
check quick-trace-completed grep -q '"completed": 5,' "$q/q1/summary.json"
check quick-trace-saved-line grep -qx "saved the scenario as q1/scenario.yaml: rerun with servesim run q1/scenario.yaml" "$q/q1.err"
check quick-trace-absolute-path grep -qx "  path: $q/t.csv" "$q/q1/scenario.yaml"
check quick-trace-format-guessed grep -qx "  format: csv" "$q/q1/scenario.yaml"
# The saved scenario reruns to byte-identical outputs: elsewhere, from another directory, and
# into its own directory (which keeps it, rewritten the same).
cp "$q/q1/scenario.yaml" "$q/saved.yaml"
(cd / && "$bin" run "$q/q1/scenario.yaml" --out "$q/q2" -q 2>/dev/null)
check quick-rerun-identical cmp -s "$q/q1/summary.json" "$q/q2/summary.json"
check quick-rerun-requests-identical cmp -s "$q/q1/requests.csv" "$q/q2/requests.csv"
check quick-rerun-elsewhere-no-scenario test ! -e "$q/q2/scenario.yaml"
"$bin" run "$q/q1/scenario.yaml" --out "$q/q1" -q 2>/dev/null
check quick-rerun-in-place-keeps-scenario cmp -s "$q/saved.yaml" "$q/q1/scenario.yaml"
check quick-rerun-in-place-identical cmp -s "$q/q2/summary.json" "$q/q1/summary.json"
# A file run into a quick start's directory removes its scenario.yaml (an earlier run's output).
"$bin" run "$default" --set workload.num_requests=5 --out "$q/q2" -q 2>/dev/null
"$bin" run --model llama-3.1-8b --device h100-sxm --trace "$q/t.csv" --out "$q/q4" -q 2>/dev/null
"$bin" run "$default" --set workload.num_requests=5 --out "$q/q4" -q 2>/dev/null
check quick-file-run-removes-stale-scenario test ! -e "$q/q4/scenario.yaml"
# --columns and --time-scale: arrivals 0..4 s replayed twice as fast end at 2 s.
"$bin" run --model llama-3.1-8b --device h100-sxm --trace "$q/mapped.csv" --out "$q/q5" -q \
  --columns arrival_s=ts,prompt_tokens=in,output_tokens=out --time-scale 2 2>/dev/null
check quick-columns-prompt test "$(last_cell "$q/q5/requests.csv" 3)" = 500
check quick-time-scale-arrival test "$(last_cell "$q/q5/requests.csv" 2)" = 2
# --rate on a trace: 5 arrivals over 4 s are 1 request/s; --rate 4 makes the last arrive at 1 s.
"$bin" run --model llama-3.1-8b --device h100-sxm --trace "$q/t.csv" --rate 4 --out "$q/q6" -q 2>/dev/null
check quick-rate-time-scale grep -qx "  time_scale: 4" "$q/q6/scenario.yaml"
check quick-rate-arrival test "$(last_cell "$q/q6/requests.csv" 2)" = 1
# Synthetic: fixed lengths, N requests, the documented defaults written out.
"$bin" run --model llama-3.1-8b --device h100-sxm --rate 5 --num-requests 20 --prompt-tokens 100 \
  --output-tokens 10 --tp 2 --trace-json --out "$q/q7" -q 2>/dev/null
check quick-synthetic-completed grep -q '"completed": 20,' "$q/q7/summary.json"
check quick-synthetic-prompts test "$(cut -d, -f3 "$q/q7/requests.csv" | sort -u | tr '\n' ' ')" = "100 prompt_tokens "
check quick-synthetic-tp grep -qx "  tp: 2" "$q/q7/scenario.yaml"
check quick-trace-json test -s "$q/q7/trace.json"
# --set applies on top and is saved with the rest.
"$bin" run --model llama-3.1-8b --device h100-sxm --rate 5 --num-requests 10 --out "$q/q8" -q \
  --set scheduler.max_num_seqs=4 2>/dev/null
check quick-set-saved grep -qx "  max_num_seqs: 4" "$q/q8/scenario.yaml"
# An input error leaves the directory as it was.
expect_fail quick-bad-tp-names-flag "--tp: " run --model llama-3.1-8b --device h100-sxm --rate 5 --tp 0 --out "$q/q8"
check quick-error-keeps-outputs test -s "$q/q8/scenario.yaml"

# ---- honest headlines: the load verdict, goodput with SLO flags, capacity's sustained column
# The shipped overloaded scenario (OPT-13B at 1 req/s on one A100-40GB: the queue grows to ~180)
# warns on stderr, says OVERLOADED in the summary and "overloaded" in summary.json.
overloaded=$src/scenarios/policy_compare_opt13b_a100.yaml
if [ -f "$src/../shared/data/traces/sharegpt8k_lengths.csv" ]; then
  "$bin" run "$overloaded" --out "$tmp/over" >"$tmp/over.out" 2>"$tmp/over.err"
  check overload-warns grep -q "^warning: .*policy_compare_opt13b_a100.yaml: overloaded: over the last half of the arrivals" "$tmp/over.err"
  check overload-summary-line grep -q "^  load        OVERLOADED: arrivals" "$tmp/over.out"
  check overload-json grep -q '"status": "overloaded"' "$tmp/over/summary.json"
  check overload-no-goodput-without-slo grep -q '"good_requests": null' "$tmp/over/summary.json"
fi
# A steady run says ok and warns nothing.
"$bin" run "$default" --out "$tmp/steady" >"$tmp/steady.out" 2>"$tmp/steady.err"
check steady-ok grep -q "^  load        ok (arrivals " "$tmp/steady.out"
check steady-no-warning test ! -s "$tmp/steady.err"
check steady-json grep -q '"status": "ok"' "$tmp/steady/summary.json"
# Too few requests: a short run.
expect_ok short-run "SHORT RUN" run "$default" --out "$tmp/short" --set workload.num_requests=20
check short-run-json grep -q '"status": "short_run"' "$tmp/short/summary.json"
# --goodput (vLLM's syntax) prints goodput and attainment and fills summary.json; without any
# SLO the goodput keys are null.
nos=(run "$src/tests/golden/vllm_v1.yaml" --set output.wall_clock=false)
expect_ok goodput-printed "met TTFT <= 300 ms, TPOT <= 50 ms" "${nos[@]}" --out "$tmp/gp" --goodput ttft:300 tpot:50
check goodput-json grep -q '"slo_attainment": 0\.[0-9]' "$tmp/gp/summary.json"
expect_ok goodput-commas "met TTFT <= 300 ms, E2E <= 20,000 ms" "${nos[@]}" --out "$tmp/gp2" --goodput ttft:300,e2el:20000
"$bin" "${nos[@]}" --out "$tmp/nogp" -q 2>/dev/null
check no-slo-goodput-null grep -q '"request_goodput": null' "$tmp/nogp/summary.json"
check no-slo-attainment-null grep -q '"slo_attainment": null' "$tmp/nogp/summary.json"
check no-slo-no-goodput-line bash -c "! \"$bin\" ${nos[*]} --out $tmp/nogp2 2>/dev/null | grep -q goodput"
# --slo (capacity's syntax) checks each statistic and bounds goodput by the highest percentile.
expect_ok slo-checked "p99_ttft_ms" "${nos[@]}" --out "$tmp/slo" --slo p99_ttft_ms=1,median_tpot_ms=1000
expect_ok slo-missed ": MISSED" "${nos[@]}" --out "$tmp/slo" --slo p99_ttft_ms=1
expect_ok slo-goodput "met TTFT <= 1 ms" "${nos[@]}" --out "$tmp/slo" --slo p99_ttft_ms=1
expect_fail goodput-no-colon "--goodput ttft300: expected KEY:MS (e.g. --goodput ttft:300 tpot:50), found no ':'" "${nos[@]}" --out "$tmp/gpx" --goodput ttft300
expect_fail goodput-unknown-key "--goodput ttfx:300: unknown key 'ttfx' (did you mean 'ttft'?); expected ttft, tpot or e2el" "${nos[@]}" --out "$tmp/gpx" --goodput ttfx:300
expect_fail goodput-not-number "--goodput ttft:abc: expected a bound in ms (a number > 0), found 'abc'" "${nos[@]}" --out "$tmp/gpx" --goodput ttft:abc
expect_fail goodput-zero "--goodput tpot:0: expected a bound in ms > 0, found 0" "${nos[@]}" --out "$tmp/gpx" --goodput tpot:0
expect_fail goodput-twice "--goodput ttft: given twice" "${nos[@]}" --out "$tmp/gpx" --goodput ttft:300 ttft:200
expect_fail goodput-empty-entry "--goodput ttft:300,: empty entry" "${nos[@]}" --out "$tmp/gpx" --goodput ttft:300,
expect_fail run-slo-bad "--slo p99_ttft_ms: expected metric=bound_ms" "${nos[@]}" --out "$tmp/gpx" --slo p99_ttft_ms
# capacity marks a configuration whose run at the capacity is too short: NOT SUSTAINED, and
# capacity.csv says sustained false.
expect_ok capacity-not-sustained "NOT SUSTAINED: short run: only 40 request(s) completed" capacity "$default" --set workload.num_requests=40 --slo p99_ttft_ms=1000 --out "$tmp/cap-short"
check capacity-sustained-column grep -q "^config,status,capacity_req_per_s,rate_key,rate_value,devices,price_per_device_hour,requests_per_dollar,tokens_per_joule,tokens_per_dollar,evaluations,sustained,load_status," "$tmp/cap-short/capacity.csv"
check capacity-sustained-false grep -q ",false,short_run," "$tmp/cap-short/capacity.csv"
# An SLO no latency misses (1,000 s) no longer makes the capacity unbounded: the overloaded rates
# fail, so the search brackets a finite capacity (status ok, not "at least").
"$bin" capacity "$default" --slo p99_ttft_ms=1000000 --out "$tmp/cap-loose" >"$tmp/cap-loose.out" 2>/dev/null
check capacity-overload-bounds grep -q "^config 0: capacity [0-9]" "$tmp/cap-loose.out"
check capacity-overload-status grep -q "^0,ok," "$tmp/cap-loose/capacity.csv"
expect_ok capacity-one-device "(1 device at \$2/h)" capacity "$default" --set workload.num_requests=40 --slo p99_ttft_ms=1000 --price-per-device-hour 2 --out "$tmp/cap-price"
# Energy: --rank-by orders configurations best first; tokens per joule and per dollar fill
# capacity.csv; ranking by a figure the device lacks is an error.
"$bin" capacity "$default" --set workload.num_requests=40 --slo p99_ttft_ms=1000 --vary hardware.device=h100-sxm,a100-80gb --rank-by tokens_per_joule --out "$tmp/cap-rank" >"$tmp/cap-rank.out" 2>/dev/null
check capacity-rank-tokens-per-joule test "$(awk -F, 'NR > 1 && $10 > 0' "$tmp/cap-rank/capacity.csv" | wc -l)" -eq 2
check capacity-rank-order bash -c "awk -F, 'NR > 1 {print \$10}' $tmp/cap-rank/capacity.csv | sort -g -r -c"
expect_fail capacity-rank-bad "--rank-by: expected throughput, tokens_per_joule or tokens_per_dollar, found 'joules'" capacity "$default" --slo p99_ttft_ms=1000 --rank-by joules --out "$tmp/cap-x"
expect_fail capacity-rank-no-power "--rank-by tokens_per_joule: device 'a10g' has no power figures; set hardware.max_power_w (and idle_power_w)" capacity "$default" --set hardware.device=a10g --slo p99_ttft_ms=1000 --rank-by tokens_per_joule --out "$tmp/cap-x"

# The help lists each command of the table once, and each listed command dispatches.
listed=$("$bin" --help | sed -n '/^commands:/,/^$/p' | awk 'NF > 1 {print $1}')
check help-lists-nine test "$(echo "$listed" | wc -l)" -eq 9
for c in $listed; do
  check "help-$c-dispatches" "$bin" "$c" --help >/dev/null
done
expect_fail no-command-lists-all "expected a command (run, validate, sweep, merge, capacity, analyze, list, calibrate, version)"
expect_fail unknown-command-tie "unknown command 'ca' (did you mean 'capacity' or 'calibrate'?)" ca

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
