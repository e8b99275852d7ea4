#!/bin/bash
# 34-pg-migrate: `sitewatch migrate --to URI` copies a single node's
# SQLite state into PostgreSQL.
#
#   a daemon on SQLite: a ticket (acknowledged), check states, mails left
#   queued by an SMTP server that says "later"
#   migrate          -> every ticket, event, state and mail in PostgreSQL,
#                       ids kept; the password not printed
#   migrate again    -> refused (exit 1): the target is not empty
#   migrate --force  -> nothing copied twice
#   the daemon on the copy -> the same ticket, still acknowledged, no
#                       second one; the queued mails go out once each
set -eu
. "$top_srcdir/tests/lib/common.sh"
mail_asan
command -v sqlite3 >/dev/null 2>&1 || skip "sqlite3 is not installed"
sq() {
	sqlite3 -cmd ".timeout 5000" "$SW_STATE_DIR/sitewatch.db" "$1"
}

start_nginx
start_smtp tempfail
write_mail_config "$SMTP_PORT" 1
add_site shop "Shop Ltd"
add_check shop broken "$NGINX_URL/status/500" interval=1 timeout=1 \
    retries=1 renotify=0
add_check shop fine "$NGINX_URL/ok" interval=1 timeout=1
start_daemon
wait_until 20 '[ "$(sq "SELECT count(*) FROM outbox" 2>/dev/null)" -ge 1 ]' ||
    fail "no mail queued"
ID=$(sq "SELECT id FROM tickets")
sw_run "$SWC" -c "$SW_CONF" ticket ack "$ID" --by ayse --note "on it"
assert_eq 0 "$RUN_RC" "ack: $RUN_ERR"
stop_daemon
TICKETS=$(sq "SELECT count(*) FROM tickets")
EVENTS=$(sq "SELECT count(*) FROM ticket_events")
STATES=$(sq "SELECT count(*) FROM check_state")
MAILS=$(sq "SELECT count(*) FROM outbox")
assert_eq 2 "$STATES" "two check states"
assert_eq 0 "$(smtp_count)" "nothing sent yet"

start_postgres
SW_TEST_DB=pg
use_db
sw_run "$SWC" -c "$SW_CONF" migrate --to "$PG_URI"
assert_eq 0 "$RUN_RC" "migrate: $RUN_ERR"
assert_contains "$RUN_OUT" "$TICKETS tickets" "migrate says what it copied"
assert_not_contains "$RUN_OUT$RUN_ERR" "$SW_PG_PASSWORD" "migrate's output"
assert_eq "$TICKETS|$EVENTS|$STATES|$MAILS" "$(q "SELECT
    (SELECT count(*) FROM tickets), (SELECT count(*) FROM ticket_events),
    (SELECT count(*) FROM check_state), (SELECT count(*) FROM outbox)")" \
    "every row copied"
assert_eq "$(sq "SELECT id, status, acknowledged_by, first_failure_at
    FROM tickets")" "$(q "SELECT id, status, acknowledged_by,
    first_failure_at FROM tickets")" "the ticket as it was"
assert_eq "$(sq "SELECT kind, by, text FROM ticket_events
    ORDER BY at, id")" "$(q "SELECT kind, \"by\", text FROM ticket_events
    ORDER BY at, id")" "its timeline"
assert_eq "$(sq "SELECT id, recipients, status, attempts, length(message)
    FROM outbox ORDER BY id")" "$(q "SELECT id, recipients, status,
    attempts, length(message) FROM outbox ORDER BY id")" "the mail queue"

sw_run "$SWC" -c "$SW_CONF" migrate --to "$PG_URI"
assert_eq 1 "$RUN_RC" "a second copy without --force"
assert_contains "$RUN_ERR" "already holds" "why it refused"
assert_not_contains "$RUN_ERR" "$SW_PG_PASSWORD" "the refusal"
sw_run "$SWC" -c "$SW_CONF" migrate --to "$PG_URI" --force
assert_eq 0 "$RUN_RC" "migrate --force: $RUN_ERR"
assert_contains "$RUN_OUT" "0 tickets ($TICKETS there already)" \
    "--force copies nothing twice"
assert_eq "$TICKETS|$EVENTS|$MAILS" "$(q "SELECT
    (SELECT count(*) FROM tickets), (SELECT count(*) FROM ticket_events),
    (SELECT count(*) FROM outbox)")" "no row twice"
sw_run "$SWC" -c "$SW_CONF" migrate --to "mysql://x@y/z"
assert_eq 1 "$RUN_RC" "--to that is no libpq URI"

# The daemon on the copy: the same ticket, and the mails go out once.
write_mail_config "$SMTP_PORT" 1
grep -q "^database = postgresql://" "$SW_CONF" || fail "no database line"
smtp_set_mode accept
start_daemon
wait_until 20 '[ "$(q "SELECT count(*) FROM outbox
    WHERE status = '"'queued'"'")" = 0 ]' || fail "the copied mails stay queued"
sleep 3
assert_eq "$MAILS" "$(smtp_count)" "each copied mail sent once"
assert_eq "$TICKETS" "$(q "SELECT count(*) FROM tickets")" \
    "no new ticket for the check still down"
assert_eq acknowledged "$(q "SELECT status FROM tickets WHERE id = $ID")" \
    "still acknowledged"
sw_run "$SWC" -c "$SW_CONF" tickets --json
assert_json "$RUN_OUT" 'len(j) == 1 and j[0]["id"] == '"$ID" \
    "the CLI reads the copy"
stop_daemon
exit 0
