"""c2sp.org/signed-note v1: notes, Ed25519 note signatures, signing and opening.

Key names, key IDs, vkeys and skeys are in ``keys``.

Byte-exact with golang.org/x/mod/sumdb/note, and stricter where Go is lenient:
base64 must be canonical (padded, zero trailing bits), key IDs in vkeys and skeys
must be 8 lowercase hex digits, and every signature from a known key is verified
(Go skips repeats).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol, runtime_checkable

from depositary.crypto import ed25519
from depositary.encoding.b64 import decode as decode_base64
from depositary.encoding.b64 import encode as encode_base64
from depositary.encoding.keys import (
    NamedSigner,
    NamedVerifier,
    encodes_utf8,
    has_control,
    is_valid_key_name,
)
from depositary.errors import DecodeError, SignatureError, ValidationError

MAX_NOTE_SIZE = 1 << 20
"""Largest note accepted by ``Note.from_bytes`` (1 MiB)."""
MAX_SIGNATURES = 100
"""Most signature lines in a note, as in Go's ``note.Open``."""
SIG_TYPE_ED25519 = 0x01

_SIG_PREFIX = "\u2014 "  # em dash, space


def check_note_text(text: str, exc: type[Exception] = ValidationError) -> None:
    """Check note text: non-empty UTF-8, ends in a newline, no control characters but \\n.

    Raises:
        ValidationError (or ``exc``): the text cannot be the text of a note.
    """
    if not text.endswith("\n"):
        raise exc("note text must be non-empty and end with a newline")
    if has_control(text):
        raise exc("note text contains an ASCII control character other than newline")
    if not encodes_utf8(text):
        raise exc("note text is not valid Unicode (lone surrogate)")


@dataclass(frozen=True, slots=True, kw_only=True)
class NoteSignature:
    """One signature line: ``signature`` is the bytes after the 4-byte key ID."""

    name: str
    key_id: int
    signature: bytes

    def __post_init__(self) -> None:
        if not is_valid_key_name(self.name):
            raise ValidationError(f"invalid key name {self.name!r}")
        if not 0 <= self.key_id <= 0xFFFFFFFF:
            raise ValidationError(f"key ID {self.key_id} does not fit in 32 bits")
        if not self.signature:
            raise ValidationError(f"empty signature for {self.name}")

    def to_line(self) -> str:
        """Return ``"— <name> <base64(key ID || signature)>\\n"``."""
        blob = self.key_id.to_bytes(4, "big") + self.signature
        return f"{_SIG_PREFIX}{self.name} {encode_base64(blob)}\n"

    @classmethod
    def from_line(cls, line: str) -> NoteSignature:
        """Parse one signature line, without its final newline.

        Raises:
            DecodeError: the line is malformed.
        """
        if not line.startswith(_SIG_PREFIX):
            raise DecodeError(f"signature line does not start with an em dash: {line[:80]!r}")
        name, sep, blob = line[len(_SIG_PREFIX) :].partition(" ")
        if not sep or not is_valid_key_name(name):
            raise DecodeError(f"signature line has no valid key name: {line[:80]!r}")
        raw = decode_base64(blob, f"signature by {name}")
        if len(raw) < 5:
            raise DecodeError(f"signature by {name} is {len(raw)} bytes, fewer than 5")
        return cls(name=name, key_id=int.from_bytes(raw[:4], "big"), signature=raw[4:])


@dataclass(frozen=True, slots=True, kw_only=True)
class Note:
    """A signed note: text (ending in a newline) and 1 to 100 signatures, in order."""

    text: str
    signatures: tuple[NoteSignature, ...]

    def __post_init__(self) -> None:
        check_note_text(self.text)
        if not 1 <= len(self.signatures) <= MAX_SIGNATURES:
            raise ValidationError(
                f"a note has 1 to {MAX_SIGNATURES} signatures, not {len(self.signatures)}"
            )

    @classmethod
    def from_bytes(cls, data: bytes) -> Note:
        """Parse a note strictly; signatures are not verified (see ``open_note``).

        Raises:
            DecodeError: the bytes are not a well-formed signed note.
        """
        if len(data) > MAX_NOTE_SIZE:
            raise DecodeError(f"note is {len(data)} bytes, over {MAX_NOTE_SIZE}")
        try:
            msg = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise DecodeError("note is not valid UTF-8") from e
        if has_control(msg):
            raise DecodeError("note contains an ASCII control character other than newline")
        split = msg.rfind("\n\n")
        if split < 0:
            raise DecodeError("note has no blank line before its signatures")
        text, block = msg[: split + 1], msg[split + 2 :]
        if not block.endswith("\n"):
            raise DecodeError("note signature block is empty or lacks a final newline")
        lines = block[:-1].split("\n")
        if len(lines) > MAX_SIGNATURES:
            raise DecodeError(f"note has {len(lines)} signatures, over {MAX_SIGNATURES}")
        sigs = tuple(NoteSignature.from_line(line) for line in lines)
        return cls(text=text, signatures=sigs)

    def to_bytes(self) -> bytes:
        """Return text, a blank line, then one line per signature."""
        lines = "".join(s.to_line() for s in self.signatures)
        return (self.text + "\n" + lines).encode("utf-8")


class Verifier(Protocol):
    """A note verifier for one (name, key ID) pair."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def verify(self, text: bytes, signature: bytes) -> None:
        """Check ``signature`` (after the key ID) over the note ``text``.

        Raises:
            SignatureError: the signature does not verify.
        """


@runtime_checkable
class TimestampedVerifier(Verifier, Protocol):
    """A verifier whose signatures carry a timestamp (cosignature/v1)."""

    def timestamp(self, signature: bytes) -> int:
        """Return the POSIX-seconds timestamp in ``signature``.

        Raises:
            SignatureError: the signature is too short to hold one.
        """


@dataclass(frozen=True, slots=True, kw_only=True)
class Ed25519Verifier(NamedVerifier):
    """Verifies Ed25519 (type 0x01) note signatures of one named key."""

    TYPE: ClassVar[int] = SIG_TYPE_ED25519

    def verify(self, text: bytes, signature: bytes) -> None:
        """Check an Ed25519 signature over ``text``.

        Raises:
            SignatureError: the signature does not verify.
        """
        ed25519.verify(self.public_key, text, signature)


class NoteSigner(NamedSigner):
    """A named Ed25519 key that signs note text (type 0x01), interchangeable with Go's."""

    TYPE = SIG_TYPE_ED25519
    __slots__ = ()

    def verifier(self) -> Ed25519Verifier:
        """Return the matching verifier."""
        return Ed25519Verifier(name=self.name, public_key=self._signer.public_key)

    def sign(self, text: bytes) -> NoteSignature:
        """Sign note ``text`` (which must be valid note text).

        Raises:
            DecodeError: ``text`` is not valid note text.
        """
        _decode_text(text)
        return NoteSignature(name=self.name, key_id=self.key_id, signature=self._signer.sign(text))


def _decode_text(text: bytes) -> str:
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DecodeError("note text is not valid UTF-8") from e
    check_note_text(decoded, DecodeError)
    return decoded


def sign_note(text: bytes, signers: Sequence[NoteSigner]) -> bytes:
    """Return the full signed note: ``text``, a blank line, one line per signer.

    Raises:
        DecodeError: ``text`` is not valid note text.
        ValidationError: no signers, too many, or two with the same name and key ID.
    """
    decoded = _decode_text(text)
    ids = {(s.name, s.key_id) for s in signers}
    if len(ids) != len(signers):
        raise ValidationError("two signers share a name and key ID")
    return Note(text=decoded, signatures=tuple(s.sign(text) for s in signers)).to_bytes()


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifiedNote:
    """A note whose ``verified`` signatures (one per known key) all checked out."""

    note: Note
    verified: tuple[NoteSignature, ...]

    @property
    def text(self) -> bytes:
        """The signed text, as bytes."""
        return self.note.text.encode("utf-8")


def verifier_map(verifiers: Sequence[Verifier]) -> dict[tuple[str, int], Verifier]:
    """Index verifiers by (name, key ID).

    Raises:
        ValidationError: two verifiers share a name and key ID (ambiguous).
    """
    known: dict[tuple[str, int], Verifier] = {}
    for v in verifiers:
        k = (v.name, v.key_id)
        if k in known:
            raise ValidationError(f"ambiguous verifiers: two keys are {v.name}+{v.key_id:08x}")
        known[k] = v
    return known


def verify_signature(v: Verifier, text: bytes, sig: NoteSignature) -> None:
    """Verify one signature line with ``v``, naming the key on failure.

    Raises:
        SignatureError: the signature does not verify.
    """
    try:
        v.verify(text, sig.signature)
    except SignatureError as e:
        raise SignatureError(
            f"signature by {sig.name}+{sig.key_id:08x} does not verify: {e}"
        ) from e


def open_note(data: bytes, verifiers: Sequence[Verifier]) -> VerifiedNote:
    """Parse a note and verify every signature from a known (name, key ID).

    Unknown signers (including random "grease" lines) are ignored, in any order.

    Raises:
        DecodeError: the note is malformed.
        ValidationError: two verifiers share a name and key ID.
        SignatureError: a known key's signature fails, or no known key signed.
    """
    known = verifier_map(verifiers)
    note = Note.from_bytes(data)
    text = note.text.encode("utf-8")
    verified: dict[tuple[str, int], NoteSignature] = {}
    for sig in note.signatures:
        v = known.get((sig.name, sig.key_id))
        if v is None:
            continue
        verify_signature(v, text, sig)
        verified.setdefault((sig.name, sig.key_id), sig)
    if not verified:
        names = ", ".join(sorted(f"{n}+{i:08x}" for n, i in known)) or "none"
        raise SignatureError(f"note has no verifying signature from a known key ({names})")
    return VerifiedNote(note=note, verified=tuple(verified.values()))
