#!/usr/bin/env bash
# Every command the documentation shows runs: an example that rots is a bug.
#
# Extracts the command lines of the fenced code blocks of README.md and scenarios/README.md
# (continuation lines joined, trailing "# ..." comments dropped) and the complete inline commands
# (`servesim list ...`), and runs each from a scratch directory holding a link to scenarios/, so
# outputs land there. Inline spans with placeholders (FILE, KEY=V1,..., [--opt]) are synopses,
# not commands, and are not run. Each command must exit 0.
#
# The quick start's example traces (t.csv, requests.csv) are written into the scratch directory.
# Placeholders inside example commands are bound to real inputs below (a device whose
# measurements ../shared/data holds for NEW, the Vidur CSVs for mlp*.csv, ...); a command that
# still holds an unbound placeholder fails the test, so a new example needs a binding here.
# Commands that read ../shared/data ($SERVESIM_DATA, else the checkout's sibling) are skipped with a
# message when it is absent.
# `bash .ci/...` (install and build) is what CI itself runs; only the servesim part of that line
# runs here.
#
# Usage: readme_commands_test.sh path/to/servesim path/to/build_dir
set -u
bin=$(realpath "${1:?usage: readme_commands_test.sh path/to/servesim path/to/build_dir}")
build=$(realpath "${2:?usage: readme_commands_test.sh path/to/servesim path/to/build_dir}")
repo=$(cd "$(dirname "$0")/../.." && pwd)
data=${SERVESIM_DATA:-$repo/../shared/data}  # as tests/support/shared_data.h
[ -d "$data/measured" ] || data=""
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ln -s "$repo/scenarios" "$tmp/scenarios"
# The traces README.md's quick start replays: Vidur's column names, and other names for --columns.
printf 'arrived_at,num_prefill_tokens,num_decode_tokens\n0,900,120\n0.4,1500,80\n1.1,300,200\n' >"$tmp/t.csv"
printf 'ts,in,out\n0,900,120\n0.4,1500,80\n1.1,300,200\n' >"$tmp/requests.csv"
ran=0
failed=0
skipped=0

# The command lines of the fenced blocks of FILE, one per line, "LINE<TAB>COMMAND".
fenced_commands() {
  awk '
    /^```/ { in_block = !in_block; next }
    !in_block { next }
    {
      line = $0
      if (pending == "") start = NR
      sub(/[ \t]+#.*$/, "", line)           # a trailing comment
      if (line ~ /^[ \t]*#/ || line ~ /^[ \t]*$/) { if (pending == "") next }
      if (line ~ /\\$/) { sub(/\\$/, "", line); pending = pending line; next }
      print start "\t" pending line
      pending = ""
    }' "$1"
}

# The complete inline commands of FILE: `servesim list WORD`.
inline_commands() {
  grep -n -o '`servesim list [a-z]*`' "$1" | sed 's/^\([0-9]*\):`\(.*\)`$/\1\t\2/'
}

# COMMAND with its placeholders bound; prints nothing when it needs data that is not there.
bind() {
  local c=$1
  case "$c" in
    *scenarios/vidur_* | *mlp\*.csv* | *steps.csv* | build/validation*)
      [ -n "$data" ] || return 0
      local m=$data/measured
      c=${c//NEW/a100-80gb}
      c=${c//mlp\*.csv/$m/vidur_a100/Llama-2-7b-hf_ops.csv}
      c=${c//attention.csv/$m/vidur_a100/attention_8192h_64q_8kv_tp2.csv}
      c=${c//all_reduce.csv/$m/vidur_network/a100_dgx/all_reduce.csv}
      c=${c//steps.csv/$m/splitwise_a100_steps.csv}
      ;;
  esac
  c=${c//path\/to\/config.json/$repo/tests/cli/bad_inputs/config/valid.json}
  c=${c#bash .ci/deps && cmake -S . -B build -G Ninja && cmake --build build && }
  printf '%s' "$c"
}

run_one() {  # run_one WHERE COMMAND
  local where=$1 cmd=$2 bound
  if [ "$cmd" = "bash .ci/test" ]; then return; fi  # the test command itself: CI runs it
  bound=$(bind "$cmd")
  if [ -z "$bound" ]; then
    skipped=$((skipped + 1))
    echo "SKIP $where: needs ../shared/data (or SERVESIM_DATA): $cmd"
    return
  fi
  if [[ "$bound" =~ (^|[^A-Za-z_])(NEW|FILE|DIR|KEY)([^A-Za-z_]|$) ]] || [[ "$bound" == *path/to/* ]]; then
    failed=$((failed + 1))
    echo "FAIL $where: unbound placeholder (add a binding in $0): $cmd"
    return
  fi
  local prog=${bound%% *} rest=${bound#* }
  case "$prog" in
    servesim | build/servesim | ./build/servesim) prog=$bin ;;
    build/validation | ./build/validation) prog=$build/validation ;;
    *)
      failed=$((failed + 1))
      echo "FAIL $where: not a servesim command, nothing here knows how to run it: $cmd"
      return
      ;;
  esac
  [ "$rest" = "$bound" ] && rest=""
  ran=$((ran + 1))
  local out
  # Word splitting of the documented line is the shell's, as a reader pasting it would get.
  out=$(cd "$tmp" && eval "\"\$prog\" $rest" 2>&1 >/dev/null)
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    failed=$((failed + 1))
    echo "FAIL $where (exit $rc): $cmd"
    printf '%s\n' "$out" | head -5 | sed 's/^/    /'
  fi
}

for doc in README.md scenarios/README.md; do
  while IFS=$'\t' read -r line cmd; do
    run_one "$doc:$line" "$cmd"
  done < <(fenced_commands "$repo/$doc"; inline_commands "$repo/$doc")
done

echo "readme_commands: $ran commands run, $failed failed, $skipped skipped"
[ "$ran" -gt 0 ] && [ "$failed" -eq 0 ]
