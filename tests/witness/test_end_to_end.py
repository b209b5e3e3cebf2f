"""A log, two witnesses on real uvicorn servers (loopback), quorum 2, receipts, monitor, CLI."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from depositary.cli.main import main
from depositary.encoding.checkpoint import open_checkpoint
from depositary.encoding.cosignature import CosignatureVerifier
from depositary.encoding.note import Note
from depositary.encoding.tlog_proof import verify_tlog_proof
from depositary.errors import SignatureError
from depositary.log.audit import DirectorySource
from depositary.service.log_dir import LogDir
from depositary.service.witnessing import (
    add_witness,
    cosign_latest,
    load_policy,
    set_quorum,
)
from depositary.witness.monitor import observe
from depositary.witness.service import WitnessDir
from tests.witness.helpers import entries, serving

ORIGIN = "e2e.depositary.example/log"


@pytest.fixture
def witnesses(tmp_path: Path) -> Iterator[list[tuple[WitnessDir, str]]]:
    with ExitStack() as stack:
        out = []
        for i in (1, 2):
            wd = stack.enter_context(WitnessDir.create(tmp_path / f"w{i}", f"w{i}.example"))
            url = stack.enter_context(serving(wd.witness))
            out.append((wd, url))
        yield out


def test_log_witnesses_receipts_and_monitor(
    tmp_path: Path, witnesses: list[tuple[WitnessDir, str]]
) -> None:
    tiles = tmp_path / "tiles"
    with LogDir.create(tmp_path / "log", ORIGIN) as lg:
        for wd, url in witnesses:
            wd.state.add_log(ORIGIN, [lg.vkey])
            add_witness(lg, vkey=wd.vkey, url=url)
        set_quorum(lg, 2)
        policy = load_policy(lg.store)
        assert policy.quorum == 2
        assert len(policy.witnesses) == 2
        cosigners = [CosignatureVerifier.from_vkey(wd.vkey) for wd, _ in witnesses]

        data = entries(5)
        lg.append(data)
        lg.sync_tiles(tiles)
        first = cosign_latest(lg)
        assert first.stored
        assert first.size == 5
        seen = observe(
            DirectorySource(tiles), log_verifier=lg.verifier, witnesses=cosigners, quorum=2
        )
        lg.append(entries(300, "more"))
        second = cosign_latest(lg)
        assert second.size == 305
        # the second round started from the size each witness held: no 409 round trip needed
        assert {o.size for o in second.outcomes} == {305}

        # receipts carry both cosignatures and verify with the quorum
        for index in (0, 4, 304):
            receipt = lg.view.receipt(index)
            entry = lg.view.entry(index)
            signed = verify_tlog_proof(
                receipt, entry=entry, log_verifier=lg.verifier, cosigners=cosigners, quorum=2
            )
            assert len(signed.cosignatures) == 2
        # the older size keeps its own cosigned checkpoint
        old = lg.view.receipt(2, 5)
        verify_tlog_proof(
            old, entry=data[2], log_verifier=lg.verifier, cosigners=cosigners, quorum=2
        )
        # the published tiles directory has the cosigned checkpoint, and the monitor follows
        seen = observe(
            DirectorySource(tiles),
            log_verifier=lg.verifier,
            witnesses=cosigners,
            quorum=2,
            seen=seen,
        )
        assert seen.size == 305
        assert open_checkpoint((tiles / "checkpoint").read_bytes(), lg.verifier, cosigners)
        for wd, _ in witnesses:
            assert wd.state.latest(ORIGIN).size == 305  # type: ignore[union-attr]


def test_the_quorum_is_enforced(tmp_path: Path, witnesses: list[tuple[WitnessDir, str]]) -> None:
    (w1, url1), (w2, url2) = witnesses
    with LogDir.create(tmp_path / "log", ORIGIN) as lg:
        w1.state.add_log(ORIGIN, [lg.vkey])  # w2 does not know the log: it answers 404
        add_witness(lg, vkey=w1.vkey, url=url1)
        add_witness(lg, vkey=w2.vkey, url=url2)
        set_quorum(lg, 2)
        lg.append([b"x"])
        before = lg.view.checkpoint()
        with pytest.raises(SignatureError, match="404"):
            cosign_latest(lg)
        assert lg.view.checkpoint() == before  # nothing stored below the quorum
        set_quorum(lg, 1)
        result = cosign_latest(lg)
        assert result.stored
        assert len(Note.from_bytes(lg.view.checkpoint().note).signatures) == 2


def test_cli_round_trip(
    tmp_path: Path,
    witnesses: list[tuple[WitnessDir, str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    log_dir, tiles = tmp_path / "log", tmp_path / "tiles"
    assert main(["log", "init", str(log_dir), "--origin", ORIGIN]) == 0
    log_vkey = capsys.readouterr().out.strip()
    wkeys = []
    for wd, url in witnesses:
        wkeys.append(wd.vkey)
        assert (
            main(["witness", "add-log", str(wd.path), "--origin", ORIGIN, "--vkey", log_vkey]) == 0
        )
        assert main(["log", "witnesses", "add", str(log_dir), "--vkey", wd.vkey, "--url", url]) == 0
    assert main(["log", "witnesses", "policy", str(log_dir), "--quorum", "2"]) == 0
    assert "quorum 2 of 2" in capsys.readouterr().out
    act = tmp_path / "act.json"
    act.write_bytes(b'{"act": 1}')
    assert main(["log", "append", str(log_dir), str(act)]) == 0
    assert main(["log", "tiles", str(log_dir), str(tiles)]) == 0
    assert main(["log", "cosign", str(log_dir)]) == 0
    out = capsys.readouterr().out
    assert "w1.example" in out
    assert "w2.example" in out
    receipt = tmp_path / "0.tlog-proof"
    assert main(["log", "prove", str(log_dir), "--index", "0"]) == 0
    receipt.write_text(capsys.readouterr().out)
    args = ["verify", "receipt", "--vkey", log_vkey, "--entry", str(act), str(receipt)]
    witness_args = [a for k in wkeys for a in ("--witness", k)]
    assert main([*args, *witness_args]) == 0
    assert main([*args, *witness_args, "--quorum", "1"]) == 0
    # a third witness that never cosigned: demanding it fails
    w3 = WitnessDir.create(tmp_path / "w3", "w3.example")
    assert main([*args, *witness_args, "--witness", w3.vkey]) == 1
    w3.close()
    capsys.readouterr()

    state = tmp_path / "monitor.json"
    mon = ["monitor", str(tiles), "--vkey", log_vkey, *witness_args, "--state", str(state)]
    assert main([*mon, "--once"]) == 0
    assert "size 1" in capsys.readouterr().out

    # the operator forks the log: same key, a rewritten first act, published in place
    fork_dir, fork_tiles = tmp_path / "fork", tmp_path / "fork-tiles"
    fork_dir.mkdir()
    shutil.copy(log_dir / "log.key", fork_dir / "log.key")
    from depositary.storage.sqlite import SQLiteStore

    store = SQLiteStore(str(fork_dir / "log.sqlite"))
    with store.writer() as w:
        w.set_meta("origin", ORIGIN)
    store.close()
    with LogDir(fork_dir) as fork:
        fork.append([b'{"act": "rewritten"}'])
        fork.sync_tiles(fork_tiles)
    shutil.rmtree(tiles)
    shutil.copytree(fork_tiles, tiles)
    # the witnesses refuse to cosign it ...
    with LogDir(fork_dir) as fork:
        for wd, url in witnesses:
            add_witness(fork, vkey=wd.vkey, url=url)
        set_quorum(fork, 1)
        assert main(["log", "cosign", str(fork_dir)]) == 1
        assert "422" in capsys.readouterr().err
    # ... and the monitor, without demanding cosignatures, sees the split view
    assert main(["monitor", str(tiles), "--vkey", log_vkey, "--state", str(state)]) == 1
    captured = capsys.readouterr()
    assert "SPLIT VIEW" in captured.err
    # both signed checkpoints, verbatim, as evidence
    with LogDir(log_dir) as lg:
        assert lg.view.checkpoint().note.decode() in captured.out
    assert (fork_tiles / "checkpoint").read_text() in captured.out
    assert "checkpoint seen before" in captured.out


def test_appends_are_cosigned_as_they_are_published(
    tmp_path: Path, witnesses: list[tuple[WitnessDir, str]]
) -> None:
    with LogDir.create(tmp_path / "log", ORIGIN) as lg:
        for wd, url in witnesses:
            wd.state.add_log(ORIGIN, [lg.vkey])
            add_witness(lg, vkey=wd.vkey, url=url)
        set_quorum(lg, 2)
        cosigners = [CosignatureVerifier.from_vkey(wd.vkey) for wd, _ in witnesses]
        done = lg.append(entries(3))
        signed = verify_tlog_proof(
            lg.view.receipt(done[1].index), entry=entries(3)[1], log_verifier=lg.verifier,
            cosigners=cosigners, quorum=2,
        )  # fmt: skip
        assert len(signed.cosignatures) == 2


def test_a_witness_outage_never_fails_an_append(tmp_path: Path) -> None:
    with LogDir.create(tmp_path / "log", ORIGIN) as lg:
        wd = WitnessDir.create(tmp_path / "w", "down.example")
        add_witness(lg, vkey=wd.vkey, url="http://127.0.0.1:9/")  # nothing listens there
        done = lg.append(entries(2))
        assert [a.index for a in done] == [0, 1]
        assert Note.from_bytes(lg.view.checkpoint().note).signatures[0].name == ORIGIN
        wd.close()
