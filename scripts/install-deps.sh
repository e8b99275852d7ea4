#!/bin/sh
# Install every package sitewatch needs to build, run and test on Debian 12.
# Idempotent; run as root (or with sudo available).  Debian starts nginx
# and rrdcached as system services on install; the project starts its own
# instances, so those are stopped (scripts/apt-install.sh).
set -e
PKGS="build-essential autoconf automake libtool pkg-config
 libcurl4-openssl-dev libevent-dev librrd-dev rrdtool rrdcached
 libesmtp-dev libsqlite3-dev sqlite3 libpq-dev postgresql-15
 libinih-dev libjansson-dev libcrypt-dev
 libcmocka-dev libssl-dev libjemalloc-dev nginx-light python3-aiosmtpd openssl curl
 libjs-dygraphs tzdata
 ca-certificates procps strace
 mandoc systemd debhelper dpkg-dev fakeroot lintian"
exec "$(dirname "$0")/apt-install.sh" $PKGS -- nginx rrdcached postgresql
