#!/bin/sh
# apt-install.sh PKG... [-- SERVICE...]: install those of the Debian 12
# packages that are not installed yet (idempotent; as root, or through
# sudo), then stop and disable the SERVICEs Debian starts on install:
# the tests and the benchmark start their own instances on free loopback
# ports.  Shared by scripts/install-deps.sh and bench/install-peers.sh.
set -e
PKGS=
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	PKGS="$PKGS $1"
	shift
done
[ $# -gt 0 ] && shift
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
for s in "$@"; do
	$SUDO systemctl disable --now "$s" >/dev/null 2>&1 || true
	$SUDO service "$s" stop >/dev/null 2>&1 || true
done
exit 0
