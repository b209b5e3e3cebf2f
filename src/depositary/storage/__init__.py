"""Persistence behind narrow protocols; backends only move bytes.

``open_store(url)`` is the one factory: ``memory:``, ``sqlite:///path`` or
``postgresql://user@host:port/dbname`` (also ``postgresql+psycopg://``).
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
    if url.startswith(("postgresql://", "postgresql+psycopg://")):
        from depositary.storage.postgres import PostgresStore

        return PostgresStore(url)
    raise ConfigError(
        f"unknown store URL {url!r}: expected 'memory:', 'sqlite:///PATH' or 'postgresql://...'"
    )
