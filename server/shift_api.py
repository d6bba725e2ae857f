"""HTTP endpoints: Shifts and handover reports (issue 5)."""
from __future__ import annotations

import logging

from fastapi import APIRouter

log = logging.getLogger(__name__)

router = APIRouter()
