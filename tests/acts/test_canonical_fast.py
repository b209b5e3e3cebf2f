"""The fast canonical encoder agrees with the rfc8785 package byte for byte."""

from __future__ import annotations

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from depositary.acts.canonical import MAX_SAFE_INTEGER, canonical_json
from depositary.errors import ValidationError

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
