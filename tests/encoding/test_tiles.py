"""c2sp.org/tlog-tiles: index and path formatting, bundles, tiles of a size."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depositary.encoding.tiles import (
    MAX_ENTRY_SIZE,
    TILE_HEIGHT,
    TILE_WIDTH,
    decode_bundle,
    encode_bundle,
    entries_path,
    format_index,
    parse_index,
    parse_tile_path,
    tile_path,
    tiles_for_size,
)
from depositary.errors import DecodeError, ValidationError


def test_constants() -> None:
    assert (TILE_HEIGHT, TILE_WIDTH, MAX_ENTRY_SIZE) == (8, 256, 65535)


@pytest.mark.parametrize(
    ("n", "s"),
    [
        (0, "000"),
        (7, "007"),
        (999, "999"),
        (1000, "x001/000"),
        (1234067, "x001/x234/067"),
        (2**64 - 1, "x018/x446/x744/x073/x709/x551/615"),
    ],
)
def test_index_format(n: int, s: str) -> None:
    assert format_index(n) == s
    assert parse_index(s) == n


@pytest.mark.parametrize(
    "s",
    ["", "0", "00", "0000", "x000/001", "x001", "001/000", "x01/000", "x001/00", "X001/000",
     "x001//000", "/000", "000/", "x018/x446/x744/x073/x709/x551/616", "x1/x001/000", "+12",
     "x001/x000/x000/x000/x000/x000/x000/000", "١٢٣"],
)  # fmt: skip
def test_malformed_indexes(s: str) -> None:
    with pytest.raises(DecodeError):
        parse_index(s)


def test_spec_paths() -> None:
    assert tile_path(0, 1234067) == "tile/0/x001/x234/067"
    assert tile_path(0, 1234067, 44) == "tile/0/x001/x234/067.p/44"
    assert tile_path(3, 0, 1) == "tile/3/000.p/1"
    assert entries_path(1234067) == "tile/entries/x001/x234/067"
    assert entries_path(0, 255) == "tile/entries/000.p/255"
    assert parse_tile_path("tile/0/x001/x234/067.p/44") == (0, 1234067, 44)
    assert parse_tile_path("tile/63/000") == (63, 0, 256)
    assert parse_tile_path("tile/entries/x001/000") == (None, 1000, 256)


@pytest.mark.parametrize(
    ("level", "index", "width"), [(-1, 0, 256), (64, 0, 256), (0, -1, 256), (0, 0, 0), (0, 0, 257)]
)
def test_path_arguments_validated(level: int, index: int, width: int) -> None:
    with pytest.raises(ValidationError):
        tile_path(level, index, width)


@pytest.mark.parametrize(
    "path",
    ["", "tile", "tile/", "tile/0", "tile/0/", "tiles/0/000", "/tile/0/000", "tile/00/000",
     "tile/64/000", "tile/-1/000", "tile/x/000", "tile/data/000", "tile/8/0/000",
     "tile/0/000.p/0", "tile/0/000.p/256", "tile/0/000.p/044", "tile/0/000.p/", "tile/0/000.p",
     "tile/0/000.p/1/2", "tile/0/000.p/1.p/2", "tile/0/000/", "tile/entries/000.p/+1",
     "tile/0/x001.p/2/000", "tile/ 0/000"],
)  # fmt: skip
def test_malformed_paths(path: str) -> None:
    with pytest.raises(DecodeError):
        parse_tile_path(path)


@settings(max_examples=200, deadline=None)
@given(
    level=st.integers(0, 63) | st.none(),
    index=st.integers(0, 2**64 - 1),
    width=st.integers(1, 256),
)
def test_path_round_trip(level: int | None, index: int, width: int) -> None:
    path = entries_path(index, width) if level is None else tile_path(level, index, width)
    assert parse_tile_path(path) == (level, index, width)


def test_bundle_layout() -> None:
    assert encode_bundle([b"", b"ab", b"\x00" * 300]) == (
        b"\x00\x00" + b"\x00\x02ab" + b"\x01\x2c" + b"\x00" * 300
    )
    big = b"x" * MAX_ENTRY_SIZE
    assert decode_bundle(encode_bundle([big])) == [big]


def test_bundle_limits() -> None:
    with pytest.raises(ValidationError, match="65536 bytes"):
        encode_bundle([b"x" * (MAX_ENTRY_SIZE + 1)])
    with pytest.raises(ValidationError):
        encode_bundle([])
    with pytest.raises(ValidationError):
        encode_bundle([b""] * 257)
    assert len(decode_bundle(encode_bundle([b""] * 256))) == 256
    with pytest.raises(DecodeError, match="more than 256"):
        decode_bundle(b"\x00\x00" * 257)


def test_bundle_truncations_and_trailing_bytes_are_rejected() -> None:
    data = encode_bundle([b"abc", b"", b"defgh"])
    ends = {5, 7, len(data)}  # entry boundaries: a prefix there is a shorter valid bundle
    for n in range(len(data)):
        if n in ends:
            assert len(decode_bundle(data[:n])) < 3
        else:
            with pytest.raises(DecodeError):
                decode_bundle(data[:n])
    with pytest.raises(DecodeError):
        decode_bundle(data + b"\x00")
    with pytest.raises(DecodeError):
        decode_bundle(data + b"\x00\x01")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=600), min_size=1, max_size=40))
def test_bundle_round_trip(entries: list[bytes]) -> None:
    data = encode_bundle(entries)
    assert decode_bundle(data) == entries
    assert encode_bundle(decode_bundle(data)) == data


def test_spec_tiles_for_size() -> None:
    tiles = tiles_for_size(70_000)
    level0 = [t for t in tiles if t[0] == 0]
    assert level0[:273] == [(0, i, 256) for i in range(273)]
    assert level0[273:] == [(0, 273, 112)]
    assert [t for t in tiles if t[0] > 0] == [(1, 0, 256), (1, 1, 17), (2, 0, 1)]
    assert tiles_for_size(256) == [(0, 0, 256), (1, 0, 1)]
    assert tiles_for_size(0) == []
    assert tiles_for_size(1) == [(0, 0, 1)]
    assert tiles_for_size(65536) == [(0, i, 256) for i in range(256)] + [(1, 0, 256), (2, 0, 1)]
    with pytest.raises(ValidationError):
        tiles_for_size(-1)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 300_000))
def test_tiles_for_size_covers_every_level(size: int) -> None:
    tiles = tiles_for_size(size)
    for level in range(5):
        at = [t for t in tiles if t[0] == level]
        # The widths at a level add up to the number of nodes of that level.
        assert sum(w for _, _, w in at) == size // 256**level
        assert [i for _, i, _ in at] == list(range(len(at)))
        assert all(w == 256 for _, _, w in at[:-1])
