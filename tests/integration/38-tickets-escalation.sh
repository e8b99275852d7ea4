#!/bin/bash
# 38-tickets-escalation: [smtp] escalate = "4s lead@, 8s boss@ big@".  A
# critical ticket nobody acknowledges is mailed to the first level after
# 4 s and to the second after 8 s, once each (the store records each
# level in the transaction that queues its mail); a ticket acknowledged
# in time is never escalated; a restart sends no level again.  -t names
# a malformed level by file and line.
set -eu
. "$top_srcdir/tests/lib/common.sh"
mail_asan
use_db

INSPECT=$top_srcdir/tests/integration/mail_inspect.py
start_smtp accept
start_nginx
write_config smtp.host=127.0.0.1 "smtp.port=$SMTP_PORT" smtp.starttls=no \
    smtp.staff=oncall@example.com smtp.group_window=0 \
    "smtp.escalate=4s lead@example.com, 8s boss@example.com big@example.com"
add_site shop "Shop Ltd"
add_check shop broken "$NGINX_URL/status/500" interval=1 timeout=1 \
    retries=1 renotify=0
add_check shop taken "$NGINX_URL/status/503" interval=1 timeout=1 \
    retries=1 renotify=0
# escalations TO: the escalation mails the sink holds for TO, by subject.
escalations() {
	[ "$(smtp_count)" -gt 0 ] || { echo; return; }
	"$SW_PY" "$INSPECT" $(smtp_messages) | "$SW_PY" -c 'import json, sys
print(" ".join(sorted(m["subject"].split(" ")[1] for m in json.load(sys.stdin)
    if m["rcpt"] == sys.argv[1] and m["subject"].startswith("ESCALATION:"))))' "$1"
}

start_daemon -v
wait_until 20 '[ "$(q "SELECT count(*) FROM tickets WHERE status = '"'open'"'")" = 2 ]' ||
    fail "two open tickets did not appear"
BROKEN=$(q "SELECT id FROM tickets WHERE check_name = 'broken'")
TAKEN=$(q "SELECT id FROM tickets WHERE check_name = 'taken'")
opened=$(q "SELECT opened_at FROM tickets WHERE id = $BROKEN")
sw_run "$SWC" -c "$SW_CONF" ticket ack "$TAKEN" --by ayse
assert_eq 0 "$RUN_RC" "ack in time ($RUN_ERR)"

wait_until 40 '[ "$(escalations big@example.com)" = "broken" ]' ||
    fail "the second level was not mailed within 40 s ($(escalations big@example.com))"
assert_eq "broken" "$(escalations lead@example.com)" "level 1 once, for the ticket nobody took"
assert_eq "broken" "$(escalations boss@example.com)" "level 2 once to each of its addresses"
assert_eq "" "$(escalations oncall@example.com)" "staff get their own mails, not the levels"
assert_eq "$BROKEN#1 $BROKEN#2" "$(q "SELECT key FROM sent_once WHERE kind = 'escalation' ORDER BY key" | tr '\n' ' ' | sed 's/ $//')" \
    "each level recorded once; none for the acknowledged ticket"
l1=$(q "SELECT sent_at FROM sent_once WHERE key = '$BROKEN#1'")
l2=$(q "SELECT sent_at FROM sent_once WHERE key = '$BROKEN#2'")
assert_ge $(( l1 - opened )) 4 "level 1 not before 4 s"
assert_ge $(( l2 - opened )) 8 "level 2 not before 8 s"
J=$("$SW_PY" "$INSPECT" $(smtp_messages))
assert_json "$J" "any(m['rcpt'] == 'lead@example.com' and '#$BROKEN' in m['subject'] and 'broken (Shop Ltd) is not reachable since' in m['body'] and 'sitewatch ticket ack $BROKEN --by NAME' in m['body'] for m in j)" \
    "the mail says which ticket and how to take it"

# A restart: the levels are known as sent, none goes out again.
stop_daemon
start_daemon -v
wait_until 20 "grep -q 'ticket $BROKEN level 2 was sent already' '$SW_LOG'" ||
    fail "the restarted daemon did not look at the levels"
assert_eq "broken" "$(escalations lead@example.com)" "still one level 1 mail"
assert_eq "broken" "$(escalations big@example.com)" "still one level 2 mail"
stop_daemon

# Malformed levels, named by file and line.
for bad in "soon lead@example.com" "10m lead@example.com, 5m boss@example.com" "10m"; do
	write_config "smtp.escalate=$bad"
	sw_run "$SWD" -t -c "$SW_CONF"
	[ "$RUN_RC" -ne 0 ] || fail "-t accepted escalate = $bad"
	assert_contains "$RUN_ERR" "$SW_CONF:" "names the file ($bad)"
	assert_contains "$RUN_ERR" "escalate" "names the key ($bad)"
done
