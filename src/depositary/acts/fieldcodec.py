"""Field codecs: each act body declares its fields once and gets strict to_dict/from_dict.

A codec turns one field to plain data and back, failing with the field's path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, ClassVar, Protocol, Self

from depositary.acts import schema
from depositary.errors import DecodeError

Reader = Callable[[Mapping[str, Any], str, str], Any]


@dataclass(frozen=True, slots=True)
class Codec:
    read: Reader
    write: Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


ID = Codec(schema.ident, _same)
IDS = Codec(schema.ident_list, list)
DATE = Codec(schema.day, date.isoformat)
INSTANT = Codec(schema.instant, schema.format_instant)
INT = Codec(schema.integer, _same)
BOOL = Codec(schema.boolean, _same)
SHA256 = Codec(schema.sha256_hex, _same)


def text(max_len: int = schema.MAX_TEXT) -> Codec:
    return Codec(lambda d, n, w: schema.text(d, n, w, max_len=max_len), _same)


def choice(enum: type[Enum]) -> Codec:
    return Codec(lambda d, n, w: schema.choice(d, n, w, enum), lambda v: v.value)


def choices(enum: type[Enum]) -> Codec:
    """A list of distinct members of ``enum``."""

    def read(d: Mapping[str, Any], n: str, w: str) -> tuple[Any, ...]:
        items = schema.array(d, n, w, max_len=len(enum))
        out = tuple(
            schema.choice({"v": x}, "v", f"{w}.{n}[{i}]", enum) for i, x in enumerate(items)
        )
        if len(set(out)) != len(out):
            raise DecodeError(f"{w}.{n}: a value is listed twice")
        return out

    return Codec(read, lambda v: [x.value for x in v])


def optional(inner: Codec) -> Codec:
    def read(d: Mapping[str, Any], n: str, w: str) -> Any:
        return None if d[n] is None else inner.read(d, n, w)

    return Codec(read, lambda v: None if v is None else inner.write(v))


def dates() -> Codec:
    def read(d: Mapping[str, Any], n: str, w: str) -> tuple[date, ...]:
        items = schema.array(d, n, w)
        return tuple(schema.day({"v": x}, "v", f"{w}.{n}[{i}]") for i, x in enumerate(items))

    return Codec(read, lambda v: [x.isoformat() for x in v])


def item_numbers() -> Codec:
    """Distinct agenda item numbers (>= 1) in increasing order."""

    def read(d: Mapping[str, Any], n: str, w: str) -> tuple[int, ...]:
        items = schema.array(d, n, w)
        out = tuple(
            schema.integer({"v": x}, "v", f"{w}.{n}[{i}]", low=1) for i, x in enumerate(items)
        )
        if list(out) != sorted(set(out)):
            raise DecodeError(f"{w}.{n}: item numbers must be increasing and distinct")
        return out

    return Codec(read, list)


class Plain(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


def nested(factory: Callable[[object], Any]) -> Codec:
    def read(d: Mapping[str, Any], n: str, w: str) -> Any:
        return factory(d[n])

    return Codec(read, lambda v: v.to_dict())


def nested_list(factory: Callable[[object], Any], *, max_len: int = 1000) -> Codec:
    def read(d: Mapping[str, Any], n: str, w: str) -> tuple[Any, ...]:
        return tuple(factory(x) for x in schema.array(d, n, w, max_len=max_len))

    return Codec(read, lambda v: [x.to_dict() for x in v])


class Record:
    """Mixin for frozen dataclasses whose ``FIELDS`` list (name, codec) in wire order."""

    __slots__ = ()
    FIELDS: ClassVar[tuple[tuple[str, Codec], ...]]
    WHERE: ClassVar[str]

    def to_dict(self) -> dict[str, Any]:
        return {name: codec.write(getattr(self, name)) for name, codec in self.FIELDS}

    @classmethod
    def from_dict(cls, data: object) -> Self:
        names = [name for name, _ in cls.FIELDS]
        d = schema.fields(data, cls.WHERE, required=names)
        values = {name: codec.read(d, name, cls.WHERE) for name, codec in cls.FIELDS}
        try:
            return cls(**values)
        except TypeError as e:  # pragma: no cover - FIELDS and the dataclass disagree
            raise DecodeError(f"{cls.WHERE}: {e}") from e
