"""Retention of photos (part of the maintenance sweep, `server.maintenance`): the photos of a case closed
or voided more than `photo_retention_days` ago are removed, and each file no photo names any more is
deleted from storage; uploads left unfinished for a week are dropped with their bytes. A sweep that
removed anything writes one audit entry (`photo_retention`) naming how many photos, files and bytes of
which cases went, in the same transaction as the rows."""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete, func, select

from db.cases import CaseRow
from db.photos import PhotoBlobRow, PhotoChunkRow, PhotoRow, PhotoUploadRow
from server.audit import chain as audit
from server.photos.storage import blob_key, thumb_key

log = logging.getLogger(__name__)

ENDED = ("closed", "voided")
STALE_UPLOAD = timedelta(days=7)
BATCH = 500  # cases per sweep: a backlog is worked off over a few rounds, each transaction short


def sweep(ctx) -> dict[str, int]:
    now = ctx.now()
    cutoff = now - timedelta(days=ctx.settings.photo_retention_days)
    counts = {"cases": 0, "photos": 0, "files": 0, "bytes": 0, "uploads": 0}
    files: list[str] = []
    with ctx.db.writer() as session, session.begin():
        case_ids = list(session.execute(
            select(PhotoRow.case_id).join(CaseRow, CaseRow.id == PhotoRow.case_id)
            .where(CaseRow.status.in_(ENDED), CaseRow.updated_at < cutoff).distinct().limit(BATCH)).scalars())
        if case_ids:
            shas = set(session.execute(select(PhotoRow.sha256).where(PhotoRow.case_id.in_(case_ids))).scalars())
            counts["photos"] = session.execute(delete(PhotoRow).where(PhotoRow.case_id.in_(case_ids))).rowcount
            still_used = set(session.execute(select(PhotoRow.sha256).where(PhotoRow.sha256.in_(shas))).scalars())
            orphans = sorted(shas - still_used)
            if orphans:
                counts["bytes"] = session.execute(select(func.coalesce(func.sum(PhotoBlobRow.size), 0))
                                                  .where(PhotoBlobRow.sha256.in_(orphans))).scalar_one()
                session.execute(delete(PhotoBlobRow).where(PhotoBlobRow.sha256.in_(orphans)))
                files = orphans
            counts["cases"] = len(case_ids)
            counts["files"] = len(orphans)
        stale = list(session.execute(select(PhotoUploadRow.id).where(PhotoUploadRow.started_at < now - STALE_UPLOAD))
                     .scalars())
        if stale:
            session.execute(delete(PhotoChunkRow).where(PhotoChunkRow.upload_id.in_(stale)))
            counts["uploads"] = session.execute(delete(PhotoUploadRow).where(PhotoUploadRow.id.in_(stale))).rowcount
        if counts["photos"] or counts["uploads"]:
            audit.record(session, at=now, actor="system:retention", role="system", action="photo_retention",
                         entity_kind="photos", entity_id="retention", result="ok",
                         detail={**counts, "retention_days": ctx.settings.photo_retention_days,
                                 "case_ids": [str(c) for c in case_ids[:50]]})
    # files go after the rows are gone: a crash in between leaves files no row names (harmless), never a
    # row whose file is missing
    for sha in files:
        for key in (blob_key(sha), thumb_key(sha)):
            try:
                ctx.photo_storage.delete(key)
            except Exception:
                log.warning("could not delete %s from photo storage", key, exc_info=True)
    if counts["photos"] or counts["uploads"]:
        log.info("photo retention: %s", ", ".join(f"{k} {v}" for k, v in counts.items()))
    return counts
