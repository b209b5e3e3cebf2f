"""The January 2020 case over HTTP through a real uvicorn on loopback, restarted midway.

Parties are admitted and the case registered with the operator's token; every act is
submitted as its issuer's client would; webhook receivers get signed deliveries; parties
pull their inboxes and acknowledge; simulated time runs past the reply dates so the
scheduler records the deadline that passed. In the middle the server and the instance
are shut down and reopened on the same data directory: nothing is lost.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import uvicorn

from depositary.acts.envelope import sign_act
from depositary.clock import ManualClock
from depositary.demo.iraq2020 import CASE, CASE_ID, END, PARTIES, admission, at, demo_signer
from depositary.demo.iraq2020 import steps as scenario
from depositary.demo.replay import finish, signed_inbox_request
from depositary.encoding.note import Ed25519Verifier
from depositary.encoding.tlog_proof import verify_tlog_proof
from depositary.http.app import create_app
from depositary.records.delivery import SIGNATURE_HEADER, open_delivery
from depositary.service.instance import Instance
from tests.http.conftest import OPERATOR, make_instance

UNREACHABLE = "http://127.0.0.1:9/coalition-inbox"  # discard port: nothing listens


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(instance: Instance) -> Iterator[httpx2.Client]:
    """The instance's API on a real uvicorn in a thread; a client for it."""
    port = _free_port()
    config = uvicorn.Config(create_app(instance), host="127.0.0.1", port=port,
                            log_level="warning", lifespan="off")  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):  # at most 10 s
            if server.started:
                break
            time.sleep(0.05)
        assert server.started, "uvicorn did not start"
        with httpx2.Client(base_url=f"http://127.0.0.1:{port}", timeout=30.0) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        assert not thread.is_alive()


def _work(instance: Instance) -> None:
    instance.delivery.run_once()
    instance.scheduler.tick()


def _play(client: httpx2.Client, instance: Instance, clock: ManualClock, steps) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Run scenario steps over HTTP; return the status code each act got."""
    got: dict[str, int] = {}
    for step in steps:
        clock.set(max(step.at, clock.now()))
        if step.act is not None:
            if step.act.act_id == "ir-ack-2020-01-13":  # Iran reads its inbox, then acknowledges
                req = signed_inbox_request("ir", "ir-foreign-minister", clock.now())
                r = client.post("/v1/inbox", content=req)
                assert r.status_code == 200, r.text
                assert "iq-notice-2020-01-12" in [a["act"]["act_id"] for a in r.json()["acts"]]
            data = sign_act(step.act, [demo_signer(h) for h in step.signers]).to_bytes()
            r = client.post(f"/v1/cases/{CASE_ID}/acts", content=data)
            got[step.act.act_id] = r.status_code
        else:
            assert step.retrieve is not None
            holder = PARTIES[step.retrieve][1][0].holder
            req = signed_inbox_request(step.retrieve, holder, clock.now())
            assert client.post("/v1/inbox", content=req).status_code == 200
        _work(instance)
    return got


def test_the_case_over_http_with_a_restart(tmp_path: Path, receivers) -> None:  # type: ignore[no-untyped-def]
    clock = ManualClock(at("2020-01-01T00:00"))
    endpoints = {"us": receivers["us"].url, "ir": receivers["ir"].url,
                 "iq": receivers["iq"].url, "coalition": UNREACHABLE}  # fmt: skip
    steps = scenario()
    first = make_instance(tmp_path / "dep", clock)
    try:
        with serving(first) as client:
            for party_id in PARTIES:
                ep = (endpoints[party_id],) if party_id in endpoints else ()
                r = client.post("/v1/parties", headers=OPERATOR,
                                content=json.dumps(admission(party_id, ep).to_dict()))  # fmt: skip
                assert r.status_code == 201, r.text
            r = client.post("/v1/cases", headers=OPERATOR, content=json.dumps(CASE.to_dict()))
            assert r.status_code == 201, r.text
            got = _play(client, first, clock, steps[:7])  # up to the notice
            about = client.get("/v1/log").json()
    finally:
        first.close()
    assert got.pop("us-cjtf-letter-2020-01-06") == 403  # no authority; refusal recorded
    assert set(got.values()) == {201}

    again = make_instance(tmp_path / "dep", clock)
    try:
        with serving(again) as client:
            assert client.get("/v1/log").json()["size"] == about["size"]
            got = _play(client, again, clock, steps[7:])
            assert set(got.values()) == {201}
            finish(again.depositary, clock, END, delivery=again.delivery,
                   scheduler=again.scheduler)  # fmt: skip
            notice = client.get("/v1/acts/iq-notice-2020-01-12").json()
            talks = client.get("/v1/acts/iq-coalition-talks-2020-01-12").json()
            status = client.get(f"/v1/cases/{CASE_ID}/status").json()
            refused = client.get("/v1/acts/us-cjtf-letter-2020-01-06").json()
    finally:
        again.close()

    chain = [(e["kind"], e["addressee"]) for e in notice["evidence"]]
    for expected in [("submitted", None), ("delivered", "us"), ("delivered", "ir"),
                     ("retrieved", "us"), ("retrieved", "ir"),
                     ("delivery_failed", "coalition")]:  # fmt: skip
        assert expected in chain, chain
    assert {d["addressee"]: d["state"] for d in notice["deliveries"]}["coalition"] != "pending"
    assert ("no_response_by_deadline", "coalition") in [
        (e["kind"], e["addressee"]) for e in talks["evidence"]
    ]
    assert refused["authorised"] is False
    assert [e["kind"] for e in refused["evidence"]] == ["rejected"]
    acts = {a["act_id"]: a for a in status["acts"]}
    assert "ir-ack-2020-01-13" in acts["iq-notice-2020-01-12"]["responses"]
    assert acts["iq-coalition-talks-2020-01-12"]["deadlines"][0]["overdue"] is True

    # what the US endpoint received checks out offline with the published keys
    verifier = Ed25519Verifier.from_vkey(about["log_vkey"])
    depositary_key = base64.b64decode(about["depositary_key"])
    bodies = receivers["us"].received
    assert bodies, "the US endpoint received nothing"
    ids = []
    for headers, body in bodies:
        data = open_delivery(body, headers[SIGNATURE_HEADER], depositary_key)
        envelope = base64.b64decode(str(data["envelope"]))
        verify_tlog_proof(str(data["receipt"]).encode(), entry=envelope, log_verifier=verifier)
        ids.append(data["act_id"])
    assert "iq-notice-2020-01-12" in ids
    assert len(ids) == len(set(ids)), "an act was delivered twice"


def test_serve_command_inits_and_runs(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from depositary.cli.main import main

    ran: dict[str, object] = {}

    def fake_run(app, **kwargs) -> None:  # type: ignore[no-untyped-def]
        ran.update(kwargs, app=app)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    config = tmp_path / "depositary.toml"
    config.write_text('port = 8123\noperator_token = "t"\n', encoding="utf-8")
    monkeypatch.setenv("DEPOSITARY_BATCH_PERIOD", "0.01")
    argv = ["serve", "--config", str(config), "--data-dir", str(tmp_path / "d"), "--init",
            "--origin", "example.org/log"]  # fmt: skip
    assert main(argv) == 0
    assert (tmp_path / "d" / "log.key").exists()
    assert ran["host"] == "127.0.0.1"
    assert ran["port"] == 8123
    assert main(argv) == 0  # keys kept on a second --init
    assert main(["serve", "--data-dir", str(tmp_path / "none")]) == 78  # no keys: config error
    assert main(["serve", "--data-dir", str(tmp_path / "e"), "--init"]) == 2  # needs --origin
