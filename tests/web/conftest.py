"""The demo case, replayed once per session, and a drill case (force levels, a hostile text)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from depositary.acts import bodies as b
from depositary.acts.act import Act, Addressee, Text
from depositary.acts.envelope import sign_act
from depositary.acts.instruments import Presence
from depositary.acts.kinds import ActKind
from depositary.demo.iraq2020 import REQUEST_2014, demo_signer
from depositary.http.app import create_app
from depositary.records.statements import CaseRecord
from depositary.service.instance import Instance
from tests.web.live import demo_instance

DRILL = "drill-2020"
HOSTILE = "<script>alert('owned')</script><img src=x onerror=alert(1)> & \"quoted\""


def _act(
    act_id: str,
    kind: ActKind,
    issuer: str,
    to: str,
    texts: tuple[Text, ...],
    body: object,
    made_at: object,
) -> Act:
    return Act(
        act_id=act_id,
        kind=kind,
        issuers=(issuer,),
        addressees=(Addressee(party=to, legal_basis=()),),
        made_at=made_at,  # type: ignore[arg-type]
        texts=texts,
        body=body,
    )  # type: ignore[arg-type]


def add_drill(inst: Instance) -> None:
    """A second case: a withdrawal plan, a progress report, and an act whose text is markup."""
    dep = inst.depositary
    dep.register_case(
        CaseRecord(
            case_id=DRILL,
            title="Drill: force levels <b>and</b> a hostile text",
            parties=("iq", "us"),
            instruments=(REQUEST_2014,),
            presences=(
                Presence(
                    presence_id="us-in-iq",
                    sending="us",
                    host="iq",
                    instruments=("iq-request-2014",),
                ),
            ),
        )
    )
    now = dep.clock.now()
    en = (Text(lang="en", authentic=True, content="Withdrawal plan by site."),)
    plan = b.ForcesBody(
        presence="us-in-iq",
        levels=(
            b.ForceLevel(site="Baghdad", on=date(2020, 2, 1), personnel=2500),
            b.ForceLevel(site="Erbil", on=date(2020, 2, 1), personnel=2700),
            b.ForceLevel(site="Baghdad", on=date(2020, 6, 1), personnel=1000),
            b.ForceLevel(site="Erbil", on=date(2020, 6, 1), personnel=1200),
        ),
    )
    report = b.ForcesBody(
        presence="us-in-iq",
        levels=(
            b.ForceLevel(site="Baghdad", on=date(2020, 3, 1), personnel=2400),
            b.ForceLevel(site="Erbil", on=date(2020, 3, 1), personnel=2700),
        ),
    )
    hostile = (
        Text(lang="en", authentic=True, content=HOSTILE),
        Text(lang="ar", authentic=False, content="نص <script>alert(2)</script>"),
    )
    acts = [
        (
            _act("us-plan-drill", ActKind.WITHDRAWAL_PLAN, "us", "iq", en, plan, now),
            "us-secretary-of-state",
        ),
        (
            _act(
                "us-report-drill",
                ActKind.PROGRESS_REPORT,
                "us",
                "iq",
                en,
                report,
                now + timedelta(minutes=1),
            ),
            "us-secretary-of-state",
        ),
        (
            _act(
                "iq-hostile-drill",
                ActKind.COMPLAINT,
                "iq",
                "un",
                hostile,
                b.ComplaintBody(to_party="un", about=()),
                now + timedelta(minutes=2),
            ),
            "iq-foreign-minister",
        ),
    ]
    for act, holder in acts:
        inst.depositary.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
        dep.submit(sign_act(act, [demo_signer(holder)]).to_bytes(), case_id=DRILL)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    inst = demo_instance(tmp_path_factory.mktemp("web") / "dep")
    add_drill(inst)
    yield inst
    inst.close()


def web_app(inst: Instance) -> FastAPI:
    """The app ``depositary serve`` runs: the JSON API with the pages mounted."""
    return create_app(inst)


@pytest.fixture(scope="session")
def client(demo: Instance) -> TestClient:
    return TestClient(web_app(demo))
