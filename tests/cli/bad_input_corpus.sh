#!/usr/bin/env bash
# The bad-input corpus: every kind of input servesim reads (scenario YAML, CLI flags, trace CSV and
# JSONL, lengths CSV, Hugging Face config.json, device specs), broken in every way the reliability
# issue lists, run through the real binary. A bad input must end with exit status 1 and one line on
# stderr, "error: ...", naming the file, key or line and what is wrong; an input the readers accept
# on purpose (byte-order marks, CRLF, extra columns, lengths beyond the model context, overload)
# must run and report what the documentation says. tests/cli/bad_inputs/README.md lists every case
# (`bad_input_corpus.sh BIN --list` prints the table) and the pre-existing ones of run_cli_tests.sh.
#
# Usage: bad_input_corpus.sh path/to/servesim [--list]
# Small inputs live in tests/cli/bad_inputs/; binary, gigantic, BOM and CRLF inputs are generated
# into a temporary directory here. Known bugs outside the readers this corpus owns are run as
# `known_bug` cases: they print KNOWN BUG and do not fail the test until fixed (then they print
# FIXED: turn them into fail/accept cases).
set -u
bin=${1:?usage: bad_input_corpus.sh path/to/servesim [--list]}
listing=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
in=$here/bad_inputs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ran=0
passed=0
failed=0
known=0
row_number=0

# One row of the README table (--list), escaped for markdown.
row() {  # row KIND NAME WHAT EXPECTED
  row_number=$((row_number + 1))
  local cells=()
  for c in "$@"; do
    c=${c//|/\\|}
    cells+=("$c")
  done
  printf '| %d | %s | `%s` | %s | %s |\n' "$row_number" "${cells[0]}" "${cells[1]}" "${cells[2]}" "${cells[3]}"
}

report() {  # report OK NAME DETAIL
  ran=$((ran + 1))
  if [ "$1" -eq 1 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $2: $3"
  fi
}

# Checks a captured stderr: exit status 1, exactly one line "error: ..." holding every wanted text.
check_error() {  # check_error RC ERR WANT...
  local rc=$1 err=$2
  shift 2
  [ "$rc" -eq 1 ] || return 1
  [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || return 1
  [[ "$err" == "error: "* ]] || return 1
  local w
  for w in "$@"; do
    [[ "$err" == *"$w"* ]] || return 1
  done
  return 0
}

# before_dashes ARRAY WORD...: sets ARRAY to the WORDs before the first "--"; the caller then
# shifts ${#ARRAY[@]} + 1 words.
before_dashes() {
  local -n into=$1
  shift
  into=()
  while [ "$1" != "--" ]; do into+=("$1"); shift; done
}

# backticked WORD...: the words as the table shows them, `W1` `W2`.
backticked() {
  local shown
  shown=$(printf '`%s` ' "$@")
  printf '%s' "${shown% }"
}

# fail KIND NAME WHAT WANT... -- ARGS...: `servesim ARGS` exits 1 with one error line holding every WANT.
fail() {
  local kind=$1 name=$2 what=$3
  shift 3
  local wants
  before_dashes wants "$@"
  shift $((${#wants[@]} + 1))
  if [ -n "$listing" ]; then
    row "$kind" "$name" "$what" "error: $(backticked "${wants[@]}")"
    return
  fi
  local err rc
  err=$("$bin" "$@" 2>&1 >/dev/null)
  rc=$?
  check_error "$rc" "$err" "${wants[@]}"
  report $((1 - $?)) "$name" "rc=$rc, wanted one error line with $(printf "'%s' " "${wants[@]}"), got: $err"
}

# run_fail KIND NAME WHAT WANT... -- SCENARIO [ARGS...]: `servesim run` of the scenario fails so.
run_fail() {
  local kind=$1 name=$2 what=$3
  shift 3
  local head
  before_dashes head "$@"
  shift $((${#head[@]} + 1))
  local scenario=$1
  shift
  fail "$kind" "$name" "$what" "${head[@]}" -- run "$scenario" --out "$tmp/out-$name" -q "$@"
}

# Value of a top-level field of summary.json (numbers, true/false).
field() {  # field FILE KEY
  sed -n "s/^  \"$2\": \\([^,]*\\),\\{0,1\\}\$/\\1/p" "$1" | head -1
}

# Evaluates one acceptance check against a run's output directory and stdout:
#   stdout~TEXT      stdout contains TEXT
#   KEY=VALUE        summary.json field KEY is VALUE (integers, true/false)
#   KEY>N, KEY<N     integer comparisons
#   stderr~TEXT      stderr contains TEXT
#   conserved        arrived = completed + rejected + in_flight_at_end, and
#                    requested = arrived + not_arrived
#   KEY<=X           number comparison (fractions too)
#   times_ok         no negative time in requests.csv or steps.csv, and a finish time exactly on
#                    completed rows
check_one() {  # check_one DIR STDOUT CHECK
  local out=$2 c=$3 s=$1/summary.json
  case "$c" in
    stdout~*) [[ "$out" == *"${c#stdout~}"* ]] ;;
    stderr~*) grep -qF -- "${c#stderr~}" "$tmp/stderr" ;;
    conserved)
      local a d r f q n
      a=$(field "$s" arrived) d=$(field "$s" completed) r=$(field "$s" rejected) f=$(field "$s" in_flight_at_end)
      q=$(field "$s" requested) n=$(field "$s" not_arrived)
      [ -n "$a" ] && [ -n "$d" ] && [ -n "$r" ] && [ -n "$f" ] && [ "$a" -eq $((d + r + f)) ] &&
        [ -n "$q" ] && [ -n "$n" ] && [ "$q" -eq $((a + n)) ]
      ;;
    times_ok)
      # requests.csv: arrival_s, first_scheduled_s, first_token_s, finish_s, ttft_ms, tpot_ms,
      # e2e_ms, queue_ms (columns 2, 7-13); steps.csv: start_s, duration_ms (columns 2-3).
      awk -F, 'NR > 1 { for (i = 7; i <= 13; i++) if ($i != "" && $i < 0) bad = 1;
                        if ($2 < 0 || ($5 == "completed") != ($9 != "")) bad = 1 }
               END { exit bad }' "$1/requests.csv" &&
        awk -F, 'NR > 1 && ($2 < 0 || $3 < 0) { bad = 1 } END { exit bad }' "$1/steps.csv"
      ;;
    *\<=*) awk -v v="$(field "$s" "${c%%<=*}")" -v x="${c#*<=}" 'BEGIN { exit !(v != "" && v <= x) }' ;;
    *=*) [ "$(field "$s" "${c%%=*}")" == "${c#*=}" ] ;;
    *\>*) local v; v=$(field "$s" "${c%%>*}"); [ -n "$v" ] && [ "$v" -gt "${c#*>}" ] ;;
    *\<*) local v; v=$(field "$s" "${c%%<*}"); [ -n "$v" ] && [ "$v" -lt "${c#*<}" ] ;;
    *) return 1 ;;
  esac
}

# accept KIND NAME WHAT WHY CHECK... -- ARGS...: `servesim ARGS` exits 0 and every CHECK holds. For
# `run` the output directory is $tmp/out-NAME (pass it with --out).
accept() {
  local kind=$1 name=$2 what=$3 why=$4
  shift 4
  local checks
  before_dashes checks "$@"
  shift $((${#checks[@]} + 1))
  if [ -n "$listing" ]; then
    row "$kind" "$name" "$what" "accepted: $why ($(backticked "${checks[@]}"))"
    return
  fi
  local out rc ok=1
  out=$("$bin" "$@" 2>"$tmp/stderr")
  rc=$?
  [ "$rc" -eq 0 ] || ok=0
  local c bad=""
  for c in "${checks[@]}"; do
    check_one "$tmp/out-$name" "$out" "$c" || { ok=0; bad+=" '$c'"; }
  done
  report "$ok" "$name" "rc=$rc, failed checks:$bad; stderr: $(head -c 300 "$tmp/stderr")"
}

# run_ok KIND NAME WHAT WHY CHECK... -- SCENARIO [ARGS...]: `servesim run` succeeds with the checks.
run_ok() {
  local kind=$1 name=$2 what=$3 why=$4
  shift 4
  local head
  before_dashes head "$@"
  shift $((${#head[@]} + 1))
  local scenario=$1
  shift
  accept "$kind" "$name" "$what" "$why" "${head[@]}" -- run "$scenario" --out "$tmp/out-$name" "$@"
}

# known_bug KIND NAME WHAT EXPECTED -- ARGS...: EXPECTED is `ok` (exit 0) or the text the error line
# should hold. Until fixed it prints KNOWN BUG and counts apart; once fixed it passes (FIXED).
known_bug() {
  local kind=$1 name=$2 what=$3 want=$4
  shift 5
  if [ -n "$listing" ]; then
    row "$kind" "$name" "$what" "**known bug** (reported): should be $([ "$want" == ok ] && echo "accepted" || echo "error \`$want\`")"
    return
  fi
  local err rc good
  err=$("$bin" "$@" 2>&1 >/dev/null)
  rc=$?
  if [ "$want" == ok ]; then
    [ "$rc" -eq 0 ] && good=1 || good=0
  else
    check_error "$rc" "$err" "$want" && good=1 || good=0
  fi
  if [ "$good" -eq 1 ]; then
    ran=$((ran + 1))
    passed=$((passed + 1))
    echo "FIXED $name: now behaves as expected; make it a fail/accept case"
  else
    known=$((known + 1))
    echo "KNOWN BUG $name: rc=$rc: $(printf '%s' "$err" | head -c 200 | tr -c '[:print:]' '?')"
  fi
}

# A scenario replaying trace FILE in FORMAT (extra workload keys after), written to $tmp/NAME.yaml.
trace_scenario() {  # trace_scenario NAME FORMAT FILE [EXTRA_KEYS]
  local path="$tmp/$1.yaml"
  printf '%s\n' "model: llama-3.1-8b" "hardware: {device: h100-sxm}" \
    "workload: {impl: trace, format: $2, path: \"$3\"${4:+, $4}}" "output: {wall_clock: false}" >"$path"
  printf '%s' "$path"
}

# Deterministic junk on stdout: a PNG signature (NUL bytes, a CR, bytes that are not UTF-8) and
# 4 KiB more.
junk() {
  printf '\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR'
  LC_ALL=C awk 'BEGIN { x = 12345; for (i = 0; i < 4096; i++) { x = (x * 1103515245 + 12345) % 2147483648; printf "%c", int(x / 65536) % 256 } }'
}

if [ -z "$listing" ]; then
  # Inputs generated here: BOM and CRLF variants (generated so no checkout's line-end conversion can
  # change them), binary junk, and the large ones.
  bom=$(printf '\xEF\xBB\xBF')
  { printf '%s' "$bom"; cat "$in/scenario/valid.yaml"; } >"$tmp/bom.yaml"
  sed 's/$/\r/' "$in/scenario/valid.yaml" >"$tmp/crlf.yaml"
  sed 's/$/\r/' "$in/scenario/error_on_line_4.yaml" >"$tmp/crlf_error.yaml"
  junk >"$tmp/junk.yaml"
  mkdir -p "$tmp/scenario_dir"
  { printf 'x: '; head -c 100000 /dev/zero | tr '\0' '['; printf '\n'; } >"$tmp/deep.yaml"
  cat "$in/scenario/valid.yaml" >>"$tmp/deep.yaml"
  { printf '%s' "$bom"; sed 's/$/\r/' "$in/trace/azure_valid.csv"; } >"$tmp/azure_bom_crlf.csv"
  tr '\n' '\r' <"$in/trace/azure_valid.csv" >"$tmp/azure_cr_only.csv"
  { printf '%s' "$bom"; sed 's/$/\r/' "$in/trace/mooncake_valid.jsonl"; } >"$tmp/mooncake_bom_crlf.jsonl"
  junk >"$tmp/junk.csv"
  { printf '{"timestamp": 0, "input_length": 10, "output_length": 1}\n{\x00\x01'; junk; } >"$tmp/junk.jsonl"
  {
    printf 'arrived_at,num_prefill_tokens,num_decode_tokens\n0,10,5\n1,'
    head -c 67108864 /dev/zero | tr '\0' '7'
    printf ',5\n2,10,5\n'
  } >"$tmp/gigantic_line.csv"
  { printf 'arrived_at,'; head -c 2097152 /dev/zero | tr '\0' 'x'; printf ',num_decode_tokens\n0,10,5\n'; } >"$tmp/gigantic_header.csv"
  {
    printf 'arrived_at,num_prefill_tokens,num_decode_tokens\n0,10,5\n'
    head -c 3145728 /dev/zero | tr '\0' 'z'
    printf '\n1,10,5\n'
  } >"$tmp/skipped_long_line.csv"
  { printf '%s' "$bom"; cat "$in/config/valid.json"; } >"$tmp/bom.json"
  sed 's/$/\r/' "$in/config/valid.json" >"$tmp/crlf.json"
  tr '\n' '\r' <"$in/config/valid.json" >"$tmp/lone_cr.json"
  junk >"$tmp/junk.json"
  truncate -s 17M "$tmp/huge.json" 2>/dev/null || head -c 17825792 /dev/zero >"$tmp/huge.json"
  # Sparse files: their size is checked before anything is read.
  truncate -s 17M "$tmp/huge.yaml" "$tmp/huge_model.yaml"
  truncate -s 513M "$tmp/huge_ops.csv"
  # A 15 MiB scenario of one long list: refused by the node count before yaml-cpp builds the tree.
  { cat "$in/scenario/valid.yaml"; printf 'notes: ['; head -c 7864320 /dev/zero | tr '\0' 'x' | sed 's/x/1,/g'; printf '1]\n'; } >"$tmp/long_list.yaml"
  junk >"$tmp/junk_ops.csv"
  cp "$in/scenario/valid.yaml" "$tmp/out_is_a_file"
  # A measured all-reduce table with the column calibrate needs first, then with a BOM.
  printf '%s\n' "time_stats.all_reduce.median,num_workers,size,collective,devices_per_node" \
    "0.012,2,2048,all_reduce,2" "0.015,2,1048576,all_reduce,2" "0.09,2,67108864,all_reduce,2" \
    "0.014,4,2048,all_reduce,4" "0.02,4,1048576,all_reduce,4" "0.11,4,67108864,all_reduce,4" >"$tmp/allreduce.csv"
  { printf '%s' "$bom"; cat "$tmp/allreduce.csv"; } >"$tmp/allreduce_bom.csv"
fi

S=$in/scenario
T=$in/trace
C=$in/config
D=$in/device
O=$in/overload
H=$in/horizon
A=(analyze --model llama-2-7b --device a100-80gb)

# ---- scenario YAML
run_fail "scenario YAML" truncated "file cut off inside the workload map" "truncated.yaml:" "invalid YAML" -- "$S/truncated.yaml"
run_fail "scenario YAML" comments-only "only comments and blank lines" "comments_only.yaml: empty scenario" -- "$S/comments_only.yaml"
run_fail "scenario YAML" binary-junk "binary junk (PNG signature, NUL bytes)" "junk.yaml" "invalid YAML" -- "$tmp/junk.yaml"
run_fail "scenario YAML" deep-nesting "100,000 nested '[' (stack exhaustion attempt)" "deep.yaml:" "invalid YAML" -- "$tmp/deep.yaml"
run_fail "scenario YAML" alias-bomb "a billion-laughs alias chain under an unknown key" "alias_bomb.yaml:4: a: unknown key" -- "$S/alias_bomb.yaml"
run_fail "scenario YAML" tab-indent "tab used for indentation" "tab_indent.yaml:3: invalid YAML" -- "$S/tab_indent.yaml"
run_fail "scenario YAML" crlf-error-line "CRLF file with a bad value on line 4" "crlf_error.yaml:4: scheduler.max_num_seqs: expected an integer, found 'lots'" -- "$tmp/crlf_error.yaml"
accept "scenario YAML" bom "UTF-8 byte-order mark" "yaml-cpp skips it" "stdout~bom.yaml: ok (llama-3.1-8b" -- validate "$tmp/bom.yaml"
accept "scenario YAML" crlf "CRLF line ends" "YAML line breaks" "stdout~crlf.yaml: ok (llama-3.1-8b" -- validate "$tmp/crlf.yaml"
run_fail "scenario YAML" duplicate-top-key "model: given twice" "duplicate_top_key.yaml" "model: duplicate key" -- "$S/duplicate_top_key.yaml"
run_fail "scenario YAML" duplicate-nested-key "scheduler.max_num_seqs given twice" "duplicate_nested_key.yaml" "scheduler.max_num_seqs: duplicate key" -- "$S/duplicate_nested_key.yaml"
run_fail "scenario YAML" huge-file "a 17 MiB file (a wrong path to a data file)" "huge.yaml: 17825792 bytes is too large for a scenario file (limit 16 MiB)" -- "$tmp/huge.yaml"
fail "scenario YAML" scenario-is-directory "the scenario path is a directory" "scenario_dir: is a directory" -- validate "$tmp/scenario_dir"
run_fail "scenario YAML" unknown-nested-key "unknown key two levels down" "unknown_nested_key.yaml" "workload.shared_prefix.prompt: unknown key" "did you mean 'prompts'" -- "$S/unknown_nested_key.yaml"
run_fail "scenario YAML" section-is-list "hardware: is a list" "hardware_list.yaml: hardware: expected a mapping of keys, found a list" -- "$S/hardware_list.yaml"
run_fail "scenario YAML" seed-float "seed: 1.5" "seed_float.yaml:1: seed: expected an integer, found '1.5'" -- "$S/seed_float.yaml"
run_fail "scenario YAML" seed-overflow "seed: 2^64 (beyond int64)" "seed_overflow.yaml:1: seed: expected an integer, found '18446744073709551616'" -- "$S/seed_overflow.yaml"
run_fail "scenario YAML" rate-inf "workload.rate_per_s: .inf" "rate_inf.yaml" "workload.rate_per_s: expected a positive number, found '.inf'" -- "$S/rate_inf.yaml"
run_fail "scenario YAML" rate-nan "workload.rate_per_s: .nan" "rate_nan.yaml" "workload.rate_per_s: expected a positive number, found '.nan'" -- "$S/rate_nan.yaml"
run_fail "scenario YAML" rate-negative "workload.rate_per_s: -2" "rate_negative.yaml" "workload.rate_per_s" "found '-2'" -- "$S/rate_negative.yaml"
run_fail "scenario YAML" num-requests-huge "workload.num_requests: 1e30" "num_requests_huge.yaml" "workload.num_requests: expected a non-negative integer, found '1e30'" -- "$S/num_requests_huge.yaml"
run_fail "scenario YAML" prompt-2p32 "workload.prompt_tokens: 2^32 (overflows 32 bits)" "prompt_tokens_2p32.yaml" "workload.prompt_tokens" "found '4294967296'" -- "$S/prompt_tokens_2p32.yaml"
run_fail "scenario YAML" length-min-negative "uniform output length with min -5" "length_min_negative.yaml" "workload.output_tokens.min" "found '-5'" -- "$S/length_min_negative.yaml"
run_fail "scenario YAML" max-model-len-over-context "scheduler.max_model_len above the model's 131072-token context" "max_model_len_over_context.yaml:4: scheduler.max_model_len: expected an integer in [1, 131072], found '200000'" -- "$S/max_model_len_over_context.yaml"
run_fail "scenario YAML" max-time-huge "simulation.max_time_s: 1e300" "max_time_huge.yaml:4: simulation.max_time_s: expected a number in [0, 1e+09], found '1e300'" -- "$S/max_time_huge.yaml"
run_fail "scenario YAML" max-waiting-negative "simulation.max_waiting: -1" "max_waiting_negative.yaml:4: simulation.max_waiting: expected an integer in [0," "found '-1'" -- "$S/max_waiting_negative.yaml"
run_fail "scenario YAML" model-null "model: with no value" "model_null.yaml" "model: expected a model preset name or a map, found null" -- "$S/model_null.yaml"
run_fail "scenario YAML" model-override-negative "model override num_layers: -1" "model_override_negative.yaml" "num_layers" "found '-1'" -- "$S/model_override_negative.yaml"
run_fail "scenario YAML" model-override-typo "model override num_layer (typo)" "model_override_typo.yaml: model: unknown key 'num_layer' (did you mean 'num_layers'?)" -- "$S/model_override_typo.yaml"
run_fail "scenario YAML" hf-config-missing "model: {hf_config: nope/config.json} does not exist" "nope/config.json" "not found" -- "$S/hf_config_missing.yaml"
run_fail "scenario YAML" hf-config-bad "model: {hf_config: ...} with num_hidden_layers: -32" "negative_layers.json: key 'num_hidden_layers': expected a positive integer, found -32" -- "$S/hf_config_bad.yaml"
run_fail "scenario YAML" trace-path-directory "workload.path is a directory" "trace_path_directory.yaml: workload.path" "is a directory, expected a trace file" -- "$S/trace_path_directory.yaml"
run_fail "scenario YAML" empirical-lengths-empty "empirical length file with a header and no rows" "lengths_header_only.csv: no rows after the header" -- "$S/lengths_header_only.yaml"
run_fail "scenario YAML" long-list "a 15 MiB scenario of one 7.9-million-element list (generated)" "long_list.yaml:6: more than 100000 YAML nodes" "put long data in a trace or lengths CSV file" -- "$tmp/long_list.yaml"
run_fail "scenario YAML" two-documents "a second YAML document after ---" "two_documents.yaml:7: a second YAML document (after '---'); expected one document" -- "$S/two_documents.yaml"
run_fail "scenario YAML" nul-in-key "a NUL byte in a top-level key" "nul_key.yaml:4: sch\\x00eduler: unknown key (did you mean 'scheduler'?)" -- "$S/nul_key.yaml"
run_fail "scenario YAML" escape-in-value "a terminal escape sequence in the model name" "escape_value.yaml: model: unknown model 'llama\\x1B[31m-3.1-8b'" -- "$S/escape_value.yaml"
run_fail "scenario YAML" gamma-cv-tiny "arrival gamma with cv: 1e-300 (shape 1e600)" "gamma_cv_tiny.yaml: workload.cv: expected a coefficient of variation in [0.001, 1000], found '1e-300'" -- "$S/gamma_cv_tiny.yaml"
run_fail "scenario YAML" kv-tier-negative-capacity "kv_cache.tiers[0].capacity_gib: -1" "kv_tier_negative_capacity.yaml:6: kv_cache.tiers[0].capacity_gib: expected a number in (0, 1e+09], found '-1'" -- "$S/kv_tier_negative_capacity.yaml"
run_fail "scenario YAML" pp-not-dividing-layers "hardware.pp: 3 over 32 layers" "pp_not_dividing_layers.yaml: hardware.pp: 3 pipeline stages do not divide the 32 layers of llama-3.1-8b" -- "$S/pp_not_dividing_layers.yaml"
run_fail "scenario YAML" kv-tier-zero-bandwidth "kv_cache.tiers[0].bandwidth_gbps: 0" "kv_tier_zero_bandwidth.yaml:6: kv_cache.tiers[0].bandwidth_gbps: expected a number in (0, 1e+06], found '0'" -- "$S/kv_tier_zero_bandwidth.yaml"
run_fail "scenario YAML" kv-tier-unknown-eviction "kv_cache.tiers[0].eviction: lfu" "kv_tier_unknown_eviction.yaml:6: kv_cache.tiers[0].eviction: unknown eviction policy 'lfu'" "expected one of lru, fifo" -- "$S/kv_tier_unknown_eviction.yaml"
run_fail "scenario YAML" kv-tier-no-prefix-caching "kv_cache.tiers with prefix_caching: false" "kv_tier_no_prefix_caching.yaml:7: kv_cache.tiers: needs kv_cache.prefix_caching: true" -- "$S/kv_tier_no_prefix_caching.yaml"
run_fail "scenario YAML" kv-tier-too-small "kv_cache.tiers[0].capacity_gib: 0.001 (under one KV block)" "kv_tier_too_small.yaml: kv_cache.tiers[0].capacity_gib: 0.001 GiB holds no KV block of 2 MiB" -- "$S/kv_tier_too_small.yaml"
run_fail "scenario YAML" disagg-undefined-pool "serving.decode_pool names no pool" "disagg_undefined_pool.yaml: serving.decode_pool: no pool named 'dec' in pools (defined: p, d)" -- "$S/disagg_undefined_pool.yaml"
run_fail "scenario YAML" disagg-no-decode-pool "path disaggregated without decode_pool" "disagg_no_decode_pool.yaml: serving.decode_pool: required with serving.path disaggregated" -- "$S/disagg_no_decode_pool.yaml"
run_fail "scenario YAML" disagg-zero-bandwidth "serving.kv_transfer.bandwidth_gbps: 0" "disagg_zero_bandwidth.yaml:7: serving.kv_transfer.bandwidth_gbps: expected a number in (0, 1e+06], found '0'" -- "$S/disagg_zero_bandwidth.yaml"
run_fail "scenario YAML" disagg-unknown-link "serving.kv_transfer.link: infiniband" "disagg_unknown_link.yaml:7: serving.kv_transfer.link: unknown link 'infiniband'" -- "$S/disagg_unknown_link.yaml"
run_fail "scenario YAML" disagg-decode-too-small "a decode pool of 10 KV blocks" "disagg_decode_too_small.yaml: pools.d: its KV cache holds 160 tokens, fewer than one request of max_model_len (131072)" -- "$S/disagg_decode_too_small.yaml"
run_fail "scenario YAML" disagg-model-differs "pools.d.model: opt-13b" "disagg_model_differs.yaml:6: pools.d.model: every pool serves the scenario's model (llama-3.1-8b)" -- "$S/disagg_model_differs.yaml"

# ---- profile bundles (cost_model.impl: profiled; a hand-written tiny bundle, broken copies)
PB=$in/profile/tiny
PS=(--set cost_model.impl=profiled --set "cost_model.profile=$PB")
cp -r "$PB" "$tmp/bundle_bad" && chmod -R u+w "$tmp/bundle_bad"
sed -i 's/^act_fn,2048,400$/act_fn,2048,fast/' "$tmp/bundle_bad/tp1/dense.csv"
accept "profile bundle" profile-tiny "a valid hand-written bundle" "priced from its tables (hardware/profiled_cost_model.h)" completed=5 -- run "$S/valid.yaml" --out "$tmp/out-profile-tiny" -q "${PS[@]}"
run_fail "profile bundle" profile-malformed-cell "a non-numeric time in tp1/dense.csv" "bundle_bad/tp1/dense.csv:15: column 'time_us': expected a number, found 'fast'" -- "$S/valid.yaml" --set cost_model.impl=profiled --set "cost_model.profile=$tmp/bundle_bad"
run_fail "profile bundle" profile-missing-tp "hardware.tp 2, the bundle profiled TP 1 only" "no tp2 folder for hardware.tp 2 (profiled: 1)" -- "$S/valid.yaml" "${PS[@]}" --set hardware.tp=2
run_fail "profile bundle" profile-model-mismatch "a Llama-3.1-8B bundle for llama-2-7b" "cost_model.profile" "the bundle was profiled for another model: KV heads per rank at TP 1 8, the scenario's model has 32" -- "$S/valid.yaml" "${PS[@]}" --set model=llama-2-7b
run_fail "profile bundle" profile-not-a-folder "cost_model.profile names no folder" "nope: not a directory; expected a profile bundle" -- "$S/valid.yaml" --set cost_model.impl=profiled --set "cost_model.profile=$tmp/nope"
run_fail "profile bundle" profile-missing-key "impl: profiled without profile" "cost_model.profile: required" -- "$S/valid.yaml" --set cost_model.impl=profiled

# ---- CLI flags
V=$S/valid.yaml
fail "CLI flags" set-unknown-router "--set routing.impl=least_load" "--set routing.impl=least_load: unknown implementation 'least_load'; expected one of round_robin, least_requests, least_tokens, least_kv, random, vllm_dp" -- run "$V" --out "$tmp/out-route1" -q --set routing.impl=least_load
fail "CLI flags" set-router-key "--set routing.policy=x (unknown key)" "--set routing.policy=x: unknown key; expected one of impl" -- run "$V" --out "$tmp/out-route2" -q --set routing.policy=x
fail "CLI flags" expert-parallel-dense "--set hardware.expert_parallel=true on a dense model" "--set hardware.expert_parallel=true: needs a mixture-of-experts model" "is dense" -- run "$V" --out "$tmp/out-dp1" -q --set hardware.expert_parallel=true
fail "CLI flags" data-parallel-not-dividing-experts "data_parallel 3 x tp 1 over 128 experts" "--set hardware.data_parallel=3: data_parallel x tp must divide the 128 experts of qwen3-30b-a3b" "found 3 x tp 1 = 3" -- run "$V" --out "$tmp/out-dp2" -q --set model=qwen3-30b-a3b --set hardware.expert_parallel=true --set hardware.data_parallel=3
fail "CLI flags" data-parallel-with-replicas "data_parallel 2 with replicas 2" "--set hardware.data_parallel=2: excludes hardware.replicas > 1" -- run "$V" --out "$tmp/out-dp3" -q --set hardware.replicas=2 --set hardware.data_parallel=2
fail "CLI flags" pp-with-unsupported-scheduler "hardware.pp 2 with scheduler vllm_v0" "hardware.pp=2: scheduler vllm_v0 does not schedule pipeline micro-batches; use vllm_v1" -- run "$V" --out "$tmp/out-pp" -q --set hardware.pp=2 --set scheduler.impl=vllm_v0
fail "CLI flags" all2all-backend-unknown "--set hardware.all2all_backend=deepep" "--set hardware.all2all_backend=deepep: unknown all-to-all backend 'deepep'" "expected one of allgather_reducescatter, all_to_all" -- run "$V" --out "$tmp/out-dp4" -q --set hardware.all2all_backend=deepep
fail "CLI flags" set-not-yaml "--set value is not YAML" "--set scheduler.max_num_seqs=[: value is not valid YAML" -- run "$V" --out "$tmp/out-set1" -q --set 'scheduler.max_num_seqs=['
fail "CLI flags" set-empty-key "--set .a=1" "--set .a=1: empty key in '.a'" -- run "$V" --out "$tmp/out-set2" -q --set '.a=1'
fail "CLI flags" set-wrong-type "--set scheduler.max_num_seqs=abc" "--set scheduler.max_num_seqs=abc: expected an integer, found 'abc'" -- run "$V" --out "$tmp/out-set3" -q --set scheduler.max_num_seqs=abc
fail "CLI flags" set-overflow "--set workload.num_requests=1e400" "--set workload.num_requests=1e400: expected a non-negative integer, found '1e400'" -- run "$V" --out "$tmp/out-set4" -q --set workload.num_requests=1e400
fail "CLI flags" set-nan "--set hardware.memory_utilization=.nan" "--set hardware.memory_utilization=.nan: expected a number, found '.nan'" -- run "$V" --out "$tmp/out-set5" -q --set hardware.memory_utilization=.nan
fail "CLI flags" replications-zero "sweep --replications 0" "--replications: expected an integer from 1 to 1000, found '0'" -- sweep "$V" --vary scheduler.max_num_seqs=8,16 --replications 0 --out "$tmp/out-rep1"
fail "CLI flags" replications-huge "sweep --replications 1001" "--replications: expected an integer from 1 to 1000, found '1001'" -- sweep "$V" --vary scheduler.max_num_seqs=8,16 --replications 1001 --out "$tmp/out-rep2"
fail "CLI flags" replications-float "sweep --replications 2.5" "--replications: expected an integer from 1 to 1000, found '2.5'" -- sweep "$V" --vary scheduler.max_num_seqs=8,16 --replications 2.5 --out "$tmp/out-rep3"
fail "CLI flags" replications-text "sweep --replications many" "--replications: expected an integer from 1 to 1000, found 'many'" -- sweep "$V" --vary scheduler.max_num_seqs=8,16 --replications many --out "$tmp/out-rep4"
fail "CLI flags" replications-too-many-runs "sweep: 1000 points x 1000 replications" "--replications 1000: 1000 points x 1000 replications make 1000000 runs, more than the limit of 100000" -- sweep "$V" --vary "scheduler.max_num_seqs=$(seq -s, 1 1000)" --replications 1000 --out "$tmp/out-rep5"
fail "CLI flags" seed-flags-both "sweep --common-seed --independent-seeds" "--common-seed and --independent-seeds: give one of them" -- sweep "$V" --vary scheduler.max_num_seqs=8,16 --common-seed --independent-seeds --out "$tmp/out-rep6"
fail "CLI flags" run-unknown-flag "servesim run --sett (typo)" "unrecognised option '--sett'" -- run "$V" --sett a=1
fail "CLI flags" out-is-a-file "--out names an existing file" "--out $tmp/out_is_a_file: cannot create directory" -- run "$V" --out "$tmp/out_is_a_file" -q
fail "CLI flags" tp-overflow "--tp 4294967297 (overflows 32 bits)" "the argument ('4294967297') for option '--tp' is invalid" -- "${A[@]}" --tp 4294967297
fail "CLI flags" batch-overflow "--batch 99999999999999999999 (beyond int64)" "the argument ('99999999999999999999') for option '--batch' is invalid" -- "${A[@]}" --batch 99999999999999999999
fail "CLI flags" context-float "--context 1.5" "option '--context' is invalid" -- "${A[@]}" --context 1.5
fail "CLI flags" utilization-nan "--memory-utilization nan" "--memory-utilization: expected a fraction in (0, 1]" -- "${A[@]}" --memory-utilization nan
fail "CLI flags" utilization-inf "--memory-utilization inf" "--memory-utilization: expected a fraction in (0, 1]" -- "${A[@]}" --memory-utilization inf
fail "CLI flags" analyze-curves-empty "--curves ''" "--curves: expected a file name, found ''" -- "${A[@]}" --curves ''
fail "CLI flags" kv-dtype-q4_0 "--kv-dtype q4_0 (a llama.cpp weight format)" "--kv-dtype: q4_0 KV cache is not modeled" -- "${A[@]}" --kv-dtype q4_0
fail "CLI flags" set-kv-dtype-q8_0 "--set model={preset: ..., kv_dtype: q8_0}" "kv_dtype q8_0 is a llama.cpp weight format; expected fp32, bf16, fp16, fp8 or int8" -- run "$V" --out "$tmp/out-q8" -q --set 'model={preset: llama-3.2-1b, kv_dtype: q8_0}'
fail "CLI flags" analyze-max-num-seqs-zero "--max-num-seqs 0" "--max-num-seqs: expected an integer in [1, 1048576], found 0" -- "${A[@]}" --max-num-seqs 0
fail "CLI flags" analyze-profile-with-scenario "--max-num-batched-tokens with --scenario" "servesim analyze: --max-num-batched-tokens conflicts with --scenario" -- analyze --scenario "$V" --max-num-batched-tokens 4096
fail "CLI flags" set-async-scheduling-not-bool "--set scheduler.async_scheduling=maybe" "--set scheduler.async_scheduling=maybe: expected true or false" -- run "$V" --out "$tmp/out-async1" -q --set scheduler.async_scheduling=maybe
fail "CLI flags" analyze-curves-no-value "--curves without a file" "the required argument for option '--curves' is missing" -- "${A[@]}" --curves
fail "CLI flags" analyze-curves-missing-dir "--curves in a directory that does not exist" "--curves: cannot write $tmp/no_such_dir/c.csv" -- "${A[@]}" --curves "$tmp/no_such_dir/c.csv"
fail "CLI flags" analyze-html-empty "--html ''" "--html: expected a file name, found ''" -- "${A[@]}" --html ''
fail "CLI flags" device-empty "--device ''" "--device: unknown device ''" -- analyze --model llama-2-7b --device ''
fail "CLI flags" model-yaml-missing "--model names a .yaml file that does not exist" "--model: cannot open '$tmp/nope.yaml'" -- analyze --model "$tmp/nope.yaml" --device a100-80gb
fail "CLI flags" slo-out-of-range "capacity --slo p99_ttft_ms=1e300 on a scenario without output.slo" "--slo p99_ttft_ms=1e+300: output.slo.ttft_ms: expected a number in [0, 1e+12], found '1e+300'" -- capacity "$S/no_slo.yaml" --slo p99_ttft_ms=1e300 --out "$tmp/out-slo-range"
fail "CLI flags" goodput-no-colon "run --goodput ttft300" "--goodput ttft300: expected KEY:MS (e.g. --goodput ttft:300 tpot:50), found no ':'" -- run "$V" --out "$tmp/out-gp1" -q --goodput ttft300
fail "CLI flags" goodput-unknown-key "run --goodput ttfx:300" "--goodput ttfx:300: unknown key 'ttfx' (did you mean 'ttft'?); expected ttft, tpot or e2el" -- run "$V" --out "$tmp/out-gp2" -q --goodput ttfx:300
fail "CLI flags" goodput-not-number "run --goodput tpot:fast" "--goodput tpot:fast: expected a bound in ms (a number > 0), found 'fast'" -- run "$V" --out "$tmp/out-gp3" -q --goodput tpot:fast
fail "CLI flags" goodput-negative "run --goodput e2el:-5" "--goodput e2el:-5: expected a bound in ms > 0, found -5" -- run "$V" --out "$tmp/out-gp4" -q --goodput e2el:-5
fail "CLI flags" goodput-nan "run --goodput ttft:nan" "--goodput ttft:nan: expected a bound in ms (a number > 0), found 'nan'" -- run "$V" --out "$tmp/out-gp5" -q --goodput ttft:nan
fail "CLI flags" goodput-huge "run --goodput ttft:1e300" "--goodput ttft:1e+300: output.slo.ttft_ms: expected a number in [0, 1e+12], found '1e+300'" -- run "$V" --out "$tmp/out-gp6" -q --goodput ttft:1e300
fail "CLI flags" goodput-twice "run --goodput ttft:300 ttft:200" "--goodput ttft: given twice" -- run "$V" --out "$tmp/out-gp7" -q --goodput ttft:300 ttft:200
fail "CLI flags" goodput-missing "run --goodput with no value" "the required argument for option '--goodput' is missing" -- run "$V" --out "$tmp/out-gp8" -q --goodput
fail "CLI flags" set-key-of-other-impl "--set kv_cache.reserve=request_max while kv_cache stays paged" "--set kv_cache.reserve=request_max: a key of contiguous, not of paged; set kv_cache.impl to contiguous" -- run "$S/valid.yaml" --out "$tmp/out-other-impl" -q --set kv_cache.reserve=request_max
fail "CLI flags" model-yaml-huge "--model names a 17 MiB YAML file" "huge_model.yaml: 17825792 bytes is too large for a model YAML file (limit 16 MiB)" -- analyze --model "$tmp/huge_model.yaml" --device a100-80gb
mkdir -p "$tmp/not-kernels"
fail "CLI flags" calibrate-bundle-missing "calibrate --bundle on a folder that does not exist" "no-bundle: not a directory; expected a profile bundle (meta.yaml, tp<N>/)" -- calibrate --device rtx-pro-6000 --bundle "$tmp/no-bundle"
fail "CLI flags" calibrate-loo-no-kernels "calibrate --leave-one-out on a folder without kernel tables" "not-kernels: no kernel measurements" -- calibrate --leave-one-out a40="$tmp/not-kernels" a100-80gb="$tmp/not-kernels"
fail "CLI flags" calibrate-loo-syntax "calibrate --leave-one-out item without =FOLDER" "--leave-one-out expects DEVICE=FOLDER items, found 'a40'" -- calibrate --leave-one-out a40 a100-80gb="$tmp/not-kernels"
fail "CLI flags" calibrate-huge-csv "calibrate --ops on a 513 MiB file" "huge_ops.csv: 537919488 bytes is too large for a measurement CSV (limit 512 MiB)" -- calibrate --device a100-80gb --ops "$tmp/huge_ops.csv"
fail "CLI flags" calibrate-binary "calibrate --ops on binary junk" "junk_ops.csv" -- calibrate --device a100-80gb --ops "$tmp/junk_ops.csv"
accept "CLI flags" calibrate-bom "calibrate --allreduce CSV with a UTF-8 byte-order mark" "the mark is stripped from the header (calibration.cpp)" "stdout~6 all-reduce measurements" -- calibrate --device a100-80gb --allreduce "$tmp/allreduce_bom.csv"

# The quick start (run --model --device, no scenario file): each bad flag is named.
Q=(run --model llama-3.1-8b --device h100-sxm --out "$tmp/out-quick" -q)
QV=$T/csv_extra_columns.csv  # a valid trace with Vidur's column names
printf 'arrived_at,num_prefill_tokens,num_decode_tokens\n0,10,5\n' >"$tmp/one_row.csv"
printf 'a\tb\n0\t1\n' >"$tmp/tabs.tsv"
fail "CLI flags" quick-model-unknown "run --model lama-3.1-8b (typo)" "--model: unknown model 'lama-3.1-8b' (did you mean 'llama-3.1-8b'" -- run --model lama-3.1-8b --device h100-sxm --rate 1 --out "$tmp/out-quick" -q
fail "CLI flags" quick-device-unknown "run --device h100" "--device: unknown device 'h100' (did you mean 'h100-sxm'" -- run --model llama-3.1-8b --device h100 --rate 1 --out "$tmp/out-quick" -q
fail "CLI flags" quick-model-json-missing "run --model nope.json (no such config.json)" "--model: " "nope.json: HF config file not found" -- run --model "$tmp/nope.json" --device h100-sxm --rate 1 --out "$tmp/out-quick" -q
fail "CLI flags" quick-no-device "run --model without --device" "--model: needs --device too" -- run --model llama-3.1-8b --rate 1
fail "CLI flags" quick-no-model "run --device without --model" "--device: needs --model too" -- run --device h100-sxm --rate 1
fail "CLI flags" quick-no-workload "run --model --device, neither --trace nor --rate" "--trace or --rate: required with --model and --device" -- "${Q[@]}"
fail "CLI flags" quick-with-file "a scenario file and --model" "--model: builds a scenario from flags, and a scenario file was given too" -- run "$V" --model llama-3.1-8b --out "$tmp/out-quick" -q
fail "CLI flags" quick-flag-with-file "a scenario file and --tp" "--tp: a flag of the quick start (with --model and --device); to change a scenario file's hardware.tp use --set hardware.tp=VALUE" -- run "$V" --tp 2 --out "$tmp/out-quick" -q
fail "CLI flags" quick-trace-with-file "a scenario file and --trace FILE" "--trace " "csv_extra_columns.csv: replays a trace in the quick start" -- run "$V" --trace "$QV" --out "$tmp/out-quick" -q
fail "CLI flags" quick-tp-zero "run --model ... --tp 0" "--tp: expected an integer in [1, 1024], found '0'" -- "${Q[@]}" --rate 1 --tp 0
fail "CLI flags" quick-replicas-text "run --model ... --replicas two" "--replicas: expected an integer, found 'two'" -- "${Q[@]}" --rate 1 --replicas two
fail "CLI flags" quick-scheduler-unknown "run --model ... --scheduler vllm" "--scheduler: unknown implementation 'vllm' (did you mean 'vllm_v1' or 'vllm_v0'?)" -- "${Q[@]}" --rate 1 --scheduler vllm
fail "CLI flags" quick-seed-negative "run --model ... --seed -1" "--seed: expected an integer in [0, 9223372036854775807], found '-1'" -- "${Q[@]}" --rate 1 --seed -1
fail "CLI flags" quick-rate-text "run --model ... --rate fast" "--rate: expected a positive number, found 'fast'" -- "${Q[@]}" --rate fast
fail "CLI flags" quick-num-requests-text "run --model ... --num-requests many" "--num-requests: expected a non-negative integer, found 'many'" -- "${Q[@]}" --rate 1 --num-requests many
fail "CLI flags" quick-prompt-tokens-dist "--prompt-tokens '{dist: normal}' (no mean, std)" "--prompt-tokens: missing required key 'mean'" -- "${Q[@]}" --rate 1 --prompt-tokens '{dist: normal}'
fail "CLI flags" quick-prompt-tokens-yaml "--prompt-tokens '[' (not YAML)" "--prompt-tokens: value is not valid YAML" -- "${Q[@]}" --rate 1 --prompt-tokens '['
fail "CLI flags" quick-output-tokens-zero "--output-tokens 0" "--output-tokens: expected a length in tokens (an integer >= 1)" -- "${Q[@]}" --rate 1 --output-tokens 0
fail "CLI flags" quick-lengths-with-trace "--prompt-tokens with --trace FILE" "--prompt-tokens: sets a synthetic stream's lengths; a trace's rows give them" -- "${Q[@]}" --trace "$QV" --prompt-tokens 5
fail "CLI flags" quick-columns-without-trace "--columns without --trace FILE" "--columns: applies to --trace FILE only" -- "${Q[@]}" --rate 1 --columns arrival_s=ts
fail "CLI flags" quick-trace-missing "--trace names no file" "--trace: cannot open '" "nope.csv': No such file or directory" -- "${Q[@]}" --trace "$tmp/nope.csv"
fail "CLI flags" quick-trace-directory "--trace names a directory" "--trace: '" "' is a directory; expected a trace file" -- "${Q[@]}" --trace "$tmp"
fail "CLI flags" quick-trace-tsv "--trace on a TSV file with unknown columns" "--trace: " "tabs.tsv:1: column 'arrived_at': missing from the header" -- "${Q[@]}" --trace "$tmp/tabs.tsv"
fail "CLI flags" quick-trace-format-unknown "--trace-format azur" "--trace-format: expected one of azure | burstgpt | splitwise | mooncake | vllm_bench | sharegpt | csv | jsonl, found 'azur' (did you mean 'azure'?)" -- "${Q[@]}" --trace "$QV" --trace-format azur
fail "CLI flags" quick-trace-format-wrong "--trace-format azure on a Vidur CSV" "--trace: " "csv_extra_columns.csv:1: column 'TIMESTAMP': missing from the header" -- "${Q[@]}" --trace "$QV" --trace-format azure
fail "CLI flags" quick-columns-malformed "--columns arrival_s (no =COLUMN)" "--columns: expected KEY=COLUMN[,KEY=COLUMN...]" -- "${Q[@]}" --trace "$QV" --columns arrival_s
fail "CLI flags" quick-columns-twice "--columns arrival_s=a,arrival_s=b" "--columns: key 'arrival_s' given twice" -- "${Q[@]}" --trace "$QV" --columns arrival_s=a,arrival_s=b
fail "CLI flags" quick-columns-unknown-key "--columns arrivl=ts" "--columns: workload.columns.arrivl: unknown key (did you mean 'arrival' or 'arrival_s'?)" -- "${Q[@]}" --trace "$QV" --columns arrivl=ts
fail "CLI flags" quick-columns-not-in-header "--columns arrival_s=ts on a file without ts" "--trace: " "csv_extra_columns.csv:1: column 'ts': missing from the header" -- "${Q[@]}" --trace "$QV" --columns arrival_s=ts
fail "CLI flags" quick-time-scale-zero "--time-scale 0" "--time-scale: expected a positive number, found '0'" -- "${Q[@]}" --trace "$QV" --time-scale 0
fail "CLI flags" quick-rate-and-time-scale "--rate and --time-scale with --trace" "--rate and --time-scale: give one of them" -- "${Q[@]}" --trace "$QV" --rate 1 --time-scale 2
fail "CLI flags" quick-trace-rate-zero "--trace FILE --rate 0" "--rate: expected a positive number of requests per second, found '0'" -- "${Q[@]}" --trace "$QV" --rate 0
fail "CLI flags" quick-trace-rate-one-row "--rate on a one-row trace" "--rate: the trace's 1 request(s) arrive at one instant" -- "${Q[@]}" --trace "$tmp/one_row.csv" --rate 1
fail "CLI flags" quick-weights-dont-fit "run --model llama-3.1-70b --device h100-sxm (tp 1)" "command line: hardware: the weights of llama-3.1-70b" -- run --model llama-3.1-70b --device h100-sxm --rate 1 --out "$tmp/out-quick" -q
accept "CLI flags" quick-azure-guessed "run --model ... --trace on an Azure CSV, no --trace-format" "the format is told from the header (sim/app/quick_start.h)" completed=3 -- run --model llama-3.1-8b --device h100-sxm --trace "$T/azure_valid.csv" --out "$tmp/out-quick-azure-guessed" -q
accept "CLI flags" quick-mooncake-guessed "run --model ... --trace on a Mooncake JSONL, no --trace-format" "the format is told from the keys (sim/app/quick_start.h)" completed=2 -- run --model llama-3.1-8b --device h100-sxm --trace "$T/mooncake_valid.jsonl" --out "$tmp/out-quick-mooncake-guessed" -q

# ---- trace CSV (azure, csv)
ts() { trace_scenario "$@"; }
run_fail "trace CSV" azure-truncated "last row cut off inside the timestamp" "azure_truncated.csv:4: expected 3 fields (TIMESTAMP,ContextTokens,GeneratedTokens), found 1 in '2023-11-16 18:15:5'" -- "$(ts azure-truncated azure "$T/azure_truncated.csv")"
run_fail "trace CSV" azure-out-of-order "timestamps going backwards" "azure_out_of_order.csv:3: column 'TIMESTAMP': expected a time at or after the previous row's '2023-11-16 18:15:46.6805900' (rows must be sorted by time)" -- "$(ts azure-ooo azure "$T/azure_out_of_order.csv")"
run_fail "trace CSV" nan-time "arrived_at: nan" "csv_nan_time.csv:3: column 'arrived_at': expected a time in seconds >= 0, found 'nan'" -- "$(ts nan-time csv "$T/csv_nan_time.csv")"
run_fail "trace CSV" inf-time "arrived_at: inf" "csv_inf_time.csv:3: column 'arrived_at': expected a time in seconds >= 0, found 'inf'" -- "$(ts inf-time csv "$T/csv_inf_time.csv")"
run_fail "trace CSV" huge-time "arrived_at: 1e300 s" "csv_huge_time.csv:3: column 'arrived_at': expected a time below 292 years, found '1e300'" -- "$(ts huge-time csv "$T/csv_huge_time.csv")"
run_fail "trace CSV" negative-time "arrived_at: -0.5" "csv_negative_time.csv:2: column 'arrived_at': expected a time in seconds >= 0, found '-0.5'" -- "$(ts negative-time csv "$T/csv_negative_time.csv")"
run_fail "trace CSV" negative-tokens "num_decode_tokens: -5" "csv_negative_tokens.csv:2: column 'num_decode_tokens': expected a positive number of tokens, found '-5'" -- "$(ts negative-tokens csv "$T/csv_negative_tokens.csv")"
run_fail "trace CSV" tokens-2p32 "num_prefill_tokens: 2^32 (overflows 32 bits)" "csv_tokens_2p32.csv:2: column 'num_prefill_tokens': expected at most 2^31 tokens, found '4294967296'" -- "$(ts tokens-2p32 csv "$T/csv_tokens_2p32.csv")"
run_fail "trace CSV" tokens-int64-overflow "num_decode_tokens: 10^20 (beyond int64)" "csv_tokens_int64_overflow.csv:2: column 'num_decode_tokens': expected at most 2^31 tokens" -- "$(ts tokens-int64 csv "$T/csv_tokens_int64_overflow.csv")"
run_fail "trace CSV" fractional-tokens "num_prefill_tokens: 10.5" "csv_fractional_tokens.csv:2: column 'num_prefill_tokens': expected a whole number of tokens, found '10.5'" -- "$(ts fractional csv "$T/csv_fractional_tokens.csv")"
run_fail "trace CSV" duplicate-column "the header names num_prefill_tokens twice" "csv_duplicate_column.csv:1: column 'num_prefill_tokens': expected once in the header, found it as fields 2 and 4" -- "$(ts dup-column csv "$T/csv_duplicate_column.csv")"
run_fail "trace CSV" field-count "a row with 2 of 3 fields" "csv_field_count.csv:3: expected 3 fields (arrived_at,num_prefill_tokens,num_decode_tokens), found 2" -- "$(ts field-count csv "$T/csv_field_count.csv")"
run_fail "trace CSV" unterminated-quote "a quoted field never closed" "csv_unterminated_quote.csv:2: unterminated quoted field" -- "$(ts unterminated csv "$T/csv_unterminated_quote.csv")"
run_fail "trace CSV" header-only "a header and no rows" "csv_header_only.csv: no rows after the header" -- "$(ts header-only csv "$T/csv_header_only.csv")"
run_fail "trace CSV" empty-file "0 bytes" "csv_empty.csv: empty file, expected a header line naming the columns arrived_at,num_prefill_tokens,num_decode_tokens" -- "$(ts empty csv "$T/csv_empty.csv")"
run_fail "trace CSV" binary-junk "binary junk (PNG signature, NUL bytes)" "junk.csv:1: header: byte 0x89 at character 1 is not text: a binary file, not a CSV trace" -- "$(ts junk-csv azure "$tmp/junk.csv")"
run_fail "trace CSV" gigantic-line "one 64 MiB row (generated)" "gigantic_line.csv:3: line longer than 1048576 bytes" -- "$(ts gigantic csv "$tmp/gigantic_line.csv")"
run_fail "trace CSV" gigantic-header "a 2 MiB header line (generated)" "gigantic_header.csv:1: header: line longer than 1048576 bytes" -- "$(ts gigantic-header csv "$tmp/gigantic_header.csv")"
run_ok "trace CSV" extra-columns "columns beyond the three read (request_id, model)" "ignored (trace.h)" completed=2 -- "$(ts extra-columns csv "$T/csv_extra_columns.csv")"
run_ok "trace CSV" bom-crlf "UTF-8 byte-order mark and CRLF line ends (generated)" "trace.h: BOM and CRLF accepted" completed=3 -- "$(ts bom-crlf azure "$tmp/azure_bom_crlf.csv")"
run_ok "trace CSV" cr-only "lone CR line ends (classic Mac)" "trace.h: lone CR accepted as a line end" completed=3 -- "$(ts cr-only azure "$tmp/azure_cr_only.csv")"
run_ok "trace CSV" beyond-context "a 200,000-token prompt for a 131,072-token model" "rejected and counted (engine.h)" rejected_too_long=1 completed=1 conserved -- "$(ts beyond-context csv "$T/csv_beyond_context.csv")"
run_ok "trace CSV" at-token-cap "2^31-token prompt and output (the reader's cap)" "read; rejected as too long" rejected_too_long=1 completed=0 -- "$(ts token-cap csv "$T/csv_at_token_cap.csv")"
run_ok "trace CSV" skip-long-line "a 3 MiB row with skip_bad_rows: true (generated)" "skipped and counted (trace.h)" skipped_rows=1 completed=2 -- "$(ts skip-long csv "$tmp/skipped_long_line.csv" "skip_bad_rows: true")"
run_fail "trace CSV" epoch-ms-as-seconds "arrived_at in epoch milliseconds, read as seconds" "csv_epoch_ms.csv:2: column 'arrived_at': expected a time below 292 years, found '1714521600000'; the values look like milliseconds since 1970: set time_unit: ms" -- "$(ts epoch-ms csv "$T/csv_epoch_ms.csv")"
run_ok "trace CSV" epoch-ms-time-unit "the same file with time_unit: ms" "read (workload_yaml.h: time_unit)" completed=2 -- "$(ts epoch-ms-ok csv "$T/csv_epoch_ms.csv" "time_unit: ms")"
run_ok "trace CSV" tab-separated "a TSV file (tabs between the columns)" "separator detected (csv_line.h)" completed=2 -- "$(ts tsv csv "$T/csv_tab_separated.tsv")"
run_fail "trace CSV" wrong-separator "a TSV file with separator: comma" "csv_tab_separated.tsv:1: column 'arrived_at': missing from the header" "the header is one field: if its columns are separated by another character, set the trace's separator" -- "$(ts tsv-comma csv "$T/csv_tab_separated.tsv" "separator: comma")"
run_fail "trace CSV" azure-number-time "TIMESTAMP 12.5 (a number, not a date-time)" "azure_number_time.csv:2: column 'TIMESTAMP': expected a timestamp like 2023-11-16 18:15:46.6805900 (years 1970-2200), found '12.5'; a number: set time_unit to s, ms, us or ns" -- "$(ts azure-number azure "$T/azure_number_time.csv")"
run_fail "trace CSV" time-unit-unknown "time_unit: sec" "workload.time_unit: expected one of s | ms | us | ns | iso, found 'sec'" -- "$(ts time-unit-sec csv "$T/csv_epoch_ms.csv" "time_unit: sec")"
run_fail "trace CSV" rate-on-timed-trace "rate_per_s on an azure trace" "workload.rate_per_s: format azure has its own arrival times" "to change the rate use time_scale" -- "$(ts rate-azure azure "$T/azure_valid.csv" "rate_per_s: 2")"
run_fail "trace CSV" burstgpt-bad-tokens "Request tokens: abc" "burstgpt_bad_tokens.csv:2: column 'Request tokens': expected a positive integer (tokens), found 'abc'" -- "$(ts burst-bad burstgpt "$T/burstgpt_bad_tokens.csv")"
run_ok "trace CSV" burstgpt-failed-request "a BurstGPT row with Response tokens 0 (a failed request)" "skipped and counted (trace.h)" skipped_rows=1 completed=2 -- "$(ts burst-failed burstgpt "$T/burstgpt_failed_request.csv")"
run_fail "trace CSV" splitwise-missing-column "prompt_sizes instead of prompt_size" "splitwise_missing_column.csv:1: column 'prompt_size': missing from the header" "(did you mean 'prompt_sizes'?)" -- "$(ts splitwise-col splitwise "$T/splitwise_missing_column.csv")"

# ---- trace JSONL (mooncake, jsonl)
run_fail "trace JSONL" truncated "last object cut off inside a key" "mooncake_truncated.jsonl:3: malformed JSON at character" -- "$(ts mc-truncated mooncake "$T/mooncake_truncated.jsonl")"
run_fail "trace JSONL" duplicate-key "input_length twice in one object" "mooncake_duplicate_key.jsonl:1: duplicate key 'input_length'" -- "$(ts mc-dup mooncake "$T/mooncake_duplicate_key.jsonl")"
run_fail "trace JSONL" nan "input_length: NaN (not JSON)" "mooncake_nan.jsonl:1: malformed JSON at character" "found 'NaN" -- "$(ts mc-nan mooncake "$T/mooncake_nan.jsonl")"
run_fail "trace JSONL" string-number "input_length: \"100\" (a string)" "mooncake_string_number.jsonl:1: key 'input_length': expected a number, found '\"100\"'" -- "$(ts mc-string mooncake "$T/mooncake_string_number.jsonl")"
run_fail "trace JSONL" negative-length "output_length: -20" "mooncake_negative_length.jsonl:1: key 'output_length': expected a positive number of tokens, found '-20'" -- "$(ts mc-negative mooncake "$T/mooncake_negative_length.jsonl")"
run_fail "trace JSONL" hash-count "1 hash id for a 1000-token prompt" "mooncake_hash_count.jsonl:1: key 'hash_ids': expected 2 ids" -- "$(ts mc-hash mooncake "$T/mooncake_hash_count.jsonl")"
run_fail "trace JSONL" out-of-order "timestamp 10 after 50" "mooncake_out_of_order.jsonl:2: key 'timestamp': expected a time at or after the previous row's '50'" -- "$(ts mc-ooo mooncake "$T/mooncake_out_of_order.jsonl")"
run_fail "trace JSONL" blank-file "blank lines only" "mooncake_blank.jsonl: empty file, expected one JSON object per line with keys 'timestamp', 'input_length', 'output_length'" -- "$(ts mc-blank mooncake "$T/mooncake_blank.jsonl")"
run_fail "trace JSONL" top-level-array "an array instead of an object" "mooncake_top_array.jsonl:1: malformed JSON at character 1: expected '{'" -- "$(ts mc-array mooncake "$T/mooncake_top_array.jsonl")"
run_fail "trace JSONL" tokens-2p32 "output_length: 2^32" "mooncake_tokens_2p32.jsonl:1: key 'output_length': expected at most 2^31 tokens, found '4294967296'" -- "$(ts mc-2p32 mooncake "$T/mooncake_tokens_2p32.jsonl")"
run_fail "trace JSONL" huge-exponent "timestamp: 1e400 (overflows a double)" "mooncake_huge_exponent.jsonl:1: key 'timestamp': expected a time in ms >= 0, found '1e400'" -- "$(ts mc-exp mooncake "$T/mooncake_huge_exponent.jsonl")"
run_fail "trace JSONL" deep-nesting "an ignored key nested 100 arrays deep" "mooncake_deep_nesting.jsonl:1: malformed JSON" "less nesting" -- "$(ts mc-deep mooncake "$T/mooncake_deep_nesting.jsonl")"
run_fail "trace JSONL" binary-junk "binary junk after a good row (generated)" "junk.jsonl:2: NUL byte at character 2: a binary file, not a text trace" -- "$(ts mc-junk mooncake "$tmp/junk.jsonl")"
run_ok "trace JSONL" extra-keys "keys beyond the ones read, nested values" "ignored (trace.h)" completed=2 -- "$(ts mc-extra mooncake "$T/mooncake_extra_keys.jsonl")"
run_ok "trace JSONL" bom-crlf "UTF-8 byte-order mark and CRLF (generated)" "trace.h: BOM and CRLF accepted" completed=2 prefix_cache_hit_tokens\>0 -- "$(ts mc-bom mooncake "$tmp/mooncake_bom_crlf.jsonl")"
run_ok "trace JSONL" beyond-context "a 300,000-token prompt" "rejected and counted (engine.h)" rejected_too_long=1 completed=1 conserved -- "$(ts jl-context jsonl "$T/jsonl_beyond_context.jsonl")"

# ---- trace JSON documents (vllm_bench, sharegpt)
run_fail "trace JSON" vllm-no-detail "a vLLM result saved without --save-detailed" "vllm_bench_no_detail.json: key 'input_lens': missing; save the benchmark with --save-result --save-detailed" -- "$(ts vllm-nodetail vllm_bench "$T/vllm_bench_no_detail.json")"
run_fail "trace JSON" vllm-length-mismatch "3 input_lens, 2 output_lens" "vllm_bench_length_mismatch.json:1:" "key 'output_lens': expected 3 entries (one per input_lens entry), found 2" -- "$(ts vllm-mismatch vllm_bench "$T/vllm_bench_length_mismatch.json")"
run_fail "trace JSON" vllm-negative-output "output_lens[1]: -20" "vllm_bench_negative_output.json:1:" "key 'output_lens[1]': expected a positive number of tokens, found '-20'" -- "$(ts vllm-negative vllm_bench "$T/vllm_bench_negative_output.json")"
run_fail "trace JSON" vllm-time-unit "time_unit on a vllm_bench result" "workload.time_unit: does not apply to format vllm_bench (it has no time column)" -- "$(ts vllm-unit vllm_bench "$T/vllm_bench_length_mismatch.json" "time_unit: ms")"
run_fail "trace JSON" sharegpt-no-rate "a ShareGPT file without rate_per_s" "workload: missing required key 'rate_per_s' (format sharegpt has no timestamps" -- "$(ts share-norate sharegpt "$T/sharegpt_valid.json")"
run_fail "trace JSON" sharegpt-value-number "a turn's value is 42, not text" "sharegpt_value_number.json:1:" "key 'conversations[0].value': expected a string (the text), found '42'" -- "$(ts share-num sharegpt "$T/sharegpt_value_number.json" "rate_per_s: 1")"
run_ok "trace JSON" sharegpt-estimated "a ShareGPT file with rate_per_s" "tokens estimated, said in a warning (trace.h)" completed=1 -- "$(ts share-ok sharegpt "$T/sharegpt_valid.json" "rate_per_s: 1")"

# ---- model config.json
fail "config.json" string-number "hidden_size: \"4096\" (a string)" "string_number.json: key 'hidden_size': expected a positive integer, found the string \"4096\"" -- analyze --model "$C/string_number.json" --device a100-80gb
fail "config.json" nan "hidden_size: NaN" "nan.json: key 'hidden_size': expected a positive integer, found NaN" -- analyze --model "$C/nan.json" --device a100-80gb
fail "config.json" infinity "num_hidden_layers: Infinity" "infinity.json: key 'num_hidden_layers': expected a positive integer, found Infinity" -- analyze --model "$C/infinity.json" --device a100-80gb
fail "config.json" negative "num_hidden_layers: -32" "negative_layers.json: key 'num_hidden_layers': expected a positive integer, found -32" -- analyze --model "$C/negative_layers.json" --device a100-80gb
fail "config.json" vocab-2p32 "vocab_size: 2^32" "vocab_2p32.json: key 'vocab_size': 4294967296 is implausibly large" -- analyze --model "$C/vocab_2p32.json" --device a100-80gb
fail "config.json" fractional "hidden_size: 4096.5" "fractional.json: key 'hidden_size': expected a positive integer, found 4096.5" -- analyze --model "$C/fractional.json" --device a100-80gb
fail "config.json" empty "0 bytes" "empty.json: empty file, expected a JSON object" -- analyze --model "$C/empty.json" --device a100-80gb
fail "config.json" binary-junk "binary junk (generated)" "junk.json: not a JSON object: expected '{' as the first character, found byte 0x89" -- analyze --model "$tmp/junk.json" --device a100-80gb
fail "config.json" too-large "a 17 MiB file (generated, sparse)" "huge.json:" "too large for a config.json (limit 16 MiB)" -- analyze --model "$tmp/huge.json" --device a100-80gb
fail "config.json" unsupported-type "model_type: lama" "unsupported_type.json: key 'model_type': unsupported model type 'lama' (did you mean 'llama'?)" -- analyze --model "$C/unsupported_type.json" --device a100-80gb
run_fail "config.json" no-config-in-dir "model: {hf_config: DIR} for a directory without config.json" "no_config_dir/config.json: HF config file not found" -- "$S/hf_config_dir.yaml"
fail "config.json" zero-context "max_position_embeddings: 0" "max_position_zero.json: key 'max_position_embeddings': expected a positive integer, found 0" -- analyze --model "$C/max_position_zero.json" --device a100-80gb
fail "config.json" truncated-in-string "file cut off inside a key string" "truncated_string.json: malformed JSON" -- analyze --model "$C/truncated_string.json" --device a100-80gb
fail "config.json" top-level-array "an array holding the object" "top_level_array.json: not a JSON object: expected '{' as the first character, found '['" -- analyze --model "$C/top_level_array.json" --device a100-80gb
fail "config.json" bool-as-string "tie_word_embeddings: \"yes\"" "bool_as_string.json: key 'tie_word_embeddings': expected true or false, found the string \"yes\"" -- analyze --model "$C/bool_as_string.json" --device a100-80gb
fail "config.json" dtype-unknown "torch_dtype: float12" "dtype_unknown.json: key 'torch_dtype': expected one of" "found the string \"float12\"" -- analyze --model "$C/dtype_unknown.json" --device a100-80gb
accept "config.json" unknown-keys "keys servesim does not model (rope_theta, nested objects)" "ignored (hf_config.h)" "stdout~step:" -- analyze --model "$C/unknown_keys.json" --device a100-80gb
accept "config.json" bom "UTF-8 byte-order mark (generated)" "skipped (hf_config.h)" "stdout~step:" -- analyze --model "$tmp/bom.json" --device a100-80gb
accept "config.json" crlf "CRLF line ends (generated)" "JSON whitespace" "stdout~step:" -- analyze --model "$tmp/crlf.json" --device a100-80gb
fail "config.json" duplicate-key "hidden_size twice (yaml-cpp would keep the first, Python's json the last)" "duplicate_key.json" "hidden_size: duplicate key" -- analyze --model "$C/duplicate_key.json" --device a100-80gb
accept "config.json" lone-cr "lone CR line ends (generated)" "CR is JSON whitespace (hf_config.cpp)" "stdout~step:" -- analyze --model "$tmp/lone_cr.json" --device a100-80gb

# ---- device specs (hardware: presets with per-field overrides)
run_fail "device spec" memory-negative "hardware.memory_gib: -80" "memory_negative.yaml:2: hardware.memory_gib: expected a number in (0, 1e+06], found '-80'" -- "$D/memory_negative.yaml"
run_fail "device spec" memory-inf "hardware.memory_gib: .inf" "memory_inf.yaml:2: hardware.memory_gib" "found '.inf'" -- "$D/memory_inf.yaml"
run_fail "device spec" bandwidth-nan "hardware.memory_bandwidth_gbps: .nan" "bandwidth_nan.yaml:2: hardware.memory_bandwidth_gbps" "found '.nan'" -- "$D/bandwidth_nan.yaml"
run_fail "device spec" tflops-zero "hardware.bf16_tflops: 0" "tflops_zero.yaml:2: hardware.bf16_tflops: expected a number in (0, 1e+06], found '0'" -- "$D/tflops_zero.yaml"
run_fail "device spec" tflops-huge "hardware.bf16_tflops: 1e300" "tflops_huge.yaml:2: hardware.bf16_tflops: expected a number in (0, 1e+06], found '1e300'" -- "$D/tflops_huge.yaml"
run_fail "device spec" device-list "hardware.device: [h100-sxm]" "device_list.yaml:2: hardware.device: expected a string, found a list" -- "$D/device_list.yaml"
run_fail "device spec" device-empty "hardware.device: ''" "device_empty.yaml: hardware.device: unknown device ''" -- "$D/device_empty.yaml"
run_fail "device spec" override-typo "hardware.memory_bandwith_gbps (typo)" "override_typo.yaml:2: hardware.memory_bandwith_gbps: unknown key (did you mean 'memory_bandwidth_gbps'?)" -- "$D/override_typo.yaml"
run_fail "device spec" replicas-zero "hardware.replicas: 0" "replicas_zero.yaml:2: hardware.replicas: expected an integer in [1, 100000], found '0'" -- "$D/replicas_zero.yaml"
run_fail "device spec" kv-blocks-negative "hardware.kv_blocks: -16" "kv_blocks_negative.yaml:2: hardware.kv_blocks: expected an integer in [0," "found '-16'" -- "$D/kv_blocks_negative.yaml"
run_fail "device spec" memory-tiny "hardware.memory_gib: 0.5 for an 8B model" "memory_tiny.yaml: hardware: the weights of llama-3.1-8b" "do not fit" -- "$D/memory_tiny.yaml"
run_fail "device spec" tiers-five "hardware.offload_tiers: five tiers" "tiers_five.yaml:4: hardware.offload_tiers: expected at most 4 tiers" -- "$D/tiers_five.yaml"
run_fail "device spec" interconnect-unknown "hardware.interconnect: nvlnk" "interconnect_unknown.yaml:2: hardware.interconnect: unknown link kind 'nvlnk' (did you mean 'nvlink'?)" -- "$D/interconnect_unknown.yaml"
run_fail "device spec" interconnect-medium "hardware.interconnect: nvswitch on a PCIe card" "interconnect_medium.yaml:2: hardware.interconnect: kind 'nvswitch' is not the medium of device link 'pcie-host-bridge'" -- "$D/interconnect_medium.yaml"
run_fail "device spec" interconnect-typo "hardware.interconnect.bandwith_gbps (typo)" "interconnect_typo.yaml:2: hardware.interconnect.bandwith_gbps: unknown key (did you mean 'bandwidth_gbps'?)" -- "$D/interconnect_typo.yaml"
run_fail "device spec" interconnect-bandwidth-zero "hardware.interconnect: {bandwidth_gbps: 0}" "interconnect_bandwidth_zero.yaml:2: hardware.interconnect.bandwidth_gbps: expected a number in (0, 1e+06], found '0'" -- "$D/interconnect_bandwidth_zero.yaml"
run_fail "device spec" interconnect-list "hardware.interconnect: [pcie-switch]" "interconnect_list.yaml:2: hardware.interconnect: expected a link kind or {kind, bandwidth_gbps, latency_us}, found a list" -- "$D/interconnect_list.yaml"
run_fail "device spec" interconnect-no-link "a PCIe kind on a device without a link, no bandwidth" "interconnect_no_link.yaml:2: hardware.interconnect.bandwidth_gbps: required when the kind changes the medium" -- "$D/interconnect_no_link.yaml"
run_fail "device spec" interconnect-empty "hardware.interconnect: {}" "interconnect_empty.yaml:2: hardware.interconnect: expected at least one of kind, bandwidth_gbps, latency_us" -- "$D/interconnect_empty.yaml"
run_ok "device spec" interconnect-override "hardware.interconnect: {kind: pcie-switch, latency_us: 8} at TP 2" "a kind of the device's medium keeps its bandwidth (hardware/hardware_yaml.cpp)" completed=5 -- "$D/interconnect_override.yaml" -q
run_fail "device spec" idle-above-max "hardware.idle_power_w: 800 on a 700 W device" "idle_above_max.yaml:2: hardware.idle_power_w: idle power at most max power, found idle 800 W > max 700 W" -- "$D/idle_above_max.yaml"
run_fail "device spec" idle-without-max "hardware.idle_power_w on a device with no power figures" "idle_without_max.yaml:2: hardware.max_power_w: required (W, > 0) with idle_power_w: device a10g has no power figures" -- "$D/idle_without_max.yaml"
run_fail "device spec" price-negative "hardware.price_per_hour_usd: -2" "price_negative.yaml:2: hardware.price_per_hour_usd: expected a number in [0, 1e+06], found '-2'" -- "$D/price_negative.yaml"
run_fail "device spec" max-power-nan "hardware.max_power_w: .nan" "max_power_nan.yaml:2: hardware.max_power_w" "found '.nan'" -- "$D/max_power_nan.yaml"
run_fail "device spec" draft-device-unknown "speculative.draft_device: h100" "draft_device_unknown.yaml: speculative.draft_device: unknown device 'h100'" -- "$D/draft_device_unknown.yaml"

# ---- overload: far above capacity, stopped by the simulation limits with a report
run_ok overload max-time "10,000 req/s on one H100, unbounded queue, max_time_s: 2" "stops at max_time_s: truncated, the rest in flight" truncated=true in_flight_at_end\>0 rejected=0 conserved "stdout~(stopped at simulation.max_time_s; " -- "$O/max_time.yaml"
run_ok overload max-waiting "5,000 requests at once, max_waiting: 64" "arrivals to a full queue rejected and counted" truncated=false rejected_queue_full\>0 in_flight_at_end=0 arrived=5000 conserved -- "$O/max_waiting.yaml" -q
run_ok overload max-requests "10^9 requests at 10,000 req/s, max_requests: 40" "only 40 pulled, all served" arrived=40 completed=40 truncated=false conserved -- "$O/max_requests.yaml" -q

# ---- horizon: times past 2^61 ns (~73 years) stop the run with a report, never overflow
run_ok horizon rate-tiny "50 requests at 1e-12 req/s" "the run stops at the horizon; the 49 later requests counted as not arrived" horizon_exceeded=true truncated=true arrived=1 requested=50 conserved times_ok "stderr~reached the simulation horizon" "stdout~(stopped at the simulation horizon; 49 not arrived)" -- "$H/rate_tiny.yaml"
run_ok horizon time-scale-tiny "a trace replayed at time_scale 1e-12" "arrivals past the horizon counted, none at a negative time" horizon_exceeded=true arrived=1 requested=3 conserved times_ok -- "$(ts time-scale-tiny azure "$T/azure_valid.csv")" --set workload.time_scale=1e-12
run_ok horizon think-huge "closed loop, exponential think time with a 1e9 s mean" "second requests past the horizon counted as not arrived" horizon_exceeded=true requested=100 not_arrived\>0 conserved times_ok -- "$H/think_huge.yaml"
run_ok horizon tier-slow "a 1e-9 GB/s offload tier" "the first step is priced at the horizon, the run stops there" horizon_exceeded=true completed=0 conserved times_ok -- "$H/tier_slow.yaml"
run_ok horizon max-time-tiny "simulation.max_time_s: 1e-6, inside the first step" "utilization counts the simulated microsecond only" truncated=true mfu\<=1 mbu\<=1 conserved times_ok -- "$H/max_time_tiny.yaml"
run_fail horizon read-kib-tiny "offload.read_kib: 1e-300" "read_kib_tiny.yaml:5: offload.read_kib: expected a number in [0.5, 1e+09], found '1e-300'" -- "$H/read_kib_tiny.yaml"
run_fail horizon replicas-huge "100,000 replicas with prefix caching" "replicas_huge.yaml: hardware.replicas: 100000 replicas x 28345 KV blocks need" "over the simulator's budget of 16384 MiB" -- "$H/replicas_huge.yaml"
accept horizon capacity-unmeetable "capacity --slo p99_ttft_ms=1 (no rate meets it)" "no_rate_meets_slo, never a rate near 0 reported ok" "stdout~no rate meets the SLOs" -- capacity "$H/rate_tiny.yaml" --set workload.rate_per_s=8 --set workload.num_requests=40 --slo p99_ttft_ms=1 --out "$tmp/out-capacity-unmeetable"
run_fail horizon think-beyond "think_time_s: 1e10, past the horizon" "think_beyond.yaml: workload.think_time_s: expected a time in seconds from 0 to below the simulation horizon" -- "$H/think_beyond.yaml"

# ---- resource limits: a 64 MiB trace line is refused without being held (peak RSS)
if [ -z "$listing" ]; then
  if [ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1; then
    peak_kib() {  # peak RSS of `servesim run SCENARIO` in KiB
      /usr/bin/time -v "$bin" run "$1" --out "$tmp/out-rss" -q 2>&1 >/dev/null |
        sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\).*/\1/p'
    }
    small=$(peak_kib "$tmp/bom-crlf.yaml")
    big=$(peak_kib "$tmp/gigantic.yaml")
    # The old reader held the whole line twice (getline's buffer growth): > 128 MiB more.
    if [ -n "$small" ] && [ -n "$big" ] && [ $((big - small)) -lt 16384 ]; then
      report 1 gigantic-line-rss ""
    else
      report 0 gigantic-line-rss "peak RSS ${big:-?} KiB with a 64 MiB line vs ${small:-?} KiB for a small trace (want < 16 MiB more)"
    fi
    # yaml-cpp's tree of the 15 MiB list alone took 3.7 GB; counted first, it is never built.
    long=$(peak_kib "$tmp/long_list.yaml")
    if [ -n "$small" ] && [ -n "$long" ] && [ $((long - small)) -lt 98304 ]; then
      report 1 long-list-rss ""
    else
      report 0 long-list-rss "peak RSS ${long:-?} KiB for the 15 MiB list vs ${small:-?} KiB for a small scenario (want < 96 MiB more)"
    fi
  else
    echo "SKIP gigantic-line-rss, long-list-rss: /usr/bin/time -v is not available to measure peak memory"
  fi
else
  row "resource limits" gigantic-line-rss "peak memory while refusing the 64 MiB line" "peak RSS < 16 MiB above a small trace's (skipped without /usr/bin/time)"
  row "resource limits" long-list-rss "peak memory while refusing the 15 MiB list" "peak RSS < 96 MiB above a small scenario's (skipped without /usr/bin/time)"
fi

if [ -n "$listing" ]; then exit 0; fi
echo "bad_input_corpus: $ran cases run, $passed passed, $failed failed; $known known bugs (reported, not counted as failures)"
[ "$failed" -eq 0 ]
