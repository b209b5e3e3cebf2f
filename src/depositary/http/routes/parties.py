"""Parties: the operator admits them; anyone may read admissions and a party's acts."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from depositary.errors import NotFound
from depositary.http import wire
from depositary.http.context import Ctx, IsOperator, body_of, json_of, require_operator
from depositary.http.problems import json_body, responses
from depositary.http.routes.acts import summaries
from depositary.records.statements import Admission

router = APIRouter(tags=["parties"])

ADMISSION_BODY = json_body("an Admission as JSON (records.statements.Admission.to_dict())")


@router.post(
    "/v1/parties",
    status_code=201,
    openapi_extra=ADMISSION_BODY,
    responses=responses(400, 401, 403, 413, 422, 429, 503),
)
async def admit(ctx: Ctx, operator: IsOperator, request: Request) -> JSONResponse:
    """Admit a party (or update its organs, keys and endpoints): the operator's act."""
    require_operator(ctx, operator)
    admission = Admission.from_dict(json_of(await body_of(request), "admission"))
    recorded = await run_in_threadpool(ctx.depositary.admit, admission)
    return JSONResponse(wire.recorded(recorded), status_code=201)


def _admissions(ctx: Ctx) -> list[tuple[str, int, Admission]]:
    return [
        (pid, idx, Admission.from_dict(json.loads(text)))
        for pid, idx, text in ctx.depositary.index.parties()
    ]


@router.get("/v1/parties", responses=responses(429, 503))
def parties(ctx: Ctx) -> dict[str, Any]:
    """Every admitted party, with the log index of its latest admission."""
    return {"parties": [wire.party(pid, idx, a) for pid, idx, a in _admissions(ctx)]}


@router.get("/v1/parties/{party_id}", responses=responses(404, 429, 503))
def party(ctx: Ctx, party_id: str) -> dict[str, Any]:
    """One party's admission and the acts it issued or was sent."""
    for pid, idx, a in _admissions(ctx):
        if pid == party_id:
            dep = ctx.depositary
            return wire.party(pid, idx, a, summaries(dep, dep.index.acts(party=pid)))
    raise NotFound(f"no party {party_id!r} is admitted")
