"""Keep a C2SP tlog-tiles directory in step with a stored log.

Every file is written atomically (temporary file, fsync, rename, fsync of the
directory). Full tiles and bundles are immutable and never rewritten; partial
ones are written for each size the log signed, and deleted once the full tile
exists. The checkpoint is written last, so a reader who sees it finds every
tile it needs.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from depositary.encoding.checkpoint import Checkpoint
from depositary.encoding.note import Note
from depositary.encoding.tiles import entries_path, tile_path, tiles_for_size
from depositary.errors import ConfigError, CorruptionError, DecodeError
from depositary.log.hashes import TILE_HEIGHT, TILE_WIDTH
from depositary.log.reader import LogView
from depositary.merkle.hashing import HASH_SIZE


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncResult:
    """What one sync wrote."""

    size: int
    written: int
    removed: int


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dfd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def bundle_prefix(data: bytes, count: int) -> bytes:
    """Return the first ``count`` entries of an entry bundle, still encoded."""
    pos = 0
    for _ in range(count):
        if pos + 2 > len(data):
            raise CorruptionError("an entry bundle is shorter than its entries")
        pos += 2 + int.from_bytes(data[pos : pos + 2], "big")
    if pos > len(data):
        raise CorruptionError("an entry bundle is shorter than its entries")
    return data[:pos]


def _published_size(outdir: Path) -> int:
    try:
        note = Note.from_bytes((outdir / "checkpoint").read_bytes())
        return Checkpoint.from_text(note.text.encode()).size
    except FileNotFoundError:
        return 0
    except (DecodeError, OSError):
        return 0


@dataclass(frozen=True, slots=True, kw_only=True)
class TileObject:
    """One file of a tlog-tiles publication.

    ``full`` objects (full tiles and entry bundles) never change once written;
    partial ones are superseded by the full one and may then be deleted.
    """

    path: str
    data: bytes
    full: bool


def objects_to_publish(view: LogView, since: int, size: int) -> list[TileObject]:
    """Return what a publication at size ``since`` lacks for ``size``: tiles, then bundles.

    Each tile or bundle that changed between the two sizes is listed at its
    width for ``size``. The checkpoint is not included: publish it last.

    Raises:
        CorruptionError: the store lacks a tile or bundle the checkpoint needs.
    """
    out: list[TileObject] = []
    needed = [t for t in tiles_for_size(size) if (t[1] + 1) << (TILE_HEIGHT * (t[0] + 1)) > since]
    stored = view.store.read_tiles([(level, index) for level, index, _ in needed])
    for level, index, width in needed:
        data = stored.get((level, index), b"")
        if len(data) < width * HASH_SIZE:
            raise CorruptionError(f"hash tile {level}/{index} is narrower than width {width}")
        out.append(
            TileObject(
                path=tile_path(level, index, width),
                data=data[: width * HASH_SIZE],
                full=width == TILE_WIDTH,
            )
        )
    first = since // TILE_WIDTH
    count = -(-size // TILE_WIDTH)
    bundles = view.store.read_bundles(list(range(first, count)))
    for n in range(first, count):
        width = min(TILE_WIDTH, size - n * TILE_WIDTH)
        bundle = bundles.get(n)
        if bundle is None:
            raise CorruptionError(f"entry bundle {n} is missing from the store")
        out.append(
            TileObject(
                path=entries_path(n, width),
                data=bundle_prefix(bundle, width),
                full=width == TILE_WIDTH,
            )
        )
    return out


def sync_tiles(view: LogView, outdir: Path) -> SyncResult:
    """Bring ``outdir`` up to the log's latest checkpoint.

    Raises:
        ConfigError: ``outdir`` cannot be written.
        CorruptionError: the store lacks a tile or bundle the checkpoint needs.
    """
    head = view.checkpoint()
    size = head.size
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ConfigError(f"cannot create tiles directory {outdir}: {e}") from e
    since = min(_published_size(outdir), size)
    written = removed = 0
    for obj in objects_to_publish(view, since, size):
        path = outdir / obj.path
        if obj.full and path.exists():
            continue
        write_atomic(path, obj.data)
        written += 1
        if obj.full:
            removed += _remove_partials(path)
    write_atomic(outdir / "checkpoint", head.note)
    return SyncResult(size=size, written=written + 1, removed=removed)


def _remove_partials(full: Path) -> int:
    """Delete the partial versions of a tile now that the full one exists."""
    pdir = full.parent / (full.name + ".p")
    if not pdir.is_dir():
        return 0
    n = 0
    for p in pdir.iterdir():
        p.unlink()
        n += 1
    pdir.rmdir()
    return n
