"""An instance on a simulated clock, its API through Starlette's TestClient, and helpers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from depositary.acts.envelope import sign_act
from depositary.clock import ManualClock
from depositary.config import Settings
from depositary.demo.iraq2020 import CASE, ORIGIN, PARTIES, admission, at, demo_signer, steps
from depositary.http.app import create_app
from depositary.service.instance import Instance, init_data_dir, open_instance
from tests.service.conftest import Receiver, receivers  # noqa: F401 - a fixture

TOKEN = "operator-secret-token"
OPERATOR = {"Authorization": f"Bearer {TOKEN}"}


def make_instance(data_dir: Path, clock: ManualClock, **overrides: Any) -> Instance:
    settings = Settings(
        data_dir=data_dir,
        origin=ORIGIN,
        batch_period=0.005,
        delivery_attempts=3,
        delivery_backoff=60.0,
        operator_token=TOKEN,
        rate_per_address=10_000.0,
        rate_per_key=10_000.0,
        rate_burst=10_000,
    )
    if overrides:
        settings = replace(settings, **overrides)
    if not (data_dir / "log.key").exists():
        init_data_dir(data_dir, ORIGIN)
    return open_instance(settings, clock=clock)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(at("2020-01-01T00:00"))


@pytest.fixture
def instance(tmp_path: Path, clock: ManualClock) -> Iterator[Instance]:
    inst = make_instance(tmp_path / "dep", clock)
    yield inst
    inst.close()


@pytest.fixture
def client(instance: Instance) -> Iterator[TestClient]:
    with TestClient(create_app(instance), raise_server_exceptions=False) as c:
        yield c


def log_size(instance: Instance) -> int:
    head = instance.store.checkpoint()
    return 0 if head is None else head.size


def admit_all(client: TestClient, endpoints: dict[str, tuple[str, ...]] | None = None) -> None:
    """Admit the demo parties and register the demo case over HTTP."""
    for party_id in PARTIES:
        body = json.dumps(admission(party_id, (endpoints or {}).get(party_id, ())).to_dict())
        r = client.post("/v1/parties", content=body, headers=OPERATOR)
        assert r.status_code == 201, r.text
    r = client.post("/v1/cases", content=json.dumps(CASE.to_dict()), headers=OPERATOR)
    assert r.status_code == 201, r.text


def step_bytes(act_id: str) -> bytes:
    """The signed envelope of one scenario act, as its issuer's client would send it."""
    step = next(s for s in steps() if s.act is not None and s.act.act_id == act_id)
    assert step.act is not None
    return sign_act(step.act, [demo_signer(h) for h in step.signers]).to_bytes()


def problem(r: Any, status: int) -> dict[str, Any]:
    """Assert ``r`` is a problem+json with ``status``; return its body."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = r.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:depositary:problem:")
    assert body["title"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body
