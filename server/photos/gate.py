"""The server applies a step's command only once the photos it names have arrived: a command whose
`attachments` name a photo hash (`app.cases.evidence`) that is not a photo of that case on the server
is refused `photos_missing`. The console's sync engine uploads a step's photos before it pushes the
step's command, so this refusal is met only by a photo that could never upload (refused, and listed
with its reason in the console's conflicts) or by a client that skipped the upload."""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.cases.evidence import PHOTO_GATED, photo_hashes
from server.photos.uploads import hashes_present


def missing_photos(session: Session, command) -> tuple[str, str] | None:
    if command.action not in PHOTO_GATED:
        return None
    hashes = photo_hashes(command.payload.get("attachments", ()) if isinstance(command.payload, dict)
                          else getattr(command.payload, "attachments", ()))
    if not hashes:
        return None
    missing = sorted(set(hashes) - hashes_present(session, command.case_id, hashes))
    if not missing:
        return None
    return ("photos_missing", f"{len(missing)} photo(s) named by this command have not reached the server: "
                              + ", ".join(h[:12] for h in missing))
