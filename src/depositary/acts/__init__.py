"""Formal acts: the pure domain core (no I/O, no clock; time is passed in).

Entry points for the service:

- ``Envelope.from_bytes(data)`` / ``Envelope.to_bytes()`` and ``sign_act(act, signers)``
- ``authorise(envelope, roster, received_at)`` -> ``AuthorisedAct`` (raises AuthorityError)
- ``apply_to_roster(roster, authorised)`` after full powers, rotation or revocation acts
- ``derive_status(case, records, as_of)`` -> ``CaseStatus``
- ``EVENT_CODES[act.kind]`` for CAMEO/PLOVER
"""

from __future__ import annotations

from depositary.acts.act import Act, Addressee, Attachment, Text
from depositary.acts.authority import AuthorisedAct, Reason, apply_to_roster, authorise
from depositary.acts.canonical import ACT_PREFIX, MAX_ENTRY_BYTES, act_from_bytes, act_to_bytes
from depositary.acts.clocks import LoggedAct
from depositary.acts.envelope import Envelope, Signature, cosign, sign_act
from depositary.acts.instruments import Case, Instrument, Presence
from depositary.acts.kinds import EVENT_CODES, ActKind, EventCode, NoticeType
from depositary.acts.parties import Roster
from depositary.acts.presence_views import LegalState
from depositary.acts.receipt_rules import Evidence, EvidenceKind
from depositary.acts.status import CaseStatus, derive_status

__all__ = [
    "ACT_PREFIX",
    "EVENT_CODES",
    "MAX_ENTRY_BYTES",
    "Act",
    "ActKind",
    "Addressee",
    "Attachment",
    "AuthorisedAct",
    "Case",
    "CaseStatus",
    "Envelope",
    "EventCode",
    "Evidence",
    "EvidenceKind",
    "Instrument",
    "LegalState",
    "LoggedAct",
    "NoticeType",
    "Presence",
    "Reason",
    "Roster",
    "Signature",
    "Text",
    "act_from_bytes",
    "act_to_bytes",
    "apply_to_roster",
    "authorise",
    "cosign",
    "derive_status",
    "sign_act",
]
