"""placement runs keep the LP bound beside the best bound, and whether the solver proved its placement optimal

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("placement_runs") as batch:
        batch.add_column(sa.Column("lp_bound", sa.Float(), nullable=True))
        batch.add_column(sa.Column("proven", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("placement_runs") as batch:
        batch.drop_column("proven")
        batch.drop_column("lp_bound")
