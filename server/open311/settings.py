"""The Open311 endpoint's typed settings, from the environment (docs/open311.md):

| setting | environment | default |
|---|---|---|
| jurisdiction_id | ONEGRID_OPEN311_JURISDICTION | onegrid (a request naming another is refused 404) |
| key_rate_per_s, key_burst | ONEGRID_OPEN311_KEY_RATE, ONEGRID_OPEN311_KEY_BURST | 20/s, 200 |
| address_rate_per_s, address_burst | ONEGRID_OPEN311_ADDRESS_RATE, ONEGRID_OPEN311_ADDRESS_BURST | 5/s, 60 |
| max_media_bytes | ONEGRID_OPEN311_MAX_MEDIA_BYTES | 512 KiB |
| max_results | ONEGRID_OPEN311_MAX_RESULTS | 1000 (GET requests) |
| max_days | — | 90 (the spec's longest date range) |
| public_url | ONEGRID_OPEN311_PUBLIC_URL | '' (the request's own base URL): the address citizens reach this server at, for `media_url` |
"""
from __future__ import annotations

import os

from pydantic import BaseModel, Field

_ENV = {"jurisdiction_id": "ONEGRID_OPEN311_JURISDICTION", "key_rate_per_s": "ONEGRID_OPEN311_KEY_RATE",
        "key_burst": "ONEGRID_OPEN311_KEY_BURST", "address_rate_per_s": "ONEGRID_OPEN311_ADDRESS_RATE",
        "address_burst": "ONEGRID_OPEN311_ADDRESS_BURST", "max_media_bytes": "ONEGRID_OPEN311_MAX_MEDIA_BYTES",
        "max_results": "ONEGRID_OPEN311_MAX_RESULTS", "public_url": "ONEGRID_OPEN311_PUBLIC_URL"}


class Open311Settings(BaseModel):
    jurisdiction_id: str = Field("onegrid", min_length=1, max_length=100)
    key_rate_per_s: float = Field(20.0, gt=0, description="requests a second one citizen app's key may make")
    key_burst: int = Field(200, gt=0)
    address_rate_per_s: float = Field(5.0, gt=0, description="requests a second from one client address")
    address_burst: int = Field(60, gt=0)
    max_media_bytes: int = Field(512 * 1024, gt=0, description="largest uploaded media file")
    max_results: int = Field(1000, gt=0, le=10000, description="most service requests one GET requests answers")
    max_days: int = Field(90, gt=0)
    public_url: str = Field("", max_length=500, pattern=r"^(https?://\S+)?$",
                            description="the server's address as citizens reach it (behind a proxy); '' = as asked")

    @classmethod
    def from_env(cls, environ=None) -> Open311Settings:
        environ = os.environ if environ is None else environ
        return cls(**{name: environ[var] for name, var in _ENV.items() if environ.get(var)})
