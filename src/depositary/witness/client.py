"""The log side of c2sp.org/tlog-witness: submit a checkpoint, collect cosignatures.

Each witness gets the signed checkpoint with a consistency proof from the size
it last cosigned (a hint, or 0). On 409 the witness says which size it holds
(``text/x.tlog.size``) and the request is sent again from there. A 200 answer's
lines are kept only if they are cosignatures by that witness's key and verify
over the checkpoint; anything else in the answer is ignored, and a forged line
under the witness's own key fails that witness. A ``Policy`` demands ``quorum``
of its witnesses.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx2

from depositary.encoding.checkpoint import Checkpoint
from depositary.encoding.cosignature import CosignatureVerifier
from depositary.encoding.note import (
    Note,
    NoteSignature,
    verifier_map,
)
from depositary.errors import (
    ConflictError,
    DecodeError,
    DepositaryError,
    NotFound,
    SignatureError,
    ValidationError,
)
from depositary.witness.protocol import (
    MAX_RESPONSE_SIZE,
    PATH,
    SIZE_CONTENT_TYPE,
    AddCheckpoint,
    parse_cosignatures,
    parse_size,
)

MAX_ROUNDS = 3
DEFAULT_TIMEOUT = 10.0

ProofSource = Callable[[int, int], Sequence[bytes]]
"""Returns the consistency proof from size ``old`` to size ``new`` of the log."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WitnessEndpoint:
    """A witness: its submission prefix URL and its cosignature/v1 verifier key."""

    url: str
    verifier: CosignatureVerifier

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise ValidationError(f"witness URL is not http(s): {self.url!r}")

    @property
    def endpoint(self) -> str:
        return self.url.rstrip("/") + PATH

    def to_dict(self) -> dict[str, str]:
        return {"url": self.url, "vkey": self.verifier.to_vkey()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WitnessEndpoint:
        """Raises: DecodeError, ValidationError: a field is missing or malformed."""
        url, vkey = data.get("url"), data.get("vkey")
        if not isinstance(url, str) or not isinstance(vkey, str):
            raise DecodeError("a witness needs a string 'url' and 'vkey'")
        return cls(url=url, verifier=CosignatureVerifier.from_vkey(vkey))


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """Witnesses a log submits to, and how many must cosign (k of n)."""

    witnesses: tuple[WitnessEndpoint, ...] = ()
    quorum: int = 0

    def __post_init__(self) -> None:
        verifier_map([w.verifier for w in self.witnesses])
        if not 0 <= self.quorum <= len(self.witnesses):
            raise ValidationError(
                f"quorum {self.quorum} is not between 0 and {len(self.witnesses)} witnesses"
            )

    @property
    def verifiers(self) -> tuple[CosignatureVerifier, ...]:
        return tuple(w.verifier for w in self.witnesses)

    def to_json(self) -> str:
        return json.dumps(
            {"witnesses": [w.to_dict() for w in self.witnesses], "quorum": self.quorum},
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Policy:
        """Raises: DecodeError, ValidationError: not a policy."""
        try:
            data = json.loads(text)
        except ValueError as e:
            raise DecodeError(f"witness policy is not JSON: {e}") from e
        if not isinstance(data, dict) or not isinstance(data.get("witnesses"), list):
            raise DecodeError("witness policy needs a 'witnesses' list")
        quorum = data.get("quorum", 0)
        if not isinstance(quorum, int):
            raise DecodeError("witness policy 'quorum' is not an integer")
        return cls(
            witnesses=tuple(WitnessEndpoint.from_dict(w) for w in data["witnesses"]),
            quorum=quorum,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """What one witness did: its verified cosignature, or why there is none."""

    witness: WitnessEndpoint
    signature: NoteSignature | None
    size: int | None
    """The size the witness holds after the exchange, when known."""
    error: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Collected:
    """The checkpoint note with the new cosignature lines, and each witness's outcome."""

    note: bytes
    outcomes: tuple[Outcome, ...]

    @property
    def cosigned(self) -> int:
        return sum(o.signature is not None for o in self.outcomes)


def _accept(witness: WitnessEndpoint, text: bytes, body: bytes) -> NoteSignature:
    v = witness.verifier
    mine = [s for s in parse_cosignatures(body) if (s.name, s.key_id) == (v.name, v.key_id)]
    if not mine:
        raise SignatureError(f"{witness.url} answered 200 without a cosignature by {v.name}")
    for sig in mine:
        try:
            v.verify(text, sig.signature)
        except SignatureError as e:
            raise SignatureError(f"{witness.url} sent a cosignature that fails: {e}") from e
        if v.timestamp(sig.signature) == 0:
            raise SignatureError(f"{witness.url} sent a cosignature with timestamp 0")
    return mine[0]


def submit(
    http: httpx2.Client,
    witness: WitnessEndpoint,
    *,
    note: bytes,
    proof: ProofSource,
    old_hint: int = 0,
) -> tuple[NoteSignature, int]:
    """Get ``witness``'s verified cosignature on checkpoint ``note``; return it and the size.

    Raises:
        NotFound: the witness cannot be reached.
        ConflictError: the witness holds a larger size than this checkpoint.
        ValidationError: the witness refused the checkpoint (the message has its answer).
        SignatureError, DecodeError: the witness's answer is not a valid cosignature.
    """
    cp = Checkpoint.from_text(Note.from_bytes(note).text.encode("utf-8"))
    old = old_hint if 0 <= old_hint <= cp.size else 0
    tried: set[int] = set()
    for _ in range(MAX_ROUNDS):
        tried.add(old)
        hashes = tuple(proof(old, cp.size)) if 0 < old < cp.size else ()
        body = AddCheckpoint(old_size=old, proof=hashes, note=note).to_bytes()
        try:
            resp = http.post(witness.endpoint, content=body)
            data = resp.read()[: MAX_RESPONSE_SIZE + 1]
        except httpx2.HTTPError as e:
            raise NotFound(f"witness {witness.url} cannot be reached: {e}") from e
        if resp.status_code == 200:
            text = Note.from_bytes(note).text.encode("utf-8")
            return _accept(witness, text, data), cp.size
        if resp.status_code == 409 and resp.headers.get("content-type", "").startswith(
            SIZE_CONTENT_TYPE
        ):
            held = parse_size(data)
            if held > cp.size:
                raise ConflictError(
                    f"witness {witness.url} already cosigned size {held} of {cp.origin}, "
                    f"beyond this checkpoint's {cp.size}"
                )
            if held in tried:
                break
            old = held
            continue
        reason = data[:300].decode("utf-8", "replace").strip()
        raise ValidationError(f"witness {witness.url} answered {resp.status_code}: {reason}")
    raise ConflictError(f"witness {witness.url} kept changing its size; gave up")


def collect(
    policy: Policy,
    *,
    note: bytes,
    proof: ProofSource,
    hints: Mapping[str, int] | None = None,
    http: httpx2.Client | None = None,
) -> Collected:
    """Submit ``note`` to every witness in parallel and add their cosignatures to it.

    Existing lines by the same witness keys are replaced; other lines are kept.

    Raises:
        SignatureError: fewer than ``policy.quorum`` witnesses cosigned; the message
            says what each failing witness did.
    """
    hints = hints or {}
    own = http is None
    client = httpx2.Client(timeout=DEFAULT_TIMEOUT) if http is None else http

    def one(w: WitnessEndpoint) -> Outcome:
        try:
            sig, size = submit(client, w, note=note, proof=proof, old_hint=hints.get(w.url, 0))
        except DepositaryError as e:
            return Outcome(witness=w, signature=None, size=None, error=str(e))
        return Outcome(witness=w, signature=sig, size=size)

    try:
        if policy.witnesses:
            with ThreadPoolExecutor(max_workers=len(policy.witnesses)) as pool:
                outcomes = tuple(pool.map(one, policy.witnesses))
        else:
            outcomes = ()
    finally:
        if own:
            client.close()
    collected = Collected(note=merge(note, outcomes), outcomes=outcomes)
    if collected.cosigned < policy.quorum:
        failed = "; ".join(f"{o.witness.url}: {o.error}" for o in outcomes if o.error)
        raise SignatureError(
            f"only {collected.cosigned} of the {policy.quorum} required witnesses cosigned"
            + (f" ({failed})" if failed else "")
        )
    return collected


def merge(note: bytes, outcomes: Sequence[Outcome]) -> bytes:
    """Return ``note`` with each outcome's cosignature in place of older lines by that key."""
    parsed = Note.from_bytes(note)
    fresh = [o.signature for o in outcomes if o.signature is not None]
    keys = {(o.witness.verifier.name, o.witness.verifier.key_id) for o in outcomes}
    keys &= {(s.name, s.key_id) for s in fresh}
    kept = [s for s in parsed.signatures if (s.name, s.key_id) not in keys]
    return Note(text=parsed.text, signatures=(*kept, *fresh)).to_bytes()
