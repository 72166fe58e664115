"""linkage runs, review queue and merges

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import asylon.db.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "linkage_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("started_by_user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("partner_organisation_id", sa.Integer(), nullable=True),
        sa.Column("agreement_ids", sa.JSON(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Text(), nullable=False),
        sa.Column("records_own", sa.Integer(), nullable=False),
        sa.Column("records_partner", sa.Integer(), nullable=False),
        sa.Column("pairs", sa.Integer(), nullable=False),
        sa.Column("links", sa.Integer(), nullable=False),
        sa.Column("clusters", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("model_summary", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("error", sa.JSON(), nullable=False),
        sa.Column("created_at", asylon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", asylon.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", asylon.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_linkage_runs_organisation_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["partner_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_linkage_runs_partner_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["started_by_user_id"], ["users.id"], name=op.f("fk_linkage_runs_started_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_linkage_runs")),
    )
    with op.batch_alter_table("linkage_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_linkage_runs_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_linkage_runs_status"), ["status"], unique=False)

    op.create_table(
        "merged_persons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("absorbed_into_id", sa.Integer(), nullable=True),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("created_at", asylon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", asylon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["absorbed_into_id"], ["merged_persons.id"], name=op.f("fk_merged_persons_absorbed_into_id_merged_persons")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_merged_persons_organisation_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merged_persons")),
    )
    with op.batch_alter_table("merged_persons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_merged_persons_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "linkage_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("left_person_id", sa.Integer(), nullable=False),
        sa.Column("right_person_id", sa.Integer(), nullable=False),
        sa.Column("match_probability", sa.Float(), nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by_user_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", asylon.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("merged_person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"], ["users.id"], name=op.f("fk_linkage_pairs_decided_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["left_person_id"], ["persons.id"], name=op.f("fk_linkage_pairs_left_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["merged_person_id"], ["merged_persons.id"], name=op.f("fk_linkage_pairs_merged_person_id_merged_persons")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_linkage_pairs_organisation_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["right_person_id"], ["persons.id"], name=op.f("fk_linkage_pairs_right_person_id_persons")
        ),
        sa.ForeignKeyConstraint(["run_id"], ["linkage_runs.id"], name=op.f("fk_linkage_pairs_run_id_linkage_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_linkage_pairs")),
        sa.UniqueConstraint(
            "run_id", "left_person_id", "right_person_id", name=op.f("uq_linkage_pairs_run_id")
        ),
    )
    with op.batch_alter_table("linkage_pairs", schema=None) as batch_op:
        batch_op.create_index("ix_linkage_pairs_queue", ["organisation_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_linkage_pairs_left_person_id"), ["left_person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_linkage_pairs_right_person_id"), ["right_person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_linkage_pairs_run_id"), ["run_id"], unique=False)

    op.create_table(
        "merged_person_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merged_person_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("owner_organisation_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("joined_at", asylon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("left_at", asylon.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["merged_person_id"],
            ["merged_persons.id"],
            name=op.f("fk_merged_person_members_merged_person_id_merged_persons"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_merged_person_members_owner_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_merged_person_members_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merged_person_members")),
    )
    with op.batch_alter_table("merged_person_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_merged_person_members_merged_person_id"), ["merged_person_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_merged_person_members_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("merged_person_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_merged_person_members_person_id"))
        batch_op.drop_index(batch_op.f("ix_merged_person_members_merged_person_id"))
    op.drop_table("merged_person_members")
    with op.batch_alter_table("linkage_pairs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_linkage_pairs_run_id"))
        batch_op.drop_index(batch_op.f("ix_linkage_pairs_right_person_id"))
        batch_op.drop_index(batch_op.f("ix_linkage_pairs_left_person_id"))
        batch_op.drop_index("ix_linkage_pairs_queue")
    op.drop_table("linkage_pairs")
    with op.batch_alter_table("merged_persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_merged_persons_organisation_id"))
    op.drop_table("merged_persons")
    with op.batch_alter_table("linkage_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_linkage_runs_status"))
        batch_op.drop_index(batch_op.f("ix_linkage_runs_organisation_id"))
    op.drop_table("linkage_runs")
