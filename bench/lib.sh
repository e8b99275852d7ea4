# bench/lib.sh -- helpers for bench/run.sh: processes, clocks, /proc
# readings, the nginx target, certificates and the check generator.
# Sourced, never run.  Every process started here is recorded in
# $BENCH_PIDS and stopped by PID in bench_cleanup.

BENCH_PIDS=
CLK_TCK=$(getconf CLK_TCK)

say() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

now_ms() { date +%s%3N; }

# A free TCP port on 127.0.0.1 (the kernel picks it; it is free right after).
free_port() {
	/usr/bin/python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# track_pid PID [SIGNAL]: stop PID at exit, with SIGNAL (default TERM).
# Processes are stopped newest first: a daemon before the servers it
# writes to.
track_pid() { BENCH_PIDS="$1${2:+:$2} $BENCH_PIDS"; }

# Stop one process we started: SIGNAL $3 (default TERM), up to $2 s
# (default 5), then KILL.
stop_pid() {
	local pid=$1 wait=${2:-5} sig=${3:-TERM} i=0
	kill -0 "$pid" 2>/dev/null || return 0
	kill -"$sig" "$pid" 2>/dev/null || true
	while kill -0 "$pid" 2>/dev/null && [ $i -lt $((wait * 10)) ]; do
		sleep 0.1; i=$((i + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		say "pid $pid did not stop in ${wait}s: KILL"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
	untrack_pid "$pid"
}

# Forget PID (stopped): a later cleanup must not signal a reused PID.
untrack_pid() {
	local p out=
	for p in $BENCH_PIDS; do
		[ "${p%%:*}" = "$1" ] || out="$out $p"
	done
	BENCH_PIDS=$out
}

bench_cleanup() {
	local p
	for p in $BENCH_PIDS; do
		case $p in
		*:*) stop_pid "${p%%:*}" 10 "${p#*:}" ;;
		*) stop_pid "$p" 3 ;;
		esac
	done
	BENCH_PIDS=
}

# user+sys CPU of a live process (all its threads), in microseconds.
cpu_us() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
	# Fields after "(comm) ": state is 1st, utime 12th, stime 13th.
	stat=${stat##*) }
	set -- $stat
	echo $(( (${12} + ${13}) * 1000000 / CLK_TCK ))
}

# CPU µs of each thread of PID, one "name us" line per thread name
# (threads of one name are added up: the web's workers, libcurl's
# resolver threads).
cpu_threads() {
	local t stat name
	for t in /proc/"$1"/task/*; do
		stat=$(cat "$t/stat" 2>/dev/null) || continue
		name=${stat#*(}; name=${name%%)*}; name=${name// /_}
		stat=${stat##*) }
		set -- $stat
		echo "$name $(( (${12} + ${13}) * 1000000 / CLK_TCK ))"
	done | awk '{ s[$1] += $2 } END { for (k in s) print k, s[k] }' | sort
}

# "name µs/check ..." from two cpu_threads snapshots and a check count;
# threads that spent under 0.5 µs a check are left out.
cpu_threads_per_check() {
	awk -v n="$3" 'n <= 0 { exit } FNR == NR { a[$1] = $2; next }
	    { d = ($2 - a[$1]) / n; if (d >= 0.5) printf "%s %.1f, ", $1, d }' \
	    <(printf '%s\n' "$1") <(printf '%s\n' "$2") | sed 's/, $//'
}

# A /proc/PID/status field in kB (VmHWM, VmRSS).
proc_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null; }

# Poll (0.05 s) until a shell condition holds; 1 on timeout.
wait_for() {
	local secs=$1 cond=$2 end
	end=$(( $(now_ms) + secs * 1000 ))
	while ! eval "$cond"; do
		[ "$(now_ms)" -lt "$end" ] || return 1
		sleep 0.05
	done
}

# Floating point in awk: calc '1/3' -> 0.333333
calc() { awk "BEGIN { v = $1; printf \"%.6g\\n\", v }"; }
fmt() { awk -v v="$2" "BEGIN { printf \"$1\", v }"; }

# A test CA and a server cert for localhost + 127.0.0.1 (RSA 2048: what
# most sites still serve).
make_certs() {
	local d=$1
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj '/CN=bench CA' \
	    -keyout "$d/ca.key" -out "$d/ca.pem" \
	    -addext basicConstraints=critical,CA:TRUE \
	    -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -subj '/CN=localhost' \
	    -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
	    >"$d/ext.cnf"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" \
	    -CAkey "$d/ca.key" -CAcreateserial -days 365 \
	    -extfile "$d/ext.cnf" -out "$d/server.pem" 2>/dev/null
}

# nginx tuned as a load target.  Sets NGX_HTTP (plain, no log),
# NGX_HTTP_LOG (plain, access log "$msec $arg_c" for counting what
# sitewatchd really sent; NGX_LOG_VARS, e.g. '$remote_addr', adds
# fields after those two), NGX_HTTPS (full handshake every time: no
# session cache, no tickets; logged the same way), NGX_PID, NGX_LOG.
start_nginx() {
	local d=$1 certs=$2 workers=${3:-1}
	mkdir -p "$d/tmp"
	NGX_HTTP=$(free_port); NGX_HTTP_LOG=$(free_port); NGX_HTTPS=$(free_port)
	NGX_LOG=$d/access.log
	cat >"$d/nginx.conf" <<EOF
worker_processes $workers;
worker_rlimit_nofile 65536;
pid $d/nginx.pid;
error_log $d/error.log crit;
events { worker_connections 16384; multi_accept on; }
http {
	access_log off;
	keepalive_timeout 0;
	lingering_close off;
	client_body_temp_path $d/tmp/body;
	proxy_temp_path $d/tmp/proxy;
	fastcgi_temp_path $d/tmp/fastcgi;
	uwsgi_temp_path $d/tmp/uwsgi;
	scgi_temp_path $d/tmp/scgi;
	default_type text/plain;
	log_format bench '\$msec \$arg_c${NGX_LOG_VARS:+ $NGX_LOG_VARS}';
	server {
		listen 127.0.0.1:$NGX_HTTP backlog=4096;
		location / { return 200 "hello sitewatch\n"; }
	}
	server {
		listen 127.0.0.1:$NGX_HTTP_LOG backlog=4096;
		access_log $NGX_LOG bench buffer=256k flush=1s;
		location / { return 200 "hello sitewatch\n"; }
	}
	server {
		listen 127.0.0.1:$NGX_HTTPS ssl backlog=4096;
		ssl_certificate $certs/server.pem;
		ssl_certificate_key $certs/server.key;
		ssl_protocols TLSv1.2 TLSv1.3;
		ssl_session_cache off;
		ssl_session_tickets off;
		access_log $NGX_LOG bench buffer=256k flush=1s;
		location / { return 200 "hello sitewatch\n"; }
	}
}
EOF
	nginx -e "$d/error.log" -p "$d" -c "$d/nginx.conf" -g 'daemon off;' \
	    >"$d/stderr" 2>&1 &
	NGX_PID=$!
	track_pid "$NGX_PID"
	wait_for 10 "curl -sf http://127.0.0.1:$NGX_HTTP/ok >/dev/null && curl -sf --cacert $certs/ca.pem https://127.0.0.1:$NGX_HTTPS/ok >/dev/null" ||
	    { cat "$d/stderr" "$d/error.log" >&2; return 1; }
}

# Requests nginx logged with $msec in [from_ms, to_ms) (the log is flushed
# every second: call it >= 1.5 s after to_ms).
log_count() {
	awk -v a="$2" -v b="$3" '{ t = $1 * 1000 } t >= a && t < b { n++ }
	    END { print n + 0 }' "$1"
}

# Per-check arrival jitter from the nginx log in [from, to): for each check,
# how much later than its earliest-phase arrival (arrival - k * interval)
# each arrival came.  Prints "p50 p99 max" in ms.  An outside view of
# scheduling lateness (it includes connect time, ~0.1 ms here).
#   log_jitter LOG FROM TO INTERVAL [by-source]
# by-source: each check at each source address (the log's third field)
# is its own series, and only checks named c<digits> count (cluster.sh).
log_jitter() {
	awk -v a="$2" -v b="$3" -v iv="$4" -v bysrc="${5:-}" '
	{ t = $1 * 1000 }
	bysrc != "" && $2 !~ /^c[0-9]+$/ { next }
	t >= a && t < b && $2 != "" && $2 != "-" {
		k = bysrc != "" ? $2 " " $3 : $2
		n[k]++; ts[k, n[k]] = t
	}
	END {
		for (c in n) {
			if (n[c] < 2) continue
			t0 = ts[c, 1]; best = 0
			for (i = 1; i <= n[c]; i++) {
				ph = ts[c, i] - (i - 1) * iv * 1000 - t0
				if (i == 1 || ph < best) best = ph
			}
			for (i = 1; i <= n[c]; i++)
				printf "%.3f\n", ts[c, i] - (i - 1) * iv * 1000 - t0 - best
		}
	}' "$1" | sort -n | awk '{ d[NR] = $1 }
	END {
		if (NR == 0) { print "- - -"; exit }
		i99 = int(NR * 0.99) + 1; if (i99 > NR) i99 = NR
		printf "%.1f %.1f %.1f\n", d[int(NR * 0.5) + 1], d[i99], d[NR]
	}'
}

# Write N checks into DIR/checks.d (PER checks a file), named c0000001..,
# each URL = BASE?c=NAME so nginx can tell them apart.  EXTRA is appended
# to every check section (e.g. "ca_file = ...").
gen_checks() {
	local dir=$1 n=$2 per=$3 base=$4 extra=${5:-}
	mkdir -p "$dir"
	awk -v n="$n" -v per="$per" -v base="$base" -v dir="$dir" \
	    -v extra="$extra" 'BEGIN {
		for (i = 1; i <= n; i++) {
			if ((i - 1) % per == 0) {
				if (f != "") close(f)
				f = sprintf("%s/site%05d.conf", dir, int((i - 1) / per) + 1)
				printf "[site]\nname = Bench site %d\nlanguage = en\n\n", \
				    int((i - 1) / per) + 1 > f
			}
			name = sprintf("c%07d", i)
			printf "[check %s]\nurl = %s?c=%s\n", name, base, name > f
			if (extra != "") printf "%s\n", extra > f
			printf "\n" > f
		}
		if (f != "") close(f)
	}'
}

# GET a URL on loopback with a short timeout; empty on failure.
http_get() { curl -s --max-time 3 "$1" 2>/dev/null || true; }

# A value from Prometheus text: the first sample whose name matches the
# regex $2 (and whose labels match $3, if given).
prom_value() {
	printf '%s\n' "$1" | awk -v re="$2" -v lab="${3:-}" '
	/^#/ { next }
	{
		name = $1; sub(/\{.*/, "", name)
		if (name !~ re) next
		if (lab != "" && index($1, lab) == 0) next
		print $NF; exit
	}'
}

# CPU µs of PID plus its children: the live ones, and those it has
# reaped (cutime + cstime).  For PostgreSQL, whose backends come and go:
# the postmaster's figure grows by a backend's CPU when it reaps it.
cpu_tree_us() {
	local stat c sum
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
	stat=${stat##*) }
	set -- "$1" $stat
	sum=$(( (${13} + ${14} + ${15} + ${16}) * 1000000 / CLK_TCK ))
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		sum=$(( sum + $(cpu_us "$c") ))
	done
	echo "$sum"
}

# PostgreSQL 15 in DIR on a free loopback port, for a cluster of
# sitewatchd nodes.  It refuses to run as root: then it runs as
# $BENCH_PG_USER (default sitewatch-test, the integration tests' user;
# created as a system user when absent), and DIR's parents must be
# reachable.  Durability off (fsync, synchronous_commit): a benchmark
# cluster need not survive a power cut, and the disk is not measured.
# Sets PG_PORT, PG_PID, PG_DIR and PG_BASE (postgresql://…:PORT, no
# database: append /NAME); pg_createdb NAME makes a database.  Tracked:
# stopped with SIGINT (its fast stop) at exit.
BENCH_PG_BIN=${BENCH_PG_BIN:-/usr/lib/postgresql/15/bin}
BENCH_PG_USER=${BENCH_PG_USER:-sitewatch-test}
start_postgres() {
	local dir=$1 pw=bench-$$
	local -a as=()
	[ -x "$BENCH_PG_BIN/postgres" ] ||
	    { say "PostgreSQL 15 is not installed ($BENCH_PG_BIN)"; return 1; }
	PG_DIR=$dir
	PG_PORT=$(free_port)
	mkdir -p "$dir"
	if [ "$(id -u)" -eq 0 ]; then
		getent passwd "$BENCH_PG_USER" >/dev/null ||
		    useradd --system --no-create-home --home-dir /nonexistent \
		    --shell /usr/sbin/nologin "$BENCH_PG_USER" ||
		    { say "cannot create the user $BENCH_PG_USER"; return 1; }
		chown "$BENCH_PG_USER:" "$dir"
		as=(setpriv --reuid="$BENCH_PG_USER" --regid="$BENCH_PG_USER"
		    --init-groups --)
	fi
	echo "$pw" >"$dir/pwfile"
	chmod 0644 "$dir/pwfile"
	"${as[@]}" "$BENCH_PG_BIN/initdb" -D "$dir/data" -U sitewatch \
	    --pwfile="$dir/pwfile" --auth-local=trust \
	    --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync \
	    >"$dir/initdb.log" 2>&1 ||
	    { say "initdb failed: $(tail -3 "$dir/initdb.log")"; return 1; }
	rm -f "$dir/pwfile"
	"${as[@]}" "$BENCH_PG_BIN/postgres" -D "$dir/data" -k "$dir" \
	    -p "$PG_PORT" -c listen_addresses=127.0.0.1 -c fsync=off \
	    -c synchronous_commit=off -c full_page_writes=off \
	    -c max_connections=200 \
	    </dev/null >"$dir/postgres.log" 2>&1 &
	PG_PID=$!
	track_pid "$PG_PID" INT
	wait_for 30 "pg_isready -q -h '$dir' -p $PG_PORT || ! kill -0 $PG_PID 2>/dev/null" &&
	    kill -0 "$PG_PID" 2>/dev/null ||
	    { say "postgres did not start: $(tail -3 "$dir/postgres.log")"; return 1; }
	PG_BASE="postgresql://sitewatch:$pw@127.0.0.1:$PG_PORT"
}
pg_createdb() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" \
	    -U sitewatch -d postgres -c "CREATE DATABASE $1" >/dev/null
}

# rrdcached on 127.0.0.1:free port, as a cluster's nodes share it: files
# under DIR/files (-B -b, -R for its rrd/ folder), written every 5-6 min
# (-w 300 -z 60, as rrdc_start in run.sh).  Sets RRDC_PORT, RRDC_PID,
# RRDC_BASE.
start_rrdcached_tcp() {
	local dir=$1
	RRDC_BASE=$dir/files
	mkdir -p "$RRDC_BASE"
	RRDC_PORT=$(free_port)
	rrdcached -g -B -b "$RRDC_BASE" -R -l "127.0.0.1:$RRDC_PORT" \
	    -p "$dir/rrdcached.pid" -w 300 -z 60 -f 600 -t 4 \
	    </dev/null >"$dir/rrdcached.log" 2>&1 &
	RRDC_PID=$!
	track_pid "$RRDC_PID"
	wait_for 10 "(exec 3<>/dev/tcp/127.0.0.1/$RRDC_PORT) 2>/dev/null || ! kill -0 $RRDC_PID 2>/dev/null" &&
	    kill -0 "$RRDC_PID" 2>/dev/null ||
	    { say "rrdcached did not start: $(cat "$dir/rrdcached.log")"; return 1; }
}
