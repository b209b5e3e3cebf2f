"""The public pages: cases, acts, parties, the log and search, rendered on the server.

Every page is plain HTML that works without JavaScript; htmx only swaps parts
of a page in place, and ``verify.js`` re-checks an act in the visitor's own
browser. Templates autoescape everything: an act's text can never become markup.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from depositary.errors import NotFound, ValidationError
from depositary.service.instance import Instance
from depositary.web.actpage import act_context, party_context
from depositary.web.casepage import case_context, parse_when
from depositary.web.logpage import home_context, log_context, search_context
from depositary.web.words import kind_words

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
HTMX = "htmx-2.0.11.min.js"


def _when(value: datetime | None) -> str:
    return "—" if value is None else value.strftime("%d %b %Y %H:%M UTC")


def _input(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M")


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def make_environment() -> Environment:
    """The Jinja2 environment: autoescape on for every template, undefined names are errors."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    env.filters["input"] = _input
    env.filters["iso"] = _iso
    env.filters["kind"] = kind_words
    env.filters["short"] = lambda h: f"{h[:12]}…" if h and len(h) > 12 else h
    env.globals["htmx"] = HTMX
    return env


def create_web_router(instance: Instance) -> APIRouter:
    """The HTML pages of ``instance`` as a router (mount with ``mount_web``)."""
    env = make_environment()
    router = APIRouter(include_in_schema=False)

    def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(name).render(**context)
        return HTMLResponse(html, status_code=status)

    def page(name: str, build: Callable[[], dict[str, Any]]) -> HTMLResponse:
        try:
            return render(name, **build())
        except NotFound as e:
            return render("error.html", 404, title="Not found", message=str(e))
        except ValidationError as e:
            return render("error.html", 400, title="Bad request", message=str(e))

    @router.get("/", response_class=HTMLResponse)
    def home() -> HTMLResponse:
        return page("home.html", lambda: home_context(instance))

    @router.get("/cases/{case_id}", response_class=HTMLResponse)
    def case(case_id: str, as_of: str | None = None) -> HTMLResponse:
        dep = instance.depositary
        return page("case.html", lambda: case_context(dep, case_id, parse_when(as_of)))

    @router.get("/acts/{act_id}", response_class=HTMLResponse)
    def act(act_id: str) -> HTMLResponse:
        return page("act.html", lambda: act_context(instance, act_id))

    @router.get("/acts/{act_id}/receipt")
    def receipt(act_id: str) -> Response:
        try:
            data = instance.depositary.act(act_id).receipt
        except NotFound as e:
            return render("error.html", 404, title="Not found", message=str(e))
        return Response(
            data,
            media_type="text/plain; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{act_id}.tlog-proof"'},
        )

    @router.get("/acts/{act_id}/entry")
    def entry(act_id: str) -> Response:
        try:
            data = instance.depositary.act(act_id).envelope
        except NotFound as e:
            return render("error.html", 404, title="Not found", message=str(e))
        return Response(
            data,
            media_type="application/octet-stream",
            headers={"Content-Disposition": f'attachment; filename="{act_id}.entry"'},
        )

    @router.get("/parties/{party_id}", response_class=HTMLResponse)
    def party(party_id: str) -> HTMLResponse:
        return page("party.html", lambda: party_context(instance, party_id))

    @router.get("/log", response_class=HTMLResponse)
    def log() -> HTMLResponse:
        return page("log.html", lambda: log_context(instance))

    @router.get("/search", response_class=HTMLResponse)
    def search(request: Request) -> HTMLResponse:
        names = ("party", "kind", "since", "until", "q")
        query = {n: request.query_params.get(n, "")[:200] for n in names}
        return page("search.html", lambda: search_context(instance, query))

    return router
