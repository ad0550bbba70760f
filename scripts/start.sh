#!/usr/bin/env bash
# The main job on the embedded default: the DNS plan of Lozère (département 48) and its
# zone file in build/lozere.zone (checked with named-checkzone/kzonecheck when installed).
# With DOMAINES_LEDGER set, that ledger is read as it is. Otherwise a demo ledger is built
# afresh in build/lozere-ledger: every Lozère commune allocated, three of them enrolled.
# Extra arguments go to `plan` (e.g. `npm start -- --json`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-installed.sh
cli() { node dist/src/cli/main.js "$@"; }
mkdir -p build
if [ -z "${DOMAINES_LEDGER:-}" ]; then
  export DOMAINES_LEDGER=build/lozere-ledger
  rm -rf "$DOMAINES_LEDGER"
  mkdir -p "$DOMAINES_LEDGER"
  echo "› demo ledger in $DOMAINES_LEDGER: allocate Lozère, enrol Mende, Marvejols, Florac Trois Rivières" >&2
  cli allocate --departement 48 --actor npm-start >/dev/null
  cli onboard Mende --services messages,fichiers --actor npm-start >/dev/null
  cli onboard Marvejols --services messages --actor npm-start >/dev/null
  cli onboard "Florac Trois Rivières" --services fichiers --actor npm-start >/dev/null
fi
cli plan --departement 48 "$@"
cli export --format zone --departement 48 --out build/lozere.zone
if command -v named-checkzone >/dev/null; then named-checkzone -q -i local -M fail collectivite.fr build/lozere.zone && echo "› named-checkzone: build/lozere.zone OK" >&2; fi
if command -v kzonecheck >/dev/null; then kzonecheck -o collectivite.fr build/lozere.zone && echo "› kzonecheck: build/lozere.zone OK" >&2; fi
