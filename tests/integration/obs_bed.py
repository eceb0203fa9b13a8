"""Website response observation (issue 12): a harness that registers
operators, sites and vantage points in a fresh hub and pushes signed result
batches to the real daemon (POST /api/v1/observations), as a vantage point
(infrashare-probe) does. Sites and vantage points are written into the
database before the daemon starts (their registration API is tested in
test_sites.py); everything observed goes through the HTTP API.

Times: a result's `at` may be up to 30 days old in --test-mode, so a
simulated history (two past weeks around the current hour of the week) is
pushed in batches to let the baselines learn; the scenario's rounds are
then pushed at one-minute steps just before now. Rounds are counted, not
seconds."""
import base64
import json
import time
from datetime import datetime, timezone

import nacl.signing

import hubdb

from test_provision_features import ProvHub, base_flags

WEEK = 7 * 86400


def iso(t):
    """RFC 3339 with milliseconds, UTC."""
    whole = int(t)
    ms = int(round((t - whole) * 1000)) % 1000
    return (datetime.fromtimestamp(whole, timezone.utc)
            .strftime("%Y-%m-%dT%H:%M:%S") + f".{ms:03d}Z")


class ObsHub(ProvHub):
    """A ProvHub in --test-mode with observation helpers."""

    def __init__(self, workdir, smtp=None, probe=(), **kw):
        """probe: the hub prober's flags (e.g. ["--probe-resolver",
        bed.resolver]); empty: --no-probe."""
        flags = base_flags(smtp) + ["--test-mode"] + (
            list(probe) if probe else ["--no-probe"])
        super().__init__(workdir, flags=flags, **kw)
        self.keys = {}
        self.seq = {}
        self.site_rows = {}

    # ---- registration (before start) ----
    def sql(self, sql, *args, many=None):
        con = hubdb.connect(self.db, timeout=30)
        try:
            if many is not None:
                con.executemany(sql, many)
            else:
                con.execute(sql, args)
            con.commit()
        finally:
            con.close()

    def participate(self, *ceptoars):
        now = int(time.time())
        for c in ceptoars:
            self.sql("INSERT INTO obs_participants(ceptoar_id, joined_at, "
                     "by_user) VALUES (?, ?, 1) ON CONFLICT DO NOTHING", c,
                     now)

    def add_sites(self, rows):
        """rows: dicts {id, org, host, addr?, dns?, hosting?, notify?,
        interval?, paused?, label?}."""
        now = int(time.time())
        vals = []
        for r in rows:
            self.site_rows[r["id"]] = r
            vals.append((r["id"], r["org"], r.get("url", f"http://{r['host']}/"),
                         r["host"],
                         r.get("label", r["host"]), r.get("interval", 60),
                         1 if r.get("notify") else 0,
                         1 if r.get("paused") else 0, r.get("hosting", ""),
                         r.get("dns", ""), 1 if r.get("demo") else 0, now, now))
        self.sql("INSERT INTO obs_sites(id, org_id, url, host, label, "
                 "interval_s, notify, paused, hosting, dns_provider, demo, "
                 "registered_by, created_at, updated_at) VALUES (?, ?, ?, ?, "
                 "?, ?, ?, ?, ?, ?, ?, 1, ?, ?)", many=vals)

    def add_vantage(self, vid):
        key = nacl.signing.SigningKey.generate()
        self.keys[vid] = key
        self.seq[vid] = int(time.time() * 1000)
        pub = base64.b64encode(bytes(key.verify_key)).decode()
        self.sql("INSERT INTO obs_vantages(id, name_ja, name_en, public_key, "
                 "created_at) VALUES (?, ?, ?, ?, ?)", vid, f"観測点 {vid}",
                 f"Vantage {vid}", pub, int(time.time()))
        return key

    # ---- pushing ----
    def push_raw(self, vid, body: bytes, sig=None, vantage_header=None):
        if sig is None:
            sig = base64.b64encode(
                self.keys[vid].sign(body).signature).decode()
        headers = {"Content-Type": "application/json",
                   "X-Infrashare-Vantage": vantage_header or vid}
        if sig is not False:
            headers["X-Infrashare-Signature"] = sig
        return self.post("/api/v1/observations", data=body, headers=headers)

    def batch(self, vid, results, seq=None, sent_at=None):
        if seq is None:
            self.seq[vid] += 1
            seq = self.seq[vid]
        return json.dumps({"vantage": vid, "seq": seq,
                           "sent_at": sent_at or iso(time.time()),
                           "results": results}).encode()

    def push(self, vid, results, **kw):
        r = self.push_raw(vid, self.batch(vid, results, **kw))
        assert r.status_code == 202, r.text
        assert r.json() == {"accepted": len(results)}
        return r

    def push_many(self, vid, results, size=1000):
        for i in range(0, len(results), size):
            self.push(vid, results[i:i + size])

    @staticmethod
    def result(site, at, total=100.0, outcome="ok", addr="", status=None,
               ns=""):
        ok = outcome == "ok"
        r = {"site": site, "at": iso(at), "outcome": outcome,
             "status": status if status is not None else (200 if ok else 0),
             "dns_ms": 2.0 if outcome != "dns" else -1,
             "connect_ms": 1.0 if ok or outcome not in ("dns", "refused") else -1,
             "tls_ms": -1,
             "ttfb_ms": round(total * 0.8, 1) if ok else -1,
             "total_ms": round(total, 1) if ok else -1}
        if addr:
            r["addr"] = addr
        if ns:
            r["ns"] = ns
        return r

    def prelearn(self, vid, sites, usual, weeks=(1, 2), now=None):
        """Two past weeks of results, one per 5 minutes, from two hours
        before to one hour after the current time of the week: usual(site,
        t) gives each total (ms). Enough for a usable baseline
        (core/obs_baseline.h OBS_BASELINE_MIN_N) of every hour the rounds
        touch, and first results older than the learning period."""
        now = now or time.time()
        out = []
        for w in sorted(weeks, reverse=True):
            for k in range(-24, 13):
                t = now - w * WEEK + k * 300
                for s in sites:
                    out.append(self.result(s, t, usual(s, t),
                                           addr=self.site_rows[s].get("addr", "")))
        self.push_many(vid, out)

    def round(self, vid, sites, at, total_of):
        """One probe round: total_of(site) -> ms, or an outcome string."""
        rs = []
        for s in sites:
            v = total_of(s)
            addr = self.site_rows[s].get("addr", "")
            if isinstance(v, str):
                rs.append(self.result(s, at, outcome=v, addr=addr))
            else:
                rs.append(self.result(s, at, v, addr=addr))
        self.push_many(vid, rs)

    # ---- reading ----
    def alerts(self, user, **q):
        qs = "&".join(f"{k}={v}" for k, v in q.items())
        return self.ok("GET", "/api/v1/observation/alerts" +
                       (f"?{qs}" if qs else ""), user)["items"]

    def count(self, table):
        return self.db_rows(f"SELECT count(*) AS n FROM {table}")[0]["n"]
