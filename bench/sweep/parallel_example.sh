#!/usr/bin/env bash
# A servesim sweep split across hosts with GNU parallel: shard i of N runs on whichever host has a
# free slot, writing OUT/shard_i; then `servesim merge` combines the shards into OUT/merged
# (byte-identical to running the grid in one process).
#
# Usage, from the repository root:
#   HOSTS=hosts.txt SHARDS=8 bash bench/sweep/parallel_example.sh
# hosts.txt has one ssh login per line, prefixed by the shards a host runs at once, e.g.
# "1/alice@node1" (one shard at a time, each using all that host's cores; ":" is this machine).
# Every host needs servesim on its PATH (or SERVESIM set to its path), the repository at the same
# path, and OUT on a filesystem all hosts share. Without HOSTS the shards run here, one at a time.
# Environment: SERVESIM, SCENARIO, OUT, SHARDS, HOSTS; edit VARY.
set -euo pipefail
SERVESIM=${SERVESIM:-servesim}
SCENARIO=${SCENARIO:-scenarios/default.yaml}
OUT=${OUT:-$PWD/results/sweep}
SHARDS=${SHARDS:-8}
HOSTS=${HOSTS:-}
VARY=(--vary scheduler.max_num_seqs=16,32,64,128,256 --vary workload.rate_per_s=2,4,6,8,10,12,14,16)

remote=()
if [ -n "$HOSTS" ]; then remote=(--sshloginfile "$HOSTS" --workdir "$PWD"); fi
mkdir -p "$OUT"
# -q passes every argument as it is (no re-splitting by a remote shell); {} is the shard index.
parallel --will-cite -q -j 1 --halt now,fail=1 ${remote[@]+"${remote[@]}"} \
  "$SERVESIM" sweep "$SCENARIO" "${VARY[@]}" --shard "{}/$SHARDS" --out "$OUT/shard_{}" \
  ::: $(seq 0 $((SHARDS - 1)))
"$SERVESIM" merge "$OUT"/shard_* --out "$OUT/merged"
echo "merged $SHARDS shards into $OUT/merged/sweep.csv"
