#!/usr/bin/env bash
# Builds Ory Hydra from the Go module proxy, at the version this module's
# go.mod requires, and prints the binary's path on stdout.
#
# The binary is kept in the user cache directory
# (${XDG_CACHE_HOME:-$HOME/.cache}/tokengate/hydra-VERSION/hydra, or
# $TOKENGATE_CACHE_DIR/hydra-VERSION/hydra), next to a stamp of what it was
# built from (go.mod, go.sum, the Go version, the build flags): while the
# stamp matches, the binary is reused without calling the go command. A
# lock makes concurrent runs build once; the binary is renamed into place
# when complete, so a reader never sees half of it.
#
# Hydra lives in this module of its own, not in the interop test module,
# so that it is built with exactly the dependency versions of its release
# rather than with the newer ones the test module shares with tokengate.
# Usage: bash interop/tools/hydra/build.sh
set -euo pipefail
cd "$(dirname "$0")"

pkg=github.com/ory/hydra/v2
tags=sqlite,sqlite_omit_load_extension
version="$(go list -m -f '{{.Version}}' "$pkg")"
ldflags="-X $pkg/driver/config.Version=$version"

cache="${TOKENGATE_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:?HOME or XDG_CACHE_HOME must be set}/.cache}/tokengate}"
dir="$cache/hydra-$version"
bin="$dir/hydra"
mkdir -p "$dir"

stamp="$(
  {
    cat go.mod go.sum
    go version
    go env GOOS GOARCH CGO_ENABLED CC
    echo "$tags $ldflags"
  } | sha256sum | cut -d' ' -f1
)"

exec 9>"$dir/lock"
flock 9
if [ -x "$bin" ] && [ "$(cat "$dir/stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "hydra $version: cached at $bin" >&2
  echo "$bin"
  exit 0
fi

echo "hydra $version: building (first run only; later runs reuse it)" >&2
start=$SECONDS
tmp="$(mktemp -d "$dir/build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
go build -tags "$tags" -ldflags "$ldflags" -o "$tmp/hydra" "$pkg"
"$tmp/hydra" version >/dev/null
mv -f "$tmp/hydra" "$bin"
echo "$stamp" >"$dir/stamp"
echo "hydra $version: built in $((SECONDS - start))s at $bin" >&2
echo "$bin"
