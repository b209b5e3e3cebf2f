"""Shared fixtures: stores of every kind, a fixed clock, log signers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from depositary.clock import ManualClock
from depositary.encoding.note import NoteSigner
from depositary.storage.base import LogStore
from depositary.storage.memory import MemoryStore
from depositary.storage.sqlite import SQLiteStore

STORE_KINDS = ["memory", "sqlite"]


def make_store(kind: str, tmp_path: Path) -> LogStore:
    if kind == "memory":
        return MemoryStore()
    if kind == "sqlite":
        return SQLiteStore(str(tmp_path / "log.sqlite"))
    raise AssertionError(kind)


@pytest.fixture(params=STORE_KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LogStore]:
    s = make_store(request.param, tmp_path)
    yield s
    s.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2020, 1, 5, 12, 0, tzinfo=UTC))


@pytest.fixture
def signer() -> NoteSigner:
    return NoteSigner.generate("test.depositary.example/log")
