"""The repeat rule per category is reference data: the radius, window and group of related categories the
server's repeat check, the console's duplicate dialogs and the detections used from constants in
`app/cases/merging.py` are now optional fields of the categories (`merge_radius_m`, `merge_window_h`,
`merge_group`, columns of categories.csv). A database upgraded keeps today's rules: waterlogging (E0401)
300 m / 24 h, street vendors (E0501) 100 m / 12 h, the three manhole covers (C0101-C0103) one group; every
other category the defaults, 200 m / 72 h. The stored reference data gets a new version, so every console
downloads it again at its next sync.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""
from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

# today's values (what app/cases/merging.py held as RULES and RELATED)
TODAY = {"E0401": {"merge_radius_m": 300.0, "merge_window_h": 24.0},
         "E0501": {"merge_radius_m": 100.0, "merge_window_h": 12.0},
         "C0101": {"merge_group": "manhole_cover"},
         "C0102": {"merge_group": "manhole_cover"},
         "C0103": {"merge_group": "manhole_cover"}}
FIELDS = ("merge_radius_m", "merge_window_h", "merge_group")

_REFDATA = sa.table("refdata", sa.column("id", sa.Integer), sa.column("version", sa.String),
                    sa.column("data", sa.JSON))


PHOTO_FIELDS = ("photo_on_handled", "photo_on_verify")


def _version(content: dict) -> str:
    """`RefData.version` of stored reference data (db does not import app: the rule is restated here; the
    migration's test checks it against the model): the first 16 hex digits of the SHA-256 of the canonical
    JSON, photo rules that are off and repeat rules that are unset left out."""
    content = {k: v for k, v in content.items() if k != "version"}
    content["categories"] = [{k: v for k, v in c.items() if (k not in PHOTO_FIELDS or v)
                              and (k not in FIELDS or v not in (None, ""))}
                             for c in content.get("categories", [])]
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _rewrite(change) -> None:
    bind = op.get_bind()
    row = bind.execute(sa.select(_REFDATA.c.data).where(_REFDATA.c.id == 1)).first()
    if row is None:  # no reference data yet: the import brings the rules with categories.csv
        return
    data = dict(row.data)
    categories = [change(dict(c)) for c in data.get("categories", [])]
    if categories == data.get("categories", []):
        return
    data["categories"] = categories
    data["version"] = _version(data)
    bind.execute(sa.update(_REFDATA).where(_REFDATA.c.id == 1).values(version=data["version"], data=data))


def upgrade() -> None:
    def add(category: dict) -> dict:
        rule = TODAY.get(category.get("code"))
        if rule is None or any(category.get(k) not in (None, "") for k in FIELDS):
            return category  # a rule set already (an import after this code shipped) is kept
        return category | rule

    _rewrite(add)


def downgrade() -> None:
    _rewrite(lambda category: {k: v for k, v in category.items() if k not in FIELDS})
