"""Fixtures of the sync tests: caches with the demo reference data, and a real server on loopback."""
from __future__ import annotations

import pytest

from app.cache import LocalCache


@pytest.fixture
def cache(tmp_path, refdata):
    """An empty cache with the demo reference data, as after a first online login."""
    local = LocalCache(tmp_path / "console")
    local.store_refdata(refdata.to_dict())
    yield local
    local.close()
