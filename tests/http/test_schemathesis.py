"""schemathesis against the app's own OpenAPI: no 5xx, no undocumented status or shape.

Skipped where schemathesis is not installed, except in CI (CI=true), where it must run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

from depositary.clock import ManualClock
from depositary.demo.iraq2020 import at
from depositary.http.app import create_app
from tests.http.conftest import admit_all, make_instance, step_bytes

if os.environ.get("CI") == "true":
    import schemathesis  # in CI a missing schemathesis is a failure, not a skip
else:
    schemathesis = pytest.importorskip("schemathesis")
checks = pytest.importorskip("schemathesis.checks")


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from starlette.testclient import TestClient

    clock = ManualClock(at("2020-01-01T00:00"))
    inst = make_instance(Path(tmp_path_factory.mktemp("api")) / "dep", clock)
    app = create_app(inst)
    with TestClient(app) as client:  # some data, so reads find things as well as miss them
        admit_all(client)
        clock.set(at("2020-01-12T09:00"))
        r = client.post("/v1/cases/iraq-2020/acts", content=step_bytes("iq-notice-2020-01-12"))
        assert r.status_code == 201
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    inst.close()


def test_api_conforms_to_its_openapi(api_schema) -> None:  # type: ignore[no-untyped-def]
    """Every operation, a few generated cases each; the first failure names its operation."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20
    modes = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
    for op, mode in [(op, mode) for op in operations for mode in modes]:

        @given(case=op.as_strategy(generation_mode=mode))
        @settings(max_examples=10, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def check(case) -> None:  # type: ignore[no-untyped-def]
            # positive_data_acceptance is left out on purpose: a schema-valid request can still
            # be refused for what it says (an index past the log, an act that breaks a rule)
            case.call_and_validate(excluded_checks=[checks.positive_data_acceptance])

        try:
            check()
        except Unsatisfiable:
            assert mode is schemathesis.GenerationMode.NEGATIVE  # nothing to get wrong
        except Exception as e:
            raise AssertionError(f"{op.method.upper()} {op.path} ({mode.value}): {e}") from e
