"""Website response observation: whether a reader's counts of sites are
exact is decided on every site counted (docs/rules.md "Every count of
sites follows that rule"), so that no reader learns of a site it may not
see, nor of its pause (the site's opt-out).

- A correlated alert counts its sites and its group's: a CEPTOAR
  secretariat that sees every member site of a sector alert but not every
  site of the sector (another CEPTOAR's members are in it) reads both
  rounded, in the list, the STIX bundle and its e-mail.
- The heat map's aggregate cells count the sector's sites with rollups,
  paused or not; whether they are exact is decided on the same sites, so
  pausing every other operator's site does not turn them exact."""
import json
import time

import pytest

from conftest import wait_for
from obs_bed import ObsHub
from receivers import SMTPReceiver

BANKING = ("op-bk1", "op-bk2", "op-bk3")
SECURITIES = ("op-se1", "op-se2")
GAS = ("op-g1", "op-g2", "op-g3", "op-g4", "op-g5")


@pytest.fixture
def bed(tmp_path, smtp):
    """Finance: sites 1-3 of banking operators op-bk1..3 (CEPTOAR
    ceptoar-banking), sites 4-5 of securities operators op-se1..2
    (ceptoar-securities), all on DNS provider ns1.shared-dns.example.
    Gas: sites 11-15 of op-g1, 16-19 one each of op-g2..5. The three
    CEPTOARs take part; NISC, FSA and the secretariats staffed (the
    banking one with an e-mail contact); vantage v1."""
    h = ObsHub(tmp_path, smtp)
    h.init_fixture()
    h.tokens["admin"] = h.token("admin", name="provision")
    h.add_user("nisc-a", "nisc", "reader,liaison,analyst")
    h.add_user("fsa-a", "fsa", "reader,liaison,analyst")
    h.add_user("bk-sec", "ceptoar-banking", "reader,liaison,analyst")
    h.add_user("se-sec", "ceptoar-securities", "reader,liaison,analyst")
    h.add_user("gas-sec", "ceptoar-gas", "reader,liaison,analyst")
    for n in BANKING:
        h.add_operator(n, scope="banking", ceptoars=("ceptoar-banking",))
    for n in SECURITIES:
        h.add_operator(n, scope="securities",
                       ceptoars=("ceptoar-securities",))
    for n in GAS:
        h.add_operator(n)
    h.add_user("op-g1-u", "op-g1", "reader,liaison")
    h.add_contact("ceptoar-banking", "email", "sec@banking.example.jp", 1)
    h.add_contact("nisc", "email", "soc@nisc.example.jp", 1)
    h.participate("ceptoar-banking", "ceptoar-securities", "ceptoar-gas")
    rows = []
    for i, org in enumerate(BANKING + SECURITIES, start=1):
        rows.append({"id": i, "org": org, "host": f"www.s{i}.finance.test",
                     "addr": f"127.11.0.{i}",
                     "dns": "ns1.shared-dns.example"})
    gas = ["op-g1"] * 5 + list(GAS[1:])
    for i, org in enumerate(gas, start=11):
        rows.append({"id": i, "org": org, "host": f"www.s{i}.gas.test",
                     "addr": f"127.12.0.{i}"})
    h.add_sites(rows)
    h.add_vantage("v1")
    h.start()
    yield h
    h.stop()


def pause(h, site):
    s = h.ok("GET", f"/api/v1/sites/{site}", "nisc-a")
    p = h.ok("PATCH", f"/api/v1/sites/{site}", "nisc-a",
             json={"version": s["version"], "paused": True})
    assert p["paused"] is True


def test_alert_counts_exact_only_to_who_sees_the_whole_group(bed, smtp):
    """Banking sites 1-3 time out, securities sites 4-5 answer: one
    'sector' alert of finance, "3 of 5 sites". The banking secretariat
    sees the 3 sites but not the securities ones its group counts: it
    reads the sites it sees exactly and the others rounded ("at least 3
    of at least 3"), the securities secretariat its 2 ("fewer than 5 of
    at least 2"), FSA none of them ("fewer than 5 of at least 5"): list,
    STIX, e-mail. When op-se2's site 5 is paused and a round pushed, NISC
    reads "3 of 4"; the banking secretariat reads what it read before,
    never "of 4"."""
    h = bed
    down = {1, 2, 3}
    t0 = time.time() - 300
    for k in range(3):
        h.round("v1", range(1, 6), t0 + k * 60,
                lambda s: "timeout" if s in down else 100.0)
    nisc = [a for a in h.alerts("nisc-a", state="open") if a["kind"] != "site"]
    assert [(a["kind"], a["key"], a["site_count"]) for a in nisc] == [
        ("sector", "finance", 3)], nisc
    aid = nisc[0]["id"]
    assert nisc[0]["reason_en"].startswith(
        "3 of 5 sites of sector finance unreachable at once"), nisc[0]

    def read(u):
        a = [x for x in h.alerts(u, state="open") if x["id"] == aid]
        assert len(a) == 1, (u, a)
        return a[0]

    bk = read("bk-sec")
    assert sorted(s["id"] for s in bk["sites"]) == [1, 2, 3]
    want = {"bk-sec": (3, "at least 3 of at least 3 sites",
                       "3以上のサイトのうち3以上のサイト"),
            "se-sec": ("<5", "fewer than 5 of at least 2 sites",
                       "2以上のサイトのうち5未満のサイト"),
            "fsa-a": ("<5", "fewer than 5 of at least 5 sites",
                      "5以上のサイトのうち5未満のサイト")}
    for u, (count, en, ja) in want.items():
        a = read(u)
        assert a["site_count"] == count, (u, a)
        assert a["reason_en"].startswith(
            en + " of sector finance unreachable at once"), (u, a)
        assert ja in a["reason_ja"], (u, a["reason_ja"])
        b = json.dumps(h.ok("GET", f"/api/v1/observation/alerts/{aid}/stix",
                            u), ensure_ascii=False)
        assert "3 of 5" not in b and "5サイト中3" not in b, u
        assert en in b, (u, b)
    # the banking secretariat's e-mail: as it reads the alert; NISC's
    # exact
    wait_for(lambda: smtp.to("sec@banking.example.jp") and
             smtp.to("soc@nisc.example.jp"), what="sector alert e-mails")
    m = smtp.to("sec@banking.example.jp")[-1]
    assert "3 of 5" not in m.text and "5サイト中3" not in m.text, m.text
    assert "at least 3 of at least 3 sites" in m.text, m.text
    assert "3 of 5 sites" in smtp.to("soc@nisc.example.jp")[-1].text

    # op-se2 opts out: its site 5 is paused, and the next round counted
    before = {u: read(u) for u in ("bk-sec", "se-sec", "fsa-a")}
    pause(h, 5)
    h.round("v1", range(1, 5), t0 + 180,
            lambda s: "timeout" if s in down else 100.0)
    assert read("nisc-a")["reason_en"].startswith(
        "3 of 4 sites of sector finance unreachable at once")
    after = {u: read(u) for u in before}
    for u, a in after.items():
        assert "of 4" not in a["reason_en"], (u, a["reason_en"])
        assert "4サイト中" not in a["reason_ja"], (u, a["reason_ja"])
        b = json.dumps(h.ok("GET", f"/api/v1/observation/alerts/{aid}/stix",
                            u), ensure_ascii=False)
        assert "of 4" not in b and "4サイト中" not in b, u
    # another CEPTOAR's member's pause does not show to the banking
    # secretariat: what it reads is what it read before
    for k in ("site_count", "reason_en", "reason_ja"):
        assert after["bk-sec"][k] == before["bk-sec"][k], k
    # the securities secretariat reads its own member's pause (1 of its
    # sites left in the group), nothing of the banking sites
    assert after["se-sec"]["reason_en"].startswith(
        "fewer than 5 of at least 1 sites"), after["se-sec"]


def test_heatmap_exact_only_to_who_sees_every_site_its_cells_count(bed):
    """Gas: op-g1's sites 11-15 and one site each of op-g2..5 (16-19)
    answer a few rounds. op-g1 does not see every gas site: its heat map's
    cells and the sector's counts are rounded. NISC pauses sites 16-19
    (the other operators' opt-out): their rollups stay in the cells, and
    op-g1 still does not see them, so what it reads does not move (it
    read {"sites": 9, "anomalous": 0} per cell once they were paused);
    the secretariat, who sees every gas site, reads the cells exactly."""
    h = bed
    gas = range(11, 20)
    t0 = time.time() - 300
    for k in range(3):
        h.round("v1", gas, t0 + k * 60, lambda s: 100.0)

    def view(u):
        sec = {i["sector"]: i for i in h.ok(
            "GET", "/api/v1/observation/sectors", u)["items"]}["gas"]
        m = h.ok("GET", "/api/v1/observation/heatmap?sector=gas&step=1h", u)
        return sec, m["sites"], m["aggregate"]

    before = view("op-g1-u")
    assert before[1] == before[0]["sites"] == 5, before
    assert before[2], before
    for c in before[2]:
        assert (c["sites"], c["anomalous"]) == (5, "<5"), c
    assert view("gas-sec")[1] == 9
    assert {c["sites"] for c in view("gas-sec")[2]} == {9}
    for s in range(16, 20):
        pause(h, s)
    assert view("nisc-a")[1] == 5
    after = view("op-g1-u")
    assert after == before, (before, after)
    # who sees every gas site, paused or not, reads the cells exactly
    sec, sites, cells = view("gas-sec")
    assert sites == sec["sites"] == 5
    assert {(c["sites"], c["anomalous"]) for c in cells} == {(9, 0)}
