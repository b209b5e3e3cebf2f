"""A witness: its cosigning key, its state and a clock, answering add-checkpoint requests.

A witness kept in a directory::

    DIR/witness.key      the cosignature/v1 key (PRIVATE+KEY+name+id+base64(0x04 || seed)), 0600
    DIR/witness.sqlite   known logs, latest cosigned checkpoints, evidence (WAL)
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from depositary.clock import Clock, SystemClock, to_millis
from depositary.encoding.cosignature import CosignatureVerifier, Cosigner
from depositary.errors import ConfigError, ConflictError, DecodeError, ValidationError
from depositary.witness.core import Answer, Authenticated, authenticate, check, cosign, reject
from depositary.witness.state import Evidence, WitnessState

KEY_FILE = "witness.key"
DB_FILE = "witness.sqlite"
MAX_ATTEMPTS = 32

log = logging.getLogger("depositary.witness")


class Witness:
    """Answers add-checkpoint requests; safe to call from many threads at once."""

    def __init__(self, *, cosigner: Cosigner, state: WitnessState, clock: Clock) -> None:
        self.cosigner = cosigner
        self.state = state
        self.clock = clock

    @property
    def verifier(self) -> CosignatureVerifier:
        return self.cosigner.verifier()

    def add_checkpoint(self, body: bytes) -> Answer:
        """Decide on one request; a 200 answer is given only after the new state is durable."""
        auth = authenticate(body, self.state.logs())
        if isinstance(auth, Answer):
            return self._log(auth)
        for _ in range(MAX_ATTEMPTS):
            latest = self.state.latest(auth.checkpoint.origin)
            decided = check(auth, latest)
            if isinstance(decided, Answer):
                if decided.evidence:
                    self._keep(auth, decided, None if latest is None else latest.note)
                return self._log(decided)
            now = self.clock.now()
            try:
                self.state.replace(latest, decided, now_ms=to_millis(now))
            except ConflictError:
                continue  # another request moved the record: decide again against it
            return self._log(cosign([self.cosigner], decided, int(now.timestamp())))
        return self._log(reject(503, "too many concurrent updates for this log; retry"))

    def _keep(self, auth: Authenticated, answer: Answer, cosigned: bytes | None) -> None:
        self.state.add_evidence(
            Evidence(
                origin=auth.checkpoint.origin,
                received_ms=to_millis(self.clock.now()),
                reason=answer.reason,
                request=auth.request.to_bytes(),
                cosigned=cosigned,
            )
        )

    @staticmethod
    def _log(answer: Answer) -> Answer:
        level = logging.WARNING if answer.evidence else logging.INFO
        log.log(level, "add-checkpoint %d: %s", answer.status, answer.reason)
        return answer


def _write_secret(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text + "\n")
        f.flush()
        os.fsync(f.fileno())


class WitnessDir:
    """A witness kept in a directory."""

    def __init__(self, path: Path, *, clock: Clock | None = None) -> None:
        key_path = path / KEY_FILE
        if not key_path.exists() or not (path / DB_FILE).exists():
            raise ConfigError(f"{path} is not a witness directory: run 'depositary witness init'")
        try:
            cosigner = Cosigner.from_skey(key_path.read_text(encoding="utf-8").strip())
        except (DecodeError, ValidationError) as e:
            raise ConfigError(f"{key_path} does not hold a witness key: {e}") from e
        except OSError as e:
            raise ConfigError(f"cannot read {key_path}: {e}") from e
        self.path = path
        self.state = WitnessState(str(path / DB_FILE))
        self.witness = Witness(cosigner=cosigner, state=self.state, clock=clock or SystemClock())

    @classmethod
    def create(cls, path: Path, name: str, *, clock: Clock | None = None) -> WitnessDir:
        """Create a witness named ``name`` with a fresh key.

        Raises:
            ConfigError: the directory already holds a witness.
            ValidationError: ``name`` is not a valid key name.
        """
        cosigner = Cosigner.generate(name)
        path.mkdir(parents=True, exist_ok=True)
        if (path / KEY_FILE).exists() or (path / DB_FILE).exists():
            raise ConfigError(f"{path} already holds a witness")
        _write_secret(path / KEY_FILE, cosigner.to_skey())
        WitnessState(str(path / DB_FILE)).close()
        return cls(path, clock=clock)

    @property
    def vkey(self) -> str:
        return self.witness.verifier.to_vkey()

    def close(self) -> None:
        self.state.close()

    def __enter__(self) -> WitnessDir:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
