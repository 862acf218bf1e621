#!/usr/bin/env bash
#SBATCH --job-name=servesim-sweep
#SBATCH --cpus-per-task=16
#SBATCH --time=01:00:00
#SBATCH --output=servesim-sweep-%A_%a.log
# A servesim sweep split across a Slurm job array: array task i runs shard i/N of the grid into
# OUT/shard_i, and a job that depends on the whole array merges the shards into OUT/merged
# (byte-identical to running the grid in one process).
#
# Submit from the repository root (OUT must be on a filesystem the compute nodes share):
#   SHARDS=16 OUT=$PWD/results/sweep bash bench/sweep/sbatch_example.sh
# Environment: SERVESIM (binary, default servesim on PATH), SCENARIO, OUT, SHARDS; edit VARY.
set -euo pipefail
SERVESIM=${SERVESIM:-servesim}
SCENARIO=${SCENARIO:-scenarios/default.yaml}
OUT=${OUT:-$PWD/results/sweep}
SHARDS=${SHARDS:-16}
VARY=(--vary scheduler.max_num_seqs=16,32,64,128,256 --vary workload.rate_per_s=2,4,6,8,10,12,14,16)

if [ -z "${SLURM_ARRAY_TASK_ID:-}" ]; then
  # Not inside the array: submit it, then the merge, which runs once every shard has succeeded.
  mkdir -p "$OUT"
  export SERVESIM SCENARIO OUT SHARDS
  array=$(sbatch --parsable --array=0-$((SHARDS - 1)) --export=ALL "$0")
  sbatch --dependency=afterok:"$array" --job-name=servesim-merge --output="$OUT/merge.log" \
    --export=ALL --wrap "$SERVESIM merge $OUT/shard_* --out $OUT/merged"
  echo "submitted shard array $array ($SHARDS tasks) and its merge into $OUT/merged"
  exit 0
fi

# One array task: one shard on all the CPUs Slurm gave it.
jobs=()
if [ -n "${SLURM_CPUS_PER_TASK:-}" ]; then jobs=(--jobs "$SLURM_CPUS_PER_TASK"); fi
"$SERVESIM" sweep "$SCENARIO" "${VARY[@]}" --shard "$SLURM_ARRAY_TASK_ID/$SHARDS" \
  ${jobs[@]+"${jobs[@]}"} --out "$OUT/shard_$SLURM_ARRAY_TASK_ID"
