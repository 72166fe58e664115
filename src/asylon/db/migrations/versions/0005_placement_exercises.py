"""placement exercises

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import asylon.db.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "placement_exercises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("score_source", sa.String(length=32), nullable=False),
        sa.Column("placement_bonus", sa.Float(), nullable=False),
        sa.Column("mip_gap", sa.Float(), nullable=False),
        sa.Column("time_limit", sa.Float(), nullable=False),
        sa.Column("quotas", sa.JSON(), nullable=False),
        sa.Column("quota_source", sa.String(length=200), nullable=False),
        sa.Column("selection", sa.JSON(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", asylon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"], ["users.id"], name=op.f("fk_placement_exercises_created_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_placement_exercises_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placement_exercises")),
    )
    with op.batch_alter_table("placement_exercises", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_placement_exercises_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "placement_destinations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("nationalities", sa.JSON(), nullable=False),
        sa.Column("unemployment_rate", sa.Float(), nullable=True),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["placement_exercises.id"],
            name=op.f("fk_placement_destinations_exercise_id_placement_exercises"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placement_destinations")),
        sa.UniqueConstraint("exercise_id", "code", name=op.f("uq_placement_destinations_exercise_id")),
    )
    with op.batch_alter_table("placement_destinations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_placement_destinations_exercise_id"), ["exercise_id"], unique=False
        )

    op.create_table(
        "placement_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by_user_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", asylon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", asylon.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", asylon.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("objective", sa.Float(), nullable=True),
        sa.Column("bound", sa.Float(), nullable=True),
        sa.Column("gap", sa.Float(), nullable=True),
        sa.Column("total_score", sa.Float(), nullable=True),
        sa.Column("solver_status", sa.String(length=64), nullable=False),
        sa.Column("solver_seconds", sa.Float(), nullable=True),
        sa.Column("placed_cases", sa.Integer(), nullable=True),
        sa.Column("placed_persons", sa.Integer(), nullable=True),
        sa.Column("unplaced_cases", sa.Integer(), nullable=True),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["placement_exercises.id"],
            name=op.f("fk_placement_runs_exercise_id_placement_exercises"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_user_id"], ["users.id"], name=op.f("fk_placement_runs_requested_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placement_runs")),
        sa.UniqueConstraint("exercise_id", "number", name=op.f("uq_placement_runs_exercise_id")),
    )
    with op.batch_alter_table("placement_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_placement_runs_exercise_id"), ["exercise_id"], unique=False)

    op.create_table(
        "placement_exercise_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("tie_destination_id", sa.Integer(), nullable=True),
        sa.Column("tie_reason", sa.Text(), nullable=False),
        sa.Column("family_group", sa.String(length=64), nullable=True),
        sa.Column("accepted_destination_id", sa.Integer(), nullable=True),
        sa.Column("accepted_run_id", sa.Integer(), nullable=True),
        sa.Column("accepted_by_user_id", sa.Integer(), nullable=True),
        sa.Column("accepted_at", asylon.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("accepted_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["accepted_by_user_id"],
            ["users.id"],
            name=op.f("fk_placement_exercise_cases_accepted_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["accepted_destination_id"],
            ["placement_destinations.id"],
            name=op.f("fk_placement_exercise_cases_accepted_destination_id_placement_destinations"),
        ),
        sa.ForeignKeyConstraint(
            ["accepted_run_id"],
            ["placement_runs.id"],
            name=op.f("fk_placement_exercise_cases_accepted_run_id_placement_runs"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_placement_exercise_cases_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["placement_exercises.id"],
            name=op.f("fk_placement_exercise_cases_exercise_id_placement_exercises"),
        ),
        sa.ForeignKeyConstraint(
            ["tie_destination_id"],
            ["placement_destinations.id"],
            name=op.f("fk_placement_exercise_cases_tie_destination_id_placement_destinations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placement_exercise_cases")),
        sa.UniqueConstraint("exercise_id", "case_id", name=op.f("uq_placement_exercise_cases_exercise_id")),
    )
    with op.batch_alter_table("placement_exercise_cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_placement_exercise_cases_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_placement_exercise_cases_exercise_id"), ["exercise_id"], unique=False
        )

    op.create_table(
        "placement_pins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("exercise_case_id", sa.Integer(), nullable=False),
        sa.Column("destination_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", asylon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("released_at", asylon.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("released_by_user_id", sa.Integer(), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["users.id"], name=op.f("fk_placement_pins_actor_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["destination_id"],
            ["placement_destinations.id"],
            name=op.f("fk_placement_pins_destination_id_placement_destinations"),
        ),
        sa.ForeignKeyConstraint(
            ["exercise_case_id"],
            ["placement_exercise_cases.id"],
            name=op.f("fk_placement_pins_exercise_case_id_placement_exercise_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["placement_exercises.id"],
            name=op.f("fk_placement_pins_exercise_id_placement_exercises"),
        ),
        sa.ForeignKeyConstraint(
            ["released_by_user_id"], ["users.id"], name=op.f("fk_placement_pins_released_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placement_pins")),
    )
    with op.batch_alter_table("placement_pins", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_placement_pins_exercise_case_id"), ["exercise_case_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_placement_pins_exercise_id"), ["exercise_id"], unique=False)

    op.create_table(
        "placement_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("exercise_case_id", sa.Integer(), nullable=False),
        sa.Column("destination_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("family_group", sa.String(length=64), nullable=True),
        sa.Column("runner_ups", sa.JSON(), nullable=False),
        sa.Column("constraints", sa.JSON(), nullable=False),
        sa.Column("refusals", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["destination_id"],
            ["placement_destinations.id"],
            name=op.f("fk_placement_proposals_destination_id_placement_destinations"),
        ),
        sa.ForeignKeyConstraint(
            ["exercise_case_id"],
            ["placement_exercise_cases.id"],
            name=op.f("fk_placement_proposals_exercise_case_id_placement_exercise_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["placement_runs.id"], name=op.f("fk_placement_proposals_run_id_placement_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placement_proposals")),
        sa.UniqueConstraint("run_id", "exercise_case_id", name=op.f("uq_placement_proposals_run_id")),
    )
    with op.batch_alter_table("placement_proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_placement_proposals_run_id"), ["run_id"], unique=False)

    op.create_table(
        "placement_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("exercise_case_id", sa.Integer(), nullable=False),
        sa.Column("destination_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["destination_id"],
            ["placement_destinations.id"],
            name=op.f("fk_placement_scores_destination_id_placement_destinations"),
        ),
        sa.ForeignKeyConstraint(
            ["exercise_case_id"],
            ["placement_exercise_cases.id"],
            name=op.f("fk_placement_scores_exercise_case_id_placement_exercise_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["placement_exercises.id"],
            name=op.f("fk_placement_scores_exercise_id_placement_exercises"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placement_scores")),
        sa.UniqueConstraint(
            "exercise_case_id", "destination_id", name=op.f("uq_placement_scores_exercise_case_id")
        ),
    )
    with op.batch_alter_table("placement_scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_placement_scores_exercise_id"), ["exercise_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("placement_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_placement_scores_exercise_id"))

    op.drop_table("placement_scores")
    with op.batch_alter_table("placement_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_placement_proposals_run_id"))

    op.drop_table("placement_proposals")
    with op.batch_alter_table("placement_pins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_placement_pins_exercise_id"))
        batch_op.drop_index(batch_op.f("ix_placement_pins_exercise_case_id"))

    op.drop_table("placement_pins")
    with op.batch_alter_table("placement_exercise_cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_placement_exercise_cases_exercise_id"))
        batch_op.drop_index(batch_op.f("ix_placement_exercise_cases_case_id"))

    op.drop_table("placement_exercise_cases")
    with op.batch_alter_table("placement_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_placement_runs_exercise_id"))

    op.drop_table("placement_runs")
    with op.batch_alter_table("placement_destinations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_placement_destinations_exercise_id"))

    op.drop_table("placement_destinations")
    with op.batch_alter_table("placement_exercises", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_placement_exercises_organisation_id"))

    op.drop_table("placement_exercises")
