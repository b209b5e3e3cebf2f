"""Clocks: the only place in depositary that reads the time.

Core code takes ``now`` as an argument; shells hold a ``Clock`` and pass its
reading down. ``ManualClock`` replays a case on simulated time.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The machine's wall clock, in whole seconds: the unit of every recorded time."""

    def now(self) -> datetime:
        return datetime.now(UTC).replace(microsecond=0)


class ManualClock:
    """A clock that moves only when told to: for tests and replays."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward by ``delta`` and return the new time."""
        if delta < timedelta(0):
            raise ValueError("a clock never moves backwards")
        with self._lock:
            self._now += delta
            return self._now

    def set(self, when: datetime) -> None:
        """Move the clock forward to ``when``."""
        with self._lock:
            if when < self._now:
                raise ValueError("a clock never moves backwards")
            self._now = when


def to_millis(when: datetime) -> int:
    """Milliseconds since the Unix epoch of an aware datetime."""
    return int(when.timestamp() * 1000)
