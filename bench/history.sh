#!/usr/bin/env bash
# bench/history.sh: BenchmarkHistoryAtScale on PostgreSQL + Redis, ROUNDS
# times, alternating the prepared run (VACUUM (ANALYZE) after the load,
# every request sent 200 times before timing) with the cold one as the
# benchmark was before (YOGAFLOW_BENCH_COLD=1), PostgreSQL and Redis pinned
# to CPU 1 and the benchmark to CPU 0 (taskset). Writes warm.txt and
# cold.txt under $OUT for benchstat:
#   go run golang.org/x/perf/cmd/benchstat@latest -col /sessions $OUT/warm.txt
# The trap gives PostgreSQL and Redis back both CPUs.
set -euo pipefail

ROUNDS=${ROUNDS:-5}
MODES=${MODES:-"warm cold"}
OUT=${OUT:-/tmp/yfbench-history}
export YOGAFLOW_TEST_DATABASE_URL=${YOGAFLOW_TEST_DATABASE_URL:-'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'}
export YOGAFLOW_TEST_REDIS_URL=${YOGAFLOW_TEST_REDIS_URL:-'redis://127.0.0.1:6379/0'}

cd "$(dirname "$0")/.."
mkdir -p "$OUT"
go test -c -o "$OUT/httpapi.test" ./internal/httpapi

pin() { # pin CPULIST: PostgreSQL (every postgres process) and redis-server
	local pid
	for pid in $(pgrep -u postgres) $(pgrep -x redis-server); do
		taskset -a -p -c "$1" "$pid" >/dev/null 2>&1 || true
	done
}
trap 'pin 0-1' EXIT
trap 'exit 130' INT TERM

for mode in $MODES; do : >"$OUT/$mode.txt"; done
for round in $(seq "$ROUNDS"); do
	for mode in $MODES; do
		pin 1 # again each time: backends opened since fork from the postmaster, pinned too
		cold=0
		[ "$mode" = cold ] && cold=1
		echo "round $round $mode, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
		(cd internal/httpapi && YOGAFLOW_BENCH_COLD=$cold taskset -c 0 "$OUT/httpapi.test" \
			-test.run '^$' -test.bench 'HistoryAtScale/postgres' -test.count 1 -test.timeout 30m -test.v) \
			| tee -a "$OUT/$mode.log" | grep -E '^(Benchmark|goos|goarch|pkg|cpu)' >>"$OUT/$mode.txt"
	done
done
