"""``depositary act``: draft an act from a template and sign it on this machine."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import click

from depositary.acts.kinds import ActKind
from depositary.cli.commands._client import (
    emit_json,
    json_option,
    key_option,
    now,
    signers,
)
from depositary.client.drafts import add_signatures, load_act, load_envelope, sign
from depositary.client.templates import act_template
from depositary.errors import ConfigError

OutPath = click.Path(dir_okay=False, path_type=Path)


@click.group()
def act() -> None:
    """Draft and sign acts (the keys stay on this machine)."""


NEW_HELP = (
    "Write a template of an act of KIND to fill in (every <FILL ...> value). KIND is one of: "
    + ", ".join(k.value for k in ActKind)
    + "."
)


@act.command(name="new", help=NEW_HELP)
@click.argument("kind", metavar="KIND")
@click.option("--out", type=OutPath, help="Write the template here instead of printing it.")
def new(kind: str, out: Path | None) -> None:
    text = json.dumps(act_template(kind, now()), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    if out.exists():
        raise ConfigError(f"{out} exists: choose another --out")
    out.write_text(text, encoding="utf-8")
    click.echo(f"template written to {out}: fill in every <FILL ...> value, then "
               f"depositary act sign {out} --key KEYFILE")  # fmt: skip


@act.command(name="sign")
@click.argument("act_file", metavar="ACT.json", required=False, type=OutPath)
@key_option(multiple=True)
@click.option(
    "--cosign",
    "cosign_file",
    type=OutPath,
    help="Add your signature to this signed envelope (jointly signed acts).",
)
@click.option(
    "--out",
    type=OutPath,
    help="Where to write the envelope (default: ACT.signed.json, or the --cosign file itself).",
)
@json_option
def sign_cmd(
    act_file: Path | None, keys: tuple[Path, ...], cosign_file: Path | None,
    out: Path | None, as_json: bool,
) -> None:  # fmt: skip
    """Sign ACT.json into its canonical envelope, or cosign an envelope with --cosign."""
    if (act_file is None) == (cosign_file is None):
        raise click.UsageError("give either ACT.json to sign or --cosign ENVELOPE, not both")
    keyring = signers(keys)
    if cosign_file is not None:
        envelope = add_signatures(load_envelope(cosign_file), keyring)
        target = out or cosign_file
    else:
        assert act_file is not None
        envelope = sign(load_act(act_file), keyring)
        target = out or act_file.with_name(act_file.stem + ".signed.json")
    data = envelope.to_bytes()
    target.write_bytes(data)
    a = envelope.act()
    keys_text = [base64.b64encode(s.public_key).decode() for s in envelope.signatures]
    if as_json:
        emit_json({"act_id": a.act_id, "kind": a.kind.value, "envelope": str(target),
                   "bytes": len(data), "signed_by": keys_text})  # fmt: skip
        return
    click.echo(
        f"signed {a.kind.value} {a.act_id}: envelope written to {target} ({len(data)} bytes)"
    )
    for k in keys_text:
        click.echo(f"  signature by {k}")
