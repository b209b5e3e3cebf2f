"""Worker processes that check submissions, so that the checks use every core.

Parsing an act, verifying its signatures, judging authority and signing the
first evidence take most of a submission's time, and all of it holds
CPython's lock in one process. With ``prepare_workers`` set, ``submit_async``
hands that work to processes of its own: each opens the same database to read
the registry, holds the depositary's statement key (the key stays on this
machine, in this service's processes) and runs the same ``Preparer``. The
appending, the claims and the index stay in the depositary's process.

Submissions made in one turn of the event loop travel together, up to
``chunk`` at a time, so a batch costs one round trip rather than one each.
Each carries the registry version its process has seen, so a worker never
judges an act against a roster older than the one that process would use.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import io
import multiprocessing
import pickle
import signal
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from depositary import errors
from depositary.crypto.ed25519 import Signer
from depositary.errors import AuthorityError, ConfigError, DepositaryError, StorageError
from depositary.log.reader import LogView
from depositary.service.indexer import Indexer
from depositary.service.preparing import Policy, Prepared, Preparer
from depositary.storage import open_store
from depositary.storage.index import ServiceIndex
from depositary.storage.sql import SQLStore

Item = tuple[bytes, str, datetime, int]  # data, case id, time of receipt, registry version


@dataclass(frozen=True, slots=True)
class _Failure:
    """A refusal, carried back from a worker by name (exceptions do not all pickle):
    the names of its class and their bases, most specific first."""

    kinds: tuple[str, ...]
    message: str
    reason: str = ""

    @classmethod
    def of(cls, e: DepositaryError) -> _Failure:
        kinds = tuple(c.__name__ for c in type(e).__mro__)
        return cls(kinds, str(e), getattr(e, "reason", ""))

    def error(self) -> DepositaryError:
        """The same error, or the nearest one of ``depositary.errors`` it derives from."""
        for kind in self.kinds:
            if kind == AuthorityError.__name__:
                return AuthorityError(self.reason, self.message)
            cls = getattr(errors, kind, None)
            if isinstance(cls, type) and issubclass(cls, DepositaryError):
                try:
                    return cls(self.message)
                except TypeError:
                    continue  # takes more than a message: a base will do
        return DepositaryError(self.message)


_worker: dict[str, Preparer] = {}  # the one Preparer of a worker process


def _start(database_url: str, seed: bytes, policy: Policy) -> None:
    # Ctrl-C reaches the whole process group: the server shuts its workers down
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    store = open_store(database_url)
    if not isinstance(store, SQLStore):
        raise ConfigError("the depositary needs a SQL store")
    index = ServiceIndex(store)
    key = Signer(seed)
    indexer = Indexer(
        view=LogView(store), index=index, depositary_key=key.public_key, now_ms=lambda: 0
    )
    _worker["preparer"] = Preparer(indexer=indexer, index=index, key=key, policy=policy)


def _ready() -> bool:
    return "preparer" in _worker


def _prepare_many(items: list[Item]) -> bytes:
    """Check ``items``; return the pickled list of outcomes (see ``_Pickler``)."""
    preparer = _worker["preparer"]
    out: list[Prepared | _Failure] = []
    for data, case_id, now, version in items:
        preparer.indexer.refresh_to(version)
        try:
            out.append(preparer.prepare(data, case_id, now))
        except DepositaryError as e:
            out.append(_Failure.of(e))
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(out)
    return buffer.getvalue()


_SLOTS: dict[type, tuple[str, ...]] = {}


def _rebuild(cls: type, values: tuple[object, ...]) -> object:
    """Make a slotted dataclass from its field values, as the worker had it."""
    obj: object = object.__new__(cls)
    for name, value in zip(_slots(cls), values, strict=True):
        object.__setattr__(obj, name, value)
    return obj


def _slots(cls: type) -> tuple[str, ...]:
    got = _SLOTS.get(cls)
    if got is None:
        got = _SLOTS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return got


class _Pickler(pickle.Pickler):
    """Pickles slotted dataclasses by field values: the standard way calls
    ``dataclasses.fields`` for every object unpickled, which cost the server's
    process more than the rest of receiving a batch."""

    def reducer_override(self, obj: object) -> Any:
        cls = type(obj)
        if dataclasses.is_dataclass(obj) and hasattr(cls, "__slots__"):
            return _rebuild, (cls, tuple(getattr(obj, n) for n in _slots(cls)))
        return NotImplemented


_Waiting = tuple[Item, "asyncio.Future[Prepared]"]


class PrepPool:
    """``Preparer.prepare`` on worker processes, for ``Depositary.submit_async``."""

    def __init__(
        self, *, database_url: str, seed: bytes, policy: Policy, workers: int, chunk: int = 64
    ) -> None:
        if workers < 1:
            raise ConfigError("a prepare pool needs at least one worker")
        self._args = (database_url, seed, policy)
        self.workers = workers
        self.chunk = chunk
        self._executor = self._new_executor()
        self._queues: dict[asyncio.AbstractEventLoop, list[_Waiting]] = {}

    def _new_executor(self) -> ProcessPoolExecutor:
        """Start the workers and wait until each has opened the store and read its key."""
        executor = ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context("spawn"),  # never fork a threaded process
            initializer=_start,
            initargs=self._args,
        )
        try:
            for ready in [executor.submit(_ready) for _ in range(self.workers)]:
                ready.result()
        except BrokenProcessPool as e:
            executor.shutdown(wait=False, cancel_futures=True)
            why = f"the worker processes checking submissions did not start: {e}"
            raise ConfigError(why) from e
        return executor

    async def prepare(self, data: bytes, case_id: str, now: datetime, version: int) -> Prepared:
        """Check ``data`` on a worker, as ``Preparer.prepare(data, case_id, now)`` would
        with a registry at least at ``version``.

        Raises:
            As ``Preparer.prepare``; StorageError when a worker process died.
        """
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[Prepared] = loop.create_future()
        queue = self._queues.get(loop)
        if queue is None:
            queue = self._queues[loop] = []
            loop.call_soon(self._flush, loop)
        queue.append(((data, case_id, now, version), fut))
        return await fut

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        queue = self._queues.pop(loop, [])
        for i in range(0, len(queue), self.chunk):
            part = queue[i : i + self.chunk]
            items = [item for item, _ in part]
            try:
                try:
                    job = self._executor.submit(_prepare_many, items)
                except BrokenProcessPool:  # a worker died: start afresh, once
                    self._executor.shutdown(wait=False, cancel_futures=True)
                    self._executor = self._new_executor()
                    job = self._executor.submit(_prepare_many, items)
            except Exception as e:  # never leave a submitter waiting
                error = StorageError(f"cannot hand submissions to a worker process: {e}")
                for _, fut in part:
                    if not fut.done():
                        fut.set_exception(error)
                continue
            job.add_done_callback(functools.partial(_from_worker, loop, part))

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


def _from_worker(loop: asyncio.AbstractEventLoop, part: list[_Waiting], job: Future[bytes]) -> None:
    """Runs in the executor's thread: settle the part's futures in their loop."""
    with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits there
        loop.call_soon_threadsafe(_settle, part, job)


def _settle(part: list[_Waiting], job: Future[bytes]) -> None:
    error = job.exception()
    if error is not None:
        if isinstance(error, BrokenProcessPool):
            error = StorageError(f"a worker process checking submissions died: {error}")
        for _, fut in part:
            if not fut.done():
                fut.set_exception(error)
        return
    outcomes = pickle.loads(job.result())  # noqa: S301 - from this server's own worker
    for (_, fut), out in zip(part, outcomes, strict=True):
        if fut.done():
            continue  # cancelled meanwhile
        if isinstance(out, _Failure):
            fut.set_exception(out.error())
        else:
            fut.set_result(out)
