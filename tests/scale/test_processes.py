"""Two and three API processes on one PostgreSQL database, over HTTP on loopback.

Each test ends with the log's own checks (no gap, no duplicate, every
acknowledged entry where it was acknowledged, every checkpoint consistent with
the one before, a full audit) and the service's (every act once, every
evidence chain linear, one-time evidence once).
"""

from __future__ import annotations

import base64
import itertools
import json
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2
import pytest

from depositary.demo.replay import signed_inbox_request
from depositary.encoding.tlog_proof import verify_tlog_proof
from tests.scale.checks import (
    backends_of,
    check_chains,
    check_log,
    log_verifier,
    writer_lock_holder,
)
from tests.scale.cluster import CASE_ACTS, Cluster, Server, admit_all, talks_acts

CLIENTS_PER_SERVER = 3


def submit_all(
    cluster: Cluster, servers: list[Server], acts: list[tuple[str, bytes]]
) -> dict[int, bytes]:
    """Submit ``acts`` spread over ``servers`` at once; check every receipt; return the acks."""
    verifier = log_verifier(cluster.data_dir)
    acks: dict[int, bytes] = {}
    lock = threading.Lock()

    def one(n: int) -> None:
        act_id, data = acts[n]
        with httpx2.Client(base_url=servers[n % len(servers)].url, timeout=60.0) as c:
            r = c.post(CASE_ACTS, content=data)
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["act_id"] == act_id
        verify_tlog_proof(body["receipt"].encode(), entry=data, log_verifier=verifier)
        with lock:
            acks[body["index"]] = data

    with ThreadPoolExecutor(CLIENTS_PER_SERVER * len(servers)) as pool:
        list(pool.map(one, range(len(acts))))
    return acks


@pytest.mark.parametrize("processes", [2, 3])
def test_processes_accept_submissions_at_once(
    cluster: Cluster, pg_url: str, processes: int
) -> None:
    servers = [cluster.start(f"api{i}") for i in range(processes)]
    cluster.wait_ready()
    admit_all(servers[0].url)
    acks = submit_all(cluster, servers, talks_acts(f"p{processes}", 30 * processes))
    assert len(acks) == 30 * processes

    # the same act to every process at once: exactly one records it
    ((_, data),) = talks_acts(f"same{processes}", 1)
    barrier = threading.Barrier(processes)

    def post(s: Server) -> int:
        with httpx2.Client(base_url=s.url, timeout=60.0) as c:
            barrier.wait()
            return c.post(CASE_ACTS, content=data).status_code

    with ThreadPoolExecutor(processes) as pool:
        codes = sorted(pool.map(post, servers))
    assert codes == [201] + [409] * (processes - 1)

    # the same party pulls its inbox from every process at once: one retrieval each
    def pull(s: Server) -> int:
        req = signed_inbox_request("us", "us-secretary-of-state", _now())
        with httpx2.Client(base_url=s.url, timeout=120.0) as c:
            barrier.wait()
            return c.post("/v1/inbox", content=req).status_code

    with ThreadPoolExecutor(processes) as pool:
        assert set(pool.map(pull, servers)) == {200}
    cluster.close()  # the schedulers would go on recording the talks' overdue replies
    check_log(pg_url, log_verifier(cluster.data_dir), acks)
    chains = check_chains(pg_url, cluster.data_dir)
    retrieved = [e for c in chains.values() for e in c if e.kind.value == "retrieved"]
    assert len(retrieved) == len(acks) + 1


def _now():  # type: ignore[no-untyped-def]
    from depositary.clock import SystemClock

    return SystemClock().now()


def _load(servers: list[Server], acts: list[tuple[str, bytes]], stop: threading.Event,
          acks: dict[int, bytes], codes: list[int]) -> None:  # fmt: skip
    """Submit acts round robin until told to stop; record what was acknowledged."""
    n = 0
    clients = {s.name: httpx2.Client(base_url=s.url, timeout=60.0) for s in servers}
    try:
        while not stop.is_set() and n < len(acts):
            s = servers[n % len(servers)]
            _, data = acts[n]
            n += 1
            try:
                r = clients[s.name].post(CASE_ACTS, content=data)
            except httpx2.HTTPError:
                codes.append(-1)
                continue
            codes.append(r.status_code)
            if r.status_code == 201:
                acks[r.json()["index"]] = data
    finally:
        for c in clients.values():
            c.close()


def test_sigkill_of_the_lock_holder_mid_batch(cluster: Cluster, pg_url: str) -> None:
    servers = [cluster.start(f"api{i}") for i in range(3)]
    cluster.wait_ready()
    admit_all(servers[0].url)
    acts = talks_acts("kill", 600)
    stop = threading.Event()
    acks: dict[int, bytes] = {}
    codes: list[int] = []
    threads = [
        threading.Thread(target=_load, args=(servers, acts[i::4], stop, acks, codes))
        for i in range(4)
    ]
    for t in threads:
        t.start()
    try:
        victim = None
        owners: dict[int, Server] = {}
        deadline = time.monotonic() + 30
        for n in itertools.count():
            assert time.monotonic() < deadline, "no server was seen holding the writer lock"
            if n % 50 == 0:  # pooled connections live long: map them now and then
                owners = {b: s for s in servers for b in backends_of(pg_url, s.pid())}
            holder = writer_lock_holder(pg_url)
            if holder in owners and len(acks) > 20:
                victim = owners[holder]
                break
        cluster.kill(victim, signal.SIGKILL)  # a moment after seeing it hold the lock
        killed_at, before = time.monotonic(), len(acks)
        while len(acks) < before + 30 and time.monotonic() < killed_at + 30:
            time.sleep(0.05)
        assert len(acks) >= before + 30, "the survivors did not take over"
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    survivors = [s for s in servers if s is not victim]
    more = submit_all(cluster, survivors, talks_acts("after-kill", 20))
    cluster.close()
    check_log(pg_url, log_verifier(cluster.data_dir), {**acks, **more})
    check_chains(pg_url, cluster.data_dir)


def test_a_process_that_loses_its_connections_recovers(cluster: Cluster, pg_url: str) -> None:
    import psycopg

    from tests.pg_cluster import plain_url

    a, b = cluster.start("a"), cluster.start("b")
    cluster.wait_ready()
    admit_all(a.url)
    acks = submit_all(cluster, [a, b], talks_acts("before", 20))
    backends = backends_of(pg_url, a.pid())
    assert backends, "process a has no database connection"
    with psycopg.connect(plain_url(pg_url), autocommit=True) as conn:
        for pid in backends:
            conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
    # the next requests may fail while the pool notices; then a works again
    recovered = False
    for _, data in talks_acts("after", 40):
        with httpx2.Client(base_url=a.url, timeout=60.0) as c:
            r = c.post(CASE_ACTS, content=data)
        assert r.status_code in (201, 503), r.text
        if r.status_code == 201:
            acks[r.json()["index"]] = data
            recovered = True
            break
    assert recovered, "process a did not recover from losing its connections"
    acks |= submit_all(cluster, [a, b], talks_acts("again", 20))
    cluster.close()
    check_log(pg_url, log_verifier(cluster.data_dir), acks)
    check_chains(pg_url, cluster.data_dir)


def test_processes_with_prepare_workers(pg_url: str, tmp_path: Path) -> None:
    """Two API processes, each checking submissions on a worker process of its own:
    acts are recorded once with valid receipts, a replay to both at once is recorded
    once, and a forged act is refused over HTTP with nothing recorded."""
    with Cluster(tmp_path, pg_url, prepare_workers="1") as cluster:
        servers = [cluster.start(f"api{i}", SCALE_WORKERS="0") for i in range(2)]
        cluster.wait_ready()
        admit_all(servers[0].url)
        acks = submit_all(cluster, servers, talks_acts("pw", 40))
        ((_, data),) = talks_acts("pw-same", 1)
        barrier = threading.Barrier(2)

        def post(s: Server, body: bytes = data) -> int:
            with httpx2.Client(base_url=s.url, timeout=60.0) as c:
                barrier.wait()
                return c.post(CASE_ACTS, content=body).status_code

        with ThreadPoolExecutor(2) as pool:
            assert sorted(pool.map(post, servers)) == [201, 409]
        ((_, other),) = talks_acts("pw-forged", 1)
        doc = json.loads(other)
        doc["signatures"][0]["signature"] = base64.b64encode(bytes(64)).decode()
        forged = json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()
        with httpx2.Client(base_url=servers[1].url, timeout=60.0) as c:
            r = c.post(CASE_ACTS, content=forged)
        assert r.status_code == 401, r.text
        cluster.close()
    check_log(pg_url, log_verifier(cluster.data_dir), acks)
    chains = check_chains(pg_url, cluster.data_dir)
    assert "pw-forged" not in chains
    assert sum(1 for a in chains if a.startswith("pw-")) == 41
