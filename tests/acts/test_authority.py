"""Signatures over the stored bytes, and authority judged at the depositary's receipt time."""

from __future__ import annotations

import json
from datetime import date

import pytest

from depositary.acts import bodies as b
from depositary.acts.act import Act
from depositary.acts.authority import Reason, apply_to_roster, authorise, check_authority
from depositary.acts.envelope import Envelope, Signature, cosign, sign_act
from depositary.acts.kinds import ActKind, NoticeType
from depositary.acts.parties import Delegation, Roster
from depositary.errors import AuthorityError, SignatureError, ValidationError
from tests.acts.factory import act, roster, signer, t

SMALL_ORDER = [
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
]
AT = t("2020-01-10T12:00:00")


def notice(
    kind: NoticeType = NoticeType.WITHDRAWAL_OF_CONSENT, to: tuple[str, ...] = ("us",)
) -> Act:
    return act(
        "n1",
        ActKind.NOTICE,
        b.NoticeBody(
            notice_type=kind, targets=(b.Target(instrument="inv", named_date=None),), grounds=None
        ),
        to=to,
    )


def reason_of(env: Envelope, r: Roster, at: object = AT) -> str:
    with pytest.raises(AuthorityError) as info:
        authorise(env, r, at)  # type: ignore[arg-type]
    return info.value.reason


def grant_full_powers(
    r: Roster,
    *,
    kinds: frozenset[ActKind],
    addressees: frozenset[str] = frozenset(),
    until: str = "2020-12-31T00:00:00",
) -> tuple[Roster, Act]:
    d = Delegation(
        delegation_id="fp-1",
        party_id="iq",
        delegate_key=signer(3).public_key,
        act_kinds=kinds,
        addressees=addressees,
        valid_from=t("2020-01-01T00:00:00"),
        valid_until=t(until),
    )
    grant = act("fp-act", ActKind.FULL_POWERS, b.FullPowersBody(delegation=d), to=())
    authorised = authorise(sign_act(grant, [signer(4)]), r, t("2020-01-02T00:00:00"))
    return apply_to_roster(r, authorised), grant


def test_head_of_government_needs_no_full_powers() -> None:
    result = authorise(sign_act(notice(), [signer(1)]), roster(), AT)
    assert [g.basis for g in result.grants] == ["inherent"]


def test_tampered_payload_fails_signature() -> None:
    env = sign_act(notice(), [signer(1)])
    other = act("n2", ActKind.NOTICE, notice().body)
    forged = Envelope(payload=sign_act(other, [signer(1)]).payload, signatures=env.signatures)
    with pytest.raises(SignatureError):
        authorise(forged, roster(), AT)


def test_verification_uses_stored_bytes_not_a_reserialisation() -> None:
    env = sign_act(notice(), [signer(1)])
    # the signature covers prefix + exact payload; over the bare payload it must not verify
    bare = Signature(public_key=env.signatures[0].public_key, signature=signer(1).sign(env.payload))
    with pytest.raises(SignatureError):
        authorise(Envelope(payload=env.payload, signatures=(bare,)), roster(), AT)


@pytest.mark.parametrize("hex_key", SMALL_ORDER)
def test_small_order_keys_are_rejected_with_reason(hex_key: str) -> None:
    env = sign_act(notice(), [signer(1)])
    sig = Signature(public_key=bytes.fromhex(hex_key), signature=bytes(64))  # R = identity, S = 0
    assert (
        reason_of(Envelope(payload=env.payload, signatures=(sig,)), roster())
        == Reason.SMALL_ORDER_KEY
    )


def test_malformed_key_is_rejected_with_reason() -> None:
    env = sign_act(notice(), [signer(1)])
    sig = Signature(public_key=b"\x01" * 31, signature=env.signatures[0].signature)
    assert (
        reason_of(Envelope(payload=env.payload, signatures=(sig,)), roster())
        == Reason.MALFORMED_KEY
    )


def test_registering_a_small_order_key_fails() -> None:
    with pytest.raises(ValidationError, match="small-order"):
        Delegation(
            delegation_id="x",
            party_id="iq",
            delegate_key=bytes.fromhex(SMALL_ORDER[0]),
            act_kinds=frozenset({ActKind.NOTICE}),
            valid_from=AT,
            valid_until=t("2021-01-01T00:00:00"),
        )


def test_unknown_key() -> None:
    assert reason_of(sign_act(notice(), [signer(9)]), roster()) == Reason.UNKNOWN_KEY


def test_official_without_full_powers() -> None:
    assert reason_of(sign_act(notice(), [signer(3)]), roster()) == Reason.NO_DELEGATION


def test_parliament_may_adopt_mandates_but_not_send_notices() -> None:
    assert reason_of(sign_act(notice(), [signer(2)]), roster()) == Reason.NO_DELEGATION


def test_full_powers_in_scope_then_expired_then_revoked() -> None:
    r, _ = grant_full_powers(
        roster(), kinds=frozenset({ActKind.NOTICE}), until="2020-02-01T00:00:00"
    )
    env = sign_act(notice(), [signer(3)])
    assert authorise(env, r, AT).grants[0].basis == "delegation:fp-1"
    assert reason_of(env, r, t("2020-02-01T00:00:00")) == Reason.DELEGATION_EXPIRED
    revoke = act(
        "rv", ActKind.DELEGATION_REVOCATION, b.DelegationRevocationBody(delegation="fp-1"), to=()
    )
    r2 = apply_to_roster(r, authorise(sign_act(revoke, [signer(4)]), r, t("2020-01-08T00:00:00")))
    assert reason_of(env, r2) == Reason.DELEGATION_REVOKED
    # authority is judged at receipt: before the revocation was received it held
    assert authorise(env, r2, t("2020-01-07T00:00:00")).grants


def test_full_powers_out_of_scope_by_kind_and_addressee() -> None:
    r, _ = grant_full_powers(roster(), kinds=frozenset({ActKind.REQUEST_FOR_TALKS}))
    assert reason_of(sign_act(notice(), [signer(3)]), r) == Reason.OUT_OF_SCOPE
    r, _ = grant_full_powers(
        roster(), kinds=frozenset({ActKind.NOTICE}), addressees=frozenset({"ir"})
    )
    assert reason_of(sign_act(notice(to=("us",)), [signer(3)]), r) == Reason.OUT_OF_SCOPE
    assert authorise(sign_act(notice(to=("ir",)), [signer(3)]), r, AT).grants


def test_only_root_key_grants_full_powers() -> None:
    d = Delegation(
        delegation_id="fp-2",
        party_id="iq",
        delegate_key=signer(3).public_key,
        act_kinds=frozenset({ActKind.NOTICE}),
        valid_from=AT,
        valid_until=t("2021-01-01T00:00:00"),
    )
    grant = act("fp", ActKind.FULL_POWERS, b.FullPowersBody(delegation=d), to=())
    assert reason_of(sign_act(grant, [signer(1)]), roster()) == Reason.OUT_OF_SCOPE


def test_key_of_another_party_cannot_sign() -> None:
    assert reason_of(sign_act(notice(), [signer(5)]), roster()) == Reason.OUT_OF_SCOPE


def test_threshold_and_joint_acts() -> None:
    r = Roster.build(
        parties=tuple(roster().parties.values()),
        organs=tuple(roster().organs.values()),
        keys=tuple(roster().keys.values()),
        thresholds={("iq", ActKind.NOTICE): 2},
    )
    assert reason_of(sign_act(notice(), [signer(1)]), r) == Reason.THRESHOLD_NOT_MET
    assert len(authorise(sign_act(notice(), [signer(1), signer(4)]), r, AT).grants) == 2
    joint = act(
        "done",
        ActKind.COMPLETION_REPORT,
        b.CompletionBody(presence="p", completed_on=date(2011, 12, 16), sites=()),
        issuers=("iq", "us"),
        to=(),
    )
    env = sign_act(joint, [signer(1)])
    assert reason_of(env, roster()) == Reason.THRESHOLD_NOT_MET
    both = cosign(env, signer(5))
    assert both.payload == env.payload
    assert {g.party_id for g in authorise(both, roster(), AT).grants} == {"iq", "us"}


def test_key_rotation_retires_old_key_at_receipt() -> None:
    r = roster()
    old = r.keys[signer(1).public_key]
    new = type(old)(
        public_key=signer(11).public_key,
        party_id="iq",
        organ_id="iq-pm",
        holder="new prime minister",
        use=old.use,
        valid_from=t("2020-05-01T00:00:00"),
    )
    rot = act(
        "rot", ActKind.KEY_ROTATION, b.KeyRotationBody(old_key=old.public_key, new_key=new), to=()
    )
    r2 = apply_to_roster(r, authorise(sign_act(rot, [signer(4)]), r, t("2020-05-01T00:00:00")))
    assert (
        reason_of(sign_act(notice(), [signer(1)]), r2, t("2020-05-02T00:00:00"))
        == Reason.KEY_REVOKED
    )
    assert authorise(sign_act(notice(), [signer(11)]), r2, t("2020-05-02T00:00:00")).grants
    assert check_authority(r2, notice(), [signer(1).public_key], AT)  # before rotation it held


def test_key_rotation_round_trips() -> None:
    r = roster()
    old = r.keys[signer(1).public_key]
    rot = act(
        "rot", ActKind.KEY_ROTATION, b.KeyRotationBody(old_key=old.public_key, new_key=old), to=()
    )
    assert Act.from_dict(json.loads(json.dumps(rot.to_dict()))) == rot
