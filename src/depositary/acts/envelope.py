"""The signed envelope: the exact payload bytes plus one or more Ed25519 signatures.

The envelope is itself JCS JSON with base64 fields; it must fit one log entry
(65,535 bytes). Signatures are sorted by public key so each envelope has one byte form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from depositary.acts import schema
from depositary.acts.act import Act
from depositary.acts.canonical import (
    ENVELOPE_TYPE,
    MAX_ENTRY_BYTES,
    act_from_bytes,
    act_to_bytes,
    parse_json,
    signing_message,
)
from depositary.crypto.ed25519 import SIGNATURE_SIZE, Signer
from depositary.encoding import b64
from depositary.errors import DecodeError, ValidationError

ENVELOPE_VERSION = 1


_b64 = b64.decode_field
_text = b64.encode
_ENVELOPE_TYPE = ENVELOPE_TYPE.encode("ascii")


@dataclass(frozen=True, slots=True, kw_only=True)
class Signature:
    """One signature; ``public_key`` is kept raw so authority can say why a bad key fails."""

    public_key: bytes
    signature: bytes

    def __post_init__(self) -> None:
        if not 1 <= len(self.public_key) <= 64:
            raise DecodeError("signature.public_key: must be 1..64 bytes")
        if len(self.signature) != SIGNATURE_SIZE:
            raise DecodeError(f"signature.signature: must be {SIGNATURE_SIZE} bytes")

    def to_dict(self) -> dict[str, str]:
        return {"public_key": _text(self.public_key), "signature": _text(self.signature)}

    @classmethod
    def from_dict(cls, data: object) -> Signature:
        d = schema.fields(data, "signature", required=("public_key", "signature"))
        return cls(
            public_key=_b64(d["public_key"], "signature.public_key"),
            signature=_b64(d["signature"], "signature.signature"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Envelope:
    """Signed act: ``payload`` is the canonical act bytes exactly as signed."""

    payload: bytes
    signatures: tuple[Signature, ...]

    def __post_init__(self) -> None:
        keys = [s.public_key for s in self.signatures]
        if not keys:
            raise DecodeError("envelope: no signatures")
        if keys != sorted(set(keys)):
            raise DecodeError("envelope: signatures must be sorted by public key, one per key")

    def act(self) -> Act:
        """Parse the payload. Raises DecodeError or ValidationError."""
        return act_from_bytes(self.payload)

    def message(self) -> bytes:
        """The exact bytes each signature covers."""
        return signing_message(self.payload)

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": ENVELOPE_TYPE,
            "version": ENVELOPE_VERSION,
            "payload": _text(self.payload),
            "signatures": [s.to_dict() for s in self.signatures],
        }

    @classmethod
    def from_dict(cls, data: object) -> Envelope:
        w = "envelope"
        d = schema.fields(data, w, required=("type", "version", "payload", "signatures"))
        if d["type"] != ENVELOPE_TYPE:
            raise DecodeError(f"envelope.type: expected {ENVELOPE_TYPE!r}")
        if schema.integer(d, "version", w) != ENVELOPE_VERSION:
            raise DecodeError(f"envelope.version: unsupported version {d['version']}")
        signatures = tuple(
            Signature.from_dict(s) for s in schema.array(d, "signatures", w, max_len=32)
        )
        return cls(payload=_b64(d["payload"], "envelope.payload"), signatures=signatures)

    def to_bytes(self) -> bytes:
        """Return the envelope's one byte form: ``canonical_json(self.to_dict())``,
        written out directly (every value is base64 or a constant, so there is
        nothing to escape or order beyond the fixed key order; a property test
        holds the two equal).

        Raises:
            ValidationError: it would not fit one log entry.
        """
        signatures = b",".join(
            b'{"public_key":"%s","signature":"%s"}'
            % (_text(s.public_key).encode("ascii"), _text(s.signature).encode("ascii"))
            for s in self.signatures
        )
        data = b'{"payload":"%s","signatures":[%s],"type":"%s","version":%d}' % (
            _text(self.payload).encode("ascii"), signatures, _ENVELOPE_TYPE, ENVELOPE_VERSION,
        )  # fmt: skip
        if len(data) > MAX_ENTRY_BYTES:
            raise ValidationError(f"envelope is {len(data)} bytes, over {MAX_ENTRY_BYTES}")
        return data

    @classmethod
    def from_bytes(cls, data: bytes) -> Envelope:
        """Parse an envelope; the bytes must be canonical and at most 65,535 long.

        Raises:
            ValidationError: too large.
            DecodeError: not a canonical envelope.
        """
        if len(data) > MAX_ENTRY_BYTES:
            raise ValidationError(f"envelope is {len(data)} bytes, over {MAX_ENTRY_BYTES}")
        envelope = cls.from_dict(parse_json(data, "envelope"))
        if envelope.to_bytes() != data:
            raise DecodeError("envelope: not in RFC 8785 canonical form")
        return envelope


def sign_act(act: Act, signers: Sequence[Signer]) -> Envelope:
    """Encode ``act`` once and sign the prefixed bytes with every signer.

    Raises:
        ValidationError: the signed envelope would not fit one log entry.
    """
    payload = act_to_bytes(act)
    message = signing_message(payload)
    signatures = sorted(
        (Signature(public_key=s.public_key, signature=s.sign(message)) for s in signers),
        key=lambda s: s.public_key,
    )
    envelope = Envelope(payload=payload, signatures=tuple(signatures))
    envelope.to_bytes()
    return envelope


def cosign(envelope: Envelope, signer: Signer) -> Envelope:
    """Add ``signer``'s signature over the same stored bytes (for jointly signed acts)."""
    new = Signature(public_key=signer.public_key, signature=signer.sign(envelope.message()))
    signatures = sorted((*envelope.signatures, new), key=lambda s: s.public_key)
    return Envelope(payload=envelope.payload, signatures=tuple(signatures))
