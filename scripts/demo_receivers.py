#!/usr/bin/python3
"""demo_receivers.py - the receiving side of the demo drill (scripts/demo-drill.sh).

Run with Debian's /usr/bin/python3 (python3-aiosmtpd, python3-requests).

  demo_receivers.py serve [--http-port 8090] [--smtp-port 2525]
        [--ack-share 0.85] [--down-org ORG[,ORG...]] [--down-file FILE]
        [--down-seconds 60] [--ack-delay-max 2] [--state-dir DIR]
      Local webhook receivers (http://127.0.0.1:8090/hooks/<org> and the
      CEPTOAR phone gateway .../hooks/gateway/phone/<ceptoar>) and a local
      SMTP server. Every message carries a single-use acknowledgement link;
      an organisation whose id hashes below --ack-share opens it (GET), the
      others never do. The "down" organisations' mailboxes refuse mail (550,
      so the hub falls back to their next channel, the webhook) and their
      webhook answers 503 for --down-seconds from its first request, then
      accepts. Only the drill's advisory is acknowledged (--advisory, or
      PUT /_demo/advisory {"advisory": ID} once it is known; messages that
      come earlier wait for it). GET /_demo/status gives the counters.

  Helpers for demo-drill.sh (print shell-friendly lines, exit 1 on errors):
  demo_receivers.py ports [--http-port 8090] [--smtp-port 2525]  (exit 3: taken)
  demo_receivers.py plan --url URL --target-kind K [--target ID]
  demo_receivers.py pick-down --url URL --token T --ceptoar C [--ack-share S]
  demo_receivers.py members --url URL --token T --ceptoar C
  demo_receivers.py acks --ack-share S ORG...
  demo_receivers.py chain --url URL --token T --advisory A
  demo_receivers.py wait --url URL --token T --advisory A [--timeout 300]
  demo_receivers.py summary --report report.json [--status status.json] ...
  demo_receivers.py get FIELD   (reads JSON on stdin, prints one field)
"""

import argparse
import email
import email.policy
import hashlib
import heapq
import http.server
import json
import os
import signal
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

ACK_MARK = "acknowledge (open the link, then press the button; single use):"
SALT = "infrashare-demo-drill"


def acks(org, share):
    """Deterministic: does this organisation acknowledge (hash below share)?"""
    h = hashlib.sha256(f"{SALT}:{org}".encode()).digest()
    return int.from_bytes(h[:8], "big") / 2.0**64 < share


def ack_delay(org, max_s):
    h = hashlib.sha256(f"{SALT}:delay:{org}".encode()).digest()
    return max_s * int.from_bytes(h[:4], "big") / 2.0**32


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


def die(msg, code=1):
    print(f"demo_receivers: {msg}", file=sys.stderr)
    sys.exit(code)


# --------------------------------------------------------------------------
# serve
# --------------------------------------------------------------------------

class Receivers:
    def __init__(self, a):
        self.a = a
        self.share = a.ack_share
        self.down = set(o for o in (a.down_org or "").split(",") if o)
        if a.down_file:
            with open(a.down_file) as f:
                self.down |= set(l.strip() for l in f if l.strip())
        self.lock = threading.Lock()
        self.c = dict(emails=0, emails_refused=0, webhooks=0, webhooks_503=0,
                      gateway=0, acks_scheduled=0, acks_ok=0, acks_used=0,
                      acks_failed=0, acks_skipped=0, no_link=0, foreign=0)
        # only the drill's advisory is acknowledged: other hubs or other
        # advisories may send here too (same demo addresses)
        self.advisory = a.advisory or None
        self.held = []           # messages that came before the advisory
        self.down_first = None   # first request to a down webhook
        self.down_events = {}    # org -> list of [t, what]
        self.acked = set()       # (advisory, org) acknowledged by a link
        self.seen_orgs = set()
        self.ack_errors = []
        self.pool = ThreadPoolExecutor(max_workers=16)
        self.heap = []
        self.cv = threading.Condition()
        self.tl = threading.local()
        self.started = time.time()
        threading.Thread(target=self._scheduler, daemon=True).start()

    def count(self, k, n=1):
        with self.lock:
            self.c[k] += n

    def down_event(self, org, what):
        with self.lock:
            self.down_events.setdefault(org, []).append(
                [round(time.time(), 3), what])

    def set_advisory(self, adv):
        with self.lock:
            self.advisory = adv
            held, self.held = self.held, []
        for item in held:
            self.schedule_ack(*item)

    def mine(self, adv):
        with self.lock:
            return self.advisory is None or adv == self.advisory

    # acknowledgement: scheduled with a small deterministic delay
    def schedule_ack(self, org, adv, url, how):
        with self.lock:
            if self.advisory is None:
                self.held.append((org, adv, url, how))
                return
            if adv != self.advisory:
                self.c["foreign"] += 1
                return
        if not url:
            self.count("no_link")
            return
        if not acks(org, self.share):
            self.count("acks_skipped")
            return
        with self.lock:
            if (adv, org) in self.acked:
                return
            self.c["acks_scheduled"] += 1
        due = time.time() + ack_delay(org, self.a.ack_delay_max)
        with self.cv:
            heapq.heappush(self.heap, (due, org, adv, url, how))
            self.cv.notify()

    def _scheduler(self):
        while True:
            with self.cv:
                while not self.heap or self.heap[0][0] > time.time():
                    self.cv.wait(0.2 if self.heap else 1.0)
                item = heapq.heappop(self.heap)
            self.pool.submit(self._ack, *item[1:])

    def _session(self):
        import requests
        s = getattr(self.tl, "s", None)
        if s is None:
            s = self.tl.s = requests.Session()
        return s

    def _ack(self, org, adv, url, how):
        last = ""
        for attempt in range(5):
            try:
                # the link's page confirms with a POST (a GET records
                # nothing); the receiver presses the button
                r = self._session().post(url, timeout=15)
                if r.status_code == 200:
                    with self.lock:
                        self.c["acks_ok"] += 1
                        self.acked.add((adv, org))
                    if org in self.down:
                        self.down_event(org, f"acknowledged ({how})")
                    return
                if r.status_code == 409:
                    self.count("acks_used")
                    return
                last = f"HTTP {r.status_code}"
                if r.status_code < 500:
                    break
            except Exception as e:  # connection trouble: try again
                last = str(e)
            time.sleep(0.5 * (attempt + 1))
        with self.lock:
            self.c["acks_failed"] += 1
            if len(self.ack_errors) < 20:
                self.ack_errors.append(f"{org}: {last}")
        log(f"ack failed for {org}: {last}")

    def status(self):
        with self.lock:
            pending = (self.c["acks_scheduled"] - self.c["acks_ok"] -
                       self.c["acks_used"] - self.c["acks_failed"])
            up_at = (self.down_first + self.a.down_seconds
                     if self.down_first else None)
            return dict(self.c, acks_pending=pending + len(self.held),
                        advisory=self.advisory,
                        orgs_seen=len(self.seen_orgs),
                        ack_share=self.share,
                        down=dict(orgs=sorted(self.down),
                                  seconds=self.a.down_seconds,
                                  first_request_at=self.down_first,
                                  up_at=up_at,
                                  events=self.down_events),
                        ack_errors=self.ack_errors,
                        started_at=self.started)

    # webhook (and gateway) requests
    def webhook(self, path, body):
        """Returns the HTTP status for a POST to path."""
        parts = [p for p in path.split("?")[0].split("/") if p]
        if len(parts) == 4 and parts[:3] == ["hooks", "gateway", "phone"]:
            self.count("gateway")
            return 200
        if len(parts) != 2 or parts[0] != "hooks":
            return 404
        org = parts[1]
        try:
            msg = json.loads(body or b"{}")
        except ValueError:
            return 400
        if org in self.down:
            # down from the first message of the drill for --down-seconds
            now = time.time()
            mine = self.mine(msg.get("advisory"))
            with self.lock:
                if self.down_first is None and mine:
                    self.down_first = now
                is_down = (self.down_first is None or
                           now < self.down_first + self.a.down_seconds)
            if is_down:
                self.count("webhooks_503")
                self.down_event(org, "webhook 503")
                return 503
            self.down_event(org, "webhook accepted")
        self.count("webhooks")
        with self.lock:
            self.seen_orgs.add(org)
        self.schedule_ack(org, msg.get("advisory", ""), msg.get("ack_url"),
                          "webhook")
        return 200

    # SMTP
    def refuse_rcpt(self, address):
        local = address.split("@", 1)[0].strip("<>")
        return local in self.down

    def email(self, envelope):
        msg = email.message_from_bytes(envelope.content,
                                       policy=email.policy.default)
        try:
            text = msg.get_content()
        except Exception:
            text = ""
        url = None
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if ACK_MARK in line:
                for nxt in lines[i + 1:]:
                    if nxt.strip():
                        url = nxt.strip()
                        break
                break
        adv = str(msg.get("X-Infrashare-Advisory", ""))
        for rcpt in envelope.rcpt_tos:
            org = rcpt.split("@", 1)[0].strip("<>")
            self.count("emails")
            with self.lock:
                self.seen_orgs.add(org)
            self.schedule_ack(org, adv, url, "e-mail")


def port_free(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def taken_ports(a):
    return [f"127.0.0.1:{p} ({what})" for p, what in
            ((a.http_port, "webhook receivers"), (a.smtp_port, "SMTP"))
            if not port_free(p)]


def cmd_ports(a):
    taken = taken_ports(a)
    if taken:
        die("port(s) already in use: " + ", ".join(taken) +
            " - stop what listens there (another demo drill? `ss -ltnp`) "
            "and try again", 3)


def cmd_serve(a):
    try:
        from aiosmtpd.controller import Controller
        import requests  # noqa: F401  (used by the ack workers)
    except ImportError as e:
        die(f"{e}: install python3-aiosmtpd and python3-requests "
            "(scripts/deps.sh test) and run with /usr/bin/python3", 2)
    cmd_ports(a)
    rx = Receivers(a)

    class Hook(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _send(self, code, body=b"", ctype="text/plain"):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if code == 503:
                self.send_header("Retry-After", "10")
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            code = rx.webhook(self.path, body)
            self._send(code, b"ok\n" if code == 200 else b"no\n")

        def do_PUT(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            if self.path.startswith("/_demo/advisory"):
                try:
                    rx.set_advisory(json.loads(body)["advisory"])
                except (ValueError, KeyError, TypeError):
                    self._send(400, b"no\n")
                    return
                self._send(200, b"ok\n")
            else:
                self._send(404, b"no\n")

        def do_GET(self):
            if self.path.startswith("/_demo/status"):
                self._send(200, json.dumps(rx.status()).encode(),
                           "application/json")
            else:
                self._send(404, b"no\n")

    class Smtp:
        async def handle_RCPT(self, server, session, envelope, address,
                              rcpt_options):
            if rx.refuse_rcpt(address):
                rx.count("emails_refused")
                rx.down_event(address.split("@", 1)[0].strip("<>"),
                              "e-mail refused 550")
                return "550 5.1.1 mailbox unavailable (demo drill: refused)"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            try:
                rx.email(envelope)
            except Exception as e:  # never fail the SMTP session for it
                log(f"could not read a message: {e}")
            return "250 Message accepted for delivery"

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", a.http_port), Hook)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    smtp = Controller(Smtp(), hostname="127.0.0.1", port=a.smtp_port,
                      ready_timeout=10)
    try:
        smtp.start()
    except Exception as e:
        httpd.shutdown()
        die(f"SMTP server on 127.0.0.1:{a.smtp_port}: {e}", 3)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    log(f"webhooks on http://127.0.0.1:{a.http_port}/hooks/, SMTP on "
        f"127.0.0.1:{a.smtp_port}; ack share {a.ack_share}; down: "
        f"{','.join(sorted(rx.down)) or '-'} for {a.down_seconds}s")
    if a.state_dir:
        with open(os.path.join(a.state_dir, "ready"), "w") as f:
            f.write(f"{os.getpid()}\n")
    while not stop.wait(1.0):
        if a.state_dir:
            tmp = os.path.join(a.state_dir, "status.json.tmp")
            with open(tmp, "w") as f:
                json.dump(rx.status(), f)
            os.replace(tmp, os.path.join(a.state_dir, "status.json"))
    smtp.stop()
    httpd.shutdown()
    if a.state_dir:
        with open(os.path.join(a.state_dir, "status.json"), "w") as f:
            json.dump(rx.status(), f, indent=1)
    s = rx.status()
    log(f"stopped: {s['emails']} e-mails, {s['emails_refused']} refused, "
        f"{s['webhooks']} webhooks, {s['webhooks_503']} answered 503, "
        f"{s['acks_ok']} acknowledged")


# --------------------------------------------------------------------------
# helpers for demo-drill.sh
# --------------------------------------------------------------------------

def hub(method, url, token=None, body=None, timeout=30):
    import requests
    h = {"Authorization": f"Bearer {token}"} if token else {}
    r = requests.request(method, url, headers=h, json=body, timeout=timeout)
    if r.status_code >= 400:
        try:
            msg = r.json()["error"]["message"]
        except Exception:
            msg = r.text[:200]
        die(f"{method} {url}: HTTP {r.status_code}: {msg}")
    return r.json()


def sectors(url):
    return hub("GET", f"{url}/api/v1/sectors")["items"]


def cmd_plan(a):
    """Prints `ministry ID`, `ceptoar ID MEMBERS` lines: the hops."""
    items = sectors(a.url)
    mins, ceps = [], {}
    if a.target_kind == "all":
        for s in items:
            mins.append(s["ministry"]["id"])
            for sc in s["scopes"]:
                if sc.get("ceptoar"):
                    ceps[sc["ceptoar"]["id"]] = sc["ceptoar"].get("members", 0)
    elif a.target_kind == "sector":
        s = [s for s in items if s["id"] == a.target]
        if not s:
            die(f"no sector {a.target!r}; sectors: " +
                ", ".join(s["id"] for s in items))
        mins.append(s[0]["ministry"]["id"])
        for sc in s[0]["scopes"]:
            if sc.get("ceptoar"):
                ceps[sc["ceptoar"]["id"]] = sc["ceptoar"].get("members", 0)
    else:
        for s in items:
            for sc in s["scopes"]:
                c = sc.get("ceptoar")
                if c and c["id"] == a.target:
                    mins.append(s["ministry"]["id"])
                    ceps[c["id"]] = c.get("members", 0)
        if not ceps:
            die(f"no CEPTOAR {a.target!r}; CEPTOARs: " + ", ".join(sorted(
                {sc["ceptoar"]["id"] for s in items for sc in s["scopes"]
                 if sc.get("ceptoar")})))
    for m in sorted(set(mins)):
        print("ministry", m)
    for c, n in sorted(ceps.items()):
        print("ceptoar", c, n)


def members(url, token, ceptoar):
    out, cursor = [], None
    while True:
        q = f"{url}/api/v1/orgs?kind=operator&ceptoar={ceptoar}&limit=500"
        if cursor:
            q += f"&cursor={cursor}"
        d = hub("GET", q, token)
        out += [o["id"] for o in d["items"]]
        cursor = d.get("next_cursor")
        if not cursor:
            return out


def cmd_members(a):
    for o in members(a.url, a.token, a.ceptoar):
        print(o)


def cmd_pick_down(a):
    """The first member (by id) of the CEPTOAR that would acknowledge."""
    ms = sorted(members(a.url, a.token, a.ceptoar))
    for o in ms:
        if acks(o, a.ack_share):
            print(o)
            return
    if ms:
        print(ms[0])
        return
    die(f"{a.ceptoar} has no member operators")


def cmd_acks(a):
    for o in a.orgs:
        print(o, "yes" if acks(o, a.ack_share) else "no")


def cmd_chain(a):
    """Prints `STATE ORG HOW` for every hop of the advisory's chain."""
    d = hub("GET", f"{a.url}/api/v1/advisories/{a.advisory}", a.token)
    for h in d.get("chain", []):
        print(h.get("state"), h.get("org"), h.get("how") or "-")


def status_of(url):
    import requests
    try:
        return requests.get(url, timeout=5).json()
    except Exception:
        return None


def cmd_wait(a):
    """Polls the deliveries until nothing is queued or sending, no recipient
    waits at a hop and the receivers have no acknowledgement in hand."""
    t0 = time.time()
    last_print = 0.0
    quiet = 0
    while True:
        d = hub("GET", f"{a.url}/api/v1/advisories/{a.advisory}/deliveries"
                 "?state=all", a.token, timeout=60)
        states = {}
        for it in d["items"]:
            states[it["state"]] = states.get(it["state"], 0) + 1
        msgs = d.get("messages", {})
        st = status_of(a.status_url) if a.status_url else None
        rx_pending = st["acks_pending"] if st else 0
        busy = (msgs.get("queued", 0) + msgs.get("sending", 0) +
                states.get("pending", 0) + states.get("queued", 0) +
                states.get("sending", 0) + rx_pending)
        el = time.time() - t0
        if time.time() - last_print >= a.every or (busy == 0 and quiet == 0):
            last_print = time.time()
            rx = (f" | receivers: {st['emails']} mails ({st['emails_refused']}"
                  f" refused), {st['webhooks']} webhooks ({st['webhooks_503']}"
                  f" x 503), {st['acks_ok']} acks"
                  f" ({rx_pending} in hand)") if st else ""
            print(f"  +{el:5.0f}s  recipients " +
                  " ".join(f"{k} {v}" for k, v in sorted(states.items())) +
                  f" | messages queued {msgs.get('queued', 0)} sending "
                  f"{msgs.get('sending', 0)} delivered "
                  f"{msgs.get('delivered', 0)} failed {msgs.get('failed', 0)}"
                  + rx, flush=True)
        # settled: twice in a row, so late acknowledgements are counted
        quiet = quiet + 1 if busy == 0 else 0
        if quiet >= 2:
            return 0
        if el > a.timeout:
            left = [f"{it['org']} ({it['state']})" for it in d["items"]
                    if it["state"] in ("pending", "queued", "sending")]
            print(f"  timeout after {a.timeout}s; still open: "
                  f"{len(left)} recipients {', '.join(left[:10])}"
                  f"{' ...' if len(left) > 10 else ''}; messages "
                  f"{json.dumps(msgs)}; receivers acks in hand {rx_pending}",
                  flush=True)
            return 3
        time.sleep(a.interval)


def pct(n, d):
    return f"{100.0 * n / d:5.1f} %" if d else "   - "


def secs(v):
    return "-" if v is None else f"{v}s"


def cmd_summary(a):
    with open(a.report) as f:
        r = json.load(f)
    st = None
    if a.status and os.path.exists(a.status):
        with open(a.status) as f:
            st = json.load(f)
    orgs = r.get("organisations", [])
    reach = r["reach"]
    n = reach["recipients"]
    k1d = reach["acknowledged_1d"]
    target = r["target"] or "sectors"
    print()
    print(f"== 訓練結果 / drill report {r['drill']} (advisory {r['advisory']}"
          f", {r['target_kind']} {target}) ==")
    expected = sum(1 for o in orgs if acks(o["org"], a.ack_share))
    print(f"1日以内の到達率 / reach within 1 day (acknowledged): {k1d} / {n}"
          f" = {pct(k1d, n).strip()}   (receivers acknowledge "
          f"{expected} / {n} = {pct(expected, n).strip()}, ack share "
          f"{a.ack_share:g})")
    print(f"delivered within 15 min / 1 h / 1 day: {reach['delivered_15m']}"
          f" / {reach['delivered_1h']} / {reach['delivered_1d']};  "
          f"acknowledged: {reach['acknowledged_15m']} / "
          f"{reach['acknowledged_1h']} / {reach['acknowledged_1d']}")
    tta = reach.get("time_to_acknowledge") or {}
    if tta:
        print(f"time to acknowledge: p50 {secs(tta.get('p50_s'))}, p90 "
              f"{secs(tta.get('p90_s'))}, max {secs(tta.get('max_s'))}")
    print()
    print("CEPTOAR別 / per CEPTOAR:")
    print(f"  {'CEPTOAR':30s} {'recipients':>10s} {'ack 15m':>8s} "
          f"{'ack 1h':>7s} {'ack 1d':>7s} {'reach 1d':>9s} {'p90':>5s} "
          f"{'max':>5s}")
    for c, b in sorted(r["by_ceptoar"].items()):
        t = b.get("time_to_acknowledge") or {}
        print(f"  {c:30s} {b['recipients']:10d} {b['acknowledged_15m']:8d} "
              f"{b['acknowledged_1h']:7d} {b['acknowledged_1d']:7d} "
              f"{pct(b['acknowledged_1d'], b['recipients']):>9s} "
              f"{secs(t.get('p90_s')):>5s} {secs(t.get('max_s')):>5s}")
    nr = r.get("not_reached", [])
    by_state = {}
    for x in nr:
        by_state[x["state"]] = by_state.get(x["state"], 0) + 1
    print()
    print(f"未到達 / not acknowledged: {len(nr)} (" + ", ".join(
        f"{k} {v}" for k, v in sorted(by_state.items())) + ")")
    # the receivers' view against the hub's
    wrong = [o["org"] for o in orgs
             if acks(o["org"], a.ack_share) != (o["state"] == "acknowledged")]
    if wrong:
        print(f"  differs from the receivers' ack plan: {len(wrong)}: "
              f"{', '.join(wrong[:10])}{' ...' if len(wrong) > 10 else ''}")
    # the down receiver
    down = st["down"] if st else {"orgs": [], "events": {}}
    if down["orgs"]:
        byorg = {o["org"]: o for o in orgs}
        print()
        print(f"down receiver(s): {len(down['orgs'])} organisation(s), "
              f"e-mail refused (550), webhook 503 for {down['seconds']:g}s "
              "from its first request")
        first = down.get("first_request_at")
        for org in down["orgs"][:10]:
            o = byorg.get(org)
            ev = down["events"].get(org, [])
            n503 = sum(1 for e in ev if e[1] == "webhook 503")
            acc = [e[0] for e in ev if e[1] == "webhook accepted"]
            line = f"  {org}: "
            if not o:
                print(line + "not a recipient of this drill")
                continue
            t503 = [e[0] for e in ev if e[1] == "webhook 503"]
            line += (f"e-mail refused x{sum(1 for e in ev if 'refused' in e[1])}"
                     f", webhook 503 x{n503}")
            if len(t503) > 1:
                line += f" over {t503[-1] - t503[0]:.0f}s"
            if acc and first:
                line += f", accepted {acc[0] - first:.0f}s after the first 503"
            line += (f" -> state {o['state']}, channel "
                     f"{o.get('channel') or '-'}")
            if o.get("acked_at"):
                line += f", acknowledged {o['acked_at']}"
            print(line)
            if o["state"] == "unreached":
                print("    the hub gave up before the receiver came back: its "
                      "retry budget (infrashared --delivery-attempts, "
                      "--retry-base-s) is shorter than the outage; try a "
                      "shorter --down-seconds")
        if len(down["orgs"]) > 10:
            st_down = {}
            for org in down["orgs"]:
                s = byorg.get(org, {}).get("state", "not a recipient")
                st_down[s] = st_down.get(s, 0) + 1
            print("  all down organisations: " + ", ".join(
                f"{k} {v}" for k, v in sorted(st_down.items())))
    cmp_ = r.get("comparison")
    if isinstance(cmp_, dict):
        print()
        print(f"前回比 / change against the previous drill "
              f"{cmp_['previous_drill']}: "
              f"{100 * cmp_['previous_reach_1d']:.1f} % -> "
              f"{100 * cmp_['reach_1d']:.1f} % "
              f"({100 * cmp_['change']:+.1f} points)")
    if st:
        print()
        print(f"receivers: {st['emails']} e-mails accepted, "
              f"{st['emails_refused']} refused, {st['webhooks']} webhooks "
              f"accepted, {st['webhooks_503']} answered 503, {st['gateway']} "
              f"gateway calls; {st['acks_ok']} links opened, "
              f"{st['acks_used']} already used, {st['acks_failed']} failed")
        if st.get("foreign"):
            print(f"  {st['foreign']} message(s) for other advisories (another "
                  "hub or advisory sending to the demo addresses): accepted, "
                  "not acknowledged")
        for e in st.get("ack_errors", [])[:5]:
            print(f"  ack error: {e}")


def cmd_get(a):
    d = json.load(sys.stdin)
    for k in a.field.split("."):
        d = d[k] if isinstance(d, dict) else d[int(k)]
    print(d if not isinstance(d, (dict, list)) else json.dumps(d))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--http-port", type=int, default=8090)
    s.add_argument("--smtp-port", type=int, default=2525)
    s.add_argument("--ack-share", type=float, default=0.85)
    s.add_argument("--down-org", default="")
    s.add_argument("--down-file")
    s.add_argument("--down-seconds", type=float, default=60)
    s.add_argument("--ack-delay-max", type=float, default=2.0)
    s.add_argument("--state-dir")
    s.add_argument("--advisory", help="acknowledge only this advisory "
                   "(else set later: PUT /_demo/advisory {\"advisory\": A})")
    s = sub.add_parser("ports")
    s.add_argument("--http-port", type=int, default=8090)
    s.add_argument("--smtp-port", type=int, default=2525)
    s = sub.add_parser("plan")
    s.add_argument("--url", required=True)
    s.add_argument("--target-kind", required=True,
                   choices=["ceptoar", "sector", "all"])
    s.add_argument("--target", default="")
    for name in ("pick-down", "members"):
        s = sub.add_parser(name)
        s.add_argument("--url", required=True)
        s.add_argument("--token", required=True)
        s.add_argument("--ceptoar", required=True)
        s.add_argument("--ack-share", type=float, default=0.85)
    s = sub.add_parser("acks")
    s.add_argument("--ack-share", type=float, default=0.85)
    s.add_argument("orgs", nargs="*")
    s = sub.add_parser("chain")
    s.add_argument("--url", required=True)
    s.add_argument("--token", required=True)
    s.add_argument("--advisory", required=True)
    s = sub.add_parser("wait")
    s.add_argument("--url", required=True)
    s.add_argument("--token", required=True)
    s.add_argument("--advisory", required=True)
    s.add_argument("--status-url")
    s.add_argument("--timeout", type=float, default=300)
    s.add_argument("--interval", type=float, default=2)
    s.add_argument("--every", type=float, default=10)
    s = sub.add_parser("summary")
    s.add_argument("--report", required=True)
    s.add_argument("--status")
    s.add_argument("--ack-share", type=float, default=0.85)
    s = sub.add_parser("get")
    s.add_argument("field")
    a = p.parse_args()
    fn = {"serve": cmd_serve, "ports": cmd_ports, "plan": cmd_plan, "pick-down": cmd_pick_down,
          "members": cmd_members, "acks": cmd_acks, "chain": cmd_chain,
          "wait": cmd_wait, "summary": cmd_summary, "get": cmd_get}[a.cmd]
    try:
        sys.exit(fn(a) or 0)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
