#!/bin/bash
# 74-notify-hostile: an endpoint that fights back cannot stall or exhaust
# a sender.  `sitewatch notify-test` (the same request code as the
# daemon's sender) against each ends within the request timeout (10 s),
# with memory bounded, and is judged:
#   endless body, 10 MB header   -> taken (a 2xx came first), answer cut
#   one byte a second            -> temporary failure (timeout)
#   503 with control bytes       -> temporary failure, the answer cleaned
#   redirect loop (301)          -> refused: redirects are not followed
#   self-signed TLS              -> temporary failure (no retry storm:
#                                   the daemon's backoff applies)
#   connection refused           -> temporary failure
#   ftp:// as url                -> refused by -t, never requested
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/faults.bash"
use_db

start_nginx
start_hostile
write_config
add_site shop "Shop Ltd"
add_check shop home "$NGINX_URL/ok"
ch() {
	printf '\n[notify %s]\ntype = webhook\nurl = %s\n' "$1" "$2" \
	    >> "$SW_CONF"
}
ch forever "$HOSTILE_URL/forever"
ch bigheader "$HOSTILE_URL/bigheader"
ch trickle "$HOSTILE_URL/trickle"
ch badstatus "$HOSTILE_URL/badstatus"
ch loop "$NGINX_URL/redirect-loop"
ch selfsigned "https://localhost:$NGINX_TLS_SELFSIGNED_PORT/ok"
ch refused "http://127.0.0.1:$CLOSED_PORT/"
sw_run "$SWD" -t -c "$SW_CONF"
assert_eq 0 "$RUN_RC" "the channels pass -t ($RUN_ERR)"

# try NAME RC WORDS: notify-test NAME exits RC within 12 s, saying WORDS.
try() {
	local t0 t1
	local -a tm=()
	# GNU time gives the peak memory; without it only the time is seen.
	[ -x /usr/bin/time ] && tm=(/usr/bin/time -f '%M' -o "$SW_TMP/rss")
	echo 0 > "$SW_TMP/rss"
	t0=$(date +%s%N)
	sw_run "${tm[@]}" timeout 30 "$SWC" -c "$SW_CONF" notify-test "$1"
	t1=$(date +%s%N)
	assert_eq "$2" "$RUN_RC" "$1: exit status ($RUN_OUT$RUN_ERR)"
	assert_contains "$RUN_OUT$RUN_ERR" "$3" "$1: the verdict"
	assert_le "$(( (t1 - t0) / 1000000 ))" 12000 "$1: ends in time (ms)"
	assert_le "$(tail -n 1 "$SW_TMP/rss")" 200000 "$1: max RSS (kB)"
	sw_log "$1: $(( (t1 - t0) / 1000000 )) ms, $(tail -n 1 "$SW_TMP/rss") kB"
	echo "$1 $(( (t1 - t0) / 1000000 )) ms $(tail -n 1 "$SW_TMP/rss") kB" \
	    >> "$SW_TMP/figures"
}
ch plain "$NGINX_URL/status/200"
try plain 0 "HTTP 200"
try forever 0 "answer cut"
try bigheader 0 "HTTP 200"
try trickle 1 "temporary failure"
try badstatus 1 "HTTP 503"
assert_not_contains "$(q "SELECT last_error FROM outbox
    WHERE channel = 'badstatus'")" "$(printf '\033')" "no control bytes kept"
try loop 2 "redirects are not followed"
try selfsigned 1 "temporary failure"
try refused 1 "temporary failure"
assert_eq 1 "$(grep -c '^/forever' "$HOSTILE_REQS")" "one request to /forever"

printf '\n[notify ftp]\ntype = webhook\nurl = ftp://127.0.0.1/x\n' >> "$SW_CONF"
sw_run "$SWD" -t -c "$SW_CONF"
assert_eq 1 "$RUN_RC" "-t refuses an ftp url"
exit 0
