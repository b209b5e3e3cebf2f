"""Named Ed25519 keys as signed-note knows them: key names, key IDs, vkeys, skeys.

A key name is non-empty, with no Unicode space and no '+'; its key ID is
SHA-256(name || 0x0A || type || public key)[:4]. Verifier keys are
``name+hexid+base64(type || key)`` and signer keys
``PRIVATE+KEY+name+hexid+base64(type || seed)``, as in Go's sumdb/note.
``NamedVerifier`` and ``NamedSigner`` hold that logic once for every signature
type (Ed25519 notes 0x01, cosignature/v1 0x04).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import ClassVar, Self

from depositary.crypto import ed25519
from depositary.encoding.b64 import decode as decode_base64
from depositary.encoding.b64 import encode as encode_base64
from depositary.errors import DecodeError, ValidationError

_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
_HEX_ID = re.compile(r"[0-9a-f]{8}")
# The Unicode White_Space property, which Go's unicode.IsSpace follows.
_WHITE_SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def has_control(text: str) -> bool:
    """True if ``text`` holds an ASCII control character other than newline."""
    return _CONTROL.search(text) is not None


def is_valid_key_name(name: str) -> bool:
    """Return whether ``name`` is a key name: non-empty, no Unicode space, no '+'."""
    return (
        bool(name)
        and "+" not in name
        and not any(c in _WHITE_SPACE for c in name)
        and not has_control(name)
        and encodes_utf8(name)
    )


def encodes_utf8(text: str) -> bool:
    """True unless ``text`` holds a lone surrogate (it then has no UTF-8 form)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def key_id(name: str, type_byte: int, public_key: bytes) -> int:
    """Return SHA-256(name || 0x0A || type_byte || public_key)[:4] as a big-endian int."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([type_byte]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def parse_vkey(vkey: str, what: str = "vkey") -> tuple[str, int, bytes]:
    """Split ``name+hexid+base64(type || key)``; return (name, key_id, type || key)."""
    name, _, rest = vkey.partition("+")
    hex_id, _, blob = rest.partition("+")
    if not is_valid_key_name(name):
        raise DecodeError(f"{what} has no valid key name")
    if _HEX_ID.fullmatch(hex_id) is None:
        raise DecodeError(f"{what} key ID must be 8 lowercase hex digits")
    raw = decode_base64(blob, f"{what} key")
    if not raw:
        raise DecodeError(f"{what} has an empty key")
    return name, int(hex_id, 16), raw


def check_vkey_key(name: str, claimed: int, raw: bytes, type_byte: int) -> bytes:
    """Check a parsed vkey's type byte, key length and key ID; return the public key.

    Raises:
        DecodeError: the key is not 32 bytes.
        ValidationError: the type is not ``type_byte`` or the key ID does not match.
    """
    if raw[0] != type_byte:
        raise ValidationError(f"vkey type 0x{raw[0]:02x} is not 0x{type_byte:02x}")
    if len(raw) != 1 + ed25519.PUBLIC_KEY_SIZE:
        raise DecodeError(f"vkey key is {len(raw) - 1} bytes, not {ed25519.PUBLIC_KEY_SIZE}")
    public_key = raw[1:]
    if key_id(name, type_byte, public_key) != claimed:
        raise ValidationError(f"vkey key ID {claimed:08x} does not match {name}'s key")
    return public_key


@dataclass(frozen=True, slots=True, kw_only=True)
class NamedVerifier:
    """A named Ed25519 public key of one signature type (``TYPE``), with its key ID."""

    TYPE: ClassVar[int]
    name: str
    public_key: bytes
    key_id: int = field(init=False)

    def __post_init__(self) -> None:
        if not is_valid_key_name(self.name):
            raise ValidationError(f"invalid key name {self.name!r}")
        ed25519.check_public_key(self.public_key)
        object.__setattr__(self, "key_id", key_id(self.name, self.TYPE, self.public_key))

    @classmethod
    def from_vkey(cls, vkey: str) -> Self:
        """Parse ``name+hexid+base64(type || 32-byte public key)``.

        Raises:
            DecodeError: the vkey is malformed.
            ValidationError: wrong type, key ID mismatch, or unusable public key.
        """
        name, claimed, raw = parse_vkey(vkey)
        public_key = check_vkey_key(name, claimed, raw, cls.TYPE)
        return cls(name=name, public_key=public_key)

    def to_vkey(self) -> str:
        """Return ``name+hexid+base64(type || public key)``."""
        blob = encode_base64(bytes([self.TYPE]) + self.public_key)
        return f"{self.name}+{self.key_id:08x}+{blob}"


def parse_skey(skey: str, type_byte: int) -> tuple[str, int, bytes]:
    """Parse ``PRIVATE+KEY+name+hexid+base64(type || 32-byte seed)`` into (name, id, seed).

    The key ID is checked against the public key by the caller.

    Raises:
        DecodeError: the skey is malformed.
        ValidationError: the type byte is not ``type_byte``.
    """
    p1, _, rest = skey.partition("+")
    p2, _, rest = rest.partition("+")
    if p1 != "PRIVATE" or p2 != "KEY":
        raise DecodeError("skey does not start with PRIVATE+KEY+")
    name, claimed, raw = parse_vkey(rest, "skey")
    if raw[0] != type_byte:
        raise ValidationError(f"skey type 0x{raw[0]:02x} is not 0x{type_byte:02x}")
    if len(raw) != 1 + ed25519.SEED_SIZE:
        raise DecodeError(f"skey seed is {len(raw) - 1} bytes, not {ed25519.SEED_SIZE}")
    return name, claimed, raw[1:]


def format_skey(name: str, type_byte: int, key_id_: int, seed: bytes) -> str:
    """Return ``PRIVATE+KEY+name+hexid+base64(type || seed)``."""
    return f"PRIVATE+KEY+{name}+{key_id_:08x}+{encode_base64(bytes([type_byte]) + seed)}"


class NamedSigner:
    """A named Ed25519 key of one signature type; the seed stays inside.

    Subclasses set ``TYPE`` (the signature type byte that goes into the key ID
    and the skey) and add how they sign.
    """

    TYPE: ClassVar[int]
    __slots__ = ("_signer", "key_id", "name")

    def __init__(self, *, name: str, seed: bytes) -> None:
        if not is_valid_key_name(name):
            raise ValidationError(f"invalid key name {name!r}")
        self._signer = ed25519.Signer(seed)
        self.name = name
        self.key_id = key_id(name, self.TYPE, self._signer.public_key)

    @classmethod
    def generate(cls, name: str) -> Self:
        """Return a signer with a fresh random key."""
        return cls(name=name, seed=ed25519.generate_seed())

    @classmethod
    def from_skey(cls, skey: str) -> Self:
        """Parse ``PRIVATE+KEY+name+hexid+base64(type || seed)`` (Go's ``note`` format).

        Raises:
            DecodeError: the skey is malformed.
            ValidationError: wrong type, or the key ID does not match the key.
        """
        name, claimed, seed = parse_skey(skey, cls.TYPE)
        signer = cls(name=name, seed=seed)
        if signer.key_id != claimed:
            raise ValidationError(f"skey key ID {claimed:08x} does not match {name}'s key")
        return signer

    def to_skey(self) -> str:
        """Return the private key string. Keep it secret."""
        return format_skey(self.name, self.TYPE, self.key_id, self._signer.seed())

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, key_id={self.key_id:08x})"
