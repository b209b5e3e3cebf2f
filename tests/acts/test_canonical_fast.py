"""The fast canonical encoder agrees with the rfc8785 package byte for byte."""

from __future__ import annotations

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from depositary.acts.canonical import MAX_SAFE_INTEGER, canonical_json
from depositary.acts.envelope import Envelope, Signature
from depositary.errors import ValidationError
from depositary.records.requests import SIGNED_REQUEST
from depositary.records.signed import Signed
from depositary.records.statements import SIGNED_STATEMENT

scalars = st.none() | st.booleans() | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER) | st.text()
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(value=values)
def test_fast_path_equals_rfc8785(value: object) -> None:
    try:
        want = bytes(rfc8785.dumps(value))
    except (rfc8785.CanonicalizationError, UnicodeEncodeError):
        return  # lone surrogates and the like: the slow path decides, as before
    assert canonical_json(value) == want


def test_the_tricky_cases_match() -> None:
    cases = [
        {"\u20ac": 1, "\r": 2, "1": 3, "\u0080": 4, "\u00f6": 5, "\U0001f600": 6, "\ufb33": 7},
        ["\u2028\u2029", "\x00\x1f\x7f", '"\\/', "\U0001f600"],
        {"n": MAX_SAFE_INTEGER, "m": -MAX_SAFE_INTEGER, "t": True, "f": False, "z": None},
    ]
    assert canonical_json(cases[0]).startswith(b'{"\\r":2,"1":3')  # UTF-16 key order
    for value in cases:
        assert canonical_json(value) == bytes(rfc8785.dumps(value))


wide = st.recursive(
    scalars
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.integers()
    | st.from_regex(r'[0-9.eE"\\ -]{0,12}', fullmatch=True),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(value=wide)
def test_floats_and_big_integers_never_take_the_fast_path_wrongly(value: object) -> None:
    """Floats and integers past 2**53 go to rfc8785, which encodes or refuses them;
    strings that merely look like numbers stay on the fast path."""
    try:
        want: bytes | None = bytes(rfc8785.dumps(value))
    except (rfc8785.CanonicalizationError, UnicodeEncodeError, OverflowError):
        want = None
    try:
        got: bytes | None = canonical_json(value)
    except (ValidationError, UnicodeEncodeError):
        got = None
    assert got == want


signature_sets = st.dictionaries(
    st.binary(min_size=1, max_size=64), st.binary(min_size=64, max_size=64), min_size=1,
    max_size=4,
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(payload=st.binary(max_size=2000), signatures=signature_sets)
def test_envelope_bytes_are_its_canonical_json(
    payload: bytes, signatures: dict[bytes, bytes]
) -> None:
    sigs = tuple(Signature(public_key=k, signature=v) for k, v in sorted(signatures.items()))
    envelope = Envelope(payload=payload, signatures=sigs)
    assert envelope.to_bytes() == canonical_json(envelope.to_dict())
    assert Envelope.from_bytes(envelope.to_bytes()) == envelope


@settings(max_examples=300, deadline=None)
@given(
    type_=st.sampled_from([SIGNED_STATEMENT, SIGNED_REQUEST, "a", "x/y-z.1"]),
    payload=st.binary(max_size=2000),
    key=st.binary(max_size=64),
    signature=st.binary(max_size=64),
)
def test_signed_record_bytes_are_its_canonical_json(
    type_: str, payload: bytes, key: bytes, signature: bytes
) -> None:
    signed = Signed(type=type_, payload=payload, public_key=key, signature=signature)
    assert signed.to_bytes() == canonical_json(signed.to_dict())


def test_a_signed_record_type_that_would_need_escaping_is_refused() -> None:
    with pytest.raises(ValidationError, match="not a plain name"):
        Signed(type='a"b', payload=b"", public_key=b"", signature=b"").to_bytes()
