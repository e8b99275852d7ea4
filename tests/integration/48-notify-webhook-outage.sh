#!/bin/bash
# 48-notify-webhook-outage: a down outage produces exactly one signed
# webhook, delivered once through an endpoint outage and a daemon restart.
#
#   receiver answers 500   -> the down message stays queued, retried
#   daemon stopped         -> the row is still queued in sitewatch.db
#   receiver answers 200,  -> the restarted daemon delivers it, once; the
#   daemon restarted          test checks its HMAC-SHA256 with the secret
#   the site comes back    -> one "up" message, first told 429 with
#                             Retry-After: 3, delivered no sooner
# Two checks failing together are one message (group_window, as mail);
# a channel that takes only "up" gets no down message.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$SW_LIB/hooks.bash"
use_db

SECRET='hm4c-s3cret;with=odd chars'
start_nginx
OK_FILE=$SW_TMP/nginx/html/ok.txt
[ -f "$OK_FILE" ] || fail "the harness serves /ok from another file"
mv "$OK_FILE" "$SW_TMP/ok.txt.saved"		# /ok answers 404: down
start_hooks
hook_mode 500

write_config smtp.retry_min=1 smtp.retry_max=2 smtp.group_window=3
add_site shop "Shop Ltd"
add_check shop flip "$NGINX_URL/ok" interval=1 timeout=1 retries=1 \
    recover=1
add_check shop flop "$NGINX_URL/ok" interval=1 timeout=1 retries=1 \
    recover=1
cat >> "$SW_CONF" <<CONF
[notify ops]
type   = webhook
url    = $HOOK_URL/hooks/sitewatch
secret = $SECRET
events = down, up

[notify up-only]
type   = webhook
url    = $HOOK_URL/up-only
events = up
CONF
start_daemon

# down_rows: the channel's rows as "status|attempts".
wait_until 30 '[ "$(hook_count)" -ge 3 ]' ||
    fail "the webhook was not retried during the endpoint's outage"
assert_eq "queued" "$(q "SELECT status FROM outbox WHERE channel = 'ops'")" \
    "the down message is queued"
assert_contains "$(q "SELECT last_error FROM outbox WHERE channel = 'ops'")" \
    "HTTP 500" "the endpoint's answer is kept"
assert_eq 0 "$(q "SELECT count(*) FROM outbox WHERE channel IS NULL")" \
    "no mail row (no staff address)"
stop_daemon
assert_eq "1|queued" "$(q "SELECT count(*), min(status) FROM outbox
    WHERE channel = 'ops'")" "still queued after the stop"
BEFORE=$(hook_count)
T_STOP=$(date +%s)

hook_mode 200
start_daemon
wait_until 20 '[ "$(q "SELECT status FROM outbox WHERE channel = '"'ops'"'
    AND subject = '"'down'"'")" = sent ]' ||
    fail "the queued message was not delivered after the restart"
OK=$(hook_reqs_where 'r["answer"] == "200" and b["event"] == "down"')
assert_eq 1 "$(echo "$OK" | wc -w)" "one down message delivered"
assert_eq "/hooks/sitewatch" "$(hook_req "$OK" 'r["path"]')" "its path"
assert_eq POST "$(hook_req "$OK" 'r["method"]')" "POSTed"
assert_eq application/json "$(hook_req "$OK" 'r["headers"]["content-type"]')" \
    "Content-Type"
assert_contains "$(hook_req "$OK" 'r["headers"]["user-agent"]')" \
    "sitewatch/" "User-Agent names sitewatch and its version"
# The signature: sha256=HMAC-SHA256(secret, the body as sent).
SIG_OK=$("$SW_PY" - "$HOOK_DIR/req/$(printf %04d "$OK").json" "$SECRET" <<'PY'
import hashlib, hmac, json, sys
r = json.load(open(sys.argv[1]))
want = "sha256=" + hmac.new(sys.argv[2].encode(), r["body"].encode(),
                            hashlib.sha256).hexdigest()
print(r["headers"].get("x-sitewatch-signature") == want)
PY
)
assert_eq True "$SIG_OK" "X-Sitewatch-Signature is HMAC-SHA256 of the body"
assert_eq True "$(hook_req "$OK" 'sorted(b) == ["at", "checks", "event"] and
    b["at"].endswith("Z")')" "the SPEC's body"
assert_eq '["flip", "flop"]' "$(hook_req "$OK" 'sorted(c["name"] for c in b["checks"])')" \
    "both checks in one message"
assert_eq True "$(hook_req "$OK" '__import__("calendar").timegm(
    __import__("time").strptime(b["at"], "%Y-%m-%dT%H:%M:%SZ")) <= '"$T_STOP")" \
    "at is when it happened, not when it was delivered"
assert_eq True "$(hook_req "$OK" 'sorted(b["checks"][0]) == ["cause",
    "downtime_s", "message", "name", "site", "state", "ticket", "url"]')" \
    "every field of a check"
TICKET=$(q "SELECT id FROM tickets WHERE check_name = 'flip'")
assert_eq True "$(hook_req "$OK" '[c for c in b["checks"]
    if c["name"] == "flip" and c["site"] == "Shop Ltd" and
    c["state"] == "down" and c["cause"] == "http" and
    c["ticket"] == '"$TICKET"' and c["downtime_s"] is None] != []')" \
    "the check's facts"
assert_eq "" "$(hook_reqs_where 'r["path"] == "/up-only"')" \
    "the up-only channel got no down message"

# Recovery: told to wait by a 429, then delivered once.
hook_mode "429 3"
N429=$(hook_count)
mv "$SW_TMP/ok.txt.saved" "$OK_FILE"
wait_until 20 '[ "$(hook_count)" -gt "$N429" ]' ||
    fail "no up message after the recovery"
T429=$(date +%s)
sleep 1
hook_mode 200
wait_until 20 '[ "$(q "SELECT count(*) FROM outbox WHERE channel IS NOT NULL
    AND subject = '"'up'"' AND status = '"'sent'"'")" = 2 ]' ||
    fail "the up messages were not delivered"
TSENT=$(q "SELECT max(sent_at) FROM outbox WHERE subject = 'up'")
[ $((TSENT - T429)) -ge 2 ] ||
    fail "Retry-After: 3 not honoured (retried $((TSENT - T429)) s later)"
UP=$(hook_reqs_where 'r["answer"] == "200" and b["event"] == "up"')
assert_eq 2 "$(echo "$UP" | wc -w)" "one up message per channel"
for n in $UP; do
	assert_eq True "$(hook_req "$n" 'len(b["checks"]) == 2 and
	    all(c["state"] == "up" and c["downtime_s"] >= 1
	    for c in b["checks"])')" "up carries the downtime"
done
# Nothing more arrives: not lost, not doubled.
sleep 3
assert_eq 1 "$(hook_reqs_where 'r["answer"] == "200" and
    b["event"] == "down"' | wc -w)" "still one down message"
assert_eq 2 "$(hook_reqs_where 'r["answer"] == "200" and
    b["event"] == "up"' | wc -w)" "still two up messages"
assert_not_contains "$(cat "$SW_LOG")" "$SECRET" "the secret is not logged"
assert_not_contains "$(cat "$SW_LOG")" "$HOOK_URL" "the url is not logged"
stop_daemon
exit 0
