"""The formal act: who makes it, to whom, in which texts, with which attachments and body.

``Act.from_dict`` is strict: unknown fields, a wrong ``type`` or ``version`` and a body that
does not fit the kind are all rejected with the path of the offending field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from depositary.acts import fieldcodec as fc
from depositary.acts import schema
from depositary.acts.bodies import BODY_TYPES, Body
from depositary.acts.fieldcodec import Codec, Record
from depositary.acts.kinds import SPECS, ActKind
from depositary.errors import DecodeError, ValidationError

ACT_TYPE = "depositary/act"
ACT_VERSION = 1
LANG_PATTERN = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2})?$")


def _lang(d: Any, n: str, w: str) -> str:
    value = schema.text(d, n, w, max_len=16)
    if not LANG_PATTERN.match(value):
        raise DecodeError(f"{w}.{n}: not a language tag like 'ar' or 'en': {value!r}")
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class Text(Record):
    """The act's wording in one language; ``authentic`` texts are equally binding."""

    WHERE: ClassVar[str] = "text"
    FIELDS: ClassVar = (("lang", Codec(_lang, str)), ("authentic", fc.BOOL), ("content", fc.text()))
    lang: str
    authentic: bool
    content: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Attachment(Record):
    """A document referenced by its SHA-256; the bytes travel separately."""

    WHERE: ClassVar[str] = "attachment"
    FIELDS: ClassVar = (("name", fc.text(300)), ("media_type", fc.text(100)), ("sha256", fc.SHA256))
    name: str
    media_type: str
    sha256: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Addressee(Record):
    """A party the act is addressed to, with the instruments that are its legal basis."""

    WHERE: ClassVar[str] = "addressee"
    FIELDS: ClassVar = (("party", fc.ID), ("legal_basis", fc.IDS))
    party: str
    legal_basis: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Act:
    """One formal act. ``made_at`` is the date the act claims; authority is judged at receipt."""

    act_id: str
    kind: ActKind
    issuers: tuple[str, ...]
    addressees: tuple[Addressee, ...]
    made_at: datetime
    texts: tuple[Text, ...]
    attachments: tuple[Attachment, ...] = ()
    body: Body

    def __post_init__(self) -> None:
        schema.check_ident(self.act_id, "act.act_id")
        schema.check_instant(self.made_at, "act.made_at")
        if not isinstance(self.body, BODY_TYPES[self.kind]):
            raise ValidationError(f"act: body does not fit kind {self.kind.value}")
        spec = SPECS[self.kind]
        if not self.issuers:
            raise ValidationError("act: must name at least one issuer")
        if len(set(self.issuers)) != len(self.issuers):
            raise ValidationError("act: an issuer is named twice")
        if spec.joint and len(self.issuers) < 2:
            raise ValidationError(
                f"act: {self.kind.value} must be issued jointly by two or more parties"
            )
        parties = [a.party for a in self.addressees]
        if len(set(parties)) != len(parties):
            raise ValidationError("act: an addressee is named twice")
        if set(parties) & set(self.issuers) and not spec.joint:
            raise ValidationError("act: a party cannot address its own act to itself")
        if self.kind is ActKind.NOTICE and not self.addressees:
            raise ValidationError("act: a notice must name its addressees")
        if not self.texts:
            raise ValidationError("act: must carry at least one text")
        langs = [t.lang for t in self.texts]
        if len(set(langs)) != len(langs):
            raise ValidationError("act: two texts in the same language")
        if not any(t.authentic for t in self.texts):
            raise ValidationError("act: at least one text must be authentic")
        digests = [a.sha256 for a in self.attachments]
        if len(set(digests)) != len(digests):
            raise ValidationError("act: an attachment is listed twice")

    @property
    def operative(self) -> bool:
        """False for kinds that never start, stop or pause a clock."""
        return SPECS[self.kind].operative

    def authentic_langs(self) -> tuple[str, ...]:
        return tuple(t.lang for t in self.texts if t.authentic)

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": ACT_TYPE,
            "version": ACT_VERSION,
            "act_id": self.act_id,
            "kind": self.kind.value,
            "issuers": list(self.issuers),
            "addressees": [a.to_dict() for a in self.addressees],
            "made_at": schema.format_instant(self.made_at),
            "texts": [t.to_dict() for t in self.texts],
            "attachments": [a.to_dict() for a in self.attachments],
            "body": self.body.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: object) -> Act:
        """Parse plain data into an act.

        Raises:
            DecodeError: unknown or missing field, wrong type, version or shape.
            ValidationError: the act parses but breaks a rule (tally, texts, issuers).
        """
        w = "act"
        names = (
            "type",
            "version",
            "act_id",
            "kind",
            "issuers",
            "addressees",
            "made_at",
            "texts",
            "attachments",
            "body",
        )
        d = schema.fields(data, w, required=names)
        if d["type"] != ACT_TYPE:
            raise DecodeError(f"act.type: expected {ACT_TYPE!r}, got {d['type']!r}")
        if schema.integer(d, "version", w) != ACT_VERSION:
            raise DecodeError(f"act.version: unsupported version {d['version']}")
        kind = schema.choice(d, "kind", w, ActKind)
        return cls(
            act_id=schema.ident(d, "act_id", w),
            kind=kind,
            issuers=schema.ident_list(d, "issuers", w),
            addressees=tuple(
                Addressee.from_dict(x) for x in schema.array(d, "addressees", w, max_len=100)
            ),
            made_at=schema.instant(d, "made_at", w),
            texts=tuple(Text.from_dict(x) for x in schema.array(d, "texts", w, max_len=20)),
            attachments=tuple(
                Attachment.from_dict(x) for x in schema.array(d, "attachments", w, max_len=100)
            ),
            body=BODY_TYPES[kind].from_dict(d["body"]),  # type: ignore[arg-type]
        )

    def refers_to(self) -> str | None:
        """The act this one answers or acts upon, if any."""
        for name in ("of_act", "notice", "suspension"):
            value = getattr(self.body, name, None)
            if isinstance(value, str):
                return value
        return None
