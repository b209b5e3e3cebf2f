"""A party pulls its inbox with a request signed by one of its keys."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from depositary.http import wire
from depositary.http.context import Ctx, body_of
from depositary.http.limits import signing_keys
from depositary.http.problems import json_body, responses
from depositary.http.routes.acts import view_of
from depositary.records.requests import open_request

router = APIRouter(tags=["acts"])

REQUEST_BODY = json_body("a signed inbox request (records.requests.sign_request(...).to_bytes())")


@router.post(
    "/v1/inbox",
    openapi_extra=REQUEST_BODY,
    responses=responses(400, 401, 403, 409, 413, 422, 429, 503),
)
async def inbox(ctx: Ctx, request: Request) -> dict[str, Any]:
    """The acts addressed to the party; each first retrieval is recorded as evidence."""
    data = await body_of(request)
    for key in signing_keys(data, request=True):
        ctx.key_limiter.check(wire.b64(key), "signing key")
    dep = ctx.depositary
    views = await run_in_threadpool(dep.inbox, data)
    party = open_request(data)[0].party  # verified by dep.inbox above
    acts = await run_in_threadpool(lambda: [view_of(dep, act_id=v.row.act_id) for v in views])
    return {"party": party, "acts": acts}
