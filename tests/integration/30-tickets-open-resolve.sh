#!/bin/bash
# 30-tickets-open-resolve: the real daemon against nginx.
#
#   broken  /status/500, retries 2      -> exactly one open critical ticket
#   flip    /ok with its file removed   -> a ticket; file back -> resolved
#                                          with downtime_s > 0
# Reminders every renotify (renotify = 1s: a plain number is minutes, a
# suffix says its unit) stop once the ticket is acknowledged through
# the CLI; a restart of the daemon does not duplicate a ticket; a ticket
# resolved by hand while the site is still down is followed by a new one.
set -eu
. "$top_srcdir/tests/lib/common.sh"

command -v sqlite3 >/dev/null 2>&1 || skip "sqlite3 is not installed"

start_nginx
OK_FILE=$SW_TMP/nginx/html/ok.txt
[ -f "$OK_FILE" ] || fail "the harness serves /ok from another file"
mv "$OK_FILE" "$SW_TMP/ok.txt.saved"	# /ok now answers 404

write_config
add_site shop "Shop Ltd"
add_check shop broken "$NGINX_URL/status/500" interval=1 timeout=1 \
    retries=2 recover=2 renotify=1s
add_check shop flip "$NGINX_URL/ok" interval=1 timeout=1 \
    retries=2 recover=2 renotify=1s
DB=$SW_STATE_DIR/sitewatch.db

q() {
	sqlite3 -cmd '.timeout 5000' "$DB" "$1" 2>/dev/null
}
tickets_json() {
	sw_run "$SWC" -c "$SW_CONF" tickets "$@" --json
	[ "$RUN_RC" -eq 0 ] || fail "sitewatch tickets failed: $RUN_ERR"
	echo "$RUN_OUT"
}

start_daemon

wait_until 20 '[ "$(q "SELECT count(*) FROM tickets
    WHERE status <> '"'resolved'"'")" = 2 ]' ||
    fail "two open tickets did not appear"
assert_eq 1 "$(q "SELECT count(*) FROM tickets WHERE check_name='broken'")" \
    "one ticket for broken"
assert_eq "critical|open|http" "$(q "SELECT severity, status, cause
    FROM tickets WHERE check_name='broken'")" "broken's ticket"
BROKEN=$(q "SELECT id FROM tickets WHERE check_name='broken'")
FLIP=$(q "SELECT id FROM tickets WHERE check_name='flip'")

J=$(tickets_json)
assert_json "$J" 'len(j) == 2' "tickets --json lists both"
assert_json "$J" 'sorted(t["check"] for t in j) == ["broken", "flip"]' \
    "checks"
assert_json "$J" 'all(t["status"] == "open" and t["severity"] == "critical"
    and t["site"] == "Shop Ltd" and t["resolved_at"] is None for t in j)' \
    "open critical tickets"
assert_json "$J" 'all(t["events"][0]["kind"] == "opened" for t in j)' \
    "timeline starts with opened"
assert_json "$J" 'all(t["opened_at"].endswith("Z") and
    len(t["opened_at"]) == 20 for t in j)' "ISO 8601 UTC times"

# Reminders go out every "minute" while nobody has acknowledged.
wait_until 10 '[ "$(q "SELECT count(*) FROM ticket_events
    WHERE ticket_id=$BROKEN AND kind='"'reminded'"'")" -ge 1 ]' ||
    fail "no reminder for the unacknowledged ticket"

sw_run "$SWC" -c "$SW_CONF" ticket ack "$BROKEN" --by ayse --note "on it"
assert_eq 0 "$RUN_RC" "ticket ack: $RUN_ERR"
wait_until 10 'grep -q "ticket $BROKEN acknowledged" "$SW_LOG"' ||
    fail "the daemon did not notice the ack"
sleep 1
R1=$(q "SELECT count(*) FROM ticket_events WHERE ticket_id=$BROKEN
    AND kind='reminded'")
F1=$(q "SELECT count(*) FROM ticket_events WHERE ticket_id=$FLIP
    AND kind='reminded'")
sleep 4
R2=$(q "SELECT count(*) FROM ticket_events WHERE ticket_id=$BROKEN
    AND kind='reminded'")
F2=$(q "SELECT count(*) FROM ticket_events WHERE ticket_id=$FLIP
    AND kind='reminded'")
assert_eq "$R1" "$R2" "reminders after the ack"
assert_ge "$F2" $((F1 + 2)) "reminders of the unacknowledged ticket go on"

# Still exactly one ticket each after many more failed results.
assert_eq 2 "$(q "SELECT count(*) FROM tickets")" "no duplicate tickets"

# The site comes back: two good results resolve the ticket.
mv "$SW_TMP/ok.txt.saved" "$OK_FILE"
wait_until 15 '[ "$(q "SELECT status FROM tickets WHERE id=$FLIP")" = \
    resolved ]' || fail "flip's ticket was not resolved"
DT=$(q "SELECT downtime_s FROM tickets WHERE id=$FLIP")
assert_ge "$DT" 1 "downtime_s"
sw_run "$SWC" -c "$SW_CONF" ticket show "$FLIP" --json
assert_eq 0 "$RUN_RC" "ticket show"
assert_json "$RUN_OUT" '(j["status"] == "resolved" and
    j["events"][-1]["kind"] == "resolved" and j["downtime_s"] >= 1 and
    j["resolved_at"] is not None)' "resolved ticket"
J=$(tickets_json)
assert_json "$J" '[t["id"] for t in j] == ['"$BROKEN"']' \
    "--open lists the acknowledged ticket only"
J=$(tickets_json --all)
assert_json "$J" 'len(j) == 2' "--all lists both"
assert_contains "$(cat "$SW_LOG")" "check flip: down -> up" "transition log"

# A restart resumes: no second ticket for the check that is still down,
# the acknowledged ticket stays acknowledged and gets no reminder.
stop_daemon
R3=$(q "SELECT count(*) FROM ticket_events WHERE kind='reminded'")
assert_eq "down|broken" "$(q "SELECT state, name FROM check_state
    WHERE name='broken'")" "check_state persisted"
start_daemon
sleep 5
assert_eq 2 "$(q "SELECT count(*) FROM tickets")" "tickets after restart"
assert_eq acknowledged "$(q "SELECT status FROM tickets WHERE id=$BROKEN")" \
    "ack survives the restart"
assert_eq "$R3" "$(q "SELECT count(*) FROM ticket_events
    WHERE kind='reminded'")" "no reminders after the restart"

# Resolved by hand while still down: the next failure opens a new one.
MAXID=$(q "SELECT max(id) FROM tickets")
sw_run "$SWC" -c "$SW_CONF" ticket resolve "$BROKEN" --by ayse \
    --note "fixed, I think"
assert_eq 0 "$RUN_RC" "ticket resolve: $RUN_ERR"
wait_until 15 '[ "$(q "SELECT count(*) FROM tickets
    WHERE check_name='"'broken'"'")" = 2 ]' ||
    fail "no new ticket after the hand resolve"
NEW=$(q "SELECT id FROM tickets WHERE check_name='broken'
    AND status='open'")
assert_ge "$NEW" $((MAXID + 1)) "the new ticket has a new id"
assert_eq resolved "$(q "SELECT status FROM tickets WHERE id=$BROKEN")" \
    "the hand resolve stands"
stop_daemon
exit 0
