"""Round-trips and tables of bad inputs for acts, envelopes and mandates."""

from __future__ import annotations

import base64
import json
from datetime import date
from typing import Any

import pytest

from depositary.acts import bodies as b
from depositary.acts.act import Act
from depositary.acts.canonical import ACT_PREFIX, MAX_ENTRY_BYTES, act_from_bytes, act_to_bytes
from depositary.acts.envelope import Envelope, sign_act
from depositary.acts.kinds import EVENT_CODES, SPECS, ActKind, NoticeType
from depositary.errors import DecodeError, ValidationError
from tests.acts.factory import act, signer


def mandate(**over: Any) -> b.MandateBody:
    values: dict[str, Any] = {
        "chamber": "Council of Representatives",
        "seats": 329,
        "quorum_rule": b.QuorumRule.ABSOLUTE_MAJORITY,
        "quorum": 165,
        "present": None,
        "votes_for": 170,
        "votes_against": 0,
        "abstentions": 0,
        "concerning": ("us", "coalition", "ir"),
    }
    values.update(over)
    return b.MandateBody(**values)


def notice() -> Act:
    return act(
        "iq-notice-1",
        ActKind.NOTICE,
        b.NoticeBody(
            notice_type=NoticeType.WITHDRAWAL_OF_CONSENT,
            targets=(b.Target(instrument="iq-invitation-2014", named_date=date(2020, 3, 1)),),
            grounds="sovereign decision",
        ),
        to=("us", "coalition", "ir"),
        basis=("iq-invitation-2014",),
    )


SAMPLES = [
    notice(),
    act("m", ActKind.DOMESTIC_MANDATE, mandate(), to=()),
    act(
        "talks",
        ActKind.REQUEST_FOR_TALKS,
        b.TalksBody(
            agenda=(
                b.AgendaItem(number=1, title="mechanism for withdrawal"),
                b.AgendaItem(number=2, title="partnership"),
            ),
            dates=(date(2020, 1, 20),),
            place="Baghdad",
            respond_by=date(2020, 1, 17),
        ),
    ),
    act(
        "ref",
        ActKind.REFUSAL,
        b.RefusalBody(of_act="talks", agenda_items=(1,), reason=None),
        issuers=("us",),
        to=("iq",),
    ),
]


@pytest.mark.parametrize("value", SAMPLES, ids=lambda a: a.act_id)
def test_act_round_trips_through_dict_and_bytes(value: Act) -> None:
    assert Act.from_dict(value.to_dict()) == value
    payload = act_to_bytes(value)
    assert act_from_bytes(payload) == value
    assert act_to_bytes(act_from_bytes(payload)) == payload


def test_envelope_bytes_round_trip_and_keep_signed_bytes() -> None:
    env = sign_act(notice(), [signer(1), signer(4)])
    data = env.to_bytes()
    again = Envelope.from_bytes(data)
    assert again == env
    assert again.to_bytes() == data
    assert again.message() == ACT_PREFIX + env.payload
    doc = json.loads(data)
    assert doc["type"] == "depositary/envelope"
    assert json.loads(base64.b64decode(doc["payload"]))["type"] == "depositary/act"


def _mutate(path: tuple[Any, ...], value: Any) -> bytes:
    doc = notice().to_dict()
    target = doc
    for p in path[:-1]:
        target = target[p]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


BAD_PAYLOADS = [
    (("extra",), 1, DecodeError, "unknown field 'extra'"),
    (("body", "extra"), 1, DecodeError, "notice: unknown field 'extra'"),
    (("type",), "depositary/notice", DecodeError, "act.type: expected"),
    (("version",), 2, DecodeError, "unsupported version"),
    (("kind",), "ultimatum", DecodeError, "act.kind: unknown value"),
    (("made_at",), "2020-01-05 10:00:00", DecodeError, "expected a UTC time"),
    (("made_at",), KeyError, DecodeError, "missing field 'made_at'"),
    (("act_id",), "Bad ID", DecodeError, "not a valid identifier"),
    (("texts",), [], ValidationError, "at least one text"),
    (("texts", 0, "authentic"), False, ValidationError, "at least one text must be authentic"),
    (("texts", 1, "lang"), "ar", ValidationError, "two texts in the same language"),
    (("texts", 1, "lang"), "english", DecodeError, "not a language tag"),
    (("addressees",), [], ValidationError, "a notice must name its addressees"),
    (("issuers",), ["iq", "iq"], DecodeError, "duplicate 'iq'"),
    (("body", "targets"), [], ValidationError, "must name at least one instrument"),
    (("body", "notice_type"), "threat", DecodeError, "notice.notice_type: unknown value"),
    (
        ("attachments",),
        [{"name": "x", "media_type": "a/b", "sha256": "AB"}],
        DecodeError,
        "64 lower-case hex",
    ),
]


@pytest.mark.parametrize(("path", "value", "error", "message"), BAD_PAYLOADS)
def test_bad_act_payloads_are_rejected_with_reason(
    path: tuple[Any, ...], value: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        act_from_bytes(_mutate(path, value))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"a":1,"a":2}', "duplicate JSON key"),
        (b'{"version":1.0}', "floating-point"),
        (b"\xff", "not UTF-8"),
        (b"[", "not JSON"),
    ],
)
def test_bad_json_is_rejected(data: bytes, message: str) -> None:
    with pytest.raises(DecodeError, match=message):
        act_from_bytes(data)


def test_non_canonical_payload_is_rejected_even_when_valid() -> None:
    pretty = json.dumps(notice().to_dict(), indent=1, ensure_ascii=False).encode()
    with pytest.raises(DecodeError, match="canonical form"):
        act_from_bytes(pretty)


def test_envelope_over_one_log_entry_is_rejected() -> None:
    big = act("big", ActKind.STATEMENT_OF_INTENT, b.IntentBody(presences=()))
    big = Act.from_dict(
        {**big.to_dict(), "texts": [{"lang": "en", "authentic": True, "content": "x" * 59_000}]}
    )
    with pytest.raises(ValidationError, match="over 65535"):
        sign_act(big, [signer(1)])
    with pytest.raises(ValidationError, match="over 65535"):
        Envelope.from_bytes(b" " * (MAX_ENTRY_BYTES + 1))


def test_envelope_rejects_unsorted_or_duplicate_signatures() -> None:
    env = sign_act(notice(), [signer(1), signer(4)])
    doc = json.loads(env.to_bytes())
    doc["signatures"].reverse()
    with pytest.raises(DecodeError, match="sorted by public key"):
        Envelope.from_dict(doc)
    doc["signatures"] = [doc["signatures"][0]] * 2
    with pytest.raises(DecodeError, match="one per key"):
        Envelope.from_dict(doc)


def test_iraq_mandate_tally_is_valid() -> None:
    body = mandate()
    assert body.votes_for == 170
    assert body.quorum == 329 // 2 + 1


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"quorum": 164}, "quorum of 329 seats is 165, not 164"),
        ({"votes_for": 160}, r"quorum not met \(160 present, 165 needed\)"),
        ({"votes_for": 300, "votes_against": 40}, "340 votes cast exceed 329 seats"),
        ({"votes_for": 100, "votes_against": 100}, "no simple majority"),
        ({"present": 169}, "169 present cannot cast 170 votes"),
        ({"present": 330}, "cannot cast"),
        ({"quorum": 400, "quorum_rule": b.QuorumRule.FIXED}, "outside 1..329"),
        ({"concerning": ()}, "must name the parties"),
    ],
)
def test_invalid_tallies_are_rejected(over: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        mandate(**over)


def test_every_kind_has_a_spec_and_event_code_with_codebook() -> None:
    for kind in ActKind:
        assert kind in SPECS
        code = EVENT_CODES[kind]
        assert code.cameo.isdigit()
        assert "CAMEO" in code.to_dict()["cameo_codebook"]
    assert EVENT_CODES[ActKind.NOTICE].cameo == "166"
    assert EVENT_CODES[ActKind.REFUSAL].plover_category == "REJECT"
    assert EVENT_CODES[ActKind.REQUEST_FOR_TALKS].plover_category is None


def test_joint_kinds_need_two_issuers() -> None:
    with pytest.raises(ValidationError, match="issued jointly"):
        act(
            "c",
            ActKind.COMPLETION_REPORT,
            b.CompletionBody(presence="p", completed_on=date(2011, 12, 16), sites=()),
        )


def test_agenda_must_be_numbered_from_one() -> None:
    with pytest.raises(ValidationError, match="numbered 1, 2, 3"):
        b.TalksBody(
            agenda=(b.AgendaItem(number=2, title="x"),), dates=(), place=None, respond_by=None
        )
