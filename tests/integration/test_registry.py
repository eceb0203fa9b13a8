"""The national registry over the API: sectors, scopes, CEPTOARs, the
organisation list with its pagination and filters, and who may see which
operator."""
import json

import pytest

from conftest import Hub, assert_error

DOMAIN_MINISTRY = {
    "finance": "fsa",
    "ict": "mic", "government": "mic",
    "medical": "mhlw", "water": "mhlw",
    "electricity": "meti", "gas": "meti", "chemical": "meti",
    "credit": "meti", "petroleum": "meti",
    "aviation": "mlit", "railway": "mlit", "logistics": "mlit",
}

EXPECTED_MEMBERS = {
    "ceptoar-telecom": 24, "ceptoar-cable-tv": 336,
    "ceptoar-broadcasting": 196, "ceptoar-banking": 1428,
    "ceptoar-securities": 268, "ceptoar-life-insurance": 41,
    "ceptoar-non-life-insurance": 29, "ceptoar-aviation": 15,
    "ceptoar-railway": 23, "ceptoar-electricity": 14, "ceptoar-gas": 10,
    "ceptoar-local-government": 1788, "ceptoar-medical": 7,
    "ceptoar-water": 8, "ceptoar-logistics": 22, "ceptoar-chemical": 13,
    "ceptoar-credit": 28, "ceptoar-petroleum": 13,
}


def all_pages(hub, session, params, limit=500):
    """Every item of GET /api/v1/orgs, following next_cursor; also returns
    the number of pages."""
    items, pages, cursor = [], 0, None
    while True:
        q = dict(params, limit=limit)
        if cursor:
            q["cursor"] = cursor
        r = hub.api("GET", "/api/v1/orgs", session=session, params=q)
        assert r.status_code == 200, r.text
        body = r.json()
        assert len(body["items"]) <= limit
        items.extend(body["items"])
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return items, pages
        assert pages < 1000, "next_cursor never ends"


def scopes_of(sectors):
    return [sc for s in sectors for sc in s["scopes"]]


# ---- sectors (public) ----

@pytest.fixture(scope="module")
def sectors(demo_hub):
    r = demo_hub.get("/api/v1/sectors")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    return r.json()["items"]


def test_sectors_is_public_without_credentials(demo_hub):
    r = demo_hub.get("/api/v1/sectors")
    assert r.status_code == 200
    assert "Set-Cookie" not in r.headers
    # the organisations list, by contrast, needs credentials
    assert_error(demo_hub.get("/api/v1/orgs"), 401, "unauthenticated")


def test_thirteen_sectors_and_eighteen_scopes(sectors):
    assert len(sectors) == 13
    ids = [s["id"] for s in sectors]
    assert len(set(ids)) == 13
    assert set(ids) == set(DOMAIN_MINISTRY)
    scopes = scopes_of(sectors)
    assert len(scopes) == 18
    assert len({sc["id"] for sc in scopes}) == 18


def test_every_scope_has_its_ceptoar(sectors):
    for sc in scopes_of(sectors):
        c = sc["ceptoar"]
        assert c, f"scope {sc['id']} has no CEPTOAR"
        assert c["id"] == "ceptoar-" + sc["id"].replace("_", "-")
        for part in ("name", "secretariat"):
            assert isinstance(c[part]["ja"], str) and c[part]["ja"].strip(), (sc["id"], part)
            assert isinstance(c[part]["en"], str) and c[part]["en"].strip(), (sc["id"], part)
        # a Japanese name is really Japanese text or the CEPTOAR brand
        assert c["members"] == EXPECTED_MEMBERS[c["id"]]
    assert sum(sc["ceptoar"]["members"] for sc in scopes_of(sectors)) == 4263


def test_sector_ministries_follow_the_domain_rules(sectors):
    for s in sectors:
        assert s["ministry"]["id"] == DOMAIN_MINISTRY[s["id"]], s["id"]
        assert s["ministry"]["name"]["ja"] and s["ministry"]["name"]["en"]


def test_cable_tv_relates_to_telecom_and_broadcasting_only(sectors):
    scopes = {sc["id"]: sc for sc in scopes_of(sectors)}
    assert sorted(scopes["cable_tv"]["related_scopes"]) == ["broadcasting", "telecom"]
    for sid, sc in scopes.items():
        if sid != "cable_tv":
            assert sc["related_scopes"] == [], sid


def test_banking_ceptoar_secretariat_is_the_bankers_association(sectors):
    scopes = {sc["id"]: sc for sc in scopes_of(sectors)}
    banking = scopes["banking"]["ceptoar"]
    assert banking["id"] == "ceptoar-banking"
    assert "全国銀行協会" in banking["secretariat"]["ja"]
    assert "Bankers" in banking["secretariat"]["en"]
    finance = [s for s in sectors if s["id"] == "finance"][0]
    assert {sc["id"] for sc in finance["scopes"]} == {
        "banking", "securities", "life_insurance", "non_life_insurance"}


# ---- demo operators ----

@pytest.fixture(scope="module")
def analyst(demo_hub):
    return demo_hub.login("nisc-analyst")


def test_operator_count_per_ceptoar_equals_registry_members(demo_hub, analyst):
    for ceptoar, members in EXPECTED_MEMBERS.items():
        items, _ = all_pages(demo_hub, analyst, {"ceptoar": ceptoar})
        ops = [o for o in items if o["kind"] == "operator"]
        assert len(ops) == members, ceptoar
        assert len({o["id"] for o in ops}) == members
        for o in ops:
            assert ceptoar in o["member_of"]


def test_local_government_and_banking_counts(demo_hub, analyst):
    lg, pages = all_pages(demo_hub, analyst,
                          {"ceptoar": "ceptoar-local-government"})
    assert len(lg) == 1788
    assert pages == 4                      # 500 + 500 + 500 + 288
    bank, pages = all_pages(demo_hub, analyst, {"ceptoar": "ceptoar-banking"})
    assert len(bank) == 1428
    assert pages == 3
    assert all(o["scope"] == "banking" and o["sector"] == "finance" for o in bank)


def test_pagination_has_no_overlap_and_no_gaps(demo_hub, analyst):
    whole, pages = all_pages(demo_hub, analyst,
                             {"ceptoar": "ceptoar-securities"}, limit=500)
    assert pages == 1 and len(whole) == 268
    paged, pages = all_pages(demo_hub, analyst,
                             {"ceptoar": "ceptoar-securities"}, limit=7)
    assert pages == 39                     # ceil(268 / 7)
    ids = [o["id"] for o in paged]
    assert len(ids) == len(set(ids)), "a page repeated an item"
    assert ids == [o["id"] for o in whole], "a page skipped or reordered items"
    assert ids == sorted(ids)


def test_pagination_over_every_organisation(demo_hub, analyst):
    items, pages = all_pages(demo_hub, analyst, {}, limit=500)
    ids = [o["id"] for o in items]
    assert len(ids) == len(set(ids))
    assert ids == sorted(ids)
    # 23 national bodies, 18 CEPTOARs, 4,263 demo operators, and the
    # 2,581 external organisations of the demo distribution lists (NISC
    # sees them all)
    assert len(ids) == 23 + 18 + 4263 + 2581
    kinds = {}
    for o in items:
        kinds[o["kind"]] = kinds.get(o["kind"], 0) + 1
    assert kinds == {"nisc": 1, "ministry": 5, "council": 2, "agency": 15,
                     "ceptoar": 18, "operator": 4263, "external": 2581}


def test_last_page_has_null_cursor(demo_hub, analyst):
    r = demo_hub.api("GET", "/api/v1/orgs", session=analyst,
                     params={"ceptoar": "ceptoar-gas", "limit": 10})
    assert r.status_code == 200
    assert len(r.json()["items"]) == 10
    assert r.json()["next_cursor"] is None
    r = demo_hub.api("GET", "/api/v1/orgs", session=analyst,
                     params={"ceptoar": "ceptoar-gas", "limit": 9})
    assert len(r.json()["items"]) == 9
    cur = r.json()["next_cursor"]
    assert cur
    r = demo_hub.api("GET", "/api/v1/orgs", session=analyst,
                     params={"ceptoar": "ceptoar-gas", "limit": 9,
                             "cursor": cur})
    assert [o["id"] for o in r.json()["items"]] == ["op-gas-0010"]
    assert r.json()["next_cursor"] is None


@pytest.mark.parametrize("cursor", ["zz", "abc", "00", "6F70", "not a cursor",
                                    "6" * 300])
def test_bad_cursor_is_400(demo_hub, analyst, cursor):
    r = demo_hub.api("GET", "/api/v1/orgs", session=analyst,
                     params={"cursor": cursor})
    assert_error(r, 400, field="cursor")


@pytest.mark.parametrize("limit", ["0", "501", "-1", "ten", "1.5", ""])
def test_bad_limit_is_400(demo_hub, analyst, limit):
    r = demo_hub.api("GET", "/api/v1/orgs", session=analyst,
                     params={"limit": limit})
    assert_error(r, 400, field="limit")


def test_limit_bounds_are_accepted(demo_hub, analyst):
    for limit, n in ((1, 1), (500, 500)):
        r = demo_hub.api("GET", "/api/v1/orgs", session=analyst,
                         params={"limit": limit})
        assert r.status_code == 200
        assert len(r.json()["items"]) == n


def test_bad_kind_is_400(demo_hub, analyst):
    r = demo_hub.api("GET", "/api/v1/orgs", session=analyst,
                     params={"kind": "bogus"})
    assert_error(r, 400, "invalid_value", "kind")


def test_kind_filter(demo_hub, analyst):
    r = demo_hub.api("GET", "/api/v1/orgs", session=analyst,
                     params={"kind": "ministry"})
    assert r.status_code == 200
    assert sorted(o["id"] for o in r.json()["items"]) == [
        "fsa", "meti", "mhlw", "mic", "mlit"]


# ---- visibility ----

@pytest.fixture(scope="module")
def sessions(demo_hub):
    return {u: demo_hub.login(u) for u in (
        "op-banking-0001", "ceptoar-banking-secretariat", "meti-desk",
        "nisc-analyst")}


def status_of(hub, session, org):
    return hub.api("GET", f"/api/v1/orgs/{org}", session=session).status_code


def test_operator_sees_only_itself(demo_hub, sessions):
    s = sessions["op-banking-0001"]
    r = demo_hub.api("GET", "/api/v1/orgs/op-banking-0001", session=s)
    assert r.status_code == 200
    assert r.json()["id"] == "op-banking-0001"
    assert_error(demo_hub.api("GET", "/api/v1/orgs/op-banking-0002", session=s),
                 404, "not_found")
    # not visible and non-existent look the same
    nx = demo_hub.api("GET", "/api/v1/orgs/op-banking-9999", session=s)
    hidden = demo_hub.api("GET", "/api/v1/orgs/op-banking-0002", session=s)
    assert nx.status_code == hidden.status_code == 404
    assert nx.json() == hidden.json()
    items, _ = all_pages(demo_hub, s, {"kind": "operator"})
    assert [o["id"] for o in items] == ["op-banking-0001"]
    items, _ = all_pages(demo_hub, s, {"ceptoar": "ceptoar-banking"})
    assert [o["id"] for o in items] == ["op-banking-0001"]
    # national bodies and CEPTOARs stay visible to everyone
    assert status_of(demo_hub, s, "ceptoar-banking") == 200
    assert status_of(demo_hub, s, "nisc") == 200


def test_ceptoar_secretariat_sees_its_members_only(demo_hub, sessions):
    s = sessions["ceptoar-banking-secretariat"]
    assert status_of(demo_hub, s, "op-banking-0002") == 200
    assert status_of(demo_hub, s, "op-banking-1428") == 200
    assert_error(demo_hub.api("GET", "/api/v1/orgs/op-gas-0001", session=s), 404)
    assert status_of(demo_hub, s, "op-securities-0001") == 404
    items, _ = all_pages(demo_hub, s, {"kind": "operator"})
    assert len(items) == 1428
    assert all(o["id"].startswith("op-banking-") for o in items)


def test_ministry_sees_the_operators_of_its_sectors(demo_hub, sessions):
    s = sessions["meti-desk"]
    assert status_of(demo_hub, s, "op-gas-0001") == 200
    assert status_of(demo_hub, s, "op-electricity-0014") == 200
    assert status_of(demo_hub, s, "op-petroleum-0001") == 200
    assert_error(demo_hub.api("GET", "/api/v1/orgs/op-banking-0001", session=s), 404)
    assert status_of(demo_hub, s, "op-aviation-0001") == 404
    items, _ = all_pages(demo_hub, s, {"kind": "operator"})
    # electricity 14 + gas 10 + chemical 13 + credit 28 + petroleum 13
    assert len(items) == 78
    assert {o["sector"] for o in items} == {
        "electricity", "gas", "chemical", "credit", "petroleum"}


def test_nisc_sees_every_operator(demo_hub, sessions):
    s = sessions["nisc-analyst"]
    for org in ("op-banking-0001", "op-banking-0002", "op-gas-0001",
                "op-local-government-1788", "op-cable-tv-0336"):
        assert status_of(demo_hub, s, org) == 200, org
    items, _ = all_pages(demo_hub, s, {"kind": "operator"})
    assert len(items) == 4263


# ---- a new sector through data alone ----

def test_fourteenth_sector_through_data_alone(tmp_path, data_copy):
    cep = json.loads((data_copy / "registry" / "20-ceptoars.json")
                     .read_text(encoding="utf-8"))["organisations"]
    # a CEPTOAR without sub-groups (their ids are unique in the registry)
    template = next(o for o in cep
                    if o["kind"] == "ceptoar" and "subgroups" not in o)
    airports_ceptoar = dict(template)
    airports_ceptoar.update({
        "id": "ceptoar-airports",
        "name_ja": "空港CEPTOAR",
        "name_en": "Airports CEPTOAR",
        "short_en": "Airports CEPTOAR",
        "scope": "airports",
        "secretariat_ja": "空港運営者協議会",
        "secretariat_en": "Airport Operators Council",
        "members": 12,
        "member_history": {"2017-03": "12"},
        "source": "test",
        "councils": ["ceptoar-council"],
    })
    assert set(airports_ceptoar) == set(template)
    extra = {
        "sectors": [{"id": "airports", "name_ja": "空港", "name_en": "Airports",
                     "ministry": "mlit", "order": 14}],
        "scopes": [{"id": "airports", "sector": "airports", "name_ja": "空港",
                    "name_en": "Airports", "related_scopes": []}],
        "organisations": [airports_ceptoar],
    }
    (data_copy / "registry" / "30-airports.json").write_text(
        json.dumps(extra, ensure_ascii=False, indent=2), encoding="utf-8")
    work = tmp_path / "air"
    work.mkdir()
    h = Hub(work, data=data_copy)
    h.init()
    h.start()
    try:
        r = h.get("/api/v1/sectors")
        assert r.status_code == 200
        sectors = r.json()["items"]
        assert len(sectors) == 14
        assert len(scopes_of(sectors)) == 19
        air = [s for s in sectors if s["id"] == "airports"]
        assert len(air) == 1
        assert air[0]["ministry"]["id"] == "mlit"
        assert air[0]["name"] == {"ja": "空港", "en": "Airports"}
        (scope,) = air[0]["scopes"]
        assert scope["id"] == "airports"
        c = scope["ceptoar"]
        assert c["id"] == "ceptoar-airports"
        assert c["name"] == {"ja": "空港CEPTOAR", "en": "Airports CEPTOAR"}
        assert c["secretariat"]["ja"] == "空港運営者協議会"
        assert c["members"] == 12
        # the new CEPTOAR is an organisation like the others
        s = h.login("admin")
        r = h.api("GET", "/api/v1/orgs/ceptoar-airports", session=s)
        assert r.status_code == 200
        assert r.json()["kind"] == "ceptoar"
        assert r.json()["sector"] == "airports"
    finally:
        h.stop()
