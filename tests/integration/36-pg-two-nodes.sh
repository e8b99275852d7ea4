#!/bin/bash
# 36-pg-two-nodes: two daemons (alpha, beta) on one PostgreSQL database,
# both checking the same sites (locations = 0: every node probes every
# check), so both see every outage.  One truth all the same:
#
#   nginx fails /ok            -> one ticket for "home" (a SELECT, and
#                                 `tickets --json` on either node); one
#                                 DOWN mail per recipient (staff, client);
#                                 one node opened it, the other follows
#   unacknowledged, every 3 s  -> each reminder once: one node moves the
#                                 ticket's reminder time and mails
#   ack on beta's CLI          -> alpha's /api/v1/tickets says so, and
#                                 alpha's engine notices within a tick
#   /ok back                   -> resolved once, one UP mail per recipient
#   five checks fail at once, beta SIGKILLed as the first ticket appears,
#   started again              -> one ticket per check, one DOWN mail per
#                                 check and recipient (beta sends those of
#                                 its tickets it had not queued when
#                                 killed); recovery: one UP each
set -eu
. "$top_srcdir/tests/lib/common.sh"
mail_asan
INSPECT=$top_srcdir/tests/integration/mail_inspect.py

SW_TEST_DB=pg
use_db
start_nginx
OK_FILE=$SW_TMP/nginx/html/ok.txt
KW_FILE=$SW_TMP/nginx/html/keyword.html
[ -f "$OK_FILE" ] && [ -f "$KW_FILE" ] ||
    fail "the harness serves /ok and /keyword from other files"
start_smtp accept
write_mail_config "$SMTP_PORT" 2 daemon.node=alpha daemon.node_timeout=3
add_site shop "Shop Ltd" en "owner@shop.example"
add_check shop home "$NGINX_URL/ok" interval=1 timeout=1 retries=2 \
    recover=2 renotify=3s locations=0
for i in 1 2 3 4 5; do
	add_check shop "b$i" "$NGINX_URL/keyword?$i" interval=1 timeout=1 \
	    retries=2 recover=2 renotify=0 locations=0
done

# beta: its own state_dir, listener and name; the same database, checks.
CONF2=$SW_TMP/beta.conf
PORT2=$(free_port)
sed -e "s|^state_dir = .*|state_dir = $SW_TMP/var2|" \
    -e "s|^listen = .*|listen = 127.0.0.1:$PORT2|" \
    -e "s|^node = .*|node = beta|" "$SW_CONF" > "$CONF2"
grep -q "^node = beta" "$CONF2" || fail "beta's config"
BETA_LOG=$SW_TMP/beta.log
start_beta() {
	"$SWD" -f -c "$CONF2" </dev/null >>"$BETA_LOG" 2>&1 &
	BETA=$!
	_sw_track "$BETA" sitewatchd
}

# mail_counts KIND: "RCPT|ITEM N" for each DOWN or UP mail item, where
# ITEM is the check (staff mails list checks) or the ticket (clients').
mail_counts() {
	local files
	files=$(smtp_messages)
	[ -n "$files" ] || return 0
	"$SW_PY" - "$1" "$INSPECT" $files <<'PY'
import collections, json, re, subprocess, sys
kind, inspect, files = sys.argv[1], sys.argv[2], sys.argv[3:]
mails = json.loads(subprocess.check_output([sys.executable, inspect] + files))
n = collections.Counter()
for m in mails:
    s, b = m["subject"], m["body"]
    if kind == "down" and not (s.startswith("DOWN:") or "not reachable" in s):
        continue
    if kind == "up" and not (s.startswith("UP:") or "working again" in s):
        continue
    if s.startswith(("DOWN:", "UP:")):
        items = re.findall(r"^(\S+) \(Shop Ltd\): ", b, re.M)
    else:
        items = ["#" + t for t in re.findall(r"Ticket number: #?(\d+)", b)]
    for i in items:
        n[m["rcpt"] + "|" + i] += 1
for k in sorted(n):
    print(k, n[k])
PY
}
# how_many KIND ITEM: the mails of that kind naming ITEM, all recipients.
how_many() {
	mail_counts "$1" | awk -v i="$2" '{ split($1, a, "|") }
	    a[2] == i { n += $2 } END { print n + 0 }'
}
# within SECS COND: wait_until bounded by the clock (COND may be slow).
within() {
	local end=$((SECONDS + $1))
	while [ "$SECONDS" -lt "$end" ]; do
		eval "$2" && return 0
		sleep 0.2
	done
	eval "$2"
}
# sent N: at least N mails sent and none waiting in the queue.
sent() {
	[ "$(q "SELECT count(*) FROM outbox WHERE status = 'sent'")" -ge "$1" ] &&
	    [ "$(q "SELECT count(*) FROM outbox WHERE status <> 'sent'")" = 0 ]
}
open_ids() {	# CONF: the open tickets' ids that node's CLI lists
	sw_run "$SWC" -c "$1" tickets --json
	[ "$RUN_RC" -eq 0 ] || fail "tickets --json: $RUN_ERR"
	"$SW_PY" -c 'import json, sys
print(" ".join(str(t["id"]) for t in json.loads(sys.argv[1])
    if t["check"] == sys.argv[2]))' "$RUN_OUT" "$2"
}

start_daemon
start_beta
wait_until 20 '[ "$(q "SELECT count(*) FROM nodes")" = 2 ]' ||
    fail "both nodes beat: $(q "SELECT name FROM nodes")"
# Both run their checks.  (They share each check's saved state today:
# the second node starts from what the first saved.)
wait_until 15 'grep -q "started: 6 checks" "$SW_LOG" &&
    grep -q "started: 6 checks" "$BETA_LOG"' || fail "both nodes run"
H0=$(nginx_hits /ok)
wait_until 10 '[ "$(( $(nginx_hits /ok) - H0 ))" -ge 4 ]' ||
    fail "home is not checked by both nodes"

# ---- one outage seen by both
T0=$(date +%s)
mv "$OK_FILE" "$SW_TMP/ok.txt.saved"
wait_until 20 '[ "$(q "SELECT count(*) FROM tickets
    WHERE check_name = '"'home'"'")" = 1 ]' || fail "no ticket for home"
HOME_ID=$(q "SELECT id FROM tickets WHERE check_name = 'home'")
within 20 'sent 2 && [ "$(how_many down home)" -ge 1 ] &&
    [ "$(how_many down "#$HOME_ID")" -ge 1 ]' ||
    fail "no DOWN mail for home: $(mail_counts down)"
# Both nodes decided by now (retries=2 at 1 s); give a second mail time.
wait_until 10 'grep -q "check home: .*opening" "$SW_LOG" &&
    grep -q "check home: .*opening" "$BETA_LOG"' ||
    fail "both nodes decided to open"
sleep 3
T1=$(date +%s)
sw_log "outage to mails: $((T1 - T0)) s"
assert_eq 1 "$(q "SELECT count(*) FROM tickets WHERE check_name = 'home'")" \
    "one ticket for home"
assert_eq 1 "$(q "SELECT count(*) FROM ticket_events
    WHERE ticket_id = $HOME_ID AND kind = 'opened'")" "opened once"
assert_eq "$HOME_ID" "$(open_ids "$SW_CONF" home)" "alpha's CLI: one ticket"
assert_eq "$HOME_ID" "$(open_ids "$CONF2" home)" "beta's CLI: one ticket"
assert_eq "ops@example.com|home 1" "$(mail_counts down | grep '|home ')" \
    "one DOWN mail to staff"
assert_eq "owner@shop.example|#$HOME_ID 1" \
    "$(mail_counts down | grep "|#$HOME_ID ")" "one DOWN mail to the client"
OPENER=$(grep -l "check home: ticket $HOME_ID opened" "$SW_LOG" "$BETA_LOG" |
    wc -l)
FOLLOWER=$(grep -l "ticket $HOME_ID is open already" "$SW_LOG" "$BETA_LOG" |
    wc -l)
assert_eq "1 1" "$OPENER $FOLLOWER" "one node opened, the other follows"

# ---- reminders: both nodes find one due, one sends it
reminded() {
	q "SELECT count(*) FROM ticket_events
	    WHERE ticket_id = $HOME_ID AND kind = 'reminded'"
}
reminder_mails() {
	local f n=0
	for f in $(smtp_messages); do
		grep -q "^Subject: REMINDER: home" "$f" && n=$((n + 1))
	done
	echo "$n"
}
wait_until 10 '[ "$(reminded)" -ge 2 ]' || fail "no reminders for home"
wait_until 10 '[ "$(reminder_mails)" -ge "$(reminded)" ]' ||
    fail "reminded $(reminded) times, $(reminder_mails) mails"

sw_run "$SWC" -c "$CONF2" ticket ack "$HOME_ID" --by ayse --note "on it"
assert_eq 0 "$RUN_RC" "ack on beta: $RUN_ERR"
TA=$(date +%s%N)
ACKED="any(t['id'] == $HOME_ID and t['status'] == 'acknowledged' and
    t['acknowledged_by'] == 'ayse' for t in j)"
wait_until 5 'http_req GET "http://127.0.0.1:$SW_HTTP_PORT/api/v1/tickets" &&
    json_holds "$HTTP_BODY" "$ACKED" >/dev/null' ||
    fail "alpha's API does not show beta's ack: $HTTP_BODY"
wait_until 7 'grep -q "ticket $HOME_ID acknowledged" "$SW_LOG"' ||
    fail "alpha's engine did not notice the ack within a tick"
TB=$(date +%s%N)
# Acknowledged: no more reminders.  Each was mailed once, 3 s apart.
sleep 2
NREM=$(reminded)
within 5 '[ "$(reminder_mails)" -ge "$NREM" ]' || true
assert_eq "$NREM" "$(reminder_mails)" "one mail per reminder"
sleep 4
assert_eq "$NREM" "$(reminded)" "no reminder after the ack"
assert_ge "$(q "SELECT coalesce(min(b.at - a.at), 3) FROM ticket_events a
    JOIN ticket_events b ON b.ticket_id = a.ticket_id AND b.id > a.id
    WHERE a.ticket_id = $HOME_ID AND a.kind = 'reminded'
    AND b.kind = 'reminded'")" 3 "reminders renotify apart"
sw_log "$NREM reminder(s) before the ack"
sw_log "ack on beta noticed by alpha's engine after $(( (TB - TA) / 1000000 )) ms"

# ---- recovery: resolved once, one UP mail each
mv "$SW_TMP/ok.txt.saved" "$OK_FILE"
wait_until 20 '[ "$(q "SELECT status FROM tickets WHERE id = $HOME_ID")" = \
    resolved ]' || fail "home's ticket was not resolved"
within 20 'sent 4 && [ "$(how_many up home)" -ge 1 ] &&
    [ "$(how_many up "#$HOME_ID")" -ge 1 ]' ||
    fail "no UP mail for home: $(mail_counts up)"
wait_until 10 'grep -q "check home: .*resolved" "$SW_LOG" &&
    grep -q "check home: .*resolved" "$BETA_LOG"' ||
    fail "both nodes saw the recovery"
sleep 3
assert_eq 1 "$(q "SELECT count(*) FROM ticket_events
    WHERE ticket_id = $HOME_ID AND kind = 'resolved'")" "resolved once"
assert_eq "ops@example.com|home 1" "$(mail_counts up | grep '|home ')" \
    "one UP mail to staff"
assert_eq "owner@shop.example|#$HOME_ID 1" \
    "$(mail_counts up | grep "|#$HOME_ID ")" "one UP mail to the client"

# ---- a burst, and beta killed while it opens
mv "$KW_FILE" "$SW_TMP/keyword.html.saved"
wait_until 20 '[ "$(q "SELECT count(*) FROM tickets
    WHERE check_name LIKE '"'b_'"'")" -ge 1 ]' || fail "no burst ticket"
kill -KILL "$BETA"
wait "$BETA" 2>/dev/null || true
_sw_untrack "$BETA"
sw_log "beta killed with $(q "SELECT count(*) FROM tickets
    WHERE check_name LIKE 'b_'") burst ticket(s) written"
start_beta
wait_until 20 '[ "$(q "SELECT count(*) FROM tickets
    WHERE check_name LIKE '"'b_'"' AND status <> '"'resolved'"'")" = 5 ]' ||
    fail "not one open ticket per burst check:" \
    "$(q "SELECT id, check_name, status FROM tickets")"
wait_until 15 'grep -q "tickets: [0-9]* open" "$BETA_LOG"' ||
    fail "beta did not start again"
wait_until 20 '[ "$(q "SELECT count(*) FROM outbox
    WHERE status <> '"'sent'"'")" = 0 ]' || fail "mails left in the queue"
sleep 4
assert_eq 5 "$(q "SELECT count(*) FROM tickets WHERE check_name LIKE 'b_'")" \
    "one ticket per burst check, none twice"
DOWN=$(mail_counts down)
assert_eq "" "$(echo "$DOWN" | awk '$2 > 1')" "no DOWN mail twice: $DOWN"
# A ticket beta opened but had not mailed yet when killed is mailed by
# beta once it is back (its OPENED mails were not marked queued).
assert_eq 5 "$(echo "$DOWN" | grep -c '^ops@example.com|b')" \
    "one DOWN mail to staff for each burst check: $DOWN"
assert_eq 6 "$(echo "$DOWN" | grep -c '^owner@shop.example|#')" \
    "one DOWN mail to the client for each ticket: $DOWN"
sw_log "burst: $(grep -c "before a crash" "$BETA_LOG") ticket(s) mailed" \
    "by beta after its restart"

mv "$SW_TMP/keyword.html.saved" "$KW_FILE"
wait_until 25 '[ "$(q "SELECT count(*) FROM tickets
    WHERE check_name LIKE '"'b_'"' AND status = '"'resolved'"'")" = 5 ]' ||
    fail "the burst tickets were not resolved"
sleep 2
within 20 'sent 1 && [ "$(how_many up b5)" -ge 1 ] &&
    [ "$(how_many up b1)" -ge 1 ]' ||
    fail "no UP mails for the burst: $(mail_counts up)"
sleep 3
UP=$(mail_counts up)
assert_eq "" "$(echo "$UP" | awk '$2 > 1')" "no UP mail twice: $UP"
assert_eq 5 "$(echo "$UP" | grep -c '^ops@example.com|b')" \
    "one UP mail to staff for each burst check"
assert_eq 0 "$(q "SELECT count(*) FROM (SELECT ticket_id FROM ticket_events
    WHERE kind IN ('opened', 'resolved') GROUP BY ticket_id, kind
    HAVING count(*) > 1) d")" "no ticket opened or resolved twice"
SENT=$(q "SELECT count(*) FROM outbox WHERE status = 'sent'")
assert_eq "$SENT" "$(smtp_count)" "each queued mail reached the server once"

_sw_stop_pid "$BETA" 12
stop_daemon
assert_not_contains "$(cat "$SW_LOG" "$BETA_LOG")" "$SW_PG_PASSWORD" \
    "the logs"
exit 0
