#!/usr/bin/env bash
# Randomized kill -9 test of whole-or-absent outputs (sim/output/output_dir.h): runs two different
# scenarios (A, B: other seeds, sizes and files) into one --out directory, kills each run at a
# random moment, and checks what the directory holds after every kill:
#   - a summary.json there is byte for byte a complete run's (A's or B's, run once beforehand with
#     output.wall_clock off, so a run's bytes are known), and every other output beside it is that
#     same run's, byte for byte; a file that run does not write is absent;
#   - without summary.json, every output file present is whole: some complete run's bytes;
#   - the next run is never refused (a killed run's lock dies with it).
# A last run to completion must leave exactly the reference files and no temporaries.
# Usage: output_kill_test.sh path/to/servesim [SEED]   (about 20 s; SEED replays a failure)
set -u
bin=${1:?usage: output_kill_test.sh path/to/servesim [SEED]}
seed=${2:-$(date +%s)}
RANDOM=$seed
here=$(cd "$(dirname "$0")" && pwd)
scenario=$here/../../scenarios/default.yaml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() {
  failed=$((failed + 1))
  echo "FAIL (seed $seed, kill $i): $*"
}

common=(run "$scenario" -q --set output.wall_clock=false)
args_A=("${common[@]}" --set seed=1 --set workload.num_requests=6000)
args_B=("${common[@]}" --set seed=2 --set workload.num_requests=9000
  --set output.steps_csv=false --html)
family=(summary.json requests.csv steps.csv report.html trace.json)
run() {  # run A|B DIR
  if [ "$1" == A ]; then "$bin" "${args_A[@]}" --out "$2"; else "$bin" "${args_B[@]}" --out "$2"; fi
}
i=0
span_ms=0
for r in A B; do
  start=$(date +%s%N)
  run $r "$tmp/ref$r" || { echo "FAIL: reference run $r"; exit 1; }
  ms=$((($(date +%s%N) - start) / 1000000))
  [ $ms -gt $span_ms ] && span_ms=$ms
done
# Kill moments spread over a run and a bit beyond (some runs finish first).
span_ms=$((span_ms * 12 / 10 + 5))

# Which reference `file` equals byte for byte (A or B), or nothing.
same_as() {
  local r
  for r in A B; do
    if [ -e "$tmp/ref$r/$2" ] && cmp -s "$1" "$tmp/ref$r/$2"; then
      echo $r
      return
    fi
  done
}

check_dir() {
  local d=$1 f ref
  if [ -e "$d/summary.json" ]; then
    ref=$(same_as "$d/summary.json" summary.json)
    [ -n "$ref" ] || { fail "summary.json is no complete run's"; return; }
    for f in "${family[@]}"; do
      if [ -e "$tmp/ref$ref/$f" ]; then
        cmp -s "$d/$f" "$tmp/ref$ref/$f" || fail "$f beside run $ref's summary.json is not run $ref's"
      elif [ -e "$d/$f" ]; then
        fail "$f beside run $ref's summary.json, which does not write it"
      fi
    done
    complete=$((complete + 1))
  else
    for f in "${family[@]}"; do
      if [ -e "$d/$f" ] && [ -z "$(same_as "$d/$f" "$f")" ]; then
        fail "$f without summary.json is torn (no complete run's bytes)"
      fi
    done
    absent=$((absent + 1))
  fi
}

complete=0
absent=0
out=$tmp/out
while [ $i -lt 60 ] && [ $SECONDS -lt 20 ]; do
  i=$((i + 1))
  r=$([ $((RANDOM % 2)) -eq 0 ] && echo A || echo B)
  if [ $r == A ]; then cmd=("${args_A[@]}"); else cmd=("${args_B[@]}"); fi
  "$bin" "${cmd[@]}" --out "$out" 2>"$tmp/err" &  # $! is servesim itself, not a subshell
  pid=$!
  delay_ms=$((RANDOM % span_ms))
  sleep "$((delay_ms / 1000)).$(printf '%03d' $((delay_ms % 1000)))"
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
  rc=$?
  if [ $rc -ne 0 ] && [ $rc -ne 137 ]; then
    fail "run $r exited $rc: $(cat "$tmp/err")"
  fi
  check_dir "$out"
done

run A "$out" || fail "the last run failed"
listing=$(cd "$out" && ls -A | tr '\n' ' ')
[ "$listing" == "requests.csv steps.csv summary.json " ] || fail "after a complete run: $listing"
check_dir "$out"
echo "output_kill_test: seed $seed, $i kills ($complete left a complete run, $absent none), $failed failures"
[ $failed -eq 0 ]
