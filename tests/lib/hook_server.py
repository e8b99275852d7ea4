#!/usr/bin/python3
"""hook_server.py PORT DIR [LIFETIME_S] -- an HTTP receiver for channels.

Stands in for a webhook, Slack, Teams, Telegram, ntfy, Matrix or PagerDuty
endpoint on 127.0.0.1:PORT.  Every request is recorded as DIR/req/NNNN.json
({method, path, headers: {lower-case name: value}, body, answer: the
mode it got, "200", "hang", ...}) and counted in
DIR/count, written before the answer goes out, so a test that sees the
file knows the request arrived.  DIR/ready holds the port once listening.

What it answers is read from DIR/mode at each request (the test changes it
at will):
    200 (default)   200 with a small JSON body
    500             500
    429 N           429 with Retry-After: N
    404             404
    hang            read the request, record it, never answer
Exits on SIGTERM or after LIFETIME_S (default 600).
"""
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIR = None
LOCK = threading.Lock()
HUNG = []


def mode():
    try:
        with open(os.path.join(DIR, "mode")) as f:
            return f.read().split()
    except OSError:
        return ["200"]


def record(h, body, answer):
    with LOCK:
        cfile = os.path.join(DIR, "count")
        try:
            with open(cfile) as f:
                n = int(f.read().strip() or 0)
        except OSError:
            n = 0
        n += 1
        rec = {
            "method": h.command,
            "path": h.path,
            "headers": {k.lower(): v for k, v in h.headers.items()},
            "body": body.decode("utf-8", "replace"),
            "answer": answer,
        }
        tmp = os.path.join(DIR, "req", ".%04d.json" % n)
        with open(tmp, "w") as f:
            json.dump(rec, f)
        os.rename(tmp, os.path.join(DIR, "req", "%04d.json" % n))
        with open(cfile + ".tmp", "w") as f:
            f.write("%d\n" % n)
        os.rename(cfile + ".tmp", cfile)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n > 0 else b""
        m = mode()
        record(self, body, m[0])
        if m[0] == "hang":
            HUNG.append(self.connection)
            time.sleep(3600)
            return
        code = int(m[0])
        out = b'{"ok":true}' if code < 300 else b'{"ok":false}'
        self.send_response(code)
        if code == 429 and len(m) > 1:
            self.send_header("Retry-After", m[1])
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_POST = handle_any
    do_PUT = handle_any
    do_GET = handle_any


def main():
    global DIR
    port = int(sys.argv[1])
    DIR = sys.argv[2]
    lifetime = float(sys.argv[3]) if len(sys.argv) > 3 else 600.0
    os.makedirs(os.path.join(DIR, "req"), exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    srv = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    srv.daemon_threads = True
    with open(os.path.join(DIR, "ready.tmp"), "w") as f:
        f.write("%d\n" % port)
    os.rename(os.path.join(DIR, "ready.tmp"), os.path.join(DIR, "ready"))
    threading.Timer(lifetime, lambda: os._exit(0)).start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
