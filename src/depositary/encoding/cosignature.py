"""c2sp.org/tlog-cosignature ``cosignature/v1``: timestamped Ed25519 witness signatures.

Signature type 0x04. The signed message is ``"cosignature/v1\\ntime <ts>\\n"``
followed by the whole checkpoint note text; the note signature is
``uint64 BE timestamp || 64-byte Ed25519 signature`` (76 bytes with the key ID).
Skeys follow transparency-dev/formats: ``PRIVATE+KEY+name+hexid+base64(0x04 || seed)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from depositary.crypto import ed25519
from depositary.encoding.checkpoint import Checkpoint, SignedCheckpoint
from depositary.encoding.keys import (
    NamedSigner,
    NamedVerifier,
)
from depositary.encoding.note import (
    NoteSignature,
    Verifier,
    verifier_map,
    verify_signature,
)
from depositary.errors import DecodeError, SignatureError, ValidationError

SIG_TYPE_COSIGNATURE_V1 = 0x04
MAX_TIMESTAMP = (1 << 63) - 1
TIMESTAMP_SIZE = 8
COSIGNATURE_SIZE = TIMESTAMP_SIZE + ed25519.SIGNATURE_SIZE


def cosigned_message(checkpoint_text: bytes, timestamp: int) -> bytes:
    """Return ``"cosignature/v1\\ntime <timestamp>\\n" + checkpoint_text``.

    Raises:
        ValidationError: the timestamp is outside 0..2^63-1.
        DecodeError: ``checkpoint_text`` is not checkpoint text.
    """
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise ValidationError(f"cosignature timestamp {timestamp} is outside 0..2^63-1")
    Checkpoint.from_text(checkpoint_text)
    return b"cosignature/v1\ntime %d\n" % timestamp + checkpoint_text


def cosignature_timestamp(signature: bytes) -> int:
    """Return the timestamp of a cosignature/v1 signature (the bytes after the key ID).

    Raises:
        SignatureError: the signature is not 72 bytes or the timestamp is over 2^63-1.
    """
    if len(signature) != COSIGNATURE_SIZE:
        raise SignatureError(
            f"cosignature/v1 signature is {len(signature)} bytes, not {COSIGNATURE_SIZE}"
        )
    ts = int.from_bytes(signature[:TIMESTAMP_SIZE], "big")
    if ts > MAX_TIMESTAMP:
        raise SignatureError(f"cosignature timestamp {ts} is over 2^63-1")
    return ts


@dataclass(frozen=True, slots=True, kw_only=True)
class CosignatureVerifier(NamedVerifier):
    """Verifies cosignature/v1 signatures of one named witness key."""

    TYPE: ClassVar[int] = SIG_TYPE_COSIGNATURE_V1

    def timestamp(self, signature: bytes) -> int:
        """Return the signature's timestamp (see ``cosignature_timestamp``)."""
        return cosignature_timestamp(signature)

    def verify(self, text: bytes, signature: bytes) -> None:
        """Check a cosignature/v1 ``signature`` over checkpoint ``text``.

        Raises:
            SignatureError: malformed, or the signature does not verify.
        """
        ts = cosignature_timestamp(signature)
        try:
            message = cosigned_message(text, ts)
        except DecodeError as e:
            raise SignatureError(f"cosigned text is not a checkpoint: {e}") from e
        ed25519.verify(self.public_key, message, signature[TIMESTAMP_SIZE:])


class Cosigner(NamedSigner):
    """A named witness key that produces cosignature/v1 signatures (type 0x04)."""

    TYPE = SIG_TYPE_COSIGNATURE_V1
    __slots__ = ()

    def verifier(self) -> CosignatureVerifier:
        """Return the matching verifier."""
        return CosignatureVerifier(name=self.name, public_key=self._signer.public_key)

    def cosign(self, checkpoint_text: bytes, timestamp: int) -> NoteSignature:
        """Cosign checkpoint note text at ``timestamp`` (POSIX seconds, passed in).

        Raises:
            ValidationError: the timestamp is outside 0..2^63-1.
            DecodeError: ``checkpoint_text`` is not checkpoint text.
        """
        message = cosigned_message(checkpoint_text, timestamp)
        sig = timestamp.to_bytes(TIMESTAMP_SIZE, "big") + self._signer.sign(message)
        return NoteSignature(name=self.name, key_id=self.key_id, signature=sig)


def require_cosignatures(signed: SignedCheckpoint, verifiers: Sequence[Verifier], k: int) -> None:
    """Require valid cosignatures on ``signed`` from at least ``k`` of ``verifiers``.

    Each signature is verified here, whatever ``open_checkpoint`` was given.

    Raises:
        ValidationError: ``k`` is not in 0..len(verifiers), or verifiers are ambiguous.
        SignatureError: a listed cosigner's signature fails, or fewer than ``k`` signed;
            the message names the missing cosigners.
    """
    known = verifier_map(verifiers)
    if not 0 <= k <= len(known):
        raise ValidationError(f"quorum {k} is not between 0 and {len(known)} cosigners")
    text = signed.note.text.encode("utf-8")
    signed_by: set[tuple[str, int]] = set()
    for sig in signed.note.signatures:
        v = known.get((sig.name, sig.key_id))
        if v is not None:
            verify_signature(v, text, sig)
            signed_by.add((sig.name, sig.key_id))
    if len(signed_by) < k:
        missing = ", ".join(f"{n}+{i:08x}" for n, i in known if (n, i) not in signed_by)
        raise SignatureError(
            f"checkpoint has {len(signed_by)} of the {k} required cosignatures; missing: {missing}"
        )
