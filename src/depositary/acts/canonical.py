"""The one canonical encoding of acts: RFC 8785 (JCS) JSON, signed under a domain prefix.

What is signed is ``ACT_PREFIX + payload`` where ``payload`` is the JCS form of
``Act.to_dict()`` and carries ``"type"`` and ``"version"``. Only canonical payloads are
accepted, so one act has exactly one byte form. Verification always uses the stored
bytes; nothing here re-serialises to verify.
"""

from __future__ import annotations

import json
import re
from typing import Any

import rfc8785

from depositary.acts.act import Act
from depositary.errors import DecodeError, ValidationError

ACT_PREFIX = b"depositary/act/v1\n"
ENVELOPE_TYPE = "depositary/envelope"
MAX_ENTRY_BYTES = 65_535


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DecodeError(f"duplicate JSON key {key!r}")
        out[key] = value
    return out


def _no_float(text: str) -> Any:
    raise DecodeError(f"floating-point numbers are not allowed: {text}")


def _no_constant(text: str) -> Any:
    raise DecodeError(f"non-finite number {text} is not allowed")


def parse_json(data: bytes, where: str) -> Any:
    """Parse strict UTF-8 JSON: no duplicate keys, no floats, no NaN or Infinity.

    Raises:
        DecodeError: anything else.
    """
    try:
        text = data.decode("utf-8")
        return json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_float=_no_float,
            parse_constant=_no_constant,
        )
    except UnicodeDecodeError as e:
        raise DecodeError(f"{where}: not UTF-8") from e
    except json.JSONDecodeError as e:
        raise DecodeError(f"{where}: not JSON ({e.msg} at {e.pos})") from e
    except RecursionError as e:
        raise DecodeError(f"{where}: JSON nested too deeply") from e


MAX_SAFE_INTEGER = 2**53 - 1
_FAST = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False)


def _plain(value: Any) -> bool:
    """True when ``value`` is in the profile where stdlib JSON output equals RFC 8785:
    no floats, integers within I-JSON's range, keys with no character beyond the BMP
    (so code-point order is UTF-16 order), and no lone surrogates."""
    if isinstance(value, str):
        return not any(0xD800 <= ord(c) <= 0xDFFF for c in value) if not value.isascii() else True
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER
    if isinstance(value, dict):
        return all(
            isinstance(k, str) and (k.isascii() or all(ord(c) < 0xD800 for c in k)) and _plain(v)
            for k, v in value.items()
        )
    if isinstance(value, list | tuple):
        return all(_plain(v) for v in value)
    return False


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_PLAIN_NUMBER = re.compile(r"[.]|[0-9][eE]|[0-9]{16}")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _fast(value: Any) -> bytes | None:
    """The C encoder's output when it is certainly RFC 8785, else None.

    Outside string literals, a float always shows a point or an exponent, and
    an integer past I-JSON's range has at least 16 digits. Code-point order is
    UTF-16 order unless a character lies beyond the BMP; a lone surrogate
    fails to encode.
    """
    try:
        text = _FAST.encode(value)
        if _NOT_PLAIN_NUMBER.search(_STRING.sub("", text)):
            return None
        if text.isascii():
            return text.encode("ascii")
        if _ASTRAL.search(text):
            return None
        return text.encode("utf-8")
    except (TypeError, ValueError):  # UnicodeEncodeError is a ValueError
        return None


def canonical_json(value: Any) -> bytes:
    """Return the RFC 8785 bytes of plain data (object keys are strings, as JSON's are).

    The common case (no floats, small integers, ordinary keys) is produced by the
    C JSON encoder, whose output is byte-identical to RFC 8785 there (a property
    test holds the two to that); anything else goes through the ``rfc8785`` package.

    Raises:
        ValidationError: the data holds something JCS cannot encode (floats, huge ints).
    """
    fast = _fast(value)
    if fast is not None:
        return fast
    if _plain(value):
        return _FAST.encode(value).encode("utf-8")
    try:
        return bytes(rfc8785.dumps(value))
    except rfc8785.CanonicalizationError as e:
        raise ValidationError(f"cannot canonicalise: {e}") from e


def act_to_bytes(act: Act) -> bytes:
    """Return the canonical payload of ``act`` (what is signed, after the prefix)."""
    return canonical_json(act.to_dict())


def act_from_bytes(payload: bytes) -> Act:
    """Parse a canonical act payload.

    Raises:
        DecodeError: not JSON, not a valid act, or not in canonical form.
        ValidationError: the act breaks a rule.
    """
    if len(payload) > MAX_ENTRY_BYTES:
        raise ValidationError(f"act payload is {len(payload)} bytes, over {MAX_ENTRY_BYTES}")
    act = Act.from_dict(parse_json(payload, "act"))
    if act_to_bytes(act) != payload:
        raise DecodeError("act: payload is not in RFC 8785 canonical form")
    return act


def signing_message(payload: bytes) -> bytes:
    """Return the exact bytes an Ed25519 signature over ``payload`` covers."""
    return ACT_PREFIX + payload
