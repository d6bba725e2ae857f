"""The server's typed settings, read from ONEGRID_* environment variables (or built directly in tests).

| setting | variable | default |
|---|---|---|
| database_url | ONEGRID_DATABASE_URL | sqlite:///./onegrid-server.sqlite |
| token_ttl_minutes | ONEGRID_TOKEN_TTL_MIN | 720 |
| max_body_bytes | ONEGRID_MAX_BODY_BYTES | 1 MiB |
| long_poll_max_s | ONEGRID_LONG_POLL_MAX_S | 30 |
| maintenance_interval_s | ONEGRID_MAINTENANCE_INTERVAL_S | 30 (auto-escalation sweep; 0 = off) |
| host, port | ONEGRID_HOST, ONEGRID_PORT | 127.0.0.1, 8700 |
| demo | ONEGRID_DEMO | false |
"""
from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_DATABASE_URL = "sqlite:///./onegrid-server.sqlite"

_ENV_NAMES = {
    "database_url": "ONEGRID_DATABASE_URL",
    "token_ttl_minutes": "ONEGRID_TOKEN_TTL_MIN",
    "max_body_bytes": "ONEGRID_MAX_BODY_BYTES",
    "long_poll_max_s": "ONEGRID_LONG_POLL_MAX_S",
    "maintenance_interval_s": "ONEGRID_MAINTENANCE_INTERVAL_S",
    "host": "ONEGRID_HOST",
    "port": "ONEGRID_PORT",
    "demo": "ONEGRID_DEMO",
}


class ServerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    database_url: str = Field(DEFAULT_DATABASE_URL, description="SQLAlchemy URL of the server database")
    token_ttl_minutes: float = Field(720, gt=0, description="How long a login token stays valid")
    max_body_bytes: int = Field(1024 * 1024, gt=0, description="Largest request body accepted")
    long_poll_max_s: float = Field(30, ge=0, le=300, description="Longest a /api/changes request is held")
    maintenance_interval_s: float = Field(30, ge=0, description="Auto-escalation sweep period; 0 disables it")
    host: str = Field("127.0.0.1", description="Interface to listen on")
    port: int = Field(8700, ge=1, le=65535, description="TCP port to listen on")
    demo: bool = Field(False, description="Demo mode: embedded SQLite, demo city and users")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> ServerSettings:
        """Defaults, overridden by ONEGRID_* variables, overridden by keyword arguments (e.g. CLI flags)."""
        environ = os.environ if environ is None else environ
        values = {field: environ[var] for field, var in _ENV_NAMES.items() if environ.get(var, "") != ""}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)


def env_names() -> dict[str, str]:
    """Setting name → environment variable, e.g. for passing settings to uvicorn worker processes."""
    return dict(_ENV_NAMES)
