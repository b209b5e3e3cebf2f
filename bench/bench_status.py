"""Time status derivation for a case of 10,000 acts (goal: <= 100 ms).

Run: python bench/bench_status.py
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, date, datetime, timedelta

from depositary.acts import bodies as b
from depositary.acts.act import Act, Addressee, Text
from depositary.acts.clocks import LoggedAct
from depositary.acts.dates import DateRule, RuleKind
from depositary.acts.instruments import Case, Clause, Instrument, InstrumentKind, Presence
from depositary.acts.kinds import ActKind, NoticeType
from depositary.acts.parties import Party, PartyKind
from depositary.acts.receipt_rules import Evidence, EvidenceKind
from depositary.acts.status import derive_status

HOSTS = 100
ACTS_PER_HOST = 100
START = datetime(2020, 1, 1, tzinfo=UTC)
TEXTS = (
    Text(lang="ar", authentic=True, content="نص"),
    Text(lang="en", authentic=True, content="text"),
)


def _act(act_id: str, kind: ActKind, body: b.Body, issuer: str, to: str, at: datetime) -> Act:
    return Act(
        act_id=act_id,
        kind=kind,
        issuers=(issuer,),
        addressees=(Addressee(party=to, legal_basis=()),),
        made_at=at,
        texts=TEXTS,
        body=body,
    )


def build() -> tuple[Case, list[LoggedAct | Evidence]]:
    parties = {
        "us": Party(
            party_id="us", name="Sending", kind=PartyKind.STATE, time_zone="America/New_York"
        )
    }
    instruments, presences = {}, {}
    per_host: list[list[LoggedAct | Evidence]] = []
    for h in range(HOSTS):
        host = f"h{h}"
        parties[host] = Party(
            party_id=host, name=host, kind=PartyKind.STATE, time_zone="Asia/Baghdad"
        )
        inst = f"sofa-{h}"
        instruments[inst] = Instrument(
            instrument_id=inst,
            title="agreement",
            kind=InstrumentKind.AGREEMENT,
            parties=(host, "us"),
            clauses=(
                Clause(
                    clause_id="end",
                    notice_types=(NoticeType.TERMINATION,),
                    rule=DateRule(kind=RuleKind.DAYS, days=180),
                ),
            ),
        )
        presences[f"p{h}"] = Presence(
            presence_id=f"p{h}", sending="us", host=host, instruments=(inst,)
        )
        records: list[LoggedAct | Evidence] = []
        at = START + timedelta(minutes=h)
        notice = f"{host}-notice"
        records.append(
            LoggedAct(
                act=_act(
                    notice,
                    ActKind.NOTICE,
                    b.NoticeBody(
                        notice_type=NoticeType.TERMINATION,
                        targets=(b.Target(instrument=inst, named_date=None),),
                        grounds=None,
                    ),
                    host,
                    "us",
                    at,
                ),
                received_at=at,
            )
        )
        records.append(Evidence(act_id=notice, kind=EvidenceKind.PUBLISHED, at=at))
        records.append(Evidence(act_id=notice, kind=EvidenceKind.DELIVERED, at=at, addressee="us"))
        suspension = f"{host}-susp"
        at += timedelta(days=30)
        records.append(
            LoggedAct(
                act=_act(
                    suspension,
                    ActKind.SUSPENSION,
                    b.SuspensionBody(notice=notice, starts_on=at.date(), months=2, days=0),
                    host,
                    "us",
                    at,
                ),
                received_at=at,
            )
        )
        for i in range(ACTS_PER_HOST - 2):
            at += timedelta(hours=1)
            if i % 2 == 0:
                talks = b.TalksBody(
                    agenda=(b.AgendaItem(number=1, title="withdrawal"),),
                    dates=(),
                    place=None,
                    respond_by=date(2020, 6, 1),
                )
                a = _act(f"{host}-talks-{i}", ActKind.REQUEST_FOR_TALKS, talks, host, "us", at)
            else:
                refusal = b.RefusalBody(
                    of_act=f"{host}-talks-{i - 1}", agenda_items=(1,), reason=None
                )
                a = _act(f"{host}-refusal-{i}", ActKind.REFUSAL, refusal, "us", host, at)
            records.append(LoggedAct(act=a, received_at=at))
        per_host.append(records)
    merged = sorted(
        (r for rs in per_host for r in rs),
        key=lambda r: r.received_at if isinstance(r, LoggedAct) else r.at,
    )
    return Case(parties=parties, instruments=instruments, presences=presences), merged


def main() -> None:
    case, records = build()
    n_acts = sum(isinstance(r, LoggedAct) for r in records)
    as_of = START + timedelta(days=400)
    runs = []
    for _ in range(7):
        t0 = time.perf_counter()
        status = derive_status(case, records, as_of)
        runs.append((time.perf_counter() - t0) * 1000)
    assert len(status.acts) == n_acts
    print(
        f"{n_acts} acts, {len(records) - n_acts} evidence records, {len(case.presences)} presences"
    )
    median, low, high = statistics.median(runs), min(runs), max(runs)
    print(f"derive_status median {median:.1f} ms (min {low:.1f}, max {high:.1f})")


if __name__ == "__main__":
    main()
