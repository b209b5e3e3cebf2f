"""Mount the pages into any FastAPI app: the router, /static, and a strict CSP on the pages."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI
from starlette.routing import BaseRoute, Match
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from depositary.service.instance import Instance
from depositary.web.pages import STATIC, create_web_router

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class PageHeaders:
    """ASGI middleware: adds the CSP and related headers to responses of the page routes
    and /static only, so other routes of the same app (say, /docs) are left as they are."""

    def __init__(self, app: ASGIApp, routes: Sequence[BaseRoute], prefix: str = "/static/") -> None:
        self.app = app
        self.routes = list(routes)
        self.prefix = prefix

    def _ours(self, scope: Scope) -> bool:
        if scope["path"].startswith(self.prefix):
            return True
        return any(r.matches(scope)[0] is Match.FULL for r in self.routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._ours(scope):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in HEADERS if k not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def mount_web(app: FastAPI, instance: Instance) -> None:
    """Serve the pages of ``instance`` from ``app``: call once, before the app starts."""
    router = create_web_router(instance)
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="web-static")
    app.add_middleware(PageHeaders, routes=router.routes)
