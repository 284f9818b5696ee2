#!/usr/bin/env python3
"""A real SMTP server for the mail tests: accepts every message on 127.0.0.1:PORT and
writes each one to DIR as JSON (envelope, headers, decoded text and HTML parts, raw).
A recipient whose address starts with "refused" is refused for good, as a relay
refuses an unknown user (550, quoting the address, as Postfix does).

Usage: smtp_sink.py PORT DIR  (PORT 0: any free port). Prints "PORT <n>" once it
listens, then serves until killed. Needs aiosmtpd (pip install aiosmtpd)."""

import email
import email.policy
import json
import os
import socket
import sys
import time
import uuid

try:
    from aiosmtpd.controller import Controller
except ImportError:
    print("MISSING aiosmtpd is not installed: pip install aiosmtpd", flush=True)
    sys.exit(2)


class Sink:
    def __init__(self, directory):
        self.directory = directory

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("refused"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown in virtual mailbox table" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        parts = {}
        for part in message.walk():
            if part.get_content_maintype() == "text":
                parts.setdefault(part.get_content_subtype(), part.get_content())
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "headers": {k.lower(): str(v) for k, v in message.items()},
            "text": parts.get("plain", ""),
            "html": parts.get("html", ""),
            "raw": envelope.content.decode("utf-8", "replace"),
        }
        name = "%020d-%s" % (time.time_ns(), uuid.uuid4().hex)
        tmp = os.path.join(self.directory, name + ".tmp")
        with open(tmp, "w") as out:
            json.dump(record, out)
        os.rename(tmp, os.path.join(self.directory, name + ".json"))
        return "250 Message accepted for delivery"


def main():
    port, directory = int(sys.argv[1]), sys.argv[2]
    os.makedirs(directory, exist_ok=True)
    if port == 0:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=port)
    controller.start()
    print("PORT %d" % port, flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
