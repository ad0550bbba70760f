#!/usr/bin/env bash
# The main job on the embedded default: the labels of Lozère's communes (département 48).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-installed.sh
exec node dist/src/cli/main.js names --departement 48 "$@"
