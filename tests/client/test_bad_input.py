"""Bad input gives a specific message and exit code, and sends nothing it should not."""

from __future__ import annotations

import json
from pathlib import Path

import httpx2
import pytest

from depositary.cli.commands._client import use_transport
from depositary.client.http import DepositaryClient, error_from_response
from depositary.demo.iraq2020 import CASE_ID
from depositary.errors import AuthorityError, ConflictError, DecodeError, NotFound
from tests.client.test_commands import notice, run, sign_and_submit


def test_a_missing_key_file_is_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    act = notice(capsys, tmp_path)
    code, _, err = run(capsys, "act", "sign", str(act), "--key", str(tmp_path / "nope.key"))
    assert code == 78
    assert "nope.key does not exist" in err


def test_a_key_readable_by_others_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, keys: dict[str, Path]
) -> None:
    key = keys["iq-prime-minister"]
    key.chmod(0o644)
    code, _, err = run(capsys, "act", "sign", str(notice(capsys, tmp_path)), "--key", str(key))
    assert code == 78
    assert "readable by others" in err


def test_a_file_that_is_not_a_key(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.key"
    bad.write_text("hello\n")
    bad.chmod(0o600)
    code, _, err = run(capsys, "act", "sign", str(notice(capsys, tmp_path)), "--key", str(bad))
    assert code == 78
    assert "not a depositary key file" in err


def test_the_wrong_key_for_the_party_is_refused_before_sending(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, app_transport: object,
    keys: dict[str, Path],
) -> None:  # fmt: skip
    sign_and_submit(capsys, notice(capsys, tmp_path), keys["iq-prime-minister"])
    code, _, err = run(capsys, "ack", "iq-notice-test", "--party", "ir", "--key",
                       str(keys["us-secretary-of-state"]), "--case", CASE_ID)  # fmt: skip
    assert code == 78
    assert "is not a key of ir at the depositary" in err
    assert not list(tmp_path.glob("ir-acknowledgment*"))


def test_the_server_refuses_a_key_that_does_not_speak_for_the_party(
    capsys: pytest.CaptureFixture[str], app_transport: object, keys: dict[str, Path]
) -> None:
    code, _, err = run(capsys, "inbox", "--party", "us", "--key", str(keys["ir-foreign-minister"]))
    assert code == 77  # AuthorityError: no authority
    assert "not signed by a key of us" in err


def test_malformed_act_json_and_unknown_kind(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, keys: dict[str, Path]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "depositary/act", "version": 1,')
    code, _, err = run(capsys, "act", "sign", str(bad), "--key", str(keys["iq-prime-minister"]))
    assert code == 65
    assert "not JSON" in err
    data = json.loads(notice(capsys, tmp_path).read_text())
    data["kind"] = "ultimatum"
    bad.write_text(json.dumps(data))
    code, _, err = run(capsys, "act", "sign", str(bad), "--key", str(keys["iq-prime-minister"]))
    assert code == 65
    assert "act.kind: unknown value 'ultimatum'" in err
    code, _, err = run(capsys, "act", "new", "ultimatum")
    assert code == 65
    assert "unknown act kind 'ultimatum'" in err


def test_answering_an_act_not_addressed_to_you(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, app_transport: object,
    keys: dict[str, Path],
) -> None:  # fmt: skip
    sign_and_submit(capsys, notice(capsys, tmp_path), keys["iq-prime-minister"])
    code, _, err = run(capsys, "respond", "iq-notice-test", "--kind", "objection",
                       "--party", "coalition", "--key", str(keys["coalition-secretariat-seal"]),
                       "--case", CASE_ID)  # fmt: skip
    assert code == 65
    assert "coalition is not an addressee of iq-notice-test" in err


def test_unknown_case_and_unknown_act(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, app_transport: object,
    keys: dict[str, Path],
) -> None:  # fmt: skip
    act = notice(capsys, tmp_path)
    run(capsys, "act", "sign", str(act), "--key", str(keys["iq-prime-minister"]))
    code, _, err = run(capsys, "submit", str(tmp_path / "iq-notice-test.signed.json"),
                       "--case", "no-such-case")  # fmt: skip
    assert code == 66
    assert "no-such-case" in err
    code, _, err = run(capsys, "ack", "nothing-here", "--party", "ir",
                       "--key", str(keys["ir-foreign-minister"]), "--case", CASE_ID)  # fmt: skip
    assert code == 66


def test_a_tampered_envelope_is_refused_locally(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, keys: dict[str, Path]
) -> None:
    act = notice(capsys, tmp_path)
    run(capsys, "act", "sign", str(act), "--key", str(keys["iq-prime-minister"]))
    envelope = tmp_path / "iq-notice-test.signed.json"
    envelope.write_bytes(envelope.read_bytes().replace(b'"version":1', b'"version": 1'))
    code, _, err = run(capsys, "submit", str(envelope), "--case", CASE_ID)
    assert code == 65
    assert "canonical" in err


def test_no_server_is_a_configuration_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, keys: dict[str, Path]
) -> None:
    use_transport(None)
    code, _, err = run(capsys, "status", CASE_ID, "--server", "http://127.0.0.1:9")
    assert code == 78
    assert "cannot reach the depositary at http://127.0.0.1:9" in err


def problem(status: int, slug: str, **extra: object) -> httpx2.Response:
    body = {"type": f"urn:depositary:problem:{slug}", "title": slug, "status": status,
            "detail": f"the server says {slug}", **extra}  # fmt: skip
    return httpx2.Response(status, json=body, headers={"content-type": "application/problem+json"})


def test_problems_turn_back_into_the_matching_errors() -> None:
    e = error_from_response(problem(403, "authority", reason="no_delegation", recorded_at=7))
    assert isinstance(e, AuthorityError)
    assert (e.reason, e.recorded_at, str(e)) == ("no_delegation", 7, "the server says authority")
    assert isinstance(error_from_response(problem(400, "malformed")), DecodeError)
    assert isinstance(error_from_response(problem(409, "conflict")), ConflictError)
    assert isinstance(error_from_response(problem(404, "not-found")), NotFound)
    client = DepositaryClient(
        "http://dep.test", transport=httpx2.MockTransport(lambda r: problem(404, "not-found"))
    )
    with pytest.raises(NotFound, match="the server says not-found"):
        client.status("x")
