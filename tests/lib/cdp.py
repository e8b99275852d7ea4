"""cdp.py -- drive headless Chromium from a test through the DevTools
protocol over a pipe (--remote-debugging-pipe: JSON messages ended by a
NUL byte on descriptors 3 and 4), so a scenario can type into a form,
press its button and read the page as a user would, with nothing beyond
Python's standard library.  Every wait is bounded; a failure raises.

    with Browser(profile_dir) as b:
        b.goto(url)
        b.wait("document.querySelector('#login') !== null")
        b.eval("...")
        b.screenshot(path, width=390, height=844, mobile=True)
"""
import base64
import json
import os
import select
import subprocess
import time


class CDPError(Exception):
    pass


class Browser:
    def __init__(self, profile, timeout=30, log=None):
        self.timeout = timeout
        r_cmd, w_cmd = os.pipe()    # we write commands, chromium reads fd 3
        r_out, w_out = os.pipe()    # chromium writes fd 4, we read
        log_f = open(log or os.devnull, "ab")
        args = ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--hide-scrollbars", "--user-data-dir=" + profile,
                "--remote-debugging-pipe", "about:blank"]

        def child_fds():
            # Through fresh copies: a pipe that already is 3 or 4 would
            # keep its close-on-exec flag through a dup2 onto itself.
            a, b = os.dup(r_cmd), os.dup(w_out)
            os.dup2(a, 3)
            os.dup2(b, 4)
        # Not close_fds: that would run after child_fds and close 3 and 4.
        self.proc = subprocess.Popen(args, preexec_fn=child_fds,
                                     close_fds=False,
                                     stdin=subprocess.DEVNULL,
                                     stdout=log_f, stderr=log_f)
        os.close(r_cmd)
        os.close(w_out)
        self.wfd, self.rfd = w_cmd, r_out
        self.buf = b""
        self.next_id = 0
        self.session = None
        target = None
        deadline = time.time() + timeout
        while target is None and time.time() < deadline:
            for t in self.call("Target.getTargets")["targetInfos"]:
                if t["type"] == "page":
                    target = t["targetId"]
            if target is None:
                time.sleep(0.1)
        if target is None:
            raise CDPError("no page in chromium")
        self.session = self.call("Target.attachToTarget",
                                 {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]
        self.call("Page.enable")
        self.call("Runtime.enable")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        try:
            self.call("Browser.close", session=False, timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self.wfd, self.rfd):
            try:
                os.close(fd)
            except OSError:
                pass

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.time()
            if left <= 0:
                raise CDPError("chromium did not answer in time")
            ready, _, _ = select.select([self.rfd], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.rfd, 1 << 20)
            if not chunk:
                raise CDPError("chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=True, timeout=None):
        self.next_id += 1
        mid = self.next_id
        msg = {"id": mid, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self.wfd, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + (timeout or self.timeout)
        while True:
            m = self._read_message(deadline)
            if m.get("id") != mid:
                continue    # an event: none is needed here
            if "error" in m:
                raise CDPError("%s: %s" % (method, m["error"]))
            return m.get("result", {})

    def eval(self, expr):
        """The value of a JavaScript expression in the page (None if it
        threw, e.g. while the page is being replaced)."""
        try:
            r = self.call("Runtime.evaluate", {"expression": expr,
                          "returnByValue": True, "awaitPromise": True})
        except CDPError:
            return None
        if "exceptionDetails" in r:
            return None
        return r.get("result", {}).get("value")

    def wait(self, expr, timeout=None, what=None):
        """Poll expr until it is true; raise when it is not in time."""
        deadline = time.time() + (timeout or self.timeout)
        while time.time() < deadline:
            if self.eval(expr):
                return
            time.sleep(0.1)
        raise CDPError("not true within %ss: %s" %
                       (timeout or self.timeout, what or expr))

    def goto(self, url):
        self.call("Page.navigate", {"url": url})

    def viewport(self, width, height, mobile=False):
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height,
                   "deviceScaleFactor": 1, "mobile": mobile})

    def screenshot(self, path, width, height, mobile=False):
        """A PNG of the whole page at that viewport width."""
        self.viewport(width, height, mobile)
        time.sleep(0.3)
        r = self.call("Page.captureScreenshot",
                      {"format": "png", "captureBeyondViewport": True})
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))
