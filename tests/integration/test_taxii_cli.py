"""The command line of issue 16's TAXII pieces (docs/taxii.md "Command
line"): `infrashare stix import` posts a bundle, an envelope or an array of
STIX 2.1 objects to the hub's TAXII collection and says what was added,
held already or refused (and why), with an exit status a script can trust;
`infrashare taxii peers|peer-add|sync|log|peer-remove` wrap the peers API
and never print the remote's token.
"""
import json
import uuid

import pytest
import requests

import hubdb
from conftest import Hub

TAXII = "application/taxii+json;version=2.1"
T0 = "2024-04-01T00:00:00.000Z"
GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"


def indicator(name="cli indicator", **over):
    o = {"type": "indicator", "spec_version": "2.1",
         "id": f"indicator--{uuid.uuid4()}", "created": T0, "modified": T0,
         "name": name, "pattern": "[ipv4-addr:value = '203.0.113.7']",
         "pattern_type": "stix", "valid_from": T0,
         "object_marking_refs": [GREEN]}
    o.update(over)
    return o


def bundle(objs):
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}",
            "objects": objs}


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    h = Hub(tmp_path_factory.mktemp("taxiicli"), demo=True)
    h.daemon_args = ["--test-mode"]
    h.init_fixture()
    h.start()
    yield h
    h.stop()


class Cli:
    def __init__(self, hub, user):
        self.hub = hub
        self.env = {"INFRASHARE_URL": hub.url,
                    "INFRASHARE_TOKEN": hub.token(user, name="cli")}

    def __call__(self, *args, input=None):
        return self.hub.cli(*args, check=False, input=input, env=self.env)


@pytest.fixture(scope="module")
def op(hub):
    return Cli(hub, "op-gas-0001")


@pytest.fixture(scope="module")
def admin(hub):
    return Cli(hub, "admin")


def stored(hub):
    """{stix_id: rows} of the shared collection, from the database."""
    con = hubdb.connect(hub.db, timeout=30, readonly=True)
    try:
        out = {}
        for sid, poster in con.execute(
                "SELECT stix_id, poster FROM taxii_objects WHERE coll = 1"):
            out.setdefault(sid, []).append(poster)
        return out
    finally:
        con.close()


def visible(hub, token, ids):
    r = requests.get(hub.url + "/taxii2/infrashare/collections/shared/"
                     "objects/", params={"match[id]": ",".join(ids)},
                     headers={"Authorization": f"Bearer {token}",
                              "Accept": TAXII}, timeout=30)
    assert r.status_code == 200, r.text
    return {o["id"] for o in r.json().get("objects", [])}


def test_import_a_bundle(hub, op, tmp_path):
    objs = [indicator(f"bundle {i}") for i in range(3)]
    f = tmp_path / "b.json"
    f.write_text(json.dumps(bundle(objs), indent=2))
    r = op("stix", "import", f)
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert "added 3, held already 0, refused 0" in r.stdout, r.stdout
    ids = [o["id"] for o in objs]
    # visible over TAXII to a reader of Green, attributed to the poster
    tok = hub.token("op-water-0001", name="read")
    assert visible(hub, tok, ids) == set(ids)
    held = stored(hub)
    assert all(held[i] == ["op-gas-0001"] for i in ids)
    # again, from standard input as an envelope: held already, exit 0
    r = op("stix", "import", "-", "--collection",
           "82b8bb8d-f1d4-442b-a7e5-dcf08e8484bd",
           input=json.dumps({"objects": objs}))
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert "added 0, held already 3, refused 0" in r.stdout, r.stdout
    assert all(len(stored(hub)[i]) == 1 for i in ids)
    # a bare array
    more = [indicator("array")]
    f2 = tmp_path / "a.json"
    f2.write_text(json.dumps(more))
    r = op("stix", "import", f2)
    assert r.returncode == 0 and "added 1," in r.stdout, r.stdout


def test_import_with_a_bad_object_names_it_and_fails(hub, op, tmp_path):
    good = [indicator("good 1"), indicator("good 2")]
    bad = indicator("bad", spec_version="2.0")
    no_id = indicator("no id")
    del no_id["id"]
    f = tmp_path / "mixed.json"
    f.write_text(json.dumps(bundle([good[0], bad, good[1], no_id])))
    r = op("stix", "import", f)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "added 2, held already 0, refused 2" in r.stdout, r.stdout
    # each refusal with its index in the file, its id and its reason
    line = next(l for l in r.stdout.splitlines() if bad["id"] in l)
    assert "objects[1]" in line and "spec_version" in line, line
    line = next(l for l in r.stdout.splitlines() if "(no id)" in l)
    assert "objects[3]" in line and "id" in line, line
    assert "2 of 4 objects were refused" in r.stderr, r.stderr
    # as docs/taxii.md shows it: the refusals, then the summary
    lines = r.stdout.splitlines()
    assert [l.startswith("  refused 拒否: ") for l in lines] == [
        True, True, False], lines
    assert lines[-1].startswith(f"{f}: 4 objects: added 2, "), lines
    held = stored(hub)
    assert good[0]["id"] in held and good[1]["id"] in held
    assert bad["id"] not in held


@pytest.mark.parametrize("content, says", [
    (None, "cannot read"),
    (b"{not json", "not JSON"),
    (b'{"type": "indicator", "id": "x"}', "no \"objects\" list"),
    (b'{"type": "bundle", "id": "bundle--x", "objects": []}',
     "no objects"),
    (b"[]", "no objects"),
])
def test_import_of_a_bad_file_stores_nothing(hub, op, tmp_path, content,
                                              says):
    f = tmp_path / "in.json"
    if content is not None:
        f.write_bytes(content)
    before = len(stored(hub))
    r = op("stix", "import", f)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert says in r.stderr and str(f) in r.stderr, r.stderr
    assert len(stored(hub)) == before


def test_import_of_more_than_10_mib_is_refused(hub, op, tmp_path):
    f = tmp_path / "big.json"
    pad = "x" * (1024 * 1024)
    f.write_text(json.dumps([indicator(description=pad)
                             for _ in range(11)]))
    before = len(stored(hub))
    r = op("stix", "import", f)
    assert r.returncode == 1
    assert "larger than" in r.stderr and "10 MiB" in r.stderr, r.stderr
    assert len(stored(hub)) == before


def test_import_usage_and_credentials(hub, op, tmp_path):
    r = op("stix", "import")
    assert r.returncode == 2 and "stix import" in r.stderr
    f = tmp_path / "one.json"
    f.write_text(json.dumps([indicator()]))
    # a reader without a writing role: the TAXII error's title, exit 1
    rd = Cli(hub, "auditor")
    r = rd("stix", "import", f)
    assert r.returncode == 1 and "HTTP 403" in r.stderr, r.stderr
    r = op("stix", "import", f, "--collection", "advisories")
    assert r.returncode == 1 and "HTTP 403" in r.stderr, r.stderr


def test_peers_commands_round_trip(hub, admin, op, tmp_path):
    secret = "ist_remote_" + uuid.uuid4().hex
    tf = tmp_path / "token"
    tf.write_text(secret + "\n")
    # a remote that refuses connections: the run fails visibly
    from receivers import closed_port
    root = f"http://127.0.0.1:{closed_port()}/taxii2/"
    r = admin("taxii", "peer-add", "--name", "feed", "--org", "jpcert",
              "--api-root", root, "--collection", "shared", "--direction",
              "pull", "--token-file", tf, "--interval", "3600")
    assert r.returncode == 0, (r.stdout, r.stderr)
    pid = r.stdout.split()[1]
    assert pid.startswith("T"), r.stdout
    assert secret not in r.stdout + r.stderr
    r = admin("taxii", "peers")
    assert r.returncode == 0 and pid in r.stdout and "feed" in r.stdout
    assert secret not in r.stdout
    r = admin("taxii", "peers", "--json")
    assert pid in {p["id"] for p in json.loads(r.stdout)["items"]}
    r = admin("taxii", "sync", pid)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "[failing]" in r.stdout and "the run failed" in r.stderr
    assert "GET objects" in r.stderr
    r = admin("taxii", "log", pid)
    assert r.returncode == 0, r.stderr
    assert "FAILED" in r.stdout and "GET objects" in r.stdout
    assert secret not in r.stdout
    lg = json.loads(admin("taxii", "log", pid, "--json").stdout)
    assert lg["runs"] and not lg["runs"][0]["ok"]
    # bad input: the API's field in the message, exit 1
    r = admin("taxii", "peer-add", "--name", "x", "--org", "no-such-org",
              "--api-root", root, "--collection", "shared", "--direction",
              "pull", "--token-file", tf)
    assert r.returncode == 1 and "org" in r.stderr, r.stderr
    r = admin("taxii", "peer-add", "--name", "x", "--org", "jpcert",
              "--api-root", root, "--collection", "shared", "--direction",
              "sideways", "--token-file", tf)
    assert r.returncode == 1 and "direction" in r.stderr, r.stderr
    r = admin("taxii", "peer-add", "--name", "x", "--org", "jpcert",
              "--api-root", root, "--collection", "shared", "--direction",
              "pull", "--token-file", tmp_path / "missing")
    assert r.returncode == 1 and "cannot read the token" in r.stderr
    r = admin("taxii", "peer-add", "--name", "x")
    assert r.returncode == 2 and "--org" in r.stderr
    # not an admin: 403
    r = op("taxii", "peers")
    assert r.returncode == 1 and "HTTP 403" in r.stderr, r.stderr
    # remove, then it is gone
    r = admin("taxii", "peer-remove", pid)
    assert r.returncode == 0 and "removed" in r.stdout, r.stderr
    r = admin("taxii", "peer-remove", pid)
    assert r.returncode == 1 and "HTTP 404" in r.stderr, r.stderr
    r = admin("taxii", "sync", "Tnope")
    assert r.returncode == 1 and "HTTP 404" in r.stderr
    r = admin("taxii", "log", "../x")
    assert r.returncode == 2
    assert pid not in admin("taxii", "peers").stdout
