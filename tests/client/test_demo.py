"""``depositary demo --no-serve`` runs end to end, and its printed offline check passes."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from depositary.cli.main import main


def test_the_demo_replays_the_case_and_its_printed_check_passes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    workdir = tmp_path / "demo-out"
    assert main(["demo", "--no-serve", "--dir", str(workdir)]) == 0
    out = capsys.readouterr().out
    for words in (
        "recorded iq-notice-2020-01-12 (notice)",
        "REFUSED (no_delegation)",
        "delivered to us's endpoint",
        "delivery to coalition FAILED",
        "retrieved by us from its inbox",
        "deadline passed: no answer from coalition",
        "host's view: presence_without_consent",
        "a reported statement, kept apart",
        "ok: entry is in demo.depositary.example/log",
    ):
        assert words in out, words
    (check,) = [ln.strip() for ln in out.splitlines() if "depositary verify receipt" in ln]
    assert main(shlex.split(check)[1:]) == 0
    assert capsys.readouterr().out.startswith("ok: entry is in")
    # a second run replaces the earlier demo; a directory that is not a demo is refused
    assert main(["demo", "--no-serve", "--dir", str(workdir)]) == 0
    other = tmp_path / "precious"
    other.mkdir()
    (other / "thesis.txt").write_text("keep me")
    assert main(["demo", "--no-serve", "--dir", str(other)]) == 78
    assert (other / "thesis.txt").read_text() == "keep me"
