#!/usr/bin/env bash
# bench/scaleout.sh: one yogaflow instance against two (round-robin), on
# PostgreSQL + Redis, with every part held to its own CPU quota (cgroup v1).
#
# Each part gets a cgroup under /sys/fs/cgroup/cpu (quota) and
# /sys/fs/cgroup/cpuacct (usage): yfbench-yf1, yfbench-yf2 (the
# instances), yfbench-pg (every process of the postgres user: the
# postmaster, its helpers and backends; new backends fork from the
# postmaster and inherit), yfbench-redis, yfbench-load (the load tool).
# Both instances run throughout; a 1-instance run sends to the first only.
# Rounds interleave everything: for each round, for each quota config, for
# each scenario, 1 instance then 2. Per run it prints req/s, p50/p99, and
# per cgroup the CPU used (cores, over the run) and the share of 100 ms
# periods in which the cgroup was throttled; then medians over the rounds
# and the median of each round's 2/1 ratio.
#
# Afterwards (and on any failure) the trap kills only the processes this
# script started, moves every PID left in its cgroups back to the root
# cgroup and removes the cgroups. PostgreSQL and Redis are never stopped.
#
# Needs: root, cgroup v1 cpu and cpuacct mounted, PostgreSQL and Redis on
# 127.0.0.1, the database $PG migrated and loaded (BENCHMARKS.md (d)/(e):
# `yogaflow generate --users 100 --sessions 10000 --email-prefix load
# --password-stdin` at YOGAFLOW_BCRYPT_COST=4), and the binaries built:
#   go build -o /tmp/yogaflow ./cmd/yogaflow
#   go build -o /tmp/yogaflow-load ./cmd/yogaflow-load
#
# Usage: bench/scaleout.sh            (defaults below; override by env)
#   CONFIGS="name:yf:pg:redis:load ..."  quotas in CPUs, one config per word
#   SCENARIOS="mixed browse"  ROUNDS=3  DURATION=20s  WORKERS=16
set -euo pipefail

YF=${YF:-/tmp/yogaflow}
LOADTOOL=${LOADTOOL:-/tmp/yogaflow-load}
PG=${PG:-'postgres://postgres@127.0.0.1:5432/yogaflow_bench?sslmode=disable'}
REDIS=${REDIS:-'redis://127.0.0.1:6379/0'}
CONFIGS=${CONFIGS:-"pgsmall:0.35:0.25:0.2:0.5 base:0.35:0.6:0.2:0.5"}
SCENARIOS=${SCENARIOS:-"mixed browse"}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-20s}
WORKERS=${WORKERS:-16}
USERS=${USERS:-100}
PORT1=${PORT1:-18401}
PORT2=${PORT2:-18402}
OUT=${OUT:-/tmp/yfbench-scaleout}

CPU=/sys/fs/cgroup/cpu
ACCT=/sys/fs/cgroup/cpuacct
PARTS=(yf1 yf2 pg redis load)
STARTED=()
sampler=

export YOGAFLOW_JWT_SECRET=${YOGAFLOW_JWT_SECRET:-'bench-secret-bench-secret-bench-secret!'}
export YOGAFLOW_LOG_LEVEL=warn YOGAFLOW_REDIS_PREFIX='yogaflow-bench:'
export YOGAFLOW_RATE_LIMIT_AUTH=1000000/1m YOGAFLOW_RATE_LIMIT_ACCOUNT=1000000/1m
export YOGAFLOW_RATE_LIMIT_PUBLIC=1000000/1m YOGAFLOW_RATE_LIMIT_USER=1000000/1m
export YOGAFLOW_LOAD_PASSWORD=${YOGAFLOW_LOAD_PASSWORD:-'Bench-Passw0rd-1'}

# evacuate moves every PID of one cgroup back to the root and removes it.
# A PID can appear while we move (a backend forked by the postmaster), so
# it loops until the group is empty.
evacuate() {
	local dir=$1 pid tries=0
	[ -d "$dir" ] || return 0
	# (cgroup files report size 0, so test the content, not -s)
	while [ -n "$(cat "$dir/cgroup.procs")" ] && [ $tries -lt 50 ]; do
		while read -r pid; do
			echo "$pid" >"${dir%/*}/cgroup.procs" 2>/dev/null || true
		done <"$dir/cgroup.procs"
		tries=$((tries + 1))
	done
	rmdir "$dir" 2>/dev/null || echo "scaleout: could not remove $dir" >&2
}

cleanup() {
	set +e
	local pid p
	[ -n "$sampler" ] && kill "$sampler" 2>/dev/null
	for pid in "${STARTED[@]}"; do kill "$pid" 2>/dev/null; done
	for pid in "${STARTED[@]}"; do wait "$pid" 2>/dev/null; done
	for p in "${PARTS[@]}"; do
		evacuate "$CPU/yfbench-$p"
		evacuate "$ACCT/yfbench-$p"
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cg_join() { # cg_join PART PID...
	local part=$1 pid
	shift
	for pid in "$@"; do
		echo "$pid" >"$CPU/yfbench-$part/cgroup.procs" 2>/dev/null || true
		echo "$pid" >"$ACCT/yfbench-$part/cgroup.procs" 2>/dev/null || true
	done
}

set_quota() { # set_quota PART CPUS
	echo 100000 >"$CPU/yfbench-$1/cpu.cfs_period_us"
	echo "$(awk -v c="$2" 'BEGIN { printf "%d", c * 100000 }')" >"$CPU/yfbench-$1/cpu.cfs_quota_us"
}

# snapshot prints, per part: usage_ns nr_periods nr_throttled throttled_ns
snapshot() {
	local p
	for p in "${PARTS[@]}"; do
		echo "$p $(cat "$ACCT/yfbench-$p/cpuacct.usage") $(awk '$1=="nr_periods"{a=$2} $1=="nr_throttled"{b=$2} $1=="throttled_time"{c=$2} END{print a, b, c}' "$CPU/yfbench-$p/cpu.stat")"
	done
}

# start PART PORT: one instance in its cgroup (the shell joins, then execs).
start() {
	local part=$1 port=$2 pid i
	YOGAFLOW_ADDR=127.0.0.1:$port YOGAFLOW_DATABASE_URL=$PG YOGAFLOW_REDIS_URL=$REDIS \
		bash -c 'echo $$ >'"$CPU/yfbench-$part/cgroup.procs"'; echo $$ >'"$ACCT/yfbench-$part/cgroup.procs"'; exec "$0"' "$YF" \
		>"$OUT/$part.log" 2>&1 &
	pid=$!
	STARTED+=("$pid")
	for i in $(seq 100); do
		curl -sf "http://127.0.0.1:$port/health" >/dev/null && return 0
		sleep 0.1
	done
	echo "scaleout: instance on $port did not start" >&2
	return 1
}

# toms converts a load-tool duration (950µs, 4.62ms, 1.2s) to milliseconds.
toms='function toms(s) { if (s ~ /µs$/) return s * 0.001; if (s ~ /ms$/) return s + 0; if (s ~ /s$/) return s * 1000; return s + 0 }'

mkdir -p "$OUT"
: >"$OUT/runs.tsv"
for p in "${PARTS[@]}"; do
	mkdir -p "$CPU/yfbench-$p" "$ACCT/yfbench-$p"
done
# PostgreSQL: every process of the postgres user; Redis: redis-server.
# shellcheck disable=SC2046
cg_join pg $(pgrep -u postgres)
# shellcheck disable=SC2046
cg_join redis $(pgrep -x redis-server)

start yf1 "$PORT1"
start yf2 "$PORT2"

printf 'round\tconfig\tscenario\tinstances\treq/s\tp50_ms\tp99_ms\terrors\tload1'
for p in "${PARTS[@]}"; do printf '\t%s_cpu\t%s_thr%%' "$p" "$p"; done
printf '\tpg_active_mean\tpg_active_max\n'

for round in $(seq "$ROUNDS"); do
	for conf in $CONFIGS; do
		IFS=: read -r cname qyf qpg qredis qload <<<"$conf"
		set_quota yf1 "$qyf"
		set_quota yf2 "$qyf"
		set_quota pg "$qpg"
		set_quota redis "$qredis"
		set_quota load "$qload"
		for scen in $SCENARIOS; do
			for n in 1 2; do
				url=http://127.0.0.1:$PORT1
				[ "$n" = 2 ] && url=$url,http://127.0.0.1:$PORT2
				# Backends a client opened since the last run: into the group.
				# shellcheck disable=SC2046
				cg_join pg $(pgrep -u postgres)
				tag=$round-$cname-$scen-$n
				load1=$(cut -d' ' -f1 /proc/loadavg)
				# Active statements of the service, sampled each 0.5 s.
				(
					while :; do
						psql -h 127.0.0.1 -U postgres -d postgres -Atc \
							"SELECT count(*) FILTER (WHERE state = 'active') FROM pg_stat_activity WHERE datname = 'yogaflow_bench'" 2>/dev/null || true
						sleep 0.5
					done
				) >"$OUT/$tag.active" &
				sampler=$!
				snapshot >"$OUT/$tag.before"
				bash -c 'echo $$ >'"$CPU/yfbench-load/cgroup.procs"'; echo $$ >'"$ACCT/yfbench-load/cgroup.procs"'; exec "$0" "$@"' \
					"$LOADTOOL" -url "$url" -scenario "$scen" -workers "$WORKERS" -duration "$DURATION" -users "$USERS" \
					>"$OUT/$tag.txt" 2>&1 || true
				snapshot >"$OUT/$tag.after"
				kill "$sampler" 2>/dev/null || true
				wait "$sampler" 2>/dev/null || true
				sampler=
				secs=$(awk 'NR==1 { for (i = 1; i <= NF; i++) if ($i == "in") { s = $(i+1); sub(/s,?$/, "", s); print s } }' "$OUT/$tag.txt")
				totals=$(awk "$toms"' $1=="total" { printf "%s\t%.2f\t%.1f\t%s", $3, toms($4), toms($6), $8 }' "$OUT/$tag.txt")
				cg=$(paste -d' ' "$OUT/$tag.before" "$OUT/$tag.after" | awk -v s="${secs:-20}" '{
					cpu = ($7 - $2) / 1e9 / s; per = $8 - $3; thr = $9 - $4
					printf "\t%.2f\t%d", cpu, (per > 0 ? 100 * thr / per : 0) }')
				act=$(awk '{ s += $1; if ($1 > m) m = $1; n++ } END { if (n) printf "%.1f\t%d", s / n, m; else printf "-\t-" }' "$OUT/$tag.active")
				printf '%s\t%s\t%s\t%s\t%s\t%s%s\t%s\n' "$round" "$cname" "$scen" "$n" "${totals:-?	?	?	?}" "$load1" "$cg" "$act" | tee -a "$OUT/runs.tsv"
			done
		done
	done
done

# Medians over the rounds, and the median (min–max) of each round's 2/1.
echo
echo "medians over $ROUNDS rounds (throttled%: share of 100 ms periods in which the part hit its quota)"
printf 'config\tscenario\tinst\tquota/inst\treq/s\tp50_ms\tp99_ms\treq/s per instance-core\n'
for conf in $CONFIGS; do
	IFS=: read -r cname qyf _ <<<"$conf"
	for scen in $SCENARIOS; do
		for n in 1 2; do
			awk -F'\t' -v c="$cname" -v s="$scen" -v n="$n" -v q="$qyf" '
				function med(a, k,   i, j, t) { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
					return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
				$2 == c && $3 == s && $4 == n { k++; r[k] = $5; p5[k] = $6; p9[k] = $7 }
				END { m = med(r, k); printf "%s\t%s\t%d\t%s\t%.0f\t%.2f\t%.1f\t%.0f\n", c, s, n, q, m, med(p5, k), med(p9, k), m / (n * q) }' "$OUT/runs.tsv"
		done
		awk -F'\t' -v c="$cname" -v s="$scen" '
			$2 == c && $3 == s { v[$1, $4] = $5; rs[$1] = 1 }
			END { k = 0; for (r in rs) if (v[r, 1] > 0) { k++; x[k] = v[r, 2] / v[r, 1] }
				for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
				m = (k % 2) ? x[(k + 1) / 2] : (x[k / 2] + x[k / 2 + 1]) / 2
				printf "%s\t%s\t2/1 ratio, median of rounds: %.2f (%.2f-%.2f)\n", c, s, m, x[1], x[k] }' "$OUT/runs.tsv"
	done
done
