#!/bin/bash
# 35-pg-nodes: two daemons (nodes) on one PostgreSQL database, and
# `sitewatch nodes [--json]` on either.
#
#   both running          -> both listed "up", with their checks
#   one SIGKILLed         -> "gone" after node_timeout, the other "up"
#   it starts again       -> "up" again, under the same name
#   SQLite, one daemon    -> it lists itself
set -eu
. "$top_srcdir/tests/lib/common.sh"

nodes_json() {
	sw_run "$SWC" -c "$1" nodes --json
	[ "$RUN_RC" -eq 0 ] || fail "sitewatch nodes: $RUN_ERR"
	echo "$RUN_OUT"
}
node_state() {	# CONF NODE: its state, or "none"
	"$SW_PY" -c '
import json, sys
j = json.loads(sys.argv[1])
print(next((n["state"] for n in j if n["node"] == sys.argv[2]), "none"))
' "$(nodes_json "$1")" "$2"
}

start_nginx
SW_TEST_DB=pg
write_config daemon.node=alpha daemon.node_timeout=2
add_site shop "Shop Ltd"
add_check shop home "$NGINX_URL/ok" interval=1 timeout=1
add_check shop about "$NGINX_URL/ok" interval=1 timeout=1

# The second node: its own state_dir, listener and name; the same checks.
CONF2=$SW_TMP/beta.conf
PORT2=$(free_port)
sed -e "s|^state_dir = .*|state_dir = $SW_TMP/var2|" \
    -e "s|^listen = .*|listen = 127.0.0.1:$PORT2|" \
    -e "s|^node = .*|node = beta|" "$SW_CONF" > "$CONF2"
grep -q "^node = beta" "$CONF2" || fail "beta's config"

assert_json "$(nodes_json "$SW_CONF")" 'j == []' "no node before any ran"
start_daemon
"$SWD" -f -c "$CONF2" </dev/null >>"$SW_TMP/beta.log" 2>&1 &
BETA=$!
_sw_track "$BETA" sitewatchd
wait_until 15 '[ "$(node_state "$SW_CONF" alpha)" = up ] &&
    [ "$(node_state "$SW_CONF" beta)" = up ]' ||
    fail "both nodes up: $(nodes_json "$SW_CONF")"
J=$(nodes_json "$CONF2")
assert_json "$J" 'sorted(n["node"] for n in j) == ["alpha", "beta"]' \
    "either node lists both"
assert_json "$J" 'all(n["checks"] == 2 and n["last_seen"].endswith("Z")
    and n["location"] == n["node"] for n in j)' "fields"
sw_run "$SWC" -c "$SW_CONF" nodes
assert_eq 0 "$RUN_RC" "nodes as text"
assert_contains "$RUN_OUT" "beta" "text lists beta"

# beta killed: gone within node_timeout (2 s) and a beat; alpha stays up.
kill -KILL "$BETA"
wait "$BETA" 2>/dev/null || true
_sw_untrack "$BETA"
wait_until 10 '[ "$(node_state "$SW_CONF" beta)" = gone ]' ||
    fail "beta not gone: $(nodes_json "$SW_CONF")"
assert_eq up "$(node_state "$SW_CONF" alpha)" "alpha still up"
sleep 3
assert_eq up "$(node_state "$SW_CONF" alpha)" "alpha keeps beating"

# beta back: up again, still two nodes.
"$SWD" -f -c "$CONF2" </dev/null >>"$SW_TMP/beta.log" 2>&1 &
BETA=$!
_sw_track "$BETA" sitewatchd
wait_until 15 '[ "$(node_state "$SW_CONF" beta)" = up ]' ||
    fail "beta not up again"
assert_json "$(nodes_json "$SW_CONF")" 'len(j) == 2' "still two nodes"
_sw_stop_pid "$BETA" 12
stop_daemon

# SQLite: the one daemon lists itself.
SW_TEST_DB=
write_config daemon.node=solo
start_daemon
wait_until 15 '[ "$(node_state "$SW_CONF" solo)" = up ]' ||
    fail "the SQLite node does not list itself"
stop_daemon
exit 0
