#!/usr/bin/env bash
# Runs every test of the project: the unit, integration and conformance
# tests of the main module with the race detector, a short run of each fuzz
# target, and the browser test of the token service page (which installs
# Debian's chromium when it is missing), and the interop tests against a
# real Ory Hydra (interop/run.sh). The bench module is vetted so that it
# keeps compiling.
#
# Hydra is built from the Go module proxy in the background while the main
# suite runs: a few minutes on a machine's first run, then the cached
# binary is reused (interop/tools/hydra/build.sh).
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

echo "== building Ory Hydra for the interop tests (in the background)"
hydra_log="$(mktemp)"
setsid -w bash interop/tools/hydra/build.sh >/dev/null 2>"$hydra_log" &
hydra_pid=$!
# If a step fails, stop the build (its whole process group) and clean up.
trap '[ -z "$hydra_pid" ] || kill -- -"$hydra_pid" 2>/dev/null || true; rm -f "$hydra_log"' EXIT

echo "== go vet"
go vet ./...
(cd bench && go vet ./...)
(cd e2e && go vet ./...)
(cd interop && go vet ./...)

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

echo "== interop tests (Ory Hydra)"
if ! wait "$hydra_pid"; then
  hydra_pid=""
  cat "$hydra_log" >&2
  echo "building Ory Hydra failed" >&2
  exit 1
fi
hydra_pid=""
cat "$hydra_log"
bash interop/run.sh

echo "all tests passed"
