#!/bin/bash
# 70-cli-bad-input: bad input to `sitewatch` -- ticket ids that are not
# ids (abc, -1, 0, 1x, 99999999999999999999), ids that do not exist,
# missing arguments, unknown verbs, actions and options -- gives a clear
# message on stderr and a non-zero exit, and writes nothing: the db
# dump is the same before and after.
set -eu
. "$top_srcdir/tests/lib/common.sh"
command -v sqlite3 >/dev/null 2>&1 || skip "sqlite3 is not installed"
DB=$SW_STATE_DIR/sitewatch.db

start_nginx
write_config
add_site web "Web Ltd"
add_check web broken "$NGINX_URL/status/503" interval=1 timeout=1 retries=1
start_daemon
wait_until 15 '[ "$(sqlite3 -cmd ".timeout 5000" "$DB" \
    "SELECT count(*) FROM tickets" 2>/dev/null)" = 1 ]' || fail "no ticket"
stop_daemon
dump() {
	sqlite3 "$DB" .dump | md5sum
}
before=$(dump)

# bad EXPECTED_WORD ARGS...: non-zero exit, stderr names the problem,
# nothing on stdout pretends to be data.
bad() {
	local want=$1
	shift
	sw_run timeout 20 "$SWC" -c "$SW_CONF" "$@"
	[ "$RUN_RC" -ne 0 ] || fail "'$*' exited 0: $RUN_OUT"
	[ "$RUN_RC" -ne 124 ] || fail "'$*' hung"
	[ "$RUN_RC" -lt 128 ] || fail "'$*' died of a signal ($RUN_RC): $RUN_ERR"
	assert_contains "$RUN_ERR" "$want" "'$*': message"
	assert_eq "" "$RUN_OUT" "'$*': nothing on stdout"
}
for id in abc 1x 99999999999999999999 0 ''; do
	bad "bad ticket id" ticket show "$id"
	bad "bad ticket id" ticket ack "$id" --by alice
	bad "bad ticket id" ticket note "$id" --by alice "some text"
	bad "bad ticket id" ticket resolve "$id" --by alice
	bad "bad ticket id" ticket show "$id" --json
done
# "-1" reads as an option unless after "--"; either way it is refused.
bad "usage" ticket show -1
bad "bad ticket id" ticket resolve -- -1 --by alice
bad "no ticket" ticket show 99999
bad "no ticket" ticket ack 99999 --by alice
bad "no ticket" ticket resolve 99999 --by alice
bad "no ticket" ticket note 99999 --by alice "text"
bad "usage" ticket show
bad "usage" ticket
bad "--by" ticket ack 1
bad "--by" ticket resolve 1
bad "missing" ticket note 1 --by alice
bad "unknown action" ticket frobnicate 1
bad "unknown verb" frobnicate
bad "usage" tickets --bogus
bad "usage" status --nope
bad "usage" check
bad "usage" ticket ack 1 --by
bad "graph" graph
bad "unknown period" report --period fortnight
bad "usage" --bogus status
bad "usage"
# A missing configuration file is an error too, not an empty answer.
sw_run "$SWC" -c "$SW_TMP/nope.conf" tickets
[ "$RUN_RC" -ne 0 ] || fail "a missing config file exited 0"
assert_contains "$RUN_ERR" "nope.conf" "the missing file is named"

assert_eq "$before" "$(dump)" "the db is unchanged by bad input"
# The one good command still works after all that.
sw_run "$SWC" -c "$SW_CONF" ticket show 1 --json
assert_eq 0 "$RUN_RC" "ticket show 1 ($RUN_ERR)"
assert_eq open "$(json_get "$RUN_OUT" status)" "ticket 1 untouched"
assert_eq null "$(json_get "$RUN_OUT" acknowledged_by)" "not acknowledged"
exit 0
