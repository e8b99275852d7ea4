#!/bin/bash
# 64-disk-full: the state directory is a 2 MB tmpfs that fills up while
# the daemon records a healthy check and a check that then goes down:
#   - the daemon keeps running and checking (nginx still sees /ok once a
#     second), and reports the full disk a bounded number of times -- per
#     file that fails, not per result;
#   - an incident that opens while the disk is full is not lost: once
#     space is freed its ticket is in the db (exactly one), and its mail
#     in the outbox;
#   - recording resumes: the healthy RRD gets rows again after the space
#     is freed, and rrd_read info still reads every file.
set -eu
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/faults.bash"
use_db

mkdir -p "$SW_STATE_DIR"
if ! mount -t tmpfs -o size=2m,mode=0755 sw-faults "$SW_STATE_DIR" \
    2>"$SW_TMP/mount.err"; then
	skip "cannot mount a tmpfs: $(cat "$SW_TMP/mount.err")"
fi
# The daemon is gone by then (hooks run first, then the harness stops
# processes): unmount lazily so a straggler cannot keep it busy.
sw_on_exit "umount -l '$SW_STATE_DIR' 2>/dev/null || true"

start_nginx
start_hostile
# Small archives: the default retention needs 16 MB per 1 s check.
write_config daemon.rrd_retention=1s:10m,5m:1h,1h:1d,1d:7d \
    smtp.staff=ops@example.com smtp.group_window=1
add_site web "Web Ltd"
add_check web healthy "$NGINX_URL/ok" interval=1 timeout=1
add_check web flip "$HOSTILE_URL/fine" interval=1 timeout=1 retries=2 \
    recover=1
start_daemon
wait_until 10 '[ -s "$SW_STATE_DIR/rrd/healthy.rrd" ] &&
    [ -s "$SW_STATE_DIR/rrd/flip.rrd" ]' || fail "no RRD files"
sleep 2
nerr0=$(grep -c 'sitewatchd\[\(error\|warn\)\]' "$SW_LOG" || true)

# Fill the file system.
dd if=/dev/zero of="$SW_STATE_DIR/filler" bs=64k 2>/dev/null || true
sw_log "filled: $(df -k "$SW_STATE_DIR" | tail -1)"
h0=$(nginx_hits /ok)
sleep 3
# The site goes down while the disk is full: an incident opens.
_sw_stop_pid "$HOSTILE_PID" 5
t_down=$(date +%s)
sleep 6
h1=$(nginx_hits /ok)
daemon_alive || fail "the daemon died on a full disk"
assert_ge "$((h1 - h0))" 7 "checks kept running on a full disk"
nerr=$(( $(grep -c 'sitewatchd\[\(error\|warn\)\]' "$SW_LOG" || true) - nerr0 ))
sw_log "errors/warnings while full: $nerr"
assert_ge "$nerr" 1 "the full disk is reported"
# ~18 results, their state saves and a ticket arrived meanwhile; a line
# for each would be noise: one per store (tickets, mail queue, an RRD).
assert_le "$nerr" 3 "the full disk is reported once per store, not per result"
assert_eq 1 "$(grep -c 'ticket db: cannot write' "$SW_LOG" || true)" \
    "the ticket db reports the full disk once"

# Free the space.
rm -f "$SW_STATE_DIR/filler"
t_free=$(date +%s)
wait_until 15 '[ "$(q "SELECT count(*) FROM tickets WHERE check_name = '"'flip'"'")" -ge 1 ]' ||
    fail "the ticket of the incident during the full disk was lost"
sleep 3
assert_eq 1 "$(q "SELECT count(*) FROM tickets WHERE check_name = 'flip'")" \
    "exactly one ticket for the incident"
wait_until 10 '[ -n "$(ls "$SW_STATE_DIR/outbox/" 2>/dev/null | grep "\.eml$")" ]' ||
    fail "the alert mail of the incident was lost"
stop_daemon
t_end=$(date +%s)
for f in healthy flip; do
	rrd_read info "$SW_STATE_DIR/rrd/$f.rrd" >/dev/null || fail "$f.rrd torn"
done
n=$(rrd_read fetch "$SW_STATE_DIR/rrd/healthy.rrd" AVERAGE -s "$t_free" \
    -e "$((t_end - 1))" | awk 'NR > 2 && $2 + 0 == 1 { n++ } END { print n + 0 }')
assert_ge "$n" "$((t_end - t_free - 3))" "recording resumed after space was freed"
exit 0
