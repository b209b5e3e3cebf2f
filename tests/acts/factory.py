"""Builders for test acts, parties and keys (deterministic seeds; no clock)."""

from __future__ import annotations

from datetime import UTC, datetime

from depositary.acts import bodies as b
from depositary.acts.act import Act, Addressee, Text
from depositary.acts.kinds import ActKind
from depositary.acts.parties import KeyUse, Organ, OrganRole, Party, PartyKey, PartyKind, Roster
from depositary.crypto.ed25519 import Signer


def t(value: str) -> datetime:
    """'2020-01-05T12:00:00' -> aware UTC datetime."""
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def signer(n: int) -> Signer:
    return Signer(bytes([n]) * 32)


def texts(content: str = "text of the act") -> tuple[Text, ...]:
    return (
        Text(lang="ar", authentic=True, content="نص " + content),
        Text(lang="en", authentic=False, content=content),
    )


def act(
    act_id: str,
    kind: ActKind,
    body: b.Body,
    *,
    issuers: tuple[str, ...] = ("iq",),
    to: tuple[str, ...] = ("us",),
    basis: tuple[str, ...] = (),
    made_at: str = "2020-01-05T10:00:00",
) -> Act:
    return Act(
        act_id=act_id,
        kind=kind,
        issuers=issuers,
        addressees=tuple(Addressee(party=p, legal_basis=basis) for p in to),
        made_at=t(made_at),
        texts=texts(f"act {act_id}"),
        body=body,
    )


PARTIES = (
    Party(
        party_id="iq",
        name="Republic of Iraq",
        kind=PartyKind.STATE,
        time_zone="Asia/Baghdad",
        country="IQ",
    ),
    Party(
        party_id="us",
        name="United States",
        kind=PartyKind.STATE,
        time_zone="America/New_York",
        country="US",
    ),
    Party(
        party_id="coalition",
        name="Global Coalition",
        kind=PartyKind.COALITION,
        time_zone="Asia/Baghdad",
    ),
    Party(
        party_id="ir",
        name="Islamic Republic of Iran",
        kind=PartyKind.STATE,
        time_zone="Asia/Tehran",
        country="IR",
    ),
    Party(
        party_id="un",
        name="United Nations",
        kind=PartyKind.INTERNATIONAL_ORGANISATION,
        time_zone="America/New_York",
    ),
    Party(
        party_id="ph",
        name="Republic of the Philippines",
        kind=PartyKind.STATE,
        time_zone="Asia/Manila",
        country="PH",
    ),
    Party(party_id="wire", name="A news agency", kind=PartyKind.REPORTER),
)
PARTY_MAP = {p.party_id: p for p in PARTIES}

ORGANS = (
    Organ(
        organ_id="iq-pm", party_id="iq", role=OrganRole.HEAD_OF_GOVERNMENT, name="Prime Minister"
    ),
    Organ(
        organ_id="iq-cor",
        party_id="iq",
        role=OrganRole.PARLIAMENT,
        name="Council of Representatives",
    ),
    Organ(
        organ_id="iq-mfa",
        party_id="iq",
        role=OrganRole.FOREIGN_MINISTRY,
        name="Ministry of Foreign Affairs",
    ),
    Organ(organ_id="iq-pres", party_id="iq", role=OrganRole.HEAD_OF_STATE, name="Presidency"),
    Organ(
        organ_id="us-sec", party_id="us", role=OrganRole.FOREIGN_MINISTER, name="Secretary of State"
    ),
    Organ(
        organ_id="us-cmd", party_id="us", role=OrganRole.MILITARY_COMMAND, name="Joint task force"
    ),
    Organ(
        organ_id="ph-fm", party_id="ph", role=OrganRole.FOREIGN_MINISTER, name="Foreign Secretary"
    ),
    Organ(organ_id="wire-desk", party_id="wire", role=OrganRole.NEWSROOM, name="Desk"),
)

# Seeds: 1 IQ PM, 2 IQ parliament, 3 IQ MFA official, 4 IQ root (presidency seal),
# 5 US SecState, 6 US commander, 7 PH FM, 8 reporter, 9 unregistered.
_KEYS = (
    (1, "iq", "iq-pm", "prime minister", False),
    (2, "iq", "iq-cor", "speaker", False),
    (3, "iq", "iq-mfa", "director of treaties", False),
    (4, "iq", "iq-pres", "presidency seal", True),
    (5, "us", "us-sec", "secretary of state", True),
    (6, "us", "us-cmd", "commander", False),
    (7, "ph", "ph-fm", "foreign secretary", True),
    (8, "wire", "wire-desk", "editor", False),
)


def roster() -> Roster:
    keys = tuple(
        PartyKey(
            public_key=signer(n).public_key,
            party_id=party,
            organ_id=organ,
            holder=holder,
            use=KeyUse.SEAL if root else KeyUse.PERSONAL,
            root=root,
            valid_from=t("2000-01-01T00:00:00"),
        )
        for n, party, organ, holder, root in _KEYS
    )
    return Roster.build(parties=PARTIES, organs=ORGANS, keys=keys)
