"""Keep published tiles (a directory, an S3 prefix) in step with the log, off the write path.

The sequencer tells the publisher after each commit; a background thread then
syncs every target to the latest checkpoint, coalescing commits that arrive
while it works. Publishing is best effort: a failure never fails an append,
it is logged and retried at the next commit or after ``retry`` seconds. Any
number of processes may publish the same log to the same prefix: the S3
publisher's conditional writes never roll the checkpoint back, and immutable
objects are written once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from depositary.config import Settings
from depositary.errors import DepositaryError
from depositary.log.reader import LogView
from depositary.log.tiles_dir import SyncResult, sync_tiles
from depositary.storage.base import StoredCheckpoint, TileKey

log = logging.getLogger("depositary.publishing")


@dataclass
class Target:
    """One place the tiles go, and how far it has got."""

    name: str
    sync: Callable[[LogView], SyncResult]
    size: int = 0
    failures: int = 0
    last_error: str | None = field(default=None)


def targets(settings: Settings) -> list[Target]:
    """The publication targets the settings name (none by default).

    Raises:
        ConfigError: a malformed ``tiles_url``.
    """
    out: list[Target] = []
    if settings.tiles_dir:
        outdir = Path(settings.tiles_dir)
        out.append(Target(name=str(outdir), sync=lambda view: sync_tiles(view, outdir)))
    if settings.tiles_url:
        from depositary.log.s3_tiles import S3Publisher, parse_s3_url, s3_client

        bucket, prefix = parse_s3_url(settings.tiles_url)
        client = s3_client(settings.s3_endpoint_url or None)
        pub = S3Publisher(client=client, bucket=bucket, prefix=prefix)
        out.append(Target(name=settings.tiles_url, sync=pub.sync))
    return out


class Publisher:
    """Syncs its targets after commits, in one background thread."""

    def __init__(self, view: LogView, targets: list[Target], *, retry: float = 5.0) -> None:
        self.view = view
        self.targets = targets
        self.retry = retry
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def committed(self, _tiles: Mapping[TileKey, bytes], _cp: StoredCheckpoint) -> None:
        """The sequencer's watcher: a commit happened."""
        self._wake.set()

    def publish(self) -> None:
        """Sync every target now; failures are recorded, never raised."""
        if not self.targets or self.view.store.checkpoint() is None:
            return
        for t in self.targets:
            try:
                t.size = max(t.size, t.sync(self.view).size)
                t.last_error = None
            except (DepositaryError, OSError) as e:
                t.failures += 1
                t.last_error = f"{e.__class__.__name__}: {e}"
                log.warning("publishing tiles to %s failed (will retry): %s", t.name, e)

    def start(self) -> Publisher:
        if self._thread is None and self.targets:
            self._thread = threading.Thread(target=self._run, name="publisher", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            self.publish()
            self._wake.wait(self.retry)

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.publish()  # what the last commits added
