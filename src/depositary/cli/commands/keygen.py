"""``depositary keygen``: make a party's private key; only the public key is shown."""

from __future__ import annotations

from pathlib import Path

import click

from depositary.cli.commands._client import emit_json, json_option
from depositary.client.keys import public_key_text, write_key


@click.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("party.key"),
    show_default=True,
    help="Where to write the private key (mode 0600; never overwritten). FILE.pub gets the "
    "public key.",
)
@json_option
def keygen(out: Path, as_json: bool) -> None:
    """Make an Ed25519 key pair; print the public key for the operator to admit."""
    signer = write_key(out)
    pub = public_key_text(signer)
    if as_json:
        emit_json({"public_key": pub, "key_file": str(out), "public_key_file": f"{out}.pub"})
        return
    click.echo(f"private key written to {out} (mode 0600; keep it; it is never sent)")
    click.echo(f"public key: {pub}")
