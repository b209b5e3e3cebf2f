"""Tiles kept in step by the service after each commit; a failing target fails no append."""

from __future__ import annotations

import time
from pathlib import Path

from depositary.clock import SystemClock
from depositary.config import Settings
from depositary.demo.iraq2020 import CASE_ID, ORIGIN
from depositary.demo.replay import setup
from depositary.log.audit import DirectorySource, audit
from depositary.service.instance import init_data_dir, open_instance
from tests.scale.checks import log_verifier
from tests.scale.cluster import talks_acts


def test_tiles_directory_and_a_failing_s3_target(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    init_data_dir(tmp_path / "keys", ORIGIN)
    settings = Settings(
        data_dir=tmp_path / "keys", origin=ORIGIN, batch_period=0.005,
        tiles_dir=str(tmp_path / "tiles"), tiles_url="s3://nowhere/log",
        s3_endpoint_url="http://127.0.0.1:9",  # nothing listens
    )  # fmt: skip
    inst = open_instance(settings, clock=SystemClock())
    inst.publisher.retry = 0.05
    try:
        inst.start_workers()
        setup(inst.depositary, {})
        for _, data in talks_acts("pub", 5):
            inst.depositary.submit(data, case_id=CASE_ID)  # the failing target fails nothing
        size = inst.store.checkpoint().size  # type: ignore[union-attr]
        deadline = time.monotonic() + 20
        directory, s3 = inst.publisher.targets
        while directory.size < size and time.monotonic() < deadline:
            time.sleep(0.02)
        assert directory.size == size
        assert s3.failures >= 1
        assert s3.last_error is not None
    finally:
        inst.close()
    signed = audit(DirectorySource(tmp_path / "tiles"), log_verifier(tmp_path / "keys"))
    assert signed.checkpoint.size >= size
