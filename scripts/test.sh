#!/usr/bin/env bash
# Runs every test of the project: the unit and integration tests of the main
# module with the race detector, then a short run of each fuzz target.
# Usage: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZTIME="${FUZZTIME:-10s}"

echo "== go vet"
go vet ./...
(cd bench && go vet ./...)

echo "== go test -race ./..."
go test -race -count=1 ./...

echo "== fuzz (${FUZZTIME} each)"
for target in FuzzExtract FuzzValidate; do
  go test -run='^$' -fuzz="^${target}\$" -fuzztime="$FUZZTIME" ./core/
done

echo "all tests passed"
