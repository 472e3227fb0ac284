#!/usr/bin/env bash
# Synod against the systems a user would pick instead, measured in one run on this machine, printed
# as one table of ratios (issue 25; docs/performance.md cites its output). Every performance claim in
# the docs and in closing notes comes from this table.
#
# Usage: scripts/bench-compare.sh [--background N] [--quick]
#   --background N  N busy-looping processes run for the whole comparison, the same for every system
#                   (how Synod degrades when another load takes CPU; 0 by default)
#   --quick         shorter phases (5 s measured instead of 10-15 s): a smoke run, not a figure to cite
#
# Needs what ../shared/anchors/setup.sh installs (etcd, NATS, Go; as root, once) and a built jar
# (./synod builds it on first use). Runs, in turn, on 127.0.0.1 only:
#   1. etcd 3.4, 3 members, fsync on (../shared/anchors/etcd3.sh, Go client only): 1 and 64 in flight,
#      and its three members' CPU per committed write;
#   2. NATS core fan-out, 1 publisher to 100 subscribers (the anchors' jnats load generator);
#   3. Synod: 3 servers with 64, 1 and 256 clients, 5 servers with 64, 3 servers with 64 and 1 again
#      (scripts/cpu-per-write.sh: cluster CPU per acknowledged write, in the steady state once the servers'
#      JIT has settled; the first 10 s of load after the start, while it compiles, are shown for
#      information), and fan-out to 100 subscribers twice: the proxy alone (./synod bench --workload
#      proxy-fanout: one publisher into a proxy of the bench's own, what the issue's target compares with
#      NATS core) and through a 3-server cluster (--workload fanout: bounded by consensus's writes/s x 100,
#      shown for information);
#   4. etcd again, as in 1.
# Bracketed: this machine's speed drifts by a fifth or more within minutes, so each side of the rows at 64
# clients and at 1 client is the mean of two samples around the same middle: Synod's 3-server runs before
# and after its 5-server run, etcd's runs before and after Synod's; the 5-server row compares with the same
# 3-server mean. Both samples of each are printed under the table. The 256-client row compares with the
# 64-client run on the same cluster, the proxy's fan-out with NATS core's single run.
# Each system's own processes are started and stopped by the step that uses them. About 13 minutes.
# The raw lines go to $COMPARE_OUT (default bench-results/compare-<time>), the table to stdout.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
anchors=${ANCHORS_DIR:-$root/../shared/anchors}
background=0
quick=0
while [ $# -gt 0 ]; do
  case "$1" in
    --background) background=${2:?--background needs a count}; shift 2 ;;
    --quick) quick=1; shift ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "bench-compare: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$background" in ''|*[!0-9]*) echo "bench-compare: --background takes a number" >&2; exit 2 ;; esac
[ -d "$anchors" ] || { echo "bench-compare: no anchors at $anchors (set ANCHORS_DIR)" >&2; exit 2; }
for tool in etcd etcdctl nats-server go mvn; do
  command -v "$tool" > /dev/null || { echo "bench-compare: '$tool' missing: run $anchors/setup.sh as root once" >&2; exit 2; }
done
out=${COMPARE_OUT:-$root/bench-results/compare-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
raw=$out/raw.txt
: > "$raw"
log() { echo "[$(date +%H:%M:%S)] bench-compare: $*" >&2; }

burners=()
stop_burners() { for p in "${burners[@]}"; do kill "$p" 2> /dev/null || true; done; burners=(); }
trap stop_burners EXIT
for _ in $(seq 1 "$background"); do
  (while :; do :; done) &
  burners+=($!)
done
[ "$background" -gt 0 ] && log "$background background busy loop(s) running"

dur=15; fan_dur=10
[ "$quick" = 1 ] && { dur=5; fan_dur=5; }

# etcd's RESULT and CPU lines, tagged with the run (1 before Synod, 2 after)
etcd_run() {
  local run=$1 log_file=$2
  (cd "$anchors" && JETCD=0 DUR=$dur ./etcd3.sh) > "$log_file" 2>&1 || log "etcd3.sh failed: see $log_file"
  grep -E '^(RESULT etcd3 |INFO go-concurrent servers_cpu)' "$log_file" | sort -u | sed "s/\$/ run=$run/" >> "$raw"
}
log "1/4 etcd, 3 members (about 80 s)"
etcd_run 1 "$out/etcd3.log"

log "2/4 NATS core fan-out to 100 subscribers (about 20 s)"
(
  # shellcheck source=/dev/null
  source "$anchors/lib.sh"
  port=${NATS_PORT:-42220}
  build_loadgen
  data=$(mktemp -d /tmp/anchors-compare-nats.XXXXXX)
  register_dir "$data"
  require_free_ports "$port"
  nats-server -a 127.0.0.1 -p "$port" > "$data/nats.log" 2>&1 &
  register_pid $!
  for _ in $(seq 1 50); do port_in_use "$port" && break; sleep 0.2; done
  run_loadgen nats-fanout --url "nats://127.0.0.1:$port" --size 100 --warmup-s 2 --duration-s "$fan_dur" \
    --subs 100 --window 50000
) > "$out/nats.log" 2>&1 || log "NATS fan-out failed: see $out/nats.log"
grep -o 'RESULT nats-fanout.*' "$out/nats.log" >> "$raw"

log "3/4 Synod (about 10 minutes)"
cd "$root"
# Three servers again after five: the rows at 64 and 1 clients take the mean of the three-server runs before and
# after it, so that the machine's drift over those minutes (a fifth or more here) does not decide a ratio.
for cfg in "s3 3 64,1,256" "s5 5 64" "s3-again 3 64,1"; do
  read -r label servers clients <<< "$cfg"
  scripts/cpu-per-write.sh "$label" "$clients" "$servers" 2>> "$out/synod.log" | tee -a "$out/synod.log" \
    | grep '^RESULT' >> "$raw" || log "synod $servers servers $clients clients failed: see $out/synod.log"
done
./synod bench --workload proxy-fanout --subscribers 100 --warmup 2s --duration "${fan_dur}s" --json \
  2>> "$out/synod.log" | tail -1 > "$out/synod-proxy-fanout.json" || log "synod proxy fan-out failed: see $out/synod.log"
./synod bench --servers 3 --workload fanout --subscribers 100 --warmup 2s --duration "${fan_dur}s" --json \
  2>> "$out/synod.log" | tail -1 > "$out/synod-fanout.json" || log "synod fan-out failed: see $out/synod.log"
log "4/4 etcd again, 3 members (about 80 s)"
etcd_run 2 "$out/etcd3-again.log"
stop_burners

/usr/bin/env python3 - "$raw" "$out/synod-fanout.json" "$background" "$quick" "$out/synod-proxy-fanout.json" <<'PY' | tee "$out/table.md"
import json, re, sys, subprocess, datetime
raw, fanout_file, background, quick, proxy_fanout_file = sys.argv[1:6]

def fields(line):
    return dict(re.findall(r"(\w+)=(\S+)", line))

etcd, etcd_cpu, synod, again, cold, nats = {}, {}, {}, {}, {}, None
for line in open(raw):
    f = fields(line)
    if line.startswith("RESULT etcd3 "):
        etcd.setdefault(int(f["clients"]), {})[f.get("run", "1")] = f
    elif line.startswith("INFO go-concurrent"):
        etcd_cpu[f.get("run", "1")] = f
    elif line.startswith("RESULT nats-fanout") and f.get("subs") == "100":
        nats = f
    elif line.startswith("RESULT synod-cpu") and f.get("label") == "s3-again":
        again[int(f["clients"])] = f
    elif line.startswith("RESULT synod-cpu"):
        synod[(int(f["servers"]), int(f["clients"]))] = f
    elif line.startswith("RESULT synod-cold"):
        cold.setdefault(int(f["servers"]), f)  # the first start's (s3-again starts a second cluster)
def load(path):
    try:
        return json.load(open(path))
    except (OSError, ValueError):
        return None
fan, proxy_fan = load(fanout_file), load(proxy_fanout_file)

def num(d, k):
    try:
        return float(d[k])
    except (TypeError, KeyError, ValueError):
        return None

rows = []
def row(name, ours, theirs, target, better):
    if ours is None or theirs is None or theirs == 0:
        rows.append((name, ours, theirs, None, target, "not measured"))
        return
    r = ours / theirs
    if target is None:
        rows.append((name, ours, theirs, r, None, "for information"))
        return
    ok = r >= target if better == "higher" else r <= target
    rows.append((name, ours, theirs, r, target, "met" if ok else "not met"))

def mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None

def per_write(samples, cost, writes):
    """Cost per write over several samples: their costs summed over their writes summed (None if none)."""
    pairs = [(num(f, cost), num(f, writes)) for f in samples if f is not None]
    pairs = [(c, w) for c, w in pairs if c is not None and w]
    return sum(c * w for c, w in pairs) / sum(w for _, w in pairs) if pairs else None

s64, s1, s5, s256 = synod.get((3, 64)), synod.get((3, 1)), synod.get((5, 64)), synod.get((3, 256))
a64, a1 = again.get(64), again.get(1)
e64, e1 = list(etcd.get(64, {}).values()), list(etcd.get(1, {}).values())
e_writes = mean(num(f, "writes_per_s") for f in e64)
# etcd's CPU per write over both runs: CPU seconds over proposals; Synod's: each window's weighted by its writes
e_cpu = per_write(etcd_cpu.values(), "servers_cpu_ms_per_write", "proposals")
row("acked writes/s, 64 clients (vs etcd)", mean(num(f, "acked_per_s") for f in (s64, a64)), e_writes, 2.0, "higher")
row("p99 ms, 64 clients (vs etcd)", mean(num(f, "p99_ms") for f in (s64, a64)), mean(num(f, "p99_ms") for f in e64),
    1.0, "lower")
row("p50 ms, 1 client (vs etcd)", mean(num(f, "p50_ms") for f in (s1, a1)), mean(num(f, "p50_ms") for f in e1),
    1.0, "lower")
row("cluster CPU ms per write, 64 clients (vs etcd)", per_write((s64, a64), "cpu_ms_per_write", "acked_per_s"), e_cpu,
    0.5, "lower")
row("fan-out deliveries/s, 100 subscribers, the proxy alone (vs NATS core)", num(proxy_fan, "deliveries_per_s"), num(nats, "deliveries_per_s"), 0.25, "higher")
if proxy_fan is not None and any(proxy_fan.get(k) for k in ("gaps", "duplicates", "out_of_order")):
    name, ours, theirs, r, target, _ = rows[-1]
    rows[-1] = (name, ours, theirs, r, target, "not met: deliveries missing, repeated or out of order")
row("fan-out deliveries/s, 100 subscribers, through 3 servers (vs NATS core)", num(fan, "deliveries_per_s"), num(nats, "deliveries_per_s"), None, "higher")
row("acked writes/s, 5 servers (vs Synod 3 servers, before and after)", num(s5, "acked_per_s"),
    mean(num(f, "acked_per_s") for f in (s64, a64)), 0.7, "higher")
row("acked writes/s, 256 clients (vs Synod 64 clients, same cluster)", num(s256, "acked_per_s"), num(s64, "acked_per_s"),
    1.0, "higher")
c3 = cold.get(3)
row("acked writes/s, 64 clients, first 10 s after start, JIT compiling (vs etcd)", num(c3, "acked_per_s"), e_writes, None, "higher")
row("cluster CPU ms per write, first 10 s after start (vs etcd)", num(c3, "cpu_ms_per_write"), e_cpu, None, "lower")

commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
print("Synod vs etcd 3.4 / NATS core, %s, commit %s, %s cores, background busy loops: %s%s" % (
    datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC"), commit,
    subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip(), background,
    " (quick run: do not cite)" if quick == "1" else ""))
print()
print("| measure | Synod | other | ratio | target | |")
print("|---|---|---|---|---|---|")
fmt = lambda v: "-" if v is None else ("%.3f" % v if v < 10 else "%.0f" % v)
for name, ours, theirs, r, target, verdict in rows:
    op = ">=" if "writes/s" in name or "deliveries" in name else "<="
    goal = "-" if target is None else "%s %.2f" % (op, target)
    print("| %s | %s | %s | %s | %s | %s |" % (name, fmt(ours), fmt(theirs), "-" if r is None else "%.2f" % r, goal, verdict))
def both(samples, key):
    return " and ".join("-" if f is None or f.get(key) is None else f[key] for f in samples)
e_runs = lambda by_run: [by_run.get("1"), by_run.get("2")]
print()
print("Each side is the mean of two samples. Synod, 3 servers, before and after the 5-server run: %s acked "
      "writes/s, p99 %s ms, %s ms of CPU per write at 64 clients; p50 %s ms at 1 client. etcd, before and after "
      "Synod: %s writes/s, p99 %s ms, %s ms of CPU per write at 64 clients; p50 %s ms at 1 client." % (
          both((s64, a64), "acked_per_s"), both((s64, a64), "p99_ms"), both((s64, a64), "cpu_ms_per_write"),
          both((s1, a1), "p50_ms"), both(e_runs(etcd.get(64, {})), "writes_per_s"),
          both(e_runs(etcd.get(64, {})), "p99_ms"), both(e_runs(etcd_cpu), "servers_cpu_ms_per_write"),
          both(e_runs(etcd.get(1, {})), "p50_ms")))
warm = [f for f in list(synod.values()) + list(again.values()) if "warmup_s" in f]
if warm:
    print()
    print("Synod measured in the steady state: after %s s of load (the servers' JIT at most %s %% of the "
          "cluster's CPU while measured)" % ("/".join(sorted({f["warmup_s"] for f in warm})),
                                              max(float(f["jit_pct"]) for f in warm)))
for label, result in (("the proxy alone", proxy_fan), ("through 3 servers", fan)):
    if result is not None:
        print()
        print("Synod fan-out, %s: gaps %s, duplicates %s, out of order %s, errors %s" % (
            label, result.get("gaps"), result.get("duplicates"), result.get("out_of_order"), result.get("errors")))
PY
log "raw lines and logs in $out"
