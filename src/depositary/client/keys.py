"""Key files: a party's Ed25519 private key, kept on its own machine.

``depositary keygen`` writes the private key with mode 0600 and refuses to
overwrite an existing file; the public key goes to the screen and to ``FILE.pub``
so the operator can admit it. Signing reads the file locally; the key is never
printed and never sent. The format is one line of text::

    # depositary private key (Ed25519); keep it secret
    ed25519-seed:<base64 of the 32-byte seed>
"""

from __future__ import annotations

import base64
import binascii
import os
import stat
from pathlib import Path

from depositary.crypto.ed25519 import SEED_SIZE, Signer, generate_seed
from depositary.errors import ConfigError

SEED_TAG = "ed25519-seed:"
HEADER = "# depositary private key (Ed25519); keep it secret: it never leaves this machine"


def public_key_text(signer: Signer) -> str:
    """The base64 public key, as admissions and envelopes write it."""
    return base64.b64encode(signer.public_key).decode()


def write_key(path: Path, signer: Signer | None = None) -> Signer:
    """Write a new private key file (0600; never overwrites) and ``path.pub``.

    Raises:
        ConfigError: the file exists or cannot be written.
    """
    signer = signer or Signer(generate_seed())
    seed = base64.b64encode(signer.seed()).decode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as e:
        raise ConfigError(f"{path} already exists: a key file is never overwritten") from e
    except OSError as e:
        raise ConfigError(f"cannot create key file {path}: {e}") from e
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(f"{HEADER}\n{SEED_TAG}{seed}\n")
        f.flush()
        os.fsync(f.fileno())
    pub = path.with_name(path.name + ".pub")
    try:
        pub.write_text(public_key_text(signer) + "\n", encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"cannot write public key file {pub}: {e}") from e
    return signer


def read_key(path: Path) -> Signer:
    """Load a private key file written by ``write_key``.

    Raises:
        ConfigError: missing, readable by others, or not a key file.
    """
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise ConfigError(
            f"key file {path} does not exist (make one with depositary keygen)"
        ) from e
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read key file {path}: {e}") from e
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"key file {path} is readable by others: chmod 600 {path}")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    if len(lines) != 1 or not lines[0].startswith(SEED_TAG):
        raise ConfigError(f"{path} is not a depositary key file (expected one {SEED_TAG} line)")
    try:
        seed = base64.b64decode(lines[0][len(SEED_TAG) :], validate=True)
    except (binascii.Error, ValueError) as e:
        raise ConfigError(f"{path}: the seed is not base64") from e
    if len(seed) != SEED_SIZE:
        raise ConfigError(f"{path}: the seed must be {SEED_SIZE} bytes, got {len(seed)}")
    return Signer(seed)
