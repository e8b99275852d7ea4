#!/bin/sh
# Install the peers bench/run.sh compares sitewatchd with, and its load
# tools: check_curl (monitoring-plugins-standard; it needs liburiparser1,
# only a Recommends), check_http (monitoring-plugins-basic), Prometheus'
# blackbox_exporter, wrk.  Debian 12; idempotent; run as root or with sudo.
# The benchmark starts its own instances of the services on free loopback
# ports, so the system's are stopped (scripts/apt-install.sh).
set -e
PKGS="monitoring-plugins-basic monitoring-plugins-standard liburiparser1
 prometheus-blackbox-exporter wrk curl nginx-light rrdcached rrdtool openssl
 libcurl4-openssl-dev libevent-dev pkg-config make gcc"
exec "$(dirname "$0")/../scripts/apt-install.sh" $PKGS -- \
    prometheus-blackbox-exporter nginx rrdcached
