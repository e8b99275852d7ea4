#!/bin/bash
# 46-mail-templates-check: `sitewatchd -t` validates every mail template
# and the words of every language, naming FILE:LINE:
#   {{foo}} on line 5        -> "down.txt:5: unknown variable {{foo}}"
#   no Subject line          -> "up.txt:1: the first line must be ..."
#   {{#checks}} not closed   -> names the line it was opened on
#   a cause without words    -> "words.txt: missing cause.slow"
#   a site language without templates -> names the site file and line
# and the daemon refuses to start with them.
set -eu
. "$top_srcdir/tests/lib/common.sh"

T=$SW_TMP/templates
cp -r "$top_srcdir/templates" "$T"
chmod -R u+w "$T"
write_config "daemon.templates_dir=$T"
add_site shop "Dükkan" tr owner@shop.example
add_check shop shop-home "http://127.0.0.1:9/"

sw_run "$SWD" -t -c "$SW_CONF"
assert_eq 0 "$RUN_RC" "the shipped templates pass -t ($RUN_ERR)"

# Break them, one way each.
sed -i '5s/$/ {{foo}}/' "$T/mail/en/down.txt"
sed -i '1d' "$T/mail/en/up.txt"
printf 'Subject: x\n\n{{#checks}}\n{{check}}\n' > "$T/mail/tr/reminder.txt"
sed -i '/^cause.slow/d' "$T/mail/tr/words.txt"
sw_run "$SWD" -t -c "$SW_CONF"
assert_eq 1 "$RUN_RC" "-t fails on broken templates"
assert_contains "$RUN_ERR" "$T/mail/en/down.txt:5: unknown variable {{foo}}" \
    "unknown variable with FILE:LINE"
assert_contains "$RUN_ERR" \
    "$T/mail/en/up.txt:1: the first line must be \"Subject: ...\"" \
    "missing Subject"
assert_contains "$RUN_ERR" \
    "$T/mail/tr/reminder.txt:3: {{#checks}} is never closed" \
    "unbalanced section"
assert_contains "$RUN_ERR" "$T/mail/tr/words.txt: missing cause.slow" \
    "every cause needs words"
assert_not_contains "$RUN_ERR" "degraded.txt" "good files are not blamed"

# A site language without templates is the site file's error.
cp -r "$top_srcdir/templates/mail" "$T/" && chmod -R u+w "$T"
rm -r "$T/mail/tr"
sw_run "$SWD" -t -c "$SW_CONF"
assert_eq 1 "$RUN_RC" "-t fails when the site's language has no templates"
assert_contains "$RUN_ERR" "$SW_CHECKS_DIR/shop.conf:3: site Dükkan: no mail templates for language tr" \
    "the site file and its language line are named"
cp -r "$top_srcdir/templates/mail/tr" "$T/mail/" && chmod -R u+w "$T"

# The daemon refuses to start with broken templates.
sed -i '5s/$/ {{bar}}/' "$T/mail/tr/up.txt"
sw_run timeout 20 "$SWD" -f -c "$SW_CONF"
assert_eq 1 "$RUN_RC" "sitewatchd refuses to start"
assert_contains "$RUN_ERR" "$T/mail/tr/up.txt:5: unknown variable {{bar}}" \
    "and says why"
exit 0
