"""Verify a whole log from public data: every entry, every hash, the checkpoint.

The source is anything that serves tlog-tiles paths: a directory, a URL, or
the log's own store. The audit recomputes each leaf hash from the entry
bundles, compares it with the level-0 tiles, recomputes every higher tile
from the one below, and checks the root against the signed checkpoint, and
against every earlier checkpoint it is given. The first failure is raised
naming the index, tile or signature that failed.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import multiprocessing.context
import threading
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Protocol

from depositary.encoding.checkpoint import Checkpoint, SignedCheckpoint, open_checkpoint
from depositary.encoding.note import Verifier
from depositary.encoding.tiles import decode_bundle, entries_path, tile_path
from depositary.errors import CorruptionError, DecodeError, NotFound
from depositary.log.hashes import TILE_HEIGHT, TILE_WIDTH
from depositary.log.tiles_dir import bundle_prefix
from depositary.merkle.hashing import HASH_SIZE
from depositary.storage.base import LogReader

MAX_FETCH = 16 << 20
WORKERS = 2
PARALLEL_FROM = 64
"""Logs of more full tiles than this are checked by worker processes."""
CHUNK_TILES = 64
"""Full tiles a worker checks per task (16,384 entries)."""


class TileSource(Protocol):
    """Serves tlog-tiles paths (``checkpoint``, ``tile/...``)."""

    def get(self, path: str) -> bytes:
        """Return the bytes at ``path``; raise NotFound if there are none."""
        ...


class DirectorySource:
    """A tiles directory on disk."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def get(self, path: str) -> bytes:
        try:
            return (self.root / path).read_bytes()
        except FileNotFoundError as e:
            raise NotFound(f"{path} is missing from {self.root}") from e
        except OSError as e:
            raise NotFound(f"{path} cannot be read from {self.root}: {e}") from e


class URLSource:
    """A tiles prefix served over HTTP(S)."""

    def __init__(self, base: str, *, timeout: float = 30.0) -> None:
        if not base.startswith(("http://", "https://")):
            raise DecodeError(f"not an http(s) URL: {base!r}")
        self.base = base.rstrip("/") + "/"
        self.timeout = timeout

    def get(self, path: str) -> bytes:
        """Fetch ``path``; a gzip'd answer (as tlog-tiles lets entry bundles be) is
        decompressed, never past ``MAX_FETCH`` bytes."""
        url = self.base + path
        req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip, identity"})  # noqa: S310
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310
                data: bytes = resp.read(MAX_FETCH + 1)
                coding = (resp.headers.get("Content-Encoding") or "identity").strip().lower()
        except urllib.error.HTTPError as e:
            raise NotFound(f"{url}: HTTP {e.code}") from e
        except (urllib.error.URLError, OSError) as e:
            raise NotFound(f"{url}: {e}") from e
        if len(data) > MAX_FETCH:
            raise DecodeError(f"{url} is larger than {MAX_FETCH} bytes")
        if coding in ("gzip", "x-gzip"):
            return _gunzip(data, url)
        if coding != "identity":
            raise DecodeError(f"{url} came in an encoding this reader does not know: {coding}")
        return data


def _gunzip(data: bytes, url: str) -> bytes:
    inflate = zlib.decompressobj(wbits=31)  # gzip framing
    try:
        out = inflate.decompress(data, MAX_FETCH + 1)
    except zlib.error as e:
        raise DecodeError(f"{url}: not valid gzip: {e}") from e
    if len(out) > MAX_FETCH:
        raise DecodeError(f"{url} inflates to more than {MAX_FETCH} bytes")
    if not inflate.eof or inflate.unused_data:
        raise DecodeError(f"{url}: truncated gzip, or bytes after its end")
    return out


class StoreSource:
    """Serves a stored log's tiles at any signed size, as a tiles directory would."""

    def __init__(self, store: LogReader) -> None:
        self.store = store

    def get(self, path: str) -> bytes:
        from depositary.encoding.tiles import parse_tile_path

        if path == "checkpoint":
            head = self.store.checkpoint()
            if head is None:
                raise NotFound("the log has no checkpoint")
            return head.note
        level, index, width = parse_tile_path(path)
        if level is None:
            data = self.store.read_bundles([index]).get(index)
            if data is None:
                raise NotFound(f"entry bundle {index} is missing from the store")
            return bundle_prefix(data, width)
        tile = self.store.read_tiles([(level, index)]).get((level, index))
        if tile is None or len(tile) < width * HASH_SIZE:
            raise NotFound(f"hash tile {level}/{index} (width {width}) is missing from the store")
        return tile[: width * HASH_SIZE]


_PORTABLE = (DirectorySource, URLSource)
"""Sources a worker process can open again from a pickled copy."""


def _leaf_hashes(entries: Sequence[bytes]) -> list[bytes]:
    sha = hashlib.sha256
    return [sha(b"\x00" + e).digest() for e in entries]


def _pair_up(hashes: list[bytes]) -> list[bytes]:
    sha = hashlib.sha256
    return [sha(b"\x01" + hashes[i] + hashes[i + 1]).digest() for i in range(0, len(hashes) - 1, 2)]


def _tile_root(hashes: list[bytes]) -> bytes:
    """Root of a full tile of 256 hashes."""
    while len(hashes) > 1:
        hashes = _pair_up(hashes)
    return hashes[0]


Progress = Callable[[int, int], None]
"""Called with ``(entries verified, total)`` as the audit goes."""


def audit(
    source: TileSource,
    verifier: Verifier,
    *,
    earlier: Sequence[bytes] = (),
    progress: Progress | None = None,
    workers: int = WORKERS,
) -> SignedCheckpoint:
    """Verify every entry and hash of the log at its published checkpoint.

    ``earlier`` are other signed checkpoints (note bytes) of the same log; each
    must match the recomputed root at its size. A log of more than
    ``PARALLEL_FROM`` full tiles in a directory or at a URL has its entries
    hashed and checked against the level-0 tiles by ``workers`` processes
    (SHA-256 of short inputs holds the GIL); the first failure in log order is
    raised all the same.

    Raises:
        SignatureError: the checkpoint is not signed by ``verifier``.
        CorruptionError: an entry, tile or checkpoint disagrees; the message names it.
        NotFound: a tile or bundle the checkpoint needs is missing.
    """
    signed = open_checkpoint(source.get("checkpoint"), verifier)
    cp = signed.checkpoint
    expected: dict[int, bytes] = {}
    for note in earlier:
        old = open_checkpoint(note, verifier).checkpoint
        if old.origin != cp.origin:
            raise CorruptionError(f"checkpoint at size {old.size} is for another origin")
        if old.size > cp.size:
            raise CorruptionError(
                f"an earlier checkpoint has size {old.size}, beyond the latest {cp.size}"
            )
        expected[old.size] = old.root_hash
    expected[cp.size] = cp.root_hash
    roots = _sweep(source, cp, expected, progress, workers)
    for size, root in sorted(expected.items()):
        if roots.get(size) != root:
            raise CorruptionError(
                f"checkpoint at size {size} has root {root.hex()}, but the entries give "
                f"{roots.get(size, b'').hex() or 'nothing'}"
            )
    return signed


def _sweep(
    source: TileSource,
    cp: Checkpoint,
    wanted: dict[int, bytes],
    progress: Progress | None,
    workers: int,
) -> dict[int, bytes]:
    """Walk the log tile by tile; return the recomputed root at each wanted size."""
    size = cp.size
    stack: list[tuple[int, bytes]] = []  # compact range as (height, hash), largest first
    roots: dict[int, bytes] = {}
    if 0 in wanted:
        roots[0] = hashlib.sha256().digest()
    tile_roots: list[bytes] = []  # roots of full level-0 tiles: the level-1 tile hashes
    done = 0
    with _FullTiles(source, size, wanted, workers) as far:
        for n in range(-(-size // TILE_WIDTH)):
            base = n * TILE_WIDTH
            width = min(TILE_WIDTH, size - base)
            full_root = far.root(n)
            by_leaf = False
            if full_root is None:  # not checked by a worker: check it here
                leaves = _bundle_leaves(source, n, width)
                _compare(source, 0, n, leaves, first_entry=base)
                full_root = _tile_root(leaves) if width == TILE_WIDTH else None
                by_leaf = full_root is None or any(base < s <= base + width for s in wanted)
                if by_leaf:
                    for i, h in enumerate(leaves):
                        _push(stack, h)
                        if base + i + 1 in wanted:
                            roots[base + i + 1] = _fold(stack)
            if not by_leaf:
                assert full_root is not None
                _push(stack, full_root, height=TILE_HEIGHT)
                if base + width in wanted:
                    roots[base + width] = _fold(stack)
            if full_root is not None:
                tile_roots.append(full_root)
            done += width
            if progress is not None:
                progress(done, size)
    level = 1
    while tile_roots:
        next_roots: list[bytes] = []
        for index in range(-(-len(tile_roots) // TILE_WIDTH)):
            chunk = tile_roots[index * TILE_WIDTH : (index + 1) * TILE_WIDTH]
            _compare(source, level, index, chunk)
            if len(chunk) == TILE_WIDTH:
                next_roots.append(_tile_root(chunk))
        tile_roots = next_roots
        level += 1
    return roots


def _bundle_leaves(source: TileSource, n: int, width: int) -> list[bytes]:
    """The leaf hashes of entry bundle ``n``, which must hold ``width`` entries."""
    try:
        entries = decode_bundle(source.get(entries_path(n, width)))
    except DecodeError as e:
        raise CorruptionError(f"entry bundle {n}: {e}") from e
    if len(entries) != width:
        raise CorruptionError(f"entry bundle {n} holds {len(entries)} entries, not {width}")
    return _leaf_hashes(entries)


def _full_tile_roots(source: TileSource, first: int, end: int) -> list[bytes]:
    """Check full level-0 tiles ``[first, end)`` against their bundles; return their roots."""
    out = []
    for n in range(first, end):
        leaves = _bundle_leaves(source, n, TILE_WIDTH)
        _compare(source, 0, n, leaves, first_entry=n * TILE_WIDTH)
        out.append(_tile_root(leaves))
    return out


class _FullTiles:
    """Full level-0 tiles checked ahead by worker processes, for a large enough log.

    ``root(n)`` is the root of tile ``n`` if a worker checked it (waiting for
    it, and raising the worker's error for its first bad tile), else None: the
    caller checks that tile itself. Tiles holding a wanted size other than at
    their end stay with the caller, which needs their leaves.
    """

    def __init__(
        self, source: TileSource, size: int, wanted: dict[int, bytes], workers: int
    ) -> None:
        full = size // TILE_WIDTH
        self._pool: ProcessPoolExecutor | None = None
        self._chunks: dict[int, Future[list[bytes]]] = {}  # first tile of each chunk
        self._got: tuple[int, list[bytes]] = (-1, [])
        if workers < 2 or full <= PARALLEL_FROM or not isinstance(source, _PORTABLE):
            return
        inner = {s // TILE_WIDTH for s in wanted if s % TILE_WIDTH}
        self._pool = ProcessPoolExecutor(workers, mp_context=_context())
        first = 0
        for n in range(full + 1):
            if n == full or n in inner or n - first == CHUNK_TILES:
                if n > first:
                    self._chunks[first] = self._pool.submit(_full_tile_roots, source, first, n)
                first = n + 1 if n in inner else n

    def root(self, n: int) -> bytes | None:
        first, roots = self._got
        if 0 <= n - first < len(roots):
            return roots[n - first]
        fut = self._chunks.pop(n, None)
        if fut is None:
            return None
        self._got = (n, fut.result())
        return self._got[1][0]

    def __enter__(self) -> _FullTiles:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def _context() -> multiprocessing.context.BaseContext:
    """Fork when this process runs one thread (fast and safe), else spawn."""
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _push(stack: list[tuple[int, bytes]], h: bytes, height: int = 0) -> None:
    sha = hashlib.sha256
    while stack and stack[-1][0] == height:
        h = sha(b"\x01" + stack.pop()[1] + h).digest()
        height += 1
    stack.append((height, h))


def _fold(stack: list[tuple[int, bytes]]) -> bytes:
    acc = stack[-1][1]
    for _, h in reversed(stack[:-1]):
        acc = hashlib.sha256(b"\x01" + h + acc).digest()
    return acc


def _compare(
    source: TileSource, level: int, index: int, hashes: list[bytes], *, first_entry: int = -1
) -> None:
    width = len(hashes)
    tile = source.get(tile_path(level, index, width))
    if tile == b"".join(hashes):
        return
    for i, h in enumerate(hashes):
        got = tile[i * HASH_SIZE : (i + 1) * HASH_SIZE]
        if got != h:
            if first_entry >= 0:
                raise CorruptionError(
                    f"entry {first_entry + i}: its leaf hash {h.hex()} is not the one in "
                    f"hash tile 0/{index} ({got.hex() or 'missing'})"
                )
            raise CorruptionError(
                f"hash tile {level}/{index}: hash {i} is {got.hex() or 'missing'}, "
                f"recomputed {h.hex()}"
            )
    raise CorruptionError(f"hash tile {level}/{index} has {len(tile)} bytes, not {width * 32}")
