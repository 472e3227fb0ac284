#!/usr/bin/env bash
# CPU per acknowledged write of a running cluster, the way docs/performance.md defines it: utime + stime
# of every cluster process (children of `synod up`, the bench not counted) over one bench command,
# divided by the writes it had acknowledged. Measured in the steady state, once the JIT has settled.
#
# Usage: scripts/cpu-per-write.sh [LABEL] [CLIENTS] [SERVERS]   (run from a checkout whose jar you want
# to measure; CLIENTS may be a list, "64,1,256", measured in turn on the same cluster; SERVERS defaults to 3)
# Starts `./synod up --servers SERVERS --bots 0` (rate limits off: one client may send any amount) on fixed
# loopback ports 28555-28605 (nothing else may use them), then:
#   1. warms it up in 10 s rounds, the first of 64 clients, then of each listed count in turn (64, 1, 256, 64, ...),
#      until the JIT has settled: the cluster's compiler threads used under JIT_SETTLED_PCT (3) % of its CPU in
#      each of the last rounds, one per listed count, after at least WARMUP_MIN_S (30) and at most WARMUP_MAX_S
#      (180) seconds. On two shared cores the servers' C2 threads compile for 60-120 s under load, and until then
#      they take up to half of the cluster's CPU (docs/performance.md, "Warm-up"); a load of another shape than
#      the one compiled for (64 clients after 256) sends methods back to be compiled again, so every shape to
#      measure is warmed. The first round is printed as a `RESULT synod-cold` line;
#   2. for each client count: 5 s of load at that count, then 10 s measured.
# Prints one line for people and one `RESULT synod-cpu ...` line of key=value pairs per count for scripts
# (scripts/bench-compare.sh). Alternate two checkouts to compare them (before, after, before, after):
# single runs move by a fifth on two shared cores.
set -euo pipefail
label=${1:-run}
clients=${2:-64}
servers=${3:-3}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
run=$(mktemp -d "${TMPDIR:-/tmp}/synod-cpu-$label-XXXXXX")
cd "$root"
./synod up --servers "$servers" --bots 0 --no-web --rate-limit-user-writes-per-s 0 \
  --rate-limit-connection-requests-per-s 0 --run-dir "$run/cluster" --broker-port 28555 --proxy-port 28557 \
  --reference-port 28559 --admin-port 28581 --paxos-port 28591 --peer-port 28601 > "$run/up.log" 2>&1 &
up=$!
# The cluster's logs and stores take about half a gigabyte per run: kept only with CPU_PER_WRITE_KEEP=1.
trap 'kill -TERM $up 2>/dev/null || true; wait $up 2>/dev/null || true; [ "${CPU_PER_WRITE_KEEP:-0}" = 1 ] || rm -rf "$run"' EXIT
for _ in $(seq 1 120); do grep -q "synod ready" "$run/up.log" && break; sleep 1; done
grep -q "synod ready" "$run/up.log" || { echo "cpu-per-write: the cluster did not start (see $run/up.log)" >&2; exit 1; }
bench() { ./synod bench --broker tcp://127.0.0.1:28555 --proxy tcp://127.0.0.1:28558 --json --results "$run/$1" \
  "${@:2}" 2>/dev/null | tail -1; }
kids=""
for p in $(pgrep -P $up || true); do kids="$kids $p $(pgrep -P "$p" | tr '\n' ' ' || true)"; done
# "TOTAL JIT": clock ticks of every cluster process, and of their JIT compiler threads
ticks() {
  local total=0 jit=0 task comm t
  for p in $kids; do
    [ -r "/proc/$p/stat" ] && total=$((total + $(awk '{print $14+$15}' "/proc/$p/stat")))
    for task in /proc/$p/task/*; do
      read -r comm < "$task/comm" 2> /dev/null || continue # no fork per thread: a JVM has dozens
      case "$comm" in
        C1\ Compiler*|C2\ Compiler*)
          t=$(awk '{sub(/^.*\) /, ""); print $12+$13}' "$task/stat" 2>/dev/null) && jit=$((jit + t)) ;;
      esac
    done
  done
  echo "$total $jit"
}
IFS=, read -r -a counts <<< "$clients"
settled_pct=${JIT_SETTLED_PCT:-3}
warm_min=${WARMUP_MIN_S:-30}
warm_max=${WARMUP_MAX_S:-180}
warmed=0
round=0
settled_rounds=0 # consecutive rounds, up to now, whose JIT share was under settled_pct
while :; do
  round=$((round + 1))
  read -r t0 j0 <<< "$(ticks)"
  # the first round is the cold figure, at 64 clients like etcd's row it sits beside; then each count in turn
  warm_clients=$([ "$round" = 1 ] && echo 64 || echo "${counts[$(( (round - 2) % ${#counts[@]} ))]}")
  bench "warm-$round" --clients "$warm_clients" --warmup 500ms --duration 10s > "$run/warm-$round.json"
  read -r t1 j1 <<< "$(ticks)"
  warmed=$((warmed + 10))
  jit_pct=$(( (j1 - j0) * 100 / ((t1 - t0) > 0 ? (t1 - t0) : 1) ))
  if [ "$round" = 1 ]; then
    /usr/bin/env python3 - "$run/warm-1.json" "$t0" "$t1" "$label" "$servers" 64 "$j0" "$j1" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
ticks, jit = int(sys.argv[3]) - int(sys.argv[2]), int(sys.argv[8]) - int(sys.argv[7])
writes = max(d["acked_writes"] * 10.5 / 10, 1)
print("RESULT synod-cold label=%s servers=%s clients=%s acked_per_s=%.0f p50_ms=%s p99_ms=%s cpu_ms_per_write=%.3f jit_pct=%.0f"
      % (sys.argv[4], sys.argv[5], sys.argv[6], d["acked_per_s"], d["p50_ms"], d["p99_ms"],
         ticks * 1000.0 / os.sysconf("SC_CLK_TCK") / writes, 100.0 * jit / max(ticks, 1)))
PY
  fi
  echo "cpu-per-write: $label: warming up, ${warmed} s ($warm_clients clients): JIT ${jit_pct} % of the cluster's CPU" >&2
  if [ "$round" -gt 1 ] && [ "$jit_pct" -lt "$settled_pct" ]; then settled_rounds=$((settled_rounds + 1)); else settled_rounds=0; fi
  if { [ "$warmed" -ge "$warm_min" ] && [ "$settled_rounds" -ge "${#counts[@]}" ]; } || [ "$warmed" -ge "$warm_max" ]; then
    break
  fi
done
for count in "${counts[@]}"; do
  bench "warm-c$count" --clients "$count" --warmup 500ms --duration 5s > /dev/null
  read -r before jit_before <<< "$(ticks)"
  echo "cpu-per-write: $label: measuring $count clients, 10 s" >&2
  bench "measured-c$count" --clients "$count" --warmup 500ms --duration 10s > "$run/measured-c$count.json"
  read -r after jit_after <<< "$(ticks)"
  /usr/bin/env python3 - "$run/measured-c$count.json" "$before" "$after" "$label" "$servers" "$count" \
    "$jit_before" "$jit_after" "$warmed" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
ticks = int(sys.argv[3]) - int(sys.argv[2])
writes = d["acked_writes"] * 10.5 / 10  # the 0.5 s warm-up's writes, at the measured rate
cpu_ms = ticks * 1000.0 / os.sysconf("SC_CLK_TCK") / writes
jit_pct = 100.0 * (int(sys.argv[8]) - int(sys.argv[7])) / max(ticks, 1)
print("%s: %s clients: acked/s %.0f p50 %.2f ms p99 %.2f ms cluster CPU per write %.3f ms (JIT %.0f %% of it)"
      % (sys.argv[4], sys.argv[6], d["acked_per_s"], d["p50_ms"], d["p99_ms"], cpu_ms, jit_pct))
print("RESULT synod-cpu label=%s servers=%s clients=%s acked_per_s=%.0f p50_ms=%s p99_ms=%s cpu_ms_per_write=%.3f "
      "errors=%s warmup_s=%s jit_pct=%.1f"
      % (sys.argv[4], sys.argv[5], sys.argv[6], d["acked_per_s"], d["p50_ms"], d["p99_ms"], cpu_ms, d.get("errors"),
         sys.argv[9], jit_pct))
PY
done
