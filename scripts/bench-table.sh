#!/usr/bin/env bash
# Alternates two checkouts over the standard bench configurations and prints one line per run, so a
# change is judged against its baseline measured in the same session (docs/performance.md).
#
# Usage: scripts/bench-table.sh BASE_CHECKOUT NEW_CHECKOUT [ROUNDS]
# Each checkout builds its own jar on first use (./synod). Every run starts its own cluster on free
# loopback ports (./synod bench --servers S) and stops it; a round is 10 runs of about 30 s each.
set -uo pipefail
base=${1:?usage: bench-table.sh BASE_CHECKOUT NEW_CHECKOUT [ROUNDS]}
new=${2:?usage: bench-table.sh BASE_CHECKOUT NEW_CHECKOUT [ROUNDS]}
rounds=${3:-2}
configs=("3 64 publish" "3 1 publish" "1 64 publish" "1 1 publish" "3 1 fanout")
for round in $(seq 1 "$rounds"); do
  for cfg in "${configs[@]}"; do
    read -r servers clients workload <<< "$cfg"
    for side in base new; do
      dir=$base
      [ "$side" = new ] && dir=$new
      line=$(cd "$dir" && ./synod bench --servers "$servers" --clients "$clients" --workload "$workload" \
        --warmup 2s --duration 10s --json 2>/dev/null | tail -1)
      summary=$(printf '%s' "$line" | /usr/bin/env python3 -c '
import json, sys
try:
    d = json.loads(sys.stdin.read())
    print("acked/s=%s p50=%s p99=%s deliveries/s=%s errors=%s"
          % (d.get("acked_per_s"), d.get("p50_ms"), d.get("p99_ms"), d.get("deliveries_per_s"), d.get("errors")))
except ValueError as e:
    print("unparsed:", e)')
      echo "$side servers=$servers clients=$clients workload=$workload round=$round $summary"
    done
  done
done
