"""The service index: parties, cases, acts, evidence, deliveries, nonces, attachments.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "svc_parties",
        sa.Column("party_id", sa.String(128), primary_key=True),
        sa.Column("idx", sa.BigInteger, nullable=False),
        sa.Column("admission", sa.Text, nullable=False),
    )
    op.create_table(
        "svc_cases",
        sa.Column("case_id", sa.String(128), primary_key=True),
        sa.Column("idx", sa.BigInteger, nullable=False),
        sa.Column("record", sa.Text, nullable=False),
    )
    op.create_table(
        "svc_acts",
        sa.Column("act_id", sa.String(128), primary_key=True),
        sa.Column("idx", sa.BigInteger, nullable=False, unique=True),
        sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("case_id", sa.String(128), nullable=True, index=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("made_at_ms", sa.BigInteger, nullable=False),
        sa.Column("received_at_ms", sa.BigInteger, nullable=True),
        sa.Column("authorised", sa.Boolean, nullable=True),
        sa.Column("last_evidence", sa.LargeBinary(32), nullable=False),
        sa.Column("search_text", sa.Text, nullable=False),
    )
    op.create_table(
        "svc_act_parties",
        sa.Column("act_id", sa.String(128), primary_key=True),
        sa.Column("party_id", sa.String(128), primary_key=True, index=True),
        sa.Column("role", sa.String(16), primary_key=True),
    )
    op.create_table(
        "svc_evidence",
        sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("act_id", sa.String(128), nullable=False, index=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("addressee", sa.String(128), nullable=True),
        sa.Column("at_ms", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "svc_deliveries",
        sa.Column("act_id", sa.String(128), primary_key=True),
        sa.Column("addressee", sa.String(128), primary_key=True),
        sa.Column("url", sa.String(2000), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_at_ms", sa.BigInteger, nullable=False, index=True),
        sa.Column("last_error", sa.Text, nullable=True),
    )
    op.create_table(
        "svc_nonces",
        sa.Column("nonce", sa.String(64), primary_key=True),
        sa.Column("party_id", sa.String(128), nullable=False),
        sa.Column("at_ms", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "svc_attachments",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    for name in (
        "svc_attachments", "svc_nonces", "svc_deliveries", "svc_evidence", "svc_act_parties",
        "svc_acts", "svc_cases", "svc_parties",
    ):  # fmt: skip
        op.drop_table(name)
