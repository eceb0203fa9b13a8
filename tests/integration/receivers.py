"""Real receivers for the provision (情報提供) integration tests.

* WebhookReceiver: an http.server.ThreadingHTTPServer on 127.0.0.1 and an
  ephemeral port. It records every request (path, headers, body, time) and
  answers per path prefix with a behaviour that a test sets: "ok" (200),
  an HTTP status (e.g. 500, 410), ("slow", seconds) (sleeps, then 200),
  "hang" (accepts and never answers until the receiver stops) or "drop"
  (reads the request and closes the connection without an answer).
* SMTPReceiver: an aiosmtpd SMTP server run in-process on its own asyncio
  loop in a thread, on 127.0.0.1 and an ephemeral port. It records every
  accepted message and can refuse recipients ("550 no such user") or fail
  the DATA phase a number of times (by dropping the connection or by a
  421 reply).
* closed_port(): a port on 127.0.0.1 held where nothing listens (connection
  refused).
"""
import asyncio
import email
import email.policy
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.smtp import SMTP


# the sockets closed_port() holds, for the life of the test process
_HELD_PORTS = []

# an advisory's message is checked against the OpenAPI document's
# WebhookPayload (loaded once, when the first one arrives)
_PAYLOAD_CHECK = {}


def payload_errors(body):
    """What in an advisory message's JSON body does not match
    WebhookPayload (docs/openapi.json); [] for a match or another kind of
    message (a report alert, a reminder, an observation alert)."""
    try:
        obj = json.loads(body)
    except ValueError:
        return []
    if not isinstance(obj, dict) or obj.get("type") != "advisory":
        return []
    if "v" not in _PAYLOAD_CHECK:
        from conftest import OPENAPI
        from openapi_check import Validator
        _PAYLOAD_CHECK["v"] = Validator.from_file(OPENAPI)
    return _PAYLOAD_CHECK["v"].component_errors("WebhookPayload", obj)


def closed_port():
    """A port on 127.0.0.1 that refuses connections. The socket stays
    bound but never listens, for the rest of the process: a port that was
    merely closed again could be taken meanwhile by another test's server
    or by a parallel worker's hub (pytest-xdist)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    _HELD_PORTS.append(s)
    return s.getsockname()[1]


class Hit:
    """One request the webhook receiver saw."""

    def __init__(self, path, headers, body, answered):
        self.path = path
        self.headers = headers          # dict, lower-case names
        self.body = body                # bytes
        self.answered = answered        # the status sent (None: none)
        self.done = None                # when the answer was sent
        self.t = time.monotonic()
        self.wall = time.time()

    @property
    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"Hit({self.path!r}, {self.answered})"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 1024
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass    # a client that went away (timeout, SIGKILL) is expected


class WebhookReceiver:
    def __init__(self, default="ok"):
        self.default = default
        self.modes = {}                 # path prefix -> behaviour
        self.hits = []
        self.mismatches = []  # advisory messages unlike WebhookPayload
        self.lock = threading.Lock()
        self.release = threading.Event()  # ends "hang"
        self.open_hangs = 0
        recv = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                mode = recv.mode_for(self.path)
                hit = Hit(self.path, headers, body, None)
                errs = payload_errors(body)
                if errs:
                    with recv.lock:
                        recv.mismatches.append((self.path, errs))
                recv._add(hit)     # seen on arrival; answered set below
                if mode == "hang":
                    with recv.lock:
                        recv.open_hangs += 1
                    try:
                        recv.release.wait()
                    finally:
                        with recv.lock:
                            recv.open_hangs -= 1
                    self.close_connection = True
                    return
                if mode == "drop":
                    self.close_connection = True
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    return
                if isinstance(mode, tuple) and mode[0] == "slow":
                    time.sleep(mode[1])
                    status = 200
                elif isinstance(mode, int):
                    status = mode
                else:
                    status = 200
                out = b'{"ok":true}' if status < 300 else b'{"ok":false}'
                # set before the answer leaves, so that whoever sees the
                # daemon record it also sees it here
                with recv.lock:
                    hit.answered = status
                    hit.done = time.monotonic()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(out)))
                    self.end_headers()
                    self.wfile.write(out)
                    self.wfile.flush()
                except OSError:
                    with recv.lock:
                        hit.answered = None  # the client had gone
                    self.close_connection = True

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05},
                                       daemon=True)

    # ---- lifecycle ----
    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        assert not self.mismatches, (
            "advisory messages that do not match WebhookPayload "
            f"(docs/openapi.json): {self.mismatches[:3]}")

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ---- behaviour ----
    def url(self, path="/hook"):
        return f"http://127.0.0.1:{self.port}{path}"

    def set_mode(self, prefix, mode):
        with self.lock:
            self.modes[prefix] = mode

    def mode_for(self, path):
        with self.lock:
            best = None
            for prefix, mode in self.modes.items():
                if path.startswith(prefix) and (best is None or
                                                len(prefix) > len(best[0])):
                    best = (prefix, mode)
        return best[1] if best else self.default

    # ---- what was seen ----
    def _add(self, hit):
        with self.lock:
            self.hits.append(hit)

    def seen(self, prefix="/", answered_ok=None):
        """Requests whose path starts with prefix; answered_ok=True keeps
        those answered 2xx (delivered), False the others."""
        with self.lock:
            out = [h for h in self.hits if h.path.startswith(prefix)]
        if answered_ok is True:
            out = [h for h in out if h.answered and 200 <= h.answered < 300]
        elif answered_ok is False:
            out = [h for h in out
                   if not (h.answered and 200 <= h.answered < 300)]
        return out

    def count(self, prefix="/", answered_ok=None):
        return len(self.seen(prefix, answered_ok))


class Mail:
    """One message the SMTP receiver accepted."""

    def __init__(self, mail_from, rcpt_tos, raw):
        self.mail_from = mail_from
        self.rcpt_tos = list(rcpt_tos)
        self.raw = raw
        self.msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.t = time.monotonic()

    @property
    def subject(self):
        return str(self.msg["Subject"])

    @property
    def text(self):
        return self.msg.get_content()

    def __getitem__(self, name):
        return self.msg[name]

    def __repr__(self):
        return f"Mail({self.rcpt_tos}, {self.subject!r})"


class SMTPReceiver:
    def __init__(self):
        self.messages = []
        self.refuse = set()      # recipient addresses answered 550
        self.fail_data = {}      # address -> [count, "drop" | "421"]
        self.events = []         # (kind, address) for refused/failed tries
        self.lock = threading.Lock()
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.port = None

    # the aiosmtpd handler
    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        with self.lock:
            refused = address in self.refuse
            if refused:
                self.events.append(("refused", address))
        if refused:
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        how = None
        with self.lock:
            for a in envelope.rcpt_tos:
                f = self.fail_data.get(a)
                if f and f[0] > 0:
                    f[0] -= 1
                    how = f[1]
                    self.events.append((how, a))
                    break
        if how == "drop":
            server.transport.close()
            return "250 OK"      # never reaches the client
        if how == "421":
            return "421 service not available, closing channel"
        with self.lock:
            self.messages.append(Mail(envelope.mail_from, envelope.rcpt_tos,
                                      envelope.original_content))
        return "250 Message accepted for delivery"

    def _run(self):
        asyncio.set_event_loop(self.loop)

        async def serve():
            self.server = await self.loop.create_server(
                lambda: SMTP(self, hostname="infrashare-test-mx",
                             loop=self.loop),
                "127.0.0.1", 0)
            self.port = self.server.sockets[0].getsockname()[1]
            self.ready.set()

        self.loop.run_until_complete(serve())
        self.loop.run_forever()
        self.server.close()
        self.loop.run_until_complete(self.server.wait_closed())
        self.loop.close()

    def start(self):
        self.thread.start()
        assert self.ready.wait(10), "SMTP receiver did not start"
        return self

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def to(self, address):
        with self.lock:
            return [m for m in self.messages if address in m.rcpt_tos]

    def count_events(self, kind, address):
        with self.lock:
            return sum(1 for k, a in self.events if k == kind and a == address)
