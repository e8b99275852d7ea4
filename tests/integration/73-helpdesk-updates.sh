#!/bin/bash
# 73-helpdesk-updates: staff explain an outage to the clients.
#
# Two sites go down together: "Dükkan" (Turkish, Europe/Istanbul) and
# "Shop" (English).  Staff post a public update from the CLI on the
# Turkish ticket and one through the API on the English ticket, and an
# internal note on both.  Each update is on the ticket's timeline (kind
# "update"), on the site's status page under its incident (escaped), and
# in a mail to the site's client in the site's language, the text quoted
# as written, the time in the site's zone; a note never shows on a page
# or in a client mail.  After recovery the page's history lists the
# incident with its duration and its update.
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
mv "$OK_FILE" "$SW_TMP/ok.txt.saved"	# /ok now answers 404
start_smtp accept
TOKEN=tok-$$-$RANDOM
write_mail_config "$SMTP_PORT" 2 "daemon.api_token=$TOKEN" \
    "daemon.public_url=http://status.example" \
    "smtp.organization=Acme Destek" "smtp.contact=+90 212 555 0000"
f=$SW_CHECKS_DIR/dukkan.conf
mkdir -p "$SW_CHECKS_DIR"
printf '[site]\nname = Dükkan Ltd\nlanguage = tr\ntimezone = Europe/Istanbul\nclient_email = sahip@dukkan.example\n\n' > "$f"
add_check dukkan dukkan-home "$NGINX_URL/ok" interval=1 timeout=1 \
    retries=1 recover=1 "title=Mağaza"
add_site shop "Shop Ltd" en owner@shop.example
add_check shop shop-home "$NGINX_URL/ok" interval=1 timeout=1 \
    retries=1 recover=1
sw_run "$SWD" -t -c "$SW_CONF"
assert_eq 0 "$RUN_RC" "sitewatchd -t with update.txt: $RUN_ERR"
# -t checks update.txt as it checks the other templates.
cp "$SW_CONF" "$SW_TMP/good.conf"
cp -r "$top_srcdir/templates" "$SW_TMP/tpl"
printf 'Subject: x\n\n{{nosuch}}\n' > "$SW_TMP/tpl/mail/tr/update.txt"
sed -i "s|^templates_dir = .*|templates_dir = $SW_TMP/tpl|" "$SW_CONF"
sw_run "$SWD" -t -c "$SW_CONF"
assert_eq 1 "$RUN_RC" "sitewatchd -t with a broken update.txt"
assert_contains "$RUN_ERR" "$SW_TMP/tpl/mail/tr/update.txt:3: unknown variable {{nosuch}}" \
    "the broken update.txt named with its line"
cp "$SW_TMP/good.conf" "$SW_CONF"
start_daemon
B=http://127.0.0.1:$SW_HTTP_PORT

# The two tickets, by check.
wait_json 20 "$B/api/v1/tickets?status=open" 'len(j) == 2' ||
    fail "no two open tickets: $WAIT_BODY"
TJ=$WAIT_BODY
TR_ID=$("$SW_PY" -c 'import json,sys; print([t["id"] for t in json.loads(sys.argv[1]) if t["check"] == "dukkan-home"][0])' "$TJ")
EN_ID=$("$SW_PY" -c 'import json,sys; print([t["id"] for t in json.loads(sys.argv[1]) if t["check"] == "shop-home"][0])' "$TJ")
wait_until 20 '[ "$(count_to sahip@dukkan.example)" -ge 1 ] &&
    [ "$(count_to owner@shop.example)" -ge 1 ]' ||
    fail "the down mails did not come"

# ---- the down mails fit any site and promise nothing nobody does yet
J=$("$SW_PY" "$INSPECT" $(mails_to sahip@dukkan.example))
assert_json "$J" '"Destek ekibimiz durumdan haberdar edildi." in j[0]["body"] and "Sipariş" not in j[0]["body"] and "çalışmaya başladı" not in j[0]["body"]' \
    "Turkish down mail: alerted, no shop wording, no work promised"
assert_json "$J" '"Başlangıç: " in j[0]["body"] and "+03 (Europe/Istanbul)" in j[0]["body"] and " UTC" not in j[0]["body"]' \
    "Turkish down mail: the start in the site's zone, named"
assert_json "$J" '"Acme Destek\r\n+90 212 555 0000" in j[0]["body"] and "http://status.example/status/dukkan" in j[0]["body"]' \
    "Turkish down mail: signed, and the site's own page"
J=$("$SW_PY" "$INSPECT" $(mails_to owner@shop.example))
assert_json "$J" '"Our support team has been alerted." in j[0]["body"] and "place orders" not in j[0]["body"] and "already working" not in j[0]["body"]' \
    "English down mail: alerted, no shop wording, no work promised"
assert_json "$J" '"Acme Destek" in j[0]["body"] and "/status/shop" in j[0]["body"]' \
    "English down mail: signed, and the site's own page"

# ---- an update from the CLI, a note, and one through the API
UPDATE_TR='Sunucu yeniden başlatılıyor.
Yaklaşık 10 dakika sürecek; <b>teşekkürler</b>.'
sw_run "$SWC" -c "$SW_CONF" ticket update "$TR_ID" --by Ayşe "$UPDATE_TR"
assert_eq 0 "$RUN_RC" "ticket update: $RUN_ERR"
assert_contains "$RUN_OUT" "1 client mail(s) queued" "the CLI says a mail is queued"
sw_run "$SWC" -c "$SW_CONF" ticket note "$TR_ID" --by Ayşe "SECRETNOTE db parolası değişti"
assert_eq 0 "$RUN_RC" "ticket note: $RUN_ERR"
sw_run "$SWC" -c "$SW_CONF" ticket update "$TR_ID" --by Ayşe "   "
assert_eq 1 "$RUN_RC" "an empty update is refused"
sw_run "$SWC" -c "$SW_CONF" ticket update 99999 --by Ayşe "x"
assert_eq 1 "$RUN_RC" "no such ticket"

call() {
	local m=$1 p=$2
	shift 2
	CODE=$(curl -sS -m 10 -o "$SW_TMP/body" -w '%{http_code}' -X "$m" \
	    "$@" "$B$p") || CODE=000
	BODY=$(cat "$SW_TMP/body")
}
call POST "/api/v1/tickets/$EN_ID/update" -d '{"by": "bob", "text": "x"}'
assert_eq 401 "$CODE" "an update needs the token"
call POST "/api/v1/tickets/$EN_ID/update" -H "Authorization: Bearer $TOKEN" \
    -d '{"by": "bob"}'
assert_eq 400 "$CODE" "an update needs a text: $BODY"
call POST "/api/v1/tickets/$EN_ID/update" -H "Authorization: Bearer $TOKEN" \
    -d '{"by": "bob", "text": "<script>alert(1)</script> We are moving the site to a new server."}'
assert_eq 200 "$CODE" "update through the API: $BODY"
assert_json "$BODY" 'j["events"][-1]["kind"] == "update" and j["events"][-1]["by"] == "bob"' \
    "the API answers with the update on the timeline"
call POST "/api/v1/tickets/$EN_ID/note" -H "Authorization: Bearer $TOKEN" \
    -d '{"by": "bob", "text": "SECRETNOTE the disk is full"}'
assert_eq 200 "$CODE" "a note through the API"

# ---- the timeline
sw_run "$SWC" -c "$SW_CONF" ticket show "$TR_ID" --json
assert_json "$RUN_OUT" '[e["kind"] for e in j["events"] if e["by"] == "Ayşe"] == ["update", "note"]' \
    "timeline: the update then the note"
got=$("$SW_PY" -c 'import json,sys; print([e["text"] for e in json.loads(sys.argv[1])["events"] if e["kind"] == "update"][0])' "$RUN_OUT")
assert_eq "$UPDATE_TR" "$got" "the text kept as written"
sw_run "$SWC" -c "$SW_CONF" ticket show "$TR_ID"
assert_contains "$RUN_OUT" "update" "ticket show lists the update"

# ---- the mails: one update each, in the site's language
wait_until 20 '[ "$(count_to sahip@dukkan.example)" -ge 2 ] &&
    [ "$(count_to owner@shop.example)" -ge 2 ]' ||
    fail "the update mails did not come"
sleep 1
assert_eq 2 "$(count_to sahip@dukkan.example)" "down + one update (no mail for the note)"
J=$("$SW_PY" "$INSPECT" $(mails_to sahip@dukkan.example))
assert_json "$J" 'j[1]["subject"].startswith("Dükkan Ltd siteniz hakkında yeni bilgi [destek kaydı #'"$TR_ID"'")' \
    "Turkish subject"
assert_json "$J" '"> Sunucu yeniden başlatılıyor.\n> Yaklaşık 10 dakika sürecek; <b>teşekkürler</b>." in j[1]["body"].replace("\r\n", "\n")' \
    "the staff text quoted as written, line by line"
assert_json "$J" '"Destek ekibimizden Ayşe" in j[1]["body"] and "Ekibimize haber verildi." in j[1]["body"]' \
    "who wrote it; nobody has taken the ticket yet"
assert_json "$J" '"+03 (Europe/Istanbul)" in j[1]["body"]' "times in the site's zone, named"
assert_json "$J" '"Acme Destek" in j[1]["body"] and "+90 212 555 0000" in j[1]["body"]' \
    "signed with organization and contact"
assert_json "$J" '"http://status.example/status/dukkan" in j[1]["body"]' "the site's own page"
assert_json "$J" 'all("SECRETNOTE" not in m["body"] for m in j)' "no note in a client mail"
J=$("$SW_PY" "$INSPECT" $(mails_to owner@shop.example))
assert_json "$J" 'j[1]["subject"].startswith("News about your website Shop Ltd [ticket #'"$EN_ID"'")' \
    "English subject"
assert_json "$J" '"> <script>alert(1)</script> We are moving the site to a new server." in j[1]["body"]' \
    "English update quoted"
assert_json "$J" 'all("SECRETNOTE" not in m["body"] for m in j)' "no note in the English client mail"

# ---- the status pages
wait_page 10 "$B/status/dukkan" "Sunucu yeniden başlatılıyor." ||
    fail "the update is not on /status/dukkan: $WAIT_BODY"
P=$WAIT_BODY
assert_contains "$P" "Sunucu yeniden başlatılıyor.<br>Yaklaşık 10 dakika sürecek; &lt;b&gt;teşekkürler&lt;/b&gt;." \
    "the update escaped, its lines kept"
assert_contains "$P" "Güncelleme" "the update in Turkish words"
assert_not_contains "$P" "SECRETNOTE" "no note on the page"
assert_not_contains "$P" "Ayşe" "no staff name on the page"
wait_page 10 "$B/status/shop" "We are moving the site" ||
    fail "the update is not on /status/shop: $WAIT_BODY"
P=$WAIT_BODY
assert_contains "$P" "&lt;script&gt;alert(1)&lt;/script&gt; We are moving" "escaped, never markup"
assert_not_contains "$P" "<script>alert" "no markup from staff"
assert_not_contains "$P" "SECRETNOTE" "no note on the English page"
assert_not_contains "$P" "Sunucu" "one site's update stays on its page"

# ---- recovery: the history lists the incident with its duration
mv "$SW_TMP/ok.txt.saved" "$OK_FILE"
wait_json 30 "$B/api/v1/tickets?status=open" 'len(j) == 0' ||
    fail "the tickets did not resolve: $WAIT_BODY"
wait_page 15 "$B/status/dukkan" 'data-ticket="'"$TR_ID"'"' ||
    fail "no history on /status/dukkan: $WAIT_BODY"
P=$WAIT_BODY
H=${P#*id=\"history\"}
assert_contains "$P" "Geçmiş olaylar (son 14 gün)" "the history in Turkish"
assert_contains "$H" "Mağaza" "the service by its public title"
assert_contains "$H" "(Europe/Istanbul)" "its start in the site's zone"
printf '%s\n' "$H" | grep -Eq 'class="duration">[0-9]+ (sn|dk)' ||
    fail "no duration in Turkish units in: $H"
assert_contains "$H" "Sunucu yeniden başlatılıyor." "the update in the history"
assert_not_contains "$H" "SECRETNOTE" "no note in the history"
wait_page 10 "$B/status/shop" 'data-ticket="'"$EN_ID"'"' ||
    fail "no history on /status/shop: $WAIT_BODY"
assert_contains "$WAIT_BODY" "Past incidents (last 14 days)" "English history"
stop_daemon
exit 0
