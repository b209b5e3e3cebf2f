"""Who may sign what, judged at the time the depositary received the act.

Heads of state and government and foreign ministers act without further proof; a
parliament may adopt its own mandates; a newsroom may record reported statements; anyone
else needs full powers (a delegation granted under the party's root key). Every rejection
is an ``AuthorityError`` whose ``reason`` is one of ``Reason``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from depositary.acts import schema
from depositary.acts.act import Act
from depositary.acts.bodies import (
    DelegationRevocationBody,
    FullPowersBody,
    KeyRevocationBody,
    KeyRotationBody,
)
from depositary.acts.envelope import Envelope
from depositary.acts.kinds import SPECS, ActKind
from depositary.acts.parties import INHERENT_ROLES, ORGAN_KINDS, Delegation, PartyKey, Roster
from depositary.crypto.ed25519 import check_public_key, verify
from depositary.errors import AuthorityError, ValidationError


class Reason(StrEnum):
    UNKNOWN_KEY = "unknown_key"
    KEY_REVOKED = "key_revoked"
    NO_DELEGATION = "no_delegation"
    DELEGATION_EXPIRED = "delegation_expired"
    DELEGATION_REVOKED = "delegation_revoked"
    OUT_OF_SCOPE = "out_of_scope"
    THRESHOLD_NOT_MET = "threshold_not_met"
    SMALL_ORDER_KEY = "small_order_key"
    MALFORMED_KEY = "malformed_key"


def _deny(reason: Reason, message: str) -> AuthorityError:
    return AuthorityError(reason.value, f"{reason.value}: {message}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Grant:
    """Why one key may sign this act: ``basis`` is root, inherent, organ or delegation:<id>."""

    public_key: bytes
    party_id: str
    holder: str
    basis: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthorisedAct:
    """An act whose signatures verified and whose signers had authority at ``received_at``."""

    act: Act
    envelope: Envelope
    received_at: datetime
    grants: tuple[Grant, ...]


def check_key(public_key: bytes) -> None:
    """Reject a malformed or small-order key with the matching reason.

    Raises:
        AuthorityError: reason ``malformed_key`` or ``small_order_key``.
    """
    try:
        check_public_key(public_key)
    except ValidationError as e:
        reason = Reason.MALFORMED_KEY if str(e).startswith("malformed") else Reason.SMALL_ORDER_KEY
        raise _deny(reason, str(e)) from e


def _delegated(roster: Roster, key: PartyKey, act: Act, at: datetime) -> Grant:
    found = [
        d
        for d in roster.delegations.values()
        if d.delegate_key == key.public_key and d.party_id == key.party_id
    ]
    if not found:
        raise _deny(Reason.NO_DELEGATION, f"{key.holder} holds no full powers for {key.party_id}")
    failures: list[tuple[int, Reason, str]] = []
    addressees = {a.party for a in act.addressees}
    for d in sorted(found, key=lambda d: d.delegation_id):
        failure = _delegation_failure(roster, d, act.kind, addressees, at)
        if failure is None:
            return Grant(
                public_key=key.public_key,
                party_id=key.party_id,
                holder=key.holder,
                basis=f"delegation:{d.delegation_id}",
            )
        failures.append(failure)
    _, reason, message = min(failures, key=lambda f: f[0])
    raise _deny(reason, message)


def _delegation_failure(
    roster: Roster, d: Delegation, kind: ActKind, addressees: set[str], at: datetime
) -> tuple[int, Reason, str] | None:
    revoked = roster.delegation_revoked_at.get(d.delegation_id)
    if not d.valid_from <= at < d.valid_until:
        when = "not yet valid" if at < d.valid_from else "expired"
        return 3, Reason.DELEGATION_EXPIRED, f"delegation {d.delegation_id} {when} at receipt"
    if revoked is not None and revoked <= at:
        return 2, Reason.DELEGATION_REVOKED, f"delegation {d.delegation_id} revoked at receipt"
    if kind not in d.act_kinds:
        return 1, Reason.OUT_OF_SCOPE, f"delegation {d.delegation_id} does not cover {kind.value}"
    if d.addressees and not addressees <= d.addressees:
        outside = sorted(addressees - d.addressees)
        return (
            1,
            Reason.OUT_OF_SCOPE,
            f"delegation {d.delegation_id} does not cover addressee {outside[0]}",
        )
    return None


def grant_for(roster: Roster, public_key: bytes, act: Act, received_at: datetime) -> Grant:
    """Return the basis on which ``public_key`` may sign ``act`` at ``received_at``.

    Raises:
        AuthorityError: with the exact reason.
    """
    check_key(public_key)
    key = roster.keys.get(public_key)
    if key is None or received_at < key.valid_from:
        raise _deny(
            Reason.UNKNOWN_KEY, f"key {public_key.hex()[:16]}... is not registered at receipt"
        )
    revoked = roster.key_revoked_at.get(public_key)
    if (revoked is not None and revoked <= received_at) or (
        key.valid_until is not None and key.valid_until <= received_at
    ):
        raise _deny(
            Reason.KEY_REVOKED, f"key of {key.holder} was revoked or expired before receipt"
        )
    if key.party_id not in act.issuers:
        raise _deny(
            Reason.OUT_OF_SCOPE, f"key of {key.party_id} cannot sign for {', '.join(act.issuers)}"
        )
    spec = SPECS[act.kind]
    if key.root:
        return Grant(public_key=public_key, party_id=key.party_id, holder=key.holder, basis="root")
    if spec.root_only:
        raise _deny(
            Reason.OUT_OF_SCOPE, f"only a root key of {key.party_id} may sign {act.kind.value}"
        )
    role = roster.organs[key.organ_id].role
    if role in INHERENT_ROLES:
        return Grant(
            public_key=public_key, party_id=key.party_id, holder=key.holder, basis="inherent"
        )
    if act.kind in ORGAN_KINDS.get(role, frozenset()):
        return Grant(public_key=public_key, party_id=key.party_id, holder=key.holder, basis="organ")
    return _delegated(roster, key, act, received_at)


def check_authority(
    roster: Roster, act: Act, signer_keys: Sequence[bytes], received_at: datetime
) -> tuple[Grant, ...]:
    """Check every signer and each issuer's threshold (distinct holders) at ``received_at``.

    Raises:
        AuthorityError: the first signer without authority, or a threshold not met.
    """
    schema.check_instant(received_at, "received_at")
    grants = tuple(grant_for(roster, k, act, received_at) for k in signer_keys)
    default = SPECS[act.kind].min_signers
    for party in act.issuers:
        holders = {(g.holder, g.party_id) for g in grants if g.party_id == party}
        need = roster.threshold(party, act.kind, default)
        if len(holders) < need:
            raise _deny(
                Reason.THRESHOLD_NOT_MET,
                f"{act.kind.value} for {party} needs {need} signer(s), has {len(holders)}",
            )
    return grants


def authorise(
    envelope: Envelope, roster: Roster, received_at: datetime, act: Act | None = None
) -> AuthorisedAct:
    """Parse, verify every signature over the stored bytes, and check authority.

    ``act`` is the envelope's act when the caller has parsed it already.

    Raises:
        DecodeError, ValidationError: the payload is not a valid act.
        AuthorityError: a key is malformed or small-order, or a signer lacks authority.
        SignatureError: a signature does not verify.
    """
    act = envelope.act() if act is None else act
    message = envelope.message()
    for s in envelope.signatures:
        check_key(s.public_key)
        verify(s.public_key, message, s.signature)
    grants = check_authority(roster, act, [s.public_key for s in envelope.signatures], received_at)
    return AuthorisedAct(act=act, envelope=envelope, received_at=received_at, grants=grants)


def apply_to_roster(roster: Roster, authorised: AuthorisedAct) -> Roster:
    """Return the roster after a full-powers, rotation or revocation act (others: unchanged).

    Raises:
        AuthorityError: the act reaches into another party's keys or delegations.
        ValidationError: it names an unknown key or delegation.
    """
    act, at, body = authorised.act, authorised.received_at, authorised.act.body
    party = act.issuers[0]
    if isinstance(body, FullPowersBody):
        if body.delegation.party_id != party:
            raise _deny(
                Reason.OUT_OF_SCOPE, "full powers can only be granted for the issuing party"
            )
        return roster.with_delegation(body.delegation)
    if isinstance(body, KeyRotationBody):
        old = roster.keys.get(body.old_key)
        if old is None or old.party_id != party or body.new_key.party_id != party:
            raise _deny(Reason.OUT_OF_SCOPE, "a rotation must replace a key of the issuing party")
        return roster.with_key_revoked(body.old_key, at).with_key(body.new_key)
    if isinstance(body, KeyRevocationBody):
        key = roster.keys.get(body.key)
        if key is None or key.party_id != party:
            raise _deny(Reason.OUT_OF_SCOPE, "a revocation must name a key of the issuing party")
        return roster.with_key_revoked(body.key, at)
    if isinstance(body, DelegationRevocationBody):
        d = roster.delegations.get(body.delegation)
        if d is None or d.party_id != party:
            raise _deny(
                Reason.OUT_OF_SCOPE, "a revocation must name a delegation of the issuing party"
            )
        return roster.with_delegation_revoked(body.delegation, at)
    return roster
