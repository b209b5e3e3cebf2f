"""Webhook receivers on loopback: a party's endpoint that checks every delivery it gets.

Each delivery's signature is verified against the depositary's key with
``records.delivery.open_delivery`` before it is kept; a delivery that does not
verify is answered 401 (so the depositary retries, and its evidence says so).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from depositary.errors import DepositaryError
from depositary.records.delivery import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, open_delivery

MAX_BODY = 1 << 20


@dataclass(frozen=True, slots=True, kw_only=True)
class Received:
    """One delivery a receiver accepted: what it was, and that its signature verified."""

    act_id: str
    addressee: str
    log_index: int
    idempotency_key: str


class WebhookReceiver:
    """A party's endpoint on 127.0.0.1 (port chosen by the system)."""

    def __init__(self, party: str, depositary_key: bytes) -> None:
        self.party = party
        self.received: list[Received] = []
        self.rejected = 0
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if not 0 < length <= MAX_BODY:
                    self._answer(413, b"too large")
                    return
                body = self.rfile.read(length)
                try:
                    data = open_delivery(
                        body, self.headers.get(SIGNATURE_HEADER, ""), depositary_key
                    )
                except DepositaryError:
                    with outer._lock:
                        outer.rejected += 1
                    self._answer(401, b"signature does not verify")
                    return
                outer._keep(data, self.headers.get(IDEMPOTENCY_HEADER, ""))
                self._answer(200, b"ok")

            def _answer(self, status: int, text: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"receiver-{party}", daemon=True
        )
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/{party}/inbox"

    def _keep(self, data: dict[str, Any], idempotency_key: str) -> None:
        with self._lock:
            if any(r.idempotency_key == idempotency_key for r in self.received):
                return  # a retry of something already kept
            self.received.append(
                Received(
                    act_id=str(data.get("act_id")),
                    addressee=str(data.get("addressee")),
                    log_index=int(data.get("log_index", -1)),
                    idempotency_key=idempotency_key,
                )
            )

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
