"""Acts accepted with receipts per second, and receipt latency, with 1, 2 and 4 API processes.

Each configuration gets a fresh database (one PostgreSQL database, or one
SQLite file for the single-process baseline), the demo parties and case, and
``tests.scale.server`` processes on loopback (the app ``depositary serve``
runs, workers off so only submissions load the log). A separate load process
(asyncio, one keep-alive HTTP/1.1 connection per submission in flight, on bare
streams so that it takes little of the two cores) signs its acts first, then
keeps ``--concurrency`` submissions in flight, spread round robin over the API
processes, and times each from send to the 201 carrying the receipt. A sample
of receipts is verified afterwards. The table goes to stdout, progress to stderr.

    .venv/bin/python bench/bench_scale.py            # ~2 min on 2 cores
    .venv/bin/python bench/bench_scale.py --quick    # seconds
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import pg_cluster  # noqa: E402
from tests.scale.checks import log_verifier  # noqa: E402
from tests.scale.cluster import CASE_ACTS, Cluster, admit_all, talks_acts  # noqa: E402

from depositary.encoding.tlog_proof import verify_tlog_proof  # noqa: E402


class _Connection:
    """One keep-alive HTTP/1.1 connection on asyncio streams: a load generator that
    leaves the two cores to the server (a general client costs several times the
    CPU per request, on the same cores as the server under test)."""

    def __init__(self, url: str) -> None:
        hostport = url.split("://", 1)[1].rstrip("/")
        self.host, port = hostport.rsplit(":", 1)
        self.port = int(port)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode("ascii") + body)
        status_line = await self.reader.readline()
        status = int(status_line.split(b" ", 2)[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def _load(urls: list[str], tag: str, count: int, concurrency: int, out: str) -> None:
    """The load process: sign ``count`` acts, submit them, write timings to ``out``."""
    acts = talks_acts(tag, count)

    async def run() -> dict[str, object]:
        queue = list(enumerate(acts))
        latencies: list[float] = []
        failures: list[str] = []
        receipts: list[tuple[str, str]] = []

        async def worker(k: int) -> None:
            conn = _Connection(urls[k % len(urls)])
            try:
                while queue:
                    n, (_, data) = queue.pop()
                    t = time.perf_counter()
                    status, body = await conn.post(CASE_ACTS, data)
                    if status != 201:
                        failures.append(f"{status} {body[:200]!r}")
                        continue
                    latencies.append(time.perf_counter() - t)
                    if n % 25 == 0:
                        receipts.append((json.loads(body)["receipt"], data.decode()))
            finally:
                conn.close()

        start = time.perf_counter()
        await asyncio.gather(*(worker(k) for k in range(concurrency)))
        elapsed = time.perf_counter() - start
        return {"latencies": latencies, "failures": len(failures), "elapsed": elapsed,
                "receipts": receipts, "first_failures": failures[:3]}  # fmt: skip

    Path(out).write_text(json.dumps(asyncio.run(run())), encoding="utf-8")


def measure(
    tmp: Path,
    store_url: str,
    processes: int,
    count: int,
    concurrency: int,
    period: float,
    prepare_workers: int = 0,
) -> dict[str, float]:
    settings = {"batch_period": str(period), "prepare_workers": str(prepare_workers)}
    with Cluster(tmp, store_url, **settings) as cluster:
        servers = [cluster.start(f"api{i}", SCALE_WORKERS="0") for i in range(processes)]
        cluster.wait_ready()
        admit_all(servers[0].url)
        out = tmp / "load.json"
        ctx = multiprocessing.get_context("spawn")
        p = ctx.Process(target=_load, args=([s.url for s in servers], tmp.name, count,
                                            concurrency, str(out)))  # fmt: skip
        p.start()
        p.join()
        assert p.exitcode == 0, "the load process failed"
        got = json.loads(out.read_text(encoding="utf-8"))
        verifier = log_verifier(cluster.data_dir)
        for receipt, entry in got["receipts"]:
            verify_tlog_proof(receipt.encode(), entry=entry.encode(), log_verifier=verifier)
    lat = sorted(got["latencies"])
    assert not got["failures"], f"{got['failures']} submissions failed: {got['first_failures']}"
    return {
        "per_s": len(lat) / got["elapsed"],
        "p50": statistics.median(lat) * 1000,
        "p99": lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000,
        "acts": len(lat),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--acts", type=int, default=4000, help="acts per configuration")
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--period", type=float, default=0.02, help="batch period, seconds")
    args = ap.parse_args()
    count = 60 if args.quick else args.acts
    # (store, API processes, worker processes checking submissions, per API process)
    configs = [("sqlite", 1, 0), ("sqlite", 1, 1), ("sqlite", 2, 0), ("postgres", 1, 0),
               ("postgres", 1, 1), ("postgres", 2, 0), ("postgres", 4, 0)]  # fmt: skip
    results: dict[tuple[str, int, int], dict[str, float]] = {}
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-scale-")))
        server = pg_cluster.os.environ.get(pg_cluster.ENV_URL) or stack.enter_context(
            pg_cluster.own_cluster()
        )
        for kind, n, w in configs:
            tmp = work / f"{kind}-{n}-{w}"
            tmp.mkdir()
            print(f"{kind} x{n}, {w} prepare workers: {count} acts, {args.concurrency} in flight",
                  file=sys.stderr)  # fmt: skip
            jobs = (n, count, args.concurrency, args.period, w)
            if kind == "sqlite":
                url = f"sqlite:///{tmp / 'depositary.sqlite'}"
                results[(kind, n, w)] = measure(tmp, url, *jobs)
            else:
                with pg_cluster.fresh_database(server) as url:
                    results[(kind, n, w)] = measure(tmp, url, *jobs)
    base = results[("sqlite", 1, 0)]["per_s"]
    pg1 = results[("postgres", 1, 0)]["per_s"]
    print("| store | API processes | prepare workers | acts/s | vs SQLite x1 | vs PostgreSQL x1 "
          "| p50 ms | p99 ms |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for (kind, n, w), r in results.items():
        print(f"| {kind} | {n} | {w} | {r['per_s']:.0f} | {r['per_s'] / base:.2f} | "
              f"{r['per_s'] / pg1:.2f} | {r['p50']:.0f} | {r['p99']:.0f} |")  # fmt: skip


if __name__ == "__main__":
    main()
