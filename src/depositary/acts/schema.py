"""Strict readers for plain data: every act, body and rule is parsed through these.

Each reader names the field it failed on, so a rejection says exactly what was wrong.
Nothing here mutates its input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from depositary.errors import DecodeError

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._:-]{0,127}$")
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
MAX_TEXT = 60_000
E = TypeVar("E")


def fields(
    data: object, where: str, *, required: Sequence[str], optional: Sequence[str] = ()
) -> Mapping[str, Any]:
    """Return ``data`` as a mapping after checking its keys exactly.

    Raises:
        DecodeError: not an object, a required key is missing, or a key is unknown.
    """
    if not isinstance(data, Mapping):
        raise DecodeError(f"{where}: expected an object, got {type(data).__name__}")
    unknown = sorted(set(data) - set(required) - set(optional))
    if unknown:
        raise DecodeError(f"{where}: unknown field {unknown[0]!r}")
    for name in required:
        if name not in data:
            raise DecodeError(f"{where}: missing field {name!r}")
    return data


def text(data: Mapping[str, Any], name: str, where: str, *, max_len: int = MAX_TEXT) -> str:
    """Return the string field ``name``; it must be non-empty and at most ``max_len`` long."""
    value = data[name]
    if not isinstance(value, str):
        raise DecodeError(f"{where}.{name}: expected a string")
    if not value or len(value) > max_len:
        raise DecodeError(f"{where}.{name}: length must be 1..{max_len}")
    return value


def ident(data: Mapping[str, Any], name: str, where: str) -> str:
    """Return the identifier field ``name`` (lower-case, ``[a-z0-9._:-]``, at most 128)."""
    value = data[name]
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise DecodeError(f"{where}.{name}: not a valid identifier: {value!r}")
    return value


def check_ident(value: str, where: str) -> None:
    """Raise DecodeError unless ``value`` is a valid identifier."""
    if not ID_PATTERN.match(value):
        raise DecodeError(f"{where}: not a valid identifier: {value!r}")


def integer(
    data: Mapping[str, Any], name: str, where: str, *, low: int = 0, high: int = 2**53 - 1
) -> int:
    """Return the integer field ``name`` within ``low..high`` (booleans are not integers)."""
    value = data[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise DecodeError(f"{where}.{name}: expected an integer")
    if not low <= value <= high:
        raise DecodeError(f"{where}.{name}: must be in {low}..{high}, got {value}")
    return value


def boolean(data: Mapping[str, Any], name: str, where: str) -> bool:
    """Return the boolean field ``name``."""
    value = data[name]
    if not isinstance(value, bool):
        raise DecodeError(f"{where}.{name}: expected true or false")
    return value


def array(data: Mapping[str, Any], name: str, where: str, *, max_len: int = 1000) -> Sequence[Any]:
    """Return the list field ``name`` (at most ``max_len`` items)."""
    value = data[name]
    if not isinstance(value, list):
        raise DecodeError(f"{where}.{name}: expected a list")
    if len(value) > max_len:
        raise DecodeError(f"{where}.{name}: at most {max_len} items")
    return value


def ident_list(data: Mapping[str, Any], name: str, where: str) -> tuple[str, ...]:
    """Return a list of distinct identifiers, in the given order."""
    items = array(data, name, where)
    out: list[str] = []
    for i, item in enumerate(items):
        if not isinstance(item, str) or not ID_PATTERN.match(item):
            raise DecodeError(f"{where}.{name}[{i}]: not a valid identifier: {item!r}")
        if item in out:
            raise DecodeError(f"{where}.{name}[{i}]: duplicate {item!r}")
        out.append(item)
    return tuple(out)


def day(data: Mapping[str, Any], name: str, where: str) -> date:
    """Return an ISO 8601 calendar date ``YYYY-MM-DD``."""
    value = data[name]
    if not isinstance(value, str) or len(value) != 10:
        raise DecodeError(f"{where}.{name}: expected a date YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise DecodeError(f"{where}.{name}: expected a date YYYY-MM-DD") from e


def instant(data: Mapping[str, Any], name: str, where: str) -> datetime:
    """Return a UTC instant written ``YYYY-MM-DDTHH:MM:SSZ`` (the only accepted form)."""
    value = data[name]
    if not isinstance(value, str) or len(value) != 20 or not value.endswith("Z"):
        raise DecodeError(f"{where}.{name}: expected a UTC time YYYY-MM-DDTHH:MM:SSZ")
    try:
        parsed = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError as e:
        raise DecodeError(f"{where}.{name}: expected a UTC time YYYY-MM-DDTHH:MM:SSZ") from e
    return parsed.replace(tzinfo=UTC)


def format_instant(value: datetime) -> str:
    """Format an aware datetime as the canonical UTC string (whole seconds)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_instant(value: datetime, where: str) -> None:
    """Require an aware UTC datetime with whole seconds (so it round-trips exactly)."""
    if value.tzinfo is None or value.utcoffset() != UTC.utcoffset(None):
        raise DecodeError(f"{where}: must be an aware UTC datetime")
    if value.microsecond:
        raise DecodeError(f"{where}: must have whole seconds")


def sha256_hex(data: Mapping[str, Any], name: str, where: str) -> str:
    """Return a lower-case hex SHA-256 digest."""
    value = data[name]
    if not isinstance(value, str) or not SHA256_PATTERN.match(value):
        raise DecodeError(f"{where}.{name}: expected 64 lower-case hex digits")
    return value


def choice(data: Mapping[str, Any], name: str, where: str, enum: type[E]) -> E:
    """Return the member of ``enum`` whose value is the string field ``name``."""
    value = data[name]
    try:
        return enum(value)  # type: ignore[call-arg]
    except ValueError as e:
        raise DecodeError(f"{where}.{name}: unknown value {value!r}") from e
