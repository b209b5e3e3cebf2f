"""The one mapping from errors to HTTP statuses, answered as RFC 9457 problem+json.

Domain errors are mapped by class (first match in ``TABLE``); conditions that
exist only at the HTTP edge (body too large, rate limited, operator token, no
such route) are ``HTTPProblem`` and carry their own status. Nothing else decides
a status code.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from depositary.errors import (
    AuthorityError,
    ConfigError,
    ConflictError,
    CorruptionError,
    DecodeError,
    DepositaryError,
    NotFound,
    ProofError,
    SignatureError,
    StorageError,
    ValidationError,
    VerificationError,
)

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:depositary:problem:"
log = logging.getLogger("depositary.http")

# (error class, status, problem slug, title); the first class that matches wins.
TABLE: tuple[tuple[type[DepositaryError], int, str, str], ...] = (
    (SignatureError, 401, "signature", "A signature does not verify"),
    (AuthorityError, 403, "authority", "No authority"),
    (ProofError, 422, "proof", "A proof does not verify"),
    (VerificationError, 422, "verification", "A check failed"),
    (DecodeError, 400, "malformed", "Malformed request"),
    (ValidationError, 422, "invalid", "Invalid request"),
    (NotFound, 404, "not-found", "Not found"),
    (ConflictError, 409, "conflict", "Conflict"),
    (CorruptionError, 500, "corruption", "Stored data is inconsistent"),
    (StorageError, 503, "storage", "Storage unavailable"),
    (ConfigError, 500, "config", "Server misconfigured"),
)


class Problem(BaseModel):
    """An RFC 9457 problem, as every error of this API is answered."""

    type: str
    title: str
    status: int
    detail: str
    reason: str | None = None
    recorded_at: int | None = None


class HTTPProblem(Exception):  # noqa: N818 - it is a problem, answered as one
    """A refusal that exists only at the HTTP edge (413, 429, 401 operator, 404 route)."""

    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.headers = dict(headers or {})


def status_of(error: DepositaryError) -> tuple[int, str, str]:
    """Return (status, slug, title) for ``error`` from ``TABLE``."""
    for cls, status, slug, title in TABLE:
        if isinstance(error, cls):
            return status, slug, title
    return 500, "internal", "Internal error"


def problem_body(
    status: int,
    slug: str,
    title: str,
    detail: str,
    *,
    reason: str | None = None,
    recorded_at: int | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if reason is not None:
        body["reason"] = reason
    if recorded_at is not None:
        body["recorded_at"] = recorded_at
    return body


def problem_response(
    status: int,
    slug: str,
    title: str,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
    reason: str | None = None,
    recorded_at: int | None = None,
) -> JSONResponse:
    body = problem_body(status, slug, title, detail, reason=reason, recorded_at=recorded_at)
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def for_error(error: DepositaryError) -> JSONResponse:
    """The problem response of a domain error."""
    status, slug, title = status_of(error)
    detail = str(error) or title
    if status >= 500:
        log.error("%s: %s", type(error).__name__, error)
    if isinstance(error, AuthorityError):
        return problem_response(
            status, slug, title, detail, reason=error.reason, recorded_at=error.recorded_at
        )
    headers = {"WWW-Authenticate": "Signature"} if status == 401 else None
    return problem_response(status, slug, title, detail, headers=headers)


def _where(loc: Any) -> str:
    parts = [str(p) for p in loc] if isinstance(loc, list | tuple) else [str(loc)]
    return ".".join(parts)


def install(app: FastAPI) -> None:
    """Answer every error of ``app`` as problem+json."""

    async def domain(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DepositaryError)
        return for_error(exc)

    async def edge(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPProblem)
        return problem_response(exc.status, exc.slug, exc.title, exc.detail, headers=exc.headers)

    async def request_shape(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [f"{_where(e.get('loc', ()))}: {e.get('msg', 'invalid')}" for e in exc.errors()]
        detail = "; ".join(errors[:5]) or "the request does not fit this route"
        return problem_response(400, "malformed", "Malformed request", detail)

    async def starlette_http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        slug = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http")
        detail = str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = "no such route: see /openapi.json for the routes of this API"
        return problem_response(
            exc.status_code, slug, detail if len(detail) < 40 else "Error", detail,
            headers=exc.headers,
        )  # fmt: skip

    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return problem_response(
            500, "internal", "Internal error", "the server failed; nothing was recorded"
        )

    app.add_exception_handler(DepositaryError, domain)
    app.add_exception_handler(HTTPProblem, edge)
    app.add_exception_handler(RequestValidationError, request_shape)
    app.add_exception_handler(StarletteHTTPException, starlette_http)
    app.add_exception_handler(Exception, unexpected)


def json_body(description: str) -> dict[str, Any]:
    """OpenAPI ``openapi_extra=`` for a route that reads a required JSON body itself."""
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    }


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries documenting ``statuses`` as problem+json."""
    words = {
        400: "Malformed request (not JSON, not UTF-8, wrong shape or parameters)",
        401: "A signature does not verify, or the operator token is missing or wrong",
        403: "No authority (`reason` says why; `recorded_at` when the refusal was logged)",
        404: "No such thing",
        409: "A replay: the act or request was recorded or seen before",
        413: "Request body too large",
        422: "Parsed but breaks a rule",
        429: "Rate limited (see Retry-After)",
        503: "Storage unavailable",
    }
    return {
        s: {
            "description": words.get(s, "Error"),
            "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for s in statuses
    }
