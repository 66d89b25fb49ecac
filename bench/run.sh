#!/usr/bin/env bash
# Runs the benchmarks of this module with -benchmem, COUNT times, summarises
# them with benchstat, runs the HTTP load test of the example apps on
# loopback, and writes docs/benchmarks.md.
#
# Usage: bash bench/run.sh
#   COUNT=6         runs of each benchmark (benchstat wants at least 6)
#   BENCHTIME=1s    -benchtime of each run
#   GOCCY=1         also measure first-seen validation with -tags jwx_goccy
#   LOAD=1          run the load test (LOAD_SECONDS per route and round,
#                   LOAD_ROUNDS rounds, LOAD_CONNS connections)
# Raw results are kept in bench/results/.
set -euo pipefail
cd "$(dirname "$0")"

COUNT="${COUNT:-6}"
BENCHTIME="${BENCHTIME:-1s}"
GOCCY="${GOCCY:-1}"
LOAD="${LOAD:-1}"
LOAD_SECONDS="${LOAD_SECONDS:-4s}"
LOAD_ROUNDS="${LOAD_ROUNDS:-3}"
LOAD_CONNS="${LOAD_CONNS:-16}"

benchstat="$(command -v benchstat || true)"
if [ -z "$benchstat" ]; then
  benchstat="$(go env GOPATH)/bin/benchstat"
  if [ ! -x "$benchstat" ]; then
    echo "== installing benchstat"
    go install golang.org/x/perf/cmd/benchstat@latest
  fi
fi

out=results
mkdir -p "$out"

# COUNT rounds of one run of each benchmark rather than -count COUNT: a
# burst of load from elsewhere then touches every benchmark a little
# instead of spoiling all the runs of one. The jwx_goccy variant runs in
# the same rounds, so that both builds meet the same conditions.
goccy_bench='Validate/alg=.*/case=first/impl=tokengate$'
: > "$out/bench.txt"
: > "$out/goccy.txt"
echo "== benchmarks ($COUNT rounds, -benchtime $BENCHTIME; about $((COUNT * 2)) minutes)"
for i in $(seq "$COUNT"); do
  echo "-- round $i of $COUNT"
  go test -run '^$' -bench . -benchmem -count 1 -benchtime "$BENCHTIME" -timeout 0 . | tee -a "$out/bench.txt"
  if [ "$GOCCY" = 1 ]; then
    go test -tags jwx_goccy -run '^$' -bench "$goccy_bench" -benchmem -count 1 -benchtime "$BENCHTIME" -timeout 0 . |
      tee -a "$out/goccy.txt"
  fi
done
"$benchstat" "$out/bench.txt" > "$out/benchstat.txt"
"$benchstat" -format csv "$out/bench.txt" > "$out/bench.csv" 2> /dev/null

report_args=(-stats "$out/bench.csv" -benchstat "$out/benchstat.txt" -count "$COUNT" -benchtime "$BENCHTIME")

if [ "$GOCCY" = 1 ]; then
  "$benchstat" -format csv "$out/goccy.txt" > "$out/goccy.csv" 2> /dev/null
  report_args+=(-goccy "$out/goccy.csv")
fi

if [ "$LOAD" = 1 ]; then
  echo "== load test of the example apps (loopback)"
  go run ./cmd/load -repo .. -c "$LOAD_CONNS" -d "$LOAD_SECONDS" -rounds "$LOAD_ROUNDS" -json "$out/load.json"
  report_args+=(-load "$out/load.json")
fi

go run ./cmd/report "${report_args[@]}" -o ../docs/benchmarks.md
echo "== wrote docs/benchmarks.md"
