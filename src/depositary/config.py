"""Settings, from one TOML file and ``DEPOSITARY_*`` environment variables; validated once.

Environment variables win over the file. Every setting has a default that runs
the embedded SQLite depositary on loopback.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from depositary.errors import ConfigError


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    data_dir: Path = Path("depositary-data")
    origin: str = "depositary.example/log"
    store_url: str = ""  # default: sqlite:///<data_dir>/depositary.sqlite
    host: str = "127.0.0.1"
    port: int = 8000
    operator_token: str = ""  # empty: admission over HTTP is disabled
    batch_period: float = 0.25
    prepare_workers: int = 0  # worker processes checking submissions (0: in the server's)
    max_body_bytes: int = 131_072
    rate_per_address: float = 50.0  # requests a second, sustained
    rate_per_key: float = 20.0  # submissions a second per signing key
    rate_burst: int = 100
    tiles_dir: str = ""  # optional: keep a tlog-tiles directory in step
    tiles_url: str = ""  # optional: publish tiles to s3://bucket/prefix
    s3_endpoint_url: str = ""  # any S3-compatible endpoint (default: AWS)
    delivery_attempts: int = 8
    delivery_backoff: float = 1.0  # seconds, doubled after each failure
    public_url: str = ""

    def __post_init__(self) -> None:
        if not 0 < self.port < 65536:
            raise ConfigError(f"port must be 1..65535, got {self.port}")
        if self.batch_period <= 0 or self.batch_period > 5:
            raise ConfigError("batch_period must be in (0, 5] seconds")
        if not 0 <= self.prepare_workers <= 64:
            raise ConfigError("prepare_workers must be 0..64")
        if self.max_body_bytes < 1024:
            raise ConfigError("max_body_bytes must be at least 1024")
        if self.delivery_attempts < 1:
            raise ConfigError("delivery_attempts must be at least 1")
        if self.tiles_url and not self.tiles_url.startswith("s3://"):
            raise ConfigError(f"tiles_url must be an s3:// URL, got {self.tiles_url!r}")

    @property
    def database_url(self) -> str:
        return self.store_url or f"sqlite:///{self.data_dir / 'depositary.sqlite'}"


def _coerce(name: str, value: Any, like: Any) -> Any:
    try:
        if isinstance(like, bool):
            return value if isinstance(value, bool) else str(value).lower() in {"1", "true", "yes"}
        if isinstance(like, int):
            return int(value)
        if isinstance(like, float):
            return float(value)
        if isinstance(like, Path):
            return Path(value)
        return str(value)
    except (TypeError, ValueError) as e:
        raise ConfigError(f"setting {name}: cannot use {value!r}") from e


def load_settings(
    path: Path | None = None,
    env: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Build settings from a TOML file, the environment and explicit overrides.

    Raises:
        ConfigError: an unknown key, a bad value, or an unreadable file.
    """
    env = os.environ if env is None else env
    base = Settings()
    values: dict[str, Any] = {}
    names = {f.name: getattr(base, f.name) for f in fields(Settings)}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise ConfigError(f"cannot read settings {path}: {e}") from e
        for k, v in data.items():
            if k not in names:
                raise ConfigError(f"{path}: unknown setting {k!r}")
            values[k] = _coerce(k, v, names[k])
    for k, like in names.items():
        v = env.get(f"DEPOSITARY_{k.upper()}")
        if v is not None:
            values[k] = _coerce(k, v, like)
    values.update({k: _coerce(k, v, names[k]) for k, v in overrides.items() if v is not None})
    return replace(base, **values)
