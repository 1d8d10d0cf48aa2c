#!/usr/bin/env bash
# bench/storm.sh: the storm scenario (pose-list reads alone, then beside
# 8 sign-ins at bcrypt cost 12) against one SQLite instance, interleaving
# YOGAFLOW_HASH_SLOTS=2 (one slot per core, "before") and the default
# (GOMAXPROCS - 1) ROUNDS times; prints each run's read p99s and ratio,
# then the median ratio of each setting.
#
# Needs the binaries built as in bench/scaleout.sh.
set -euo pipefail

YF=${YF:-/tmp/yogaflow}
LOADTOOL=${LOADTOOL:-/tmp/yogaflow-load}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-30s}
WORKERS=${WORKERS:-8}
LOGINS=${LOGINS:-8}
PORT=${PORT:-18991}
SETTINGS=${SETTINGS:-"2 default"}
export YOGAFLOW_JWT_SECRET=${YOGAFLOW_JWT_SECRET:-'bench-secret-bench-secret-bench-secret!'}
export YOGAFLOW_LOAD_PASSWORD=${YOGAFLOW_LOAD_PASSWORD:-'Bench-Passw0rd-1'}
export YOGAFLOW_LOG_LEVEL=warn
export YOGAFLOW_RATE_LIMIT_AUTH=1000000/1m YOGAFLOW_RATE_LIMIT_ACCOUNT=1000000/1m
export YOGAFLOW_RATE_LIMIT_PUBLIC=1000000/1m YOGAFLOW_RATE_LIMIT_USER=1000000/1m

DIR=$(mktemp -d /tmp/yfbench-storm.XXXXXX)
pid=
cleanup() {
	set +e
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export YOGAFLOW_DATABASE_URL=sqlite:$DIR/storm.db
"$YF" migrate up >/dev/null
echo "$YOGAFLOW_LOAD_PASSWORD" | YOGAFLOW_BCRYPT_COST=12 "$YF" generate --users 20 --sessions 200 \
	--email-prefix load --password-stdin >/dev/null

: >"$DIR/runs"
printf 'round\tslots\tidle_p99\tstorm_p99\tratio\tidle_req/s\tstorm_req/s\tsign-ins\n'
for round in $(seq "$ROUNDS"); do
	for slots in $SETTINGS; do
		if [ "$slots" = default ]; then
			(unset YOGAFLOW_HASH_SLOTS; YOGAFLOW_ADDR=127.0.0.1:$PORT exec "$YF") >>"$DIR/yf.log" 2>&1 &
		else
			YOGAFLOW_HASH_SLOTS=$slots YOGAFLOW_ADDR=127.0.0.1:$PORT "$YF" >>"$DIR/yf.log" 2>&1 &
		fi
		pid=$!
		for _ in $(seq 100); do
			curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break
			sleep 0.1
		done
		"$LOADTOOL" -url "http://127.0.0.1:$PORT" -scenario storm -workers "$WORKERS" -logins "$LOGINS" \
			-duration "$DURATION" -users 20 >"$DIR/$round-$slots.txt" 2>&1 || true
		kill "$pid"
		wait "$pid" || true
		pid=
		awk -v r="$round" -v s="$slots" '
			/^scenario/ { phase++ }
			$1 == "total" { rps[phase] = $3 }
			/^sign-ins:/ { si = $2 }
			/^storm read p99 \/ idle read p99:/ { ratio = $8; a = $9; b = $11; gsub(/[()]/, "", a); gsub(/[()]/, "", b) }
			END { printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r, s, b, a, ratio, rps[1], rps[2], si }' \
			"$DIR/$round-$slots.txt" | tee -a "$DIR/runs"
	done
done
echo
for slots in $SETTINGS; do
	awk -F'\t' -v s="$slots" '$2 == s { k++; x[k] = $5 }
		END { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
			printf "slots %s: median ratio %.2f of %d (%.2f-%.2f)\n", s, (k % 2) ? x[(k + 1) / 2] : (x[k / 2] + x[k / 2 + 1]) / 2, k, x[1], x[k] }' "$DIR/runs"
done
