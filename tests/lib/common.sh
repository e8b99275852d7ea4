# common.sh -- the integration test harness.  Source it from a scenario:
#
#	. "$top_srcdir/tests/lib/common.sh"
#
# It makes a private temp dir ($SW_TMP), starts real servers on free
# loopback ports (nginx, an SMTP server, rrdcached, the daemon), and stops
# every one of them by PID when the scenario exits, pass or fail.  On
# failure $SW_TMP is kept and its path and the tail of every log printed.
# Safe under `set -eu`.  See tests/README.md for a walk-through.
#
# Knobs (environment): SW_KEEP_TMP=1 keeps $SW_TMP even on success;
# SW_TEST_TIMEOUT (default 300) bounds the whole scenario in seconds;
# SW_VERBOSE=1 echoes harness steps.

if [ -n "${_SW_COMMON_LOADED:-}" ]; then
	return 0
fi
_SW_COMMON_LOADED=1

# make check exports both; a scenario run by hand from a checkout finds
# the tree from this file's place (in-tree build assumed).
if [ -z "${top_srcdir:-}" ]; then
	top_srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
fi
top_builddir=${top_builddir:-$top_srcdir}
export top_srcdir top_builddir

SW_LIB=$top_srcdir/tests/lib
SW_PY=/usr/bin/python3		# Debian's: it has aiosmtpd (PLATFORM.md)
SWD=$top_builddir/sitewatchd
SWC=$top_builddir/sitewatch
SW_TEST_NAME=$(basename "$0" .sh)
SW_TMP=$(mktemp -d "/tmp/sw-${SW_TEST_NAME:0:24}.XXXXXX")
SW_CONF=$SW_TMP/sitewatch.conf
SW_CHECKS_DIR=$SW_TMP/checks.d
SW_STATE_DIR=$SW_TMP/var
SW_LOG=$SW_TMP/sitewatchd.log
SW_PIDFILE=$SW_STATE_DIR/sitewatchd.pid
SW_HTTP_PORT=${SW_HTTP_PORT:-}
SWD_PID=
export SW_TMP

# PIDs the harness started, as "pid:name" words, stopped at exit.
_sw_procs=
_sw_watchdog=
_sw_exit_hooks=()

# Print a harness step when SW_VERBOSE is set.
sw_log() {
	if [ -n "${SW_VERBOSE:-}" ]; then
		echo "# $*" >&2
	fi
	return 0
}

# Print MSG and end the scenario as failed.
fail() {
	echo "FAIL: ${SW_TEST_NAME}: $*" >&2
	exit 1
}

# End the scenario as skipped (77): only for a missing optional tool.
skip() {
	echo "SKIP: ${SW_TEST_NAME}: $*" >&2
	exit 77
}

# Run CMD at exit, before the servers stop (a scenario's own trap).
sw_on_exit() {
	_sw_exit_hooks+=("$*")
}

# _sw_stat PID: "STATE PPID" of PID (fields after the command name,
# which may hold spaces and parentheses).
_sw_stat() {
	local line
	line=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	line=${line##*) }
	echo "${line%% "${line#* * }"}"
}

# True while PID runs (a zombie counts as gone).
_sw_alive() {
	local st
	[ -n "${1:-}" ] || return 1
	st=$(_sw_stat "$1") || return 1
	[ -n "$st" ] && [ "${st%% *}" != Z ]
}

# True when PID is a child of this scenario's shell (not a reused PID).
_sw_ours() {
	local st
	st=$(_sw_stat "$1") || return 1
	[ "${st#* }" = "$$" ]
}

# Wait up to $2 seconds for PID $1 to end; 0 if it did.
_sw_wait_gone() {
	local pid=$1 n=$(( ${2:-5} * 10 ))
	while [ "$n" -gt 0 ]; do
		_sw_alive "$pid" || return 0
		sleep 0.1
		n=$((n - 1))
	done
	! _sw_alive "$pid"
}

# Every descendant of PID, deepest first.
_sw_descendants() {
	local c
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		_sw_descendants "$c"
		echo "$c"
	done
}

# Remember PID as started by the harness under NAME.
_sw_track() {
	_sw_procs="$_sw_procs $1:$2"
}

_sw_untrack() {
	local w out=
	for w in $_sw_procs; do
		[ "${w%%:*}" = "$1" ] || out="$out $w"
	done
	_sw_procs=$out
}

# SIGTERM (or signal $3) PID, SIGKILL it after $2 seconds; reap it when
# it is our child.
_sw_stop_pid() {
	local pid=$1 grace=${2:-5} sig=${3:-TERM}
	if _sw_alive "$pid" && _sw_ours "$pid"; then
		kill -"$sig" "$pid" 2>/dev/null || true
		if ! _sw_wait_gone "$pid" "$grace"; then
			echo "harness: pid $pid did not stop on SIGTERM;" \
			    "killing it" >&2
			kill -KILL "$pid" 2>/dev/null || true
			_sw_wait_gone "$pid" 2 || true
		fi
	fi
	wait "$pid" 2>/dev/null || true
	_sw_untrack "$pid"
}

# Print the last lines of every log in $SW_TMP.
_sw_dump_logs() {
	local f
	while IFS= read -r f; do
		[ -s "$f" ] || continue
		echo "----- tail of ${f#"$SW_TMP"/} -----" >&2
		tail -n "${SW_LOG_LINES:-40}" "$f" >&2
	done < <(find "$SW_TMP" -maxdepth 3 -type f \
	    \( -name '*.log' -o -name 'stderr' \) 2>/dev/null | sort)
	return 0
}

# The EXIT trap: stop everything, release ports, keep or remove $SW_TMP.
_sw_exit() {
	local rc=$? w pid p h
	set +e
	trap - EXIT INT TERM HUP
	for h in "${_sw_exit_hooks[@]+"${_sw_exit_hooks[@]}"}"; do
		eval "$h"
	done
	if [ -n "$_sw_watchdog" ]; then
		for p in $(_sw_descendants "$_sw_watchdog"); do
			kill -TERM "$p" 2>/dev/null
		done
		kill -TERM "$_sw_watchdog" 2>/dev/null
		wait "$_sw_watchdog" 2>/dev/null
	fi
	if [ -e "$SW_TMP/.timed-out" ]; then
		echo "FAIL: ${SW_TEST_NAME}: timed out after" \
		    "${SW_TEST_TIMEOUT:-300} s" >&2
		[ "$rc" -ne 0 ] || rc=1
	fi
	# The daemon first: it may still write to the others.
	for w in $_sw_procs; do
		[ "${w#*:}" = sitewatchd ] && _sw_stop_pid "${w%%:*}" 12
	done
	# PostgreSQL's SIGTERM waits for every client to leave: SIGINT is
	# its fast stop, which ends them.
	for w in $_sw_procs; do
		case ${w#*:} in
		postgres) _sw_stop_pid "${w%%:*}" 10 INT ;;
		*) _sw_stop_pid "${w%%:*}" 5 ;;
		esac
	done
	if [ -s "$SW_TMP/.ports" ]; then
		while read -r p; do
			rmdir "${SW_PORT_RESDIR:-/tmp/sitewatch-test-ports}/$p" \
			    2>/dev/null
		done < "$SW_TMP/.ports"
	fi
	if [ "$rc" -eq 0 ] || [ "$rc" -eq 77 ]; then
		if [ -z "${SW_KEEP_TMP:-}" ]; then
			rm -rf "$SW_TMP"
		else
			echo "harness: kept $SW_TMP" >&2
		fi
	else
		_sw_dump_logs
		echo "harness: ${SW_TEST_NAME} failed (exit $rc);" \
		    "files kept in $SW_TMP" >&2
	fi
	exit "$rc"
}
trap _sw_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# The watchdog: after SW_TEST_TIMEOUT seconds it kills whatever the
# scenario waits on, then the scenario itself, so a hang cannot stall make.
_sw_start_watchdog() {
	local main=$$ t=${SW_TEST_TIMEOUT:-300}
	(
		exec </dev/null >/dev/null 2>&1
		sleep "$t"
		: > "$SW_TMP/.timed-out"
		for p in $(_sw_descendants "$main"); do
			[ "$p" = "$BASHPID" ] && continue
			kill -TERM "$p" 2>/dev/null
		done
		kill -TERM "$main" 2>/dev/null
	) &
	_sw_watchdog=$!
}
_sw_start_watchdog

# ---------------------------------------------------------------- ports

# Print N (default 1) free TCP ports on 127.0.0.1, one a line.  They are
# reserved across parallel scenarios until this one exits.
free_ports() {
	"$SW_PY" "$SW_LIB/ports.py" "${1:-1}" "$SW_TMP/.ports"
}

# Print one free TCP port on 127.0.0.1.
free_port() {
	free_ports 1
}

# True when something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# --------------------------------------------------------------- assert

# assert_eq EXPECTED ACTUAL MSG
assert_eq() {
	if [ "$1" != "$2" ]; then
		fail "${3:-assert_eq}: expected '$1', got '$2'"
	fi
}

# assert_contains HAYSTACK NEEDLE MSG
assert_contains() {
	case $1 in
	*"$2"*)	;;
	*)	fail "${3:-assert_contains}: '$2' not found in:
$1" ;;
	esac
}

# assert_not_contains HAYSTACK NEEDLE MSG
assert_not_contains() {
	case $1 in
	*"$2"*)	fail "${3:-assert_not_contains}: '$2' found in:
$1" ;;
	*)	;;
	esac
}

# assert_ge A B MSG / assert_le A B MSG: integer comparisons (A >= B,
# A <= B); a non-integer A or B fails.
_sw_int() {
	case $1 in
	''|*[!0-9-]*|?*-*) return 1 ;;
	*) return 0 ;;
	esac
}
assert_ge() {
	_sw_int "$1" && _sw_int "$2" ||
	    fail "${3:-assert_ge}: not integers: '$1' '$2'"
	[ "$1" -ge "$2" ] || fail "${3:-assert_ge}: $1 is not >= $2"
}
assert_le() {
	_sw_int "$1" && _sw_int "$2" ||
	    fail "${3:-assert_le}: not integers: '$1' '$2'"
	[ "$1" -le "$2" ] || fail "${3:-assert_le}: $1 is not <= $2"
}

# assert_file_exists FILE MSG / assert_no_file FILE MSG
assert_file_exists() {
	[ -e "$1" ] || fail "${2:-assert_file_exists}: $1 does not exist"
}
assert_no_file() {
	[ ! -e "$1" ] || fail "${2:-assert_no_file}: $1 exists"
}

# wait_until SECONDS 'shell condition': poll every 0.1 s; 1 on timeout.
# A condition that fails to run counts as "not yet", never as done, so
# write it positively on the value expected ('[ "$(x)" = up ]', not
# '[ "$(x)" != null ]': a command that failed prints nothing, and nothing
# is not null either).  Pipes in it fail when any stage fails (pipefail,
# for this function only); do not pipe into `grep -q`, which may close
# the pipe early -- use wait_page, or fetch first and grep the answer.
wait_until() {
	local - n
	set -o pipefail
	n=$(awk -v s="$1" 'BEGIN { printf "%d", s * 10 }')
	while [ "$n" -gt 0 ]; do
		if eval "$2"; then
			return 0
		fi
		sleep 0.1
		n=$((n - 1))
	done
	eval "$2"
}

# http_get URL [curl options]: print the body of a successful answer
# (2xx/3xx); fail, printing nothing, when there is no answer at all or an
# HTTP error.  For conditions: "no answer" must never look like a value.
http_get() {
	local u=$1 body
	shift
	body=$(curl -s --fail --max-time 10 "$@" "$u") || return 1
	printf '%s\n' "$body"
}

# wait_json SECONDS URL 'python expression over j': poll URL until it
# answers with JSON for which the expression holds.  No answer, an HTTP
# error, something that is not JSON, a missing key (KeyError) all count
# as "not yet", so a negative test ('j[0]["x"] is not None') is only
# satisfied by a real answer.  1 on timeout; WAIT_BODY keeps the last
# answer (or "(no answer)") for the failure message.
wait_json() {
	WAIT_EXPR=$3
	_sw_wait_answer "$1" "$2" _sw_json_ok
}
_sw_json_ok() {
	json_holds "$WAIT_BODY" "$WAIT_EXPR" >/dev/null
}

# wait_page SECONDS URL TEXT: poll URL until a successful answer contains
# TEXT (a fixed string).  1 on timeout; WAIT_BODY as for wait_json.
wait_page() {
	WAIT_TEXT=$3
	_sw_wait_answer "$1" "$2" _sw_page_ok
}
_sw_page_ok() {
	case $WAIT_BODY in
	*"$WAIT_TEXT"*)	return 0 ;;
	*)		return 1 ;;
	esac
}

# _sw_wait_answer SECONDS URL TEST: poll URL until TEST (a function that
# reads the answer in WAIT_BODY) holds for a successful answer.
_sw_wait_answer() {
	WAIT_URL=$2 WAIT_TEST=$3 WAIT_BODY="(no answer)"
	wait_until "$1" '_sw_wait_answer_once'
}
_sw_wait_answer_once() {
	WAIT_BODY=$(http_get "$WAIT_URL") || { WAIT_BODY="(no answer)"; return 1; }
	"$WAIT_TEST"
}

# sw_run CMD ARGS...: run CMD without tripping `set -e`; leaves its exit
# status in RUN_RC, stdout in RUN_OUT, stderr in RUN_ERR.
# Each run is also appended to $SW_TMP/commands.log, shown on failure.
sw_run() {
	RUN_RC=0
	"$@" >"$SW_TMP/.run.out" 2>"$SW_TMP/.run.err" </dev/null || RUN_RC=$?
	RUN_OUT=$(cat "$SW_TMP/.run.out")
	RUN_ERR=$(cat "$SW_TMP/.run.err")
	{
		printf '$'
		printf ' %q' "$@"
		printf '\n[exit %s]\n' "$RUN_RC"
		[ -z "$RUN_OUT" ] || printf '%s\n' "$RUN_OUT" | head -c 2000
		[ -z "$RUN_ERR" ] || printf 'stderr: %s\n' "$RUN_ERR" |
		    head -c 2000
	} >> "$SW_TMP/commands.log"
	return 0
}

# check_json TARGET [ARGS]: run `sitewatch -c $SW_CONF check TARGET --json`
# (bounded to 60 s).  Sets CHECK_JSON (its stdout), CHECK_RC, CHECK_ERR
# and CHECK_WALL_MS (how long the command took).
check_json() {
	local t0 t1
	[ -x "$SWC" ] || fail "$SWC is not built"
	t0=$(date +%s%N)
	sw_run timeout 60 "$SWC" -c "$SW_CONF" check "$@" --json
	t1=$(date +%s%N)
	CHECK_JSON=$RUN_OUT
	CHECK_RC=$RUN_RC
	CHECK_ERR=$RUN_ERR
	CHECK_WALL_MS=$(( (t1 - t0) / 1000000 ))
	sw_log "check $*: rc $CHECK_RC: $CHECK_JSON"
	[ "$CHECK_RC" -ne 124 ] || fail "sitewatch check $* ran over 60 s"
	return 0
}

# http_req METHOD URL [curl options]: one HTTP request with curl (30 s at
# most).  Sets HTTP_STATUS (000 when no answer), HTTP_BODY, HTTP_HEADERS.
http_req() {
	local m=$1 u=$2
	shift 2
	HTTP_STATUS=$(curl -s -X "$m" --max-time 30 -o "$SW_TMP/.http.body" \
	    -D "$SW_TMP/.http.head" -w '%{http_code}' "$@" "$u" 2>/dev/null) ||
	    true
	HTTP_STATUS=${HTTP_STATUS:-000}
	HTTP_BODY=$(cat "$SW_TMP/.http.body" 2>/dev/null || true)
	HTTP_HEADERS=$(tr -d '\r' < "$SW_TMP/.http.head" 2>/dev/null || true)
	rm -f "$SW_TMP/.http.body" "$SW_TMP/.http.head"
	printf '$ curl -X %s %s\n[HTTP %s]\n' "$m" "$u" "$HTTP_STATUS" \
	    >> "$SW_TMP/commands.log"
	return 0
}

# ----------------------------------------------------------------- JSON
# jq is not guaranteed: JSON is read with Debian's python.

# json_get JSON PATH: print the value at PATH ("state", "0.name",
# "events.1.kind").  Strings print raw, null as "null", booleans as
# true/false, whole numbers without ".0".  A missing path or input that
# is not JSON fails and prints nothing on stdout: compare its output only
# with the value expected (assert_eq), never with != or -z; for "not
# null" use assert_json or json_holds ('j["x"] is not None').
json_get() {
	"$SW_PY" -c '
import json, sys
try:
    v = json.loads(sys.argv[1])
except ValueError as e:
    sys.exit("json_get: not JSON (%s): %.300s" % (e, sys.argv[1]))
for part in [p for p in sys.argv[2].split(".") if p != ""]:
    try:
        v = v[int(part)] if isinstance(v, list) else v[part]
    except (KeyError, IndexError, ValueError, TypeError):
        sys.exit("json_get: no %s in %.300s" % (sys.argv[2], sys.argv[1]))
if v is None:
    print("null")
elif isinstance(v, bool):
    print("true" if v else "false")
elif isinstance(v, float) and v.is_integer():
    print(int(v))
elif isinstance(v, (dict, list)):
    print(json.dumps(v))
else:
    print(v)
' "$1" "$2"
}

# json_holds JSON 'python expression over j': true only when JSON parses
# and the expression holds (an exception, e.g. a missing key, is false);
# the reason it does not is printed on stdout.
json_holds() {
	"$SW_PY" -c '
import json, sys
try:
    j = json.loads(sys.argv[1])
except ValueError as e:
    print("not JSON (%s)" % e); sys.exit(1)
try:
    ok = eval("(" + sys.argv[2] + "\n)", {"j": j})
except Exception as e:
    print("%s: %s" % (type(e).__name__, e)); sys.exit(1)
sys.exit(0 if ok else 1)
' "$1" "$2"
}

# assert_json JSON 'python expression over j' MSG: fail unless it holds.
assert_json() {
	local why
	if ! why=$(json_holds "$1" "$2" 2>&1); then
		fail "${3:-assert_json}: $2 does not hold${why:+ ($why)} in:
$1"
	fi
}

# ---------------------------------------------------------------- certs

# Make the test PKI once per scenario (tests/fixtures/tls/mkcerts.sh) and
# set TEST_CA and SW_CERTS (the folder: localhost.pem, localhost.key, ...).
sw_certs() {
	SW_CERTS=$SW_TMP/tls
	if [ ! -s "$SW_CERTS/selfsigned.pem" ]; then
		"$top_srcdir/tests/fixtures/tls/mkcerts.sh" "$SW_CERTS" ||
		    fail "cannot make the test certificates"
	fi
	TEST_CA=$SW_CERTS/ca.pem
}

# ---------------------------------------------------------------- nginx

# Start nginx (and the never-answering listener) on free ports.  See
# tests/fixtures/nginx/mkconf.sh for the paths every port serves.
start_nginx() {
	local prefix=$SW_TMP/nginx try ports pid n
	if [ -n "${NGINX_PID:-}" ] && _sw_alive "$NGINX_PID"; then
		return 0
	fi
	command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] ||
	    skip "nginx is not installed"
	sw_certs
	mkdir -p "$prefix"
	# Another scenario may bind a port between our check and nginx's
	# bind: then try again with fresh ports.
	for try in 1 2 3; do
		ports=$(free_ports 8) || fail "no free ports"
		set -- $ports
		NGINX_PORT=$1 NGINX_TLS_PORT=$2 NGINX_TLS5_PORT=$3
		NGINX_TLS_EXPIRED_PORT=$4 NGINX_TLS_WRONGHOST_PORT=$5
		NGINX_TLS_SELFSIGNED_PORT=$6 HANG_PORT=$7 CLOSED_PORT=$8
		"$top_srcdir/tests/fixtures/nginx/mkconf.sh" "$prefix" \
		    "$SW_CERTS" "$NGINX_PORT" "$NGINX_TLS_PORT" \
		    "$NGINX_TLS5_PORT" "$NGINX_TLS_EXPIRED_PORT" \
		    "$NGINX_TLS_WRONGHOST_PORT" "$NGINX_TLS_SELFSIGNED_PORT" ||
		    fail "cannot write the nginx configuration"
		rm -f "$prefix/nginx.pid"
		PATH=$PATH:/usr/sbin nginx -p "$prefix" -c "$prefix/nginx.conf" \
		    -e "$prefix/logs/error.log" \
		    -g "daemon off; pid $prefix/nginx.pid;" \
		    </dev/null >"$prefix/logs/stderr.log" 2>&1 &
		pid=$!
		_sw_track "$pid" nginx
		n=100
		while [ "$n" -gt 0 ] && _sw_alive "$pid"; do
			port_open "$NGINX_PORT" &&
			    port_open "$NGINX_TLS_SELFSIGNED_PORT" && break
			sleep 0.1
			n=$((n - 1))
		done
		if _sw_alive "$pid" && port_open "$NGINX_PORT"; then
			NGINX_PID=$pid
			break
		fi
		echo "harness: nginx did not start (try $try):" >&2
		tail -n 5 "$prefix/logs/error.log" "$prefix/logs/stderr.log" \
		    >&2 2>/dev/null || true
		_sw_stop_pid "$pid" 2
	done
	[ -n "${NGINX_PID:-}" ] || fail "nginx did not start"
	NGINX_URL=http://127.0.0.1:$NGINX_PORT
	NGINX_TLS_URL=https://localhost:$NGINX_TLS_PORT

	# HANG_PORT: takes the connection and never says a word.
	rm -f "$SW_TMP/hang.ready"
	"$SW_PY" "$SW_LIB/hang_server.py" "$HANG_PORT" "$SW_TMP/hang.ready" \
	    "${SW_TEST_TIMEOUT:-300}" </dev/null >"$SW_TMP/hang.log" 2>&1 &
	HANG_PID=$!
	_sw_track "$HANG_PID" hang
	# Ignored on purpose: the test just below says which way it ended.
	wait_until 10 '[ -s "$SW_TMP/hang.ready" ] || ! _sw_alive $HANG_PID' ||
	    true
	[ -s "$SW_TMP/hang.ready" ] && _sw_alive "$HANG_PID" ||
	    fail "the hanging listener did not start: $(cat "$SW_TMP/hang.log")"
	sw_log "nginx on $NGINX_PORT (tls $NGINX_TLS_PORT), hang $HANG_PORT," \
	    "closed $CLOSED_PORT"
	return 0
}

# nginx_hits PATH: how many GETs of PATH (to the first blank) nginx has
# logged so far.
nginx_hits() {
	grep -c "GET $1 " "$SW_TMP/nginx/logs/access.log" || true
}

# ----------------------------------------------------------------- SMTP

# _sw_start_smtp MODE [smtp_server.py options]
_sw_start_smtp() {
	local mode=${1:-accept} base try pid
	shift || true
	case $mode in
	accept|tempfail|permfail|tempfail-data|permfail-data) ;;
	*) fail "start_smtp: unknown mode '$mode'" ;;
	esac
	"$SW_PY" -c 'import aiosmtpd' 2>/dev/null ||
	    skip "python3-aiosmtpd is not installed"
	for try in 1 2 3; do
		SMTP_PORT=$(free_port) || fail "no free port"
		base=$SW_TMP/smtp-$SMTP_PORT
		SMTP_DIR=$base/mail
		SMTP_LOG=$base/smtp.log
		SMTP_MODE_FILE=$base/mode
		mkdir -p "$SMTP_DIR"
		"$SW_PY" "$SW_LIB/smtp_server.py" --port "$SMTP_PORT" \
		    --dir "$SMTP_DIR" --mode "$mode" \
		    --mode-file "$SMTP_MODE_FILE" --log "$SMTP_LOG" \
		    --ready "$base/ready" "$@" \
		    </dev/null >"$base/stderr" 2>&1 &
		pid=$!
		_sw_track "$pid" smtp
		# Ignored on purpose: the test below says which way it ended.
		wait_until 15 "[ -s '$base/ready' ] || ! _sw_alive $pid" || true
		if [ -s "$base/ready" ] && _sw_alive "$pid"; then
			SMTP_PID=$pid
			sw_log "smtp ($mode) on $SMTP_PORT"
			return 0
		fi
		echo "harness: smtp server did not start (try $try):" >&2
		tail -n 5 "$base/stderr" >&2 || true
		_sw_stop_pid "$pid" 2
	done
	fail "the SMTP server did not start"
}

# start_smtp [accept|tempfail|permfail|tempfail-data|permfail-data]
# Plain SMTP, no TLS, no AUTH.  Sets SMTP_PORT, SMTP_DIR, SMTP_PID,
# SMTP_LOG (one line per RCPT/DATA outcome), SMTP_MODE_FILE.
start_smtp() {
	_sw_start_smtp "${1:-accept}"
}

# start_smtp_tls [MODE] [required] [USER:PASSWORD]: the same with STARTTLS
# offered (certificate for host "localhost" from TEST_CA), required when
# the second word is "required", and AUTH demanded when a third is given.
start_smtp_tls() {
	local extra=()
	sw_certs
	extra=(--tls-cert "$SW_CERTS/localhost-chain.pem"
	    --tls-key "$SW_CERTS/localhost.key")
	[ "${2:-}" = required ] && extra+=(--require-starttls)
	[ -n "${3:-}" ] && extra+=(--auth "$3")
	_sw_start_smtp "${1:-accept}" "${extra[@]}"
}

# mail_asan: libesmtp over-reads its own header names (see
# tests/integration/mail-asan.supp): not ours, so a scenario whose daemon
# sends mail tells ASan to pass over it.
mail_asan() {
	ASAN_OPTIONS="suppressions=$top_srcdir/tests/integration/mail-asan.supp${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
	export ASAN_OPTIONS
}

# write_mail_config PORT RETRY_MAX [section.key=value ...]: write_config
# for alerts to ops@example.com through plain SMTP on 127.0.0.1:PORT,
# grouped for 1 s and retried after 1..RETRY_MAX s (not 30 s..1 h).
write_mail_config() {
	local port=$1 rmax=$2
	shift 2
	write_config smtp.retry_min=1 "smtp.retry_max=$rmax" \
	    smtp.host=127.0.0.1 "smtp.port=$port" smtp.starttls=no \
	    smtp.staff=ops@example.com smtp.group_window=1 "$@"
}

# smtp_set_mode MODE: switch the running server (e.g. end an outage).
smtp_set_mode() {
	echo "$1" > "$SMTP_MODE_FILE.tmp"
	mv "$SMTP_MODE_FILE.tmp" "$SMTP_MODE_FILE"
}

# smtp_count: number of messages stored so far.
smtp_count() {
	local n=0 f
	# No mailbox is no answer, not "0 mails".
	[ -d "${SMTP_DIR:-}" ] || return 1
	for f in "$SMTP_DIR"/*.eml; do
		[ -e "$f" ] && n=$((n + 1))
	done
	echo "$n"
}

# smtp_messages: paths of the stored messages, oldest first.
smtp_messages() {
	local f
	for f in "$SMTP_DIR"/*.eml; do
		[ -e "$f" ] && echo "$f"
	done
	return 0
}

# ------------------------------------------------------------ rrdcached

# start_rrdcached: rrdcached on a unix socket, confined to $SW_TMP/var/rrd
# (-B); it writes every second (-w 1) so files on disk catch up quickly.
start_rrdcached() {
	local base=$SW_TMP/rrdcached pid
	command -v rrdcached >/dev/null 2>&1 ||
	    skip "rrdcached is not installed"
	mkdir -p "$SW_STATE_DIR/rrd" "$base"
	RRDCACHED_SOCK=$base/sock
	rrdcached -g -B -b "$SW_STATE_DIR/rrd" -R -F -w 1 -f 10 \
	    -p "$base/pid" -o "$base/rrdcached.log" \
	    -l "unix:$RRDCACHED_SOCK" </dev/null >"$base/stderr" 2>&1 &
	pid=$!
	_sw_track "$pid" rrdcached
	# Ignored on purpose: the test below says which way it ended.
	wait_until 10 "[ -S '$RRDCACHED_SOCK' ] || ! _sw_alive $pid" || true
	[ -S "$RRDCACHED_SOCK" ] && _sw_alive "$pid" ||
	    fail "rrdcached did not start: $(cat "$base/stderr")"
	RRDCACHED_PID=$pid
	sw_log "rrdcached on $RRDCACHED_SOCK"
}

# start_rrdcached_tcp: a shared rrdcached as a cluster's nodes use it,
# on 127.0.0.1:$RRDCACHED_PORT (a free port), its files under
# $RRDCACHED_BASE (-B -b, -R for its rrd/ folder); -w 1 as above.
start_rrdcached_tcp() {
	local base=$SW_TMP/rrdcached-tcp pid
	command -v rrdcached >/dev/null 2>&1 ||
	    skip "rrdcached is not installed"
	RRDCACHED_BASE=$base/files
	mkdir -p "$RRDCACHED_BASE"
	RRDCACHED_PORT=$(free_port) || fail "no free port"
	rrdcached -g -B -b "$RRDCACHED_BASE" -R -F -w 1 -f 10 \
	    -p "$base/pid" -o "$base/rrdcached.log" \
	    -l "127.0.0.1:$RRDCACHED_PORT" </dev/null >"$base/stderr" 2>&1 &
	pid=$!
	_sw_track "$pid" rrdcached
	# Ignored on purpose: the test below says which way it ended.
	wait_until 10 "port_open $RRDCACHED_PORT || ! _sw_alive $pid" || true
	port_open "$RRDCACHED_PORT" && _sw_alive "$pid" ||
	    fail "rrdcached did not start: $(cat "$base/stderr")"
	RRDCACHED_PID=$pid
	sw_log "rrdcached on 127.0.0.1:$RRDCACHED_PORT"
}

# rrdcached_stat KEY: one counter of rrdcached's STATS answer
# (UpdatesReceived, DataSetsWritten, ...).
rrdcached_stat() {
	"$SW_PY" - "$RRDCACHED_SOCK" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(sys.argv[1])
s.sendall(b"STATS\n"); data = b""
while data.count(b"\n") < 1 or data.count(b"\n") <= int(data.split(b" ")[0]):
    chunk = s.recv(4096)
    if not chunk: break
    data += chunk
for line in data.decode().splitlines()[1:]:
    k, _, v = line.partition(": ")
    if k == sys.argv[2]: print(v)
PY
}

# ------------------------------------------------------------- database

# PostgreSQL 15 (Debian's postgresql-15) for SW_TEST_DB=pg and the
# scenarios that need it.  It refuses to run as root, so it runs as
# SW_PG_USER (created as a system user when absent), in $SW_TMP/pg which
# that user owns, on a unix socket in that folder and a free loopback
# port, and is stopped by PID (SIGINT: its fast stop) when the scenario
# ends.
SW_PG_BIN=${SW_PG_BIN:-/usr/lib/postgresql/15/bin}
SW_PG_USER=${SW_PG_USER:-sitewatch-test}
# Never shown anywhere: scenarios grep logs and pages for it.
SW_PG_PASSWORD=pw-$$-secret
PG_URI=
PG_PID=

# The user PostgreSQL runs as; created once per machine.
_sw_pg_user() {
	getent passwd "$SW_PG_USER" >/dev/null 2>&1 && return 0
	[ "$(id -u)" -eq 0 ] || skip "PostgreSQL needs a non-root user" 	    "($SW_PG_USER) and only root can create it"
	useradd --system --no-create-home --home-dir /nonexistent 	    --shell /usr/sbin/nologin "$SW_PG_USER" 2>/dev/null ||
	    getent passwd "$SW_PG_USER" >/dev/null ||
	    fail "cannot create the user $SW_PG_USER"
}

# Exec a command as the PostgreSQL user: call it in a subshell, ( ) or
# &, so that the PID of a background call is the server's own.
_sw_as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		exec setpriv --reuid="$SW_PG_USER" --regid="$SW_PG_USER" \
		    --init-groups -- "$@"
	fi
	exec "$@"
}

# start_postgres: a fresh cluster with database "sitewatch" owned by
# user "sitewatch" (password SW_PG_PASSWORD); sets PG_DIR (its socket
# folder), PG_PORT, PG_PID and PG_URI.  A second call does nothing.
start_postgres() {
	local dir=$SW_TMP/pg pid
	[ -z "$PG_PID" ] || return 0
	[ -x "$SW_PG_BIN/postgres" ] ||
	    skip "PostgreSQL 15 is not installed (postgresql-15)"
	[ "$(id -u)" -ne 0 ] || _sw_pg_user
	PG_PORT=$(free_port) || fail "no free port"
	PG_DIR=$dir
	mkdir -p "$dir"
	# The server must reach its folder: $SW_TMP is mode 0700.
	chmod 0711 "$SW_TMP"
	[ "$(id -u)" -ne 0 ] || chown "$SW_PG_USER:" "$dir"
	echo "$SW_PG_PASSWORD" > "$dir/pwfile"
	(_sw_as_pg "$SW_PG_BIN/initdb" -D "$dir/data" -U sitewatch \
	    --pwfile="$dir/pwfile" --auth-local=trust --auth-host=scram-sha-256 \
	    -E UTF8 --locale=C.UTF-8 --no-sync) >"$dir/initdb.log" 2>&1 ||
	    fail "initdb failed: $(tail -5 "$dir/initdb.log")"
	rm -f "$dir/pwfile"
	# fsync off: a test cluster need not survive a power cut.
	_sw_as_pg "$SW_PG_BIN/postgres" -D "$dir/data" -k "$dir" \
	    -p "$PG_PORT" -c listen_addresses=127.0.0.1 -c fsync=off \
	    -c synchronous_commit=off -c full_page_writes=off \
	    </dev/null >"$dir/postgres.log" 2>&1 &
	pid=$!
	_sw_track "$pid" postgres
	wait_until 30 "[ -S '$dir/.s.PGSQL.$PG_PORT' ] || ! _sw_alive $pid" ||
	    true
	[ -S "$dir/.s.PGSQL.$PG_PORT" ] && _sw_alive "$pid" ||
	    fail "postgres did not start: $(tail -5 "$dir/postgres.log")"
	wait_until 30 "pg_isready -q -h '$dir' -p $PG_PORT" ||
	    fail "postgres does not accept connections"
	PG_PID=$pid
	pg_q_admin "CREATE DATABASE sitewatch" >/dev/null ||
	    fail "cannot create the database"
	# Over TCP with the password, as a remote node would connect.
	PG_URI="postgresql://sitewatch:$SW_PG_PASSWORD@127.0.0.1:$PG_PORT/sitewatch"
	sw_log "postgres on $dir port $PG_PORT (pid $pid)"
}

# stop_postgres: a fast stop (SIGINT), waited for; start_postgres_again
# brings the same cluster back on the same port.
stop_postgres() {
	[ -n "$PG_PID" ] || return 0
	_sw_stop_pid "$PG_PID" 20 INT
	PG_PID=
}
start_postgres_again() {
	local dir=$PG_DIR pid
	_sw_as_pg "$SW_PG_BIN/postgres" -D "$dir/data" -k "$dir" \
	    -p "$PG_PORT" -c listen_addresses=127.0.0.1 -c fsync=off \
	    -c synchronous_commit=off -c full_page_writes=off \
	    </dev/null >>"$dir/postgres.log" 2>&1 &
	pid=$!
	_sw_track "$pid" postgres
	wait_until 30 "pg_isready -q -h '$dir' -p $PG_PORT" ||
	    fail "postgres did not start again"
	PG_PID=$pid
}

# reset_db: start again with an empty database (the daemon stopped):
# sitewatch.db removed, or the PostgreSQL database made anew.
reset_db() {
	if [ "${SW_TEST_DB:-}" = pg ] && [ -n "$PG_PID" ]; then
		pg_q_admin "DROP DATABASE sitewatch WITH (FORCE)" >/dev/null &&
		    pg_q_admin "CREATE DATABASE sitewatch" >/dev/null ||
		    fail "cannot make the database anew"
		return 0
	fi
	rm -f "$SW_STATE_DIR/sitewatch.db" "$SW_STATE_DIR/sitewatch.db-wal" \
	    "$SW_STATE_DIR/sitewatch.db-shm"
}

# pg_q_admin SQL: run SQL as the cluster's owner on database postgres.
pg_q_admin() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" \
	    -U sitewatch -d postgres -c "$1"
}

# use_db [TIMEOUT_MS]: for a scenario that reads the daemon's database:
# sitewatch.db (skipped without the sqlite3 CLI), or with SW_TEST_DB=pg
# the PostgreSQL database write_config names.  Sets DB; q SQL then prints
# the answer as sqlite3 does (columns joined by "|", NULL as nothing),
# waiting out another writer's lock up to TIMEOUT_MS (5000).
use_db() {
	_SW_DB_TIMEOUT=${1:-5000}
	if [ "${SW_TEST_DB:-}" = pg ]; then
		start_postgres
		DB=$PG_URI
		return 0
	fi
	command -v sqlite3 >/dev/null 2>&1 || skip "sqlite3 is not installed"
	DB=$SW_STATE_DIR/sitewatch.db
}
q() {
	if [ "${SW_TEST_DB:-}" = pg ]; then
		# Before the daemon made the schema: no rows, as with SQLite.
		PGOPTIONS="-c lock_timeout=$_SW_DB_TIMEOUT" psql -X -q -A -t \
		    -F '|' -h "$PG_DIR" -p "$PG_PORT" -U sitewatch \
		    -d sitewatch -c "$1" 2>/dev/null
		return 0
	fi
	sqlite3 -cmd ".timeout $_SW_DB_TIMEOUT" "$DB" "$1" 2>/dev/null
}

# --------------------------------------------------------------- config

# write_config [section.key=value ...]: write $SW_CONF.  Later LINEs
# override earlier ones and the defaults; a LINE "section.key" without
# "=" removes that key.
write_config() {
	local -a order=()
	local -A val=()
	local line k sec cur=
	if [ -z "$SW_HTTP_PORT" ]; then
		SW_HTTP_PORT=$(free_port) || fail "no free port"
	fi
	# SW_TEST_DB=pg: the same scenario on PostgreSQL (tests/lib/on-pg.sh).
	if [ "${SW_TEST_DB:-}" = pg ]; then
		start_postgres
		set -- "daemon.database=$PG_URI" "$@"
	fi
	for line in \
	    "daemon.state_dir=$SW_STATE_DIR" \
	    "daemon.checks_dir=$SW_CHECKS_DIR" \
	    "daemon.templates_dir=$top_srcdir/templates" \
	    "daemon.listen=127.0.0.1:$SW_HTTP_PORT" \
	    "smtp.host=" \
	    "$@"; do
		case $line in
		*.*) ;;
		*) fail "write_config: '$line' is not section.key=value" ;;
		esac
		k=${line%%=*}
		if [ "$k" = "$line" ]; then
			unset "val[$k]"
			continue
		fi
		[ -n "${val[$k]+set}" ] || order+=("$k")
		val[$k]=${line#*=}
	done
	mkdir -p "$SW_CHECKS_DIR"
	{
		echo "; written by tests/lib/common.sh for $SW_TEST_NAME"
		for sec in daemon smtp defaults; do
			echo "[$sec]"
			for k in "${order[@]}"; do
				[ -n "${val[$k]+set}" ] || continue
				[ "${k%%.*}" = "$sec" ] || continue
				echo "${k#*.} = ${val[$k]}"
			done
			echo
		done
		# Any other section, in order of first mention.
		for k in "${order[@]}"; do
			[ -n "${val[$k]+set}" ] || continue
			sec=${k%%.*}
			case $sec in daemon|smtp|defaults) continue ;; esac
			if [ "$sec" != "$cur" ]; then
				echo "[$sec]"
				cur=$sec
			fi
			echo "${k#*.} = ${val[$k]}"
		done
	} > "$SW_CONF.tmp"
	mv "$SW_CONF.tmp" "$SW_CONF"
}

# The checks.d file for FILE ("shop" or "shop.conf").
_sw_site_file() {
	echo "$SW_CHECKS_DIR/${1%.conf}.conf"
}

# add_site FILE NAME [LANG] [CLIENT_EMAILS]: start checks.d/FILE.conf.
add_site() {
	local f
	f=$(_sw_site_file "$1")
	mkdir -p "$SW_CHECKS_DIR"
	{
		echo "[site]"
		echo "name = $2"
		echo "language = ${3:-en}"
		echo "client_email = ${4:-}"
		echo
	} > "$f"
}

# add_check FILE NAME URL [key=value ...]: append [check NAME] to FILE
# (a [site] named after FILE is made first when FILE does not exist).
# Keys may repeat (header=, maintenance=).
add_check() {
	local f a
	f=$(_sw_site_file "$1")
	[ -e "$f" ] || add_site "$1" "$1"
	{
		echo "[check $2]"
		echo "url = $3"
		shift 3
		for a in "$@"; do
			case $a in
			*=*) echo "${a%%=*} = ${a#*=}" ;;
			*) fail "add_check: '$a' is not key=value" ;;
			esac
		done
		echo
	} >> "$f"
}

# --------------------------------------------------------------- daemon

# start_daemon [ARGS]: run sitewatchd in the foreground, in the
# background; fail (with its log) unless it writes its pid file and
# stays up.  Sets SWD_PID.  The log is $SW_LOG.
start_daemon() {
	local n
	[ -x "$SWD" ] || fail "$SWD is not built"
	[ -e "$SW_CONF" ] || write_config
	if [ -n "$SWD_PID" ] && _sw_alive "$SWD_PID"; then
		fail "start_daemon: sitewatchd already runs (pid $SWD_PID)"
	fi
	rm -f "$SW_PIDFILE"
	echo "=== $(date -u +%FT%TZ) start_daemon $*" >> "$SW_LOG"
	"$SWD" -f -c "$SW_CONF" "$@" </dev/null >>"$SW_LOG" 2>&1 &
	SWD_PID=$!
	_sw_track "$SWD_PID" sitewatchd
	n=$(( ${SW_START_TIMEOUT:-20} * 10 ))
	while [ "$n" -gt 0 ]; do
		if ! _sw_alive "$SWD_PID"; then
			local rc=0
			wait "$SWD_PID" || rc=$?
			_sw_untrack "$SWD_PID"
			# The exit trap prints the tail of $SW_LOG.
			fail "sitewatchd exited early (status $rc)"
		fi
		if [ -s "$SW_PIDFILE" ] &&
		    [ "$(cat "$SW_PIDFILE" 2>/dev/null)" = "$SWD_PID" ]; then
			sw_log "sitewatchd runs, pid $SWD_PID"
			return 0
		fi
		sleep 0.1
		n=$((n - 1))
	done
	fail "sitewatchd wrote no pid file $SW_PIDFILE within" \
	    "${SW_START_TIMEOUT:-20} s"
}

# daemon_alive: true while the daemon started by start_daemon runs.
daemon_alive() {
	_sw_alive "${SWD_PID:-}"
}

# daemon_wait_exit SECS: wait for the daemon to end by itself (after a
# signal the scenario sent); fail if it runs on.  Sets SWD_EXIT.
daemon_wait_exit() {
	local pid=$SWD_PID
	[ -n "$pid" ] || fail "daemon_wait_exit: no daemon was started"
	_sw_wait_gone "$pid" "${1:-12}" ||
	    fail "sitewatchd still runs after ${1:-12} s"
	SWD_EXIT=0
	wait "$pid" || SWD_EXIT=$?
	_sw_untrack "$pid"
	SWD_PID=
	echo "=== $(date -u +%FT%TZ) exited: status $SWD_EXIT" >> "$SW_LOG"
	return 0
}

# reload_daemon: SIGHUP.
reload_daemon() {
	daemon_alive || fail "reload_daemon: sitewatchd is not running"
	kill -HUP "$SWD_PID"
}

# stop_daemon: SIGTERM; fail unless it exits 0 within 12 s.  Sets
# SWD_EXIT (its status) and SWD_STOP_MS (how long it took).
stop_daemon() {
	local t0 t1 pid=$SWD_PID
	[ -n "$pid" ] || fail "stop_daemon: no daemon was started"
	_sw_alive "$pid" || {
		SWD_EXIT=0
		wait "$pid" || SWD_EXIT=$?
		_sw_untrack "$pid"
		SWD_PID=
		fail "stop_daemon: sitewatchd had already exited" \
		    "(status $SWD_EXIT)"
	}
	t0=$(date +%s%N)
	kill -TERM "$pid"
	if ! _sw_wait_gone "$pid" 12; then
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		_sw_untrack "$pid"
		SWD_PID=
		fail "sitewatchd did not stop within 12 s of SIGTERM"
	fi
	t1=$(date +%s%N)
	SWD_STOP_MS=$(( (t1 - t0) / 1000000 ))
	SWD_EXIT=0
	wait "$pid" || SWD_EXIT=$?
	_sw_untrack "$pid"
	SWD_PID=
	echo "=== $(date -u +%FT%TZ) stopped: status $SWD_EXIT" \
	    "after ${SWD_STOP_MS} ms" >> "$SW_LOG"
	[ "$SWD_EXIT" -eq 0 ] ||
	    fail "sitewatchd exited with status $SWD_EXIT on SIGTERM"
	return 0
}

# LeakSanitizer: known one-off leaks of librrd/fontconfig (PLATFORM.md)
# are listed in tests/lsan.supp when someone adds it.
if [ -z "${LSAN_OPTIONS:-}" ] && [ -r "$top_srcdir/tests/lsan.supp" ]; then
	LSAN_OPTIONS=suppressions=$top_srcdir/tests/lsan.supp
	export LSAN_OPTIONS
fi

# rrd_read ARGS: `rrdtool ARGS`, read again (bounded) when the daemon's
# writer holds the file's lock at that moment ("could not lock RRD").
rrd_read() {
	local i out
	# The daemon's own rrdcached (default config) holds values for
	# minutes: have it write FILE ($2) out first.
	if [ -S "$SW_STATE_DIR/rrdcached.sock" ] && [ -n "${2:-}" ]; then
		rrdtool flushcached --daemon "unix:$SW_STATE_DIR/rrdcached.sock" \
		    "$2" >/dev/null 2>&1 || true
	fi
	for i in 1 2 3 4 5 6 7 8 9 10; do
		if out=$(rrdtool "$@" 2>/dev/null); then
			printf '%s\n' "$out"
			return 0
		fi
		sleep 0.1
	done
	rrdtool "$@"
}

# rrd_known_rows FILE START END: how many one-step rows of FILE between
# START and END (epoch seconds) hold a known first value; fails when the
# file cannot be read.
rrd_known_rows() {
	local out
	out=$(rrd_read fetch "$1" AVERAGE -r 1 -s "$2" -e "$3") || return 1
	printf '%s\n' "$out" |
	    awk 'NR > 2 && $2 !~ /nan/ { n++ } END { print n + 0 }'
}
