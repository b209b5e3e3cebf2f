"""``depositary verify act``: an act's dossier checked offline, from the API's own JSON."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from depositary.cli.main import main
from depositary.crypto.ed25519 import Signer
from depositary.encoding.note import NoteSigner
from depositary.errors import DecodeError, ProofError, SignatureError
from depositary.http.app import create_app
from depositary.records.dossier import Dossier, verify_dossier
from depositary.service.instance import Instance
from tests.web.live import demo_instance

NOTICE = "iq-notice-2020-01-12"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    inst = demo_instance(tmp_path_factory.mktemp("dossier") / "dep")
    yield inst
    inst.close()


@pytest.fixture(scope="module")
def dossier(demo: Instance) -> dict[str, Any]:
    with TestClient(create_app(demo)) as client:
        r = client.get(f"/v1/acts/{NOTICE}")
        assert r.status_code == 200
        return dict(r.json())


def keys(demo: Instance) -> dict[str, Any]:
    return {"log_verifier": demo.log_verifier, "depositary_key": demo.depositary.key.public_key}


def flip(text: str) -> str:
    i = len(text) // 2
    return text[:i] + ("B" if text[i] == "A" else "A") + text[i + 1 :]


def test_a_real_dossier_verifies_with_every_step(demo: Instance, dossier: dict[str, Any]) -> None:
    v = verify_dossier(Dossier.from_json(json.dumps(dossier).encode()), **keys(demo))
    assert v.act.act_id == NOTICE
    assert v.index == dossier["index"]
    kinds = [s.kind.value for s in v.steps]
    assert kinds[0] == "submitted"
    assert kinds.count("circulated") == 3  # us, coalition, ir
    assert "retrieved" in kinds
    assert [s.index for s in v.steps] == [e["index"] for e in dossier["evidence"]]
    assert v.steps[0].details["signers"] == "iq-prime-minister"


def tampered(dossier: dict[str, Any], how: str) -> dict[str, Any]:
    d = json.loads(json.dumps(dossier))
    ev = d["evidence"]
    if how == "act-entry":
        d["envelope"] = flip(d["envelope"])
    elif how == "evidence-entry":
        ev[1]["entry"] = flip(ev[1]["entry"])
    elif how == "evidence-order":
        ev[1], ev[2] = ev[2], ev[1]
    elif how == "evidence-dropped":
        del ev[1]
    elif how == "evidence-receipt":
        ev[0]["receipt"] = ev[1]["receipt"]
    return d


@pytest.mark.parametrize(
    ("how", "error", "message"),
    [
        ("act-entry", ProofError, "not at index"),
        ("evidence-entry", (DecodeError, SignatureError, ProofError), "evidence at log index"),
        ("evidence-order", ProofError, "chain is broken"),
        ("evidence-dropped", ProofError, "chain is broken"),
        ("evidence-receipt", ProofError, "not at index"),
    ],
)
def test_a_tampered_dossier_fails(
    demo: Instance, dossier: dict[str, Any], how: str, error: Any, message: str
) -> None:
    data = json.dumps(tampered(dossier, how)).encode()
    with pytest.raises(error, match=message):
        verify_dossier(Dossier.from_json(data), **keys(demo))


def test_evidence_of_another_act_is_refused(demo: Instance, dossier: dict[str, Any]) -> None:
    with TestClient(create_app(demo)) as client:
        other = client.get("/v1/acts/iq-pm-talks-2020-01-09").json()
    d = json.loads(json.dumps(dossier))
    d["evidence"].append(other["evidence"][-1])  # genuine, signed and logged, but not ours
    with pytest.raises(ProofError, match="evidence on another act"):
        verify_dossier(Dossier.from_json(json.dumps(d).encode()), **keys(demo))


def test_other_keys_fail(demo: Instance, dossier: dict[str, Any]) -> None:
    d = Dossier.from_json(json.dumps(dossier).encode())
    with pytest.raises(SignatureError, match="evidence at log index"):
        verify_dossier(d, log_verifier=demo.log_verifier,
                       depositary_key=Signer(bytes(range(32))).public_key)  # fmt: skip
    other_log = NoteSigner.generate(demo.settings.origin).verifier()
    with pytest.raises(SignatureError):
        verify_dossier(d, log_verifier=other_log, depositary_key=demo.depositary.key.public_key)


def test_the_cli_checks_a_dossier_offline(
    demo: Instance, dossier: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "notice.json"
    good.write_text(json.dumps(dossier), encoding="utf-8")
    vkey = demo.log_verifier.to_vkey()
    dkey = base64.b64encode(demo.depositary.key.public_key).decode()
    assert main(["verify", "act", "--vkey", vkey, "--depositary-key", dkey, str(good)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"ok: act {NOTICE} (notice) from iq to us, coalition, ir")
    assert "submitted (signers: iq-prime-minister)" in out
    assert main(["verify", "act", "--vkey", vkey, "--depositary-key", dkey, "--json",
                 str(good)]) == 0  # fmt: skip
    shown = json.loads(capsys.readouterr().out)
    assert shown["act_id"] == NOTICE
    assert shown["evidence"][0]["kind"] == "submitted"

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(tampered(dossier, "evidence-order")), encoding="utf-8")
    assert main(["verify", "act", "--vkey", vkey, "--depositary-key", dkey, str(bad)]) == 1
    assert "chain is broken" in capsys.readouterr().err
    junk = tmp_path / "junk.json"
    junk.write_text("[1, 2", encoding="utf-8")
    assert main(["verify", "act", "--vkey", vkey, "--depositary-key", dkey, str(junk)]) == 65
