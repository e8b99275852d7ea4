# tests/lib/faults.bash: helpers shared by the fault scenarios (6x, 7x).
# Source after common.sh.

# start_hostile: tests/lib/hostile_server.py on a free port; sets
# HOSTILE_PORT, HOSTILE_URL, HOSTILE_PID, HOSTILE_REQS (request log).
start_hostile() {
	local ready=$SW_TMP/hostile.ready
	HOSTILE_PORT=$(free_port) || fail "no free port"
	rm -f "$ready"
	"$SW_PY" "$SW_LIB/hostile_server.py" "$HOSTILE_PORT" "$ready" \
	    "${SW_TEST_TIMEOUT:-300}" </dev/null >"$SW_TMP/hostile.log" 2>&1 &
	HOSTILE_PID=$!
	_sw_track "$HOSTILE_PID" hostile
	wait_until 10 "[ -s '$ready' ] || ! _sw_alive $HOSTILE_PID" || true
	[ -s "$ready" ] && _sw_alive "$HOSTILE_PID" ||
	    fail "hostile server did not start: $(cat "$SW_TMP/hostile.log")"
	HOSTILE_URL=http://127.0.0.1:$HOSTILE_PORT
	HOSTILE_REQS=$ready.requests
}

# vm_kb PID FIELD: a /proc/PID/status figure in kB (VmHWM, VmRSS).
vm_kb() {
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

# fd_count PID: open descriptors of PID.
fd_count() {
	ls "/proc/$1/fd" | wc -l
}

# has_raw_bytes FILE: true when FILE holds a control byte (other than
# TAB, LF) or a byte >= 0x80 that is not part of valid UTF-8.
has_raw_bytes() {
	"$SW_PY" - "$1" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
bad = any(b < 0x20 and b not in (9, 10) or b == 0x7f for b in data)
try:
    data.decode("utf-8")
except UnicodeDecodeError:
    bad = True
sys.exit(0 if bad else 1)
PY
}

# rrd_rows FILE START: rows with a known `up` value since START (epoch).
rrd_rows() {
	rrdtool fetch "$1" AVERAGE -s "$2" -e now 2>/dev/null |
	    awk 'NR > 2 && $2 != "-nan" && $2 != "nan" { n++ } END { print n + 0 }'
}
