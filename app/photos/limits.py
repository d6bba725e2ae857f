"""Limits on what may be attached: one typed model for the console (checked before queuing) and the
server (checked again, authoritative). The server's values come from its settings
(`ONEGRID_PHOTO_*`, server/platform/settings.py); the console's defaults are the same."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from app.photos.images import ALL_TYPES, PhotoRefused, sniff


class PhotoLimits(BaseModel):
    model_config = ConfigDict(frozen=True)

    max_bytes: int = Field(default=30 * 1024 * 1024, gt=0, description="largest file, bytes")
    max_per_step: int = Field(default=20, gt=0, description="files per case and step")
    types: frozenset[str] = Field(default=ALL_TYPES, description="accepted MIME types (judged by content)")

    def check_size(self, size: int) -> None:
        if size <= 0:
            raise PhotoRefused("empty_file", "The file is empty")
        if size > self.max_bytes:
            raise PhotoRefused("too_large", f"The file has {size:,} bytes; at most {self.max_bytes:,} are "
                                            "accepted")

    def check_type(self, mime: str | None) -> None:
        if mime is None or mime not in self.types:
            raise PhotoRefused("unsupported_type", f"Files of type {mime or 'unknown'} are not accepted "
                                                   f"(accepted: {', '.join(sorted(self.types))})")

    def check_count(self, existing: int) -> None:
        if existing >= self.max_per_step:
            raise PhotoRefused("too_many", f"A step of a case takes at most {self.max_per_step} files")

    def check_head(self, head: bytes) -> str:
        mime = sniff(head)
        self.check_type(mime)
        return mime  # type: ignore[return-value]
