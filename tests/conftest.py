"""Shared fixtures: stores of every kind, a fixed clock, log signers.

PostgreSQL stores live in a fresh database per test on the server named by
``DEPOSITARY_TEST_PG_URL`` (``.ci/run`` starts one), or else on a cluster this
session starts itself. Without either the PostgreSQL tests are skipped, except
in CI (``CI=true``) or when the variable is set: then they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import pytest

from depositary.clock import ManualClock
from depositary.encoding.note import NoteSigner
from depositary.storage.base import LogStore
from depositary.storage.memory import MemoryStore
from depositary.storage.sqlite import SQLiteStore
from tests import pg_cluster

STORE_KINDS = ["memory", "sqlite", "postgres"]


def make_store(kind: str, tmp_path: Path, pg_url: str | None = None) -> LogStore:
    if kind == "memory":
        return MemoryStore()
    if kind == "sqlite":
        return SQLiteStore(str(tmp_path / "log.sqlite"))
    if kind == "postgres":
        from depositary.storage.postgres import PostgresStore

        assert pg_url is not None
        return PostgresStore(pg_url)
    raise AssertionError(kind)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The admin URL of a PostgreSQL server for this session."""
    url = os.environ.get(pg_cluster.ENV_URL)
    must = bool(url) or os.environ.get("CI") == "true"
    with ExitStack() as stack:
        try:
            if not url:
                url = stack.enter_context(pg_cluster.own_cluster())
            pg_cluster.check_server(url)
        except pg_cluster.UnavailableError as e:
            if must:
                pytest.fail(f"PostgreSQL is required here: {e}")
            pytest.skip(f"PostgreSQL unavailable: {e}")
        yield url


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """The URL of a fresh, empty database, dropped after the test."""
    with pg_cluster.fresh_database(pg_server) as url:
        yield url


@pytest.fixture(params=STORE_KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LogStore]:
    url = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    s = make_store(request.param, tmp_path, url)
    yield s
    s.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2020, 1, 5, 12, 0, tzinfo=UTC))


@pytest.fixture
def signer() -> NoteSigner:
    return NoteSigner.generate("test.depositary.example/log")
