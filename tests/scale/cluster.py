"""Several depositary API processes on one database, for the scale tests and the benchmark."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import httpx2

from depositary.acts.envelope import sign_act
from depositary.demo.iraq2020 import CASE, ORIGIN, PARTIES, admission, demo_signer, steps
from depositary.service.instance import init_data_dir

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "scale-operator-token"
OPERATOR = {"Authorization": f"Bearer {TOKEN}"}
READY_WAIT = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    name: str
    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def pid(self) -> int:
        return self.proc.pid


class Cluster:
    """API processes sharing ``store_url`` and the keys in one data directory."""

    def __init__(self, tmp: Path, store_url: str, **settings: str) -> None:
        self.tmp = tmp
        self.data_dir = tmp / "keys"
        if not (self.data_dir / "log.key").exists():
            init_data_dir(self.data_dir, ORIGIN)
        self.store_url = store_url
        self.settings = {"batch_period": "0.005", **settings}
        self.servers: list[Server] = []

    def start(self, name: str, **extra_env: str) -> Server:
        port = free_port()
        env = {
            **os.environ, "PYTHONPATH": str(ROOT),
            "DEPOSITARY_DATA_DIR": str(self.data_dir), "DEPOSITARY_ORIGIN": ORIGIN,
            "DEPOSITARY_STORE_URL": self.store_url, "DEPOSITARY_PORT": str(port),
            "DEPOSITARY_HOST": "127.0.0.1", "DEPOSITARY_OPERATOR_TOKEN": TOKEN,
            "DEPOSITARY_RATE_PER_ADDRESS": "1000000", "DEPOSITARY_RATE_PER_KEY": "1000000",
            "DEPOSITARY_RATE_BURST": "1000000",
            **{f"DEPOSITARY_{k.upper()}": v for k, v in self.settings.items()},
            **extra_env,
        }  # fmt: skip
        log = self.tmp / f"server-{name}.log"
        with log.open("ab") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "tests.scale.server"], cwd=ROOT, env=env,
                stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        server = Server(name=name, url=f"http://127.0.0.1:{port}", proc=proc, log=log)
        self.servers.append(server)
        return server

    def wait_ready(self, *servers: Server) -> None:
        deadline = time.monotonic() + READY_WAIT
        for s in servers or tuple(self.servers):
            while True:
                if s.proc.poll() is not None:
                    raise AssertionError(f"{s.name} exited: {s.log.read_text()[-3000:]}")
                try:
                    if httpx2.get(s.url + "/v1/log", timeout=2.0).status_code in (200, 404):
                        break
                except httpx2.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError(f"{s.name} did not start: {s.log.read_text()[-3000:]}")
                time.sleep(0.05)

    def kill(self, server: Server, sig: int = signal.SIGKILL) -> None:
        if server.proc.poll() is None:
            server.proc.send_signal(sig)
        server.proc.wait(timeout=30)

    def close(self) -> None:
        for s in self.servers:
            if s.proc.poll() is None:
                s.proc.terminate()
        for s in self.servers:
            try:
                s.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                s.proc.kill()
                s.proc.wait(timeout=15)

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def admit_all(url: str, endpoints: dict[str, tuple[str, ...]] | None = None) -> None:
    """Admit the demo parties and register the demo case through one server."""
    with httpx2.Client(base_url=url, timeout=60.0) as c:
        for party_id in PARTIES:
            body = json.dumps(admission(party_id, (endpoints or {}).get(party_id, ())).to_dict())
            r = c.post("/v1/parties", content=body, headers=OPERATOR)
            assert r.status_code == 201, r.text
        r = c.post("/v1/cases", content=json.dumps(CASE.to_dict()), headers=OPERATOR)
        assert r.status_code == 201, r.text


def talks_acts(tag: str, count: int) -> list[tuple[str, bytes]]:
    """``count`` fresh signed requests for talks (the demo's, renamed, made now)."""
    from depositary.clock import SystemClock

    step = next(s for s in steps() if s.act and s.act.kind.value == "request_for_talks")
    assert step.act is not None
    signers = [demo_signer(h) for h in step.signers]
    now = SystemClock().now()
    out = []
    for i in range(count):
        act = replace(step.act, act_id=f"{tag}-{i}", made_at=now)
        out.append((act.act_id, sign_act(act, signers).to_bytes()))
    return out


CASE_ACTS = f"/v1/cases/{CASE.case_id}/acts"
