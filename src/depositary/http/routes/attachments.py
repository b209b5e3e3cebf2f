"""Attachments by SHA-256: stored once a recorded act lists them (or by the operator)."""

from __future__ import annotations

import hashlib
import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from depositary.errors import NotFound, ValidationError
from depositary.http.context import Ctx, IsOperator, body_of
from depositary.http.problems import HTTPProblem, responses

router = APIRouter(tags=["attachments"])
MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9.+-]{0,60}/[a-z0-9][a-z0-9.+-]{0,60}", re.IGNORECASE)
Digest = Annotated[str, Path(pattern="^[0-9a-f]{64}$", description="lower-case hex SHA-256")]
ANY_BYTES = {
    "requestBody": {
        "required": True,
        "description": "the attachment's bytes; they must hash to the SHA-256 in the path",
        "content": {"application/octet-stream": {"schema": {"type": "string",
                                                            "format": "binary"}}},
    }
}  # fmt: skip


def _media_type(value: str) -> str:
    """``value`` if it is a plain media type, else application/octet-stream."""
    return value if MEDIA_TYPE.fullmatch(value) else "application/octet-stream"


@router.put(
    "/v1/attachments/{sha256}",
    status_code=201,
    openapi_extra=ANY_BYTES,
    responses=responses(400, 401, 403, 413, 422, 429, 503),
)
async def put(ctx: Ctx, sha256: Digest, operator: IsOperator, request: Request) -> JSONResponse:
    """Store the bytes of an attachment a recorded act lists (any attachment: the operator)."""
    data = await body_of(request)
    got = hashlib.sha256(data).hexdigest()
    if got != sha256:
        raise ValidationError(f"the body hashes to {got}, not {sha256}")
    dep = ctx.depositary
    ref = await run_in_threadpool(dep.attachment_reference, sha256)
    if ref is None and not operator:
        raise HTTPProblem(
            403, "unreferenced", "No act lists this attachment",
            f"no recorded act lists attachment {sha256}: submit the act first "
            "(or store it with the operator's token)",
        )  # fmt: skip
    media_type = _media_type(ref[1] if ref else request.headers.get("content-type", ""))
    await run_in_threadpool(dep.index.put_attachment, sha256, media_type, data)
    body: dict[str, Any] = {"sha256": sha256, "media_type": media_type, "size": len(data),
                            "act_id": ref[0] if ref else None}  # fmt: skip
    return JSONResponse(body, status_code=201)


@router.get(
    "/v1/attachments/{sha256}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}},
                     "description": "the bytes, with the media type the act gave"},
               **responses(400, 404, 429, 503)},
)  # fmt: skip
def get(ctx: Ctx, sha256: Digest) -> Response:
    """The attachment's bytes; always a download, never rendered in the API's origin."""
    found = ctx.depositary.index.attachment(sha256)
    if found is None:
        raise NotFound(f"no attachment {sha256} is stored")
    media_type, data = found
    return Response(
        data,
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=31536000, immutable",
                 "Content-Disposition": f'attachment; filename="{sha256}"'},
    )  # fmt: skip
