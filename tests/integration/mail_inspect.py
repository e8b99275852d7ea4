#!/usr/bin/python3
"""mail_inspect.py FILE... -- print, as a JSON array, what a mail test
needs to know about each stored message (an .eml of the harness's SMTP
server or of state_dir/outbox), decoded with Python's email package, so
that scenarios assert on the decoded text, not on our own encoder.

Per message: envelope (rcpt, mail_from, tls, auth: from the X- lines the
SMTP server adds), subject / from / to (RFC 2047 decoded), body (decoded
text), charset, cte, message_id, date_ok, crlf (every line ends in CRLF),
header_names (in order), ascii_headers (no 8-bit byte in the header
section), max_line (longest line in bytes, without CRLF).  A multipart
message gives its text part's body, charset and cte, and parts: per
attachment {type, filename, size, png (the bytes start as a PNG)}.
"""
import email
import email.policy
import email.utils
import json
import sys


def inspect(path):
    raw = open(path, "rb").read()
    env = {}
    # The SMTP server's envelope lines come first.
    while raw.startswith(b"X-Rcpt-To:") or raw.startswith(b"X-Mail-From:") \
            or raw.startswith(b"X-Smtp-"):
        line, raw = raw.split(b"\r\n", 1)
        k, v = line.decode().split(":", 1)
        env[k] = v.strip()
    head = raw.split(b"\r\n\r\n", 1)[0]
    lines = raw.split(b"\n")
    crlf = all(l.endswith(b"\r") for l in lines[:-1]) and lines[-1] == b""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    date = msg["Date"]
    try:
        date_ok = email.utils.parsedate_to_datetime(str(date)) is not None
    except (TypeError, ValueError):
        date_ok = False
    text = msg.get_body(("plain",)) if msg.is_multipart() else msg
    parts = []
    for part in msg.iter_attachments() if msg.is_multipart() else []:
        data = part.get_payload(decode=True) or b""
        parts.append({"type": part.get_content_type(),
                      "filename": part.get_filename(), "size": len(data),
                      "png": data.startswith(b"\x89PNG\r\n\x1a\n")})
    return {
        "file": path,
        "parts": parts,
        "rcpt": env.get("X-Rcpt-To"),
        "mail_from": env.get("X-Mail-From"),
        "tls": env.get("X-Smtp-Tls"),
        "auth": env.get("X-Smtp-Auth"),
        "subject": str(msg["Subject"]),
        "from": str(msg["From"]),
        "to": str(msg["To"]),
        "header_names": list(msg.keys()),
        "message_id": str(msg["Message-ID"]),
        "date_ok": date_ok,
        "mime_version": str(msg["MIME-Version"]),
        "content_type": msg.get_content_type(),
        "charset": text.get_content_charset(),
        "cte": str(text["Content-Transfer-Encoding"]),
        "body": text.get_content(),
        "crlf": crlf,
        "ascii_headers": all(b < 0x80 for b in head),
        "max_line": max(len(l.rstrip(b"\r")) for l in lines),
    }


print(json.dumps([inspect(p) for p in sys.argv[1:]], ensure_ascii=False))
