"""What the act and party pages show: texts, signers and their authority, evidence, the log."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any

from depositary.acts.authority import grant_for
from depositary.acts.envelope import Envelope
from depositary.encoding.note import Note
from depositary.encoding.tlog_proof import TlogProof
from depositary.errors import DepositaryError, NotFound
from depositary.records.statements import EvidenceRecord, open_statement
from depositary.service.depositary import Depositary, EvidenceView
from depositary.service.indexer import from_millis
from depositary.service.instance import Instance
from depositary.web.casepage import act_summary, load_acts
from depositary.web.words import basis_words, evidence_words, kind_words

RTL_LANGS = frozenset({"ar", "fa", "he", "ur", "ps", "ku", "ckb", "yi", "dv", "syr"})


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def text_dir(lang: str) -> str:
    return "rtl" if lang.split("-", maxsplit=1)[0] in RTL_LANGS else "ltr"


def _plain(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return "—"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _signers(dep: Depositary, envelope: Envelope, received_at: Any) -> list[dict[str, Any]]:
    roster = dep.indexer.roster()
    act = envelope.act()
    out = []
    for s in envelope.signatures:
        key = roster.keys.get(s.public_key)
        organ = roster.organs.get(key.organ_id) if key else None
        row: dict[str, Any] = {
            "public_key": b64(s.public_key),
            "key": key,
            "organ": organ,
            "party": roster.parties.get(key.party_id) if key else None,
            "basis": None,
            "delegation": None,
            "denied": None,
        }
        try:
            grant = grant_for(roster, s.public_key, act, received_at)
        except DepositaryError as e:
            row["denied"] = str(e)
        else:
            row["basis"] = basis_words(grant.basis)
            if grant.basis.startswith("delegation:"):
                row["delegation"] = roster.delegations.get(grant.basis.split(":", 1)[1])
        out.append(row)
    return out


def _evidence(dep: Depositary, items: Sequence[EvidenceView]) -> list[dict[str, Any]]:
    """The evidence rows, each with its exact bytes and its receipt."""
    out = []
    for item in items:
        row, data = item.row, item.entry
        details: dict[str, str] = {}
        prev = ""
        try:
            body = open_statement(data, dep.key.public_key).body
        except DepositaryError:
            body = None
        if isinstance(body, EvidenceRecord):
            details, prev = dict(body.details), body.prev
        out.append(
            {
                "index": row.idx,
                "kind": row.kind,
                "words": evidence_words(row.kind),
                "addressee": row.addressee,
                "at": from_millis(row.at_ms),
                "details": details,
                "prev": prev,
                "entry": b64(data),
                "receipt": item.receipt.decode("utf-8"),
            }
        )
    return out


def _checkpoint(receipt: bytes, origin: str) -> dict[str, Any]:
    proof = TlogProof.from_bytes(receipt)
    note = Note.from_bytes(proof.checkpoint)
    lines = note.text.split("\n")
    return {
        "text": proof.checkpoint.decode("utf-8"),
        "size": int(lines[1]),
        "root": lines[2],
        "proof_len": len(proof.proof),
        "cosignatures": [s.name for s in note.signatures if s.name != origin],
    }


def act_context(inst: Instance, act_id: str) -> dict[str, Any]:
    """Everything the act page shows.

    Raises:
        NotFound: no such act.
    """
    dep = inst.depositary
    view = dep.act(act_id)
    envelope = Envelope.from_bytes(view.envelope)
    act = envelope.act()
    row = view.row
    received_at = from_millis(row.received_at_ms) if row.received_at_ms is not None else None
    evidence = _evidence(dep, view.evidence)
    refusal = next((e["details"] for e in evidence if e["kind"] == "rejected"), None)
    vkey = inst.log_verifier.to_vkey()
    body = act.body.to_dict()
    return {
        "act": act,
        "row": row,
        "received_at": received_at,
        "kind": kind_words(act.kind.value),
        "texts": [
            {
                "lang": t.lang,
                "authentic": t.authentic,
                "content": t.content,
                "dir": text_dir(t.lang),
            }
            for t in act.texts
        ],
        "body": [(k, _plain(v)) for k, v in body.items()],
        "signers": _signers(dep, envelope, received_at or act.made_at) if received_at else [],
        "evidence": evidence,
        "refusal": refusal,
        "deliveries": dep.index.deliveries(act_id),
        "leaf_hash": row.leaf_hash.hex(),
        "receipt": view.receipt.decode("utf-8"),
        "entry_b64": b64(view.envelope),
        "checkpoint": _checkpoint(view.receipt, vkey.split("+")[0]),
        "log_vkey": vkey,
        "depositary_key": b64(dep.key.public_key),
        "cli": (
            f"depositary verify receipt --vkey '{vkey}' --entry {act_id}.entry {act_id}.tlog-proof"
        ),
        "cli_act": (
            f"depositary verify act --vkey '{vkey}' --depositary-key "
            f"'{b64(dep.key.public_key)}' {act_id}.json"
        ),
    }


def party_context(inst: Instance, party_id: str) -> dict[str, Any]:
    """Everything the party page shows.

    Raises:
        NotFound: no such party.
    """
    dep = inst.depositary
    admission = dep.indexer.admissions().get(party_id)
    if admission is None:
        raise NotFound(f"no party {party_id!r}")
    roster = dep.indexer.roster()
    organs = {o.organ_id: o for o in admission.organs}
    keys = [
        {
            "key": k,
            "public_key": b64(k.public_key),
            "organ": roster.organs.get(k.organ_id) or organs.get(k.organ_id),
            "revoked_at": roster.key_revoked_at.get(k.public_key),
        }
        for k in roster.keys.values()
        if k.party_id == party_id
    ]
    delegations = [
        {
            "d": d,
            "delegate_key": b64(d.delegate_key),
            "kinds": sorted(kind_words(k.value) for k in d.act_kinds),
            "revoked_at": roster.delegation_revoked_at.get(d.delegation_id),
        }
        for d in roster.delegations.values()
        if d.party_id == party_id
    ]
    issued = load_acts(dep, party=party_id, role="issuer")
    received = load_acts(dep, party=party_id, role="addressee")
    return {
        "party": roster.parties.get(party_id, admission.party),
        "admission": admission,
        "organs": admission.organs,
        "keys": keys,
        "delegations": delegations,
        "endpoints": admission.endpoints,
        "issued": [act_summary(t) for t in issued],
        "received": [act_summary(t) for t in received],
    }
