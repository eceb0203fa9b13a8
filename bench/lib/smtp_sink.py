#!/usr/bin/python3
"""smtp_sink.py - an SMTP server that accepts and counts (bench/fanout_email.sh).

  /usr/bin/python3 bench/lib/smtp_sink.py PORT [--stats FILE]
                   [--max-seconds S] [--ready FILE]

aiosmtpd (Debian package python3-aiosmtpd) on 127.0.0.1:PORT (0: the kernel
picks; the port is written to --ready FILE once listening). Every message is
accepted with 250 and counted; nothing is written to disk except the stats
file. Stats, written as JSON to FILE (tmp + rename) at most every 100 ms
when they changed, and at exit:

  conns, conns_open_max      TCP connections accepted / open at once
  ehlo, helo, rset, quit     SMTP commands seen (a session starts with EHLO
                             or HELO; a reused connection does not send it
                             again)
  messages                   DATA accepted
  conns_with_messages        connections that carried at least one message
  max_msgs_per_conn
  advisories: {ADVISORY: {n, unique, dups, first, last, rcpt_mismatch}}
      per X-Infrashare-Advisory header; unique/dups by Idempotency-Key;
      first/last = time.monotonic() (CLOCK_MONOTONIC) when DATA completed;
      rcpt_mismatch = messages whose envelope recipient is not the To:
      header's address.
  no_advisory                messages without that header

Stops on SIGTERM/SIGINT or after --max-seconds (default 3600).
"""
import argparse
import asyncio
import json
import os
import signal
import sys
import time

from aiosmtpd.smtp import SMTP

ST = {"conns": 0, "conns_open": 0, "conns_open_max": 0, "ehlo": 0,
      "helo": 0, "rset": 0, "quit": 0, "messages": 0,
      "conns_with_messages": 0, "max_msgs_per_conn": 0, "no_advisory": 0,
      "advisories": {}}
KEYS = set()
DIRTY = [True]


def header(head, name):
    """Value of header NAME in the header block (bytes), or None."""
    n = name.lower().encode() + b":"
    for line in head.split(b"\r\n"):
        if line[:len(n)].lower() == n:
            return line[len(n):].strip().decode(errors="replace")
    return None


class Sink:
    async def handle_EHLO(self, server, session, envelope, hostname,
                          responses):
        ST["ehlo"] += 1
        DIRTY[0] = True
        session.host_name = hostname
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):
        ST["helo"] += 1
        DIRTY[0] = True
        session.host_name = hostname
        return "250 {}".format(server.hostname)

    async def handle_RSET(self, server, session, envelope):
        ST["rset"] += 1
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope):
        ST["quit"] += 1
        DIRTY[0] = True
        return "221 Bye"

    async def handle_DATA(self, server, session, envelope):
        t = time.monotonic()
        data = envelope.content or b""
        end = data.find(b"\r\n\r\n")
        head = data[:end if end >= 0 else len(data)]
        adv = header(head, "X-Infrashare-Advisory")
        key = header(head, "Idempotency-Key")
        to = header(head, "To") or ""
        ST["messages"] += 1
        server.bench_msgs += 1
        if server.bench_msgs == 1:
            ST["conns_with_messages"] += 1
        if server.bench_msgs > ST["max_msgs_per_conn"]:
            ST["max_msgs_per_conn"] = server.bench_msgs
        if adv is None:
            ST["no_advisory"] += 1
        else:
            a = ST["advisories"].setdefault(
                adv, {"n": 0, "unique": 0, "dups": 0, "first": t, "last": t,
                      "rcpt_mismatch": 0})
            a["n"] += 1
            a["last"] = t
            if key is None or key not in KEYS:
                a["unique"] += 1
                if key is not None:
                    KEYS.add(key)
            else:
                a["dups"] += 1
            rcpts = ["<%s>" % r for r in envelope.rcpt_tos]
            if to not in rcpts:
                a["rcpt_mismatch"] += 1
        DIRTY[0] = True
        return "250 OK"


class CountingSMTP(SMTP):
    def connection_made(self, transport):
        self.bench_msgs = 0
        if not getattr(self, "bench_counted", False):
            self.bench_counted = True
            ST["conns"] += 1
            ST["conns_open"] += 1
            ST["conns_open_max"] = max(ST["conns_open_max"],
                                       ST["conns_open"])
            DIRTY[0] = True
        super().connection_made(transport)

    def connection_lost(self, error):
        ST["conns_open"] -= 1
        DIRTY[0] = True
        super().connection_lost(error)


def write_stats(path):
    if not path:
        return
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(ST, f)
    os.replace(tmp, path)


async def main_async(a):
    loop = asyncio.get_running_loop()
    handler = Sink()
    server = await loop.create_server(
        lambda: CountingSMTP(handler, hostname="bench-sink.invalid",
                             ident="bench smtp sink", timeout=60),
        host="127.0.0.1", port=a.port, backlog=4096)
    port = server.sockets[0].getsockname()[1]
    if a.ready:
        tmp = a.ready + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, a.ready)
    stop = asyncio.Event()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set)
    deadline = time.monotonic() + a.max_seconds
    while not stop.is_set() and time.monotonic() < deadline:
        if DIRTY[0]:
            DIRTY[0] = False
            write_stats(a.stats)
        try:
            await asyncio.wait_for(stop.wait(), 0.1)
        except asyncio.TimeoutError:
            pass
    server.close()
    write_stats(a.stats)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("port", type=int)
    p.add_argument("--stats")
    p.add_argument("--ready")
    p.add_argument("--max-seconds", type=float, default=3600)
    a = p.parse_args()
    asyncio.run(main_async(a))
    return 0


if __name__ == "__main__":
    sys.exit(main())
