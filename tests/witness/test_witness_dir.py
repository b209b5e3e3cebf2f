"""A witness in a directory: init, keys, known logs, state that survives a restart."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from depositary.cli.main import main
from depositary.clock import ManualClock
from depositary.encoding.cosignature import CosignatureVerifier
from depositary.encoding.note import NoteSigner
from depositary.errors import ConfigError
from depositary.witness.service import KEY_FILE, WitnessDir
from depositary.witness.state import WitnessState
from tests.witness.helpers import ORIGIN, MiniLog, entries


def test_cli_init_vkey_add_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wdir = tmp_path / "w"
    assert main(["witness", "init", str(wdir), "--name", "witness.example/w1"]) == 0
    vkey = capsys.readouterr().out.strip()
    assert CosignatureVerifier.from_vkey(vkey).name == "witness.example/w1"
    assert stat.S_IMODE((wdir / KEY_FILE).stat().st_mode) == 0o600
    assert main(["witness", "vkey", str(wdir)]) == 0
    assert capsys.readouterr().out.strip() == vkey
    # a second init refuses to overwrite the key
    assert main(["witness", "init", str(wdir), "--name", "other"]) == 78
    log_vkey = NoteSigner.generate(ORIGIN).verifier().to_vkey()
    keyfile = tmp_path / "log.vkey"
    keyfile.write_text(log_vkey + "\n")
    assert main(["witness", "add-log", str(wdir), "--origin", ORIGIN, "--vkey", str(keyfile)]) == 0
    assert main(["witness", "add-log", str(wdir), "--origin", ORIGIN, "--vkey", "junk+key"]) == 65
    with WitnessDir(wdir) as w:
        assert [v.to_vkey() for v in w.state.logs()[ORIGIN].verifiers] == [log_vkey]  # type: ignore[attr-defined]
    assert main(["witness", "vkey", str(tmp_path / "nowhere")]) == 78


def test_a_cosigned_record_survives_a_restart(tmp_path: Path, clock: ManualClock) -> None:
    signer = NoteSigner.generate(ORIGIN)
    log = MiniLog(signer, clock)
    log.append(*entries(9))
    with WitnessDir.create(tmp_path / "w", "witness.example/w1", clock=clock) as w:
        w.state.add_log(ORIGIN, [signer.verifier().to_vkey()])
        assert w.witness.add_checkpoint(log.request(0)).status == 200
    # a fresh process sees the state the 200 promised
    state = WitnessState(str(tmp_path / "w" / "witness.sqlite"))
    assert state.latest(ORIGIN).size == 9  # type: ignore[union-attr]
    state.close()
    with WitnessDir(tmp_path / "w", clock=clock) as w:
        assert w.witness.add_checkpoint(log.request(0)).status == 409


def test_a_broken_key_file_is_a_config_error(tmp_path: Path) -> None:
    WitnessDir.create(tmp_path / "w", "w1").close()
    (tmp_path / "w" / KEY_FILE).write_text("PRIVATE+KEY+nonsense\n")
    with pytest.raises(ConfigError):
        WitnessDir(tmp_path / "w")
