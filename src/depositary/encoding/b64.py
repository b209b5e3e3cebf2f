"""The one strict base64: standard alphabet, padded, canonical (RFC 4648 section 4).

Every format here (notes, checkpoints, proofs, envelopes, statements, keys)
decodes base64 through this module, so a non-canonical encoding is refused
the same way everywhere: one byte string, one text.
"""

from __future__ import annotations

import base64
import re

from depositary.errors import DecodeError

_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def encode(data: bytes) -> str:
    """Return standard padded base64."""
    return base64.b64encode(data).decode("ascii")


def decode(text: str, what: str = "base64") -> bytes:
    """Decode canonical standard base64: padded, no whitespace, zero trailing bits.

    Raises:
        DecodeError: ``text`` is not the one canonical encoding of some bytes.
    """
    if _BASE64.fullmatch(text) is None:
        raise DecodeError(f"{what} is not padded standard base64: {text[:80]!r}")
    raw = base64.b64decode(text, validate=True)  # cannot fail once the regex matched
    if encode(raw) != text:
        raise DecodeError(f"{what} is not canonical base64 (non-zero trailing bits)")
    return raw


def decode_field(value: object, where: str) -> bytes:
    """Decode a JSON field that must hold canonical base64.

    Raises:
        DecodeError: not a string, or not canonical base64.
    """
    if not isinstance(value, str):
        raise DecodeError(f"{where}: expected a base64 string")
    return decode(value, where)
