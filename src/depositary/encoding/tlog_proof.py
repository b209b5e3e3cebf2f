"""c2sp.org/tlog-proof@v1: an offline-verifiable inclusion proof with its checkpoint.

::

    c2sp.org/tlog-proof@v1
    extra <base64>              (optional, unauthenticated)
    index <decimal>
    <base64 hash>               (zero or more, leaf's sibling first)

    <signed checkpoint note, verbatim>
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from depositary.encoding.b64 import decode as decode_base64
from depositary.encoding.b64 import encode as encode_base64
from depositary.encoding.checkpoint import (
    HASH_SIZE,
    MAX_TREE_SIZE,
    Checkpoint,
    SignedCheckpoint,
    open_checkpoint,
    parse_decimal,
)
from depositary.encoding.cosignature import require_cosignatures
from depositary.encoding.note import (
    MAX_NOTE_SIZE,
    Note,
    Verifier,
)
from depositary.errors import DecodeError, ProofError, ValidationError
from depositary.merkle.hashing import leaf_hash
from depositary.merkle.verify import verify_inclusion

HEADER = "c2sp.org/tlog-proof@v1"
MAX_PROOF_HASHES = 63
"""An inclusion proof in a tree of fewer than 2^64 leaves has at most 63 hashes."""
MAX_EXTRA_SIZE = 1 << 16
MAX_PROOF_SIZE = MAX_NOTE_SIZE + 4 * MAX_EXTRA_SIZE


@dataclass(frozen=True, slots=True, kw_only=True)
class TlogProof:
    """An entry's index, its inclusion proof, and the verbatim signed checkpoint."""

    index: int
    proof: tuple[bytes, ...]
    checkpoint: bytes
    extra: bytes | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.index < MAX_TREE_SIZE:
            raise ValidationError(f"index {self.index} is out of range")
        if len(self.proof) > MAX_PROOF_HASHES:
            raise ValidationError(f"proof has {len(self.proof)} hashes, over {MAX_PROOF_HASHES}")
        for i, h in enumerate(self.proof):
            if len(h) != HASH_SIZE:
                raise ValidationError(f"proof hash {i} is {len(h)} bytes, not {HASH_SIZE}")
        if self.extra is not None and not 0 < len(self.extra) <= MAX_EXTRA_SIZE:
            raise ValidationError(f"extra data must be 1 to {MAX_EXTRA_SIZE} bytes")
        try:
            Checkpoint.from_text(Note.from_bytes(self.checkpoint).text.encode("utf-8"))
        except DecodeError as e:
            raise ValidationError(f"checkpoint is not a signed checkpoint note: {e}") from e

    def to_bytes(self) -> bytes:
        """Return the proof file bytes."""
        lines = [HEADER]
        if self.extra is not None:
            lines.append("extra " + encode_base64(self.extra))
        lines.append(f"index {self.index}")
        lines.extend(encode_base64(h) for h in self.proof)
        return ("\n".join(lines) + "\n\n").encode("ascii") + self.checkpoint

    @classmethod
    def from_bytes(cls, data: bytes) -> TlogProof:
        """Parse a proof file strictly; nothing is verified (see ``verify_tlog_proof``).

        Raises:
            DecodeError: the bytes are not a well-formed tlog-proof.
        """
        if len(data) > MAX_PROOF_SIZE:
            raise DecodeError(f"tlog-proof is {len(data)} bytes, over {MAX_PROOF_SIZE}")
        split = data.find(b"\n\n")
        if split < 0:
            raise DecodeError("tlog-proof has no blank line before the checkpoint")
        try:
            head = data[:split].decode("ascii")
        except UnicodeDecodeError as e:
            raise DecodeError("tlog-proof header is not ASCII") from e
        lines = head.split("\n")
        if lines[0] != HEADER:
            raise DecodeError(f"tlog-proof does not start with {HEADER!r}")
        pos = 1
        extra = None
        if pos < len(lines) and lines[pos].startswith("extra "):
            extra = decode_base64(lines[pos][len("extra ") :], "extra data")
            if not extra:
                raise DecodeError("tlog-proof extra line is empty")
            pos += 1
        if pos >= len(lines) or not lines[pos].startswith("index "):
            raise DecodeError("tlog-proof has no index line")
        index = parse_decimal(lines[pos][len("index ") :], "index", MAX_TREE_SIZE - 1)
        hashes = []
        for i, line in enumerate(lines[pos + 1 :]):
            h = decode_base64(line, f"proof hash {i}")
            if len(h) != HASH_SIZE:
                raise DecodeError(f"proof hash {i} is {len(h)} bytes, not {HASH_SIZE}")
            hashes.append(h)
        if len(hashes) > MAX_PROOF_HASHES:
            raise DecodeError(f"proof has {len(hashes)} hashes, over {MAX_PROOF_HASHES}")
        checkpoint = data[split + 2 :]
        note = Note.from_bytes(checkpoint)
        Checkpoint.from_text(note.text.encode("utf-8"))
        return cls(index=index, proof=tuple(hashes), checkpoint=checkpoint, extra=extra)


def verify_tlog_proof(
    data: bytes,
    *,
    entry: bytes,
    log_verifier: Verifier,
    cosigners: Sequence[Verifier] = (),
    quorum: int = 0,
) -> SignedCheckpoint:
    """Verify that ``entry`` is in the log, as a proof file claims, and return the checkpoint.

    Checks, in order: the format, the log's signature, that the origin is the log
    key's name, that at least ``quorum`` of ``cosigners`` cosigned, and that
    RFC 6962 ``leaf_hash(entry)`` is at the proof's index. The extra data is not
    authenticated and plays no part.

    Raises:
        DecodeError: the proof file is malformed.
        ValidationError: ``quorum`` is impossible, or verifiers are ambiguous.
        SignatureError: a signature is missing or fails (the message names it).
        ProofError: the entry is not included at the index (the message says where).
    """
    proof = TlogProof.from_bytes(data)
    signed = open_checkpoint(proof.checkpoint, log_verifier, cosigners)
    if quorum:
        require_cosignatures(signed, cosigners, quorum)
    cp = signed.checkpoint
    lh = leaf_hash(entry)
    try:
        verify_inclusion(
            index=proof.index, size=cp.size, leaf_hash=lh, proof=proof.proof, root=cp.root_hash
        )
    except ProofError as e:
        raise ProofError(
            f"entry with leaf hash {lh.hex()} is not at index {proof.index} of "
            f"{cp.origin} at size {cp.size} (root {cp.root_hash.hex()}): {e}"
        ) from e
    return signed
