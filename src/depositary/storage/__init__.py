"""Persistence behind narrow protocols; backends only move bytes.

``open_store(url)`` is the one factory: ``memory:`` or ``sqlite:///path``.
"""

from __future__ import annotations

from depositary.errors import ConfigError
from depositary.storage.base import LogStore


def open_store(url: str) -> LogStore:
    """Open the log store named by ``url``.

    Raises:
        ConfigError: the URL names no known backend.
    """
    if url == "memory:":
        from depositary.storage.memory import MemoryStore

        return MemoryStore()
    if url.startswith("sqlite:///"):
        from depositary.storage.sqlite import SQLiteStore

        return SQLiteStore(url.removeprefix("sqlite:///"))
    raise ConfigError(f"unknown store URL {url!r}: expected 'memory:' or 'sqlite:///PATH'")
