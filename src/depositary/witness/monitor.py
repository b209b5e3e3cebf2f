"""Follow a log through its tiles and catch it showing two histories.

Each observation fetches the published checkpoint and checks, in order: the
log's signature; at least ``quorum`` valid witness cosignatures; that the hash
tiles give the checkpoint's root; and that it extends the last checkpoint seen,
with a consistency proof computed from the hash tiles. A checkpoint of the same
size with another root, one that does not extend the last one seen, or one
smaller than it, raises ``SplitViewError`` carrying both signed checkpoints as
evidence. The last checkpoint seen is kept in a small JSON state file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from depositary.encoding.b64 import decode as decode_base64
from depositary.encoding.b64 import encode as encode_base64
from depositary.encoding.checkpoint import SignedCheckpoint, open_checkpoint
from depositary.encoding.cosignature import require_cosignatures
from depositary.encoding.note import Verifier
from depositary.encoding.tiles import tile_path
from depositary.errors import (
    ConfigError,
    CorruptionError,
    DecodeError,
    ProofError,
    SplitViewError,
)
from depositary.log.audit import TileSource
from depositary.log.hashes import TILE_HEIGHT, TILE_WIDTH, TileHashReader, expand_tile
from depositary.log.tiles_dir import write_atomic
from depositary.merkle.proofs import consistency_proof
from depositary.merkle.tree import range_hash
from depositary.merkle.verify import verify_consistency


@dataclass(frozen=True, slots=True, kw_only=True)
class Seen:
    """The last checkpoint a monitor accepted."""

    origin: str
    size: int
    root_hash: bytes
    note: bytes

    @classmethod
    def of(cls, signed: SignedCheckpoint) -> Seen:
        cp = signed.checkpoint
        return cls(origin=cp.origin, size=cp.size, root_hash=cp.root_hash, note=signed.raw)

    def to_json(self) -> str:
        return json.dumps(
            {
                "origin": self.origin,
                "size": self.size,
                "root": encode_base64(self.root_hash),
                "note": self.note.decode("utf-8"),
            },
            indent=2,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Seen:
        """Raises: DecodeError: not a monitor state."""
        try:
            data = json.loads(text)
            return cls(
                origin=str(data["origin"]),
                size=int(data["size"]),
                root_hash=decode_base64(str(data["root"]), "root"),
                note=str(data["note"]).encode("utf-8"),
            )
        except (ValueError, KeyError, TypeError) as e:
            raise DecodeError(f"monitor state is malformed: {e}") from e


class TileNodes:
    """A ``NodeReader`` over the hash tiles a source serves for a tree of ``size`` leaves."""

    def __init__(self, source: TileSource, size: int) -> None:
        self.source = source
        self.size = size
        self._tiles: dict[tuple[int, int], list[list[bytes]]] = {}

    def _tile(self, level: int, index: int) -> list[list[bytes]]:
        got = self._tiles.get((level, index))
        if got is None:
            count = self.size >> (TILE_HEIGHT * level)
            width = min(TILE_WIDTH, count - index * TILE_WIDTH)
            if width <= 0:
                raise CorruptionError(f"hash tile {level}/{index} is outside size {self.size}")
            data = self.source.get(tile_path(level, index, width))
            if len(data) != width * 32:
                raise CorruptionError(
                    f"hash tile {level}/{index} is {len(data)} bytes, not {width * 32}"
                )
            got = self._tiles[(level, index)] = expand_tile(data)
        return got

    def read(self, ids: Sequence[tuple[int, int]]) -> list[bytes]:
        out = []
        for level, index in ids:
            key, height, pos = TileHashReader.locate(level, index)
            levels = self._tile(*key)
            if height >= len(levels) or pos >= len(levels[height]):
                raise CorruptionError(f"node ({level}, {index}) is not in its hash tile")
            out.append(levels[height][pos])
        return out


def observe(
    source: TileSource,
    *,
    log_verifier: Verifier,
    witnesses: Sequence[Verifier] = (),
    quorum: int = 0,
    seen: Seen | None = None,
) -> Seen:
    """Check the published checkpoint against ``seen`` and the witnesses; return it.

    Raises:
        SignatureError: the log or a witness signature fails, or the quorum is not met.
        CorruptionError: the hash tiles do not give the checkpoint's root.
        SplitViewError: the checkpoint contradicts ``seen`` (both are in the error).
        ConfigError: ``seen`` is for another log.
        NotFound: the checkpoint or a tile cannot be fetched.
    """
    note = source.get("checkpoint")
    signed = open_checkpoint(note, log_verifier, witnesses)
    if quorum:
        require_cosignatures(signed, witnesses, quorum)
    cp = signed.checkpoint
    nodes = TileNodes(source, cp.size)
    root = range_hash(0, cp.size, nodes.read)
    if root != cp.root_hash:
        raise CorruptionError(
            f"the hash tiles give root {root.hex()} at size {cp.size}, "
            f"but the checkpoint says {cp.root_hash.hex()}"
        )
    if seen is None:
        return Seen.of(signed)
    if seen.origin != cp.origin:
        raise ConfigError(f"the state file follows {seen.origin!r}, not {cp.origin!r}")
    if cp.size < seen.size:
        raise SplitViewError(
            f"SPLIT VIEW OR ROLLBACK: {cp.origin} now publishes size {cp.size}, smaller than "
            f"size {seen.size} it published before",
            seen=seen.note,
            new=note,
        )
    try:
        proof = consistency_proof(seen.size, cp.size, nodes.read)
        verify_consistency(
            old_size=seen.size,
            new_size=cp.size,
            old_root=seen.root_hash,
            new_root=cp.root_hash,
            proof=proof,
        )
    except ProofError as e:
        raise SplitViewError(
            f"SPLIT VIEW: {cp.origin} at size {cp.size} (root {cp.root_hash.hex()}) does not "
            f"extend size {seen.size} (root {seen.root_hash.hex()}) it published before: {e}",
            seen=seen.note,
            new=note,
        ) from e
    return Seen.of(signed)


def load_seen(path: Path) -> Seen | None:
    """Read the monitor's state file; None if there is none yet.

    Raises:
        DecodeError: the file is malformed.
        ConfigError: the file cannot be read.
    """
    try:
        return Seen.from_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except OSError as e:
        raise ConfigError(f"cannot read monitor state {path}: {e}") from e


def save_seen(path: Path, seen: Seen) -> None:
    """Write the monitor's state file atomically."""
    try:
        write_atomic(path, (seen.to_json() + "\n").encode("utf-8"))
    except OSError as e:
        raise ConfigError(f"cannot write monitor state {path}: {e}") from e
