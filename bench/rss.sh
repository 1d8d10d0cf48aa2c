#!/usr/bin/env bash
# bench/rss.sh: the yogaflow process's resident memory (VmRSS, and its
# peak VmHWM, from /proc/PID/status), idle after start and while holding
# 500 connections, on SQLite (defaults) and on PostgreSQL + Redis.
#
# Per engine: start, wait for /health/ready, sleep IDLE seconds, read
# VmRSS ("idle"); then hold CONNS connections for DURATION against the
# cached pose list (wrk -c CONNS) and then against the `mixed` scenario
# (yogaflow-load -workers CONNS), sampling VmRSS every second; print the
# idle figure, the largest sample and VmHWM after each load.
# On SQLite the first start is on a new file (nothing but defaults and the
# JWT secret in the environment); the accounts `mixed` needs are generated
# into that file afterwards, and the service started again on it.
#
# Needs wrk (apt-get install -y wrk), the binaries built as in
# bench/scaleout.sh, and for PostgreSQL the database $PG loaded as there.
set -euo pipefail

YF=${YF:-/tmp/yogaflow}
LOADTOOL=${LOADTOOL:-/tmp/yogaflow-load}
PG=${PG:-'postgres://postgres@127.0.0.1:5432/yogaflow_bench?sslmode=disable'}
REDIS=${REDIS:-'redis://127.0.0.1:6379/0'}
CONNS=${CONNS:-500}
DURATION=${DURATION:-20}
IDLE=${IDLE:-5}
PORT=${PORT:-18501}
ENGINES=${ENGINES:-"sqlite postgres"}
export YOGAFLOW_JWT_SECRET=${YOGAFLOW_JWT_SECRET:-'bench-secret-bench-secret-bench-secret!'}
export YOGAFLOW_LOAD_PASSWORD=${YOGAFLOW_LOAD_PASSWORD:-'Bench-Passw0rd-1'}
LIMITS=(YOGAFLOW_LOG_LEVEL=warn YOGAFLOW_REDIS_PREFIX=yogaflow-bench:
	YOGAFLOW_RATE_LIMIT_AUTH=1000000/1m YOGAFLOW_RATE_LIMIT_ACCOUNT=1000000/1m
	YOGAFLOW_RATE_LIMIT_PUBLIC=1000000/1m YOGAFLOW_RATE_LIMIT_USER=1000000/1m)

DIR=$(mktemp -d /tmp/yfbench-rss.XXXXXX)
pid=
sampler=
cleanup() {
	set +e
	[ -n "$sampler" ] && kill "$sampler" 2>/dev/null
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

kib() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$pid/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# serve ENV...: start yogaflow in $DIR with the environment given.
serve() {
	(cd "$DIR" && exec env YOGAFLOW_ADDR=127.0.0.1:$PORT "$@" "$YF") >>"$DIR/yf.log" 2>&1 &
	pid=$!
	for _ in $(seq 300); do
		curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && return 0
		sleep 0.1
	done
	echo "rss: yogaflow did not become ready" >&2
	cat "$DIR/yf.log" >&2
	return 1
}
stop() { kill "$pid"; wait "$pid" || true; pid=; }

idle() { # idle LABEL
	sleep "$IDLE"
	printf '%s\tidle\tVmRSS %s MiB\tVmHWM %s MiB\n' "$1" "$(mib "$(kib VmRSS)")" "$(mib "$(kib VmHWM)")"
}

held() { # held LABEL WHAT CMD...: run CMD, sample VmRSS each second
	local label=$1 what=$2
	shift 2
	(while :; do kib VmRSS; sleep 1; done) >"$DIR/samples" &
	sampler=$!
	"$@" >"$DIR/load.txt" 2>&1 || true
	kill "$sampler"
	wait "$sampler" 2>/dev/null || true
	sampler=
	local rps
	rps=$(awk '/Requests\/sec/ { print $2 } $1 == "total" { print $3 }' "$DIR/load.txt" | tail -1)
	printf '%s\t%s\tVmRSS max %s MiB, at end %s MiB\tVmHWM %s MiB\t%s req/s\n' "$label" "$what" \
		"$(mib "$(sort -n "$DIR/samples" | tail -1)")" "$(mib "$(kib VmRSS)")" "$(mib "$(kib VmHWM)")" "${rps:-?}"
	grep -E 'Socket errors|Non-2xx' "$DIR/load.txt" || true
	awk '$1 == "total" && $8 != 0 { print "errors: " $0 }' "$DIR/load.txt"
}

loads() { # loads LABEL
	held "$1" "wrk -c $CONNS GET /api/v1/poses" \
		wrk -t2 -c "$CONNS" -d "${DURATION}s" "http://127.0.0.1:$PORT/api/v1/poses"
	held "$1" "mixed -workers $CONNS" \
		"$LOADTOOL" -url "http://127.0.0.1:$PORT" -scenario mixed -workers "$CONNS" -duration "${DURATION}s" -users 100
}

for engine in $ENGINES; do
	case $engine in
	sqlite)
		serve # defaults: sqlite:yogaflow.db in $DIR, a new file
		idle "sqlite, new file"
		stop
		echo "$YOGAFLOW_LOAD_PASSWORD" | (cd "$DIR" && YOGAFLOW_LOG_LEVEL=warn YOGAFLOW_BCRYPT_COST=4 "$YF" generate \
			--users 100 --sessions 10000 --email-prefix load --password-stdin) >/dev/null
		serve "${LIMITS[@]}"
		idle "sqlite, existing file"
		loads sqlite
		stop
		;;
	postgres)
		serve "${LIMITS[@]}" YOGAFLOW_DATABASE_URL="$PG" YOGAFLOW_REDIS_URL="$REDIS"
		idle "postgres + redis"
		loads "postgres + redis"
		stop
		;;
	esac
done
