"""The witness's decision for one add-checkpoint request: pure, no I/O, no clock.

Checks happen in the order c2sp.org/tlog-witness gives them::

    malformed body                                   400
    unknown origin                                   404
    no trusted log signature, or a known one fails   403
    old size > checkpoint size                       400
    old size != the size the witness last cosigned   409, body "<size>\\n" (text/x.tlog.size)
    bad proof, proof with old 0, size 0 whose root
    is not the empty tree's, same size other root    422
    otherwise                                        200, cosignature lines

``authenticate`` needs only the list of known logs; ``check`` needs the latest
record for the origin and is the part that must run inside the compare-and-swap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from depositary.encoding.checkpoint import Checkpoint
from depositary.encoding.cosignature import Cosigner
from depositary.encoding.note import (
    Note,
    Verifier,
    open_note,
    verifier_map,
)
from depositary.errors import DecodeError, ProofError, SignatureError, ValidationError
from depositary.merkle.hashing import EMPTY_ROOT
from depositary.merkle.verify import verify_consistency
from depositary.witness.protocol import (
    SIZE_CONTENT_TYPE,
    AddCheckpoint,
    format_cosignatures,
    format_size,
)

TEXT = "text/plain; charset=utf-8"


@dataclass(frozen=True, slots=True, kw_only=True)
class KnownLog:
    """A log the witness accepts: its origin and the keys that may sign its checkpoints."""

    origin: str
    verifiers: tuple[Verifier, ...]

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin:
            raise ValidationError(f"invalid log origin {self.origin!r}")
        if not self.verifiers:
            raise ValidationError(f"log {self.origin} has no verifier key")
        verifier_map(self.verifiers)


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """The latest checkpoint a witness cosigned for one origin.

    ``note`` holds the checkpoint text with only the log signatures that verified.
    """

    origin: str
    size: int
    root_hash: bytes
    note: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    """An HTTP answer: status, body and content type; ``reason`` is for the operator."""

    status: int
    body: bytes
    content_type: str
    reason: str
    evidence: bool = False
    """True for a validly signed checkpoint that is inconsistent with the record."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Authenticated:
    """A request whose checkpoint is signed by a key the witness trusts for its origin."""

    request: AddCheckpoint
    checkpoint: Checkpoint
    note: bytes
    """The checkpoint text and its verified log signatures only (no foreign lines)."""


def reject(status: int, reason: str, *, evidence: bool = False) -> Answer:
    """Return a plain-text error answer."""
    return Answer(
        status=status,
        body=(reason + "\n").encode("utf-8"),
        content_type=TEXT,
        reason=reason,
        evidence=evidence,
    )


def authenticate(body: bytes, logs: Mapping[str, KnownLog]) -> Authenticated | Answer:
    """Parse ``body`` and check the log's signature: the checks that need no state."""
    try:
        request = AddCheckpoint.from_bytes(body)
        cp = request.checkpoint()
    except (DecodeError, ValidationError) as e:
        return reject(400, f"malformed add-checkpoint request: {e}")
    log = logs.get(cp.origin)
    if log is None:
        return reject(404, f"unknown log origin {cp.origin!r}")
    try:
        opened = open_note(request.note, log.verifiers)
    except SignatureError as e:
        return reject(403, f"checkpoint of {cp.origin} is not signed by its log key: {e}")
    except (DecodeError, ValidationError) as e:
        return reject(400, f"malformed checkpoint note: {e}")
    if request.old_size > cp.size:
        return reject(400, f"old size {request.old_size} is larger than the checkpoint's {cp.size}")
    clean = Note(text=opened.note.text, signatures=opened.verified).to_bytes()
    return Authenticated(request=request, checkpoint=cp, note=clean)


def check(auth: Authenticated, latest: Record | None) -> Record | Answer:
    """Check ``auth`` against the latest record; return the record to store, or an answer."""
    req, cp = auth.request, auth.checkpoint
    have = 0 if latest is None else latest.size
    if req.old_size != have:
        return Answer(
            status=409,
            body=format_size(have),
            content_type=SIZE_CONTENT_TYPE,
            reason=f"old size {req.old_size} is not the cosigned size {have}",
        )
    if cp.size == 0 and cp.root_hash != EMPTY_ROOT:
        return reject(422, "a checkpoint of size 0 must have the empty tree's root", evidence=True)
    if req.old_size == 0 and req.proof:
        return reject(422, "the consistency proof from size 0 must be empty")
    if latest is not None:
        try:
            verify_consistency(
                old_size=latest.size,
                new_size=cp.size,
                old_root=latest.root_hash,
                new_root=cp.root_hash,
                proof=req.proof,
            )
        except ProofError as e:
            return reject(
                422,
                f"checkpoint {cp.size} of {cp.origin} is not consistent with the cosigned "
                f"size {latest.size}: {e}",
                evidence=True,
            )
    return Record(origin=cp.origin, size=cp.size, root_hash=cp.root_hash, note=auth.note)


def cosign(cosigners: Sequence[Cosigner], record: Record, timestamp: int) -> Answer:
    """Return the 200 answer: each witness key's cosignature over the record's checkpoint.

    Raises:
        ValidationError: the timestamp is not in 1..2^63-1.
    """
    if timestamp <= 0:
        raise ValidationError("a cosignature timestamp must be positive")
    text = Note.from_bytes(record.note).text.encode("utf-8")
    sigs = [c.cosign(text, timestamp) for c in cosigners]
    return Answer(
        status=200,
        body=format_cosignatures(sigs),
        content_type=TEXT,
        reason=f"cosigned {record.origin} at size {record.size}",
    )
