#!/bin/bash
# 65-db-locked: another program holds sitewatch.db's write lock (a CLI
# `sqlite3 ... BEGIN IMMEDIATE` kept open 8 s, past the daemon's 5 s busy
# timeout) exactly while an incident opens:
#   - the daemon keeps running and checking;
#   - once the lock is gone the ticket is written -- not lost -- exactly
#     once, with its alert mail in the outbox;
#   - after a restart there is still exactly one ticket for the incident;
#   - SIGTERM while the db is locked (writes kept, waiting): the daemon
#     still stops with 0 within 10 s.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/faults.bash"
use_db 10000
tickets() {
	q "SELECT count(*) FROM tickets WHERE check_name = 'flip'"
}
# hold_lock SECS OUT: a sqlite3 CLI in the background takes the db's
# write lock and keeps it SECS seconds (OUT gets "locked" once it has
# it); sets LOCK_PID.
hold_lock() {
	{
		echo 'BEGIN IMMEDIATE;'
		echo "UPDATE check_state SET name = name WHERE 0;"
		echo ".print locked"
		sleep "$1"
		echo 'COMMIT;'
	} | sqlite3 "$DB" > "$2" 2>&1 &
	LOCK_PID=$!
	sw_on_exit "kill $LOCK_PID 2>/dev/null || true"
	wait_until 5 "grep -q locked '$2'" || fail "could not lock the db"
}

start_nginx
start_hostile
write_config smtp.staff=ops@example.com smtp.group_window=1
add_site web "Web Ltd"
add_check web healthy "$NGINX_URL/ok" interval=1 timeout=1
add_check web flip "$HOSTILE_URL/fine" interval=1 timeout=1 retries=1 \
    recover=1
start_daemon
wait_until 10 '[ "$(q "SELECT count(*) FROM check_state")" = 2 ]' ||
    fail "the daemon saved no check state"

# Take the write lock and hold it 8 s.
hold_lock 8 "$SW_TMP/lock.out"
t_lock=$(date +%s)
# The incident opens under the lock.
h0=$(nginx_hits /ok)
_sw_stop_pid "$HOSTILE_PID" 5
wait_until 5 'grep -q "check flip: .*opening" "$SW_LOG"' ||
    fail "the incident did not open"
assert_eq 0 "$(tickets)" "no ticket visible while the db is locked"
wait "$LOCK_PID" || fail "the locking transaction failed: $(cat "$SW_TMP/lock.out")"
t_free=$(date +%s)
h1=$(nginx_hits /ok)
assert_ge "$((h1 - h0))" "$((t_free - t_lock - 2))" \
    "checks kept running while the db was locked"
daemon_alive || fail "the daemon died on a locked db"

wait_until 15 '[ "$(tickets)" -ge 1 ]' ||
    fail "the ticket opened under the lock was lost"
wait_until 15 '[ -n "$(ls "$SW_STATE_DIR/outbox" 2>/dev/null | grep "\.eml$")" ]' ||
    fail "the alert mail was lost"
sleep 2
assert_eq 1 "$(tickets)" "exactly one ticket"
assert_eq open "$(q "SELECT status FROM tickets WHERE check_name = 'flip'")" \
    "the ticket is open"
assert_ge "$(q "SELECT count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE t.check_name = 'flip'")" 1 \
    "the ticket has its timeline"
nmail=$(ls "$SW_STATE_DIR/outbox" | grep -c '\.eml$')
assert_eq "$(q "SELECT count(*) FROM outbox")" "$nmail" "every queued mail written once"
assert_le "$(grep -c 'cannot write' "$SW_LOG" || true)" 1 \
    "the lock is reported once"
stop_daemon
start_daemon
sleep 3
assert_eq 1 "$(tickets)" "still one ticket after a restart"
assert_eq "$nmail" "$(ls "$SW_STATE_DIR/outbox" | grep -c '\.eml$')" \
    "no mail sent twice after a restart"

# Locked again, with state saves waiting: SIGTERM.
hold_lock 14 "$SW_TMP/lock2.out"
wait_until 10 '[ "$(grep -c "ticket db: cannot write" "$SW_LOG")" -ge 2 ]' ||
    fail "the second lock was not noticed"
stop_daemon
assert_le "$SWD_STOP_MS" 10000 "stop time (ms) with the db locked"
kill "$LOCK_PID" 2>/dev/null || true
wait "$LOCK_PID" 2>/dev/null || true
assert_eq 1 "$(tickets)" "one ticket after all that"
exit 0
