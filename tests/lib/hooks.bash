# tests/lib/hooks.bash: the channel receiver (tests/lib/hook_server.py)
# for the notification scenarios (47-49).  Source after common.sh.

# start_hooks: a receiver on a free port; sets HOOK_DIR, HOOK_URL,
# HOOK_PID.  Its answer is hook_mode's.
start_hooks() {
	HOOK_PORT=$(free_port) || fail "no free port"
	HOOK_DIR=$SW_TMP/hooks-$HOOK_PORT
	mkdir -p "$HOOK_DIR"
	"$SW_PY" "$SW_LIB/hook_server.py" "$HOOK_PORT" "$HOOK_DIR" \
	    "${SW_TEST_TIMEOUT:-300}" </dev/null >"$HOOK_DIR/stderr" 2>&1 &
	HOOK_PID=$!
	_sw_track "$HOOK_PID" hooks
	wait_until 10 "[ -s '$HOOK_DIR/ready' ] || ! _sw_alive $HOOK_PID" ||
	    true
	[ -s "$HOOK_DIR/ready" ] && _sw_alive "$HOOK_PID" ||
	    fail "hook server did not start: $(cat "$HOOK_DIR/stderr")"
	HOOK_URL=http://127.0.0.1:$HOOK_PORT
	sw_log "hook receiver on $HOOK_PORT"
}

# hook_mode 200 | 500 | "429 N" | 404 | hang: what it answers from now.
hook_mode() {
	echo "$1" > "$HOOK_DIR/mode.tmp"
	mv "$HOOK_DIR/mode.tmp" "$HOOK_DIR/mode"
}

# hook_count: requests received so far.
hook_count() {
	cat "$HOOK_DIR/count" 2>/dev/null || echo 0
}

# hook_req N EXPR: a Python expression over request N (r: its record,
# b: its body parsed as JSON when it is JSON), printed (True/False for
# a truth, JSON for a structure).
hook_req() {
	"$SW_PY" - "$HOOK_DIR/req/$(printf %04d "$1").json" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
try:
    b = json.loads(r["body"])
except ValueError:
    b = None
v = eval("(" + sys.argv[2] + ")")
if isinstance(v, (str, bool)):
    print(v)
else:
    print(json.dumps(v))
PY
}

# hook_reqs_where EXPR: the numbers of the requests for which EXPR holds.
hook_reqs_where() {
	local f n
	for f in "$HOOK_DIR"/req/[0-9]*.json; do
		[ -e "$f" ] || continue
		n=$(basename "$f" .json)
		n=$((10#$n))
		[ "$(hook_req "$n" "$1")" = True ] && echo "$n"
	done
	return 0
}
