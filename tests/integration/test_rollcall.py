"""Roll calls and survey requests (DOMAIN.md §6a; docs/rules.md "Roll calls
and survey requests"; service/rollcall.h): an advisory with an answer form,
answered by the recipients through the API and the signed link, the board
per CEPTOAR and sector with its CSV, replacement and its audit entry, bad
answers, answering for another organisation, escalation of recipients that
have not answered, and that nothing leaks to operators.
"""
import csv
import io
import json
import re
from datetime import datetime

import pytest

import hubdb
from conftest import assert_error, wait_for
from test_provision_features import (ack_path, base_flags, gas_members,
                                     make_hub, staff)
from receivers import WebhookReceiver, SMTPReceiver


@pytest.fixture
def hook():
    r = WebhookReceiver().start()
    yield r
    r.stop()


@pytest.fixture
def rhub(tmp_path, smtp):
    """NISC, METI and the gas secretariat staffed (METI and the gas CEPTOAR
    relay automatically); members are added by each test."""
    h = make_hub(tmp_path, base_flags(smtp))
    staff(h)
    h.start()
    h.set_policy("meti", "auto")
    h.set_policy("ceptoar-gas", "auto")
    yield h
    h.stop()


def issue_rollcall(h, user="nisc-a", form=None, **fields):
    body = {"kind": "security_info", "range": "green", "severity": 2,
            "title_ja": "安否確認", "title_en": "Roll call",
            "body_ja": "被害状況を回答してください。",
            "body_en": "Please report your status.",
            "audience": {"scopes": ["gas"]},
            "form": form if form is not None else {"name": "roll_call"}}
    body.update(fields)
    r = h.call("POST", "/api/v1/advisories", user, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def answers(**kv):
    return {"answers": [{"question": k, "value": v} for k, v in kv.items()]}


def answer(h, aid, user, **kv):
    return h.call("POST", f"/api/v1/advisories/{aid}/answers", user,
                  json=answers(**kv))


def board(h, aid, user, q=""):
    return h.ok("GET", f"/api/v1/advisories/{aid}/answers{q}", user)


def epoch(at):
    """The hub's RFC 3339 time as whole seconds since the epoch."""
    return int(datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp())


def rows_in_db(h, aid):
    return h.db_rows("SELECT org_id, answers, revision FROM rollcall_answers "
                     "WHERE advisory_id = ? ORDER BY org_id", aid)


def test_issue_standard_form_and_answer_by_api(rhub, hook):
    gas_members(rhub, hook, ["op-a", "op-b"])
    adv = issue_rollcall(rhub)
    aid = adv["id"]
    assert adv["recipients"] == 2
    qs = [q["id"] for q in adv["form"]["questions"]]
    assert qs == ["affected", "service_state", "details"]
    assert adv["form"]["name"] == "roll_call"
    opts = [o["id"] for o in adv["form"]["questions"][1]["options"]]
    assert opts == ["normal", "degraded", "stopped"]
    for q in adv["form"]["questions"]:
        assert q["label"]["ja"] and q["label"]["en"]
    wait_for(lambda: hook.count("/hooks/op-a", True), what="delivered")
    # a plain acknowledgement of a roll call is refused: answering is it
    assert_error(rhub.call("POST", f"/api/v1/advisories/{aid}/ack",
                           "op-a-liaison"), 409, "answer_required")
    r = answer(rhub, aid, "op-a-liaison", affected="yes",
               service_state="degraded", details="東京で一部停止")
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["org"] == "op-a" and got["revision"] == 1
    assert got["replaced"] is False
    assert got["answers"] == {"affected": "yes", "service_state": "degraded",
                              "details": "東京で一部停止"}
    # answering acknowledged
    items = rhub.items(aid, "nisc-a")
    assert items["op-a"]["state"] == "acknowledged"
    assert items["op-b"]["state"] != "acknowledged"
    # the recipient sees its own answer on the advisory
    mine = rhub.advisory(aid, "op-a-liaison")
    assert mine["my_answer"]["answers"]["affected"] == "yes"
    assert rhub.advisory(aid, "op-b-liaison")["my_answer"] is None
    b = board(rhub, aid, "nisc-a")
    assert b["totals"]["recipients"] == 2
    assert b["totals"]["answered"] == 1 and b["totals"]["unanswered"] == 1
    assert b["totals"]["values"] == {"affected": {"yes": 1},
                                     "service_state": {"degraded": 1}}
    assert rhub.audit("rollcall.answer")[-1]["target"] == aid


def test_answer_twice_replaces_and_is_audited(rhub, hook):
    gas_members(rhub, hook, ["op-a"])
    aid = issue_rollcall(rhub)["id"]
    assert answer(rhub, aid, "op-a-liaison", affected="yes",
                  service_state="stopped").status_code == 200
    r = answer(rhub, aid, "op-a-liaison", affected="no",
               service_state="normal")
    assert r.status_code == 200, r.text
    assert r.json()["replaced"] is True and r.json()["revision"] == 2
    rows = rows_in_db(rhub, aid)
    assert len(rows) == 1 and rows[0]["revision"] == 2
    assert '"affected":"no"' in rows[0]["answers"]
    rep = rhub.audit("rollcall.answer.replace")
    assert len(rep) == 1 and rep[0]["target"] == aid
    assert rep[0]["detail"]["previous"] == {"affected": "yes",
                                            "service_state": "stopped"}
    assert rep[0]["detail"]["revision"] == 2
    assert len(rhub.audit("rollcall.answer")) == 1
    # the board counts the latest answer only
    t = board(rhub, aid, "nisc-a")["totals"]
    assert t["answered"] == 1
    assert t["values"] == {"affected": {"no": 1},
                           "service_state": {"normal": 1}}


def test_answer_for_another_org_changes_nothing(rhub, hook):
    gas_members(rhub, hook, ["op-a", "op-b"])
    rhub.add_operator("op-e", scope="electricity",
                      ceptoars=("ceptoar-electricity",))
    rhub.add_user("op-e-liaison", "op-e")
    aid = issue_rollcall(rhub)["id"]
    # naming another organisation
    r = rhub.call("POST", f"/api/v1/advisories/{aid}/answers", "op-a-liaison",
                  json={**answers(affected="yes", service_state="normal"),
                        "org": "op-b"})
    assert_error(r, 403, "forbidden", "org")
    # an organisation the roll call is not addressed to
    assert_error(answer(rhub, aid, "op-e-liaison", affected="yes",
                        service_state="normal"), 404, "not_found")
    # a reader without the liaison role
    rhub.add_user("op-a-reader", "op-a", "reader")
    assert_error(answer(rhub, aid, "op-a-reader", affected="yes",
                        service_state="normal"), 403)
    assert rows_in_db(rhub, aid) == []
    assert rhub.audit("rollcall.answer") == []
    assert board(rhub, aid, "nisc-a")["totals"]["answered"] == 0


def test_a_hop_not_reached_yet_answers_as_to_an_unknown_id(rhub, hook):
    """A hop the roll call has not reached reads nothing of it
    (docs/rules.md "Who may read an advisory"): its answer gets what an
    unknown id gets, not a 403 or 409 telling that the advisory exists."""
    gas_members(rhub, hook, ["op-a"])
    rhub.set_policy("meti", "review", 30)
    rhub.set_policy("ceptoar-gas", "review", 30)
    aid = issue_rollcall(rhub, range="amber")["id"]
    rhub.wait_ticks(3)
    chain = {h["org"]: h for h in rhub.advisory(aid, "nisc-a")["chain"]}
    assert chain["meti"]["state"] == "waiting", chain
    assert chain["ceptoar-gas"]["arrived_at"] is None, chain
    unknown = answer(rhub, "A" + "0" * 16, "gas-sec", affected="yes",
                     service_state="normal")
    assert_error(unknown, 404, "not_found")
    for user in ("gas-sec", "op-a-liaison"):
        r = answer(rhub, aid, user, affected="yes", service_state="normal")
        assert_error(r, 404, "not_found")
        assert r.json() == unknown.json(), user
    assert rows_in_db(rhub, aid) == []
    # reached (METI relayed it), the hop hears why it may not answer
    assert rhub.call("POST", f"/api/v1/advisories/{aid}/relay",
                     "meti-a", json={}).status_code == 200
    wait_for(lambda: {h["org"]: h for h in rhub.advisory(
        aid, "nisc-a")["chain"]}["ceptoar-gas"]["arrived_at"],
        what="the gas CEPTOAR reached")
    assert_error(answer(rhub, aid, "gas-sec", affected="yes",
                        service_state="normal"), 403, "not_a_recipient")


@pytest.mark.parametrize("body,field", [
    (answers(affected="maybe", service_state="normal"), "answers.affected"),
    (answers(affected="yes", service_state="broken"),
     "answers.service_state"),
    (answers(affected="yes", service_state="normal", bogus="x"),
     "answers.bogus"),
    (answers(service_state="normal"), "answers.affected"),
    (answers(affected="yes", service_state="normal", details="x" * 2001),
     "answers.details"),
    ({"answers": [{"question": "affected", "value": "yes"},
                  {"question": "affected", "value": "no"},
                  {"question": "service_state", "value": "normal"}]},
     "answers.affected"),
    ({"answers": [{"question": "affected"}]}, "answers[0].value"),
    ({"answer": []}, "answer"),
])
def test_bad_answers_name_the_field(rhub, hook, body, field):
    gas_members(rhub, hook, ["op-a"])
    aid = issue_rollcall(rhub)["id"]
    r = rhub.call("POST", f"/api/v1/advisories/{aid}/answers",
                  "op-a-liaison", json=body)
    assert_error(r, 400, field=field)
    assert rows_in_db(rhub, aid) == []
    assert rhub.items(aid, "nisc-a")["op-a"]["acked_at"] is None


@pytest.mark.parametrize("form,field", [
    ({"name": "nonsense"}, "form.name"),
    ({"questions": []}, "form.questions"),
    ({"questions": [{"id": "Bad Id", "type": "text",
                     "label": {"ja": "a", "en": "a"}}]},
     "form.questions[0].id"),
    ({"questions": [{"id": "q", "type": "choice",
                     "label": {"ja": "a", "en": "a"},
                     "options": [{"id": "x", "label": {"ja": "x",
                                                       "en": "x"}}]}]},
     "form.questions[0].options"),
    ({"questions": [{"id": "q", "type": "rating",
                     "label": {"ja": "a", "en": "a"}}]},
     "form.questions[0].type"),
    ({"questions": [{"id": "q", "type": "text", "label": {"ja": "a"}}]},
     "form.questions[0].label.en"),
    ({"questions": [{"id": f"q{i}", "type": "text",
                     "label": {"ja": "a", "en": "a"}} for i in range(21)]},
     "form.questions"),
])
def test_bad_forms_name_the_field(rhub, hook, form, field):
    gas_members(rhub, hook, ["op-a"])
    body = {"kind": "security_info", "range": "green", "severity": 2,
            "title_ja": "t", "title_en": "t", "body_ja": "b", "body_en": "b",
            "audience": {"scopes": ["gas"]}, "form": form}
    before = rhub.ok("GET", "/api/v1/advisories", "nisc-a")["items"]
    assert_error(rhub.call("POST", "/api/v1/advisories", "nisc-a",
                           json=body), 400, field=field)
    assert rhub.ok("GET", "/api/v1/advisories", "nisc-a")["items"] == before


def test_custom_survey_form(rhub, hook):
    gas_members(rhub, hook, ["op-a"])
    form = {"name": "patch_survey", "questions": [
        {"id": "patched", "type": "yes_no_unknown", "required": True,
         "label": {"ja": "適用済みか", "en": "Patched?"}},
        {"id": "version", "type": "choice",
         "label": {"ja": "版", "en": "Version"},
         "options": [{"id": "v1", "label": {"ja": "1", "en": "1"}},
                     {"id": "v2", "label": {"ja": "2", "en": "2"}}]},
        {"id": "note", "type": "text", "max_len": 10,
         "label": {"ja": "備考", "en": "Note"}}]}
    adv = issue_rollcall(rhub, form=form)
    assert adv["form"]["name"] == "patch_survey"
    assert adv["form"]["questions"][2]["max_len"] == 10
    aid = adv["id"]
    assert_error(answer(rhub, aid, "op-a-liaison", patched="yes",
                        note="あ" * 11), 400, field="answers.note")
    r = answer(rhub, aid, "op-a-liaison", patched="yes", note="あ" * 10)
    assert r.status_code == 200, r.text
    assert board(rhub, aid, "nisc-a")["totals"]["values"] == {
        "patched": {"yes": 1}}


def link_of(hook, org):
    """The path of the signed link in org's first webhook message."""
    return ack_path(hook.seen(f"/hooks/{org}", True)[0].json["ack_url"])


def test_answer_through_the_signed_link(rhub, hook):
    gas_members(rhub, hook, ["op-a", "op-b"])
    aid = issue_rollcall(rhub)["id"]
    wait_for(lambda: hook.count("/hooks/op-a", True), what="op-a's message")
    path = link_of(hook, "op-a")
    # GET shows the form (both languages), records nothing
    r = rhub.get(path)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/html")
    for text in ("影響の有無", "Affected?", "一部支障", "Degraded",
                 'name="service_state"', 'value="stopped"',
                 '<form method="post"'):
        assert text in r.text, text
    assert rows_in_db(rhub, aid) == []
    # a bad answer: the form again, 400 naming the question, link unused
    r = rhub.post(path, data={"affected": "yes", "service_state": "broken"})
    assert r.status_code == 400, r.text
    assert "service_state" in r.text and 'name="affected"' in r.text
    r = rhub.post(path, data={"affected": "yes", "bogus": "1",
                              "service_state": "normal"})
    assert r.status_code == 400 and "bogus" in r.text
    # a body that is not an HTML form
    assert_error(rhub.post(path, json={"affected": "yes"}), 415,
                 "unsupported_media_type")
    assert rows_in_db(rhub, aid) == []
    # the answer: recorded, acknowledged, the link used
    r = rhub.post(path, data={"affected": "no", "service_state": "normal",
                              "details": "異常なし"})
    assert r.status_code == 200, r.text
    assert "Your answer was recorded" in r.text
    rows = rows_in_db(rhub, aid)
    assert [x["org_id"] for x in rows] == ["op-a"]
    item = rhub.items(aid, "nisc-a")["op-a"]
    assert item["state"] == "acknowledged" and item["ack_via"] == "link"
    b = board(rhub, aid, "nisc-a", "?state=answered")
    assert b["items"][0]["answer"]["via"] == "link"
    assert b["items"][0]["answer"]["answers"]["details"] == "異常なし"
    ent = rhub.audit("rollcall.answer")
    assert len(ent) == 1 and ent[0]["detail"]["via"] == "link"
    assert ent[0]["detail"]["org"] == "op-a" and ent[0]["detail"]["addr"]
    # single use: a second POST is 409 and changes nothing
    r = rhub.post(path, data={"affected": "yes", "service_state": "stopped"})
    assert r.status_code == 409
    assert "used already" in r.text
    assert len(rhub.audit("rollcall.answer")) == 1
    assert board(rhub, aid, "nisc-a")["totals"]["values"]["affected"] == {
        "no": 1}
    # the organisation may still change its answer by signing in
    r = answer(rhub, aid, "op-a-liaison", affected="yes",
               service_state="degraded")
    assert r.json()["replaced"] is True and r.json()["revision"] == 2
    # a malformed form body
    wait_for(lambda: hook.count("/hooks/op-b", True), what="op-b's message")
    r = rhub.post(link_of(hook, "op-b"), data=b"affected=%zz",
                  headers={"Content-Type":
                           "application/x-www-form-urlencoded"})
    assert_error(r, 400, "malformed_form")


def test_a_plain_advisory_link_still_acknowledges(rhub, hook):
    gas_members(rhub, hook, ["op-a"])
    adv = rhub.issue("nisc-a")
    assert "form" not in adv
    wait_for(lambda: hook.count("/hooks/op-a", True), what="message")
    path = link_of(hook, "op-a")
    assert "受領を確認する" in rhub.get(path).text
    assert rhub.post(path).status_code == 200
    assert rhub.items(adv["id"], "nisc-a")["op-a"]["ack_via"] == "link"
    assert_error(rhub.call("GET", f"/api/v1/advisories/{adv['id']}/answers",
                           "nisc-a"), 404, "not_found")


def board_env(h, hook):
    """gas (op-g1, op-g2 via ceptoar-gas) and electricity (op-e1 via
    ceptoar-electricity) members, a MIC user; NISC issues the standard
    roll call to both sectors."""
    gas_members(h, hook, ["op-g1", "op-g2"])
    h.add_operator("op-e1", scope="electricity",
                   ceptoars=("ceptoar-electricity",))
    h.add_contact("op-e1", "webhook", hook.url("/hooks/op-e1"), 1)
    h.add_user("op-e1-liaison", "op-e1", "reader,liaison")
    h.set_policy("ceptoar-electricity", "auto")
    h.add_user("elec-sec", "ceptoar-electricity", "reader,liaison,analyst")
    h.add_user("mic-a", "mic", "reader,liaison,analyst")
    aid = issue_rollcall(h, audience={"sectors": ["gas",
                                                  "electricity"]})["id"]
    wait_for(lambda: all(i["released_at"] for i in
                         h.items(aid, "nisc-a").values()),
             what="released")
    return aid


def test_board_per_ceptoar_and_sector_and_who_sees_it(rhub, hook):
    aid = board_env(rhub, hook)
    assert answer(rhub, aid, "op-g1-liaison", affected="yes",
                  service_state="stopped").status_code == 200
    assert answer(rhub, aid, "op-e1-liaison", affected="no",
                  service_state="normal").status_code == 200
    b = board(rhub, aid, "nisc-a")
    assert b["totals"]["recipients"] == 3
    assert b["totals"]["answered"] == 2 and b["totals"]["unanswered"] == 1
    gas = b["by_ceptoar"]["ceptoar-gas"]
    assert (gas["recipients"], gas["answered"], gas["unanswered"]) == (2, 1, 1)
    assert gas["values"] == {"affected": {"yes": 1},
                             "service_state": {"stopped": 1}}
    el = b["by_sector"]["electricity"]
    assert el["values"]["service_state"] == {"normal": 1}
    assert b["by_sector"]["gas"]["recipients"] == 2
    assert [i["org"] for i in b["items"]] == ["op-e1", "op-g1", "op-g2"]
    un = board(rhub, aid, "nisc-a", "?state=unanswered")
    assert [i["org"] for i in un["items"]] == ["op-g2"]
    assert un["items"][0]["answer"] is None
    # paging
    p1 = board(rhub, aid, "nisc-a", "?limit=2")
    assert len(p1["items"]) == 2 and p1["next_cursor"] == "op-g1"
    p2 = board(rhub, aid, "nisc-a", f"?limit=2&cursor={p1['next_cursor']}")
    assert [i["org"] for i in p2["items"]] == ["op-g2"]
    assert p2["next_cursor"] is None
    # a secretariat sees its own members only: rows and counts
    g = board(rhub, aid, "gas-sec")
    assert [i["org"] for i in g["items"]] == ["op-g1", "op-g2"]
    assert g["totals"]["recipients"] == 2 and set(g["by_ceptoar"]) == {
        "ceptoar-gas"}
    assert set(g["by_sector"]) == {"gas"}
    e = board(rhub, aid, "elec-sec")
    assert [i["org"] for i in e["items"]] == ["op-e1"]
    assert e["totals"]["values"] == {"affected": {"no": 1},
                                     "service_state": {"normal": 1}}
    # a ministry sees its sectors (METI: gas and electricity)
    assert board(rhub, aid, "meti-a")["totals"]["recipients"] == 3
    # nothing for operators or organisations outside the chain's hops
    assert_error(rhub.call("GET", f"/api/v1/advisories/{aid}/answers",
                           "op-g1-liaison"), 403, "forbidden")
    assert_error(rhub.call("GET", f"/api/v1/advisories/{aid}/answers"
                           "?format=csv", "op-g1-liaison"), 403, "forbidden")
    assert_error(rhub.call("GET", f"/api/v1/advisories/{aid}/answers",
                           "mic-a"), 404)
    # the operator's own view carries its answer, never the others'
    mine = rhub.advisory(aid, "op-g1-liaison")
    assert mine["my_answer"]["answers"]["affected"] == "yes"
    assert "op-e1" not in str(mine)
    # bad parameters
    for q, field in (("?state=bogus", "state"), ("?format=xml", "format"),
                     ("?limit=0", "limit"), ("?limit=1001", "limit")):
        assert_error(rhub.call("GET", f"/api/v1/advisories/{aid}/answers{q}",
                               "nisc-a"), 400, field=field)


def test_board_csv(rhub, hook):
    aid = board_env(rhub, hook)
    assert answer(rhub, aid, "op-g1-liaison", affected="yes",
                  service_state="degraded",
                  details="=HYPERLINK(\"x\")").status_code == 200
    r = rhub.call("GET", f"/api/v1/advisories/{aid}/answers?format=csv",
                  "nisc-a")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [x["org"] for x in rows] == ["op-e1", "op-g1", "op-g2"]
    g1 = rows[1]
    assert g1["answered"] == "yes" and g1["affected"] == "yes"
    assert g1["service_state"] == "degraded" and g1["ceptoar"] == "ceptoar-gas"
    assert g1["details"].startswith("'=")  # never a formula
    assert rows[0]["answered"] == "no" and rows[0]["affected"] == ""
    # the secretariat's export holds its members only
    r = rhub.call("GET", f"/api/v1/advisories/{aid}/answers?format=csv",
                  "elec-sec")
    assert [x["org"] for x in csv.DictReader(io.StringIO(r.text))] == [
        "op-e1"]
    # state selects the exported rows, as it does a page's
    r = rhub.call("GET",
                  f"/api/v1/advisories/{aid}/answers?format=csv&state=unanswered",
                  "nisc-a")
    assert r.status_code == 200, r.text
    assert [x["org"] for x in csv.DictReader(io.StringIO(r.text))] == [
        "op-e1", "op-g2"]
    r = rhub.call("GET",
                  f"/api/v1/advisories/{aid}/answers?format=csv&state=answered",
                  "elec-sec")
    assert r.status_code == 200, r.text
    assert list(csv.DictReader(io.StringIO(r.text))) == []
    ex = rhub.audit("rollcall.export")
    assert [(e["target"], e["detail"]["rows"], e["detail"]["state"])
            for e in ex] == [(aid, 3, "all"), (aid, 1, "all"),
                             (aid, 2, "unanswered"), (aid, 0, "answered")]


def test_unanswered_recipients_are_escalated(tmp_path, hook, smtp):
    # 10 s: op-ok's answer must reach the hub before its deadline, which
    # the hub checks in whole seconds (released_at + deadline <= now), so
    # a loaded machine gets 9-10 s for the delivery, the test's poll and
    # the POST rather than 2-3 s.
    deadline_s = 10
    h = make_hub(tmp_path, base_flags(smtp, ack_deadlines=",".join(
        [str(deadline_s)] * 3)))
    staff(h)
    for n in ("op-u", "op-ok"):
        h.add_operator(n)
        h.add_contact(n, "webhook", hook.url(f"/hooks/{n}"), 1)
        h.add_contact(n, "email", f"{n}@op.example.jp", 2)
        h.add_user(f"{n}-liaison", n)
    h.start()
    try:
        h.set_policy("meti", "auto")
        h.set_policy("ceptoar-gas", "auto")
        aid = issue_rollcall(h)["id"]
        wait_for(lambda: hook.count("/hooks/op-u", True) and
                 hook.count("/hooks/op-ok", True), what="first channel")
        assert answer(h, aid, "op-ok-liaison", affected="no",
                      service_state="normal").status_code == 200
        # op-ok answered in time by the hub's own clock (its answer is the
        # acknowledgement): what keeps it from being escalated below
        ok = h.advisory(aid, "op-ok-liaison")["mine"]
        assert ok["acked_at"] is not None and ok["ack_due"] is not None
        assert epoch(ok["acked_at"]) < epoch(ok["ack_due"]), ok
        # op-u neither answers nor can it stop the escalation by a plain
        # acknowledgement
        assert_error(h.call("POST", f"/api/v1/advisories/{aid}/ack",
                            "op-u-liaison"), 409, "answer_required")
        wait_for(lambda: smtp.to("op-u@op.example.jp"),
                 timeout=deadline_s + 30,
                 what="op-u escalated to its next contact")
        esc = h.audit("advisory.escalate")
        assert [(e["target"], e["detail"]["org"]) for e in esc] == \
            [(aid, "op-u")]
        assert smtp.to("op-ok@op.example.jp") == []
        un = board(h, aid, "nisc-a", "?state=unanswered")["items"]
        assert [i["org"] for i in un] == ["op-u"]
        assert un[0]["escalated_at"] is not None
        # never before its deadline, by the hub's own timestamps
        assert epoch(un[0]["escalated_at"]) >= \
            epoch(un[0]["released_at"]) + deadline_s, un[0]
        # answering late is still recorded
        assert answer(h, aid, "op-u-liaison", affected="unknown",
                      service_state="degraded").status_code == 200
        assert board(h, aid, "nisc-a")["totals"]["unanswered"] == 0
    finally:
        h.stop()


def test_range_rule_holds_for_the_roll_call_message(rhub, hook):
    """An Amber roll call's message carries no content (the range rule for
    message bodies); its link still shows the form (questions only)."""
    gas_members(rhub, hook, ["op-a"])
    aid = issue_rollcall(rhub, range="amber",
                         body_ja="秘密の本文", body_en="Secret body")["id"]
    wait_for(lambda: hook.count("/hooks/op-a", True), what="message")
    msg = hook.seen("/hooks/op-a", True)[0]
    assert b"Secret body" not in msg.body and "秘密".encode() not in msg.body
    page = rhub.get(link_of(hook, "op-a")).text
    assert "Secret body" not in page and "Affected?" in page


def test_rollcall_issue_service_entry_point_default_form(rhub, hook):
    """rollcall_issue() without a form gets the standard form: exercised
    here through the API with form {"name": "roll_call"} and compared to a
    survey; the C entry point is covered by the unit test."""
    gas_members(rhub, hook, ["op-a"])
    a = issue_rollcall(rhub)
    b = rhub.advisory(a["id"], "op-a-liaison")
    assert b["form"] == a["form"] and b["my_answer"] is None
    lst = rhub.ok("GET", "/api/v1/advisories?inbox=true", "op-a-liaison")
    assert lst["items"][0]["form"]["name"] == "roll_call"


def test_cli_issue_answer_board(rhub, hook):
    from test_reports_cli import client
    gas_members(rhub, hook, ["op-a", "op-b"])
    r = client(rhub, "advisory", "issue", "--kind", "security_info",
               "--range", "green", "--severity", "2", "--title-ja", "安否確認",
               "--title-en", "Roll call", "--body-ja", "回答を", "--body-en",
               "Please answer", "--scopes", "gas", "--form", "roll_call",
               "--json", token=rhub.tok("nisc-a"))
    assert r.returncode == 0, r.stderr
    import json
    adv = json.loads(r.stdout)
    aid = adv["id"]
    assert adv["form"]["name"] == "roll_call"
    r = client(rhub, "advisory", "answer", aid, "--field", "affected=yes",
               "--field", "service_state=degraded", "--field",
               "details=停電 = 一部", token=rhub.tok("op-a-liaison"))
    assert r.returncode == 0, r.stderr
    assert "answer recorded for op-a (revision 1)" in r.stdout
    got = board(rhub, aid, "nisc-a", "?state=answered")["items"][0]
    assert got["answer"]["answers"] == {"affected": "yes",
                                        "service_state": "degraded",
                                        "details": "停電 = 一部"}
    # a bad answer: non-zero exit, the API's message naming the field
    r = client(rhub, "advisory", "answer", aid, "--field", "affected=maybe",
               "--field", "service_state=normal",
               token=rhub.tok("op-b-liaison"))
    assert r.returncode == 1 and "answers.affected" in r.stderr
    r = client(rhub, "advisory", "answer", aid, "--field", "affected",
               token=rhub.tok("op-b-liaison"))
    assert r.returncode == 2
    # the board, for people and as CSV
    r = client(rhub, "advisory", "board", aid, token=rhub.tok("nisc-a"))
    assert r.returncode == 0, r.stderr
    assert "affected: yes=1" in r.stdout
    lines = r.stdout.splitlines()
    assert any(l.startswith("total") and "1/2" in l for l in lines)
    assert any(l.startswith("op-b") and "not answered" in l for l in lines)
    r = client(rhub, "advisory", "board", aid, "--state", "unanswered",
               token=rhub.tok("gas-sec"))
    assert [l.split()[0] for l in r.stdout.splitlines()
            if l.startswith("op-")] == ["op-b"]
    r = client(rhub, "advisory", "board", aid, "--csv",
               token=rhub.tok("nisc-a"))
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [(x["org"], x["affected"]) for x in rows] == [("op-a", "yes"),
                                                         ("op-b", "")]
    # --state holds for the CSV export too (it was ignored: every row)
    for state, orgs in (("unanswered", ["op-b"]), ("answered", ["op-a"])):
        r = client(rhub, "advisory", "board", aid, "--state", state, "--csv",
                   token=rhub.tok("nisc-a"))
        assert r.returncode == 0, r.stderr
        assert [x["org"] for x in csv.DictReader(io.StringIO(r.stdout))] == \
            orgs
    # an operator gets the API's refusal
    r = client(rhub, "advisory", "board", aid, token=rhub.tok("op-a-liaison"))
    assert r.returncode == 1 and "forbidden" in r.stderr


def test_null_form_fields_are_absent(rhub, hook):
    """null for an optional field is the same as leaving it out."""
    gas_members(rhub, hook, ["op-a"])
    adv = issue_rollcall(rhub, form={"name": "roll_call", "questions": None})
    assert [q["id"] for q in adv["form"]["questions"]] == [
        "affected", "service_state", "details"]
    adv = issue_rollcall(rhub, form={"questions": [
        {"id": "note", "type": "text", "label": {"ja": "備考", "en": "Note"},
         "options": None, "max_len": None, "required": None}]})
    assert adv["form"]["name"] == "survey"
    assert adv["form"]["questions"][0] == {
        "id": "note", "type": "text", "required": False, "max_len": 2000,
        "label": {"ja": "備考", "en": "Note"}}
    # without a form an advisory is no roll call
    plain = rhub.issue("nisc-a", form=None)
    assert "form" not in plain and "my_answer" not in plain


def test_roll_call_mail_asks_for_the_answer(rhub, smtp):
    rhub.add_operator("op-m")
    rhub.add_contact("op-m", "email", "op-m@op.example.jp", 1)
    issue_rollcall(rhub)
    mail = wait_for(lambda: smtp.to("op-m@op.example.jp"), what="mail")[0]
    text = mail.text
    assert "answer the roll call" in text and "回答すると受領確認" in text
    assert "press the button" not in text
    m = re.search(r"(/ack/[A-Za-z0-9_.-]+)", text)
    page = rhub.get(m.group(1))
    assert page.status_code == 200 and 'name="affected"' in page.text
    # a plain advisory's mail still asks for the acknowledgement
    rhub.issue("nisc-a")
    wait_for(lambda: len(smtp.to("op-m@op.example.jp")) == 2, what="mail 2")
    plain = [x for x in smtp.to("op-m@op.example.jp")
             if "Test advisory" in x.text]
    assert plain and "press the button" in plain[0].text


def recount(h, aid, orgs):
    """(answered, {affected value: n}) of the stored answers of orgs."""
    rows = [r for r in rows_in_db(h, aid) if r["org_id"] in orgs]
    vals = {}
    for r in rows:
        v = json.loads(r["answers"])["affected"]
        vals[v] = vals.get(v, 0) + 1
    return len(rows), vals


def test_board_is_never_stale(rhub, hook):
    """The board is kept by version (docs/rules.md, "The board's cache"):
    each read after a change - an answer, its replacement, a recipient
    renamed by another writer of the database - shows it, for every
    reader's filter, read twice (the second read is the kept one)."""
    aid = board_env(rhub, hook)
    sees = {"nisc-a": {"op-g1", "op-g2", "op-e1"},
            "gas-sec": {"op-g1", "op-g2"}, "elec-sec": {"op-e1"}}

    def check():
        for user, orgs in sees.items():
            n, vals = recount(rhub, aid, orgs)
            for _ in range(2):
                b = board(rhub, aid, user)
                t = b["totals"]
                assert (t["answered"], t["values"].get("affected", {})) == \
                    (n, vals), user
                assert sorted(i["org"] for i in b["items"]) == sorted(orgs)
                assert {i["org"] for i in b["items"] if i["answered"]} == \
                    {r["org_id"] for r in rows_in_db(rhub, aid)} & orgs

    check()
    steps = [("op-g1-liaison", "yes"), ("op-g1-liaison", "no"),
             ("op-e1-liaison", "unknown"), ("op-g2-liaison", "yes")]
    for user, v in steps:
        assert answer(rhub, aid, user, affected=v,
                      service_state="normal").status_code == 200
        check()
    # another writer of the database (a registry edit) renames a member:
    # the next read shows the new name
    con = hubdb.connect(rhub.db, timeout=10)
    with con:
        con.execute("UPDATE orgs SET name_en = 'Renamed Gas 2' WHERE "
                    "id = 'op-g2'")
    con.close()
    for user in ("nisc-a", "gas-sec"):
        names = {i["org"]: i["name"]["en"] for i in
                 board(rhub, aid, user)["items"]}
        assert names["op-g2"] == "Renamed Gas 2", user
