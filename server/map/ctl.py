"""`onegrid-ctl basemap import FILE [--datum gcj02]` and `onegrid-ctl basemap show`."""
from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime, timezone

from app.map.datum import DATUMS
from app.map.mbtiles import MBTilesError
from server.map import store
from server.platform.database import Database
from server.refdata.store import RefDataStore


def add_commands(sub, url_of: Callable) -> None:
    cmds = sub.add_parser("basemap", help="the base map consoles draw under the grids: import an MBTiles file") \
        .add_subparsers(dest="basemap_cmd", required=True)
    p = cmds.add_parser("import", help="check an MBTiles package (raster PNG/JPEG/WebP, tiles inside the city) "
                                       "and make it the base map (replaces the one in force)")
    p.add_argument("path", metavar="FILE")
    p.add_argument("--datum", choices=DATUMS, help="the datum the tiles are drawn in (default: the package's "
                                                   "metadata onegrid:datum, else wgs84)")
    p.set_defaults(func=lambda args: cmd_import(args, url_of(args)))
    cmds.add_parser("show", help="describe the base map in force") \
        .set_defaults(func=lambda args: cmd_show(url_of(args)))


def cmd_import(args, url: str) -> int:
    db = Database(url)
    try:
        refdata = RefDataStore(db.reader).current()
        with db.writer() as session, session.begin():
            info = store.import_package(session, args.path, refdata, datetime.now(timezone.utc), datum=args.datum)
    except MBTilesError as exc:
        print(f"onegrid-ctl: base map refused ({exc.code}): {exc.message}", file=sys.stderr)
        return 2
    finally:
        db.dispose()
    print(f"base map imported: {info.name}, {info.tile_count} tiles ({info.format}), zooms "
          f"{info.min_zoom}-{info.max_zoom}, {info.tiles_in_city} tiles over the city at zoom {info.probe_zoom}, "
          f"datum {info.datum}")
    return 0


def cmd_show(url: str) -> int:
    db = Database(url)
    try:
        with db.reader() as session:
            row = store.current(session)
            if row is None:
                print("no base map imported")
                return 1
            print(f"{row.name}: {row.info.get('tile_count')} tiles ({row.format}), zooms {row.min_zoom}-"
                  f"{row.max_zoom}, datum {row.datum}, version {row.version}, imported {row.imported_at:%Y-%m-%d %H:%M}")
    finally:
        db.dispose()
    return 0
