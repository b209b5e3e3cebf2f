"""Body size and rate limits, enforced before anything is parsed or recorded.

* ``BodyLimit`` (ASGI middleware): a declared ``Content-Length`` over the limit is
  answered 413 before the body is read; a body that streams past the limit makes
  the route's read fail with the same 413.
* ``RateLimiter``: token buckets, one per key (a client address, or a signing
  key), refilled at ``rate`` per second up to ``burst``. Time is injected.
* ``AddressLimit`` (ASGI middleware): every request spends a token of its client
  address; none left is 429 with ``Retry-After``.
* ``signing_keys``: the keys a submitted act or inbox request claims, read without
  verifying, so the per-key limit is spent before the service does any work.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from depositary.encoding import b64
from depositary.errors import DepositaryError
from depositary.http.problems import HTTPProblem, problem_body
from depositary.records.requests import SIGNED_REQUEST
from depositary.records.signed import Signed

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def too_large(limit: int) -> HTTPProblem:
    return HTTPProblem(
        413, "too-large", "Request body too large", f"the body is larger than {limit} bytes"
    )


def rate_limited(what: str, retry_after: float) -> HTTPProblem:
    seconds = max(1, math.ceil(retry_after))
    return HTTPProblem(
        429, "rate-limited", "Rate limited",
        f"too many requests from this {what}; retry in {seconds} s",
        headers={"Retry-After": str(seconds)},
    )  # fmt: skip


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets by key; thread-safe; ``now`` is a monotonic clock in seconds."""

    def __init__(
        self,
        *,
        rate: float,
        burst: int,
        now: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a rate limit needs rate > 0 and burst >= 1")
        self.rate = rate
        self.burst = float(burst)
        self.now = now
        self.max_keys = max_keys
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float | None:
        """Spend one token of ``key``; return None, or the seconds until one is available."""
        with self._lock:
            t = self.now()
            b = self._buckets.get(key)
            if b is None:
                if len(self._buckets) >= self.max_keys:
                    self._forget_full(t)
                b = self._buckets[key] = _Bucket(tokens=self.burst, updated=t)
            b.tokens = min(self.burst, b.tokens + (t - b.updated) * self.rate)
            b.updated = t
            if b.tokens >= 1.0:
                b.tokens -= 1.0
                return None
            return (1.0 - b.tokens) / self.rate

    def _forget_full(self, t: float) -> None:
        rate, burst = self.rate, self.burst
        full = [k for k, b in self._buckets.items() if b.tokens + (t - b.updated) * rate >= burst]
        for k in full:
            del self._buckets[k]
        if len(self._buckets) >= self.max_keys:  # all busy: forget the oldest
            oldest = sorted(self._buckets, key=lambda k: self._buckets[k].updated)
            for k in oldest[: len(oldest) // 2]:
                del self._buckets[k]

    def check(self, key: str, what: str) -> None:
        """Spend a token of ``key`` or raise 429 naming ``what`` is limited."""
        wait = self.take(key)
        if wait is not None:
            raise rate_limited(what, wait)


async def _send_problem(send: Send, problem: HTTPProblem) -> None:
    body = json.dumps(
        problem_body(problem.status, problem.slug, problem.title, problem.detail)
    ).encode()
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *((k.lower().encode(), v.encode()) for k, v in problem.headers.items()),
    ]
    await send({"type": "http.response.start", "status": problem.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, before they are parsed.

    ``larger`` gives other limits by path prefix (attachments are documents).
    """

    def __init__(
        self, app: ASGIApp, *, limit: int, larger: tuple[tuple[str, int], ...] = ()
    ) -> None:
        self.app = app
        self.limit = limit
        self.larger = larger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = next((n for prefix, n in self.larger if path.startswith(prefix)), self.limit)
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0 or declared > limit:
                    await _send_problem(send, too_large(limit))
                    return
        seen = 0

        async def capped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise too_large(limit)
            return message

        await self.app(scope, capped, send)


class AddressLimit:
    """Spend one token of the client's address per request; 429 when none is left."""

    def __init__(self, app: ASGIApp, *, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            client = scope.get("client")
            address = client[0] if client else "unknown"
            wait = self.limiter.take(address)
            if wait is not None:
                await _send_problem(send, rate_limited("address", wait))
                return
        await self.app(scope, receive, send)


MAX_CLAIMED_KEYS = 16  # an envelope claiming more spends only the first buckets


def signing_keys(body: bytes, *, request: bool = False) -> list[bytes]:
    """The public keys an act envelope (or a signed request) claims; [] if it does not parse.

    Nothing is verified here: this only names which buckets the request spends.
    """
    try:
        if request:
            return [Signed.from_bytes(body, expected_type=SIGNED_REQUEST).public_key]
        signatures = json.loads(body)["signatures"]  # the act is parsed properly later
        if not isinstance(signatures, list):
            return []
        return [b64.decode(s["public_key"]) for s in signatures[:MAX_CLAIMED_KEYS]]
    except (DepositaryError, ValueError, TypeError, KeyError, RecursionError):
        return []
