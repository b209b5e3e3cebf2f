"""A small typed client for the depositary's HTTP API (docs/api.md).

Every problem+json error the server answers is turned back into the matching
``DepositaryError`` subclass, carrying the server's own message, so the command
line reports a refused act exactly as the service layer would have::

    malformed (400)  DecodeError          signature (401)     SignatureError
    authority (403)  AuthorityError (with reason and recorded_at)
    invalid (422)    ValidationError      proof (422)         ProofError
    not-found (404)  NotFound             conflict (409)      ConflictError
    operator-token, operator-disabled     OperatorTokenError (a ConfigError: the token)
    413              ValidationError      429                 RateLimitError
    anything else    ServerError          no answer at all    UnreachableError

The problem's ``type`` (``urn:depositary:problem:<slug>``) decides; the status
code is the fallback for answers without one.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx2

from depositary.errors import (
    AuthorityError,
    ConfigError,
    ConflictError,
    DecodeError,
    DepositaryError,
    NotFound,
    ProofError,
    SignatureError,
    ValidationError,
    VerificationError,
)

DEFAULT_SERVER = "http://127.0.0.1:8000"
TIMEOUT = 30.0


class ServerError(DepositaryError):
    """The server failed or answered something this client does not understand."""

    def __init__(self, message: str, *, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class RateLimitError(ServerError):
    """The server asked us to slow down (429)."""


class UnreachableError(ConfigError):
    """No answer from the server: wrong ``--server``, or nothing is serving there."""


class OperatorTokenError(ConfigError):
    """An operator action without the right token, or with HTTP admission switched off."""


TYPE_PREFIX = "urn:depositary:problem:"

_BY_SLUG: dict[str, type[DepositaryError]] = {
    "malformed": DecodeError,
    "signature": SignatureError,
    "invalid": ValidationError,
    "proof": ProofError,
    "verification": VerificationError,
    "not-found": NotFound,
    "conflict": ConflictError,
    "operator-token": OperatorTokenError,
    "operator-disabled": OperatorTokenError,
}

_BY_STATUS: dict[int, type[DepositaryError]] = {
    400: DecodeError,
    401: SignatureError,
    404: NotFound,
    409: ConflictError,
    413: ValidationError,
    422: ValidationError,
}


def error_from_response(response: httpx2.Response) -> DepositaryError:
    """The ``DepositaryError`` a failed response stands for, with the server's message."""
    status = response.status_code
    problem: dict[str, Any] = {}
    try:
        data = response.json()
        if isinstance(data, dict):
            problem = data
    except ValueError:
        pass
    detail = problem.get("detail") or problem.get("title") or response.text[:500] or "no detail"
    message = str(detail) if not isinstance(detail, str) else detail
    if status == 403:
        recorded = problem.get("recorded_at")
        return AuthorityError(
            str(problem.get("reason") or "forbidden"),
            message,
            recorded_at=recorded if isinstance(recorded, int) else None,
        )
    if status == 429:
        return RateLimitError(f"rate limited: {message}", status=status)
    kind = str(problem.get("type", ""))
    slug = kind[len(TYPE_PREFIX) :] if kind.startswith(TYPE_PREFIX) else ""
    cls = _BY_SLUG.get(slug) or _BY_STATUS.get(status)
    if cls is not None:
        return cls(message)
    return ServerError(f"server answered HTTP {status}: {message}", status=status)


@dataclass(frozen=True, slots=True, kw_only=True)
class Recorded:
    """Something the depositary appended: where, and its tlog-proof receipt."""

    index: int
    receipt: bytes
    checkpoint: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class Submitted:
    """An accepted act: its index, receipt and the evidence appended with it."""

    act_id: str
    case_id: str
    index: int
    receipt: bytes
    checkpoint: bytes
    evidence: tuple[int, ...]
    received_at: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "act_id": self.act_id,
            "case_id": self.case_id,
            "index": self.index,
            "receipt": self.receipt.decode("utf-8"),
            "checkpoint": self.checkpoint.decode("utf-8"),
            "evidence": list(self.evidence),
            "received_at": self.received_at,
        }


def _text(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise ServerError(f"server answer lacks {what}")
    return value.encode("utf-8")


def _int(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ServerError(f"server answer lacks {what}")
    return value


class DepositaryClient:
    """Talks to one depositary; ``transport`` lets tests and embedders skip the network."""

    def __init__(
        self,
        base_url: str = DEFAULT_SERVER,
        *,
        token: str | None = None,
        transport: httpx2.BaseTransport | None = None,
        timeout: float = TIMEOUT,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.base_url = base_url.rstrip("/")
        self._http = httpx2.Client(
            base_url=self.base_url, headers=headers, transport=transport, timeout=timeout,
            follow_redirects=False, trust_env=False,
        )  # fmt: skip

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> DepositaryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None = None,
        json_body: object = None,
        params: Mapping[str, str | int] | None = None,
    ) -> httpx2.Response:
        headers = {}
        if content is not None:
            headers["Content-Type"] = "application/json"
        if json_body is not None:
            content = json.dumps(json_body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        try:
            response = self._http.request(
                method, path, content=content, params=dict(params or {}), headers=headers
            )
        except httpx2.TransportError as e:
            raise UnreachableError(
                f"cannot reach the depositary at {self.base_url}: {e} "
                "(is 'depositary serve' running? set --server or DEPOSITARY_SERVER)"
            ) from e
        if response.status_code >= 400:
            raise error_from_response(response)
        return response

    def _json(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        response = self._request(method, path, **kw)
        try:
            data = response.json()
        except ValueError as e:
            raise ServerError(f"{path}: the server did not answer JSON") from e
        if not isinstance(data, dict):
            raise ServerError(f"{path}: the server did not answer a JSON object")
        return data

    def _recorded(self, data: Mapping[str, Any]) -> Recorded:
        return Recorded(
            index=_int(data.get("index"), "index"),
            receipt=_text(data.get("receipt"), "receipt"),
            checkpoint=_text(data.get("checkpoint"), "checkpoint"),
        )

    # -- the log ---------------------------------------------------------------------

    def log_info(self) -> dict[str, Any]:
        """``{"origin", "log_vkey", "depositary_key", "size"}``."""
        return self._json("GET", "/v1/log")

    def checkpoint(self) -> bytes:
        return self._request("GET", "/log/checkpoint").content

    def receipt(self, index: int, *, size: int | None = None) -> bytes:
        """The ``c2sp.org/tlog-proof@v1`` of entry ``index``."""
        params = {} if size is None else {"size": size}
        return self._request("GET", f"/v1/receipts/{index}", params=params).content

    def entry(self, index: int) -> bytes:
        """The exact bytes of log entry ``index``."""
        return self._request("GET", f"/v1/entries/{index}").content

    # -- operator ------------------------------------------------------------------------

    def admit(self, admission: Mapping[str, Any]) -> Recorded:
        """Admit a party (``Admission.to_dict()``); needs the operator token."""
        return self._recorded(self._json("POST", "/v1/parties", json_body=dict(admission)))

    def register_case(self, record: Mapping[str, Any]) -> Recorded:
        """Register a case (``CaseRecord.to_dict()``); needs the operator token."""
        return self._recorded(self._json("POST", "/v1/cases", json_body=dict(record)))

    def party(self, party_id: str) -> dict[str, Any]:
        return self._json("GET", f"/v1/parties/{party_id}")

    def case(self, case_id: str) -> dict[str, Any]:
        return self._json("GET", f"/v1/cases/{case_id}")

    # -- acts ----------------------------------------------------------------------------

    def submit(self, case_id: str, envelope: bytes) -> Submitted:
        """Submit a signed envelope's exact bytes to ``case_id``."""
        data = self._json("POST", f"/v1/cases/{case_id}/acts", content=envelope)
        evidence = data.get("evidence") or []
        return Submitted(
            act_id=str(data.get("act_id")),
            case_id=str(data.get("case_id", case_id)),
            index=_int(data.get("index"), "index"),
            receipt=_text(data.get("receipt"), "receipt"),
            checkpoint=_text(data.get("checkpoint"), "checkpoint"),
            evidence=tuple(_int(i, "evidence index") for i in evidence),
            received_at=str(data.get("received_at", "")),
        )

    def act(self, act_id: str) -> dict[str, Any]:
        """An act with its envelope (base64), receipt, evidence and deliveries."""
        return self._json("GET", f"/v1/acts/{act_id}")

    def act_at(self, index: int) -> dict[str, Any]:
        return self._json("GET", f"/v1/acts/by-index/{index}")

    def acts(self, **filters: str | int | None) -> list[dict[str, Any]]:
        """Acts by ``case``, ``party``, ``role``, ``kind``, ``since``, ``until``, ``q``..."""
        params = {k: v for k, v in filters.items() if v is not None}
        found = self._json("GET", "/v1/acts", params=params).get("acts", [])
        return [a for a in found if isinstance(a, dict)]

    def inbox(self, signed_request: bytes) -> list[dict[str, Any]]:
        """Pull a party's inbox with a signed request; the first retrieval is evidence."""
        found = self._json("POST", "/v1/inbox", content=signed_request).get("acts", [])
        return [a for a in found if isinstance(a, dict)]

    # -- derived -----------------------------------------------------------------------

    def status(self, case_id: str, as_of: datetime | str | None = None) -> dict[str, Any]:
        """The case's derived status as of ``as_of`` (default: the server's now)."""
        params = {}
        if as_of is not None:
            params["as_of"] = as_of.isoformat() if isinstance(as_of, datetime) else as_of
        return self._json("GET", f"/v1/cases/{case_id}/status", params=params)

    def events(self, case_id: str) -> dict[str, Any]:
        return self._json("GET", f"/v1/cases/{case_id}/events")


def envelope_of(act_view: Mapping[str, Any]) -> bytes:
    """The exact envelope bytes inside an act view (``"envelope"`` is base64)."""
    value = act_view.get("envelope")
    if not isinstance(value, str):
        raise ServerError("act view lacks its envelope")
    try:
        return base64.b64decode(value, validate=True)
    except ValueError as e:
        raise ServerError("act view's envelope is not base64") from e
