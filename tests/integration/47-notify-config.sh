#!/bin/bash
# 47-notify-config: `sitewatchd -t` validates [notify NAME] channels as a
# user writes them, naming FILE:LINE for an unknown type, a missing url
# (webhook, slack, teams, ntfy), token (telegram, matrix, pagerduty) or
# chat (telegram, matrix), an unknown event, a url that is not http(s),
# an unknown site and a duplicate name -- and never prints a secret, a
# token or a url (a Slack or Teams url is itself the key).  A good set of
# every type passes, and the daemon refuses a broken one.
set -eu
. "$top_srcdir/tests/lib/common.sh"

write_config
add_site shop "Shop Ltd" en
add_check shop shop-home "http://127.0.0.1:9/"

# 1. One good channel of each type, as the SPEC shows them.
cat >> "$SW_CONF" <<'CONF'
[notify ops-hook]
type   = webhook
url    = https://hooks.example.com/sitewatch
secret = hmac-key-Qx7
events = down, up
sites  = Shop Ltd

[notify ops-slack]
type = slack
url  = https://hooks.slack.com/services/T000/B000/slack-key-Zz9

[notify ops-teams]
type = teams
url  = https://prod.example.logic.azure.com/workflows/teams-key-Yy8

[notify ops-tg]
type  = telegram
token = 123456:tg-token-Ww7
chat  = -1001234

[notify ops-ntfy]
type   = ntfy
url    = https://ntfy.sh/sitewatch-ops
token  = tk_ntfy-token-Vv6
events = down, degraded, up, reminder

[notify ops-matrix]
type  = matrix
url   = https://matrix.example.org
token = syt_matrix-token-Uu5
chat  = !room:example.org

[notify ops-pd]
type  = pagerduty
token = pd-routing-key-Tt4
events = down, up
CONF
sw_run "$SWD" -t -c "$SW_CONF"
assert_eq 0 "$RUN_RC" "seven good channels pass -t ($RUN_ERR)"
assert_contains "$RUN_ERR" "configuration OK (1 checks, 7 channels)" \
    "-t says OK and counts the channels"

# 2. The same file broken one way per channel.
cp "$SW_CONF" "$SW_TMP/good.conf"
cat >> "$SW_CONF" <<'CONF'

[notify pigeon]
type = carrier-pigeon
url  = https://pigeon.example.com/

[notify no-url]
type   = webhook
secret = hmac-key-Ss3

[notify no-token]
type = telegram
chat = 42

[notify no-chat]
type  = matrix
token = syt_matrix-token-Rr2

[notify pd-no-token]
type = pagerduty

[notify bad-event]
type   = ntfy
url    = https://ntfy.example.com/ops
events = down, sideways

[notify ftp]
type = slack
url  = ftp://hooks.example.com/slack-key-Qq1

[notify unknown-site]
type  = webhook
url   = https://hooks.example.com/x
sites = Shop Ltd, Nobody Inc

[notify ops-hook]
type = webhook
url  = https://hooks.example.com/again
CONF
F=$SW_CONF
lno() { grep -n -m1 -F -- "$1" "$F" | cut -d: -f1; }
sw_run "$SWD" -t -c "$F"
assert_eq 1 "$RUN_RC" "-t fails on the broken channels"
assert_contains "$RUN_ERR" "$F:$(lno 'type = carrier-pigeon'): bad value \"carrier-pigeon\" for type" \
    "unknown type"
assert_contains "$RUN_ERR" "$F:$(lno '[notify no-url]'): [notify no-url] needs url" \
    "webhook without url"
assert_contains "$RUN_ERR" "$F:$(lno '[notify no-token]'): [notify no-token] needs token" \
    "telegram without token"
assert_contains "$RUN_ERR" "$F:$(lno '[notify no-chat]'): [notify no-chat] needs chat" \
    "matrix without chat"
assert_contains "$RUN_ERR" "$F:$(lno '[notify pd-no-token]'): [notify pd-no-token] needs token" \
    "pagerduty without token"
assert_contains "$RUN_ERR" "$F:$(lno 'events = down, sideways'): events: unknown event \"sideways\"" \
    "bad event name"
assert_contains "$RUN_ERR" "$F:$(lno 'url  = ftp://'): bad value for url: must start with http:// or https://" \
    "non-http url"
assert_contains "$RUN_ERR" "$F:$(lno 'sites = Shop Ltd, Nobody'): sites: unknown site \"Nobody Inc\"" \
    "unknown site"
assert_contains "$RUN_ERR" "duplicate channel name \"ops-hook\"" "duplicate name"
# Nothing secret is ever echoed, good channels or bad.
for s in hmac-key slack-key teams-key tg-token ntfy-token matrix-token \
    pd-routing-key; do
	assert_not_contains "$RUN_ERR" "$s" "-t does not print $s"
done
assert_not_contains "$RUN_ERR" "ops-slack" "good channels are not blamed"

# 3. A [notify] in a checks.d file is refused, with its place.
echo "[notify stray]" >> "$SW_CHECKS_DIR/shop.conf"
echo "type = webhook" >> "$SW_CHECKS_DIR/shop.conf"
cp "$SW_TMP/good.conf" "$SW_CONF"
sw_run "$SWD" -t -c "$SW_CONF"
assert_eq 1 "$RUN_RC" "-t refuses [notify] in checks.d"
assert_contains "$RUN_ERR" "shop.conf:$(grep -n -F '[notify stray]' "$SW_CHECKS_DIR/shop.conf" | cut -d: -f1): [notify NAME] belongs in" \
    "[notify] outside sitewatch.conf"
sed -i '/notify stray/,$d' "$SW_CHECKS_DIR/shop.conf"

# 4. The templates of the types in use are checked too.
T=$SW_TMP/templates
cp -r "$top_srcdir/templates" "$T"
chmod -R u+w "$T"
sed -i "s|^templates_dir = .*|templates_dir = $T|" "$SW_CONF"
sed -i '3s/$/ {{nope}}/' "$T/notify/slack.txt"
sw_run "$SWD" -t -c "$SW_CONF"
assert_eq 1 "$RUN_RC" "-t fails on a broken notify template"
assert_contains "$RUN_ERR" "$T/notify/slack.txt:3: unknown variable {{nope}}" \
    "the template's FILE:LINE"
rm "$T/notify/teams.txt"
sw_run "$SWD" -t -c "$SW_CONF"
assert_contains "$RUN_ERR" "$T/notify/teams.txt" "a missing template"
cp "$top_srcdir/templates/notify/"*.txt "$T/notify/"

# 5. The daemon does not start on a broken channel.
cp "$SW_CONF" "$SW_TMP/good.conf"
printf '\n[notify x]\ntype = webhook\n' >> "$SW_CONF"
sw_run timeout 20 "$SWD" -f -c "$SW_CONF"
assert_eq 1 "$RUN_RC" "the daemon refuses a broken channel"
assert_contains "$RUN_ERR" "needs url" "and says why"
