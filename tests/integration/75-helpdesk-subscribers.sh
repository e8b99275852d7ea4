#!/bin/bash
# 75-helpdesk-subscribers: a visitor follows a site's incidents.
#
# The site's status page has a plain form (no script needed).  A visitor
# subscribes: a confirmation mail comes with a link; asking again at once
# is 429; the link confirms.  A public update on the site's ticket then
# reaches the subscriber (with an unsubscribe link and a List-Unsubscribe
# header), not the subscriber of another site; after the unsubscribe
# link, nothing.  The down and up mails reach it too.  Hostile input: an address with a header in it is
# refused and mails nothing; a flood from one client address gets 429;
# a request left unconfirmed for 8 days is forgotten (its link fails).
set -eu
. "$top_srcdir/tests/lib/common.sh"
mail_asan

INSPECT=$top_srcdir/tests/integration/mail_inspect.py
mails_to() {
	grep -l "^X-Rcpt-To: $1" $(smtp_messages) 2>/dev/null || true
}
count_to() {
	local n
	n=$(mails_to "$1" | wc -l)
	echo "$n"
}

start_nginx
OK_FILE=$SW_TMP/nginx/html/ok.txt
start_smtp accept
SW_HTTP_PORT=$(free_port) || fail "no free port"
write_mail_config "$SMTP_PORT" 2 \
    "daemon.public_url=http://127.0.0.1:$SW_HTTP_PORT"
add_site shop "Shop Ltd" en
add_check shop shop-home "$NGINX_URL/ok" interval=1 timeout=1 retries=1 \
    recover=1
add_site blog "Blog Ltd" tr
add_check blog blog-home "$NGINX_URL/status/200" interval=1 timeout=1 \
    retries=1 recover=1
use_db
start_daemon
B=http://127.0.0.1:$SW_HTTP_PORT

# post SITE EMAIL: the form as a browser sends it; sets CODE and BODY.
post() {
	CODE=$(curl -sS -m 10 -o "$SW_TMP/body" -w '%{http_code}' \
	    --data-urlencode "site=$1" --data-urlencode "email=$2" \
	    "$B/status/subscribe") || CODE=000
	BODY=$(cat "$SW_TMP/body")
}
get() {
	CODE=$(curl -sS -m 10 -o "$SW_TMP/body" -w '%{http_code}' "$1") ||
	    CODE=000
	BODY=$(cat "$SW_TMP/body")
}
# link_in FILE: the confirm or unsubscribe link of a stored mail.
link_in() {
	"$SW_PY" "$INSPECT" "$1" | "$SW_PY" -c '
import json, re, sys
m = json.load(sys.stdin)[0]
print(re.search(r"http://\S+/status/" + sys.argv[1] + r"\?token=[0-9a-f]+", m["body"]).group(0))' "$2"
}

wait_page 10 "$B/status/shop" 'id="subscribe"' ||
    fail "no subscribe form on /status/shop: $WAIT_BODY"
assert_contains "$WAIT_BODY" '<form class="subscribe" id="subscribe" method="post" action="/status/subscribe"><input type="hidden" name="site" value="shop">' \
    "a plain form posting to /status/subscribe"
assert_contains "$WAIT_BODY" 'name="email"' "an e-mail field"

# ---- hostile addresses are refused and mail nothing
post shop $'evil@example.org\r\nBcc: victim@example.org'
assert_eq 400 "$CODE" "a header in the address"
post shop 'a@b'
assert_eq 400 "$CODE" "no dotted domain"
post nosuch 'v@example.org'
assert_eq 404 "$CODE" "an unknown site"

# ---- subscribe, confirm
post shop visitor@example.org
assert_eq 200 "$CODE" "subscribe: $BODY"
assert_contains "$BODY" "Please open the link" "the page says what comes next"
post shop visitor@example.org
assert_eq 429 "$CODE" "asking again at once"
post blog other@example.org
assert_eq 200 "$CODE" "another site's subscriber"
wait_until 20 '[ "$(count_to visitor@example.org)" -ge 1 ] &&
    [ "$(count_to other@example.org)" -ge 1 ]' ||
    fail "no confirmation mails"
sleep 1
assert_eq 1 "$(count_to visitor@example.org)" "one confirmation mail"
assert_eq 0 "$(count_to victim@example.org)" "the injected Bcc got nothing"
F=$(mails_to visitor@example.org)
J=$("$SW_PY" "$INSPECT" "$F")
assert_json "$J" 'j[0]["subject"] == "Please confirm: incident mails for Shop Ltd"' "confirmation subject"
J=$("$SW_PY" "$INSPECT" $(mails_to other@example.org))
assert_json "$J" 'j[0]["subject"].startswith("Lütfen onaylayın")' "in the site's language"
LINK=$(link_in "$F" confirm)
get "$LINK"
assert_eq 200 "$CODE" "confirm: $BODY"
assert_contains "$BODY" "Confirmed" "confirmed"
get "$(link_in "$(mails_to other@example.org)" confirm)"
assert_eq 200 "$CODE" "the other confirms too"
get "$B/status/confirm?token=00ff"
assert_eq 404 "$CODE" "an unknown token"

# ---- the outage, a public update and the recovery reach the subscriber
sleep 6		# the daemon reads its subscribers every 5 s
mv "$OK_FILE" "$SW_TMP/ok.txt.saved"
wait_until 20 '"$SWC" -c "$SW_CONF" tickets --json | grep -q shop-home' ||
    fail "no ticket for shop-home"
wait_until 20 '[ "$(count_to visitor@example.org)" -ge 2 ]' ||
    fail "the subscriber got no down mail"
F=$(mails_to visitor@example.org | tail -1)
J=$("$SW_PY" "$INSPECT" "$F")
assert_json "$J" 'j[0]["subject"].startswith("Your website Shop Ltd is not reachable") and "Our support team has been alerted." in j[0]["body"]' \
    "the down mail in the client wording"
assert_json "$J" '"/status/unsubscribe?token=" in j[0]["body"] and "List-Unsubscribe" in j[0]["header_names"]' \
    "the down mail has a way out"
assert_json "$J" '"Message:" not in j[0]["body"] and "/check/" not in j[0]["body"]' \
    "no staff detail for a subscriber"
ID=$("$SWC" -c "$SW_CONF" tickets --json | "$SW_PY" -c 'import json,sys; print([t["id"] for t in json.load(sys.stdin) if t["check"] == "shop-home"][0])')
sw_run "$SWC" -c "$SW_CONF" ticket update "$ID" --by ops "We are on it."
assert_eq 0 "$RUN_RC" "ticket update: $RUN_ERR"
assert_contains "$RUN_OUT" "1 client mail(s) queued" "one mail: the subscriber"
wait_until 20 '[ "$(count_to visitor@example.org)" -ge 3 ]' ||
    fail "the subscriber got no update"
F=$(mails_to visitor@example.org | tail -1)
J=$("$SW_PY" "$INSPECT" "$F")
assert_json "$J" '"> We are on it." in j[0]["body"] and "/status/unsubscribe?token=" in j[0]["body"]' \
    "the update, with an unsubscribe link"
assert_json "$J" '"List-Unsubscribe" in j[0]["header_names"] and "List-Unsubscribe-Post" in j[0]["header_names"]' \
    "List-Unsubscribe headers"
mv "$SW_TMP/ok.txt.saved" "$OK_FILE"
wait_until 20 '[ "$(count_to visitor@example.org)" -ge 4 ]' ||
    fail "the subscriber got no up mail"
J=$("$SW_PY" "$INSPECT" "$(mails_to visitor@example.org | tail -1)")
assert_json "$J" 'j[0]["subject"].startswith("Your website Shop Ltd is working again") and "/status/unsubscribe?token=" in j[0]["body"]' \
    "the up mail, with a way out"
sleep 1
assert_eq 1 "$(count_to other@example.org)" "the blog's subscriber got nothing of the shop"

# ---- unsubscribe: nothing more
get "$(link_in "$F" unsubscribe)"
assert_eq 200 "$CODE" "unsubscribe: $BODY"
assert_contains "$BODY" "no more e-mails" "unsubscribed"
sw_run "$SWC" -c "$SW_CONF" ticket update "$ID" --by ops "It was the disk."
assert_contains "$RUN_OUT" "0 client mail(s) queued" "no subscriber left"
sleep 6		# the daemon's copy of the subscribers is read again
mv "$OK_FILE" "$SW_TMP/ok.txt.saved"
wait_until 20 '[ "$(grep -c "mail down to staff" "$SW_LOG")" -ge 2 ]' ||
    fail "no second outage"
sleep 3
assert_eq 4 "$(count_to visitor@example.org)" "nothing after unsubscribing"
mv "$SW_TMP/ok.txt.saved" "$OK_FILE"

# ---- the same as a visitor does it, in headless Chromium: fill the form,
# then follow the link of the mail
if command -v chromium >/dev/null 2>&1; then
	printf '%s\n' chromium --headless --no-sandbox --disable-gpu \
	    --disable-quic --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    "--user-data-dir=$SW_TMP/chr" > "$SW_TMP/chrome.args"
	sw_run timeout 90 "$SW_PY" "$top_srcdir/tests/lib/cdp_steps.py" \
	    "$SW_TMP/chrome.args" open "$B/status/shop" \
	    fill '#sub-email' browser@example.org click '#subscribe button' text
	assert_eq 0 "$RUN_RC" "chromium fills the form: $RUN_ERR"
	assert_contains "$RUN_OUT" "Please open the link" "the browser got the answer page"
	wait_until 20 '[ "$(count_to browser@example.org)" -ge 1 ]' ||
	    fail "no confirmation mail for the browser's address"
	sw_run timeout 90 "$SW_PY" "$top_srcdir/tests/lib/cdp_steps.py" \
	    "$SW_TMP/chrome.args" open "$(link_in "$(mails_to browser@example.org)" confirm)" text
	assert_eq 0 "$RUN_RC" "chromium follows the link: $RUN_ERR"
	assert_contains "$RUN_OUT" "Confirmed" "confirmed in the browser"
	assert_eq browser@example.org "$(q "SELECT email FROM subscribers WHERE email = 'browser@example.org' AND confirmed_at IS NOT NULL")" \
	    "the browser's address is confirmed"
else
	echo "# chromium is not installed: the browser part is left out" >&2
fi

# ---- an unconfirmed request is forgotten after 7 days
post shop late@example.org
assert_eq 200 "$CODE" "late subscribes"
wait_until 20 '[ "$(count_to late@example.org)" -ge 1 ]' || fail "no mail for late"
q "UPDATE subscribers SET created_at = created_at - 8 * 86400 WHERE email = 'late@example.org'"
get "$(link_in "$(mails_to late@example.org)" confirm)"
assert_eq 404 "$CODE" "a link older than 7 days"
assert_eq "" "$(q "SELECT email FROM subscribers WHERE email = 'late@example.org'")" \
    "the address is forgotten"

# ---- a flood from one client address: 10,000 subscribe requests on
# kept-alive connections; all but the first few answer 429, none is
# stored or mailed, and the status page still answers meanwhile.
before=$(smtp_count)
flood=$("$SW_PY" - "$SW_HTTP_PORT" <<'PY'
import http.client, sys, time
port = int(sys.argv[1])
codes = {}
c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
t0 = time.time()
for i in range(10000):
    body = "site=shop&email=flood%d%%40example.org" % i
    try:
        c.request("POST", "/status/subscribe", body,
                  {"Content-Type": "application/x-www-form-urlencoded"})
        r = c.getresponse()
        r.read()
        codes[r.status] = codes.get(r.status, 0) + 1
        if r.getheader("Connection", "").lower() == "close":
            c.close()
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    except (OSError, http.client.HTTPException):
        codes["error"] = codes.get("error", 0) + 1
        c.close()
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
print("%d %d %d %.1f" % (codes.get(429, 0), sum(v for k, v in codes.items()
    if k not in (429,)), codes.get("error", 0), time.time() - t0))
PY
)
read -r n429 nother nerr secs <<<"$flood"
echo "flood: $n429 answered 429, $nother otherwise, $nerr errors, in $secs s"
assert_ge "$n429" 9980 "10,000 requests from one address: 429 but for the first few"
assert_eq 0 "$nerr" "no request refused or dropped"
get "$B/status/shop"
assert_eq 200 "$CODE" "the status page answers after the flood"
# One confirmation mail for each request let through, none for the rest.
wait_until 20 '[ "$(smtp_count)" -ge $(( before + nother )) ]' ||
    fail "the $nother requests let through got no confirmation mail"
sleep 3
assert_eq "$(( before + nother ))" "$(smtp_count)" "the refused requests mailed nothing"
assert_eq "$nother" "$(q "SELECT count(*) FROM subscribers WHERE email LIKE 'flood%'")" \
    "the flood stored only the requests let through"
stop_daemon
exit 0
