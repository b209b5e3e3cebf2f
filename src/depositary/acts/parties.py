"""Parties, their organs and keys, full powers (delegations), rotation and revocation.

A ``Roster`` is the depositary's view of who holds which key, at which time. It is a
value: applying a key or delegation act returns a new roster.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from depositary.acts import schema
from depositary.acts.kinds import ActKind
from depositary.crypto.ed25519 import check_public_key
from depositary.encoding import b64
from depositary.errors import DecodeError, ValidationError


class PartyKind(StrEnum):
    STATE = "state"
    GOVERNMENT = "government"
    INTERNATIONAL_ORGANISATION = "international_organisation"
    COALITION = "coalition"
    REPORTER = "reporter"


class OrganRole(StrEnum):
    HEAD_OF_STATE = "head_of_state"
    HEAD_OF_GOVERNMENT = "head_of_government"
    FOREIGN_MINISTER = "foreign_minister"
    PARLIAMENT = "parliament"
    FOREIGN_MINISTRY = "foreign_ministry"
    EMBASSY = "embassy"
    MILITARY_COMMAND = "military_command"
    SECRETARIAT = "secretariat"
    NEWSROOM = "newsroom"


# Treaty practice (VCLT art. 7): these act for their party without full powers.
INHERENT_ROLES = frozenset(
    {OrganRole.HEAD_OF_STATE, OrganRole.HEAD_OF_GOVERNMENT, OrganRole.FOREIGN_MINISTER}
)
# Organs competent by themselves for a few kinds only.
ORGAN_KINDS: Mapping[OrganRole, frozenset[ActKind]] = {
    OrganRole.PARLIAMENT: frozenset({ActKind.DOMESTIC_MANDATE}),
    OrganRole.NEWSROOM: frozenset({ActKind.REPORTED_STATEMENT}),
}


class KeyUse(StrEnum):
    PERSONAL = "personal"
    SEAL = "seal"


def key_from_text(value: object, where: str) -> bytes:
    """Decode a base64 Ed25519 public key and check it is a usable point.

    Raises:
        DecodeError: not base64.
        ValidationError: malformed (wrong length) or small-order key.
    """
    raw = b64.decode_field(value, where)
    check_public_key(raw)
    return raw


def key_to_text(public_key: bytes) -> str:
    return b64.encode(public_key)


@dataclass(frozen=True, slots=True, kw_only=True)
class Party:
    """A state, government, organisation, coalition or reporter; ``time_zone`` is IANA."""

    party_id: str
    name: str
    kind: PartyKind
    time_zone: str = "UTC"
    country: str | None = None  # ISO 3166-1 alpha-2, for weekends and holidays

    def __post_init__(self) -> None:
        schema.check_ident(self.party_id, "party.party_id")
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise ValidationError(f"party.time_zone: unknown time zone {self.time_zone!r}") from e
        if self.country is not None and (len(self.country) != 2 or not self.country.isupper()):
            raise ValidationError(f"party.country: expected ISO alpha-2, got {self.country!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "party_id": self.party_id,
            "name": self.name,
            "kind": self.kind.value,
            "time_zone": self.time_zone,
            "country": self.country,
        }

    @classmethod
    def from_dict(cls, data: object) -> Party:
        w = "party"
        d = schema.fields(data, w, required=("party_id", "name", "kind", "time_zone", "country"))
        country = d["country"]
        if country is not None and not isinstance(country, str):
            raise DecodeError(f"{w}.country: expected a string or null")
        return cls(
            party_id=schema.ident(d, "party_id", w),
            name=schema.text(d, "name", w, max_len=200),
            kind=schema.choice(d, "kind", w, PartyKind),
            time_zone=schema.text(d, "time_zone", w, max_len=64),
            country=country,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Organ:
    organ_id: str
    party_id: str
    role: OrganRole
    name: str

    def __post_init__(self) -> None:
        schema.check_ident(self.organ_id, "organ.organ_id")
        schema.check_ident(self.party_id, "organ.party_id")

    def to_dict(self) -> dict[str, Any]:
        return {
            "organ_id": self.organ_id,
            "party_id": self.party_id,
            "role": self.role.value,
            "name": self.name,
        }

    @classmethod
    def from_dict(cls, data: object) -> Organ:
        w = "organ"
        d = schema.fields(data, w, required=("organ_id", "party_id", "role", "name"))
        return cls(
            organ_id=schema.ident(d, "organ_id", w),
            party_id=schema.ident(d, "party_id", w),
            role=schema.choice(d, "role", w, OrganRole),
            name=schema.text(d, "name", w, max_len=200),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class PartyKey:
    """A public key held by an organ: a person's signature or an office seal.

    A ``root`` key signs full powers, rotations and revocations for its party.
    """

    public_key: bytes
    party_id: str
    organ_id: str
    holder: str
    use: KeyUse
    root: bool = False
    valid_from: datetime
    valid_until: datetime | None = None

    def __post_init__(self) -> None:
        check_public_key(self.public_key)
        schema.check_instant(self.valid_from, "key.valid_from")
        if self.valid_until is not None:
            schema.check_instant(self.valid_until, "key.valid_until")
            if self.valid_until <= self.valid_from:
                raise ValidationError("key: valid_until must be after valid_from")

    def to_dict(self) -> dict[str, Any]:
        return {
            "public_key": key_to_text(self.public_key),
            "party_id": self.party_id,
            "organ_id": self.organ_id,
            "holder": self.holder,
            "use": self.use.value,
            "root": self.root,
            "valid_from": schema.format_instant(self.valid_from),
            "valid_until": None
            if self.valid_until is None
            else schema.format_instant(self.valid_until),
        }

    @classmethod
    def from_dict(cls, data: object) -> PartyKey:
        w = "key"
        d = schema.fields(
            data,
            w,
            required=(
                "public_key",
                "party_id",
                "organ_id",
                "holder",
                "use",
                "root",
                "valid_from",
                "valid_until",
            ),
        )
        until = None if d["valid_until"] is None else schema.instant(d, "valid_until", w)
        return cls(
            public_key=key_from_text(d["public_key"], f"{w}.public_key"),
            party_id=schema.ident(d, "party_id", w),
            organ_id=schema.ident(d, "organ_id", w),
            holder=schema.text(d, "holder", w, max_len=200),
            use=schema.choice(d, "use", w, KeyUse),
            root=schema.boolean(d, "root", w),
            valid_from=schema.instant(d, "valid_from", w),
            valid_until=until,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Delegation:
    """Full powers: ``delegate_key`` may sign ``act_kinds`` for ``party_id`` in a time window.

    ``addressees`` empty means any addressee.
    """

    delegation_id: str
    party_id: str
    delegate_key: bytes
    act_kinds: frozenset[ActKind]
    addressees: frozenset[str] = frozenset()
    valid_from: datetime
    valid_until: datetime

    def __post_init__(self) -> None:
        schema.check_ident(self.delegation_id, "delegation.delegation_id")
        check_public_key(self.delegate_key)
        if not self.act_kinds:
            raise ValidationError("delegation.act_kinds: must name at least one kind")
        schema.check_instant(self.valid_from, "delegation.valid_from")
        schema.check_instant(self.valid_until, "delegation.valid_until")
        if self.valid_until <= self.valid_from:
            raise ValidationError("delegation: valid_until must be after valid_from")

    def to_dict(self) -> dict[str, Any]:
        return {
            "delegation_id": self.delegation_id,
            "party_id": self.party_id,
            "delegate_key": key_to_text(self.delegate_key),
            "act_kinds": sorted(k.value for k in self.act_kinds),
            "addressees": sorted(self.addressees),
            "valid_from": schema.format_instant(self.valid_from),
            "valid_until": schema.format_instant(self.valid_until),
        }

    @classmethod
    def from_dict(cls, data: object) -> Delegation:
        w = "delegation"
        d = schema.fields(
            data,
            w,
            required=(
                "delegation_id",
                "party_id",
                "delegate_key",
                "act_kinds",
                "addressees",
                "valid_from",
                "valid_until",
            ),
        )
        kinds = []
        for i, k in enumerate(schema.array(d, "act_kinds", w)):
            try:
                kinds.append(ActKind(k))
            except ValueError as e:
                raise DecodeError(f"{w}.act_kinds[{i}]: unknown act kind {k!r}") from e
        if sorted(kinds) != [ActKind(k) for k in d["act_kinds"]] or len(set(kinds)) != len(kinds):
            raise DecodeError(f"{w}.act_kinds: must be sorted and distinct")
        addressees = schema.ident_list(d, "addressees", w)
        if list(addressees) != sorted(addressees):
            raise DecodeError(f"{w}.addressees: must be sorted")
        return cls(
            delegation_id=schema.ident(d, "delegation_id", w),
            party_id=schema.ident(d, "party_id", w),
            delegate_key=key_from_text(d["delegate_key"], f"{w}.delegate_key"),
            act_kinds=frozenset(kinds),
            addressees=frozenset(addressees),
            valid_from=schema.instant(d, "valid_from", w),
            valid_until=schema.instant(d, "valid_until", w),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Roster:
    """Parties, organs, keys and delegations, with the time each key or delegation was revoked."""

    parties: Mapping[str, Party] = field(default_factory=dict)
    organs: Mapping[str, Organ] = field(default_factory=dict)
    keys: Mapping[bytes, PartyKey] = field(default_factory=dict)
    delegations: Mapping[str, Delegation] = field(default_factory=dict)
    key_revoked_at: Mapping[bytes, datetime] = field(default_factory=dict)
    delegation_revoked_at: Mapping[str, datetime] = field(default_factory=dict)
    thresholds: Mapping[tuple[str, ActKind], int] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        *,
        parties: tuple[Party, ...],
        organs: tuple[Organ, ...],
        keys: tuple[PartyKey, ...],
        thresholds: Mapping[tuple[str, ActKind], int] | None = None,
    ) -> Roster:
        """Build a roster, checking every organ and key names a known party and organ.

        Raises:
            ValidationError: a dangling reference, a duplicate, or a bad threshold.
        """
        party_map = {p.party_id: p for p in parties}
        organ_map = {o.organ_id: o for o in organs}
        if len(party_map) != len(parties) or len(organ_map) != len(organs):
            raise ValidationError("roster: duplicate party or organ id")
        for o in organs:
            if o.party_id not in party_map:
                raise ValidationError(
                    f"roster: organ {o.organ_id} names unknown party {o.party_id}"
                )
        key_map: dict[bytes, PartyKey] = {}
        for k in keys:
            organ = organ_map.get(k.organ_id)
            if organ is None or organ.party_id != k.party_id:
                raise ValidationError(
                    f"roster: key of {k.holder} names an organ not of party {k.party_id}"
                )
            if k.public_key in key_map:
                raise ValidationError(f"roster: key of {k.holder} registered twice")
            key_map[k.public_key] = k
        for (party_id, _kind), n in (thresholds or {}).items():
            if party_id not in party_map or n < 1:
                raise ValidationError(f"roster: bad threshold for {party_id}")
        return cls(
            parties=party_map, organs=organ_map, keys=key_map, thresholds=dict(thresholds or {})
        )

    def with_delegation(self, delegation: Delegation) -> Roster:
        """Return a roster that also holds ``delegation`` (full powers)."""
        if delegation.party_id not in self.parties:
            raise ValidationError(f"delegation names unknown party {delegation.party_id}")
        if delegation.delegation_id in self.delegations:
            raise ValidationError(f"delegation {delegation.delegation_id} already granted")
        return replace(self, delegations={**self.delegations, delegation.delegation_id: delegation})

    def with_key(self, key: PartyKey) -> Roster:
        """Return a roster that also holds ``key`` (a new or rotated-in key)."""
        if key.public_key in self.keys:
            raise ValidationError(f"key of {key.holder} registered twice")
        organ = self.organs.get(key.organ_id)
        if organ is None or organ.party_id != key.party_id:
            raise ValidationError(f"key of {key.holder} names an organ not of party {key.party_id}")
        return replace(self, keys={**self.keys, key.public_key: key})

    def with_key_revoked(self, public_key: bytes, at: datetime) -> Roster:
        """Return a roster in which ``public_key`` stops signing at ``at``."""
        if public_key not in self.keys:
            raise ValidationError("revocation names an unknown key")
        if public_key in self.key_revoked_at:
            return self
        return replace(self, key_revoked_at={**self.key_revoked_at, public_key: at})

    def with_delegation_revoked(self, delegation_id: str, at: datetime) -> Roster:
        """Return a roster in which the delegation stops at ``at``."""
        if delegation_id not in self.delegations:
            raise ValidationError(f"revocation names unknown delegation {delegation_id}")
        if delegation_id in self.delegation_revoked_at:
            return self
        return replace(
            self, delegation_revoked_at={**self.delegation_revoked_at, delegation_id: at}
        )

    def threshold(self, party_id: str, kind: ActKind, default: int) -> int:
        return self.thresholds.get((party_id, kind), default)
