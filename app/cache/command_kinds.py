"""The entity kinds this console queues commands for (`app.platform.entity_commands`): a new kind is one
more entry here and its payload models in its feature's package."""
from __future__ import annotations

from app.detections.commands import DETECTION_KIND
from app.platform.entity_commands import EntityKind
from app.shifts.commands import HANDOVER_KIND

ENTITY_KINDS: dict[str, EntityKind] = {kind.name: kind for kind in (HANDOVER_KIND, DETECTION_KIND)}
