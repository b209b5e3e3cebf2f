"""The attack suite: each refusal's status and problem, and the log unchanged unless the
refusal itself is on the record (an act from a registered key without authority)."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta

import pytest

from depositary.acts import bodies as b
from depositary.acts.act import Act, Addressee, Text
from depositary.acts.envelope import Envelope, Signature, sign_act
from depositary.acts.kinds import ActKind, NoticeType
from depositary.acts.parties import Delegation
from depositary.demo.iraq2020 import CASE_ID, admission, at, demo_signer
from depositary.demo.replay import signed_inbox_request
from depositary.http.app import create_app
from tests.http.conftest import OPERATOR, admit_all, log_size, make_instance, problem, step_bytes

SMALL_ORDER = [
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
]
ACTS = f"/v1/cases/{CASE_ID}/acts"
NOW = "2020-01-12T09:00"


def notice(act_id: str, made_at: datetime, to: tuple[str, ...] = ("ir",), text: str = "") -> Act:
    return Act(
        act_id=act_id, kind=ActKind.NOTICE, issuers=("iq",),
        addressees=tuple(Addressee(party=p, legal_basis=("iq-ir-advisers",)) for p in to),
        made_at=made_at,
        texts=(Text(lang="en", authentic=True, content=text or "Consent is withdrawn."),),
        body=b.NoticeBody(notice_type=NoticeType.WITHDRAWAL_OF_CONSENT,
                          targets=(b.Target(instrument="iq-ir-advisers", named_date=None),),
                          grounds=None),
    )  # fmt: skip


def statement(act_id: str, kind: ActKind, body: object, made_at: datetime) -> Act:
    return Act(act_id=act_id, kind=kind, issuers=("iq",), addressees=(), made_at=made_at,
               texts=(Text(lang="en", authentic=True, content="Full powers."),),
               body=body)  # type: ignore[arg-type]  # fmt: skip


@pytest.fixture
def ready(client, clock):  # type: ignore[no-untyped-def]
    admit_all(client)
    clock.set(at(NOW))
    return client


def send(client, act: Act, *holders: str):  # type: ignore[no-untyped-def]
    return client.post(ACTS, content=sign_act(act, [demo_signer(h) for h in holders]).to_bytes())


def test_forged_signature_is_401_and_records_nothing(ready, clock, instance) -> None:  # type: ignore[no-untyped-def]
    env = sign_act(notice("forged", clock.now()), [demo_signer("iq-prime-minister")])
    sig = env.signatures[0]
    bad = Signature(public_key=sig.public_key, signature=bytes([sig.signature[0] ^ 1]) +
                    sig.signature[1:])  # fmt: skip
    before = log_size(instance)
    r = ready.post(ACTS, content=Envelope(payload=env.payload, signatures=(bad,)).to_bytes())
    assert "signature" in problem(r, 401)["detail"].lower()
    assert log_size(instance) == before
    assert ready.get("/v1/acts/forged").status_code == 404


def test_unknown_key_is_403_and_records_nothing(ready, clock, instance) -> None:  # type: ignore[no-untyped-def]
    before = log_size(instance)
    body = problem(send(ready, notice("stranger", clock.now()), "a stranger"), 403)
    assert body["reason"] == "unknown_key"
    assert "recorded_at" not in body
    assert log_size(instance) == before


@pytest.mark.parametrize("hex_key", SMALL_ORDER)
def test_small_order_key_is_refused_and_records_nothing(ready, clock, instance, hex_key) -> None:  # type: ignore[no-untyped-def]
    env = sign_act(notice("small", clock.now()), [demo_signer("iq-prime-minister")])
    sig = Signature(public_key=bytes.fromhex(hex_key), signature=bytes(64))  # R = identity, S = 0
    before = log_size(instance)
    r = ready.post(ACTS, content=Envelope(payload=env.payload, signatures=(sig,)).to_bytes())
    assert problem(r, 403)["reason"] == "small_order_key"
    assert log_size(instance) == before


def test_admitting_a_small_order_key_is_refused(client, instance) -> None:  # type: ignore[no-untyped-def]
    data = admission("iq").to_dict()
    data["keys"][0]["public_key"] = base64.b64encode(bytes.fromhex(SMALL_ORDER[0])).decode()
    before = log_size(instance)
    r = client.post("/v1/parties", content=json.dumps(data), headers=OPERATOR)
    assert "small-order" in problem(r, r.status_code)["detail"]
    assert r.status_code in (400, 422)
    assert log_size(instance) == before


def grant(client, clock, delegation: Delegation) -> None:  # type: ignore[no-untyped-def]
    act = statement(f"fp-{delegation.delegation_id}", ActKind.FULL_POWERS,
                    b.FullPowersBody(delegation=delegation), clock.now())  # fmt: skip
    r = send(client, act, "iq-presidency-seal")
    assert r.status_code == 201, r.text


def speaker_powers(did: str, kinds: set[ActKind], until: str, to: frozenset[str] = frozenset()):  # type: ignore[no-untyped-def]
    return Delegation(delegation_id=did, party_id="iq",
                      delegate_key=demo_signer("iq-speaker").public_key,
                      act_kinds=frozenset(kinds), addressees=to,
                      valid_from=at("2020-01-01T00:00"), valid_until=at(until))  # fmt: skip


def assert_recorded_refusal(client, instance, r, reason: str, before: int) -> None:  # type: ignore[no-untyped-def]
    body = problem(r, 403)
    assert body["reason"] == reason
    assert isinstance(body["recorded_at"], int)
    assert log_size(instance) == before + 2  # the act and its rejection, nothing else
    ev = client.get(f"/v1/entries/{body['recorded_at']}")
    assert ev.status_code == 200
    assert b"rejected" in base64.b64decode(json.loads(ev.content)["payload"])


def test_expired_delegation(ready, clock, instance) -> None:  # type: ignore[no-untyped-def]
    grant(ready, clock, speaker_powers("fp-old", {ActKind.NOTICE}, "2020-01-12T09:30"))
    clock.set(at("2020-01-12T10:00"))
    before = log_size(instance)
    r = send(ready, notice("late", clock.now()), "iq-speaker")
    assert_recorded_refusal(ready, instance, r, "delegation_expired", before)


def test_revoked_delegation(ready, clock, instance) -> None:  # type: ignore[no-untyped-def]
    grant(ready, clock, speaker_powers("fp-rev", {ActKind.NOTICE}, "2020-12-31T00:00"))
    clock.advance(timedelta(minutes=1))
    assert send(ready, notice("in-time", clock.now()), "iq-speaker").status_code == 201
    revoke = statement("rv-1", ActKind.DELEGATION_REVOCATION,
                       b.DelegationRevocationBody(delegation="fp-rev"), clock.now())  # fmt: skip
    clock.advance(timedelta(minutes=1))
    assert send(ready, revoke, "iq-presidency-seal").status_code == 201
    clock.advance(timedelta(minutes=1))
    before = log_size(instance)
    r = send(ready, notice("after-revocation", clock.now()), "iq-speaker")
    assert_recorded_refusal(ready, instance, r, "delegation_revoked", before)


def test_out_of_scope_delegation(ready, clock, instance) -> None:  # type: ignore[no-untyped-def]
    grant(ready, clock, speaker_powers("fp-ir", {ActKind.NOTICE}, "2020-12-31T00:00",
                                       frozenset({"ir"})))  # fmt: skip
    before = log_size(instance)
    r = send(ready, notice("to-us", clock.now(), to=("us",)), "iq-speaker")
    assert_recorded_refusal(ready, instance, r, "out_of_scope", before)


def test_replayed_act_is_409_and_records_nothing(ready, clock, instance) -> None:  # type: ignore[no-untyped-def]
    data = step_bytes("iq-notice-2020-01-12")
    assert ready.post(ACTS, content=data).status_code == 201
    before = log_size(instance)
    assert "already recorded" in problem(ready.post(ACTS, content=data), 409)["detail"]
    assert log_size(instance) == before


def test_replayed_inbox_request_is_409_and_records_nothing(ready, clock, instance) -> None:  # type: ignore[no-untyped-def]
    assert ready.post(ACTS, content=step_bytes("iq-notice-2020-01-12")).status_code == 201
    req = signed_inbox_request("us", "us-secretary-of-state", clock.now())
    assert ready.post("/v1/inbox", content=req).status_code == 200
    before = log_size(instance)
    problem(ready.post("/v1/inbox", content=req), 409)
    assert log_size(instance) == before
    forged = req.replace(b'"signature":"', b'"signature":"AAAA', 1)  # 67 bytes: cannot verify
    problem(ready.post("/v1/inbox", content=forged), 401)
    other = signed_inbox_request("us", "iq-prime-minister", clock.now())
    assert problem(ready.post("/v1/inbox", content=other), 403)["reason"] == "unknown_key"
    stale = signed_inbox_request("us", "us-secretary-of-state", at("2020-01-01T00:00"))
    problem(ready.post("/v1/inbox", content=stale), 422)
    assert log_size(instance) == before


def test_claimed_time_far_from_receipt_is_422(ready, clock, instance) -> None:  # type: ignore[no-untyped-def]
    before = log_size(instance)
    old = send(ready, notice("backdated", at("2019-06-01T00:00")), "iq-prime-minister")
    assert "before the depositary received it" in problem(old, 422)["detail"]
    ahead = send(ready, notice("ahead", clock.now() + timedelta(days=1)), "iq-prime-minister")
    assert "future" in problem(ahead, 422)["detail"]
    assert log_size(instance) == before


@pytest.mark.parametrize(
    ("path", "headers"),
    [(ACTS, {}), ("/v1/parties", OPERATOR), ("/v1/cases", OPERATOR), ("/v1/inbox", {})],
)
@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b'{"a":1,"a":2}',
        b"\xff\xfe\x00garbage",
        b"",
        b"[]",
        b'{"x":1.5}',
        b"[" * 60_000,
        b'{"signatures":' * 4_000,
    ],
    ids=[
        "not-json",
        "duplicate-key",
        "not-utf8",
        "empty",
        "array",
        "float",
        "deep-array",
        "deep-object",
    ],
)
def test_malformed_bodies_are_400(client, instance, path, headers, body) -> None:  # type: ignore[no-untyped-def]
    before = log_size(instance)
    problem(client.post(path, content=body, headers=headers), 400)
    assert log_size(instance) == before


def test_oversized_body_is_413_before_parsing(ready, instance) -> None:  # type: ignore[no-untyped-def]
    limit = instance.settings.max_body_bytes
    before = log_size(instance)
    assert "larger than" in problem(ready.post(ACTS, content=b"{" * (limit + 1)), 413)["detail"]

    def chunks():  # no Content-Length: the limit is enforced while streaming
        for _ in range(limit // 1024 + 2):
            yield b" " * 1024

    problem(ready.post(ACTS, content=chunks()), 413)
    problem(ready.post("/v1/inbox", content=b"x" * (limit + 1)), 413)
    assert log_size(instance) == before


def test_script_in_act_text_comes_back_as_data(ready, clock) -> None:  # type: ignore[no-untyped-def]
    script = '<script>alert("owned")</script><img src=x onerror=alert(1)>'
    r = send(ready, notice("scripted", clock.now(), text=script), "iq-prime-minister")
    assert r.status_code == 201, r.text
    for url in ("/v1/acts/scripted", f"/v1/cases/{CASE_ID}", "/v1/acts?q=script"):
        got = ready.get(url)
        assert got.headers["content-type"] == "application/json"
        assert got.headers["x-content-type-options"] == "nosniff"
        assert "default-src 'none'" in got.headers["content-security-policy"]
    view = ready.get("/v1/acts/scripted").json()
    assert view["act"]["texts"][0]["content"] == script  # the exact text, as data
    missing = ready.get("/v1/acts/%3Cscript%3E")
    assert missing.headers["content-type"] == "application/problem+json"


def test_rate_limits_per_address_and_per_key(tmp_path, clock) -> None:  # type: ignore[no-untyped-def]
    from starlette.testclient import TestClient

    t = [0.0]
    inst = make_instance(tmp_path / "dep", clock, rate_per_address=1.0, rate_per_key=0.1,
                         rate_burst=3)  # fmt: skip
    try:
        with TestClient(create_app(inst, now=lambda: t[0])) as client:
            for _ in range(3):
                assert client.get("/v1/log").status_code == 200
            r = client.get("/v1/log")
            problem(r, 429)
            assert r.headers["retry-after"] == "1"
            t[0] += 1.0  # one token back
            assert client.get("/v1/log").status_code == 200
            t[0] += 100.0
            admit_all_slowly(client, t)
            clock.set(at(NOW))
            data = [sign_act(notice(f"n{i}", clock.now()), [demo_signer("iq-prime-minister")])
                    .to_bytes() for i in range(4)]  # fmt: skip
            for d in data[:3]:
                t[0] += 1.0
                assert client.post(ACTS, content=d).status_code == 201
            t[0] += 1.0
            before = log_size(inst)
            r = client.post(ACTS, content=data[3])
            assert "signing key" in problem(r, 429)["detail"]
            assert int(r.headers["retry-after"]) >= 1
            assert log_size(inst) == before
    finally:
        inst.close()


def admit_all_slowly(client, t) -> None:  # type: ignore[no-untyped-def]
    from depositary.demo.iraq2020 import CASE, PARTIES

    for party_id in PARTIES:
        t[0] += 1.0
        r = client.post("/v1/parties", content=json.dumps(admission(party_id).to_dict()),
                        headers=OPERATOR)  # fmt: skip
        assert r.status_code == 201, r.text
    t[0] += 1.0
    assert client.post("/v1/cases", content=json.dumps(CASE.to_dict()),
                       headers=OPERATOR).status_code == 201  # fmt: skip
