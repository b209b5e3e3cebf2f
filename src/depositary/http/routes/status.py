"""Derived status of a case or a presence as of any time, and the case as event data."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Query

from depositary.errors import DecodeError, NotFound
from depositary.http import wire
from depositary.http.context import Ctx
from depositary.http.problems import responses

router = APIRouter(tags=["status"])

AS_OF = Query(
    description="ISO 8601 time with an offset (2020-01-20T12:00:00Z), or a date meaning the "
    "end of that day in UTC; default: now"
)


def as_of_time(value: str | None) -> datetime | None:
    """Parse ``as_of``: a zoned time (to whole seconds, UTC), or a date (its last second)."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as e:
        raise DecodeError(f"as_of: not an ISO 8601 date or time: {value!r}") from e
    if when.tzinfo is None:
        raise DecodeError(f"as_of: give a time zone offset or Z: {value!r}")
    return when.astimezone(UTC).replace(microsecond=0)


@router.get("/v1/cases/{case_id}/status", responses=responses(400, 404, 422, 429, 503))
def status(ctx: Ctx, case_id: str, as_of: Annotated[str | None, AS_OF] = None) -> dict[str, Any]:
    """Per act: receipt, responses, deadlines, clocks; per presence: host and sending views."""
    dep = ctx.depositary
    record = dep.case_record(case_id)
    derived = dep.status(case_id, as_of_time(as_of))
    return wire.case_status(case_id, derived, {p.presence_id: p for p in record.presences})


@router.get(
    "/v1/cases/{case_id}/presences/{presence_id}",
    responses=responses(400, 404, 422, 429, 503),
)
def presence(
    ctx: Ctx, case_id: str, presence_id: str, as_of: Annotated[str | None, AS_OF] = None
) -> dict[str, Any]:
    """One presence's legal-basis timeline, as the host and as the sending party see it."""
    dep = ctx.depositary
    record = dep.case_record(case_id)
    fixed = {p.presence_id: p for p in record.presences}.get(presence_id)
    if fixed is None:
        raise NotFound(f"case {case_id!r} has no presence {presence_id!r}")
    derived = dep.status(case_id, as_of_time(as_of))
    return {
        "case_id": case_id,
        "as_of": wire.instant(derived.as_of),
        **wire.presence(derived.presences[presence_id], fixed),
    }


@router.get("/v1/cases/{case_id}/events", responses=responses(404, 429, 503))
def events(ctx: Ctx, case_id: str) -> dict[str, Any]:
    """The case as PLOVER-style event records with CAMEO codes and codebook versions."""
    dep = ctx.depositary
    dep.case_record(case_id)
    return {"case_id": case_id, "events": dep.events(case_id)}
