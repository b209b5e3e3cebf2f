"""``depositary ack`` and ``depositary respond``: answer an act addressed to you.

The answer is built from the act as the depositary holds it, signed here with
the party's key (checked against the party's admitted keys first) and submitted.
An acceptance is joint: it is written out for the other issuers to cosign.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from depositary.cli.commands._client import (
    F,
    connect,
    console,
    emit_json,
    json_option,
    key_option,
    now,
    server_option,
    show_submitted,
    signers,
)
from depositary.client.drafts import (
    RESPONSE_KINDS,
    act_of,
    check_key_for_party,
    needs_cosigners,
    response_act,
    sign,
)
from depositary.errors import ValidationError

OutPath = click.Path(dir_okay=False, path_type=Path)


def _items(value: str | None) -> tuple[int, ...]:
    if not value:
        return ()
    try:
        return tuple(int(x) for x in value.split(",") if x.strip())
    except ValueError as e:
        raise ValidationError(f"--items: expected numbers like 1,2; got {value!r}") from e


def _answer(
    *, act_id: str, kind: str, party: str, keys: tuple[Path, ...], case_id: str, server: str,
    as_json: bool, out: Path | None, new_id: str | None, items: tuple[int, ...] = (),
    text: str | None = None, lang: str = "en", ground: str = "validity",
) -> None:  # fmt: skip
    keyring = signers(keys)
    with connect(server) as client:
        of = act_of(client.act(act_id))
        party_view = client.party(party)
        for s in keyring:
            check_key_for_party(s, party, party_view)
        answer = response_act(
            of=of, kind=kind, party=party, now=now(), act_id=new_id, items=items, text=text,
            lang=lang, ground=ground,
        )  # fmt: skip
        envelope = sign(answer, keyring)
        data = envelope.to_bytes()
        target = out or Path(f"{answer.act_id}.signed.json")
        target.write_bytes(data)
        missing = needs_cosigners(answer, party)
        if missing:
            if as_json:
                emit_json({"act_id": answer.act_id, "envelope": str(target), "submitted": False,
                           "needs_signatures_of": list(missing)})  # fmt: skip
                return
            console().print(
                f"{answer.kind.value} {answer.act_id} is joint: signed by {party}, written to "
                f"{target}. It needs the signatures of {', '.join(missing)}: "
                f"depositary act sign --cosign {target} --key THEIR_KEY, then "
                f"depositary submit {target} --case {case_id}",
                markup=False,
            )
            return
        sub = client.submit(case_id, data)
        vkey = str(client.log_info().get("log_vkey", ""))
    receipt_path = target.with_name(f"{answer.act_id}.tlog-proof")
    receipt_path.write_bytes(sub.receipt)
    if as_json:
        emit_json({**sub.to_dict(), "envelope": str(target), "receipt_file": str(receipt_path),
                   "submitted": True, "log_vkey": vkey})  # fmt: skip
        return
    show_submitted(sub, receipt_path=receipt_path, entry_path=target, vkey=vkey)


def _common(f: F) -> F:
    decorators: list[Callable[[Any], Any]] = [
        click.argument("act_id"),
        click.option("--party", required=True, help="The party answering."),
        key_option(multiple=True),
        click.option("--case", "case_id", required=True, help="The case."),
        click.option("--act-id", "new_id", help="Id of the answer (default: derived)."),
        click.option("--out", type=OutPath, help="Where to keep the signed answer."),
        server_option,
        json_option,
    ]
    for decorate in reversed(decorators):
        f = decorate(f)
    return f


@click.command()
@_common
def ack(
    *,
    act_id: str, party: str, keys: tuple[Path, ...], case_id: str, new_id: str | None,
    out: Path | None, server: str, as_json: bool,
) -> None:  # fmt: skip
    """Acknowledge receipt of ACT_ID (an acknowledgment, never an acceptance)."""
    _answer(act_id=act_id, kind="acknowledgment", party=party, keys=keys, case_id=case_id,
            server=server, as_json=as_json, out=out, new_id=new_id)  # fmt: skip


@click.command()
@_common
@click.option("--kind", required=True, type=click.Choice(RESPONSE_KINDS))
@click.option("--items", help="Refuse only these agenda items, e.g. 1,2.")
@click.option("--text", help="Your wording (default: a plain sentence naming the act).")
@click.option("--lang", default="en", show_default=True, help="Language of --text.")
@click.option("--ground", default="validity", show_default=True,
              type=click.Choice(["authority", "validity", "date", "grounds", "receipt"]),
              help="What an objection disputes.")  # fmt: skip
def respond(
    *,
    act_id: str, party: str, keys: tuple[Path, ...], case_id: str, new_id: str | None,
    out: Path | None, server: str, as_json: bool, kind: str, items: str | None,
    text: str | None, lang: str, ground: str,
) -> None:  # fmt: skip
    """Refuse, accept or object to ACT_ID, signed with your key, and submit it."""
    _answer(act_id=act_id, kind=kind, party=party, keys=keys, case_id=case_id, server=server,
            as_json=as_json, out=out, new_id=new_id, items=_items(items), text=text, lang=lang,
            ground=ground)  # fmt: skip
