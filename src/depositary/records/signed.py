"""A payload signed by one key, under a domain prefix: the shape of every record here.

The signed form is JCS JSON ``{"type", "version", "payload", "public_key",
"signature"}`` with the payload base64-encoded; the signature covers
``prefix + payload`` exactly as stored, never a re-serialisation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from depositary.acts import schema
from depositary.acts.canonical import MAX_ENTRY_BYTES, canonical_json, parse_json
from depositary.crypto.ed25519 import Signer, verify
from depositary.encoding import b64
from depositary.errors import DecodeError, SignatureError, ValidationError

SIGNED_VERSION = 1
_PLAIN_TYPE = re.compile(r"[a-z0-9][a-z0-9./-]*")


b64decode = b64.decode_field
b64encode = b64.encode


@dataclass(frozen=True, slots=True, kw_only=True)
class Signed:
    """``payload`` signed by ``public_key`` under the prefix that goes with ``type``."""

    type: str
    payload: bytes
    public_key: bytes
    signature: bytes

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "version": SIGNED_VERSION,
            "payload": b64encode(self.payload),
            "public_key": b64encode(self.public_key),
            "signature": b64encode(self.signature),
        }

    def to_bytes(self) -> bytes:
        """``canonical_json(self.to_dict())``, written out directly: the values are
        base64 and a type name of plain characters, so nothing needs escaping (a
        property test holds the two equal)."""
        if _PLAIN_TYPE.fullmatch(self.type) is None:
            raise ValidationError(f"record type {self.type!r} is not a plain name")
        data = b'{"payload":"%s","public_key":"%s","signature":"%s","type":"%s","version":%d}' % (
            b64encode(self.payload).encode("ascii"), b64encode(self.public_key).encode("ascii"),
            b64encode(self.signature).encode("ascii"), self.type.encode("ascii"), SIGNED_VERSION,
        )  # fmt: skip
        if len(data) > MAX_ENTRY_BYTES:
            raise ValidationError(f"signed record is {len(data)} bytes, over {MAX_ENTRY_BYTES}")
        return data

    @classmethod
    def from_bytes(cls, data: bytes, *, expected_type: str) -> Signed:
        """Parse a canonical signed record of ``expected_type``.

        Raises:
            ValidationError: too large.
            DecodeError: malformed, of another type, or not canonical.
        """
        if len(data) > MAX_ENTRY_BYTES:
            raise ValidationError(f"signed record is {len(data)} bytes, over {MAX_ENTRY_BYTES}")
        w = expected_type
        d = schema.fields(
            parse_json(data, w),
            w,
            required=("type", "version", "payload", "public_key", "signature"),
        )
        if d["type"] != expected_type:
            raise DecodeError(f"{w}.type: expected {expected_type!r}, got {d['type']!r}")
        if schema.integer(d, "version", w) != SIGNED_VERSION:
            raise DecodeError(f"{w}.version: unsupported version {d['version']}")
        signed = cls(
            type=expected_type,
            payload=b64decode(d["payload"], f"{w}.payload"),
            public_key=b64decode(d["public_key"], f"{w}.public_key"),
            signature=b64decode(d["signature"], f"{w}.signature"),
        )
        if signed.to_bytes() != data:
            raise DecodeError(f"{w}: not in RFC 8785 canonical form")
        return signed

    def verify(self, prefix: bytes, public_key: bytes | None = None) -> None:
        """Check the signature over ``prefix + payload``; optionally pin the key.

        Raises:
            SignatureError: the signature fails, or the key is not the one expected.
            ValidationError: the key is malformed or small-order.
        """
        if public_key is not None and public_key != self.public_key:
            raise SignatureError(f"{self.type} is signed by an unexpected key")
        verify(self.public_key, prefix + self.payload, self.signature)


def sign(type_: str, prefix: bytes, payload_value: Any, signer: Signer) -> Signed:
    """Canonicalise ``payload_value`` and sign it under ``prefix``."""
    payload = canonical_json(payload_value)
    return Signed(
        type=type_,
        payload=payload,
        public_key=signer.public_key,
        signature=signer.sign(prefix + payload),
    )
