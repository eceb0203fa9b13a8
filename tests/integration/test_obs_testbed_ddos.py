"""The DDoS scenario of issue 12 with every real part (docs/rules.md
"Website response observation"): the loopback test bed stands in for the
Internet (a real web server on addresses across 127.0.0.0/8, real dnsmasq
DNS providers), the real `infrashare-probe` is a vantage point registered
through the API that probes it and pushes signed batches to the real
daemon. Baselines are prelearned from a signed history of the bed's own
normal response times; then a third of one sector's sites slow down
together on the bed (from 0.3 s to 1.5 s per response) and the vantage point's
next rounds are counted: no alert after two rounds, exactly one
sector-wide alert (for that sector only) at the third. Counted in probe
rounds, never in seconds."""
import base64

import nacl.signing
import pytest

from obs_bed import ObsHub
from test_probe import run_probe
from testbed import TestBed

N = 30  # sites per sector
SLOW = 10  # of the first sector's
# Every site's normal: 0.3 s before its response. A loaded machine (the
# test command runs the browser tests beside this) can add some hundred
# ms to one response; against a 2 ms normal that alone crossed the slow
# threshold's 200 ms floor (a site alert on a normal site, seen once).
# Against 0.3 s the threshold is 3x = 0.9 s, and the slowed sites' 1.5 s
# (never less: the bed waits that long before it answers) is 0.6 s over
# it; the learned normal may be up to 0.5 s (a machine that stalled while
# it was measured) before 3x of it passes the slowed sites.
NORMAL, SLOWED = 0.3, 1.5


@pytest.fixture
def world(tmp_path):
    bed = TestBed(tmp_path / "bed", providers=("a", "b"))
    gas = [bed.add_site(sector="gas", provider="ab"[i % 2]) for i in range(N)]
    water = [bed.add_site(sector="water", provider="ab"[i % 2])
             for i in range(N)]
    bed.start()
    bed.set_many(gas + water, latency=NORMAL)
    (tmp_path / "hub").mkdir()
    h = ObsHub(tmp_path / "hub")
    h.init_fixture()
    h.add_user("nisc-a", "nisc", "reader,liaison,analyst")
    for sector, cep, sites, base in (("gas", "ceptoar-gas", gas, 1),
                                     ("water", "ceptoar-water", water, 101)):
        h.add_operator(f"op-{sector}", scope=sector, ceptoars=(cep,))
        h.participate(cep)
        h.add_sites([{"id": base + i, "org": f"op-{sector}", "host": s.host,
                      "url": s.url, "addr": s.addr, "interval": 1}
                     for i, s in enumerate(sites)])
    h.start()
    # the vantage point's key: made here (so the harness can also sign
    # the prelearned history), written in the prober's key format (base64
    # of libsodium's 64-byte secret key: seed and public key)
    sk = nacl.signing.SigningKey.generate()
    key = tmp_path / "v.key"
    key.write_text(base64.b64encode(bytes(sk) + bytes(sk.verify_key))
                   .decode() + "\n")
    key.chmod(0o600)
    r = h.api("POST", "/api/v1/observation/vantages",
              token=h.token("admin", name="vantage"),
              json={"id": "tokyo-1", "name_ja": "東京拠点", "name_en": "Tokyo",
                    "public_key": base64.b64encode(bytes(sk.verify_key))
                    .decode()})
    assert r.status_code == 201, r.text
    h.keys["tokyo-1"] = sk
    h.seq["tokyo-1"] = 1
    yield bed, h, key, r.json()["token"], gas, water
    h.stop()
    bed.close()


def rounds(h, bed, key, token, n):
    run_probe("--hub", h.url, "--vantage", "tokyo-1", "--key", key,
              "--token", token, "--resolver", bed.resolver, "--rounds", n,
              "--batch-s", 1)


def recent_slow(h, ids):
    """The sites among ids with a result judged slow among their newest
    three: a site turns slow at 3 slow verdicts of its newest 5
    (core/obs_state.h), so after one of those two slowed rounds would make
    three."""
    rows = h.db_rows("SELECT DISTINCT r.site_id FROM obs_results r WHERE "
                     "r.vantage_id = 'tokyo-1' AND r.verdict = 'slow' AND "
                     "(SELECT count(*) FROM obs_results x WHERE x.site_id = "
                     "r.site_id AND x.vantage_id = 'tokyo-1' AND x.id > "
                     "r.id) < 3")
    want = set(ids)
    return [r["site_id"] for r in rows if r["site_id"] in want]


def open_alerts(h):
    return [a for a in h.alerts("nisc-a") if a["state"] == "open"]


def test_sector_ddos_on_the_test_bed_is_one_sector_alert_in_three_rounds(
        world):
    bed, h, key, token, gas, water = world
    # the normal of the sites, from two first real rounds of the prober:
    # each site's faster probe, and of those the low quartile. A stall of
    # the machine only ever adds time; one that met a round's probes (all
    # at once: 60 in 0.3 s) would have moved their median, and 3x of it
    # could pass the slowed sites' time, so that no alert ever came.
    rounds(h, bed, key, token, 2)
    first = {}
    for r in h.db_rows("SELECT site_id, total_ms FROM obs_results WHERE "
                       "vantage_id = 'tokyo-1'"):
        first.setdefault(r["site_id"], []).append(r["total_ms"])
    assert len(first) == 2 * N and all(
        len(v) == 2 and min(v) > 0 for v in first.values()), first
    usual = sorted(min(v) for v in first.values())[len(first) // 4]
    # the harness signs after the prober's batches (seq: ms since the
    # epoch), the prober's next ones come after the harness's
    h.seq["tokyo-1"] = h.db_rows("SELECT last_seq FROM obs_vantages WHERE "
                                 "id = 'tokyo-1'")[0]["last_seq"]
    # two past weeks around this hour of the week at the bed's normal
    # (a little spread, as real measurements have)
    h.prelearn("tokyo-1", sorted(first),
               lambda s, t: usual * (0.9 + 0.2 * ((int(t) // 300 + s) % 5) / 4))
    rounds(h, bed, key, token, 2)
    assert open_alerts(h) == [], "no alert while the sites are normal"
    # the count of slow rounds starts from normal ones: a stall of the
    # machine in one of the last three rounds (a normal site's probe
    # judged slow) would make the second slowed round a site's third slow
    # verdict of five. More normal rounds until the newest three judged
    # every gas site normal (the hub's own verdicts, never a clock of the
    # test's).
    for _ in range(6):
        if not recent_slow(h, range(1, N + 1)):
            break
        rounds(h, bed, key, token, 1)
    assert not recent_slow(h, range(1, N + 1)), "the bed stays slow"
    assert open_alerts(h) == [], "no alert while the sites are normal"

    bed.set_many(gas[:SLOW], latency=SLOWED)
    rounds(h, bed, key, token, 2)
    assert open_alerts(h) == [], "two slow rounds change no state"
    rounds(h, bed, key, token, 1)
    every = open_alerts(h)
    # each slowed site keeps its own site alert (docs/rules.md
    # "Correlation", 4)
    assert {a["sites"][0]["id"] for a in every if a["kind"] == "site"} == \
        set(range(1, SLOW + 1)), every
    alerts = [a for a in every if a["kind"] != "site"]
    assert [(a["kind"], a["key"]) for a in alerts] == [("sector", "gas")], \
        alerts
    # the hub's verdicts, which the normal rounds above were judged by:
    # every slowed site's. A stall of the machine in one of these rounds
    # may add one normal site's single slow verdict (site 26, once, in a
    # full run beside the browser tests); one verdict of five does not
    # make a site slow, and the alert's sites below are the slowed ones
    assert set(range(1, SLOW + 1)) <= set(recent_slow(h, range(1, N + 1)))
    a = alerts[0]
    assert a["condition"] == "slow" and a["site_count"] == SLOW
    assert {s["id"] for s in a["sites"]} == set(range(1, SLOW + 1))
    # the slow sites' own states; the other sector untouched
    states = {r["site_id"]: r["state"] for r in h.db_rows(
        "SELECT site_id, state FROM obs_states")}
    assert {states[i] for i in range(1, SLOW + 1)} == {"slow"}
    assert "slow" not in {states.get(i) for i in range(SLOW + 1, N + 1)}
    assert "slow" not in {states.get(101 + i) for i in range(N)}

