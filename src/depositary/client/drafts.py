"""Drafting and signing acts on the party's own machine.

An act file is ordinary (hand-edited) JSON; signing parses it strictly, refuses
leftover template placeholders, and produces the one canonical envelope. An
answer to an act (acknowledgment, refusal, acceptance, objection) is built from
the act as the depositary holds it, so it names the right act and addressee.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from depositary.acts import bodies as b
from depositary.acts.act import Act, Addressee, Text
from depositary.acts.canonical import parse_json
from depositary.acts.envelope import Envelope, cosign, sign_act
from depositary.acts.kinds import SPECS, ActKind
from depositary.client.templates import placeholders
from depositary.crypto.ed25519 import Signer
from depositary.errors import ConfigError, DecodeError, ValidationError

RESPONSE_KINDS = ("refusal", "acceptance", "objection")


def read_file(path: Path, what: str) -> bytes:
    """Read a local file, as a ConfigError naming it when that fails."""
    try:
        return path.read_bytes()
    except OSError as e:
        raise ConfigError(f"cannot read {what} {path}: {e.strerror or e}") from e


def load_act(path: Path) -> Act:
    """Parse a filled-in act file.

    Raises:
        DecodeError: not JSON, a placeholder left, or not a valid act.
        ValidationError: the act breaks a rule.
    """
    data = parse_json(read_file(path, "act file"), str(path))
    left = placeholders(data)
    if left:
        raise DecodeError(f"{path} still has placeholders to fill: {', '.join(left[:8])}")
    return Act.from_dict(data)


def load_envelope(path: Path) -> Envelope:
    """Parse a signed envelope file (exact canonical bytes)."""
    return Envelope.from_bytes(read_file(path, "envelope"))


def sign(act: Act, signers: Sequence[Signer]) -> Envelope:
    if not signers:
        raise ConfigError("give at least one --key to sign with")
    return sign_act(act, signers)


def add_signatures(envelope: Envelope, signers: Sequence[Signer]) -> Envelope:
    """Cosign ``envelope`` with each signer (a key that already signed is refused)."""
    present = {s.public_key for s in envelope.signatures}
    for s in signers:
        if s.public_key in present:
            raise ValidationError("this key has already signed the envelope")
        envelope = cosign(envelope, s)
        present.add(s.public_key)
    return envelope


def party_keys(party_view: Mapping[str, Any]) -> set[bytes]:
    """The public keys an admission (as the API shows it) holds for the party."""
    keys: list[Any] = []
    for where in (party_view, party_view.get("admission"), party_view.get("latest")):
        if isinstance(where, Mapping) and isinstance(where.get("keys"), list):
            keys += where["keys"]
    for a in party_view.get("admissions") or []:
        if isinstance(a, Mapping) and isinstance(a.get("keys"), list):
            keys += a["keys"]
    out: set[bytes] = set()
    for k in keys:
        text = k.get("public_key") if isinstance(k, Mapping) else None
        if isinstance(text, str):
            out.add(base64.b64decode(text))
    return out


def check_key_for_party(signer: Signer, party: str, party_view: Mapping[str, Any]) -> None:
    """Refuse, before anything is sent, a key the depositary does not hold for ``party``.

    Raises:
        ConfigError: the key is not one of the party's admitted keys.
    """
    if signer.public_key not in party_keys(party_view):
        pub = base64.b64encode(signer.public_key).decode()
        raise ConfigError(
            f"the key {pub} is not a key of {party} at the depositary: wrong --key or --party"
        )


def act_of(view: Mapping[str, Any]) -> Act:
    """The act inside an act view from the API."""
    data = view.get("act")
    if not isinstance(data, Mapping):
        raise DecodeError("the server's act view carries no act")
    return Act.from_dict(dict(data))


def _default_text(kind: ActKind, of: Act, items: Sequence[int]) -> str:
    made = of.made_at.date().isoformat()
    what = f"the {of.kind.value.replace('_', ' ')} {of.act_id} of {made}"
    if kind is ActKind.ACKNOWLEDGMENT:
        return f"Receipt of {what} is acknowledged."
    if kind is ActKind.REFUSAL and items:
        return f"Agenda items {', '.join(map(str, items))} of {what} are refused."
    if kind is ActKind.REFUSAL:
        return f"{what[0].upper()}{what[1:]} is refused."
    if kind is ActKind.ACCEPTANCE:
        return f"{what[0].upper()}{what[1:]} is accepted."
    return f"Objection to {what}."


def response_act(
    *,
    of: Act,
    kind: str,
    party: str,
    now: datetime,
    act_id: str | None = None,
    items: Sequence[int] = (),
    text: str | None = None,
    lang: str = "en",
    ground: str = "validity",
) -> Act:
    """The answer ``party`` gives to ``of``: addressed to its issuers, referring to it.

    An acceptance is a joint act: it is issued by ``party`` and the act's issuers
    together, and needs their signatures too before it can be submitted.

    Raises:
        ValidationError: ``party`` is not an addressee of ``of``, or a bad option.
    """
    try:
        k = ActKind(kind)
    except ValueError as e:
        raise ValidationError(f"unknown answer kind {kind!r}") from e
    if party not in {a.party for a in of.addressees}:
        raise ValidationError(f"{party} is not an addressee of {of.act_id}: nothing to answer")
    if items and k is not ActKind.REFUSAL:
        raise ValidationError("--items only applies to a refusal of agenda items")
    body: b.Body
    if k is ActKind.ACKNOWLEDGMENT:
        body = b.AcknowledgmentBody(of_act=of.act_id)
    elif k is ActKind.REFUSAL:
        body = b.RefusalBody(of_act=of.act_id, agenda_items=tuple(items), reason=text)
    elif k is ActKind.OBJECTION:
        body = b.ObjectionBody(
            of_act=of.act_id, ground=b.ObjectionGround(ground), claimed_date=None
        )
    elif k is ActKind.ACCEPTANCE:
        body = b.AcceptanceBody(of_act=of.act_id, presences=(), withdraw_by=None, condition=None)
    else:
        raise ValidationError(f"{kind} is not an answer; one of acknowledgment, {RESPONSE_KINDS}")
    joint = SPECS[k].joint
    issuers = (party, *(i for i in of.issuers if i != party)) if joint else (party,)
    addressees = tuple(Addressee(party=i, legal_basis=()) for i in of.issuers if i != party)
    new_id = act_id or f"{party}-{k.value}-{of.act_id}"[:128].rstrip("-.:_")
    content = text or _default_text(k, of, items)
    return Act(
        act_id=new_id, kind=k, issuers=issuers, addressees=addressees, made_at=now,
        texts=(Text(lang=lang, authentic=True, content=content),), body=body,
    )  # fmt: skip


def needs_cosigners(act: Act, signed_by: str) -> tuple[str, ...]:
    """The other issuers whose signatures a joint act still needs."""
    return tuple(i for i in act.issuers if i != signed_by) if SPECS[act.kind].joint else ()
