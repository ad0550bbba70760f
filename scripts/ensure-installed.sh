#!/usr/bin/env bash
# Installs the npm dependencies (from package-lock.json) and builds, when needed.
# Shared by the README's two commands so that a fresh clone needs nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "› npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
echo "› build" >&2
npm run --silent build >&2
