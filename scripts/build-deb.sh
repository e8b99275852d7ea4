#!/bin/sh
# Build the Debian package from this tree (dpkg-buildpackage -b -us -uc,
# in a copy, so an in-tree build here is left alone), lint it, install
# it, run its daemon as the user `sitewatch` the way the unit does (no
# systemd here: the unit's ExecStart under runuser), check that it runs
# as that user and answers on its port, stop it, and purge the package.
# Run as root on Debian 12; not part of `make check` (it takes minutes
# and changes the system).
set -eu
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/sitewatch-deb.XXXXXX)
pid=
installed=

cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
	fi
	if [ -n "$installed" ]; then
		dpkg --purge sitewatch >/dev/null 2>&1 || true
	fi
}
trap cleanup EXIT
say() {
	echo "build-deb: $*"
}
die() {
	echo "build-deb: FAIL: $*" >&2
	exit 1
}

# The tracked and new files, not build products.
mkdir "$work/sitewatch"
git ls-files -co --exclude-standard | while read -r f; do
	[ -e "$f" ] && printf '%s\n' "$f"
done | tar -cf - -T - | tar -xf - -C "$work/sitewatch"
say "building in $work/sitewatch"
(cd "$work/sitewatch" && dpkg-buildpackage -b -us -uc) \
    > "$work/build.log" 2>&1 || {
	tail -n 40 "$work/build.log"
	die "dpkg-buildpackage failed (log: $work/build.log)"
}
deb=$(ls "$work"/sitewatch_*.deb)
say "built $deb"

lintian "$work"/sitewatch_*.changes > "$work/lintian.log" 2>&1 || true
say "lintian: $(grep -c '^E:' "$work/lintian.log" || true) errors," \
    "$(grep -c '^W:' "$work/lintian.log" || true) warnings"
cat "$work/lintian.log"
if grep -q '^E:' "$work/lintian.log"; then
	die "lintian reports errors"
fi

dpkg -i "$deb" > "$work/dpkg.log" 2>&1 || {
	cat "$work/dpkg.log"
	die "dpkg -i failed"
}
installed=1
say "installed"
getent passwd sitewatch >/dev/null || die "no user sitewatch"
[ "$(stat -c %U /var/lib/sitewatch)" = sitewatch ] ||
    die "/var/lib/sitewatch is not owned by sitewatch"
dpkg-query -W -f='${Conffiles}\n' sitewatch |
    grep -q ' /etc/sitewatch/sitewatch.conf ' ||
    die "/etc/sitewatch/sitewatch.conf is not a conffile"
for f in /usr/sbin/sitewatchd /usr/bin/sitewatch \
    /lib/systemd/system/sitewatchd.service \
    /usr/share/sitewatch/templates/mail/en/down.txt \
    /usr/share/man/man8/sitewatchd.8.gz /usr/share/man/man1/sitewatch.1.gz \
    /usr/share/man/man5/sitewatch.conf.5.gz; do
	[ -e "$f" ] || die "$f is not installed"
done
unit=/lib/systemd/system/sitewatchd.service
systemd-analyze verify "$unit" || die "systemd-analyze verify $unit"
sitewatchd --version
runuser -u sitewatch -- sitewatchd -t || die "sitewatchd -t as sitewatch"

# A free port instead of 8080, which may be taken on this machine.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed -i "s|^listen[ 	]*=.*|listen = 127.0.0.1:$port|" \
    /etc/sitewatch/sitewatch.conf
start=$(sed -n 's/^ExecStart=//p' "$unit")
say "starting: runuser -u sitewatch -- $start"
# shellcheck disable=SC2086
runuser -u sitewatch -- $start > "$work/daemon.log" 2>&1 &
n=100
while [ "$n" -gt 0 ]; do
	pid=$(cat /var/lib/sitewatch/sitewatchd.pid 2>/dev/null || true)
	[ -n "$pid" ] && break
	sleep 0.1
	n=$((n - 1))
done
[ -n "$pid" ] || { cat "$work/daemon.log"; die "no pid file"; }
user=$(ps -o user= -p "$pid")
say "sitewatchd pid $pid runs as $user"
[ "$user" = sitewatch ] || die "the daemon runs as $user"
code=000
n=50
while [ "$n" -gt 0 ]; do
	code=$(curl -s -o /dev/null -w '%{http_code}' \
	    "http://127.0.0.1:$port/api/v1/checks" || true)
	[ "$code" = 200 ] && break
	sleep 0.1
	n=$((n - 1))
done
[ "$code" = 200 ] || die "no answer on port $port (HTTP $code)"
say "it answers on 127.0.0.1:$port (HTTP $code)"
kill -TERM "$pid"
n=120
while kill -0 "$pid" 2>/dev/null && [ "$n" -gt 0 ]; do
	sleep 0.1
	n=$((n - 1))
done
kill -0 "$pid" 2>/dev/null && die "the daemon did not stop on SIGTERM"
pid=
say "stopped"
dpkg --purge sitewatch > "$work/purge.log" 2>&1 ||
    { cat "$work/purge.log"; die "dpkg --purge failed"; }
installed=
[ ! -e /var/lib/sitewatch ] || die "/var/lib/sitewatch left after purge"
[ ! -e /etc/sitewatch ] || die "/etc/sitewatch left after purge"
say "purged; OK (files in $work)"
