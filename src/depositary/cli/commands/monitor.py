"""``depositary monitor``: follow a log's tiles and shout if it shows two histories."""

from __future__ import annotations

import time
from pathlib import Path

import click

from depositary.cli.commands.verify import load_vkey
from depositary.cli.commands.witness import load_witness_vkey
from depositary.errors import NotFound, SplitViewError
from depositary.log.audit import DirectorySource, TileSource, URLSource
from depositary.witness.monitor import Seen, load_seen, observe, save_seen


def _source(where: str) -> TileSource:
    if where.startswith(("http://", "https://")):
        return URLSource(where)
    return DirectorySource(Path(where))


@click.command()
@click.argument("source")
@click.option("--vkey", required=True, help="The log's verifier key (or a file holding it).")
@click.option("--witness", "witness_keys", multiple=True, help="A witness vkey; repeatable.")
@click.option("--quorum", type=int, default=None, help="Cosignatures required (default: all).")
@click.option(
    "--state",
    "state_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Remember the last checkpoint seen in this file.",
)
@click.option("--once", is_flag=True, help="Check once and exit (the default).")
@click.option("--interval", type=float, default=None, help="Check every S seconds.")
def monitor(
    *,
    source: str,
    vkey: str,
    witness_keys: tuple[str, ...],
    quorum: int | None,
    state_file: Path | None,
    once: bool,
    interval: float | None,
) -> None:
    """Check the log at SOURCE (a tiles URL or directory) against what was seen before."""
    if once and interval is not None:
        raise click.UsageError("give --once or --interval, not both")
    if interval is not None and interval <= 0:
        raise click.UsageError("--interval must be positive")
    log_verifier = load_vkey(vkey)
    witnesses = [load_witness_vkey(w) for w in witness_keys]
    need = len(witnesses) if quorum is None else quorum
    src = _source(source)
    seen: Seen | None = None if state_file is None else load_seen(state_file)
    while True:
        try:
            new = observe(
                src, log_verifier=log_verifier, witnesses=witnesses, quorum=need, seen=seen
            )
        except SplitViewError as e:
            click.echo(f"!!! {e}", err=True)
            click.echo(e.evidence(), nl=False)
            raise
        except NotFound as e:
            if interval is None:
                raise
            click.echo(f"warning: {e}; retrying in {interval} s", err=True)
            time.sleep(interval)
            continue
        if state_file is not None:
            save_seen(state_file, new)
        since = "first look" if seen is None else f"consistent with size {seen.size}"
        click.echo(
            f"ok: {new.origin} at size {new.size} (root {new.root_hash.hex()}), {since}, "
            f"{need} of {len(witnesses)} witness cosignatures required"
        )
        seen = new
        if interval is None:
            return
        time.sleep(interval)
