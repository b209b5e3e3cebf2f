"""Every client command through ``main([...])`` against the real app on a simulated clock."""

from __future__ import annotations

import json
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from depositary.acts.kinds import ActKind
from depositary.cli.main import main
from depositary.clock import ManualClock
from depositary.demo.iraq2020 import CASE_ID

Run = tuple[int, str, str]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def draft(capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str, **fields: Any) -> Path:
    """``act new KIND``, filled in the way a party would with an editor."""
    path = tmp_path / f"{fields['act_id']}.json"
    assert run(capsys, "act", "new", kind, "--out", str(path))[0] == 0
    data = json.loads(path.read_text())
    body = fields.pop("body", {})
    data.update(fields)
    data["body"].update(body)
    path.write_text(json.dumps(data, indent=2))
    return path


def notice(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    return draft(
        capsys, tmp_path, "notice", act_id="iq-notice-test", issuers=["iq"],
        addressees=[{"party": "us", "legal_basis": ["iq-request-2014"]},
                    {"party": "ir", "legal_basis": ["iq-ir-advisers"]}],
        texts=[{"lang": "en", "authentic": True, "content": "Consent is withdrawn."}],
        body={"targets": [{"instrument": "iq-request-2014", "named_date": None},
                          {"instrument": "iq-ir-advisers", "named_date": None}],
              "grounds": "The resolution of the Council of Representatives"},
    )  # fmt: skip


def sign_and_submit(
    capsys: pytest.CaptureFixture[str], act_file: Path, key: Path, *extra: str
) -> dict[str, Any]:
    code, out, err = run(capsys, "act", "sign", str(act_file), "--key", str(key))
    assert code == 0, err
    envelope = act_file.with_name(act_file.stem + ".signed.json")
    code, out, err = run(capsys, "submit", str(envelope), "--case", CASE_ID, "--json", *extra)
    assert code == 0, err
    result: dict[str, Any] = json.loads(out)
    return result


def test_keygen_writes_a_private_file_and_prints_only_the_public_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    key = tmp_path / "mine.key"
    code, out, _ = run(capsys, "keygen", "--out", str(key))
    assert code == 0
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    seed_line = next(ln for ln in key.read_text().splitlines() if ln.startswith("ed25519-seed:"))
    assert seed_line.split(":", 1)[1] not in out
    pub = (tmp_path / "mine.key.pub").read_text().strip()
    assert f"public key: {pub}" in out
    code, _, err = run(capsys, "keygen", "--out", str(key))
    assert code == 78
    assert "never overwritten" in err
    code, out, _ = run(capsys, "keygen", "--out", str(tmp_path / "k2"), "--json")
    assert json.loads(out)["public_key"] == (tmp_path / "k2.pub").read_text().strip()


@pytest.mark.parametrize("kind", [k.value for k in ActKind])
def test_every_template_is_an_act_but_for_its_placeholders(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    code, out, _ = run(capsys, "act", "new", kind)
    assert code == 0
    data = json.loads(out)
    assert data["kind"] == kind
    assert "<FILL" in out
    (tmp_path / "a.json").write_text(out)
    key = tmp_path / "k"
    run(capsys, "keygen", "--out", str(key))
    code, _, err = run(capsys, "act", "sign", str(tmp_path / "a.json"), "--key", str(key))
    assert code == 65
    assert "still has placeholders to fill: act.act_id" in err


def test_the_whole_round_trip_from_draft_to_offline_check(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, app_transport: object,
    keys: dict[str, Path],
) -> None:  # fmt: skip
    sub = sign_and_submit(capsys, notice(capsys, tmp_path), keys["iq-prime-minister"])
    assert sub["act_id"] == "iq-notice-test"
    assert len(sub["evidence"]) == 3  # submitted, circulated to us, circulated to ir
    receipt = Path(sub["receipt_file"])
    assert receipt.read_text().startswith("c2sp.org/tlog-proof@v1")
    envelope = tmp_path / "iq-notice-test.signed.json"
    code, out, err = run(capsys, "verify", "receipt", "--vkey", sub["log_vkey"],
                         "--entry", str(envelope), str(receipt))  # fmt: skip
    assert code == 0, err
    assert out.startswith("ok: entry is in")
    code, _, err = run(capsys, "submit", str(envelope), "--case", CASE_ID)
    assert code == 73
    assert "already recorded" in err


def test_submit_reads_as_a_narrative_for_people(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, app_transport: object,
    keys: dict[str, Path],
) -> None:  # fmt: skip
    act_file = notice(capsys, tmp_path)
    run(capsys, "act", "sign", str(act_file), "--key", str(keys["iq-prime-minister"]))
    code, out, _ = run(capsys, "submit", str(tmp_path / "iq-notice-test.signed.json"),
                       "--case", CASE_ID, "--receipt-out", str(tmp_path / "r.proof"))  # fmt: skip
    assert code == 0
    assert "recorded iq-notice-test in case iraq-2020 at log index" in out
    assert f"receipt: {tmp_path / 'r.proof'}" in out
    assert "depositary verify receipt --vkey" in out


def test_inbox_ack_and_status(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, app_transport: object,
    keys: dict[str, Path], clock: ManualClock,
) -> None:  # fmt: skip
    sign_and_submit(capsys, notice(capsys, tmp_path), keys["iq-prime-minister"])
    code, out, err = run(capsys, "inbox", "--party", "us", "--key",
                         str(keys["us-secretary-of-state"]), "--json")  # fmt: skip
    assert code == 0, err
    assert [a["act"]["act_id"] for a in json.loads(out)["acts"]] == ["iq-notice-test"]
    code, out, _ = run(capsys, "inbox", "--party", "us", "--key",
                       str(keys["us-secretary-of-state"]))  # fmt: skip
    assert code == 0
    assert "iq-notice-test" in out
    assert "notice" in out
    code, out, err = run(capsys, "ack", "iq-notice-test", "--party", "ir", "--key",
                         str(keys["ir-foreign-minister"]), "--case", CASE_ID, "--json",
                         "--out", str(tmp_path / "ack.json"))  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["act_id"] == "ir-acknowledgment-iq-notice-test"
    clock.advance(timedelta(minutes=1))
    code, out, err = run(capsys, "status", CASE_ID, "--json")
    assert code == 0, err
    data = json.loads(out)
    acts = {a["act_id"]: a for a in data["acts"]}
    assert acts["iq-notice-test"]["responses"] == ["ir-acknowledgment-iq-notice-test"]
    presences = {p["presence_id"]: p for p in data["presences"]}
    assert presences["us-in-iq"]["host_view"]["state"] != "consented"
    code, out, _ = run(capsys, "status", CASE_ID)
    assert code == 0
    for words in ("us-in-iq", "host view", "sending view", "iq-notice-test",
                  "ir-acknowledgment-iq-notice-test"):  # fmt: skip
        assert words in out


def test_refusal_of_agenda_items_and_an_overdue_answer(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, app_transport: object,
    keys: dict[str, Path], clock: ManualClock,
) -> None:  # fmt: skip
    respond_by = (clock.now() + timedelta(days=7)).date().isoformat()
    talks = draft(
        capsys, tmp_path, "request_for_talks", act_id="iq-talks-test", issuers=["iq"],
        addressees=[{"party": "us", "legal_basis": ["iq-request-2014"]},
                    {"party": "coalition", "legal_basis": ["iq-coalition-request-2014"]}],
        texts=[{"lang": "en", "authentic": True, "content": "Please come and talk."}],
        body={"agenda": [{"number": 1, "title": "A mechanism"}, {"number": 2, "title": "Dates"}],
              "place": "Baghdad", "respond_by": respond_by},
    )  # fmt: skip
    sign_and_submit(capsys, talks, keys["iq-prime-minister"])
    code, out, err = run(capsys, "respond", "iq-talks-test", "--kind", "refusal", "--items", "1,2",
                         "--party", "us", "--key", str(keys["us-secretary-of-state"]),
                         "--case", CASE_ID, "--text", "Not withdrawal.",
                         "--out", str(tmp_path / "refusal.json"))  # fmt: skip
    assert code == 0, err
    assert "recorded us-refusal-iq-talks-test" in out
    later = (clock.now() + timedelta(days=10)).date().isoformat()
    code, out, err = run(capsys, "status", CASE_ID, "--as-of", later, "--json")
    assert code == 0, err
    (act,) = [a for a in json.loads(out)["acts"] if a["act_id"] == "iq-talks-test"]
    by_party = {d["party"]: d for d in act["deadlines"]}
    assert by_party["us"]["met_by"] == "us-refusal-iq-talks-test"
    assert by_party["coalition"]["overdue"] is True
    code, out, _ = run(capsys, "status", CASE_ID, "--as-of", later)
    assert "OVERDUE" in out
    assert "met by us-refusal-iq-talks-test" in out


def test_a_joint_acceptance_is_cosigned_then_submitted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, app_transport: object,
    keys: dict[str, Path],
) -> None:  # fmt: skip
    sign_and_submit(capsys, notice(capsys, tmp_path), keys["iq-prime-minister"])
    half = tmp_path / "acceptance.json"
    code, out, err = run(capsys, "respond", "iq-notice-test", "--kind", "acceptance",
                         "--party", "us", "--key", str(keys["us-secretary-of-state"]),
                         "--case", CASE_ID, "--out", str(half), "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["needs_signatures_of"] == ["iq"]
    code, _, err = run(capsys, "act", "sign", "--cosign", str(half),
                       "--key", str(keys["iq-prime-minister"]))  # fmt: skip
    assert code == 0, err
    code, out, err = run(capsys, "submit", str(half), "--case", CASE_ID, "--json")
    assert code == 0, err
    assert json.loads(out)["act_id"] == "us-acceptance-iq-notice-test"
