#!/bin/sh
# Install every package sitewatch needs to build, run and test on Debian 12.
# Idempotent; run as root (or with sudo available).
set -e
PKGS="build-essential autoconf automake libtool pkg-config
 libcurl4-openssl-dev libevent-dev librrd-dev rrdtool rrdcached
 libesmtp-dev libsqlite3-dev sqlite3 libinih-dev libjansson-dev
 libcmocka-dev libssl-dev libjemalloc-dev nginx-light python3-aiosmtpd openssl curl
 ca-certificates procps strace
 mandoc systemd debhelper dpkg-dev fakeroot lintian"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends $missing
# Debian starts nginx and rrdcached as system services on install; the
# project starts its own instances on free loopback ports instead.
for s in nginx rrdcached; do
	$SUDO systemctl disable --now "$s" >/dev/null 2>&1 || true
	$SUDO service "$s" stop >/dev/null 2>&1 || true
done
exit 0
