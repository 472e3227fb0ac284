#!/usr/bin/env bash
# CPU per acknowledged write of a running 3-server cluster, the way docs/performance.md defines it:
# utime + stime of every cluster process (children of `synod up`, the bench not counted) over one
# bench command, divided by the writes it had acknowledged.
#
# Usage: scripts/cpu-per-write.sh [LABEL] [CLIENTS] [SERVERS]   (run from a checkout whose jar you want
# to measure; SERVERS defaults to 3)
# Starts `./synod up --servers SERVERS --bots 0` (rate limits off: one client may send any amount) on fixed loopback ports 28555-28605 (nothing else may
# use them), loads it for 25 s (64 clients or more, then CLIENTS), measures 10 s, stops it, prints one line for people and one
# `RESULT synod-cpu ...` line of key=value pairs for scripts (scripts/bench-compare.sh). Alternate two checkouts to
# compare them (before, after, before, after): single runs move by a third on two shared cores.
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
# The JIT compiles the hot paths during the warm-up: with one client it still took 40-50% of the cluster's CPU
# after 30 s (2026-12-06), so the warm-up always runs 64 clients, then the measured count for 5 s.
echo "cpu-per-write: $label: warming up 25 s" >&2
bench warm --clients $((clients > 64 ? clients : 64)) --warmup 2s --duration 20s > /dev/null
bench warm-measured --clients "$clients" --warmup 500ms --duration 5s > /dev/null
kids=""
for p in $(pgrep -P $up || true); do kids="$kids $p $(pgrep -P "$p" | tr '\n' ' ' || true)"; done
ticks() { local t=0; for p in $kids; do [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat"))); done; echo $t; }
before=$(ticks)
echo "cpu-per-write: $label: measuring 10 s" >&2
bench measured --clients "$clients" --warmup 500ms --duration 10s > "$run/measured.json"
after=$(ticks)
/usr/bin/env python3 - "$run/measured.json" "$before" "$after" "$label" "$servers" "$clients" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
ticks = int(sys.argv[3]) - int(sys.argv[2])
writes = d["acked_writes"] * 10.5 / 10  # the 0.5 s warm-up's writes, at the measured rate
cpu_ms = ticks * 1000.0 / os.sysconf("SC_CLK_TCK") / writes
print("%s: acked/s %.0f p50 %.2f ms p99 %.2f ms cluster CPU per write %.3f ms"
      % (sys.argv[4], d["acked_per_s"], d["p50_ms"], d["p99_ms"], cpu_ms))
print("RESULT synod-cpu label=%s servers=%s clients=%s acked_per_s=%.0f p50_ms=%s p99_ms=%s cpu_ms_per_write=%.3f errors=%s"
      % (sys.argv[4], sys.argv[5], sys.argv[6], d["acked_per_s"], d["p50_ms"], d["p99_ms"], cpu_ms, d.get("errors")))
PY
