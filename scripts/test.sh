#!/usr/bin/env bash
# Runs every test of the project: the unit, integration and conformance
# tests of the main module with the race detector, a short run of each fuzz
# target, and the browser test of the token service page (which installs
# Debian's chromium when it is missing). The bench module is vetted so that
# it keeps compiling.
# Usage: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZTIME="${FUZZTIME:-10s}"

echo "== go vet"
go vet ./...
(cd bench && go vet ./...)
(cd e2e && go vet ./...)

echo "== go test -race ./..."
go test -race -count=1 ./...

echo "== fuzz (${FUZZTIME} each)"
for target in FuzzExtract FuzzValidate; do
  go test -run='^$' -fuzz="^${target}\$" -fuzztime="$FUZZTIME" ./core/
done

echo "== browser test"
bash e2e/run.sh

echo "all tests passed"
