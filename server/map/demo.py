"""The demo city's base map (``resources/demo_city/basemap.mbtiles``, made by tools/make_base_map.py),
imported into a demo server that has none, so the demo's consoles draw streets, water and names."""
from __future__ import annotations

import logging

from app.map.mbtiles import MBTilesError
from app.refdata.loading import demo_dir
from server.map import store

log = logging.getLogger(__name__)


def import_demo_basemap(ctx) -> bool:
    """Import the demo base map unless the server has one; True when it was imported."""
    path = demo_dir() / "basemap.mbtiles"
    with ctx.db.reader() as session:
        if store.current(session) is not None:
            return False
    if not path.exists():
        log.warning("no demo base map at %s (tools/make_base_map.py --tiles makes it)", path)
        return False
    try:
        with ctx.db.writer() as session, session.begin():
            store.import_package(session, path, ctx.refdata, ctx.now())
    except MBTilesError as exc:
        log.error("the demo base map was refused: %s", exc.message)
        return False
    return True
