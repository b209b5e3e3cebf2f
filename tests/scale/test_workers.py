"""Schedulers and delivery workers in two API processes at once; tiles published by each.

The scenario is replayed into a PostgreSQL database first (no workers), so
deliveries are pending and deadlines unevidenced; then two API processes on a
clock fixed after the scenario's end start their workers at the same moment.
"""

from __future__ import annotations

import collections
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import psycopg
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

from depositary.clock import ManualClock
from depositary.config import Settings
from depositary.demo.iraq2020 import END, ORIGIN, at, steps
from depositary.demo.replay import replay, setup
from depositary.log.audit import audit
from depositary.log.s3_tiles import S3Source
from depositary.service.instance import open_instance
from tests.pg_cluster import plain_url
from tests.scale.checks import check_chains, check_log, log_verifier
from tests.scale.cluster import Cluster, admit_all, talks_acts
from tests.scale.test_processes import submit_all
from tests.service.conftest import Receiver

WAIT = 30.0


def _pending(pg_url: str) -> int:
    with psycopg.connect(plain_url(pg_url), autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM svc_deliveries WHERE state = 'pending'")
        return int(row.fetchone()[0])  # type: ignore[index]


def test_two_processes_schedule_and_deliver_each_once(
    cluster: Cluster, pg_url: str, tmp_path: Path
) -> None:
    receivers = {p: Receiver() for p in ("us", "ir", "iq")}
    try:
        endpoints = {p: (r.url,) for p, r in receivers.items()}
        endpoints["coalition"] = ("http://127.0.0.1:9/inbox",)  # nothing listens: fails
        clock = ManualClock(at("2020-01-01T00:00"))
        settings = Settings(data_dir=cluster.data_dir, origin=ORIGIN, store_url=pg_url,
                            batch_period=0.005)  # fmt: skip
        inst = open_instance(settings, clock=clock)
        try:
            setup(inst.depositary, endpoints)
            replay(inst.depositary, clock, steps())
        finally:
            inst.close()
        assert _pending(pg_url) > 0
        go = tmp_path / "go"
        env = {"SCALE_NOW": END.isoformat(), "SCALE_GO": str(go),
               "DEPOSITARY_DELIVERY_ATTEMPTS": "1"}  # fmt: skip
        cluster.start("a", **env), cluster.start("b", **env)
        cluster.wait_ready()
        go.touch()  # both start their scheduler and delivery workers now
        deadline = time.monotonic() + WAIT
        while _pending(pg_url) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _pending(pg_url) == 0
        time.sleep(2.5)  # a few more scheduler ticks in both processes
        cluster.close()
    finally:
        for r in receivers.values():
            r.close()
    for party, r in receivers.items():
        keys = collections.Counter(h["Idempotency-Key"] for h, _ in r.received)
        assert keys, f"{party} received nothing"
        assert set(keys.values()) == {1}, f"{party} received an act twice: {keys}"
    chains = check_chains(pg_url, cluster.data_dir)  # each piece of evidence once
    kinds = collections.Counter(e.kind.value for c in chains.values() for e in c)
    assert kinds["delivered"] == sum(len(r.received) for r in receivers.values())
    assert kinds["no_response_by_deadline"] >= 1
    assert kinds["delivery_failed"] >= 1


@pytest.fixture
def s3_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for k, v in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                 "AWS_DEFAULT_REGION": "us-east-1"}.items():  # fmt: skip
        monkeypatch.setenv(k, v)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_every_process_publishes_tiles_to_s3(
    cluster: Cluster, pg_url: str, s3_endpoint: str
) -> None:
    client = boto3.client("s3", endpoint_url=s3_endpoint,
                          config=Config(s3={"addressing_style": "path"}))  # fmt: skip
    bucket = f"tiles-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    env = {"DEPOSITARY_TILES_URL": f"s3://{bucket}/log", "DEPOSITARY_S3_ENDPOINT_URL": s3_endpoint}
    servers = [cluster.start("a", **env), cluster.start("b", **env)]
    cluster.wait_ready()
    admit_all(servers[0].url)
    acks = submit_all(cluster, servers, talks_acts("s3", 300))  # more than one full tile
    cluster.close()  # each publishes what its last commits added as it stops
    verifier = log_verifier(cluster.data_dir)
    size = check_log(pg_url, verifier, acks)
    source = S3Source(client=client, bucket=bucket, prefix="log")
    assert audit(source, verifier).checkpoint.size == size
    head = client.head_object(Bucket=bucket, Key="log/tile/0/000")
    assert "immutable" in head["CacheControl"]
