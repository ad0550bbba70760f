#!/usr/bin/env bash
# Everything the tests need on a fresh machine, then the whole suite.
# Debian packages: knotd and its tools serve and check zones, bind9-utils gives named-checkzone,
# poppler-utils reads the PDF statements back.
# chromium runs the support pages' browser tests (driven by playwright-core, which downloads no browser).
# postgresql gives the server binaries the ledger tests start throw-away clusters with
# (test/support/pg-cluster.mjs: initdb in a temp dir, run as the `postgres` user under root).
set -euo pipefail
cd "$(dirname "$0")/.."
# knotd and knotc live in /usr/sbin, which a non-login environment may leave out of PATH.
export PATH="$PATH:/usr/sbin:/sbin"
need=()
command -v knotd >/dev/null || need+=(knot)
command -v kdig >/dev/null || need+=(knot-dnsutils)
command -v kzonecheck >/dev/null || need+=(knot-dnssecutils)
command -v named-checkzone >/dev/null || need+=(bind9-utils)
command -v pdftotext >/dev/null || need+=(poppler-utils)   # pdftotext, pdftoppm, pdffonts, pdfinfo: the statement PDF tests
command -v chromium >/dev/null || need+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  echo "› apt-get install ${need[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
  # The package starts a system knotd on port 53; the tests run their own on 127.0.0.1.
  if command -v systemctl >/dev/null && systemctl is-active --quiet knot 2>/dev/null; then "${sudo_cmd[@]}" systemctl stop knot || true; fi
  # Likewise the package's own PostgreSQL cluster: the tests need none of it.
  if command -v pg_lsclusters >/dev/null; then pg_lsclusters -h 2>/dev/null | while read -r ver name _; do "${sudo_cmd[@]}" pg_ctlcluster "$ver" "$name" stop 2>/dev/null || true; done; fi
fi
bash scripts/ensure-installed.sh
echo "› typecheck" >&2
npm run --silent typecheck
echo "› tests" >&2
npx vitest run
