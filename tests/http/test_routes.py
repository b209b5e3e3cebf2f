"""Every route through the TestClient, on the January 2020 case."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from fastapi.testclient import TestClient

from depositary.acts.act import Attachment
from depositary.acts.envelope import sign_act
from depositary.clock import ManualClock
from depositary.demo.iraq2020 import CASE_ID, at, demo_signer, steps
from depositary.encoding.checkpoint import open_checkpoint
from depositary.encoding.tiles import decode_bundle
from depositary.encoding.tlog_proof import verify_tlog_proof
from depositary.http.app import create_app
from depositary.merkle.hashing import leaf_hash
from depositary.merkle.verify import verify_consistency, verify_inclusion
from tests.http.conftest import (
    OPERATOR,
    admit_all,
    log_size,
    make_instance,
    problem,
    step_bytes,
)

NOTICE = "iq-notice-2020-01-12"


def submit(client, clock, act_id: str, when: str):  # type: ignore[no-untyped-def]
    clock.set(at(when))
    r = client.post(f"/v1/cases/{CASE_ID}/acts", content=step_bytes(act_id))
    assert r.status_code == 201, r.text
    return r.json()


def test_submit_answers_with_a_receipt_that_verifies(client, clock, instance) -> None:  # type: ignore[no-untyped-def]
    admit_all(client)
    got = submit(client, clock, NOTICE, "2020-01-12T09:00")
    assert got["act_id"] == NOTICE
    assert got["case_id"] == CASE_ID
    assert got["received_at"] == "2020-01-12T09:00:00Z"
    assert len(got["evidence"]) == 4  # submitted, then circulated to each of three addressees
    verify_tlog_proof(got["receipt"].encode(), entry=step_bytes(NOTICE),
                      log_verifier=instance.log_verifier)  # fmt: skip
    r = client.get(f"/v1/receipts/{got['index']}")
    assert r.headers["content-type"].startswith("text/plain")
    verify_tlog_proof(r.content, entry=step_bytes(NOTICE), log_verifier=instance.log_verifier)


def test_log_routes(client, clock, instance) -> None:  # type: ignore[no-untyped-def]
    admit_all(client)
    old = log_size(instance)
    submit(client, clock, NOTICE, "2020-01-12T09:00")
    about = client.get("/v1/log").json()
    assert about["origin"] == instance.settings.origin
    assert about["log_vkey"] == instance.log_verifier.to_vkey()
    assert base64.b64decode(about["depositary_key"]) == instance.depositary.key.public_key
    size = about["size"]
    assert size == log_size(instance) > old

    r = client.get("/log/checkpoint")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    assert "no-cache" in r.headers["cache-control"]
    cp = open_checkpoint(r.content, instance.log_verifier).checkpoint
    assert cp.size == size

    entries = [client.get(f"/v1/entries/{i}").content for i in range(size)]
    assert client.get("/v1/entries/0").headers["content-type"] == "application/octet-stream"
    bundle = client.get(f"/log/tile/entries/000.p/{size}")
    assert bundle.status_code == 200
    assert "immutable" in bundle.headers["cache-control"]
    assert decode_bundle(bundle.content) == entries
    tile = client.get(f"/log/tile/0/000.p/{size}")
    assert tile.content == b"".join(leaf_hash(e) for e in entries)
    # entry bundles go gzip'd to those who accept it (tlog-tiles: SHOULD); hash tiles do not
    gz = client.get(f"/log/tile/entries/000.p/{size}", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["content-encoding"] == "gzip"
    assert gz.headers["vary"] == "Accept-Encoding"
    assert decode_bundle(gz.content) == entries  # the client inflated it
    for refuse in ("identity", "gzip;q=0, identity", "br"):
        plain = client.get(f"/log/tile/entries/000.p/{size}", headers={"Accept-Encoding": refuse})
        assert "content-encoding" not in plain.headers, refuse
        assert decode_bundle(plain.content) == entries
    tile = client.get(f"/log/tile/0/000.p/{size}", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in tile.headers
    problem(client.get("/log/tile/0/000"), 404)  # no full tile yet
    problem(client.get(f"/log/tile/0/000.p/{size + 1}"), 404)
    problem(client.get("/log/tile/0/x000/000"), 404)  # not canonical

    proof = client.get("/v1/proofs/inclusion", params={"index": 3, "size": size}).json()
    verify_inclusion(
        index=3,
        size=size,
        leaf_hash=leaf_hash(entries[3]),
        proof=[base64.b64decode(h) for h in proof["hashes"]],
        root=cp.root_hash,
    )
    cons = client.get("/v1/proofs/consistency", params={"old": old, "new": size}).json()
    old_root = open_checkpoint(
        instance.store.checkpoint_at(old).note,
        instance.log_verifier,  # type: ignore[union-attr]
    ).checkpoint.root_hash
    verify_consistency(old_size=old, new_size=size, old_root=old_root, new_root=cp.root_hash,
                       proof=[base64.b64decode(h) for h in cons["hashes"]])  # fmt: skip

    problem(client.get(f"/v1/entries/{size}"), 404)
    problem(client.get(f"/v1/receipts/{size}"), 404)
    problem(client.get("/v1/receipts/0", params={"size": size + 5}), 404)
    problem(client.get("/v1/proofs/inclusion", params={"index": 0, "size": size + 1}), 422)
    problem(client.get("/v1/proofs/consistency", params={"old": 5, "new": 2}), 422)
    problem(client.get("/v1/proofs/inclusion", params={"index": -1, "size": 1}), 400)
    problem(client.get("/v1/entries/abc"), 400)


def test_parties_and_cases(client, clock) -> None:  # type: ignore[no-untyped-def]
    admit_all(client, {"us": ("http://127.0.0.1:9/us",)})
    parties = client.get("/v1/parties").json()["parties"]
    assert {p["party_id"] for p in parties} >= {"iq", "us", "coalition", "ir"}
    submit(client, clock, NOTICE, "2020-01-12T09:00")
    us = client.get("/v1/parties/us").json()
    assert us["admission"]["endpoints"] == ["http://127.0.0.1:9/us"]
    assert [a["act_id"] for a in us["acts"]] == [NOTICE]
    assert us["acts"][0]["addressees"] == ["us", "coalition", "ir"]
    problem(client.get("/v1/parties/nobody"), 404)
    assert [c["case_id"] for c in client.get("/v1/cases").json()["cases"]] == [CASE_ID]
    case = client.get(f"/v1/cases/{CASE_ID}").json()
    assert case["case"]["title"].startswith("Iraq")
    assert [a["act_id"] for a in case["acts"]] == [NOTICE]
    problem(client.get("/v1/cases/nope"), 404)


def test_acts_list_and_view(client, clock) -> None:  # type: ignore[no-untyped-def]
    admit_all(client)
    submit(client, clock, "iq-cor-resolution-2020-01-05", "2020-01-05T12:00")
    n = submit(client, clock, NOTICE, "2020-01-12T09:00")
    submit(client, clock, "ir-ack-2020-01-13", "2020-01-13T10:00")
    everything = client.get("/v1/acts").json()["acts"]
    assert [a["act_id"] for a in everything] == [
        "iq-cor-resolution-2020-01-05", NOTICE, "ir-ack-2020-01-13"]  # fmt: skip

    def ids(**params: object) -> list[str]:
        r = client.get("/v1/acts", params=params)
        assert r.status_code == 200, r.text
        return [a["act_id"] for a in r.json()["acts"]]

    assert ids(kind="notice") == [NOTICE]
    assert ids(party="ir", role="addressee") == [NOTICE]
    assert ids(party="ir", role="issuer") == ["ir-ack-2020-01-13"]
    assert ids(since="2020-01-12T00:00:00Z", until="2020-01-13") == [NOTICE]
    assert ids(q="withdraws its consent") == [NOTICE]
    assert ids(case=CASE_ID, limit=1, offset=1) == [NOTICE]
    problem(client.get("/v1/acts", params={"role": "issuer"}), 400)
    problem(client.get("/v1/acts", params={"since": "yesterday"}), 400)
    problem(client.get("/v1/acts", params={"limit": 0}), 400)

    view = client.get(f"/v1/acts/{NOTICE}").json()
    assert view["act"]["act_id"] == NOTICE
    assert view["authorised"] is True
    assert base64.b64decode(view["envelope"]) == step_bytes(NOTICE)
    assert view["index"] == n["index"]
    assert view["case_id"] == CASE_ID
    assert [e["kind"] for e in view["evidence"]][:2] == ["submitted", "circulated"]
    assert view["evidence"][0]["at"] == "2020-01-12T09:00:00Z"
    assert client.get(f"/v1/acts/by-index/{n['index']}").json() == view
    problem(client.get("/v1/acts/no-such-act"), 404)
    problem(client.get("/v1/acts/by-index/0"), 404)  # an admission, not an act


def test_inbox_pull_records_a_retrieval_once(client, clock) -> None:  # type: ignore[no-untyped-def]
    from depositary.demo.replay import signed_inbox_request

    admit_all(client)
    submit(client, clock, NOTICE, "2020-01-12T09:00")
    clock.set(at("2020-01-13T08:00"))
    r = client.post("/v1/inbox", content=signed_inbox_request("us", "us-secretary-of-state",
                                                              clock.now()))  # fmt: skip
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["party"] == "us"
    assert [a["act"]["act_id"] for a in got["acts"]] == [NOTICE]
    assert ("retrieved", "us") in [(e["kind"], e["addressee"]) for e in got["acts"][0]["evidence"]]
    again = client.post("/v1/inbox", content=signed_inbox_request("us", "us-secretary-of-state",
                                                                  clock.now())).json()  # fmt: skip
    kinds = [e["kind"] for e in again["acts"][0]["evidence"]]
    assert kinds.count("retrieved") == 1


def test_status_presence_and_events(client, clock) -> None:  # type: ignore[no-untyped-def]
    admit_all(client)
    submit(client, clock, "iq-cor-resolution-2020-01-05", "2020-01-05T12:00")
    submit(client, clock, "wire-sanctions-threat-2020-01-05", "2020-01-06T01:00")
    submit(client, clock, "iq-pm-talks-2020-01-09", "2020-01-09T21:00")
    submit(client, clock, NOTICE, "2020-01-12T09:00")
    clock.set(at("2020-01-20T00:00"))
    status = client.get(f"/v1/cases/{CASE_ID}/status").json()
    assert status["as_of"] == "2020-01-20T00:00:00Z"
    acts = {a["act_id"]: a for a in status["acts"]}
    assert acts["iq-cor-resolution-2020-01-05"]["operative"] is False
    assert [a["act_id"] for a in status["reported"]] == ["wire-sanctions-threat-2020-01-05"]
    assert "wire-sanctions-threat-2020-01-05" not in acts
    talks = acts["iq-pm-talks-2020-01-09"]["deadlines"][0]
    assert talks["due"]["date"] == "2020-01-16"
    assert talks["due"]["rule"]
    assert talks["due"]["inputs"] == {"respond_by": "2020-01-16"}
    assert talks["overdue"] is True
    us = next(p for p in status["presences"] if p["presence_id"] == "us-in-iq")
    assert us["host"] == "iq"
    assert us["sending"] == "us"
    assert us["host_view"]["history"][0] == {"from": None, "state": "consented", "cause": None}

    early = client.get(f"/v1/cases/{CASE_ID}/status", params={"as_of": "2020-01-11"}).json()
    assert early["as_of"] == "2020-01-11T23:59:59Z"
    assert NOTICE not in {a["act_id"] for a in early["acts"]}
    one = client.get(f"/v1/cases/{CASE_ID}/presences/us-in-iq",
                     params={"as_of": "2020-01-11T00:00:00+03:00"}).json()  # fmt: skip
    assert one["as_of"] == "2020-01-10T21:00:00Z"
    assert one["host_view"]["state"] == "contested"
    assert one["sending_view"]["state"] == "consented"
    problem(client.get(f"/v1/cases/{CASE_ID}/presences/nope"), 404)
    problem(client.get(f"/v1/cases/{CASE_ID}/status", params={"as_of": "2020-01-11T00:00"}), 400)
    problem(client.get("/v1/cases/nope/status"), 404)

    events = client.get(f"/v1/cases/{CASE_ID}/events").json()["events"]
    assert {e["cameo"] for e in events}
    assert all(e["codebooks"] for e in events)
    problem(client.get("/v1/cases/nope/events"), 404)


def test_attachments(client, clock) -> None:  # type: ignore[no-untyped-def]
    admit_all(client)
    doc = b"%PDF-1.4 the annex listing the sites\n"
    digest = hashlib.sha256(doc).hexdigest()
    problem(client.put(f"/v1/attachments/{digest}", content=doc), 403)  # nothing lists it
    step = next(s for s in steps() if s.act and s.act.act_id == NOTICE)
    assert step.act is not None
    act = step.act.__class__(**{**{f: getattr(step.act, f) for f in step.act.__dataclass_fields__},
                                "act_id": "iq-notice-annex", "attachments": (
                                    Attachment(name="annex.pdf", media_type="application/pdf",
                                               sha256=digest),)})  # fmt: skip
    clock.set(at("2020-01-12T09:00"))
    data = sign_act(act, [demo_signer("iq-prime-minister")]).to_bytes()
    assert client.post(f"/v1/cases/{CASE_ID}/acts", content=data).status_code == 201
    problem(client.put(f"/v1/attachments/{digest}", content=doc + b"x"), 422)
    r = client.put(f"/v1/attachments/{digest}", content=doc)
    assert r.status_code == 201
    assert r.json()["act_id"] == "iq-notice-annex"
    got = client.get(f"/v1/attachments/{digest}")
    assert got.content == doc
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("attachment")
    other = b"operator's own copy"
    od = hashlib.sha256(other).hexdigest()
    put = client.put(f"/v1/attachments/{od}", content=other,
                     headers={**OPERATOR, "Content-Type": "text/html"})  # fmt: skip
    assert put.status_code == 201
    assert client.get(f"/v1/attachments/{od}").headers["content-type"].startswith("text/html")
    problem(client.get(f"/v1/attachments/{'0' * 64}"), 404)
    problem(client.get("/v1/attachments/XYZ"), 400)


def test_operator_token_guards_admission_and_cases(client, instance) -> None:  # type: ignore[no-untyped-def]
    from depositary.demo.iraq2020 import CASE, admission

    body = json.dumps(admission("iq").to_dict())
    before = log_size(instance)
    r = client.post("/v1/parties", content=body)
    assert problem(r, 401)["detail"].startswith("send the operator's token")
    assert r.headers["www-authenticate"].startswith("Bearer")
    problem(client.post("/v1/parties", content=body, headers={"Authorization": "Bearer wrong"}),
            401)  # fmt: skip
    problem(client.post("/v1/cases", content=json.dumps(CASE.to_dict())), 401)
    assert log_size(instance) == before
    r = client.post("/v1/cases", content=json.dumps(CASE.to_dict()), headers=OPERATOR)
    assert "not admitted" in problem(r, 422)["detail"]
    assert log_size(instance) == before


def test_openapi_and_headers(client) -> None:  # type: ignore[no-untyped-def]
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    assert "Problem" in spec["components"]["schemas"]
    post = spec["paths"]["/v1/cases/{case_id}/acts"]["post"]
    assert {"400", "401", "403", "404", "409", "413", "422", "429"} <= set(post["responses"])
    r = client.get("/v1/log")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    problem(client.get("/no/such/route"), 404)
    problem(client.delete("/v1/log"), 405)


def test_two_logs_in_one_process_never_share_a_gzipped_bundle(tmp_path: Path) -> None:
    """Full bundles are compressed once and kept, per app: one process may serve two logs."""
    got = []
    for name in ("one", "two"):
        inst = make_instance(tmp_path / name, ManualClock(at("2020-01-01T00:00")))
        try:
            entries = [f"{name} {i}".encode() for i in range(256)]
            inst.sequencer.append_batch(entries)
            client = TestClient(create_app(inst))
            for _ in range(2):  # made, then from the cache
                r = client.get("/log/tile/entries/000", headers={"Accept-Encoding": "gzip"})
                assert r.headers["content-encoding"] == "gzip"
                assert decode_bundle(r.content) == entries
            got.append(r.content)
        finally:
            inst.close()
    assert got[0] != got[1]
