"""HTTP endpoints: Sensors, readings and alarms (issue 4)."""
from __future__ import annotations

import logging

from fastapi import APIRouter

log = logging.getLogger(__name__)

router = APIRouter()
