"""The witness over HTTP: ``POST /add-checkpoint`` exactly as c2sp.org/tlog-witness says.

No business logic here: the body is read (with a size cap), handed to
``Witness.add_checkpoint`` in a worker thread, and its answer sent back as is.
"""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from depositary.witness.core import reject
from depositary.witness.protocol import MAX_REQUEST_SIZE, PATH
from depositary.witness.service import Witness


async def _read_capped(request: Request, limit: int) -> bytes | None:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def create_app(witness: Witness) -> FastAPI:
    """Return the ASGI app of one witness."""
    app = FastAPI(
        title="depositary witness",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )

    @app.post(PATH)
    async def add_checkpoint(request: Request) -> Response:
        body = await _read_capped(request, MAX_REQUEST_SIZE)
        if body is None:
            answer = reject(413, f"request is larger than {MAX_REQUEST_SIZE} bytes")
        else:
            answer = await run_in_threadpool(witness.add_checkpoint, body)
        # Set the header itself: Starlette would append "; charset=utf-8" to a text/
        # media type, and a 409 must say exactly text/x.tlog.size.
        return Response(
            content=answer.body,
            status_code=answer.status,
            headers={"Content-Type": answer.content_type},
        )

    @app.get("/")
    async def about() -> Response:
        text = f"depositary witness\n{witness.verifier.to_vkey()}\n"
        return Response(content=text, media_type="text/plain; charset=utf-8")

    return app
