#!/usr/bin/env bash
# Colocated vs disaggregated prefill/decode at equal GPU count (4 x H100, Llama-3-8B) on the Azure
# conversation trace (first 2,000 requests), over replay rates: goodput per GPU under TTFT and
# TPOT SLOs (a request is good when both hold), p99 TTFT and TPOT, and the KV link's load.
# Prints a Markdown table (bench/results/disaggregation.md holds its output).
#
# Usage: bench/disagg_compare.sh path/to/servesim [TTFT_MS] [TPOT_MS]
set -eu
bin=${1:?usage: disagg_compare.sh path/to/servesim [TTFT_MS] [TPOT_MS]}
ttft=${2:-200}
tpot=${3:-20}
here=$(cd "$(dirname "$0")/.." && pwd)
scenario=$here/scenarios/disagg_llama3_8b_h100.yaml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
field() { python3 -c "import json,sys; d=json.load(open('$1')); print(eval(sys.argv[1]))" "$2"; }
echo "| rate x | config | goodput/GPU (req/s) | SLO attainment | p99 TTFT ms | p99 TPOT ms | mean handoff ms | link util |"
echo "|---|---|---|---|---|---|---|---|"
for scale in 2 4 6 8; do
  for cfg in colocated-4 disagg-2p2d disagg-3p1d disagg-1p3d; do
    set -- --set workload.time_scale=$scale --set output.slo.ttft_ms=$ttft --set output.slo.tpot_ms=$tpot \
      --set output.requests_csv=false --set output.steps_csv=false
    case $cfg in
      colocated-4) set -- "$@" --set "serving={path: colocated, pool: prefill}" --set pools.prefill.hardware.replicas=4 ;;
      disagg-2p2d) ;;
      disagg-3p1d) set -- "$@" --set pools.prefill.hardware.replicas=3 --set pools.decode.hardware.replicas=1 ;;
      disagg-1p3d) set -- "$@" --set pools.prefill.hardware.replicas=1 --set pools.decode.hardware.replicas=3 ;;
    esac
    "$bin" run "$scenario" "$@" --out "$tmp/$cfg-$scale" -q
    s=$tmp/$cfg-$scale/summary.json
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$scale" "$cfg" \
      "$(field "$s" "round(d['request_goodput']/4, 3)")" \
      "$(field "$s" "round(d['slo_attainment'], 3)")" \
      "$(field "$s" "round(d['p99_ttft_ms'], 1)")" \
      "$(field "$s" "round(d['p99_tpot_ms'], 2)")" \
      "$(field "$s" "round(d['kv_transfer']['mean_handoff_ms'], 2) if 'kv_transfer' in d else '-'")" \
      "$(field "$s" "round(d['kv_transfer']['link_utilization'], 4) if 'kv_transfer' in d else '-'")"
  done
done
