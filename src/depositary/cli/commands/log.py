"""``depositary log``: create, append to and prove a log kept in a directory."""

from __future__ import annotations

from pathlib import Path

import click

from depositary.encoding.b64 import encode as encode_base64
from depositary.errors import ValidationError
from depositary.log.audit import StoreSource, audit
from depositary.service.log_dir import LogDir

DirArg = click.Path(file_okay=False, path_type=Path)


@click.group()
def log() -> None:
    """Operate a verifiable log kept in a directory."""


@log.command()
@click.argument("directory", type=DirArg)
@click.option("--origin", required=True, help="The log's origin, e.g. example.org/depositary.")
def init(directory: Path, origin: str) -> None:
    """Create a log in DIRECTORY and print its verifier key."""
    with LogDir.create(directory, origin) as lg:
        click.echo(lg.vkey)


@log.command()
@click.argument("directory", type=DirArg)
def vkey(directory: Path) -> None:
    """Print the log's verifier key."""
    with LogDir(directory) as lg:
        click.echo(lg.vkey)


def _read_lines(path: Path) -> list[bytes]:
    data = path.read_bytes()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


@log.command()
@click.argument("directory", type=DirArg)
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--lines",
    "lines_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Append each line of this file (without its newline) as one entry.",
)
@click.option(
    "--receipts",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write <index>.tlog-proof receipts into this directory.",
)
def append(
    directory: Path, files: tuple[Path, ...], lines_file: Path | None, receipts: Path | None
) -> None:
    """Append each FILE's bytes (or each line of --lines) as one entry; print the indexes."""
    if lines_file is not None and files:
        raise ValidationError("give either --lines FILE or FILE arguments, not both")
    entries = _read_lines(lines_file) if lines_file is not None else [f.read_bytes() for f in files]
    if not entries:
        raise ValidationError("nothing to append: give FILE arguments or --lines FILE")
    with LogDir(directory) as lg:
        done = lg.append(entries)
        if receipts is not None:
            receipts.mkdir(parents=True, exist_ok=True)
            size = done[-1].checkpoint.size
            for a in done:
                (receipts / f"{a.index}.tlog-proof").write_bytes(lg.view.receipt(a.index, size))
    for a in done:
        click.echo(str(a.index))


@log.command()
@click.argument("directory", type=DirArg)
def checkpoint(directory: Path) -> None:
    """Print the latest signed checkpoint."""
    with LogDir(directory) as lg:
        click.echo(lg.view.checkpoint().note.decode(), nl=False)


@log.command()
@click.argument("directory", type=DirArg)
@click.option("--index", "index", type=int, required=True, help="The entry's index.")
@click.option(
    "--size", type=int, default=None, help="A tree size the log signed (default: latest)."
)
def prove(directory: Path, index: int, size: int | None) -> None:
    """Print a c2sp.org/tlog-proof@v1 receipt for entry INDEX."""
    with LogDir(directory) as lg:
        click.echo(lg.view.receipt(index, size).decode(), nl=False)


@log.command()
@click.argument("directory", type=DirArg)
@click.option("--old", type=int, required=True, help="The older tree size.")
@click.option("--new", type=int, default=None, help="The newer tree size (default: latest).")
def consistency(directory: Path, old: int, new: int | None) -> None:
    """Print the consistency proof from size OLD to NEW, one base64 hash a line."""
    with LogDir(directory) as lg:
        new_size = lg.view.checkpoint().size if new is None else new
        for h in lg.view.consistency_proof(old, new_size):
            click.echo(encode_base64(h))


@log.command()
@click.argument("directory", type=DirArg)
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
def tiles(directory: Path, outdir: Path) -> None:
    """Write or update a C2SP tlog-tiles directory; later appends keep it in step."""
    with LogDir(directory) as lg:
        result = lg.sync_tiles(outdir)
    click.echo(f"tiles for size {result.size} in {outdir}: {result.written} files written")


@log.command(name="verify")
@click.argument("directory", type=DirArg)
def verify_store(directory: Path) -> None:
    """Re-verify the stored log: every entry, hash tile and signed checkpoint."""
    with LogDir(directory) as lg:
        earlier = [c.note for c in lg.store.checkpoints()]
        signed = audit(StoreSource(lg.store), lg.verifier, earlier=earlier)
    click.echo(
        f"ok: {signed.checkpoint.size} entries and {len(earlier)} checkpoints of "
        f"{signed.checkpoint.origin} verified"
    )
