"""What every route needs: the running instance, the per-key limiter, the operator check."""

from __future__ import annotations

import gzip
import hmac
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from depositary.acts.canonical import parse_json
from depositary.http.limits import RateLimiter
from depositary.http.problems import HTTPProblem
from depositary.service.depositary import Depositary
from depositary.service.instance import Instance

MAX_INDEX = (1 << 62) - 1  # larger than any log this service can hold


def gzipped(data: bytes) -> bytes:
    """``data`` gzip'd, the same bytes every time (no timestamp)."""
    return gzip.compress(data, compresslevel=6, mtime=0)


class GzipCache:
    """Gzip'd immutable responses (full entry bundles) of one app, by path."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, path: str, make: Callable[[], bytes]) -> bytes:
        """The gzip of ``make()``, made once per ``path`` while it stays cached."""
        with self._lock:
            got = self._items.get(path)
            if got is not None:
                self._items.move_to_end(path)
                return got
        data = gzipped(make())
        with self._lock:
            self._items[path] = data
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return data


@dataclass(frozen=True, slots=True)
class Context:
    instance: Instance
    key_limiter: RateLimiter
    gzipped: GzipCache = field(default_factory=GzipCache)

    @property
    def depositary(self) -> Depositary:
        return self.instance.depositary


async def _context(request: Request) -> Context:  # async: no hop to the thread pool
    ctx = request.app.state.ctx
    assert isinstance(ctx, Context)
    return ctx


Ctx = Annotated[Context, Depends(_context)]
_bearer = HTTPBearer(auto_error=False, description="The operator's token (admissions, cases)")


async def _operator(
    ctx: Ctx,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> bool:
    """True when the request carries the operator's bearer token."""
    token = ctx.instance.settings.operator_token
    if not token or credentials is None:
        return False
    return hmac.compare_digest(credentials.credentials.encode(), token.encode())


IsOperator = Annotated[bool, Depends(_operator)]


def require_operator(ctx: Context, is_operator: bool) -> None:
    """Raise 403 when admission over HTTP is disabled, 401 without the operator's token."""
    if not ctx.instance.settings.operator_token:
        raise HTTPProblem(
            403, "operator-disabled", "Operator actions disabled",
            "this depositary has no operator_token set: admissions and cases over HTTP are off",
        )  # fmt: skip
    if not is_operator:
        raise HTTPProblem(
            401, "operator-token", "Operator token required",
            "send the operator's token as 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": 'Bearer realm="depositary operator"'},
        )  # fmt: skip


async def body_of(request: Request) -> bytes:
    """The request body (``limits.BodyLimit`` has already capped its size)."""
    return await request.body()


def json_of(data: bytes, where: str) -> Any:
    """Strict JSON (UTF-8, no duplicate keys, no floats); DecodeError (400) otherwise."""
    return parse_json(data, where)
