"""Ed25519 signing and strict verification.

Signing uses ``cryptography``; untrusted signatures and public keys are checked
with PyNaCl (libsodium), which rejects the small-order and non-canonical keys
that OpenSSL accepts. Verification raises; it never returns ``False``.
"""

from __future__ import annotations

import functools

import nacl.bindings
import nacl.exceptions
import nacl.signing
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from depositary.errors import SignatureError, ValidationError

PUBLIC_KEY_SIZE = 32
SEED_SIZE = 32
SIGNATURE_SIZE = 64


def generate_seed() -> bytes:
    """Return a fresh random 32-byte Ed25519 private seed."""
    key = Ed25519PrivateKey.generate()
    return key.private_bytes_raw()


class Signer:
    """An Ed25519 private key that signs messages; the seed never leaves it."""

    __slots__ = ("_key", "public_key")

    def __init__(self, seed: bytes) -> None:
        if len(seed) != SEED_SIZE:
            raise ValidationError(f"Ed25519 seed must be {SEED_SIZE} bytes, got {len(seed)}")
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.public_key: bytes = self._key.public_key().public_bytes_raw()

    def sign(self, message: bytes) -> bytes:
        """Return the 64-byte RFC 8032 signature of ``message``."""
        return self._key.sign(message)

    def seed(self) -> bytes:
        """Return the private seed, for writing a key file the owner keeps."""
        return self._key.private_bytes_raw()

    def __repr__(self) -> str:
        return f"Signer(public_key={self.public_key.hex()})"


@functools.lru_cache(maxsize=4096)
def _valid_point(public_key: bytes) -> bool:
    """libsodium's check (a multiplication by the group order, about as dear as a
    verification), remembered for the few thousand keys a depositary sees."""
    return bool(nacl.bindings.crypto_core_ed25519_is_valid_point(public_key))


def check_public_key(public_key: bytes) -> None:
    """Reject a public key that is malformed, small-order or non-canonical.

    Raises:
        ValidationError: the key is not a usable Ed25519 public key.
    """
    if len(public_key) != PUBLIC_KEY_SIZE:
        raise ValidationError(
            f"malformed key: Ed25519 public key must be {PUBLIC_KEY_SIZE} bytes, "
            f"got {len(public_key)}"
        )
    if not _valid_point(public_key):
        raise ValidationError(
            "small-order key: Ed25519 public key is small-order or not a canonical point"
        )


def verify(public_key: bytes, message: bytes, signature: bytes) -> None:
    """Verify ``signature`` over ``message`` under ``public_key``, strictly.

    Raises:
        ValidationError: the public key is malformed or small-order.
        SignatureError: the signature does not verify.
    """
    check_public_key(public_key)
    if len(signature) != SIGNATURE_SIZE:
        raise SignatureError(
            f"Ed25519 signature must be {SIGNATURE_SIZE} bytes, got {len(signature)}"
        )
    try:
        nacl.signing.VerifyKey(public_key).verify(message, signature)
    except nacl.exceptions.BadSignatureError as e:
        raise SignatureError("Ed25519 signature does not verify") from e
