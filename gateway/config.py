"""Gateway settings, read from the environment only (secrets never come from files in the repo)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

PREFIX = "PAYER_GATEWAY_"


@dataclass(frozen=True, slots=True)
class GatewaySettings:
    database_url: str = "sqlite:///payer-gateway.db"
    cache_url: str = "memory://"
    payers_config: str = "payers.toml"
    max_body_bytes: int = 256 * 1024
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 4000
    max_page_size: int = 100
    introspection: bool = True
    log_level: str = "INFO"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> GatewaySettings:
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name, field in cls.__dataclass_fields__.items():
            raw = environ.get(PREFIX + name.upper())
            if raw is None:
                continue
            if field.type == "int":
                values[name] = int(raw)
            elif field.type == "bool":
                values[name] = raw.strip().lower() in {"1", "true", "yes", "on"}
            else:
                values[name] = raw
        return cls(**values)  # type: ignore[arg-type]
