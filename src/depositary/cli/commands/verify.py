"""``depositary verify``: check receipts, tiles and consistency with public data only."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from depositary.cli.commands.witness import load_witness_vkey
from depositary.encoding.b64 import decode as decode_base64
from depositary.encoding.b64 import encode as encode_base64
from depositary.encoding.checkpoint import open_checkpoint
from depositary.encoding.note import Ed25519Verifier
from depositary.encoding.tlog_proof import verify_tlog_proof
from depositary.errors import ConfigError
from depositary.log.audit import DirectorySource, TileSource, URLSource, audit
from depositary.merkle.verify import verify_consistency
from depositary.records.dossier import Dossier, verify_dossier

FileArg = click.Path(dir_okay=False, exists=True, path_type=Path)


def load_vkey(value: str) -> Ed25519Verifier:
    """Read a verifier key given inline or as a file holding it."""
    path = Path(value)
    if "+" not in value or path.is_file():
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError as e:
            raise ConfigError(f"--vkey is neither a verifier key nor a readable file: {e}") from e
    return Ed25519Verifier.from_vkey(value)


VKEY = click.option(
    "--vkey", required=True, help="The log's verifier key (name+id+key), or a file holding it."
)


@click.group()
def verify() -> None:
    """Verify receipts, acts, tiles and consistency offline, trusting only public keys."""


@verify.command()
@VKEY
@click.option("--entry", "entry_file", type=FileArg, required=True, help="The entry's exact bytes.")
@click.option("--witness", "witness_keys", multiple=True, help="A witness vkey; repeatable.")
@click.option("--quorum", type=int, default=None, help="Cosignatures required (default: all).")
@click.argument("receipt", type=FileArg)
def receipt(
    vkey: str, entry_file: Path, witness_keys: tuple[str, ...], quorum: int | None, receipt: Path
) -> None:
    """Check a tlog-proof RECEIPT: signed by the log, cosigned, and including the entry."""
    cosigners = [load_witness_vkey(w) for w in witness_keys]
    signed = verify_tlog_proof(
        receipt.read_bytes(),
        entry=entry_file.read_bytes(),
        log_verifier=load_vkey(vkey),
        cosigners=cosigners,
        quorum=len(cosigners) if quorum is None else quorum,
    )
    cp = signed.checkpoint
    click.echo(f"ok: entry is in {cp.origin} at tree size {cp.size}")


@verify.command(name="tiles")
@VKEY
@click.argument("source")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def tiles_cmd(vkey: str, source: str, quiet: bool) -> None:
    """Re-verify a whole log from its tiles at SOURCE (a directory or an http(s) URL)."""
    verifier = load_vkey(vkey)
    src: TileSource = (
        URLSource(source)
        if source.startswith(("http://", "https://"))
        else DirectorySource(Path(source))
    )
    columns = (TextColumn("verifying"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, disable=quiet, transient=True) as bar:
        task = bar.add_task("entries", total=None)
        signed = audit(
            src,
            verifier,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    cp = signed.checkpoint
    click.echo(f"ok: all {cp.size} entries of {cp.origin} verified against the checkpoint")


@verify.command(name="consistency")
@VKEY
@click.argument("old", type=FileArg)
@click.argument("new", type=FileArg)
@click.argument("proof", type=FileArg)
def consistency_cmd(vkey: str, old: Path, new: Path, proof: Path) -> None:
    """Check that checkpoint NEW extends checkpoint OLD, with PROOF (base64 lines)."""
    verifier = load_vkey(vkey)
    a = open_checkpoint(old.read_bytes(), verifier).checkpoint
    b = open_checkpoint(new.read_bytes(), verifier).checkpoint
    lines = [ln for ln in proof.read_text(encoding="utf-8").split("\n") if ln]
    hashes = [decode_base64(ln, "proof hash") for ln in lines]
    verify_consistency(
        old_size=a.size, new_size=b.size, old_root=a.root_hash, new_root=b.root_hash, proof=hashes
    )
    click.echo(f"ok: size {b.size} is consistent with size {a.size}")


def load_depositary_key(value: str) -> bytes:
    """The depositary's statement key: base64 of 32 bytes, given inline or in a file."""
    path = Path(value)
    if path.is_file():
        value = path.read_text(encoding="utf-8").strip()
    key = decode_base64(value, "--depositary-key")
    if len(key) != 32:
        raise ConfigError(f"--depositary-key must be 32 bytes of base64, got {len(key)} bytes")
    return key


def _when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@verify.command(name="act")
@VKEY
@click.option(
    "--depositary-key", "depositary_key", required=True,
    help="The depositary's statement key (base64, as GET /v1/log gives it), or a file.",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print what was verified as JSON.")
@click.argument("dossier", type=FileArg)
def act_cmd(vkey: str, depositary_key: str, as_json: bool, dossier: Path) -> None:
    """Check an act's DOSSIER (the JSON of GET /v1/acts/ID): the act is in the log and
    signed by the keys it names, and each evidence step is the depositary's, in one chain."""
    verified = verify_dossier(
        Dossier.from_json(dossier.read_bytes()),
        log_verifier=load_vkey(vkey),
        depositary_key=load_depositary_key(depositary_key),
    )
    act = verified.act
    if as_json:
        click.echo(json.dumps({
            "act_id": act.act_id, "kind": act.kind.value, "index": verified.index,
            "issuers": list(act.issuers), "addressees": [a.party for a in act.addressees],
            "made_at": act.made_at.isoformat(),
            "signers": [encode_base64(k) for k in verified.signers],
            "evidence": [
                {"index": s.index, "kind": s.kind.value, "at": s.at.isoformat(),
                 "addressee": s.addressee, "details": s.details}
                for s in verified.steps
            ],
        }, indent=2))  # fmt: skip
        return
    to = ", ".join(a.party for a in act.addressees) or "no one"
    click.echo(f"ok: act {act.act_id} ({act.kind.value}) from {', '.join(act.issuers)} "
               f"to {to} is at log index {verified.index}")  # fmt: skip
    for k in verified.signers:
        click.echo(f"  signed by {encode_base64(k)}")
    click.echo(f"  made at {_when(act.made_at)}, as the act claims")
    click.echo(
        f"  {len(verified.steps)} evidence steps, each signed by the depositary, in one chain:"
    )
    for step in verified.steps:
        extra = f" {step.addressee}" if step.addressee else ""
        details = "; ".join(f"{k}: {v}" for k, v in step.details.items())
        click.echo(f"    #{step.index} {_when(step.at)} {step.kind.value}{extra}"
                   + (f" ({details})" if details else ""))  # fmt: skip
