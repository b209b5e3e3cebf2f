"""Publish a log's tiles to S3-compatible object storage, and read them back.

A publication lives at ``s3://bucket/prefix`` on any S3-compatible endpoint,
laid out as a tlog-tiles directory, so a CDN or plain HTTP in front of the
bucket serves the log. It is written with conditional writes:

* full tiles and entry bundles are written once (``If-None-Match: *``) with
  immutable caching; if one is already there, its bytes must be the same,
  or the prefix holds another log (or a fork) and ``CorruptionError`` says so;
* partial tiles and bundles are written plainly (their bytes are fixed by
  their path) with short caching, and deleted once the full one exists;
* the checkpoint goes last, swapped with ``If-Match`` on the ETag it had
  when the sync began, so two publishers never roll it back to a smaller
  tree: whoever loses re-reads it and stops if it is already as large.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from depositary.encoding.checkpoint import Checkpoint
from depositary.encoding.note import Note
from depositary.errors import ConfigError, CorruptionError, DecodeError, NotFound, StorageError
from depositary.log.reader import LogView
from depositary.log.tiles_dir import SyncResult, objects_to_publish

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

IMMUTABLE = "public, max-age=31536000, immutable"
"""Cache-Control of full tiles and bundles: they never change."""

PARTIAL = "public, max-age=60"
"""Cache-Control of partial tiles and bundles: fixed bytes, but deleted later."""

CHECKPOINT_CACHE = "public, max-age=5"
"""Cache-Control of the checkpoint: tlog-tiles asks for no more than a few seconds."""

OCTET_STREAM = "application/octet-stream"
CHECKPOINT_TYPE = "text/plain; charset=utf-8"
CHECKPOINT_ATTEMPTS = 5


class _PreconditionFailedError(Exception):
    """A conditional write lost (HTTP 412), or a concurrent one is in flight (409)."""


def _status(e: ClientError) -> tuple[str, int]:
    err: Mapping[str, Any] = e.response.get("Error", {})
    meta: Mapping[str, Any] = e.response.get("ResponseMetadata", {})
    return str(err.get("Code", "")), int(meta.get("HTTPStatusCode", 0))


def parse_s3_url(url: str) -> tuple[str, str]:
    """Split ``s3://bucket/prefix`` into the bucket and the prefix (no slashes around it).

    Raises:
        ConfigError: ``url`` is not an ``s3://`` URL with a bucket.
    """
    if not url.startswith("s3://"):
        raise ConfigError(f"not an s3:// URL: {url!r}")
    bucket, _, prefix = url.removeprefix("s3://").partition("/")
    if not bucket:
        raise ConfigError(f"no bucket in {url!r}")
    return bucket, prefix.strip("/")


def s3_client(endpoint_url: str | None = None) -> S3Client:
    """Return an S3 client for ``endpoint_url`` (AWS when None), credentials as boto3 finds them."""
    config = Config(s3={"addressing_style": "path"}, retries={"mode": "standard"})
    return boto3.client("s3", endpoint_url=endpoint_url, config=config)


def _size_and_origin(note: bytes) -> tuple[int, str] | None:
    try:
        cp = Checkpoint.from_text(Note.from_bytes(note).text.encode())
    except DecodeError:
        return None
    return cp.size, cp.origin


class S3Source:
    """A tlog-tiles prefix in an S3 bucket, read as an audit's ``TileSource``."""

    def __init__(self, *, client: S3Client, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")

    @classmethod
    def from_url(
        cls, url: str, *, endpoint_url: str | None = None, client: S3Client | None = None
    ) -> S3Source:
        """Open ``s3://bucket/prefix`` on ``endpoint_url`` (or with ``client``).

        Raises:
            ConfigError: the URL is not an ``s3://`` URL.
        """
        bucket, prefix = parse_s3_url(url)
        return cls(client=client or s3_client(endpoint_url), bucket=bucket, prefix=prefix)

    def key(self, path: str) -> str:
        """Return the object key of the tlog-tiles ``path``."""
        return f"{self.prefix}/{path}" if self.prefix else path

    def _where(self, path: str) -> str:
        return f"s3://{self.bucket}/{self.key(path)}"

    def fetch(self, path: str) -> tuple[bytes, str] | None:
        """Return the bytes and ETag at ``path``, or None if there is no such object.

        Raises:
            StorageError: the object store failed.
        """
        try:
            got = self.client.get_object(Bucket=self.bucket, Key=self.key(path))
            return got["Body"].read(), got["ETag"]
        except ClientError as e:
            code, status = _status(e)
            if status == 404 or code in ("NoSuchKey", "404"):
                return None
            raise StorageError(f"cannot read {self._where(path)}: {code or status}: {e}") from e
        except BotoCoreError as e:
            raise StorageError(f"cannot read {self._where(path)}: {e}") from e

    def get(self, path: str) -> bytes:
        """Return the bytes at ``path``.

        Raises:
            NotFound: there is no object at ``path``.
            StorageError: the object store failed.
        """
        got = self.fetch(path)
        if got is None:
            raise NotFound(f"{self._where(path)} does not exist")
        return got[0]


class S3Publisher(S3Source):
    """Keeps a tlog-tiles prefix in an S3 bucket in step with a stored log."""

    def _put(self, path: str, data: bytes, *, cache: str, content_type: str, **cond: str) -> None:
        try:
            self.client.put_object(
                Bucket=self.bucket, Key=self.key(path), Body=data,
                CacheControl=cache, ContentType=content_type, **cond,  # type: ignore[arg-type]
            )  # fmt: skip
        except ClientError as e:
            code, status = _status(e)
            if status in (409, 412) or code in ("PreconditionFailed", "ConditionalRequestConflict"):
                raise _PreconditionFailedError(code) from e
            if cond.get("IfMatch") and (status == 404 or code == "NoSuchKey"):
                raise _PreconditionFailedError(code) from e  # it was deleted meanwhile
            raise StorageError(f"cannot write {self._where(path)}: {code or status}: {e}") from e
        except BotoCoreError as e:
            raise StorageError(f"cannot write {self._where(path)}: {e}") from e

    def _put_once(self, path: str, data: bytes) -> bool:
        """Write an immutable object; return False if the same bytes were already there.

        Raises:
            CorruptionError: different bytes are already there.
        """
        for _ in range(CHECKPOINT_ATTEMPTS):
            try:
                self._put(path, data, cache=IMMUTABLE, content_type=OCTET_STREAM, IfNoneMatch="*")
            except _PreconditionFailedError:
                got = self.fetch(path)
                if got is None:
                    continue  # a concurrent write had not landed yet (409): try again
                if got[0] != data:
                    raise CorruptionError(
                        f"{self._where(path)} already holds different bytes: the prefix holds "
                        "another log, or this log forked"
                    ) from None
                return False
            return True
        raise StorageError(f"cannot write {self._where(path)}: it keeps conflicting")

    def _remove_partials(self, full_path: str) -> int:
        """Delete the partial versions of a tile or bundle now that the full one exists."""
        prefix = self.key(full_path) + ".p/"
        try:
            listed = self.client.list_objects_v2(Bucket=self.bucket, Prefix=prefix)
            keys = [o["Key"] for o in listed.get("Contents", []) if "Key" in o]
            if keys:
                self.client.delete_objects(
                    Bucket=self.bucket,
                    Delete={"Objects": [{"Key": k} for k in keys], "Quiet": True},
                )
        except (ClientError, BotoCoreError) as e:
            raise StorageError(f"cannot delete s3://{self.bucket}/{prefix}*: {e}") from e
        return len(keys)

    def sync(self, view: LogView) -> SyncResult:
        """Bring the prefix up to the log's latest checkpoint; never roll it back.

        ``SyncResult.size`` is the size now published, which is larger than the
        log's if another publisher got further.

        Raises:
            NotFound: the log has no checkpoint yet.
            ConfigError: the prefix holds a checkpoint of another origin.
            CorruptionError: the store lacks a tile the checkpoint needs, or the
                prefix holds different bytes for an immutable tile.
            StorageError: the object store failed.
        """
        head = view.checkpoint()
        mine = _size_and_origin(head.note)
        if mine is None:
            raise CorruptionError(f"the stored checkpoint at size {head.size} does not parse")
        size, origin = mine
        current = self.fetch("checkpoint")
        since = 0
        if current is not None and (theirs := _size_and_origin(current[0])) is not None:
            if theirs[1] != origin:
                raise ConfigError(
                    f"s3://{self.bucket}/{self.prefix} publishes log {theirs[1]!r}, not {origin!r}"
                )
            if theirs[0] >= size:
                return SyncResult(size=theirs[0], written=0, removed=0)
            since = theirs[0]
        written = removed = 0
        for obj in objects_to_publish(view, since, size):
            if obj.full:
                written += self._put_once(obj.path, obj.data)
                removed += self._remove_partials(obj.path)
            else:
                self._put(obj.path, obj.data, cache=PARTIAL, content_type=OCTET_STREAM)
                written += 1
        for _ in range(CHECKPOINT_ATTEMPTS):
            cond = {"IfNoneMatch": "*"} if current is None else {"IfMatch": current[1]}
            try:
                self._put(
                    "checkpoint", head.note, cache=CHECKPOINT_CACHE,
                    content_type=CHECKPOINT_TYPE, **cond,
                )  # fmt: skip
            except _PreconditionFailedError:
                current = self.fetch("checkpoint")
                theirs = None if current is None else _size_and_origin(current[0])
                if theirs is not None and theirs[0] >= size:
                    return SyncResult(size=theirs[0], written=written, removed=removed)
                continue
            return SyncResult(size=size, written=written + 1, removed=removed)
        raise StorageError(f"cannot swap {self._where('checkpoint')}: it keeps changing")
