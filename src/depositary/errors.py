"""The one error tree of depositary.

Every error raised on purpose by depositary derives from ``DepositaryError``;
foreign exceptions (sqlite3, SQLAlchemy, binascii, nacl) are wrapped where they
enter, with ``raise ... from``::

    DepositaryError
    ├── DecodeError            bytes or text that do not parse (note, checkpoint, proof, act)
    ├── ValidationError        parsed, but breaks a rule (size limit, schema, vote tally)
    ├── VerificationError      a cryptographic check failed
    │   ├── SignatureError     no trusted signature verifies, or a known key's fails
    │   ├── ProofError         an inclusion or consistency proof does not verify
    │   ├── AuthorityError     a signer lacks authority for an act (with a reason code)
    │   └── SplitViewError     a log showed two histories (both checkpoints kept)
    ├── StorageError           the store failed or holds something impossible
    │   ├── NotFound           the thing asked for does not exist
    │   ├── ConflictError      a compare-and-swap lost, or a duplicate key
    │   └── CorruptionError    stored data contradicts itself (a hash, a row)
    └── ConfigError            a bad setting, path or key file
"""

from __future__ import annotations


class DepositaryError(Exception):
    """Root of every error depositary raises on purpose."""


class DecodeError(DepositaryError):
    """Input could not be parsed."""


class ValidationError(DepositaryError):
    """Input parsed but breaks a rule."""


class VerificationError(DepositaryError):
    """A cryptographic check failed."""


class SignatureError(VerificationError):
    """A signature did not verify, or no trusted signature was found."""


class ProofError(VerificationError):
    """A Merkle inclusion or consistency proof did not verify."""


class AuthorityError(VerificationError):
    """A signer has no authority for an act; ``reason`` says exactly why.

    ``recorded_at`` is the log index of the rejection's evidence, when the
    depositary recorded it (an act from a registered key).
    """

    def __init__(self, reason: str, message: str, *, recorded_at: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.recorded_at = recorded_at


class SplitViewError(VerificationError):
    """The log published a checkpoint that contradicts one it published before."""

    def __init__(self, message: str, *, seen: bytes, new: bytes) -> None:
        super().__init__(message)
        self.seen = seen
        self.new = new

    def evidence(self) -> str:
        """Both signed checkpoints, verbatim, for a human and for a bug report."""
        return (
            "--- checkpoint seen before ---\n"
            + self.seen.decode("utf-8", "replace")
            + "--- checkpoint published now ---\n"
            + self.new.decode("utf-8", "replace")
        )


class StorageError(DepositaryError):
    """The store failed."""


class NotFound(StorageError):  # noqa: N818 - the name says what it is
    """The requested item does not exist."""


class ConflictError(StorageError):
    """A compare-and-swap lost, or a write conflicts with what is stored."""


class CorruptionError(StorageError):
    """Stored data contradicts itself."""


class ConfigError(DepositaryError):
    """A setting, path or key file is unusable."""
