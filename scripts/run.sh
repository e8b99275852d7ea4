#!/bin/sh
# Set up a fresh Debian 12 machine and start sitewatchd in the foreground
# on the shipped example configuration (state in ./var, mail in
# ./var/outbox/ since no SMTP host is set).
set -e
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
[ -x configure ] || ./autogen.sh >/dev/null
[ -f Makefile ] || ./configure >/dev/null
make -j2 >/dev/null
exec ./sitewatchd -f -c sitewatch.conf
