#!/usr/bin/python3
"""hostile_server.py PORT READYFILE [LIFETIME_S] -- a site that fights back.

A small HTTP/1.1 server on 127.0.0.1:PORT whose paths misbehave on
purpose, for the fault scenarios (tests/integration/6x-*.sh):

  /forever     200, chunked body that never ends (4 KiB chunks, fast)
  /drip        200, chunked body that never ends, 64 bytes every 50 ms
  /trickle     the answer one byte a second ("HTTP/1.1 200 OK..." slowly)
  /bigheader   200 with a 10 MB header line
  /badstatus   503 whose reason phrase holds invalid UTF-8, control bytes,
               a bare CR with a fake header after it, and <script> markup;
               the body holds the same
  /badbody     200 whose body holds invalid UTF-8, NUL, ESC and <script>
  anything     200 "hostile ok\n"

Every request is logged as one line "PATH" in READYFILE.requests.  The
server writes its port to READYFILE when it listens, and exits on SIGTERM
or after LIFETIME_S (default 900), so a forgotten instance cannot outlive
its test for long.
"""
import os
import signal
import socket
import sys
import threading
import time

NASTY = b"\xff\xfe\xc3(<script>alert(1)</script>\x1b[2J\x07\x01"
REASON = b"Oops " + NASTY + b"\rX-Injected: yes"


def send(conn, data):
    conn.sendall(data)


def handle(conn, log):
    conn.settimeout(30)
    req = b""
    while b"\r\n\r\n" not in req and len(req) < 65536:
        chunk = conn.recv(4096)
        if not chunk:
            return
        req += chunk
    line = req.split(b"\r\n", 1)[0].split(b" ")
    path = line[1].decode("latin-1") if len(line) > 1 else "/"
    with open(log, "a") as f:
        f.write(path + "\n")
    if path in ("/forever", "/drip"):
        # A chunked body without end: big chunks at once, or small ones
        # every 50 ms.
        send(conn, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
             b"Content-Type: text/plain\r\n\r\n")
        if path == "/forever":
            n, c, pause = 4096, b"x", 0
        else:
            n, c, pause = 64, b"y", 0.05
        block = b"%x\r\n%s\r\n" % (n, c * n)
        while True:
            send(conn, block)
            if pause:
                time.sleep(pause)
    elif path == "/trickle":
        for b in b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello":
            send(conn, bytes([b]))
            time.sleep(1)
    elif path == "/bigheader":
        send(conn, b"HTTP/1.1 200 OK\r\nX-Big: ")
        block = b"a" * 65536
        for _ in range(160):  # 10 MiB
            send(conn, block)
        send(conn, b"\r\nContent-Length: 2\r\n\r\nok")
    elif path == "/badstatus":
        body = b"<html><script>alert(1)</script>" + NASTY + b"</html>\n"
        send(conn, b"HTTP/1.1 503 " + REASON + b"\r\n"
             b"Content-Type: text/html\r\nContent-Length: %d\r\n"
             b"Connection: close\r\n\r\n" % len(body) + body)
    elif path == "/badbody":
        body = b"<script>alert(1)</script>\x00" + NASTY + b"\n"
        send(conn, b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
             b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
             + body)
    else:
        send(conn, b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n"
             b"Connection: close\r\n\r\nhostile ok\n")


def serve(conn, log):
    try:
        handle(conn, log)
    except OSError:
        pass  # the client gave up: that is the point
    finally:
        try:
            conn.close()
        except OSError:
            pass


def main():
    port = int(sys.argv[1])
    ready = sys.argv[2]
    lifetime = float(sys.argv[3]) if len(sys.argv) > 3 else 900.0
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(128)
    ls.settimeout(1.0)
    log = ready + ".requests"
    open(log, "w").close()
    with open(ready, "w") as f:
        f.write("%d\n" % port)
    end = time.monotonic() + lifetime
    while time.monotonic() < end:
        try:
            conn, _addr = ls.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve, args=(conn, log),
                         daemon=True).start()
    os._exit(0)


if __name__ == "__main__":
    main()
