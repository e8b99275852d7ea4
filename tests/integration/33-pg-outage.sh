#!/bin/bash
# 33-pg-outage: the daemon's state on PostgreSQL ([daemon] database).
#
#   -t with a database that is no libpq URI -> FILE:LINE, value not echoed
#   the URI's password                      -> never in -t, the log, the
#                                              dashboard, the API, /metrics
#   PostgreSQL stopped for ~20 s; meanwhile a site goes down
#                                           -> checks keep running; once it
#      is back: that ticket written once, its "down" mail sent once; the
#      site comes back: resolved once, one "up" mail; no ticket or mail
#      duplicated
set -eu
. "$top_srcdir/tests/lib/common.sh"
mail_asan

SW_TEST_DB=pg
use_db
start_nginx
OK_FILE=$SW_TMP/nginx/html/ok.txt
[ -f "$OK_FILE" ] || fail "the harness serves /ok from another file"
start_smtp accept
write_mail_config "$SMTP_PORT" 2
add_site shop "Shop Ltd"
add_check shop broken "$NGINX_URL/status/500" interval=1 timeout=1 \
    retries=1 recover=1 renotify=0
add_check shop flip "$NGINX_URL/ok" interval=1 timeout=1 \
    retries=1 recover=1 renotify=0
grep -q "^database = postgresql://" "$SW_CONF" || fail "no database line"

# A value that is no URI: FILE:LINE, and the value (a password) not shown.
LINE=$(grep -n "^database" "$SW_CONF" | cut -d: -f1)
sed "s|^database = .*|database = mysql://u:hunter2@db/x|" "$SW_CONF" \
    > "$SW_TMP/bad.conf"
sw_run "$SWD" -t -c "$SW_TMP/bad.conf"
assert_eq 1 "$RUN_RC" "-t of a bad database"
assert_contains "$RUN_ERR$RUN_OUT" "bad.conf:$LINE: database: not a libpq URI" \
    "the error names FILE:LINE"
assert_not_contains "$RUN_ERR$RUN_OUT" hunter2 "the bad value's password"
sw_run "$SWD" -t -c "$SW_CONF"
assert_eq 0 "$RUN_RC" "-t of the good configuration: $RUN_ERR"
assert_not_contains "$RUN_ERR$RUN_OUT" "$SW_PG_PASSWORD" "-t output"

start_daemon
wait_until 20 '[ "$(q "SELECT count(*) FROM tickets
    WHERE check_name = '"'broken'"' AND status = '"'open'"'")" = 1 ]' ||
    fail "no ticket for broken"
wait_until 20 '[ "$(smtp_count)" -ge 1 ]' || fail "no down mail for broken"
for path in / /check/flip /api/v1/checks /api/v1/tickets /metrics; do
	http_req GET "http://127.0.0.1:$SW_HTTP_PORT$path"
	assert_eq 200 "$HTTP_STATUS" "GET $path"
	assert_not_contains "$HTTP_BODY" "$SW_PG_PASSWORD" "GET $path"
done

# The outage: PostgreSQL stopped, and meanwhile flip goes down.
stop_postgres
H0=$(nginx_hits /ok)
mv "$OK_FILE" "$SW_TMP/ok.txt.saved"
wait_until 15 'grep -q "check flip: up -> down" "$SW_LOG"' ||
    fail "the daemon did not see flip go down while the database was away"
sleep 12
daemon_alive || fail "the daemon died during the outage"
H1=$(nginx_hits /ok)
assert_ge "$((H1 - H0))" 10 "checks of flip during the outage"
start_postgres_again

wait_until 20 '[ "$(q "SELECT count(*) FROM tickets
    WHERE check_name = '"'flip'"'")" = 1 ]' ||
    fail "flip's ticket was not written after the database returned"
FLIP=$(q "SELECT id FROM tickets WHERE check_name = 'flip'")
wait_until 20 '[ "$(grep -l "flip" $(smtp_messages) 2>/dev/null |
    wc -l)" -ge 1 ]' || fail "no down mail for flip"

# Back up: resolved once, one up mail.
mv "$SW_TMP/ok.txt.saved" "$OK_FILE"
wait_until 20 '[ "$(q "SELECT status FROM tickets WHERE id = $FLIP")" = \
    resolved ]' || fail "flip's ticket was not resolved"
wait_until 20 '[ "$(q "SELECT count(*) FROM outbox
    WHERE status <> '"'sent'"'")" = 0 ]' || fail "mails left in the queue"
sleep 3
assert_eq 1 "$(q "SELECT count(*) FROM tickets WHERE check_name = 'flip'")" \
    "one ticket for flip"
assert_eq 1 "$(q "SELECT count(*) FROM tickets WHERE check_name = 'broken'")" \
    "one ticket for broken"
assert_eq "1|1" "$(q "SELECT sum(CASE WHEN kind = 'opened' THEN 1 ELSE 0 END),
    sum(CASE WHEN kind = 'resolved' THEN 1 ELSE 0 END)
    FROM ticket_events WHERE ticket_id = $FLIP")" \
    "flip opened once, resolved once"
SENT=$(q "SELECT count(*) FROM outbox WHERE status = 'sent'")
assert_eq "$SENT" "$(smtp_count)" "each queued mail reached the server once"
assert_eq 0 "$(q "SELECT count(*) FROM (SELECT subject, recipients
    FROM outbox GROUP BY subject, recipients HAVING count(*) > 1) d")" \
    "no mail queued twice"
assert_ge "$SENT" 3 "down (broken), down (flip), up (flip)"
stop_daemon
assert_not_contains "$(cat "$SW_LOG")" "$SW_PG_PASSWORD" "the daemon's log"
assert_contains "$(cat "$SW_LOG")" "connected again" \
    "the daemon says it reconnected"
exit 0
