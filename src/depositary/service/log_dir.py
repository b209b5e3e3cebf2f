"""A log kept in a directory: its signing key file and its SQLite store.

::

    DIR/log.key       the log's Go-style signer key (PRIVATE+KEY+...), mode 0600
    DIR/log.sqlite    the embedded store (WAL)

The private key is read here and handed only to the sequencer's signer.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path

from depositary.clock import Clock, SystemClock
from depositary.encoding.note import (
    Ed25519Verifier,
    NoteSigner,
)
from depositary.errors import ConfigError, DecodeError, DepositaryError
from depositary.log.reader import LogView
from depositary.log.sequencer import DEFAULT_PERIOD, Appended, Sequencer
from depositary.log.tiles_dir import SyncResult, sync_tiles
from depositary.storage.sqlite import SQLiteStore

KEY_FILE = "log.key"
DB_FILE = "log.sqlite"
TILES_META = "tiles_dir"
WITNESSES_META = "witnesses"


def _write_secret(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text + "\n")
        f.flush()
        os.fsync(f.fileno())


class LogDir:
    """A log in a directory, opened for reading and appending."""

    def __init__(
        self, path: Path, *, clock: Clock | None = None, period: float = DEFAULT_PERIOD
    ) -> None:
        self.path = path
        key_path = path / KEY_FILE
        if not (path / DB_FILE).exists() or not key_path.exists():
            raise ConfigError(f"{path} is not a log directory: run 'depositary log init' first")
        try:
            signer = NoteSigner.from_skey(key_path.read_text(encoding="utf-8").strip())
        except DecodeError as e:
            raise ConfigError(f"{key_path} does not hold a signer key: {e}") from e
        except OSError as e:
            raise ConfigError(f"cannot read {key_path}: {e}") from e
        self.verifier: Ed25519Verifier = signer.verifier()
        self.store = SQLiteStore(str(path / DB_FILE))
        self.view = LogView(self.store)
        self.sequencer = Sequencer(
            store=self.store, signer=signer, clock=clock or SystemClock(), period=period
        )
        self.sequencer.watch(self.view.committed)

    @classmethod
    def create(cls, path: Path, origin: str, *, clock: Clock | None = None) -> LogDir:
        """Create a new log with a fresh key named ``origin``.

        Raises:
            ConfigError: the directory already holds a log.
            ValidationError: the origin is not a valid key name.
        """
        signer = NoteSigner.generate(origin)
        path.mkdir(parents=True, exist_ok=True)
        if (path / KEY_FILE).exists() or (path / DB_FILE).exists():
            raise ConfigError(f"{path} already holds a log")
        _write_secret(path / KEY_FILE, signer.to_skey())
        store = SQLiteStore(str(path / DB_FILE))
        with store.writer() as w:
            w.set_meta("origin", origin)
            w.set_meta("vkey", signer.verifier().to_vkey())
        store.close()
        return cls(path, clock=clock)

    @property
    def vkey(self) -> str:
        return self.verifier.to_vkey()

    def append(self, entries: Sequence[bytes]) -> list[Appended]:
        """Append entries as one durable batch, then publish: tiles, then witnesses.

        Publishing is best-effort: the entries are durable and acknowledged once the
        batch commits; a witness that is down only delays the cosigned checkpoint
        (``depositary log cosign`` retries it).
        """
        done = self.sequencer.append_batch(entries)
        self.sync_published()
        if self.store.get_meta(WITNESSES_META):
            from depositary.service.witnessing import cosign_latest

            with contextlib.suppress(DepositaryError):
                cosign_latest(self)
        return done

    def tiles_dir(self) -> Path | None:
        value = self.store.get_meta(TILES_META)
        return None if value is None else Path(value)

    def sync_tiles(self, outdir: Path) -> SyncResult:
        """Write or update a tiles directory and keep it in step from now on."""
        result = sync_tiles(self.view, outdir)
        with self.store.writer() as w:
            w.set_meta(TILES_META, str(outdir.resolve()))
        return result

    def sync_published(self) -> SyncResult | None:
        """Update the remembered tiles directory, if there is one."""
        outdir = self.tiles_dir()
        if outdir is None or self.store.checkpoint() is None:
            return None
        return sync_tiles(self.view, outdir)

    def close(self) -> None:
        self.sequencer.close()
        self.store.close()

    def __enter__(self) -> LogDir:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
