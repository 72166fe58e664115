"""pledges and appeals

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import asylon.db.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Amounts are exact decimals stored as integers of 1/10,000 (asylon.db.models.pledges.Amount); the
# migration names the storage type so it does not depend on the model module.
AMOUNT = sa.BigInteger


def upgrade() -> None:
    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("situation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", asylon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_appeals_organisation_id_organisations")
        ),
        sa.ForeignKeyConstraint(["situation_id"], ["situations.id"], name=op.f("fk_appeals_situation_id_situations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
        sa.UniqueConstraint("code", name=op.f("uq_appeals_code")),
    )
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeals_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appeals_situation_id"), ["situation_id"], unique=False)

    op.create_table(
        "appeal_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("at", asylon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["actor_user_id"], ["users.id"], name=op.f("fk_appeal_events_actor_user_id_users")),
        sa.ForeignKeyConstraint(["appeal_id"], ["appeals.id"], name=op.f("fk_appeal_events_appeal_id_appeals")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_appeal_events_organisation_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_events")),
    )
    with op.batch_alter_table("appeal_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeal_events_appeal_id"), ["appeal_id"], unique=False)

    op.create_table(
        "appeal_requirements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column("sector", sa.String(length=100), nullable=False),
        sa.Column("amount_usd", AMOUNT(), nullable=False),
        sa.Column("updated_at", asylon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["appeal_id"], ["appeals.id"], name=op.f("fk_appeal_requirements_appeal_id_appeals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_requirements")),
        sa.UniqueConstraint("appeal_id", "sector", name=op.f("uq_appeal_requirements_appeal_id")),
    )
    with op.batch_alter_table("appeal_requirements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeal_requirements_appeal_id"), ["appeal_id"], unique=False)

    op.create_table(
        "pledges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("usd_rate", AMOUNT(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("situation_id", sa.Integer(), nullable=True),
        sa.Column("appeal_id", sa.Integer(), nullable=True),
        sa.Column("sector", sa.String(length=100), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", asylon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["appeal_id"], ["appeals.id"], name=op.f("fk_pledges_appeal_id_appeals")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_pledges_organisation_id_organisations")
        ),
        sa.ForeignKeyConstraint(["situation_id"], ["situations.id"], name=op.f("fk_pledges_situation_id_situations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pledges")),
        sa.UniqueConstraint("reference", name=op.f("uq_pledges_reference")),
    )
    with op.batch_alter_table("pledges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pledges_appeal_id"), ["appeal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pledges_country"), ["country"], unique=False)
        batch_op.create_index(batch_op.f("ix_pledges_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pledges_situation_id"), ["situation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pledges_type"), ["type"], unique=False)

    op.create_table(
        "pledge_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", AMOUNT(), nullable=True),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("at", asylon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_user_id"], ["users.id"], name=op.f("fk_pledge_events_actor_user_id_users")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_pledge_events_organisation_id_organisations")
        ),
        sa.ForeignKeyConstraint(["pledge_id"], ["pledges.id"], name=op.f("fk_pledge_events_pledge_id_pledges")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pledge_events")),
        sa.UniqueConstraint("pledge_id", "seq", name=op.f("uq_pledge_events_pledge_id")),
    )
    with op.batch_alter_table("pledge_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pledge_events_pledge_id"), ["pledge_id"], unique=False)

    op.create_table(
        "pledge_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_pledge_parties_organisation_id_organisations")
        ),
        sa.ForeignKeyConstraint(["pledge_id"], ["pledges.id"], name=op.f("fk_pledge_parties_pledge_id_pledges")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pledge_parties")),
        sa.UniqueConstraint("pledge_id", "position", name=op.f("uq_pledge_parties_pledge_id")),
    )
    with op.batch_alter_table("pledge_parties", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pledge_parties_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pledge_parties_pledge_id"), ["pledge_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pledge_parties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pledge_parties_pledge_id"))
        batch_op.drop_index(batch_op.f("ix_pledge_parties_organisation_id"))
    op.drop_table("pledge_parties")
    with op.batch_alter_table("pledge_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pledge_events_pledge_id"))
    op.drop_table("pledge_events")
    with op.batch_alter_table("pledges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pledges_type"))
        batch_op.drop_index(batch_op.f("ix_pledges_situation_id"))
        batch_op.drop_index(batch_op.f("ix_pledges_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_pledges_country"))
        batch_op.drop_index(batch_op.f("ix_pledges_appeal_id"))
    op.drop_table("pledges")
    with op.batch_alter_table("appeal_requirements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeal_requirements_appeal_id"))
    op.drop_table("appeal_requirements")
    with op.batch_alter_table("appeal_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeal_events_appeal_id"))
    op.drop_table("appeal_events")
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeals_situation_id"))
        batch_op.drop_index(batch_op.f("ix_appeals_organisation_id"))
    op.drop_table("appeals")
