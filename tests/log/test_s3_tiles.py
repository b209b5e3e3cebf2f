"""Tiles on S3-compatible storage, against a real S3 API on loopback (moto's server)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

from depositary.clock import ManualClock
from depositary.encoding.note import NoteSigner
from depositary.encoding.tiles import tile_path
from depositary.errors import ConfigError, CorruptionError, NotFound, StorageError
from depositary.log.audit import audit
from depositary.log.reader import LogView
from depositary.log.s3_tiles import (
    CHECKPOINT_CACHE,
    IMMUTABLE,
    PARTIAL,
    S3Publisher,
    S3Source,
    parse_s3_url,
    s3_client,
)
from depositary.log.sequencer import Sequencer
from depositary.log.tiles_dir import sync_tiles
from depositary.storage.memory import MemoryStore

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def client(endpoint: str) -> S3Client:
    return boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test",
        region_name="us-east-1", config=Config(s3={"addressing_style": "path"}),
    )  # fmt: skip


@pytest.fixture
def bucket(client: S3Client) -> str:
    name = f"tlog-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    return name


class Log:
    """A log in memory, grown on demand to a given size."""

    def __init__(self, signer: NoteSigner, clock: ManualClock) -> None:
        self.store = MemoryStore()
        self.view = LogView(self.store)
        self.seq = Sequencer(store=self.store, signer=signer, clock=clock)
        self.size = 0

    def grow(self, to: int) -> Log:
        while self.size < to:
            n = min(to - self.size, 200)
            self.seq.append_batch([f"entry {self.size + i}".encode() for i in range(n)])
            self.size += n
        return self


@pytest.fixture
def new_log(signer: NoteSigner, clock: ManualClock) -> Callable[[int], Log]:
    return lambda size: Log(signer, clock).grow(size)


def keys(client: S3Client, bucket: str) -> dict[str, bytes]:
    listed = client.list_objects_v2(Bucket=bucket)
    return {
        o["Key"]: client.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
        for o in listed.get("Contents", [])
    }


def test_publish_append_publish_and_audit_from_s3(
    client: S3Client, bucket: str, new_log: Callable[[int], Log], signer: NoteSigner
) -> None:
    log = new_log(300)
    pub = S3Publisher(client=client, bucket=bucket, prefix="logs/a/")
    first = pub.sync(log.view)
    assert (first.size, first.written, first.removed) == (300, 6, 0)  # 5 tiles, 1 checkpoint
    assert audit(pub, signer.verifier()).checkpoint.size == 300
    assert set(keys(client, bucket)) == {
        "logs/a/checkpoint", "logs/a/tile/0/000", "logs/a/tile/0/001.p/44",
        "logs/a/tile/1/000.p/1", "logs/a/tile/entries/000", "logs/a/tile/entries/001.p/44",
    }  # fmt: skip
    log.grow(700)  # tiles 0/000 and 0/001 full, 0/002.p/188, 1/000.p/2
    second = pub.sync(log.view)
    assert second.size == 700
    assert second.removed == 2  # 0/001.p/44 and entries/001.p/44, now full
    published = keys(client, bucket)
    assert not any(".p/44" in k for k in published)
    assert "logs/a/tile/0/002.p/188" in published
    source = S3Source.from_url(f"s3://{bucket}/logs/a", client=client)
    earlier = [c.note for c in log.store.checkpoints()]
    assert audit(source, signer.verifier(), earlier=earlier).checkpoint.size == 700
    assert pub.sync(log.view).written == 0  # nothing new: nothing written


def test_objects_carry_tlog_tiles_types_and_cache_headers(
    client: S3Client, bucket: str, new_log: Callable[[int], Log]
) -> None:
    S3Publisher(client=client, bucket=bucket).sync(new_log(260).view)

    def head(key: str) -> tuple[str, str]:
        got = client.head_object(Bucket=bucket, Key=key)
        return got["ContentType"], got["CacheControl"]

    assert head("checkpoint") == ("text/plain; charset=utf-8", CHECKPOINT_CACHE)
    assert head("tile/0/000") == ("application/octet-stream", IMMUTABLE)
    assert head("tile/entries/000") == ("application/octet-stream", IMMUTABLE)
    assert head("tile/0/001.p/4") == ("application/octet-stream", PARTIAL)
    assert head("tile/entries/001.p/4") == ("application/octet-stream", PARTIAL)
    assert "max-age=5" in CHECKPOINT_CACHE


def test_s3_and_a_directory_get_the_same_files(
    client: S3Client, bucket: str, new_log: Callable[[int], Log], tmp_path: Path
) -> None:
    log = new_log(100)
    pub = S3Publisher(client=client, bucket=bucket, prefix="p")
    for size in (100, 256, 513, 700):
        log.grow(size)
        pub.sync(log.view)
        sync_tiles(log.view, tmp_path)
    on_disk = {
        str(p.relative_to(tmp_path)): p.read_bytes()
        for p in tmp_path.rglob("*")
        if p.is_file() and not p.name.startswith(".tmp-")
    }
    assert {k.removeprefix("p/"): v for k, v in keys(client, bucket).items()} == on_disk


def test_an_immutable_tile_with_other_bytes_is_corruption(
    client: S3Client, bucket: str, new_log: Callable[[int], Log]
) -> None:
    client.put_object(Bucket=bucket, Key=tile_path(0, 0), Body=b"\x00" * 8192)
    with pytest.raises(CorruptionError, match="tile/0/000 already holds different bytes"):
        S3Publisher(client=client, bucket=bucket).sync(new_log(256).view)
    with pytest.raises(NotFound):
        S3Source(client=client, bucket=bucket).get("checkpoint")  # nothing was published


def test_a_tile_that_is_already_there_with_the_same_bytes_is_kept(
    client: S3Client, bucket: str, new_log: Callable[[int], Log], signer: NoteSigner
) -> None:
    log = new_log(256)
    tile = log.store.read_tiles([(0, 0)])[(0, 0)]
    client.put_object(Bucket=bucket, Key="tile/0/000", Body=tile)  # a crashed publisher's
    assert S3Publisher(client=client, bucket=bucket).sync(log.view).size == 256
    assert audit(S3Source(client=client, bucket=bucket), signer.verifier()).checkpoint.size == 256


def test_a_stale_publisher_never_rolls_the_checkpoint_back(
    client: S3Client, bucket: str, new_log: Callable[[int], Log]
) -> None:
    big, small = new_log(600), new_log(300)  # the same log, seen at two sizes
    pub = S3Publisher(client=client, bucket=bucket)
    pub.sync(big.view)
    note = client.get_object(Bucket=bucket, Key="checkpoint")["Body"].read()
    result = pub.sync(small.view)
    assert (result.size, result.written) == (600, 0)
    assert client.get_object(Bucket=bucket, Key="checkpoint")["Body"].read() == note


class RacingPublisher(S3Publisher):
    """Lets ``interloper`` run just before this publisher's first checkpoint write."""

    interloper: Callable[[], Any] | None = None

    def _put(self, path: str, data: bytes, *, cache: str, content_type: str, **cond: str) -> None:
        if path == "checkpoint" and self.interloper is not None:
            run, self.interloper = self.interloper, None
            run()
        super()._put(path, data, cache=cache, content_type=content_type, **cond)


@pytest.mark.parametrize(("racer", "other", "final"), [(400, 600, 600), (600, 400, 600)])
def test_racing_publishers_swap_the_checkpoint_with_if_match(
    client: S3Client,
    bucket: str,
    new_log: Callable[[int], Log],
    signer: NoteSigner,
    racer: int,
    other: int,
    final: int,
) -> None:
    S3Publisher(client=client, bucket=bucket).sync(new_log(300).view)
    pub = RacingPublisher(client=client, bucket=bucket)
    other_log = new_log(other)
    pub.interloper = lambda: S3Publisher(client=client, bucket=bucket).sync(other_log.view)
    result = pub.sync(new_log(racer).view)
    assert result.size == final
    published = audit(S3Source(client=client, bucket=bucket), signer.verifier())
    assert published.checkpoint.size == final


def test_a_prefix_of_another_log_is_refused(
    client: S3Client, bucket: str, new_log: Callable[[int], Log], clock: ManualClock
) -> None:
    S3Publisher(client=client, bucket=bucket).sync(new_log(10).view)
    stranger = Log(NoteSigner.generate("other.example/log"), clock).grow(20)
    with pytest.raises(ConfigError, match=r"other\.example/log"):
        S3Publisher(client=client, bucket=bucket).sync(stranger.view)


def test_a_tampered_bucket_fails_the_audit(
    client: S3Client, bucket: str, new_log: Callable[[int], Log], signer: NoteSigner
) -> None:
    S3Publisher(client=client, bucket=bucket).sync(new_log(300).view)
    bundle = client.get_object(Bucket=bucket, Key="tile/entries/001.p/44")["Body"].read()
    client.put_object(Bucket=bucket, Key="tile/entries/001.p/44", Body=bundle[:-1] + b"X")
    with pytest.raises(CorruptionError, match="entry 299"):
        audit(S3Source(client=client, bucket=bucket), signer.verifier())


def test_urls_clients_and_errors(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_s3_url("s3://b/x/y/") == ("b", "x/y")
    assert parse_s3_url("s3://b") == ("b", "")
    for bad in ("http://b/x", "s3:///x"):
        with pytest.raises(ConfigError):
            parse_s3_url(bad)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    src = S3Source.from_url("s3://no-such-bucket/p", endpoint_url=endpoint)
    assert src.key("checkpoint") == "p/checkpoint"
    assert src.client.meta.endpoint_url == endpoint
    with pytest.raises(NotFound):
        src.get("checkpoint")  # moto answers 404 NoSuchBucket
    dead = S3Source.from_url("s3://b", client=s3_client("http://127.0.0.1:1"))
    with pytest.raises(StorageError):
        dead.get("checkpoint")
