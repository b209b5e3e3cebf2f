"""Requests a party signs to prove it is asking: pulling its inbox.

A request carries the party, the key's time and a random nonce; the service
accepts it only close to its own clock and only once, so a captured request
cannot be replayed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from depositary.acts import schema
from depositary.acts.canonical import parse_json
from depositary.crypto.ed25519 import Signer
from depositary.errors import DecodeError
from depositary.records.signed import Signed, sign

REQUEST_PREFIX = b"depositary/request/v1\n"
SIGNED_REQUEST = "depositary/signed-request"


@dataclass(frozen=True, slots=True, kw_only=True)
class InboxRequest:
    """``party`` asks for the acts addressed to it."""

    party: str
    at: datetime
    nonce: str

    def __post_init__(self) -> None:
        schema.check_ident(self.party, "request.party")
        schema.check_instant(self.at, "request.at")
        if not (16 <= len(self.nonce) <= 64) or not self.nonce.isalnum():
            raise DecodeError("request.nonce: 16 to 64 letters and digits")

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": "inbox",
            "party": self.party,
            "at": schema.format_instant(self.at),
            "nonce": self.nonce,
        }

    @classmethod
    def from_dict(cls, data: object) -> InboxRequest:
        w = "request"
        d = schema.fields(data, w, required=("action", "party", "at", "nonce"))
        if d["action"] != "inbox":
            raise DecodeError(f"{w}.action: expected 'inbox'")
        nonce = d["nonce"]
        if not isinstance(nonce, str):
            raise DecodeError(f"{w}.nonce: expected a string")
        return cls(party=schema.ident(d, "party", w), at=schema.instant(d, "at", w), nonce=nonce)


def sign_request(request: InboxRequest, signer: Signer) -> Signed:
    return sign(SIGNED_REQUEST, REQUEST_PREFIX, request.to_dict(), signer)


def open_request(data: bytes) -> tuple[InboxRequest, bytes]:
    """Parse and verify a signed request; return it with the signing key.

    The caller decides whether that key may speak for ``request.party``.

    Raises:
        DecodeError, ValidationError: malformed or small-order key.
        SignatureError: the signature fails.
    """
    signed = Signed.from_bytes(data, expected_type=SIGNED_REQUEST)
    signed.verify(REQUEST_PREFIX)
    return InboxRequest.from_dict(parse_json(signed.payload, "request")), signed.public_key
