#!/usr/bin/python3
"""Drives blackbox_exporter like a Prometheus server scraping probes.

    blackbox_driver.py HOST:PORT TARGETS_FILE PROBES RATE

TARGETS_FILE: lines "MODULE URL". Sends PROBES requests
GET /probe?target=URL&module=MODULE at RATE per second (paced from a
fixed start; at most 256 in flight, keep-alive connections), cycling
through the targets. Prints {"probes", "success", "late"} (success: the
body says probe_success 1).
"""
import asyncio
import json
import sys
import time
import urllib.parse


async def main():
    host, port = sys.argv[1].rsplit(":", 1)
    targets = [ln.split() for ln in open(sys.argv[2]) if ln.strip()]
    total, rate = int(sys.argv[3]), float(sys.argv[4])
    queue = asyncio.Queue(maxsize=1024)
    done = {"probes": 0, "success": 0}

    async def worker():
        r = w = None
        while True:
            item = await queue.get()
            if item is None:
                return
            mod, url = item
            req = (f"GET /probe?target={urllib.parse.quote(url, safe='')}"
                   f"&module={mod} HTTP/1.1\r\nHost: {host}\r\n\r\n").encode()
            for _ in range(2):
                try:
                    if w is None:
                        r, w = await asyncio.open_connection(host, int(port))
                    w.write(req)
                    head = await r.readuntil(b"\r\n\r\n")
                    length, chunked = 0, False
                    for line in head.split(b"\r\n"):
                        low = line.lower()
                        if low.startswith(b"content-length:"):
                            length = int(line.split(b":")[1])
                        elif low.startswith(b"transfer-encoding:") and \
                                b"chunked" in low:
                            chunked = True
                    if chunked:
                        body = b""
                        while True:
                            size = int((await r.readline()).split(b";")[0],
                                       16)
                            if size == 0:
                                await r.readuntil(b"\r\n")  # no trailers
                                break
                            body += await r.readexactly(size)
                            await r.readexactly(2)
                    else:
                        body = await r.readexactly(length)
                    done["probes"] += 1
                    if b"\nprobe_success 1" in b"\n" + body:
                        done["success"] += 1
                    break
                except (OSError, asyncio.IncompleteReadError):
                    w = None

    workers = [asyncio.create_task(worker()) for _ in range(256)]
    t0 = time.monotonic()
    for i in range(total):
        due = t0 + i / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        await queue.put(targets[i % len(targets)])
    for _ in workers:
        await queue.put(None)
    await asyncio.gather(*workers)
    print(json.dumps(done))


asyncio.run(main())
