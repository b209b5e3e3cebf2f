"""c2sp.org/tlog-checkpoint: the note text of a tree head, and signed checkpoints.

The text is ``origin\\nsize\\nbase64(root)\\n`` followed by optional non-empty
extension lines. The size has no leading zeros; the root is 32 bytes, canonical
padded base64.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from depositary.encoding.b64 import decode as decode_base64
from depositary.encoding.b64 import encode as encode_base64
from depositary.encoding.note import (
    Note,
    NoteSignature,
    NoteSigner,
    TimestampedVerifier,
    Verifier,
    check_note_text,
    open_note,
    sign_note,
)
from depositary.errors import DecodeError, SignatureError, ValidationError

HASH_SIZE = 32
MAX_TREE_SIZE = (1 << 64) - 1
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


def parse_decimal(text: str, what: str, maximum: int = MAX_TREE_SIZE) -> int:
    """Parse ASCII decimal with no sign and no leading zeros, at most ``maximum``.

    Raises:
        DecodeError: not canonical decimal, or too large.
    """
    if len(text) > 20 or _DECIMAL.fullmatch(text) is None:
        raise DecodeError(f"{what} is not a decimal without leading zeros: {text[:40]!r}")
    value = int(text)
    if value > maximum:
        raise DecodeError(f"{what} {value} is larger than {maximum}")
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class Checkpoint:
    """A log's tree head: origin, size and RFC 6962 root hash, plus extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for what, line in [("origin", self.origin), *(("extension", e) for e in self.extensions)]:
            if not line or "\n" in line:
                raise ValidationError(f"checkpoint {what} line must be non-empty, one line")
        check_note_text(self.origin + "\n" + "".join(e + "\n" for e in self.extensions))
        if not 0 <= self.size <= MAX_TREE_SIZE:
            raise ValidationError(f"tree size {self.size} is out of range")
        if len(self.root_hash) != HASH_SIZE:
            raise ValidationError(f"root hash is {len(self.root_hash)} bytes, not {HASH_SIZE}")

    def to_text(self) -> bytes:
        """Return the note text: origin, size, base64 root, extensions, each + newline."""
        lines = [self.origin, str(self.size), encode_base64(self.root_hash), *self.extensions]
        return "".join(line + "\n" for line in lines).encode("utf-8")

    @classmethod
    def from_text(cls, text: bytes) -> Checkpoint:
        """Parse checkpoint note text strictly.

        Raises:
            DecodeError: the text is not a well-formed checkpoint.
        """
        try:
            decoded = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise DecodeError("checkpoint text is not valid UTF-8") from e
        check_note_text(decoded, DecodeError)
        lines = decoded[:-1].split("\n")
        if len(lines) < 3:
            raise DecodeError(f"checkpoint text has {len(lines)} lines, fewer than 3")
        if any(not line for line in lines):
            raise DecodeError("checkpoint text has an empty line")
        origin, size, root, *extensions = lines
        return cls(
            origin=origin,
            size=parse_decimal(size, "tree size"),
            root_hash=_decode_root(root),
            extensions=tuple(extensions),
        )


def _decode_root(line: str) -> bytes:
    raw = decode_base64(line, "root hash")
    if len(raw) != HASH_SIZE:
        raise DecodeError(f"root hash is {len(raw)} bytes, not {HASH_SIZE}")
    return raw


@dataclass(frozen=True, slots=True, kw_only=True)
class SignedCheckpoint:
    """A checkpoint whose log signature verified, with its verified cosignatures.

    ``cosignatures`` pairs each verified cosignature with its timestamp (POSIX
    seconds; 0 for a cosigner whose signatures carry none).
    """

    checkpoint: Checkpoint
    note: Note
    raw: bytes
    log_signature: NoteSignature
    cosignatures: tuple[tuple[NoteSignature, int], ...] = ()


def sign_checkpoint(cp: Checkpoint, signer: NoteSigner) -> bytes:
    """Return the signed checkpoint note. The signer's name must equal the origin.

    Raises:
        ValidationError: the key name is not the origin.
    """
    if signer.name != cp.origin:
        raise ValidationError(f"log key name {signer.name!r} is not the origin {cp.origin!r}")
    return sign_note(cp.to_text(), [signer])


def open_checkpoint(
    data: bytes,
    log_verifier: Verifier,
    cosigners: Sequence[Verifier] = (),
    *,
    origin: str | None = None,
) -> SignedCheckpoint:
    """Verify a signed checkpoint: the log's signature is required, cosigners are optional.

    ``origin`` defaults to the log key's name. Signatures by unknown keys are
    ignored; a failing signature by the log or a listed cosigner rejects the note.

    Raises:
        DecodeError: the note or checkpoint text is malformed.
        ValidationError: two verifiers share a name and key ID.
        SignatureError: the log did not sign, or a known key's signature fails.
    """
    opened = open_note(data, [log_verifier, *cosigners])
    log_key = (log_verifier.name, log_verifier.key_id)
    by_key = {(s.name, s.key_id): s for s in opened.verified}
    log_sig = by_key.pop(log_key, None)
    if log_sig is None:
        raise SignatureError(
            f"checkpoint is not signed by the log key {log_key[0]}+{log_key[1]:08x}"
        )
    cp = Checkpoint.from_text(opened.text)
    want = log_verifier.name if origin is None else origin
    if cp.origin != want:
        raise SignatureError(f"checkpoint origin {cp.origin!r} is not the expected {want!r}")
    cosigs = []
    for v in cosigners:
        sig = by_key.get((v.name, v.key_id))
        if sig is not None:
            ts = v.timestamp(sig.signature) if isinstance(v, TimestampedVerifier) else 0
            cosigs.append((sig, ts))
    return SignedCheckpoint(
        checkpoint=cp,
        note=opened.note,
        raw=data,
        log_signature=log_sig,
        cosignatures=tuple(cosigs),
    )
