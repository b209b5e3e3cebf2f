"""``create_app(instance)``: the depositary's HTTP API as one FastAPI app.

Middleware, outermost first: security headers on every answer (errors too),
the per-address rate limit, the body size limit. Then the routes (one module
per area under ``routes/``) and the one error table (``problems``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from depositary import __version__
from depositary.http import problems
from depositary.http.context import Context
from depositary.http.limits import (
    AddressLimit,
    ASGIApp,
    BodyLimit,
    Message,
    RateLimiter,
    Receive,
    Scope,
    Send,
)
from depositary.http.routes import acts, attachments, cases, inbox, log, parties, status
from depositary.service.instance import Instance
from depositary.web.mount import mount_web

ATTACHMENT_MAX = 16 << 20
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


class SecurityHeaders:
    """Add the security headers, and ``Cache-Control: no-cache`` where a route set none."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                names = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-cache"))
                if scope.get("method") in ("GET", "HEAD"):
                    headers.append((b"access-control-allow-origin", b"*"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def _openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title, version=app.version, openapi_version="3.1.0",
                description=app.description, routes=app.routes,
            )  # fmt: skip
            components = spec.setdefault("components", {}).setdefault("schemas", {})
            components["Problem"] = problems.Problem.model_json_schema()
            app.openapi_schema = spec
        return app.openapi_schema

    return build


def create_app(instance: Instance, *, now: Callable[[], float] = time.monotonic) -> FastAPI:
    """The API of one running depositary; ``now`` is the rate limiter's monotonic clock."""
    settings = instance.settings
    app = FastAPI(
        title="depositary",
        version=__version__,
        description="A neutral depositary for formal acts, on a public append-only log. "
        "Every error is application/problem+json. See docs/api.md.",
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.ctx = Context(
        instance=instance,
        key_limiter=RateLimiter(rate=settings.rate_per_key, burst=settings.rate_burst, now=now),
    )
    problems.install(app)
    for module in (log, parties, cases, acts, inbox, attachments, status):
        app.include_router(module.router)
    app.openapi = _openapi(app)  # type: ignore[method-assign]
    mount_web(app, instance)  # the pages' CSP is set inside, before the API's default
    app.add_middleware(
        BodyLimit,
        limit=settings.max_body_bytes,
        larger=(("/v1/attachments/", max(ATTACHMENT_MAX, settings.max_body_bytes)),),
    )
    app.add_middleware(
        AddressLimit,
        limiter=RateLimiter(rate=settings.rate_per_address, burst=settings.rate_burst, now=now),
    )
    app.add_middleware(SecurityHeaders)
    return app
