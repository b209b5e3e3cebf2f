"""A real uvicorn on loopback and Debian's Chromium driven by Playwright (no downloads).

Shared by the browser tests and ``scripts/screenshots.py``. Never run
``playwright install``: Playwright is pointed at /usr/bin/chromium.
"""

from __future__ import annotations

import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from depositary.clock import ManualClock
from depositary.config import Settings
from depositary.demo.iraq2020 import ORIGIN, at, steps
from depositary.demo.replay import replay, setup
from depositary.service.instance import Instance, init_data_dir, open_instance

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def browser_available() -> bool:
    return Path(CHROMIUM).exists()


def demo_instance(data_dir: Path) -> Instance:
    """A depositary with the January 2020 case replayed on a simulated clock."""
    clock = ManualClock(at("2020-01-01T00:00"))
    settings = Settings(
        data_dir=data_dir,
        origin=ORIGIN,
        batch_period=0.005,
        delivery_attempts=1,
        delivery_backoff=60.0,
    )
    init_data_dir(data_dir, ORIGIN)
    inst = open_instance(settings, clock=clock)
    setup(inst.depositary, {})
    replay(inst.depositary, clock, steps(), delivery=inst.delivery, scheduler=inst.scheduler)
    return inst


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 at a free port; yield its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@contextmanager
def chromium() -> Iterator[Any]:
    """A fresh headless Chromium context (new profile directory each time)."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                args=CHROMIUM_ARGS,
                headless=True,
                viewport={"width": 1200, "height": 900},
            )
            try:
                yield context
            finally:
                context.close()
