"""The reference data in force."""
from __future__ import annotations

from typing import Any

from sqlalchemy import CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class RefDataRow(Base):
    """The reference data in force (one row, id = 1): `RefData.to_dict()`."""

    __tablename__ = "refdata"

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[str] = mapped_column(String(128))
    data: Mapped[dict[str, Any]]
