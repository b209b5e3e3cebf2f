"""Acts as event data: PLOVER-style records with CAMEO codes, for researchers.

A lossy projection (the act kind stays the primary key): one record per act
and addressee, naming the codebook versions it follows.
"""

from __future__ import annotations

from datetime import datetime

from depositary.acts.act import Act
from depositary.acts.kinds import EVENT_CODES, ActKind


def event_records(act: Act, *, log_index: int, recorded_at: datetime) -> list[dict[str, object]]:
    """The event records of one recorded act."""
    code = EVENT_CODES[act.kind]
    targets: list[str | None] = [a.party for a in act.addressees] or [None]
    return [
        {
            "event_id": f"{act.act_id}:{target or '-'}",
            "event_date": act.made_at.date().isoformat(),
            "recorded_at": recorded_at.isoformat(),
            "actor": list(act.issuers),
            "recipient": target,
            "event_type": code.plover_category,
            "mode": code.plover_mode,
            "cameo": code.cameo,
            "cameo_label": code.cameo_label,
            "codebooks": {"cameo": code.cameo_codebook, "plover": code.plover_codebook},
            "act_kind": act.kind.value,
            "log_index": log_index,
            "reported": act.kind is ActKind.REPORTED_STATEMENT,
        }
        for target in targets
    ]
