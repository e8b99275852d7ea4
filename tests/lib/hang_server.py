#!/usr/bin/python3
"""hang_server.py PORT READYFILE [LIFETIME_S] -- accept TCP, never answer.

Stands in for a site that takes the connection and then says nothing: it
accepts on 127.0.0.1:PORT, keeps every connection open without reading
or writing, and exits on SIGTERM or after LIFETIME_S (default 900), so a
forgotten instance cannot outlive its test for long.
"""
import selectors
import signal
import socket
import sys
import time


def main():
    port = int(sys.argv[1])
    ready = sys.argv[2]
    lifetime = float(sys.argv[3]) if len(sys.argv) > 3 else 900.0
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(128)
    with open(ready, "w") as f:
        f.write("%d\n" % port)
    sel = selectors.DefaultSelector()
    sel.register(ls, selectors.EVENT_READ)
    held = []
    end = time.monotonic() + lifetime
    while time.monotonic() < end:
        for _key, _ev in sel.select(timeout=1.0):
            conn, _addr = ls.accept()
            held.append(conn)
        # Keep at most a few hundred; the oldest go first.
        while len(held) > 500:
            held.pop(0).close()


if __name__ == "__main__":
    main()
