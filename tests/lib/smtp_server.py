#!/usr/bin/python3
"""smtp_server.py -- a real SMTP server for the integration scenarios.

Run with Debian's /usr/bin/python3 (it has python3-aiosmtpd).  Listens on
127.0.0.1:PORT and, depending on the mode, takes or refuses mail:

  accept         every message is stored in DIR as one .eml file
  tempfail       451 to every RCPT (the server is "down for a while")
  permfail       550 to every RCPT
  tempfail-data  recipients are taken, 451 at the end of DATA
  permfail-data  recipients are taken, 554 at the end of DATA

--mode-file FILE: when FILE exists its first word replaces --mode, read at
every command, so a scenario can end an outage without a new port.

A stored file is named msg-NNNN.eml and starts with the envelope:
  X-Rcpt-To: a@x, b@y
  X-Mail-From: sender@z
  X-Smtp-Tls: yes|no          (STARTTLS done on this session)
  X-Smtp-Auth: LOGIN-NAME|-   (the name given with AUTH)
followed by the message exactly as received.  It is written under a
temporary name and renamed, so a reader never sees half a message.
--log FILE gets one line per command outcome ("RCPT a@x 451", "DATA 250").
Exits 0 on SIGTERM.
"""
import argparse
import os
import signal
import ssl
import sys
import threading
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

MODES = ("accept", "tempfail", "permfail", "tempfail-data", "permfail-data")


class Store:
    """Handler: applies the mode and writes accepted messages to disk."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.seq = 0
        os.makedirs(args.dir, exist_ok=True)

    def mode(self):
        mf = self.args.mode_file
        if mf and os.path.exists(mf):
            try:
                with open(mf) as f:
                    words = f.read().split()
                if words and words[0] in MODES:
                    return words[0]
            except OSError:
                pass
        return self.args.mode

    def log(self, line):
        if not self.args.log:
            return
        with self.lock, open(self.args.log, "a") as f:
            f.write(line + "\n")

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        mode = self.mode()
        if mode == "tempfail":
            self.log("RCPT %s 451" % address)
            return "451 4.3.0 Try again later (test server: tempfail)"
        if mode == "permfail":
            self.log("RCPT %s 550" % address)
            return "550 5.1.1 Mailbox unavailable (test server: permfail)"
        envelope.rcpt_tos.append(address)
        self.log("RCPT %s 250" % address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        mode = self.mode()
        if mode == "tempfail-data":
            self.log("DATA 451")
            return "451 4.3.0 Try again later (test server: tempfail-data)"
        if mode == "permfail-data":
            self.log("DATA 554")
            return "554 5.6.0 Rejected (test server: permfail-data)"
        if mode != "accept":
            # Recipients were refused: nothing to deliver.
            self.log("DATA 554")
            return "554 5.5.1 No valid recipients"
        auth = getattr(session, "auth_data", None)
        if isinstance(auth, AuthResult):
            auth = auth.auth_data
        if isinstance(auth, (bytes, bytearray)):
            auth = auth.decode("utf-8", "replace")
        head = "X-Rcpt-To: %s\r\nX-Mail-From: %s\r\nX-Smtp-Tls: %s\r\n" \
            "X-Smtp-Auth: %s\r\n" % (
                ", ".join(envelope.rcpt_tos), envelope.mail_from,
                "yes" if session.ssl else "no", auth or "-")
        body = envelope.original_content or envelope.content
        if isinstance(body, str):
            body = body.encode("utf-8", "surrogateescape")
        with self.lock:
            self.seq += 1
            name = "msg-%04d.eml" % self.seq
        tmp = os.path.join(self.args.dir, "." + name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(head.encode("utf-8", "replace"))
            f.write(body)
        os.rename(tmp, os.path.join(self.args.dir, name))
        self.log("DATA 250 %s" % name)
        return "250 Message accepted for delivery"


def make_authenticator(user, password):
    """Accept exactly USER/PASSWORD; record the name on the session."""

    def check(server, session, envelope, mechanism, auth_data):
        login = getattr(auth_data, "login", None)
        pw = getattr(auth_data, "password", None)
        if isinstance(login, bytes):
            login = login.decode("utf-8", "replace")
        if isinstance(pw, bytes):
            pw = pw.decode("utf-8", "replace")
        ok = login == user and pw == password
        return AuthResult(success=ok, handled=False,
                          auth_data=login if ok else None)
    return check


def main():
    # aiosmtpd 1.4 warns about its own deprecated fields; keep stderr quiet.
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--mode", choices=MODES, default="accept")
    ap.add_argument("--mode-file")
    ap.add_argument("--log")
    ap.add_argument("--ready", help="file written once the port listens")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--require-starttls", action="store_true")
    ap.add_argument("--auth", help="USER:PASSWORD required to send")
    args = ap.parse_args()

    kw = {}
    if args.tls_cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        kw["tls_context"] = ctx
        kw["require_starttls"] = args.require_starttls
    if args.auth:
        user, _, pw = args.auth.partition(":")
        kw["authenticator"] = make_authenticator(user, pw)
        kw["auth_required"] = True
        # Over plain text only when the scenario did not offer TLS.
        kw["auth_require_tls"] = bool(args.tls_cert)
    handler = Store(args)
    ctl = Controller(handler, hostname="127.0.0.1", port=args.port,
                     server_hostname="localhost", ready_timeout=10, **kw)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    ctl.start()
    if args.ready:
        with open(args.ready, "w") as f:
            f.write("%d\n" % args.port)
    # Bounded: a forgotten server goes away on its own after an hour.
    stop.wait(3600)
    ctl.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
