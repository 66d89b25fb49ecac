#!/usr/bin/env bash
# Runs the interop tests: builds Ory Hydra (interop/tools/hydra/build.sh;
# the first build takes a few minutes, later runs reuse the cached binary),
# then runs this module's tests with the race detector, the
# binary's path in HYDRA_BIN. Tests that need Hydra fail without it.
# Usage: bash interop/run.sh
set -euo pipefail
cd "$(dirname "$0")"

HYDRA_BIN="$(bash tools/hydra/build.sh)"
export HYDRA_BIN

echo "== go test -race ./... (interop, against Ory Hydra)"
go test -race -count=1 ./...
