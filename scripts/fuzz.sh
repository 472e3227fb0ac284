#!/usr/bin/env bash
# A long coverage-guided fuzzing run (Jazzer) of one target or all of them, one after the other.
# Usage: scripts/fuzz.sh [minutes per target, default 10] [target, default all]
# Targets: envelope requests zmtp peer paxos replication chat checkpoints (ARCHITECTURE.md, test kit).
# Unlike the short run in `./mvnw verify`, it starts from a random libFuzzer seed and runs until the time is up or
# something is found. A crashing input is saved in the target's Inputs directory under src/test/resources (the
# path is printed), where the normal build replays it from then on; the corpus it grows stays in the module's
# .cifuzz-corpus/ (not committed) for the next run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

minutes="${1:-10}"
only="${2:-all}"
if ! [[ "$minutes" =~ ^[0-9]+$ ]] || [ "$minutes" -lt 1 ]; then
  echo "usage: scripts/fuzz.sh [minutes per target] [target]" >&2
  exit 2
fi

# target: module, test class, package path of its Inputs directory
targets=(
  "envelope protocol EnvelopeFuzzTest io/synod/protocol"
  "requests protocol RequestsFuzzTest io/synod/protocol"
  "zmtp messaging ZmtpFuzzTest io/synod/messaging/zmtp"
  "peer messaging PeerFuzzTest io/synod/messaging/peer"
  "paxos consensus PaxosFuzzTest io/synod/consensus"
  "replication server ReplicationFuzzTest io/synod/server/replication"
  "chat server ChatServiceFuzzTest io/synod/server"
  "checkpoints store CheckpointsFuzzTest io/synod/store"
)
selected=()
for entry in "${targets[@]}"; do
  read -r name _ _ _ <<<"$entry"
  if [ "$only" = all ] || [ "$only" = "$name" ]; then
    selected+=("$entry")
  fi
done
if [ ${#selected[@]} -eq 0 ]; then
  echo "unknown target '$only'; one of: all $(for e in "${targets[@]}"; do printf '%s ' "${e%% *}"; done)" >&2
  exit 2
fi

modules=$(for e in "${selected[@]}"; do read -r _ m _ _ <<<"$e"; echo "$m"; done | sort -u | paste -sd, -)
echo "fuzz: building $modules"
./mvnw -B -ntp -q -pl "$modules" -am install -DskipTests

seconds=$((minutes * 60))
failed=()
for entry in "${selected[@]}"; do
  read -r name module class package <<<"$entry"
  inputs="$module/src/test/resources/$package/${class}Inputs"
  log="$module/target/fuzz-$name.log"
  echo "fuzz: $name ($class) for $minutes min; crashes are saved in $inputs/<method>/, the full output in $log"
  # The toolchain goal picks the JDK the build uses; surefire:test@fuzz-1 is the CI run's execution, given this
  # target, no limit on the number of inputs, the time and a random seed (libFuzzer's later flags win).
  set +e
  ./mvnw -B -ntp -o -pl "$module" toolchains:select-jdk-toolchain surefire:test@fuzz-1 \
    "-Dtoolchain.jdk.version=[21,)" \
    "-Dsynod.fuzz.target1=$class" \
    -Dsynod.fuzz.seed=0 \
    "-Dsynod.fuzz.forkTimeoutSeconds=$((seconds + 300))" \
    "-Djazzer.internal.arg.4=-max_total_time=$seconds" \
    "-Djazzer.internal.arg.5=-runs=-1" \
    2>&1 | tee "$log" | grep --line-buffered -E '^#[0-9]+.*(pulse|INITED|DONE)|^Done |stat::number_of_executed_units|Test unit written|== Java Exception|Tests run:.*in io'
  status=${PIPESTATUS[0]}
  set -e
  if [ "$status" -ne 0 ]; then
    failed+=("$name")
    echo "fuzz: $name FOUND SOMETHING (see $log; the input is in $inputs/)"
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in: ${failed[*]}"
  exit 1
fi
echo "fuzz: no finding"
