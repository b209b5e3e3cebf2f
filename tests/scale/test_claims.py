"""The claims on one database from two instances at once (threads standing in for processes).

Two ``open_instance`` on the same database share nothing in memory: their
locks, caches and pools are separate, exactly as in two processes; only the
database is common. Run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest

from depositary.clock import ManualClock, SystemClock
from depositary.config import Settings
from depositary.demo.iraq2020 import CASE_ID, END, ORIGIN, at, steps
from depositary.demo.replay import replay, setup, signed_inbox_request
from depositary.errors import ConflictError
from depositary.service.instance import Instance, init_data_dir, open_instance
from tests.scale.checks import check_chains
from tests.scale.cluster import talks_acts

T = TypeVar("T")


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        return str(request.getfixturevalue("pg_url"))
    return f"sqlite:///{tmp_path / 'shared.sqlite'}"


@pytest.fixture
def pair(tmp_path: Path, store_url: str) -> Iterator[tuple[Instance, Instance, ManualClock]]:
    init_data_dir(tmp_path / "keys", ORIGIN)
    clock = ManualClock(at("2020-01-01T00:00"))
    settings = Settings(data_dir=tmp_path / "keys", origin=ORIGIN, store_url=store_url,
                        batch_period=0.002, delivery_attempts=1)  # fmt: skip
    a = open_instance(settings, clock=clock)
    b = open_instance(settings, clock=clock)
    yield a, b, clock
    a.close()
    b.close()


def at_once(fns: list[Callable[[], T]]) -> list[T | Exception]:
    barrier = threading.Barrier(len(fns))

    def run(fn: Callable[[], T]) -> T | Exception:
        barrier.wait()
        try:
            return fn()
        except ConflictError as e:
            return e

    with ThreadPoolExecutor(len(fns)) as pool:
        return list(pool.map(run, fns))


def test_the_same_act_at_once_is_recorded_once(pair, tmp_path: Path, store_url: str) -> None:  # type: ignore[no-untyped-def]
    a, b, clock = pair
    clock.set(SystemClock().now())  # the acts are made now
    setup(a.depositary, {})
    for n, (_, data) in enumerate(talks_acts("same", 5)):
        got = at_once([lambda d=data: a.depositary.submit(d, case_id=CASE_ID),
                       lambda d=data: b.depositary.submit(d, case_id=CASE_ID)])  # fmt: skip
        assert sorted(type(g).__name__ for g in got) == ["ActIdTakenError", "Submission"], n
    req = [signed_inbox_request("us", "us-secretary-of-state", clock.now()) for _ in range(2)]
    at_once([lambda: a.depositary.inbox(req[0]), lambda: b.depositary.inbox(req[1])])
    chains = check_chains(store_url, tmp_path / "keys")
    assert len(chains) == 5
    for chain in chains.values():
        assert [e.kind.value for e in chain] == ["submitted", "circulated", "retrieved"]


def test_two_schedulers_at_once_record_each_deadline_once(
    pair, tmp_path: Path, store_url: str
) -> None:  # type: ignore[no-untyped-def]
    a, b, clock = pair
    setup(a.depositary, {})
    replay(a.depositary, clock, steps())
    clock.set(END)
    got = at_once([a.scheduler.tick, b.scheduler.tick])
    assert all(isinstance(g, list) for g in got)
    recorded = [i for g in got if isinstance(g, list) for i in g]
    assert recorded, "nothing came due"
    assert len(recorded) == len(set(recorded))
    assert at_once([a.scheduler.tick, b.scheduler.tick]) == [[], []]
    check_chains(store_url, tmp_path / "keys")
