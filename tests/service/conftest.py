"""A depositary instance on a simulated clock, and webhook receivers on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from depositary.clock import ManualClock
from depositary.config import Settings
from depositary.demo.iraq2020 import ORIGIN, at
from depositary.service.instance import Instance, init_data_dir, open_instance


class Receiver:
    """A party's webhook endpoint that records what it was sent."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append((dict(self.headers), body))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/inbox"

    def bodies(self) -> list[dict[str, object]]:
        return [json.loads(b) for _, b in self.received]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def receivers() -> Iterator[dict[str, Receiver]]:
    rs = {"us": Receiver(), "ir": Receiver(), "iq": Receiver()}
    yield rs
    for r in rs.values():
        r.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(at("2020-01-01T00:00"))


def make_instance(data_dir: Path, clock: ManualClock) -> Instance:
    settings = Settings(data_dir=data_dir, origin=ORIGIN, batch_period=0.005,
                        delivery_attempts=3, delivery_backoff=60.0)  # fmt: skip
    if not (data_dir / "log.key").exists():
        init_data_dir(data_dir, ORIGIN)
    return open_instance(settings, clock=clock)


@pytest.fixture
def instance(tmp_path: Path, clock: ManualClock) -> Iterator[Instance]:
    inst = make_instance(tmp_path / "dep", clock)
    yield inst
    inst.close()
