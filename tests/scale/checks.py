"""Checks over a shared log: chains that never fork, evidence recorded once, who holds what."""

from __future__ import annotations

import collections
import os
from pathlib import Path

import psycopg

from depositary.acts.envelope import Envelope
from depositary.crypto.ed25519 import Signer
from depositary.encoding.note import (
    Ed25519Verifier,
    NoteSigner,
)
from depositary.log.reader import LogView
from depositary.merkle.hashing import leaf_hash
from depositary.records.statements import EvidenceRecord
from depositary.service.indexer import parse_entry
from depositary.storage import open_store
from depositary.storage.index import ServiceIndex
from depositary.storage.sql import SQLStore
from tests.pg_cluster import plain_url
from tests.storage.test_postgres import check_log

__all__ = ["backends_of", "check_chains", "check_log", "log_verifier", "writer_lock_holder"]

ONCE = ("no_response_by_deadline", "deemed_received", "retrieved")


def log_verifier(data_dir: Path) -> Ed25519Verifier:
    text = (data_dir / "log.key").read_text(encoding="utf-8").strip()
    return NoteSigner.from_skey(text).verifier()


def check_chains(store_url: str, data_dir: Path) -> dict[str, list[EvidenceRecord]]:
    """Each act once, each chain linear, one-time evidence once, and the index exactly
    what the log says (every process indexed its batches in their own transactions,
    or caught up): return the chains."""
    key = Signer(bytes.fromhex((data_dir / "depositary.key").read_text().strip())).public_key
    store = open_store(store_url)
    heads: dict[str, bytes] = {}
    chains: dict[str, list[EvidenceRecord]] = collections.defaultdict(list)
    logged: dict[str, list[tuple[int, str]]] = collections.defaultdict(list)
    acts: dict[str, int] = {}
    try:
        head = store.checkpoint()
        size = 0 if head is None else head.size
        entries = LogView(store).entries(0, size)
        for i, data in enumerate(entries):
            entry = parse_entry(data, key)
            if isinstance(entry, Envelope):
                act_id = entry.act().act_id
                assert act_id not in heads, f"act {act_id} is in the log twice"
                heads[act_id] = leaf_hash(data)
                acts[act_id] = i
            elif isinstance(entry.body, EvidenceRecord):
                ev = entry.body
                assert ev.prev == heads[ev.act_id].hex(), f"the chain of {ev.act_id} forks"
                heads[ev.act_id] = leaf_hash(data)
                chains[ev.act_id].append(ev)
                logged[ev.act_id].append((i, ev.kind.value))
        assert isinstance(store, SQLStore)
        _check_index(ServiceIndex(store), size, acts, heads, logged)
    finally:
        store.close()
    for act_id, chain in chains.items():
        seen = collections.Counter(
            (e.kind.value, e.addressee, e.details.get("endpoint", "")) for e in chain
        )
        for (kind, who, endpoint), n in seen.items():
            if kind in (*ONCE, "delivered", "delivery_failed"):
                assert n == 1, f"{kind} for {who} {endpoint} on {act_id} recorded {n} times"
        times = [e.at for e in chain]
        assert times == sorted(times), f"the chain of {act_id} goes back in time"
    return dict(chains)


def _check_index(
    index: ServiceIndex,
    size: int,
    acts: dict[str, int],
    heads: dict[str, bytes],
    logged: dict[str, list[tuple[int, str]]],
) -> None:
    assert index.indexed_size() == size, "the index is behind the log"
    for act_id, idx in acts.items():
        row = index.act(act_id)
        assert row is not None, f"act {act_id} is not indexed"
        assert row.idx == idx, f"act {act_id} is indexed at {row.idx}, logged at {idx}"
        assert row.last_evidence == heads[act_id], f"the index lost the chain of {act_id}"
        rows = [(e.idx, e.kind) for e in index.evidence(act_id)]
        assert rows == logged.get(act_id, []), f"the evidence of {act_id} is misindexed"


def _socket_inodes(pid: int) -> set[str]:
    out = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            out.add(target[8:-1])
    return out


def _local_ports(pid: int) -> set[int]:
    inodes = _socket_inodes(pid)
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as f:
            for line in list(f)[1:]:
                cols = line.split()
                if cols[9] in inodes:
                    ports.add(int(cols[1].rsplit(":", 1)[1], 16))
    return ports


def backends_of(pg_url: str, pid: int) -> list[int]:
    """The PostgreSQL backend pids serving the connections of OS process ``pid``."""
    ports = _local_ports(pid)
    with psycopg.connect(plain_url(pg_url), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid, client_port FROM pg_stat_activity WHERE datname = current_database()"
        ).fetchall()
    return [backend for backend, port in rows if port in ports]


def writer_lock_holder(pg_url: str) -> int | None:
    """The backend pid holding the writer's advisory lock now, if any."""
    with psycopg.connect(plain_url(pg_url), autocommit=True) as conn:
        row = conn.execute(
            "SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
            "WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()"
        ).fetchone()
    return None if row is None else int(row[0])
