#!/bin/bash
# 37-pg-confirm: k of n confirmation (issue 16).  Three daemons on one
# PostgreSQL database are three locations (a, b, c), each probing from its
# own source address (127.0.0.2, .3, .4); every one probes the check
# (locations = 0) and two must see it failing (confirm = 2).  nginx
# denies the sources named in a file it includes:
#
#   deny b          -> status shows b down, a and c up; no ticket
#   deny b and c    -> exactly one ticket, naming b and c; one DOWN mail
#                      per recipient, the staff's naming both locations,
#                      the client's naming none
#   allow all       -> the ticket is resolved, one UP mail per recipient
#   deny b and c, c's node killed
#                   -> a new ticket, resolved once c's heartbeat is stale
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
write_mail_config "$SMTP_PORT" 2 daemon.node=a daemon.location=a \
    daemon.source=127.0.0.2 daemon.node_timeout=3
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

# ---- one location failing: its verdict shows, no ticket
guard 127.0.0.3
wait_until 10 '[ "$(code_from 127.0.0.3)" = 403 ]' || fail "nginx: deny b"
wait_until 15 '[ "$(verdicts)" = "a=up b=down c=up" ]' ||
    fail "b's verdict: $(verdicts)"
sleep 3
assert_eq "" "$(tickets_of id)" "one location of two: no ticket"
assert_eq "a=up b=down c=up" "$(verdicts)" "b alone says down"

# ---- two locations failing: one ticket naming both, one mail each
guard 127.0.0.3 127.0.0.4
wait_until 10 '[ "$(code_from 127.0.0.4)" = 403 ]' || fail "nginx: deny c"
wait_until 15 '[ -n "$(tickets_of id)" ]' || fail "no ticket: $(verdicts)"
wait_until 15 '[ "$(mails down | wc -l)" -ge 2 ]' ||
    fail "no DOWN mails: $(mails down)"
sleep 3
assert_eq 1 "$(tickets_of id | wc -l)" "exactly one ticket"
assert_eq "b,c" "$(tickets_of locations)" "the ticket names b and c"
assert_eq "a=up b=down c=down" "$(verdicts)" "b and c say down"
assert_eq "ops@example.com|b, c
owner@shop.example|-" "$(mails down | LC_ALL=C sort)" \
    "one DOWN mail per recipient, the staff's naming b and c"

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

for p in $PIDS; do
	_sw_stop_pid "$p" 12
done
stop_daemon
sw_log "scenario took $((SECONDS - T0)) s"
exit 0
