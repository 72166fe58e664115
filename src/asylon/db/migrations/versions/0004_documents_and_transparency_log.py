"""documents and transparency log

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import asylon.db.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_anchor_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_seq", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_event_id", sa.BigInteger(), nullable=False),
        sa.Column("last_event_id", sa.BigInteger(), nullable=False),
        sa.Column("leaf_index", sa.BigInteger(), nullable=False),
        sa.Column("salt", sa.LargeBinary(length=32), nullable=False),
        sa.Column("anchored_at", asylon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_anchor_batches")),
        sa.UniqueConstraint("first_seq", name=op.f("uq_event_anchor_batches_first_seq")),
    )
    op.create_table(
        "ledger_heads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("checkpoint", sa.Text(), nullable=True),
        sa.Column("sealed_signer", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", asylon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", asylon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_heads")),
        sa.UniqueConstraint("origin", name=op.f("uq_ledger_heads_origin")),
    )
    op.create_table(
        "event_anchors",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("personal_digest", sa.LargeBinary(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["event_anchor_batches.id"],
            name=op.f("fk_event_anchors_batch_id_event_anchor_batches"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_event_anchors")),
        sa.UniqueConstraint("event_id", name=op.f("uq_event_anchors_event_id")),
    )
    with op.batch_alter_table("event_anchors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_anchors_batch_id"), ["batch_id"], unique=False)

    op.create_table(
        "issuer_keyrings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=300), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("public_keys", sa.JSON(), nullable=False),
        sa.Column("sealed_secrets", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", asylon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rotated_at", asylon.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_issuer_keyrings_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issuer_keyrings")),
        sa.UniqueConstraint("issuer", name=op.f("uq_issuer_keyrings_issuer")),
        sa.UniqueConstraint("organisation_id", name=op.f("uq_issuer_keyrings_organisation_id")),
    )
    op.create_table(
        "ledger_leaves",
        sa.Column("head_id", sa.Integer(), nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("entry", sa.LargeBinary(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["head_id"], ["ledger_heads.id"], name=op.f("fk_ledger_leaves_head_id_ledger_heads")
        ),
        sa.PrimaryKeyConstraint("head_id", "idx", name=op.f("pk_ledger_leaves")),
    )
    op.create_table(
        "status_registries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("published", sa.JSON(), nullable=False),
        sa.Column("leaf_indexes", sa.JSON(), nullable=False),
        sa.Column("published_at", asylon.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_status_registries_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_registries")),
        sa.UniqueConstraint("organisation_id", name=op.f("uq_status_registries_organisation_id")),
    )
    op.create_table(
        "credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.String(length=100), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("person_ref", sa.String(length=32), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("leaf_index", sa.BigInteger(), nullable=False),
        sa.Column("envelope", sa.JSON(), nullable=False),
        sa.Column("issued_by_user_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", asylon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status_changed_at", asylon.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("valid_until", asylon.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_credentials_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["issued_by_user_id"], ["users.id"], name=op.f("fk_credentials_issued_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_credentials_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credentials")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_credentials_credential_id")),
    )
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credentials_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_credentials_organisation_id"), ["organisation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credentials_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_credentials_case_id"))

    op.drop_table("credentials")
    op.drop_table("status_registries")
    op.drop_table("ledger_leaves")
    op.drop_table("issuer_keyrings")
    with op.batch_alter_table("event_anchors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_anchors_batch_id"))

    op.drop_table("event_anchors")
    op.drop_table("ledger_heads")
    op.drop_table("event_anchor_batches")
