"""``depositary serve`` as the scale tests and the benchmark run it (``-m tests.scale.server``).

Settings come from ``DEPOSITARY_*`` variables exactly as ``depositary serve``
reads them. Two more, for tests only: ``SCALE_NOW`` (an ISO instant) fixes the
clock, so deadlines and retries are due at once; ``SCALE_GO`` names a file whose
appearance starts the scheduler and delivery workers, so that several
processes start them at the same moment (``SCALE_WORKERS=0``: never).
"""

from __future__ import annotations

import os
import threading
import time
from datetime import datetime
from pathlib import Path

import uvicorn

from depositary.cli.commands.serve import exit_cleanly_on_sigterm
from depositary.clock import Clock, ManualClock, SystemClock
from depositary.config import load_settings
from depositary.http.app import create_app
from depositary.service.instance import Instance, open_instance


def _start_workers(instance: Instance, go: str) -> None:
    if go:
        while not Path(go).exists():
            time.sleep(0.01)
    instance.start_workers()


def main() -> None:
    settings = load_settings()
    now = os.environ.get("SCALE_NOW")
    clock: Clock = ManualClock(datetime.fromisoformat(now)) if now else SystemClock()
    instance = open_instance(settings, clock=clock)
    exit_cleanly_on_sigterm()
    try:
        if os.environ.get("SCALE_WORKERS", "1") == "1":
            go = os.environ.get("SCALE_GO", "")
            threading.Thread(target=_start_workers, args=(instance, go), daemon=True).start()
        else:
            instance.publisher.start()
        app = create_app(instance)
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning",
                    server_header=False, access_log=False)  # fmt: skip
    finally:
        instance.close()


if __name__ == "__main__":
    main()
