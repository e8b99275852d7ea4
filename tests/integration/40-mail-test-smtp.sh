#!/bin/bash
# 40-mail-test-smtp: `sitewatch mail-test ADDRESS` through real SMTP.
#
#   plain SMTP         -> one message, envelope and headers right, the
#                         Turkish Subject and From name decode back (RFC
#                         2047), the body is UTF-8 quoted-printable, CRLF
#   STARTTLS required  -> the session is encrypted (TLS 1.2 cap) and AUTH
#   + AUTH                 gives the configured user
#   wrong password     -> non-zero exit, nothing delivered
#   silent server      -> gives up after the short timeouts, exit 1
set -eu
. "$top_srcdir/tests/lib/common.sh"
mail_asan

INSPECT=$top_srcdir/tests/integration/mail_inspect.py

start_smtp accept
write_config smtp.host=127.0.0.1 "smtp.port=$SMTP_PORT" smtp.starttls=no \
    "smtp.from=Site Destek Şubesi <support@example.com>"
sw_run "$SWC" -c "$SW_CONF" mail-test "Dükkan Sahibi <owner@shop.example>"
assert_eq 0 "$RUN_RC" "mail-test exit status ($RUN_ERR)"
assert_contains "$RUN_OUT" "250" "mail-test prints the SMTP answer"
assert_eq 1 "$(smtp_count)" "one message delivered"
J=$("$SW_PY" "$INSPECT" $(smtp_messages))
assert_json "$J" 'j[0]["rcpt"] == "owner@shop.example"' "envelope recipient"
assert_json "$J" 'j[0]["mail_from"] == "support@example.com"' "envelope sender"
assert_json "$J" 'j[0]["subject"] == "sitewatch test mail / deneme e-postası"' \
    "Subject decodes back to the Turkish text"
assert_json "$J" 'j[0]["from"] == "Site Destek Şubesi <support@example.com>"' \
    "From display name decodes back"
assert_json "$J" 'j[0]["to"] == "Dükkan Sahibi <owner@shop.example>"' "To"
assert_json "$J" 'j[0]["charset"] == "utf-8" and
    j[0]["content_type"] == "text/plain" and
    j[0]["cte"] == "quoted-printable" and j[0]["mime_version"] == "1.0"' \
    "MIME headers"
assert_json "$J" '"çğıİöşü" in j[0]["body"]' "Turkish body survives"
assert_json "$J" 'j[0]["crlf"] and j[0]["ascii_headers"] and
    j[0]["max_line"] <= 78' "CRLF, 7-bit headers, short lines"
assert_json "$J" 'j[0]["date_ok"] and
    j[0]["message_id"].endswith("@example.com>")' "Date and Message-ID"
assert_json "$J" '[h for h in j[0]["header_names"] if h in
    ("Date", "From", "To", "Subject", "Message-ID", "MIME-Version")] ==
    ["Date", "From", "To", "Subject", "Message-ID", "MIME-Version"]' \
    "every header once"

# The queue shows the test mail as sent.
sw_run "$SWC" -c "$SW_CONF" mail-test --queue --json
assert_eq 0 "$RUN_RC" "mail-test --queue"
assert_json "$RUN_OUT" 'len(j) == 1 and j[0]["status"] == "sent" and
    j[0]["to"] == "owner@shop.example" and j[0]["attempts"] == 1' \
    "queue listing"

# STARTTLS required, with AUTH.  The server's certificate is for
# "localhost" from the test CA (libesmtp ignores IP SANs: PLATFORM.md).
start_smtp_tls accept required "mailer:s3cret pass"
export SSL_CERT_FILE=$TEST_CA
write_config smtp.host=localhost "smtp.port=$SMTP_PORT" \
    smtp.starttls=required smtp.user=mailer "smtp.password=s3cret pass" \
    "smtp.from=support@example.com"
sw_run timeout 30 "$SWC" -c "$SW_CONF" mail-test ops@example.com
assert_eq 0 "$RUN_RC" "mail-test over STARTTLS ($RUN_ERR)"
assert_eq 1 "$(smtp_count)" "delivered over STARTTLS"
J=$("$SW_PY" "$INSPECT" $(smtp_messages))
assert_json "$J" 'j[0]["tls"] == "yes" and j[0]["auth"] == "mailer"' \
    "encrypted and authenticated"

# A wrong password is refused and reported.
write_config smtp.host=localhost "smtp.port=$SMTP_PORT" \
    smtp.starttls=required smtp.user=mailer smtp.password=wrong \
    "smtp.from=support@example.com"
sw_run timeout 30 "$SWC" -c "$SW_CONF" mail-test ops@example.com
[ "$RUN_RC" -ne 0 ] || fail "mail-test with a wrong password exited 0"
assert_eq 1 "$(smtp_count)" "nothing more delivered"

# A server that accepts and never speaks: short libesmtp timeouts (6 s a
# step) end the attempt; it is a temporary failure, exit 1.
start_nginx
write_config smtp.host=127.0.0.1 "smtp.port=$HANG_PORT" smtp.starttls=no
T0=$(date +%s)
sw_run timeout 60 "$SWC" -c "$SW_CONF" mail-test ops@example.com
T1=$(date +%s)
assert_eq 1 "$RUN_RC" "a silent server is a temporary failure"
assert_le "$((T1 - T0))" 15 "mail-test gave up on a silent server in time"
assert_contains "$RUN_ERR" "temporary failure: 127.0.0.1:$HANG_PORT" \
    "the failure names the server"
exit 0
