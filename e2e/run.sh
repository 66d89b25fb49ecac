#!/usr/bin/env bash
# Runs the browser tests: installs Debian's chromium when it is missing,
# then runs the e2e module's tests with the race detector.
# Usage: bash e2e/run.sh
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x /usr/bin/chromium ]; then
  echo "== installing chromium"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

echo "== go test -race ./... (e2e)"
go test -race -count=1 ./...
