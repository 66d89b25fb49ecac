#!/usr/bin/env bash
# Runs every test of the project: the unit, integration and conformance
# tests of the main module with the race detector, a short run of each fuzz
# target, and the browser test of the token service page (which installs
# Debian's chromium when it is missing). The bench module is vetted so that
# it keeps compiling.
#
# The Redis store's tests need a real redis-server and redis-cli: this
# script installs Debian's package when it is missing. The tests start their
# own servers on free loopback ports, without persistence (one server, a
# Redis Cluster, a Sentinel setup, a TLS server: internal/testutil), and stop
# them when they end, so nothing is left running; without redis-server they
# fail rather than skip.
# Usage: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZTIME="${FUZZTIME:-10s}"

echo "== go vet"
go vet ./...
(cd bench && go vet ./...)
(cd e2e && go vet ./...)

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  echo "== installing redis-server"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends redis-server >/dev/null
fi

echo "== go test -race ./..."
go test -race -count=1 ./...

echo "== fuzz (${FUZZTIME} each)"
for target in ./core/:FuzzExtract ./core/:FuzzValidate ./internal/:FuzzScanToken; do
  go test -run='^$' -fuzz="^${target#*:}\$" -fuzztime="$FUZZTIME" "${target%%:*}"
done

echo "== browser test"
bash e2e/run.sh

echo "all tests passed"
