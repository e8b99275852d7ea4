#!/bin/bash
# 44-mail-daemon-grouped-tr: end to end, daemon -> tickets -> mail.
#
# A Turkish client site with three checks that fail together (a blip):
#   staff (two addresses) -> ONE English "down" mail each, listing all
#                            three checks with the technical detail
#   the client            -> ONE Turkish mail listing all three, in plain
#                            words: no raw error text, no URL password
# Then one check recovers -> an "up" mail to staff and client with the
# downtime in words ("sn"/"dk" in Turkish).
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
[ -f "$OK_FILE" ] || fail "the harness serves /ok from another file"
mv "$OK_FILE" "$SW_TMP/ok.txt.saved"	# /ok now answers 404
start_smtp accept
write_config smtp.host=127.0.0.1 "smtp.port=$SMTP_PORT" smtp.starttls=no \
    "smtp.from=Site Destek <destek@example.com>" \
    "smtp.staff=ops@example.com, oncall@example.com" smtp.group_window=4
add_site dukkan "Dükkan Ltd" tr "sahip@dukkan.example"
add_check dukkan dukkan-home "http://user:hunter2@127.0.0.1:$NGINX_PORT/status/503?token=abc" \
    interval=1 timeout=1 retries=1 recover=1
add_check dukkan dukkan-cart "http://127.0.0.1:$CLOSED_PORT/cart" \
    interval=1 timeout=1 retries=1 recover=1
add_check dukkan dukkan-ok "$NGINX_URL/ok" \
    interval=1 timeout=1 retries=1 recover=1
start_daemon

wait_until 20 '[ "$(smtp_count)" -ge 3 ]' || fail "the down mails did not come"
sleep 2
assert_eq 3 "$(smtp_count)" "one mail per recipient, not one per check"
assert_eq 1 "$(count_to ops@example.com)" "one staff mail for ops"
assert_eq 1 "$(count_to oncall@example.com)" "one staff mail for oncall"
assert_eq 1 "$(count_to sahip@dukkan.example)" "one client mail"

J=$("$SW_PY" "$INSPECT" $(mails_to ops@example.com))
assert_json "$J" 'j[0]["subject"].startswith("DOWN: ") and
    "Dükkan Ltd" in j[0]["subject"] and "[ticket #" in j[0]["subject"]' \
    "staff subject in English"
assert_json "$J" 'all(c in j[0]["body"] for c in
    ("dukkan-home", "dukkan-cart", "dukkan-ok"))' "staff mail lists all three"
assert_json "$J" '"3 check(s) went DOWN" in j[0]["body"] and
    "Message:" in j[0]["body"] and "/check/dukkan-cart" in j[0]["body"]' \
    "staff mail has the technical detail"
assert_json "$J" '"hunter2" not in j[0]["body"]' "no password even for staff"
assert_json "$J" '"ops@example.com" in j[0]["to"] and
    "oncall@example.com" in j[0]["to"]' "staff To lists the staff"

J=$("$SW_PY" "$INSPECT" $(mails_to sahip@dukkan.example))
assert_json "$J" 'j[0]["subject"].startswith(
    "Dükkan Ltd siteniz şu anda erişilemiyor [destek kaydı #")' \
    "Turkish subject decodes"
assert_json "$J" '"Destek ekibimiz durumdan haberdar" in j[0]["body"]' \
    "Turkish body"
assert_json "$J" 'j[0]["body"].count("Destek kaydı numarası: #") == 3' \
    "the client mail lists all three tickets"
assert_json "$J" '"bağlantı kabul etmiyor" in j[0]["body"] and
    "hata sayfası gösterdi" in j[0]["body"]' "causes in plain Turkish"
assert_json "$J" 'all(s not in j[0]["body"] for s in ("hunter2", "user:",
    "token=", "HTTP 503", "Message:", "/check/"))' \
    "no credentials, query, raw error or staff link for the client"
assert_json "$J" '"/status/dukkan\r\n" in j[0]["body"]' \
    "the client's link is its own status page, not the index (404 by default)"
assert_json "$J" 'j[0]["to"] == "sahip@dukkan.example" and
    j[0]["charset"] == "utf-8"' "client To and charset"

# dukkan-ok recovers: an "up" mail for staff and client.
mv "$SW_TMP/ok.txt.saved" "$OK_FILE"
wait_until 20 '[ "$(smtp_count)" -ge 6 ]' || fail "the up mails did not come"
sleep 1
assert_eq 6 "$(smtp_count)" "three up mails"
J=$("$SW_PY" "$INSPECT" $(mails_to sahip@dukkan.example))
assert_json "$J" 'len(j) == 2 and
    j[1]["subject"].startswith("Dükkan Ltd siteniz yeniden çalışıyor")' \
    "Turkish up subject"
assert_json "$J" '"dukkan-ok" not in j[1]["body"] and
    "Süre: " in j[1]["body"] and (" sn" in j[1]["body"] or
    " dk" in j[1]["body"])' "downtime in Turkish words"
assert_json "$J" '"Sorun şuydu: web sunucusu, siteniz yerine bir hata sayfası"
    in j[1]["body"]' "the up mail names the cause of the outage, not ok"
J=$("$SW_PY" "$INSPECT" $(mails_to ops@example.com))
assert_json "$J" 'len(j) == 2 and j[1]["subject"].startswith("UP: dukkan-ok")
    and "back up after" in j[1]["body"] and
    "(cause was http)" in j[1]["body"]' "staff up mail"
stop_daemon
exit 0
