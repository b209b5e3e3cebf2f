"""``depositary witness``: run a witness; ``depositary log witnesses|cosign``: use them."""

from __future__ import annotations

from pathlib import Path

import click

from depositary.encoding.cosignature import CosignatureVerifier
from depositary.errors import ConfigError
from depositary.service.log_dir import LogDir
from depositary.service.witnessing import (
    add_witness,
    cosign_latest,
    load_policy,
    remove_witness,
    set_quorum,
)
from depositary.witness.client import Policy
from depositary.witness.service import WitnessDir

DirArg = click.Path(file_okay=False, path_type=Path)


def read_key(value: str, what: str) -> str:
    """Return a key given inline (``name+id+key``) or as a file holding it."""
    path = Path(value)
    if "+" not in value or path.is_file():
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as e:
            raise ConfigError(f"{what} is neither a key nor a readable file: {e}") from e
    return value


def load_witness_vkey(value: str) -> CosignatureVerifier:
    """Read a witness's cosignature/v1 vkey given inline or as a file."""
    return CosignatureVerifier.from_vkey(read_key(value, "--witness"))


@click.group()
def witness() -> None:
    """Run a witness that cosigns checkpoints consistent with all it has seen."""


@witness.command()
@click.argument("directory", type=DirArg)
@click.option("--name", required=True, help="The witness's name, e.g. witness.example.org/w1.")
def init(directory: Path, name: str) -> None:
    """Create a witness in DIRECTORY and print its cosignature vkey."""
    with WitnessDir.create(directory, name) as w:
        click.echo(w.vkey)


@witness.command(name="add-log")
@click.argument("directory", type=DirArg)
@click.option("--origin", required=True, help="The log's origin line.")
@click.option("--vkey", required=True, help="The log's verifier key (or a file holding it).")
def add_log(directory: Path, origin: str, vkey: str) -> None:
    """Trust the log ORIGIN, signed by VKEY."""
    with WitnessDir(directory) as w:
        known = w.state.add_log(origin, [read_key(vkey, "--vkey")])
    click.echo(f"ok: {origin} with {len(known.verifiers)} key(s)")


@witness.command(name="vkey")
@click.argument("directory", type=DirArg)
def witness_vkey(directory: Path) -> None:
    """Print the witness's cosignature vkey."""
    with WitnessDir(directory) as w:
        click.echo(w.vkey)


@witness.command()
@click.argument("directory", type=DirArg)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8500, show_default=True)
def serve(directory: Path, host: str, port: int) -> None:
    """Serve POST /add-checkpoint (c2sp.org/tlog-witness) until interrupted."""
    import uvicorn

    from depositary.witness.server import create_app

    with WitnessDir(directory) as w:
        click.echo(f"witness {w.vkey} on http://{host}:{port}", err=True)
        uvicorn.run(create_app(w.witness), host=host, port=port, log_level="info")


# -- the log side: ``depositary log witnesses ...`` and ``depositary log cosign`` --


def _show(policy: Policy) -> None:
    for w in policy.witnesses:
        click.echo(f"{w.verifier.to_vkey()} {w.url}")
    click.echo(f"quorum {policy.quorum} of {len(policy.witnesses)}")


@click.group()
def witnesses() -> None:
    """The log's witnesses and how many must cosign."""


@witnesses.command(name="add")
@click.argument("directory", type=DirArg)
@click.option("--vkey", required=True, help="The witness's cosignature vkey (or a file).")
@click.option("--url", required=True, help="The witness's submission prefix URL.")
def witnesses_add(directory: Path, vkey: str, url: str) -> None:
    """Submit the log's checkpoints to the witness at URL."""
    with LogDir(directory) as lg:
        _show(add_witness(lg, vkey=read_key(vkey, "--vkey"), url=url))


@witnesses.command(name="remove")
@click.argument("directory", type=DirArg)
@click.option("--vkey", required=True, help="The witness's cosignature vkey (or a file).")
def witnesses_remove(directory: Path, vkey: str) -> None:
    """Stop submitting to a witness."""
    with LogDir(directory) as lg:
        _show(remove_witness(lg, vkey=read_key(vkey, "--vkey")))


@witnesses.command(name="policy")
@click.argument("directory", type=DirArg)
@click.option("--quorum", type=int, required=True, help="Cosignatures each checkpoint needs.")
def witnesses_policy(directory: Path, quorum: int) -> None:
    """Require QUORUM of the witnesses to cosign."""
    with LogDir(directory) as lg:
        _show(set_quorum(lg, quorum))


@witnesses.command(name="list")
@click.argument("directory", type=DirArg)
def witnesses_list(directory: Path) -> None:
    """Print the witnesses and the quorum."""
    with LogDir(directory) as lg:
        _show(load_policy(lg.store))


@click.command()
@click.argument("directory", type=DirArg)
def cosign(directory: Path) -> None:
    """Submit the latest checkpoint to the witnesses now; store the cosigned checkpoint."""
    with LogDir(directory) as lg:
        result = cosign_latest(lg)
    for o in result.outcomes:
        status = "cosigned" if o.signature is not None else f"failed: {o.error}"
        click.echo(f"{o.witness.url}: {status}", err=True)
    if not result.stored:
        click.echo("warning: the log moved on meanwhile; this checkpoint was not stored", err=True)
    click.echo(result.note.decode("utf-8"), nl=False)
