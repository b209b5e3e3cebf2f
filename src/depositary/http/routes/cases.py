"""Cases: the operator registers them; anyone may read them."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from depositary.http import wire
from depositary.http.context import Ctx, IsOperator, body_of, json_of, require_operator
from depositary.http.problems import json_body, responses
from depositary.http.routes.acts import summaries
from depositary.records.statements import CaseRecord

router = APIRouter(tags=["cases"])

CASE_BODY = json_body("a CaseRecord as JSON (records.statements.CaseRecord.to_dict())")


@router.post(
    "/v1/cases",
    status_code=201,
    openapi_extra=CASE_BODY,
    responses=responses(400, 401, 403, 413, 422, 429, 503),
)
async def register(ctx: Ctx, operator: IsOperator, request: Request) -> JSONResponse:
    """Register a case: its parties (already admitted), instruments and presences."""
    require_operator(ctx, operator)
    record = CaseRecord.from_dict(json_of(await body_of(request), "case"))
    recorded = await run_in_threadpool(ctx.depositary.register_case, record)
    return JSONResponse(wire.recorded(recorded), status_code=201)


@router.get("/v1/cases", responses=responses(429, 503))
def cases(ctx: Ctx) -> dict[str, Any]:
    """Every case, as registered."""
    return {"cases": [json.loads(text) for _, text in ctx.depositary.index.cases()]}


@router.get("/v1/cases/{case_id}", responses=responses(404, 429, 503))
def case(ctx: Ctx, case_id: str) -> dict[str, Any]:
    """One case as registered, and its acts in log order."""
    dep = ctx.depositary
    record = dep.case_record(case_id)
    return {"case": wire.case(record), "acts": summaries(dep, dep.index.acts(case_id=case_id))}
