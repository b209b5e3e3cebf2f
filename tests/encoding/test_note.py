"""c2sp.org/signed-note: vectors from the spec and Go's sumdb/note, strictness, mutations."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depositary.encoding.b64 import decode as decode_base64
from depositary.encoding.b64 import encode as encode_base64
from depositary.encoding.keys import (
    is_valid_key_name,
    key_id,
)
from depositary.encoding.note import (
    MAX_SIGNATURES,
    Ed25519Verifier,
    Note,
    NoteSignature,
    NoteSigner,
    open_note,
    sign_note,
)
from depositary.errors import DecodeError, DepositaryError, SignatureError, ValidationError

# c2sp.org/signed-note and the golang.org/x/mod/sumdb/note doc comment.
FOO_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
FOO_NOTE = (
    "This is an example message.\n"
    "\n"
    "— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXm"
    "RKuwHjG1Yu72IneyaQM=\n"
).encode()
PN_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PN_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PN_TEXT = (
    b"If you think cryptography is the answer to your problem,\n"
    b"then you don't know what your problem is.\n"
)
PN_NOTE = (
    PN_TEXT
    + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvq"
    "fqdngotpRZb6KE6RyyBwJnAM=\n".encode()
)


def pn() -> tuple[NoteSigner, Ed25519Verifier]:
    return NoteSigner.from_skey(PN_SKEY), Ed25519Verifier.from_vkey(PN_VKEY)


# --- vectors -----------------------------------------------------------------------------


def test_spec_vector_verifies() -> None:
    v = Ed25519Verifier.from_vkey(FOO_VKEY)
    assert v.key_id == 0x530D903A
    opened = open_note(FOO_NOTE, [v])
    assert opened.text == b"This is an example message.\n"
    assert [(s.name, s.key_id) for s in opened.verified] == [("example.com/foo", 0x530D903A)]
    assert v.to_vkey() == FOO_VKEY


def test_peter_neumann_skey_signs_byte_exact_like_go() -> None:
    signer, v = pn()
    assert signer.verifier() == v
    assert signer.to_skey() == PN_SKEY
    assert v.to_vkey() == PN_VKEY
    assert (signer.name, signer.key_id) == ("PeterNeumann", 0xC74F20A3)
    # Ed25519 is deterministic, so our note must equal Go's byte for byte.
    assert sign_note(PN_TEXT, [signer]) == PN_NOTE
    assert open_note(PN_NOTE, [v]).verified[0].key_id == 0xC74F20A3


def test_key_id_formula() -> None:
    v = Ed25519Verifier.from_vkey(FOO_VKEY)
    assert key_id("example.com/foo", 1, v.public_key) == 0x530D903A
    assert key_id("example.com/foo", 4, v.public_key) != 0x530D903A


def test_generated_keys_round_trip() -> None:
    s = NoteSigner.generate("example.com/log")
    assert NoteSigner.from_skey(s.to_skey()).verifier() == s.verifier()
    assert Ed25519Verifier.from_vkey(s.verifier().to_vkey()) == s.verifier()
    assert "PRIVATE" not in repr(s)


# --- vkeys and skeys ---------------------------------------------------------------------


def test_every_substring_of_a_vkey_is_rejected() -> None:
    # As Go's note_test.go TestNewVerifier.
    for i in range(len(PN_VKEY) + 1):
        for j in range(i + 1, len(PN_VKEY) + 1):
            if (i, j) != (0, len(PN_VKEY)):
                with pytest.raises((DecodeError, ValidationError)):
                    Ed25519Verifier.from_vkey(PN_VKEY[i:j])


@pytest.mark.parametrize("delta", [1, -1, 0x20])
def test_every_single_byte_change_of_a_vkey_is_rejected(delta: int) -> None:
    raw = PN_VKEY.encode()
    for i in range(len(raw)):
        b = bytearray(raw)
        b[i] = (b[i] + delta) % 256
        try:
            mangled = b.decode()
        except UnicodeDecodeError:
            continue
        with pytest.raises((DecodeError, ValidationError)):
            Ed25519Verifier.from_vkey(mangled)


@pytest.mark.parametrize(
    ("vkey", "error"),
    [
        # From note_test.go: wrong key length and unknown algorithm, each with its key hash.
        ("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==", DecodeError),
        ("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", ValidationError),
        ("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", DecodeError),
        ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW\n", DecodeError),
        ("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", DecodeError),
        ("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", DecodeError),
        ("PeterNeumann+c74f20a3+", DecodeError),
        ("PeterNeumann+c74f20a3", DecodeError),
        ("PeterNeumann+0xf20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", DecodeError),
    ],
)
def test_malformed_vkeys(vkey: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        Ed25519Verifier.from_vkey(vkey)


def test_small_order_public_key_is_rejected() -> None:
    identity = bytes([1]) + bytes(31)  # the neutral element, order 1
    name = "example.com/weak"
    kid = key_id(name, 1, identity)
    with pytest.raises(ValidationError, match="small-order"):
        Ed25519Verifier.from_vkey(f"{name}+{kid:08x}+{encode_base64(bytes([1]) + identity)}")
    with pytest.raises(ValidationError):
        Ed25519Verifier(name=name, public_key=identity)


@pytest.mark.parametrize(
    ("skey", "error"),
    [
        (PN_SKEY.replace("PRIVATE+KEY", "PRIVATE+KEX"), DecodeError),
        (PN_SKEY.replace("c74f20a3", "c74f20a4"), ValidationError),
        (PN_SKEY.replace("+AYEK", "+BIEK"), ValidationError),  # type byte 0x04
        (PN_SKEY[:-4], DecodeError),
        (PN_SKEY.replace("PeterNeumann", "Peter+Neumann"), DecodeError),
    ],
)
def test_malformed_skeys(skey: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        NoteSigner.from_skey(skey)


def test_key_names() -> None:
    assert is_valid_key_name("example.com/log42")
    assert is_valid_key_name("ünïcødé")
    for bad in ["", "a b", "a+b", "a\tb", "a\u00a0b", "a\u2003b", "a\u3000b", "a\x01b", "\ud800"]:
        assert not is_valid_key_name(bad), bad


# --- strict parsing ----------------------------------------------------------------------

SIG_B64 = (
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM="
)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"text\n",
        b"text\n\n",
        b"\n\n",
        b"text\n\n\xe2\x80\x94 example.com/foo " + SIG_B64.encode(),  # no final newline
        b"text\n\n- example.com/foo " + SIG_B64.encode() + b"\n",  # hyphen, not em dash
        b"text\n\n\xe2\x80\x94example.com/foo " + SIG_B64.encode() + b"\n",
        b"text\n\n\xe2\x80\x94  example.com/foo " + SIG_B64.encode() + b"\n",
        b"text\n\n\xe2\x80\x94 example.com/foo  " + SIG_B64.encode() + b"\n",
        b"text\n\n\xe2\x80\x94 example.com/foo\n",
        b"text\n\n\xe2\x80\x94 example.com/foo \n",
        b"text\n\n\xe2\x80\x94 example.com/foo " + SIG_B64.rstrip("=").encode() + b"\n",
        b"text\n\n\xe2\x80\x94 example.com/foo " + SIG_B64[:-2].encode() + b"R=\n",  # bits
        b"text\n\n\xe2\x80\x94 example.com/foo AAAAAA==\n",  # 4 bytes: only a key ID
        b"text\n\n\xe2\x80\x94 a+b " + SIG_B64.encode() + b"\n",
        b"te\rxt\n\n\xe2\x80\x94 example.com/foo " + SIG_B64.encode() + b"\n",
        b"te\txt\n\n\xe2\x80\x94 example.com/foo " + SIG_B64.encode() + b"\n",
        b"te\xffxt\n\n\xe2\x80\x94 example.com/foo " + SIG_B64.encode() + b"\n",
        b"te\xed\xa0\x80xt\n\n\xe2\x80\x94 example.com/foo " + SIG_B64.encode() + b"\n",
        b"text\n\n\xe2\x80\x94 example.com/foo " + SIG_B64.encode() + b"\n\n",
        b"text\n\n\xe2\x80\x94 example.com/foo " + SIG_B64.encode() + b"\r\n",
    ],
)
def test_malformed_notes_raise_decode_error(data: bytes) -> None:
    with pytest.raises(DecodeError):
        Note.from_bytes(data)


def test_text_split_at_last_blank_line() -> None:
    signer, v = pn()
    text = b"para one\n\npara two\n\n\n"
    note = sign_note(text, [signer])
    parsed = Note.from_bytes(note)
    assert parsed.text.encode() == text
    assert open_note(note, [v]).text == text


def test_minimal_text_is_one_newline() -> None:
    signer, v = pn()
    note = sign_note(b"\n", [signer])
    assert note.startswith(b"\n\n\xe2\x80\x94 ")
    assert open_note(note, [v]).text == b"\n"


def test_signature_count_limit() -> None:
    line = f"— example.com/foo {SIG_B64}\n".encode()
    assert len(Note.from_bytes(b"t\n\n" + line * MAX_SIGNATURES).signatures) == 100
    with pytest.raises(DecodeError, match="101 signatures"):
        Note.from_bytes(b"t\n\n" + line * (MAX_SIGNATURES + 1))


def test_size_limit() -> None:
    with pytest.raises(DecodeError, match="over"):
        Note.from_bytes(b"a" * (1 << 20) + b"\n\n")


@pytest.mark.parametrize(
    ("text", "sigs"),
    [
        ("no newline", 1),
        ("", 1),
        ("ctl\x00\n", 1),
        ("ok\n", 0),
        ("ok\n", 101),
    ],
)
def test_note_constructor_validates(text: str, sigs: int) -> None:
    sig = NoteSignature(name="n", key_id=1, signature=b"x")
    with pytest.raises(ValidationError):
        Note(text=text, signatures=(sig,) * sigs)


@pytest.mark.parametrize(
    ("name", "kid", "sig"),
    [("", 1, b"x"), ("a b", 1, b"x"), ("n", -1, b"x"), ("n", 1 << 32, b"x"), ("n", 1, b"")],
)
def test_note_signature_validates(name: str, kid: int, sig: bytes) -> None:
    with pytest.raises(ValidationError):
        NoteSignature(name=name, key_id=kid, signature=sig)


def test_decode_base64_is_canonical() -> None:
    assert decode_base64("AAE=") == b"\x00\x01"
    for bad in ["AAF=", "AAE", "AA==AA==", " AAE=", "AAE=\n", "A-E=", "AAE=="]:
        with pytest.raises(DecodeError):
            decode_base64(bad)


# --- opening -----------------------------------------------------------------------------


def _grease(rng: random.Random) -> bytes:
    name = f"grease.invalid/{rng.randrange(1 << 30)}"
    blob = rng.randbytes(rng.randrange(5, 120))
    return (
        NoteSignature(name=name, key_id=int.from_bytes(blob[:4]), signature=blob[4:])
        .to_line()
        .encode()
    )


def test_grease_and_shuffled_signatures_are_accepted() -> None:
    rng = random.Random(7)
    signer, v = pn()
    other = NoteSigner.generate("example.com/other")
    note = sign_note(PN_TEXT, [signer, other])
    text, _, block = note.partition(b"\n\n")
    lines = block.splitlines(keepends=True) + [_grease(rng) for _ in range(14)]
    for _ in range(5):
        rng.shuffle(lines)
        data = text + b"\n\n" + b"".join(lines)
        opened = open_note(data, [v, other.verifier()])
        assert {s.name for s in opened.verified} == {"PeterNeumann", "example.com/other"}
        assert opened.note.to_bytes() == data


def test_unknown_signers_only_is_rejected() -> None:
    signer, _ = pn()
    other = NoteSigner.generate("example.com/other")
    with pytest.raises(SignatureError, match="no verifying signature"):
        open_note(sign_note(PN_TEXT, [signer]), [other.verifier()])
    with pytest.raises(SignatureError):
        open_note(sign_note(PN_TEXT, [signer]), [])


def test_same_name_other_key_is_ignored_not_failed() -> None:
    signer, v = pn()
    impostor = NoteSigner.generate("PeterNeumann")  # same name, different key ID
    note = sign_note(PN_TEXT, [impostor, signer])
    assert [s.key_id for s in open_note(note, [v]).verified] == [v.key_id]


def test_known_key_with_bad_signature_rejects_the_note() -> None:
    signer, v = pn()
    good = sign_note(PN_TEXT, [signer])
    forged = NoteSignature(name=v.name, key_id=v.key_id, signature=bytes(64)).to_line().encode()
    with pytest.raises(SignatureError, match=r"PeterNeumann\+c74f20a3"):
        open_note(good + forged, [v])
    wrong_length = NoteSignature(name=v.name, key_id=v.key_id, signature=b"\x01").to_line()
    with pytest.raises(SignatureError):
        open_note(good + wrong_length.encode(), [v])


def test_duplicate_signature_lines_are_verified_and_kept() -> None:
    signer, v = pn()
    note = sign_note(PN_TEXT, [signer])
    _, _, block = note.partition(b"\n\n")
    doubled = note + block
    opened = open_note(doubled, [v])
    assert len(opened.verified) == 1
    assert len(opened.note.signatures) == 2
    assert opened.note.to_bytes() == doubled


def test_ambiguous_verifiers_are_refused() -> None:
    _, v = pn()
    with pytest.raises(ValidationError, match="ambiguous"):
        open_note(PN_NOTE, [v, v])


def test_sign_note_refuses_bad_input() -> None:
    signer, _ = pn()
    with pytest.raises(DecodeError):
        sign_note(b"no newline", [signer])
    with pytest.raises(DecodeError):
        sign_note(b"\xff\n", [signer])
    with pytest.raises(ValidationError):
        sign_note(PN_TEXT, [])
    with pytest.raises(ValidationError):
        sign_note(PN_TEXT, [signer, signer])


def test_every_truncation_and_byte_change_of_a_note_is_rejected() -> None:
    _, v = pn()
    for n in range(len(PN_NOTE)):
        with pytest.raises(DepositaryError):
            open_note(PN_NOTE[:n], [v])
    for i in range(len(PN_NOTE)):
        for delta in (1, 0x80, 0xFF):
            b = bytearray(PN_NOTE)
            b[i] = (b[i] + delta) % 256
            with pytest.raises(DepositaryError):
                open_note(bytes(b), [v])


# --- round trips -------------------------------------------------------------------------

names = st.text(
    st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc"), blacklist_characters="+"),
    min_size=1,
    max_size=20,
)
texts = st.lists(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30), min_size=1
).map(lambda lines: "".join(line + "\n" for line in lines))
note_signatures = st.builds(
    NoteSignature,
    name=names.filter(is_valid_key_name),
    key_id=st.integers(0, 0xFFFFFFFF),
    signature=st.binary(min_size=1, max_size=80),
)


@settings(max_examples=150, deadline=None)
@given(text=texts, sigs=st.lists(note_signatures, min_size=1, max_size=5))
def test_note_round_trips(text: str, sigs: list[NoteSignature]) -> None:
    note = Note(text=text, signatures=tuple(sigs))
    data = note.to_bytes()
    assert Note.from_bytes(data) == note
    assert Note.from_bytes(data).to_bytes() == data


@settings(max_examples=30, deadline=None)
@given(name=names.filter(is_valid_key_name), text=texts)
def test_sign_then_open(name: str, text: str) -> None:
    signer = NoteSigner.generate(name)
    v = Ed25519Verifier.from_vkey(signer.verifier().to_vkey())
    assert open_note(sign_note(text.encode(), [signer]), [v]).text == text.encode()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    try:
        note = Note.from_bytes(data)
    except DecodeError:
        return
    assert note.to_bytes() == data


def test_constructors_validate_names_and_text() -> None:
    _, v = pn()
    with pytest.raises(ValidationError):
        NoteSigner(name="a+b", seed=bytes(32))
    with pytest.raises(ValidationError):
        Ed25519Verifier(name="a b", public_key=v.public_key)
    with pytest.raises(ValidationError, match="surrogate"):
        Note(text="\ud800\n", signatures=(NoteSignature(name="n", key_id=1, signature=b"x"),))
