"""Signed acts accepted with receipts through the service layer, without HTTP.

Each act is checked (JCS envelope, PyNaCl signature, authority as of receipt),
appended with its first evidence (submitted, circulated), indexed, and
answered with its tlog-proof receipt, on the embedded SQLite default
(synchronous=FULL). Baselines measured in the same run: the bare PyNaCl
verification rate for the same envelopes (the ceiling named in issue #4), the
signature work each act needs on its own (its check and the two evidence
signatures), and one submitter at a time (no batching to share the commit).

    .venv/bin/python bench/bench_service.py            # ~1 min
    .venv/bin/python bench/bench_service.py --quick    # seconds

The service rows submit from blocking threads (as a sync caller would), from
one asyncio loop (as the HTTP route does), and from that loop with the checks
on worker processes (``prepare_workers``).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

import nacl.signing

from depositary.acts.envelope import Envelope, sign_act
from depositary.clock import ManualClock
from depositary.config import Settings
from depositary.crypto.ed25519 import Signer, verify
from depositary.demo.iraq2020 import CASE_ID, ORIGIN, at, demo_signer, steps
from depositary.demo.replay import setup
from depositary.service.depositary import Depositary
from depositary.service.instance import init_data_dir, open_instance


def signed_acts(n: int) -> list[bytes]:
    talks = next(s for s in steps() if s.act and s.act.kind.value == "request_for_talks")
    assert talks.act is not None
    signer = demo_signer("iq-prime-minister")
    return [sign_act(replace(talks.act, act_id=f"bench-{i}"), [signer]).to_bytes()
            for i in range(n)]  # fmt: skip


def verify_rate(envelopes: list[bytes]) -> float:
    parsed = [Envelope.from_bytes(e) for e in envelopes]
    t0 = time.perf_counter()
    for env in parsed:
        s = env.signatures[0]
        nacl.signing.VerifyKey(s.public_key).verify(env.message(), s.signature)
    return len(parsed) / (time.perf_counter() - t0)


def run(
    envelopes: list[bytes], threads: int, period: float, in_flight: int = 0, workers: int = 0
) -> tuple[float, float, float]:
    """Submit every envelope: from ``threads`` blocking threads, or (``in_flight`` > 0)
    as that many concurrent asyncio submissions in one event loop."""
    data_dir = Path(tempfile.mkdtemp(prefix="bench-service-"))
    init_data_dir(data_dir, ORIGIN)
    clock = ManualClock(at("2020-01-09T21:00"))
    settings = Settings(
        data_dir=data_dir, origin=ORIGIN, batch_period=period, prepare_workers=workers
    )
    inst = open_instance(settings, clock=clock)
    try:
        dep = inst.depositary
        setup(dep, {})
        if in_flight:
            return asyncio.run(_run_async(dep, envelopes, in_flight))
        waits: list[float] = []
        lock = threading.Lock()
        todo = iter(envelopes)

        def submitter() -> None:
            while True:
                with lock:
                    env = next(todo, None)
                if env is None:
                    return
                t0 = time.perf_counter()
                sub = dep.submit(env, case_id=CASE_ID)
                assert sub.act.receipt.startswith(b"c2sp.org/tlog-proof@v1")
                with lock:
                    waits.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        pool = [threading.Thread(target=submitter) for _ in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        rate = len(envelopes) / (time.perf_counter() - t0)
        waits.sort()
        return rate, waits[len(waits) // 2], waits[int(len(waits) * 0.99)]
    finally:
        inst.close()
        shutil.rmtree(data_dir, ignore_errors=True)


async def _run_async(
    dep: Depositary, envelopes: list[bytes], in_flight: int
) -> tuple[float, float, float]:
    waits: list[float] = []
    todo = iter(envelopes)

    async def submitter() -> None:
        for env in todo:
            t0 = time.perf_counter()
            sub = await dep.submit_async(env, case_id=CASE_ID)
            assert sub.act.receipt.startswith(b"c2sp.org/tlog-proof@v1")
            waits.append(time.perf_counter() - t0)

    t0 = time.perf_counter()
    await asyncio.gather(*(submitter() for _ in range(in_flight)))
    rate = len(envelopes) / (time.perf_counter() - t0)
    waits.sort()
    return rate, waits[len(waits) // 2], waits[int(len(waits) * 0.99)]


def crypto_rate(envelopes: list[bytes]) -> float:
    """Acts/s for the signature work alone, on one core: each act's signature checked
    (as the depositary checks it) and its two evidence statements signed."""
    parsed = [Envelope.from_bytes(e) for e in envelopes]
    key = Signer(bytes(range(32)))
    t0 = time.perf_counter()
    for env in parsed:
        s = env.signatures[0]
        verify(s.public_key, env.message(), s.signature)
        key.sign(env.payload)
        key.sign(env.payload)
    return len(parsed) / (time.perf_counter() - t0)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--acts", type=int, default=6000)
    p.add_argument("--threads", type=int, default=128)
    p.add_argument("--in-flight", type=int, default=512)
    p.add_argument("--workers", type=int, default=2, help="prepare workers for the last row")
    p.add_argument("--period", type=float, default=0.01)
    args = p.parse_args()
    n = 300 if args.quick else args.acts
    envelopes = signed_acts(n)
    ceiling = verify_rate(envelopes)
    rows = [
        ("PyNaCl verify alone (the issue's ceiling)", (ceiling, None, None)),
        ("signatures alone: 1 check + 2 evidence signatures per act, 1 core",
         (crypto_rate(envelopes), None, None)),
        (f"service, {args.threads} blocking threads",
         run(envelopes, args.threads, args.period)),
        (f"service, asyncio, {args.in_flight} in flight",
         run(envelopes, 0, args.period, in_flight=args.in_flight)),
        (f"service, asyncio, {args.in_flight} in flight, {args.workers} prepare workers",
         run(envelopes, 0, args.period, in_flight=args.in_flight, workers=args.workers)),
        ("service, 1 blocking submitter", run(signed_acts(60 if args.quick else 300), 1, 0.001)),
    ]  # fmt: skip
    print("| measure | acts/s | p50 | p99 | vs PyNaCl verify alone |")
    print("|---|---:|---:|---:|---:|")
    for name, (rate, p50, p99) in rows:
        lat = " | " if p50 is None or p99 is None else f"{p50 * 1e3:.0f} ms | {p99 * 1e3:.0f} ms"
        print(f"| {name} | {rate:,.0f} | {lat} | {rate / ceiling:.3f} |")


if __name__ == "__main__":
    main()
