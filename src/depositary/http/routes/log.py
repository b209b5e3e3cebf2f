"""The log: checkpoint and tiles at their C2SP paths, proofs, receipts and entries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from depositary.encoding.tiles import TILE_WIDTH, parse_tile_path
from depositary.errors import DecodeError, NotFound
from depositary.http import wire
from depositary.http.context import MAX_INDEX, Ctx, gzipped
from depositary.http.problems import responses
from depositary.log.audit import StoreSource

router = APIRouter(tags=["log"])
IMMUTABLE = "public, max-age=31536000, immutable"
TEXT = "text/plain; charset=utf-8"
Index = Annotated[int, Path(ge=0, le=MAX_INDEX, description="a log index")]
Size = Annotated[int, Query(ge=0, le=MAX_INDEX, description="a tree size the log signed")]


def _size(ctx: Ctx) -> int:
    head = ctx.instance.store.checkpoint()
    return 0 if head is None else head.size


def _in_log(ctx: Ctx, index: int) -> None:
    size = _size(ctx)
    if index >= size:
        raise NotFound(f"log index {index} is not in the log, which has {size} entries")


@router.get(
    "/log/checkpoint",
    response_class=Response,
    responses={200: {"content": {TEXT: {}}, "description": "the latest signed checkpoint"},
               **responses(404, 429, 503)},
)  # fmt: skip
def checkpoint(ctx: Ctx) -> Response:
    """The latest signed checkpoint (c2sp.org/tlog-checkpoint)."""
    note = ctx.instance.view.checkpoint().note
    return Response(note, media_type=TEXT, headers={"Cache-Control": "no-cache, max-age=0"})


@router.get(
    "/log/tile/{path:path}",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {}},
              "description": "a hash tile or entry bundle (c2sp.org/tlog-tiles)"},
        **responses(404, 429, 503),
    },
)  # fmt: skip
def tile(ctx: Ctx, path: str, request: Request) -> Response:
    """``tile/<L>/<N>[.p/<W>]`` or ``tile/entries/<N>[.p/<W>]``: immutable once served.

    Entry bundles go gzip'd (``Content-Encoding: gzip``) to clients that accept it,
    as tlog-tiles recommends; hash tiles do not compress and go as they are.
    """
    try:
        level, index, width = parse_tile_path("tile/" + path)
    except DecodeError as e:  # a path that names no tile is a missing page, not a bad body
        raise NotFound(f"no such tile: {e}") from e
    covers = (index * TILE_WIDTH + width) * TILE_WIDTH ** (level or 0)
    if covers > _size(ctx):
        raise NotFound(f"tile/{path} lies beyond the log's latest checkpoint")
    headers = {"Cache-Control": IMMUTABLE}
    if level is not None:
        data = StoreSource(ctx.instance.store).get("tile/" + path)
        return Response(data, media_type="application/octet-stream", headers=headers)
    headers["Vary"] = "Accept-Encoding"
    if not accepts_gzip(request.headers.get("accept-encoding", "")):
        data = StoreSource(ctx.instance.store).get("tile/" + path)
        return Response(data, media_type="application/octet-stream", headers=headers)
    headers["Content-Encoding"] = "gzip"
    source = StoreSource(ctx.instance.store)
    if width == TILE_WIDTH:  # a full bundle never changes: compress it once
        data = ctx.gzipped.get(path, lambda: source.get("tile/" + path))
    else:
        data = gzipped(source.get("tile/" + path))
    return Response(data, media_type="application/octet-stream", headers=headers)


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` value admits gzip (RFC 9110 12.5.3; q=0 refuses)."""
    for item in accept_encoding.lower().split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip() not in ("gzip", "x-gzip", "*"):
            continue
        q = params.strip()
        if q.startswith("q="):
            try:
                return float(q[2:]) > 0
            except ValueError:
                return False
        return True
    return False


@router.get("/v1/log", responses=responses(429, 503))
def about(ctx: Ctx) -> dict[str, object]:
    """The log's origin and verifier key, the depositary's statement key, and its size."""
    inst = ctx.instance
    return {
        "origin": inst.settings.origin,
        "log_vkey": inst.log_verifier.to_vkey(),
        "depositary_key": wire.b64(inst.depositary.key.public_key),
        "size": _size(ctx),
    }


@router.get(
    "/v1/receipts/{index}",
    response_class=Response,
    responses={200: {"content": {TEXT: {}}, "description": "a c2sp.org/tlog-proof@v1"},
               **responses(400, 404, 422, 429, 503)},
)  # fmt: skip
def receipt(ctx: Ctx, index: Index, size: Size | None = None) -> Response:
    """A tlog-proof of entry ``index`` against the checkpoint at ``size`` (default: latest)."""
    _in_log(ctx, index)
    return Response(ctx.instance.view.receipt(index, size), media_type=TEXT)


@router.get("/v1/proofs/inclusion", responses=responses(400, 404, 422, 429, 503))
def inclusion(
    ctx: Ctx,
    index: Annotated[int, Query(ge=0, le=MAX_INDEX)],
    size: Annotated[int, Query(ge=1, le=MAX_INDEX)],
) -> dict[str, object]:
    """The RFC 6962 inclusion proof of entry ``index`` in the tree of ``size``."""
    hashes = ctx.instance.view.inclusion_proof(index, size)
    return {"index": index, "size": size, "hashes": [wire.b64(h) for h in hashes]}


@router.get("/v1/proofs/consistency", responses=responses(400, 404, 422, 429, 503))
def consistency(
    ctx: Ctx,
    old: Annotated[int, Query(ge=0, le=MAX_INDEX)],
    new: Annotated[int, Query(ge=0, le=MAX_INDEX)],
) -> dict[str, object]:
    """The RFC 6962 consistency proof from size ``old`` to size ``new``."""
    hashes = ctx.instance.view.consistency_proof(old, new)
    return {"old": old, "new": new, "hashes": [wire.b64(h) for h in hashes]}


@router.get(
    "/v1/entries/{index}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}},
                     "description": "the entry's exact bytes"},
               **responses(400, 404, 429, 503)},
)  # fmt: skip
def entry(ctx: Ctx, index: Index) -> Response:
    """Entry ``index`` exactly as logged."""
    _in_log(ctx, index)
    return Response(ctx.instance.view.entry(index), media_type="application/octet-stream",
                    headers={"Cache-Control": IMMUTABLE})  # fmt: skip
