#!/usr/bin/python3
"""cdp_steps.py -- drive headless Chromium as a visitor would, through the
DevTools protocol on a pipe (--remote-debugging-pipe: commands on fd 3,
answers on fd 4, each a JSON text ended by a NUL byte), with nothing but
Python's standard library.

    cdp_steps.py CHROMIUM_ARGS_FILE STEP...

Steps run in order on one page; each prints one JSON line:
    open URL              load URL, wait for its load event
    fill CSS VALUE        set the value of the element CSS selects
    click CSS             click it and wait for the next page's load
    text                  print the page's visible text
A step that fails (no element, no load within 20 s) exits 1.
"""
import fcntl
import json
import os
import select
import subprocess
import sys
import time


class Browser:
    def __init__(self, args):
        a_r, a_w = os.pipe()        # we write, Chromium reads (fd 3)
        b_r, b_w = os.pipe()        # Chromium writes (fd 4), we read
        # All four above 4 first: dup2 onto 3 and 4 must close none.
        high = [fcntl.fcntl(x, fcntl.F_DUPFD, 10) if x <= 4 else x
                for x in (a_r, a_w, b_r, b_w)]
        for x, h in zip((a_r, a_w, b_r, b_w), high):
            if h != x:
                os.close(x)
        a_r, a_w, b_r, b_w = high
        keep = [a_r, b_w]
        os.dup2(keep[0], 3)
        os.dup2(keep[1], 4)
        self.proc = subprocess.Popen(args + ["--remote-debugging-pipe"],
                                     pass_fds=(3, 4),
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        for x in (3, 4, keep[0], keep[1]):
            os.close(x)
        self.w, self.r = a_w, b_r
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def _read(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.time()
            if left <= 0 or not select.select([self.r], [], [], left)[0]:
                raise TimeoutError("no answer from Chromium")
            data = os.read(self.r, 65536)
            if not data:
                raise EOFError("Chromium went away")
            self.buf += data
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=True, timeout=20):
        self.next_id += 1
        m = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            m["sessionId"] = self.session
        os.write(self.w, json.dumps(m).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            msg = self._read(deadline)
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            self.events.append(msg)

    def wait_event(self, name, timeout=20):
        deadline = time.time() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == name:
                    del self.events[i]
                    return e
            self.events.append(self._read(deadline))

    def js(self, expr):
        r = self.call("Runtime.evaluate", {"expression": expr,
                                           "returnByValue": True})
        if "exceptionDetails" in r:
            raise RuntimeError("script: %s" % r["exceptionDetails"])
        return r["result"].get("value")


def main():
    args = open(sys.argv[1]).read().split("\n")
    args = [a for a in args if a]
    b = Browser(args)
    try:
        t = b.call("Target.createTarget", {"url": "about:blank"},
                   session=False)
        s = b.call("Target.attachToTarget",
                   {"targetId": t["targetId"], "flatten": True},
                   session=False)
        b.session = s["sessionId"]
        b.call("Page.enable")
        b.call("Runtime.enable")
        steps = sys.argv[2:]
        i = 0
        while i < len(steps):
            op = steps[i]
            if op == "open":
                b.events = []
                b.call("Page.navigate", {"url": steps[i + 1]})
                b.wait_event("Page.loadEventFired")
                print(json.dumps({"open": steps[i + 1]}))
                i += 2
            elif op == "fill":
                ok = b.js("(function(){var e=document.querySelector(%s);"
                          "if(!e)return false;e.value=%s;return true})()"
                          % (json.dumps(steps[i + 1]),
                             json.dumps(steps[i + 2])))
                if not ok:
                    sys.exit("cdp: no element %s" % steps[i + 1])
                print(json.dumps({"fill": steps[i + 1]}))
                i += 3
            elif op == "click":
                b.events = []
                ok = b.js("(function(){var e=document.querySelector(%s);"
                          "if(!e)return false;e.click();return true})()"
                          % json.dumps(steps[i + 1]))
                if not ok:
                    sys.exit("cdp: no element %s" % steps[i + 1])
                b.wait_event("Page.loadEventFired")
                print(json.dumps({"click": steps[i + 1]}))
                i += 2
            elif op == "text":
                print(json.dumps({"text": b.js("document.body.innerText"),
                                  "url": b.js("location.href")}))
                i += 1
            else:
                sys.exit("cdp: unknown step %s" % op)
    finally:
        try:
            b.call("Browser.close", session=False, timeout=5)
        except Exception:
            pass
        try:
            b.proc.wait(10)
        except subprocess.TimeoutExpired:
            b.proc.kill()
            b.proc.wait()


if __name__ == "__main__":
    main()
