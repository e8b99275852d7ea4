#!/bin/bash
# bench/cluster.sh -- three sitewatchd nodes on one machine, one
# PostgreSQL and one rrdcached over TCP, against one nginx on loopback;
# and, for comparison, one node alone on the same set-up.  Prints one
# table with PASS/FAIL per target (issue 16).
#
#   bench/cluster.sh [--quick] [--only single,cluster] [--sitewatchd PATH]
#                    [--keep] [--profile]
#
#   --quick        3,000 checks every 10 s, shorter warm-up and window
#                  (~2 min) instead of 30,000 every 60 s (~7 min)
#   --only LIST    single, cluster or both (default both; the CPU ratio
#                  needs both)
#   --sitewatchd   the daemon to measure (default ./sitewatchd of the tree)
#   --keep         keep the temp dir (configs, logs, nginx log)
#   --profile      perf-record node a during the cluster's window (and the
#                  single node during its own) and print where CPU goes
#
# What runs (every server on 127.0.0.1 free ports, stopped by PID on exit,
# Ctrl-C or error; a watchdog ends the run after 20 min, 8 with --quick):
#   nginx       1 worker, keep-alive off, its log "$msec $arg_c
#               $remote_addr": what arrived, for which check, from which
#               node (each node probes from its own `source`)
#   PostgreSQL  15, one cluster (as a non-root user, fsync off), a fresh
#               database for each run
#   rrdcached   over TCP (-B -b DIR -R, -w 300 -z 60), a fresh one for
#               each run, its CPU counted with the daemons'
#   single      one node (location s, source 127.0.0.2), N checks every
#               IV s, locations = 1: N/IV probes a second
#   cluster     three nodes (locations a, b, c; sources 127.0.0.2, .3,
#               .4), the same N checks with locations = 2: 2N/IV probes a
#               second over the three
# Each run: start, a warm-up (the first runs are spread over one interval
# and make the RRD files; in the cluster the nodes also find each other
# and the checks settle on their owners), then a window in which CPU
# (/proc, all threads) of the daemons and rrdcached, the probes nginx
# logged and the daemons' /metrics are read.
set -u
set -o pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$BENCH_DIR/.." && pwd)
. "$BENCH_DIR/lib.sh"

QUICK=0
ONLY=single,cluster
SWD=$TOP/sitewatchd
KEEP=0
PROFILE=0
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--only) ONLY=$2; shift ;;
	--only=*) ONLY=${1#--only=} ;;
	--sitewatchd) SWD=$2; shift ;;
	--keep) KEEP=1 ;;
	--profile) PROFILE=1 ;;
	-h|--help) sed -n '2,36p' "$0"; exit 0 ;;
	*) echo "cluster.sh: unknown argument $1" >&2; exit 1 ;;
	esac
	shift
done
want() { case ",$ONLY," in *",$1,"*) return 0 ;; esac; return 1; }
[ -x "$SWD" ] || { echo "cluster.sh: no sitewatchd at $SWD (make first)" >&2; exit 1; }
SWD=$(cd "$(dirname "$SWD")" && pwd)/$(basename "$SWD")

# Sizes: default | quick (BENCH_CL_* override).
if [ $QUICK = 1 ]; then
	N=${BENCH_CL_N:-3000}; IV=${BENCH_CL_IV:-10}
	WARM=${BENCH_CL_WARM:-25}; WIN=${BENCH_CL_WIN:-20}
	RUN_LIMIT=480
else
	N=${BENCH_CL_N:-30000}; IV=${BENCH_CL_IV:-60}
	WARM=${BENCH_CL_WARM:-75}; WIN=${BENCH_CL_WIN:-60}
	RUN_LIMIT=1200
fi
LOCS=2			# locations per check in the cluster
NODES="a b c"
# The locations are counted over one interval and 2 s more, inside the
# window: every check's turn at every location falls in it.
[ "$WIN" -ge "$IV" ] || { echo "cluster.sh: the window must be >= one interval" >&2; exit 1; }
# Lateness is read over the window and the interval before it, which
# must come after the first turn.
[ "$WARM" -ge $((IV + 5)) ] || { echo "cluster.sh: the warm-up must be >= one interval + 5 s" >&2; exit 1; }
# Short retention: 60,000 files in the cluster (one per check and
# location) must fit the disk; at a 60 s step this is ~100 rows a file.
RETENTION='1s:30m,1h:1d'

TMP=$(mktemp -d /tmp/sitewatch-cluster.XXXXXX)
# PostgreSQL runs as another user: it must reach its folder in here.
chmod 0711 "$TMP"
WATCHDOG=
cleanup() {
	trap - EXIT INT TERM
	if [ -n "$WATCHDOG" ]; then
		kill "$WATCHDOG" 2>/dev/null
		[ -s "$TMP/watchdog.pid" ] && kill "$(cat "$TMP/watchdog.pid")" 2>/dev/null
	fi
	bench_cleanup
	rm -rf "$TMP"/trash-*	# rrdcached's files (configs and logs stay)
	if [ $KEEP = 1 ]; then
		echo "kept: $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT TERM
( exec >/dev/null 2>&1; sleep $RUN_LIMIT & echo $! >"$TMP/watchdog.pid"
  wait $! && kill -TERM $$ ) &
WATCHDOG=$!

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

TEMPLATES=$(dirname "$SWD")/templates
[ -d "$TEMPLATES" ] || TEMPLATES=$TOP/templates

declare -A R
declare -A NPORT NPID	# each node's web port and PID, by name
ROWS=()
TROWS=()
row() { ROWS+=("$1|$2|${3:-}"); }
trow() { TROWS+=("$1|$2|$3|$4"); }
verdict() {
	[ -n "$1" ] && [ "$1" != "n/a" ] || { echo "n/a"; return; }
	awk -v m="$1" -v l="$3" -v op="$2" 'BEGIN {
		if (op == "<=") ok = m + 0 <= l + 0
		else if (op == "<") ok = m + 0 < l + 0
		else if (op == ">=") ok = m + 0 >= l + 0
		else ok = m + 0 > l + 0
		print ok ? "PASS" : "FAIL" }'
}

# ---------------------------------------------------------------- servers
say "starting nginx (its log names the source address)"
make_certs "$TMP/certs"		# start_nginx serves HTTPS too (unused here)
NGX_LOG_VARS='$remote_addr'
start_nginx "$TMP/nginx" "$TMP/certs" 1 ||
    { say "nginx failed: $(cat "$TMP/nginx/stderr" "$TMP/nginx/error.log" 2>/dev/null)"; exit 1; }
URL=http://127.0.0.1:$NGX_HTTP_LOG/ok
for a in 127.0.0.2 127.0.0.3 127.0.0.4; do
	curl -sf --interface "$a" -o /dev/null "$URL?c=hello" ||
	    { say "cannot reach nginx from $a"; exit 1; }
done

say "starting PostgreSQL 15"
start_postgres "$TMP/pg" || exit 1

# ---------------------------------------------------------------- nodes
# node_conf RUN NAME SOURCE LOCATIONS: write RUN's node NAME's config.
node_conf() {
	local run=$1 name=$2 src=$3 locs=$4 d=$TMP/$1/$2
	local to=$((IV < 10 ? IV / 2 : 5))
	[ $to -ge 1 ] || to=1
	mkdir -p "$d/var"
	NPORT[$name]=$(free_port)
	cat >"$d/sitewatch.conf" <<EOF
; generated by bench/cluster.sh
[daemon]
state_dir = $d/var
checks_dir = $TMP/$run/checks.d
templates_dir = $TEMPLATES
listen = 127.0.0.1:${NPORT[$name]}
max_parallel = 500
rrd_retention = $RETENTION
database = $PG_BASE/sw_$run
rrdcached = 127.0.0.1:$RRDC_PORT
node = $name
location = $name
source = $src

[smtp]
from = Bench <bench@localhost>
staff = bench@localhost

[defaults]
interval = $IV
timeout = $to
locations = $locs
EOF
}

# snap PREFIX begin|end: clock, CPU of every node (all threads), of
# rrdcached and of PostgreSQL (postmaster and backends), and each node's
# /metrics -- read before the CPU at the beginning and after it at the
# end, so that rendering /metrics stays outside the window.
snap() {
	local p=$1 n m
	if [ "$2" = begin ]; then
		for n in $RUN_NODES; do
			R[$p.$n.m]=$(http_get "http://127.0.0.1:${NPORT[$n]}/metrics")
		done
	fi
	R[$p.t]=$(now_ms)
	for n in $RUN_NODES; do
		R[$p.$n.cpu]=$(cpu_us "${NPID[$n]}")
		R[$p.$n.threads]=$(cpu_threads "${NPID[$n]}")
	done
	R[$p.rrdc]=$(cpu_us "$RRDC_PID")
	R[$p.pg]=$(cpu_tree_us "$PG_PID")
	if [ "$2" = end ]; then
		for n in $RUN_NODES; do
			R[$p.$n.m]=$(http_get "http://127.0.0.1:${NPORT[$n]}/metrics")
		done
	fi
	for n in $RUN_NODES; do
		m=${R[$p.$n.m]}
		R[$p.$n.finished]=$(prom_value "$m" '^sitewatch_checks_total$' 'event="finished"')
		R[$p.$n.skipped]=$(prom_value "$m" '^sitewatch_checks_total$' 'event="skipped"')
		R[$p.$n.late50]=$(prom_value "$m" 'lateness' 'quantile="0.5"')
		R[$p.$n.late99]=$(prom_value "$m" 'lateness' 'quantile="0.99"')
		R[$p.$n.latemax]=$(prom_value "$m" 'lateness' 'quantile="1"')
		unset "R[$p.$n.m]"
	done
}

# The nginx log over the window [T0, T1): "total", then "src COUNT" per
# source address; over [T1 - IV - 2 s, T1), one turn at least of every
# check at every location: "locs K CHECKS" (checks probed from K
# distinct sources) and "seen CHECKS".
log_window() {
	awk -v a="$1" -v b="$2" -v c="$(( $2 - IV * 1000 - 2000 ))" -v d="$2" '
	$2 !~ /^c[0-9]+$/ { next }
	{ t = $1 * 1000 }
	t >= a && t < b { n++; src[$3]++ }
	t >= c && t < d && !(($2, $3) in pair) { pair[$2, $3] = 1; k[$2]++ }
	END {
		print "total", n + 0
		for (s in src) print "src", s, src[s]
		for (ch in k) { dist[k[ch]]++; seen++ }
		for (x in dist) print "locs", x, dist[x]
		print "seen", seen + 0
	}' "$NGX_LOG"
}

# Scheduling lateness from the outside, over [FROM, TO): for each check
# at each location (source address), how much later than its
# earliest-phase turn each turn reached nginx (log_jitter in lib.sh,
# keyed by check and source).  Prints "p50 p99 max" in ms.  /metrics
# gives quantiles since the start only, warm-up included, which no window
# can be cut out of: they are shown per node, for context.
pair_jitter() {
	log_jitter "$NGX_LOG" "$1" "$2" "$IV" by-source
}

# run_nodes RUN LOCATIONS NAME:SOURCE...: a fresh database and rrdcached,
# the nodes started, warm-up, window, stop.  Fills R[RUN.*].
run_nodes() {
	local run=$1 locs=$2 spec n src t_all dead=0 pf=
	local cpu=0 probes sched w per_n
	shift 2
	RUN_NODES=
	mkdir -p "$TMP/$run"
	pg_createdb "sw_$run" || { say "cannot create database sw_$run"; return 1; }
	start_rrdcached_tcp "$TMP/$run/rrdcached" || return 1
	gen_checks "$TMP/$run/checks.d" "$N" 100 "$URL"
	for spec in "$@"; do
		n=${spec%%:*}; src=${spec#*:}
		RUN_NODES="$RUN_NODES $n"
		node_conf "$run" "$n" "$src" "$locs"
		"$SWD" -t -c "$TMP/$run/$n/sitewatch.conf" >"$TMP/$run/$n/check.log" 2>&1 ||
		    { say "$run/$n: -t refused the config: $(tail -3 "$TMP/$run/$n/check.log")"; return 1; }
	done
	# Start every node, then wait for each to say it started.
	for n in $RUN_NODES; do
		"$SWD" -f -c "$TMP/$run/$n/sitewatch.conf" >"$TMP/$run/$n/log" 2>&1 &
		NPID[$n]=$!
		track_pid "${NPID[$n]}"
	done
	for n in $RUN_NODES; do
		wait_for 120 "grep -q 'started: ' '$TMP/$run/$n/log' || ! kill -0 ${NPID[$n]} 2>/dev/null" &&
		    kill -0 "${NPID[$n]}" 2>/dev/null ||
		    { say "$run/$n did not start: $(tail -5 "$TMP/$run/$n/log")"; return 1; }
	done
	t_all=$(now_ms)
	R[$run.nodes]=$(echo $RUN_NODES | wc -w)
	say "$run: ${R[$run.nodes]} node(s) started; warm-up ${WARM}s"
	if [ "${R[$run.nodes]}" -gt 1 ]; then
		for n in $RUN_NODES; do
			wait_for $((WARM + 30)) "grep -q 'assign: ${R[$run.nodes]} live node' '$TMP/$run/$n/log'" ||
			    say "$run/$n: never saw all ${R[$run.nodes]} nodes: $(grep 'assign:' "$TMP/$run/$n/log" | tail -2)"
		done
		R[$run.settled_s]=$(( ($(now_ms) - t_all) / 1000 ))
	fi
	w=$(( WARM * 1000 - ($(now_ms) - t_all) ))
	[ $w -le 0 ] || sleep "$(calc "$w / 1000")"
	snap "$run.s0" begin
	if [ $PROFILE = 1 ]; then
		pf=$(echo $RUN_NODES | cut -d' ' -f1)
		perf record -q -e cpu-clock -F 499 -g -p "$RRDC_PID" \
		    -o "$TMP/perf-$run-rrdcached.data" -- sleep "$WIN" >/dev/null 2>&1 &
		PERF_PID2=$!
		track_pid "$PERF_PID2" INT
		perf record -q -e cpu-clock -F 499 -g -p "${NPID[$pf]}" \
		    -o "$TMP/perf-$run.data" -- sleep "$WIN" >/dev/null 2>&1 &
		PERF_PID=$!
		track_pid "$PERF_PID" INT
		# perf writes its data out after its sleep, which takes long
		# on a busy disk: the window ends on our own clock.
		sleep "$WIN"
	else
		sleep "$WIN"
	fi
	snap "$run.s1" end
	if [ -n "$pf" ]; then
		wait "$PERF_PID" "$PERF_PID2"
		untrack_pid "$PERF_PID"; untrack_pid "$PERF_PID2"
	fi
	for n in $RUN_NODES; do
		kill -0 "${NPID[$n]}" 2>/dev/null || { dead=$((dead + 1)); say "$run/$n died: $(tail -3 "$TMP/$run/$n/log")"; }
		R[$run.$n.hwm_kb]=$(proc_kb "${NPID[$n]}" VmHWM)
		# "this one probes X of N checks", its last word on it.
		R[$run.$n.assigned]=$(grep -o 'probes [0-9]* of' "$TMP/$run/$n/log" | tail -1 | cut -d' ' -f2)
	done
	R[$run.dead]=$dead
	R[$run.rrdc_hwm_kb]=$(proc_kb "$RRDC_PID" VmHWM)
	for n in $RUN_NODES; do stop_pid "${NPID[$n]}" 30; done
	# Its files are thrown away: SIGTERM would write all of them (up to
	# 60,000) out first, minutes on a busy disk.  Removed at the end.
	stop_pid "$RRDC_PID" 5 KILL
	mv "$RRDC_BASE" "$TMP/trash-$run"

	local t0=${R[$run.s0.t]} t1=${R[$run.s1.t]}
	sleep 1.5	# nginx flushes its log every second
	log_window "$t0" "$t1" >"$TMP/$run/window.txt"
	probes=$(awk '$1 == "total" { print $2 }' "$TMP/$run/window.txt")
	sched=$(calc "$N * $locs * ($t1 - $t0) / 1000 / $IV")
	R[$run.probes]=$probes
	R[$run.sched]=$sched
	R[$run.share]=$(calc "$probes / ($sched + 1e-9)")
	R[$run.rate]=$(calc "$probes * 1000 / ($t1 - $t0)")
	R[$run.seen]=$(awk '$1 == "seen" { print $2 }' "$TMP/$run/window.txt")
	R[$run.locs_ok]=$(awk -v k="$locs" '$1 == "locs" && $2 == k { print $3 }' "$TMP/$run/window.txt")
	R[$run.locs_ok]=${R[$run.locs_ok]:-0}
	# Two turns of every check at least: the window and the interval
	# before it (inside the warm-up, after the first turn).
	R[$run.jitter]=$(pair_jitter "$(( t0 - IV * 1000 ))" "$t1")
	R[$run.jit99]=$(echo "${R[$run.jitter]}" | awk '$2 != "-" { print $2 }')
	R[$run.locs_hist]=$(awk '$1 == "locs" { printf "%s%s: %s", sep, $2, $3; sep = ", " }' "$TMP/$run/window.txt")
	# Per node: its probes in the window (by source address), CPU,
	# lateness (since its start: /metrics keeps no window), finished
	# and skipped turns from /metrics.
	R[$run.late99]=
	for spec in "$@"; do
		n=${spec%%:*}; src=${spec#*:}
		R[$run.$n.probes]=$(awk -v s="$src" '$1 == "src" && $2 == s { print $3 }' "$TMP/$run/window.txt")
		R[$run.$n.probes]=${R[$run.$n.probes]:-0}
		R[$run.$n.cpu]=$(( ${R[$run.s1.$n.cpu]} - ${R[$run.s0.$n.cpu]} ))
		cpu=$(( cpu + ${R[$run.$n.cpu]} ))
		R[$run.$n.late]="p50 ${R[$run.s1.$n.late50]:-?} / p99 ${R[$run.s1.$n.late99]:-?} / max ${R[$run.s1.$n.latemax]:-?} ms"
		# A bound on the p99 of all probes: no more than 1 % of any
		# node's probes, so of all, are later than the largest p99.
		if [ -n "${R[$run.s1.$n.late99]:-}" ] && { [ -z "${R[$run.late99]}" ] ||
		    awk -v a="${R[$run.s1.$n.late99]}" -v b="${R[$run.late99]}" 'BEGIN { exit !(a > b) }'; }; then
			R[$run.late99]=${R[$run.s1.$n.late99]}
		fi
		R[$run.$n.finished]=$(calc "${R[$run.s1.$n.finished]:-0} - ${R[$run.s0.$n.finished]:-0}")
		R[$run.$n.skipped]=$(calc "${R[$run.s1.$n.skipped]:-0} - ${R[$run.s0.$n.skipped]:-0}")
	done
	R[$run.cpu_nodes]=$cpu
	R[$run.cpu_rrdc]=$(( ${R[$run.s1.rrdc]} - ${R[$run.s0.rrdc]} ))
	R[$run.cpu_pg]=$(( ${R[$run.s1.pg]} - ${R[$run.s0.pg]} ))
	if [ "${probes:-0}" -gt 0 ]; then
		R[$run.cpu]=$(calc "($cpu + ${R[$run.cpu_rrdc]}) / $probes")
		R[$run.cpu_d]=$(calc "$cpu / $probes")
		R[$run.cpu_r]=$(calc "${R[$run.cpu_rrdc]} / $probes")
		R[$run.cpu_p]=$(calc "${R[$run.cpu_pg]} / $probes")
	fi
	# µs per probe by thread name, added over the nodes.
	R[$run.threads]=$(cpu_threads_per_check \
	    "$(for n in $RUN_NODES; do printf '%s\n' "${R[$run.s0.$n.threads]}"; done | awk '{ s[$1] += $2 } END { for (k in s) print k, s[k] }')" \
	    "$(for n in $RUN_NODES; do printf '%s\n' "${R[$run.s1.$n.threads]}"; done | awk '{ s[$1] += $2 } END { for (k in s) print k, s[k] }')" \
	    "${probes:-0}")
	say "$run: ${R[$run.rate]}/s, $probes/$(fmt '%.0f' "$sched") probes, CPU ${R[$run.cpu]:-?} µs/probe (daemons ${R[$run.cpu_d]:-?} + rrdcached ${R[$run.cpu_r]:-?}; PostgreSQL ${R[$run.cpu_p]:-?}), late p99 ${R[$run.jit99]:-?} ms (nginx log; /metrics since start, worst node: ${R[$run.late99]:-?} ms)"
	say "$run: µs/probe by thread: ${R[$run.threads]}"
	say "$run: checks by distinct sources in one turn: ${R[$run.locs_hist]}"
	[ -z "$pf" ] || profile_report "$run" "$pf"
	return 0
}

# profile_report RUN NODE: where node NODE's and rrdcached's CPU went.
profile_report() {
	local f what
	for f in "$1" "$1-rrdcached"; do
		[ -s "$TMP/perf-$f.data" ] || continue
		what="node $2"
		[ "$f" = "$1" ] || what=rrdcached
		{
			echo
			echo "PROFILE of $what in ($1), by thread and library, then top symbols (self):"
			perf report -i "$TMP/perf-$f.data" --no-children \
			    --sort comm,dso --stdio 2>/dev/null |
			    grep -E '^ +[0-9]' | head -12
			perf report -i "$TMP/perf-$f.data" --no-children \
			    --sort dso,sym --stdio -g none 2>/dev/null |
			    grep -E '^ +[0-9]' | head -30
		} | tee "$TMP/profile-$f.txt" >&2
	done
}

if want single; then
	say "single: 1 node, $N checks every ${IV}s, locations = 1 ($((N / IV)) probes/s)"
	run_nodes single 1 s:127.0.0.2 || R[single.error]=1
fi
if want cluster; then
	say "cluster: 3 nodes, $N checks every ${IV}s, locations = $LOCS ($((N * LOCS / IV)) probes/s)"
	run_nodes cluster "$LOCS" a:127.0.0.2 b:127.0.0.3 c:127.0.0.4 || R[cluster.error]=1
fi

# ---------------------------------------------------------------- report
pct() { [ -n "${1:-}" ] && fmt '%.3f%%' "$(calc "$1 * 100")" || echo n/a; }
for run in single cluster; do
	[ -n "${R[$run.probes]:-}" ] || continue
	if [ $run = single ]; then
		what="1 node, $N checks/${IV}s, locations = 1"
		specs="s:127.0.0.2"
	else
		what="3 nodes, $N checks/${IV}s, locations = $LOCS"
		specs="a:127.0.0.2 b:127.0.0.3 c:127.0.0.4"
	fi
	row "($run) $what" "$(fmt '%.1f' "${R[$run.cpu]:-0}") µs/probe" \
	    "daemons $(fmt '%.1f' "${R[$run.cpu_d]:-0}") + rrdcached $(fmt '%.1f' "${R[$run.cpu_r]:-0}"); PostgreSQL $(fmt '%.1f' "${R[$run.cpu_p]:-0}") (not counted); $(fmt '%.0f' "${R[$run.rate]}")/s, ran ${R[$run.probes]}/$(fmt '%.0f' "${R[$run.sched]}") ($(pct "${R[$run.share]}"), nginx log), window $(( (${R[$run.s1.t]} - ${R[$run.s0.t]}) / 1000 )) s"
	for spec in $specs; do
		n=${spec%%:*}
		row "($run) node $n (${spec#*:})" "${R[$run.$n.probes]} probes" \
		    "$(fmt '%.1f' "$(calc "${R[$run.$n.probes]} * 100 / (${R[$run.probes]} + 1e-9)")")% of all; assigned ${R[$run.$n.assigned]:-all} checks; CPU $(fmt '%.1f' "$(calc "${R[$run.$n.cpu]} / (${R[$run.$n.probes]} + 1e-9)")") µs/probe; /metrics: ${R[$run.$n.finished]} finished, ${R[$run.$n.skipped]} skipped, late ${R[$run.$n.late]} (since start); peak RSS ${R[$run.$n.hwm_kb]:-?} kB"
	done
	[ -z "${R[$run.threads]:-}" ] || row "($run) µs/probe by thread (all nodes)" "" "${R[$run.threads]}"
	set -- ${R[$run.jitter]:-- - -}
	row "($run) scheduling lateness (nginx log)" "p99 $2 ms" \
	    "p50 $1 / max $3 ms: each check at each location against its earliest turn, over the window and the interval before it; /metrics since start, warm-up included: worst node p99 ${R[$run.late99]:-?} ms"
	row "($run) checks by distinct sources, one turn" "${R[$run.locs_ok]}/$N" \
	    "sources per check: ${R[$run.locs_hist]:-none} (over the window's last ${IV} s and 2 s before)"
	[ -z "${R[$run.settled_s]:-}" ] ||
	    row "($run) every node saw all ${R[$run.nodes]} nodes" "${R[$run.settled_s]} s" "after the last one started (\"assign: ${R[$run.nodes]} live node(s)\" in each log)"
done

r=${R[cluster.share]:-}
trow "(cluster) share of scheduled probes run (nginx log)" "$(pct "$r")" ">= 99.9%" "$(verdict "$r" '>=' 0.999)"
r=${R[cluster.jit99]:-}
trow "(cluster) scheduling lateness p99 (nginx log)" "$( [ -n "$r" ] && echo "$r ms" || echo n/a)" "< 50 ms" "$(verdict "$r" '<' 50)"
r=
[ -z "${R[cluster.cpu]:-}" ] || [ -z "${R[single.cpu]:-}" ] ||
    r=$(calc "${R[cluster.cpu]} / ${R[single.cpu]}")
trow "(cluster) CPU/probe vs one node (daemons + rrdcached)" "$( [ -n "$r" ] && fmt '%.2fx' "$r" || echo n/a)" "<= 1.2x" "$(verdict "$r" '<=' 1.2)"
r=
[ -z "${R[cluster.probes]:-}" ] || r=$(calc "${R[cluster.locs_ok]} / $N")
trow "(cluster) checks probed from exactly $LOCS locations" "$( [ -n "$r" ] && echo "${R[cluster.locs_ok]}/$N" || echo n/a)" "all" "$(verdict "$r" '>=' 1)"
# Even spread: with rendezvous hashing each node holds about LOCS/3 of
# the checks; a node off the mean by more than 10 % is a fault.
r=
if [ -n "${R[cluster.probes]:-}" ]; then
	r=$(for n in $NODES; do echo "${R[cluster.$n.probes]}"; done |
	    awk '{ v[NR] = $1; s += $1 } END { m = s / NR; for (i in v) { d = (v[i] - m) / m; if (d < 0) d = -d; if (d > w) w = d } printf "%.4f\n", w }')
fi
trow "(cluster) spread: largest node's distance from the mean" "$( [ -n "$r" ] && fmt '%.1f%%' "$(calc "$r * 100")" || echo n/a)" "<= 10%" "$(verdict "$r" '<=' 0.1)"
r=${R[single.share]:-}
[ -z "$r" ] || row "context: (single) share of scheduled probes run" "$(pct "$r")" "late p99 ${R[single.jit99]:-?} ms (nginx log)"

{
	echo
	echo "sitewatch cluster benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)  $(nproc) CPUs  load $(cut -d' ' -f1-3 /proc/loadavg)  $([ $QUICK = 1 ] && echo quick || echo full)  $(cd "$TOP" && git rev-parse --short HEAD 2>/dev/null)"
	echo "nginx target: 1 worker, keep-alive off; PostgreSQL 15 + rrdcached over TCP; CPU = daemons + rrdcached (/proc, all threads)"
	echo
	printf '%-52s %-16s %s\n' "MEASUREMENT" "VALUE" "NOTE"
	for l in "${ROWS[@]}"; do
		IFS='|' read -r a b c <<<"$l"
		printf '%-52s %-16s %s\n' "$a" "$b" "$c"
	done
	echo
	printf '%-56s %-12s %-10s %s\n' "TARGET" "MEASURED" "LIMIT" "RESULT"
	for l in "${TROWS[@]}"; do
		IFS='|' read -r a b c d <<<"$l"
		printf '%-56s %-12s %-10s %s\n' "$a" "$b" "$c" "$d"
	done
} | tee "$TMP/table.txt"
cp "$TMP/table.txt" "${BENCH_OUT:-/dev/null}" 2>/dev/null || true
fails=$(printf '%s\n' "${TROWS[@]}" | grep -c '|FAIL$')
errs=$(( ${R[single.error]:-0} + ${R[cluster.error]:-0} ))
exit $(( fails > 0 || errs > 0 ? 1 : 0 ))
