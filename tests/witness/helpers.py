"""Small logs, witnesses and a real uvicorn server on loopback, for the witness tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import uvicorn

from depositary.clock import ManualClock
from depositary.encoding.checkpoint import Checkpoint, sign_checkpoint
from depositary.encoding.cosignature import Cosigner
from depositary.encoding.note import (
    Note,
    NoteSigner,
)
from depositary.log.reader import LogView
from depositary.log.sequencer import Sequencer
from depositary.storage.memory import MemoryStore
from depositary.witness.protocol import AddCheckpoint
from depositary.witness.server import create_app
from depositary.witness.service import Witness
from depositary.witness.state import WitnessState

ORIGIN = "test.depositary.example/log"
START = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


class MiniLog:
    """A log in memory; two MiniLogs with one signer make a forked (equivocating) log."""

    def __init__(self, signer: NoteSigner, clock: ManualClock) -> None:
        self.signer = signer
        self.store = MemoryStore()
        self.view = LogView(self.store)
        self.seq = Sequencer(store=self.store, signer=signer, clock=clock)

    def append(self, *entries: bytes) -> bytes:
        """Append entries; return the new signed checkpoint note."""
        self.seq.append_batch(list(entries))
        return self.view.checkpoint().note

    def request(self, old: int, note: bytes | None = None) -> bytes:
        """An add-checkpoint body for ``note`` (default: latest) from size ``old``."""
        note = self.view.checkpoint().note if note is None else note
        cp = Checkpoint.from_text(Note.from_bytes(note).text.encode())
        proof = self.view.consistency_proof(old, cp.size) if 0 < old < cp.size else []
        return AddCheckpoint(old_size=old, proof=tuple(proof), note=note).to_bytes()


def entries(n: int, prefix: str = "act") -> list[bytes]:
    return [f"{prefix} {i}".encode() for i in range(n)]


def signed_empty(signer: NoteSigner, root: bytes | None = None) -> bytes:
    """A signed checkpoint of size 0 (with the empty root unless ``root`` is given)."""
    from depositary.merkle.hashing import EMPTY_ROOT

    cp = Checkpoint(origin=signer.name, size=0, root_hash=EMPTY_ROOT if root is None else root)
    return sign_checkpoint(cp, signer)


@dataclass
class WitnessFixture:
    witness: Witness
    state: WitnessState
    cosigner: Cosigner
    clock: ManualClock


def make_witness(
    tmp: Path, name: str = "witness.example/w1", *, logs: tuple[NoteSigner, ...] = ()
) -> WitnessFixture:
    clock = ManualClock(START)
    cosigner = Cosigner.generate(name)
    state = WitnessState(str(tmp / f"{name.replace('/', '_')}.sqlite"))
    for s in logs:
        state.add_log(s.name, [s.verifier().to_vkey()])
    return WitnessFixture(
        witness=Witness(cosigner=cosigner, state=state, clock=clock),
        state=state,
        cosigner=cosigner,
        clock=clock,
    )


@contextmanager
def serving(witness: Witness) -> Iterator[str]:
    """Run the witness app in uvicorn on 127.0.0.1 and a free port; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(witness),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        loop="asyncio",
        http="h11",
        ws="none",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.025)
        else:
            raise RuntimeError("uvicorn did not start within 5 seconds")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
