#!/usr/bin/python3
"""ports.py N RECORD -- print N free TCP ports on 127.0.0.1, one a line.

Tests run in parallel (make -j), so "free now" is not enough: each port is
also reserved by creating RESDIR/PORT (mkdir is atomic), and appended to
RECORD so the harness can drop the reservation when the test ends.
Reservations older than an hour belong to dead tests and are reclaimed.
Ports come from 20000-32767, below the kernel's ephemeral range, so an
outgoing connection cannot take one between our check and the bind.
"""
import os
import random
import socket
import sys
import time

RESDIR = os.environ.get("SW_PORT_RESDIR", "/tmp/sitewatch-test-ports")
LO, HI = 20000, 32767
STALE_S = 3600


def bindable(port):
    """True when nothing holds port on 127.0.0.1 (nor ::1, when present)."""
    fams = [(socket.AF_INET, "127.0.0.1")]
    if socket.has_ipv6:
        fams.append((socket.AF_INET6, "::1"))
    for fam, addr in fams:
        try:
            s = socket.socket(fam, socket.SOCK_STREAM)
        except OSError:
            continue
        try:
            s.bind((addr, port))
        except OSError as e:
            # No ::1 on this host is not a conflict.
            if fam == socket.AF_INET6 and e.errno in (99, 97):
                continue
            return False
        finally:
            s.close()
    return True


def reserve(port):
    path = os.path.join(RESDIR, str(port))
    try:
        os.mkdir(path)
        return True
    except FileExistsError:
        try:
            if time.time() - os.stat(path).st_mtime > STALE_S:
                os.utime(path)
                return True
        except OSError:
            pass
        return False


def main():
    n = int(sys.argv[1])
    record = sys.argv[2] if len(sys.argv) > 2 else None
    os.makedirs(RESDIR, exist_ok=True)
    got = []
    for _ in range(2000):
        if len(got) == n:
            break
        port = random.randint(LO, HI)
        if port in got or not reserve(port):
            continue
        if not bindable(port):
            os.rmdir(os.path.join(RESDIR, str(port)))
            continue
        got.append(port)
    if len(got) < n:
        sys.stderr.write("ports.py: could not find %d free ports\n" % n)
        sys.exit(1)
    if record:
        with open(record, "a") as f:
            for p in got:
                f.write("%d\n" % p)
    for p in got:
        print(p)


if __name__ == "__main__":
    main()
