"""c2sp.org/tlog-tiles: tile paths, entry bundles, and the tiles of a tree size.

Hash tiles are ``tile/<L>/<N>[.p/<W>]`` and entry bundles ``tile/entries/<N>[.p/<W>]``,
where ``<N>`` is split into 3-digit groups, all but the last prefixed with ``x``
(1234067 is ``x001/x234/067``), and ``<W>`` (1 to 255) marks a partial tile.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from depositary.errors import DecodeError, ValidationError

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
MAX_ENTRY_SIZE = 65535
MAX_LEVEL = 63
MAX_TILE_INDEX = (1 << 64) - 1

_LEVEL = re.compile(r"0|[1-9][0-9]?")
_WIDTH = re.compile(r"[1-9][0-9]{0,2}")
_GROUP = re.compile(r"x[0-9]{3}")
_LAST = re.compile(r"[0-9]{3}")


def format_index(n: int) -> str:
    """Return ``n`` as 3-digit groups, all but the last prefixed with ``x``.

    Raises:
        ValidationError: ``n`` is negative or too large.
    """
    if not 0 <= n <= MAX_TILE_INDEX:
        raise ValidationError(f"tile index {n} is out of range")
    groups = [f"{n % 1000:03d}"]
    n //= 1000
    while n:
        groups.append(f"x{n % 1000:03d}")
        n //= 1000
    return "/".join(reversed(groups))


def parse_index(s: str) -> int:
    """Parse the canonical ``format_index`` form (no leading ``x000`` group).

    Raises:
        DecodeError: ``s`` is not canonical.
    """
    groups = s.split("/")
    if len(groups) > 7 or _LAST.fullmatch(groups[-1]) is None:
        raise DecodeError(f"malformed tile index {s!r}")
    if any(_GROUP.fullmatch(g) is None for g in groups[:-1]) or groups[0] == "x000":
        raise DecodeError(f"malformed tile index {s!r}")
    n = int("".join(g.lstrip("x") for g in groups))
    if n > MAX_TILE_INDEX:
        raise DecodeError(f"tile index {n} is out of range")
    return n


def _suffix(width: int) -> str:
    if not 1 <= width <= TILE_WIDTH:
        raise ValidationError(f"tile width {width} is not 1 to {TILE_WIDTH}")
    return "" if width == TILE_WIDTH else f".p/{width}"


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """Return ``tile/<level>/<index>[.p/<width>]`` (a full tile has width 256).

    Raises:
        ValidationError: level, index or width out of range.
    """
    if not 0 <= level <= MAX_LEVEL:
        raise ValidationError(f"tile level {level} is not 0 to {MAX_LEVEL}")
    return f"tile/{level}/{format_index(index)}{_suffix(width)}"


def entries_path(index: int, width: int = TILE_WIDTH) -> str:
    """Return ``tile/entries/<index>[.p/<width>]``.

    Raises:
        ValidationError: index or width out of range.
    """
    return f"tile/entries/{format_index(index)}{_suffix(width)}"


def parse_tile_path(path: str) -> tuple[int | None, int, int]:
    """Parse a tile or entries path into (level, or None for entries; index; width).

    Raises:
        DecodeError: not a canonical tile path.
    """
    prefix, _, rest = path.partition("/")
    kind, _, rest = rest.partition("/")
    if prefix != "tile":
        raise DecodeError(f"tile path does not start with tile/: {path!r}")
    level: int | None = None
    if kind != "entries":
        if _LEVEL.fullmatch(kind) is None or int(kind) > MAX_LEVEL:
            raise DecodeError(f"malformed tile level in {path!r}")
        level = int(kind)
    width = TILE_WIDTH
    if ".p/" in rest:
        rest, _, w = rest.partition(".p/")
        if _WIDTH.fullmatch(w) is None or int(w) >= TILE_WIDTH:
            raise DecodeError(f"malformed partial tile width in {path!r}")
        width = int(w)
    return level, parse_index(rest), width


def encode_bundle(entries: Sequence[bytes]) -> bytes:
    """Return an entry bundle: each entry as ``uint16 BE length || bytes``.

    Raises:
        ValidationError: no entries, more than 256, or one over 65535 bytes.
    """
    if not 1 <= len(entries) <= TILE_WIDTH:
        raise ValidationError(f"an entry bundle holds 1 to {TILE_WIDTH} entries")
    out = bytearray()
    for i, e in enumerate(entries):
        if len(e) > MAX_ENTRY_SIZE:
            raise ValidationError(f"entry {i} is {len(e)} bytes, over {MAX_ENTRY_SIZE}")
        out += len(e).to_bytes(2, "big") + e
    return bytes(out)


def decode_bundle(data: bytes) -> list[bytes]:
    """Split an entry bundle into its 1 to 256 entries.

    Raises:
        DecodeError: empty, truncated, or more than 256 entries.
    """
    entries: list[bytes] = []
    add = entries.append
    pos, end = 0, len(data)
    while pos < end:
        if pos + 2 > end:
            raise DecodeError(f"entry bundle truncated in a length prefix at byte {pos}")
        start = pos + 2
        n = data[pos] << 8 | data[pos + 1]
        pos = start + n
        if pos > end:
            raise DecodeError(f"entry {len(entries)} is truncated: {n} bytes declared")
        add(data[start:pos])
        if len(entries) > TILE_WIDTH:
            raise DecodeError(f"entry bundle holds more than {TILE_WIDTH} entries")
    if not entries:
        raise DecodeError("entry bundle is empty")
    return entries


def tiles_for_size(size: int) -> list[tuple[int, int, int]]:
    """Return (level, index, width) of every hash tile of a tree of ``size`` leaves.

    Full tiles have width 256; each level ends with at most one partial tile.
    Level-0 tiles correspond one to one to entry bundles.

    Raises:
        ValidationError: ``size`` is negative.
    """
    if size < 0:
        raise ValidationError(f"tree size {size} is negative")
    tiles: list[tuple[int, int, int]] = []
    level = 0
    n = size
    while n:
        full, partial = divmod(n, TILE_WIDTH)
        tiles.extend((level, i, TILE_WIDTH) for i in range(full))
        if partial:
            tiles.append((level, full, partial))
        n = full
        level += 1
    return tiles
