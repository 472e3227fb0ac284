#!/usr/bin/env bash
# The one command that runs every check: build, unit tests, simulator seeds, end-to-end tests.
# Developers and CI run the same thing. Usage: scripts/check.sh [extra maven args]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec ./mvnw -B -ntp verify "$@"
