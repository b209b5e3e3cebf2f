"""c2sp.org/tlog-witness bodies: the add-checkpoint request, the 409 size, the cosignatures.

Request::

    old <decimal>\\n
    <base64 hash>\\n            (0 to 63 consistency proof lines)
    \\n
    <signed checkpoint note>

A 409 answer is ``<decimal>\\n`` with Content-Type ``text/x.tlog.size``; a 200
answer is one or more note signature lines. Pure code: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from depositary.encoding.b64 import decode as decode_base64
from depositary.encoding.b64 import encode as encode_base64
from depositary.encoding.checkpoint import HASH_SIZE, Checkpoint, parse_decimal
from depositary.encoding.note import (
    MAX_NOTE_SIZE,
    MAX_SIGNATURES,
    Note,
    NoteSignature,
)
from depositary.errors import DecodeError, ValidationError

PATH = "/add-checkpoint"
SIZE_CONTENT_TYPE = "text/x.tlog.size"
MAX_PROOF_LINES = 63
MAX_REQUEST_SIZE = MAX_NOTE_SIZE + 64 * (MAX_PROOF_LINES + 1)
"""Largest add-checkpoint body accepted (a note plus the header lines)."""
MAX_RESPONSE_SIZE = 64 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class AddCheckpoint:
    """An add-checkpoint request: old size, consistency proof, signed checkpoint note."""

    old_size: int
    proof: tuple[bytes, ...]
    note: bytes

    def __post_init__(self) -> None:
        if self.old_size < 0:
            raise ValidationError(f"old size {self.old_size} is negative")
        if len(self.proof) > MAX_PROOF_LINES:
            raise ValidationError(f"proof has {len(self.proof)} lines, over {MAX_PROOF_LINES}")
        for i, h in enumerate(self.proof):
            if len(h) != HASH_SIZE:
                raise ValidationError(f"proof hash {i} is {len(h)} bytes, not {HASH_SIZE}")

    def checkpoint(self) -> Checkpoint:
        """Parse the checkpoint text of the note (signatures are not checked here).

        Raises:
            DecodeError: the note or its checkpoint text is malformed.
        """
        return Checkpoint.from_text(Note.from_bytes(self.note).text.encode("utf-8"))

    def to_bytes(self) -> bytes:
        """Return the request body."""
        head = f"old {self.old_size}\n" + "".join(encode_base64(h) + "\n" for h in self.proof)
        return head.encode("ascii") + b"\n" + self.note

    @classmethod
    def from_bytes(cls, body: bytes) -> AddCheckpoint:
        """Parse a request body strictly; the note is parsed but nothing is verified.

        Raises:
            DecodeError: the body is not a well-formed add-checkpoint request.
        """
        if len(body) > MAX_REQUEST_SIZE:
            raise DecodeError(f"request is {len(body)} bytes, over {MAX_REQUEST_SIZE}")
        split = body.find(b"\n\n")
        if split < 0:
            raise DecodeError("request has no empty line before the checkpoint")
        try:
            head = body[:split].decode("ascii")
        except UnicodeDecodeError as e:
            raise DecodeError("request header lines are not ASCII") from e
        lines = head.split("\n")
        if not lines[0].startswith("old "):
            raise DecodeError(f"request does not start with an old size line: {lines[0][:40]!r}")
        old = parse_decimal(lines[0][len("old ") :], "old size")
        if len(lines) - 1 > MAX_PROOF_LINES:
            raise DecodeError(f"request has {len(lines) - 1} proof lines, over {MAX_PROOF_LINES}")
        proof = []
        for i, line in enumerate(lines[1:]):
            h = decode_base64(line, f"proof line {i}")
            if len(h) != HASH_SIZE:
                raise DecodeError(f"proof line {i} is {len(h)} bytes, not {HASH_SIZE}")
            proof.append(h)
        request = cls(old_size=old, proof=tuple(proof), note=body[split + 2 :])
        request.checkpoint()
        return request


def format_size(size: int) -> bytes:
    """Return a ``text/x.tlog.size`` body: the decimal size and a newline."""
    if size < 0:
        raise ValidationError(f"tree size {size} is negative")
    return b"%d\n" % size


def parse_size(body: bytes) -> int:
    """Parse a ``text/x.tlog.size`` body.

    Raises:
        DecodeError: not a decimal size followed by one newline.
    """
    if not body.endswith(b"\n") or len(body) > 22:
        raise DecodeError(f"tree size body is not one decimal line: {body[:40]!r}")
    try:
        text = body[:-1].decode("ascii")
    except UnicodeDecodeError as e:
        raise DecodeError("tree size body is not ASCII") from e
    return parse_decimal(text, "tree size")


def format_cosignatures(signatures: Sequence[NoteSignature]) -> bytes:
    """Return a 200 body: one signature line per signature.

    Raises:
        ValidationError: no signatures.
    """
    if not signatures:
        raise ValidationError("a cosignature response has at least one line")
    return "".join(s.to_line() for s in signatures).encode("utf-8")


def parse_cosignatures(body: bytes) -> tuple[NoteSignature, ...]:
    """Parse a 200 body into its signature lines (nothing is verified here).

    Raises:
        DecodeError: empty, too long, not UTF-8, or a line is not a signature line.
    """
    if len(body) > MAX_RESPONSE_SIZE:
        raise DecodeError(f"cosignature response is {len(body)} bytes, over {MAX_RESPONSE_SIZE}")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DecodeError("cosignature response is not UTF-8") from e
    if not text.endswith("\n"):
        raise DecodeError("cosignature response is empty or lacks a final newline")
    lines = text[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise DecodeError(f"cosignature response has {len(lines)} lines, over {MAX_SIGNATURES}")
    return tuple(NoteSignature.from_line(line) for line in lines)
