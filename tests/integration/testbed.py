"""The website test bed: a small Internet on 127.0.0.0/8 for the prober.

Stands in for operators' websites and the DNS so that tests of
infrashare-probe (and of the hub's observation scenarios) measure real
connections and real DNS answers without leaving the machine.

    bed = TestBed(tmp_path, providers=("a", "b"))
    s1 = bed.add_site(sector="energy", provider="a")       # www.s001.energy.test
    s2 = bed.add_site(sector="energy", provider="b", https=True)
    bed.start()
    bed.set(s1, latency=0.3)            # 300 ms before the response
    bed.set(s2, status=503)             # or mode="close" / "hang", body=...
    bed.set_client("127.0.0.2", latency=0.5)  # a slow vantage (--source)
    bed.stop_provider("b")              # s2's name no longer resolves
    bed.resolver                        # "127.0.0.1:PORT" for --resolver
    bed.write_sites(path, interval_s=2) # the prober's --sites file
    bed.requests(site=s1)               # what the server saw, its own clock
    bed.max_concurrency(s1.host)        # peak connections at once per host
    bed.close()

Web server: one asyncio loop in a thread of the test process, one listening
socket per site address (all on the same ephemeral port), plain or TLS (a
self-signed certificate made with openssl; bed.cacert trusts it). Sites are
found by the Host header and path, so several may share an address
(add_site(addr=...)). A connection is counted per host from its request
read to its response sent (or close); every request is recorded with the
server's monotonic timestamps (accepted, request read, response sent). Sites: 127.10.x.y; refused sites (nothing listens):
127.11.x.y.

DNS: Debian's dnsmasq: one per provider (host records of its zones and an
NS record per zone: ns1.provider-<p>.test) and one front server (the
resolver the prober uses; no cache) that forwards each zone to its
provider's server; stopping a provider's dnsmasq makes its names time out
at the front, as a provider outage does. All ports are ephemeral; works as
root and as an ordinary user.
"""
import asyncio
import os
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path


class TestBedError(Exception):
    pass


@dataclass
class Site:
    id: int
    host: str
    addr: str           # the address it resolves to ('' : no DNS record)
    zone: str           # the DNS zone ("s001.energy.test")
    sector: str
    provider: str
    https: bool
    path: str
    url: str = ""
    expected_status: int = 200
    content_match: str = ""
    listen: bool = True  # False: nothing listens (connection refused)


@dataclass
class Behaviour:
    latency: float = 0.0      # seconds before the response head
    status: int = 200
    mode: str = "ok"          # ok | close (at accept) | hang (never answer)
    body: str = "<html><body>infrashare test site</body></html>"


@dataclass
class Request:
    host: str
    addr: str
    path: str
    site_id: int
    accepted: float           # time.monotonic() of the server
    read: float = 0.0
    sent: float = 0.0
    status: int = 0
    client: str = ""          # the prober's source address


def _free_port(kind=socket.SOCK_STREAM, both=True):
    """A port free on 127.0.0.1 for TCP and UDP (dnsmasq takes both)."""
    for _ in range(50):
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.bind(("127.0.0.1", 0))
        port = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
        except OSError:
            t.close()
            u.close()
            continue
        t.close()
        u.close()
        return port
    raise TestBedError("no free port")


def _wire_name(name):
    out = b""
    for label in name.strip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return (out + b"\0").hex()


class TestBed:
    __test__ = False  # not a test class (pytest collects Test*)

    def __init__(self, workdir, providers=("a", "b"), dnsmasq=None):
        self.dir = Path(workdir) / "testbed"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.providers = list(providers)
        self.dnsmasq = dnsmasq or shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
        if not os.path.exists(self.dnsmasq):
            raise TestBedError("dnsmasq not found (scripts/deps.sh test)")
        self.sites = []
        self.behaviour = {}      # site id -> Behaviour
        self.lock = threading.Lock()
        self.log = []            # Request
        self.active = {}         # host -> connections open now
        self.peak = {}           # host -> the most at once
        self.port = 0
        self.tls_port = 0
        self.cacert = None
        self.resolver = None
        self._procs = {}         # "front" / provider -> Popen
        self._ports = {}
        self._loop = None
        self._thread = None
        self._servers = []
        self._by_addr = {}       # addr -> [site] (those listening there)
        self._by_host = {}       # host -> {path: site}
        self._started = False
        self._first_of_host = {}  # host -> its first site
        self.client_latency = {}  # prober source address -> extra seconds

    # ---- the sites ----
    def add_site(self, sector="energy", provider=None, https=False,
                 host=None, addr=None, path="/", resolve=True, listen=True,
                 expected_status=200, content_match=""):
        """A site; before start(). Defaults: www.sNNN.<sector>.test on
        127.10.x.y. host= reuses a host name of an earlier site (a second
        site on the same host, another path). resolve=False: no DNS record
        (NXDOMAIN). listen=False: an address nothing listens on."""
        if self._started:
            raise TestBedError("add sites before start()")
        n = len(self.sites) + 1
        provider = provider or self.providers[(n - 1) % len(self.providers)]
        if provider not in self.providers:
            raise TestBedError(f"unknown provider {provider}")
        same = [self._first_of_host[host]] \
            if host in self._first_of_host else []
        if same:
            zone, addr = same[0].zone, same[0]._addr
            provider = same[0].provider
        else:
            zone = f"s{n:03d}.{sector}.test"
            host = host or f"www.{zone}"
            if addr is None:
                net = 11 if not listen else 10
                addr = f"127.{net}.{n // 250}.{n % 250 + 1}"
        s = Site(id=n, host=host, addr=addr if resolve else "", zone=zone,
                 sector=sector, provider=provider, https=https, path=path,
                 expected_status=expected_status,
                 content_match=content_match, listen=listen)
        s._addr = addr
        self._first_of_host.setdefault(host, s)
        self.sites.append(s)
        self.behaviour[s.id] = Behaviour()
        return s

    def set(self, site, **kw):
        """Changes a site's behaviour now (latency, status, mode, body)."""
        with self.lock:
            b = self.behaviour[site.id]
            for k, v in kw.items():
                if not hasattr(b, k):
                    raise TestBedError(f"no behaviour {k}")
                setattr(b, k, v)

    def set_many(self, sites, **kw):
        for s in sites:
            self.set(s, **kw)

    def set_client(self, addr, latency=0.0):
        """Every response to probes from source address addr (a prober
        started with --source addr, e.g. one vantage point) is slower by
        latency seconds: a slow vantage point, not slow sites."""
        with self.lock:
            self.client_latency[addr] = latency

    # ---- start and stop ----
    def start(self):
        self._make_cert()
        self._start_web()
        for s in self.sites:
            scheme = "https" if s.https else "http"
            port = self.tls_port if s.https else self.port
            s.url = f"{scheme}://{s.host}:{port}{s.path}"
        self._start_dns()
        self._started = True
        return self

    def close(self):
        for name in list(self._procs):
            self._stop_proc(name)
        if self._loop:
            async def shut():
                for srv in self._servers:
                    srv.close()
            fut = asyncio.run_coroutine_threadsafe(shut(), self._loop)
            try:
                fut.result(5)
            except Exception:
                pass
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
            self._loop = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    # ---- DNS ----
    def _start_dns(self):
        for p in self.providers:
            port = _free_port()
            self._ports[p] = port
            lines = self._common_conf(port) + ["local=/test/"]
            seen = set()
            for s in self.sites:
                if s.provider != p:
                    continue
                record = f"host-record={s.host},{s.addr}"
                if s.addr and s.host not in seen:
                    lines.append(record)
                seen.add(s.host)
                ns = f"ns1.provider-{p}.test"
                line = f"dns-rr={s.zone},2,{_wire_name(ns)}"
                if line not in seen:
                    lines.append(line)
                    seen.add(line)
            self._run_dnsmasq(p, lines)
        port = _free_port()
        self._ports["front"] = port
        lines = self._common_conf(port) + ["cache-size=0", "no-negcache",
                                           "local=/test/"]
        zones = {}
        for s in self.sites:
            zones[s.zone] = s.provider
        for zone, p in sorted(zones.items()):
            lines.append(f"server=/{zone}/127.0.0.1#{self._ports[p]}")
        self._run_dnsmasq("front", lines)
        self.resolver = f"127.0.0.1:{port}"

    @staticmethod
    def _common_conf(port):
        return [f"port={port}", "listen-address=127.0.0.1",
                "bind-interfaces", "no-resolv", "no-hosts"]

    def _run_dnsmasq(self, name, lines):
        conf = self.dir / f"dnsmasq-{name}.conf"
        conf.write_text("\n".join(lines) + "\n")
        self._procs[name] = subprocess.Popen(
            [self.dnsmasq, "--keep-in-foreground", f"--conf-file={conf}",
             "--pid-file=", f"--log-facility={self.dir}/dnsmasq-{name}.log"],
            stdout=subprocess.DEVNULL, stderr=open(
                self.dir / f"dnsmasq-{name}.err", "w"))
        self._wait_dns(self._ports[name], name)

    def _wait_dns(self, port, name):
        """Until the server answers a query (any answer)."""
        q = (b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
             b"\x05probe\x04test\x00\x00\x01\x00\x01")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._procs[name].poll() is not None:
                err = (self.dir / f"dnsmasq-{name}.err").read_text()
                raise TestBedError(f"dnsmasq {name} exited: {err}")
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.settimeout(0.2)
            try:
                u.sendto(q, ("127.0.0.1", port))
                if u.recv(512)[:2] == b"\x12\x34":
                    return
            except OSError:
                time.sleep(0.05)
            finally:
                u.close()
        raise TestBedError(f"dnsmasq {name} does not answer")

    def _stop_proc(self, name):
        p = self._procs.pop(name, None)
        if p and p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def stop_provider(self, provider):
        """The provider's DNS servers stop: its names no longer resolve
        (the front's queries to it go unanswered)."""
        self._stop_proc(provider)

    def start_provider(self, provider):
        """Starts a stopped provider again on its port."""
        lines = (self.dir / f"dnsmasq-{provider}.conf").read_text()
        self._run_dnsmasq(provider, lines.strip().split("\n"))

    def ns_of(self, site):
        return f"ns1.provider-{site.provider}.test"

    # ---- the web server ----
    def _make_cert(self):
        if not any(s.https for s in self.sites):
            return
        key, crt = self.dir / "tls.key", self.dir / "tls.crt"
        names = ",".join(f"DNS:{s.host}" for s in self.sites if s.https)
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
             "-keyout", str(key), "-out", str(crt), "-days", "2",
             "-subj", "/CN=infrashare test bed", "-addext",
             f"subjectAltName={names}"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.cacert = str(crt)

    def _start_web(self):
        self._loop = asyncio.new_event_loop()
        ready = threading.Event()
        err = []

        def run():
            asyncio.set_event_loop(self._loop)
            try:
                self._loop.run_until_complete(self._listen_all())
            except Exception as e:  # reported to start()
                err.append(e)
            ready.set()
            if not err:
                self._loop.run_forever()
            self._loop.close()

        self._thread = threading.Thread(target=run, daemon=True,
                                        name="testbed-web")
        self._thread.start()
        ready.wait(30)
        if err:
            raise TestBedError(f"web server: {err[0]}")

    async def _listen_all(self):
        for s in self.sites:
            if s.listen:
                self._by_addr.setdefault(s._addr, []).append(s)
                self._by_host.setdefault(s.host, {})[s.path] = s
        plain = sorted({s._addr for s in self.sites
                        if s.listen and not s.https})
        tls = sorted({s._addr for s in self.sites if s.listen and s.https})
        ctx = None
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(self.cacert, str(self.dir / "tls.key"))
        self.port = await self._bind_group(plain, None)
        self.tls_port = await self._bind_group(tls, ctx)

    async def _bind_group(self, addrs, ctx):
        """Binds every address on one common port (retrying on a clash)."""
        if not addrs:
            return 0
        for _ in range(20):
            servers = []
            try:
                first = await asyncio.start_server(
                    self._handle, addrs[0], 0, ssl=ctx, backlog=512)
                servers.append(first)
                port = first.sockets[0].getsockname()[1]
                for a in addrs[1:]:
                    servers.append(await asyncio.start_server(
                        self._handle, a, port, ssl=ctx, backlog=512))
                self._servers += servers
                return port
            except OSError:
                for srv in servers:
                    srv.close()
        raise TestBedError("could not bind the site addresses")

    def _conn_open(self, host):
        with self.lock:
            n = self.active.get(host, 0) + 1
            self.active[host] = n
            self.peak[host] = max(self.peak.get(host, 0), n)

    def _conn_close(self, host):
        with self.lock:
            self.active[host] -= 1

    async def _handle(self, reader, writer):
        """One connection: the site is found by the Host header and path
        (several sites may share an address); "close" sites of an address
        whose sites all close are cut at accept."""
        accepted = time.monotonic()
        addr = writer.get_extra_info("sockname")[0]
        on_addr = self._by_addr.get(addr, [])
        with self.lock:
            cut = on_addr and all(self.behaviour[x.id].mode == "close"
                                  for x in on_addr)
            if cut:
                self.log.append(Request(on_addr[0].host, addr, "",
                                        on_addr[0].id, accepted))
        if cut:
            writer.transport.abort()
            return
        host = None
        try:
            try:
                head = await asyncio.wait_for(
                    reader.readuntil(b"\r\n\r\n"), 30)
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                    asyncio.TimeoutError, ConnectionError, ssl.SSLError):
                return
            read = time.monotonic()
            lines = head.decode("latin-1").split("\r\n")
            parts = lines[0].split(" ")
            path = parts[1] if len(parts) > 1 else "/"
            host = addr
            for h in lines[1:]:
                if h.lower().startswith("host:"):
                    host = h[5:].strip().rsplit(":", 1)[0].lower()
            site = self._by_host.get(host, {}).get(path)
            self._conn_open(host)
            client = writer.get_extra_info("peername")[0]
            req = Request(host, addr, path, site.id if site else 0,
                          accepted, read, client=client)
            with self.lock:
                self.log.append(req)
                b = Behaviour(**vars(self.behaviour[site.id])) if site \
                    else Behaviour(status=404, body="no such site")
                b.latency += self.client_latency.get(client, 0.0)
            if b.mode == "close":
                writer.transport.abort()
                return
            if b.mode == "hang":
                await reader.read()  # until the client gives up
                return
            if b.latency > 0:
                await asyncio.sleep(b.latency)
            body = b.body.encode()
            reason = {200: "OK", 404: "Not Found"}.get(b.status, "Status")
            writer.write(
                f"HTTP/1.1 {b.status} {reason}\r\nContent-Type: text/html\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
                .encode() + body)
            req.sent = time.monotonic()
            req.status = b.status
            # counted closed now (synchronously after the write): the
            # client cannot have seen the response before this point
            self._conn_close(host)
            host = None
            try:
                await writer.drain()
                writer.close()
            except (ConnectionError, ssl.SSLError):
                pass
        finally:
            if host is not None:
                self._conn_close(host)
            try:
                writer.close()
            except Exception:
                pass

    # ---- what the server saw ----
    def requests(self, site=None):
        with self.lock:
            return [r for r in self.log
                    if site is None or r.site_id == site.id]

    def reset_log(self):
        with self.lock:
            self.log = []
            self.peak = {}

    def max_concurrency(self, host):
        with self.lock:
            return self.peak.get(host, 0)

    # ---- the prober's input ----
    def site_json(self, s, interval_s=60):
        return {"id": s.id, "url": s.url, "expected_status":
                s.expected_status, "content_match": s.content_match or None,
                "interval_s": interval_s}

    def write_sites(self, path, sites=None, interval_s=60):
        import json
        sites = self.sites if sites is None else sites
        with open(path, "w") as f:
            for s in sites:
                f.write(json.dumps(self.site_json(s, interval_s)) + "\n")
        return path
