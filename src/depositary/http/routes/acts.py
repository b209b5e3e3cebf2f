"""Acts: submit a signed act to a case, list acts, fetch one with its evidence."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from depositary.acts.envelope import Envelope
from depositary.clock import to_millis
from depositary.errors import DecodeError
from depositary.http import wire
from depositary.http.context import MAX_INDEX, Ctx, body_of
from depositary.http.limits import signing_keys
from depositary.http.problems import json_body, responses
from depositary.service.depositary import Depositary
from depositary.storage.index import ActRow

router = APIRouter(tags=["acts"])

ACT_BODY = json_body("the signed envelope's exact canonical bytes (acts.Envelope.to_bytes())")


def summaries(dep: Depositary, rows: Sequence[ActRow]) -> list[dict[str, Any]]:
    """List lines for ``rows`` (each act read once from the log)."""
    return [wire.act_summary(r, Envelope.from_bytes(dep.view.entry(r.idx)).act()) for r in rows]


def view_of(dep: Depositary, act_id: str | None = None, index: int | None = None) -> dict[str, Any]:
    view = dep.act(act_id) if act_id is not None else dep.act_at(index or 0)
    act = Envelope.from_bytes(view.envelope).act()
    return wire.act_view(view, act, dep.index.deliveries(view.row.act_id))


def _millis(value: str | None, name: str) -> int | None:
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as e:
        raise DecodeError(f"{name}: not an ISO 8601 date or time: {value!r}") from e
    return to_millis(when if when.tzinfo else when.replace(tzinfo=UTC))


@router.post(
    "/v1/cases/{case_id}/acts",
    status_code=201,
    openapi_extra=ACT_BODY,
    responses=responses(400, 401, 403, 404, 409, 413, 422, 429, 503),
)
async def submit(ctx: Ctx, case_id: str, request: Request) -> JSONResponse:
    """Submit a signed act; answered once it is in the log, with its receipt."""
    data = await body_of(request)
    for key in signing_keys(data):
        ctx.key_limiter.check(wire.b64(key), "signing key")
    # the checks run in the loop (they are CPU-bound: a thread would only contend for
    # the GIL); the wait for the batch's commit holds no thread
    sub = await ctx.depositary.submit_async(data, case_id=case_id)
    return JSONResponse(wire.submission(sub), status_code=201)


@router.get("/v1/acts", responses=responses(400, 429, 503))
def list_acts(
    *,
    ctx: Ctx,
    case: str | None = None,
    party: str | None = None,
    role: Literal["issuer", "addressee"] | None = None,
    kind: str | None = None,
    since: Annotated[str | None, Query(description="ISO 8601; received at or after")] = None,
    until: Annotated[str | None, Query(description="ISO 8601; received before")] = None,
    q: Annotated[str | None, Query(max_length=200, description="words in the act")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_INDEX)] = 0,
) -> dict[str, Any]:
    """Acts by case, party (as issuer or addressee), kind, time received or words, in log order."""
    if role is not None and party is None:
        raise DecodeError("role: give party= as well")
    dep = ctx.depositary
    rows = dep.index.acts(
        case_id=case, party=party, role=role, kind=kind, since_ms=_millis(since, "since"),
        until_ms=_millis(until, "until"), text=q, limit=limit, offset=offset,
    )  # fmt: skip
    return {"acts": summaries(dep, rows)}


@router.get("/v1/acts/by-index/{index}", responses=responses(400, 404, 429, 503))
def act_by_index(ctx: Ctx, index: Annotated[int, Path(ge=0, le=MAX_INDEX)]) -> dict[str, Any]:
    """The act at log ``index``, with its evidence chain and deliveries."""
    return view_of(ctx.depositary, index=index)


@router.get("/v1/acts/{act_id}", responses=responses(404, 429, 503))
def act(ctx: Ctx, act_id: str) -> dict[str, Any]:
    """An act by id: its text, exact bytes, receipt, evidence chain and deliveries."""
    return view_of(ctx.depositary, act_id=act_id)
