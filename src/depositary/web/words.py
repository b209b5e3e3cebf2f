"""Plain words for the codes the pages show: act kinds, evidence, legal states, signers."""

from __future__ import annotations

_KINDS = {
    "consent": "Consent",
    "domestic_mandate": "Domestic mandate",
    "notice": "Notice",
    "suspension": "Suspension of a notice",
    "suspension_extension": "Extension of a suspension",
    "retraction": "Retraction of a notice",
    "request_for_talks": "Request for talks",
    "acknowledgment": "Acknowledgment of receipt",
    "acceptance": "Acceptance",
    "refusal": "Refusal",
    "objection": "Objection",
    "statement_of_intent": "Statement of intent",
    "complaint": "Complaint",
    "withdrawal_plan": "Withdrawal plan",
    "progress_report": "Progress report",
    "completion_report": "Completion report",
    "correction": "Correction",
    "reported_statement": "Reported statement",
    "full_powers": "Full powers",
    "key_rotation": "Key rotation",
    "key_revocation": "Key revocation",
    "delegation_revocation": "Revocation of a delegation",
}

_EVIDENCE = {
    "submitted": "received by the depositary",
    "published": "published in the log",
    "circulated": "queued for delivery",
    "delivered": "delivered",
    "delivery_failed": "delivery failed",
    "retrieved": "retrieved by the addressee",
    "acknowledged": "acknowledged",
    "refused": "acknowledgment refused",
    "deemed_received": "deemed received",
    "no_response_by_deadline": "no response by the deadline",
    "rejected": "refused by the depositary",
}

_STATES = {
    "consented": "Present with the host's consent.",
    "contested": "The host's own institutions have contested the consent; it still stands in "
    "law until the host gives notice.",
    "notice_given": "The host has given notice withdrawing consent; the notice is not yet "
    "received, so no date of effect runs yet.",
    "terminating": "Notice received: the consent is ending, on the date worked out below.",
    "suspended": "The notice is suspended: its clock is paused.",
    "terminated": "The consent has ended.",
    "withdrawal_period": "The consent has ended; an agreed period for leaving is running.",
    "withdrawn": "The force has left (completion reported).",
    "presence_without_consent": "The consent has ended: any force still present is there "
    "without the host's consent.",
    "restored": "The notice was retracted: consent stands again.",
}

_BASES = {
    "root": "the party's root key (its seal)",
    "inherent": "an office that represents the state without full powers "
    "(head of state or government, foreign minister)",
    "organ": "an organ competent by itself for this kind of act",
}


def kind_words(kind: str) -> str:
    return _KINDS.get(kind, kind.replace("_", " ").capitalize())


def evidence_words(kind: str) -> str:
    return _EVIDENCE.get(kind, kind.replace("_", " "))


def state_words(state: str) -> str:
    return _STATES.get(state, state.replace("_", " "))


def state_label(state: str) -> str:
    return state.replace("_", " ")


def basis_words(basis: str) -> str:
    if basis.startswith("delegation:"):
        return f"full powers (delegation {basis.split(':', 1)[1]})"
    return _BASES.get(basis, basis)
