"""A vantage point on another network (issue 12, docs/rules.md "The
prober" and "Ingest, storage and alerts"), end to end with the real
parts: the real `infrashare-probe` in push mode probes the loopback test
bed (real web server, real dnsmasq) and pushes Ed25519-signed batches to
the real daemon, registered through the API. The hub stores the results
under that vantage point, a second run continues the batch sequence, and
a vantage point whose key is not the registered one gets nothing stored.
Waits on rows and exit codes, never on time."""
import base64

import pytest
import requests

from conftest import assert_error
from obs_bed import ObsHub
from test_probe import run_probe
from testbed import TestBed


@pytest.fixture
def world(tmp_path):
    bed = TestBed(tmp_path / "bed", providers=("a", "b"))
    up = [bed.add_site(sector="gas", provider=p) for p in ("a", "b", "a")]
    down = bed.add_site(sector="gas", provider="b", listen=False)
    bed.start()
    (tmp_path / "hub").mkdir()
    h = ObsHub(tmp_path / "hub")
    h.init_fixture()
    h.add_operator("op-a")
    h.participate("ceptoar-gas")
    h.add_sites([{"id": i + 1, "org": "op-a", "host": s.host, "url": s.url,
                  "interval": 1} for i, s in enumerate(up + [down])])
    h.start()
    admin = h.token("admin", name="vantage")
    yield bed, h, admin, up, down
    h.stop()
    bed.close()


def register(h, admin, tmp_path, vid):
    key = tmp_path / f"{vid}.key"
    pub = run_probe("--keygen", key).stdout.strip()
    assert len(base64.b64decode(pub)) == 32
    r = h.api("POST", "/api/v1/observation/vantages", token=admin,
              json={"id": vid, "name_ja": f"観測点 {vid}",
                    "name_en": f"Vantage {vid}", "public_key": pub})
    assert r.status_code == 201, r.text
    return key, r.json()["token"]


def push(h, bed, vid, key, token, rounds=2, check=True):
    return run_probe("--hub", h.url, "--vantage", vid, "--key", key,
                     "--token", token, "--resolver", bed.resolver,
                     "--rounds", rounds, "--batch-s", 1, check=check)


def test_a_vantage_point_pushes_signed_batches_to_the_hub(world, tmp_path):
    bed, h, admin, up, down = world
    key, token = register(h, admin, tmp_path, "osaka-1")
    push(h, bed, "osaka-1", key, token)
    rows = h.db_rows("SELECT site_id, outcome, dns_ms, total_ms, addr FROM "
                     "obs_results WHERE vantage_id = 'osaka-1'")
    by = {}
    for r in rows:
        by.setdefault(r["site_id"], []).append(r)
    assert sorted(by) == [1, 2, 3, 4]
    for sid, s in enumerate(up, start=1):
        assert [r["outcome"] for r in by[sid]] == ["ok", "ok"]
        assert all(r["dns_ms"] >= 0 and r["total_ms"] > 0 and
                   r["addr"] == s.addr for r in by[sid])
    assert [r["outcome"] for r in by[4]] == ["refused", "refused"]
    # the same pipeline as every batch: rollups and states per vantage
    assert h.db_rows("SELECT 1 FROM obs_rollups WHERE vantage_id = "
                     "'osaka-1' AND site_id = 1")
    seq1 = h.db_rows("SELECT last_seq FROM obs_vantages WHERE id = "
                     "'osaka-1'")[0]["last_seq"]
    assert seq1 > 0
    # a second run of the vantage point continues: later batches, taken
    push(h, bed, "osaka-1", key, token, rounds=1)
    seq2 = h.db_rows("SELECT last_seq FROM obs_vantages WHERE id = "
                     "'osaka-1'")[0]["last_seq"]
    assert seq2 > seq1
    assert len(h.db_rows("SELECT 1 FROM obs_results WHERE vantage_id = "
                         "'osaka-1'")) == 12
    # the probes were the bed's real requests, from this prober
    assert {q.host for q in bed.requests()} >= {s.host for s in up}


def test_a_key_that_is_not_the_registered_one_stores_nothing(world,
                                                               tmp_path):
    bed, h, admin, up, down = world
    _, token = register(h, admin, tmp_path, "kobe-1")
    other = tmp_path / "other.key"
    run_probe("--keygen", other)
    p = push(h, bed, "kobe-1", other, token, rounds=1, check=False)
    assert p.returncode != 0
    assert "401" in p.stderr
    assert h.db_rows("SELECT count(*) AS n FROM obs_results")[0]["n"] == 0
    assert h.db_rows("SELECT last_seq FROM obs_vantages WHERE id = "
                     "'kobe-1'")[0]["last_seq"] == 0


def test_a_vantage_id_of_other_bytes_than_text_is_401(world, tmp_path):
    """Found by fuzz/api_fuzz.py: the X-Infrashare-Vantage header's bytes
    went to the store as they came; PostgreSQL refuses bytes that are
    not UTF-8 in a text parameter, so the push was a 500 there. No id is
    anything but text: the answer is the 401 of an unknown vantage point,
    and nothing is stored."""
    bed, h, admin, up, down = world
    _, token = register(h, admin, tmp_path, "nara-1")
    for vid in (b"\x82", b"nara-1\xff", b"\xe3\x81"):
        r = requests.post(h.url + "/api/v1/observations", data=b"{}",
                          timeout=30, headers={
                              "Authorization": f"Bearer {token}",
                              "Content-Type": "application/json",
                              "X-Infrashare-Vantage": vid,
                              "X-Infrashare-Signature": "AAAA"})
        assert_error(r, 401, "unauthenticated", "X-Infrashare-Vantage")
    assert h.db_rows("SELECT count(*) AS n FROM obs_results")[0]["n"] == 0
