"""Getting a log's checkpoints cosigned: its witness list, its policy, and the cosign step.

The policy is kept in the log's meta as JSON (``witnesses``), with the size each
witness last cosigned (``witness_sizes``) so the next submission usually needs
no 409 round trip. ``cosign_latest`` submits the latest checkpoint, collects at
least ``quorum`` cosignatures, and swaps the stored checkpoint for the same
note with the cosignature lines appended (same size, root and log signature),
so ``checkpoint_at(size)`` and receipts carry the cosignatures from then on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import httpx2

from depositary.encoding.cosignature import CosignatureVerifier
from depositary.errors import DecodeError
from depositary.service.log_dir import LogDir
from depositary.storage.base import LogReader, StoredCheckpoint
from depositary.witness.client import Outcome, Policy, WitnessEndpoint, collect

POLICY_META = "witnesses"
SIZES_META = "witness_sizes"


def load_policy(store: LogReader) -> Policy:
    """Return the log's witness policy (no witnesses, quorum 0, if none is set).

    Raises:
        DecodeError, ValidationError: the stored policy is malformed.
    """
    text = store.get_meta(POLICY_META)
    return Policy() if text is None else Policy.from_json(text)


def save_policy(log: LogDir, policy: Policy) -> None:
    """Store ``policy`` with the log."""
    with log.store.writer() as w:
        w.set_meta(POLICY_META, policy.to_json())


def add_witness(log: LogDir, *, vkey: str, url: str) -> Policy:
    """Add (or re-point) a witness; the quorum is unchanged.

    Raises:
        DecodeError, ValidationError: the vkey or URL is malformed.
    """
    new = WitnessEndpoint(url=url, verifier=CosignatureVerifier.from_vkey(vkey))
    policy = load_policy(log.store)
    others = tuple(w for w in policy.witnesses if w.verifier != new.verifier)
    updated = Policy(witnesses=(*others, new), quorum=policy.quorum)
    save_policy(log, updated)
    return updated


def remove_witness(log: LogDir, *, vkey: str) -> Policy:
    """Remove a witness; the quorum is lowered if it would exceed the witnesses left."""
    gone = CosignatureVerifier.from_vkey(vkey)
    policy = load_policy(log.store)
    left = tuple(w for w in policy.witnesses if w.verifier != gone)
    updated = Policy(witnesses=left, quorum=min(policy.quorum, len(left)))
    save_policy(log, updated)
    return updated


def set_quorum(log: LogDir, quorum: int) -> Policy:
    """Require ``quorum`` of the log's witnesses.

    Raises:
        ValidationError: ``quorum`` is not between 0 and the number of witnesses.
    """
    policy = Policy(witnesses=load_policy(log.store).witnesses, quorum=quorum)
    save_policy(log, policy)
    return policy


def _sizes(store: LogReader) -> dict[str, int]:
    text = store.get_meta(SIZES_META)
    if text is None:
        return {}
    try:
        data = json.loads(text)
    except ValueError as e:
        raise DecodeError(f"stored witness sizes are not JSON: {e}") from e
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, int)}


@dataclass(frozen=True, slots=True, kw_only=True)
class CosignResult:
    """The cosigned note, whether it was stored, and what each witness did."""

    size: int
    note: bytes
    stored: bool
    """False if the log signed a newer checkpoint meanwhile (cosign that one instead)."""
    outcomes: tuple[Outcome, ...]


def cosign_latest(
    log: LogDir, policy: Policy | None = None, *, http: httpx2.Client | None = None
) -> CosignResult:
    """Have the latest checkpoint cosigned by the log's witnesses and store the result.

    Raises:
        NotFound: the log has no checkpoint yet.
        SignatureError: fewer than the policy's quorum cosigned (nothing is stored).
        StorageError: the store failed.
    """
    policy = load_policy(log.store) if policy is None else policy
    head = log.view.checkpoint()
    collected = collect(
        policy,
        note=head.note,
        proof=log.view.consistency_proof,
        hints=_sizes(log.store),
        http=http,
    )
    with log.store.writer() as w:
        sizes = _sizes(w)
        sizes.update({o.witness.url: o.size for o in collected.outcomes if o.size is not None})
        w.set_meta(SIZES_META, json.dumps(sizes, sort_keys=True))
        stored = w.checkpoint() == head
        if stored:
            new = StoredCheckpoint(
                size=head.size, timestamp_ms=head.timestamp_ms, note=collected.note
            )
            w.replace_checkpoint(head, new)
    if stored:
        log.sync_published()
    return CosignResult(
        size=head.size, note=collected.note, stored=stored, outcomes=collected.outcomes
    )
