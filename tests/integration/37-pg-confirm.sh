#!/bin/bash
# 37-pg-confirm: k of n confirmation (issue 16).  Three daemons on one
# PostgreSQL database are three locations (a, b, c), each probing from its
# own source address (127.0.0.2, .3, .4); every one probes the check
# (locations = 0) and two must see it failing (confirm = 2).  nginx
# denies the sources named in a file it includes:
#
#   deny b          -> status and a's /api/v1/checks show b down, a and
#                      c up; a's dashboard and check page say "down from
#                      1 of 3 locations"; no ticket
#   deny b and c    -> exactly one ticket, naming b and c; one DOWN mail
#                      per recipient, the staff's naming both locations,
#                      the client's naming none
#   allow all       -> the ticket is resolved, one UP mail per recipient;
#                      the dashboard's marker is gone
#   deny b and c, c's node killed
#                   -> a new ticket, resolved once c's heartbeat is stale
#   c's node back   -> c's verdict counts again: one new ticket
# The three share one rrdcached over TCP (as a cluster's nodes do): each
# location records rrd/guarded~LOCATION.rrd under its base folder; b's
# file says down while b is denied, a's up; `graph --metric time` draws
# one line per location; `report` counts the time b alone was denied as
# up (one location is fewer than confirm = 2), b and c's as down.
set -eu
. "$top_srcdir/tests/lib/common.sh"
mail_asan
INSPECT=$top_srcdir/tests/integration/mail_inspect.py
T0=$SECONDS

SW_TEST_DB=pg
use_db
start_nginx
# /guarded answers 200 except to the sources guard.conf denies.
GUARD=$SW_TMP/guard.conf
guard() {	# the addresses to deny; nginx reloads and says so
	local a
	{
		echo "location = /guarded {"
		for a in "$@"; do echo "    deny $a;"; done
		# A file, not `return`: that would answer before access.
		echo "    default_type text/plain;"
		echo "    alias $SW_TMP/nginx/html/ok.txt; }"
	} > "$GUARD"
	kill -HUP "$NGINX_PID"
}
guard
sed -i "s|^\( *listen 127.0.0.1:$NGINX_PORT;\)|\1 include $GUARD;|" \
    "$SW_TMP/nginx/nginx.conf"
grep -q "include $GUARD;" "$SW_TMP/nginx/nginx.conf" ||
    fail "cannot add /guarded to nginx.conf"
kill -HUP "$NGINX_PID"
# code_from SRC: what /guarded answers to source address SRC.
code_from() {
	curl -s -o /dev/null -m 2 -w '%{http_code}' --interface "$1" \
	    "$NGINX_URL/guarded" || true
}
wait_until 10 '[ "$(code_from 127.0.0.3)" = 200 ]' ||
    fail "nginx does not serve /guarded: $(code_from 127.0.0.3)"

start_smtp accept
start_rrdcached_tcp
RC_ADDR=127.0.0.1:$RRDCACHED_PORT
write_mail_config "$SMTP_PORT" 2 daemon.node=a daemon.location=a \
    daemon.source=127.0.0.2 daemon.node_timeout=3 "daemon.rrdcached=$RC_ADDR"
add_site shop "Shop Ltd" en "owner@shop.example"
add_check shop guarded "$NGINX_URL/guarded" interval=1 timeout=1 \
    retries=2 recover=2 renotify=0 locations=0 confirm=2

# b and c: their own state_dir, listener, name, location and source.
PIDS=
node_conf() {	# NAME SOURCE
	local conf=$SW_TMP/$1.conf
	sed -e "s|^state_dir = .*|state_dir = $SW_TMP/var-$1|" \
	    -e "s|^listen = .*|listen = 127.0.0.1:$(free_port)|" \
	    -e "s|^node = .*|node = $1|" -e "s|^location = .*|location = $1|" \
	    -e "s|^source = .*|source = $2|" "$SW_CONF" > "$conf"
	grep -q "^location = $1" "$conf" && grep -q "^source = $2" "$conf" ||
	    fail "$1's config"
	"$SWD" -f -c "$conf" </dev/null >>"$SW_TMP/$1.log" 2>&1 &
	_sw_track "$!" sitewatchd
	PIDS="$PIDS $!"
}
start_daemon
node_conf b 127.0.0.3
node_conf c 127.0.0.4
wait_until 20 '[ "$(q "SELECT count(*) FROM nodes")" = 3 ]' ||
    fail "three nodes beat: $(q "SELECT name FROM nodes")"

# verdicts: "a=up b=down c=up" from status --json (the CLI of a).
verdicts() {
	sw_run "$SWC" -c "$SW_CONF" status --json
	[ "$RUN_RC" -eq 0 ] ||
	    { echo "status --json failed: $RUN_ERR"; return 1; }
	"$SW_PY" -c 'import json, sys
c = [c for c in json.loads(sys.argv[1]) if c["name"] == "guarded"][0]
print(" ".join("%s=%s" % kv for kv in sorted(c["locations"].items())))' \
	    "$RUN_OUT"
}
# tickets_of KEY: the guarded check's tickets (all of them), KEY of each.
tickets_of() {
	sw_run "$SWC" -c "$SW_CONF" tickets --all --json
	# In $(...) fail ends the subshell only: say it in the answer.
	[ "$RUN_RC" -eq 0 ] ||
	    { echo "tickets --json failed: $RUN_ERR"; return 1; }
	"$SW_PY" -c 'import json, sys
for t in json.loads(sys.argv[1]):
    if t["check"] == "guarded":
        v = t.get(sys.argv[2])
        print(",".join(v) if isinstance(v, list) else v)' "$RUN_OUT" "$1"
}
# The web of a (no accounts: its reads are open).
WEB=http://127.0.0.1:$SW_HTTP_PORT
# web_json 'python expression over c': wait until a's /api/v1/checks
# says it of the guarded check (c); 1 on timeout, WAIT_BODY the answer.
web_json() {
	wait_json 10 "$WEB/api/v1/checks" \
	    "[c for c in j if c['name'] == 'guarded'][0:1] and
	    (lambda c: $1)([c for c in j if c['name'] == 'guarded'][0])"
}
# dash_row: the guarded check's row of a's dashboard (one line).
dash_row() {
	local page
	page=$(http_get "$WEB/") || return 1
	printf '%s\n' "$page" | grep -F 'data-check="guarded"' || true
}

# mails KIND: "RCPT|failing-at-line" per DOWN/UP mail (KIND down or up).
mails() {
	local files
	files=$(smtp_messages)
	[ -n "$files" ] || return 0
	"$SW_PY" - "$1" "$INSPECT" $files <<'PY'
import json, re, subprocess, sys
kind, inspect, files = sys.argv[1], sys.argv[2], sys.argv[3:]
for m in json.loads(subprocess.check_output([sys.executable, inspect] + files)):
    s, b = m["subject"], m["body"]
    if kind == "down" and not (s.startswith("DOWN:") or "not reachable" in s):
        continue
    if kind == "up" and not (s.startswith("UP:") or "working again" in s):
        continue
    f = re.search(r"Failing at: (.*)", b)
    print("%s|%s" % (m["rcpt"], f.group(1).strip() if f else "-"))
PY
}

wait_until 15 '[ "$(verdicts)" = "a=up b=up c=up" ]' ||
    fail "every location says up: $(verdicts)"

# ---- uptime figures: one node (the check's lead) reads the files and
# writes the figures to the database; the others show what it wrote.
# up24 NODE: uptime_24h of guarded in NODE's /api/v1/checks.
up24() {
	local port
	port=$(sed -n 's/^listen = 127.0.0.1://p' "$SW_TMP/$1.conf" 2>/dev/null)
	[ "$1" = a ] && port=$SW_HTTP_PORT
	http_get "http://127.0.0.1:$port/api/v1/checks" | "$SW_PY" -c '
import json, sys
v = [c["uptime_24h"] for c in json.load(sys.stdin) if c["name"] == "guarded"][0]
print("-" if v is None else "%g" % v)'
}
wait_until 70 '[ "$(up24 a) $(up24 b) $(up24 c)" = "100 100 100" ]' ||
    fail "every node shows 100 % for 24 h: $(up24 a) $(up24 b) $(up24 c)"
assert_eq 1 "$(q "SELECT count(*) FROM check_figures WHERE check_name = 'guarded' AND up24 = 100")" \
    "the figures are in the database"
# A row as if the lead had read 42.5 %: the two other nodes take it, the
# lead keeps what it read itself.
q "UPDATE check_figures SET up24 = 42.5, seq = nextval('check_figures_seq')
    WHERE check_name = 'guarded'" >/dev/null
wait_until 15 '[ "$( (up24 a; up24 b; up24 c) | sort | tr "\n" " ")" = "100 42.5 42.5 " ]' ||
    fail "two nodes show the database's figure, the lead its own: $(up24 a) $(up24 b) $(up24 c)"

# ---- one location failing: its verdict shows, no ticket
guard 127.0.0.3
wait_until 10 '[ "$(code_from 127.0.0.3)" = 403 ]' || fail "nginx: deny b"
wait_until 15 '[ "$(verdicts)" = "a=up b=down c=up" ]' ||
    fail "b's verdict: $(verdicts)"
B_FROM=$(date +%s)	# b has been down for its retries already
# Long enough that (B_FROM + 1, B_TO) holds whole steps however fast the
# checks below answer: with 3 s it could hold none (B_TO = B_FROM + 2).
sleep 5
assert_eq "" "$(tickets_of id)" "one location of two: no ticket"
assert_eq "a=up b=down c=up" "$(verdicts)" "b alone says down"
# The web (a's copy, read every 5 s) says so too: still up, no ticket.
web_json 'c["locations"] == {"a": "up", "b": "down", "c": "up"}' ||
    fail "a's API: b's verdict: $WAIT_BODY"
assert_json "$WAIT_BODY" '[(c["state"], c["ticket"], c["partial_outage"])
    for c in j if c["name"] == "guarded"] ==
    [("up", None, "down from 1 of 3 locations")]' "a's API: partial outage"
ROW=$(dash_row) || fail "a's dashboard: no answer"
assert_contains "$ROW" '<span class="badge st-up">up</span>' \
    "a's dashboard: guarded is up"
assert_contains "$ROW" \
    '<span class="badge partial">down from 1 of 3 locations</span>' \
    "a's dashboard: the partial outage on guarded's row"
PAGE=$(http_get "$WEB/check/guarded") || fail "no check page"
assert_contains "$PAGE" "down from 1 of 3 locations" "check page: marker"
assert_contains "$PAGE" "a up · b down · c up" "check page: locations"
# A second short of now: the next step may hold c's first failure.
B_TO=$(($(date +%s) - 1))

# ---- two locations failing: one ticket naming both, one mail each
guard 127.0.0.3 127.0.0.4
wait_until 10 '[ "$(code_from 127.0.0.4)" = 403 ]' || fail "nginx: deny c"
wait_until 15 '[ -n "$(tickets_of id)" ]' || fail "no ticket: $(verdicts)"
BC_FROM=$(date +%s)
wait_until 15 '[ "$(mails down | wc -l)" -ge 2 ]' ||
    fail "no DOWN mails: $(mails down)"
sleep 3
assert_eq 1 "$(tickets_of id | wc -l)" "exactly one ticket"
assert_eq "b,c" "$(tickets_of locations)" "the ticket names b and c"
assert_eq "a=up b=down c=down" "$(verdicts)" "b and c say down"
web_json 'c["locations"] == {"a": "up", "b": "down", "c": "down"} and
    c["partial_outage"] is None' ||
    fail "a's API: an incident is no partial outage: $WAIT_BODY"
assert_eq "ops@example.com|b, c
owner@shop.example|-" "$(mails down | LC_ALL=C sort)" \
    "one DOWN mail per recipient, the staff's naming b and c"
BC_TO=$(date +%s)

# ---- allowed again: resolved
guard
wait_until 10 '[ "$(code_from 127.0.0.4)" = 200 ]' || fail "nginx: allow"
wait_until 15 '[ "$(tickets_of status)" = resolved ]' ||
    fail "not resolved: $(tickets_of status), $(verdicts)"
wait_until 10 '[ "$(verdicts)" = "a=up b=up c=up" ]' ||
    fail "every location up again: $(verdicts)"
assert_eq 1 "$(tickets_of id | wc -l)" "still one ticket"
wait_until 15 '[ "$(mails up | wc -l)" -ge 2 ]' || fail "no UP mails: $(mails up)"
sleep 2
assert_eq "ops@example.com|-
owner@shop.example|-" "$(mails up | LC_ALL=C sort)" "one UP mail per recipient"
web_json 'c["locations"] == {"a": "up", "b": "up", "c": "up"} and
    c["partial_outage"] is None' ||
    fail "a's API: every location up again: $WAIT_BODY"
# The outage seen by two of three is in the figures, on every node: the
# lead read it (the "up" column alone, through rrdcached), the others
# took it from the database.
below100() { awk -v v="$1" 'BEGIN { exit !(v != "-" && v + 0 < 100) }'; }
wait_until 30 'below100 "$(up24 a)" && below100 "$(up24 b)" && below100 "$(up24 c)"' ||
    fail "the outage is not in every node's 24 h figure: $(up24 a) $(up24 b) $(up24 c)"
ROW=$(dash_row) || fail "a's dashboard: no answer"
assert_contains "$ROW" 'data-check="guarded"' "a's dashboard: guarded's row"
assert_not_contains "$ROW" "badge partial" "a's dashboard: the marker is gone"

# ---- the records: one file per location on the shared rrdcached
for l in a b c; do
	[ -s "$RRDCACHED_BASE/rrd/guarded~$l.rrd" ] ||
	    fail "no rrd/guarded~$l.rrd under rrdcached's base: $(ls -R "$RRDCACHED_BASE")"
done
[ -z "$(ls "$SW_STATE_DIR/rrd" "$SW_TMP/var-b/rrd" 2>/dev/null | grep guarded)" ] ||
    fail "a node wrote guarded's file locally"
# ups LOC FROM TO: the known `up` values of LOC's steps inside (FROM, TO),
# read through rrdcached (FETCH flushes the file first).
ups() {
	rrdtool fetch --daemon "$RC_ADDR" "rrd/guarded~$1.rrd" AVERAGE -r 1 \
	    -s "$2" -e "$3" | awk -F'[: ]+' -v lo="$2" -v hi="$3" \
	    '/^[0-9]+:/ && $1 > lo + 1 && $1 < hi && $2 !~ /nan/ { printf "%g\n", $2 }' |
	    sort -u | tr '\n' ' '
}
assert_eq "0 " "$(ups b "$B_FROM" "$B_TO")" "b's file: down while b was denied"
assert_eq "1 " "$(ups a "$B_FROM" "$B_TO")" "a's file: up meanwhile"
assert_eq "1 " "$(ups c "$B_FROM" "$B_TO")" "c's file: up meanwhile"
assert_eq "0 " "$(ups c "$BC_FROM" "$BC_TO")" "c's file: down with b"

# a's check chart reads its own location's rows through rrdcached.
wait_json 10 "$WEB/api/v1/checks/guarded/series?period=hour" \
    'len([r for r in j["rows"] if r[6] is not None]) >= 5' ||
    fail "a's chart has no rows from the shared rrdcached: $WAIT_BODY"

# One line per location in the response-time graph, each named.
sw_run "$SWC" -c "$SW_CONF" graph guarded --metric time --start "$B_FROM" \
    --end "$BC_TO" --legend -o "$SW_TMP/guarded.png"
assert_eq 0 "$RUN_RC" "graph ($RUN_ERR)"
[ "$(head -c 4 "$SW_TMP/guarded.png" | od -An -c | tr -d ' ')" = '211PNG' ] ||
    fail "graph is not a PNG"
assert_eq "a b c" "$(echo "$RUN_OUT" | grep -xE '[abc]' | tr '\n' ' ' | sed 's/ $//')" \
    "the legend names the three locations: $RUN_OUT"

# report: b alone is one location of confirm = 2 (up); b and c are down.
sw_run "$SWC" -c "$SW_CONF" report guarded --start "$B_FROM" --end "$B_TO" --json
assert_eq 0 "$RUN_RC" "report of b's window ($RUN_ERR)"
assert_json "$RUN_OUT" 'j[0]["uptime_pct"] == 100 and j[0]["downtime_s"] == 0' \
    "b alone down: 100 % up"
sw_run "$SWC" -c "$SW_CONF" report guarded --start "$BC_FROM" --end "$BC_TO" --json
assert_eq 0 "$RUN_RC" "report of b and c's window ($RUN_ERR)"
assert_json "$RUN_OUT" 'j[0]["downtime_s"] >= 2 and j[0]["uptime_pct"] < 50' \
    "b and c down: counted as down"

# ---- a location that stops counts no more: b and c fail again, c's
# node is killed: b alone is fewer than two, the new ticket resolves
guard 127.0.0.3 127.0.0.4
wait_until 15 '[ "$(tickets_of status | grep -vc resolved)" = 1 ]' ||
    fail "no second ticket: $(verdicts)"
C_PID=${PIDS##* }
kill -KILL "$C_PID"
wait "$C_PID" 2>/dev/null || true
_sw_untrack "$C_PID"
PIDS=${PIDS% *}
wait_until 15 '[ "$(tickets_of status | grep -vc resolved)" = 0 ]' ||
    fail "the ticket stays open with c gone: $(tickets_of status)"
assert_eq 2 "$(tickets_of id | wc -l)" "two tickets in all"

# ---- c's node comes back: it probes again, its verdict counts again,
# and b and c confirm a new outage: one ticket, not one per node
node_conf c 127.0.0.4
wait_until 20 '[ "$(verdicts)" = "a=up b=down c=down" ]' ||
    fail "c's verdict after its return: $(verdicts)"
wait_until 15 '[ "$(tickets_of status | grep -vc resolved)" = 1 ]' ||
    fail "no ticket once c is back: $(tickets_of status), $(verdicts)"
sleep 2
assert_eq 3 "$(tickets_of id | wc -l)" "three tickets in all, one open"

for p in $PIDS; do
	_sw_stop_pid "$p" 12
done
stop_daemon
sw_log "scenario took $((SECONDS - T0)) s"
exit 0
