"""What the depositary sends to a party's endpoint, signed so the receiver can check it.

The body is canonical JSON; the depositary signs ``b"depositary/delivery/v1\\n" + body``
and sends the signature and its public key in headers. ``Idempotency-Key`` names
the (act, addressee) pair, so a receiver that sees a retry can drop it.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from depositary.acts.canonical import canonical_json, parse_json
from depositary.crypto.ed25519 import Signer, verify
from depositary.errors import DecodeError, SignatureError

DELIVERY_PREFIX = b"depositary/delivery/v1\n"
SIGNATURE_HEADER = "Depositary-Signature"
KEY_HEADER = "Depositary-Key"
IDEMPOTENCY_HEADER = "Idempotency-Key"


def delivery_body(
    *, act_id: str, addressee: str, index: int, envelope: bytes, receipt: bytes
) -> bytes:
    """The canonical body of one delivery."""
    return canonical_json(
        {
            "type": "depositary/delivery",
            "version": 1,
            "act_id": act_id,
            "addressee": addressee,
            "log_index": index,
            "envelope": base64.b64encode(envelope).decode(),
            "receipt": receipt.decode("utf-8"),
        }
    )


def sign_delivery(body: bytes, signer: Signer) -> dict[str, str]:
    """The headers that authenticate ``body``."""
    return {
        SIGNATURE_HEADER: base64.b64encode(signer.sign(DELIVERY_PREFIX + body)).decode(),
        KEY_HEADER: base64.b64encode(signer.public_key).decode(),
    }


def open_delivery(body: bytes, signature: str, depositary_key: bytes) -> dict[str, Any]:
    """Check a delivery's signature against the depositary's key and parse it.

    Raises:
        SignatureError: the signature is missing, malformed or does not verify.
        DecodeError: the body is not a delivery.
    """
    try:
        sig = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError) as e:
        raise SignatureError("delivery signature is not base64") from e
    verify(depositary_key, DELIVERY_PREFIX + body, sig)
    data = parse_json(body, "delivery")
    if not isinstance(data, dict) or data.get("type") != "depositary/delivery":
        raise DecodeError("not a depositary delivery")
    return data
