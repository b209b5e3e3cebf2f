"""The log commands end to end through ``main(argv)``, as a user runs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from depositary.cli.main import main
from depositary.encoding.tlog_proof import TlogProof


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def logdir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    code, out, _ = run(capsys, "log", "init", str(tmp_path / "log"), "--origin", "cli.example/log")
    assert code == 0
    return tmp_path / "log", out.strip()


def test_init_prints_the_verifier_key_and_vkey_repeats_it(logdir, capsys) -> None:  # type: ignore[no-untyped-def]
    path, vkey = logdir
    assert vkey.startswith("cli.example/log+")
    assert run(capsys, "log", "vkey", str(path))[1].strip() == vkey
    code, _, err = run(capsys, "log", "init", str(path), "--origin", "cli.example/log")
    assert code == 78
    assert "already holds a log" in err


def test_append_files_and_lines_then_prove_and_verify(logdir, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path, vkey = logdir
    files = []
    for i in range(3):
        f = tmp_path / f"act{i}.json"
        f.write_bytes(f'{{"act": {i}}}'.encode())
        files.append(str(f))
    code, out, _ = run(
        capsys, "log", "append", str(path), *files, "--receipts", str(tmp_path / "r")
    )
    assert code == 0
    assert out.split() == ["0", "1", "2"]
    lines = tmp_path / "lines.txt"
    lines.write_bytes(b"first\nsecond\n\nfourth")
    code, out, _ = run(capsys, "log", "append", str(path), "--lines", str(lines))
    assert out.split() == ["3", "4", "5", "6"]
    code, out, _ = run(capsys, "verify", "receipt", "--vkey", vkey, "--entry", files[1],
                       str(tmp_path / "r" / "1.tlog-proof"))  # fmt: skip
    assert code == 0
    assert "ok" in out
    # a receipt for an older size still verifies
    code, out, _ = run(capsys, "log", "prove", str(path), "--index", "2", "--size", "3")
    assert code == 0
    assert TlogProof.from_bytes(out.encode()).index == 2
    # the wrong entry bytes fail, naming the index
    code, _, err = run(capsys, "verify", "receipt", "--vkey", vkey, "--entry", files[0],
                       str(tmp_path / "r" / "1.tlog-proof"))  # fmt: skip
    assert code == 1
    assert "index 1" in err


def test_a_tampered_receipt_or_a_foreign_key_fails(logdir, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path, vkey = logdir
    entry = tmp_path / "e"
    entry.write_bytes(b"notice")
    run(capsys, "log", "append", str(path), str(entry), str(entry), "--receipts", str(tmp_path))
    receipt = (tmp_path / "0.tlog-proof").read_bytes()
    bad = tmp_path / "bad.tlog-proof"
    bad.write_bytes(receipt.replace(b"\n1\n", b"\n2\n", 1))
    code, _, err = run(capsys, "verify", "receipt", "--vkey", vkey, "--entry", str(entry), str(bad))
    assert code != 0
    assert err.startswith("error:")
    other = run(capsys, "log", "init", str(tmp_path / "other"), "--origin", "cli.example/log")[1]
    code, _, err = run(capsys, "verify", "receipt", "--vkey", other.strip(), "--entry", str(entry),
                       str(tmp_path / "0.tlog-proof"))  # fmt: skip
    assert code == 1
    assert "signature" in err or "signed" in err


def test_checkpoint_consistency_and_verify_consistency(logdir, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path, vkey = logdir
    lines = tmp_path / "l"
    lines.write_text("a\nb\nc\n")
    run(capsys, "log", "append", str(path), "--lines", str(lines))
    old = tmp_path / "old"
    old.write_text(run(capsys, "log", "checkpoint", str(path))[1])
    lines.write_text("d\ne\nf\ng\nh\n")
    run(capsys, "log", "append", str(path), "--lines", str(lines))
    new = tmp_path / "new"
    new.write_text(run(capsys, "log", "checkpoint", str(path))[1])
    code, out, _ = run(capsys, "log", "consistency", str(path), "--old", "3")
    assert code == 0
    assert len(out.split()) >= 2
    proof = tmp_path / "proof"
    proof.write_text(out)
    code, said, _ = run(
        capsys, "verify", "consistency", "--vkey", vkey, str(old), str(new), str(proof)
    )
    assert code == 0
    assert said.startswith("ok")
    proof.write_text("\n".join(reversed(out.split())))  # the right hashes, in the wrong order
    code, _, err = run(
        capsys, "verify", "consistency", "--vkey", vkey, str(old), str(new), str(proof)
    )
    assert code == 1
    assert "consistency" in err


def test_tiles_are_kept_in_step_and_verify(logdir, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path, vkey = logdir
    lines = tmp_path / "l"
    lines.write_text("".join(f"entry {i}\n" for i in range(300)))
    run(capsys, "log", "append", str(path), "--lines", str(lines))
    tiles = tmp_path / "tiles"
    assert run(capsys, "log", "tiles", str(path), str(tiles))[0] == 0
    lines.write_text("".join(f"more {i}\n" for i in range(300)))
    run(capsys, "log", "append", str(path), "--lines", str(lines))  # keeps the tiles in step
    code, out, _ = run(capsys, "verify", "tiles", "--vkey", vkey, "--quiet", str(tiles))
    assert code == 0
    assert "600 entries" in out
    assert (tiles / "tile/entries/002.p/88").exists()
    assert not (tiles / "tile/entries/001.p").exists()  # superseded partials collected
    assert run(capsys, "log", "verify", str(path))[0] == 0


def test_bad_input_gets_a_specific_error(logdir, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path, _vkey = logdir
    big = tmp_path / "big"
    big.write_bytes(b"x" * 65536)
    code, _, err = run(capsys, "log", "append", str(path), str(big))
    assert code == 65
    assert "65535" in err
    assert run(capsys, "log", "checkpoint", str(path))[0] == 66  # nothing was appended
    code, _, err = run(capsys, "log", "append", str(path))
    assert code == 65
    code, _, err = run(capsys, "log", "vkey", str(tmp_path / "nowhere"))
    assert code == 78
    assert "not a log directory" in err
    code, _, err = run(capsys, "verify", "tiles", "--vkey", "not a key", str(tmp_path))
    assert code in (65, 78)
    code, _, err = run(capsys, "log", "prove", str(path), "--index", "0")
    assert code == 66
