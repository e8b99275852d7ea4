#!/bin/bash
# 49-notify-formats: one outage (down, then up) reaches every channel type
# once per event, in its own service's format, with the fields that
# service requires; a channel whose endpoint answers 404 fails for good
# and shows in `sitewatch notify-queue` and /metrics; `sitewatch
# notify-test NAME` sends one message now.  Tokens never leave the
# requests (not in the log, the queue listing or /metrics).
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$SW_LIB/hooks.bash"
use_db

start_nginx
OK_FILE=$SW_TMP/nginx/html/ok.txt
mv "$OK_FILE" "$SW_TMP/ok.txt.saved"		# /ok answers 404: down
start_hooks

write_config smtp.retry_min=1 smtp.retry_max=2 smtp.group_window=1
add_site shop "Shop Ltd"
add_check shop flip "$NGINX_URL/ok" interval=1 timeout=1 retries=1 \
    recover=1
add_site other "Other Ltd"
add_check other calm "$NGINX_URL/status/200" interval=5 timeout=1
cat >> "$SW_CONF" <<CONF
[notify slack]
type = slack
url  = $HOOK_URL/slack/T0/B0/slack-key-1

[notify teams]
type = teams
url  = $HOOK_URL/teams/workflows/teams-key-2

[notify tg]
type  = telegram
url   = $HOOK_URL/tg
token = 123456:tg-token-3
chat  = -1001234

[notify ntfy]
type  = ntfy
url   = $HOOK_URL/ntfy/ops
token = tk_ntfy-token-4

[notify mx]
type  = matrix
url   = $HOOK_URL/mx
token = syt_matrix-token-5
chat  = !ops:example.org

[notify pd]
type  = pagerduty
url   = $HOOK_URL/pd
token = pd-routing-key-6

[notify other-only]
type  = webhook
url   = $HOOK_URL/other-only
sites = Other Ltd

[notify gone]
type = webhook
url  = $NGINX_URL/status/404
events = down
CONF
start_daemon
wait_until 20 '[ "$(q "SELECT count(*) FROM outbox WHERE channel IS NOT NULL
    AND status <> '"'queued'"'")" -ge 7 ]' ||
    fail "the down messages were not all sent"
mv "$SW_TMP/ok.txt.saved" "$OK_FILE"
wait_until 20 '[ "$(q "SELECT count(*) FROM outbox WHERE channel IS NOT NULL
    AND subject = '"'up'"' AND status = '"'sent'"'")" -ge 6 ]' ||
    fail "the up messages were not all sent"
sleep 2
TICKET=$(q "SELECT id FROM tickets WHERE check_name = 'flip'")

# one PATH-PREFIX EVENT-EXPR: the single request under that path whose
# body passes EVENT-EXPR; fails unless there is exactly one.
one() {
	local n
	n=$(hook_reqs_where 'r["path"].startswith("'"$1"'") and ('"$2"')')
	[ "$(echo "$n" | wc -w)" = 1 ] ||
	    fail "$1: expected one request for ($2), got '$n'"
	echo "$n"
}
assert_eq "" "$(hook_reqs_where 'r["path"] == "/other-only"')" \
    "a channel for another site gets nothing"

# Slack: text (required), a header and a section block.
for ev in DOWN UP; do
	n=$(one /slack/T0/B0/slack-key-1 'b["text"].startswith("'$ev': flip")')
	assert_eq True "$(hook_req "$n" 'r["method"] == "POST" and
	    b["blocks"][0]["type"] == "header" and
	    b["blocks"][1]["text"]["type"] == "mrkdwn" and
	    "Shop Ltd" in b["text"] and "#'"$TICKET"'" in b["text"]')" \
	    "slack $ev"
done
n=$(one /slack 'b["text"].startswith("DOWN")')
assert_contains "$(hook_req "$n" 'b["text"]')" "http" "slack: the cause"
assert_contains "$(hook_req "$n" 'b["text"]')" "$NGINX_URL/ok" \
    "slack: the detail names the URL"

# Teams Workflows: a message with one Adaptive Card.
for ev in DOWN UP; do
	n=$(one /teams 'b["attachments"][0]["content"]["body"][0]["text"].startswith("'$ev'")')
	assert_eq True "$(hook_req "$n" 'b["type"] == "message" and
	    b["attachments"][0]["contentType"] ==
	    "application/vnd.microsoft.card.adaptive" and
	    b["attachments"][0]["content"]["type"] == "AdaptiveCard" and
	    b["attachments"][0]["content"]["version"] == "1.4" and
	    "flip" in b["attachments"][0]["content"]["body"][1]["text"]')" \
	    "teams $ev"
done

# Telegram sendMessage: the token in the path, chat_id and text.
for ev in DOWN UP; do
	n=$(one /tg/ 'b["text"].startswith("'$ev'")')
	assert_eq True "$(hook_req "$n" 'r["path"] ==
	    "/tg/bot123456:tg-token-3/sendMessage" and
	    b["chat_id"] == "-1001234" and "flip" in b["text"]')" \
	    "telegram $ev"
done

# ntfy: a text body, Title, Priority by event, Tags, the token as Bearer.
n=$(one /ntfy/ops 'r["headers"]["title"].startswith("DOWN")')
assert_eq True "$(hook_req "$n" 'r["headers"]["priority"] == "5" and
    "rotating_light" in r["headers"]["tags"] and
    r["headers"]["authorization"] == "Bearer tk_ntfy-token-4" and
    r["headers"]["content-type"].startswith("text/plain") and
    "flip" in r["body"]')" "ntfy down"
n=$(one /ntfy/ops 'r["headers"]["title"].startswith("UP")')
assert_eq True "$(hook_req "$n" 'r["headers"]["priority"] == "3" and
    "white_check_mark" in r["headers"]["tags"]')" "ntfy up"

# Matrix: PUT m.room.message, txn id = the queue row, the token as Bearer.
for ev in DOWN UP; do
	n=$(one /mx/_matrix/client/v3/rooms/%21ops%3Aexample.org/send/m.room.message/sitewatch- \
	    'b["body"].startswith("'$ev'")')
	ROW=$(hook_req "$n" 'r["path"].rsplit("-", 1)[1]')
	assert_eq matrix-$ROW "$(q "SELECT channel || '-' || id FROM outbox
	    WHERE id = $ROW AND channel = 'mx'" | sed 's/^mx/matrix/')" \
	    "matrix $ev: txn id is the row id"
	assert_eq True "$(hook_req "$n" 'r["method"] == "PUT" and
	    b["msgtype"] == "m.text" and r["headers"]["authorization"] ==
	    "Bearer syt_matrix-token-5"')" "matrix $ev"
done

# PagerDuty Events v2: trigger on down, resolve on up, dedup_key = ticket.
n=$(one /pd/v2/enqueue 'b["event_action"] == "trigger"')
assert_eq True "$(hook_req "$n" 'b["routing_key"] == "pd-routing-key-6" and
    b["dedup_key"] == "'"$TICKET"'" and b["payload"]["severity"] ==
    "critical" and b["payload"]["source"] and
    "flip" in b["payload"]["summary"]')" "pagerduty trigger"
n=$(one /pd/v2/enqueue 'b["event_action"] == "resolve"')
assert_eq True "$(hook_req "$n" 'b["dedup_key"] == "'"$TICKET"'" and
    b["routing_key"] == "pd-routing-key-6"')" "pagerduty resolve"

# Every request says who sent it.
assert_eq "" "$(hook_reqs_where 'not r["headers"]["user-agent"].startswith("sitewatch/")')" \
    "User-Agent everywhere"

# 404: failed for good, listed and counted.
assert_eq "failed|1" "$(q "SELECT status, attempts FROM outbox
    WHERE channel = 'gone'")" "404 -> failed after one attempt"
sw_run "$SWC" -c "$SW_CONF" notify-queue
assert_eq 0 "$RUN_RC" "notify-queue runs ($RUN_ERR)"
assert_contains "$RUN_OUT" "HTTP 404" "notify-queue shows the 404"
sw_run "$SWC" -c "$SW_CONF" notify-queue --json
assert_json "$RUN_OUT" '[x["status"] for x in j if x["channel"] == "gone"]
    == ["failed"]' "notify-queue --json: the failed row"
assert_json "$RUN_OUT" 'all(x["status"] == "sent" for x in j
    if x["channel"] != "gone")' "notify-queue --json: the others sent"
metric() {
	http_get "http://127.0.0.1:$SW_HTTP_PORT/metrics" |
	    sed -n 's/^sitewatch_notify_queue{status="'"$1"'"} //p'
}
wait_until 15 '[ "$(metric failed)" = 1 ]' ||
    fail "/metrics does not count the failed notification ($(metric failed))"
assert_eq 0 "$(metric queued)" "/metrics: nothing waiting"

# notify-test: one message now, the HTTP result printed.
N=$(hook_count)
sw_run "$SWC" -c "$SW_CONF" notify-test ntfy
assert_eq 0 "$RUN_RC" "notify-test succeeds ($RUN_ERR)"
assert_contains "$RUN_OUT" "HTTP 200" "notify-test prints the answer"
assert_eq $((N + 1)) "$(hook_count)" "one test request"
sw_run "$SWC" -c "$SW_CONF" notify-test gone
assert_eq 2 "$RUN_RC" "notify-test to a 404 says refused"
assert_contains "$RUN_ERR" "HTTP 404" "and shows the answer"

# Tokens and secrets stay in the requests.
ALL="$(cat "$SW_LOG") $(q "SELECT * FROM outbox")
$(http_get "http://127.0.0.1:$SW_HTTP_PORT/metrics")"
for s in slack-key-1 teams-key-2 tg-token-3 tk_ntfy-token-4 \
    syt_matrix-token-5 pd-routing-key-6; do
	assert_not_contains "$ALL" "$s" "$s is not logged, stored or shown"
done
stop_daemon
exit 0
