"""The audit finds and names every kind of damage, in tiles and in the store."""

from __future__ import annotations

import gzip
import random
import sqlite3
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from depositary.encoding.note import NoteSigner
from depositary.errors import (
    CorruptionError,
    DecodeError,
    DepositaryError,
    NotFound,
    SignatureError,
)
from depositary.log.audit import MAX_FETCH, DirectorySource, StoreSource, URLSource, audit
from depositary.service.log_dir import DB_FILE, LogDir


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    root = tmp_path_factory.mktemp("audit")
    with LogDir.create(root / "log", "audit.example/log") as lg:
        done = 0
        for n in (700, 1, 66_000 - 701):
            lg.append([f"entry {done}-{i}".encode() for i in range(n)])
            done += n
        lg.sync_tiles(root / "tiles")
        vkey = lg.vkey
    return root / "log", root / "tiles", vkey


def _copy(src: Path, dst: Path) -> Path:
    import shutil

    shutil.copytree(src, dst)
    return dst


def test_a_clean_tiles_directory_verifies(built, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, tiles, vkey = built
    from depositary.encoding.note import Ed25519Verifier

    seen: list[int] = []
    signed = audit(DirectorySource(tiles), Ed25519Verifier.from_vkey(vkey),
                   progress=lambda done, total: seen.append(done))  # fmt: skip
    assert signed.checkpoint.size == 66_000
    assert seen[-1] == 66_000
    assert (tiles / "tile/1/000").stat().st_size == 8192  # a full level-1 tile
    assert (tiles / "tile/2/000.p/1").exists()


@pytest.mark.parametrize(
    ("path", "offset", "expect"),
    [
        ("tile/entries/005", 100, "entry 1"),  # an entry's bytes
        ("tile/0/007", 32 * 9 + 3, "entry 1801"),  # a leaf hash
        ("tile/1/000", 32 * 4, "hash tile 1/0: hash 4"),  # a level-1 hash
        ("tile/2/000.p/1", 0, "hash tile 2/0: hash 0"),
        ("checkpoint", 20, ""),
    ],
)
def test_one_flipped_byte_anywhere_is_found_and_named(
    built, tmp_path, path, offset, expect
) -> None:  # type: ignore[no-untyped-def]
    _, tiles, vkey = built
    from depositary.encoding.note import Ed25519Verifier

    copy = _copy(tiles, tmp_path / "t")
    f = copy / path
    data = bytearray(f.read_bytes())
    data[offset] ^= 0x01
    f.write_bytes(bytes(data))
    with pytest.raises(DepositaryError) as info:
        audit(DirectorySource(copy), Ed25519Verifier.from_vkey(vkey))
    assert expect in str(info.value)


def test_a_missing_tile_or_a_foreign_key_fails(built, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, tiles, _ = built
    copy = _copy(tiles, tmp_path / "t")
    (copy / "tile/0/003").unlink()
    other = NoteSigner.generate("audit.example/log").verifier()
    with pytest.raises(SignatureError):
        audit(DirectorySource(copy), other)


def test_a_truncated_bundle_is_named(built, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, tiles, vkey = built
    from depositary.encoding.note import Ed25519Verifier

    copy = _copy(tiles, tmp_path / "t")
    f = copy / "tile/entries/010"
    f.write_bytes(f.read_bytes()[:-5])
    with pytest.raises(CorruptionError, match="entry bundle 10"):
        audit(DirectorySource(copy), Ed25519Verifier.from_vkey(vkey))


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def served(built) -> Iterator[str]:  # type: ignore[no-untyped-def]
    _, tiles, _ = built
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(tiles)))
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    t.join()


def test_tiles_verify_over_http(built, served) -> None:  # type: ignore[no-untyped-def]
    _, _, vkey = built
    from depositary.encoding.note import Ed25519Verifier

    assert audit(URLSource(served), Ed25519Verifier.from_vkey(vkey)).checkpoint.size == 66_000
    with pytest.raises(NotFound, match="404"):
        URLSource(served).get("tile/0/999")


def test_corrupted_sqlite_rows_are_found_and_named(built, tmp_path) -> None:  # type: ignore[no-untyped-def]
    logdir, _, _ = built
    rng = random.Random(7)
    for trial in range(6):
        copy = _copy(logdir, tmp_path / f"log{trial}")
        db = sqlite3.connect(copy / DB_FILE)
        table, key = rng.choice([("log_bundles", "idx"), ("log_tiles", "rowid"),
                                 ("log_checkpoints", "size")])  # fmt: skip
        rows = db.execute(f"SELECT {key}, data FROM {table}" if table != "log_checkpoints"
                          else f"SELECT {key}, note FROM {table}").fetchall()  # fmt: skip
        k, data = rng.choice(rows)
        data = bytearray(data)
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        col = "note" if table == "log_checkpoints" else "data"
        db.execute(f"UPDATE {table} SET {col} = ? WHERE {key} = ?", (bytes(data), k))
        db.commit()
        db.close()
        with LogDir(copy) as lg:
            earlier = [c.note for c in lg.store.checkpoints()]
            with pytest.raises(DepositaryError) as info:
                audit(StoreSource(lg.store), lg.verifier, earlier=earlier)
        msg = str(info.value)
        assert any(w in msg for w in ("entry", "tile", "checkpoint", "signature", "bundle",
                                      "decode", "base64", "root", "line", "note")), msg  # fmt: skip


class GzipHandler(QuietHandler):
    """Serves the tiles directory gzip'd, as tlog-tiles lets a server send entry bundles."""

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            self.send_error(404)
            return
        assert "gzip" in self.headers.get("Accept-Encoding", "")
        body = gzip.compress(path.read_bytes())
        self.send_response(200)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve_with(handler: Any) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def test_tiles_verify_over_http_when_gzipped(built) -> None:  # type: ignore[no-untyped-def]
    _, tiles, vkey = built
    from depositary.encoding.note import Ed25519Verifier

    server, url = serve_with(partial(GzipHandler, directory=str(tiles)))
    try:
        assert audit(URLSource(url), Ed25519Verifier.from_vkey(vkey)).checkpoint.size == 66_000
    finally:
        server.shutdown()
        server.server_close()


def fixed(body: bytes, encoding: str) -> Any:
    class Fixed(QuietHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Encoding", encoding)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Fixed


@pytest.mark.parametrize(
    ("body", "encoding", "message"),
    [
        (gzip.compress(bytes(MAX_FETCH + 1)), "gzip", "inflates to more than"),
        (gzip.compress(b"entries")[:-6], "gzip", "truncated gzip"),
        (gzip.compress(b"entries") + b"junk", "gzip", "bytes after its end"),
        (b"not gzip at all", "gzip", "not valid gzip"),
        (b"whatever", "br", "an encoding this reader does not know"),
    ],
    ids=["bomb", "truncated", "trailing", "garbage", "unknown"],
)
def test_a_bad_compressed_answer_is_refused(body: bytes, encoding: str, message: str) -> None:
    server, url = serve_with(fixed(body, encoding))
    try:
        with pytest.raises(DecodeError, match=message):
            URLSource(url).get("tile/entries/000")
    finally:
        server.shutdown()
        server.server_close()
