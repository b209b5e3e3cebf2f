"""A real depositary app on a simulated clock, reached by the client commands in-process."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx2
import pytest

from depositary.cli.commands._client import use_transport
from depositary.client.keys import write_key
from depositary.clock import ManualClock
from depositary.config import Settings
from depositary.demo.iraq2020 import ORIGIN, demo_signer
from depositary.demo.replay import setup
from depositary.http.app import create_app
from depositary.service.instance import Instance, init_data_dir, open_instance

TOKEN = "operator-secret-token"


class SyncASGITransport(httpx2.BaseTransport):
    """Drive an ASGI app from a sync client (one event loop per request)."""

    def __init__(self, app: object) -> None:
        self._asgi = httpx2.ASGITransport(app=app)  # type: ignore[arg-type]

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        body = request.read()

        async def go() -> tuple[int, list[tuple[bytes, bytes]], bytes]:
            req = httpx2.Request(request.method, request.url, headers=request.headers,
                                 content=body)  # fmt: skip
            resp = await self._asgi.handle_async_request(req)
            content = b"".join([chunk async for chunk in resp.stream])  # type: ignore[union-attr]
            return resp.status_code, resp.headers.raw, content

        status, headers, content = asyncio.run(go())
        headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
        return httpx2.Response(status, headers=headers, content=content)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def instance(tmp_path: Path, clock: ManualClock) -> Iterator[Instance]:
    data_dir = tmp_path / "dep"
    init_data_dir(data_dir, ORIGIN)
    settings = Settings(data_dir=data_dir, origin=ORIGIN, batch_period=0.005,
                        operator_token=TOKEN)  # fmt: skip
    inst = open_instance(settings, clock=clock)
    setup(inst.depositary, {})
    yield inst
    inst.close()


@pytest.fixture
def app_transport(instance: Instance) -> Iterator[SyncASGITransport]:
    transport = SyncASGITransport(create_app(instance))
    use_transport(transport)
    yield transport
    use_transport(None)


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Path]:
    """Key files of the demo holders (their fixed demo seeds), as a party would keep them."""
    out = {}
    for holder in ("iq-prime-minister", "us-secretary-of-state", "ir-foreign-minister",
                   "coalition-secretariat-seal"):  # fmt: skip
        path = tmp_path / f"{holder}.key"
        write_key(path, demo_signer(holder))
        out[holder] = path
    return out
