"""What the log, home and search pages show."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from depositary.acts.kinds import ActKind
from depositary.clock import to_millis
from depositary.encoding.checkpoint import open_checkpoint
from depositary.encoding.tiles import entries_path, tile_path, tiles_for_size
from depositary.errors import DepositaryError
from depositary.merkle.verify import verify_consistency
from depositary.service.indexer import from_millis
from depositary.service.instance import Instance
from depositary.web.casepage import act_summary, load_acts, parse_when
from depositary.web.words import kind_words

SHOWN_CHECKPOINTS = 40


def log_context(inst: Instance, limit: int = SHOWN_CHECKPOINTS) -> dict[str, Any]:
    """The latest checkpoints, each checked against the log key and against the one before."""
    stored = list(inst.store.checkpoints())[-(limit + 1) :]
    rows: list[dict[str, Any]] = []
    prev = None
    for cp in stored:
        row: dict[str, Any] = {
            "size": cp.size,
            "at": from_millis(cp.timestamp_ms),
            "note": cp.note.decode("utf-8"),
            "signed": False,
            "consistent": None,
            "problem": None,
            "root": "",
        }
        try:
            signed = open_checkpoint(cp.note, inst.log_verifier).checkpoint
            row["signed"], row["root"] = True, signed.root_hash.hex()
            if prev is not None:
                proof = inst.view.consistency_proof(prev.size, signed.size)
                verify_consistency(
                    old_size=prev.size,
                    new_size=signed.size,
                    old_root=prev.root_hash,
                    new_root=signed.root_hash,
                    proof=proof,
                )
                row["consistent"] = True
            prev = signed
        except DepositaryError as e:
            row["problem"], row["consistent"] = str(e), False
        rows.append(row)
    rows = rows[-limit:]
    size = stored[-1].size if stored else 0
    tiles = [tile_path(level, index, width) for level, index, width in tiles_for_size(size)]
    bundles = [
        entries_path(index, width) for level, index, width in tiles_for_size(size) if level == 0
    ]
    return {
        "checkpoints": list(reversed(rows)),
        "size": size,
        "origin": inst.settings.origin,
        "log_vkey": inst.log_verifier.to_vkey(),
        "tiles": tiles[:64],
        "bundles": bundles[:64],
        "more_tiles": len(tiles) > 64,
    }


def choices(inst: Instance) -> dict[str, Any]:
    """Parties and kinds for the search form."""
    admissions = inst.depositary.indexer.admissions()
    return {
        "party_choices": sorted((pid, a.party.name) for pid, a in admissions.items()),
        "kind_choices": [(k.value, kind_words(k.value)) for k in ActKind],
    }


def home_context(inst: Instance) -> dict[str, Any]:
    cases = []
    for case_id, text in inst.depositary.index.cases():
        record = json.loads(text)
        cases.append(
            {
                "case_id": case_id,
                "title": record.get("title", case_id),
                "parties": record.get("parties", []),
                "acts": len(inst.depositary.index.acts(case_id=case_id)),
            }
        )
    return {"cases": cases, **choices(inst), "query": {}}


def search_context(inst: Instance, query: dict[str, str]) -> dict[str, Any]:
    """Acts matching party, kind, received-between dates and text.

    Raises:
        ValidationError: a date that is not a date.
    """
    since = parse_when(query.get("since"))
    until = parse_when(query.get("until"), end_of_day=True)
    party = query.get("party") or None
    kind = query.get("kind") or None
    text = (query.get("q") or "").strip() or None
    acts = load_acts(
        inst.depositary,
        party=party,
        kind=kind,
        text=text,
        limit=200,
        since_ms=to_millis(since) if since else None,
        until_ms=to_millis(until + timedelta(seconds=1)) if until else None,
    )
    return {
        "results": [act_summary(t) for t in acts],
        "query": query,
        **choices(inst),
        "searched": any(query.values()),
    }
