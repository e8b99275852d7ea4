#!/bin/sh
# Install the peers bench/run.sh compares sitewatchd with, and its load
# tools: check_curl (monitoring-plugins-standard; it needs liburiparser1,
# only a Recommends), check_http (monitoring-plugins-basic), Prometheus'
# blackbox_exporter, wrk.  Debian 12; idempotent; run as root or with sudo.
set -e
PKGS="monitoring-plugins-basic monitoring-plugins-standard liburiparser1
 prometheus-blackbox-exporter wrk curl nginx-light rrdcached rrdtool openssl
 libcurl4-openssl-dev libevent-dev pkg-config make gcc"
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
# The benchmark starts its own instances on free loopback ports.
for s in prometheus-blackbox-exporter nginx rrdcached; do
	$SUDO systemctl disable --now "$s" >/dev/null 2>&1 || true
	$SUDO service "$s" stop >/dev/null 2>&1 || true
done
exit 0
