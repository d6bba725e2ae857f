"""The demo simulator attaches drawn pictures to reports, handled steps and verifications, through the
same storage and rows as an upload, and names them in the step's command (so the before/after is there
from the first second of `make demo`)."""
from __future__ import annotations

import io
from collections import Counter

from PIL import Image
from sqlalchemy import select

from app.cases.case import Case
from db.cases import CaseRow
from db.photos import PhotoRow
from server.context import ServerContext
from server.demo.city import CitySimulator
from server.photos.storage import blob_key
from server.platform.settings import ServerSettings
from tests.support.server import prepare_database


def test_the_simulator_attaches_before_and_after(server_db_url, refdata, now, tmp_path):
    prepare_database(server_db_url, refdata)
    ctx = ServerContext.create(ServerSettings(database_url=server_db_url, photo_storage=str(tmp_path / "p")))
    try:
        sim = CitySimulator(ctx.db, ctx.refdata, seed=5, clock=lambda: now)
        sim.photo_ctx = ctx
        rework = sim.seed_stories(now)["rework"]
        sim.seed_backlog(25, hours=30)
        assert sim.stats.rejected == 0
        with ctx.db.reader() as session:
            photos = session.execute(select(PhotoRow)).scalars().all()
            cases = {c.id: c for c in map(Case.model_validate, session.execute(select(CaseRow.data)).scalars())}
        steps = Counter(p.step for p in photos)
        assert steps["report"] and steps["handled"] and steps["verify_pass"] + steps["verify_fail"], steps
        story = sorted(p.step for p in photos if p.case_id == rework.id)
        assert story == ["handled", "report", "verify_fail"]
        # each step's command names its photo
        for p in photos:
            if p.step in ("handled", "verify_pass", "verify_fail"):
                assert p.sha256 in cases[p.case_id].attachments
        # a real picture, different per case
        before = Image.open(io.BytesIO(ctx.photo_storage.get(blob_key(photos[0].sha256))))
        assert before.size == (480, 360) and before.format == "JPEG"
        assert len({p.sha256 for p in photos}) == len(photos)
    finally:
        ctx.db.dispose()
