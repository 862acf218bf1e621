#!/usr/bin/env bash
# Includes point down only (../shared/DESIGN.md, README.md "Layout"): each folder may include
# the folders listed beside it and itself, nothing else. Fails naming the file and the include.
# Usage: tests/cli/layering_test.sh [repo root]
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root"
declare -A allowed=(
  [models]="models"
  [workloads]="workloads models"
  [hardware]="hardware models"
  [policies]="policies hardware models workloads sim/core/kernel.h"
  [sim/core]="sim/core policies hardware models workloads"
  [sim/config]="sim/config sim/core policies hardware models workloads"
  [sim/output]="sim/output sim/core policies hardware models workloads"
  [sim/app]="sim/app sim/config sim/output sim/core policies hardware models workloads"
)
bad=0
for dir in "${!allowed[@]}"; do
  while IFS= read -r hit; do
    file=${hit%%:*}
    inc=$(sed -E 's/.*#include "([^"]+)".*/\1/' <<<"${hit#*:}")
    ok=0
    for a in ${allowed[$dir]}; do
      case "$inc" in "$a"/* | "$a") ok=1 ;; esac
    done
    # Headers of the same folder by bare name are not ours to check (none exist today).
    if [ $ok = 0 ] && [[ "$inc" == */* ]]; then
      echo "layering: $file includes $inc (allowed from $dir: ${allowed[$dir]})"
      bad=1
    fi
  done < <(grep -rn --include=*.h --include=*.cpp '^#include "' "$dir" | sed -E 's/^([^:]+):[0-9]+:/\1:/')
done
[ $bad = 0 ] && echo "layering: ok"
exit $bad
