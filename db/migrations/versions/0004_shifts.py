"""Shifts, the duty roster and handover reports.

Also a trigger on `handovers` that refuses to change or delete a signed report, on both databases: the
server never does it, and the trigger makes sure nobody else does either.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_PG_FUNCTION = """
CREATE FUNCTION handover_signed_is_immutable() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'signed' THEN
        RAISE EXCEPTION 'handover % is signed and cannot be changed', OLD.shift_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        "shifts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("scheduled_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scheduled_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lead", sa.String(64), nullable=False),
        sa.Column("on_duty", sa.JSON(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(64), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(64), nullable=True),
        sa.Column("open_slot", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_shifts"),
        sa.UniqueConstraint("open_slot", name="uq_shifts_open_slot"),
    )
    op.create_index("ix_shifts_opened_at", "shifts", ["opened_at"])
    op.create_table(
        "handovers",
        sa.Column("shift_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("outgoing_lead", sa.String(64), nullable=False),
        sa.Column("drafted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signed_by", sa.String(64), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_client_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_offline", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["shift_id"], ["shifts.id"], name="fk_handovers_shift_id_shifts"),
        sa.PrimaryKeyConstraint("shift_id", name="pk_handovers"),
    )
    op.create_table(
        "emergency_switches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("on", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_emergency_switches"),
    )
    op.create_index("ix_emergency_switches_at", "emergency_switches", ["at"])
    op.create_table(
        "console_outages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("console_id", sa.String(64), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_console_outages"),
    )
    op.create_index("ix_console_outages_started_at", "console_outages", ["started_at"])
    op.create_table(
        "entity_commands",
        sa.Column("command_id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("command_id", name="pk_entity_commands"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute("CREATE TRIGGER handovers_signed_immutable BEFORE UPDATE OR DELETE ON handovers "
                   "FOR EACH ROW EXECUTE FUNCTION handover_signed_is_immutable()")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER handovers_signed_immutable_{event.lower()} BEFORE {event} ON handovers "
                       f"FOR EACH ROW WHEN OLD.status = 'signed' "
                       f"BEGIN SELECT RAISE(ABORT, 'handover is signed and cannot be changed'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS handovers_signed_immutable ON handovers")
        op.execute("DROP FUNCTION IF EXISTS handover_signed_is_immutable()")
    op.drop_table("entity_commands")
    op.drop_index("ix_console_outages_started_at", table_name="console_outages")
    op.drop_table("console_outages")
    op.drop_index("ix_emergency_switches_at", table_name="emergency_switches")
    op.drop_table("emergency_switches")
    op.drop_table("handovers")
    op.drop_index("ix_shifts_opened_at", table_name="shifts")
    op.drop_table("shifts")
