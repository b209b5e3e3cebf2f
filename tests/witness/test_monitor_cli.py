"""``depositary monitor --interval``: keeps looking, survives a missing file, stops on a split."""

from __future__ import annotations

from pathlib import Path

import pytest

from depositary.cli.commands import monitor as monitor_cmd
from depositary.cli.main import main
from depositary.service.log_dir import LogDir


class StopLoopError(Exception):
    pass


def test_interval_mode_follows_and_retries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tiles = tmp_path / "tiles"
    lg = LogDir.create(tmp_path / "log", "monitor.example/log")
    lg.append([b"a", b"b"])
    lg.sync_tiles(tiles)
    sleeps: list[float] = []

    def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 1:  # the log grows between two looks
            lg.append([b"c"])
        elif len(sleeps) == 2:  # the checkpoint is briefly missing (a mirror hiccup)
            (tiles / "checkpoint").rename(tiles / "checkpoint.bak")
        elif len(sleeps) == 3:
            (tiles / "checkpoint.bak").rename(tiles / "checkpoint")
        else:
            raise StopLoopError

    monkeypatch.setattr(monitor_cmd.time, "sleep", fake_sleep)
    state = tmp_path / "seen.json"
    with pytest.raises(StopLoopError):
        main(["monitor", str(tiles), "--vkey", lg.vkey, "--state", str(state), "--interval", "7"])
    lg.close()
    out, err = capsys.readouterr()
    assert "at size 2" in out
    assert "at size 3" in out
    assert "consistent with size 2" in out
    assert "retrying in 7.0 s" in err
    assert sleeps == [7.0] * 4
    assert main(["monitor", str(tiles), "--vkey", lg.vkey, "--once", "--interval", "1"]) == 2
