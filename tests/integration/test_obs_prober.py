"""The hub's own prober (infrashared --probe, the default; issue 12,
docs/rules.md "Ingest, storage and alerts"): a thread running the probe
engine on the assigned sites, its results ingested as vantage point 'hub'
through the same pipeline as a pushed batch. Real daemon, the loopback
test bed (real web server, real dnsmasq). Waits on rows, never on time."""
import pytest

from conftest import wait_for
from obs_bed import ObsHub
from testbed import TestBed


@pytest.fixture
def tbed(tmp_path):
    b = TestBed(tmp_path / "bed", providers=("a", "b"))
    good = b.add_site(sector="gas", provider="a")
    down = b.add_site(sector="gas", provider="b", listen=False)
    demo = b.add_site(sector="gas", provider="a")
    paused = b.add_site(sector="gas", provider="b")
    b.start()
    b.roles = {"good": good, "down": down, "demo": demo, "paused": paused}
    yield b
    b.close()


def make(tmp_path, tbed, probe):
    h = ObsHub(tmp_path / "hub", probe=probe)
    (tmp_path / "hub").mkdir()
    h.init_fixture()
    h.add_operator("op-a")
    h.participate("ceptoar-gas")
    r = tbed.roles
    h.add_sites([
        {"id": 1, "org": "op-a", "host": r["good"].host, "url": r["good"].url,
         "interval": 1},
        {"id": 2, "org": "op-a", "host": r["down"].host, "url": r["down"].url,
         "interval": 1},
        {"id": 3, "org": "op-a", "host": r["demo"].host, "url": r["demo"].url,
         "interval": 1, "demo": True},
        {"id": 4, "org": "op-a", "host": r["paused"].host,
         "url": r["paused"].url, "interval": 1, "paused": True},
    ])
    return h.start()


def test_hub_prober_probes_assigned_sites(tmp_path, tbed):
    h = make(tmp_path, tbed, ["--probe", "--probe-resolver", tbed.resolver])
    try:
        def outcomes():
            rows = h.db_rows("SELECT site_id, outcome, vantage_id, dns_ms, "
                             "total_ms, addr FROM obs_results")
            seen = {}
            for r in rows:
                seen.setdefault(r["site_id"], r)
            return seen if {1, 2} <= set(seen) else None
        seen = wait_for(outcomes, timeout=60, what="the hub's results")
        assert seen[1]["outcome"] == "ok" and seen[1]["vantage_id"] == "hub"
        assert seen[1]["dns_ms"] >= 0 and seen[1]["total_ms"] > 0
        assert seen[1]["addr"] == tbed.roles["good"].addr
        assert seen[2]["outcome"] == "refused"
        # the rollups and states follow the same pipeline
        wait_for(lambda: h.db_rows("SELECT 1 FROM obs_rollups WHERE "
                                   "vantage_id = 'hub' AND site_id = 1"),
                 what="a rollup")
        assert h.db_rows("SELECT id FROM obs_vantages WHERE id = 'hub'")
        # demo sites and paused sites are never probed
        wait_for(lambda: len(h.db_rows("SELECT 1 FROM obs_results WHERE "
                                       "site_id = 1")) >= 3,
                 what="three rounds")
        assert not h.db_rows("SELECT 1 FROM obs_results WHERE site_id IN "
                             "(3, 4)")
        assert not [q for q in tbed.requests()
                    if q.host in (tbed.roles["demo"].host,
                                  tbed.roles["paused"].host)]
    finally:
        h.stop()


def test_no_probe_runs_no_prober(tmp_path, tbed):
    h = make(tmp_path, tbed, [])
    try:
        # the worker's passes show the hub is running; no prober ran
        h.wait_ticks(3)
        assert h.count("obs_results") == 0
        assert tbed.requests() == []
    finally:
        h.stop()
